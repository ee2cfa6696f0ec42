package schedule

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type fileInfo struct {
	size int64
	mod  time.Time
}

func (f fileInfo) Name() string       { return "placements.csv" }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return 0o644 }
func (f fileInfo) ModTime() time.Time { return f.mod }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

func TestStableInfo(t *testing.T) {
	now := time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		mod  time.Time
		want bool
	}{
		{"old", now.Add(-time.Hour), true},
		{"exactly quiet", now.Add(-time.Minute), true},
		{"just written", now.Add(-59 * time.Second), false},
		{"now", now, false},
		{"future", now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StableInfo(fileInfo{size: 10, mod: tt.mod}, now, DefaultQuiet); got != tt.want {
				t.Errorf("StableInfo(mod %s) = %v, want %v", tt.mod, got, tt.want)
			}
		})
	}
}

func TestStable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "placements.csv")
	if err := os.WriteFile(path, []byte("a;b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, time.June, 1, 7, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{mod.Add(30 * time.Second), false},
		{mod.Add(time.Minute), true},
	} {
		got, err := Stable(path, tt.now, DefaultQuiet)
		if err != nil || got != tt.want {
			t.Errorf("Stable(now = mod+%s) = %v, %v; want %v", tt.now.Sub(mod), got, err, tt.want)
		}
	}
	missing := filepath.Join(dir, "missing.csv")
	if _, err := Stable(missing, mod, DefaultQuiet); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Stable(missing) error = %v, want one naming %s", err, missing)
	}
}

func TestTracker(t *testing.T) {
	t0 := time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC)
	old := t0.Add(-time.Hour) // a copy that preserves the source's mtime
	steps := []struct {
		at   time.Duration // since t0
		size int64
		mod  time.Time
		want bool
	}{
		{0, 100, old, false},                                     // first sight: unknown
		{30 * time.Second, 200, old, false},                      // still growing
		{80 * time.Second, 300, old, false},                      // still growing
		{2 * time.Minute, 300, old, false},                       // unchanged for 40 s only
		{140 * time.Second, 300, old, true},                      // unchanged for 60 s
		{3 * time.Minute, 300, t0.Add(170 * time.Second), false}, // touched again
		{5 * time.Minute, 300, t0.Add(170 * time.Second), true},
	}
	tr := NewTracker(0)
	for _, s := range steps {
		if got := tr.Observe("in/placements.csv", fileInfo{s.size, s.mod}, t0.Add(s.at)); got != s.want {
			t.Errorf("Observe at +%s (size %d) = %v, want %v", s.at, s.size, got, s.want)
		}
	}
	tr.Forget("in/placements.csv")
	if tr.Observe("in/placements.csv", fileInfo{300, old}, t0.Add(10*time.Minute)) {
		t.Error("Observe after Forget = true, want false (first sight)")
	}
}
