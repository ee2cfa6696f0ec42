// Package frcsv reads the tables the observatory receives, as French
// software and spreadsheets write them: CSV files in UTF-8 (with or without
// BOM) or Windows-1252, separated by `;`, `,` or tab, with LF or CRLF line
// endings and RFC 4180 quoting, and the first sheet (or a named sheet) of
// `.xlsx` workbooks, through one API.
//
// Columns are found by header name, ignoring case, accents and spacing
// (extract.Normalize). Values are returned trimmed; typed accessors parse
// them with package frnum and report failures as *extract.DataError naming
// the file, the line (or sheet and cell), the column, the value and what was
// expected.
//
//	r, err := frcsv.Open(path)
//	…
//	defer r.Close()
//	terr, err := r.Column("Territoire")
//	…
//	for r.Next() {
//		n, present, err := r.Count(epp)
//		…
//	}
//	if err := r.Err(); err != nil { … }
package frcsv

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frnum"
)

// Col designates a column of the file. The zero Col is not valid; get one
// from Reader.Column or Reader.Optional.
type Col struct {
	idx  int    // index in the record, -1 when the column is absent
	name string // header as written, or the name asked for when absent
}

// Present reports whether the column exists in the file.
func (c Col) Present() bool { return c.idx >= 0 }

// Name returns the column's header as written in the file (or the name
// asked for, for an absent optional column).
func (c Col) Name() string { return c.name }

// source is where records come from: a CSV stream or a worksheet.
type source interface {
	// read returns the next record, io.EOF at the end. The slice may be
	// reused by the next call.
	read() ([]string, error)
	// line returns the line (or row) where the current record starts.
	line() int
	// locate fills the position of column col of the current record.
	locate(e *extract.DataError, col int)
	// workbook reports whether values come from spreadsheet cells.
	workbook() bool
	// separator names how fields are separated, for messages.
	separator() string
	close() error
}

// Reader reads the records of one file.
type Reader struct {
	name   string
	src    source
	header []string // as written, trimmed
	keys   []string // normalised headers
	rec    []string
	err    error
	found  int // columns found by Column and Optional
}

// Open opens a CSV file, or the first sheet of a workbook when the name
// ends in `.xlsx` or `.xlsm`. Close the reader when done.
func Open(path string) (*Reader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return OpenSheet(path, "")
	}
	f, err := extract.OpenRegular(path)
	if err != nil {
		if errors.Is(err, extract.ErrRejected) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := newCSV(f, filepath.Base(path), f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads CSV from rd; name is used in error messages. Closing the
// reader does not close rd.
func NewReader(rd io.Reader, name string) (*Reader, error) {
	return newCSV(rd, name, nil)
}

func newReader(name string, src source) (*Reader, error) {
	r := &Reader{name: name, src: src}
	for {
		rec, err := src.read()
		if err == io.EOF {
			return nil, extract.Rejectf("%s: the file is empty: expected a header line", name)
		}
		if err != nil {
			return nil, err
		}
		if !blank(rec) {
			if i := longCell(rec); i >= 0 {
				return nil, extract.Rejectf("%s: %s: field %d of the first line holds more than %d characters: expected a header line",
					name, r.Where(src.line()), i+1, MaxCellChars)
			}
			r.setHeader(rec)
			return r, nil
		}
	}
}

func (r *Reader) setHeader(rec []string) {
	r.header = make([]string, len(rec))
	r.keys = make([]string, len(rec))
	for i, h := range rec {
		r.header[i] = strings.TrimSpace(h)
		r.keys[i] = extract.Normalize(h)
	}
}

// Name returns the file name used in error messages.
func (r *Reader) Name() string { return r.name }

// Headers returns the column headers as written, trimmed.
func (r *Reader) Headers() []string { return r.header }

// Column finds a required column by any of its names. A missing column is
// an error (matching extract.ErrRejected) that lists the headers found.
func (r *Reader) Column(names ...string) (Col, error) {
	c, err := r.find(names)
	if err != nil {
		return c, err
	}
	if c.idx < 0 {
		alt := ""
		if len(names) > 1 {
			alt = fmt.Sprintf(" (or %s)", quoteList(names[1:]))
		}
		if r.found == 0 {
			// The file does not read as this source at all (another
			// file, a key, a password file behind a link): its first
			// line is not quoted.
			return c, extract.Rejectf("%s: missing column %q%s: the first line (%d field(s) separated by %s) holds none of the expected columns: expected this source's header line",
				r.name, names[0], alt, len(r.header), r.src.separator())
		}
		return c, extract.Rejectf("%s: missing column %q%s; headers found: %s",
			r.name, names[0], alt, quoteList(r.header))
	}
	r.found++
	return c, nil
}

// Want is a required column: where to keep it, and its names.
type Want struct {
	Col   *Col
	Names []string
}

// Columns finds every wanted column with Column, in order, and fails on
// the first one missing.
func (r *Reader) Columns(want ...Want) error {
	for _, w := range want {
		c, err := r.Column(w.Names...)
		if err != nil {
			return err
		}
		*w.Col = c
	}
	return nil
}

// Optional finds a column that may be absent: Get then returns "".
func (r *Reader) Optional(names ...string) Col {
	c, _ := r.find(names) // a duplicate header: use the first
	if c.idx >= 0 {
		r.found++
	}
	return c
}

// find returns the first header matching one of names (index -1 when none
// does), and an error when a name matches two headers.
func (r *Reader) find(names []string) (Col, error) {
	for _, n := range names {
		key := extract.Normalize(n)
		found := -1
		for i, k := range r.keys {
			if k != key {
				continue
			}
			if found >= 0 {
				return Col{idx: found, name: r.header[found]}, extract.Rejectf(
					"%s: column %q appears twice (columns %d and %d)", r.name, n, found+1, i+1)
			}
			found = i
		}
		if found >= 0 {
			return Col{idx: found, name: r.header[found]}, nil
		}
	}
	name := ""
	if len(names) > 0 {
		name = names[0]
	}
	return Col{idx: -1, name: name}, nil
}

// quoteList quotes at most 30 strings, each cut to extract.ExcerptLength
// characters.
func quoteList(s []string) string {
	const most = 30
	q := make([]string, 0, min(len(s), most)+1)
	for i, v := range s {
		if i == most {
			q = append(q, fmt.Sprintf("… (%d in all)", len(s)))
			break
		}
		q = append(q, fmt.Sprintf("%q", extract.Cut(v)))
	}
	return strings.Join(q, ", ")
}

// Next advances to the next record that is not blank. It returns false at
// the end of the file or on an error (see Err).
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	for {
		rec, err := r.src.read()
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			r.rec = nil
			return false
		}
		if !blank(rec) {
			if i := longCell(rec); i >= 0 {
				name := fmt.Sprintf("field %d", i+1)
				if i < len(r.header) {
					name = r.header[i]
				}
				r.rec = rec
				e := &extract.DataError{File: r.name, Column: name, Value: rec[i],
					Expected: fmt.Sprintf("a value of at most %d characters", MaxCellChars)}
				r.src.locate(e, i)
				r.err, r.rec = e, nil
				return false
			}
			r.rec = rec
			return true
		}
	}
}

// Err returns the error that stopped Next, if any.
func (r *Reader) Err() error { return r.err }

// Line returns the physical line where the current record starts, the
// header being line 1 (the row number, for a workbook).
func (r *Reader) Line() int { return r.src.line() }

// Where names a line (or worksheet row) for messages: "line 12", "row 12".
func (r *Reader) Where(line int) string {
	if r.src.workbook() {
		return fmt.Sprintf("row %d", line)
	}
	return fmt.Sprintf("line %d", line)
}

// Get returns the trimmed value of column c in the current record.
func (r *Reader) Get(c Col) string {
	if c.idx < 0 || c.idx >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[c.idx])
}

// Errorf returns an error about the value of column c in the current
// record; expected says in words what was expected.
func (r *Reader) Errorf(c Col, expected string) *extract.DataError {
	e := &extract.DataError{File: r.name, Column: c.name, Value: r.Get(c), Expected: expected}
	r.src.locate(e, c.idx)
	return e
}

// Close releases the file. It is safe to call more than once.
func (r *Reader) Close() error {
	if r.src == nil {
		return nil
	}
	err := r.src.close()
	r.src = closedSource{r.src}
	return err
}

// closedSource keeps positions answering after Close.
type closedSource struct{ source }

func (closedSource) read() ([]string, error) { return nil, io.EOF }
func (closedSource) close() error            { return nil }

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// typed returns the DataError for a frnum failure on column c.
func (r *Reader) typed(c Col, err error) error {
	var se *frnum.SyntaxError
	if errors.As(err, &se) {
		return r.Errorf(c, se.Expected)
	}
	return r.Errorf(c, err.Error())
}

// Count parses column c as a count from 0 to MaxCount, which every raw
// table's INTEGER holds. An empty cell gives present=false.
func (r *Reader) Count(c Col) (v int64, present bool, err error) {
	return r.CountIn(c, MaxCount)
}

// CountIn parses column c as a count from 0 to most, the column's
// plausible range: a larger number is rejected here, with the file, line,
// column and value, not by the database at load. An empty cell gives
// present=false.
func (r *Reader) CountIn(c Col, most int64) (v int64, present bool, err error) {
	s := r.Get(c)
	if s == "" {
		return 0, false, nil
	}
	v, err = frnum.Count(s)
	if err != nil {
		return 0, true, r.typed(c, err)
	}
	if v > most {
		return 0, true, r.Errorf(c, countRange(most))
	}
	return v, true, nil
}

// countRange says what CountIn expects: "a count (whole number from 0 to
// 1 000 000)".
func countRange(most int64) string {
	return "a count (whole number from 0 to " + spaced(most) + ")"
}

// spaced writes n with spaces between thousands, the French way.
func spaced(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Number parses column c as a decimal number. An empty cell gives
// present=false.
func (r *Reader) Number(c Col) (v float64, present bool, err error) {
	s := r.Get(c)
	if s == "" {
		return 0, false, nil
	}
	v, err = frnum.Number(s)
	if err != nil {
		return 0, true, r.typed(c, err)
	}
	return v, true, nil
}

// Date parses column c as a date (in a workbook, a date cell holds a serial
// number, which is read as such). An empty cell gives present=false.
func (r *Reader) Date(c Col) (v time.Time, present bool, err error) {
	s := r.Get(c)
	if s == "" {
		return time.Time{}, false, nil
	}
	if r.src.workbook() {
		if t, ok := serialDate(s); ok {
			return t, true, nil
		}
	}
	v, err = frnum.Date(s)
	if err != nil {
		return time.Time{}, true, r.typed(c, err)
	}
	return v, true, nil
}

// Hours parses column c as a duration in hours. An empty cell gives
// present=false.
func (r *Reader) Hours(c Col) (v float64, present bool, err error) {
	s := r.Get(c)
	if s == "" {
		return 0, false, nil
	}
	v, err = frnum.Hours(s)
	if err != nil {
		return 0, true, r.typed(c, err)
	}
	return v, true, nil
}
