package profile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/odpe/odpe/configs"
)

// Publish points each profile's link at the run's directory, then
// archives a transmission package of each (see transmit).
func (r *Run) Publish() error {
	if err := r.w.publish(r.run, r.profiles); err != nil {
		return err
	}
	r.w.transmit(r.run, r.profiles)
	return nil
}

// publish points each profile's link at this run's directory, atomically,
// and removes the directories of runs older than the previous one.
func (w *Writer) publish(run string, profiles []configs.Export) error {
	for _, p := range profiles {
		// The files' names on disk before the link points at them.
		dir := filepath.Join(w.Config.ExportsDir, ".runs", run, p.Name)
		if err := syncDirs(dir); err != nil {
			return err
		}
		if err := syncDirs(stateDir(dir)); err != nil {
			return err
		}
		link := filepath.Join(w.Config.ExportsDir, p.Name)
		if st, err := os.Lstat(link); err == nil && st.Mode()&os.ModeSymlink == 0 {
			return fmt.Errorf("%s exists and is not a link: move it away", link)
		}
		tmp := link + ".link-" + run
		os.Remove(tmp)
		if err := os.Symlink(filepath.Join(".runs", run, p.Name), tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, link); err != nil {
			return err
		}
	}
	if err := syncDirs(w.Config.ExportsDir); err != nil {
		return err
	}
	return w.prune()
}

// syncDirs syncs dir and the directories below it, but not those of
// other runs (.runs), so that the entries of the files in them survive a
// crash of the machine.
func syncDirs(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != dir && d.Name() == ".runs" {
			return filepath.SkipDir
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// prune keeps the run directories that links point to, and the newest one
// before them (readers may still hold its files).
func (w *Writer) prune() error {
	runs := filepath.Join(w.Config.ExportsDir, ".runs")
	entries, err := os.ReadDir(runs)
	if err != nil {
		return err
	}
	inUse := map[string]bool{}
	for _, p := range w.Config.Exports {
		if target, err := os.Readlink(filepath.Join(w.Config.ExportsDir, p.Name)); err == nil {
			inUse[strings.Split(filepath.ToSlash(target), "/")[1]] = true
		}
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	keep := 1 // one extra, the newest not in use
	for i := len(names) - 1; i >= 0; i-- {
		n := names[i]
		if inUse[n] {
			continue
		}
		if keep > 0 {
			keep--
			continue
		}
		os.RemoveAll(filepath.Join(runs, n))
	}
	return nil
}
