package intruder

// Reading the DREES workbook as a recipient reads it: the cells it prints,
// nothing the writer kept beside them. The reader knows the layout as the
// survey describes it (a sheet per table, a block per year headed « Au 31
// décembre N », lines and columns named in words) and the definitions
// (indicators.Catalogue: labels and breakdowns), never the writer's code.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// dreesTables are the survey's tables: sheet name → the indicator its
// lines are cells of.
var dreesTables = map[string]string{
	"Accueillis par décision et mode": "drees_accueil_decision",
	"Accueillis par sexe et âge":      "ase_children_accueil",
	"Jeunes majeurs (APJM)":           "ase_apjm",
	"Actions éducatives (AED, AEMO)":  "drees_actions_educatives",
	"Suivis par sexe et âge":          "ase_children_followed",
}

// The lines of the decision table that head the decisions of a frame:
// no cell.
var dreesFrameLines = map[string]bool{"Décisions administratives": true, "Décisions judiciaires": true}

var headingRe = regexp.MustCompile(`^(?:(.*) — )?[Aa]u 31 décembre (\d{4})(?: \((p|i) : [a-z]+\))?$`)

// ReadDreesWorkbook reads the cells of a workbook in the Drees layout:
// every printed number is a published cell, "s" a hidden one. dep is the
// département of a workbook whose blocks do not name one.
func ReadDreesWorkbook(path string, cat *indicators.Catalogue, dep string) ([]export.Row, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("intruder: %w", err)
	}
	defer f.Close()
	var rows []export.Row
	for _, sheet := range f.GetSheetList() {
		cells, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("intruder: %s, sheet %s: %w", path, sheet, err)
		}
		ind, ok := dreesTables[sheet]
		if !ok && len(cells) > 0 && len(cells[0]) > 0 {
			ind = indicatorTitled(cat, cells[0][0])
		}
		d, ok := cat.Get(ind)
		if !ok {
			return nil, fmt.Errorf("intruder: %s, sheet %s: no indicator of the catalogue has this table", path, sheet)
		}
		if rows, err = readDreesSheet(rows, cells, cat, d, dep); err != nil {
			return nil, fmt.Errorf("intruder: %s, sheet %s: %w", path, sheet, err)
		}
	}
	return rows, nil
}

// indicatorTitled is the indicator whose label begins the title, the
// longest such label.
func indicatorTitled(cat *indicators.Catalogue, title string) string {
	best := ""
	n := 0
	for _, d := range cat.List {
		if strings.HasPrefix(title, d.Label) && len(d.Label) > n {
			best, n = d.ID, len(d.Label)
		}
	}
	return best
}

// readDreesSheet reads the blocks of one sheet.
func readDreesSheet(out []export.Row, cells [][]string, cat *indicators.Catalogue, d *indicators.Declaration, defaultDep string) ([]export.Row, error) {
	cell := func(r []string, c int) string {
		if c < len(r) {
			return strings.TrimSpace(r[c])
		}
		return ""
	}
	for i := 0; i < len(cells); i++ {
		m := headingRe.FindStringSubmatch(cell(cells[i], 0))
		if m == nil {
			continue
		}
		dep, territory := defaultDep, export.Total
		for _, part := range strings.Split(m[1], ", ") {
			switch {
			case strings.HasPrefix(part, "Département "):
				dep = strings.TrimPrefix(part, "Département ")
			case strings.HasPrefix(part, "Territoire "):
				territory = strings.TrimPrefix(part, "Territoire ")
			}
		}
		period, _ := strconv.Atoi(m[2])
		status := export.Final
		switch m[3] {
		case "p":
			status = export.Provisional
		case "i":
			status = export.Incomplete
		}
		// The header: an optional line of column groups, then the line
		// whose first cell names the lines.
		i++
		var groups []string
		if i < len(cells) && cell(cells[i], 0) == "" {
			last := ""
			for c := 1; c < len(cells[i]); c++ {
				if v := cell(cells[i], c); v != "" {
					last = v
				}
				groups = append(groups, last)
			}
			i++
		}
		if i >= len(cells) {
			return nil, fmt.Errorf("block %q has no header", m[0])
		}
		header := cells[i]
		cols := make([]map[string]string, len(header))
		for c := 1; c < len(header); c++ {
			group := ""
			if len(groups) > 0 { // a merged group spans the columns after its label
				group = groups[min(c-1, len(groups)-1)]
			}
			cols[c] = dreesColumn(d, group, cell(header, c))
		}
		for i++; i < len(cells) && cell(cells[i], 0) != ""; i++ {
			line := cells[i]
			ind, dims := dreesLineCells(d, cell(line, 0))
			if ind == "" {
				continue // a heading
			}
			unit, err := export.ParseUnit(unitOf(cat, ind))
			if err != nil {
				return nil, fmt.Errorf("line %q: %w", cell(line, 0), err)
			}
			for c := 1; c < len(header); c++ {
				raw := cell(line, c)
				r := export.Row{Indicator: ind, Dep: dep, Period: period, Territory: territory,
					Dims: map[string]string{}, Unit: unit, Status: status}
				for k, v := range dims {
					r.Dims[k] = v
				}
				for k, v := range cols[c] {
					r.Dims[k] = v
				}
				switch raw {
				case "", "-":
					continue
				case "s":
					r.Conf = export.Secondary // the one mark: hidden, for whatever reason
				default:
					v, err := strconv.ParseFloat(raw, 64)
					if err != nil {
						return nil, fmt.Errorf("block %q, line %q, column %q: %q is not a number", m[0], cell(line, 0), cell(header, c), raw)
					}
					r.Value, r.Numerator = export.Known(v), export.Known(v)
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func unitOf(cat *indicators.Catalogue, id string) string {
	if d, ok := cat.Get(id); ok {
		return d.Unit
	}
	return ""
}

// dreesColumn is the breakdowns a column names: a mode d'hébergement in
// the decision table; else a sex (Garçons, Filles) under a category group,
// or a category alone.
func dreesColumn(d *indicators.Declaration, group, label string) map[string]string {
	has := func(b string) bool { return slices.Contains(d.Breakdowns, b) }
	dims := map[string]string{}
	switch {
	case d.ID == "drees_accueil_decision":
		dims["mode"] = totalOr(label)
	case has("sex"):
		dims["sex"] = map[string]string{"Garçons": "M", "Filles": "F"}[label]
		if dims["sex"] == "" {
			dims["sex"] = export.Total
		}
		if has("category") {
			dims["category"] = categoryOf(group)
		}
	case has("category"):
		dims["category"] = categoryOf(label)
	}
	return dims
}

// categoryOf is the category a column group names: « AED (décision
// administrative) » is AED; « Ensemble… » the total.
func categoryOf(group string) string {
	if strings.HasPrefix(group, "Ensemble") {
		return export.Total
	}
	if i := strings.Index(group, " ("); i > 0 {
		return group[:i]
	}
	return group
}

func totalOr(v string) string {
	if v == "Ensemble" {
		return export.Total
	}
	return v
}

// dreesLineCells is the indicator and breakdowns of a line: in the
// decision table, a decision ("" for the heading of a frame); else the
// values of the breakdowns in lines, joined by « — ».
func dreesLineCells(d *indicators.Declaration, label string) (string, map[string]string) {
	if d.ID == "drees_accueil_decision" {
		switch {
		case dreesFrameLines[label]:
			return "", nil
		case strings.HasPrefix(label, "Ensemble"):
			return d.ID, map[string]string{"category": export.Total}
		}
		return d.ID, map[string]string{"category": label}
	}
	var lineDims []string
	for _, b := range d.Breakdowns {
		if b != "sex" && b != "category" {
			lineDims = append(lineDims, b)
		}
	}
	dims := map[string]string{}
	if label == "Ensemble" {
		for _, b := range lineDims {
			dims[b] = export.Total
		}
		return d.ID, dims
	}
	parts := strings.Split(label, " — ")
	for i, b := range lineDims {
		if i < len(parts) {
			dims[b] = parts[i]
		}
	}
	return d.ID, dims
}
