package xlsx

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// Row numbers of a Drees sheet: three lines of context, a blank line, the
// header, then the table.
const (
	dreesTitleRow  = 1
	dreesSourceRow = 2
	dreesChampRow  = 3
	dreesHeaderRow = 5
)

// pivot is one indicator laid out territories × years, keeping the rows
// that sum over every breakdown.
type pivot struct {
	years []int
	marks map[int]string // year → "p" or "i" when a value of the year is
	lines []pivotLine
}

type pivotLine struct {
	dep, territory string
	cells          map[int]*export.Row // year → row
}

// label is the Territoire cell of the line.
func (l pivotLine) label(multi bool) string {
	if l.territory == export.Total {
		if multi {
			return "Ensemble du département " + l.dep
		}
		return "Ensemble du département"
	}
	return l.territory
}

// buildPivot lays out the rows of ind: départements in code order, each
// one's total line first, then its territories in code order.
func buildPivot(ds *export.Dataset, ind string) pivot {
	p := pivot{marks: make(map[int]string)}
	index := make(map[[2]string]int)
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if r.Indicator != ind || !isTotal(r) {
			continue
		}
		key := [2]string{r.Dep, r.Territory}
		li, ok := index[key]
		if !ok {
			li = len(p.lines)
			index[key] = li
			p.lines = append(p.lines, pivotLine{dep: r.Dep, territory: r.Territory, cells: make(map[int]*export.Row)})
		}
		p.lines[li].cells[r.Period] = r
		p.years = append(p.years, r.Period)
		switch {
		case r.Status == export.Incomplete:
			p.marks[r.Period] = SignIncomplete
		case r.Status == export.Provisional && p.marks[r.Period] == "":
			p.marks[r.Period] = SignProvisional
		}
	}
	slices.Sort(p.years)
	p.years = slices.Compact(p.years)
	slices.SortFunc(p.lines, func(a, b pivotLine) int {
		return cmp.Or(
			cmp.Compare(a.dep, b.dep),
			cmpBool(a.territory != export.Total, b.territory != export.Total),
			cmp.Compare(a.territory, b.territory),
		)
	})
	return p
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// writeDrees writes one sheet per indicator; omitted, when not empty, is
// a note under each table on what the workbook leaves out of its profile.
func writeDrees(f *excelize.File, ds *export.Dataset, omitted string) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if len(ds.Indicators) == 0 {
		return fmt.Errorf("the dataset declares no indicator")
	}
	names := newSheetNamer()
	multi := multiDep(ds)
	for i := range ds.Indicators {
		ind := &ds.Indicators[i]
		sheet := names.name(ind.Label)
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), sheet)
		} else {
			_, err = f.NewSheet(sheet)
		}
		if err != nil {
			return fmt.Errorf("create sheet %s: %w", sheet, err)
		}
		if err := writeDreesSheet(f, st, ds, ind, sheet, multi, omitted); err != nil {
			return fmt.Errorf("sheet %s (%s): %w", sheet, ind.ID, err)
		}
	}
	return nil
}

func writeDreesSheet(f *excelize.File, st *styles, ds *export.Dataset, ind *export.Indicator, sheet string, multi bool, omitted string) error {
	p := buildPivot(ds, ind.ID)
	if err := printSetup(f, sheet, fmt.Sprintf("$1:$%d", dreesHeaderRow)); err != nil {
		return err
	}
	notes := dreesNotes(ds, ind, omitted)
	lastRow := dreesHeaderRow + len(p.lines)
	if len(notes) > 0 {
		lastRow += 1 + len(notes)
	}
	if err := declareRange(f, sheet, len(p.years)+1, lastRow); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("open stream writer: %w", err)
	}
	if err := sw.SetColWidth(1, 1, 34); err != nil {
		return err
	}
	if len(p.years) > 0 {
		if err := sw.SetColWidth(2, len(p.years)+1, 12); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: dreesHeaderRow,
		TopLeftCell: "B" + strconv.Itoa(dreesHeaderRow+1),
		ActivePane:  "bottomRight",
		Selection:   []excelize.Selection{{SQRef: "B6", ActiveCell: "B6", Pane: "bottomRight"}},
	}); err != nil {
		return fmt.Errorf("freeze panes: %w", err)
	}

	w := &streamCursor{sw: sw}
	w.line(dreesTitleRow, excelize.Cell{StyleID: st.subtitle, Value: dreesTitle(ind)})
	w.line(dreesSourceRow, "Source : "+dreesSource(ind, ds.Sources))
	w.line(dreesChampRow, "Champ : "+dreesChamp(ind))

	header := []any{excelize.Cell{StyleID: st.header, Value: "Territoire"}}
	for _, y := range p.years {
		h := strconv.Itoa(y)
		if m := p.marks[y]; m != "" {
			h += " (" + m + ")"
		}
		header = append(header, excelize.Cell{StyleID: st.headerNum, Value: h})
	}
	w.line(dreesHeaderRow, header...)

	row := dreesHeaderRow + 1
	for _, l := range p.lines {
		cells := []any{l.label(multi)}
		for _, y := range p.years {
			cell, err := dreesCell(st, l.cells[y])
			if err != nil {
				return fmt.Errorf("%s %d: %w", l.territory, y, err)
			}
			cells = append(cells, cell)
		}
		w.line(row, cells...)
		row++
	}
	row++
	for _, note := range notes {
		w.line(row, excelize.Cell{StyleID: st.note, Value: note})
		row++
	}
	if w.err != nil {
		return w.err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// dreesCell is a table cell: the value, "s" when suppressed, "-" when the
// territory has no value that year.
func dreesCell(st *styles, r *export.Row) (any, error) {
	switch {
	case r == nil:
		return excelize.Cell{StyleID: st.sign, Value: SignNotRelevant}, nil
	case r.Conf != export.Free:
		return excelize.Cell{StyleID: st.sign, Value: SignSecret}, nil
	case !r.Value.Valid():
		return excelize.Cell{StyleID: st.sign, Value: SignNotRelevant}, nil
	}
	id, err := st.number(valueFormat(r.Unit.String(), r.Value.Float64()))
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: id, Value: r.Value.Float64()}, nil
}

func dreesTitle(ind *export.Indicator) string {
	return fmt.Sprintf("%s, par territoire (%s)", ind.Label, unitLabels[ind.Unit])
}

// dreesSource names the indicator's sources in words
// (export.Provenance), never the warehouse's tables.
func dreesSource(ind *export.Indicator, sources []export.Source) string {
	src := "observatoire départemental de la protection de l'enfance"
	if words := export.Provenance([]export.Indicator{*ind}, sources); len(words) > 0 {
		src += ", d'après " + strings.Join(words, " ; ")
	}
	return src + "."
}

func dreesChamp(ind *export.Indicator) string {
	champ := strings.TrimSuffix(strings.TrimSpace(ind.Definition), ".")
	if champ == "" {
		champ = ind.Label
	}
	if ind.ReferenceDate != "" {
		champ += " ; situation au " + ind.ReferenceDate
	}
	return champ + "."
}

// dreesNotes are the lines under the table.
func dreesNotes(ds *export.Dataset, ind *export.Indicator, omitted string) []string {
	notes := []string{"Signes conventionnels : s : secret statistique ; p : provisoire ; i : incomplet ; - : sans objet."}
	if ind.Numerator != "" || ind.Denominator != "" {
		notes = append(notes, fmt.Sprintf("Calcul : numérateur : %s ; dénominateur : %s.",
			cmp.Or(ind.Numerator, "sans objet"), cmp.Or(ind.Denominator, "sans objet")))
	}
	if ind.Convention != "" {
		notes = append(notes, "Convention : "+ind.Convention)
	}
	if ds.Threshold > 0 {
		notes = append(notes, disclosureRule(ds.Threshold))
	}
	if omitted != "" {
		notes = append(notes, omitted)
	}
	return append(notes, fmt.Sprintf("Édition du %s.", parisTime(ds.Generated).Format("02/01/2006")))
}

// streamCursor writes stream rows and keeps the first error.
type streamCursor struct {
	sw  *excelize.StreamWriter
	err error
}

func (c *streamCursor) line(row int, values ...any) {
	if c.err != nil {
		return
	}
	if c.err = c.sw.SetRow("A"+strconv.Itoa(row), values); c.err != nil {
		c.err = fmt.Errorf("row %d: %w", row, c.err)
	}
}

// multiDep reports whether the dataset spans several départements, in
// which case the tables get a Département column.
func multiDep(ds *export.Dataset) bool {
	for i := 1; i < len(ds.Rows); i++ {
		if ds.Rows[i].Dep != ds.Rows[0].Dep {
			return true
		}
	}
	return false
}
