package traject

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
)

// sampleMap covers the labels of the sample planning.
const sampleMap = `
activity_map:
  Travail de rue: Présence sociale
  Atelier collectif: Actions collectives
  Accompagnement individuel: Actions individuelles
  Réunion partenariale: Actions partenariales
  Réunion d'équipe: Ressources humaines
  Administratif: ressources humaines
  Formation continue: FORMATION
`

func newJob(t *testing.T, opts string) extract.Job {
	t.Helper()
	k, ok := extract.Lookup(Kind)
	if !ok {
		t.Fatalf("kind %q not registered", Kind)
	}
	job, err := k.New(extracttest.Options(opts))
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"activity_hours"}) || k.Retention != extract.Accumulate || k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		opts string
		want string
	}{
		{"", "traject: option activity_map is required: map each activity label of the software to one of: Présence sociale, Actions collectives, Actions individuelles, Actions partenariales, Ressources humaines, Formation"},
		{"activity_map: {Travail de rue: Prévention}", `traject: activity_map: "Travail de rue" maps to "Prévention": expected one of: Présence sociale, Actions collectives, Actions individuelles, Actions partenariales, Ressources humaines, Formation`},
		{"activity_map: {Atelier: Formation, ATELIER: Présence sociale}", `traject: activity_map: "Atelier" is mapped twice, to "Présence sociale" and "Formation"`},
		{"activity_map: {Atelier: Formation}\nactivity_maps: {}", "traject: options: yaml: unmarshal errors:\n  line 2: field activity_maps not found in type traject.Options"},
	}
	k, _ := extract.Lookup(Kind)
	for _, tt := range tests {
		_, err := k.New(extracttest.Options(tt.opts))
		if err == nil || err.Error() != tt.want {
			t.Errorf("New(%q) = %v\nwant %s", tt.opts, err, tt.want)
		}
	}
}

// TestSample checks the exact hours per category of the sample planning.
func TestSample(t *testing.T) {
	sink, n, err := extracttest.Load(t, newJob(t, sampleMap), extracttest.Sample(t, "traject_planning_SPS-62-07_2022.csv"), &extract.Env{Departement: "62"})
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("activity_hours")
	if n != 400 || len(rows) != 400 {
		t.Fatalf("read %d, appended %d; want 400", n, len(rows))
	}
	got := map[string]float64{}
	for _, r := range rows {
		got[r["category"].(string)] += r["hours"].(float64)
	}
	want := map[string]float64{
		"Présence sociale":      187,
		"Actions collectives":   288.5,
		"Actions individuelles": 117,
		"Actions partenariales": 90,
		"Ressources humaines":   208.5, // Réunion d'équipe 138.5 + Administratif 70
		"Formation":             26,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hours = %v\nwant %v", got, want)
	}
	first := extracttest.Row{"dep": "62", "service_code": "SPS-62-07", "year": 2022, "category": "Actions individuelles",
		"hours": 2.0, "source": "traject", "activity_date": time.Date(2022, 1, 3, 0, 0, 0, 0, time.UTC),
		"activity_label": "Accompagnement individuel", "commune": "Courrières"}
	if !reflect.DeepEqual(rows[0], first) {
		t.Fatalf("row 1 = %v\nwant    %v", rows[0], first)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"unmapped.csv", `unmapped.csv: column "Activité": labels missing from the option activity_map: "" (1 row), "Permanence" (1 row), "Sortie culturelle" (2 rows); map each to one of: Présence sociale, Actions collectives, Actions individuelles, Actions partenariales, Ressources humaines, Formation`},
		{"bad_duration.csv", `bad_duration.csv: line 2, column "Durée": value "2h": expected a duration h:mm (minutes below 60) or decimal hours (e.g. 1,5)`},
		{"too_long.csv", `too_long.csv: line 2, column "Durée": value "25:00": expected a duration of at most 24 hours, h:mm or decimal`},
		{"bad_date.csv", `bad_date.csv: line 2, column "Date": value "2022-01-32": expected a date that exists (January 2022 has 31 days)`},
		{"no_service.csv", `no_service.csv: line 2, column "Code service": value "": expected a service code (SPS-62-07)`},
		{"missing_column.csv", `missing_column.csv: missing column "Durée"; headers found: "Date", "Code service", "Intervenant", "Activité"`},
	}
	job := newJob(t, sampleMap)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := extracttest.Load(t, job, filepath.Join("testdata", tt.file), &extract.Env{Departement: "62"})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}
