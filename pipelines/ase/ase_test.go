package ase

import (
	"context"
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

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"ase_measures"}) || k.Retention != extract.Supersede || !k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("keep_names: true")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// identifying collects, from the sample itself, the values that must not
// reach the warehouse: names and numbers (anywhere), and each line's full
// birth date (a measure date may fall on another child's birthday).
func identifying(t *testing.T, path string) (names []string, births [][]string) {
	t.Helper()
	r, err := frcsv.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var cols []frcsv.Col
	for _, name := range []string{"Nom", "Prénom", "N° individu", "N° mesure", "Date de naissance"} {
		c, err := r.Column(name)
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	for r.Next() {
		for _, c := range cols[:4] {
			names = append(names, r.Get(c))
		}
		d, _, err := r.Date(cols[4])
		if err != nil {
			t.Fatal(err)
		}
		births = append(births, []string{r.Get(cols[4]), d.Format("2006-01-02")})
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return names, births
}

func TestSample(t *testing.T) {
	path := extracttest.Sample(t, "ase_mesures_20261121.csv")
	e := env(t)
	sink, n, err := extracttest.Load(t, newJob(t), path, e)
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("ase_measures")
	if n != 182 || len(rows) != 182 {
		t.Fatalf("read %d, appended %d; want 182", n, len(rows))
	}
	// Second line of the sample:
	// D100007;Dupont;Enzo;18/02/2011;F;62041;ARR;M0000002;Accueil provisoire;
	// Administratif;Assistant familial;14/03/2022;30/06/2024;Fin de mesure
	want := extracttest.Row{
		"dep": "62", "child_id": e.Pseudonym("D100007"), "birth_year": 2011, "birth_month": 2,
		"sex": "F", "commune": "62041", "territory": "ARR", "measure_id": e.Pseudonym("mesure:M0000002"),
		"nature": "Accueil provisoire", "cadre": "Administratif", "mode_accueil": "Assistant familial",
		"start_date": time.Date(2022, 3, 14, 0, 0, 0, 0, time.UTC), "end_date": time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC),
		"end_reason": "Fin de mesure", "measure_order": 1,
		// An older extract: no columns saying where the accueil takes place.
		"placement_commune": nil, "placement_finess": nil, "placement_columns": false,
	}
	if !reflect.DeepEqual(rows[1], want) {
		t.Fatalf("row 2 = %v\nwant    %v", rows[1], want)
	}
	if rows[0]["mode_accueil"] != nil || rows[0]["end_date"] != nil || rows[0]["end_reason"] != nil {
		t.Errorf("empty cells of row 1 are not NULL: %v", rows[0])
	}

	names, births := identifying(t, path)
	if len(names) != 4*182 || len(births) != 182 {
		t.Fatalf("collected %d names and numbers, %d birth dates", len(names), len(births))
	}
	for i, row := range rows {
		secrets := append(births[i], names...)
		for col, v := range row {
			s := fmt.Sprint(v)
			if tm, ok := v.(time.Time); ok {
				s = tm.Format("2006-01-02") + " " + tm.Format("02/01/2006")
			}
			for _, secret := range secrets {
				if secret != "" && strings.Contains(s, secret) {
					t.Fatalf("row %d, column %s: %q holds the identifying value %q", i+1, col, s, secret)
				}
			}
		}
	}
}

func TestVariants(t *testing.T) {
	e := env(t)
	sink, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sink.Rows("ase_measures") {
		got = append(got, fmt.Sprintf("%v %v-%v %v %v %v %v %v %v", r["child_id"] == e.Pseudonym("D"+fmt.Sprint(len(got)+1)),
			r["birth_year"], r["birth_month"], r["sex"], r["commune"], r["territory"], r["nature"], r["cadre"], r["mode_accueil"]))
	}
	want := []string{
		"true 2009-6 F <nil> HEN Accueil provisoire Administratif Lieu de vie et d'accueil",
		"true 2010-2 F 62193 CAL Pupille de l'État Administratif Assistant familial",
		"true 2010-2 M <nil> ARR AEMO Judiciaire <nil>",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlacementColumns: newer extracts say where each accueil takes place
// (commune and FINESS number, optional columns in any order); the FINESS
// number is empty for a foster family.
func TestPlacementColumns(t *testing.T) {
	e := env(t)
	sink, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "placement.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sink.Rows("ase_measures") {
		got = append(got, fmt.Sprintf("%v %v %v", r["placement_commune"], r["placement_finess"], r["placement_columns"]))
	}
	want := []string{"62193 620010037 true", "59350 <nil> true", "<nil> <nil> true", "<nil> 2A0000012 true"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"duplicate_measure.csv", `duplicate_measure.csv: line 4, column "N° mesure": value "(identifier not shown)": expected a measure number unique in the file (the same as on line 2)`},
		{"end_before_start.csv", `end_before_start.csv: line 2, column "Date de fin": value "28/05/2014": expected a date on or after the Date de début (02/01/2015), or nothing for an ongoing measure`},
		{"unknown_territory.csv", `unknown_territory.csv: line 2, column "Territoire": value "Lille": expected an MDS territory code or name of the mapping (ARR, ART, AUD, BOU, CAL, LEN, HEN, MON, TER)`},
		{"bad_birth_date.csv", `bad_birth_date.csv: line 2, column "Date de naissance": value "(identifier not shown)": expected a birth date dd/mm/yyyy`},
		{"bad_start_date.csv", `bad_start_date.csv: line 2, column "Date de début": value "2015-13-01": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"unknown_nature.csv", `unknown_nature.csv: line 2, column "Nature de la mesure": value "AED renforcée": expected one of: AED, AEMO, Accueil provisoire, Placement judiciaire, Accueil provisoire jeune majeur, Tutelle / délégation d'autorité parentale, Pupille de l'État, Accueil d'urgence 72h, Mise à l'abri MNA`},
		{"unknown_mode.csv", `unknown_mode.csv: line 2, column "Mode d'accueil": value "Hôtel": expected one of: Assistant familial, Établissement (MECS), Lieu de vie et d'accueil, Foyer de jeunes travailleurs, Logement autonome, Tiers digne de confiance, Centre maternel, Accueil de jour, or nothing`},
		{"unknown_cadre.csv", `unknown_cadre.csv: line 2, column "Cadre": value "Contractuel": expected one of: Administratif, Judiciaire`},
		{"bad_sex.csv", `bad_sex.csv: line 2, column "Sexe": value "X": expected M, F, Masculin, Féminin, 1 or 2`},
		{"bad_commune.csv", `bad_commune.csv: line 2, column "Commune de résidence": value "Carvin": expected an INSEE commune code of 5 characters (62193), or nothing`},
		{"bad_placement_commune.csv", `bad_placement_commune.csv: line 2, column "Commune du lieu d'accueil": value "Calais": expected an INSEE commune code of 5 characters (62193), or nothing`},
		{"bad_placement_finess.csv", `bad_placement_finess.csv: line 2, column "N° FINESS du lieu d'accueil": value "62001": expected a FINESS number of 9 characters (620010000), or nothing for a foster family`},
		{"no_child.csv", `no_child.csv: line 2, column "N° individu": value "": expected a file number`},
		{"missing_column.csv", `missing_column.csv: missing column "Commune de résidence"; headers found: "N° individu", "Date de naissance", "Sexe", "Territoire", "N° mesure"`},
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
	_, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants.csv"), e)
	if !errors.Is(err, ErrNoKey) || errors.Is(err, extract.ErrRejected) {
		t.Fatalf("err = %v", err)
	}
}

// discard is a Sink that keeps nothing, to time the job alone.
type discard struct{}

func (discard) Append(string, ...any) error { return nil }
func (discard) Stage(t string) string       { return t }
func (discard) Exec(context.Context, string, ...any) (int64, error) {
	return 0, nil
}

// BenchmarkLoad reads a generated extract of 200,000 measures.
func BenchmarkLoad(b *testing.B) {
	const rows = 200_000
	path := filepath.Join(b.TempDir(), "ase.csv")
	var sb strings.Builder
	sb.WriteString("N° individu;Nom;Prénom;Date de naissance;Sexe;Commune de résidence;Territoire;N° mesure;Nature de la mesure;Cadre;Mode d'accueil;Date de début;Date de fin;Motif de fin\r\n")
	for i := range rows {
		fmt.Fprintf(&sb, "D%07d;Martin;Léa;%02d/06/2009;F;62215;HEN;M%08d;Placement judiciaire;Judiciaire;Assistant familial;02/12/2017;16/01/2021;Fin de mesure\r\n", i/3, 1+i%28, i)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	job, e := newJob(b), env(b)
	f := extracttest.File(b, path)
	b.SetBytes(f.Size)
	b.ResetTimer()
	for b.Loop() {
		n, err := job.Load(context.Background(), f, e, discard{})
		if err != nil || n != rows {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestMeasureOrder: each measure's rank among its child's, by its number
// (digits compared as numbers), is kept; the numbers are not.
func TestMeasureOrder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"M9", "M10", -1}, {"M0000002", "M0000010", -1}, {"12", "012", 1}, {"A-2", "B-1", -1}, {"M10", "M10", 0},
	} {
		if got := naturalCompare(c.a, c.b); got != c.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	got := rankMeasures([]string{"x", "y", "x", "x"}, []string{"M10", "M1", "M9", "M100"})
	if !reflect.DeepEqual(got, []int{2, 1, 1, 3}) {
		t.Errorf("orders %v, want [2 1 1 3]", got)
	}
}

// TestNameDate: the extract's date is the one its name carries, as the
// job's template says; a name without one is rejected, and says so.
func TestNameDate(t *testing.T) {
	j, err := New(extracttest.Options("name_date: \"export_iodas_DD-MM-YYYY*.csv\""))
	if err != nil {
		t.Fatal(err)
	}
	namer := j.(extract.Namer)
	if k, err := namer.NameKey("export_iodas_30-06-2025 (copie).csv"); err != nil || k != "20250630.0000" {
		t.Errorf("key %q, %v", k, err)
	}
	if _, err := namer.NameKey("ase_mesures_20250630.csv"); err == nil || !errors.Is(err, extract.ErrRejected) ||
		!strings.Contains(err.Error(), "carries no date") {
		t.Errorf("a name the template does not match: %v", err)
	}
	def, _ := New(nil)
	if k, err := def.(extract.Namer).NameKey("ase_mesures_20250630.csv"); err != nil || k != "20250630.0000" {
		t.Errorf("default template: %q, %v", k, err)
	}
	if _, err := New(extracttest.Options("name_date: ase.csv")); err == nil {
		t.Error("a template without a date accepted")
	}
}
