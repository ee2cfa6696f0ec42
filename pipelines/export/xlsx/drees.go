package xlsx

// The Drees layout reproduces the tables of the DREES enquête Aide sociale,
// volet aide sociale à l'enfance (the yearly questionnaire the départements
// answer: beneficiaries at 31 December), for the indicators a profile
// carries:
//
//   - « Accueillis par décision et mode » — the children accueillis at the
//     ASE at 31/12, one line per kind of decision, grouped as the survey
//     groups them (décisions administratives: accueils provisoires de
//     mineurs, de jeunes majeurs, pupilles de l'État, accueils d'urgence et
//     mises à l'abri; décisions judiciaires: placements à l'ASE par le
//     juge, placements directs par le juge, tutelles et délégations
//     d'autorité parentale), and their total, by mode d'hébergement in
//     columns (familles d'accueil, établissements, adolescents et jeunes
//     majeurs autonomes, autres modes, non renseigné): indicator
//     drees_accueil_decision. The frames head their decisions without a
//     sub-total of their own: a sub-total published beside its decisions
//     is a cell the protection would have to know as the sum of theirs
//     (an identity between tables), and one hidden where its decisions
//     are zeros the warehouse leaves out is a zero anyone works out (the
//     strong audit found six such cells when it was tried);
//   - « Accueillis par sexe et âge », « Jeunes majeurs (APJM) », « Suivis
//     par sexe et âge » — age bands in lines, boys, girls and both in
//     columns (ase_children_accueil, ase_apjm, ase_children_followed);
//   - « Actions éducatives (AED, AEMO) » — the minors' AED and AEMO at 31/12 by age
//     band, each by sex, and their sum (drees_actions_educatives).
//
// How our categories map onto the survey's is each indicator's convention
// (indicators/ase/drees_*.yaml), repeated under each table. Every other
// indicator a profile gives this layout gets a sheet of the same shape:
// its category and sex in columns, its other breakdowns in lines.
//
// A sheet holds one block per year, latest first (and per département and
// territory when the dataset has several): a heading "Au 31 décembre N",
// the header, the lines. Every figure is a row of the dataset, protected
// as published: the writer sums nothing. A combination the dataset leaves
// out is a zero (the warehouse's CUBE leaves out empty combinations), a
// hidden cell is "s".

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// The indicators the survey's tables are made of.
const (
	dreesDecision = "drees_accueil_decision"
	dreesAED      = "drees_actions_educatives"
)

// Rows of a Drees sheet: three lines of context, then the blocks.
const (
	dreesTitleRow  = 1
	dreesSourceRow = 2
	dreesChampRow  = 3
	dreesFirstRow  = 5
)

// dreesSheet is one table of the layout, a sheet.
type dreesSheet struct {
	name  string
	title string
	inds  []*export.Indicator // the first one's definition is the Champ
	head  string              // header of the line labels
	lines []dreesLine
	cols  []dreesCol
}

// dreesLine is a line of a table: its cells are those of indicator ind
// with the breakdowns dims plus the column's; a line without ind is a
// heading of the lines under it.
type dreesLine struct {
	label  string
	ind    string
	dims   map[string]string
	detail bool // indented under the sub-total above it
}

// dreesCol is a column: the breakdowns it adds, under a group heading
// that spans the consecutive columns that share it.
type dreesCol struct {
	group, label string
	dims         map[string]string
}

// dreesBlock is one year of one place.
type dreesBlock struct {
	dep, territory string
	period         int
}

// Survey categories, in the survey's order (the values the drees_*
// indicators give their breakdowns).
var (
	dreesFrames = []struct {
		label     string
		decisions []string
	}{
		{"Décisions administratives", []string{
			"Accueils provisoires de mineurs", "Accueils provisoires de jeunes majeurs",
			"Pupilles de l'État", "Accueils d'urgence et mises à l'abri"}},
		{"Décisions judiciaires", []string{
			"Placements à l'ASE par le juge", "Placements directs par le juge",
			"Tutelles et délégations d'autorité parentale"}},
	}
	dreesModes = []string{"Familles d'accueil", "Établissements", "Adolescents et jeunes majeurs autonomes",
		"Autres modes d'hébergement", "Non renseigné"}
	ageBands  = []string{"0-5 ans", "6-10 ans", "11-15 ans", "16-17 ans", "18-20 ans"}
	sexLabels = map[string]string{"M": "Garçons", "F": "Filles"}
	// dreesSheetNames name the sheets of the indicators the survey asks
	// for: at most 31 characters, whole words.
	dreesSheetNames = map[string]string{
		dreesDecision:           "Accueillis par décision et mode",
		"ase_children_accueil":  "Accueillis par sexe et âge",
		"ase_apjm":              "Jeunes majeurs (APJM)",
		dreesAED:                "Actions éducatives (AED, AEMO)",
		"ase_children_followed": "Suivis par sexe et âge",
	}
	dreesTitles = map[string]string{
		dreesDecision:           "Enfants accueillis à l'ASE au 31 décembre, selon la décision et le mode d'hébergement",
		"ase_children_accueil":  "Enfants accueillis à l'ASE au 31 décembre, par sexe et tranche d'âge",
		"ase_apjm":              "Jeunes majeurs accueillis en accueil provisoire jeune majeur (APJM) au 31 décembre, par sexe et tranche d'âge",
		dreesAED:                "Actions éducatives des mineurs en cours au 31 décembre (AED, AEMO), par sexe et tranche d'âge",
		"ase_children_followed": "Enfants suivis au 31 décembre, toutes mesures confondues (sans doubles comptes), par sexe et tranche d'âge",
	}
	// dreesOrder is the order of the survey's tables; other indicators
	// follow in the dataset's order.
	dreesOrder = []string{dreesDecision, "ase_children_accueil", "ase_apjm", dreesAED, "ase_children_followed"}
	// groupLabels head the column groups of a category breakdown.
	groupLabels = map[string]string{
		"AED":  "AED (décision administrative)",
		"AEMO": "AEMO (décision judiciaire)",
	}
)

// dreesIndex finds a dataset's rows by cell.
type dreesIndex struct {
	dims   []string // the dataset's breakdowns, in the order keys name them
	buf    []byte
	rows   map[string]*export.Row
	blocks map[string][]dreesBlock // indicator → its blocks
	values map[string]map[string][]string
	status map[dreesKey]export.Status // the least final status of a block's rows
}

type dreesKey struct {
	ind   string
	block dreesBlock
}

// key is the cell of indicator ind in block b whose breakdowns are those
// of over, else of under (the total when neither has one), in x.buf.
func (x *dreesIndex) key(ind string, b dreesBlock, over, under map[string]string) []byte {
	k := append(x.buf[:0], ind...)
	k = append(k, 0)
	k = append(k, b.dep...)
	k = append(k, 0)
	k = append(k, b.territory...)
	k = append(k, 0)
	k = strconv.AppendInt(k, int64(b.period), 10)
	for _, d := range x.dims {
		v, ok := over[d]
		if !ok {
			v = under[d]
		}
		if v != "" && v != export.Total {
			k = append(k, 0)
			k = append(k, d...)
			k = append(k, '=')
			k = append(k, v...)
		}
	}
	x.buf = k
	return k
}

func newDreesIndex(ds *export.Dataset) *dreesIndex {
	x := &dreesIndex{dims: ds.Dimensions, rows: make(map[string]*export.Row, len(ds.Rows)), blocks: map[string][]dreesBlock{},
		values: map[string]map[string][]string{}, status: map[dreesKey]export.Status{}}
	seen := map[string]map[dreesBlock]bool{}
	for i := range ds.Rows {
		r := &ds.Rows[i]
		b := dreesBlock{r.Dep, r.Territory, r.Period}
		x.rows[string(x.key(r.Indicator, b, r.Dims, nil))] = r
		if seen[r.Indicator] == nil {
			seen[r.Indicator] = map[dreesBlock]bool{}
			x.values[r.Indicator] = map[string][]string{}
		}
		if k := (dreesKey{r.Indicator, b}); r.Status > x.status[k] {
			x.status[k] = r.Status // final < provisional < incomplete
		}
		if !seen[r.Indicator][b] {
			seen[r.Indicator][b] = true
			x.blocks[r.Indicator] = append(x.blocks[r.Indicator], b)
		}
		for k, v := range r.Dims {
			if v != export.Total && !slices.Contains(x.values[r.Indicator][k], v) {
				x.values[r.Indicator][k] = append(x.values[r.Indicator][k], v)
			}
		}
	}
	return x
}

// row is the row of the cell of ind in block b whose breakdowns are the
// column's (col), else the line's, nil when the dataset leaves it out.
func (x *dreesIndex) row(ind string, b dreesBlock, col, line map[string]string) *export.Row {
	return x.rows[string(x.key(ind, b, col, line))]
}

// valuesOf lists the values of breakdown dim that ind's rows hold (the
// total aside): known ones in their order, the others sorted after them.
func (x *dreesIndex) valuesOf(ind, dim string, known []string) []string {
	have := x.values[ind][dim]
	var out []string
	for _, v := range known {
		if slices.Contains(have, v) {
			out = append(out, v)
		}
	}
	var rest []string
	for _, v := range have {
		if !slices.Contains(known, v) {
			rest = append(rest, v)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// writeDrees writes one sheet per table; omitted, when not empty, is a
// note under each table on what the workbook leaves out of its profile.
func writeDrees(f *excelize.File, ds *export.Dataset, omitted string) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if len(ds.Indicators) == 0 {
		return fmt.Errorf("the dataset declares no indicator")
	}
	indent, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Indent: 2}})
	if err != nil {
		return fmt.Errorf("create style: %w", err)
	}
	x := newDreesIndex(ds)
	for i, sh := range dreesSheets(ds, x) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), sh.name)
		} else {
			_, err = f.NewSheet(sh.name)
		}
		if err != nil {
			return fmt.Errorf("create sheet %s: %w", sh.name, err)
		}
		if err := writeDreesSheet(f, st, indent, ds, x, sh, omitted); err != nil {
			return fmt.Errorf("sheet %s (%s): %w", sh.name, sh.inds[0].ID, err)
		}
	}
	return nil
}

// dreesSheets lays out the tables of ds's indicators: the survey's first,
// in its order, then one for each other indicator.
func dreesSheets(ds *export.Dataset, x *dreesIndex) []dreesSheet {
	decl := map[string]*export.Indicator{}
	for i := range ds.Indicators {
		decl[ds.Indicators[i].ID] = &ds.Indicators[i]
	}
	names := newSheetNamer()
	var out []dreesSheet
	done := map[string]bool{}
	add := func(sh dreesSheet) {
		sh.name = names.name(sh.name)
		out = append(out, sh)
		for _, ind := range sh.inds {
			done[ind.ID] = true
		}
	}
	for _, id := range dreesOrder {
		ind, ok := decl[id]
		if !ok {
			continue
		}
		if id == dreesDecision {
			add(decisionSheet(ind, x))
			continue
		}
		add(crossSheet(ind, x, dreesSheetNames[id], dreesTitles[id]))
	}
	for i := range ds.Indicators {
		ind := &ds.Indicators[i]
		if done[ind.ID] {
			continue
		}
		title := ind.Label
		if ind.Unit != "count" {
			title += " (" + unitLabels[ind.Unit] + ")"
		}
		add(crossSheet(ind, x, wholeWords(ind.Label, maxSheetName), title))
	}
	return out
}

// decisionSheet is the survey's table of the children accueillis by
// decision (lines, under the heading of their frame) and mode
// d'hébergement (columns).
func decisionSheet(dec *export.Indicator, x *dreesIndex) dreesSheet {
	sh := dreesSheet{name: dreesSheetNames[dec.ID], title: dreesTitles[dec.ID], inds: []*export.Indicator{dec}, head: "Décision"}
	var listed []string
	for _, fr := range dreesFrames {
		sh.lines = append(sh.lines, dreesLine{label: fr.label})
		for _, d := range fr.decisions {
			sh.lines = append(sh.lines, dreesLine{label: d, ind: dec.ID, dims: map[string]string{"category": d}, detail: true})
		}
		listed = append(listed, fr.decisions...)
	}
	// A decision the survey's list lacks (a nature the extract did not
	// know when this was written) keeps a line of its own.
	for _, d := range x.valuesOf(dec.ID, "category", listed) {
		if !slices.Contains(listed, d) {
			sh.lines = append(sh.lines, dreesLine{label: d, ind: dec.ID, dims: map[string]string{"category": d}, detail: true})
		}
	}
	sh.lines = append(sh.lines, dreesLine{label: "Ensemble des enfants accueillis", ind: dec.ID, dims: map[string]string{}})
	modes := slices.DeleteFunc(slices.Clone(dreesModes), func(m string) bool {
		return m == "Non renseigné" && !slices.Contains(x.values[dec.ID]["mode"], m)
	})
	for _, m := range x.valuesOf(dec.ID, "mode", dreesModes) {
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	for _, m := range modes {
		sh.cols = append(sh.cols, dreesCol{group: "Mode d'hébergement", label: m, dims: map[string]string{"mode": m}})
	}
	sh.cols = append(sh.cols, dreesCol{label: "Ensemble", dims: map[string]string{}})
	return sh
}

// crossSheet is the table of one indicator: its category (as column
// groups) and sex in columns, its other breakdowns in lines (every
// combination of their values, then the total).
func crossSheet(ind *export.Indicator, x *dreesIndex, name, title string) dreesSheet {
	sh := dreesSheet{name: name, title: title, inds: []*export.Indicator{ind}}
	var lineDims []string
	hasCat, hasSex := false, false
	for _, b := range ind.Breakdowns {
		switch b {
		case "category":
			hasCat = true
		case "sex":
			hasSex = true
		default:
			lineDims = append(lineDims, b)
		}
	}
	// Columns: category groups × sexes.
	groups := []string{""}
	if hasCat {
		groups = append(x.valuesOf(ind.ID, "category", nil), export.Total)
	}
	sexes := []string{export.Total}
	if hasSex {
		sexes = append(x.valuesOf(ind.ID, "sex", []string{"M", "F"}), export.Total)
	}
	for _, g := range groups {
		for _, s := range sexes {
			c := dreesCol{label: cmp.Or(sexLabels[s], "Ensemble"), dims: map[string]string{}}
			if hasCat {
				c.dims["category"] = g
				c.group = cmp.Or(groupLabels[g], g)
				if g == export.Total {
					c.group = "Ensemble"
					if ind.ID == dreesAED {
						c.group = "Ensemble des actions éducatives"
					}
				}
			}
			if hasSex {
				c.dims["sex"] = s
			}
			if !hasSex && hasCat {
				c.label, c.group = c.group, ""
			}
			sh.cols = append(sh.cols, c)
		}
	}
	// Lines: every combination of the other breakdowns' values.
	heads := make([]string, len(lineDims))
	combos := []dreesLine{{ind: ind.ID, dims: map[string]string{}}}
	for i, d := range lineDims {
		heads[i] = dimLabel(d)
		var known []string
		if d == "age_band" {
			known = ageBands
		}
		vals := x.valuesOf(ind.ID, d, known)
		var next []dreesLine
		for _, c := range combos {
			for _, v := range vals {
				dims := maps.Clone(c.dims)
				dims[d] = v
				label := v
				if c.label != "" {
					label = c.label + " — " + v
				}
				next = append(next, dreesLine{label: label, ind: ind.ID, dims: dims, detail: true})
			}
		}
		combos = next
	}
	if len(lineDims) > 0 {
		sh.lines = combos
	}
	sh.lines = append(sh.lines, dreesLine{label: "Ensemble", ind: ind.ID, dims: map[string]string{}})
	sh.head = cmp.Or(strings.Join(heads, " — "), "Ensemble du champ")
	return sh
}

// blocksOf lists the blocks of a sheet: département, territory (the
// département's total first), year (latest first).
func (sh *dreesSheet) blocksOf(x *dreesIndex) []dreesBlock {
	var out []dreesBlock
	for _, ind := range sh.inds {
		for _, b := range x.blocks[ind.ID] {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b dreesBlock) int {
		return cmp.Or(
			cmp.Compare(a.dep, b.dep),
			cmpBool(a.territory != export.Total, b.territory != export.Total),
			cmp.Compare(a.territory, b.territory),
			cmp.Compare(b.period, a.period),
		)
	})
	return out
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

// grouped reports whether the sheet's columns have group headings.
func (sh *dreesSheet) grouped() bool {
	return slices.ContainsFunc(sh.cols, func(c dreesCol) bool { return c.group != "" })
}

func writeDreesSheet(f *excelize.File, st *styles, indent int, ds *export.Dataset, x *dreesIndex, sh dreesSheet, omitted string) error {
	blocks := sh.blocksOf(x)
	multiDep := false
	for _, b := range blocks {
		multiDep = multiDep || b.dep != blocks[0].dep
	}
	notes := dreesNotes(ds, sh.inds, omitted)
	headRows := 1
	if sh.grouped() {
		headRows = 2
	}
	perBlock := 1 + headRows + len(sh.lines) + 1 // heading, header, lines, blank line
	lastRow := dreesFirstRow + len(blocks)*perBlock + len(notes) - 1
	if err := printSetup(f, sh.name, fmt.Sprintf("$1:$%d", dreesChampRow)); err != nil {
		return err
	}
	if err := declareRange(f, sh.name, len(sh.cols)+1, lastRow); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh.name)
	if err != nil {
		return fmt.Errorf("open stream writer: %w", err)
	}
	if err := sw.SetColWidth(1, 1, 46); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, len(sh.cols)+1, 14); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, TopLeftCell: "B1", ActivePane: "topRight",
		Selection: []excelize.Selection{{SQRef: "B1", ActiveCell: "B1", Pane: "topRight"}}}); err != nil {
		return fmt.Errorf("freeze panes: %w", err)
	}
	w := &streamCursor{sw: sw}
	w.line(dreesTitleRow, excelize.Cell{StyleID: st.subtitle, Value: sh.title})
	w.line(dreesSourceRow, "Source : "+dreesSource(ds, sh.inds))
	w.line(dreesChampRow, "Champ : "+dreesChamp(sh.inds[0]))

	row := dreesFirstRow
	for _, b := range blocks {
		w.line(row, excelize.Cell{StyleID: st.subtitle, Value: blockHeading(b, multiDep, x, sh)})
		row++
		if sh.grouped() {
			cells := []any{excelize.Cell{StyleID: st.header, Value: ""}}
			for i, c := range sh.cols {
				v := ""
				if i == 0 || sh.cols[i-1].group != c.group {
					v = c.group
				}
				cells = append(cells, excelize.Cell{StyleID: st.headerNum, Value: v})
			}
			w.line(row, cells...)
			for i := 0; i < len(sh.cols); {
				j := i
				for j+1 < len(sh.cols) && sh.cols[j+1].group == sh.cols[i].group {
					j++
				}
				if j > i && w.err == nil {
					from, _ := excelize.CoordinatesToCellName(i+2, row)
					to, _ := excelize.CoordinatesToCellName(j+2, row)
					w.err = sw.MergeCell(from, to)
				}
				i = j + 1
			}
			row++
		}
		header := []any{excelize.Cell{StyleID: st.header, Value: sh.head}}
		for _, c := range sh.cols {
			header = append(header, excelize.Cell{StyleID: st.headerNum, Value: c.label})
		}
		w.line(row, header...)
		row++
		for _, l := range sh.lines {
			style := st.label
			if l.detail {
				style = indent
			}
			cells := []any{excelize.Cell{StyleID: style, Value: l.label}}
			for _, c := range sh.cols {
				if l.ind == "" {
					break // a heading
				}
				cell, err := dreesCell(st, x.row(l.ind, b, c.dims, l.dims), unitOf(sh.inds, l.ind))
				if err != nil {
					return fmt.Errorf("%s %d %s: %w", b.territory, b.period, l.label, err)
				}
				cells = append(cells, cell)
			}
			w.line(row, cells...)
			row++
		}
		row++
	}
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

func unitOf(inds []*export.Indicator, id string) string {
	for _, ind := range inds {
		if ind.ID == id {
			return ind.Unit
		}
	}
	return ""
}

// blockHeading is « Au 31 décembre 2024 (p : provisoire) », with the
// département and territory when the sheet has several.
func blockHeading(b dreesBlock, multiDep bool, x *dreesIndex, sh dreesSheet) string {
	h := "Au 31 décembre " + strconv.Itoa(b.period)
	provisional, incomplete := false, false
	for _, ind := range sh.inds {
		s := x.status[dreesKey{ind.ID, b}]
		provisional = provisional || s == export.Provisional
		incomplete = incomplete || s == export.Incomplete
	}
	switch {
	case incomplete:
		h += " (" + SignIncomplete + " : incomplet)"
	case provisional:
		h += " (" + SignProvisional + " : provisoire)"
	}
	var place []string
	if multiDep {
		place = append(place, "Département "+b.dep)
	}
	if b.territory != export.Total {
		place = append(place, "Territoire "+b.territory)
	}
	if len(place) > 0 {
		h = strings.Join(place, ", ") + " — " + lowerFirst(h)
	}
	return h
}

// dreesCell is a table cell: the value, "s" when hidden; a count the
// dataset leaves out is a zero, another figure "-".
func dreesCell(st *styles, r *export.Row, unit string) (any, error) {
	switch {
	case r == nil && unit == "count":
		id, err := st.number(fmtInteger)
		return excelize.Cell{StyleID: id, Value: 0}, err
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

// dreesSource says where a table's figures come from, in words
// (export.Provenance: the sources' kinds and dates), never a table's name.
func dreesSource(ds *export.Dataset, inds []*export.Indicator) string {
	list := make([]export.Indicator, len(inds))
	for i, ind := range inds {
		list[i] = *ind
	}
	words := export.Provenance(list, ds.Sources)
	if len(words) == 0 {
		words = []string{"données transmises à l'observatoire"}
	}
	return strings.Join(words, " ; ") + " ; traitement ODPE (observatoire départemental de la protection de l'enfance)."
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

// dreesNotes are the lines under a sheet's tables.
func dreesNotes(ds *export.Dataset, inds []*export.Indicator, omitted string) []string {
	notes := []string{"Signes conventionnels : s : secret statistique ; p : provisoire ; i : incomplet ; - : sans objet."}
	for _, ind := range inds {
		if ind.Unit != "count" && (ind.Numerator != "" || ind.Denominator != "") {
			notes = append(notes, fmt.Sprintf("Calcul : numérateur : %s ; dénominateur : %s.",
				cmp.Or(ind.Numerator, "sans objet"), cmp.Or(ind.Denominator, "sans objet")))
		}
		if c := strings.TrimSpace(ind.Convention); c != "" && !slices.ContainsFunc(notes, func(n string) bool { return strings.HasSuffix(n, c) }) {
			notes = append(notes, "Convention : "+c)
		}
	}
	if ds.Threshold > 0 {
		notes = append(notes, disclosureRule(ds.Threshold))
	}
	if omitted != "" {
		notes = append(notes, omitted)
	}
	return append(notes, fmt.Sprintf("Édition du %s.", parisTime(ds.Generated).Format("02/01/2006")))
}

// wholeWords shortens s to at most max characters at a word boundary
// (with no unclosed bracket nor trailing comma), so that a sheet name is
// never a cut word.
func wholeWords(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	words := strings.Fields(s)
	out := ""
	for _, w := range words {
		next := w
		if out != "" {
			next = out + " " + w
		}
		if utf8.RuneCountInString(next) > max {
			break
		}
		out = next
	}
	if i := strings.LastIndexByte(out, '('); i >= 0 && !strings.Contains(out[i:], ")") {
		out = out[:i]
	}
	out = strings.TrimRight(out, " ,;:—-")
	if out == "" {
		return truncate(s, max)
	}
	return out
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
