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

// protectTogether protects the datasets of the external profiles
// together, since every external profile may become public and their
// readers may put them side by side: they are cut from one dataset, the
// union of their indicators and breakdowns, protected once (see protect)
// with, for each cell, the threshold of the strictest profile that
// publishes it. A cell hidden in one external profile is thus hidden in
// every other that publishes it, a cell two profiles share is protected
// at the higher of their thresholds, and each profile publishes a part of
// one protected set of tables, which cannot uncover what the set hides.
//
// ready receives each profile's dataset once protected.
func protectTogether(v *values, profiles []configs.Export, ready func(configs.Export, *export.Dataset)) error {
	if len(profiles) == 0 {
		return nil
	}
	union := unionOf(profiles)
	ds := v.of(union)
	published(ds, profiles, v.links)
	sys := &system{links: v.links, threshold: strictest(ds, profiles)}
	if err := protect(ds, sys); err != nil {
		return fmt.Errorf("disclosure control (%s): %w", union.Name, err)
	}
	for _, p := range profiles {
		ready(p, cut(ds, union, p))
	}
	return nil
}

// published narrows ds, the union of profiles, in place to the cells some
// profile publishes: each indicator keeps the breakdowns of the profiles
// that publish it, not those of the union (the crip counts, which no
// profile publishes by territory, lose the territory). A cell nobody
// publishes is unknown to every reader: protecting it as a cell of the
// table would only take complementary cells, often the totals, to hide
// what is not shown. An indicator that a share or rate declares as its
// numerator or denominator keeps the breakdowns of that share too, and
// those the declaration fixes, so that the cells the share gives stay in
// the tables.
func published(ds *export.Dataset, profiles []configs.Export, links map[string]indicators.Links) {
	if len(profiles) < 2 {
		return
	}
	type need struct {
		all  bool
		dims map[string]bool // "territory" too
	}
	needs := map[string]*need{}
	add := func(id string, breakdowns []string) {
		n := needs[id]
		if n == nil {
			n = &need{dims: map[string]bool{}}
			needs[id] = n
		}
		if breakdowns == nil {
			n.all = true
		}
		for _, b := range breakdowns {
			n.dims[b] = true
		}
	}
	for _, ind := range ds.Indicators {
		for _, p := range profiles {
			if selected(p.Indicators, ind.ID) {
				add(ind.ID, p.Breakdowns)
			}
		}
	}
	// A share's cells: the breakdowns of the share and the fixed ones. A
	// share may refer to a share: repeat until nothing grows (at most as
	// many rounds as links).
	for range len(links) + 1 {
		grew := false
		for id, l := range links {
			from := needs[id]
			if from == nil {
				continue
			}
			for _, ref := range []*indicators.Ref{l.Numerator, l.Denominator} {
				if ref == nil || needs[ref.ID] == nil {
					continue
				}
				to := needs[ref.ID]
				if from.all && !to.all {
					to.all, grew = true, true
				}
				for d := range from.dims {
					if !to.dims[d] {
						to.dims[d], grew = true, true
					}
				}
				for d := range ref.Fixed {
					if !to.dims[d] {
						to.dims[d], grew = true, true
					}
				}
			}
		}
		if !grew {
			break
		}
	}
	scopes := map[string]*scope{}
	narrowed := false
	for i, ind := range ds.Indicators {
		n := needs[ind.ID]
		if n == nil || n.all {
			continue
		}
		bs := make([]string, 0, len(n.dims))
		for d := range n.dims {
			bs = append(bs, d)
		}
		sc := newScope(bs)
		if sc.all {
			continue
		}
		scopes[ind.ID] = sc
		ds.Indicators[i] = sc.indicator(ind)
		narrowed = true
	}
	if !narrowed {
		return
	}
	// Rows keep their Dims (a breakdown an indicator no longer carries is
	// its total there, which cell keys leave out): only rows are dropped.
	out := ds.Rows[:0]
	for start, end := range export.Runs(ds.Rows, export.SameIndicator) {
		sc := scopes[ds.Rows[start].Indicator]
		for i := start; i < end; i++ {
			if sc == nil || sc.in(&ds.Rows[i]) {
				out = append(out, ds.Rows[i])
			}
		}
	}
	clear(ds.Rows[len(out):])
	ds.Rows = out
	ds.Dimensions = dimensions(ds.Indicators)
}

// strictest returns, for each row of ds (the union of profiles), the
// highest threshold of the profiles that publish it; nil when the
// profiles share one threshold (ds.Threshold).
func strictest(ds *export.Dataset, profiles []configs.Export) []int {
	higher := false
	for _, p := range profiles {
		higher = higher || p.Threshold > ds.Threshold
	}
	if !higher {
		return nil
	}
	out := make([]int, len(ds.Rows))
	for _, p := range profiles {
		if p.Threshold <= ds.Threshold {
			continue
		}
		sc := newScope(p.Breakdowns)
		for i := range ds.Rows {
			r := &ds.Rows[i]
			if p.Threshold > out[i] && selected(p.Indicators, r.Indicator) && sc.in(r) {
				out[i] = p.Threshold
			}
		}
	}
	return out
}

// unionOf is a profile carrying the indicators and breakdowns of every
// profile of group, at the lowest of their thresholds (protect raises it
// for the cells a stricter profile publishes).
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
		u.Threshold = min(u.Threshold, p.Threshold)
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
// indicators, within its breakdowns, with p's description and threshold;
// its rows are those of ds when it has them all.
func cut(ds *export.Dataset, union, p configs.Export) *export.Dataset {
	out := *ds
	out.Profile, out.Title, out.StructureID, out.Threshold = p.Name, p.Title, p.StructureID, p.Threshold
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
// p's: every external profile, as they are protected together (see
// protectTogether), by name.
func externalPeers(p configs.Export, all []configs.Export) []configs.Export {
	if p.Audience != "external" {
		return nil
	}
	var out []configs.Export
	for _, q := range all {
		if q.Audience == "external" {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b configs.Export) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
