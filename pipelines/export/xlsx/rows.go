package xlsx

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// rowWriter writes the data rows of a family sheet as SpreadsheetML: the
// bytes excelize's StreamWriter.SetRow writes for the same cells
// (TestRowWriterMatchesExcelize compares them), without its costs per
// cell (a cell reference parsed and formatted, every string escaped
// again, the row going through a temporary file). A national workbook's
// family sheets hold millions of cells: excelize spent about 5 s of CPU on
// them.
//
// It takes the values longRow makes: nil (no cell), string, int and
// excelize.Cell with a float64 or string value. Strings excelize would
// rewrite (see plainText) are not taken: such a sheet is written through
// excelize (see writeFamily).
type rowWriter struct {
	w     io.Writer
	buf   []byte
	refs  []string          // column letters
	texts map[string][]byte // escaped text of the strings met
}

func newRowWriter(w io.Writer, cols int) *rowWriter {
	rw := &rowWriter{w: w, texts: make(map[string][]byte)}
	for c := 1; c <= cols; c++ {
		name, _ := excelize.ColumnNumberToName(c)
		rw.refs = append(rw.refs, name)
	}
	return rw
}

// row writes row number n (from 1) with values from column A.
func (rw *rowWriter) row(n int, values []any) error {
	num := strconv.AppendInt(nil, int64(n), 10)
	b := append(rw.buf, `<row r="`...)
	b = append(b, num...)
	b = append(b, `">`...)
	for i, v := range values {
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		if v == nil {
			continue
		}
		b = append(b, `<c r="`...)
		b = append(b, rw.refs[i]...)
		b = append(b, num...)
		b = append(b, '"')
		if style != 0 {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(style), 10)
			b = append(b, '"')
		}
		switch v := v.(type) {
		case string:
			b = append(b, ` t="inlineStr"><is><t>`...)
			b = append(b, rw.text(v)...)
			b = append(b, `</t></is></c>`...)
		case int:
			b = append(b, `><v>`...)
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, `</v></c>`...)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("column %s: %v is not a number Excel holds", rw.refs[i], v)
			}
			b = append(b, `><v>`...)
			b = appendCellFloat(b, v)
			b = append(b, `</v></c>`...)
		default:
			return fmt.Errorf("column %s: value of type %T", rw.refs[i], v)
		}
	}
	b = append(b, `</row>`...)
	rw.buf = b
	if len(b) >= 64<<10 {
		return rw.flush()
	}
	return nil
}

func (rw *rowWriter) flush() error {
	_, err := rw.w.Write(rw.buf)
	rw.buf = rw.buf[:0]
	return err
}

// text is s escaped as excelize escapes an inline string's text.
func (rw *rowWriter) text(s string) []byte {
	if t, ok := rw.texts[s]; ok {
		return t
	}
	var buf bytes.Buffer
	_ = escapeText(&buf, s)
	t := bytes.ReplaceAll(buf.Bytes(), []byte("&#xA;"), []byte("\n"))
	rw.texts[s] = t
	return t
}

// plainText reports whether excelize writes s as an inline string of its
// escaped text and nothing else: not a string it truncates (over 32,767
// UTF-16 units), marks to keep its edge spaces, or rewrites because it
// reads like an escaped character (_x0041_).
func plainText(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case '\t', '\n', '\r', ' ':
		return false
	}
	switch s[len(s)-1] {
	case '\t', '\n', '\r', ' ':
		return false
	}
	return len(s) <= excelize.TotalCellChars && !strings.Contains(s, "_x")
}

// appendCellFloat appends v as excelize writes a float64 cell: the
// shortest decimal form, cut to Excel's 15 significant digits.
func appendCellFloat(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', -1, 64)
	if math.Abs(v) == math.MaxFloat64 {
		return b
	}
	str := b[start:]
	const maxPrec = 15
	decimal := bytes.IndexByte(str, '.')
	significant := 0
	for idx, c := range str {
		if c < '0' || c > '9' || significant == 0 && c == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			return bytes.TrimSuffix(b[:start+idx], []byte("."))
		}
		if decimal < 0 {
			decimal = len(str)
		}
		for i := idx; i < decimal; i++ {
			str[i] = '0'
		}
		return b[:start+decimal]
	}
	return b
}

// escapeText writes s with XML's special characters escaped, as
// encoding/xml.EscapeText does (which excelize calls).
func escapeText(w *bytes.Buffer, s string) error {
	if !needsEscape(s) {
		w.WriteString(s)
		return nil
	}
	return xml.EscapeText(w, []byte(s))
}

// needsEscape reports whether encoding/xml.EscapeText would change s.
func needsEscape(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"', c == '\'', c == '&', c == '<', c == '>', c < 0x20:
			return true // escaped, or not an XML character (replaced)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\uFFFE\uFFFF"))
}
