package population

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

func env() *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories()}
}

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"population"}) || k.Retention != extract.Accumulate || k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("measure: POP_MOY")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

func TestSample(t *testing.T) {
	sink, n, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "DS_ESTIMATION_POPULATION_DEP-62.csv"), env())
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("population")
	if n != 840 || len(rows) != 840 {
		t.Fatalf("read %d, appended %d; want 840 (20 years × 2 sexes × 21 bands)", n, len(rows))
	}
	want := extracttest.Row{"dep": "62", "geo_level": "DEP", "geo": "62", "year": 2006, "sex": "F",
		"age_band": "Y0T4", "age_min": 0, "age_max": 4, "population": 48450.0}
	if !reflect.DeepEqual(rows[0], want) {
		t.Fatalf("row 1 = %v\nwant    %v", rows[0], want)
	}
}

func TestVariants(t *testing.T) {
	sink, n, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants.csv"), env())
	if err != nil {
		t.Fatal(err)
	}
	want := []extracttest.Row{
		{"dep": "62", "geo_level": "DEP", "geo": "62", "year": 2024, "sex": "M", "age_band": "Y_GE100", "age_min": 100, "age_max": nil, "population": 123.5},
		{"dep": "62", "geo_level": "TERR", "geo": "HEN", "year": 2021, "sex": "F", "age_band": "Y_LT20", "age_min": 0, "age_max": 19, "population": 30000.0},
		{"dep": "62", "geo_level": "TERR", "geo": "HEN", "year": 2021, "sex": "_T", "age_band": "_T", "age_min": nil, "age_max": nil, "population": 125000.0},
		{"dep": "2A", "geo_level": "DEP", "geo": "2A", "year": 2021, "sex": "_T", "age_band": "Y15", "age_min": 15, "age_max": 15, "population": 3000.0},
	}
	if got := sink.Rows("population"); n != 5 || !reflect.DeepEqual(got, want) {
		t.Fatalf("read %d rows; appended:\n%v\nwant:\n%v", n, got, want)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"bad_geo.csv", `bad_geo.csv: line 2, column "GEO": value "REG-32": expected a département (DEP-62, 2024-DEP-62) or an MDS territory of the mapping`},
		{"bad_sex.csv", `bad_sex.csv: line 2, column "SEX": value "X": expected F, M or _T`},
		{"bad_age.csv", `bad_age.csv: line 2, column "AGE": value "Y0-4": expected an age band Y0T4, Y_GE100, Y_LT20, Y15 or _T`},
		{"bad_period.csv", `bad_period.csv: line 2, column "TIME_PERIOD": value "2006-01": expected a year (1900 to 2100)`},
		{"no_value.csv", `no_value.csv: line 2, column "OBS_VALUE": value "": expected a population (number ≥ 0)`},
		{"duplicate.csv", `duplicate.csv: line 4, column "OBS_VALUE": value "48451": expected one value per place, year, sex and age (62 2006 F Y0T4 is already on line 2)`},
		{"missing_column.csv", `missing_column.csv: missing column "TIME_PERIOD"; headers found: "GEO", "SEX", "AGE", "OBS_VALUE"`},
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
