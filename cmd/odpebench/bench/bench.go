// Package bench is the odpebench command: it generates the demo sources
// at a chosen scale, runs a full refresh (extracts, conformed tables,
// indicators, every export profile) and reports, for each step, the wall
// time, the rows per second and the peak memory of the process. In the
// same run it times DuckDB itself loading the large CSV files of the ASE
// extract, the CRIP's register and the INSEE births
// (CREATE TABLE AS SELECT * FROM read_csv) and gives our time as a ratio
// of it, so that the figures survive a noisy machine. Then it times a
// refresh where nothing changed and one where a single new monthly PMI
// file arrived.
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/export/intruder/owner"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
)

// Step is one timed step of the full refresh.
type Step struct {
	Name       string  `json:"name"`
	Seconds    float64 `json:"seconds"`
	Rows       int64   `json:"rows"`
	RowsPerSec float64 `json:"rows_per_second"`
	PeakMiB    float64 `json:"peak_rss_mib"` // highest resident memory seen during the step
}

// Baseline is DuckDB loading the same files on its own.
type Baseline struct {
	Job         string  `json:"job"`
	Files       int     `json:"files"`
	Rows        int64   `json:"rows"`
	DuckDB      float64 `json:"duckdb_seconds"`
	Ours        float64 `json:"our_seconds"`
	Ratio       float64 `json:"ratio"`
	Transcoding bool    `json:"transcoded_to_utf8"` // DuckDB cannot read Windows-1252
}

// Result is everything one run measures.
type Result struct {
	Scale       string     `json:"scale"`
	Seed        uint64     `json:"seed"`
	Threads     int        `json:"duckdb_threads"`
	Generate    float64    `json:"generate_seconds"`
	Refresh     float64    `json:"full_refresh_seconds"`
	PeakMiB     float64    `json:"peak_rss_mib"` // the process's high-water mark (VmHWM)
	Steps       []Step     `json:"steps"`
	Baselines   []Baseline `json:"baselines"`
	NoChange    float64    `json:"no_change_seconds"`
	OnePMIFile  float64    `json:"one_pmi_file_seconds"`
	OnePMISteps []Step     `json:"one_pmi_file_steps"` // its steps of 10 ms or more
	WarehouseMB float64    `json:"warehouse_mib"`
	Exports     Exports    `json:"exports_alone"`
	Audit       *Audit     `json:"strong_audit,omitempty"` // not at national scale
}

// Audit is the strong audit of the external profiles (package intruder):
// every file of every external profile attacked together.
type Audit struct {
	Hidden      int            `json:"hidden_cells"`
	Primary     int            `json:"primary_cells"`
	Recovered   int            `json:"recovered_exactly"`
	Narrowed    int            `json:"primary_narrowed"`
	Constraints int            `json:"constraints"`
	Parts       int            `json:"parts"`
	Largest     int            `json:"largest_part_hidden_cells"`
	Dropped     int            `json:"constraints_broken_by_the_data"`
	DroppedBy   map[string]int `json:"constraints_broken_by_the_data_by_kind,omitempty"`
	Seconds     float64        `json:"attack_seconds"`
	Loss        []owner.Loss   `json:"loss"`
	Exposed     []string       `json:"exposed,omitempty"` // the first ones
}

// Exports is every export profile written from the refreshed warehouse
// into an empty folder (nothing reused from a last publication), on its
// own: the figure to set against the indicators step.
type Exports struct {
	Read       float64 `json:"read_seconds"`
	Written    float64 `json:"written_seconds"`
	Disclosure float64 `json:"disclosure_control_seconds"` // part of Written
	Indicators float64 `json:"indicators_seconds"`         // the full refresh's step
}

// Main runs the command and returns its exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	refresh.LimitMemory() // as odpe does
	fs := flag.NewFlagSet("odpebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.String("scale", "small", "size of the demo: small, departement or national")
	seed := fs.Uint64("seed", 62, "random seed")
	dir := fs.String("dir", "", "folder for the demo (default: a temporary folder, removed after)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: odpebench [--scale small|departement|national] [--seed N] [--dir DIR] [--json]")
		return 2
	}
	res, err := Run(ctx, *scale, *seed, *dir)
	if err != nil {
		fmt.Fprintln(stderr, "odpebench:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return 1
		}
		return 0
	}
	res.Print(stdout)
	return 0
}

// Run generates the demo at scale into dir (a temporary folder when
// empty) and measures it.
func Run(ctx context.Context, scale string, seed uint64, dir string) (*Result, error) {
	s, ok := demo.Scales[scale]
	if !ok {
		return nil, fmt.Errorf("unknown scale %q: expected small, departement or national", scale)
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "odpebench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	res := &Result{Scale: scale, Seed: seed}
	start := time.Now()
	cfgPath, err := demo.Write(ctx, dir, s, seed)
	if err != nil {
		return nil, err
	}
	res.Generate = time.Since(start).Seconds()
	cfg, err := configs.Load(cfgPath, cli.Validators())
	if err != nil {
		return nil, err
	}
	res.Threads = cfg.DuckDB.Threads
	if err := res.fullRefresh(ctx, cfg); err != nil {
		return nil, err
	}
	if err := res.baselines(ctx, cfg); err != nil {
		return nil, err
	}
	if err := res.exportsAlone(ctx, cfg); err != nil {
		return nil, fmt.Errorf("exports alone: %w", err)
	}
	if scale != "national" {
		if err := res.strongAudit(ctx, cfg); err != nil {
			return nil, fmt.Errorf("strong audit: %w", err)
		}
	}
	if res.NoChange, _, err = timeRefresh(ctx, cfg); err != nil {
		return nil, fmt.Errorf("no-change refresh: %w", err)
	}
	if err := addPMIMonth(cfg); err != nil {
		return nil, err
	}
	if res.OnePMIFile, res.OnePMISteps, err = timeRefresh(ctx, cfg); err != nil {
		return nil, fmt.Errorf("refresh with one new PMI file: %w", err)
	}
	return res, nil
}

// options are the refresh options of every timed refresh: exports
// included, as in production.
func options(cfg *configs.Config, written func(string, int, time.Duration), progress func(string, int, int)) refresh.Options {
	w := &profile.Writer{Config: cfg, Written: written}
	return refresh.Options{
		Logger:   slog.New(slog.DiscardHandler),
		Progress: progress,
		Export:   cli.Exporter(w, nil),
	}
}

// fullRefresh runs the first refresh, sampling memory by step.
func (r *Result) fullRefresh(ctx context.Context, cfg *configs.Config) error {
	mem := newSampler()
	defer mem.stop()
	type written struct {
		rows int
		took time.Duration
	}
	var mu sync.Mutex
	profiles := map[string]written{}
	opts := options(cfg, func(p string, rows int, took time.Duration) {
		mu.Lock()
		profiles[p] = written{rows, took}
		mu.Unlock()
	}, func(step string, _, _ int) { mem.enter(step) })
	start := time.Now()
	rep, err := refresh.Run(ctx, cfg, opts)
	if err != nil {
		return err
	}
	if rep.Status != refresh.Success {
		return fmt.Errorf("full refresh ended %s: %d file(s) rejected", rep.Status, rep.FilesRejected)
	}
	r.Refresh = time.Since(start).Seconds()
	peaks := mem.stop()
	for _, s := range rep.Steps {
		r.Steps = append(r.Steps, newStep(s.Name, s.Duration, s.Rows, peaks[s.Name]))
	}
	names := make([]string, 0, len(profiles))
	for p := range profiles {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		r.Steps = append(r.Steps, newStep("  export "+p, profiles[p].took, int64(profiles[p].rows), 0))
	}
	r.PeakMiB = highWaterMiB()
	if st, err := os.Stat(cfg.Warehouse); err == nil {
		r.WarehouseMB = float64(st.Size()) / (1 << 20)
	}
	return nil
}

func newStep(name string, d time.Duration, rows int64, peak float64) Step {
	s := Step{Name: name, Seconds: d.Seconds(), Rows: rows, PeakMiB: peak}
	if rows > 0 && d > 0 {
		s.RowsPerSec = float64(rows) / d.Seconds()
	}
	return s
}

func timeRefresh(ctx context.Context, cfg *configs.Config) (float64, []Step, error) {
	start := time.Now()
	rep, err := refresh.Run(ctx, cfg, options(cfg, nil, nil))
	if err != nil {
		return 0, nil, err
	}
	if rep.Status == refresh.Failed || rep.FilesRejected > 0 {
		return 0, nil, fmt.Errorf("refresh ended %s", rep.Status)
	}
	took := time.Since(start).Seconds()
	var steps []Step
	for _, s := range rep.Steps {
		if s.Duration >= 10*time.Millisecond { // the steps that did something
			steps = append(steps, Step{Name: s.Name, Seconds: s.Duration.Seconds(), Rows: s.Rows})
		}
	}
	return took, steps, nil
}

// exportsAlone writes every export profile of the refreshed warehouse
// into an empty folder, as `odpe export` would without a last publication
// to take unchanged files from.
func (r *Result) exportsAlone(ctx context.Context, cfg *configs.Config) error {
	for _, s := range r.Steps {
		if s.Name == "indicators" {
			r.Exports.Indicators = s.Seconds
		}
	}
	scratch := *cfg
	dir, err := os.MkdirTemp(filepath.Dir(cfg.Warehouse), "exports-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	scratch.ExportsDir = dir
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var runID int64
	if err := db.QueryRowContext(ctx, "SELECT max(run_id) FROM ind.values").Scan(&runID); err != nil {
		return err
	}
	w := &profile.Writer{Config: &scratch, Logger: slog.New(slog.DiscardHandler),
		Protected: func(d time.Duration) { r.Exports.Disclosure = d.Seconds() }}
	start := time.Now()
	run, err := w.Read(ctx, db, runID, "bench", nil)
	if err != nil {
		return err
	}
	r.Exports.Read = time.Since(start).Seconds()
	start = time.Now()
	err = run.Write(ctx)
	r.Exports.Written = time.Since(start).Seconds()
	return err
}

// strongAudit attacks the external profiles' files together (see
// package owner) and keeps what the intruder learnt and what the
// protection costs each profile.
func (r *Result) strongAudit(ctx context.Context, cfg *configs.Config) error {
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var runID int64
	if err := db.QueryRowContext(ctx, "SELECT max(run_id) FROM ind.values").Scan(&runID); err != nil {
		return err
	}
	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(filepath.Dir(cfg.Warehouse), "audit-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rep, err := owner.Audit(ctx, db, cfg, cat, runID, dir)
	if err != nil {
		return err
	}
	a := &Audit{Hidden: rep.Hidden, Primary: rep.Primary, Recovered: rep.Recovered, Narrowed: rep.Narrowed,
		Constraints: rep.Result.Constraints, Parts: rep.Result.Components, Largest: rep.Result.Largest,
		Dropped: len(rep.Result.Dropped), DroppedBy: rep.Dropped(), Seconds: rep.Attack.Seconds(), Loss: rep.Loss}
	for i, v := range rep.Exposed {
		if i == 20 {
			break
		}
		a.Exposed = append(a.Exposed, v.String())
	}
	r.Audit = a
	return nil
}

// baselines times DuckDB loading the large CSV files of the ASE, CRIP and
// births jobs, as they are (after a transcoding to UTF-8 when DuckDB
// cannot read them), into a database of its own with the same settings.
func (r *Result) baselines(ctx context.Context, cfg *configs.Config) error {
	for _, kind := range []string{"ase", "crip", "insee_births"} {
		for _, j := range cfg.Jobs {
			if j.Kind != kind {
				continue
			}
			b, err := baseline(ctx, cfg, j)
			if err != nil {
				return fmt.Errorf("baseline %s: %w", j.Name, err)
			}
			for _, s := range r.Steps {
				if s.Name == "extract "+j.Name {
					b.Ours = s.Seconds
					b.Ratio = s.Seconds / b.DuckDB
				}
			}
			r.Baselines = append(r.Baselines, b)
		}
	}
	return nil
}

func baseline(ctx context.Context, cfg *configs.Config, j configs.Job) (Baseline, error) {
	b := Baseline{Job: j.Name}
	files, err := sourceFiles(j)
	if err != nil {
		return b, err
	}
	b.Files = len(files)
	tmp, err := os.MkdirTemp(filepath.Dir(cfg.Warehouse), "baseline-")
	if err != nil {
		return b, err
	}
	defer os.RemoveAll(tmp)
	if files, b.Transcoding, err = utf8Copies(files, tmp); err != nil {
		return b, err
	}
	db, err := sql.Open("duckdb", filepath.Join(tmp, "baseline.duckdb"))
	if err != nil {
		return b, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	settings := []string{fmt.Sprintf("SET threads = %d", max(1, cfg.DuckDB.Threads))}
	if cfg.DuckDB.MemoryLimit != "" {
		settings = append(settings, fmt.Sprintf("SET memory_limit = '%s'", cfg.DuckDB.MemoryLimit))
	}
	for _, q := range settings {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return b, err
		}
	}
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t AS SELECT * FROM read_csv(["+strings.Join(quoted, ", ")+"], union_by_name = true)"); err != nil {
		return b, err
	}
	b.DuckDB = time.Since(start).Seconds()
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&b.Rows)
	return b, err
}

// sourceFiles lists the CSV files of a job's source folder (a folder or
// a pattern of folders, as with departement: "{folder}").
func sourceFiles(j configs.Job) ([]string, error) {
	roots, err := filepath.Glob(j.Source)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".csv") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no CSV file in " + j.Source)
	}
	return files, nil
}

// utf8Copies returns the files as they are if they are all UTF-8, or
// copies transcoded from Windows-1252 into dir.
func utf8Copies(files []string, dir string) ([]string, bool, error) {
	out := make([]string, len(files))
	transcoded := false
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false, err
		}
		if utf8.Valid(data) {
			out[i] = f
			continue
		}
		if data, err = charmap.Windows1252.NewDecoder().Bytes(data); err != nil {
			return nil, false, err
		}
		out[i] = filepath.Join(dir, fmt.Sprintf("%05d.csv", i))
		if err := os.WriteFile(out[i], data, 0o600); err != nil {
			return nil, false, err
		}
		transcoded = true
	}
	return out, transcoded, nil
}

// addPMIMonth writes one new monthly PMI file into the PMI job's folder.
func addPMIMonth(cfg *configs.Config) error {
	for _, j := range cfg.Jobs {
		if j.Kind == "pmi" {
			_, err := demo.AddPMIMonth(j.Source)
			return err
		}
	}
	return errors.New("no PMI job in the configuration")
}

// Print writes the result as a table.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "odpebench --scale %s (seed %d, DuckDB threads %d)\n\n", r.Scale, r.Seed, r.Threads)
	fmt.Fprintf(w, "demo generated in %.1f s\n", r.Generate)
	fmt.Fprintf(w, "full refresh     %.1f s, peak memory %.0f MiB, warehouse %.0f MiB\n\n", r.Refresh, r.PeakMiB, r.WarehouseMB)
	fmt.Fprintf(w, "%-34s %9s %12s %12s %10s\n", "step", "seconds", "rows", "rows/s", "peak MiB")
	for _, s := range r.Steps {
		peak := "-"
		if s.PeakMiB > 0 {
			peak = fmt.Sprintf("%.0f", s.PeakMiB)
		}
		fmt.Fprintf(w, "%-34s %9.2f %12d %12.0f %10s\n", s.Name, s.Seconds, s.Rows, s.RowsPerSec, peak)
	}
	fmt.Fprintf(w, "\n%-22s %6s %12s %10s %10s %7s\n", "DuckDB read_csv", "files", "rows", "DuckDB s", "ours s", "ratio")
	for _, b := range r.Baselines {
		note := ""
		if b.Transcoding {
			note = "  (DuckDB given UTF-8 copies)"
		}
		fmt.Fprintf(w, "%-22s %6d %12d %10.2f %10.2f %6.2fx%s\n", b.Job, b.Files, b.Rows, b.DuckDB, b.Ours, b.Ratio, note)
	}
	e := r.Exports
	fmt.Fprintf(w, "\nevery export profile, alone %.2f s (read %.2f s, written %.2f s): %.2fx the indicators step (%.2f s)\n",
		e.Read+e.Written, e.Read, e.Written, (e.Read+e.Written)/e.Indicators, e.Indicators)
	fmt.Fprintf(w, "  of which disclosure control of the external profiles %.2f s\n", e.Disclosure)
	if a := r.Audit; a != nil {
		verdict := "PASS"
		if a.Recovered+a.Narrowed > 0 {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "\nstrong audit (every external file together) %s: %d hidden cells (%d primary): %d recovered exactly, %d primary narrowed below their protection interval\n",
			verdict, a.Hidden, a.Primary, a.Recovered, a.Narrowed)
		fmt.Fprintf(w, "  %d constraints in %d parts (largest %d hidden cells), %d broken by the data left out; attack %.2f s\n",
			a.Constraints, a.Parts, a.Largest, a.Dropped, a.Seconds)
		for _, kind := range slices.Sorted(maps.Keys(a.DroppedBy)) {
			fmt.Fprintf(w, "  left out, broken by the data: %d × %s\n", a.DroppedBy[kind], kind)
		}
		for _, l := range a.Loss {
			fmt.Fprintf(w, "  %-8s %5d of %5d cells hidden (%4.1f %%), carrying %5.2f %% of the counts; %d of %d département totals hidden, %d of the %d not small\n",
				l.Profile, l.Hidden, l.Cells, 100*float64(l.Hidden)/float64(max(1, l.Cells)), 100*l.Share(), l.DepTotalsHidden, l.DepTotals, l.DepTotalsLargeHidden, l.DepTotalsLarge)
		}
		for _, e := range a.Exposed {
			fmt.Fprintf(w, "  exposed: %s\n", e)
		}
	}
	fmt.Fprintf(w, "\nno-change refresh        %.2f s\n", r.NoChange)
	fmt.Fprintf(w, "one new PMI file refresh %.2f s (extract, indicators and exports)\n", r.OnePMIFile)
	for _, s := range r.OnePMISteps {
		fmt.Fprintf(w, "  %-32s %9.2f\n", s.Name, s.Seconds)
	}
}
