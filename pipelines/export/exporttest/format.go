package exporttest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
)

// WriteFormat writes ds through the format registered as name, as a
// profile's writer would (every family, for a PerFamily format; in the
// workbook layout given, for a workbook), and returns its files by name
// relative to the profile's folder, for the test to read back.
func WriteFormat(t testing.TB, name string, ds *export.Dataset, workbookLayout string) map[string][]byte {
	t.Helper()
	f, ok := export.Lookup(name)
	if !ok {
		t.Fatalf("format %q is not registered (registered: %v)", name, export.Names())
	}
	if f.Name() != name {
		t.Fatalf("format registered as %q is named %q", name, f.Name())
	}
	files := map[string][]byte{}
	put := func(name string, b []byte) {
		if _, dup := files[name]; dup {
			t.Errorf("%s written twice", name)
		}
		files[name] = b
	}
	out := &export.Output{
		Dataset: ds, WorkbookLayout: workbookLayout, Formats: []string{name},
		File: func(name string, write func(io.Writer) error) error {
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				return err
			}
			put(name, buf.Bytes())
			return nil
		},
		Keep: func(string, any) error { return nil },
		Records: func(string, func(io.Writer) (export.RecordWriter, error)) error {
			t.Fatalf("format %s opened a family's file for the whole profile", name)
			return nil
		},
	}
	switch f.Layout() {
	case export.WholeProfile:
		if err := f.Write(context.Background(), out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	case export.PerFamily:
		fams, rows := export.Families(ds)
		for _, fam := range fams {
			type opened struct {
				name string
				buf  *bytes.Buffer
				w    export.RecordWriter
			}
			var open []opened
			fo := *out
			fo.Family, fo.Rows = fam, rows[fam]
			fo.File = func(string, func(io.Writer) error) error {
				t.Fatalf("format %s wrote a whole-profile file", name)
				return nil
			}
			fo.Records = func(name string, start func(io.Writer) (export.RecordWriter, error)) error {
				o := opened{name: name, buf: &bytes.Buffer{}}
				var err error
				if o.w, err = start(o.buf); err != nil {
					return err
				}
				open = append(open, o)
				return nil
			}
			if err := f.Write(context.Background(), &fo); err != nil {
				t.Fatalf("%s: family %s: %v", name, fam, err)
			}
			if len(open) == 0 {
				t.Fatalf("%s: family %s: no file opened", name, fam)
			}
			err := arrowrows.Batches(ds, rows[fam], 1024, func(rec arrow.RecordBatch) error {
				for _, o := range open {
					if err := o.w.Write(rec); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: family %s: %v", name, fam, err)
			}
			for _, o := range open {
				if err := o.w.Close(); err != nil {
					t.Fatalf("%s: %s: %v", name, o.name, err)
				}
				put(o.name, o.buf.Bytes())
			}
		}
	default:
		t.Fatalf("format %s: layout %v", name, f.Layout())
	}
	return files
}
