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
	"os"
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
}

// Open opens a CSV file, or the first sheet of a workbook when the name
// ends in `.xlsx` or `.xlsm`. Close the reader when done.
func Open(path string) (*Reader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return OpenSheet(path, "")
	}
	f, err := os.Open(path)
	if err != nil {
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
		return c, extract.Rejectf("%s: missing column %q%s; headers found: %s",
			r.name, names[0], alt, quoteList(r.header))
	}
	return c, nil
}

// Optional finds a column that may be absent: Get then returns "".
func (r *Reader) Optional(names ...string) Col {
	c, _ := r.find(names) // a duplicate header: use the first
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

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
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

// Count parses column c as a count. An empty cell gives present=false.
func (r *Reader) Count(c Col) (v int64, present bool, err error) {
	s := r.Get(c)
	if s == "" {
		return 0, false, nil
	}
	v, err = frnum.Count(s)
	if err != nil {
		return 0, true, r.typed(c, err)
	}
	return v, true, nil
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
