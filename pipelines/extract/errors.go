package extract

import (
	"errors"
	"fmt"
	"strings"
)

// DataError locates one bad value in a source file: the file, the line (or
// sheet and cell), the column, the value and what was expected. Its
// message quotes at most ExcerptLength characters of the value and of the
// column, escaped.
type DataError struct {
	File     string // base name of the file
	Line     int    // 1-based line of a CSV file (0 for a workbook)
	Sheet    string // workbook sheet
	Cell     string // workbook cell, "B7"
	Column   string // column header as written in the file
	Value    string // offending value as read
	Expected string // what was expected, in words: "a count (whole number ≥ 0)"
}

func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(Message(e.File))
	switch {
	case e.Sheet != "" && e.Cell != "":
		fmt.Fprintf(&b, ": sheet %q, cell %s", e.Sheet, e.Cell)
	case e.Sheet != "":
		fmt.Fprintf(&b, ": sheet %q", e.Sheet)
	case e.Line > 0:
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", Cut(e.Column))
	}
	if e.Value != "" || e.Line > 0 || e.Cell != "" {
		fmt.Fprintf(&b, ": value %q", Cut(e.Value))
	}
	if e.Expected != "" {
		fmt.Fprintf(&b, ": expected %s", e.Expected)
	}
	return b.String()
}

// ErrRejected marks errors that are about the file's content: retrying will
// not help, the file is set aside. Errors that do not wrap it (I/O, a file
// still being written) may be retried.
var ErrRejected = errors.New("file rejected")

// Is makes every DataError match ErrRejected.
func (e *DataError) Is(target error) bool { return target == ErrRejected }

// Rejectf returns an error about a file's content (a missing column, an
// unknown category…) that matches ErrRejected. The message should name the
// file.
func Rejectf(format string, args ...any) error {
	return rejected{fmt.Errorf(format, args...)}
}

type rejected struct{ error }

func (r rejected) Is(target error) bool { return target == ErrRejected }
func (r rejected) Unwrap() error        { return r.error }
