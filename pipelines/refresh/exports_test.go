package refresh_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
)

// failingExports are exports read from the new version whose files fail to
// be written (a full disk…), while the version is checkpointed.
type failingExports struct{ published *bool }

func (failingExports) Write(context.Context) error { return errors.New("no space left on device") }
func (e failingExports) Publish() error            { *e.published = true; return nil }

// TestFailedExportsKeepThePreviousVersion: the exports are written while
// the new version is checkpointed; when they fail, the refresh fails as a
// whole: the previous version's data stay current, its exports stay
// published, and nothing of the failed run is left behind.
func TestFailedExportsKeepThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	path, err := demo.Write(ctx, t.TempDir(), demo.Scales["small"], 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path, validators())
	if err != nil {
		t.Fatal(err)
	}
	export := cli.Exporter(&profile.Writer{Config: cfg}, nil)
	if _, err := refresh.Run(ctx, cfg, refresh.Options{Export: export}); err != nil {
		t.Fatal(err)
	}
	store := refresh.Store(cfg)
	current, err := store.Current()
	if err != nil {
		t.Fatal(err)
	}
	loaded := loadedFiles(t, cfg)
	published, err := os.Readlink(filepath.Join(cfg.ExportsDir, "observatoire"))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range cfg.Jobs {
		if j.Kind == "pmi" {
			if _, err := demo.AddPMIMonth(j.Source); err != nil {
				t.Fatal(err)
			}
		}
	}
	var publishCalled bool
	failing := func(ctx context.Context, db *sql.DB, runID int64) (refresh.Exports, error) {
		if _, err := export(ctx, db, runID); err != nil { // reads as the real ones
			return nil, err
		}
		return failingExports{&publishCalled}, nil
	}
	rep, err := refresh.Run(ctx, cfg, refresh.Options{Export: failing})
	if err == nil || rep.Status != refresh.Failed {
		t.Fatalf("refresh with failing exports: status %s, error %v", rep.Status, err)
	}
	if publishCalled {
		t.Error("the failed exports were published")
	}
	// The failure is recorded in a copy of the previous version, made
	// current; the version the failed run built is gone.
	now, _ := store.Current()
	if versions, _ := store.Versions(); !slices.Equal(versions, []string{current, now}) {
		t.Errorf("versions %q, want the previous one and the one recording the failure", versions)
	}
	if got := loadedFiles(t, cfg); got != loaded {
		t.Errorf("%d files loaded in the current version, want %d as before the failed run", got, loaded)
	}
	if now, _ := os.Readlink(filepath.Join(cfg.ExportsDir, "observatoire")); now != published {
		t.Errorf("observatoire published from %s, want %s", now, published)
	}
	// The next refresh loads the new file.
	rep, err = refresh.Run(ctx, cfg, refresh.Options{Export: export})
	if err != nil || rep.FilesLoaded != 1 {
		t.Fatalf("refresh after the failure: %d files loaded, error %v", rep.FilesLoaded, err)
	}
}

// loadedFiles counts the source files the current version has loaded.
func loadedFiles(t *testing.T, cfg *configs.Config) int {
	t.Helper()
	db, err := refresh.Store(cfg).OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM meta.files WHERE status = 'loaded'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
