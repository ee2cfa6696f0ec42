package profile

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// protectTogether protects the datasets of the external profiles together,
// since their readers may put them side by side:
//
//   - the profiles of one threshold are cut from one dataset, the union of
//     their indicators and breakdowns, protected once (Protect): a cell two
//     of them publish is hidden in both or in neither, and each publishes
//     a part of one protected set of tables, which cannot uncover what the
//     set hides;
//   - a higher threshold starts from the cells the lower ones hid: they
//     enter its protection as already hidden (and get complementary cells
//     of their own), so it hides them too.
//
// ready receives each profile's dataset as soon as it is protected.
func protectTogether(v *values, profiles []configs.Export, ready func(configs.Export, *export.Dataset)) error {
	var thresholds []int
	for _, p := range profiles {
		thresholds = append(thresholds, p.Threshold)
	}
	slices.Sort(thresholds)
	var hidden *hiddenCells
	for _, t := range slices.Compact(thresholds) {
		var group []configs.Export
		for _, p := range profiles {
			if p.Threshold == t {
				group = append(group, p)
			}
		}
		union := unionOf(group)
		ds := v.of(union)
		if err := protect(ds, hidden); err != nil {
			return fmt.Errorf("disclosure control at threshold %d (%s): %w", t, union.Name, err)
		}
		if hidden == nil {
			hidden = &hiddenCells{seed: maphash.MakeSeed(), cells: map[uint64]bool{}, tables: map[string]bool{}}
		}
		for i := range ds.Rows {
			if r := &ds.Rows[i]; r.Conf != export.Free {
				hidden.cells[cellKey(hidden.seed, r)] = true
				hidden.tables[groupKey(r)] = true
			}
		}
		for _, p := range group {
			ready(p, cut(ds, union, p))
		}
	}
	return nil
}

// unionOf is a profile carrying the indicators and breakdowns of every
// profile of group, which share a threshold.
func unionOf(group []configs.Export) configs.Export {
	if len(group) == 1 {
		return group[0]
	}
	u := configs.Export{Audience: "external", Threshold: group[0].Threshold, Breakdowns: []string{}}
	for i, p := range group {
		if i > 0 {
			u.Name += "+"
		}
		u.Name += p.Name
		u.Indicators = append(u.Indicators, p.Indicators...)
		if p.Breakdowns == nil {
			u.Breakdowns = nil
		} else if u.Breakdowns != nil {
			u.Breakdowns = append(u.Breakdowns, p.Breakdowns...)
		}
	}
	if u.Breakdowns != nil {
		slices.Sort(u.Breakdowns)
		u.Breakdowns = slices.Compact(u.Breakdowns)
	}
	return u
}

// cut returns profile p's part of ds, the protected dataset of union: its
// indicators, within its breakdowns, with p's description; its rows are
// those of ds when it has them all.
func cut(ds *export.Dataset, union, p configs.Export) *export.Dataset {
	out := *ds
	out.Profile, out.Title, out.StructureID = p.Name, p.Title, p.StructureID
	if union.Name == p.Name {
		return &out
	}
	sc := newScope(p.Breakdowns)
	keep := map[string]bool{}
	out.Indicators = nil
	for _, ind := range ds.Indicators {
		if selected(p.Indicators, ind.ID) {
			out.Indicators = append(out.Indicators, sc.indicator(ind))
			keep[ind.ID] = true
		}
	}
	out.Dimensions = dimensions(out.Indicators)
	if sc.all && len(out.Indicators) == len(ds.Indicators) {
		return &out // every row: shared, as protection is over
	}
	out.Rows = sc.rows(keep, ds.Rows)
	return &out
}

// hiddenCells are the cells the protection at a lower threshold hid (see
// protectTogether), and their tables. A nil *hiddenCells holds none.
type hiddenCells struct {
	seed   maphash.Seed
	cells  map[uint64]bool // cellKey
	tables map[string]bool // groupKey
}

// cell reports whether the cell of r is hidden.
func (h *hiddenCells) cell(r *export.Row) bool {
	return h != nil && h.cells[cellKey(h.seed, r)]
}

// inTable reports whether a cell of r's table is hidden.
func (h *hiddenCells) inTable(r *export.Row) bool {
	return h != nil && h.tables[groupKey(r)]
}

// cellKey identifies the cell of a row whatever the breakdowns its
// dataset carries: the indicator, the place, the year and the breakdowns
// that are not totals. A collision could only hide one cell too many.
func cellKey(seed maphash.Seed, r *export.Row) uint64 { return cellKeyIn(seed, r, r.Period) }

// cellKeyIn is the cellKey of r's cell in the year period.
func cellKeyIn(seed maphash.Seed, r *export.Row, period int) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, s := range [...]string{r.Indicator, r.Dep, r.Territory} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	writeUint64(&h, uint64(period))
	writeDims(&h, r.Dims)
	return h.Sum64()
}

// writeUint64 writes n to h, as 8 bytes.
func writeUint64(h *maphash.Hash, n uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	h.Write(b[:])
}

// writeDims writes to h the breakdowns of dims that are not totals, in
// the order of indicators.Dimensions.
func writeDims(h *maphash.Hash, dims map[string]string) {
	for _, d := range indicators.Dimensions {
		if v, ok := dims[d]; ok && v != export.Total {
			h.WriteString(d)
			h.WriteByte('=')
			h.WriteString(v)
			h.WriteByte(0)
		}
	}
}

// externalPeers returns the external profiles whose protection shapes
// p's: those of a threshold at most p's (see protectTogether), by name.
func externalPeers(p configs.Export, all []configs.Export) []configs.Export {
	if p.Audience != "external" {
		return nil
	}
	var out []configs.Export
	for _, q := range all {
		if q.Audience == "external" && q.Threshold <= p.Threshold {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b configs.Export) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
