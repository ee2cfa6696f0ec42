package sdmx

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/odpe/odpe/pipelines/export"
)

// lineFormat is the version of what a row's line holds beyond the
// dataset's structure id and dimensions: bump it whenever record,
// FormatValue or the CSV settings change the line written for a row, so
// that no file written before is copied from.
const lineFormat = "odpe-sdmx-csv-line/2"

// Fixed fields of every line.
const (
	structureKind = "dataflow" // STRUCTURE
	actionInform  = "I"        // ACTION: information (insert or replace)
)

// Index says where each indicator's lines lie in an SDMX file, so that
// the next file can copy the lines of the indicators whose rows did not
// change.
type Index struct {
	// Context is a hex SHA-256 of everything a line depends on besides
	// its own row: the header, the structure id, the fixed fields, the
	// dimensions, the code tables and the line format version.
	Context string `json:"context"`
	// Indicators holds the lines of each indicator that has rows, each in
	// one block. An indicator whose rows came in more than one run (rows
	// not grouped by indicator) has no entry.
	Indicators map[string]Span `json:"indicators"`
	// Codes holds the codes each indicator's lines use, copied lines
	// included: the structure message declares their union.
	Codes map[string]Codes `json:"codes"`
}

// Span is a byte range of a file: Offset from the start of the file
// (header included), Length covering the lines with their CRLFs.
type Span struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// Previous is a file written earlier, with its Index, and the indicators
// whose lines are to be copied from it rather than written from rows.
type Previous struct {
	Path       string
	Index      Index
	Indicators []string
}

// Reusable reports whether the lines of the named indicators in a file
// with index idx can be copied into a file of ds: same context, every
// indicator present in idx.
func Reusable(ds *export.Dataset, idx Index, indicators []string) bool {
	_, head, err := headerLine(ds.Dimensions)
	if err != nil || idx.Context != contextOf(ds, head) {
		return false
	}
	for _, id := range indicators {
		if sp, ok := idx.Indicators[id]; !ok || sp.Length <= 0 {
			return false
		}
	}
	return true
}

// WriteIndexed writes ds like Write, and returns the index of what it
// wrote. w had better be buffered: each indicator's lines end with a write.
//
// With prev not nil, ds.Rows holds none of prev.Indicators' rows: their
// lines are copied from prev.Path, each indicator's block placed where its
// id sorts among the indicators of ds.Rows. That needs ds.Rows in runs of
// one indicator in increasing id order (byte order, like Go's string
// comparison); WriteIndexed returns an error otherwise, or when an
// indicator to copy is in ds.Rows too, or is missing from prev.Index, or
// when the context differs, or when the file at prev.Path is shorter than
// a span or does not start with the header of ds. These are checked
// before anything is written.
func WriteIndexed(w io.Writer, ds *export.Dataset, prev *Previous) (Index, error) {
	header, head, err := headerLine(ds.Dimensions)
	if err != nil {
		return Index{}, err
	}
	idx := Index{Context: contextOf(ds, head), Indicators: map[string]Span{}, Codes: map[string]Codes{}}
	var src *source
	if prev != nil {
		if src, err = openPrevious(ds, prev, idx.Context, head); err != nil {
			return Index{}, err
		}
		defer src.f.Close()
	}

	cnt := &countingWriter{w: w}
	if _, err := cnt.Write(head); err != nil {
		return Index{}, fmt.Errorf("sdmx: write header: %w", err)
	}
	cw := newCSVWriter(cnt)
	flush := func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("sdmx: flush: %w", err)
		}
		return nil
	}
	next := 0 // next indicator of src to copy
	copyBelow := func(id string, all bool) error {
		for ; src != nil && next < len(src.ids) && (all || src.ids[next] < id); next++ {
			sp, err := src.copyTo(cnt, next)
			if err != nil {
				return err
			}
			idx.Indicators[src.ids[next]] = sp
			idx.Codes[src.ids[next]] = prev.Index.Codes[src.ids[next]]
		}
		return nil
	}

	known := make(map[string]bool, len(ds.Dimensions))
	for _, d := range ds.Dimensions {
		known[d] = true
	}
	var repeated map[string]bool // indicators in more than one run
	rec := make([]string, len(header))
	values := coder{}
	sets := map[string]*codeSet{}
	for i := 0; i < len(ds.Rows); {
		id := ds.Rows[i].Indicator
		if err := copyBelow(id, false); err != nil {
			return Index{}, err
		}
		if _, seen := idx.Indicators[id]; seen {
			if repeated == nil {
				repeated = map[string]bool{}
			}
			repeated[id] = true
		}
		start := cnt.n
		set := sets[id]
		if set == nil {
			set = newCodeSet()
			sets[id] = set
		}
		for ; i < len(ds.Rows) && ds.Rows[i].Indicator == id; i++ {
			r := &ds.Rows[i]
			set.add(r)
			if err := record(rec, ds, r, known, values); err != nil {
				return Index{}, fmt.Errorf("sdmx: row %d (%s, %s, %d, %s): %w", i, r.Indicator, r.Dep, r.Period, r.Territory, err)
			}
			if err := cw.Write(rec); err != nil {
				return Index{}, fmt.Errorf("sdmx: write row %d: %w", i, err)
			}
		}
		if err := flush(); err != nil {
			return Index{}, err
		}
		idx.Indicators[id] = Span{Offset: start, Length: cnt.n - start}
	}
	if err := copyBelow("", true); err != nil {
		return Index{}, err
	}
	if err := flush(); err != nil {
		return Index{}, err
	}
	for id := range repeated {
		delete(idx.Indicators, id)
	}
	for id, set := range sets {
		idx.Codes[id] = set.codes()
	}
	return idx, nil
}

// newCSVWriter returns the CSV writer of SDMX files.
func newCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// headerLine returns the header fields for dims and their line.
func headerLine(dims []string) ([]string, []byte, error) {
	header, err := Header(dims)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	cw := newCSVWriter(&b)
	if err := cw.Write(header); err != nil {
		return nil, nil, fmt.Errorf("sdmx: header: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, nil, fmt.Errorf("sdmx: header: %w", err)
	}
	return header, b.Bytes(), nil
}

// contextOf returns the context of the lines of ds, whose header line is
// head: each field is hashed after its length, so that no two lists of
// fields hash alike.
func contextOf(ds *export.Dataset, head []byte) string {
	h := sha256.New()
	field(h, lineFormat)
	field(h, string(head))
	field(h, ds.StructureID)
	field(h, structureKind)
	field(h, actionInform)
	count(h, len(ds.Dimensions))
	for _, d := range ds.Dimensions {
		field(h, d)
	}
	// The codes below are constants of this package, covered by
	// lineFormat; hashing them too makes a forgotten bump harmless.
	for _, s := range []string{export.Total, TotalCode, NotApplicable, FreqAnnual, StatusMissing, StatusSuppressed} {
		field(h, s)
	}
	codes(h, unitCodes)
	codes(h, statusCodes)
	codes(h, confCodes)
	return hex.EncodeToString(h.Sum(nil))
}

// codes hashes a table of codes in the order of its keys' names.
func codes[K interface {
	comparable
	fmt.Stringer
}](h hash.Hash, table map[K]string) {
	count(h, len(table))
	keys := slices.SortedFunc(maps.Keys(table), func(a, b K) int { return strings.Compare(a.String(), b.String()) })
	for _, k := range keys {
		field(h, k.String())
		field(h, table[k])
	}
}

func field(h hash.Hash, s string) {
	count(h, len(s))
	io.WriteString(h, s)
}

func count(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

// source is the open previous file and the indicators to copy from it.
type source struct {
	path  string
	f     *os.File
	ids   []string // sorted, distinct
	spans []Span   // of ids
}

// openPrevious checks that the lines of prev's indicators can be copied
// into the file of ds, whose context is ctx and header line head, and
// opens the previous file.
func openPrevious(ds *export.Dataset, prev *Previous, ctx string, head []byte) (*source, error) {
	if prev.Index.Context != ctx {
		return nil, fmt.Errorf("sdmx: previous file %s was written for other lines (structure, dimensions or line format differ): cannot copy from it", prev.Path)
	}
	src := &source{path: prev.Path, ids: slices.Compact(slices.Sorted(slices.Values(prev.Indicators)))}
	copied := make(map[string]bool, len(src.ids))
	for _, id := range src.ids {
		sp, ok := prev.Index.Indicators[id]
		if !ok {
			return nil, fmt.Errorf("sdmx: indicator %s to copy is not in the index of %s", id, prev.Path)
		}
		src.spans = append(src.spans, sp)
		copied[id] = true
	}
	for i := range ds.Rows {
		id := ds.Rows[i].Indicator
		if i > 0 && id == ds.Rows[i-1].Indicator {
			continue
		}
		if i > 0 && id < ds.Rows[i-1].Indicator {
			return nil, fmt.Errorf("sdmx: row %d: indicator %s comes after %s: to copy lines from %s, rows must come in runs of one indicator in increasing id order", i, id, ds.Rows[i-1].Indicator, prev.Path)
		}
		if copied[id] {
			return nil, fmt.Errorf("sdmx: row %d: indicator %s has rows and is to be copied from %s too", i, id, prev.Path)
		}
	}

	f, err := os.Open(prev.Path)
	if err != nil {
		return nil, fmt.Errorf("sdmx: previous file: %w", err)
	}
	if err := src.check(f, head); err != nil {
		f.Close()
		return nil, err
	}
	src.f = f
	return src, nil
}

// check checks that f starts with the header line head and holds every
// span of s after it.
func (s *source) check(f *os.File, head []byte) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sdmx: previous file: %w", err)
	}
	size := fi.Size()
	got := make([]byte, len(head))
	if n, _ := f.ReadAt(got, 0); n < len(head) || !bytes.Equal(got, head) {
		return fmt.Errorf("sdmx: previous file %s does not start with the header of this dataset", s.path)
	}
	for k, id := range s.ids {
		sp := s.spans[k]
		switch {
		case sp.Offset < int64(len(head)) || sp.Length <= 0:
			return fmt.Errorf("sdmx: index of %s: indicator %s has span %d+%d, outside the lines of the file", s.path, id, sp.Offset, sp.Length)
		case sp.Offset > size || sp.Length > size-sp.Offset:
			return fmt.Errorf("sdmx: previous file %s is %d bytes, shorter than the span %d+%d of indicator %s", s.path, size, sp.Offset, sp.Length, id)
		}
	}
	return nil
}

// copyTo copies the lines of the k-th indicator of s to cnt and returns
// their span in cnt.
func (s *source) copyTo(cnt *countingWriter, k int) (Span, error) {
	id, sp := s.ids[k], s.spans[k]
	// Seek and LimitedReader rather than a SectionReader: os.File.ReadFrom
	// recognises them and lets the kernel copy when w is a file.
	if _, err := s.f.Seek(sp.Offset, io.SeekStart); err != nil {
		return Span{}, fmt.Errorf("sdmx: copy indicator %s from %s: %w", id, s.path, err)
	}
	start := cnt.n
	n, err := io.Copy(cnt, &io.LimitedReader{R: s.f, N: sp.Length})
	if err != nil {
		return Span{}, fmt.Errorf("sdmx: copy indicator %s from %s: %w", id, s.path, err)
	}
	if n != sp.Length {
		return Span{}, fmt.Errorf("sdmx: copy indicator %s from %s: got %d bytes of %d, the file is shorter than its index", id, s.path, n, sp.Length)
	}
	return Span{Offset: start, Length: n}, nil
}

// countingWriter counts the bytes written to w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadFrom lets io.Copy reach w's own ReadFrom (a file's copies in the
// kernel).
func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(c.w, r)
	c.n += n
	return n, err
}
