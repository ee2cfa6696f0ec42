package export

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

func TestRuns(t *testing.T) {
	rows := func(ids ...string) []Row {
		out := make([]Row, len(ids))
		for i, id := range ids {
			out[i].Indicator = id
		}
		return out
	}
	for _, tc := range []struct {
		rows []Row
		want string
	}{
		{nil, "[]"},
		{rows("a"), "[0-1]"},
		{rows("a", "a", "b", "a", "c", "c"), "[0-2 2-3 3-4 4-6]"},
	} {
		var got []string
		for start, end := range Runs(tc.rows, SameIndicator) {
			got = append(got, fmt.Sprintf("%d-%d", start, end))
		}
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("runs of %d rows = %s, want %s", len(tc.rows), s, tc.want)
		}
	}
	// The iteration stops when asked.
	for start := range Runs(rows("a", "b", "c"), SameIndicator) {
		if start > 0 {
			t.Fatalf("run at %d after a break", start)
		}
		break
	}
}

// TestFamilies indexes each family's rows in the dataset's order, whether
// its indicators' runs follow each other or not, and leaves out the rows
// of indicators the dataset does not declare.
func TestFamilies(t *testing.T) {
	ds := &Dataset{Indicators: []Indicator{
		{ID: "a1", Family: "ase"}, {ID: "p1", Family: "pmi"}, {ID: "a2", Family: "ase"},
	}}
	for _, id := range []string{"a1", "a1", "p1", "x", "a2", "p1", "a1"} {
		ds.Rows = append(ds.Rows, Row{Indicator: id})
	}
	fams, rows := Families(ds)
	if !slices.Equal(fams, []string{"ase", "pmi"}) {
		t.Errorf("families = %v, want [ase pmi]", fams)
	}
	want := map[string][]int{"ase": {0, 1, 4, 6}, "pmi": {2, 5}}
	if !maps.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}

// TestFigure: a Figure gives back the number it holds, to the bit, and
// the zero Figure, like NaN, is absent.
func TestFigure(t *testing.T) {
	var zero Figure
	if zero.Valid() || zero.Float64() != 0 || zero.Or(-1) != -1 {
		t.Errorf("zero Figure: valid %v, %v, Or(-1) = %v; want absent", zero.Valid(), zero.Float64(), zero.Or(-1))
	}
	if f := Known(math.NaN()); f.Valid() {
		t.Errorf("Known(NaN) is valid")
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 2143, -1e-300, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1)} {
		f := Known(v)
		if !f.Valid() || math.Float64bits(f.Float64()) != math.Float64bits(v) || f.Or(7) != v {
			t.Errorf("Known(%v): valid %v, %v", v, f.Valid(), f.Float64())
		}
	}
	if unsafe.Sizeof(Figure{}) != 8 {
		t.Errorf("a Figure takes %d bytes, want 8", unsafe.Sizeof(Figure{}))
	}
}

// TestCodes: every unit, status and confidentiality reads back from its
// name; an unknown name is an error that names it; none reads as the zero
// Unit or Status, which no format accepts.
func TestCodes(t *testing.T) {
	for _, u := range []Unit{Count, Percent, PerMille, Per100k, Days, Hours, Ratio} {
		if got, err := ParseUnit(u.String()); got != u || err != nil {
			t.Errorf("ParseUnit(%q) = %v, %v", u, got, err)
		}
	}
	for _, s := range []Status{Final, Provisional, Incomplete} {
		if got, err := ParseStatus(s.String()); got != s || err != nil {
			t.Errorf("ParseStatus(%q) = %v, %v", s, got, err)
		}
	}
	for _, c := range []Conf{Free, Primary, Secondary} {
		if got, err := ParseConf(c.String()); got != c || err != nil {
			t.Errorf("ParseConf(%q) = %v, %v", c, got, err)
		}
	}
	// One mark for every hidden cell: a file never tells primary from
	// secondary.
	for c, want := range map[Conf]string{Free: "", Primary: HiddenMark, Secondary: HiddenMark} {
		if got := c.Mark(); got != want {
			t.Errorf("%v.Mark() = %q, want %q", c, got, want)
		}
	}
	if got, err := ParseConf(HiddenMark); got != Secondary || err != nil {
		t.Errorf("ParseConf(%q) = %v, %v, want hidden", HiddenMark, got, err)
	}
	for _, tc := range []struct {
		parse func(string) error
		name  string
		want  string
	}{
		{func(s string) error { _, err := ParseUnit(s); return err }, "", `unit "": want one of count, %, ‰, per100k, days, hours, ratio`},
		{func(s string) error { _, err := ParseUnit(s); return err }, "euros", `unit "euros"`},
		{func(s string) error { _, err := ParseStatus(s); return err }, "", `status "": want one of final, provisional, incomplete`},
		{func(s string) error { _, err := ParseConf(s); return err }, "X", `confidentiality "X": want one of A, D`},
	} {
		if err := tc.parse(tc.name); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("parse %q: error %v, want %s", tc.name, err, tc.want)
		}
	}
	if s := Unit(42).String(); s != "#42" {
		t.Errorf("Unit(42) = %q, want #42", s)
	}
	// A row's codes sit beside its year: rows are millions, and their
	// size is the export's time (see Figure).
	if size := unsafe.Sizeof(Row{}); size > 112 {
		t.Errorf("a Row takes %d bytes, want at most 112", size)
	}
}
