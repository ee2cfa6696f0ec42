package xlsx

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// Chart is what the charts of one key indicator plot: the département's
// value over the years (one series per département) and the territories'
// values in the latest year. It is kept in a workbook's Sheets, for the
// next workbook to draw the charts of families it does not have the rows
// of.
type Chart struct {
	Indicator string                      `json:"indicator"`
	Years     []int                       `json:"years"`
	Deps      []string                    `json:"deps"`
	Trend     map[string]map[int]*float64 `json:"trend"` // dep → year → value, nil if hidden
	Latest    int                         `json:"latest"`
	Bars      []Bar                       `json:"bars"`
}

// Bar is a territory's value in the latest year.
type Bar struct {
	Label string   `json:"label"`
	Value *float64 `json:"value"`
}

// collectChart gathers the rows of ind that sum over every breakdown.
func collectChart(ds *export.Dataset, ind *export.Indicator) Chart {
	d := Chart{Indicator: ind.ID, Trend: make(map[string]map[int]*float64)}
	var local []*export.Row
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Indicator != ind.ID || !isTotal(r) {
			continue
		}
		if r.Territory != export.Total {
			local = append(local, r)
			d.Latest = max(d.Latest, r.Period)
			continue
		}
		if d.Trend[r.Dep] == nil {
			d.Trend[r.Dep] = make(map[int]*float64)
			d.Deps = append(d.Deps, r.Dep)
		}
		if _, seen := d.Trend[r.Dep][r.Period]; !seen {
			d.Years = append(d.Years, r.Period)
		}
		d.Trend[r.Dep][r.Period] = pointer(r.Value)
	}
	slices.Sort(d.Years)
	d.Years = slices.Compact(d.Years)
	slices.Sort(d.Deps)
	multi := len(d.Deps) > 1
	for _, r := range local {
		if r.Period != d.Latest {
			continue
		}
		label := r.Territory
		if multi {
			label = r.Dep + " " + label
		}
		d.Bars = append(d.Bars, Bar{label, pointer(r.Value)})
	}
	slices.SortFunc(d.Bars, func(a, b Bar) int { return cmp.Compare(a.Label, b.Label) })
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
func writeCharts(f *excelize.File, st *styles, ds *export.Dataset, charts map[string]Chart) error {
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
	ext := &extent{}
	c := &cursor{f: f, sheet: SheetCharts, row: 1, ext: ext}
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
		next, err := writeChartBlock(f, st, ind, charts[ind.ID], c.row, ext)
		if err != nil {
			return fmt.Errorf("indicator %s: %w", ind.ID, err)
		}
		c.row = next
	}
	return declareRange(f, SheetCharts, ext.cols, ext.rows)
}

// writeChartBlock writes the data and charts of one indicator from row top
// and returns the first free row after it.
func writeChartBlock(f *excelize.File, st *styles, ind *export.Indicator, d Chart, top int, ext *extent) (int, error) {
	var styleErr error
	num := func(v *float64) any {
		cell, err := numberOrBlank(st, ind.Unit, v)
		if styleErr == nil {
			styleErr = err
		}
		return cell
	}
	c := &cursor{f: f, sheet: SheetCharts, row: top, ext: ext}
	c.line(styled{st.subtitle, ind.Label + " (" + unitLabels[ind.Unit] + ")"})
	head := c.row
	first := head + 1

	// Trend block: A = year, B… = one column per département.
	trend := []any{styled{st.header, "Année"}}
	for _, dep := range d.Deps {
		trend = append(trend, styled{st.headerNum, "Département " + dep})
	}
	c.line(trend...)
	for _, y := range d.Years {
		line := []any{y}
		for _, dep := range d.Deps {
			line = append(line, num(d.Trend[dep][y]))
		}
		c.line(line...)
	}
	// Bars block: E = territory, F = value in the latest year.
	if len(d.Bars) > 0 {
		bc := &cursor{f: f, sheet: SheetCharts, row: head, ext: ext}
		bc.line(nil, nil, nil, nil, styled{st.header, "Territoire"}, styled{st.headerNum, fmt.Sprint(d.Latest)})
		for _, b := range d.Bars {
			bc.line(nil, nil, nil, nil, b.Label, num(b.Value))
		}
		if bc.err != nil {
			return 0, bc.err
		}
	}
	if err := cmp.Or(c.err, styleErr); err != nil {
		return 0, err
	}

	numFmt := valueFormat(ind.Unit, 0)
	if len(d.Years) >= 2 {
		if err := f.AddChart(SheetCharts, fmt.Sprintf("H%d", top), trendChart(ind, d, head, first, numFmt)); err != nil {
			return 0, fmt.Errorf("line chart: %w", err)
		}
	}
	if len(d.Bars) > 0 {
		if err := f.AddChart(SheetCharts, fmt.Sprintf("Q%d", top), barChart(ind, d, head, numFmt)); err != nil {
			return 0, fmt.Errorf("bar chart: %w", err)
		}
	}
	return top + max(chartRows+2, len(d.Years)+3, len(d.Bars)+3), nil
}

func trendChart(ind *export.Indicator, d Chart, head, first int, numFmt string) *excelize.Chart {
	last := first + len(d.Years) - 1
	series := make([]excelize.ChartSeries, len(d.Deps))
	for i := range d.Deps {
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
		Title:        chartTitle(ind.Label + " : évolution"),
		Dimension:    excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
		ShowBlanksAs: "gap",
	}
}

func barChart(ind *export.Indicator, d Chart, head int, numFmt string) *excelize.Chart {
	first, last := head+1, head+len(d.Bars)
	return &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       ref("F", head, "F", head),
			Categories: ref("E", first, "E", last),
			Values:     ref("F", first, "F", last),
		}},
		Title:     chartTitle(fmt.Sprintf("%s par territoire, %d", ind.Label, d.Latest)),
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
