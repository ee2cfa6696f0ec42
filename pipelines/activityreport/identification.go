package activityreport

import (
	"fmt"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
)

// Labels of the Identification sheet (column A; the value is in column B).
const (
	labelService     = "Service"
	labelCode        = "Code service"
	labelAssociation = "Association gestionnaire"
	labelYear        = "Année"
	labelTerritory   = "Territoire"
	labelCommunes    = "Communes d'intervention"
	labelFTE         = "ETP éducatifs"
)

// identLabels are the labels read, in the template's order.
var identLabels = []string{labelService, labelCode, labelAssociation, labelYear, labelTerritory, labelCommunes, labelFTE}

// required are the labels a workbook must fill.
var required = []string{labelCode, labelYear, labelTerritory}

// readIdentification fills the identification fields of rep from sheet
// `Identification`: labels in column A (rows may come in any order, other
// rows are ignored), values in column B.
func readIdentification(s *Sheet, territories *extract.Territories, rep *Report) error {
	values, err := identValues(s)
	if err != nil {
		return err
	}
	for _, label := range required {
		c, ok := values[label]
		if !ok {
			return &extract.DataError{File: s.File, Sheet: s.Name, Column: label,
				Expected: fmt.Sprintf("a row labelled %q in column A, with its value in column B", label)}
		}
		if s.Value(c) == "" {
			return s.Errorf(c, label, "a value (required)")
		}
	}
	rep.rows = int64(len(values))
	rep.ServiceCode = s.Value(values[labelCode])
	rep.ServiceName = s.Value(values[labelService])
	rep.Association = s.Value(values[labelAssociation])
	rep.Communes = s.Value(values[labelCommunes])
	if rep.Year, err = readYear(s, values[labelYear]); err != nil {
		return err
	}
	if rep.Territory, err = readTerritory(s, values[labelTerritory], territories); err != nil {
		return err
	}
	if c, ok := values[labelFTE]; ok {
		fte, present, err := s.Number(c, labelFTE)
		if err != nil {
			return err
		}
		if present {
			rep.FTE = &fte
		}
	}
	return nil
}

// identValues maps each known label to the cell of its value (column B). A
// label written twice is an error.
func identValues(s *Sheet) (map[string]Cell, error) {
	values := map[string]Cell{}
	for r := range s.Height() {
		at := Cell{r, 0}
		for _, label := range identLabels {
			if !s.Is(at, label) {
				continue
			}
			if prev, dup := values[label]; dup {
				return nil, s.Errorf(at, label, fmt.Sprintf("the label %q once (already in A%d)", label, prev.Row+1))
			}
			values[label] = at.Right(1)
		}
	}
	return values, nil
}

// readYear reads the reporting year: four digits.
func readYear(s *Sheet, c Cell) (int, error) {
	y, _, err := s.Count(c, labelYear)
	if err != nil || y < 1000 || y > 9999 {
		return 0, s.Errorf(c, labelYear, "a year of four digits, e.g. 2021")
	}
	return int(y), nil
}

// readTerritory resolves the territory name or code of the configuration.
func readTerritory(s *Sheet, c Cell, territories *extract.Territories) (string, error) {
	code, ok := territories.Resolve(s.Value(c))
	if ok {
		return code, nil
	}
	known := make([]string, 0, len(territories.List()))
	for _, t := range territories.List() {
		known = append(known, fmt.Sprintf("%s (%s)", t.Code, t.Label))
	}
	if len(known) == 0 {
		return "", s.Errorf(c, labelTerritory, "an MDS territory of the configuration, which defines none")
	}
	return "", s.Errorf(c, labelTerritory, "an MDS territory code or name of the configuration: "+strings.Join(known, ", "))
}
