package disclosure

import (
	"math"
	"slices"
)

// pivotTol is below which an entry of the eliminated matrix counts as zero.
// The equations have coefficients ±1, so entries stay small rationals.
const pivotTol = 1e-9

// component is a set of suppressed cells linked by lines, with the lines
// that hold them. Components are independent of each other: an equation
// never involves suppressed cells of two components.
type component struct {
	cells []int // cell indices, ascending
	lines []int // indices into Table.lines
}

// components splits the suppressed cells into components (union-find over
// the lines).
func (t *Table) components() []component {
	parent := make(map[int]int)
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i := range t.Cells {
		if t.suppressed(i) {
			parent[i] = i
		}
	}
	for _, line := range t.lines {
		first := -1
		for _, i := range line {
			if !t.suppressed(i) {
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			if a, b := find(first), find(i); a != b {
				parent[b] = a
			}
		}
	}
	byRoot := make(map[int]*component)
	var roots []int
	for i := range t.Cells {
		if !t.suppressed(i) {
			continue
		}
		r := find(i)
		c, ok := byRoot[r]
		if !ok {
			c = &component{}
			byRoot[r] = c
			roots = append(roots, r)
		}
		c.cells = append(c.cells, i)
	}
	for l, line := range t.lines {
		for _, i := range line {
			if t.suppressed(i) {
				c := byRoot[find(i)]
				c.lines = append(c.lines, l)
				break
			}
		}
	}
	out := make([]component, len(roots))
	for k, r := range roots {
		out[k] = *byRoot[r]
	}
	return out
}

// coefficient is the coefficient of the cell at position p of a line in
// that line's equation total − Σ others = 0.
func coefficient(p int) float64 {
	if p == 0 {
		return 1
	}
	return -1
}

// Determined returns the indices of the suppressed cells whose value
// follows exactly from the published cells through the table's equations,
// whatever the other suppressed cells are. It is the exact linear test: a
// suppressed cell is determined iff its unit vector lies in the row space
// of the equations restricted to the suppressed cells. It ignores
// non-negativity, so it finds fewer exposures than Audit, at the cost of
// one Gaussian elimination per component instead of two linear programs
// per cell.
func Determined(t *Table) []int {
	if t.checkBuilt() != nil {
		return nil
	}
	var out []int
	for _, c := range t.components() {
		out = append(out, t.determinedIn(c)...)
	}
	slices.Sort(out)
	return out
}

// determinedIn reduces the component's equations to reduced row echelon
// form: a cell is determined iff its column holds a pivot whose row has no
// other non-zero entry.
func (t *Table) determinedIn(c component) []int {
	col := make(map[int]int, len(c.cells))
	for j, i := range c.cells {
		col[i] = j
	}
	n := len(c.cells)
	rows := make([][]float64, len(c.lines))
	for r, l := range c.lines {
		rows[r] = make([]float64, n)
		for p, i := range t.lines[l] {
			if j, ok := col[i]; ok {
				rows[r][j] = coefficient(p)
			}
		}
	}
	pivotRow := rref(rows, n)
	var out []int
	for j, r := range pivotRow {
		if r >= 0 && isUnit(rows[r], j) {
			out = append(out, c.cells[j])
		}
	}
	return out
}

// rref reduces rows (each of length n) in place to reduced row echelon
// form with partial pivoting and returns, for each column, the row of its
// pivot or -1.
func rref(rows [][]float64, n int) []int {
	pivotRow := make([]int, n)
	next := 0
	for j := range n {
		pivotRow[j] = -1
		best, bestAbs := -1, pivotTol
		for r := next; r < len(rows); r++ {
			if a := math.Abs(rows[r][j]); a > bestAbs {
				best, bestAbs = r, a
			}
		}
		if best < 0 {
			continue
		}
		rows[next], rows[best] = rows[best], rows[next]
		piv := rows[next]
		scale := 1 / piv[j]
		for k := j; k < n; k++ {
			piv[k] *= scale
		}
		for r := range rows {
			if r == next {
				continue
			}
			f := rows[r][j]
			if math.Abs(f) <= pivotTol {
				rows[r][j] = 0
				continue
			}
			row := rows[r]
			for k := j; k < n; k++ {
				row[k] -= f * piv[k]
			}
			row[j] = 0
		}
		pivotRow[j] = next
		next++
	}
	return pivotRow
}

func isUnit(row []float64, j int) bool {
	for k, v := range row {
		if k != j && math.Abs(v) > pivotTol {
			return false
		}
	}
	return true
}
