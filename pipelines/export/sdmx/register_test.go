package sdmx

import (
	"bytes"
	"testing"

	"github.com/odpe/odpe/pipelines/export/exporttest"
)

// TestFormat: the registered format writes <profile>.sdmx.csv, the bytes
// Write writes, and its structure, which the data validates against.
func TestFormat(t *testing.T) {
	ds := fixture()
	files := exporttest.WriteFormat(t, "sdmx", ds, "")
	data, structure := files[ds.Profile+".sdmx.csv"], files[ds.Profile+".sdmx-structure.xml"]
	if len(files) != 2 || data == nil || structure == nil {
		t.Fatalf("files %v, want %[2]s.sdmx.csv and %[2]s.sdmx-structure.xml", len(files), ds.Profile)
	}
	var want bytes.Buffer
	if err := Write(&want, ds); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want.Bytes()) {
		t.Errorf("data differs from Write's")
	}
	if err := Validate(bytes.NewReader(structure), bytes.NewReader(data)); err != nil {
		t.Error(err)
	}
}
