package demo

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/xuri/excelize/v2"
)

// sortedZip is an excelize.ZipWriter that writes the parts in name order.
// excelize ranges over a map of stream writers when saving, so parts would
// otherwise come in random order and the same workbook in different bytes.
type sortedZip struct {
	w     io.Writer
	parts map[string]*bytes.Buffer
}

func newSortedZip(w io.Writer) excelize.ZipWriter {
	return &sortedZip{w: w, parts: map[string]*bytes.Buffer{}}
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

func (z *sortedZip) AddFS(fs.FS) error {
	return fmt.Errorf("demo: AddFS is not supported")
}

func (z *sortedZip) Close() error {
	zw := zip.NewWriter(z.w)
	zw.RegisterCompressor(zip.Deflate, fastDeflate)
	names := make([]string, 0, len(z.parts))
	for name := range z.parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := w.Write(z.parts[name].Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Workbooks are small and many: deflate them at the fastest level, with
// compressors reused across workbooks (each one allocates about 1 MB).
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

type pooledDeflater struct{ *flate.Writer }

func (p pooledDeflater) Close() error {
	err := p.Writer.Close()
	deflaters.Put(p.Writer)
	return err
}

func fastDeflate(out io.Writer) (io.WriteCloser, error) {
	w := deflaters.Get().(*flate.Writer)
	w.Reset(out)
	return pooledDeflater{w}, nil
}

// newWorkbook returns an empty workbook that saves deterministically.
func newWorkbook() *excelize.File {
	return excelize.NewFile().SetZipWriter(newSortedZip)
}

// saveWorkbook writes f to path, creating the folder.
func saveWorkbook(f *excelize.File, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create folder of %s: %w", path, err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// sheetRows writes rows on a sheet through a stream writer, starting at row
// first; a nil row leaves the line empty.
type sheetRows struct {
	sw   *excelize.StreamWriter
	path string
	row  int
	err  error
}

func newSheet(f *excelize.File, path, sheet string, first bool) *sheetRows {
	s := &sheetRows{path: path, row: 1}
	if first {
		s.err = f.SetSheetName("Sheet1", sheet)
	} else {
		_, s.err = f.NewSheet(sheet)
	}
	if s.err == nil {
		s.sw, s.err = f.NewStreamWriter(sheet)
	}
	if s.err != nil {
		s.err = fmt.Errorf("write %s sheet %s: %w", path, sheet, s.err)
	}
	return s
}

// add writes cells on the next row (nil cells stay empty) and returns the
// row's number.
func (s *sheetRows) add(cells ...any) int {
	n := s.row
	s.row++
	if s.err != nil || len(cells) == 0 {
		return n
	}
	if err := s.sw.SetRow("A"+strconv.Itoa(n), cells); err != nil {
		s.err = fmt.Errorf("write %s row %d: %w", s.path, n, err)
	}
	return n
}

// skip leaves k empty rows.
func (s *sheetRows) skip(k int) { s.row += k }

func (s *sheetRows) merge(from, to string) {
	if s.err == nil {
		if err := s.sw.MergeCell(from, to); err != nil {
			s.err = fmt.Errorf("write %s merge %s:%s: %w", s.path, from, to, err)
		}
	}
}

func (s *sheetRows) flush() error {
	if s.err != nil {
		return s.err
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}
