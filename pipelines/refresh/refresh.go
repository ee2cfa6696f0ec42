// Package refresh runs the observatory's refresh as one unit: every
// extract job on its new or changed files, the conformed tables, the
// indicators and their checks, then the exports; and makes the result
// current only if all of it succeeded (see pipelines/warehouse).
//
// A refresh whose sources and catalogue have not changed does nothing: the
// hash registry in meta.files says so without reading the files again.
package refresh

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/indicators/compute"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/failpoint"
	"github.com/odpe/odpe/pipelines/territories"
	"github.com/odpe/odpe/pipelines/warehouse"
	schema "github.com/odpe/odpe/sql"
)

// Status is how a refresh ended.
type Status string

const (
	NoChange Status = "no-change" // nothing new: the warehouse was left as it was
	Success  Status = "success"
	Partial  Status = "partial" // some files rejected, the rest loaded
	Failed   Status = "failed"  // nothing changed: the previous warehouse is kept
)

// FileTimeout bounds the reading of one file: a file still being read
// after it is rejected (a refresh is cancelled at once by SIGTERM, see
// odpe schedule's grace period).
var FileTimeout = 30 * time.Minute

// exportMemoryLimit bounds DuckDB during the exports.
const exportMemoryLimit = "1GB"

// TerritoriesJob is the implicit job that loads the territory mapping.
const TerritoriesJob = "territories"

// Options tune one refresh.
type Options struct {
	Jobs    []string // jobs to run; all when empty
	Trigger string   // manual, schedule, catch-up
	Force   bool     // recompute indicators and exports even if nothing changed
	// Rekey accepts a new pseudonymisation key: every file of the jobs
	// that pseudonymise is loaded again with it, and the rows of the
	// files no longer there are dropped; a file of theirs rejected fails
	// the whole refresh.
	Rekey       bool
	QuietPeriod time.Duration // files modified more recently are left for the next run
	Logger      *slog.Logger
	// Progress, when set, hears of each file staged: the step, files done
	// and files to do (for a progress bar on a terminal).
	Progress func(step string, done, total int)
	// Export reads what the export profiles need from the new version
	// before it is made current. Nil: no exports.
	Export func(ctx context.Context, db *sql.DB, runID int64) (Exports, error)
	// Republish writes and publishes every export profile again from the
	// current version (db), whose data are those of run runID. A refresh
	// with nothing to load calls it when the published files were not
	// written from the current version (a crash between the swap and the
	// publication). Nil: not checked.
	Republish func(ctx context.Context, db *sql.DB, runID int64) error
}

// Exports are the export files of a new version, read from it already:
// written while the version is checkpointed (they no longer need it), and
// published once it is current. A refresh whose exports fail to be
// written fails: the previous version's data stay current.
type Exports interface {
	Write(ctx context.Context) error
	Publish() error
}

// FileError is a file rejected by a run.
type FileError struct {
	Job, Path, Message string
}

// Step is the timing of one step, for `odpe status` and the benchmarks.
type Step struct {
	Name     string
	Duration time.Duration
	Rows     int64
}

// Report says what a refresh did.
type Report struct {
	RunID         int64
	Status        Status
	Trigger       string
	Started       time.Time
	Finished      time.Time
	FilesRead     int
	FilesLoaded   int
	FilesRejected int
	RowsLoaded    int64
	Rejected      []FileError
	Duplicates    []FileError // files whose content is already loaded under another name: not loaded
	NotReady      []string
	Republished   []string // profiles published again from the current version
	Steps         []Step
	Err           error // why a failed refresh failed

	progress func(step string, done, total int)
}

// Run refreshes the warehouse of cfg.
func Run(ctx context.Context, cfg *configs.Config, opts Options) (*Report, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Trigger == "" {
		opts.Trigger = "manual"
	}
	rep := &Report{Started: time.Now(), Trigger: opts.Trigger, progress: opts.Progress}
	store := Store(cfg)
	if opts.Rekey && len(opts.Jobs) > 0 {
		return rep, errors.New("--rekey reloads every job that pseudonymises: it takes no job names")
	}
	jobs, err := selectJobs(cfg, opts.Jobs)
	if err != nil {
		return rep, err
	}
	cat, err := Catalogue(cfg)
	if err != nil {
		return rep, err
	}
	computation := computationHash(cat)

	// From here on, any error fails the refresh (exit 4): the previous
	// warehouse is kept.
	failed := func(err error) (*Report, error) {
		rep.Status, rep.Err, rep.Finished = Failed, err, time.Now()
		log.Error("refresh failed: previous warehouse kept", "err", err)
		return rep, err
	}

	// The key first: its mode, and that it is the warehouse's.
	key, keyFingerprint, err := checkKey(ctx, cfg, store, opts.Rekey)
	if err != nil {
		return failed(err)
	}
	purgeRejected(cfg, time.Now(), log)

	// What changed since the current version.
	plan, prev, err := planLoads(ctx, store, jobs, opts, rep)
	if err != nil {
		return failed(err)
	}
	prevHash := prev.computation
	if opts.Rekey {
		for i := range plan {
			if plan[i].kind.NeedsKey {
				for j := range plan[i].files {
					plan[i].files[j].changed = true
				}
			}
		}
	}
	changed := 0
	for _, p := range plan {
		for _, c := range p.files {
			if c.changed {
				changed++
			}
		}
	}
	if changed == 0 && prevHash == computation && !opts.Force {
		// The exports follow the warehouse: published files that were not
		// written from the current version are written again from it.
		if opts.Republish != nil && prev.exportsRun != 0 {
			if stale := staleExports(cfg, prev.exportsRun); len(stale) > 0 {
				log.Warn("exports not written from the current version: publishing them again", "profiles", stale)
				switch err := republish(ctx, cfg, opts, prev.exportsRun, stale); {
				case errors.Is(err, warehouse.ErrLocked), errors.Is(err, errMovedOn):
					log.Info("another refresh runs or ran meanwhile: it publishes the exports")
				case err != nil:
					return failed(err)
				default:
					rep.Republished = stale
				}
			}
		}
		rep.Status, rep.Finished = NoChange, time.Now()
		log.Info("nothing changed: warehouse left as it is", "notReady", len(rep.NotReady))
		return rep, nil
	}

	b, err := store.Begin(ctx)
	if err != nil {
		return failed(err) // a disk full while copying the current version included
	}
	rep.RunID = b.RunID
	// What the new files change: nil (everything) for a first build, a new
	// catalogue or new transforms, or when forced.
	var changedTables []string
	if prevHash == computation && !opts.Force && !opts.Rekey && b.Prev != "" {
		changedTables = []string{}
		for _, p := range plan {
			if slices.ContainsFunc(p.files, candidate.load) {
				for _, t := range p.kind.Tables {
					changedTables = append(changedTables, "raw."+t)
				}
			}
		}
		if changed > 0 {
			// A rejected file or a duplicate changes the data-quality table.
			changedTables = append(changedTables, "meta.files")
		}
	}
	env := extract.Env{Logger: log}
	if key != nil {
		env.Pseudonym = key.Pseudonym
		if _, err := b.DB.ExecContext(ctx, `INSERT OR REPLACE INTO meta.state VALUES (?, ?)`, keyFingerprintKey, keyFingerprint); err != nil {
			b.Abort()
			return failed(err)
		}
	}
	exports, err := build(ctx, cfg, b, plan, env, cat, computation, changedTables, opts, rep, log)
	if err == nil {
		rep.Status = Success
		if rep.FilesRejected > 0 {
			rep.Status = Partial
		}
		rep.Finished = time.Now()
		// The run is recorded in the new version, which is checkpointed
		// while the exports are written (its record says when the
		// warehouse was ready, without the writing of the files).
		written := make(chan error, 1)
		var exportsWritten time.Duration
		if exports != nil {
			go func() {
				if rep.progress != nil {
					rep.progress("exports written", 0, 1)
				}
				start := time.Now()
				err := exports.Write(ctx)
				exportsWritten = time.Since(start)
				if rep.progress != nil {
					rep.progress("exports written", 1, 1)
				}
				written <- err
			}()
		} else {
			written <- nil
		}
		if err = recordRun(ctx, b.DB, rep, jobNames(jobs), nil); err == nil {
			err = b.Checkpoint(ctx)
		}
		if werr := <-written; err == nil {
			err = werr
		}
		if exports != nil {
			rep.Steps = append(rep.Steps, Step{Name: "exports written", Duration: exportsWritten})
			rep.Finished = time.Now()
		}
		if err == nil {
			err = b.Swap(ctx)
		}
	}
	if err != nil {
		b.Abort()
		rep.Status, rep.Err, rep.Finished = Failed, err, time.Now()
		log.Error("refresh failed: previous warehouse kept", "run", rep.RunID, "err", err)
		if ctx.Err() == nil {
			recordFailure(context.WithoutCancel(ctx), store, rep, jobNames(jobs), log)
		}
		return rep, err
	}
	if exports != nil {
		failpoint.Hit(failpoint.BeforePublish)
		if err := exports.Publish(); err != nil {
			return failed(fmt.Errorf("the new warehouse is current but its exports were not published (the next refresh publishes them): %w", err))
		}
	}
	log.Info("refresh done", "run", rep.RunID, "status", rep.Status, "loaded", rep.FilesLoaded,
		"rejected", rep.FilesRejected, "rows", rep.RowsLoaded, "took", rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	return rep, nil
}

// jobPlan is one job with its files.
type jobPlan struct {
	job   configs.Job
	kind  extract.Kind
	files []candidate
}

// current is what a refresh reads of the current version.
type current struct {
	computation string // hash of how its values were computed
	exportsRun  int64  // the run whose exports go with its data
}

func planLoads(ctx context.Context, store *warehouse.Store, jobs []configs.Job, opts Options, rep *Report) ([]jobPlan, current, error) {
	var db *sql.DB
	var prev current
	if cur, err := store.OpenReadOnly(ctx); err == nil {
		db = cur
		defer db.Close()
		_ = db.QueryRowContext(ctx, "SELECT value FROM meta.state WHERE key = 'computation'").Scan(&prev.computation)
		prev.exportsRun = readExportsRun(ctx, db)
	} else if !errors.Is(err, warehouse.ErrNoWarehouse) {
		return nil, prev, err
	}
	var plan []jobPlan
	for _, j := range jobs {
		kind, _ := extract.Lookup(j.Kind)
		var reg warehouse.Known
		if db != nil {
			var err error
			if reg, err = warehouse.Registry(ctx, db, j.Name); err != nil {
				return nil, prev, err
			}
		}
		job, err := kind.New(configs.Options{Node: &j.Options})
		if err != nil {
			return nil, prev, fmt.Errorf("job %s: %w", j.Name, err)
		}
		namer, _ := job.(extract.Namer)
		files, notReady, err := discover(ctx, j, kind, namer, reg, opts.QuietPeriod, time.Now())
		if err != nil {
			return nil, prev, err
		}
		rep.NotReady = append(rep.NotReady, notReady...)
		plan = append(plan, jobPlan{job: j, kind: kind, files: files})
	}
	return plan, prev, nil
}

// build does the work of a refresh inside the new version.
func build(ctx context.Context, cfg *configs.Config, b *warehouse.Build, plan []jobPlan, env extract.Env, cat *indicators.Catalogue,
	computation string, changedTables []string, opts Options, rep *Report, log *slog.Logger) (Exports, error) {
	if cfg.Territories != "" {
		t, err := territories.Read(cfg.Territories)
		if err != nil {
			return nil, fmt.Errorf("territory mapping: %w", err)
		}
		env.Territories = t
	}
	for _, p := range plan {
		start := time.Now()
		job, err := p.kind.New(configs.Options{Node: &p.job.Options})
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", p.job.Name, err)
		}
		var changed []candidate
		for _, c := range p.files {
			if c.changed {
				changed = append(changed, c)
			}
		}
		if len(changed) > 0 && p.kind.NeedsKey && env.Pseudonym == nil {
			return nil, fmt.Errorf("job %s: pseudonymisation key: the configuration has no key_file", p.job.Name)
		}
		rekey := opts.Rekey && p.kind.NeedsKey
		if rekey {
			if err := dropLoaded(ctx, b, p); err != nil {
				return nil, fmt.Errorf("--rekey: job %s: %w", p.job.Name, err)
			}
		}
		rejected := len(rep.Rejected)
		rows, err := loadJob(ctx, b, p, job, changed, env, cfg, opts, rep, log)
		if err != nil {
			return nil, err
		}
		if rekey && len(rep.Rejected) > rejected {
			r := rep.Rejected[rejected]
			return nil, fmt.Errorf("--rekey: job %s: %d file(s) rejected, first %s: nothing was re-pseudonymised (all or nothing): fix or remove the file, then run `odpe refresh --rekey` again",
				p.job.Name, len(rep.Rejected)-rejected, r.Message)
		}
		rep.Steps = append(rep.Steps, Step{Name: "extract " + p.job.Name, Duration: time.Since(start), Rows: rows})
	}
	changed, err := conform(ctx, b.DB, changedTables, rep)
	if err != nil {
		return nil, err
	}
	if err := timed(rep, "indicators", func() (int64, error) {
		r, err := compute.Run(ctx, b.DB, cat, b.RunID, changed)
		if err == nil {
			log.Info("indicators computed", "computed", r.Indicators, "kept", r.Kept, "values", r.Values)
		}
		return r.Values, err
	}); err != nil {
		return nil, err
	}
	if _, err := b.DB.ExecContext(ctx, `INSERT OR REPLACE INTO meta.state VALUES ('computation', ?)`, computation); err != nil {
		return nil, err
	}
	if opts.Export == nil {
		return nil, nil
	}
	// The exports only read, and hold their rows in Go: DuckDB gives back
	// what it cached for the conformed tables (it spills what it needs).
	if _, err := b.DB.ExecContext(ctx, "SET memory_limit = '"+exportMemoryLimit+"'"); err != nil {
		return nil, err
	}
	var exports Exports
	err = timed(rep, "exports read", func() (int64, error) {
		var err error
		exports, err = opts.Export(ctx, b.DB, b.RunID)
		return 0, err
	})
	if err != nil {
		return nil, err
	}
	// Which exports go with this version's data (see staleExports).
	if _, err := b.DB.ExecContext(ctx, `INSERT OR REPLACE INTO meta.state VALUES (?, ?)`, exportsRunKey, fmt.Sprint(b.RunID)); err != nil {
		return nil, err
	}
	return exports, nil
}

// loadJob stages a job's changed files, oldest first. For kinds that only
// append rows, files are read ahead concurrently (a few at a time) while
// earlier ones are staged.
func loadJob(ctx context.Context, b *warehouse.Build, p jobPlan, job extract.Job, files []candidate,
	env extract.Env, cfg *configs.Config, opts Options, rep *Report, log *slog.Logger) (int64, error) {
	type read struct {
		buf  extract.Buffer
		rows int64
		err  error
	}
	envFor := func(c candidate) *extract.Env {
		e := env
		e.Departement = c.dep
		return &e
	}
	var dups []candidate
	files = slices.DeleteFunc(slices.Clone(files), func(c candidate) bool {
		if c.dupOf != "" {
			dups = append(dups, c)
		}
		return c.dupOf != ""
	})
	// An entry refused unread (checkEntry), or whose name carries no date
	// where the job needs one, is registered as rejected without being
	// opened.
	loadOne := func(ctx context.Context, c candidate, sink extract.Sink) (int64, error) {
		if c.reject != nil {
			return 0, c.reject
		}
		fctx, cancel := context.WithTimeout(ctx, FileTimeout)
		defer cancel()
		n, err := int64(0), failpoint.Wait(fctx, failpoint.SlowLoad, c.file.Name)
		if err == nil {
			n, err = job.Load(fctx, c.file, envFor(c), sink)
		}
		if err != nil && ctx.Err() == nil && errors.Is(fctx.Err(), context.DeadlineExceeded) {
			err = extract.Rejectf("%s: reading it took more than %s: expected a file read in bounded time", extract.Message(c.file.Name), FileTimeout)
		}
		return n, err
	}
	reads := make([]chan read, len(files))
	if p.kind.Concurrent && len(files) > 1 {
		workers := max(1, min(runtime.GOMAXPROCS(0), cfg.DuckDB.Threads))
		ahead := make(chan struct{}, 2*workers) // bounds the rows held in memory
		work := make(chan int)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for i := range reads {
			reads[i] = make(chan read, 1)
		}
		for w := 0; w < workers; w++ {
			go func() {
				for i := range work {
					var r read
					r.rows, r.err = loadOne(ctx, files[i], &r.buf)
					reads[i] <- r
				}
			}()
		}
		go func() {
			defer close(work)
			for i := range files {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				select {
				case work <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		return stageAll(ctx, b, p, files, dups, rep, cfg, log, opts.Progress, func(i int, sink extract.Sink) (int64, error) {
			r := <-reads[i]
			<-ahead
			if r.err != nil {
				return r.rows, r.err
			}
			return r.rows, r.buf.Replay(sink)
		})
	}
	return stageAll(ctx, b, p, files, dups, rep, cfg, log, opts.Progress, func(i int, sink extract.Sink) (int64, error) {
		return loadOne(ctx, files[i], sink)
	})
}

// stageAll loads each file in order with load, records the outcome, and
// sets rejected files aside. Duplicates are registered as such, and load
// nothing.
func stageAll(ctx context.Context, b *warehouse.Build, p jobPlan, files, dups []candidate, rep *Report, cfg *configs.Config,
	log *slog.Logger, progress func(string, int, int), load func(i int, sink extract.Sink) (int64, error)) (int64, error) {
	l, err := b.NewLoader(ctx, p.job.Name, p.kind)
	if err != nil {
		return 0, fmt.Errorf("job %s: %w", p.job.Name, err)
	}
	defer l.Close()
	for _, c := range dups {
		if _, err := l.Duplicate(ctx, c.file, c.dep, c.dupOf); err != nil {
			return 0, fmt.Errorf("job %s: %w", p.job.Name, err)
		}
		rep.Duplicates = append(rep.Duplicates, FileError{Job: p.job.Name, Path: c.file.Path,
			Message: fmt.Sprintf("%s: same content as %s, already loaded: not loaded again", c.file.RelPath, c.dupOf)})
		log.Warn("duplicate file not loaded", "job", p.job.Name, "file", c.file.Path, "same as", c.dupOf)
	}
	var rows int64
	flush := func() error {
		loaded, err := l.Flush(ctx)
		if err != nil {
			return fmt.Errorf("job %s: %w", p.job.Name, err)
		}
		for _, res := range loaded {
			if res.Err != nil {
				continue
			}
			rep.FilesLoaded++
			rep.RowsLoaded += res.RowsLoaded
			rows += res.RowsLoaded
			log.Info("file loaded", "job", p.job.Name, "file", res.File.Name, "rows", res.RowsLoaded, "replaces", len(res.Replaced))
		}
		return nil
	}
	for i, c := range files {
		if progress != nil {
			progress("extract "+p.job.Name, i, len(files))
		}
		rep.FilesRead++
		res, err := l.Load(ctx, c.file, c.dep, func(s extract.Sink) (int64, error) { return load(i, s) })
		if err != nil {
			return rows, fmt.Errorf("job %s: %s: %w", p.job.Name, c.file.Path, err)
		}
		if res.Err != nil {
			rep.FilesRejected++
			rep.Rejected = append(rep.Rejected, FileError{Job: p.job.Name, Path: c.file.Path, Message: extract.Message(res.Err.Error())})
			if c.reject == nil { // an entry refused unread is not copied either
				if _, err := setAside(RejectedDir(cfg), b.RunID, c.file.Path); err != nil {
					log.Warn("could not keep a copy of a rejected file", "file", c.file.Path, "err", err)
				}
			}
			log.Warn("file rejected", "job", p.job.Name, "file", c.file.Path, "err", extract.Message(res.Err.Error()))
		}
		if l.Full() {
			if err := flush(); err != nil {
				return rows, err
			}
		}
	}
	if err := flush(); err != nil {
		return rows, err
	}
	if progress != nil {
		progress("extract "+p.job.Name, len(files), len(files))
	}
	return rows, nil
}

func timed(rep *Report, name string, f func() (int64, error)) error {
	if rep.progress != nil {
		rep.progress(name, 0, 1)
		defer rep.progress(name, 1, 1)
	}
	start := time.Now()
	rows, err := f()
	rep.Steps = append(rep.Steps, Step{Name: name, Duration: time.Since(start), Rows: rows})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// codeLists are the code lists written into core.code_lists.
var codeLists = map[string][]string{
	"activity_category": extract.ActivityCategories,
	"public_age_band":   extract.PublicAgeBands,
	"measure_nature":    extract.MeasureNatures,
	"measure_frame":     extract.MeasureFrames,
	"accueil_mode":      extract.AccueilModes,
	"adoption_event":    extract.AdoptionEvents,
}

// conform writes the code lists and rebuilds the conformed tables that
// read a changed table (all of them when changed is nil), one timed step
// per transform script. It returns every table whose content may have
// changed (nil: all of them), for the indicators.
func conform(ctx context.Context, db *sql.DB, changed []string, rep *Report) (map[string]bool, error) {
	stmts, err := schema.TransformStatements()
	if err != nil {
		return nil, err
	}
	run, dirty := schema.Plan(stmts, changed)
	if changed == nil {
		dirty = nil
	}
	// Temporary views live in the connection that made them: one
	// connection for the whole step.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "DELETE FROM core.code_lists"); err != nil {
		return nil, err
	}
	for name, codes := range codeLists {
		for i, c := range codes {
			if _, err := conn.ExecContext(ctx, "INSERT INTO core.code_lists VALUES (?, ?, ?)", name, c, i+1); err != nil {
				return nil, err
			}
		}
	}
	for _, script := range schema.Transforms() {
		var text strings.Builder
		for _, s := range run {
			if s.Script == script.Name {
				text.WriteString(s.Text)
				text.WriteString(";\n")
			}
		}
		if text.Len() == 0 {
			continue // nothing this script builds read a changed table
		}
		err := timed(rep, "conform "+strings.TrimSuffix(script.Name, ".sql"), func() (int64, error) {
			_, err := conn.ExecContext(ctx, text.String())
			return 0, err
		})
		if err != nil {
			return nil, err
		}
	}
	return dirty, nil
}

// recordRun writes the run and its errors into the new version.
func recordRun(ctx context.Context, db *sql.DB, rep *Report, jobs []string, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	} else if len(rep.Rejected) > 0 {
		msg = fmt.Sprintf("%d file(s) rejected", len(rep.Rejected))
	}
	_, err := db.ExecContext(ctx, `INSERT INTO meta.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''))`,
		rep.RunID, rep.Trigger, strings.Join(jobs, ","), rep.Started, rep.Finished, string(rep.Status),
		rep.FilesRead, rep.FilesLoaded, rep.FilesRejected, rep.RowsLoaded, msg)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	for _, e := range slices.Concat(rep.Rejected, rep.Duplicates) {
		if _, err := db.ExecContext(ctx, "INSERT INTO meta.run_errors VALUES (?, ?, ?, ?)", rep.RunID, e.Job, e.Path, e.Message); err != nil {
			return err
		}
	}
	for _, s := range rep.Steps {
		if _, err := db.ExecContext(ctx, "INSERT INTO meta.run_steps VALUES (?, ?, ?, ?)", rep.RunID, s.Name, s.Duration.Seconds(), s.Rows); err != nil {
			return err
		}
	}
	if runErr != nil {
		if _, err := db.ExecContext(ctx, "INSERT INTO meta.run_errors VALUES (?, NULL, NULL, ?)", rep.RunID, runErr.Error()); err != nil {
			return err
		}
	}
	return nil
}

// recordFailure writes a failed run into the history: a new version with
// the same data as the current one plus the run's record.
func recordFailure(ctx context.Context, store *warehouse.Store, rep *Report, jobs []string, log *slog.Logger) {
	b, err := store.Begin(ctx)
	if err != nil {
		log.Warn("could not record the failed run", "err", err)
		return
	}
	rep.Rejected, rep.Duplicates = nil, nil
	rep.FilesLoaded, rep.RowsLoaded = 0, 0
	failed := *rep
	failed.RunID = b.RunID
	if err := recordRun(ctx, b.DB, &failed, jobs, rep.Err); err != nil {
		b.Abort()
		log.Warn("could not record the failed run", "err", err)
		return
	}
	if err := b.Commit(ctx); err != nil {
		log.Warn("could not record the failed run", "err", err)
	}
	rep.RunID = b.RunID
}

// Store returns the warehouse of a configuration.
func Store(cfg *configs.Config) *warehouse.Store {
	return &warehouse.Store{Path: cfg.Warehouse, Group: cfg.ReadersGroup,
		Settings: warehouse.Settings{MemoryLimit: cfg.DuckDB.MemoryLimit, Threads: cfg.DuckDB.Threads}}
}

// Catalogue loads the builtin declarations and those of the
// configuration's folders.
func Catalogue(cfg *configs.Config) (*indicators.Catalogue, error) {
	fsyss := []fs.FS{indicators.Builtin()}
	for _, dir := range cfg.Indicators {
		fsyss = append(fsyss, os.DirFS(dir))
	}
	cat, err := indicators.Load(fsyss...)
	if err != nil {
		return nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	return cat, nil
}

// computationHash identifies how values are computed: the catalogue, the
// conformed-table transforms and the code lists.
func computationHash(cat *indicators.Catalogue) string {
	h := sha256.New()
	h.Write([]byte(cat.Hash()))
	for _, s := range schema.Transforms() {
		h.Write([]byte(s.Text))
	}
	for _, name := range slices.Sorted(maps.Keys(codeLists)) {
		fmt.Fprintf(h, "%s=%q\n", name, codeLists[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// selectJobs returns the configured jobs to run, with the implicit
// territory-mapping job first.
func selectJobs(cfg *configs.Config, names []string) ([]configs.Job, error) {
	all := cfg.Jobs
	if cfg.Territories != "" {
		all = append([]configs.Job{{Name: TerritoriesJob, Kind: "territories", Source: cfg.Territories, Departement: cfg.Departement}}, all...)
	}
	if len(names) == 0 {
		return all, nil
	}
	var out []configs.Job
	for _, n := range names {
		found := false
		for _, j := range all {
			if j.Name == n {
				out, found = append(out, j), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no job %q in %s (jobs: %s)", n, cfg.Path, strings.Join(jobNames(all), ", "))
		}
	}
	return out, nil
}

func jobNames(jobs []configs.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Name
	}
	return out
}
