package refresh

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/odpe/odpe/configs"
)

// exportsRunKey is the meta.state key naming the run whose export files
// go with a version's data: the refresh that wrote them, kept by the
// versions that only record a failed run.
const exportsRunKey = "exports_run"

// publishedRun returns the run whose files the profile's link points at
// (the run directory is named after it: "RUN" or "RUN-time"), 0 when
// the profile was never published.
func publishedRun(cfg *configs.Config, profile string) int64 {
	target, err := os.Readlink(filepath.Join(cfg.ExportsDir, profile))
	if err != nil {
		return 0
	}
	parts := strings.Split(filepath.ToSlash(target), "/")
	if len(parts) < 2 {
		return 0
	}
	run, _ := strconv.ParseInt(strings.SplitN(parts[1], "-", 2)[0], 10, 64)
	return run
}

// staleExports lists the profiles whose published files were not written
// from the current version's data (run exportsRun): a refresh that died
// between making its version current and publishing its exports leaves
// them so.
func staleExports(cfg *configs.Config, exportsRun int64) []string {
	var stale []string
	for _, p := range cfg.Exports {
		if publishedRun(cfg, p.Name) != exportsRun {
			stale = append(stale, p.Name)
		}
	}
	return stale
}

// errMovedOn says that the current version changed before republish got
// the lock: the refresh that made it current published its exports.
var errMovedOn = errors.New("another version became current")

// republish writes and publishes every profile again from the current
// version, whose exports run is exportsRun.
func republish(ctx context.Context, cfg *configs.Config, opts Options, exportsRun int64, stale []string) error {
	// Under the refresh lock: a refresh between its swap and its
	// publication is not disturbed (it publishes them itself).
	store := Store(cfg)
	lock, err := store.TryLock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	db, err := store.OpenReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if readExportsRun(ctx, db) != exportsRun {
		return errMovedOn // a refresh made another version current meanwhile, and published its exports
	}
	if err := opts.Republish(ctx, db, exportsRun); err != nil {
		return fmt.Errorf("republish the exports %s: %w", strings.Join(stale, ", "), err)
	}
	return nil
}

// readExportsRun reads the exports run of a version (0 when unknown).
func readExportsRun(ctx context.Context, db *sql.DB) int64 {
	var v string
	_ = db.QueryRowContext(ctx, "SELECT value FROM meta.state WHERE key = ?", exportsRunKey).Scan(&v)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}
