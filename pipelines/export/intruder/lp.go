package intruder

import (
	"fmt"
	"math"
	"slices"
)

// lin is a constraint over variables: Σ coef[j]·x_j (= or ≤) rhs.
type lin struct {
	coef map[int]float64
	rhs  float64
	le   bool
	what string
}

// component is a set of variables linked by constraints, and those
// constraints: parts of the system are solved on their own.
type component struct {
	vars []int // ascending
	rows []int // indices of the constraints
}

// components splits the variables 0..n−1 linked by rows into connected
// parts (union-find); variables in no constraint belong to none.
func components(n int, rows []lin) []component {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, r := range rows {
		first := -1
		for j := range r.coef {
			if first < 0 {
				first = j
				continue
			}
			if a, b := find(first), find(j); a != b {
				parent[a] = b
			}
		}
	}
	byRoot := map[int]*component{}
	var roots []int
	for ri, r := range rows {
		for j := range r.coef {
			root := find(j)
			c := byRoot[root]
			if c == nil {
				c = &component{}
				byRoot[root] = c
				roots = append(roots, root)
			}
			c.rows = append(c.rows, ri)
			break
		}
	}
	inComp := make([]bool, n)
	for _, r := range rows {
		for j := range r.coef {
			if !inComp[j] {
				inComp[j] = true
				c := byRoot[find(j)]
				c.vars = append(c.vars, j)
			}
		}
	}
	out := make([]component, 0, len(roots))
	for _, root := range roots {
		c := byRoot[root]
		slices.Sort(c.vars)
		out = append(out, *c)
	}
	return out
}

const tol = 1e-9

// solve returns the interval of each variable of comp (in the order of
// comp.vars): its minimum and maximum over {x ≥ 0, the constraints}. An
// inequality gets a slack variable of its own; the equations are reduced
// to a set of full row rank, and a variable that a reduced equation alone
// determines is fixed without a program. The others get two programs on
// one simplex tableau (see tableau): a feasible basis is found once and
// every objective starts from the last one's optimum.
//
// need, when not nil, gives for each variable of comp the true value and
// the width its interval must have (the data owner's audit): the programs
// stop as soon as they have found points that far apart, around the true
// value, and the interval returned is then the span of those points (a
// part of the feasible interval, wide enough).
func solve(comp component, rows []lin, need func(j int) (v, w float64, ok bool)) ([]Interval, error) {
	col := make(map[int]int, len(comp.vars))
	for j, v := range comp.vars {
		col[v] = j
	}
	n := len(comp.vars)
	slacks := 0
	for _, ri := range comp.rows {
		if rows[ri].le {
			slacks++
		}
	}
	width := n + slacks
	eqs := make([][]float64, 0, len(comp.rows))
	s := n
	for _, ri := range comp.rows {
		r := rows[ri]
		e := make([]float64, width+1)
		for v, c := range r.coef {
			e[col[v]] += c
		}
		if r.le {
			e[s] = 1
			s++
		}
		e[width] = r.rhs
		eqs = append(eqs, e)
	}
	eqs, err := reduce(eqs, width)
	if err != nil {
		return nil, err
	}
	out := make([]Interval, n)
	// A row of the reduced form with one non-zero entry fixes its variable.
	fixed := make([]bool, n)
	for _, e := range eqs {
		nz, at := 0, -1
		for j := range width {
			if math.Abs(e[j]) > tol {
				nz++
				at = j
			}
		}
		if nz == 1 && at < n {
			fixed[at] = true
			out[at] = Interval{e[width] / e[at], e[width] / e[at]}
		}
	}
	if len(eqs) == 0 {
		for j := range n {
			out[j] = Interval{0, math.Inf(1)}
		}
		return out, nil
	}
	tb, err := newTableau(eqs, width)
	if err != nil {
		return nil, err
	}
	for j := range n {
		if fixed[j] {
			continue
		}
		stopLo, stopHi := math.Inf(-1), math.Inf(1)
		v, w, ok := 0.0, 0.0, false
		if need != nil {
			v, w, ok = need(j)
		}
		if ok {
			stopLo = v - w
		}
		lo, _ := tb.optimize(j, 1, stopLo)
		if ok {
			stopHi = math.Max(v, math.Ceil(lo-1e-6)+w) // whole numbers at both ends, v within
		}
		hi, bounded := tb.optimize(j, -1, stopHi)
		if !bounded {
			hi = math.Inf(1)
		}
		out[j] = Interval{math.Max(0, lo), hi}
	}
	return out, nil
}

// tableau is a dense simplex tableau of {y ≥ 0 : A y = b}: rows of
// [A | b] expressed in the current basis (basis[i] is the variable of row
// i, whose column is the unit vector), b ≥ 0.
type tableau struct {
	rows  [][]float64 // each of n+1 entries, the last being the value
	basis []int
	n     int
	red   []float64 // reduced costs, scratch
	nz    []int     // non-zero columns of the pivot row, scratch
}

// newTableau finds a feasible basis of {y ≥ 0 : A y = b}, the rows being
// in reduced row echelon form (see reduce), by a first phase that
// minimises the sum of artificial variables added where a row's pivot
// cannot start the basis.
func newTableau(eqs [][]float64, width int) (*tableau, error) {
	m := len(eqs)
	// Columns: the width variables, then one artificial per row (only
	// those used are kept non-zero), then the value.
	n := width + m
	tb := &tableau{n: n, basis: make([]int, m), red: make([]float64, n+1)}
	tb.rows = make([][]float64, m)
	for i, e := range eqs {
		r := make([]float64, n+1)
		copy(r, e[:width])
		r[n] = e[width]
		if r[n] < 0 {
			for j := range r {
				r[j] = -r[j]
			}
		}
		tb.rows[i] = r
	}
	// The pivot of an RREF row is 1 in its column and 0 elsewhere: that
	// variable can start the basis if the row's value stayed ≥ 0 (the row
	// was not negated); otherwise an artificial does.
	var artificial []int
	for i, r := range tb.rows {
		p := -1
		for j := range width {
			if math.Abs(r[j]) > tol {
				p = j
				break
			}
		}
		if p >= 0 && math.Abs(r[p]-1) < 1e-9 {
			tb.basis[i] = p
			continue
		}
		a := width + i
		r[a] = 1
		tb.basis[i] = a
		artificial = append(artificial, a)
	}
	if len(artificial) > 0 {
		cost := make([]float64, n)
		for _, a := range artificial {
			cost[a] = 1
		}
		v, _ := tb.run(cost, width+m, math.Inf(-1))
		if v > 1e-6 {
			return nil, fmt.Errorf("the constraints have no non-negative solution (phase one ends at %g)", v)
		}
		// Artificials left in the basis at 0: pivot them out; a row with
		// nothing else is redundant and goes.
		for i := 0; i < len(tb.basis); i++ {
			if tb.basis[i] < width {
				continue
			}
			out := true
			for j := range width {
				if math.Abs(tb.rows[i][j]) > 1e-9 {
					tb.pivot(i, j)
					out = false
					break
				}
			}
			if out {
				tb.rows = slices.Delete(tb.rows, i, i+1)
				tb.basis = slices.Delete(tb.basis, i, i+1)
				i--
			}
		}
	}
	// Artificial columns leave the problem.
	for i, r := range tb.rows {
		r[width] = r[n]
		tb.rows[i] = r[:width+1]
	}
	tb.n = width
	tb.red = tb.red[:width+1]
	return tb, nil
}

// optimize minimises sign·y_j from the current basis and returns the
// minimum of y_j (sign 1) or its maximum (sign −1), and whether it is
// bounded. It stops early, at a feasible point, once y_j reaches stop
// (≤ stop for a minimum, ≥ for a maximum): the value returned is then
// that point's, which the interval contains.
func (tb *tableau) optimize(j int, sign, stop float64) (float64, bool) {
	cost := make([]float64, tb.n)
	cost[j] = sign
	v, ok := tb.run(cost, tb.n, sign*stop)
	return sign * v, ok
}

// run minimises cost·y over the columns below limit by the simplex
// method, and returns the minimum, and false when it is unbounded below;
// it stops early at a basis whose value is ≤ stop. The entering column is
// the most improving one (Dantzig's rule), or after a run of degenerate
// pivots the first improving one (Bland's rule: ties in the ratio test go
// to the smallest basic variable), which cannot cycle.
func (tb *tableau) run(cost []float64, limit int, stop float64) (float64, bool) {
	n := tb.n
	red := tb.red
	degenerate := 0
	// Reduced costs: cost − c_B·rows, kept up to date by each pivot.
	copy(red, cost)
	red[n] = 0
	for i, b := range tb.basis {
		if cb := cost[b]; cb != 0 {
			for j, v := range tb.rows[i] {
				red[j] -= cb * v
			}
		}
	}
	for {
		if -red[n] <= stop {
			return -red[n], true
		}
		enter := -1
		bland := degenerate > 50
		for j := range limit {
			if red[j] < -1e-9 && (enter < 0 || (!bland && red[j] < red[enter])) {
				enter = j
				if bland {
					break
				}
			}
		}
		if enter < 0 {
			return -red[n], true
		}
		leave, best := -1, math.Inf(1)
		for i, r := range tb.rows {
			if a := r[enter]; a > 1e-9 {
				ratio := r[n] / a
				if ratio < best-1e-12 || (math.Abs(ratio-best) <= 1e-12 && tb.basis[i] < tb.basis[leave]) {
					leave, best = i, ratio
				}
			}
		}
		if leave < 0 {
			return math.Inf(-1), false
		}
		if best < 1e-12 {
			degenerate++
		} else {
			degenerate = 0
		}
		tb.pivot(leave, enter)
		if f := red[enter]; f != 0 {
			for k, v := range tb.rows[leave] {
				if v != 0 {
					red[k] -= f * v
				}
			}
			red[enter] = 0
		}
	}
}

// pivot makes column j basic in row i.
func (tb *tableau) pivot(i, j int) {
	pr := tb.rows[i]
	pv := pr[j]
	nz := tb.nz[:0]
	for k := range pr {
		if pr[k] != 0 {
			pr[k] /= pv
			nz = append(nz, k)
		}
	}
	pr[j] = 1
	tb.nz = nz
	last := len(pr) - 1
	for r, row := range tb.rows {
		if r == i {
			continue
		}
		f := row[j]
		if f == 0 {
			continue
		}
		for _, k := range nz {
			row[k] -= f * pr[k]
		}
		row[j] = 0
		if row[last] < 0 && row[last] > -1e-9 {
			row[last] = 0
		}
	}
	tb.basis[i] = j
}

// reduce brings the augmented rows [A | b] to reduced row echelon form
// and drops the zero rows; a row 0 = b ≠ 0 means the system has no
// solution (a definition the data break, or cells read wrongly).
func reduce(rows [][]float64, width int) ([][]float64, error) {
	r := 0
	for c := 0; c < width && r < len(rows); c++ {
		p, best := -1, tol
		for i := r; i < len(rows); i++ {
			if v := math.Abs(rows[i][c]); v > best {
				p, best = i, v
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		pv := rows[r][c]
		for j := range rows[r] {
			rows[r][j] /= pv
		}
		for i := range rows {
			if i == r || rows[i][c] == 0 {
				continue
			}
			f := rows[i][c]
			for j := range rows[i] {
				rows[i][j] -= f * rows[r][j]
			}
			rows[i][c] = 0
		}
		r++
	}
	for i := r; i < len(rows); i++ {
		if math.Abs(rows[i][width]) > 1e-6 {
			return nil, fmt.Errorf("the constraints have no solution (a row reduces to 0 = %g)", rows[i][width])
		}
	}
	return rows[:r], nil
}
