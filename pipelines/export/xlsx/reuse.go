package xlsx

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// Sheets describes the family sheets of an Observatoire workbook. Kept
// beside the workbook, it lets the next workbook of the same profile take
// the sheets of the families whose rows did not change from this one, as
// they are, without having those rows: a refresh that brings one month of
// PMI counts rewrites the PMI sheet of a national workbook, not its
// 300,000 ASE lines.
type Sheets struct {
	Families map[string]FamilySheets `json:"families"` // by export.Indicator.Family
}

// FamilySheets is what a workbook holds of one family.
type FamilySheets struct {
	// Key identifies everything the family's sheets depend on besides
	// their rows: columns, styles, sheet size, the family's indicators,
	// the names of the territories and services of its départements.
	Key    string   `json:"key"`
	Parts  []string `json:"parts"` // the zip entries of its sheets, in order
	Rows   int      `json:"rows"`
	Deps   []string `json:"deps"`   // the départements of its rows
	Charts []Chart  `json:"charts"` // of its key indicators
}

// Previous is a workbook written earlier by this program, what it said of
// its sheets, and the families whose sheets are taken from it: the
// dataset to write holds none of their rows.
type Previous struct {
	Path     string
	Sheets   Sheets
	Families []string
}

// ErrNotReusable is returned by Previous.Check when the sheets of the
// earlier workbook do not fit the new one.
var ErrNotReusable = errors.New("sheets of the last workbook not reusable")

// Check reports whether the families' sheets of the earlier workbook can
// be taken as they are into an Observatoire workbook of ds (whose rows are
// those of the other families): it returns an error wrapping
// ErrNotReusable that says why not.
func (p *Previous) Check(ds *export.Dataset) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := st.registerNumbers(); err != nil {
		return err
	}
	_, err = newSheetKeys(f, ds, p)
	return err
}

// sheetKeys computes the keys of a workbook's family sheets.
type sheetKeys struct {
	withDep bool
	common  []byte // hash of what every family sheet depends on
	labels  map[string][]string
}

// newSheetKeys hashes what the family sheets of a workbook of ds depend on
// besides their rows, once its styles are registered; with prev, it checks
// that its families' sheets have the keys they would have now.
func newSheetKeys(f *excelize.File, ds *export.Dataset, prev *Previous) (*sheetKeys, error) {
	deps := map[string]bool{}
	for i := range ds.Rows {
		deps[ds.Rows[i].Dep] = true
	}
	if prev != nil {
		for _, fam := range prev.Families {
			for _, d := range prev.Sheets.Families[fam].Deps {
				deps[d] = true
			}
		}
	}
	k := &sheetKeys{withDep: len(deps) > 1, labels: map[string][]string{}}
	h := sha256.New()
	fmt.Fprintln(h, "observatoire family sheet 1", MaxSheetRows)
	for _, c := range longColumns(ds, k.withDep) {
		fmt.Fprintf(h, "%q %v %v\n", c.header, c.width, c.numeric)
	}
	if err := xml.NewEncoder(h).Encode(f.Styles); err != nil {
		return nil, fmt.Errorf("hash styles: %w", err)
	}
	// The names beside the codes: a territory or a service renamed in
	// the warehouse rewrites the sheets that name it (all of them: the
	// sheets do not say which names they use).
	for _, names := range []map[export.Place]string{ds.Territories, ds.Services} {
		fmt.Fprintln(h, "names")
		for _, p := range slices.SortedFunc(maps.Keys(names), comparePlaces) {
			if deps[p.Dep] {
				fmt.Fprintf(h, "%q %q %q\n", p.Dep, p.Code, names[p])
			}
		}
	}
	k.common = h.Sum(nil)
	for _, ind := range ds.Indicators {
		k.labels[ind.Family] = append(k.labels[ind.Family], ind.ID, ind.Label, ind.Unit, strconv.FormatBool(ind.Key))
	}
	if prev == nil {
		return k, nil
	}
	for _, fam := range prev.Families {
		e, ok := prev.Sheets.Families[fam]
		switch {
		case !ok:
			return nil, fmt.Errorf("%w: family %s is not in %s", ErrNotReusable, fam, prev.Path)
		case e.Key != k.key(fam):
			return nil, fmt.Errorf("%w: the sheets of family %s were written with other columns, styles or indicators", ErrNotReusable, fam)
		case len(e.Parts) != sheetCount(e.Rows):
			return nil, fmt.Errorf("%w: family %s has %d sheets for %d rows", ErrNotReusable, fam, len(e.Parts), e.Rows)
		}
	}
	return k, nil
}

func comparePlaces(a, b export.Place) int {
	return cmp.Or(strings.Compare(a.Dep, b.Dep), strings.Compare(a.Code, b.Code))
}

// key is the key of the sheets of family fam.
func (k *sheetKeys) key(fam string) string {
	h := sha256.New()
	h.Write(k.common)
	for _, s := range k.labels[fam] {
		fmt.Fprintf(h, "%q\n", s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sheetCount is the number of sheets of a family of n rows.
func sheetCount(n int) int { return max(1, (n+MaxSheetRows-1)/MaxSheetRows) }

// sheetPart is the zip entry of a sheet created by NewSheet: excelize names
// it after the sheet's id. If a new excelize named it otherwise, copying
// fails loudly (see copyingZip.Close).
func sheetPart(f *excelize.File, sheet string) (string, error) {
	for id, name := range f.GetSheetMap() {
		if name == sheet {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("sheet %s not found", sheet)
}

// copyingZip writes a workbook's parts, taking some of them compressed as
// they are from an earlier workbook instead of what excelize writes, and
// filling the rows of others (see splicer).
type copyingZip struct {
	*zip.Writer
	copies map[string]*zip.File             // part → the earlier workbook's part
	fills  map[string]func(io.Writer) error // part → writes its rows
	done   map[string]bool
}

func (z *copyingZip) Create(name string) (io.Writer, error) {
	if fill, ok := z.fills[name]; ok {
		w, err := z.Writer.Create(name)
		if err != nil {
			return nil, err
		}
		return &splicer{w: w, fill: func(w io.Writer) error {
			z.done[name] = true
			return fill(w)
		}}, nil
	}
	from, ok := z.copies[name]
	if !ok {
		return z.Writer.Create(name)
	}
	z.done[name] = true
	to := *from
	to.Name = name
	if err := z.Writer.Copy(&to); err != nil {
		return nil, fmt.Errorf("copy %s into %s: %w", from.Name, name, err)
	}
	return io.Discard, nil // the placeholder excelize wrote
}

func (z *copyingZip) Close() error {
	for _, name := range slices.Sorted(maps.Keys(z.copies)) {
		if !z.done[name] {
			return fmt.Errorf("part %s to copy from %s was never written", name, z.copies[name].Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(z.fills)) {
		if !z.done[name] {
			return fmt.Errorf("part %s, whose rows were to be filled in, was never written", name)
		}
	}
	return z.Writer.Close()
}

// sheetDataEnd ends the rows of a sheet's XML.
var sheetDataEnd = []byte("</sheetData>")

// splicer passes a streamed sheet's XML through to w, and has fill write
// the sheet's rows just before its sheetDataEnd: excelize wrote the sheet
// with its header row only.
type splicer struct {
	w    io.Writer
	fill func(io.Writer) error
	held []byte // the end of what came: sheetDataEnd may start there
	done bool
}

func (s *splicer) Write(p []byte) (int, error) {
	if s.done {
		return s.w.Write(p)
	}
	data := append(s.held, p...)
	i := bytes.Index(data, sheetDataEnd)
	if i < 0 {
		keep := min(len(data), len(sheetDataEnd)-1)
		if _, err := s.w.Write(data[:len(data)-keep]); err != nil {
			return 0, err
		}
		s.held = append([]byte(nil), data[len(data)-keep:]...)
		return len(p), nil
	}
	s.done, s.held = true, nil
	if _, err := s.w.Write(data[:i]); err != nil {
		return 0, err
	}
	if err := s.fill(s.w); err != nil {
		return 0, err
	}
	if _, err := s.w.Write(data[i:]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// openParts opens the earlier workbook and indexes its parts.
func openParts(path string) (*zip.ReadCloser, map[string]*zip.File, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotReusable, err)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		parts[zf.Name] = zf
	}
	return zr, parts, nil
}
