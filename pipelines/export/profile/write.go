package profile

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
	_ "github.com/odpe/odpe/pipelines/export/all" // every format
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/parquet"
)

// target is one profile to write: its dataset (protected if its
// audience is external), its directory, and the families whose files of
// their own are linked from its last publication rather than written.
// Unless its formats need them (see reusable), the dataset holds none of
// the reused families' rows: its files that hold every family take those
// families' part from the last publication's.
type target struct {
	p      configs.Export
	ds     *export.Dataset
	dir    string
	last   string            // directory of the last publication
	reused map[string]family // families reused from last

	formats []export.Format // of p (see resolve)
	copying bool            // WholeProfile formats copy the reused families' part from last

	fams   []string // the families of ds, and their rows (see families)
	rowsOf map[string][]int

	workbook *workbook           // the part of ds the workbook holds
	written  map[string][]string // family → its files written (relative to dir)
}

// workbook is the part of a profile's dataset its workbook holds, and the
// breakdowns it leaves out (see narrow).
type workbook struct {
	ds   *export.Dataset
	left []string
}

// workbookOf cuts the workbook's part of t's dataset.
func (t *target) workbookOf() *workbook {
	if t.workbook == nil {
		ds, left := narrow(t.ds, t.p.XLSXBreakdowns, t.territorial())
		t.workbook = &workbook{ds, left}
	}
	return t.workbook
}

// resolve finds the formats of t's profile in the registry.
func (t *target) resolve() error {
	t.formats = nil
	for _, name := range t.p.Formats {
		f, ok := export.Lookup(name)
		if !ok {
			return fmt.Errorf("profile %s: unknown format %q (registered: %s)", t.p.Name, name, strings.Join(export.Names(), ", "))
		}
		t.formats = append(t.formats, f)
	}
	return nil
}

// output is what format f writes of t (a family of it, for a PerFamily
// format: see writeFamily).
func (t *target) output(f export.Format) *export.Output {
	out := &export.Output{
		Dataset: t.ds, WorkbookLayout: t.p.Layout, Formats: t.p.Formats,
		File: func(name string, write func(io.Writer) error) error {
			path := filepath.Join(t.dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			return writeFile(path, write)
		},
		Keep: func(name string, v any) error {
			return writeJSON(filepath.Join(stateDir(t.dir), keptFile(f, name)), v)
		},
	}
	if f.Name() == "xlsx" && t.p.XLSXBreakdowns != nil {
		// A workbook narrower than the profile is cut from the protected
		// dataset: a subset of published cells reveals nothing new.
		wb := t.workbookOf()
		out.Dataset, out.Omitted = wb.ds, wb.left
	}
	if t.copying && len(t.reused) > 0 {
		out.Last = &export.Last{
			Dir:      t.last,
			Families: slices.Sorted(maps.Keys(t.reused)),
			Kept: func(name string, v any) error {
				return readJSON(filepath.Join(stateDir(t.last), keptFile(f, name)), v)
			},
		}
	}
	return out
}

// keptFile is the name in a publication's state of what format f keeps
// under name (Output.Keep): a dot file, as every file of the state,
// named after its format.
func keptFile(f export.Format, name string) string {
	if !strings.HasPrefix(name, f.Name()+"-") {
		name = f.Name() + "-" + name
	}
	return "." + name
}

// reusable prepares the WholeProfile formats of t to take the reused
// families' part from the last publication, and reports why one cannot
// (every one then gets every row: the reused families' are read back
// from the cache, see complete). A format that is not an export.Reuser
// cannot.
func (t *target) reusable() error {
	t.copying = len(t.reused) > 0
	if !t.copying {
		return nil
	}
	for _, f := range t.formats {
		if f.Layout() != export.WholeProfile {
			continue
		}
		r, ok := f.(export.Reuser)
		if !ok {
			return fmt.Errorf("format %s writes every family from rows", f.Name())
		}
		if err := r.Reusable(t.output(f)); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
	}
	return nil
}

// territorial reports whether a reused family has territory detail.
func (t *target) territorial() bool {
	for _, e := range t.reused {
		if e.Territorial {
			return true
		}
	}
	return false
}

// families returns the families of t's dataset and their rows (see
// export.Families), indexed once.
func (t *target) families() ([]string, map[string][]int) {
	if t.rowsOf == nil {
		t.fams, t.rowsOf = export.Families(t.ds)
	}
	return t.fams, t.rowsOf
}

// writeFamilyFiles writes the files of one family each (those of the
// PerFamily formats, and the cache of its rows) of the families written
// afresh, each family's record batches built once for all of them, and
// links those of the reused families.
func (t *target) writeFamilyFiles(ctx context.Context) error {
	t.written = map[string][]string{}
	if err := linkFamilies(t.last, t.dir, t.reused); err != nil {
		return err
	}
	fams, rows := t.families()
	for _, fam := range fams {
		if _, ok := t.reused[fam]; ok {
			continue
		}
		if err := t.writeFamily(ctx, fam, rows[fam]); err != nil {
			return fmt.Errorf("family %s: %w", fam, err)
		}
	}
	return nil
}

// familyFile is one file of a family being written: under a temporary
// name until it is whole.
type familyFile struct {
	rel  string // relative to the profile's folder (see familyPath)
	path string
	f    *os.File
	bw   *bufio.Writer
	w    export.RecordWriter
}

// cacheFormat is the format of the cache of each family's published
// rows (rowsFile): a profile that publishes it has the cache linked to
// its published file of the family, the same bytes, not written twice.
const cacheFormat = "feather"

// writeFamily writes the files of family fam from ds.Rows[i], i in rows:
// those the PerFamily formats open (export.Output.Records), and the cache
// of its rows in the state.
func (t *target) writeFamily(ctx context.Context, fam string, rows []int) (err error) {
	var files []*familyFile
	defer func() {
		for _, ff := range files {
			if ff.f != nil {
				ff.f.Close()
				os.Remove(ff.path + ".tmp")
			}
		}
	}()
	records := func(rel string, open func(io.Writer) (export.RecordWriter, error)) (err error) {
		ff := &familyFile{rel: rel, path: familyPath(t.dir, rel)}
		if err := os.MkdirAll(filepath.Dir(ff.path), 0o755); err != nil {
			return err
		}
		if ff.f, err = os.Create(ff.path + ".tmp"); err != nil {
			return err
		}
		files = append(files, ff)
		ff.bw = bufio.NewWriterSize(ff.f, 1<<20)
		ff.w, err = open(ff.bw)
		return err
	}
	cacheOf := "" // the published file the cache is linked to
	for _, f := range t.formats {
		if f.Layout() != export.PerFamily {
			continue
		}
		out := t.output(f)
		out.Family, out.Rows = fam, rows
		n := len(files)
		out.Records = records
		if err := f.Write(ctx, out); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		for _, ff := range files[n:] {
			t.written[fam] = append(t.written[fam], ff.rel)
			if f.Name() == cacheFormat {
				cacheOf = ff.rel
			}
		}
	}
	if cacheOf == "" {
		if err := records(rowsFile(fam), feather.Opener(t.ds, fam)); err != nil {
			return err
		}
	}
	err = arrowrows.Batches(t.ds, rows, parquet.BatchRows, func(rec arrow.RecordBatch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, ff := range files {
			if err := ff.w.Write(rec); err != nil {
				return fmt.Errorf("%s: %w", ff.path, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ff := range files {
		if err := ff.w.Close(); err != nil {
			return fmt.Errorf("%s: %w", ff.path, err)
		}
		if err := ff.bw.Flush(); err != nil {
			return err
		}
		err := ff.f.Sync() // on disk before it is published (see writeFile)
		if cerr := ff.f.Close(); err == nil {
			err = cerr
		}
		ff.f = nil
		if err == nil {
			err = os.Rename(ff.path+".tmp", ff.path)
		}
		if err != nil {
			os.Remove(ff.path + ".tmp")
			return err
		}
	}
	if cacheOf != "" {
		dst := familyPath(t.dir, rowsFile(fam))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := linkOrCopy(familyPath(t.dir, cacheOf), dst); err != nil {
			return err
		}
	}
	return nil
}

// Write protects the external profiles and writes every profile that
// changed into the run's directory.
func (r *Run) Write(ctx context.Context) error {
	w, todo, plans, dirty, all, runDir := r.w, r.todo, r.plans, r.dirty, r.all, r.runDir
	internal, external := r.internal, r.external
	g, gctx := errgroup.WithContext(ctx)
	// Profiles are independent: three at a time (the last one protected
	// need not wait for the first ones to end; the Go heap's soft limit
	// bounds their memory). Waiting for a turn must not hold up disclosure
	// control, which hands the external profiles over (see
	// protectTogether): the next threshold's protection goes on meanwhile.
	turns := make(chan struct{}, 3)
	write := func(p configs.Export, ds *export.Dataset) {
		g.Go(func() error {
			select {
			case turns <- struct{}{}:
				defer func() { <-turns }()
			case <-gctx.Done():
				return gctx.Err()
			}
			plan := plans[p.Name]
			t := &target{p: p, ds: ds, dir: filepath.Join(runDir, p.Name), last: plan.last, reused: map[string]family{}}
			for fam, e := range plan.reusable {
				if !dirty[fam] {
					t.reused[fam] = e
				}
			}
			return w.writeTarget(gctx, t, plan)
		})
	}
	var protection errgroup.Group // beside the internal profiles' writing
	protection.Go(func() error {
		start := time.Now()
		err := protectTogether(all, external, func(p configs.Export, ds *export.Dataset) {
			if slices.ContainsFunc(todo, func(q configs.Export) bool { return q.Name == p.Name }) {
				write(p, ds)
			}
		})
		if w.Logger != nil && len(external) > 0 {
			w.Logger.Info("disclosure control done", "profiles", len(external), "took", time.Since(start).Round(time.Millisecond))
		}
		if w.Protected != nil && len(external) > 0 {
			w.Protected(time.Since(start))
		}
		return err
	})
	for _, p := range internal {
		write(p, all.of(p))
	}
	perr := protection.Wait() // before g.Wait: it may still call g.Go
	if err := g.Wait(); err != nil {
		return err
	}
	return perr
}

// writeTarget writes profile t into its directory, with its state: the
// reused families' part taken from the last publication by the
// WholeProfile formats if every one can, read back from the cache for
// all of them otherwise.
func (w *Writer) writeTarget(ctx context.Context, t *target, plan *familyPlan) error {
	if err := t.resolve(); err != nil {
		return err
	}
	if err := t.reusable(); err != nil {
		if w.Logger != nil {
			w.Logger.Info("reused families read back", "profile", t.p.Name, "reason", err)
		}
		t.copying, t.workbook = false, nil
		if err := complete(t.ds, t.last, t.reused); err != nil {
			return err
		}
	}
	if err := w.writeProfile(ctx, t); err != nil {
		return err
	}
	if err := keepFamilies(t, plan); err != nil {
		return fmt.Errorf("profile %s: %w", t.p.Name, err)
	}
	return os.WriteFile(filepath.Join(stateDir(t.dir), fingerprintFile), []byte(plan.fingerprint()), 0o644)
}

// writeProfile writes a profile's formats into its directory: the files
// of one family each (writeFamilyFiles) beside those of the whole
// profile, each format reading the dataset only.
func (w *Writer) writeProfile(ctx context.Context, t *target) error {
	start := time.Now()
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(stateDir(t.dir), 0o755); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := t.writeFamilyFiles(gctx); err != nil {
			return fmt.Errorf("profile %s: %w", t.p.Name, err)
		}
		return nil
	})
	for _, f := range t.formats {
		if f.Layout() != export.WholeProfile {
			continue
		}
		out := t.output(f)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := f.Write(gctx, out); err != nil {
				return fmt.Errorf("profile %s: %s: %w", t.p.Name, f.Name(), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if w.Logger != nil {
		w.Logger.Info("export written", "profile", t.p.Name, "rows", len(t.ds.Rows), "formats", strings.Join(t.p.Formats, ","),
			"families_reused", strings.Join(slices.Sorted(maps.Keys(t.reused)), ","))
	}
	if w.Written != nil {
		w.Written(t.p.Name, len(t.ds.Rows), time.Since(start))
	}
	return nil
}

// writeFile writes through a buffer into path, and syncs it: a published
// file must survive a crash of the machine, and a file left for the kernel
// to write back would be written at the next refresh's first sync, which
// would wait for it.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
