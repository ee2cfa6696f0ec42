package frcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/transform"

	"github.com/odpe/odpe/pipelines/extract"
)

// sniffSize is how much of a file decides its encoding and separator.
const sniffSize = 64 << 10

// csvSource reads a delimited text file.
type csvSource struct {
	name   string
	cr     *csv.Reader
	dec    *decoder
	limit  *recordLimit
	text   *textCheck
	last   int // line of the last record read
	sep    rune
	width  int // fields of the header line
	closer io.Closer
}

func newCSV(rd io.Reader, name string, closer io.Closer) (*Reader, error) {
	text := &textCheck{r: rd}
	raw := bufio.NewReaderSize(text, sniffSize)
	head, err := raw.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && !errors.Is(err, errNotText) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if errors.Is(err, errNotText) {
		err = nil // reported when the reader gets there, with its line
	}
	dec := &decoder{enc: sniff(head, err == io.EOF)}
	if bytes.HasPrefix(head, bom) {
		if _, err := raw.Discard(len(bom)); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		head = head[len(bom):]
	}
	limit := &recordLimit{r: transform.NewReader(raw, dec)}
	cr := csv.NewReader(bufio.NewReaderSize(limit, sniffSize))
	cr.ReuseRecord = true
	src := &csvSource{name: name, cr: cr, dec: dec, limit: limit, text: text, sep: separator(head), closer: closer}
	cr.Comma = src.sep
	r, err := newReader(name, src)
	if err != nil {
		return nil, err
	}
	src.width = len(r.header)
	return r, nil
}

// separator picks `;`, `,` or tab, whichever the header line (the first
// line of head, outside quotes) holds most of; `;` when it holds none.
func separator(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		counts[c]++
	}
	best := byte(';')
	for _, c := range []byte{',', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func (s *csvSource) read() ([]string, error) {
	s.limit.reset()
	rec, err := s.cr.Read()
	if err == nil {
		s.last, _ = s.cr.FieldPos(0)
	}
	if err == nil || err == io.EOF {
		return rec, err
	}
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errTooLong):
		return nil, extract.Rejectf("%s: line %d: a line (or quoted field) longer than %d MiB: expected lines of a table",
			s.name, s.last+1, MaxRecordBytes>>20)
	case errors.Is(err, errNotText):
		return nil, extract.Rejectf("%s: line %d: byte 0x%02X is a control character: expected text (this looks like a binary file, or UTF-16)",
			s.name, s.text.line+1, s.text.bad)
	case errors.Is(err, errMixedEncoding):
		return nil, extract.Rejectf("%s: line %d: byte 0x%02X is not UTF-8 although the file begins as UTF-8: expected one encoding for the whole file",
			s.name, s.dec.line+1, s.dec.bad)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		return nil, extract.Rejectf("%s: line %d: expected %d fields separated by %q as in the header line, found %d",
			s.name, pe.StartLine, s.width, s.sep, len(rec))
	case errors.As(err, &pe):
		return nil, extract.Rejectf("%s: line %d: %v: expected quotes only around whole fields, doubled inside them (RFC 4180)",
			s.name, pe.Line, pe.Err)
	}
	return nil, fmt.Errorf("read %s: %w", s.name, err)
}

func (s *csvSource) line() int {
	l, _ := s.cr.FieldPos(0)
	return l
}

func (s *csvSource) locate(e *extract.DataError, col int) {
	if col < 0 {
		col = 0
	}
	e.Line, _ = s.cr.FieldPos(col)
}

func (s *csvSource) workbook() bool { return false }

func (s *csvSource) separator() string { return fmt.Sprintf("%q", s.sep) }

func (s *csvSource) close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}
