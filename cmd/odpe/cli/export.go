package cli

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
)

// exporter is the refresh's export step: every profile (or those named),
// written from the new version and published once it is current;
// transmitted (when set) hears of each profile's transmission package.
func exporter(cfg *configs.Config, names []string, log *slog.Logger, transmitted func(profile.Transmission)) func(ctx context.Context, db *sql.DB, runID int64) (refresh.Exports, error) {
	if len(cfg.Exports) == 0 {
		return nil
	}
	return Exporter(&profile.Writer{Config: cfg, Logger: log, Transmitted: transmitted}, names)
}

// Exporter is the export step of a refresh (refresh.Options.Export) that
// w writes: the named profiles (all when none), in a run directory named
// after the refresh.
func Exporter(w *profile.Writer, names []string) func(ctx context.Context, db *sql.DB, runID int64) (refresh.Exports, error) {
	return func(ctx context.Context, db *sql.DB, runID int64) (refresh.Exports, error) {
		r, err := w.Read(ctx, db, runID, fmt.Sprint(runID), names)
		if err != nil {
			return nil, err // not a nil *profile.Run in a non-nil interface
		}
		return r, nil
	}
}

// republisher writes and publishes every profile again from the current
// version (refresh.Options.Republish).
func republisher(cfg *configs.Config, log *slog.Logger, transmitted func(profile.Transmission)) func(ctx context.Context, db *sql.DB, runID int64) error {
	if len(cfg.Exports) == 0 {
		return nil
	}
	return func(ctx context.Context, db *sql.DB, runID int64) error {
		w := &profile.Writer{Config: cfg, Logger: log, Transmitted: transmitted}
		publish, err := w.Write(ctx, db, valuesRun(ctx, db), exportRunName(runID), nil)
		if err != nil {
			return err
		}
		return publish()
	}
}

// valuesRun is the latest run that computed values in db.
func valuesRun(ctx context.Context, db *sql.DB) int64 {
	var runID int64
	_ = db.QueryRowContext(ctx, "SELECT coalesce(max(run_id), 0) FROM ind.values").Scan(&runID)
	return runID
}

// exportRunName names the folder of exports written outside a refresh
// from the data of run runID: the run first, so that a refresh knows
// which data the published files come from.
func exportRunName(runID int64) string {
	return fmt.Sprintf("%d-%s", runID, time.Now().UTC().Format("20060102T150405.000"))
}

func runExport(e *env, args []string) int {
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(e.ctx)
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	runID := valuesRun(e.ctx, db)
	// The folder is named after the run whose data the current version
	// holds (see refresh's check of the published exports).
	dataRun := runID
	var v string
	if db.QueryRowContext(e.ctx, "SELECT value FROM meta.state WHERE key = 'exports_run'").Scan(&v) == nil {
		fmt.Sscan(v, &dataRun)
	}
	var sent []profile.Transmission
	w := &profile.Writer{Config: cfg, Logger: e.log, Transmitted: func(t profile.Transmission) { sent = append(sent, t) }}
	publish, err := w.Write(e.ctx, db, runID, exportRunName(dataRun), args)
	if err != nil {
		return e.fail(err)
	}
	if err := publish(); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "Exports written to %s\n", cfg.ExportsDir)
	for _, t := range sent {
		printTransmission(e, t) // a package not written leaves the publication done: exit 0
	}
	return ExitOK
}
