package establishments

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
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

func env() *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories()}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"establishments"}) || k.Retention != extract.Accumulate || k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
}

func TestSample(t *testing.T) {
	sink, n, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "etablissements_2025.csv"), env())
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("establishments")
	if n != 15 || len(rows) != 15 {
		t.Fatalf("read %d, appended %d; want 15", n, len(rows))
	}
	want := extracttest.Row{
		"dep": "62", "list_year": 2025, "finess": "620010037", "name": "Maison d'enfants Saint-Exupéry",
		"category": "MECS", "commune": "62193", "territory": "CAL", "places": 42,
		"opened": day(2008, 7, 31), "closed": nil,
	}
	if !reflect.DeepEqual(rows[1], want) {
		t.Fatalf("row 2 = %v\nwant    %v", rows[1], want)
	}
	if rows[7]["closed"] != day(2024, 6, 30) {
		t.Errorf("row 8 = %v", rows[7])
	}
}

// TestVariants: a CSV with spaced FINESS numbers and places, a Corsican
// FINESS, an empty territory taken from the commune, no Raison sociale;
// and the same list as a workbook.
func TestVariants(t *testing.T) {
	csv := filepath.Join("testdata", "etablissements_2024.csv")
	xlsx := filepath.Join(t.TempDir(), "etablissements_2024.xlsx")
	wb := excelize.NewFile()
	for i, row := range [][]any{
		{"Territoire", "Commune", "N° FINESS", "Catégorie", "Places habilitées ASE", "Date d'ouverture", "Date de fermeture"},
		{"Calaisis", "62193", "620010037", "MECS", 1042, "31/07/2008", nil},
		{nil, "62498", "2A0010222", "Lieu de vie et d'accueil", 7, "17/11/2010", "30/06/2024"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{csv, xlsx} {
		sink, _, err := extracttest.Load(t, newJob(t), path, env())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range sink.Rows("establishments") {
			got = append(got, fmt.Sprintf("%v %v %v %v %v %v %v %v", r["list_year"], r["finess"], r["name"], r["category"], r["territory"], r["places"], r["opened"].(time.Time).Format(time.DateOnly), r["closed"] != nil))
		}
		want := []string{"2024 620010037 <nil> MECS CAL 1042 2008-07-31 false", "2024 2A0010222 <nil> Lieu de vie et d'accueil LEN 7 2010-11-17 true"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n%s\nwant:\n%s", path, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"bad_finess_2024.csv", `bad_finess_2024.csv: line 2, column "N° FINESS": value "62001003": expected a FINESS number of 9 characters (620010000; 2A or 2B first in Corsica)`},
		{"unknown_category_2024.csv", `unknown_category_2024.csv: line 2, column "Catégorie": value "Internat scolaire": expected one of: ` + strings.Join(extract.EstablishmentCategories, ", ")},
		{"negative_places_2024.csv", `negative_places_2024.csv: line 2, column "Places habilitées ASE": value "-4": expected a count (whole number ≥ 0)`},
		{"closed_before_opened_2024.csv", `closed_before_opened_2024.csv: line 2, column "Date de fermeture": value "01/01/2001": expected a date on or after the Date d'ouverture (31/07/2008), or nothing while it is open`},
		{"no_opening_2024.csv", `no_opening_2024.csv: line 2, column "Date d'ouverture": value "": expected a date dd/mm/yyyy`},
		{"duplicate_2024.csv", `duplicate_2024.csv: line 3, column "N° FINESS": value "620010037": expected a FINESS number unique in the file (the same as on line 2)`},
		{"missing_column_2024.csv", `missing_column_2024.csv: missing column "Places habilitées ASE"; headers found: "N° FINESS", "Catégorie", "Commune", "Territoire"`},
	}
	job := newJob(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := extracttest.Load(t, job, filepath.Join("testdata", tt.file), env())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}

// TestNamedByDate: files rank by the date or year in their name, never by
// their modification time, and a name that carries none is rejected.
func TestNamedByDate(t *testing.T) {
	namer, ok := newJob(t).(extract.Namer)
	if !ok {
		t.Fatal("the job does not rank its files by name (extract.Namer)")
	}
	earlier, err1 := namer.NameKey("etablissements_2024.csv")
	later, err2 := namer.NameKey("etablissements_2025.csv")
	if err1 != nil || err2 != nil || earlier >= later {
		t.Errorf("keys %q, %q (%v, %v): want the first before the second", earlier, later, err1, err2)
	}
	if _, err := namer.NameKey("etablissements.csv"); !errors.Is(err, extract.ErrRejected) {
		t.Errorf("a name without a date: err = %v, want a rejection", err)
	}
}
