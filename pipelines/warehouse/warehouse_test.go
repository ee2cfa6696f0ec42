package warehouse

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	return &Store{Path: filepath.Join(t.TempDir(), "odpe.duckdb"), Settings: Settings{MemoryLimit: "1GB", Threads: 1}}
}

// commitValue builds a version whose meta.state holds value.
func commitValue(t *testing.T, s *Store, value string) *Build {
	t.Helper()
	ctx := context.Background()
	b, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.DB.Exec(`INSERT OR REPLACE INTO meta.state VALUES ('v', ?)`, value); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

func readValue(t *testing.T, s *Store) string {
	t.Helper()
	db, err := s.OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT value FROM meta.state WHERE key = 'v'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCommitMakesNewVersionCurrent(t *testing.T) {
	s := newStore(t)
	if _, err := s.OpenReadOnly(context.Background()); !errors.Is(err, ErrNoWarehouse) {
		t.Fatalf("before any refresh: got %v, want ErrNoWarehouse", err)
	}
	first := commitValue(t, s, "one")
	if got := readValue(t, s); got != "one" {
		t.Fatalf("after first commit: %q", got)
	}
	// A reader that opened the first version keeps seeing it.
	old, err := s.OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	second := commitValue(t, s, "two")
	if got := readValue(t, s); got != "two" {
		t.Fatalf("after second commit: %q", got)
	}
	var v string
	if err := old.QueryRow(`SELECT value FROM meta.state WHERE key = 'v'`).Scan(&v); err != nil || v != "one" {
		t.Fatalf("reader of the previous version: %q, %v", v, err)
	}
	if second.RunID <= first.RunID {
		t.Fatalf("run ids not increasing: %d then %d", first.RunID, second.RunID)
	}
	// Third commit removes the first version, keeps the second for readers.
	third := commitValue(t, s, "three")
	versions, _ := s.Versions()
	if len(versions) != 2 || versions[0] != second.Path || versions[1] != third.Path {
		t.Fatalf("versions kept: %v", versions)
	}
}

func TestAbortKeepsCurrentAndOrphansAreRemoved(t *testing.T) {
	s := newStore(t)
	commitValue(t, s, "good")
	ctx := context.Background()
	b, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.DB.Exec(`INSERT OR REPLACE INTO meta.state VALUES ('v', 'half-built')`)
	b.Abort()
	if got := readValue(t, s); got != "good" {
		t.Fatalf("after abort: %q", got)
	}
	// Simulate a killed refresh: a newer version file and a half-made link.
	orphan := filepath.Join(s.versionsDir(), "v99999999999999999.duckdb")
	os.WriteFile(orphan, []byte("garbage"), 0o644)
	os.WriteFile(orphan+".wal", []byte("garbage"), 0o644)
	os.Symlink("nowhere", s.Path+".link-1")
	commitValue(t, s, "next")
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("orphan version not removed: %v", err)
	}
	if _, err := os.Lstat(s.Path + ".link-1"); !os.IsNotExist(err) {
		t.Fatalf("half-made link not removed")
	}
	if got := readValue(t, s); got != "next" {
		t.Fatalf("after recovery: %q", got)
	}
}

func TestLockExcludesSecondRefresh(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	b, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(ctx); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Begin: got %v, want ErrLocked", err)
	}
	b.Abort()
	b2, err := s.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin after Abort: %v", err)
	}
	b2.Abort()
}

// TestStaleLockIsTakenOver: a process that held the lock and died leaves
// the lock file behind; the kernel released the flock, so the next refresh
// proceeds.
func TestStaleLockIsTakenOver(t *testing.T) {
	s := newStore(t)
	os.MkdirAll(s.versionsDir(), 0o755)
	cmd := exec.Command("sh", "-c", "exec flock -x -o \"$0\" sleep 30", s.lockPath())
	if err := cmd.Start(); err != nil {
		t.Skip("flock(1) not available:", err)
	}
	// Wait until the child holds the lock.
	for i := 0; ; i++ {
		l, err := TryLock(s.lockPath())
		if errors.Is(err, ErrLocked) {
			break
		}
		if err == nil {
			l.Unlock()
		}
		if i > 200 {
			t.Skip("child never took the lock")
		}
		exec.Command("sleep", "0.02").Run()
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := TryLock(s.lockPath())
	if err != nil {
		t.Fatalf("lock of a dead process not taken over: %v", err)
	}
	l.Unlock()
}
