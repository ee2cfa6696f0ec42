package activityreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
)

// The hours table of sheet `Heures`.
const (
	sheetHours = "Heures"
	titleHours = "Répartition de l'activité"
	labelTotal = "Total"
)

// hoursColumns are the columns read; `Part (%)` is ignored (shares are
// recomputed), whatever it holds.
var hoursColumns = []Column{{Name: "Catégorie"}, {Name: "Heures"}}

// totalTolerance is how far the `Total` row may be from the sum of the
// categories, in hours.
const totalTolerance = 0.1

// readHours fills rep.Hours from the table under `Répartition de l'activité`:
// one entry per category of extract.ActivityCategories, in that order, 0 for
// a category the table lacks. The `Total` row, when filled, must match the
// sum.
func readHours(s *Sheet, rep *Report) error {
	t, err := s.ReadTable(titleHours, hoursColumns)
	if err != nil {
		return err
	}
	hours := make(map[string]float64, len(extract.ActivityCategories))
	seen := map[string]Cell{}
	var total *float64
	var totalAt Cell
	for _, r := range t.Rows {
		v, present, err := t.Number(r, 1)
		if err != nil {
			return err
		}
		if s.Is(t.Cell(r, 0), labelTotal) {
			if present {
				total, totalAt = &v, t.Cell(r, 1)
			}
			continue
		}
		cat, err := category(t, r, seen)
		if err != nil {
			return err
		}
		hours[cat] = v
	}
	rep.rows += int64(len(t.Rows))
	rep.Hours = make([]CategoryHours, len(extract.ActivityCategories))
	sum := 0.0
	for i, cat := range extract.ActivityCategories {
		rep.Hours[i] = CategoryHours{Category: cat, Hours: hours[cat]}
		sum += hours[cat]
	}
	if total != nil && math.Abs(*total-sum) > totalTolerance {
		return s.Errorf(totalAt, t.Names[1], fmt.Sprintf("the sum of the categories, %s h (within %s h)",
			formatHours(sum), formatHours(totalTolerance)))
	}
	return nil
}

// category returns the canonical category of row r, which must be new.
func category(t *Table, r int, seen map[string]Cell) (string, error) {
	cat, ok := extract.Canonical(extract.ActivityCategories, t.Label(r))
	if !ok {
		return "", t.Errorf(r, 0, "one of the activity categories "+strings.Join(extract.ActivityCategories, ", ")+
			", or "+labelTotal)
	}
	if prev, dup := seen[cat]; dup {
		return "", t.Errorf(r, 0, fmt.Sprintf("each category once (%q is already in %s)", cat, prev))
	}
	seen[cat] = t.Cell(r, 0)
	return cat, nil
}

// formatHours writes hours without float noise: 7807.8, not
// 7807.799999999999.
func formatHours(h float64) string {
	return strconv.FormatFloat(math.Round(h*1e6)/1e6, 'f', -1, 64)
}
