package profile

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/odpe/odpe/configs"
)

// Writer writes the profiles of a configuration.
type Writer struct {
	Config *configs.Config
	Logger *slog.Logger
	// Written, when set, hears of each profile written, with its rows and
	// the time it took (for the benchmarks).
	Written func(profile string, rows int, took time.Duration)
	// Protected, when set, hears of the disclosure control of the
	// external profiles and the time it took (for the benchmarks).
	Protected func(took time.Duration)
	// Transmitted, when set, hears of each profile's transmission package
	// once the profile is published (see transmit).
	Transmitted func(Transmission)
}

// Write writes the named profiles (all when empty) of the warehouse
// version of runID from db into a new directory named run, and returns the
// function that publishes them.
func (w *Writer) Write(ctx context.Context, db *sql.DB, runID int64, run string, names []string) (publish func() error, err error) {
	r, err := w.Read(ctx, db, runID, run, names)
	if err != nil {
		return nil, err
	}
	if err := r.Write(ctx); err != nil {
		return nil, err
	}
	return r.Publish, nil
}

// Run is one writing of profiles, in three steps: Read (from the
// warehouse), Write (into the run's directory, without the warehouse: a
// refresh checkpoints the new version meanwhile) and Publish (once the
// version is current).
type Run struct {
	w        *Writer
	run      string
	profiles []configs.Export // to publish
	todo     []configs.Export // to write
	plans    map[string]*familyPlan
	dirty    map[string]bool // families read again
	all      *values
	runDir   string

	internal, external []configs.Export // to write unprotected; to protect (see splitAudiences)
}

// Read reads from db what the named profiles (all when empty) of the
// warehouse version of runID need, and links those that did not change
// into the new directory named run.
func (w *Writer) Read(ctx context.Context, db *sql.DB, runID int64, run string, names []string) (*Run, error) {
	profiles, err := w.profiles(names)
	if err != nil {
		return nil, err
	}
	runDir := filepath.Join(w.Config.ExportsDir, ".runs", run)
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	all, err := readCatalogue(ctx, db, runID, patternsOf(w.Config.Exports)) // peers too (see protectTogether)
	if err != nil {
		return nil, err
	}
	computed, err := computedBy(ctx, db)
	if err != nil {
		return nil, err
	}
	// Profiles whose families' values did not change since they were
	// published are linked, not written again.
	var todo []configs.Export
	plans := map[string]*familyPlan{}
	for _, p := range profiles {
		start := time.Now()
		plan, err := w.planFamilies(p, all.indicators, computed)
		if err != nil {
			return nil, err
		}
		plans[p.Name] = plan
		reused, err := w.reuse(p, plan.fingerprint(), filepath.Join(runDir, p.Name))
		if err != nil {
			return nil, err
		}
		if !reused {
			todo = append(todo, p)
			continue
		}
		if w.Logger != nil {
			w.Logger.Info("export unchanged: files of the last one reused", "profile", p.Name)
		}
		if w.Written != nil {
			w.Written(p.Name, 0, time.Since(start))
		}
	}
	// Families whose values did not change since a profile was published
	// are not read nor protected again, for any profile: the profiles
	// written read them back from their last publication (see familiesFile).
	dirty := map[string]bool{}
	for _, p := range todo {
		plan := plans[p.Name]
		plans[p.Name] = plan
		for fam := range plan.fingerprints {
			if _, ok := plan.reusable[fam]; !ok {
				dirty[fam] = true
			}
		}
	}
	r := &Run{w: w, run: run, profiles: profiles, todo: todo, plans: plans, dirty: dirty, all: all, runDir: runDir}
	r.internal, r.external = splitAudiences(todo, w.Config.Exports)
	if err := all.readRows(ctx, db, patternsOf(append(r.internal, r.external...)), dirty); err != nil { // once for every profile
		return nil, err
	}
	return r, nil
}

// splitAudiences returns the internal profiles of todo, and the external
// ones to protect: every external profile, written or not, when todo has
// one, as they are protected together (see protectTogether).
func splitAudiences(todo, all []configs.Export) (internal, external []configs.Export) {
	anyExternal := false
	for _, p := range todo {
		if p.Audience == "external" {
			anyExternal = true
		} else {
			internal = append(internal, p)
		}
	}
	if anyExternal {
		for _, p := range all {
			if p.Audience == "external" {
				external = append(external, p)
			}
		}
	}
	return internal, external
}

func patternsOf(profiles []configs.Export) []string {
	var out []string
	for _, p := range profiles {
		out = append(out, p.Indicators...)
	}
	return out
}

func (w *Writer) profiles(names []string) ([]configs.Export, error) {
	if len(names) == 0 {
		return w.Config.Exports, nil
	}
	var out []configs.Export
	for _, n := range names {
		p, ok := w.Config.Export(n)
		if !ok {
			return nil, fmt.Errorf("no export profile %q in %s", n, w.Config.Path)
		}
		out = append(out, p)
	}
	return out, nil
}
