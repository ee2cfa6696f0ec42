package xlsx

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// chartData is what the charts of one key indicator plot: the
// département's value over the years (one series per département) and the
// territories' values in the latest year.
type chartData struct {
	ind    *export.Indicator
	years  []int
	deps   []string
	trend  map[string]map[int]*float64 // dep → year → value, nil if hidden
	latest int
	bars   []bar
}

type bar struct {
	label string
	value *float64
}

// collectChart gathers the rows of ind that sum over every breakdown.
func collectChart(ds *export.Dataset, ind *export.Indicator) chartData {
	d := chartData{ind: ind, trend: make(map[string]map[int]*float64)}
	var local []*export.Row
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Indicator != ind.ID || !isTotal(r) {
			continue
		}
		if r.Territory != export.Total {
			local = append(local, r)
			d.latest = max(d.latest, r.Period)
			continue
		}
		if d.trend[r.Dep] == nil {
			d.trend[r.Dep] = make(map[int]*float64)
			d.deps = append(d.deps, r.Dep)
		}
		if _, seen := d.trend[r.Dep][r.Period]; !seen {
			d.years = append(d.years, r.Period)
		}
		d.trend[r.Dep][r.Period] = r.Value
	}
	slices.Sort(d.years)
	d.years = slices.Compact(d.years)
	slices.Sort(d.deps)
	multi := len(d.deps) > 1
	for _, r := range local {
		if r.Period != d.latest {
			continue
		}
		label := r.Territory
		if multi {
			label = r.Dep + " " + label
		}
		d.bars = append(d.bars, bar{label, r.Value})
	}
	slices.SortFunc(d.bars, func(a, b bar) int { return cmp.Compare(a.label, b.label) })
	return d
}

// Chart geometry: a chart spans about chartRows rows of the default height.
const (
	chartWidth  = 520
	chartHeight = 300
	chartRows   = 17
)

// writeCharts fills the Graphiques sheet: for each key indicator, a data
// block in columns A–F and its charts beside it (line chart from H, bar
// chart from Q). It uses normal calls: charts need cell ranges.
func writeCharts(f *excelize.File, st *styles, ds *export.Dataset) error {
	if _, err := f.NewSheet(SheetCharts); err != nil {
		return fmt.Errorf("create sheet: %w", err)
	}
	if err := printSetup(f, SheetCharts, ""); err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 10, "B": 18, "C": 18, "D": 4, "E": 22, "F": 14, "G": 4} {
		if err := f.SetColWidth(SheetCharts, col, col, w); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
	}
	c := &cursor{f: f, sheet: SheetCharts, row: 1}
	c.line(styled{st.title, "Graphiques des indicateurs clés"})
	c.line(styled{st.note, "Les valeurs masquées par le secret statistique sont absentes des graphiques."})
	c.skip()
	if c.err != nil {
		return c.err
	}
	for i := range ds.Indicators {
		ind := &ds.Indicators[i]
		if !ind.Key {
			continue
		}
		next, err := writeChartBlock(f, st, collectChart(ds, ind), c.row)
		if err != nil {
			return fmt.Errorf("indicator %s: %w", ind.ID, err)
		}
		c.row = next
	}
	return nil
}

// writeChartBlock writes the data and charts of one indicator from row top
// and returns the first free row after it.
func writeChartBlock(f *excelize.File, st *styles, d chartData, top int) (int, error) {
	var styleErr error
	num := func(v *float64) any {
		cell, err := numberOrBlank(st, d.ind.Unit, v)
		if styleErr == nil {
			styleErr = err
		}
		return cell
	}
	c := &cursor{f: f, sheet: SheetCharts, row: top}
	c.line(styled{st.subtitle, d.ind.Label + " (" + unitLabels[d.ind.Unit] + ")"})
	head := c.row
	first := head + 1

	// Trend block: A = year, B… = one column per département.
	trend := []any{styled{st.header, "Année"}}
	for _, dep := range d.deps {
		trend = append(trend, styled{st.headerNum, "Département " + dep})
	}
	c.line(trend...)
	for _, y := range d.years {
		line := []any{y}
		for _, dep := range d.deps {
			line = append(line, num(d.trend[dep][y]))
		}
		c.line(line...)
	}
	// Bars block: E = territory, F = value in the latest year.
	if len(d.bars) > 0 {
		bc := &cursor{f: f, sheet: SheetCharts, row: head}
		bc.line(nil, nil, nil, nil, styled{st.header, "Territoire"}, styled{st.headerNum, fmt.Sprint(d.latest)})
		for _, b := range d.bars {
			bc.line(nil, nil, nil, nil, b.label, num(b.value))
		}
		if bc.err != nil {
			return 0, bc.err
		}
	}
	if err := cmp.Or(c.err, styleErr); err != nil {
		return 0, err
	}

	numFmt := valueFormat(d.ind.Unit, 0)
	if len(d.years) >= 2 {
		if err := f.AddChart(SheetCharts, fmt.Sprintf("H%d", top), trendChart(d, head, first, numFmt)); err != nil {
			return 0, fmt.Errorf("line chart: %w", err)
		}
	}
	if len(d.bars) > 0 {
		if err := f.AddChart(SheetCharts, fmt.Sprintf("Q%d", top), barChart(d, head, numFmt)); err != nil {
			return 0, fmt.Errorf("bar chart: %w", err)
		}
	}
	return top + max(chartRows+2, len(d.years)+3, len(d.bars)+3), nil
}

func trendChart(d chartData, head, first int, numFmt string) *excelize.Chart {
	last := first + len(d.years) - 1
	series := make([]excelize.ChartSeries, len(d.deps))
	for i := range d.deps {
		col, _ := excelize.ColumnNumberToName(i + 2)
		series[i] = excelize.ChartSeries{
			Name:       ref(col, head, col, head),
			Categories: ref("A", first, "A", last),
			Values:     ref(col, first, col, last),
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 6},
		}
	}
	return &excelize.Chart{
		Type:         excelize.Line,
		Series:       series,
		Title:        chartTitle(d.ind.Label + " : évolution"),
		Dimension:    excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
		ShowBlanksAs: "gap",
	}
}

func barChart(d chartData, head int, numFmt string) *excelize.Chart {
	first, last := head+1, head+len(d.bars)
	return &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       ref("F", head, "F", head),
			Categories: ref("E", first, "E", last),
			Values:     ref("F", first, "F", last),
		}},
		Title:     chartTitle(fmt.Sprintf("%s par territoire, %d", d.ind.Label, d.latest)),
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Legend:    excelize.ChartLegend{Position: "none"},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
	}
}

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 11}}}}
}

// ref is an absolute range of the Graphiques sheet.
func ref(c1 string, r1 int, c2 string, r2 int) string {
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetCharts, c1, r1, c2, r2)
}

// numberOrBlank is a chart data cell: the value with its format, or
// nothing when hidden or missing (charts leave a gap).
func numberOrBlank(st *styles, unit string, v *float64) (any, error) {
	if v == nil {
		return nil, nil
	}
	id, err := st.number(valueFormat(unit, *v))
	if err != nil {
		return nil, err
	}
	return styled{id, *v}, nil
}
