package frcsv

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
)

// Limits of what a file may hold: beyond them the file is rejected (a
// clean, short message), never read into memory whole.
var (
	// MaxRecordBytes bounds a CSV record (a line, or the lines of a
	// record with quoted line breaks), checked as the file is decoded.
	MaxRecordBytes = 1 << 20
	// MaxCellChars bounds a cell: Excel's own limit, 32,767 characters.
	MaxCellChars = 32767
	// MaxCount is the largest count any reader accepts (Reader.Count):
	// the largest INTEGER of the raw tables. Columns declare a narrower,
	// plausible range with Reader.CountIn.
	MaxCount int64 = math.MaxInt32
	// MaxWorkbookBytes bounds the uncompressed size of a workbook's parts,
	// as the zip declares them and as excelize unzips them (a zip bomb of
	// a few megabytes expanding to gigabytes is refused before it is
	// expanded).
	MaxWorkbookBytes int64 = 200 << 20
	// MaxWorkbookRatio bounds the compression ratio of a workbook part
	// larger than 1 MiB: real worksheets compress 5 to 20 times.
	MaxWorkbookRatio uint64 = 200
)

// errTooLong is returned by recordLimit past MaxRecordBytes.
var errTooLong = errors.New("record too long")

// recordLimit counts the decoded bytes since the last reset (at each
// record) and fails past MaxRecordBytes, so that a file with no line
// break, or a cell of gigabytes, is refused after a megabyte.
type recordLimit struct {
	r io.Reader
	n int
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > MaxRecordBytes {
		return 0, errTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// reset is called when a record was read: the count restarts (what the
// CSV reader buffered ahead counts towards the next record, which makes
// the bound approximate by a few tens of kilobytes).
func (l *recordLimit) reset() { l.n = 0 }

// longCell returns the index of the first cell of rec longer than
// MaxCellChars, -1 if none.
func longCell(rec []string) int {
	for i, c := range rec {
		if len(c) > MaxCellChars && utf8.RuneCountInString(c) > MaxCellChars {
			return i
		}
	}
	return -1
}

// OpenWorkbook opens an .xlsx workbook for reading once its zip has been
// checked: a regular file, parts whose declared sizes add up to at most
// MaxWorkbookBytes, no part compressed more than MaxWorkbookRatio times;
// excelize then unzips with the same bound (a part that expands beyond
// what it declares fails to read). Refusals match extract.ErrRejected.
func OpenWorkbook(path string) (*excelize.File, error) {
	name := extract.Message(filepath.Base(path))
	f, err := extract.OpenRegular(path)
	if err != nil {
		if errors.Is(err, extract.ErrRejected) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	if err := checkZip(f, name); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	wb, err := excelize.OpenReader(f, excelize.Options{UnzipSizeLimit: MaxWorkbookBytes, UnzipXMLSizeLimit: min(MaxWorkbookBytes, 16<<20)})
	if err != nil {
		return nil, extract.Rejectf("%s: not a readable .xlsx workbook: %s", name, extract.Message(err.Error()))
	}
	return wb, nil
}

// checkZip refuses a workbook whose zip declares too much.
func checkZip(f *os.File, name string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return extract.Rejectf("%s: not a readable .xlsx workbook (not a zip archive): expected an Excel workbook", name)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(MaxWorkbookBytes) {
			return extract.Rejectf("%s: the workbook's parts expand to more than %d MiB (a zip bomb?): expected a workbook of at most %d MiB uncompressed",
				name, MaxWorkbookBytes>>20, MaxWorkbookBytes>>20)
		}
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64 > MaxWorkbookRatio*max(zf.CompressedSize64, 1) {
			return extract.Rejectf("%s: part %q is compressed %d times (a zip bomb?): expected at most %d times",
				name, extract.Cut(zf.Name), zf.UncompressedSize64/max(zf.CompressedSize64, 1), MaxWorkbookRatio)
		}
	}
	return nil
}

// errNotText is returned by textCheck at a control character.
var errNotText = errors.New("not text")

// textCheck fails at the first control character that text does not
// hold (anything below 0x20 but tab, line feed, carriage return, form feed
// and the DOS end-of-file mark 0x1A, and DEL), so that a binary file is
// refused at its first such byte rather than decoded as Windows-1252.
// Both encodings write these characters as single bytes, which no other
// character's bytes can be mistaken for.
type textCheck struct {
	r    io.Reader
	line int  // line feeds passed
	bad  byte // the offending byte after errNotText
	err  error
}

func (t *textCheck) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			t.line++
			continue
		}
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != 0x1a) || c == 0x7f {
			t.bad, t.err = c, errNotText
			return i, nil
		}
	}
	return n, err
}
