package disclosure

import (
	"maps"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// The statuses of suppressed cells, as statuses lists them.
var (
	A = export.Primary.String()
	D = export.Secondary.String()
)

func TestProtect(t *testing.T) {
	oneDim := []string{"age"}
	abc := [][]string{{"a", "b", "c"}}
	twoDims := []string{"territoire", "sexe"}
	rc := [][]string{{"r1", "r2", "r3"}, {"c1", "c2", "c3"}}
	tests := []struct {
		name      string
		dims      []string
		values    [][]string
		interior  []float64
		threshold int
		want      map[string]string
	}{
		{
			name: "1-D single small cell gets the smallest complement",
			dims: oneDim, values: abc, interior: []float64{2, 7, 10}, threshold: 5,
			want: map[string]string{"age=a": A, "age=b": D},
		},
		{
			name: "1-D two small cells protect each other",
			dims: oneDim, values: abc, interior: []float64{1, 3, 10}, threshold: 5,
			want: map[string]string{"age=a": A, "age=b": A},
		},
		{
			name: "1-D zero is not a complement when a non-zero cell will do",
			dims: oneDim, values: abc, interior: []float64{1, 0, 9}, threshold: 5,
			want: map[string]string{"age=a": A, "age=c": D},
		},
		{
			name: "1-D a small total is primary too and protects its cell",
			dims: oneDim, values: [][]string{{"a", "b"}}, interior: []float64{1, 0}, threshold: 5,
			want: map[string]string{"age=a": A, "age=Ensemble": A},
		},
		{
			name: "1-D no small cell, zeros untouched",
			dims: oneDim, values: abc, interior: []float64{0, 5, 0}, threshold: 5,
			want: map[string]string{},
		},
		{
			name: "threshold 0 suppresses nothing",
			dims: oneDim, values: abc, interior: []float64{1, 5, 0}, threshold: 0,
			want: map[string]string{},
		},
		{
			name: "2-D two small cells in a row need complements down the columns",
			dims: twoDims, values: rc, interior: []float64{1, 2, 10, 8, 9, 12, 6, 20, 7}, threshold: 3,
			want: map[string]string{
				"territoire=r1, sexe=c1": A, "territoire=r1, sexe=c2": A,
				"territoire=r2, sexe=c1": D, "territoire=r2, sexe=c2": D,
			},
		},
		{
			name: "2-D single small cell gets the cheapest rectangle",
			dims: twoDims, values: rc, interior: []float64{30, 20, 10, 8, 2, 12, 6, 20, 7}, threshold: 3,
			want: map[string]string{
				"territoire=r2, sexe=c2": A, "territoire=r2, sexe=c1": D,
				"territoire=r3, sexe=c1": D, "territoire=r3, sexe=c2": D,
			},
		},
		{
			name: "2-D a zero corner rather than a margin",
			dims: twoDims, values: [][]string{{"r1", "r2"}, {"c1", "c2"}}, interior: []float64{1, 5, 5, 0}, threshold: 3,
			want: map[string]string{
				"territoire=r1, sexe=c1": A, "territoire=r1, sexe=c2": D,
				"territoire=r2, sexe=c1": D, "territoire=r2, sexe=c2": D,
			},
		},
		{
			name: "2-D no small cell, zeros untouched",
			dims: twoDims, values: rc, interior: []float64{0, 20, 10, 8, 0, 12, 6, 20, 0}, threshold: 3,
			want: map[string]string{},
		},
		{
			name: "2-D single column: the small row total is primary, complements are margins",
			dims: twoDims, values: [][]string{{"r1", "r2"}, {"c1"}}, interior: []float64{1, 9}, threshold: 3,
			want: map[string]string{
				"territoire=r1, sexe=c1": A, "territoire=r1, sexe=Ensemble": A,
				"territoire=r2, sexe=c1": D, "territoire=r2, sexe=Ensemble": D,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := build(t, tc.dims, tc.values, tc.interior)
			if err := Protect(tab, tc.threshold); err != nil {
				t.Fatalf("Protect: %v", err)
			}
			if got := statuses(tab); !maps.Equal(got, tc.want) {
				t.Errorf("suppressed cells = %v, want %v", got, tc.want)
			}
			exp, err := Audit(tab)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			for _, e := range exp {
				t.Errorf("exposed: %v", e)
			}
			if det := Determined(tab); len(det) > 0 {
				t.Errorf("Determined = %v, want none", det)
			}
		})
	}
}

// TestProtectKeepsStatuses checks that cells marked beforehand stay
// suppressed and are protected.
func TestProtectKeepsStatuses(t *testing.T) {
	tab := build(t, []string{"age"}, [][]string{{"a", "b", "c"}}, []float64{40, 7, 10})
	tab.Cells[1].Status = export.Primary // age=a, a rate whose numerator is one, say
	if err := Protect(tab, 5); err != nil {
		t.Fatalf("Protect: %v", err)
	}
	// a = 40 needs an interval 40 wide: hiding b (7) leaves a + b = 47,
	// so a can be anything in [0, 47].
	want := map[string]string{"age=a": A, "age=b": D}
	if got := statuses(tab); !maps.Equal(got, want) {
		t.Errorf("suppressed cells = %v, want %v", got, want)
	}
}

// TestBreakDetermined runs the safety net alone on a table with only
// primary suppression.
func TestBreakDetermined(t *testing.T) {
	for seed := range uint64(20) {
		tab := randomTable(t, seed, 5, 3)
		markPrimary(tab, 5)
		breakDetermined(tab)
		if det := Determined(tab); len(det) > 0 {
			t.Errorf("seed %d: Determined = %v after breakDetermined", seed, det)
		}
		exp, err := Audit(tab)
		if err != nil {
			t.Fatalf("seed %d: Audit: %v", seed, err)
		}
		for _, e := range exp {
			if e.Reason == Exact {
				t.Errorf("seed %d: exposed after breakDetermined: %v", seed, e)
			}
		}
	}
}

// TestProtectSparesTotals: complementary cells are taken from the lowest
// levels first. Children by sex × age at threshold 11, one of unknown sex
// and age: the cheapest cubes of the three cells of 1 take a margin by
// sex and zeros, not the grand total (683), which a cost counting every
// margin alike, then zeros, took.
func TestProtectSparesTotals(t *testing.T) {
	tb := build(t, []string{"sex", "age"},
		[][]string{{"F", "M", "NR"}, {"0-5", "6-10", "11-15", "16-17", "18-20", "unborn"}},
		[]float64{
			94, 87, 93, 34, 5, 0,
			95, 99, 116, 50, 9, 0,
			0, 0, 0, 0, 0, 1,
		})
	if err := Protect(tb, 11); err != nil {
		t.Fatal(err)
	}
	for i, c := range tb.Cells {
		if c.Key[0] == export.Total && c.Key[1] == export.Total && c.Status != export.Free {
			t.Errorf("the grand total %g is hidden (%v)", c.Value, c.Status)
		}
		if tb.isMargin(i) && c.Value >= 11 && c.Status != export.Free {
			t.Logf("margin %s = %g hidden", tb.Key(i), c.Value)
		}
	}
	exp, err := Audit(tb)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exp {
		t.Error(e)
	}
}

// TestProtectCombinesCubes: foster carers leaving, by territory × reason,
// the territories' cells published at threshold 5 and the département's
// at 11. No single cube protects the département's 9 retirements (its
// territories' cells are all tiny) but the one through the grand total;
// cubes through distinct territories and reasons, taken together, give it
// an interval 9 wide, and the grand total (35) stays published.
func TestProtectCombinesCubes(t *testing.T) {
	reasons := []string{"other", "death", "resignation", "dismissal", "retirement"}
	territories := []string{"ARR", "ART", "AUD", "BOU", "CAL", "HEN", "LEN", "MON", "TER"}
	tb := build(t, []string{"territory", "reason"}, [][]string{territories, reasons}, []float64{
		2, 0, 0, 1, 1,
		0, 0, 3, 1, 3,
		2, 0, 0, 0, 1,
		2, 0, 0, 0, 2,
		0, 0, 2, 1, 1,
		1, 0, 1, 0, 1,
		0, 1, 5, 1, 0,
		0, 0, 1, 1, 0,
		0, 0, 1, 0, 0,
	})
	for i := range tb.Cells {
		if c := &tb.Cells[i]; c.Key[0] == export.Total && Small(c.Value, 11) {
			c.Status = export.Primary // the département's cells, at 11
		}
	}
	if err := Protect(tb, 5); err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, c := range tb.Cells {
		if c.Status != export.Free {
			hidden++
		}
		if c.Key[0] == export.Total && c.Key[1] == export.Total && c.Status != export.Free {
			t.Errorf("the grand total %g is hidden", c.Value)
		}
	}
	exp, err := Audit(tb)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exp {
		t.Error(e)
	}
	t.Logf("%d of %d cells hidden", hidden, len(tb.Cells))
}
