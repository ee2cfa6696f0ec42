package schedule

import (
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// DefaultQuiet is how long a file must stay unchanged before it is read.
const DefaultQuiet = time.Minute

// StableInfo reports whether the file described by fi was last modified
// at least quiet before now. A modification time in the future (a clock
// ahead on a file share) counts as recent.
func StableInfo(fi fs.FileInfo, now time.Time, quiet time.Duration) bool {
	return now.Sub(fi.ModTime()) >= quiet
}

// Stable reports whether the file at path was last modified at least quiet
// before now: a file still being written is not ready yet. It sees one
// snapshot only; a Tracker also notices a size that changes under a
// preserved modification time.
func Stable(path string, now time.Time, quiet time.Duration) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("check %s is complete: %w", path, err)
	}
	return StableInfo(fi, now, quiet), nil
}

// Tracker remembers the size and modification time of files across polls.
// A file is ready once both have stayed the same for quiet, over at least
// two polls, and it was last modified at least quiet ago. It is safe for
// concurrent use.
type Tracker struct {
	quiet time.Duration
	mu    sync.Mutex
	seen  map[string]observation
}

type observation struct {
	size  int64
	mod   time.Time
	since time.Time // first poll that saw this size and modification time
}

// NewTracker returns a Tracker; quiet ≤ 0 means DefaultQuiet.
func NewTracker(quiet time.Duration) *Tracker {
	if quiet <= 0 {
		quiet = DefaultQuiet
	}
	return &Tracker{quiet: quiet, seen: make(map[string]observation)}
}

// Observe records fi as the state of path at now and reports whether the
// file is ready.
func (t *Tracker) Observe(path string, fi fs.FileInfo, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.seen[path]
	if !ok || o.size != fi.Size() || !o.mod.Equal(fi.ModTime()) {
		t.seen[path] = observation{size: fi.Size(), mod: fi.ModTime(), since: now}
		return false
	}
	return now.Sub(o.since) >= t.quiet && StableInfo(fi, now, t.quiet)
}

// Ready stats path and reports whether it is ready (see Observe).
func (t *Tracker) Ready(path string, now time.Time) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("check %s is complete: %w", path, err)
	}
	return t.Observe(path, fi, now), nil
}

// Forget drops what the Tracker knows of path, once it has been loaded or
// removed.
func (t *Tracker) Forget(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.seen, path)
}
