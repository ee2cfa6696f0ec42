package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/text/encoding/charmap"
)

const (
	nbsp    = "\u00a0" // no-break space: French thousands separator
	bom     = "\ufeff" // UTF-8 byte order mark
	flushAt = 1 << 20  // bytes buffered before a write
	initBuf = 64 << 10 // initial buffer: most files are small
)

// csvWriter writes one delimited file through a large buffer. Hot loops
// append fields to buf themselves (strconv.Append*, precomputed byte
// strings) and call endRow; nothing goes through fmt.
type csvWriter struct {
	path string
	f    *os.File
	buf  []byte
	eol  string
	rows int64 // data rows written (the header is not counted)
	err  error
}

// createCSV creates path (and its folder) for a file with lines ending in
// eol ("\n" or "\r\n").
func createCSV(path, eol string) (*csvWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create folder of %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &csvWriter{path: path, f: f, buf: make([]byte, 0, initBuf), eol: eol}, nil
}

// header writes the header line: prefix (a BOM or nothing) then the
// already-encoded column names joined by ';'.
func (w *csvWriter) header(prefix string, cols ...string) {
	w.buf = append(w.buf, prefix...)
	for i, c := range cols {
		if i > 0 {
			w.buf = append(w.buf, ';')
		}
		w.buf = append(w.buf, c...)
	}
	w.buf = append(w.buf, w.eol...)
}

// endRow ends a data row.
func (w *csvWriter) endRow() {
	w.buf = append(w.buf, w.eol...)
	w.rows++
	if len(w.buf) >= flushAt {
		w.flush()
	}
}

func (w *csvWriter) flush() {
	if w.err == nil && len(w.buf) > 0 {
		if _, err := w.f.Write(w.buf); err != nil {
			w.err = fmt.Errorf("write %s: %w", w.path, err)
		}
	}
	w.buf = w.buf[:0]
}

// close flushes and closes the file, returning the first error met.
func (w *csvWriter) close() error {
	w.flush()
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("close %s: %w", w.path, err)
	}
	return w.err
}

// cp1252 encodes s in Windows-1252. Only the generator's own vocabulary
// goes through it, so a character outside the code page is a programming
// error.
func cp1252(s string) string {
	out, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		panic(fmt.Sprintf("demo: %q is not Windows-1252: %v", s, err))
	}
	return out
}

func cp1252All(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = cp1252(s)
	}
	return out
}

// appendCount appends n with sep between thousands groups ("12 345").
func appendCount(b []byte, n int64, sep string) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	if n < 1000 {
		return strconv.AppendInt(b, n, 10)
	}
	b = appendCount(b, n/1000, sep)
	b = append(b, sep...)
	r := n % 1000
	if r < 100 {
		b = append(b, '0')
	}
	if r < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, r, 10)
}

// appendDecimalFR appends a value with one decimal written the French way,
// thousands separated by sep: 1545.5 -> "1 545,5", 804.0 -> "804".
func appendDecimalFR(b []byte, v float64, sep string) []byte {
	tenths := int64(v*10 + 0.5)
	b = appendCount(b, tenths/10, sep)
	if d := tenths % 10; d != 0 {
		b = append(b, ',', byte('0'+d))
	}
	return b
}

func appendTwo(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
