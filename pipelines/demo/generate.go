// Package demo generates a realistic, deterministic source tree for the
// observatory's demo, tests and benchmarks: every source family of
// SOURCES.md (activity workbooks, TRAJECT plannings, PMI counts, the ASE
// nightly extract with its places of accueil, adoption events, the CRIP's
// register of informations préoccupantes, the foster carers' HR export, the
// establishments' lists, INSEE populations and births) with the
// encodings, separators and quirks of the real files, at three scales.
//
// The same seed gives byte-identical files: each file draws from its own
// random stream derived from the seed and the file's identity, so the
// workers writing files in parallel never change the output.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// Job names: the folders of the tree, one per extract job, and the keys of
// Tree.Files and Tree.Rows.
const (
	JobReports               = "rapports"
	JobTraject               = "traject"
	JobPMI                   = "pmi"
	JobASE                   = "ase"
	JobAdoption              = "adoption"
	JobPopulation            = "population"
	JobPopulationTerritories = "population_territoires"
	JobBirths                = "naissances"
	JobCRIP                  = "crip"
	JobFosterCarers          = "assistants_familiaux"
	JobEstablishments        = "etablissements"
	// Territories is the key of the territory mapping in Tree.Rows.
	Territories = "territoires"
)

// Job is one extract job's entry, as the demo configuration declares it.
type Job struct {
	Name string // one of the Job* constants
	// Kind is the extract kind meant to read the files (the family of
	// SOURCES.md): activity_report, traject, pmi, ase, adoption,
	// population, births, crip, foster_carers, establishments.
	Kind string
	// Source is the folder of the files, relative to Tree.Dir; at
	// multi-département scales it is a glob over one folder per
	// département ("sources/pmi/*").
	Source string
	// Departement is the département's COG code, "{folder}" when each
	// département has its own folder, or "" for national files (births,
	// populations: the département is in the data).
	Departement string
}

// Tree is what Generate wrote. Paths are joined to Dir.
type Tree struct {
	Dir  string
	Jobs []Job // one per folder of sources, sorted by name
	// Files maps a job name to its files, sorted.
	Files map[string][]string
	// Rows maps a job name (and Territories) to the data rows written,
	// headers excluded; for workbooks, the rows of their tables
	// (categories and age bands).
	Rows        map[string]int64
	Territories string // path of the territory mapping
	Bytes       int64  // total size of the files
}

// output is what one task wrote.
type output struct {
	job   string
	paths []string
	rows  int64
}

// task writes some files of the tree.
type task func(ctx context.Context) ([]output, error)

// Generate writes the source tree of scale s under dir (created if needed)
// and describes it. The same scale and seed always give the same bytes;
// files are stamped with the date they would have been delivered (all
// before s.AsOf), so that revisions are newer than what they revise. On
// error, dir may hold part of the tree.
func Generate(ctx context.Context, dir string, s Scale, seed uint64) (*Tree, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	g := newGenerator(dir, s, seed)
	tasks := g.tasks()
	results := make([][]output, len(tasks))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for i, t := range tasks {
		eg.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			out, err := t(ctx)
			results[i] = out
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, fmt.Errorf("generate %s scale in %s: %w", s.Name, dir, err)
	}
	return g.tree(results)
}

// generator holds what every task shares: read-only after construction.
type generator struct {
	dir   string
	scale Scale
	seed  uint64
	multi bool // several départements: one folder per département
	terr  map[string][]territory
}

func newGenerator(dir string, s Scale, seed uint64) *generator {
	g := &generator{dir: dir, scale: s, seed: seed, multi: len(s.Departements) > 1, terr: map[string][]territory{}}
	for _, d := range s.Departements {
		g.terr[d] = territoriesOf(d, seed)
	}
	return g
}

// depDir returns the folder of a département-specific family.
func (g *generator) depDir(family, dep string) string {
	if g.multi || family == JobASE {
		return filepath.Join(g.dir, "sources", family, dep)
	}
	return filepath.Join(g.dir, "sources", family)
}

// tasks lists the work, largest first so that the pool stays busy.
func (g *generator) tasks() []task {
	s := g.scale
	var ts []task
	for y := s.FirstYear; y <= s.LastYear; y++ {
		ts = append(ts, g.birthsTask(y))
	}
	for _, d := range s.Departements {
		ts = append(ts, g.aseTask(d))
	}
	for _, d := range s.Departements {
		for y := s.FirstYear; y < s.LastYear; y++ {
			ts = append(ts, g.reportsTask(d, y))
		}
		ts = append(ts, g.trajectTask(d), g.pmiTask(d), g.populationTask(d))
	}
	return append(ts, g.territoriesTask())
}

// tree assembles the tasks' outputs.
func (g *generator) tree(results [][]output) (*Tree, error) {
	t := &Tree{
		Dir:         g.dir,
		Files:       map[string][]string{},
		Rows:        map[string]int64{},
		Territories: filepath.Join(g.dir, "sources", "territoires.csv"),
	}
	for _, outs := range results {
		for _, o := range outs {
			t.Files[o.job] = append(t.Files[o.job], o.paths...)
			t.Rows[o.job] += o.rows
		}
	}
	delete(t.Files, Territories)
	for job, paths := range t.Files {
		slices.Sort(paths)
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("describe %s tree: %w", job, err)
			}
			t.Bytes += st.Size()
		}
	}
	if st, err := os.Stat(t.Territories); err == nil {
		t.Bytes += st.Size()
	}
	t.Jobs = g.jobs()
	return t, nil
}

func (g *generator) jobs() []Job {
	dep := func(family string) (string, string) {
		src := filepath.Join("sources", family)
		switch {
		case g.multi:
			return filepath.Join(src, "*"), "{folder}"
		case family == JobASE:
			return filepath.Join(src, g.scale.Departements[0]), g.scale.Departements[0]
		default:
			return src, g.scale.Departements[0]
		}
	}
	var jobs []Job
	for _, j := range []struct{ name, kind string }{
		{JobReports, "activity_report"}, {JobTraject, "traject"}, {JobPMI, "pmi"},
		{JobASE, "ase"}, {JobAdoption, "adoption"},
		{JobCRIP, "crip"}, {JobFosterCarers, "foster_carers"}, {JobEstablishments, "establishments"},
	} {
		src, d := dep(j.name)
		jobs = append(jobs, Job{Name: j.name, Kind: j.kind, Source: src, Departement: d})
	}
	terrSrc, terrDep := filepath.Join("sources", "insee", "population_territoires"), g.scale.Departements[0]
	if g.multi {
		terrSrc, terrDep = filepath.Join(terrSrc, "*"), "{folder}"
	}
	jobs = append(jobs,
		Job{Name: JobPopulation, Kind: "insee_population", Source: filepath.Join("sources", "insee", "population")},
		Job{Name: JobPopulationTerritories, Kind: "insee_population", Source: terrSrc, Departement: terrDep},
		Job{Name: JobBirths, Kind: "insee_births", Source: filepath.Join("sources", "insee", "naissances")},
	)
	slices.SortFunc(jobs, func(a, b Job) int { return cmp.Compare(a.Name, b.Name) })
	return jobs
}

// stamp sets a file's modification time to the day it was delivered, so
// that revisions are newer than what they revise.
func stamp(path string, d day) error {
	t := d.time().Add(7 * time.Hour)
	if err := os.Chtimes(path, t, t); err != nil {
		return fmt.Errorf("set delivery time of %s: %w", path, err)
	}
	return nil
}
