package xlsx

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// Fixed sheet names of the Observatoire layout.
const (
	SheetReadme = "Lisez-moi"
	SheetCharts = "Graphiques"
)

// column is a column of a long table: its header and width.
type column struct {
	header  string
	width   float64
	numeric bool // right-aligned header
}

// MaxSheetRows is the number of data rows a family sheet holds before the
// family continues on another sheet (Excel's limit is 1,048,576 rows).
var MaxSheetRows = 1_000_000

// writeObservatoire writes the study workbook; omitted, when not empty,
// says on the Lisez-moi sheet what the workbook leaves out of its profile.
func writeObservatoire(f *excelize.File, ds *export.Dataset, omitted string) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), SheetReadme); err != nil {
		return fmt.Errorf("rename first sheet: %w", err)
	}
	if err := writeReadme(f, st, ds, omitted); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetReadme, err)
	}
	names := newSheetNamer(SheetReadme, SheetCharts)
	table := 0
	for _, fam := range families(ds) {
		// A sheet holds at most MaxSheetRows rows: a larger family (the ASE
		// values of a national warehouse) continues on "ASE (2)"…
		for part, start := 1, 0; start < len(fam.rows) || start == 0; part, start = part+1, start+MaxSheetRows {
			label := familyLabel(fam.name)
			if part > 1 {
				label = fmt.Sprintf("%s (%d)", label, part)
			}
			sheet := names.name(label)
			table++
			rows := fam.rows[start:min(start+MaxSheetRows, len(fam.rows))]
			if err := writeFamily(f, st, ds, sheet, fmt.Sprintf("Famille%d", table), rows); err != nil {
				return fmt.Errorf("sheet %s: %w", sheet, err)
			}
			if len(fam.rows) == 0 {
				break
			}
		}
	}
	if err := writeCharts(f, st, ds); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetCharts, err)
	}
	return nil
}

// family is one indicator family and the indices of its rows in ds.Rows.
type family struct {
	name string
	rows []int
}

// families groups the rows by indicator family, families in the order the
// indicators declare them, rows in dataset order.
func families(ds *export.Dataset) []family {
	var out []family
	index := make(map[string]int)
	famOf := make(map[string]int, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		key := strings.ToLower(ind.Family)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, family{name: ind.Family})
		}
		famOf[ind.ID] = i
	}
	for i := range ds.Rows {
		fi := famOf[ds.Rows[i].Indicator]
		out[fi].rows = append(out[fi].rows, i)
	}
	return out
}

// longColumns returns the columns of a family sheet.
func longColumns(ds *export.Dataset, withDep bool) []column {
	cols := []column{{"Indicateur", 42, false}}
	if withDep {
		cols = append(cols, column{"Département", 12, false})
	}
	cols = append(cols, column{"Territoire", 24, false})
	for _, d := range ds.Dimensions {
		cols = append(cols, column{dimLabel(d), 16, false})
	}
	return append(cols,
		column{"Année", 8, true},
		column{"Valeur", 12, true},
		column{"Unité", 13, false},
		column{"Numérateur", 13, true},
		column{"Dénominateur", 14, true},
		column{"N−1", 12, true},
		column{"Évolution", 12, true},
		column{"Statut", 8, false},
	)
}

// multiDep reports whether the dataset spans several départements, in
// which case the long tables get a Département column.
func multiDep(ds *export.Dataset) bool {
	for i := 1; i < len(ds.Rows); i++ {
		if ds.Rows[i].Dep != ds.Rows[0].Dep {
			return true
		}
	}
	return false
}

// writeFamily streams the long table of one family.
func writeFamily(f *excelize.File, st *styles, ds *export.Dataset, sheet, table string, rows []int) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return fmt.Errorf("create sheet: %w", err)
	}
	if err := printSetup(f, sheet, "$1:$1"); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("open stream writer: %w", err)
	}
	withDep := multiDep(ds)
	cols := longColumns(ds, withDep)
	if err := setupTable(sw, cols); err != nil {
		return err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		style := st.header
		if c.numeric {
			style = st.headerNum
		}
		header[i] = excelize.Cell{StyleID: style, Value: c.header}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("header: %w", err)
	}

	labels := make(map[string]string, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		labels[ind.ID] = ind.Label
	}
	values := make([]any, len(cols))
	for n, i := range rows {
		r := &ds.Rows[i]
		if err := longRow(values, st, ds, r, labels[r.Indicator], withDep); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return fmt.Errorf("write row %d: %w", i, err)
		}
	}
	if len(rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(cols), len(rows)+1)
		if err := sw.AddTable(&excelize.Table{
			Range:          "A1:" + last,
			Name:           table,
			StyleName:      "TableStyleLight9",
			ShowRowStripes: ptr(true),
		}); err != nil {
			return fmt.Errorf("add table: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// setupTable sets the column widths and freezes the header row: stream
// writers need both before the first row.
func setupTable(sw *excelize.StreamWriter, cols []column) error {
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("column %s width: %w", c.header, err)
		}
	}
	return sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

// longRow fills values with the cells of r in a family sheet.
func longRow(values []any, st *styles, ds *export.Dataset, r *export.Row, label string, withDep bool) error {
	hidden := r.Conf != export.Free
	valueFmt := func(v float64) string { return valueFormat(r.Unit, v) }
	evolutionFmt := func(float64) string { return evolutionFormat(r.Unit) }

	n := 0
	put := func(v any) { values[n] = v; n++ }
	num := func(v *float64, format func(float64) string) error {
		cell, err := st.numberCell(v, hidden, format)
		put(cell)
		return err
	}
	put(label)
	if withDep {
		put(r.Dep)
	}
	put(territoryLabel(r))
	for _, d := range ds.Dimensions {
		if v, ok := r.Dims[d]; ok {
			put(v)
		} else {
			put(SignNotRelevant)
		}
	}
	put(r.Period)
	err := num(r.Value, valueFmt)
	put(excelize.Cell{StyleID: st.center, Value: unitLabels[r.Unit]})
	err = cmp.Or(err,
		num(r.Numerator, countFormat),
		num(r.Denominator, countFormat),
		num(r.Previous, valueFmt),
		num(r.Evolution, evolutionFmt))
	if s := statusSigns(r); s != "" {
		put(excelize.Cell{StyleID: st.center, Value: s})
	} else {
		put(nil)
	}
	return err
}

// cursor writes the Lisez-moi sheet line by line with normal calls.
type cursor struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
}

// styled is a value with its style, for cursor.line.
type styled struct {
	style int
	value any
}

// line writes values from column A of the current row and moves down.
func (c *cursor) line(values ...any) {
	for i, v := range values {
		if c.err != nil {
			return
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, c.row)
		style := 0
		if s, ok := v.(styled); ok {
			style, v = s.style, s.value
		}
		if v == nil {
			continue
		}
		if c.err = c.f.SetCellValue(c.sheet, cell, v); c.err == nil && style != 0 {
			c.err = c.f.SetCellStyle(c.sheet, cell, cell, style)
		}
	}
	c.row++
}

func (c *cursor) skip() { c.row++ }

// readmeWidths are the widths of the Lisez-moi columns: labels, values,
// then the rest of the sources' table.
var readmeWidths = []float64{26, 70, 18, 10, 68}

// readmeOmitted labels the Lisez-moi line of a workbook narrower than its
// profile's data.
const readmeOmitted = "Hors de ce classeur"

// readmeLast is the last column of the Lisez-moi sheet.
const readmeLast = "E"

func writeReadme(f *excelize.File, st *styles, ds *export.Dataset, omitted string) error {
	if err := printSetup(f, SheetReadme, ""); err != nil {
		return err
	}
	for i, w := range readmeWidths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(SheetReadme, col, col, w); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
	}
	integer, err := st.number(fmtInteger)
	if err != nil {
		return err
	}
	c := &cursor{f: f, sheet: SheetReadme, row: 1}
	lbl := func(s string) styled { return styled{st.label, s} }

	c.line(styled{st.title, ds.Title})
	c.skip()
	c.line(lbl("Date de génération"), styled{st.date, parisTime(ds.Generated)})
	c.line(lbl("Profil d'export"), ds.Profile)
	c.line(lbl("Diffusion"), audienceLabel(ds.Audience))
	c.line(lbl("Exécution n°"), styled{st.text, strconv.FormatInt(ds.RunID, 10)})
	if omitted != "" {
		c.line(lbl(readmeOmitted), omitted)
	}
	c.skip()

	c.line(styled{st.subtitle, "Sources"})
	c.line(headerCells(st, "Traitement", "Fichier", "Date du fichier", "Lignes", "Empreinte SHA-256")...)
	for _, s := range ds.Sources {
		c.line(s.Job, s.Path, styled{st.date, parisTime(s.Modified)}, styled{integer, s.Rows}, s.SHA256)
	}
	c.skip()

	c.line(styled{st.subtitle, "Indicateurs"})
	for i := range ds.Indicators {
		readmeIndicator(c, st, &ds.Indicators[i])
	}

	c.line(styled{st.subtitle, "Secret statistique"})
	ruleRow := c.row
	c.line(styled{st.wrap, disclosureRule(ds.Threshold)})
	c.skip()

	c.line(styled{st.subtitle, "Signes conventionnels"})
	for _, s := range legend {
		c.line(lbl(s[0]), s[1])
	}
	c.skip()

	c.line(styled{st.subtitle, "Lecture"})
	for _, s := range readingNotes {
		c.line(s)
	}
	if c.err != nil {
		return c.err
	}
	// The disclosure rule is one long sentence: let it wrap over A:E.
	row := strconv.Itoa(ruleRow)
	if err := f.MergeCell(SheetReadme, "A"+row, readmeLast+row); err != nil {
		return fmt.Errorf("merge disclosure rule: %w", err)
	}
	if err := f.SetRowHeight(SheetReadme, ruleRow, 32); err != nil {
		return fmt.Errorf("disclosure rule height: %w", err)
	}
	return nil
}

// readmeIndicator writes the declaration of one indicator, one field a
// line, "-" for a field that does not apply.
func readmeIndicator(c *cursor, st *styles, ind *export.Indicator) {
	dims := make([]string, len(ind.Breakdowns))
	for i, d := range ind.Breakdowns {
		dims[i] = dimLabel(d)
	}
	key := "non"
	if ind.Key {
		key = "oui (voir la feuille " + SheetCharts + ")"
	}
	c.line(styled{st.label, "Indicateur"}, styled{st.label, ind.Label})
	for _, field := range [][2]string{
		{"Identifiant", ind.ID},
		{"Famille", familyLabel(ind.Family)},
		{"Définition", ind.Definition},
		{"Unité", unitLabels[ind.Unit]},
		{"Numérateur", ind.Numerator},
		{"Dénominateur", ind.Denominator},
		{"Date de référence", ind.ReferenceDate},
		{"Convention", ind.Convention},
		{"Sources", strings.Join(ind.Sources, ", ")},
		{"Ventilations", strings.Join(dims, ", ")},
		{"Indicateur clé", key},
	} {
		value := cmp.Or(field[1], SignNotRelevant)
		if c.err == nil {
			c.err = c.f.SetRowHeight(c.sheet, c.row, wrapHeight(value, readmeWidths[1]))
		}
		c.line(field[0], styled{st.wrap, value})
	}
	c.skip()
}

// wrapHeight estimates the height in points of a row whose text wraps in
// a column of the given width (Excel does not fit rows on opening).
func wrapHeight(text string, width float64) float64 {
	lines := math.Ceil(float64(utf8.RuneCountInString(text)) / (width * 1.05))
	return 15 * max(1, lines)
}

// legend lists the signs used in the cells.
var legend = [][2]string{
	{SignSecret, "secret statistique"},
	{SignProvisional, "provisoire"},
	{SignIncomplete, "incomplet"},
	{SignNotRelevant, "sans objet"},
}

var readingNotes = []string{
	"Une feuille par famille d'indicateurs ; une ligne par indicateur, territoire, ventilation et année.",
	"« Ensemble du département » désigne le département ; « Ensemble » dans une ventilation désigne le total de cette ventilation.",
	"Les parts sont exprimées en pourcentage : 19,8 signifie 19,8 % ; de même pour les taux pour mille et pour 100 000.",
	"Évolution : écart en points avec N−1 pour les parts et les taux, variation relative en % pour les effectifs et les durées.",
	"Statut : s (secret statistique), p (provisoire), i (incomplet) ; vide quand la valeur est définitive.",
}

// disclosureRule states the disclosure control applied to the dataset.
func disclosureRule(threshold int) string {
	if threshold <= 0 {
		return "Aucun secret statistique n'est appliqué : ce classeur est réservé à un usage interne et ne doit pas être diffusé."
	}
	return fmt.Sprintf("Seuil : %d. Les effectifs inférieurs à %d et les taux dont le numérateur vaut 1 sont masqués "+
		"(secret primaire), ainsi que les cellules qui permettraient de les retrouver par différence (secret secondaire). "+
		"Une cellule masquée contient « s » : secret statistique.", threshold, threshold)
}

func audienceLabel(a string) string {
	switch a {
	case "internal":
		return "interne"
	case "external":
		return "externe"
	}
	return a
}

func headerCells(st *styles, headers ...string) []any {
	out := make([]any, len(headers))
	for i, h := range headers {
		out[i] = styled{st.header, h}
	}
	return out
}
