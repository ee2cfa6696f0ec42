package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// build makes a table over dims whose non-total values are values[d], from
// the interior counts in row-major order; it adds every margin.
func build(tb testing.TB, dims []string, values [][]string, interior []float64) *Table {
	tb.Helper()
	full := make([][]string, len(values))
	for d, vs := range values {
		full[d] = append([]string{export.Total}, vs...)
	}
	inner := keys(values)
	if len(inner) != len(interior) {
		tb.Fatalf("build: %d interior values for %d cells", len(interior), len(inner))
	}
	var cells []Cell
	for _, key := range keys(full) {
		sum := 0.0
		for j, k := range inner {
			if matches(key, k) {
				sum += interior[j]
			}
		}
		cells = append(cells, Cell{Key: key, Value: sum})
	}
	t, err := New(dims, cells)
	if err != nil {
		tb.Fatalf("build: %v", err)
	}
	return t
}

// keys lists the combinations of values in row-major order.
func keys(values [][]string) [][]string {
	out := [][]string{nil}
	for _, vs := range values {
		var next [][]string
		for _, k := range out {
			for _, v := range vs {
				next = append(next, append(append([]string(nil), k...), v))
			}
		}
		out = next
	}
	return out
}

func matches(key, interior []string) bool {
	for d, v := range key {
		if v != export.Total && v != interior[d] {
			return false
		}
	}
	return true
}

// randomTable draws a table of the given shape with many small counts.
func randomTable(tb testing.TB, seed uint64, shape ...int) *Table {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 0x0d9e))
	dims := make([]string, len(shape))
	values := make([][]string, len(shape))
	n := 1
	for d, size := range shape {
		dims[d] = fmt.Sprintf("d%d", d)
		for v := range size {
			values[d] = append(values[d], fmt.Sprintf("v%d", v))
		}
		n *= size
	}
	interior := make([]float64, n)
	for i := range interior {
		switch p := r.Float64(); {
		case p < 0.25:
			interior[i] = 0
		case p < 0.6:
			interior[i] = float64(1 + r.IntN(4))
		default:
			interior[i] = float64(5 + r.IntN(60))
		}
	}
	return build(tb, dims, values, interior)
}

// statuses lists the key and status of every suppressed cell.
func statuses(t *Table) map[string]string {
	out := map[string]string{}
	for i, c := range t.Cells {
		if c.Status != export.Free {
			out[t.Key(i)] = c.Status.String()
		}
	}
	return out
}
