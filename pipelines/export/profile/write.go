package profile

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/parquet"
	"github.com/odpe/odpe/pipelines/export/sdmx"
	"github.com/odpe/odpe/pipelines/export/xlsx"
)

// target is one profile to write: its dataset (protected if its
// audience is external), its directory, and the families whose files of
// their own are linked from its last publication rather than written.
// Unless its formats need them (see withoutReusedRows), the dataset holds
// none of the reused families' rows: its files that hold every family
// take those families' part from the last publication's.
type target struct {
	p      configs.Export
	ds     *export.Dataset
	dir    string
	last   string            // directory of the last publication
	reused map[string]family // families reused from last

	fams   []string // the families of ds, and their rows (see families)
	rowsOf map[string][]int

	sheets   *xlsx.Previous // the last workbook's sheets to copy
	workbook *workbook      // the part of ds they were checked against
	lines    *sdmx.Previous // the last SDMX file's lines to copy
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

// writer writes one format of a profile into its directory: one that
// holds every family. Those of one file per family (Parquet, Feather) are
// written together (see writeFamilyFiles).
type writer func(t *target) error

var writers = map[string]writer{
	"xlsx": func(t *target) error {
		layout := xlsx.Observatoire
		if t.p.Layout == "drees" {
			layout = xlsx.Drees
		}
		// A workbook narrower than the profile is cut from the protected
		// dataset: a subset of published cells reveals nothing new.
		wb := t.workbookOf()
		omitted := xlsx.Omitted{Breakdowns: wb.left}
		if len(wb.left) > 0 {
			for _, f := range t.p.Formats {
				if f != "xlsx" {
					omitted.Formats = append(omitted.Formats, f)
				}
			}
		}
		var sheets *xlsx.Sheets
		err := writeFile(filepath.Join(t.dir, t.p.Name+".xlsx"), func(w io.Writer) (err error) {
			sheets, err = xlsx.WriteWith(w, wb.ds, layout, xlsx.Options{Omitted: omitted, Previous: t.sheets})
			return err
		})
		if err != nil || sheets == nil {
			return err
		}
		return writeJSON(filepath.Join(stateDir(t.dir), sheetsFile), sheets)
	},
	"sdmx": func(t *target) error {
		var index sdmx.Index
		err := writeFile(filepath.Join(t.dir, t.p.Name+".sdmx.csv"), func(w io.Writer) (err error) {
			index, err = sdmx.WriteIndexed(w, t.ds, t.lines)
			return err
		})
		if err != nil {
			return err
		}
		err = writeFile(filepath.Join(t.dir, t.p.Name+".sdmx-structure.xml"), func(w io.Writer) error {
			return sdmx.WriteStructure(w, t.ds, index)
		})
		if err != nil {
			return err
		}
		return writeJSON(filepath.Join(stateDir(t.dir), sdmxIndexFile), index)
	},
}

// In the state of each profile's publication (stateDir), not in its
// folder: what the next publication needs to take the part of the
// families it reuses from the files that hold every family.
const (
	sheetsFile    = ".xlsx-sheets.json" // xlsx.Sheets
	sdmxIndexFile = ".sdmx-index.json"  // sdmx.Index
)

// withoutReusedRows prepares the formats of t that hold every family to
// take the reused families' part from the last publication, and reports
// why one cannot (its rows must then be read back).
func (t *target) withoutReusedRows() error {
	if len(t.reused) == 0 {
		return nil
	}
	fams := slices.Sorted(maps.Keys(t.reused))
	for _, f := range t.p.Formats {
		switch f {
		case "xlsx":
			if t.p.Layout == "drees" {
				return errors.New("the DREES layout lays out its tables from every row")
			}
			prev := &xlsx.Previous{Path: filepath.Join(t.last, t.p.Name+".xlsx"), Families: fams}
			if err := readJSON(filepath.Join(stateDir(t.last), sheetsFile), &prev.Sheets); err != nil {
				return err
			}
			if err := prev.Check(t.workbookOf().ds); err != nil {
				return err
			}
			t.sheets = prev
		case "sdmx":
			prev := &sdmx.Previous{Path: filepath.Join(t.last, t.p.Name+".sdmx.csv")}
			if err := readJSON(filepath.Join(stateDir(t.last), sdmxIndexFile), &prev.Index); err != nil {
				return err
			}
			for _, ind := range t.ds.Indicators {
				if _, ok := t.reused[ind.Family]; ok {
					prev.Indicators = append(prev.Indicators, ind.ID)
				}
			}
			if !sdmx.Reusable(t.ds, prev.Index, prev.Indicators) {
				return errors.New("the last SDMX file was written with other columns or indicators")
			}
			t.lines = prev
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

// writeFamilyFiles writes the files of one family each (familyFiles) of
// the families written afresh, each family's record batches built once
// for all of them, and links those of the reused families.
func (t *target) writeFamilyFiles() error {
	if err := linkFamilies(t.last, t.dir, t.reused, t.p); err != nil {
		return err
	}
	fams, rows := t.families()
	for _, fam := range fams {
		if _, ok := t.reused[fam]; ok {
			continue
		}
		if err := t.writeFamily(fam, rows[fam]); err != nil {
			return fmt.Errorf("family %s: %w", fam, err)
		}
	}
	return nil
}

// familyFile is one file of a family being written: under a temporary
// name until it is whole.
type familyFile struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	w    arrowrows.FileWriter
}

// writeFamily writes the files of family fam from ds.Rows[i], i in rows.
func (t *target) writeFamily(fam string, rows []int) (err error) {
	var files []*familyFile
	defer func() {
		for _, ff := range files {
			if ff.f != nil {
				ff.f.Close()
				os.Remove(ff.path + ".tmp")
			}
		}
	}()
	for _, rel := range familyFiles(t.p, fam) {
		ff := &familyFile{path: familyPath(t.dir, rel)}
		if err := os.MkdirAll(filepath.Dir(ff.path), 0o755); err != nil {
			return err
		}
		if ff.f, err = os.Create(ff.path + ".tmp"); err != nil {
			return err
		}
		files = append(files, ff)
		ff.bw = bufio.NewWriterSize(ff.f, 1<<20)
		if strings.HasSuffix(rel, ".parquet") {
			ff.w, err = parquet.NewWriter(ff.bw, t.ds, fam)
		} else {
			ff.w, err = feather.NewWriter(ff.bw, t.ds.Family(fam))
		}
		if err != nil {
			return err
		}
	}
	err = arrowrows.Batches(t.ds, rows, parquet.BatchRows, func(rec arrow.RecordBatch) error {
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
	return nil
}

// Writer writes the profiles of a configuration.
type Writer struct {
	Config *configs.Config
	Logger *slog.Logger
	// Written, when set, hears of each profile written, with its rows and
	// the time it took (for the benchmarks).
	Written func(profile string, rows int, took time.Duration)
	// Protected, when set, hears of the disclosure control of the
	// external profiles and the time it took (for the benchmarks).
	Protected func(took time.Duration)
	// Transmitted, when set, hears of each profile's transmission package
	// once the profile is published (see transmit).
	Transmitted func(Transmission)
}

// Write writes the named profiles (all when empty) of the warehouse
// version of runID from db into a new directory named run, and returns the
// function that publishes them.
func (w *Writer) Write(ctx context.Context, db *sql.DB, runID int64, run string, names []string) (publish func() error, err error) {
	r, err := w.Read(ctx, db, runID, run, names)
	if err != nil {
		return nil, err
	}
	if err := r.Write(ctx); err != nil {
		return nil, err
	}
	return r.Publish, nil
}

// Run is one writing of profiles, in three steps: Read (from the
// warehouse), Write (into the run's directory, without the warehouse: a
// refresh checkpoints the new version meanwhile) and Publish (once the
// version is current).
type Run struct {
	w        *Writer
	run      string
	profiles []configs.Export // to publish
	todo     []configs.Export // to write
	plans    map[string]*familyPlan
	dirty    map[string]bool // families read again
	all      *values
	runDir   string

	internal, external []configs.Export // to write unprotected; to protect (see splitAudiences)
}

// Read reads from db what the named profiles (all when empty) of the
// warehouse version of runID need, and links those that did not change
// into the new directory named run.
func (w *Writer) Read(ctx context.Context, db *sql.DB, runID int64, run string, names []string) (*Run, error) {
	profiles, err := w.profiles(names)
	if err != nil {
		return nil, err
	}
	runDir := filepath.Join(w.Config.ExportsDir, ".runs", run)
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	all, err := readCatalogue(ctx, db, runID, patternsOf(w.Config.Exports)) // peers too (see protectTogether)
	if err != nil {
		return nil, err
	}
	computed, err := computedBy(ctx, db)
	if err != nil {
		return nil, err
	}
	// Profiles whose families' values did not change since they were
	// published are linked, not written again.
	var todo []configs.Export
	plans := map[string]*familyPlan{}
	for _, p := range profiles {
		start := time.Now()
		plan, err := w.planFamilies(p, all.indicators, computed)
		if err != nil {
			return nil, err
		}
		plans[p.Name] = plan
		reused, err := w.reuse(p, plan.fingerprint(), filepath.Join(runDir, p.Name))
		if err != nil {
			return nil, err
		}
		if !reused {
			todo = append(todo, p)
			continue
		}
		if w.Logger != nil {
			w.Logger.Info("export unchanged: files of the last one reused", "profile", p.Name)
		}
		if w.Written != nil {
			w.Written(p.Name, 0, time.Since(start))
		}
	}
	// Families whose values did not change since a profile was published
	// are not read nor protected again, for any profile: the profiles
	// written read them back from their last publication (see familiesFile).
	dirty := map[string]bool{}
	for _, p := range todo {
		plan := plans[p.Name]
		plans[p.Name] = plan
		for fam := range plan.fingerprints {
			if _, ok := plan.reusable[fam]; !ok {
				dirty[fam] = true
			}
		}
	}
	r := &Run{w: w, run: run, profiles: profiles, todo: todo, plans: plans, dirty: dirty, all: all, runDir: runDir}
	r.internal, r.external = splitAudiences(todo, w.Config.Exports)
	if err := all.readRows(ctx, db, patternsOf(append(r.internal, r.external...)), dirty); err != nil { // once for every profile
		return nil, err
	}
	return r, nil
}

// splitAudiences returns the internal profiles of todo, and the external
// ones to protect: every external profile, written or not, when todo has
// one, as they are protected together (see protectTogether).
func splitAudiences(todo, all []configs.Export) (internal, external []configs.Export) {
	anyExternal := false
	for _, p := range todo {
		if p.Audience == "external" {
			anyExternal = true
		} else {
			internal = append(internal, p)
		}
	}
	if anyExternal {
		for _, p := range all {
			if p.Audience == "external" {
				external = append(external, p)
			}
		}
	}
	return internal, external
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
			if err := t.withoutReusedRows(); err != nil {
				if w.Logger != nil {
					w.Logger.Info("reused families read back", "profile", p.Name, "reason", err)
				}
				t.sheets, t.workbook, t.lines = nil, nil, nil
				if err := complete(ds, t.last, t.reused); err != nil {
					return err
				}
			}
			if err := w.writeProfile(gctx, t); err != nil {
				return err
			}
			if err := keepFamilies(t, plan); err != nil {
				return fmt.Errorf("profile %s: %w", p.Name, err)
			}
			return os.WriteFile(filepath.Join(stateDir(t.dir), fingerprintFile), []byte(plan.fingerprint()), 0o644)
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

// Publish points each profile's link at the run's directory, then
// archives a transmission package of each (see transmit).
func (r *Run) Publish() error {
	if err := r.w.publish(r.run, r.profiles); err != nil {
		return err
	}
	r.w.transmit(r.run, r.profiles)
	return nil
}

// writeProfile writes a profile's formats into its directory.
func (w *Writer) writeProfile(ctx context.Context, t *target) error {
	start := time.Now()
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(stateDir(t.dir), 0o755); err != nil {
		return err
	}
	// The formats are written side by side: each reads the dataset only.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := t.writeFamilyFiles(); err != nil {
			return fmt.Errorf("profile %s: %w", t.p.Name, err)
		}
		return nil
	})
	for _, f := range t.p.Formats {
		write, ok := writers[f]
		if !ok {
			continue // a file per family: written above
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := write(t); err != nil {
				return fmt.Errorf("profile %s: %s: %w", t.p.Name, f, err)
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

// publish points each profile's link at this run's directory, atomically,
// and removes the directories of runs older than the previous one.
func (w *Writer) publish(run string, profiles []configs.Export) error {
	for _, p := range profiles {
		// The files' names on disk before the link points at them.
		dir := filepath.Join(w.Config.ExportsDir, ".runs", run, p.Name)
		if err := syncDirs(dir); err != nil {
			return err
		}
		if err := syncDirs(stateDir(dir)); err != nil {
			return err
		}
		link := filepath.Join(w.Config.ExportsDir, p.Name)
		if st, err := os.Lstat(link); err == nil && st.Mode()&os.ModeSymlink == 0 {
			return fmt.Errorf("%s exists and is not a link: move it away", link)
		}
		tmp := link + ".link-" + run
		os.Remove(tmp)
		if err := os.Symlink(filepath.Join(".runs", run, p.Name), tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, link); err != nil {
			return err
		}
	}
	if err := syncDirs(w.Config.ExportsDir); err != nil {
		return err
	}
	return w.prune()
}

// syncDirs syncs dir and the directories below it, but not those of
// other runs (.runs), so that the entries of the files in them survive a
// crash of the machine.
func syncDirs(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != dir && d.Name() == ".runs" {
			return filepath.SkipDir
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// prune keeps the run directories that links point to, and the newest one
// before them (readers may still hold its files).
func (w *Writer) prune() error {
	runs := filepath.Join(w.Config.ExportsDir, ".runs")
	entries, err := os.ReadDir(runs)
	if err != nil {
		return err
	}
	inUse := map[string]bool{}
	for _, p := range w.Config.Exports {
		if target, err := os.Readlink(filepath.Join(w.Config.ExportsDir, p.Name)); err == nil {
			inUse[strings.Split(filepath.ToSlash(target), "/")[1]] = true
		}
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	keep := 1 // one extra, the newest not in use
	for i := len(names) - 1; i >= 0; i-- {
		n := names[i]
		if inUse[n] {
			continue
		}
		if keep > 0 {
			keep--
			continue
		}
		os.RemoveAll(filepath.Join(runs, n))
	}
	return nil
}

func patternsOf(profiles []configs.Export) []string {
	var out []string
	for _, p := range profiles {
		out = append(out, p.Indicators...)
	}
	return out
}

func (w *Writer) profiles(names []string) ([]configs.Export, error) {
	if len(names) == 0 {
		return w.Config.Exports, nil
	}
	var out []configs.Export
	for _, n := range names {
		p, ok := w.Config.Export(n)
		if !ok {
			return nil, fmt.Errorf("no export profile %q in %s", n, w.Config.Path)
		}
		out = append(out, p)
	}
	return out, nil
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
