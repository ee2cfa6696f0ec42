package frcsv

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
)

// records reads every record of a file as "field|field" lines, each with its
// line number.
func records(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for r.Next() {
		var fields []string
		for i := range r.Headers() {
			fields = append(fields, r.Get(Col{idx: i}))
		}
		out = append(out, fmt.Sprintf("%d:%s", r.Line(), strings.Join(fields, "|")))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	return out
}

func to1252(t *testing.T, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDialects(t *testing.T) {
	const text = "Catégorie;Heures\nPrésence sociale;1 545,5\nFormation;12\n"
	want := []string{"2:Présence sociale|1 545,5", "3:Formation|12"}
	tests := []struct {
		name string
		in   string
	}{
		{"utf8", text},
		{"bom", "\uFEFF" + text},
		{"windows-1252", to1252(t, text)},
		{"crlf", strings.ReplaceAll(text, "\n", "\r\n")},
		{"comma", "Catégorie,Heures\nPrésence sociale,\"1 545,5\"\nFormation,12\n"},
		{"tab", "Catégorie\tHeures\nPrésence sociale\t1 545,5\nFormation\t12"},
		{"blank lines", "Catégorie;Heures\nPrésence sociale;1 545,5\n\n;\nFormation;12\n\n"},
		{"ascii then 1252 after the sniffed head", "Categorie;Heures\n" + strings.Repeat(";\n", sniffSize/2) + to1252(t, "é;1\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), "f.csv")
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "ascii then 1252 after the sniffed head" {
				got := records(t, r)
				if len(got) != 1 || got[0] != fmt.Sprintf("%d:é|1", sniffSize/2+2) {
					t.Fatalf("records = %q", got)
				}
				return
			}
			if h := r.Headers(); h[0] != "Catégorie" || h[1] != "Heures" {
				t.Fatalf("headers = %q", h)
			}
			got := records(t, r)
			if tt.name == "blank lines" {
				want := []string{"2:Présence sociale|1 545,5", "5:Formation|12"}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("records = %q, want %q", got, want)
				}
				return
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("records = %q, want %q", got, want)
			}
		})
	}
}

func TestQuotedFields(t *testing.T) {
	in := "A;B\r\n\"x;y\";\"two\r\nlines\"\r\n\"say \"\"hi\"\"\";z\r\n"
	r, err := NewReader(strings.NewReader(in), "q.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := records(t, r)
	want := []string{"2:x;y|two\nlines", `4:say "hi"|z`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records = %q, want %q", got, want)
	}
}

func TestColumns(t *testing.T) {
	r, err := NewReader(strings.NewReader(" N°  individu ;Année;Extra\n1;2024;x\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	id, err := r.Column("n° individu")
	if err != nil || id.Name() != "N°  individu" {
		t.Fatalf("Column = %+v, %v", id, err)
	}
	year, err := r.Column("Year", "ANNEE")
	if err != nil || year.Name() != "Année" {
		t.Fatalf("Column alias = %+v, %v", year, err)
	}
	_, err = r.Column("Mois", "Month")
	want := `c.csv: missing column "Mois" (or "Month"); headers found: "N°  individu", "Année", "Extra"`
	if err == nil || err.Error() != want || !errors.Is(err, extract.ErrRejected) {
		t.Fatalf("missing column error = %v\nwant %s", err, want)
	}
	opt := r.Optional("Commune")
	if opt.Present() {
		t.Fatal("absent optional column reported present")
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	if r.Get(opt) != "" || r.Get(id) != "1" {
		t.Fatalf("Get = %q, %q", r.Get(opt), r.Get(id))
	}
}

func TestDuplicateHeader(t *testing.T) {
	r, err := NewReader(strings.NewReader("Mois;mois\n1;2\n"), "d.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Column("Mois")
	if want := `d.csv: column "Mois" appears twice (columns 1 and 2)`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestTyped(t *testing.T) {
	in := "Nombre;Date;Durée;Compte\n1 545,5;29/02/2024;1:30;15 935\n;;;\nx;31/02/2023;1:75;-3\n"
	r, err := NewReader(strings.NewReader(in), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	num, _ := r.Column("Nombre")
	date, _ := r.Column("Date")
	dur, _ := r.Column("Durée")
	cnt, _ := r.Column("Compte")
	r.Next()
	if v, ok, err := r.Number(num); v != 1545.5 || !ok || err != nil {
		t.Errorf("Number = %v %v %v", v, ok, err)
	}
	if v, ok, err := r.Date(date); !v.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) || !ok || err != nil {
		t.Errorf("Date = %v %v %v", v, ok, err)
	}
	if v, ok, err := r.Hours(dur); v != 1.5 || !ok || err != nil {
		t.Errorf("Hours = %v %v %v", v, ok, err)
	}
	if v, ok, err := r.Count(cnt); v != 15935 || !ok || err != nil {
		t.Errorf("Count = %v %v %v", v, ok, err)
	}
	r.Next() // ";;;" is blank: skipped
	if r.Line() != 4 {
		t.Fatalf("Line = %d, want 4", r.Line())
	}
	errs := []error{}
	_, _, err = r.Number(num)
	errs = append(errs, err)
	_, _, err = r.Date(date)
	errs = append(errs, err)
	_, _, err = r.Hours(dur)
	errs = append(errs, err)
	_, _, err = r.Count(cnt)
	errs = append(errs, err)
	want := []string{
		`t.csv: line 4, column "Nombre": value "x": expected a number (decimal comma or point, thousands separated by spaces, e.g. 1 545,5)`,
		`t.csv: line 4, column "Date": value "31/02/2023": expected a date that exists (February 2023 has 28 days)`,
		`t.csv: line 4, column "Durée": value "1:75": expected a duration h:mm (minutes below 60) or decimal hours (e.g. 1,5)`,
		`t.csv: line 4, column "Compte": value "-3": expected a count (whole number ≥ 0)`,
	}
	for i, err := range errs {
		if err == nil || err.Error() != want[i] || !errors.Is(err, extract.ErrRejected) {
			t.Errorf("error %d = %v\nwant      %s", i, err, want[i])
		}
	}
}

func TestEmptyIsAbsent(t *testing.T) {
	r, _ := NewReader(strings.NewReader("A;B\n;1\n"), "e.csv")
	a, _ := r.Column("A")
	r.Next()
	if v, ok, err := r.Count(a); v != 0 || ok || err != nil {
		t.Fatalf("Count(empty) = %v %v %v", v, ok, err)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// A file read whole by the sniffer is Windows-1252 as soon as one
		// byte is not UTF-8: "CatÃ©gorie" is then what it says.
		{"invalid utf-8 in the head", "Catégorie;B\n" + to1252(t, "é;3\n") + "1;2;3\n", `m.csv: line 3: expected 2 fields separated by ';' as in the header line, found 3`},
		{"empty", "", "m.csv: the file is empty: expected a header line"},
		{"blank only", "\n;\n", "m.csv: the file is empty: expected a header line"},
		{"short record", "A;B;C\n1;2;3\n1;2\n", `m.csv: line 3: expected 3 fields separated by ';' as in the header line, found 2`},
		{"long record", "A,B\n1,2,3\n", `m.csv: line 2: expected 2 fields separated by ',' as in the header line, found 3`},
		{"bare quote", "A;B\n1;say \"hi\"\n", `m.csv: line 2: bare " in non-quoted-field: expected quotes only around whole fields, doubled inside them (RFC 4180)`},
		{"unclosed quote", "A;B\n1;\"open\n2;3\n", `m.csv: line 3: extraneous or missing " in quoted-field: expected quotes only around whole fields, doubled inside them (RFC 4180)`},
		{"mixed encodings", "Catégorie;B\n" + strings.Repeat("1;2\n", sniffSize/4) + to1252(t, "é;3\n"), `m.csv: line 16386: byte 0xE9 is not UTF-8 although the file begins as UTF-8: expected one encoding for the whole file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), "m.csv")
			if err == nil {
				for r.Next() {
				}
				err = r.Err()
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}

func TestSample(t *testing.T) {
	// Windows-1252, CRLF.
	r, err := Open(extracttest.Sample(t, "ase_mesures_20261121.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Column("Date de début"); err != nil {
		t.Fatal(err)
	}
	if h := r.Headers(); h[0] != "N° individu" || h[2] != "Prénom" || len(h) != 14 {
		t.Fatalf("headers = %q", h)
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil || n != 182 {
		t.Fatalf("rows = %d, err = %v; want 182", n, err)
	}
}

func TestWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pmi.xlsx")
	wb := excelize.NewFile()
	sheet := wb.GetSheetName(0)
	rows := [][]any{
		{"Territoire", "Mois", "EPP réalisés", "Date"},
		{"ARR", 1, 24, nil},
		{},
		{"ART", 2, "1 545", 44609},
		{"TER", 3, "x", "17/02/2022", "note outside the table"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SetCellFormula(sheet, "C2", "=20+4"); err != nil {
		t.Fatal(err)
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	epp, _ := r.Column("EPP realises")
	date, _ := r.Column("Date")
	var got []string
	for r.Next() {
		v, _, err := r.Count(epp)
		d, _, derr := r.Date(date)
		got = append(got, fmt.Sprintf("%s %d %v %v %s %v", r.Where(r.Line()), v, err, derr, d.Format("2006-01-02"), r.Get(Col{idx: 0})))
	}
	want := []string{
		"row 2 24 <nil> <nil> 0001-01-01 ARR", // the formula's cached value
		"row 4 1545 <nil> <nil> 2022-02-17 ART",
		`row 5 0 pmi.xlsx: sheet "Sheet1", cell C5, column "EPP réalisés": value "x": expected a count (whole number ≥ 0) <nil> 2022-02-17 TER`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := OpenSheet(path, "Public"); err == nil || err.Error() != `pmi.xlsx: missing sheet "Public"; sheets found: "Sheet1"` {
		t.Fatalf("missing sheet error = %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("A;B\n1;2\n"))
	f.Add([]byte("\xef\xbb\xbfA,B\r\n\"x,\ny\",2\r\n\r\n"))
	f.Add([]byte("Cat\xe9gorie\tB\n1\t2"))
	f.Add([]byte("A;B\n\"1;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		width := len(r.Headers())
		for r.Next() {
			if len(r.rec) != width {
				t.Fatalf("record of %d fields, header has %d", len(r.rec), width)
			}
			if r.Line() < 2 {
				t.Fatalf("record on line %d", r.Line())
			}
		}
		if err := r.Err(); err != nil && !errors.Is(err, extract.ErrRejected) {
			t.Fatalf("error %v is not a rejection", err)
		}
	})
}

// benchmarkFile builds a CSV of about size bytes shaped like the ASE extract.
func benchmarkFile(size int, cp1252 bool) []byte {
	var b bytes.Buffer
	b.WriteString("N° individu;Nom;Prénom;Date de naissance;Sexe;Commune de résidence;Territoire;N° mesure;Nature de la mesure;Cadre;Mode d'accueil;Date de début;Date de fin;Motif de fin\r\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "D%06d;Bécourt;Léa;14/06/2009;F;62215;HEN;M%07d;Placement judiciaire;Judiciaire;Établissement (MECS);02/12/2017;16/01/2021;Fin de mesure\r\n", i%90000, i)
	}
	if !cp1252 {
		return b.Bytes()
	}
	out, _ := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	return out
}

func BenchmarkReader(b *testing.B) {
	for _, cp := range []bool{false, true} {
		name := "utf8"
		if cp {
			name = "windows1252"
		}
		b.Run(name, func(b *testing.B) {
			data := benchmarkFile(16<<20, cp)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(data), "bench.csv")
				if err != nil {
					b.Fatal(err)
				}
				c, _ := r.Column("Date de début")
				n := 0
				for r.Next() {
					n += len(r.Get(c))
				}
				if err := r.Err(); err != nil || n == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMemo(t *testing.T) {
	calls := 0
	m := NewMemo(func(s string) (string, bool) {
		calls++
		return extract.Canonical(extract.MeasureFrames, s)
	})
	for range 3 {
		if v, ok := m.Get("judiciaire"); v != "Judiciaire" || !ok {
			t.Fatalf("Get = %q, %v", v, ok)
		}
		if _, ok := m.Get("Contractuel"); ok {
			t.Fatal("unknown value found")
		}
	}
	if calls != 2 {
		t.Fatalf("%d calls, want 2", calls)
	}
}
