// Package compute runs the indicator catalogue against the warehouse: it
// checks each declaration against the tables it reads and the columns its
// query produces, fills ind.values, and applies the declared checks. A
// failed check fails the refresh, so the previous warehouse stays in place.
package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/failpoint"
)

// ErrCheckFailed marks values that broke a declared check.
var ErrCheckFailed = errors.New("indicator check failed")

// Result summarises a computation.
type Result struct {
	Indicators int   // indicators computed
	Kept       int   // indicators whose sources did not change: values kept
	Values     int64 // values computed
}

// Run computes the indicators of the catalogue that read a table in
// changed, or every indicator when changed is nil, and applies their
// checks. The other indicators keep their values (and the run that
// computed them): their sources did not change, and the catalogue
// guarantees that a query reads only its declared sources. The catalogue
// table is rewritten whole.
func Run(ctx context.Context, db *sql.DB, cat *indicators.Catalogue, runID int64, changed map[string]bool) (Result, error) {
	var res Result
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var stale, kept []*indicators.Declaration
	for _, d := range cat.List {
		if changed == nil || slices.ContainsFunc(d.Sources, func(s string) bool { return changed[s] }) {
			stale = append(stale, d)
		} else {
			kept = append(kept, d)
		}
	}
	res.Kept = len(kept)
	keep := make([]string, len(kept))
	for i, d := range kept {
		keep[i] = d.ID
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM ind.values WHERE NOT list_contains(?::VARCHAR[], indicator)", listLiteral(keep)); err != nil {
		return res, fmt.Errorf("delete the values to compute: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM ind.catalogue"); err != nil {
		return res, fmt.Errorf("delete the catalogue: %w", err)
	}
	var errs []error
	for _, d := range cat.List {
		if err := saveDeclaration(ctx, tx, d); err != nil {
			return res, err
		}
	}
	for _, d := range stale {
		n, err := computeOne(ctx, tx, d, runID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Indicators++
		res.Values += n
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	failpoint.Hit(failpoint.DuringIndicators)
	for _, d := range stale {
		if err := check(ctx, tx, d); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	return res, tx.Commit()
}

func saveDeclaration(ctx context.Context, tx *sql.Tx, d *indicators.Declaration) error {
	var target, cmp any
	if d.Target != nil {
		target, cmp = d.Target.Value, d.Target.Comparison
	}
	var disclosure any
	if !d.Disclosure.Empty() {
		b, err := json.Marshal(d.Disclosure)
		if err != nil {
			return fmt.Errorf("%s: save declaration: %w", d.File, err)
		}
		disclosure = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ind.catalogue (indicator, label, family, definition, unit, numerator, denominator,
		breakdowns, reference_date, sources, convention, target, target_comparison, is_key, declared_in, query, disclosure)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?::VARCHAR[], ?, ?::VARCHAR[], ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Label, d.Family, d.Definition, d.Unit, d.Numerator, d.Denominator, listLiteral(d.Breakdowns),
		d.ReferenceDate, listLiteral(d.Sources), d.Convention, target, cmp, d.Key, d.File, d.SQL, disclosure)
	if err != nil {
		return fmt.Errorf("%s: save declaration: %w", d.File, err)
	}
	return nil
}

// computeOne validates a declaration against the warehouse and inserts its
// values.
func computeOne(ctx context.Context, tx *sql.Tx, d *indicators.Declaration, runID int64) (int64, error) {
	for _, src := range d.Sources {
		if err := tableExists(ctx, tx, src); err != nil {
			return 0, fmt.Errorf("%s: source %q: %w", d.File, src, err)
		}
	}
	query := strings.TrimRight(strings.TrimSpace(d.SQL), ";")
	cols, err := columns(ctx, tx, query)
	if err != nil {
		return 0, fmt.Errorf("%s: query: %w", strings.TrimSuffix(d.File, ".yaml")+".sql", err)
	}
	required := append([]string{"dep", "period", "territory", "numerator"}, d.Breakdowns...)
	for _, c := range required {
		if !cols[c] {
			return 0, fmt.Errorf("%s: the query produces no column %q (declared %s)", d.File, c, describe(c))
		}
	}
	for _, dim := range indicators.Dimensions {
		if cols[dim] && !contains(d.Breakdowns, dim) {
			return 0, fmt.Errorf("%s: the query produces breakdown %q, which the declaration does not list", d.File, dim)
		}
	}
	if d.Unit == "days" && !cols["value"] {
		return 0, fmt.Errorf("%s: a value in days needs a \"value\" column in the query", d.File)
	}
	dims := make([]string, len(indicators.Dimensions))
	for i, dim := range indicators.Dimensions {
		dims[i] = "NULL"
		if contains(d.Breakdowns, dim) {
			dims[i] = "q." + dim + "::VARCHAR"
		}
	}
	denominator, value, status := "NULL", valueExpr(d.Unit), "'final'"
	if cols["denominator"] {
		denominator = "q.denominator"
	}
	if cols["value"] {
		value = "q.value"
	}
	if cols["status"] {
		status = "coalesce(q.status, 'final')"
	}
	insert := fmt.Sprintf(`INSERT INTO ind.values
		SELECT ?, ?, q.dep::VARCHAR, q.period, q.territory::VARCHAR, %s,
		       q.numerator, %s, %s, ?, %s
		FROM (%s) q`,
		strings.Join(dims, ", "), denominator, value, status, query)
	r, err := tx.ExecContext(ctx, insert, runID, d.ID, d.Unit)
	if err != nil {
		return 0, fmt.Errorf("%s: compute: %w", d.File, err)
	}
	return r.RowsAffected()
}

// valueExpr is how a value follows from numerator and denominator.
func valueExpr(unit string) string {
	ratio := func(scale string) string {
		return "CASE WHEN q.denominator > 0 THEN " + scale + " * q.numerator / q.denominator END"
	}
	switch unit {
	case "%":
		return ratio("100.0")
	case "‰":
		return ratio("1000.0")
	case "per100k":
		return ratio("100000.0")
	case "ratio":
		return ratio("1.0")
	}
	return "q.numerator"
}

func describe(c string) string {
	if c == "dep" || c == "period" || c == "territory" || c == "numerator" {
		return "required of every indicator"
	}
	return "as a breakdown"
}

func columns(ctx context.Context, tx *sql.Tx, query string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, "DESCRIBE "+query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	names, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cols[fmt.Sprint(vals[0])] = true
	}
	return cols, rows.Err()
}

func tableExists(ctx context.Context, tx *sql.Tx, name string) error {
	schema, table, ok := strings.Cut(name, ".")
	if !ok {
		schema, table = "main", name
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("no such table or view in the warehouse")
	}
	return nil
}

func listLiteral(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
