package adoption

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

func newJob(t *testing.T) extract.Job {
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

func env(t *testing.T) *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories(), Pseudonym: extracttest.Pseudonym(t)}
}

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"adoption_events"}) || k.Retention != extract.Accumulate || !k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("x: 1")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// TestSample loads the sample and checks that every child joins the ASE
// sample under the same pseudonym.
func TestSample(t *testing.T) {
	e := env(t)
	sink, n, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "adoption_evenements_2025.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("adoption_events")
	if n != 18 || len(rows) != 18 {
		t.Fatalf("read %d, appended %d; want 18", n, len(rows))
	}
	want := extracttest.Row{"dep": "62", "child_id": e.Pseudonym("D100000"),
		"event_date": time.Date(2024, 1, 26, 0, 0, 0, 0, time.UTC),
		"event":      "Requête art. 381-1 (délaissement parental)", "jurisdiction": "Tribunal judiciaire d'Arras"}
	if !reflect.DeepEqual(rows[0], want) {
		t.Fatalf("row 1 = %v\nwant    %v", rows[0], want)
	}
	if rows[16]["jurisdiction"] != nil || rows[16]["event"] != "PV de remise" {
		t.Errorf("row 17 = %v", rows[16])
	}

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
	for i, row := range rows {
		if !ase[row["child_id"].(string)] {
			t.Errorf("row %d: child %v is not in the ASE sample", i+1, row["child_id"])
		}
	}
}

func TestVariants(t *testing.T) {
	e := env(t)
	sink, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	want := []extracttest.Row{
		{"dep": "62", "child_id": e.Pseudonym("D1"), "event_date": time.Date(2024, 8, 4, 0, 0, 0, 0, time.UTC), "event": "Admission pupille", "jurisdiction": nil},
		{"dep": "62", "child_id": e.Pseudonym("D2"), "event_date": time.Date(2025, 9, 5, 0, 0, 0, 0, time.UTC), "event": "Requête art. 350 (déclaration judiciaire d'abandon)", "jurisdiction": nil},
	}
	if got := sink.Rows("adoption_events"); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v\nwant %v", got, want)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"unknown_event.csv", `unknown_event.csv: line 3, column "Événement": value "Adoption simple": expected one of: Requête art. 350 (déclaration judiciaire d'abandon), Requête art. 381-1 (délaissement parental), Requête art. 378-1 (retrait de l'autorité parentale), PV de remise, Admission pupille, Placement en vue d'adoption, Jugement d'adoption`},
		{"bad_date.csv", `bad_date.csv: line 2, column "Date": value "31/06/2024": expected a date that exists (June 2024 has 30 days)`},
		{"no_date.csv", `no_date.csv: line 2, column "Date": value "": expected a date dd/mm/yyyy`},
		{"no_child.csv", `no_child.csv: line 2, column "N° individu": value "": expected a file number`},
		{"missing_column.csv", `missing_column.csv: missing column "Événement"; headers found: "N° individu", "Date", "Juridiction"`},
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
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("err = %v", err)
	}
}
