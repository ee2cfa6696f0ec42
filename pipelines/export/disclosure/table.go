package disclosure

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/odpe/odpe/pipelines/export"
)

// Errors returned by New, to be matched with errors.Is.
var (
	ErrInvalid     = errors.New("disclosure: invalid table")
	ErrIncomplete  = errors.New("disclosure: incomplete table")
	ErrNotAdditive = errors.New("disclosure: table is not additive")
)

// additivityTol is how far a line's total may be from the sum of its cells.
const additivityTol = 1e-6

// Cell is one value of a table.
type Cell struct {
	Key    []string // one value per dimension, export.Total for a margin
	Value  float64  // a count: finite and non-negative
	Status export.Conf
}

// Table is a complete, additive hypercube of counts: every combination of
// the dimensions' values (each dimension including export.Total) has one
// cell, and along every line the Total cell is the sum of the others.
//
// Build it with New. Protect changes only the cells' Status; the keys and
// values must not be changed after New.
type Table struct {
	Dims  []string
	Cells []Cell

	values  [][]string // per dimension, export.Total first
	strides []int      // grid offset = Σ position × stride
	grid    []int      // grid offset → index in Cells
	coords  [][]int    // index in Cells → position of each key value
	lines   [][]int    // cell indices of each line, the total first
}

// New checks that cells form a complete and additive table over dims and
// indexes it. The table keeps cells (it does not copy the slice).
func New(dims []string, cells []Cell) (*Table, error) {
	t := &Table{Dims: dims, Cells: cells}
	if err := t.collectValues(); err != nil {
		return nil, err
	}
	if err := t.fillGrid(); err != nil {
		return nil, err
	}
	t.buildLines()
	if err := t.checkAdditive(); err != nil {
		return nil, err
	}
	return t, nil
}

// collectValues lists each dimension's values (Total first, then in order
// of first appearance) and checks every cell on its own.
func (t *Table) collectValues() error {
	if len(t.Dims) == 0 {
		return fmt.Errorf("%w: no dimension", ErrInvalid)
	}
	t.values = make([][]string, len(t.Dims))
	seen := make([]map[string]bool, len(t.Dims))
	for d := range t.Dims {
		t.values[d] = []string{export.Total}
		seen[d] = map[string]bool{export.Total: true}
	}
	hasTotal := make([]bool, len(t.Dims))
	for i, c := range t.Cells {
		if err := checkCell(t.Dims, c); err != nil {
			return fmt.Errorf("%w: cell %d (%s): %w", ErrInvalid, i, formatKey(t.Dims, c.Key), err)
		}
		for d, v := range c.Key {
			if v == export.Total {
				hasTotal[d] = true
			}
			if !seen[d][v] {
				seen[d][v] = true
				t.values[d] = append(t.values[d], v)
			}
		}
	}
	for d, name := range t.Dims {
		if !hasTotal[d] {
			return fmt.Errorf("%w: dimension %q has no %q value", ErrIncomplete, name, export.Total)
		}
		if len(t.values[d]) < 2 {
			return fmt.Errorf("%w: dimension %q has only %q, want at least one other value", ErrInvalid, name, export.Total)
		}
	}
	return nil
}

func checkCell(dims []string, c Cell) error {
	if len(c.Key) != len(dims) {
		return fmt.Errorf("key has %d values, want %d", len(c.Key), len(dims))
	}
	if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) || c.Value < 0 {
		return fmt.Errorf("value %g, want a finite non-negative count", c.Value)
	}
	switch c.Status {
	case export.Free, export.Primary, export.Secondary:
		return nil
	}
	return fmt.Errorf("status %v, want free, primary or secondary", c.Status)
}

// fillGrid places every cell in the hypercube and reports duplicates and
// missing combinations.
func (t *Table) fillGrid() error {
	pos := make([]map[string]int, len(t.Dims))
	for d, vals := range t.values {
		pos[d] = make(map[string]int, len(vals))
		for p, v := range vals {
			pos[d][v] = p
		}
	}
	t.strides = make([]int, len(t.Dims))
	size := 1
	for d := len(t.Dims) - 1; d >= 0; d-- {
		t.strides[d] = size
		size *= len(t.values[d])
	}
	t.grid = make([]int, size)
	for i := range t.grid {
		t.grid[i] = -1
	}
	t.coords = make([][]int, len(t.Cells))
	for i, c := range t.Cells {
		co := make([]int, len(t.Dims))
		off := 0
		for d, v := range c.Key {
			co[d] = pos[d][v]
			off += co[d] * t.strides[d]
		}
		if j := t.grid[off]; j >= 0 {
			return fmt.Errorf("%w: cells %d and %d have the same key (%s)", ErrInvalid, j, i, formatKey(t.Dims, c.Key))
		}
		t.grid[off] = i
		t.coords[i] = co
	}
	for off, i := range t.grid {
		if i < 0 {
			return fmt.Errorf("%w: no cell for %s (%d cells, want %d)",
				ErrIncomplete, formatKey(t.Dims, t.keyAt(off)), len(t.Cells), size)
		}
	}
	return nil
}

// keyAt returns the key of a grid offset.
func (t *Table) keyAt(off int) []string {
	key := make([]string, len(t.Dims))
	for d := range t.Dims {
		key[d] = t.values[d][off/t.strides[d]%len(t.values[d])]
	}
	return key
}

// buildLines lists, for every dimension d and every combination of the
// other dimensions, the cells that vary along d, the Total cell first.
func (t *Table) buildLines() {
	for d := range t.Dims {
		n := len(t.values[d])
		for off, i := range t.grid {
			if t.coords[i][d] != 0 {
				continue // visit each line once, from its total
			}
			line := make([]int, n)
			for p := range n {
				line[p] = t.grid[off+p*t.strides[d]]
			}
			t.lines = append(t.lines, line)
		}
	}
}

func (t *Table) checkAdditive() error {
	for _, line := range t.lines {
		sum := 0.0
		for _, i := range line[1:] {
			sum += t.Cells[i].Value
		}
		if total := t.Cells[line[0]].Value; math.Abs(total-sum) > additivityTol {
			return fmt.Errorf("%w: along %q at %s the total is %g but the cells sum to %g",
				ErrNotAdditive, t.lineDim(line), t.Key(line[0]), total, sum)
		}
	}
	return nil
}

// lineDim is the name of the dimension a line runs along.
func (t *Table) lineDim(line []int) string {
	a, b := t.coords[line[0]], t.coords[line[1]]
	for d := range a {
		if a[d] != b[d] {
			return t.Dims[d]
		}
	}
	return ""
}

// Key formats the key of cell i as "dim=value, dim=value".
func (t *Table) Key(i int) string { return formatKey(t.Dims, t.Cells[i].Key) }

// isMargin reports whether cell i is a total along some dimension.
func (t *Table) isMargin(i int) bool {
	for _, p := range t.coords[i] {
		if p == 0 {
			return true
		}
	}
	return false
}

// level is the number of dimensions along which cell i is the total
// (at most topLevel).
func (t *Table) level(i int) int {
	n := 0
	for _, p := range t.coords[i] {
		if p == 0 {
			n++
		}
	}
	return min(n, topLevel)
}

func (t *Table) suppressed(i int) bool { return t.Cells[i].Status != export.Free }

func (t *Table) checkBuilt() error {
	if t == nil || t.grid == nil {
		return fmt.Errorf("%w: table was not built with New", ErrInvalid)
	}
	return nil
}

func formatKey(dims, key []string) string {
	var b strings.Builder
	for d, v := range key {
		if d > 0 {
			b.WriteString(", ")
		}
		if d < len(dims) {
			b.WriteString(dims[d])
		}
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}
