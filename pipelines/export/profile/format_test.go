package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
)

// wholeFormat is a WholeProfile format of the tests: it notes the
// indicators of the rows it is handed, and what it is told to copy.
type wholeFormat struct {
	name    string
	got     []string // indicators of the rows written, in order, once each
	rows    int
	copying []string // out.Last.Families
}

func (f *wholeFormat) Name() string          { return f.name }
func (f *wholeFormat) Layout() export.Layout { return export.WholeProfile }
func (f *wholeFormat) Write(_ context.Context, out *export.Output) error {
	f.got, f.rows, f.copying = nil, len(out.Dataset.Rows), nil
	for _, r := range out.Dataset.Rows {
		if !slices.Contains(f.got, r.Indicator) {
			f.got = append(f.got, r.Indicator)
		}
	}
	if out.Last != nil {
		f.copying = out.Last.Families
	}
	return out.File(f.name+".txt", func(w io.Writer) error {
		_, err := fmt.Fprintln(w, len(out.Dataset.Rows))
		return err
	})
}

// reusingFormat is a wholeFormat that copies the reused families' part.
type reusingFormat struct{ *wholeFormat }

func (reusingFormat) Reusable(*export.Output) error { return nil }

var (
	plainWhole  = &wholeFormat{name: "test-whole"}
	reusedWhole = reusingFormat{&wholeFormat{name: "test-reusing"}}
)

func init() {
	export.Register(plainWhole)
	export.Register(reusedWhole)
}

// TestWholeProfileFormatGetsEveryRow: on a refresh where family b did not
// change, a WholeProfile format that is not an export.Reuser is handed
// every row, b's read back from the cache of the last publication, so it
// cannot write an incomplete file; a Reuser is handed a's rows and told
// to copy b's. The cache is linked to the published Arrow file.
func TestWholeProfileFormatGetsEveryRow(t *testing.T) {
	row := func(id string, period int) export.Row {
		return export.Row{Indicator: id, Dep: "62", Period: period, Territory: export.Total, Unit: export.Count, Status: export.Final, Value: export.Known(float64(period))}
	}
	full := func() *export.Dataset {
		ds := &export.Dataset{Profile: "p", Indicators: []export.Indicator{
			{ID: "a1", Family: "a", Unit: "count"}, {ID: "b1", Family: "b", Unit: "count"},
		}}
		ds.Rows = []export.Row{row("a1", 2023), row("a1", 2024), row("b1", 2023), row("b1", 2024)}
		return ds
	}
	for _, whole := range []*wholeFormat{plainWhole, reusedWhole.wholeFormat} {
		t.Run(whole.name, func(t *testing.T) {
			root := t.TempDir()
			w := &Writer{Config: &configs.Config{ExportsDir: root}}
			p := configs.Export{Name: "p", Formats: []string{"feather", whole.name}}
			plan := &familyPlan{fingerprints: map[string]string{"a": "a1", "b": "b1"}, reusable: map[string]family{}}
			first := filepath.Join(root, ".runs", "1", "p")
			if err := w.writeTarget(context.Background(), &target{p: p, ds: full(), dir: first, reused: map[string]family{}}, plan); err != nil {
				t.Fatal(err)
			}
			if whole.rows != 4 || whole.copying != nil {
				t.Fatalf("first publication: %d rows, copying %v", whole.rows, whole.copying)
			}
			for _, fam := range []string{"a", "b"} {
				a, err1 := os.Stat(filepath.Join(first, "arrow", fam+".arrow"))
				c, err2 := os.Stat(familyPath(first, rowsFile(fam)))
				if err1 != nil || err2 != nil || !os.SameFile(a, c) {
					t.Errorf("cache of %s: not the published Arrow file (%v, %v)", fam, err1, err2)
				}
			}
			var fams map[string]family
			if b, err := os.ReadFile(filepath.Join(stateDir(first), familiesFile)); err != nil || json.Unmarshal(b, &fams) != nil {
				t.Fatalf("%s: %v", familiesFile, err)
			}
			if e := fams["b"]; e.Rows != rowsFile("b") || !slices.Equal(e.Files, []string{"arrow/b.arrow"}) || e.Count != 2 {
				t.Fatalf("family b: %+v", e)
			}

			// Family a changed; b is reused.
			ds := full()
			ds.Rows = ds.Rows[:2]
			second := filepath.Join(root, ".runs", "2", "p")
			plan.fingerprints["a"] = "a2"
			tg := &target{p: p, ds: ds, dir: second, last: first, reused: map[string]family{"b": fams["b"]}}
			if err := w.writeTarget(context.Background(), tg, plan); err != nil {
				t.Fatal(err)
			}
			if whole == plainWhole {
				if !slices.Equal(whole.got, []string{"a1", "b1"}) || whole.rows != 4 || whole.copying != nil {
					t.Errorf("not a Reuser: handed %v (%d rows), copying %v; want every row", whole.got, whole.rows, whole.copying)
				}
			} else if !slices.Equal(whole.got, []string{"a1"}) || !slices.Equal(whole.copying, []string{"b"}) {
				t.Errorf("a Reuser: handed %v, copying %v; want a1, copying b", whole.got, whole.copying)
			}
			for _, f := range []string{"arrow/a.arrow", "arrow/b.arrow", whole.name + ".txt"} {
				if _, err := os.Stat(filepath.Join(second, f)); err != nil {
					t.Error(err)
				}
			}
			if _, err := os.Stat(familyPath(second, rowsFile("b"))); err != nil {
				t.Errorf("cache of the reused family: %v", err)
			}
		})
	}
}
