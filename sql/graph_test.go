package sql

import (
	"slices"
	"strings"
	"testing"
)

func TestTransformStatements(t *testing.T) {
	stmts, err := TransformStatements()
	if err != nil {
		t.Fatal(err)
	}
	objs := Objects(stmts)
	for _, c := range []struct {
		name  string
		reads []string
	}{
		{"loaded_files", nil},
		{"core.pmi_monthly", []string{"loaded_files", "raw.pmi_monthly"}},
		{"core.pmi_completeness", []string{"core.pmi_monthly"}},
		{"core.ase_extract", []string{"raw.ase_measures"}}, // declared with "-- reads:"
		{"core.population_aged", []string{"core.population"}},
	} {
		s, ok := objs[c.name]
		if !ok {
			t.Errorf("no statement creates %s", c.name)
			continue
		}
		if !slices.Equal(s.Reads, c.reads) {
			t.Errorf("%s reads %v, want %v", c.name, s.Reads, c.reads)
		}
	}
	if !objs["loaded_files"].Temp || objs["core.population_aged"].Kind != "MACRO" {
		t.Errorf("kinds: %+v %+v", objs["loaded_files"], objs["core.population_aged"])
	}
}

func TestPlan(t *testing.T) {
	stmts, err := TransformStatements()
	if err != nil {
		t.Fatal(err)
	}
	names := func(ss []Statement) (out []string) {
		for _, s := range ss {
			out = append(out, s.Creates)
		}
		return out
	}
	all, dirty := Plan(stmts, nil)
	if len(all) != len(stmts) || !dirty["core.ase_situation"] {
		t.Fatalf("a full plan runs %d of %d statements", len(all), len(stmts))
	}

	run, dirty := Plan(stmts, []string{"raw.pmi_monthly"})
	got := strings.Join(names(run), " ")
	for _, want := range []string{"loaded_files", "core.pmi_monthly", "core.pmi_completeness", "core.population_aged"} {
		if !strings.Contains(got, want) {
			t.Errorf("a new PMI file does not rebuild %s: runs %s", want, got)
		}
	}
	for _, not := range []string{"core.ase_situation", "core.ase_measures", "core.population", "core.activity_hours"} {
		if slices.Contains(names(run), not) {
			t.Errorf("a new PMI file rebuilds %s", not)
		}
		if dirty[not] {
			t.Errorf("a new PMI file marks %s changed", not)
		}
	}
	if dirty["core.population_aged"] || dirty["loaded_files"] {
		t.Errorf("views and macros over unchanged tables are not changed: %v", dirty)
	}

	_, dirty = Plan(stmts, []string{"raw.population"})
	for _, want := range []string{"core.population", "core.population_aged"} {
		if !dirty[want] {
			t.Errorf("a new population file leaves %s unchanged", want)
		}
	}
	_, dirty = Plan(stmts, []string{"raw.ase_measures"})
	for _, want := range []string{"core.ase_extract", "core.ase_years", "core.ase_situation"} {
		if !dirty[want] {
			t.Errorf("a new ASE extract leaves %s unchanged", want)
		}
	}
}

func TestSplitStatementsErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"SELECT 1;\n", "x.sql:1: a transform statement must create"},
		{"CREATE TABLE core.a AS SELECT 1\n", "x.sql:1: statement without a final"},
		{"-- only a comment\n\nCREATE TABLE core.a AS\n SELECT 1", "x.sql:3: statement without a final"},
	} {
		_, err := splitStatements("x.sql", c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}
