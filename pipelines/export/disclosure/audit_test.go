package disclosure

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

func TestIntervals(t *testing.T) {
	rc := [][]string{{"r1", "r2", "r3"}, {"c1", "c2", "c3"}}
	tests := []struct {
		name       string
		dims       []string
		values     [][]string
		interior   []float64
		suppressed []string
		want       map[string]Interval
	}{
		{
			name: "1-D pair", dims: []string{"age"}, values: [][]string{{"a", "b", "c"}},
			interior:   []float64{2, 7, 10},
			suppressed: []string{"age=a", "age=b"},
			want:       map[string]Interval{"age=a": {0, 9}, "age=b": {0, 9}},
		},
		{
			name: "1-D cell and total: unbounded", dims: []string{"age"}, values: [][]string{{"a", "b"}},
			interior:   []float64{2, 7},
			suppressed: []string{"age=a", "age=Ensemble"},
			want:       map[string]Interval{"age=a": {0, math.Inf(1)}, "age=Ensemble": {7, math.Inf(1)}},
		},
		{
			name: "2-D rectangle", dims: []string{"t", "s"}, values: rc,
			interior:   []float64{1, 2, 10, 8, 9, 12, 6, 20, 7},
			suppressed: []string{"t=r1, s=c1", "t=r1, s=c2", "t=r2, s=c1", "t=r2, s=c2"},
			want: map[string]Interval{
				"t=r1, s=c1": {0, 3}, "t=r1, s=c2": {0, 3},
				"t=r2, s=c1": {6, 9}, "t=r2, s=c2": {8, 11},
			},
		},
		{
			name: "2-D L shape is determined", dims: []string{"t", "s"}, values: rc,
			interior:   []float64{1, 2, 10, 8, 9, 12, 6, 20, 7},
			suppressed: []string{"t=r1, s=c1", "t=r1, s=c2", "t=r2, s=c1"},
			want: map[string]Interval{
				"t=r1, s=c1": {1, 1}, "t=r1, s=c2": {2, 2}, "t=r2, s=c1": {8, 8},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := build(t, tc.dims, tc.values, tc.interior)
			suppress(t, tab, tc.suppressed...)
			ivs, err := Intervals(tab)
			if err != nil {
				t.Fatalf("Intervals: %v", err)
			}
			got := map[string]Interval{}
			for i, iv := range ivs {
				got[tab.Key(i)] = Interval{round(iv.Lower), round(iv.Upper)}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("Intervals = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAuditDetectsUnderProtection checks that the checkers can fail: with
// primary suppression only, every isolated small cell is exact.
func TestAuditDetectsUnderProtection(t *testing.T) {
	tab := build(t, []string{"t", "s"}, [][]string{{"r1", "r2", "r3"}, {"c1", "c2", "c3"}},
		[]float64{1, 2, 10, 8, 9, 12, 6, 20, 3})
	markPrimary(tab, 3)
	exp, err := Audit(tab)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := []Exposure{
		{Key: "t=r1, s=c1", Status: export.Primary, Value: 1, Lower: 1, Upper: 1, Reason: Exact},
		{Key: "t=r1, s=c2", Status: export.Primary, Value: 2, Lower: 2, Upper: 2, Reason: Exact},
	}
	for i := range exp {
		exp[i].Cell = 0
		exp[i].Lower, exp[i].Upper = round(exp[i].Lower), round(exp[i].Upper)
	}
	if !slices.Equal(exp, want) {
		t.Errorf("Audit = %v, want %v", exp, want)
	}
	var det []string
	for _, i := range Determined(tab) {
		det = append(det, tab.Key(i))
	}
	if wantDet := []string{"t=r1, s=c1", "t=r1, s=c2"}; !slices.Equal(det, wantDet) {
		t.Errorf("Determined = %v, want %v", det, wantDet)
	}
}

// TestAuditNarrow checks the protection level. In the rectangle
//
//	3 1
//	1 1
//
// the cells move by ±d with d ∈ [−1, 1], so the primary 3 lies in [2, 4]:
// not exact, but narrower than 3.
func TestAuditNarrow(t *testing.T) {
	tab := build(t, []string{"t", "s"}, [][]string{{"r1", "r2"}, {"c1", "c2"}}, []float64{3, 1, 1, 1})
	suppress(t, tab, "t=r1, s=c1", "t=r1, s=c2", "t=r2, s=c1", "t=r2, s=c2")
	i := slices.IndexFunc(tab.Cells, func(c Cell) bool { return c.Value == 3 && c.Key[0] == "r1" && c.Key[1] == "c1" })
	tab.Cells[i].Status = export.Primary
	exp, err := Audit(tab)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for k := range exp {
		exp[k].Lower, exp[k].Upper = round(exp[k].Lower), round(exp[k].Upper)
	}
	want := []Exposure{{Cell: i, Key: "t=r1, s=c1", Status: export.Primary, Value: 3, Lower: 2, Upper: 4, Reason: Narrow}}
	if !slices.Equal(exp, want) {
		t.Errorf("Audit = %v, want %v", exp, want)
	}
}

func suppress(tb testing.TB, tab *Table, keys ...string) {
	tb.Helper()
	for _, k := range keys {
		i := slices.IndexFunc(tab.Cells, func(c Cell) bool { return formatKey(tab.Dims, c.Key) == k })
		if i < 0 {
			tb.Fatalf("no cell %s", k)
		}
		tab.Cells[i].Status = export.Secondary
	}
}

// round removes the simplex's rounding noise.
func round(v float64) float64 {
	if math.IsInf(v, 0) {
		return v
	}
	return math.Round(v*1e6) / 1e6
}
