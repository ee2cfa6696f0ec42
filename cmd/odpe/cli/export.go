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
// written from the new version and published once it is current.
func exporter(cfg *configs.Config, names []string, log *slog.Logger) func(ctx context.Context, db *sql.DB, runID int64) (refresh.Exports, error) {
	if len(cfg.Exports) == 0 {
		return nil
	}
	return Exporter(&profile.Writer{Config: cfg, Logger: log}, names)
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
	var runID int64
	_ = db.QueryRowContext(e.ctx, "SELECT coalesce(max(run_id), 0) FROM ind.values").Scan(&runID)
	w := &profile.Writer{Config: cfg, Logger: e.log}
	publish, err := w.Write(e.ctx, db, runID, fmt.Sprintf("%d-%s", runID, time.Now().UTC().Format("20060102T150405")), args)
	if err != nil {
		return e.fail(err)
	}
	if err := publish(); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "Exports written to %s\n", cfg.ExportsDir)
	return ExitOK
}
