package refresh

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/odpe/odpe/configs"
)

// Rejected describes the copies of rejected files kept for the operator.
type Rejected struct {
	Dir    string
	Files  int
	Bytes  int64
	Oldest time.Time     // zero when there is none
	Keep   time.Duration // how long a copy is kept
}

// RejectedCopies lists the copies kept under RejectedDir.
func RejectedCopies(cfg *configs.Config) (Rejected, error) {
	r := Rejected{Dir: RejectedDir(cfg), Keep: cfg.RejectedRetention}
	entries, err := os.ReadDir(r.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		r.Files++
		r.Bytes += info.Size()
		if r.Oldest.IsZero() || info.ModTime().Before(r.Oldest) {
			r.Oldest = info.ModTime()
		}
	}
	return r, nil
}

// PurgeRejected removes the copies of rejected files older than the
// configured retention (their modification time is when they were set
// aside), and returns how many it removed. A refresh calls it first;
// `odpe purge` too.
func PurgeRejected(cfg *configs.Config, now time.Time) (int, error) {
	dir := RejectedDir(cfg)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.IsDir() || now.Sub(info.ModTime()) < cfg.RejectedRetention {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// purgeRejected is PurgeRejected for a refresh: a failure is logged, not
// fatal.
func purgeRejected(cfg *configs.Config, now time.Time, log *slog.Logger) {
	n, err := PurgeRejected(cfg, now)
	if err != nil {
		log.Warn("could not purge old copies of rejected files", "dir", RejectedDir(cfg), "err", err)
	}
	if n > 0 {
		log.Info("old copies of rejected files purged", "files", n, "older than", cfg.RejectedRetention)
	}
}
