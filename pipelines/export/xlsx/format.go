package xlsx

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// nbsp separates a number from its unit sign, as French typography wants,
// without letting the line break there.
const nbsp = "\u00a0"

// unitLabels are the French names of the Dataset's units (Unité column).
var unitLabels = map[string]string{
	"count":   "effectif",
	"%":       "%",
	"‰":       "‰",
	"per100k": "pour 100 000",
	"days":    "jours",
	"hours":   "heures",
	"ratio":   "ratio",
}

const unitList = "count, %, ‰, per100k, days, hours, ratio"

// Number formats, in Excel's locale-neutral syntax.
const (
	fmtInteger   = "#,##0"
	fmtDecimal   = "#,##0.0##"
	fmtOneDigit  = "#,##0.0"
	fmtTwoDigits = "0.00"
)

// valueFormat is the number format of a value (and of N−1) in unit. Counts
// that are not whole (averages) keep their decimals.
func valueFormat(unit string, v float64) string {
	switch unit {
	case "count":
		if v == math.Trunc(v) {
			return fmtInteger
		}
		return fmtDecimal
	case "%":
		return `0.0"` + nbsp + `%"`
	case "‰":
		return `0.0"` + nbsp + `‰"`
	case "ratio":
		return fmtTwoDigits
	default: // per100k, days, hours
		return fmtOneDigit
	}
}

// evolutionFormat is the format of the evolution column: a difference in
// points for shares and rates, a relative change in % for the others
// (the convention of the warehouse's indicator_values view).
func evolutionFormat(unit string) string {
	switch unit {
	case "%", "‰":
		return signed(`0.0"` + nbsp + `pt"`)
	case "per100k":
		return signed("#,##0.0")
	case "ratio":
		return signed(fmtTwoDigits)
	default:
		return signed(`0.0"` + nbsp + `%"`)
	}
}

// signed makes a format show "+" before positive numbers.
func signed(f string) string { return "+" + f + ";-" + f + ";" + f }

// countFormat is the format of a numerator or denominator.
func countFormat(v float64) string {
	if v == math.Trunc(v) {
		return fmtInteger
	}
	return fmtDecimal
}

// styles creates each cell style once and hands out its id.
type styles struct {
	f       *excelize.File
	numbers map[string]int // number format → style id
	frozen  bool           // the styles are written: number creates none

	title, subtitle, header, headerNum, label, text, wrap, note, date, sign, center int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, numbers: make(map[string]int)}
	border := []excelize.Border{{Type: "bottom", Color: "1F3864", Style: 1}}
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F3864"}}},
		{&s.subtitle, excelize.Style{Font: &excelize.Font{Bold: true, Size: 11, Color: "1F3864"}}},
		{&s.header, excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3864"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
			Border:    border,
		}},
		{&s.headerNum, excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3864"}},
			Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center", WrapText: true},
			Border:    border,
		}},
		{&s.label, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&s.text, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&s.wrap, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.center, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&s.sign, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&s.note, excelize.Style{Font: &excelize.Font{Italic: true, Size: 9}}},
		{&s.date, excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy hh:mm"), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return nil, fmt.Errorf("create style: %w", err)
		}
		*d.id = id
	}
	return s, nil
}

// number returns the style of a number cell with format code.
func (s *styles) number(code string) (int, error) {
	if id, ok := s.numbers[code]; ok {
		return id, nil
	}
	if s.frozen {
		return 0, fmt.Errorf("number format %q has no style (see registerNumbers)", code)
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, fmt.Errorf("create number style %q: %w", code, err)
	}
	s.numbers[code] = id
	return id, nil
}

// registerNumbers creates the style of every number format the family
// sheets and the charts use, in a fixed order: a style's id then does not
// depend on the rows, and a family sheet of an earlier workbook can be
// copied as it is (see Previous).
func (s *styles) registerNumbers() error {
	for _, unit := range slices.Sorted(maps.Keys(unitLabels)) {
		for _, code := range []string{valueFormat(unit, 0), valueFormat(unit, 0.5), evolutionFormat(unit)} {
			if _, err := s.number(code); err != nil {
				return err
			}
		}
	}
	return nil
}

// numberCell is the cell of an optional number: empty when v is absent,
// the secret sign when the row is suppressed.
func (s *styles) numberCell(v export.Figure, suppressed bool, format func(float64) string) (any, error) {
	if suppressed {
		return excelize.Cell{StyleID: s.sign, Value: SignSecret}, nil
	}
	if !v.Valid() {
		return nil, nil
	}
	id, err := s.number(format(v.Float64()))
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: id, Value: v.Float64()}, nil
}

func ptr[T any](v T) *T { return &v }

// pointer is v, or nil when v is absent.
func pointer(v export.Figure) *float64 {
	if !v.Valid() {
		return nil
	}
	return ptr(v.Float64())
}

// maxSheetName is Excel's limit on the length of a sheet name.
const maxSheetName = 31

// sheetNamer hands out valid, unique sheet names.
type sheetNamer struct{ used map[string]bool }

func newSheetNamer(reserved ...string) *sheetNamer {
	n := &sheetNamer{used: map[string]bool{"history": true}} // reserved by Excel
	for _, r := range reserved {
		n.used[strings.ToLower(r)] = true
	}
	return n
}

// name turns s into a sheet name Excel accepts: no []:*?/\, not starting
// or ending with an apostrophe, at most 31 characters, unique regardless
// of case ("Name (2)" on a clash).
func (n *sheetNamer) name(s string) string {
	base := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
			return ' '
		}
		return r
	}, s)
	base = strings.Join(strings.Fields(base), " ")
	base = strings.Trim(base, "' ")
	if base == "" {
		base = "Feuille"
	}
	candidate := truncate(base, maxSheetName)
	for i := 2; n.used[strings.ToLower(candidate)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		candidate = truncate(base, maxSheetName-utf8.RuneCountInString(suffix)) + suffix
	}
	n.used[strings.ToLower(candidate)] = true
	return candidate
}

// truncate cuts s to at most max runes, without a trailing space or
// apostrophe.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	return strings.TrimRight(string(r), "' ")
}

// printSetup prints a sheet on A4 landscape pages, one page wide, with
// titleRows (e.g. "$1:$1") repeated on each page when not empty. Stream
// sheets must call it before NewStreamWriter.
func printSetup(f *excelize.File, sheet, titleRows string) error {
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return fmt.Errorf("sheet properties: %w", err)
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size:        ptr(9), // A4
		Orientation: ptr("landscape"),
		FitToWidth:  ptr(1),
		FitToHeight: ptr(0),
	}); err != nil {
		return fmt.Errorf("page layout: %w", err)
	}
	if titleRows == "" {
		return nil
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!%s", strings.ReplaceAll(sheet, "'", "''"), titleRows),
		Scope:    sheet,
	}); err != nil {
		return fmt.Errorf("print titles: %w", err)
	}
	return nil
}
