package activityreport

import (
	"math"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		raw  string
		kind cellKind
		want float64
		ok   bool
	}{
		{"804.5", kindNumber, 804.5, true},
		{"1762.3", kindNumber, 1762.3, true},
		{"1E-3", kindNumber, 0.001, true},
		{"32.6340326340326", kindNumber, 32.6340326340326, true},
		{"1 545", kindText, 1545, true},
		{"1\u00a0545", kindText, 1545, true},
		{"1\u202f082,5", kindText, 1082.5, true},
		{"1082.5", kindText, 1082.5, true},
		{"1e3", kindText, 0, false},    // scientific notation is not typed by hand
		{"2548 h", kindText, 0, false}, // units are not numbers
		{"15 45", kindText, 0, false},  // groups of three digits
		{"#VALUE!", kindOther, 0, false},
		{"1", kindOther, 0, false}, // a boolean TRUE is no number
		{"NaN", kindNumber, 0, false},
		{"Inf", kindNumber, 0, false},
		{"1,5", kindNumber, 1.5, true}, // a French number in a number cell
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.raw, tt.kind)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseNumber(%q, %d) = %v, %v; want %v, %v", tt.raw, tt.kind, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		raw  string
		kind cellKind
		want int64
		ok   bool
	}{
		{"37", kindNumber, 37, true},
		{"37", kindText, 37, true},
		{"1 234", kindText, 1234, true},
		{"12,0", kindText, 12, true},
		{"12.5", kindNumber, 0, false},
		{"-1", kindNumber, 0, false},
		{"-1", kindText, 0, false},
		{"2147483647", kindNumber, math.MaxInt32, true},
		{"2147483648", kindNumber, 0, false},
		{"2 147 483 648", kindText, 0, false},
		{"1E+20", kindNumber, 0, false},
		{"#N/A", kindOther, 0, false},
	}
	for _, tt := range tests {
		got, ok := parseCount(tt.raw, tt.kind)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseCount(%q, %d) = %v, %v; want %v, %v", tt.raw, tt.kind, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKindOf(t *testing.T) {
	for typ, want := range map[excelize.CellType]cellKind{
		excelize.CellTypeUnset:        kindNumber,
		excelize.CellTypeNumber:       kindNumber,
		excelize.CellTypeSharedString: kindText,
		excelize.CellTypeInlineString: kindText,
		excelize.CellTypeFormula:      kindText,
		excelize.CellTypeError:        kindOther,
		excelize.CellTypeBool:         kindOther,
		excelize.CellTypeDate:         kindOther,
	} {
		if got := kindOf(typ); got != want {
			t.Errorf("kindOf(%d) = %d, want %d", typ, got, want)
		}
	}
}

// FuzzParseCell checks that cell parsing never panics, returns only finite
// values, never a negative number of hours, and counts that fit INTEGER;
// and that what it accepts from a number cell reads back the same.
func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"804.5", "1 545", "1\u00a0082,5", "1E-3", "#VALUE!", "-0", "12,0", "2147483648", "0x1p-2", ""} {
		f.Add(s, uint8(kindNumber))
		f.Add(s, uint8(kindText))
	}
	f.Fuzz(func(t *testing.T, raw string, k uint8) {
		kind := cellKind(k % 3)
		if v, ok := parseNumber(raw, kind); ok {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("parseNumber(%q) = %v", raw, v)
			}
			back, ok := parseNumber(strconv.FormatFloat(v, 'g', -1, 64), kindNumber)
			if !ok || back != v {
				t.Fatalf("parseNumber(%q) = %v does not read back (%v, %v)", raw, v, back, ok)
			}
		}
		if v, ok := parseNonNegative(raw, kind); ok && (v < 0 || math.IsNaN(v)) {
			t.Fatalf("parseNonNegative(%q) = %v", raw, v)
		}
		if n, ok := parseCount(raw, kind); ok && (n < 0 || n > maxCount) {
			t.Fatalf("parseCount(%q) = %d", raw, n)
		}
	})
}
