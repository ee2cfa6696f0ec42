// Package traject reads the planning export of the TRAJECT software used by
// prévention spécialisée services: one row per logged activity of an
// educator, with the software's own activity label, mapped to the six
// categories of activity reports by the job's `activity_map` option. Rows
// go to raw.activity_hours with source 'traject'. The educator's name is
// never read.
package traject

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "traject"

const (
	table  = "activity_hours"
	source = "traject"
)

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "TRAJECT planning export: hours by activity of prévention spécialisée services",
		Pattern:     "*.csv",
		Tables:      []string{table},
		Retention:   extract.Accumulate,
		Concurrent:  true,
		New:         New,
	})
}

// Options is the job's configuration block.
type Options struct {
	// ActivityMap maps each label of the software (any case and accents)
	// to one of extract.ActivityCategories.
	ActivityMap map[string]string `yaml:"activity_map"`
}

// New makes the job; every target of activity_map must be a category.
func New(opts extract.Options) (extract.Job, error) {
	var o Options
	if err := opts.Decode(&o); err != nil {
		return nil, fmt.Errorf("traject: %w", err)
	}
	if len(o.ActivityMap) == 0 {
		return nil, fmt.Errorf("traject: option activity_map is required: map each activity label of the software to one of: %s",
			strings.Join(extract.ActivityCategories, ", "))
	}
	j := job{categories: map[string]string{}}
	for _, label := range slices.Sorted(maps.Keys(o.ActivityMap)) {
		target := o.ActivityMap[label]
		category, ok := extract.Canonical(extract.ActivityCategories, target)
		if !ok {
			return nil, fmt.Errorf("traject: activity_map: %q maps to %q: expected one of: %s",
				label, target, strings.Join(extract.ActivityCategories, ", "))
		}
		key := extract.Normalize(label)
		if other, dup := j.categories[key]; dup && other != category {
			return nil, fmt.Errorf("traject: activity_map: %q is mapped twice, to %q and %q", label, other, category)
		}
		j.categories[key] = category
	}
	return j, nil
}

type job struct {
	categories map[string]string // normalised label -> category
}

// Load implements extract.Job.
func (j job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var date, service, activity, duration frcsv.Col
	for _, c := range []struct {
		col  *frcsv.Col
		name string
	}{{&date, "Date"}, {&service, "Code service"}, {&activity, "Activité"}, {&duration, "Durée"}} {
		if *c.col, err = r.Column(c.name); err != nil {
			return 0, err
		}
	}
	commune := r.Optional("Commune")
	category := frcsv.NewMemo(func(label string) (string, bool) {
		c, ok := j.categories[extract.Normalize(label)]
		return c, ok
	})
	unmapped := map[string]int{} // label -> rows
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		day, ok, err := r.Date(date)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, r.Errorf(date, "a date dd/mm/yyyy")
		}
		code := r.Get(service)
		if code == "" {
			return n, r.Errorf(service, "a service code (SPS-62-07)")
		}
		hours, ok, err := r.Hours(duration)
		if err != nil {
			return n, err
		}
		if !ok || hours > 24 {
			return n, r.Errorf(duration, "a duration of at most 24 hours, h:mm or decimal")
		}
		label := r.Get(activity)
		cat, ok := category.Get(label)
		if !ok {
			unmapped[label]++
			continue
		}
		if len(unmapped) > 0 {
			continue // the file is rejected: only look for more labels
		}
		var where any
		if s := r.Get(commune); s != "" {
			where = s
		}
		if err := sink.Append(table, env.Departement, code, day.Year(), cat, hours, source, day, label, where); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	if err := r.Err(); err != nil {
		return n, err
	}
	if len(unmapped) > 0 {
		return n, unmappedError(f.Name, activity.Name(), unmapped)
	}
	return n, nil
}

// unmappedError lists every label missing from the map, sorted, with the
// number of rows of each.
func unmappedError(file, column string, unmapped map[string]int) error {
	var list []string
	for _, label := range slices.Sorted(maps.Keys(unmapped)) {
		rows := "rows"
		if unmapped[label] == 1 {
			rows = "row"
		}
		list = append(list, fmt.Sprintf("%q (%d %s)", label, unmapped[label], rows))
	}
	return extract.Rejectf("%s: column %q: labels missing from the option activity_map: %s; map each to one of: %s",
		file, column, strings.Join(list, ", "), strings.Join(extract.ActivityCategories, ", "))
}
