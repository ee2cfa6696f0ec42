package births

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
)

// delimiter separates the fields of INSEE detail files.
const delimiter = ';'

// chunkSize is the read size of the streaming passes over the file.
const chunkSize = 1 << 20

// layout is what Go learns of a births file before DuckDB reads it.
type layout struct {
	name   string         // file base name, for messages
	header []string       // headers as written, trimmed
	index  map[string]int // field index of each required column
	rows   int64          // data lines: non-blank lines after the header
}

// scanFile reads the header of the file at path, checks that it has the
// required columns, and counts the data lines, streaming the file in
// chunks.
func scanFile(ctx context.Context, path, name string) (*layout, error) {
	f, err := extract.OpenRegular(path)
	if err != nil {
		if errors.Is(err, extract.ErrRejected) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, chunkSize)
	// The header line is read within the buffer: a file without a line
	// break is refused after chunkSize bytes, not read whole.
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, extract.Rejectf("%s: line 1: longer than %d KiB: expected a header line", name, chunkSize>>10)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	head := string(line)
	l := &layout{name: name, header: splitHeader(head)}
	if len(l.header) == 0 {
		return nil, extract.Rejectf("%s: the file is empty: expected a header line with the columns %s",
			name, quoteList(requiredColumns()))
	}
	if l.index, err = l.locate(); err != nil {
		return nil, err
	}
	if l.rows, err = countLines(ctx, br, make([]byte, chunkSize)); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return l, nil
}

// splitHeader splits the header line into trimmed, unquoted headers; nil
// for a blank line.
func splitHeader(line string) []string {
	line = strings.TrimPrefix(line, "\ufeff")
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" {
		return nil
	}
	fields := strings.Split(line, string(delimiter))
	for i, f := range fields {
		fields[i] = strings.Trim(strings.TrimSpace(f), `"`)
	}
	return fields
}

// locate finds the required columns by name (ignoring case, accents and
// spacing), in any order.
func (l *layout) locate() (map[string]int, error) {
	index := make(map[string]int, len(rules))
	var missing []string
	for _, r := range rules {
		found := -1
		for i, h := range l.header {
			if extract.Normalize(h) != extract.Normalize(r.column) {
				continue
			}
			if found >= 0 {
				return nil, extract.Rejectf("%s: line 1: column %q appears twice (fields %d and %d)",
					l.name, r.column, found+1, i+1)
			}
			found = i
		}
		if found < 0 {
			missing = append(missing, r.column)
		}
		index[r.column] = found
	}
	if len(missing) > 0 {
		word := "column"
		if len(missing) > 1 {
			word = "columns"
		}
		if len(missing) == len(rules) {
			// Not a births file at all: its first line is not quoted.
			return nil, extract.Rejectf("%s: line 1: missing %s %s (fields separated by %q): the first line (%d field(s)) holds none of them: expected the INSEE births header",
				l.name, word, quoteList(missing), delimiter, len(l.header))
		}
		return nil, extract.Rejectf("%s: line 1: missing %s %s (fields separated by %q); headers found: %s",
			l.name, word, quoteList(missing), delimiter, quoteList(l.header))
	}
	return index, nil
}

// countLines counts the non-blank lines of r, reading it in chunks of
// len(buf) bytes. A line holding nothing or only "\r" is blank, as DuckDB's
// CSV reader skips both; a last line without its newline counts.
func countLines(ctx context.Context, r io.Reader, buf []byte) (int64, error) {
	var n int64
	var size int   // bytes of the current line so far, capped at 2
	var first byte // its first byte
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := r.Read(buf)
		chunk := buf[:k]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			seg := chunk
			if i >= 0 {
				seg = chunk[:i]
			}
			if size == 0 && len(seg) > 0 {
				first = seg[0]
			}
			size = min(size+len(seg), 2)
			if i < 0 {
				break
			}
			if size > 1 || (size == 1 && first != '\r') {
				n++
			}
			size = 0
			chunk = chunk[i+1:]
		}
		if errors.Is(err, io.EOF) {
			if size > 1 || (size == 1 && first != '\r') {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// firstLine returns the first line (1-based, the header being line 1) whose
// field col holds value, streaming the file; 0 when none does.
func firstLine(ctx context.Context, path string, col int, value string) (int, error) {
	f, err := extract.OpenRegular(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), chunkSize)
	for line := 1; sc.Scan(); line++ {
		if line%100_000 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if line == 1 || len(bytes.TrimRight(sc.Bytes(), "\r")) == 0 {
			continue
		}
		if field(sc.Text(), col) == value {
			return line, nil
		}
	}
	return 0, sc.Err()
}

// field returns field col of a data line, as DuckDB reads it: unquoted,
// NULL (an empty field) as "".
func field(line string, col int) string {
	line = strings.TrimRight(line, "\r")
	for range col {
		i := strings.IndexByte(line, delimiter)
		if i < 0 {
			return ""
		}
		line = line[i+1:]
	}
	if i := strings.IndexByte(line, delimiter); i >= 0 {
		line = line[:i]
	}
	if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
		line = strings.ReplaceAll(line[1:len(line)-1], `""`, `"`)
	}
	return line
}

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
