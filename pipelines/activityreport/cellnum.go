package activityreport

import (
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract/frnum"
)

// cellKind is how a cell stores its value, which decides how it is parsed.
type cellKind int

const (
	// kindNumber is a number cell, or a formula with a numeric cached
	// value: its raw value is an XML double ("804.5", "1E-3").
	kindNumber cellKind = iota
	// kindText is text typed by hand, or a formula's string result: it is
	// read the French way ("1 082,5").
	kindText
	// kindOther is a boolean, an error such as #VALUE!, or a date cell:
	// never a number.
	kindOther
)

// kindOf maps an excelize cell type to the parsing it calls for.
func kindOf(t excelize.CellType) cellKind {
	switch t {
	case excelize.CellTypeUnset, excelize.CellTypeNumber:
		return kindNumber
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
		return kindText
	}
	return kindOther
}

// What the parsers expect, in words, for error messages.
const (
	expectNumber = "a number ≥ 0 (decimal comma or point, thousands separated by spaces, e.g. 1 082,5)"
	expectCount  = frnum.ExpectCount
)

// parseNumber reads the raw value of a non-empty cell as a decimal number.
func parseNumber(raw string, kind cellKind) (float64, bool) {
	switch kind {
	case kindNumber:
		v, err := strconv.ParseFloat(raw, 64)
		if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
		// Some writers type numbers as "n" cells holding French text.
		fallthrough
	case kindText:
		v, err := frnum.Number(raw)
		return v, err == nil
	}
	return 0, false
}

// parseNonNegative reads a decimal number ≥ 0 (hours, full-time
// equivalents).
func parseNonNegative(raw string, kind cellKind) (float64, bool) {
	v, ok := parseNumber(raw, kind)
	if !ok || v < 0 {
		return 0, false
	}
	return v, true
}

// maxCount bounds counts so that they fit the INTEGER columns of the raw
// tables.
const maxCount = math.MaxInt32

// parseCount reads a count: a whole number from 0 to maxCount.
func parseCount(raw string, kind cellKind) (int64, bool) {
	var n int64
	switch kind {
	case kindNumber:
		v, ok := parseNumber(raw, kind)
		if !ok || v != math.Trunc(v) || v < 0 || v > maxCount {
			return 0, false
		}
		n = int64(v)
	case kindText:
		c, err := frnum.Count(raw)
		if err != nil {
			return 0, false
		}
		n = c
	default:
		return 0, false
	}
	if n > maxCount {
		return 0, false
	}
	return n, true
}
