package disclosure

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/odpe/odpe/pipelines/export"
)

// Reason tells why a suppressed cell is exposed.
type Reason string

const (
	// Exact: the cell's feasible interval is narrower than 0.5, so its
	// value can be read off the published cells.
	Exact Reason = "exact"
	// Narrow: a primary cell's interval is narrower than Required(value).
	Narrow Reason = "narrow"
)

// exactWidth is below which an interval pins down a count.
const exactWidth = 0.5

// Exposure is a suppressed cell that the published cells reveal.
type Exposure struct {
	Cell         int // index in Table.Cells
	Key          string
	Status       export.Conf
	Value        float64
	Lower, Upper float64 // feasible interval; Upper may be +Inf
	Reason       Reason
}

func (e Exposure) String() string {
	return fmt.Sprintf("%s (%s, value %g): %s, feasible interval [%g, %g]",
		e.Key, e.Status, e.Value, e.Reason, e.Lower, e.Upper)
}

// Interval is the set of values a suppressed cell can take given the
// published cells, the table's equations and non-negativity.
type Interval struct {
	Lower, Upper float64
}

// Width is Upper − Lower.
func (iv Interval) Width() float64 { return iv.Upper - iv.Lower }

// Audit computes the feasible interval of every suppressed cell by linear
// programming, as an intruder would, and reports the cells it exposes: any
// suppressed cell whose interval is narrower than 0.5, and any primary
// cell whose interval is narrower than Required(value). It shares no logic
// with Protect.
func Audit(t *Table) ([]Exposure, error) {
	ivs, err := Intervals(t)
	if err != nil {
		return nil, err
	}
	var out []Exposure
	for i, c := range t.Cells {
		iv, ok := ivs[i]
		if !ok {
			continue
		}
		e := Exposure{Cell: i, Key: t.Key(i), Status: c.Status, Value: c.Value, Lower: iv.Lower, Upper: iv.Upper}
		switch {
		case iv.Width() < exactWidth:
			e.Reason = Exact
		case c.Status == export.Primary && iv.Width() < Required(c.Value)-additivityTol:
			e.Reason = Narrow
		default:
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// Intervals returns the feasible interval of every suppressed cell, by cell
// index. Each is the minimum and the maximum of the cell subject to the
// equations of the lines, the published cells fixed at their values and
// the suppressed cells ≥ 0: two linear programs per cell, solved with
// gonum's simplex on each component of linked suppressed cells.
func Intervals(t *Table) (map[int]Interval, error) {
	if err := t.checkBuilt(); err != nil {
		return nil, err
	}
	out := make(map[int]Interval)
	for _, c := range t.components() {
		p, err := t.program(c)
		if err != nil {
			return nil, fmt.Errorf("disclosure: audit %s: %w", t.Key(c.cells[0]), err)
		}
		for j, i := range c.cells {
			iv, err := p.interval(j)
			if err != nil {
				return nil, fmt.Errorf("disclosure: audit %s: %w", t.Key(i), err)
			}
			if v := t.Cells[i].Value; v < iv.Lower-1e-6 || v > iv.Upper+1e-6 {
				return nil, fmt.Errorf("disclosure: audit %s: value %g outside its computed interval [%g, %g]",
					t.Key(i), v, iv.Lower, iv.Upper)
			}
			out[i] = iv
		}
	}
	return out, nil
}

// program is the feasible set of a component's suppressed cells,
// {x ≥ 0 : A x = b}, in the form gonum's simplex accepts. The line
// equations A are redundant (the margins make them dependent) and the
// simplex needs a constraint matrix of full row rank and a starting
// vertex, so the set is parametrised instead: with x0 the true values
// (the data owner knows them, and b = A x0) and N a basis of the null
// space of A, it is {x0 + N z ≥ 0}, that is
//
//	x − N z⁺ + N z⁻ = x0,   x, z⁺, z⁻ ≥ 0,
//
// whose matrix [I −N N] has full row rank and whose basis x = x0 is
// feasible. A cell with a zero row in N is fixed at its value.
type program struct {
	a     *mat.Dense
	b     []float64
	basis []int
	fixed []bool // cells with a zero row in N
}

func (t *Table) program(c component) (program, error) {
	col := make(map[int]int, len(c.cells))
	for j, i := range c.cells {
		col[i] = j
	}
	n := len(c.cells)
	eq := mat.NewDense(len(c.lines), n, nil)
	for r, l := range c.lines {
		for p, i := range t.lines[l] {
			if j, ok := col[i]; ok {
				eq.Set(r, j, eq.At(r, j)+coefficient(p))
			}
		}
	}
	null, err := nullSpace(eq)
	if err != nil {
		return program{}, err
	}
	p := 0
	if null != nil {
		_, p = null.Dims()
	}
	a := mat.NewDense(n, n+2*p, nil)
	b := make([]float64, n)
	basis := make([]int, n)
	fixed := make([]bool, n)
	for j, i := range c.cells {
		a.Set(j, j, 1)
		fixed[j] = true
		for k := range p {
			if null.At(j, k) != 0 {
				fixed[j] = false
			}
			a.Set(j, n+k, -null.At(j, k))
			a.Set(j, n+p+k, null.At(j, k))
		}
		b[j] = t.Cells[i].Value
		basis[j] = j
	}
	return program{a: a, b: b, basis: basis, fixed: fixed}, nil
}

// nullSpace returns a basis of the null space of a, as columns (nil when
// it is {0}): one vector per free column of the reduced row echelon form,
// 1 on that column, minus the column's entries on the pivots. The
// equations have coefficients ±1, so the basis has small rational entries
// and the simplex's bases stay well conditioned (an orthonormal basis from
// an SVD, being dense and irrational, drove gonum's simplex into
// near-singular bases on 4-D tables). The basis is checked: a·N must be 0.
func nullSpace(a *mat.Dense) (*mat.Dense, error) {
	m, n := a.Dims()
	rows := make([][]float64, m)
	for r := range m {
		rows[r] = mat.Row(nil, r, a)
	}
	piv := rref(rows, n)
	var free []int
	for j, r := range piv {
		if r < 0 {
			free = append(free, j)
		}
	}
	if len(free) == 0 {
		return nil, nil
	}
	out := mat.NewDense(n, len(free), nil)
	for k, f := range free {
		out.Set(f, k, 1)
		for j, r := range piv {
			if r >= 0 {
				out.Set(j, k, -rows[r][f])
			}
		}
	}
	var res mat.Dense
	res.Mul(a, out)
	if r := mat.Norm(&res, math.Inf(1)); r > 1e-6 {
		return nil, fmt.Errorf("null space basis off by %g", r)
	}
	return out, nil
}

// interval minimises and maximises cell j, which is variable j.
func (p program) interval(j int) (Interval, error) {
	if p.fixed[j] {
		return Interval{Lower: p.b[j], Upper: p.b[j]}, nil
	}
	_, cols := p.a.Dims()
	obj := make([]float64, cols)
	obj[j] = 1
	lo, _, err := lp.Simplex(obj, p.a, p.b, 1e-10, p.basis)
	if err != nil {
		return Interval{}, fmt.Errorf("minimise: %w", err)
	}
	obj[j] = -1
	hi, _, err := lp.Simplex(obj, p.a, p.b, 1e-10, p.basis)
	switch {
	case errors.Is(err, lp.ErrUnbounded):
		hi = math.Inf(-1)
	case err != nil:
		return Interval{}, fmt.Errorf("maximise: %w", err)
	}
	return Interval{Lower: lo, Upper: -hi}, nil
}
