package profile

import (
	"errors"
	"fmt"
	"sort"
	"strings"

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
//     suppressed;
//   - N−1 and the evolution are withheld when N−1 is suppressed.
//
// Hours of activity identify no child and are left as they are. Suppressed
// rows lose every figure; their Conf says why.
func Protect(ds *export.Dataset) error {
	if ds.Threshold <= 1 {
		return nil
	}
	decl := map[string]export.Indicator{}
	for _, ind := range ds.Indicators {
		decl[ind.ID] = ind
	}
	groups := map[string][]int{}
	var order []string
	for i, r := range ds.Rows {
		k := fmt.Sprintf("%s|%s|%d", r.Indicator, r.Dep, r.Period)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		ind := decl[ds.Rows[groups[k][0]].Indicator]
		if ind.Unit == "hours" {
			continue
		}
		if err := protectGroup(ds, ind, groups[k]); err != nil {
			return fmt.Errorf("protect %s: %w", k, err)
		}
	}
	propagate(ds, decl)
	withholdPrevious(ds)
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Conf != export.Free {
			r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution = nil, nil, nil, nil, nil
		}
	}
	return nil
}

func small(v *float64, threshold int) bool {
	return v != nil && *v >= 0.5 && *v < float64(threshold)
}

// protectGroup protects one indicator's table for one département and year.
func protectGroup(ds *export.Dataset, ind export.Indicator, idx []int) error {
	dims := append([]string{"territory"}, ind.Breakdowns...)
	cells := make([]disclosure.Cell, 0, len(idx))
	seen := map[string]bool{}
	values := make([][]string, len(dims))
	for _, i := range idx {
		r := ds.Rows[i]
		key := rowKey(r, ind.Breakdowns)
		c := disclosure.Cell{Key: key, Value: value(r.Numerator)}
		if isShare(ind.Unit) && small(r.Denominator, ds.Threshold) && c.Value == 0 {
			c.Status = export.Primary // 0 % of 3 children is still 3 children
		}
		cells = append(cells, c)
		seen[strings.Join(key, "\x00")] = true
		for d, v := range key {
			values[d] = appendUnique(values[d], v)
		}
	}
	// CUBE leaves out empty combinations: they are zeros of the table.
	for _, key := range product(values) {
		if !seen[strings.Join(key, "\x00")] {
			cells = append(cells, disclosure.Cell{Key: key})
		}
	}
	t, err := disclosure.New(dims, cells)
	if err == nil {
		err = disclosure.Protect(t, ds.Threshold)
	}
	if err != nil && !errors.Is(err, disclosure.ErrIncomplete) && !errors.Is(err, disclosure.ErrNotAdditive) && !errors.Is(err, disclosure.ErrInvalid) {
		return err
	}
	if err != nil {
		conservative(ds, idx)
		return nil
	}
	for j, i := range idx {
		ds.Rows[i].Conf = t.Cells[j].Status
	}
	return nil
}

// conservative protects a table that cannot be audited: if any cell is
// small, every non-zero cell is suppressed.
func conservative(ds *export.Dataset, idx []int) {
	any := false
	for _, i := range idx {
		r := &ds.Rows[i]
		if small(r.Numerator, ds.Threshold) || (isShare(r.Unit) && small(r.Denominator, ds.Threshold)) {
			r.Conf, any = export.Primary, true
		}
	}
	if !any {
		return
	}
	for _, i := range idx {
		r := &ds.Rows[i]
		if r.Conf == export.Free && value(r.Numerator) != 0 {
			r.Conf = export.Secondary
		}
	}
}

// propagate suppresses a row whose numerator equals a suppressed numerator
// of another indicator of the same family at the same place and period.
func propagate(ds *export.Dataset, decl map[string]export.Indicator) {
	place := func(r export.Row) string {
		dims := make([]string, 0, len(r.Dims))
		for d, v := range r.Dims {
			if v != export.Total {
				dims = append(dims, d+"="+v)
			}
		}
		sort.Strings(dims)
		return fmt.Sprintf("%s|%s|%d|%s|%s|%g", decl[r.Indicator].Family, r.Dep, r.Period, r.Territory,
			strings.Join(dims, ","), value(r.Numerator))
	}
	hidden := map[string]bool{}
	for _, r := range ds.Rows {
		if r.Conf != export.Free && value(r.Numerator) != 0 && decl[r.Indicator].Unit != "hours" {
			hidden[place(r)] = true
		}
	}
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Conf == export.Free && value(r.Numerator) != 0 && decl[r.Indicator].Unit != "hours" && hidden[place(*r)] {
			r.Conf = export.Secondary
		}
	}
}

// withholdPrevious removes N−1 and the evolution where N−1 is suppressed.
func withholdPrevious(ds *export.Dataset) {
	key := func(r export.Row, period int) string {
		return fmt.Sprintf("%s|%s|%d|%s|%v", r.Indicator, r.Dep, period, r.Territory, sortedDims(r.Dims))
	}
	suppressed := map[string]bool{}
	for _, r := range ds.Rows {
		if r.Conf != export.Free {
			suppressed[key(r, r.Period)] = true
		}
	}
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if suppressed[key(*r, r.Period-1)] {
			r.Previous, r.Evolution = nil, nil
		}
	}
}

func rowKey(r export.Row, breakdowns []string) []string {
	key := []string{r.Territory}
	for _, b := range breakdowns {
		key = append(key, r.Dims[b])
	}
	return key
}

func sortedDims(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func isShare(unit string) bool { return unit == "%" || unit == "ratio" }

func value(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// product lists every combination of one value per dimension.
func product(values [][]string) [][]string {
	out := [][]string{{}}
	for _, vs := range values {
		var next [][]string
		for _, prefix := range out {
			for _, v := range vs {
				next = append(next, append(append([]string{}, prefix...), v))
			}
		}
		out = next
	}
	return out
}
