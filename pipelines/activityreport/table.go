package activityreport

import (
	"fmt"

	"github.com/odpe/odpe/pipelines/extract"
)

// Column is a column a table has, found by its header.
type Column struct {
	Name     string // header as the template writes it
	Optional bool   // the table may lack it
}

// Table is a block of rows under a header row, found from the title cell
// above it. Its first column labels the rows; the table ends at the first
// row whose label is empty (or reads one of the stop labels given to
// TableBelow).
type Table struct {
	Sheet  *Sheet
	Title  Cell     // the title cell
	Header int      // row of the header line
	Names  []string // headers as written; the asked name of an absent column
	Rows   []int    // rows of the data lines, top to bottom

	cols []int // sheet column of each asked Column, -1 when absent
}

// ReadTable finds the cell reading title and reads the table below it (see
// TableBelow).
func (s *Sheet) ReadTable(title string, cols []Column, stop ...string) (*Table, error) {
	at, err := s.FindTitle(title)
	if err != nil {
		return nil, err
	}
	return s.TableBelow(at, cols, stop...)
}

// maxHeaderGap is how many rows below its title a table's header row may
// be: blank rows or a subtitle may come between.
const maxHeaderGap = 5

// TableBelow reads the table whose title is at title. Its header row is the
// first row below the title (at most maxHeaderGap rows below) that holds the
// header of the first column, which labels the rows and must not be
// optional. Headers are looked for from the title's column rightwards, so
// that tables may stand side by side. Data rows start right below the
// header and end at the first row whose label is empty or reads one of stop
// (the title of the next table, a line kept apart…). A missing header row
// or required column, or a table without rows, is a *extract.DataError.
func (s *Sheet) TableBelow(title Cell, cols []Column, stop ...string) (*Table, error) {
	if len(cols) == 0 || cols[0].Optional {
		return nil, fmt.Errorf("activityreport: the label column of a table cannot be optional")
	}
	t := &Table{Sheet: s, Title: title, Header: -1}
	for r := title.Row + 1; r < s.Height() && r <= title.Row+maxHeaderGap; r++ {
		if s.rowHas(r, title.Col, cols[0].Name) {
			t.Header = r
			break
		}
	}
	if t.Header < 0 {
		return nil, s.Errorf(title, "", fmt.Sprintf("a header row with the column %q in the %d rows below this title",
			cols[0].Name, maxHeaderGap))
	}
	if err := t.locateColumns(cols); err != nil {
		return nil, err
	}
	for r := t.Header + 1; r < s.Height(); r++ {
		label := Cell{r, t.cols[0]}
		if s.Value(label) == "" || s.isAny(label, stop) {
			break
		}
		t.Rows = append(t.Rows, r)
	}
	if len(t.Rows) == 0 {
		below := Cell{t.Header + 1, t.cols[0]}
		return nil, s.Errorf(below, t.Names[0],
			fmt.Sprintf("the first row of the table %q right below its header row", s.Value(title)))
	}
	return t, nil
}

// locateColumns finds each asked column in the header row.
func (t *Table) locateColumns(cols []Column) error {
	s := t.Sheet
	t.cols = make([]int, len(cols))
	t.Names = make([]string, len(cols))
	for i, want := range cols {
		t.cols[i], t.Names[i] = -1, want.Name
		for c := t.Title.Col; c < s.Width(t.Header); c++ {
			if at := (Cell{t.Header, c}); s.Is(at, want.Name) {
				t.cols[i], t.Names[i] = c, s.Value(at)
				break
			}
		}
		if t.cols[i] < 0 && !want.Optional {
			first, last := Cell{t.Header, t.Title.Col}, Cell{t.Header, max(s.Width(t.Header)-1, t.Title.Col)}
			return &extract.DataError{File: s.File, Sheet: s.Name, Cell: first.String() + ":" + last.String(),
				Column: want.Name,
				Expected: fmt.Sprintf("a column %q in the header row of the table %q (headers found: %s)",
					want.Name, s.Value(t.Title), quoteList(t.headers()))}
		}
	}
	return nil
}

// headers returns the non-empty headers of the header row.
func (t *Table) headers() []string {
	var hs []string
	for c := t.Title.Col; c < t.Sheet.Width(t.Header); c++ {
		if v := t.Sheet.Value(Cell{t.Header, c}); v != "" {
			hs = append(hs, v)
		}
	}
	return hs
}

// Has reports whether the table has its i-th asked column.
func (t *Table) Has(i int) bool { return t.cols[i] >= 0 }

// Cell returns the cell of row r (a sheet row, from Rows) in the i-th asked
// column.
func (t *Table) Cell(r, i int) Cell { return Cell{r, t.cols[i]} }

// Value returns the value of row r in the i-th asked column; "" when the
// column is absent.
func (t *Table) Value(r, i int) string {
	if !t.Has(i) {
		return ""
	}
	return t.Sheet.Value(t.Cell(r, i))
}

// Label returns the label of row r: its value in the first column.
func (t *Table) Label(r int) string { return t.Value(r, 0) }

// End returns the first row after the table.
func (t *Table) End() int { return t.Rows[len(t.Rows)-1] + 1 }

// Errorf returns an error about the value of row r in the i-th asked column.
func (t *Table) Errorf(r, i int, expected string) *extract.DataError {
	return t.Sheet.Errorf(t.Cell(r, i), t.Names[i], expected)
}

// rowHas reports whether row r has a cell reading label, from column from
// rightwards.
func (s *Sheet) rowHas(r, from int, label string) bool {
	for c := from; c < s.Width(r); c++ {
		if s.Is(Cell{r, c}, label) {
			return true
		}
	}
	return false
}

// isAny reports whether cell c reads one of labels.
func (s *Sheet) isAny(c Cell, labels []string) bool {
	for _, l := range labels {
		if s.Is(c, l) {
			return true
		}
	}
	return false
}

// Number reads row r of the i-th asked column as a number ≥ 0 (see
// Sheet.Number); an absent column or an empty cell gives present=false.
func (t *Table) Number(r, i int) (v float64, present bool, err error) {
	if !t.Has(i) {
		return 0, false, nil
	}
	return t.Sheet.Number(t.Cell(r, i), t.Names[i])
}

// Count reads row r of the i-th asked column as a count (see Sheet.Count);
// an absent column or an empty cell gives present=false.
func (t *Table) Count(r, i int) (v int64, present bool, err error) {
	if !t.Has(i) {
		return 0, false, nil
	}
	return t.Sheet.Count(t.Cell(r, i), t.Names[i])
}
