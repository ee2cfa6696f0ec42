// Package csvbatch writes rows bound for a DuckDB table as a typed CSV file
// that DuckDB's own parallel CSV reader loads in one statement. Formatting
// a row in Go costs a few dozen nanoseconds a value, far less than
// DuckDB's row appender converting each value, and one INSERT … SELECT
// FROM read_csv replaces thousands of per-file statements.
//
// Strings are always quoted and NULL is an empty unquoted field, so the
// empty string and NULL stay apart. A writer can be rewound to a mark: the
// rows of a file that turns out to be bad are taken back.
package csvbatch

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Column is one column of the target table, as DuckDB names its type
// (VARCHAR, INTEGER, BIGINT, DOUBLE, DATE, TIMESTAMP WITH TIME ZONE…).
type Column struct {
	Name string
	Type string
}

// class is how a column's values are written.
type class int

const (
	text class = iota
	integer
	real
	date
	timestamp
	timestampTZ
	boolean
)

func classOf(typ string) (class, error) {
	switch t := strings.ToUpper(typ); {
	case t == "VARCHAR":
		return text, nil
	case t == "TINYINT", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "HUGEINT",
		t == "UTINYINT", t == "USMALLINT", t == "UINTEGER", t == "UBIGINT":
		return integer, nil
	case t == "FLOAT", t == "DOUBLE", strings.HasPrefix(t, "DECIMAL"):
		return real, nil
	case t == "DATE":
		return date, nil
	case t == "TIMESTAMP":
		return timestamp, nil
	case t == "TIMESTAMP WITH TIME ZONE":
		return timestampTZ, nil
	case t == "BOOLEAN":
		return boolean, nil
	}
	return 0, fmt.Errorf("column type %s is not supported by batch loads", typ)
}

// MaxLine bounds a row as written (DuckDB reads it back with this
// max_line_size): a longer row is refused by Write, so that one bad file
// is rejected alone instead of failing the load of the whole batch.
const MaxLine = 8 << 20

// ranges are the integer types that do not hold every int64.
var ranges = map[string][2]int64{
	"TINYINT": {math.MinInt8, math.MaxInt8}, "SMALLINT": {math.MinInt16, math.MaxInt16},
	"INTEGER": {math.MinInt32, math.MaxInt32}, "UTINYINT": {0, math.MaxUint8},
	"USMALLINT": {0, math.MaxUint16}, "UINTEGER": {0, math.MaxUint32}, "UBIGINT": {0, math.MaxInt64},
}

// Writer writes the rows of one table into a file.
type Writer struct {
	path    string
	columns []Column
	classes []class
	bounds  [][2]int64 // of integer columns narrower than BIGINT; nil for the others
	file    *os.File
	w       *bufio.Writer
	written int64 // bytes written, buffered or not
	rows    int64
	line    []byte
}

// Create creates (or empties) the file at path for rows of columns.
func Create(path string, columns []Column) (*Writer, error) {
	classes := make([]class, len(columns))
	bounds := make([][2]int64, len(columns))
	for i, c := range columns {
		cl, err := classOf(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		classes[i] = cl
		bounds[i] = [2]int64{math.MinInt64, math.MaxInt64}
		if r, ok := ranges[strings.ToUpper(c.Type)]; ok {
			bounds[i] = r
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &Writer{path: path, columns: columns, classes: classes, bounds: bounds, file: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// Path is the file's path.
func (w *Writer) Path() string { return w.path }

// Rows is the number of rows written since the file was created or reset.
func (w *Writer) Rows() int64 { return w.rows }

// Size is the number of bytes written since the file was created or reset.
func (w *Writer) Size() int64 { return w.written }

// Write writes one row, one value per column in order: nil, string, an
// integer, float64, bool or time.Time, as the column's type allows.
func (w *Writer) Write(values ...any) error {
	if len(values) != len(w.columns) {
		return fmt.Errorf("%d values for %d columns", len(values), len(w.columns))
	}
	line := w.line[:0]
	for i, v := range values {
		if i > 0 {
			line = append(line, ',')
		}
		if w.classes[i] == integer {
			if n, ok := asInt64(v); ok && (n < w.bounds[i][0] || n > w.bounds[i][1]) {
				return fmt.Errorf("column %s (%s): %d is out of its range (%d to %d)",
					w.columns[i].Name, w.columns[i].Type, n, w.bounds[i][0], w.bounds[i][1])
			}
		}
		var err error
		if line, err = appendValue(line, w.classes[i], v); err != nil {
			return fmt.Errorf("column %s (%s): %w", w.columns[i].Name, w.columns[i].Type, err)
		}
	}
	line = append(line, '\n')
	w.line = line
	if len(line) > MaxLine {
		return fmt.Errorf("a row of %d bytes: at most %d", len(line), MaxLine)
	}
	n, err := w.w.Write(line)
	w.written += int64(n)
	if err != nil {
		return err
	}
	w.rows++
	return nil
}

// Mark is a position to rewind to.
type Mark struct{ bytes, rows int64 }

// Rows is the number of rows written before the mark.
func (m Mark) Rows() int64 { return m.rows }

// Mark returns the current position.
func (w *Writer) Mark() Mark { return Mark{w.written, w.rows} }

// Rewind takes back every row written after m.
func (w *Writer) Rewind(m Mark) error {
	if m.bytes == w.written {
		return nil
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	if err := w.file.Truncate(m.bytes); err != nil {
		return err
	}
	if _, err := w.file.Seek(m.bytes, io.SeekStart); err != nil {
		return err
	}
	w.written, w.rows = m.bytes, m.rows
	return nil
}

// Flush writes buffered rows to the file, for DuckDB to read.
func (w *Writer) Flush() error { return w.w.Flush() }

// Reset empties the file for the next batch.
func (w *Writer) Reset() error { return w.Rewind(Mark{}) }

// Close closes and removes the file.
func (w *Writer) Close() error {
	err := w.file.Close()
	if rerr := os.Remove(w.path); err == nil && !os.IsNotExist(rerr) {
		err = rerr
	}
	return err
}

// ReadCSV returns the DuckDB table function call that reads the file
// back with the columns' types, for INSERT INTO … SELECT * FROM it.
func (w *Writer) ReadCSV() string {
	var cols strings.Builder
	for i, c := range w.columns {
		if i > 0 {
			cols.WriteString(", ")
		}
		fmt.Fprintf(&cols, "%s: %s", quoteSQL(c.Name), quoteSQL(c.Type))
	}
	return fmt.Sprintf(`read_csv(%s, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', `+
		`nullstr = '', allow_quoted_nulls = false, new_line = '\n', hive_partitioning = false, max_line_size = %d, columns = {%s})`, quoteSQL(w.path), MaxLine+1, cols.String())
}

// ColumnList returns the quoted column names, for INSERT INTO t (…).
func ColumnList(columns []Column) string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = `"` + strings.ReplaceAll(c.Name, `"`, `""`) + `"`
	}
	return strings.Join(names, ", ")
}

func quoteSQL(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// appendValue formats v for a column of class c.
func appendValue(b []byte, c class, v any) ([]byte, error) {
	if v == nil {
		return b, nil
	}
	switch c {
	case text:
		if s, ok := v.(string); ok {
			return appendQuoted(b, s), nil
		}
	case integer:
		switch n := v.(type) {
		case int:
			return strconv.AppendInt(b, int64(n), 10), nil
		case int64:
			return strconv.AppendInt(b, n, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(n), 10), nil
		case int16:
			return strconv.AppendInt(b, int64(n), 10), nil
		case int8:
			return strconv.AppendInt(b, int64(n), 10), nil
		case uint64:
			return strconv.AppendUint(b, n, 10), nil
		case uint32:
			return strconv.AppendUint(b, uint64(n), 10), nil
		}
	case real:
		switch f := v.(type) {
		case float64:
			return strconv.AppendFloat(b, f, 'g', -1, 64), nil
		case float32:
			return strconv.AppendFloat(b, float64(f), 'g', -1, 32), nil
		case int:
			return strconv.AppendInt(b, int64(f), 10), nil
		case int64:
			return strconv.AppendInt(b, f, 10), nil
		}
	case date:
		if t, ok := v.(time.Time); ok {
			return t.AppendFormat(b, "2006-01-02"), nil
		}
	case timestamp:
		if t, ok := v.(time.Time); ok {
			return t.AppendFormat(b, "2006-01-02 15:04:05.999999"), nil
		}
	case timestampTZ:
		if t, ok := v.(time.Time); ok {
			return t.AppendFormat(b, "2006-01-02 15:04:05.999999-07:00"), nil
		}
	case boolean:
		if t, ok := v.(bool); ok {
			return strconv.AppendBool(b, t), nil
		}
	}
	return b, fmt.Errorf("cannot store a %T", v)
}

// appendQuoted appends s between double quotes, doubling the quotes in it.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// asInt64 returns an integer value as an int64 (a uint64 beyond it as the
// largest int64, which no narrow type holds either).
func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint64:
		return int64(min(n, math.MaxInt64)), true
	case uint32:
		return int64(n), true
	}
	return 0, false
}
