// Package warehouse owns the DuckDB file the statisticians query.
//
// The path in the configuration (data/odpe.duckdb) is a symbolic link to
// the current version, a file of its own under data/odpe.duckdb.versions/.
// A refresh never writes the current version: it copies it to a new file
// (named after the new run, never reused), loads, computes and checks
// there, checkpoints and closes it, and only then repoints the link with an
// atomic rename. Readers that opened the previous version keep their inode;
// readers that open the link afterwards see the new version; nobody ever
// sees a half-built state. A refresh killed at any point leaves the link on
// the previous version; the next refresh removes the orphan and starts
// afresh. Two refreshes are kept apart by an flock (see Lock).
package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/odpe/odpe/pipelines/failpoint"
)

// ErrNoWarehouse is returned when no refresh has succeeded yet.
var ErrNoWarehouse = errors.New("no warehouse yet: run `odpe refresh` (or `odpe demo`) first")

// Settings are DuckDB's resource settings, set explicitly on every open.
type Settings struct {
	MemoryLimit string // "4GB"
	Threads     int
}

// Store is a versioned warehouse at a path.
type Store struct {
	Path     string // the link readers open
	Settings Settings
	Group    string // the readers' group (name or id); "" keeps the files' group
}

func (s *Store) versionsDir() string { return s.Path + ".versions" }
func (s *Store) lockPath() string    { return s.Path + ".lock" }

// Current returns the file of the current version.
func (s *Store) Current() (string, error) {
	target, err := filepath.EvalSymlinks(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoWarehouse
	}
	if err != nil {
		return "", fmt.Errorf("resolve warehouse: %w", err)
	}
	return target, nil
}

// OpenReadOnly opens the current version for reading. Readers never block
// a refresh and never see one in progress.
func (s *Store) OpenReadOnly(ctx context.Context) (*sql.DB, error) {
	cur, err := s.Current()
	if err != nil {
		return nil, err
	}
	return open(ctx, cur, true, s.Settings)
}

// open opens a DuckDB file with explicit settings.
func open(ctx context.Context, path string, readOnly bool, st Settings) (*sql.DB, error) {
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	stmts := []string{}
	if st.MemoryLimit != "" {
		stmts = append(stmts, fmt.Sprintf("SET memory_limit = '%s'", strings.ReplaceAll(st.MemoryLimit, "'", "")))
	}
	if st.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", st.Threads))
	}
	if !readOnly {
		stmts = append(stmts, fmt.Sprintf("SET temp_directory = '%s'", strings.ReplaceAll(path+".tmp", "'", "''")))
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %s: %w", path, q, err)
		}
	}
	return db, nil
}

// Build is a refresh in progress: a new version being written.
type Build struct {
	RunID  int64
	DB     *sql.DB
	Path   string // the new version's file
	Prev   string // the version it started from ("" for the first)
	store  *Store
	lock   *Lock
	done   bool
	staged map[string]bool // staging tables created (see Loader)
	copied chan error      // the copy of the current version, on disk
}

// Begin takes the refresh lock, removes what killed refreshes left behind,
// and starts a new version from a copy of the current one, migrated to the
// embedded schema.
func (s *Store) Begin(ctx context.Context) (*Build, error) {
	if err := os.MkdirAll(s.versionsDir(), DirMode.Perm()); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.versionsDir(), err)
	}
	lock, err := TryLock(s.lockPath())
	if err != nil {
		return nil, err
	}
	if err := s.secure(); err != nil {
		lock.Unlock()
		return nil, err
	}
	b := &Build{store: s, lock: lock}
	ok := false
	defer func() {
		if !ok {
			b.Abort()
		}
	}()
	prev, err := s.Current()
	if err != nil && !errors.Is(err, ErrNoWarehouse) {
		return nil, err
	}
	b.Prev = prev
	if err := s.removeOrphans(prev); err != nil {
		return nil, err
	}
	b.RunID = newRunID(prev)
	b.Path = filepath.Join(s.versionsDir(), fmt.Sprintf("v%d.duckdb", b.RunID))
	if prev != "" {
		if err := copyFile(prev, b.Path); err != nil {
			return nil, fmt.Errorf("copy current warehouse: %w", err)
		}
		// The copy goes to disk while the refresh works: the first sync of
		// the new version would otherwise wait for all of it.
		b.copied = make(chan error, 1)
		go func() { b.copied <- syncFile(b.Path) }()
	}
	if b.DB, err = open(ctx, b.Path, false, s.Settings); err != nil {
		return nil, err
	}
	if err := Migrate(ctx, b.DB); err != nil {
		return nil, err
	}
	ok = true
	return b, nil
}

// Commit checkpoints and closes the new version and makes it current with
// an atomic rename of the link. After Commit, readers opening the link see
// the new version.
func (b *Build) Commit(ctx context.Context) error {
	if err := b.Checkpoint(ctx); err != nil {
		return err
	}
	return b.Swap(ctx)
}

// Checkpoint checkpoints the new version, closes it (b.DB is nil after)
// and syncs it to disk: what Commit does before the swap, the slow part.
func (b *Build) Checkpoint(ctx context.Context) error {
	if _, err := b.DB.ExecContext(ctx, "DROP SCHEMA IF EXISTS stage CASCADE"); err != nil {
		return fmt.Errorf("drop staging tables: %w", err)
	}
	if _, err := b.DB.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := b.DB.Close(); err != nil {
		return fmt.Errorf("close new version: %w", err)
	}
	b.DB = nil
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.waitCopied(); err != nil {
		return fmt.Errorf("copy current warehouse: %w", err)
	}
	// DuckDB made the first version with the process's umask.
	gid, err := b.store.gid()
	if err != nil {
		return err
	}
	if err := setAccess(b.Path, FileMode, gid); err != nil {
		return err
	}
	return syncFile(b.Path)
}

// Swap makes the checkpointed new version current with an atomic rename of
// the link. After Swap, readers opening the link see the new version.
func (b *Build) Swap(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	failpoint.Hit(failpoint.BeforeSwap)
	rel, err := filepath.Rel(filepath.Dir(b.store.Path), b.Path)
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.link-%d", b.store.Path, b.RunID)
	_ = os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return fmt.Errorf("link new version: %w", err)
	}
	if err := os.Rename(tmp, b.store.Path); err != nil {
		return fmt.Errorf("swap warehouse: %w", err)
	}
	if err := syncDir(filepath.Dir(b.store.Path)); err != nil {
		return err
	}
	b.done = true
	// Keep the previous version for readers that still hold it open.
	_ = b.store.removeOlder(b.Path, b.Prev)
	return b.lock.Unlock()
}

// waitCopied waits for the copy of the current version to be on disk.
func (b *Build) waitCopied() error {
	if b.copied == nil {
		return nil
	}
	err := <-b.copied
	b.copied = nil
	return err
}

// Abort abandons the new version: the current one stays as it was.
func (b *Build) Abort() {
	if b.done {
		return
	}
	if b.DB != nil {
		b.DB.Close()
		b.DB = nil
	}
	_ = b.waitCopied()
	if b.Path != "" {
		removeVersion(b.Path)
	}
	b.done = true
	_ = b.lock.Unlock()
}

// removeOrphans deletes what refreshes that died left behind: versions
// newer than the current one (a version only becomes current at the very
// end), their WAL and temp files, and half-made links. Called under the lock.
func (s *Store) removeOrphans(current string) error {
	versions, err := s.Versions()
	if err != nil {
		return err
	}
	for _, v := range versions {
		if versionID(v) > versionID(current) {
			removeVersion(v)
		}
	}
	links, _ := filepath.Glob(s.Path + ".link-*")
	for _, l := range links {
		os.Remove(l)
	}
	return nil
}

// removeOlder deletes every version older than keep, except prev.
func (s *Store) removeOlder(keep, prev string) error {
	entries, err := os.ReadDir(s.versionsDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(s.versionsDir(), e.Name())
		if !isVersionFile(e.Name()) || p == keep || p == prev {
			continue
		}
		removeVersion(p)
	}
	return nil
}

func isVersionFile(name string) bool {
	return strings.HasPrefix(name, "v") && strings.HasSuffix(name, ".duckdb")
}

func versionID(path string) int64 {
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "v"), ".duckdb")
	id, _ := strconv.ParseInt(name, 10, 64)
	return id
}

func removeVersion(p string) {
	os.RemoveAll(p)
	os.Remove(p + ".wal")
	os.RemoveAll(p + ".tmp")
}

// newRunID returns a run id that reads as a UTC time (yyyymmddhhmmssmmm)
// and is greater than the current version's, so a version path is never
// reused.
func newRunID(current string) int64 {
	id, _ := strconv.ParseInt(strings.ReplaceAll(time.Now().UTC().Format("20060102150405.000"), ".", ""), 10, 64)
	if prev := versionID(current); id <= prev {
		id = prev + 1
	}
	return id
}

// Versions lists the version files present, oldest first.
func (s *Store) Versions() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(s.versionsDir(), "v*.duckdb"))
	sort.Slice(m, func(i, j int) bool { return versionID(m[i]) < versionID(m[j]) })
	return m, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := failpoint.Fail(failpoint.DiskFull); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
