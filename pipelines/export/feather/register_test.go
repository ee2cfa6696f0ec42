package feather

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

// TestFormat: the registered format writes arrow/<family>.arrow, the
// bytes WriteFamilies writes, and its rows read back.
func TestFormat(t *testing.T) {
	ds := fixture()
	files := exporttest.WriteFormat(t, "feather", ds, "")
	dir := t.TempDir()
	if err := WriteFamilies(dir, ds); err != nil {
		t.Fatal(err)
	}
	fams, rows := export.Families(ds)
	if len(files) != len(fams) {
		t.Errorf("%d files, want one per family (%v)", len(files), fams)
	}
	for _, fam := range fams {
		name := "arrow/" + fam + ".arrow"
		want, err := os.ReadFile(filepath.Join(dir, fam+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		if string(files[name]) != string(want) {
			t.Errorf("%s differs from WriteFamilies' file", name)
		}
		path := filepath.Join(t.TempDir(), fam+".arrow")
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRows(path, arrowrows.NewReader(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows[fam]) {
			t.Fatalf("%s: %d rows read back, want %d", name, len(got), len(rows[fam]))
		}
		for i, j := range rows[fam] {
			w := ds.Rows[j]
			if g := got[i]; g.Indicator != w.Indicator || g.Period != w.Period || g.Territory != w.Territory || g.Value != w.Value || g.Conf.Mark() != w.Conf.Mark() {
				t.Errorf("%s row %d: %+v, want %+v", name, i, g, w)
			}
		}
	}
}
