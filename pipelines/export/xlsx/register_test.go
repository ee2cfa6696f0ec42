package xlsx

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export/exporttest"
)

// TestFormat: the registered format writes <profile>.xlsx in the
// profile's layout, the workbook Write writes (cell by cell, as excelize
// reads it back).
func TestFormat(t *testing.T) {
	ds := fixture()
	for name, layout := range map[string]Layout{"observatoire": Observatoire, "drees": Drees} {
		files := exporttest.WriteFormat(t, "xlsx", ds, name)
		got := files[ds.Profile+".xlsx"]
		if len(files) != 1 || got == nil {
			t.Fatalf("%s: files %d, want %s.xlsx", name, len(files), ds.Profile)
		}
		f, err := excelize.OpenReader(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := build(t, ds, layout)
		if g, w := dump(t, f), dump(t, want); g != w {
			t.Errorf("%s: workbook differs from Write's:\n%s\nwant:\n%s", name, g, w)
		}
		f.Close()
	}
}
