package crip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

func newJob(t testing.TB) extract.Job {
	t.Helper()
	k, ok := extract.Lookup(Kind)
	if !ok {
		t.Fatalf("kind %q not registered", Kind)
	}
	job, err := k.New(extracttest.Options(""))
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func env(t testing.TB) *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories(), Pseudonym: extracttest.Pseudonym(t)}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"crip_ips"}) || k.Retention != extract.Supersede || !k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("keep_names: true")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// TestSample loads the CRIP sample: every row, the snapshot's date from the
// file's name, the same child pseudonym as the ASE sample, and no
// identifying value in any column.
func TestSample(t *testing.T) {
	path := extracttest.Sample(t, "crip_ip_20251231.csv")
	e := env(t)
	sink, n, err := extracttest.Load(t, newJob(t), path, e)
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("crip_ips")
	if n != 326 || len(rows) != 326 {
		t.Fatalf("read %d, appended %d; want 326", n, len(rows))
	}
	// IP-2023-00001;D100105;Garcia;Théo;17/01/2018;M;62065;ART;21/12/2023;SNATED (119);
	// Conditions de vie compromises;20/01/2024;Prestation administrative;
	want := extracttest.Row{
		"dep": "62", "snapshot_date": day(2025, 12, 31), "ip_id": e.Pseudonym("ip:IP-2023-00001"),
		"child_id": e.Pseudonym("D100105"), "birth_year": 2018, "birth_month": 1, "sex": "M",
		"commune": "62065", "territory": "ART", "received": day(2023, 12, 21), "origin": "SNATED (119)",
		"danger": "Conditions de vie compromises", "evaluated": day(2024, 1, 20),
		"outcome": "Prestation administrative", "prosecutor_date": nil,
	}
	if !reflect.DeepEqual(rows[0], want) {
		t.Fatalf("row 1 = %v\nwant    %v", rows[0], want)
	}
	if rows[1]["evaluated"] != nil || rows[1]["outcome"] != nil {
		t.Errorf("row 2, an evaluation still running: %v", rows[1])
	}
	unborn := 0
	for _, r := range rows {
		if r["birth_year"] == nil && r["sex"] == nil {
			unborn++
		}
	}
	if unborn != 5 {
		t.Errorf("%d unborn children, want 5", unborn)
	}

	// The children the ASE sample follows join under the same pseudonym.
	ase := map[string]bool{}
	r, err := frcsv.Open(extracttest.Sample(t, "ase_mesures_20261121.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	id, _ := r.Column("N° individu")
	for r.Next() {
		ase[e.Pseudonym(r.Get(id))] = true
	}
	joined := map[any]bool{}
	for _, row := range rows {
		if ase[row["child_id"].(string)] {
			joined[row["child_id"]] = true
		}
	}
	if len(joined) != 29 {
		t.Errorf("%d children of the CRIP sample join the ASE sample, want 29", len(joined))
	}

	// No name, number or full birth date in any column.
	secrets := identifying(t, path)
	for i, row := range rows {
		for col, v := range row {
			s := fmt.Sprint(v)
			if tm, ok := v.(time.Time); ok {
				s = tm.Format("02/01/2006")
			}
			for _, secret := range secrets[i] {
				if strings.Contains(s, secret) {
					t.Fatalf("row %d, column %s: %q holds the identifying value %q", i+1, col, s, secret)
				}
			}
		}
	}
}

// identifying returns, per line of the file, its IP and file numbers, names
// and birth date.
func identifying(t *testing.T, path string) [][]string {
	t.Helper()
	r, err := frcsv.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var cols []frcsv.Col
	for _, name := range []string{"N° IP", "N° individu", "Nom", "Prénom", "Date de naissance"} {
		c, err := r.Column(name)
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	var out [][]string
	for r.Next() {
		var line []string
		for _, c := range cols {
			if v := r.Get(c); v != "" {
				line = append(line, v)
			}
		}
		out = append(out, line)
	}
	return out
}

// TestVariants: columns in any order and any case, extra columns, dates in
// both forms, accents left out, an empty territory taken from the commune,
// an unborn child, siblings sharing an IP.
func TestVariants(t *testing.T) {
	e := env(t)
	sink, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants_20251231.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sink.Rows("crip_ips") {
		got = append(got, fmt.Sprintf("%v/%v %v %v %v %v %v | %v | %v | %v | %v",
			r["birth_year"], r["birth_month"], r["sex"], r["commune"], r["territory"],
			r["received"].(time.Time).Format(time.DateOnly), r["origin"], r["danger"], r["outcome"],
			r["evaluated"] != nil, r["prosecutor_date"] != nil))
	}
	want := []string{
		"2015/6 F <nil> HEN 2025-02-03 SNATED (119) | Violences sexuelles | Signalement au procureur | true | true",
		"<nil>/<nil> <nil> 62193 CAL 2025-02-04 Éducation nationale | Négligences lourdes | <nil> | false | false",
		"2010/2 F 62041 ARR 2025-02-04 Éducation nationale | Négligences lourdes | Information au juge des enfants déjà saisi | true | false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rows := sink.Rows("crip_ips")
	if rows[1]["ip_id"] != rows[2]["ip_id"] || rows[0]["child_id"] != rows[1]["child_id"] || rows[0]["ip_id"] == rows[1]["ip_id"] {
		t.Error("the IP and child pseudonyms do not follow the numbers")
	}
	if rows[0]["ip_id"] == e.Pseudonym("IP-1") {
		t.Error("the IP number is pseudonymised in the children's domain")
	}
}

func TestMalformed(t *testing.T) {
	origins := strings.Join(extract.IPOrigins, ", ")
	tests := []struct {
		file string
		want string
	}{
		{"unknown_origin_20251231.csv", `unknown_origin_20251231.csv: line 2, column "Origine": value "Voisin": expected one of: ` + origins},
		{"unknown_danger_20251231.csv", `unknown_danger_20251231.csv: line 2, column "Danger principal": value "Harcèlement": expected one of: ` + strings.Join(extract.IPDangers, ", ")},
		{"unknown_outcome_20251231.csv", `unknown_outcome_20251231.csv: line 2, column "Suite donnée": value "Orientation": expected one of: ` + strings.Join(extract.IPOutcomes, ", ") + ", or nothing"},
		{"evaluated_before_received_20251231.csv", `evaluated_before_received_20251231.csv: line 2, column "Date de fin d'évaluation": value "10/01/2025": expected a date on or after the Date de réception (03/02/2025), or nothing`},
		{"outcome_without_end_20251231.csv", `outcome_without_end_20251231.csv: line 2, column "Date de fin d'évaluation": value "": expected the date the evaluation ended, since its suite is given (Classement sans suite)`},
		{"end_without_outcome_20251231.csv", `end_without_outcome_20251231.csv: line 2, column "Suite donnée": value "": expected the suite given to an evaluation that ended on 10/03/2025 (one of: ` + strings.Join(extract.IPOutcomes, ", ") + ")"},
		{"prosecutor_without_date_20251231.csv", `prosecutor_without_date_20251231.csv: line 2, column "Date de transmission au parquet": value "": expected the date of transmission to the prosecutor, required when the suite is Signalement au procureur`},
		{"bad_birth_date_20251231.csv", `bad_birth_date_20251231.csv: line 2, column "Date de naissance": value "(identifier not shown)": expected a birth date dd/mm/yyyy, or nothing for an unborn child`},
		{"no_reception_20251231.csv", `no_reception_20251231.csv: line 2, column "Date de réception": value "": expected a date dd/mm/yyyy`},
		{"no_ip_20251231.csv", `no_ip_20251231.csv: line 2, column "N° IP": value "": expected an IP number`},
		{"unknown_territory_20251231.csv", `unknown_territory_20251231.csv: line 2, column "Territoire": value "Lille": expected an MDS territory code or name of the mapping (ARR, ART, AUD, BOU, CAL, LEN, HEN, MON, TER)`},
		{"duplicate_20251231.csv", `duplicate_20251231.csv: line 3, column "N° IP": value "(identifier not shown)": expected an IP number and N° individu unique in the file (the same as on line 2)`},
		{"missing_column_20251231.csv", `missing_column_20251231.csv: missing column "Commune de résidence"; headers found: "N° IP", "N° individu", "Date de naissance", "Sexe", "Territoire", "Date de réception", "Origine"`},
	}
	job := newJob(t)
	e := env(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := extracttest.Load(t, job, filepath.Join("testdata", tt.file), e)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}

func TestNoKey(t *testing.T) {
	e := env(t)
	e.Pseudonym = nil
	_, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants_20251231.csv"), e)
	if !errors.Is(err, ErrNoKey) || errors.Is(err, extract.ErrRejected) {
		t.Fatalf("err = %v", err)
	}
}

// FuzzLoad: whatever the bytes, the job returns rows or an error, never
// panics, and an error about the content is a rejection.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"variants_20251231.csv", "duplicate_20251231.csv", "end_without_outcome_20251231.csv", "missing_column_20251231.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	job := newJob(f)
	e := env(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "crip_ip_20250101.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sink, _, err := extracttest.Load(t, job, path, e)
		if err != nil {
			if !errors.Is(err, extract.ErrRejected) && !strings.Contains(err.Error(), "crip_ip_20250101.csv") {
				t.Fatalf("error neither a rejection nor naming the file: %v", err)
			}
			return
		}
		for _, r := range sink.Rows("crip_ips") {
			if r["evaluated"] != nil && r["evaluated"].(time.Time).Before(r["received"].(time.Time)) {
				t.Fatalf("evaluated before received: %v", r)
			}
		}
	})
}

// TestNamedByDate: files rank by the date or year in their name, never by
// their modification time, and a name that carries none is rejected.
func TestNamedByDate(t *testing.T) {
	namer, ok := newJob(t).(extract.Namer)
	if !ok {
		t.Fatal("the job does not rank its files by name (extract.Namer)")
	}
	earlier, err1 := namer.NameKey("crip_ip_20250630.csv")
	later, err2 := namer.NameKey("crip_ip_20251231.csv")
	if err1 != nil || err2 != nil || earlier >= later {
		t.Errorf("keys %q, %q (%v, %v): want the first before the second", earlier, later, err1, err2)
	}
	if _, err := namer.NameKey("crip_ip.csv"); !errors.Is(err, extract.ErrRejected) {
		t.Errorf("a name without a date: err = %v, want a rejection", err)
	}
}
