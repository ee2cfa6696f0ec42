package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// without returns a copy of ds without the rows of the given families.
func without(ds *export.Dataset, fams ...string) *export.Dataset {
	out := *ds
	family := map[string]string{}
	for _, ind := range ds.Indicators {
		family[ind.ID] = ind.Family
	}
	out.Rows = slices.DeleteFunc(slices.Clone(ds.Rows), func(r export.Row) bool {
		return slices.Contains(fams, family[r.Indicator])
	})
	return &out
}

// lastWorkbook writes ds as an Observatoire workbook into a file, as the
// last publication would have.
func lastWorkbook(t *testing.T, ds *export.Dataset) (path string, data []byte, sheets *Sheets) {
	t.Helper()
	var buf bytes.Buffer
	sheets, err := WriteWith(&buf, ds, Observatoire, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "last.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes(), sheets
}

// parts reads every part of a workbook, uncompressed.
func parts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		out[zf.Name] = string(b)
	}
	// excelize lists the content types in map order.
	types := strings.SplitAfter(out["[Content_Types].xml"], ">")
	slices.Sort(types)
	out["[Content_Types].xml"] = strings.Join(types, "")
	return out
}

// TestPreviousSheetsCopied: a workbook that takes the sheets of some
// families from an earlier one, without their rows, is the workbook
// written from every row, part for part, and describes its sheets alike.
func TestPreviousSheetsCopied(t *testing.T) {
	for _, tt := range []struct {
		name     string
		maxRows  int
		families []string
	}{
		{"one family", 1_000_000, []string{"ase"}},
		{"key family split over sheets", 2, []string{"ase"}},
		{"every family but one", 1_000_000, []string{"ase", "prevention", "adoption"}},
		{"every family", 2, []string{"ase", "pmi", "prevention", "adoption"}},
		{"none", 1_000_000, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func(n int) { MaxSheetRows = n }(MaxSheetRows)
			MaxSheetRows = tt.maxRows
			ds := fixture()
			path, full, sheets := lastWorkbook(t, ds)
			prev := &Previous{Path: path, Sheets: *sheets, Families: tt.families}
			part := without(ds, tt.families...)
			if err := prev.Check(part); err != nil {
				t.Fatalf("Check: %v", err)
			}
			var again bytes.Buffer
			got, err := WriteWith(&again, part, Observatoire, Options{Previous: prev})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, sheets) {
				t.Errorf("sheets\n%+v\nwant\n%+v", got, sheets)
			}
			want, have := parts(t, full), parts(t, again.Bytes())
			for name, w := range want {
				if h, ok := have[name]; !ok {
					t.Errorf("part %s missing", name)
				} else if h != w {
					t.Errorf("part %s differs:\n%.600s\nwant\n%.600s", name, h, w)
				}
			}
			if len(have) != len(want) {
				t.Errorf("%d parts, want %d", len(have), len(want))
			}
		})
	}
}

// TestPreviousSheetsRefused: sheets written with other columns or
// indicators, or for a workbook of one département when the new one spans
// several, are not copied.
func TestPreviousSheetsRefused(t *testing.T) {
	path, _, sheets := lastWorkbook(t, fixture())
	for _, tt := range []struct {
		name   string
		change func(ds *export.Dataset, prev *Previous)
	}{
		{"label of an indicator", func(ds *export.Dataset, _ *Previous) { ds.Indicators[0].Label += " (révisé)" }},
		{"territory renamed", func(ds *export.Dataset, _ *Previous) {
			ds.Territories = map[export.Place]string{{Dep: "62", Code: "ARRAS"}: "Arras"}
		}},
		{"new breakdown", func(ds *export.Dataset, _ *Previous) { ds.Dimensions = append(ds.Dimensions, "service") }},
		{"second département", func(ds *export.Dataset, _ *Previous) {
			ds.Rows = append(ds.Rows, ds.Rows[len(ds.Rows)-1])
			ds.Rows[len(ds.Rows)-1].Dep = "59"
		}},
		{"family never written", func(_ *export.Dataset, prev *Previous) { prev.Families = append(prev.Families, "autre") }},
		{"workbook gone", func(_ *export.Dataset, prev *Previous) { prev.Path += ".gone" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			part := without(fixture(), "ase")
			part.Indicators = slices.Clone(part.Indicators)
			prev := &Previous{Path: path, Sheets: *sheets, Families: []string{"ase"}}
			tt.change(part, prev)
			err := prev.Check(part)
			if tt.name == "workbook gone" { // found when writing
				_, err = WriteWith(io.Discard, part, Observatoire, Options{Previous: prev})
			}
			if !errors.Is(err, ErrNotReusable) {
				t.Errorf("error %v, want ErrNotReusable", err)
			}
		})
	}
}
