package sqlout

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tableRows is how many rows the table reads before it fixes the widths.
const tableRows = 1000

// table aligns columns on the first rows, then streams the rest.
type table struct {
	w       io.Writer
	bw      *bufio.Writer
	cols    []Column
	pending [][]string
	widths  []int
	fixed   bool
}

func (t *table) Begin(cols []Column) error {
	t.bw = bufio.NewWriter(t.w)
	t.cols, t.pending, t.widths, t.fixed = cols, nil, make([]int, len(cols)), false
	for i, c := range cols {
		t.widths[i] = utf8.RuneCountInString(c.Name)
	}
	return nil
}

func (t *table) Row(vals []any) error {
	row := make([]string, len(vals))
	for i, v := range vals {
		row[i] = Cell(v, '.')
		if v == nil {
			row[i] = "NULL"
		}
	}
	if t.fixed {
		return t.line(row)
	}
	for i, s := range row {
		t.widths[i] = max(t.widths[i], utf8.RuneCountInString(s))
	}
	t.pending = append(t.pending, row)
	if len(t.pending) == tableRows {
		return t.flushPending()
	}
	return nil
}

func (t *table) flushPending() error {
	t.fixed = true
	names := make([]string, len(t.cols))
	rule := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.Name
		rule[i] = strings.Repeat("-", t.widths[i])
	}
	t.line(names)
	t.line(rule)
	for _, r := range t.pending {
		if err := t.line(r); err != nil {
			return err
		}
	}
	t.pending = nil
	return nil
}

func (t *table) line(cells []string) error {
	for i, s := range cells {
		if i > 0 {
			t.bw.WriteString("  ")
		}
		pad := t.widths[i] - utf8.RuneCountInString(s)
		right := t.cols[i].Kind != Text && t.cols[i].Kind != Date && t.cols[i].Kind != Timestamp
		if right && pad > 0 {
			t.bw.WriteString(strings.Repeat(" ", pad))
		}
		t.bw.WriteString(s)
		if !right && pad > 0 && i < len(cells)-1 {
			t.bw.WriteString(strings.Repeat(" ", pad))
		}
	}
	_, err := t.bw.WriteString("\n")
	return err
}

func (t *table) End(n int64) error {
	if !t.fixed {
		t.flushPending()
	}
	fmt.Fprintf(t.bw, "(%d row%s)\n\n", n, plural(n))
	return t.bw.Flush()
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// csvWriter streams CSV.
type csvWriter struct {
	w      io.Writer
	bw     *bufio.Writer
	cw     *csv.Writer
	french bool
	rec    []string
	bom    bool
}

func newCSV(w io.Writer, french bool) *csvWriter {
	return &csvWriter{w: w, french: french}
}

func (c *csvWriter) Begin(cols []Column) error {
	c.bw = bufio.NewWriterSize(c.w, 64<<10)
	if c.french && !c.bom {
		c.bw.WriteString("\uFEFF")
		c.bom = true
	}
	c.cw = csv.NewWriter(c.bw)
	if c.french {
		c.cw.Comma = ';'
		c.cw.UseCRLF = true
	}
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = col.Name
	}
	return c.cw.Write(c.rec)
}

func (c *csvWriter) Row(vals []any) error {
	dec := byte('.')
	if c.french {
		dec = ','
	}
	for i, v := range vals {
		c.rec[i] = Cell(v, dec)
	}
	return c.cw.Write(c.rec)
}

func (c *csvWriter) End(int64) error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// jsonWriter streams an array of objects, keys in column order.
type jsonWriter struct {
	w    io.Writer
	bw   *bufio.Writer
	cols []Column
	keys [][]byte
	n    int64
}

func (j *jsonWriter) Begin(cols []Column) error {
	j.bw = bufio.NewWriterSize(j.w, 64<<10)
	j.cols, j.n = cols, 0
	j.keys = make([][]byte, len(cols))
	for i, c := range cols {
		k, _ := json.Marshal(c.Name)
		j.keys[i] = k
	}
	_, err := j.bw.WriteString("[")
	return err
}

func (j *jsonWriter) Row(vals []any) error {
	if j.n > 0 {
		j.bw.WriteString(",")
	}
	j.n++
	j.bw.WriteString("\n  {")
	for i, v := range vals {
		if i > 0 {
			j.bw.WriteString(", ")
		}
		j.bw.Write(j.keys[i])
		j.bw.WriteString(": ")
		j.bw.WriteString(jsonValue(v, j.cols[i].Kind))
	}
	_, err := j.bw.WriteString("}")
	return err
}

// jsonValue writes a value; integers that a double cannot hold exactly
// (BIGINT and wider) are strings, so no JSON reader rounds them.
func jsonValue(v any, k Kind) string {
	if v == nil {
		return "null"
	}
	switch k {
	case Bool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b)
		}
	case Int:
		return Cell(v, '.')
	case BigInt:
		return strconv.Quote(Cell(v, '.'))
	case Float:
		f, _ := number(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "null"
		}
		if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e15) {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case Decimal:
		return Cell(v, '.')
	}
	b, _ := json.Marshal(Cell(v, '.'))
	return string(b)
}

func (j *jsonWriter) End(int64) error {
	if j.n > 0 {
		j.bw.WriteString("\n")
	}
	j.bw.WriteString("]\n")
	return j.bw.Flush()
}
