// Package pmi reads the monthly activity counts of the PMI (protection
// maternelle et infantile) information system: one row per MDS territory and
// month, CSV or XLSX, into raw.pmi_monthly. An empty cell means "not
// reported" and loads as NULL, never as 0.
package pmi

import (
	"context"
	"fmt"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "pmi"

const table = "pmi_monthly"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "PMI activity counts by MDS territory and month (CSV or XLSX)",
		Pattern:     "*",
		Tables:      []string{table},
		Retention:   extract.Accumulate,
		Concurrent:  true,
		New:         extract.NoOptions("pmi", job{}),
	})
}

// counts are the count columns, in the order of raw.pmi_monthly.
var counts = []string{
	"EPP réalisés",
	"Patientes suivies par une SF de PMI suite à EPP",
	"Patientes orientées vers un autre professionnel suite à EPP",
	"Contacts puéricultrices",
	"dont en maternité (puéricultrices)",
	"Contacts sages-femmes",
	"dont en maternité (sages-femmes)",
	"Séances bilans 3-4 ans",
	"Enfants vus bilans 3-4 ans",
}

// maxCount is the plausible range of a count of one territory and month:
// a larger number is a typing or export error, rejected with its line and
// column (the largest MDS territory of France sees a few thousand of
// each a month).
const maxCount = 1_000_000

// partOf says which counts are a part of another: index -> index of the
// whole ("dont en maternité" ≤ its contacts).
var partOf = map[int]int{4: 3, 6: 5}

type job struct{}

// NameKey implements extract.Namer: a file named with a date or a
// revision (pmi_activite_2023.csv, pmi_activite_202403.csv,
// pmi_activite_2023_rectificatif.csv) ranks by it among the job's files,
// a later one revising the figures of an earlier one; a file whose name
// says neither ranks by the order in which the warehouse first saw it.
func (job) NameKey(name string) (string, error) { return extract.RevisionKey(name), nil }

// columns are the columns of one file.
type columns struct {
	territory, year, month frcsv.Col
	counts                 []frcsv.Col
}

func findColumns(r *frcsv.Reader) (columns, error) {
	var c columns
	var err error
	if c.territory, err = r.Column("Territoire"); err != nil {
		return c, err
	}
	if c.year, err = r.Column("Année"); err != nil {
		return c, err
	}
	if c.month, err = r.Column("Mois"); err != nil {
		return c, err
	}
	c.counts = make([]frcsv.Col, len(counts))
	for i, name := range counts {
		if c.counts[i], err = r.Column(name); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	if len(env.Territories.List()) == 0 {
		return 0, fmt.Errorf("pmi: %s: no territory mapping in the configuration", f.Name)
	}
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cols, err := findColumns(r)
	if err != nil {
		return 0, err
	}
	type key struct {
		territory   string
		year, month int64
	}
	seen := map[key]int{}
	values := make([]any, 4+len(counts))
	var n int64
	for r.Next() {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		territory, ok := env.Territories.Resolve(r.Get(cols.territory))
		if !ok {
			return n, r.Errorf(cols.territory, "an MDS territory code or name of the mapping ("+codes(env.Territories)+")")
		}
		year, ok, err := r.Count(cols.year)
		if err != nil || !ok || year < 1900 || year > 2100 {
			return n, r.Errorf(cols.year, "a year (1900 to 2100)")
		}
		month, ok, err := r.Count(cols.month)
		if err != nil || !ok || month < 1 || month > 12 {
			return n, r.Errorf(cols.month, "a month number (1 to 12)")
		}
		k := key{territory, year, month}
		if first, dup := seen[k]; dup {
			return n, r.Errorf(cols.month, fmt.Sprintf("one row per territory and month (%s %d-%02d is already on %s)", territory, year, month, r.Where(first)))
		}
		seen[k] = r.Line()
		values = append(values[:0], env.Departement, territory, year, month)
		for i, c := range cols.counts {
			v, present, err := r.CountIn(c, maxCount)
			if err != nil {
				return n, err
			}
			if !present {
				values = append(values, nil)
				continue
			}
			if whole, ok := partOf[i]; ok && values[4+whole] != nil && v > values[4+whole].(int64) {
				return n, r.Errorf(c, fmt.Sprintf("at most the %q of the row (%d)", cols.counts[whole].Name(), values[4+whole]))
			}
			values = append(values, v)
		}
		if err := sink.Append(table, values...); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}

// codes lists the territory codes for error messages.
func codes(t *extract.Territories) string {
	var c []string
	for _, tr := range t.List() {
		c = append(c, tr.Code)
	}
	return strings.Join(c, ", ")
}
