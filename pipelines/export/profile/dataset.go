// Package profile writes the export profiles of the configuration: it reads
// a profile's indicators from the warehouse into an export.Dataset, applies
// disclosure control for external audiences, and hands the dataset to each
// format writer. Files are written into a directory of their own per run
// and published (a link per profile moved atomically) only once the
// warehouse version they come from is current.
package profile

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// selected reports whether an indicator id matches one of the profile's
// patterns ("*", "ase_*", "pmi_epp").
func selected(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}

// Dataset reads a profile's rows from the warehouse (before disclosure).
func Dataset(ctx context.Context, db *sql.DB, p configs.Export, runID int64) (*export.Dataset, error) {
	ds := &export.Dataset{
		Profile: p.Name, Title: p.Title, Audience: p.Audience, Generated: time.Now(),
		RunID: runID, StructureID: p.StructureID,
	}
	if p.Audience == "external" {
		ds.Threshold = p.Threshold
	}
	used := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT indicator, label, family, definition, unit, numerator, denominator,
		breakdowns, reference_date, sources, coalesce(convention, ''), is_key FROM ind.catalogue ORDER BY family, indicator`)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	var ids []string
	for rows.Next() {
		var ind export.Indicator
		var num, den sql.NullString
		var breakdowns, sources []any
		if err := rows.Scan(&ind.ID, &ind.Label, &ind.Family, &ind.Definition, &ind.Unit, &num, &den,
			&breakdowns, &ind.ReferenceDate, &sources, &ind.Convention, &ind.Key); err != nil {
			rows.Close()
			return nil, err
		}
		if !selected(p.Indicators, ind.ID) {
			continue
		}
		ind.Numerator, ind.Denominator = num.String, den.String
		ind.Breakdowns, ind.Sources = strs(breakdowns), strs(sources)
		for _, b := range ind.Breakdowns {
			used[b] = true
		}
		ds.Indicators = append(ds.Indicators, ind)
		ids = append(ids, ind.ID)
	}
	rows.Close()
	for _, d := range indicators.Dimensions {
		if used[d] {
			ds.Dimensions = append(ds.Dimensions, d)
		}
	}
	if len(ids) == 0 {
		return ds, nil
	}
	if err := readRows(ctx, db, ds, ids); err != nil {
		return nil, err
	}
	return ds, readSources(ctx, db, ds)
}

func readRows(ctx context.Context, db *sql.DB, ds *export.Dataset, ids []string) error {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + strings.ReplaceAll(id, "'", "''") + "'"
	}
	dims := strings.Join(indicators.Dimensions, ", ")
	q := fmt.Sprintf(`SELECT indicator, dep, period, territory, %s, numerator, denominator, value,
		previous_value, evolution, unit, status
		FROM indicator_values WHERE indicator IN (%s)
		ORDER BY indicator, dep, period, territory = 'Ensemble' DESC, territory, %s`,
		dims, strings.Join(quoted, ", "), dims)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r export.Row
		dimVals := make([]sql.NullString, len(indicators.Dimensions))
		dest := []any{&r.Indicator, &r.Dep, &r.Period, &r.Territory}
		for i := range dimVals {
			dest = append(dest, &dimVals[i])
		}
		var num, den, val, prev, evo sql.NullFloat64
		dest = append(dest, &num, &den, &val, &prev, &evo, &r.Unit, &r.Status)
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		r.Dims = map[string]string{}
		for i, d := range indicators.Dimensions {
			if dimVals[i].Valid {
				r.Dims[d] = dimVals[i].String
			}
		}
		r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution = ptr(num), ptr(den), ptr(val), ptr(prev), ptr(evo)
		ds.Rows = append(ds.Rows, r)
	}
	return rows.Err()
}

func readSources(ctx context.Context, db *sql.DB, ds *export.Dataset) error {
	rows, err := db.QueryContext(ctx, `SELECT job, path, modified_at, sha256, rows_loaded
		FROM meta.files WHERE status = 'loaded' ORDER BY job, path`)
	if err != nil {
		return fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s export.Source
		if err := rows.Scan(&s.Job, &s.Path, &s.Modified, &s.SHA256, &s.Rows); err != nil {
			return err
		}
		ds.Sources = append(ds.Sources, s)
	}
	return rows.Err()
}

func ptr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

func strs(list []any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}
