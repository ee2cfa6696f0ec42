package intruder

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// The observatoire layout of a workbook, as a reader sees it (written
// here from the published workbook, not taken from the writer's code,
// so that the audit reads what a recipient reads):
//
//   - a "Lisez-moi" sheet describing each indicator by lines of a label
//     and a value, "Indicateur" (its label) followed by "Identifiant"
//     (its identifier);
//   - one long table per indicator family (several sheets when long),
//     whose first line holds the headers: "Indicateur" (the label),
//     optionally "Département", "Territoire" and "Nom du territoire" (its
//     name), one column per breakdown (its French label; "Service" followed
//     by "Nom du service"), "Année", "Valeur", "Unité", "Numérateur",
//     "Dénominateur", "N−1", "Évolution", "Statut"; the names are read past
//     (the codes say the cell);
//   - the territory "Ensemble du département" is the département's total,
//     a breakdown "Ensemble" its total, "-" a breakdown the indicator does
//     not have; a hidden cell holds the text "s" in every figure.
const (
	wbReadme       = "Lisez-moi"
	wbIndicator    = "Indicateur"
	wbIdentifier   = "Identifiant"
	wbDep          = "Département"
	wbTerritory    = "Territoire"
	wbYear         = "Année"
	wbValue        = "Valeur"
	wbNumerator    = "Numérateur"
	wbDenominator  = "Dénominateur"
	wbPrevious     = "N−1"
	wbDepTotal     = "Ensemble du département"
	wbNotRelevant  = "-"
	wbSecret       = "s"
	wbBreakdownAll = "Ensemble"
)

// wbOtherColumns are the headers of a family sheet that are not breakdowns.
var wbOtherColumns = []string{wbIndicator, wbDep, wbTerritory, "Nom du territoire", "Nom du service",
	wbYear, wbValue, "Unité", wbNumerator, wbDenominator, wbPrevious, "Évolution", "Statut"}

// wbBreakdowns are the headers of the breakdowns in a family sheet.
var wbBreakdowns = map[string]string{
	"Service":        "service",
	"Catégorie":      "category",
	"Public":         "public",
	"Sexe":           "sex",
	"Tranche d'âge":  "age_band",
	"Mode d'accueil": "mode",
	"Événement":      "event",
}

// ReadWorkbook reads the rows an observatoire-layout workbook publishes
// (the odas profile's): every family sheet, with the indicators named by
// the identifiers its Lisez-moi sheet gives their labels. dep is the
// département of a workbook without a Département column (one
// département's). A hidden cell reads as export.Secondary (the one mark
// says nothing more), its figures absent.
func ReadWorkbook(path, dep string) ([]export.Row, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("intruder: %w", err)
	}
	defer f.Close()
	ids, err := workbookIDs(f, path)
	if err != nil {
		return nil, err
	}
	var rows []export.Row
	for _, sheet := range f.GetSheetList() {
		if sheet == wbReadme {
			continue
		}
		lines, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("intruder: %s, sheet %q: %w", path, sheet, err)
		}
		if len(lines) == 0 || len(lines[0]) == 0 || lines[0][0] != wbIndicator {
			continue // not a family sheet (Graphiques…)
		}
		if rows, err = readFamilySheet(rows, lines, ids, path, sheet, dep); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("intruder: %s has no family sheet (a first line starting with %q)", path, wbIndicator)
	}
	return rows, nil
}

// workbookIDs maps each indicator's label to its identifier, from the
// Lisez-moi sheet.
func workbookIDs(f *excelize.File, path string) (map[string]string, error) {
	lines, err := f.GetRows(wbReadme)
	if err != nil {
		return nil, fmt.Errorf("intruder: %s: sheet %q: %w", path, wbReadme, err)
	}
	ids := map[string]string{}
	for i := 0; i+1 < len(lines); i++ {
		l, next := lines[i], lines[i+1]
		if len(l) < 2 || l[0] != wbIndicator || len(next) < 2 || next[0] != wbIdentifier {
			continue
		}
		if id, seen := ids[l[1]]; seen && id != next[1] {
			return nil, fmt.Errorf("intruder: %s, sheet %q, line %d: the label %q names %s and %s", path, wbReadme, i+1, l[1], id, next[1])
		}
		ids[l[1]] = next[1]
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("intruder: %s, sheet %q: no indicator (a line %q followed by a line %q)", path, wbReadme, wbIndicator, wbIdentifier)
	}
	return ids, nil
}

// readFamilySheet appends the rows of one family sheet (lines, raw cell
// values, the headers first) to rows.
func readFamilySheet(rows []export.Row, lines [][]string, ids map[string]string, path, sheet, dep string) ([]export.Row, error) {
	col := map[string]int{}
	dims := map[int]string{} // column → breakdown
	for j, h := range lines[0] {
		col[h] = j
		if d, ok := wbBreakdowns[h]; ok {
			dims[j] = d
		} else if !slices.Contains(wbOtherColumns, h) {
			// A column read as something else would give wrong cells
			// (a breakdown read as no breakdown gives its categories as
			// totals): refuse what the reader does not know.
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			return nil, fmt.Errorf("intruder: %s, sheet %q, cell %s: column %q, want one of %v or a breakdown of %v",
				path, sheet, cell, h, wbOtherColumns, slices.Sorted(maps.Keys(wbBreakdowns)))
		}
	}
	for _, h := range []string{wbIndicator, wbTerritory, wbYear, wbValue, wbNumerator} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("intruder: %s, sheet %q, line 1: no column %q", path, sheet, h)
		}
	}
	at := func(l []string, name string) string {
		if j, ok := col[name]; ok && j < len(l) {
			return strings.TrimSpace(l[j])
		}
		return ""
	}
	where := func(i int, name string) string {
		cell, _ := excelize.CoordinatesToCellName(col[name]+1, i+1)
		return fmt.Sprintf("%s, sheet %q, cell %s (%s)", path, sheet, cell, name)
	}
	for i, l := range lines[1:] {
		i++ // line index in lines
		label := at(l, wbIndicator)
		if label == "" {
			continue
		}
		id, ok := ids[label]
		if !ok {
			return nil, fmt.Errorf("intruder: %s: indicator %q, want one the %s sheet describes", where(i, wbIndicator), label, wbReadme)
		}
		year, err := strconv.Atoi(at(l, wbYear))
		if err != nil {
			return nil, fmt.Errorf("intruder: %s: %q, want a year", where(i, wbYear), at(l, wbYear))
		}
		r := export.Row{Indicator: id, Dep: dep, Period: year, Territory: at(l, wbTerritory)}
		if _, ok := col[wbDep]; ok {
			r.Dep = at(l, wbDep)
		}
		if r.Dep == "" {
			return nil, fmt.Errorf("intruder: %s: no département, and none given for the workbook", where(i, wbDep))
		}
		if r.Territory == wbDepTotal {
			r.Territory = export.Total
		}
		for j, d := range dims {
			v := ""
			if j < len(l) {
				v = strings.TrimSpace(l[j])
			}
			switch v {
			case wbNotRelevant, "":
				continue
			case wbBreakdownAll:
				v = export.Total
			}
			if r.Dims == nil {
				r.Dims = map[string]string{}
			}
			r.Dims[d] = v
		}
		if at(l, wbValue) == wbSecret || at(l, wbNumerator) == wbSecret {
			r.Conf = export.Secondary
			rows = append(rows, r)
			continue
		}
		for _, fig := range []struct {
			name string
			dst  *export.Figure
		}{{wbValue, &r.Value}, {wbNumerator, &r.Numerator}, {wbDenominator, &r.Denominator}, {wbPrevious, &r.Previous}} {
			s := at(l, fig.name)
			if s == "" || s == wbSecret {
				continue // absent (a withheld N−1 is "s" too)
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("intruder: %s: %q, want a number or %q", where(i, fig.name), s, wbSecret)
			}
			*fig.dst = export.Known(v)
		}
		rows = append(rows, r)
	}
	return rows, nil
}
