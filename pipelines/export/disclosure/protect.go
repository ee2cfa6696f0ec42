package disclosure

import (
	"fmt"
	"math"
	"slices"

	"github.com/odpe/odpe/pipelines/export"
)

// Required is the protection a suppressed primary cell of value v needs:
// the width of its feasible interval, given the published cells, must be
// at least max(1, v). A cell of 1 can then be anything in an interval such
// as [0, 1] or [1, 2]; a cell of 3 in an interval at least 3 wide.
func Required(v float64) float64 { return math.Max(1, v) }

// Protect suppresses the cells of t that could identify a child, in place.
//
// Primary suppression marks every published cell with 0 < value < threshold
// export.Primary (zeros stay published; threshold ≤ 1 marks nothing). Cells
// already Primary or Secondary keep their status and Primary ones are
// protected too. Secondary suppression then covers each primary cell with
// a hypercube (see the package comment) and marks its other corners
// export.Secondary; cells already Secondary get a hypercube giving them an
// interval at least 1 wide. A final exact linear check adds cells until no
// suppressed cell is determined.
func Protect(t *Table, threshold int) error {
	if err := t.checkBuilt(); err != nil {
		return err
	}
	// Cells hidden before (the same children hidden in another table) are
	// covered too, so that the published cells do not give them away.
	var preset []int
	for i, c := range t.Cells {
		if c.Status == export.Secondary {
			preset = append(preset, i)
		}
	}
	markPrimary(t, threshold)
	h := newHypercubes(t)
	for i, c := range t.Cells {
		if c.Status != export.Primary {
			continue
		}
		if err := h.cover(i, Required(c.Value)); err != nil {
			return fmt.Errorf("disclosure: protect %s: %w", t.Key(i), err)
		}
	}
	for _, i := range preset {
		if err := h.cover(i, 1); err != nil {
			return fmt.Errorf("disclosure: protect %s: %w", t.Key(i), err)
		}
	}
	breakDetermined(t)
	return nil
}

func markPrimary(t *Table, threshold int) {
	for i := range t.Cells {
		c := &t.Cells[i]
		if c.Status == export.Free && Small(c.Value, threshold) {
			c.Status = export.Primary
		}
	}
}

// Small reports whether a cell of value v is a small count at threshold:
// one Protect suppresses as primary.
func Small(v float64, threshold int) bool {
	return v > 0 && v < float64(threshold)
}

// topLevel is the highest level a cost tells apart: a cell with more
// dimensions at their total (a table of five or more dimensions) counts
// as of this level.
const topLevel = 4

// cost is the information lost by suppressing a set of cells, compared
// lexicographically: first the cells of the highest level (a cell's level
// is the number of its dimensions at the total: the grand total of a
// département is the most read figure, a margin by sex is read more than a
// cell by sex and age), level by level down to the margins of one
// dimension; then zero cells (suppressing a zero protects little, and a
// hidden zero can only move up); then the sum of the values, so that of
// two cubes of the same levels and zeros the one of smaller cells is taken
// (τ-Argus weighs a cell by its value). Each cube taken still gives its
// primary cell its whole protection interval (see Required): the cost only
// chooses among the cubes that do.
//
// levels holds the count of cells of each level from 1 to topLevel in 16
// bits each, level l at bits 16(l−1): compared as one number, it compares
// the counts from the highest level down (a cube has at most 2^k ≤ 2^15
// corners, so a count never carries into the next level's bits).
type cost struct {
	levels uint64
	zeros  int
	sum    float64
}

func (a cost) less(b cost) bool {
	if a.levels != b.levels {
		return a.levels < b.levels
	}
	if a.zeros != b.zeros {
		return a.zeros < b.zeros
	}
	return a.sum < b.sum
}

// cellCost is the cost of suppressing cell i on top of what is suppressed.
func (t *Table) cellCost(i int) cost {
	switch {
	case t.suppressed(i):
		return cost{}
	case t.isMargin(i):
		return cost{levels: 1 << (16 * (t.level(i) - 1)), sum: t.Cells[i].Value}
	case t.Cells[i].Value == 0:
		return cost{zeros: 1}
	}
	return cost{sum: t.Cells[i].Value}
}

func (a cost) add(b cost) cost {
	return cost{a.levels + b.levels, a.zeros + b.zeros, a.sum + b.sum}
}

// breakDetermined is the safety net after the hypercubes: while the exact
// linear check finds a determined suppressed cell, it suppresses the
// cheapest published cell on one of that cell's lines. It terminates: each
// round suppresses one more cell, and a fully suppressed table determines
// nothing.
func breakDetermined(t *Table) {
	for {
		det := Determined(t)
		if len(det) == 0 {
			return
		}
		best, bestCost := -1, cost{}
		for _, line := range t.lines {
			if !slices.Contains(line, det[0]) {
				continue
			}
			for _, i := range line {
				if t.suppressed(i) {
					continue
				}
				if c := t.cellCost(i); best < 0 || c.less(bestCost) {
					best, bestCost = i, c
				}
			}
		}
		if best < 0 {
			return // every line is suppressed: cannot happen in a table with margins
		}
		t.Cells[best].Status = export.Secondary
	}
}

// hypercubes finds, for a primary cell, the cheapest hypercube whose
// corners protect it.
type hypercubes struct {
	t       *Table
	k       int
	corners int // 2^k
	choice  []int
	alt     [][]int // per dimension, the positions other than the cell's
	offsets []int   // grid offset of each corner
}

func newHypercubes(t *Table) *hypercubes {
	k := len(t.Dims)
	return &hypercubes{
		t:       t,
		k:       k,
		corners: 1 << k,
		choice:  make([]int, k),
		alt:     make([][]int, k),
		offsets: make([]int, 1<<k),
	}
}

// cover suppresses the cheapest hypercube that gives cell p an interval
// at least need wide. One always exists: pairing p with the total on every
// dimension where p is not a total (and with any value where it is) gives
// corners that all move the same way, which leaves p unbounded above.
func (h *hypercubes) cover(p int, need float64) error {
	t := h.t
	co := t.coords[p]
	for d := range h.k {
		h.alt[d] = h.alt[d][:0]
		for q := range t.values[d] {
			if q != co[d] {
				h.alt[d] = append(h.alt[d], q)
			}
		}
		h.choice[d] = 0
	}
	var best []int
	var bestCost cost
	for {
		if c, ok := h.evaluate(co, need, best != nil, bestCost); ok {
			best, bestCost = h.cellsOfCube(best[:0]), c
		}
		if !h.next() {
			break
		}
	}
	if best == nil {
		return fmt.Errorf("no hypercube gives an interval %g wide", need)
	}
	if top := h.highest(best); top >= 1 {
		if cells := h.combine(p, co, need, top); cells != nil {
			best = cells
		}
	}
	for _, i := range best {
		if !t.suppressed(i) {
			t.Cells[i].Status = export.Secondary
		}
	}
	return nil
}

// highest is the highest level (see Table.level) of the cells not yet
// hidden among cells, -1 when all are.
func (h *hypercubes) highest(cells []int) int {
	top := -1
	for _, i := range cells {
		if !h.t.suppressed(i) {
			top = max(top, h.t.level(i))
		}
	}
	return top
}

// combine looks for cubes that together protect cell p (at position co)
// without hiding any cell of level top or above, the level the cheapest
// single cube reaches (a margin, the grand total): several cubes whose
// corners other than p are pairwise distinct move independently, so p can
// rise by the sum of their rises and fall by the sum of their falls (down
// to 0), and its interval is at least min(value, Σ falls) + Σ rises wide.
// Cubes are taken cheapest first. It returns the cells of the cubes taken,
// or nil when they cannot reach need.
func (h *hypercubes) combine(p int, co []int, need float64, top int) []int {
	t := h.t
	type cube struct {
		cost     cost
		up, down float64
		cells    []int
	}
	var cands []cube
	for d := range h.k {
		h.choice[d] = 0
	}
	for {
		ok := true
		var c cost
		up, down := math.Inf(1), math.Inf(1)
		for m := range h.corners {
			off, sign := h.corner(co, m)
			h.offsets[m] = off
			i := t.grid[off]
			if !t.suppressed(i) && t.level(i) >= top {
				ok = false
				break
			}
			if v := t.Cells[i].Value; sign > 0 {
				down = math.Min(down, v)
			} else {
				up = math.Min(up, v)
			}
			c = c.add(t.cellCost(i))
		}
		if ok && up+down >= 1 {
			cands = append(cands, cube{c, up, down, h.cellsOfCube(nil)})
		}
		if !h.next() {
			break
		}
	}
	slices.SortStableFunc(cands, func(a, b cube) int {
		switch {
		case a.cost.less(b.cost):
			return -1
		case b.cost.less(a.cost):
			return 1
		}
		return 0
	})
	used := map[int]bool{}
	var out []int
	up, down := 0.0, 0.0
	v := t.Cells[p].Value
	for _, c := range cands {
		free := true
		for _, i := range c.cells {
			if i != p && used[i] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for _, i := range c.cells {
			used[i] = true
		}
		out = append(out, c.cells...)
		up, down = up+c.up, down+c.down
		if math.Min(v, down)+up >= need {
			return out
		}
	}
	return nil
}

// next advances the choice of alternatives like an odometer.
func (h *hypercubes) next() bool {
	for d := h.k - 1; d >= 0; d-- {
		h.choice[d]++
		if h.choice[d] < len(h.alt[d]) {
			return true
		}
		h.choice[d] = 0
	}
	return false
}

// corner is the offset in the grid of corner m of the cube at co with
// the current choice of alternatives, and its sign: +1 where the corner
// moves with the cell, −1 where it moves against it.
func (h *hypercubes) corner(co []int, m int) (off int, sign float64) {
	sign = 1
	for d := range h.k {
		q := co[d]
		if m&(1<<d) != 0 {
			q = h.alt[d][h.choice[d]]
			if co[d] != 0 && q != 0 {
				sign = -sign
			}
		}
		off += q * h.t.strides[d]
	}
	return off, sign
}

// evaluate computes the corners and signs of the current cube and returns
// its cost if the cube protects the cell and is cheaper than bound.
//
// The perturbation y = ±1 on the corners is in the null space of every
// line equation: along a dimension the two corners of a line cancel, with
// opposite signs if neither is the total, the same sign if one is (the
// total moves with its cell). So the cell can rise by up to the smallest
// corner of sign −1 and fall by up to the smallest corner of sign +1
// (itself included), and its interval is at least that wide.
func (h *hypercubes) evaluate(co []int, need float64, bounded bool, bound cost) (cost, bool) {
	t := h.t
	var total cost
	up, down := math.Inf(1), math.Inf(1)
	for m := range h.corners {
		off, sign := h.corner(co, m)
		h.offsets[m] = off
		i := t.grid[off]
		if v := t.Cells[i].Value; sign > 0 {
			down = math.Min(down, v)
		} else {
			up = math.Min(up, v)
		}
		total = total.add(t.cellCost(i))
		if bounded && !total.less(bound) {
			return cost{}, false
		}
	}
	return total, up+down >= need
}

func (h *hypercubes) cellsOfCube(dst []int) []int {
	for _, off := range h.offsets {
		dst = append(dst, h.t.grid[off])
	}
	return dst
}
