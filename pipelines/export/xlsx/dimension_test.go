package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

var (
	dimensionRe = regexp.MustCompile(`<dimension ref="([A-Z0-9:]+)"`)
	cellRefRe   = regexp.MustCompile(`<c r="([A-Z]+)([0-9]+)"`)
)

// usedRange is the range "A1:XN" from the first column and row to the
// last ones any cell of a worksheet part uses.
func usedRange(t *testing.T, part []byte) string {
	t.Helper()
	maxCol, maxRow := 1, 1
	for _, m := range cellRefRe.FindAllSubmatch(part, -1) {
		col, err := excelize.ColumnNameToNumber(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		row, err := strconv.Atoi(string(m[2]))
		if err != nil {
			t.Fatal(err)
		}
		maxCol, maxRow = max(maxCol, col), max(maxRow, row)
	}
	last, err := excelize.CoordinatesToCellName(maxCol, maxRow)
	if err != nil {
		t.Fatal(err)
	}
	if last == "A1" {
		return "A1"
	}
	return "A1:" + last
}

// TestDeclaredDimensions: every worksheet of every layout declares the
// range its cells use (readers that trust <dimension>, such as openpyxl's
// read-only mode, read that range and nothing else).
func TestDeclaredDimensions(t *testing.T) {
	for _, ds := range []struct {
		layout Layout
		data   *export.Dataset
	}{{Observatoire, fixture()}, {Drees, fixture()}, {Drees, dreesFixture()}} {
		layout := ds.layout
		_, data := build(t, ds.data, layout)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		sheets := 0
		for _, zf := range zr.File {
			if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
				continue
			}
			sheets++
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			part, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			m := dimensionRe.FindSubmatch(part)
			if m == nil {
				t.Errorf("%s %s: no <dimension>", layout, zf.Name)
				continue
			}
			if got, want := string(m[1]), usedRange(t, part); got != want {
				t.Errorf("%s %s: <dimension ref=%q>, its cells use %s", layout, zf.Name, got, want)
			}
		}
		if sheets == 0 {
			t.Errorf("%s: no worksheet", layout)
		}
	}
}
