package xlsx

import (
	"archive/zip"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
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
// The sheets of prev's families are written empty, their table sized for
// their rows, and z.copies maps their parts to those of the earlier
// workbook (parts), for the zip writer to take them from there; the other
// family sheets' rows are written by z.fills (see writeRows) where they
// can be. It returns what the workbook holds of each family.
func writeObservatoire(f *excelize.File, ds *export.Dataset, omitted string, prev *Previous, parts map[string]*zip.File, z *copyingZip) (*Sheets, error) {
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	if err := st.registerNumbers(); err != nil {
		return nil, err
	}
	keys, err := newSheetKeys(f, ds, prev)
	if err != nil {
		return nil, err
	}
	if err := f.SetSheetName(f.GetSheetName(0), SheetReadme); err != nil {
		return nil, fmt.Errorf("rename first sheet: %w", err)
	}
	if err := writeReadme(f, st, ds, omitted); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", SheetReadme, err)
	}
	taken := map[string]FamilySheets{}
	if prev != nil {
		for _, fam := range prev.Families {
			taken[fam] = prev.Sheets.Families[fam]
		}
	}
	out := &Sheets{Families: map[string]FamilySheets{}}
	charts := map[string]Chart{}
	names := newSheetNamer(SheetReadme, SheetCharts)
	table := 0
	for _, fam := range families(ds) {
		earlier, reused := taken[fam.name]
		n := len(fam.rows)
		if reused {
			n = earlier.Rows
		}
		e := FamilySheets{Key: keys.key(fam.name), Rows: n}
		// A sheet holds at most MaxSheetRows rows: a larger family (the ASE
		// values of a national warehouse) continues on "ASE (2)"…
		for part := range sheetCount(n) {
			label := familyLabel(fam.name)
			if part > 0 {
				label = fmt.Sprintf("%s (%d)", label, part+1)
			}
			sheet := names.name(label)
			table++
			start := part * MaxSheetRows
			size := min(MaxSheetRows, n-start)
			var rows, streamed []int
			if !reused {
				rows = fam.rows[start : start+size]
			}
			// Rows excelize would write alike are written by a rowWriter
			// where the zip writer meets the sheet's part.
			spliced := spliceRows && len(rows) > 0 && plainRows(ds, rows, keys.withDep)
			if !spliced {
				streamed = rows
			}
			if err := writeFamily(f, st, ds, keys.withDep, sheet, fmt.Sprintf("Famille%d", table), streamed, size); err != nil {
				return nil, fmt.Errorf("sheet %s: %w", sheet, err)
			}
			name, err := sheetPart(f, sheet)
			if err != nil {
				return nil, err
			}
			e.Parts = append(e.Parts, name)
			switch {
			case reused:
				from, ok := parts[earlier.Parts[part]]
				if !ok {
					return nil, fmt.Errorf("%w: %s has no part %s", ErrNotReusable, prev.Path, earlier.Parts[part])
				}
				z.copies[name] = from
			case spliced:
				z.fills[name] = func(w io.Writer) error {
					if err := writeRows(w, st, ds, keys.withDep, rows); err != nil {
						return fmt.Errorf("sheet %s: %w", sheet, err)
					}
					return nil
				}
			}
		}
		if reused {
			e.Deps, e.Charts = earlier.Deps, earlier.Charts
		} else {
			e.Deps = depsOf(ds, fam.rows)
			for i := range ds.Indicators {
				if ind := &ds.Indicators[i]; ind.Key && ind.Family == fam.name {
					e.Charts = append(e.Charts, collectChart(ds, ind))
				}
			}
		}
		for _, c := range e.Charts {
			charts[c.Indicator] = c
		}
		out.Families[fam.name] = e
	}
	if err := writeCharts(f, st, ds, charts); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", SheetCharts, err)
	}
	return out, nil
}

// depsOf returns the départements of some rows of ds, sorted.
func depsOf(ds *export.Dataset, rows []int) []string {
	var deps []string
	for _, i := range rows {
		if d := ds.Rows[i].Dep; len(deps) == 0 || deps[len(deps)-1] != d {
			deps = append(deps, d)
		}
	}
	slices.Sort(deps)
	return slices.Compact(deps)
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

// Headers of the names beside the codes in a family sheet: the
// territory's name after "Territoire", the service's after the service
// breakdown's column. The code columns stay (formulas and joins use them).
const (
	HeaderTerritoryName = "Nom du territoire"
	HeaderServiceName   = "Nom du service"
)

// serviceDim is the breakdown whose codes are named by Dataset.ServiceName.
const serviceDim = "service"

// longColumns returns the columns of a family sheet: each code of a
// territory or a service is followed by its name.
func longColumns(ds *export.Dataset, withDep bool) []column {
	cols := []column{{"Indicateur", 42, false}}
	if withDep {
		cols = append(cols, column{"Département", 12, false})
	}
	cols = append(cols, column{"Territoire", 24, false}, column{HeaderTerritoryName, 30, false})
	for _, d := range ds.Dimensions {
		cols = append(cols, column{dimLabel(d), 16, false})
		if d == serviceDim {
			cols = append(cols, column{HeaderServiceName, 30, false})
		}
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

// writeFamily streams the long table of one family: its rows, or when
// rows is nil and size is not 0, only the header of a table of size rows
// (a sheet copied from an earlier workbook replaces it).
func writeFamily(f *excelize.File, st *styles, ds *export.Dataset, withDep bool, sheet, table string, rows []int, size int) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return fmt.Errorf("create sheet: %w", err)
	}
	if err := printSetup(f, sheet, "$1:$1"); err != nil {
		return err
	}
	cols := longColumns(ds, withDep)
	if err := declareRange(f, sheet, len(cols), size+1); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("open stream writer: %w", err)
	}
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

	err = longRows(st, ds, withDep, rows, func(line int, values []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, line)
		return sw.SetRow(cell, values)
	})
	if err != nil {
		return err
	}
	if size > 0 {
		last, _ := excelize.CoordinatesToCellName(len(cols), size+1)
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

// spliceRows lets a rowWriter write the family sheets' rows (tests turn
// it off to compare with excelize's own).
var spliceRows = true

// writeRows writes the rows of a family sheet, from its second line,
// with a rowWriter: the rows writeFamily writes, in the same bytes. It
// runs as the workbook is zipped, the styles written already: a number
// format with no style yet is an error (registerNumbers creates them all).
func writeRows(w io.Writer, st *styles, ds *export.Dataset, withDep bool, rows []int) error {
	st.frozen = true
	rw := newRowWriter(w, len(longColumns(ds, withDep)))
	if err := longRows(st, ds, withDep, rows, rw.row); err != nil {
		return err
	}
	return rw.flush()
}

// longRows hands the cells of each of rows, from the sheet's second line,
// to write (which may keep none of them).
func longRows(st *styles, ds *export.Dataset, withDep bool, rows []int, write func(line int, values []any) error) error {
	labels := make(map[string]string, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		labels[ind.ID] = ind.Label
	}
	values := make([]any, len(longColumns(ds, withDep)))
	for n, i := range rows {
		r := &ds.Rows[i]
		if err := longRow(values, st, ds, r, labels[r.Indicator], withDep); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		if err := write(n+2, values); err != nil {
			return fmt.Errorf("write row %d: %w", i, err)
		}
	}
	return nil
}

// plainRows reports whether every string of the rows' cells is one a
// rowWriter takes (see plainText).
func plainRows(ds *export.Dataset, rows []int, withDep bool) bool {
	for _, ind := range ds.Indicators {
		if !plainText(ind.Label) {
			return false
		}
	}
	for _, i := range rows {
		r := &ds.Rows[i]
		if !plainText(r.Territory) || (withDep && !plainText(r.Dep)) || !plainText(ds.TerritoryName(r.Dep, r.Territory)) {
			return false
		}
		for d, v := range r.Dims {
			if !plainText(v) || (d == serviceDim && !plainText(ds.ServiceName(r.Dep, v))) {
				return false
			}
		}
	}
	return true
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
	unit := r.Unit.String()
	valueFmt := func(v float64) string { return valueFormat(unit, v) }
	evolutionFmt := func(float64) string { return evolutionFormat(unit) }

	n := 0
	put := func(v any) { values[n] = v; n++ }
	num := func(v export.Figure, format func(float64) string) error {
		cell, err := st.numberCell(v, hidden, format)
		put(cell)
		return err
	}
	put(label)
	if withDep {
		put(r.Dep)
	}
	put(territoryLabel(r))
	put(nameCell(ds.TerritoryName(r.Dep, r.Territory)))
	for _, d := range ds.Dimensions {
		v, ok := r.Dims[d]
		if ok {
			put(v)
		} else {
			put(SignNotRelevant)
		}
		if d == serviceDim {
			if ok {
				put(nameCell(ds.ServiceName(r.Dep, v)))
			} else {
				put(SignNotRelevant)
			}
		}
	}
	put(r.Period)
	err := num(r.Value, valueFmt)
	put(excelize.Cell{StyleID: st.center, Value: unitLabels[unit]})
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

// nameCell is the cell of a territory's or a service's name: empty when
// the warehouse has none.
func nameCell(name string) any {
	if name == "" {
		return nil
	}
	return name
}

// cursor writes a sheet line by line with normal calls (the Lisez-moi
// and Graphiques sheets: small, and charts need them), and keeps the range
// its cells use in ext (shared by the cursors of one sheet) so that the
// sheet can declare it (see declareRange).
type cursor struct {
	f      *excelize.File
	sheet  string
	row    int
	height float64 // of the next line, 0 for the default
	ext    *extent
	err    error
}

// extent is the last column and row the cells of a sheet use.
type extent struct{ cols, rows int }

// declareRange writes the sheet's <dimension>: excelize leaves the "A1"
// of a new sheet, and readers that trust it (openpyxl's read-only mode,
// streaming readers) would read one cell.
func declareRange(f *excelize.File, sheet string, cols, rows int) error {
	last, err := excelize.CoordinatesToCellName(max(cols, 1), max(rows, 1))
	if err != nil {
		return fmt.Errorf("sheet %s: dimension: %w", sheet, err)
	}
	if err := f.SetSheetDimension(sheet, "A1:"+last); err != nil {
		return fmt.Errorf("sheet %s: dimension: %w", sheet, err)
	}
	return nil
}

// styled is a value with its style, for cursor.line.
type styled struct {
	style int
	value any
}

// line writes values from column A of the current row and moves down.
func (c *cursor) line(values ...any) {
	if c.err != nil {
		return
	}
	if c.height > 0 {
		c.err = c.f.SetRowHeight(c.sheet, c.row, c.height)
	}
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
		if c.ext != nil {
			c.ext.cols, c.ext.rows = max(c.ext.cols, i+1), max(c.ext.rows, c.row)
		}
	}
	c.row, c.height = c.row+1, 0
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
	c := &cursor{f: f, sheet: SheetReadme, row: 1, ext: &extent{}}
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

	// Sources in words, per family; the files themselves (path, hash)
	// only where the dataset names them: an internal profile's.
	c.line(styled{st.subtitle, "Sources"})
	fams, _ := export.Families(ds)
	for _, fam := range fams {
		words := strings.Join(export.Provenance(ds.Family(fam).Indicators, ds.Sources), " ; ")
		c.height = wrapHeight(words, readmeWidths[1])
		c.line(lbl(familyLabel(fam)), styled{st.wrap, cmp.Or(words, SignNotRelevant)})
	}
	c.skip()
	if files := export.ServerFiles(ds.Sources); files != nil {
		c.line(styled{st.subtitle, "Fichiers sources"})
		c.line(headerCells(st, "Traitement", "Fichier", "Date du fichier", "Lignes", "Empreinte SHA-256")...)
		for _, s := range files {
			c.line(s.Job, s.Path, styled{st.date, parisTime(s.Modified)}, styled{integer, s.Rows}, s.SHA256)
		}
		c.skip()
	}

	if len(ds.Quality) > 0 {
		c.line(styled{st.subtitle, "Qualité des données : lignes écartées des indicateurs"})
		c.line(headerCells(st, "Source et fichier", "Règle", "Année", "Nombre", "Exemple (sans identifiant)")...)
		for _, q := range ds.Quality {
			where := strings.TrimSpace(q.Source + " " + q.File)
			if q.Dep != "" {
				where += " (" + q.Dep + ")"
			}
			var year any
			if q.Period != 0 {
				year = styled{st.text, strconv.Itoa(q.Period)}
			}
			c.line(where, q.Rule, year, styled{integer, q.Count}, q.Unit+" — "+q.Example)
		}
		c.skip()
	}

	c.line(styled{st.subtitle, "Indicateurs"})
	for i := range ds.Indicators {
		readmeIndicator(c, st, &ds.Indicators[i], ds.Sources)
	}

	c.line(styled{st.subtitle, "Secret statistique"})
	// The disclosure rule is one long sentence: let it wrap over A:E.
	row := strconv.Itoa(c.row)
	c.height = 32
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
	if err := f.MergeCell(SheetReadme, "A"+row, readmeLast+row); err != nil {
		return fmt.Errorf("merge disclosure rule: %w", err)
	}
	return declareRange(f, SheetReadme, c.ext.cols, c.ext.rows)
}

// readmeIndicator writes the declaration of one indicator, one field a
// line, "-" for a field that does not apply; its sources in words.
func readmeIndicator(c *cursor, st *styles, ind *export.Indicator, sources []export.Source) {
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
		{"Sources", strings.Join(export.Provenance([]export.Indicator{*ind}, sources), " ; ")},
		{"Ventilations", strings.Join(dims, ", ")},
		{"Indicateur clé", key},
	} {
		value := cmp.Or(field[1], SignNotRelevant)
		c.height = wrapHeight(value, readmeWidths[1])
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

// readingNotes explain the family sheets; the evolution's unit is that of
// export.Unit.EvolutionUnit (points for shares, rates and ratios).
var readingNotes = []string{
	"Une feuille par famille d'indicateurs ; une ligne par indicateur, territoire, ventilation et année.",
	"« Ensemble du département » désigne le département ; « Ensemble » dans une ventilation désigne le total de cette ventilation.",
	"« Nom du territoire » et « Nom du service » nomment le code de la colonne qui les précède ; vides quand le nom n'est pas connu.",
	"Les parts sont exprimées en pourcentage : 19,8 signifie 19,8 % ; de même pour les taux pour mille et pour 100 000.",
	"Évolution : écart en points avec N−1 pour les parts, les taux et les ratios, variation relative en % pour les effectifs et les durées.",
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
