package disclosure

import (
	"fmt"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// TestProtectProperties protects many random tables with many small
// counts and checks them with both checkers.
func TestProtectProperties(t *testing.T) {
	const threshold = 5
	shapes := []struct {
		shape []int
		seeds uint64
	}{
		{[]int{8}, 40},
		{[]int{5, 3}, 40},
		{[]int{12, 6}, 10},
		{[]int{9, 2, 5}, 10},
		{[]int{4, 3, 2, 2}, 6},
	}
	for _, s := range shapes {
		if testing.Short() {
			s.seeds = min(s.seeds, 3)
		}
		for seed := range s.seeds {
			t.Run(fmt.Sprintf("%v/seed%d", s.shape, seed), func(t *testing.T) {
				tab := randomTable(t, seed, s.shape...)
				if err := Protect(tab, threshold); err != nil {
					t.Fatalf("Protect: %v", err)
				}
				checkProtected(t, tab, threshold)
			})
		}
	}
}

// TestProtectCoversCellsHiddenBefore hides a few ordinary cells of random
// tables before Protect, as the export does with the same children hidden
// in another table: they must not be recoverable either, even through
// non-negativity (which Determined ignores and Audit does not).
func TestProtectCoversCellsHiddenBefore(t *testing.T) {
	const threshold = 5
	seeds := uint64(12)
	if testing.Short() {
		seeds = 3
	}
	for seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			tab := randomTable(t, seed, 6, 3, 4)
			hidden := 0
			for i := range tab.Cells {
				if c := &tab.Cells[i]; c.Value >= threshold && i%7 == int(seed%7) {
					c.Status, hidden = export.Secondary, hidden+1
				}
			}
			if hidden == 0 {
				t.Skip("no cell to hide")
			}
			if err := Protect(tab, threshold); err != nil {
				t.Fatalf("Protect: %v", err)
			}
			checkProtected(t, tab, threshold)
		})
	}
}

func checkProtected(t *testing.T, tab *Table, threshold int) {
	t.Helper()
	for i, c := range tab.Cells {
		if c.Status == export.Free && c.Value > 0 && c.Value < float64(threshold) {
			t.Errorf("small cell published: %s = %g", tab.Key(i), c.Value)
		}
		if c.Status == export.Secondary && c.Value > 0 && c.Value < float64(threshold) {
			t.Errorf("small cell marked secondary: %s = %g", tab.Key(i), c.Value)
		}
	}
	if det := Determined(tab); len(det) > 0 {
		t.Errorf("Determined = %v", det)
	}
	exp, err := Audit(tab)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for _, e := range exp {
		t.Errorf("exposed: %v", e)
	}
}

// TestDeterminedAgreesWithAudit compares the two checkers on
// under-protected tables: a cell that is linearly determined must be
// exact for the linear programs too.
func TestDeterminedAgreesWithAudit(t *testing.T) {
	for seed := range uint64(30) {
		tab := randomTable(t, seed, 6, 4)
		markPrimary(tab, 5)
		ivs, err := Intervals(tab)
		if err != nil {
			t.Fatalf("seed %d: Intervals: %v", seed, err)
		}
		for _, i := range Determined(tab) {
			if w := ivs[i].Width(); w > 1e-6 {
				t.Errorf("seed %d: %s is determined but its interval is %g wide", seed, tab.Key(i), w)
			}
		}
	}
}

// FuzzProtect protects tables of up to 3 dimensions of up to 4 values
// whose counts come from the fuzzer, and checks them.
func FuzzProtect(f *testing.F) {
	f.Add([]byte{2, 3, 2, 1, 0, 4, 9, 2, 1})
	f.Add([]byte{3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{1, 4, 0, 3, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		k := 1 + int(data[0])%3
		if len(data) < 1+k {
			return
		}
		dims := make([]string, k)
		values := make([][]string, k)
		n := 1
		for d := range k {
			dims[d] = fmt.Sprintf("d%d", d)
			for v := range 1 + int(data[1+d])%4 {
				values[d] = append(values[d], fmt.Sprintf("v%d", v))
			}
			n *= len(values[d])
		}
		rest := data[1+k:]
		interior := make([]float64, n)
		for i := range interior {
			if i < len(rest) {
				interior[i] = float64(rest[i] % 12)
			}
		}
		tab := build(t, dims, values, interior)
		if err := Protect(tab, 5); err != nil {
			t.Fatalf("Protect: %v", err)
		}
		checkProtected(t, tab, 5)
	})
}
