package export

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

func TestRuns(t *testing.T) {
	rows := func(ids ...string) []Row {
		out := make([]Row, len(ids))
		for i, id := range ids {
			out[i].Indicator = id
		}
		return out
	}
	for _, tc := range []struct {
		rows []Row
		want string
	}{
		{nil, "[]"},
		{rows("a"), "[0-1]"},
		{rows("a", "a", "b", "a", "c", "c"), "[0-2 2-3 3-4 4-6]"},
	} {
		var got []string
		for start, end := range Runs(tc.rows, SameIndicator) {
			got = append(got, fmt.Sprintf("%d-%d", start, end))
		}
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("runs of %d rows = %s, want %s", len(tc.rows), s, tc.want)
		}
	}
	// The iteration stops when asked.
	for start := range Runs(rows("a", "b", "c"), SameIndicator) {
		if start > 0 {
			t.Fatalf("run at %d after a break", start)
		}
		break
	}
}

// TestFamilies indexes each family's rows in the dataset's order, whether
// its indicators' runs follow each other or not, and leaves out the rows
// of indicators the dataset does not declare.
func TestFamilies(t *testing.T) {
	ds := &Dataset{Indicators: []Indicator{
		{ID: "a1", Family: "ase"}, {ID: "p1", Family: "pmi"}, {ID: "a2", Family: "ase"},
	}}
	for _, id := range []string{"a1", "a1", "p1", "x", "a2", "p1", "a1"} {
		ds.Rows = append(ds.Rows, Row{Indicator: id})
	}
	fams, rows := Families(ds)
	if !slices.Equal(fams, []string{"ase", "pmi"}) {
		t.Errorf("families = %v, want [ase pmi]", fams)
	}
	want := map[string][]int{"ase": {0, 1, 4, 6}, "pmi": {2, 5}}
	if !maps.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}
