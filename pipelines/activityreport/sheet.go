package activityreport

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
)

// Cell is a position in a worksheet, counted from 0: Cell{0, 0} is A1.
type Cell struct{ Row, Col int }

// String returns the cell's address, "B7".
func (c Cell) String() string {
	name, err := excelize.CoordinatesToCellName(c.Col+1, c.Row+1)
	if err != nil {
		return fmt.Sprintf("R%dC%d", c.Row+1, c.Col+1)
	}
	return name
}

// Right returns the cell n columns to the right.
func (c Cell) Right(n int) Cell { return Cell{c.Row, c.Col + n} }

// Sheet is one worksheet's values, as the spreadsheet application saved
// them: text as typed, numbers raw (no display format), formulas as their
// cached result. It finds tables by the labels written in the sheet rather
// than by fixed addresses, and reports bad values as *extract.DataError.
type Sheet struct {
	File string // file base name, for error messages
	Name string // sheet name

	wb   *excelize.File
	rows [][]string
}

// ReadSheet reads sheet name of wb; file names the workbook in errors. A
// missing sheet is a *extract.DataError that lists the sheets found.
func ReadSheet(wb *excelize.File, file, name string) (*Sheet, error) {
	actual, ok := findSheet(wb, name)
	if !ok {
		return nil, &extract.DataError{File: file, Sheet: name,
			Expected: fmt.Sprintf("a sheet named %q (sheets found: %s)", name, quoteList(wb.GetSheetList()))}
	}
	rows, err := wb.GetRows(actual, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("%s: read sheet %q: %w", file, actual, err)
	}
	return &Sheet{File: file, Name: actual, wb: wb, rows: rows}, nil
}

// findSheet returns the sheet whose name matches name, ignoring case,
// accents and spacing.
func findSheet(wb *excelize.File, name string) (string, bool) {
	want := labelKey(name)
	for _, s := range wb.GetSheetList() {
		if labelKey(s) == want {
			return s, true
		}
	}
	return "", false
}

// labelKey folds a label for matching: extract.Normalize, and typographic
// apostrophes (which spreadsheet autocorrection types) read as straight
// ones.
func labelKey(s string) string {
	return strings.NewReplacer("\u2019", "'", "\u02bc", "'").Replace(extract.Normalize(s))
}

// Height returns the number of rows up to the last one holding a value.
func (s *Sheet) Height() int { return len(s.rows) }

// Width returns the number of cells of row r up to its last value.
func (s *Sheet) Width(r int) int {
	if r < 0 || r >= len(s.rows) {
		return 0
	}
	return len(s.rows[r])
}

// Value returns the value of cell c, trimmed; "" for an empty cell.
func (s *Sheet) Value(c Cell) string {
	if c.Row < 0 || c.Row >= len(s.rows) || c.Col < 0 || c.Col >= len(s.rows[c.Row]) {
		return ""
	}
	return strings.TrimSpace(s.rows[c.Row][c.Col])
}

// Is reports whether cell c reads label (ignoring case, accents, spacing
// and the kind of apostrophe).
func (s *Sheet) Is(c Cell, label string) bool {
	v := s.Value(c)
	return v != "" && labelKey(v) == labelKey(label)
}

// Find returns the first cell at or below row from, row by row and left to
// right, that reads label.
func (s *Sheet) Find(label string, from int) (Cell, bool) {
	for r := max(from, 0); r < len(s.rows); r++ {
		for c := range s.rows[r] {
			if s.Is(Cell{r, c}, label) {
				return Cell{r, c}, true
			}
		}
	}
	return Cell{}, false
}

// FindTitle is Find from the top of the sheet, with a *extract.DataError
// when no cell reads title.
func (s *Sheet) FindTitle(title string) (Cell, error) {
	c, ok := s.Find(title, 0)
	if !ok {
		return Cell{}, &extract.DataError{File: s.File, Sheet: s.Name,
			Expected: fmt.Sprintf("a cell reading %q, the title of a table", title)}
	}
	return c, nil
}

// Errorf returns an error about the value of cell c in column column;
// expected says in words what was expected.
func (s *Sheet) Errorf(c Cell, column, expected string) *extract.DataError {
	return &extract.DataError{File: s.File, Sheet: s.Name, Cell: c.String(),
		Column: column, Value: s.Value(c), Expected: expected}
}

// kind returns how cell c stores its value.
func (s *Sheet) kind(c Cell) cellKind {
	t, err := s.wb.GetCellType(s.Name, c.String())
	if err != nil {
		return kindOther
	}
	return kindOf(t)
}

// Number reads cell c as a decimal number ≥ 0 (a number cell, a formula's
// cached result, or text such as "1 082,5"). An empty cell gives
// present=false.
func (s *Sheet) Number(c Cell, column string) (v float64, present bool, err error) {
	raw := s.Value(c)
	if raw == "" {
		return 0, false, s.uncomputed(c, column)
	}
	v, ok := parseNonNegative(raw, s.kind(c))
	if !ok {
		return 0, true, s.Errorf(c, column, expectNumber)
	}
	return v, true, nil
}

// Count reads cell c as a count (a whole number ≥ 0). An empty cell gives
// present=false.
func (s *Sheet) Count(c Cell, column string) (v int64, present bool, err error) {
	raw := s.Value(c)
	if raw == "" {
		return 0, false, s.uncomputed(c, column)
	}
	v, ok := parseCount(raw, s.kind(c))
	if !ok {
		return 0, true, s.Errorf(c, column, expectCount)
	}
	return v, true, nil
}

// uncomputed returns an error when the empty cell c holds a formula: the
// workbook was saved without its results (by a program rather than a
// spreadsheet application), and the value is unknown, not empty.
func (s *Sheet) uncomputed(c Cell, column string) error {
	f, err := s.wb.GetCellFormula(s.Name, c.String())
	if err != nil || f == "" {
		return nil
	}
	return s.Errorf(c, column, fmt.Sprintf("the result of the formula =%s, which the file does not hold "+
		"(open and save the workbook in a spreadsheet application)", f))
}

// quoteList writes strings quoted and separated by commas.
func quoteList(list []string) string {
	q := make([]string, 0, len(list))
	for i, v := range list {
		if i == 30 {
			q = append(q, fmt.Sprintf("… (%d in all)", len(list)))
			break
		}
		q = append(q, fmt.Sprintf("%q", extract.Cut(v))) // a short excerpt of the file at most
	}
	return strings.Join(q, ", ")
}
