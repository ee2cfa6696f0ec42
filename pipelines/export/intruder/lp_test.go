package intruder

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// TestSolveMatchesGonum: on small random systems (equations and
// inequalities with small integer coefficients, feasible by
// construction), the tableau's intervals are gonum's simplex's.
func TestSolveMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	compared := 0
	defer func() {
		if compared < 300 {
			t.Errorf("only %d intervals compared with gonum's", compared)
		}
	}()
	for trial := range 300 {
		n := 2 + rng.IntN(6)
		m := 1 + rng.IntN(n)
		x0 := make([]float64, n)
		for j := range x0 {
			x0[j] = float64(rng.IntN(6))
		}
		var rows []lin
		for range m {
			l := lin{coef: map[int]float64{}, le: rng.IntN(4) == 0}
			for j := range n {
				if rng.IntN(2) == 0 {
					l.coef[j] = float64(rng.IntN(5) - 2)
				}
			}
			for j, c := range l.coef {
				if c == 0 {
					delete(l.coef, j)
				}
				l.rhs += c * x0[j]
			}
			if len(l.coef) == 0 {
				continue
			}
			if l.le {
				l.rhs += float64(rng.IntN(3))
			}
			rows = append(rows, l)
		}
		if len(rows) == 0 {
			continue
		}
		comp := component{}
		seen := map[int]bool{}
		for i, r := range rows {
			comp.rows = append(comp.rows, i)
			for j := range r.coef {
				seen[j] = true
			}
		}
		for j := range n {
			if seen[j] {
				comp.vars = append(comp.vars, j)
			}
		}
		got, err := solve(comp, rows, nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		want := gonumIntervals(t, comp, rows)
		for k := range got {
			if want[k].Lower != 0 || !math.IsInf(want[k].Upper, 1) {
				compared++
			}
			if !close(got[k].Lower, want[k].Lower) || !close(got[k].Upper, want[k].Upper) {
				t.Errorf("trial %d, variable %d: %v, gonum %v (x0 %v, rows %+v)", trial, comp.vars[k], got[k], want[k], x0, rows)
			}
		}
	}
}

func close(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return math.IsInf(a, 1) && math.IsInf(b, 1)
	}
	return math.Abs(a-b) < 1e-6
}

// gonumIntervals solves the same programs with gonum's simplex (its first
// phase included), on the standard form with a slack per inequality and
// the redundant equations left out.
func gonumIntervals(t *testing.T, comp component, rows []lin) []Interval {
	n := len(comp.vars)
	col := map[int]int{}
	for j, v := range comp.vars {
		col[v] = j
	}
	width := n
	for _, ri := range comp.rows {
		if rows[ri].le {
			width++
		}
	}
	var eqs [][]float64
	s := n
	for _, ri := range comp.rows {
		e := make([]float64, width+1)
		for v, c := range rows[ri].coef {
			e[col[v]] = c
		}
		if rows[ri].le {
			e[s] = 1
			s++
		}
		e[width] = rows[ri].rhs
		eqs = append(eqs, e)
	}
	eqs, err := reduce(eqs, width)
	if err != nil {
		t.Fatal(err)
	}
	a := mat.NewDense(len(eqs), width, nil)
	b := make([]float64, len(eqs))
	for i, e := range eqs {
		for j := range width {
			a.Set(i, j, e[j])
		}
		b[i] = e[width]
	}
	out := make([]Interval, n)
	for j := range n {
		c := make([]float64, width)
		c[j] = 1
		lo, _, err := lp.Simplex(c, a, b, 1e-10, nil)
		if err != nil {
			// gonum refuses a column of zeros: the variable is free of
			// the reduced equations, [0, ∞).
			out[j] = Interval{0, math.Inf(1)}
			continue
		}
		c[j] = -1
		hi, _, err := lp.Simplex(c, a, b, 1e-10, nil)
		up := -hi
		if errors.Is(err, lp.ErrUnbounded) {
			up = math.Inf(1)
		} else if err != nil {
			t.Fatal(err)
		}
		out[j] = Interval{math.Max(0, lo), up}
	}
	return out
}
