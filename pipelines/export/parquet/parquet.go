// Package parquet writes an export Dataset as Parquet files, one per
// indicator family (ase.parquet, pmi.parquet…), with DuckDB's own writer:
// typed columns (numbers are DOUBLE, the year an INTEGER), zstd
// compression, and in the file's key-value metadata the profile, the run,
// the indicators' definitions and the source files (JSON). The tests read
// the files back with arrow-go's pqarrow, an independent reader.
package parquet

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/odpe/odpe/pipelines/csvbatch"
	"github.com/odpe/odpe/pipelines/export"
)

// Metadata keys of every file.
const (
	KeyProfile    = "odpe:profile"
	KeyRunID      = "odpe:run_id"
	KeyGenerated  = "odpe:generated"
	KeyThreshold  = "odpe:threshold"
	KeyIndicators = "odpe:indicators" // JSON array of the family's indicators
	KeySources    = "odpe:sources"    // JSON array of source files
)

// WriteFamilies writes dir/<family>.parquet for each family of ds.
func WriteFamilies(dir string, ds *export.Dataset) error {
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rows, err := writeRows(dir, ds)
	if err != nil {
		return err
	}
	defer rows.Close()
	// A DuckDB of its own, in memory, kept small: it sorts one profile's
	// rows beside the refresh's warehouse.
	db, err := sql.Open("duckdb", "?memory_limit=1GB&threads=1")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, fam := range families(ds) {
		meta, err := metadata(ds, fam)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, fam+".parquet")
		q := fmt.Sprintf(`COPY (SELECT * EXCLUDE (family) FROM %s WHERE family = '%s' ORDER BY ALL)
			TO '%s' (FORMAT parquet, COMPRESSION zstd, KV_METADATA {%s})`,
			rows.ReadCSV(), strings.ReplaceAll(fam, "'", "''"), strings.ReplaceAll(path, "'", "''"), meta)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("parquet: write %s: %w", path, err)
		}
	}
	return nil
}

// writeRows writes the rows of ds, typed, into a CSV file for DuckDB to
// read (removed by Close).
func writeRows(dir string, ds *export.Dataset) (*csvbatch.Writer, error) {
	var cols []csvbatch.Column
	add := func(typ string, names ...string) {
		for _, n := range names {
			cols = append(cols, csvbatch.Column{Name: n, Type: typ})
		}
	}
	add("VARCHAR", "indicator", "dep")
	add("INTEGER", "period")
	add("VARCHAR", "territory")
	add("VARCHAR", ds.Dimensions...)
	add("DOUBLE", "numerator", "denominator", "value", "previous", "evolution")
	add("VARCHAR", "unit", "status", "conf", "family")
	w, err := csvbatch.Create(filepath.Join(dir, ".rows.csv"), cols)
	if err != nil {
		return nil, err
	}
	family := map[string]string{}
	for _, ind := range ds.Indicators {
		family[ind.ID] = ind.Family
	}
	row := make([]any, 0, len(cols))
	for _, r := range ds.Rows {
		row = append(row[:0], r.Indicator, r.Dep, r.Period, r.Territory)
		for _, d := range ds.Dimensions {
			if v, ok := r.Dims[d]; ok {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		}
		for _, v := range []*float64{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution} {
			if v == nil {
				row = append(row, nil)
			} else {
				row = append(row, *v)
			}
		}
		row = append(row, r.Unit, r.Status, r.Conf, family[r.Indicator])
		if err := w.Write(row...); err != nil {
			w.Close()
			return nil, fmt.Errorf("parquet: %s %d: %w", r.Indicator, r.Period, err)
		}
	}
	if err := w.Flush(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func families(ds *export.Dataset) []string {
	var out []string
	seen := map[string]bool{}
	for _, ind := range ds.Indicators {
		if !seen[ind.Family] {
			seen[ind.Family] = true
			out = append(out, ind.Family)
		}
	}
	return out
}

// metadata renders the KV_METADATA struct literal of one family's file.
func metadata(ds *export.Dataset, fam string) (string, error) {
	var inds []export.Indicator
	for _, ind := range ds.Indicators {
		if ind.Family == fam {
			inds = append(inds, ind)
		}
	}
	indJSON, err := json.Marshal(inds)
	if err != nil {
		return "", err
	}
	srcJSON, err := json.Marshal(ds.Sources)
	if err != nil {
		return "", err
	}
	kv := [][2]string{
		{KeyProfile, ds.Profile},
		{KeyRunID, strconv.FormatInt(ds.RunID, 10)},
		{KeyGenerated, ds.Generated.Format(time.RFC3339)},
		{KeyThreshold, strconv.Itoa(ds.Threshold)},
		{KeyIndicators, string(indJSON)},
		{KeySources, string(srcJSON)},
	}
	parts := make([]string, len(kv))
	for i, p := range kv {
		parts[i] = fmt.Sprintf("%s: '%s'", quote(p[0]), strings.ReplaceAll(p[1], "'", "''"))
	}
	return strings.Join(parts, ", "), nil
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
