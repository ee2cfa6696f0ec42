package warehouse

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// Modes of what the warehouse writes: nothing is readable by others. The
// readers' group (Store.Group) may read the versions and list the
// folders; the folders carry the setgid bit, so that what DuckDB and the
// exports create in them belongs to that group too.
const (
	FileMode = 0o640
	DirMode  = 0o750 | os.ModeSetgid
)

// gid returns the id of the readers' group, -1 when none is set.
func (s *Store) gid() (int, error) {
	if s.Group == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(s.Group)
	if err != nil {
		if id, nerr := strconv.Atoi(s.Group); nerr == nil {
			return id, nil
		}
		return -1, fmt.Errorf("readers_group %q: %w", s.Group, err)
	}
	return strconv.Atoi(g.Gid)
}

// secure gives the warehouse's folder (data/), its versions' folder and
// every version their modes and the readers' group. Called under the
// lock at the start of every refresh, it also narrows what an earlier
// release left readable by others.
func (s *Store) secure() error {
	gid, err := s.gid()
	if err != nil {
		return err
	}
	for _, dir := range []string{filepath.Dir(s.Path), s.versionsDir()} {
		// The warehouse's folder may belong to an administrator who set
		// it up: what it allows is then theirs to decide.
		if err := setAccess(dir, DirMode, gid); err != nil && !errors.Is(err, fs.ErrPermission) {
			return err
		}
	}
	versions, err := s.Versions()
	if err != nil {
		return err
	}
	for _, v := range versions {
		if err := setAccess(v, FileMode, gid); err != nil {
			return err
		}
	}
	return setAccess(s.lockPath(), FileMode, gid)
}

// setAccess sets a path's mode, and its group when gid ≥ 0.
func setAccess(path string, mode os.FileMode, gid int) error {
	if gid >= 0 {
		if err := os.Lchown(path, -1, gid); err != nil {
			return fmt.Errorf("give %s to the readers' group: %w", path, err)
		}
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("restrict %s: %w", path, err)
	}
	return nil
}

// TryLock takes the refresh lock for work outside a Build (publishing the
// exports again), or fails with ErrLocked.
func (s *Store) TryLock() (*Lock, error) { return TryLock(s.lockPath()) }
