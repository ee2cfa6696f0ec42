package fostercarers

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

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

func env(t testing.TB) *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories(), Pseudonym: extracttest.Pseudonym(t)}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"foster_carers"}) || k.Retention != extract.Supersede || !k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("x: 1")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// TestSample loads the HR sample: the employee number becomes a pseudonym
// of its own domain, only the birth year is kept, no name is read.
func TestSample(t *testing.T) {
	e := env(t)
	sink, n, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "assistants_familiaux_20251231.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("foster_carers")
	if n != 90 || len(rows) != 90 {
		t.Fatalf("read %d, appended %d; want 90", n, len(rows))
	}
	// AF20001;Caron;Léa;23/02/1961;62588;MON;27/09/2018;3;29/07/2019;15/06/2024;Retraite
	want := extracttest.Row{
		"dep": "62", "snapshot_date": day(2025, 12, 31), "carer_id": e.Pseudonym("matricule:AF20001"),
		"birth_year": 1961, "commune": "62588", "territory": "MON", "approval_date": day(2018, 9, 27),
		"places": 3, "hire_date": day(2019, 7, 29), "end_date": day(2024, 6, 15), "end_reason": "Retraite",
	}
	if !reflect.DeepEqual(rows[1], want) {
		t.Fatalf("row 2 = %v\nwant    %v", rows[1], want)
	}
	for i, r := range rows {
		for col, v := range r {
			if s := fmt.Sprint(v); strings.Contains(s, "AF2") || s == e.Pseudonym(fmt.Sprintf("AF%d", 20000+i)) {
				t.Errorf("row %d, column %s: %q holds the employee number or its pseudonym in the children's domain", i+1, col, s)
			}
		}
	}
}

func TestVariants(t *testing.T) {
	e := env(t)
	sink, _, err := extracttest.Load(t, newJob(t), filepath.Join("testdata", "variants_20251231.csv"), e)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sink.Rows("foster_carers") {
		got = append(got, fmt.Sprintf("%v %v %v %v %v %v", r["birth_year"], r["commune"], r["territory"], r["places"], r["end_date"] != nil, r["end_reason"]))
	}
	want := []string{"1961 62588 MON 3 true Retraite", "1984 <nil> LEN 1 false <nil>"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// No date in the file's name: the snapshot is dated by the file itself.
	if d := sink.Rows("foster_carers")[0]["snapshot_date"].(time.Time); d.Hour() != 0 || d.Year() < 2020 {
		t.Errorf("snapshot date %v", d)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"too_many_places_20251231.csv", `too_many_places_20251231.csv: line 2, column "Places agréées": value "7": expected a number of places from 1 to 6`},
		{"no_places_20251231.csv", `no_places_20251231.csv: line 2, column "Places agréées": value "": expected a number of places from 1 to 6`},
		{"end_before_hire_20251231.csv", `end_before_hire_20251231.csv: line 2, column "Date de fin de contrat": value "15/06/2019": expected a date on or after the Date d'embauche (29/07/2019), or nothing while the contract runs`},
		{"unknown_reason_20251231.csv", `unknown_reason_20251231.csv: line 2, column "Motif de fin": value "Mutation": expected one of: Retraite, Démission, Licenciement, Décès, Autre, or nothing`},
		{"reason_without_end_20251231.csv", `reason_without_end_20251231.csv: line 2, column "Motif de fin": value "Retraite": expected nothing while the contract runs (no Date de fin de contrat)`},
		{"bad_birth_date_20251231.csv", `bad_birth_date_20251231.csv: line 2, column "Date de naissance": value "(identifier not shown)": expected a birth date dd/mm/yyyy`},
		{"no_matricule_20251231.csv", `no_matricule_20251231.csv: line 2, column "Matricule": value "": expected an employee number`},
		{"duplicate_20251231.csv", `duplicate_20251231.csv: line 3, column "Matricule": value "(identifier not shown)": expected an employee number unique in the file (the same as on line 2)`},
		{"missing_column_20251231.csv", `missing_column_20251231.csv: missing column "Commune de résidence"; headers found: "Matricule", "Date de naissance", "Territoire"`},
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

// TestNamedByDate: files rank by the date or year in their name, never by
// their modification time, and a name that carries none is rejected.
func TestNamedByDate(t *testing.T) {
	namer, ok := newJob(t).(extract.Namer)
	if !ok {
		t.Fatal("the job does not rank its files by name (extract.Namer)")
	}
	earlier, err1 := namer.NameKey("assistants_familiaux_20250630.csv")
	later, err2 := namer.NameKey("assistants_familiaux_20251231.csv")
	if err1 != nil || err2 != nil || earlier >= later {
		t.Errorf("keys %q, %q (%v, %v): want the first before the second", earlier, later, err1, err2)
	}
	if _, err := namer.NameKey("assistants_familiaux.csv"); !errors.Is(err, extract.ErrRejected) {
		t.Errorf("a name without a date: err = %v, want a rejection", err)
	}
}
