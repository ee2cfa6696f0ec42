package profile

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/transmit"
)

// Transmission is what the publication of one profile left in the
// archive of transmission packages (see transmit.Archive.Pack).
type Transmission struct {
	Profile string
	Package transmit.Package // the new package, or the latest one when its files did not change
	Made    bool             // a new package was written
	Err     error            // the package could not be written: the publication stands
	Took    time.Duration
}

// transmit archives a package of each profile run published (called once
// the publication succeeded). A package that cannot be written does not
// undo the publication, which the warehouse version already went with:
// it is logged, reported to w.Transmitted, and the next publication of
// the profile writes it (it compares with the latest package, not with
// the last publication), as does `odpe transmissions pack`.
//
// The profiles' packages are written side by side, one per core: each
// has its own folder in the archive, and the largest (the internal
// profile's, hundreds of MB at national size) would otherwise add its
// time to every other's.
func (w *Writer) transmit(run string, profiles []configs.Export) {
	packed := make([]Transmission, len(profiles))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range profiles {
		g.Go(func() error {
			packed[i] = Pack(w.Config, p, filepath.Join(w.Config.ExportsDir, ".runs", run, p.Name), RunOf(run))
			return nil
		})
	}
	g.Wait()
	for i, p := range profiles {
		t := packed[i]
		switch {
		case w.Logger == nil:
		case t.Err != nil:
			w.Logger.Error("transmission package not written: the files are published", "profile", p.Name, "err", t.Err)
		case t.Made:
			w.Logger.Info("transmission package written", "profile", p.Name, "path", t.Package.Path,
				"size", t.Package.Size, "took", t.Took.Round(time.Millisecond))
		default:
			w.Logger.Info("transmission package unchanged: the files are those of the latest package", "profile", p.Name,
				"package", filepath.Base(t.Package.Path), "took", t.Took.Round(time.Millisecond))
		}
		if w.Transmitted != nil {
			w.Transmitted(t)
		}
	}
}

// Pack archives a package of the folder dir that profile p published
// from the data of warehouse run runID.
func Pack(cfg *configs.Config, p configs.Export, dir string, runID int64) Transmission {
	start := time.Now()
	a := &transmit.Archive{Dir: transmit.Dir(cfg.ExportsDir)}
	threshold := p.Threshold
	if p.Audience != "external" {
		threshold = 0
	}
	version := transmit.Version()
	if !strings.Contains(version, ".") && !strings.HasPrefix(version, "commit ") {
		// A build that recorded neither a version nor a commit: the
		// program's own SHA-256 (the one fingerprints hold) identifies it.
		version += ", exécutable " + program()[:min(16, len(program()))]
	}
	m := transmit.Manifest{Profile: p.Name, Title: p.Title, Audience: p.Audience, Run: runID, Threshold: threshold, Version: version}
	pkg, made, err := a.Pack(dir, m)
	return Transmission{Profile: p.Name, Package: pkg, Made: made, Err: err, Took: time.Since(start)}
}

// RunOf is the warehouse run of a run folder's name: the run itself
// (a refresh's), or the run whose data it holds, first in the name of
// one written apart ("<run>-<time>", `odpe export`).
func RunOf(run string) int64 {
	n, _ := strconv.ParseInt(strings.SplitN(run, "-", 2)[0], 10, 64)
	return n
}
