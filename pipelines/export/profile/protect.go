package profile

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/disclosure"
)

// Protect applies disclosure control to an external dataset, in place:
//
//   - each indicator's values of one département and year form a table of
//     numerators over the territory and the indicator's breakdowns, with
//     their margins; disclosure.Protect suppresses its small counts
//     (primary) and the complementary cells that would let them be
//     recovered (secondary);
//   - a share whose denominator is itself a small count is suppressed too;
//   - a table that is not additive (a rate whose population is missing for
//     a territory…) gets no complementary search: if it has a primary cell,
//     every non-zero cell of it is suppressed;
//   - a value equal to a suppressed numerator of another indicator of the
//     family at the same place (the same children counted twice) is
//     suppressed, and its table protected again with it;
//   - an empty combination (a zero the warehouse leaves out) that the
//     protection hides is added as a suppressed row: left out, it would
//     read as a published zero;
//   - N−1 and the evolution are withheld when N−1 is suppressed.
//
// Hours of activity identify no child and are left as they are. Suppressed
// rows lose every figure; their Conf says why (never published: every
// file gives a hidden cell one mark).
//
// Protect knows nothing of the declared links between indicators; the
// export of the external profiles (protectTogether) protects them with
// the links (see system).
func Protect(ds *export.Dataset) error { return protect(ds, nil) }

// system is what the protection of the external profiles' union knows
// beyond its rows (see disclosure's package comment, "Linked tables").
type system struct {
	links map[string]indicators.Links // declared, by indicator
	// threshold is, for each row of the dataset as read, the threshold of
	// the strictest profile publishing it when above the dataset's; nil
	// or 0 for the dataset's.
	threshold []int
}

// protect is Protect within a system of linked tables (sys may be nil):
// cells whose strictest profile has a higher threshold are small counts
// up to it; shares and rates whose numerator is declared as cells of
// other indicators follow those cells (hidden when one is, never
// protected as tables of their own, their threshold carried over to the
// cells); identities between indicators get a second hidden cell
// wherever one alone would be hidden.
func protect(ds *export.Dataset, sys *system) error {
	if ds.Threshold <= 1 {
		return nil
	}
	decl := map[string]export.Indicator{}
	for _, ind := range ds.Indicators {
		decl[ind.ID] = ind
	}
	n := len(ds.Rows)
	lk := newLinker(ds, decl, sys)
	lk.premark(ds)
	groups, order, err := groupRows(ds.Rows)
	if err != nil {
		return err
	}
	// A cell hidden by propagate or by a link is one more suppressed cell
	// of its own table, which must then be protected like the others:
	// repeat until no table gains a suppression (suppressions only grow,
	// so this ends).
	var places []uint64 // after the first pass; rows added have none
	for dirty := order; len(dirty) > 0; {
		var added []export.Row // appended once: ds.Rows is millions of rows
		for _, k := range dirty {
			ind := decl[ds.Rows[groups[k][0]].Indicator]
			if ind.Unit == "hours" || lk.derived[ind.ID] {
				continue
			}
			idx, err := protectGroup(ds, ind, groups[k], &added)
			if err != nil {
				return fmt.Errorf("protect %s: %w", k, err)
			}
			groups[k] = idx
		}
		lk.index(len(ds.Rows), added)
		ds.Rows = append(ds.Rows, added...)
		if places == nil {
			places = placeKeys(ds.Rows[:n], decl)
		}
		dirty = propagate(ds, places)
		for _, k := range lk.apply(ds) {
			if !slices.Contains(dirty, k) {
				dirty = append(dirty, k)
			}
		}
	}
	lk.publishZeros(ds)
	reorder(ds.Rows, n, order, groups)
	withholdPrevious(ds)
	var none export.Figure
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Conf != export.Free {
			r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution = none, none, none, none, none
		}
	}
	return nil
}

// groupRows returns the rows of each table (see groupKey) and the tables
// in the order of their rows, which must be consecutive (the warehouse
// sorts them by indicator, département and year; see reorder).
func groupRows(rows []export.Row) (map[string][]int, []string, error) {
	groups := map[string][]int{}
	var order []string
	for start, end := range tables(rows) {
		key := groupKey(&rows[start])
		if _, seen := groups[key]; seen {
			return nil, nil, fmt.Errorf("the rows of table %s are not consecutive (row %d)", key, start)
		}
		idx := make([]int, end-start)
		for i := range idx {
			idx[i] = start + i
		}
		groups[key], order = idx, append(order, key)
	}
	return groups, order, nil
}

// tables yields the bounds [start, end) of each run of rows of one table
// (see groupKey).
func tables(rows []export.Row) iter.Seq2[int, int] { return export.Runs(rows, sameTable) }

// sameTable reports whether a and b belong to one table (see groupKey).
func sameTable(a, b *export.Row) bool {
	return a.Indicator == b.Indicator && a.Dep == b.Dep && a.Period == b.Period
}

func small(v export.Figure, threshold int) bool {
	return v.Valid() && v.Float64() >= 0.5 && v.Float64() < float64(threshold)
}

// protectGroup protects one indicator's table for one département and
// year, and returns the indices of its rows: an empty combination (a zero
// the warehouse leaves out) that the protection hides becomes a row of its
// own, suppressed, since leaving it out would publish it as a zero. Such
// rows go to added, to be appended to ds.Rows (their indices follow).
func protectGroup(ds *export.Dataset, ind export.Indicator, idx []int, added *[]export.Row) ([]int, error) {
	if !sensitive(ds, ind, idx) {
		return idx, nil // most tables: nothing to hide, nothing hidden before
	}
	dims := append([]string{"territory"}, ind.Breakdowns...)
	cells := make([]disclosure.Cell, 0, len(idx))
	values := make([][]string, len(dims)) // each dimension's values, in order met
	pos := make([]map[string]int, len(dims))
	for d := range pos {
		pos[d] = map[string]int{}
	}
	for _, i := range idx {
		r := &ds.Rows[i]
		key := rowKey(r, ind.Breakdowns)
		c := disclosure.Cell{Key: key, Value: r.Numerator.Float64(), Status: r.Conf}
		if isShare(ind.Unit) && small(r.Denominator, ds.Threshold) && c.Value == 0 {
			c.Status = export.Primary // 0 % of 3 children is still 3 children
		}
		cells = append(cells, c)
		for d, v := range key {
			if _, ok := pos[d][v]; !ok {
				pos[d][v] = len(values[d])
				values[d] = append(values[d], v)
			}
		}
	}
	// A profile that does not carry the territories has only their total:
	// the table is over the breakdowns alone (a dimension of one value has
	// no margin to protect).
	off := 0
	if len(values[0]) == 1 && values[0][0] == export.Total {
		if len(dims) == 1 {
			conservative(ds, idx) // one cell: primary suppression only
			return idx, nil
		}
		off, dims, values, pos = 1, dims[1:], values[1:], pos[1:]
		for j := range cells {
			cells[j].Key = cells[j].Key[1:]
		}
	}
	first := ds.Rows[idx[0]]
	full := func(key []string) []string { // with the territory
		if off == 1 {
			return append([]string{export.Total}, key...)
		}
		return key
	}
	// CUBE leaves out empty combinations: they are zeros of the table.
	for _, key := range missing(values, pos, cells) {
		cells = append(cells, disclosure.Cell{Key: key})
	}
	t, err := disclosure.New(dims, cells)
	if err == nil {
		err = disclosure.Protect(t, ds.Threshold)
	}
	if err != nil && !errors.Is(err, disclosure.ErrIncomplete) && !errors.Is(err, disclosure.ErrNotAdditive) && !errors.Is(err, disclosure.ErrInvalid) {
		return nil, err
	}
	if err != nil {
		conservative(ds, idx)
		return idx, nil
	}
	for j, i := range idx {
		ds.Rows[i].Conf = t.Cells[j].Status
	}
	for _, c := range t.Cells[len(idx):] {
		if c.Status == export.Free {
			continue
		}
		r := emptyRow(first, ind, full(c.Key))
		r.Conf = c.Status
		idx = append(idx, len(ds.Rows)+len(*added))
		*added = append(*added, r)
	}
	return idx, nil
}

// sensitive reports whether the table of rows idx has a cell that
// disclosure.Protect would hide or cover: a small count, a share of a
// small count, or a cell hidden already.
func sensitive(ds *export.Dataset, ind export.Indicator, idx []int) bool {
	for _, i := range idx {
		r := &ds.Rows[i]
		v := r.Numerator.Float64()
		if r.Conf != export.Free || disclosure.Small(v, ds.Threshold) ||
			(isShare(ind.Unit) && small(r.Denominator, ds.Threshold) && v == 0) {
			return true
		}
	}
	return false
}

// emptyRow is the row of an empty combination of first's table: key is
// the territory, then the indicator's breakdowns.
func emptyRow(first export.Row, ind export.Indicator, key []string) export.Row {
	r := export.Row{Indicator: first.Indicator, Dep: first.Dep, Period: first.Period, Territory: key[0],
		Unit: first.Unit, Status: first.Status}
	if len(ind.Breakdowns) > 0 {
		r.Dims = make(map[string]string, len(ind.Breakdowns))
		for d, b := range ind.Breakdowns {
			r.Dims[b] = key[d+1]
		}
	}
	return r
}

// reorder puts the rows added by protectGroup (from index n) in their
// place, within rows: each table (its rows read, consecutive in the order
// of tables, then those added) sorted with the département first, then
// territories and breakdowns in order, as the warehouse sorts them. From
// the last table back, each moves right by the number of rows added to
// the tables before it; those before the first table with added rows
// stay where they are.
func reorder(rows []export.Row, n int, order []string, groups map[string][]int) {
	added := slices.Clone(rows[n:])
	end, left := len(rows), len(added)
	for t := len(order) - 1; t >= 0 && left > 0; t-- {
		idx := groups[order[t]]
		read := sort.SearchInts(idx, n) // idx[read:] were added
		start := end - len(idx)
		copy(rows[start:], rows[idx[0]:idx[0]+read])
		if read < len(idx) {
			for j, i := range idx[read:] {
				rows[start+read+j] = added[i-n]
			}
			left -= len(idx) - read
			slices.SortStableFunc(rows[start:end], warehouseOrder)
		}
		end = start
	}
}

// warehouseOrder compares two rows of one table as the warehouse sorts
// them: the département first, then territories and breakdowns in order.
func warehouseOrder(a, b export.Row) int {
	rank := func(r export.Row) int {
		if r.Territory == export.Total {
			return 0
		}
		return 1
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Territory, b.Territory); c != 0 {
		return c
	}
	for _, d := range indicators.Dimensions {
		if c := cmp.Compare(a.Dims[d], b.Dims[d]); c != 0 {
			return c
		}
	}
	return 0
}

// conservative protects a table that cannot be audited: if any cell is
// small, every non-zero cell is suppressed.
func conservative(ds *export.Dataset, idx []int) {
	any := false
	for _, i := range idx {
		r := &ds.Rows[i]
		if small(r.Numerator, ds.Threshold) || (isShare(r.Unit.String()) && small(r.Denominator, ds.Threshold)) {
			r.Conf, any = export.Primary, true
		}
	}
	if !any {
		return
	}
	for _, i := range idx {
		r := &ds.Rows[i]
		if r.Conf == export.Free && r.Numerator.Float64() != 0 {
			r.Conf = export.Secondary
		}
	}
}

// groupKey names the table a row belongs to: its indicator, département
// and year.
func groupKey(r *export.Row) string {
	return r.Indicator + "|" + r.Dep + "|" + strconv.Itoa(r.Period)
}

// placeKeys returns, for each row that counts children (a non-zero
// numerator, not hours), a hash of its family, place, period, breakdowns
// other than totals and numerator: rows of equal key count the same
// children. Zero for the other rows, and for the rows of a family,
// département and year that has no suppressed cell: suppressions spread
// within one (propagate, and the protection of its tables again), so
// computed once the tables are first protected, it serves every pass. A
// collision could only hide one cell too many.
func placeKeys(rows []export.Row, decl map[string]export.Indicator) []uint64 {
	type place struct {
		family, dep string
		period      int
	}
	withSuppressed := map[place]bool{}
	for i := range rows {
		if r := &rows[i]; r.Conf != export.Free {
			withSuppressed[place{decl[r.Indicator].Family, r.Dep, r.Period}] = true
		}
	}
	seed := maphash.MakeSeed()
	keys := make([]uint64, len(rows))
	var h maphash.Hash
	for start, end := range tables(rows) {
		first := &rows[start]
		ind := decl[first.Indicator]
		if ind.Unit == "hours" || !withSuppressed[place{ind.Family, first.Dep, first.Period}] {
			continue
		}
		for i := start; i < end; i++ {
			r := &rows[i]
			if r.Numerator.Float64() == 0 {
				continue
			}
			h.SetSeed(seed)
			for _, s := range [...]string{ind.Family, r.Dep, r.Territory} {
				h.WriteString(s)
				h.WriteByte(0)
			}
			writeUint64(&h, uint64(r.Period))
			writeDims(&h, r.Dims)
			writeUint64(&h, math.Float64bits(r.Numerator.Float64()))
			keys[i] = h.Sum64() | 1 // never 0
		}
	}
	return keys
}

// propagate suppresses a row whose numerator equals a suppressed numerator
// of another indicator of the same family at the same place and period
// (same place key), and returns the tables that gained a suppression.
func propagate(ds *export.Dataset, places []uint64) (changed []string) {
	hidden := map[uint64]bool{}
	for i, k := range places {
		if k != 0 && ds.Rows[i].Conf != export.Free {
			hidden[k] = true
		}
	}
	marked := map[string]bool{}
	for i, k := range places {
		r := &ds.Rows[i]
		if k != 0 && r.Conf == export.Free && hidden[k] {
			r.Conf = export.Secondary
			if g := groupKey(r); !marked[g] {
				marked[g] = true
				changed = append(changed, g)
			}
		}
	}
	return changed
}

// withholdPrevious removes N−1 and the evolution where N−1 is suppressed.
// Rows are keyed by the hash of their cell (cellKey): a collision could
// only withhold one N−1 too many. Only the tables whose N−1 table has a
// suppressed cell are looked at (tables are runs of rows, see groupRows).
func withholdPrevious(ds *export.Dataset) {
	seed := maphash.MakeSeed()
	type table struct {
		indicator, dep string
		period         int
	}
	suppressed := map[uint64]bool{}
	withSuppressed := map[table]bool{}
	for i := range ds.Rows {
		if r := &ds.Rows[i]; r.Conf != export.Free {
			suppressed[cellKey(seed, r)] = true
			withSuppressed[table{r.Indicator, r.Dep, r.Period}] = true
		}
	}
	if len(suppressed) == 0 {
		return
	}
	for start, end := range tables(ds.Rows) {
		if first := &ds.Rows[start]; !withSuppressed[table{first.Indicator, first.Dep, first.Period - 1}] {
			continue
		}
		for i := start; i < end; i++ {
			r := &ds.Rows[i]
			if (r.Previous.Valid() || r.Evolution.Valid()) && suppressed[cellKeyIn(seed, r, r.Period-1)] {
				r.Previous, r.Evolution = export.Figure{}, export.Figure{}
			}
		}
	}
}

func rowKey(r *export.Row, breakdowns []string) []string {
	key := make([]string, 1, 1+len(breakdowns))
	key[0] = r.Territory
	for _, b := range breakdowns {
		key = append(key, r.Dims[b])
	}
	return key
}

func isShare(unit string) bool { return unit == "%" || unit == "ratio" }

// missing lists the combinations of one value per dimension (values,
// pos giving each value's place) that no cell has, in the order of values.
func missing(values [][]string, pos []map[string]int, cells []disclosure.Cell) [][]string {
	size := 1
	for _, vs := range values {
		size *= len(vs)
	}
	seen := make([]bool, size) // by offset: Σ place × stride, the last dimension fastest
	for _, c := range cells {
		o := 0
		for d, v := range c.Key {
			o = o*len(values[d]) + pos[d][v]
		}
		seen[o] = true
	}
	var out [][]string
	for o, ok := range seen {
		if ok {
			continue
		}
		key := make([]string, len(values))
		for d := len(values) - 1; d >= 0; d-- {
			key[d] = values[d][o%len(values[d])]
			o /= len(values[d])
		}
		out = append(out, key)
	}
	return out
}
