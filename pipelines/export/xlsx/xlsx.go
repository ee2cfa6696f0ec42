// Package xlsx writes an export Dataset as an Excel workbook, in one of two
// layouts:
//
//   - Observatoire: the observatory's study workbook. A "Lisez-moi" sheet
//     (title, generation date, profile, sources, indicator declarations,
//     disclosure rule, signs), one long table per indicator family, and a
//     "Graphiques" sheet with a native chart per key indicator.
//   - Drees: one sheet per indicator laid out like the DREES "aide sociale"
//     series: title, "Source :" and "Champ :" lines, then territories ×
//     years, then the notes.
//
// Numbers are always written as numbers, in the Dataset's units: a share of
// 19.8 % is the number 19.8 shown through the format 0.0" %" (the format
// adds the sign, it does not multiply by 100), so that the value, N−1 and
// the evolution in points read alike. Formats are stored in Excel's
// locale-neutral syntax (#,##0.0): a French Excel or LibreOffice shows them
// with a space between thousands and a decimal comma. A suppressed cell
// holds the text "s" (the INSEE sign), the only text allowed in a numeric
// column of the Observatoire layout.
package xlsx

import (
	"archive/zip"
	"cmp"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// Layout selects the shape of the workbook.
type Layout int

// Layouts.
const (
	Observatoire Layout = iota // study workbook: Lisez-moi, families, charts
	Drees                      // one DREES-style table per indicator
)

func (l Layout) String() string {
	switch l {
	case Observatoire:
		return "observatoire"
	case Drees:
		return "drees"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Signs, as in INSEE and DREES tables.
const (
	SignSecret      = "s"
	SignProvisional = "p"
	SignIncomplete  = "i"
	SignNotRelevant = "-"
)

// Write writes ds to w as an .xlsx workbook in the given layout.
func Write(w io.Writer, ds *export.Dataset, layout Layout) error {
	_, err := WriteWith(w, ds, layout, Options{})
	return err
}

// Options are the options of WriteWith.
type Options struct {
	// Omitted is what the workbook leaves out of its profile's data.
	Omitted Omitted
	// Previous, in the Observatoire layout, is an earlier workbook whose
	// sheets of some families are copied, ds holding none of their rows.
	// Check it first.
	Previous *Previous
}

// Omitted is what a workbook leaves out of its profile's data: breakdowns
// the profile's other files carry.
type Omitted struct {
	Breakdowns []string // "territory" or dimension names
	Formats    []string // the profile's formats that carry them: parquet, feather, sdmx
}

// WriteWith is Write with options: a workbook narrower than its profile's
// data says on the Lisez-moi sheet (in the notes under each table, in the
// Drees layout) what it leaves out and which files carry it. In the
// Observatoire layout it returns what the workbook holds of each family,
// to keep beside it for the next workbook's Options.Previous.
func WriteWith(w io.Writer, ds *export.Dataset, layout Layout, o Options) (*Sheets, error) {
	if err := validate(ds); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	// excelize hands its zip writer an in-memory buffer and copies it to
	// w at the end: a national workbook would be held, grown and copied
	// whole. The zip writer writes to w instead, and the buffer stays
	// empty (excelize only rewrites it for parts over 4 GiB).
	z := &copyingZip{copies: map[string]*zip.File{}, fills: map[string]func(io.Writer) error{}, done: map[string]bool{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z.Writer = fastZip(w)
		return z
	})
	var parts map[string]*zip.File
	if o.Previous != nil {
		if layout != Observatoire {
			return nil, fmt.Errorf("xlsx: %s layout: cannot copy sheets from an earlier workbook", layout)
		}
		zr, p, err := openParts(o.Previous.Path)
		if err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
		defer zr.Close()
		parts = p
	}

	note := o.Omitted.note()
	var sheets *Sheets
	var err error
	switch layout {
	case Observatoire:
		sheets, err = writeObservatoire(f, ds, note, o.Previous, parts, z)
	case Drees:
		err = writeDrees(f, ds, note)
	default:
		err = fmt.Errorf("unknown layout %v", layout)
	}
	if err != nil {
		return nil, fmt.Errorf("xlsx: %s layout: %w", layout, err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    ds.Title,
		Creator:  "ODPE",
		Created:  ds.Generated.UTC().Format(time.RFC3339),
		Language: "fr-FR",
	}); err != nil {
		return nil, fmt.Errorf("xlsx: document properties: %w", err)
	}
	// The first sheet is the active one already: SetActiveSheet would parse
	// every streamed sheet back into memory.
	if err := f.Write(io.Discard); err != nil {
		return nil, fmt.Errorf("xlsx: write workbook: %w", err)
	}
	return sheets, nil
}

// formatLabels name the formats of a profile's other files.
var formatLabels = map[string]string{
	"parquet": "Parquet",
	"feather": "Arrow",
	"sdmx":    "SDMX",
	"xlsx":    "Excel",
}

// note is the sentence that says what the workbook leaves out and where it
// is, e.g. « Détail par territoire et par service : fichiers Parquet et
// Arrow du même profil. »; "" when it leaves nothing out.
func (o Omitted) note() string {
	if len(o.Breakdowns) == 0 {
		return ""
	}
	by := make([]string, len(o.Breakdowns))
	for i, b := range o.Breakdowns {
		l := "territoire"
		if b != "territory" {
			l = indicators.DimensionNameInText(b)
		}
		by[i] = "par " + l
	}
	s := "Détail " + frenchList(by) + " : "
	if len(o.Formats) == 0 {
		return s + "non diffusé dans ce profil."
	}
	files := make([]string, len(o.Formats))
	for i, f := range o.Formats {
		files[i] = cmp.Or(formatLabels[f], f)
	}
	if len(files) == 1 && o.Formats[0] != "parquet" {
		s += "fichier "
	} else {
		s += "fichiers "
	}
	return s + frenchList(files) + " du même profil."
}

// frenchList joins items as « a, b et c ».
func frenchList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

// fastZip compresses a workbook's parts at deflate's fastest level: a
// national workbook of millions of cells is written three times faster
// than at the default level, for files about a fifth larger.
func fastZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return zw
}

// validate checks what the layouts rely on: every row's indicator is
// declared, its unit and status are known and its breakdowns are columns.
func validate(ds *export.Dataset) error {
	inds := make(map[string]bool, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		if _, ok := unitLabels[ind.Unit]; !ok {
			return fmt.Errorf("indicator %s: unit %q: want one of %s", ind.ID, ind.Unit, unitList)
		}
		inds[ind.ID] = true
	}
	dims := make(map[string]bool, len(ds.Dimensions))
	for _, d := range ds.Dimensions {
		dims[d] = true
	}
	for i := range ds.Rows {
		r := &ds.Rows[i]
		if err := validateRow(r, inds, dims); err != nil {
			return fmt.Errorf("row %d (%s, %s, %d, %s): %w", i, r.Indicator, r.Dep, r.Period, r.Territory, err)
		}
	}
	return nil
}

func validateRow(r *export.Row, inds, dims map[string]bool) error {
	if !inds[r.Indicator] {
		return fmt.Errorf("indicator %q is not declared in the dataset", r.Indicator)
	}
	if _, ok := unitLabels[r.Unit.String()]; !ok {
		return fmt.Errorf("unit %q: want one of %s", r.Unit, unitList)
	}
	switch r.Status {
	case export.Final, export.Provisional, export.Incomplete:
	default:
		return fmt.Errorf("status %q: want final, provisional or incomplete", r.Status)
	}
	switch r.Conf {
	case export.Free, export.Primary, export.Secondary:
	default:
		return fmt.Errorf("confidentiality %q: want %q, %q or %q", r.Conf, export.Free, export.Primary, export.Secondary)
	}
	for k := range r.Dims {
		if !dims[k] {
			return fmt.Errorf("breakdown %q is not in the dataset's dimensions", k)
		}
	}
	return nil
}

// statusSigns returns the signs of a row for the Statut column: "s" when
// suppressed, then "p" or "i".
func statusSigns(r *export.Row) string {
	var signs []string
	if r.Conf != export.Free {
		signs = append(signs, SignSecret)
	}
	switch r.Status {
	case export.Provisional:
		signs = append(signs, SignProvisional)
	case export.Incomplete:
		signs = append(signs, SignIncomplete)
	}
	return strings.Join(signs, " ")
}

// territoryLabel is the Territoire cell of a row.
func territoryLabel(r *export.Row) string {
	if r.Territory == export.Total {
		return "Ensemble du département"
	}
	return r.Territory
}

// dimLabel is the column header of a breakdown: its name in the one
// table of names the other files share (indicators.DimensionNames).
func dimLabel(name string) string { return indicators.DimensionName(name) }

// familyLabels are the sheet names of the known indicator families.
var familyLabels = map[string]string{
	"ase":        "ASE",
	"pmi":        "PMI",
	"prevention": "Prévention",
	"adoption":   "Adoption",
	"crip":       "Informations préoccupantes",
	"offre":      "Offre d'accueil",
}

func familyLabel(family string) string {
	if l, ok := familyLabels[strings.ToLower(family)]; ok {
		return l
	}
	if family == "" {
		return "Autres"
	}
	return dimLabel(family)
}

// isTotal reports whether r sums over every breakdown it has.
func isTotal(r *export.Row) bool {
	for _, v := range r.Dims {
		if v != export.Total {
			return false
		}
	}
	return true
}

// parisTime returns t in Europe/Paris when the time zone database is
// available, else t unchanged.
func parisTime(t time.Time) time.Time {
	if loc := paris(); loc != nil {
		return t.In(loc)
	}
	return t
}

// paris loads the time zone once: a workbook dates thousands of source
// files.
var paris = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil
	}
	return loc
})
