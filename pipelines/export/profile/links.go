package profile

import (
	"hash/maphash"
	"slices"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// linker holds the links of a dataset's rows to other rows that the
// indicators' declarations give (indicators.Disclosure), keyed by cell
// (cellKey): rows a later pass adds are found by the same keys.
type linker struct {
	seed  maphash.Seed
	rows  map[uint64]int  // cellKey → row, for the cells links name
	wants map[string]bool // indicators whose cells links name
	// derived are the indicators whose rows follow the cells their
	// numerator is declared as (shares and rates): hidden when one of
	// their cells is, never protected as tables of their own.
	derived map[string]bool
	shares  []shareLink
	// identities: the cells of each instance of an identity between
	// indicators, and the number of instances each cell is in.
	identities [][]uint64
	inCount    map[uint64]int
	// withinOf: the indicators each indicator is a subset of.
	withinOf  map[string][]string
	decl      map[string]export.Indicator
	threshold []int // per row of the dataset as read (nil: ds.Threshold)
}

// shareLink is a row and the cells its numerator and denominator are.
type shareLink struct {
	row   int
	cells []uint64
}

// newLinker resolves the links of ds's rows: nothing when sys is nil or
// declares none.
func newLinker(ds *export.Dataset, decl map[string]export.Indicator, sys *system) *linker {
	lk := &linker{seed: maphash.MakeSeed(), rows: map[uint64]int{}, wants: map[string]bool{},
		derived: map[string]bool{}, inCount: map[uint64]int{}, withinOf: map[string][]string{}, decl: decl}
	if sys == nil {
		return lk
	}
	lk.threshold = sys.threshold
	// Which links apply: every indicator they name is in ds.
	in := func(id string) bool { _, ok := decl[id]; return ok }
	links := map[string]indicators.Links{}
	for id, l := range sys.links {
		if !in(id) {
			continue
		}
		ok := true
		for _, r := range refsOf(l) {
			ok = ok && in(r.ID)
		}
		if !ok {
			continue // a link to an indicator no external profile publishes
		}
		links[id] = l
		for _, r := range refsOf(l) {
			lk.wants[r.ID] = true
		}
	}
	if len(links) == 0 {
		return lk
	}
	lk.index(0, ds.Rows)
	// Shares and rates whose numerator is declared: derived when every
	// row's references resolve.
	byInd := map[string][]int{}
	for i := range ds.Rows {
		if _, ok := links[ds.Rows[i].Indicator]; ok {
			byInd[ds.Rows[i].Indicator] = append(byInd[ds.Rows[i].Indicator], i)
		}
	}
	for id, l := range links {
		rows := byInd[id]
		if l.Numerator != nil || l.Denominator != nil {
			var shares []shareLink
			ok := true
			for _, i := range rows {
				sl := shareLink{row: i}
				for _, ref := range []*indicators.Ref{l.Numerator, l.Denominator} {
					if ref == nil {
						continue
					}
					keys, fits := lk.resolve(*ref, &ds.Rows[i], decl)
					ok = ok && fits
					sl.cells = append(sl.cells, keys...)
				}
				shares = append(shares, sl)
			}
			if ok {
				lk.shares = append(lk.shares, shares...)
				lk.derived[id] = l.Numerator != nil
			}
		}
		if len(l.Within) > 0 {
			lk.withinOf[id] = l.Within
		}
		for _, idn := range l.Identities {
			for _, i := range rows {
				var inst []uint64
				fits := true
				for _, t := range idn.Terms {
					keys, ok := lk.resolve(t.Ref, &ds.Rows[i], decl)
					fits = fits && ok
					inst = append(inst, keys...)
				}
				if fits {
					lk.identities = append(lk.identities, inst)
					for _, k := range inst {
						lk.inCount[k]++
					}
				}
			}
		}
	}
	// A share's threshold is its cells': 3 children in foster care are
	// a small count wherever the share that gives them is published.
	for _, sl := range lk.shares {
		t := lk.thresholdOf(ds, sl.row)
		for _, k := range sl.cells {
			if j, ok := lk.rows[k]; ok && t > lk.thresholdOf(ds, j) {
				if lk.threshold == nil {
					lk.threshold = make([]int, len(ds.Rows))
				}
				lk.threshold[j] = t
			}
		}
	}
	return lk
}

// refsOf lists every reference of l.
func refsOf(l indicators.Links) []indicators.Ref {
	var out []indicators.Ref
	for _, r := range []*indicators.Ref{l.Numerator, l.Denominator} {
		if r != nil {
			out = append(out, *r)
		}
	}
	for _, w := range l.Within {
		out = append(out, indicators.Ref{ID: w})
	}
	for _, id := range l.Identities {
		for _, t := range id.Terms {
			out = append(out, t.Ref)
		}
	}
	return out
}

// index adds rows (from index start of the dataset) of the indicators
// links name.
func (lk *linker) index(start int, rows []export.Row) {
	if len(lk.wants) == 0 {
		return
	}
	for i := range rows {
		if r := &rows[i]; lk.wants[r.Indicator] {
			lk.rows[cellKey(lk.seed, r)] = start + i
		}
	}
}

// resolve returns the keys of the cells ref names at row r (several when
// a fixed breakdown lists values to add up), and false when r's
// breakdowns cannot name them.
func (lk *linker) resolve(ref indicators.Ref, r *export.Row, decl map[string]export.Indicator) ([]uint64, bool) {
	target := decl[ref.ID].Breakdowns
	for d, v := range r.Dims {
		if _, fixed := ref.Fixed[d]; v != export.Total && !fixed && !slices.Contains(target, d) {
			return nil, false
		}
	}
	combos := []map[string]string{{}}
	for _, b := range target {
		vals := ref.Fixed[b]
		if vals == nil {
			v, ok := r.Dims[b]
			if !ok {
				v = export.Total
			}
			vals = []string{v}
		}
		var next []map[string]string
		for _, c := range combos {
			for _, v := range vals {
				m := make(map[string]string, len(c)+1)
				for k, x := range c {
					m[k] = x
				}
				m[b] = v
				next = append(next, m)
			}
		}
		combos = next
	}
	keys := make([]uint64, 0, len(combos))
	for _, dims := range combos {
		c := export.Row{Indicator: ref.ID, Dep: r.Dep, Territory: r.Territory, Dims: dims}
		keys = append(keys, cellKeyIn(lk.seed, &c, r.Period+ref.Offset))
	}
	return keys, true
}

// thresholdOf is row i's threshold.
func (lk *linker) thresholdOf(ds *export.Dataset, i int) int {
	if lk.threshold != nil && i < len(lk.threshold) && lk.threshold[i] > ds.Threshold {
		return lk.threshold[i]
	}
	return ds.Threshold
}

// premark marks Primary the small counts of rows whose threshold is
// above the dataset's (disclosure.Protect marks the others).
func (lk *linker) premark(ds *export.Dataset) {
	if lk.threshold == nil {
		return
	}
	for i, t := range lk.threshold {
		r := &ds.Rows[i]
		if t <= ds.Threshold || r.Conf != export.Free {
			continue
		}
		if small(r.Numerator, t) || (isShare(r.Unit.String()) && small(r.Denominator, t) && r.Numerator.Float64() == 0) {
			r.Conf = export.Primary
		}
	}
}

// apply hides what the links require and returns the tables (groupKey)
// that gained a hidden cell: a derived share or rate whose cells include
// a hidden one; in an identity with one hidden cell, the cheapest other
// (in the fewest identities, then the smallest), so that the identity
// gives neither away.
func (lk *linker) apply(ds *export.Dataset) []string {
	var changed []string
	mark := func(i int) {
		r := &ds.Rows[i]
		r.Conf = export.Secondary
		if g := groupKey(r); !slices.Contains(changed, g) {
			changed = append(changed, g)
		}
	}
	hidden := func(k uint64) bool {
		j, ok := lk.rows[k]
		return ok && ds.Rows[j].Conf != export.Free
	}
	for again := true; again; {
		again = false
		for _, inst := range lk.identities {
			n, best := 0, -1
			for _, k := range inst {
				if hidden(k) {
					n++
				}
			}
			if n != 1 {
				continue
			}
			for _, k := range inst {
				j, ok := lk.rows[k]
				if !ok || ds.Rows[j].Conf != export.Free {
					continue
				}
				if best < 0 || lk.cheaper(ds, k, j, best) {
					best = j
				}
			}
			if best >= 0 {
				mark(best)
				again = true
			}
		}
	}
	for _, sl := range lk.shares {
		if ds.Rows[sl.row].Conf != export.Free {
			continue
		}
		if slices.ContainsFunc(sl.cells, hidden) {
			ds.Rows[sl.row].Conf = export.Secondary
			if !lk.derived[ds.Rows[sl.row].Indicator] {
				mark(sl.row) // protected as a table of its own: again
			}
		}
	}
	return changed
}

// cheaper reports whether hiding row j (of key k) costs less than hiding
// row best: in fewer identities, then a smaller count.
func (lk *linker) cheaper(ds *export.Dataset, k uint64, j, best int) bool {
	kb := cellKey(lk.seed, &ds.Rows[best])
	if a, b := lk.inCount[k], lk.inCount[kb]; a != b {
		return a < b
	}
	return ds.Rows[j].Numerator.Float64() < ds.Rows[best].Numerator.Float64()
}

// publishZeros publishes again the complementary cells that are within a
// zero (a published zero, or a zero the warehouse leaves out): anyone who
// reads the definitions knows they are zeros, so hiding them protects
// nothing, and publishing them tells nothing new. A cell added by the
// protection (an empty combination) gets its zero.
func (lk *linker) publishZeros(ds *export.Dataset) {
	if len(lk.withinOf) == 0 {
		return
	}
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Conf != export.Secondary || len(lk.withinOf[r.Indicator]) == 0 {
			continue
		}
		for _, w := range lk.withinOf[r.Indicator] {
			keys, ok := lk.resolve(indicators.Ref{ID: w}, r, lk.decl)
			if !ok || len(keys) != 1 {
				continue
			}
			if j, ok := lk.rows[keys[0]]; ok && (ds.Rows[j].Conf != export.Free || ds.Rows[j].Numerator.Float64() != 0) {
				continue
			}
			r.Conf = export.Free
			if !r.Numerator.Valid() {
				r.Numerator, r.Value = export.Known(0), export.Known(0)
			}
			break
		}
	}
}
