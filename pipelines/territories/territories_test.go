package territories

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
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

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"territories"}) || k.Retention != extract.Supersede || k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	_, err := k.New(extracttest.Options("separator: ','"))
	if err == nil {
		t.Fatal("unknown option accepted")
	}
}

func TestLoadSample(t *testing.T) {
	path := extracttest.Sample(t, "territoires_62.csv")
	sink, n, err := extracttest.Load(t, newJob(t), path, &extract.Env{Departement: "62"})
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("territories")
	if n != 20 || len(rows) != 20 {
		t.Fatalf("read %d, appended %d; want 20", n, len(rows))
	}
	want := extracttest.Row{"dep": "62", "commune": "62119", "commune_label": "Béthune", "territory": "ART", "territory_label": "Artois"}
	if !reflect.DeepEqual(rows[2], want) {
		t.Fatalf("row 3 = %v, want %v", rows[2], want)
	}
}

func TestRead(t *testing.T) {
	got, err := Read(extracttest.Sample(t, "territoires_62.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := extracttest.Territories()
	if !reflect.DeepEqual(got.List(), want.List()) {
		t.Fatalf("territories = %v\nwant %v", got.List(), want.List())
	}
	for _, tc := range []struct{ in, code string }{{"hénin-carvin", "HEN"}, {"LEN", "LEN"}, {"Lens-Lievin", "LEN"}} {
		if code, ok := got.Resolve(tc.in); !ok || code != tc.code {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.in, code, ok, tc.code)
		}
	}
	if code, ok := got.OfCommune("62250"); !ok || code != "HEN" {
		t.Errorf("OfCommune(62250) = %q, %v", code, ok)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"missing_column.csv", `missing_column.csv: missing column "libelle_territoire"; headers found: "code_commune", "libelle_commune", "code_territoire"`},
		{"bad_commune.csv", `bad_commune.csv: line 3, column "code_commune": value "6204": expected an INSEE commune code of 5 characters (62193, 2A004)`},
		{"duplicate_commune.csv", `duplicate_commune.csv: line 4, column "code_commune": value "62041": expected each commune once (already on line 2)`},
		{"no_territory.csv", `no_territory.csv: line 2, column "code_territoire": value "": expected a territory code`},
		{"two_labels.csv", `two_labels.csv: line 3, column "libelle_territoire": value "Arras": expected the same label for every line of territory ARR ("Arrageois")`},
		{"empty.csv", `empty.csv: no commune in the mapping`},
	}
	job := newJob(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			_, _, err := extracttest.Load(t, job, path, &extract.Env{Departement: "62"})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Load: %v\nwant   %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
			if _, err := Read(path); err == nil || err.Error() != tt.want {
				t.Errorf("Read: %v", err)
			}
		})
	}
}
