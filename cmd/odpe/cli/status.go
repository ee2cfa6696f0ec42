package cli

import (
	"database/sql"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/odpe/odpe/pipelines/refresh"
)

func runStatus(e *env, args []string) int {
	if len(args) > 0 {
		fmt.Fprintln(e.stderr, "usage: odpe status")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	store := refresh.Store(cfg)
	db, err := store.OpenReadOnly(e.ctx)
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	cur, _ := store.Current()
	fmt.Fprintf(e.stdout, "Warehouse: %s\n  current version: %s\n", cfg.Warehouse, cur)
	var last, lastRun time.Time
	var lastStatus string
	_ = db.QueryRowContext(e.ctx, `SELECT max(finished_at) FROM meta.runs WHERE status IN ('success', 'partial')`).Scan(&last)
	_ = db.QueryRowContext(e.ctx, `SELECT finished_at, status FROM meta.runs ORDER BY run_id DESC LIMIT 1`).Scan(&lastRun, &lastStatus)
	fmt.Fprintf(e.stdout, "  last successful refresh: %s\n", fmtTime(last))
	if lastStatus != "" && lastStatus != "success" {
		fmt.Fprintf(e.stdout, "  last run: %s, %s (see `odpe runs`)\n", fmtTime(lastRun), lastStatus)
	}
	rows, err := db.QueryContext(e.ctx, `
		WITH latest_error AS (
			SELECT DISTINCT ON (job) job, path, error, loaded_at FROM meta.files
			WHERE status = 'rejected' ORDER BY job, file_id DESC)
		SELECT f.job, any_value(f.kind),
		       count(*) FILTER (WHERE f.status = 'loaded') AS files,
		       coalesce(sum(f.rows_loaded) FILTER (WHERE f.status = 'loaded'), 0) AS rows,
		       max(f.loaded_at) FILTER (WHERE f.status = 'loaded') AS last_load,
		       count(*) FILTER (WHERE f.status = 'rejected') AS rejected,
		       count(*) FILTER (WHERE f.status = 'duplicate') AS duplicates,
		       any_value(e.error) AS last_error
		FROM meta.files f LEFT JOIN latest_error e USING (job)
		GROUP BY f.job ORDER BY f.job`)
	if err != nil {
		return e.fail(err)
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nJOB\tKIND\tFILES\tROWS\tLAST LOAD\tREJECTED\tDUPLICATES\tLAST ERROR")
	for rows.Next() {
		var job, kind string
		var files, rej, dups int
		var nrows int64
		var lastLoad *time.Time
		var lastErr *string
		if err := rows.Scan(&job, &kind, &files, &nrows, &lastLoad, &rej, &dups, &lastErr); err != nil {
			return e.fail(err)
		}
		le := ""
		if lastErr != nil {
			le = *lastErr
		}
		ll := time.Time{}
		if lastLoad != nil {
			ll = *lastLoad
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%d\t%s\n", job, kind, files, frInt(nrows), fmtTime(ll), rej, dups, le)
	}
	tw.Flush()
	if err := rows.Err(); err != nil {
		return e.fail(err)
	}
	if err := printQuality(e, db); err != nil {
		return e.fail(err)
	}
	if r, err := refresh.RejectedCopies(cfg); err == nil {
		fmt.Fprintf(e.stdout, "\nRejected copies: %d file(s), %s byte(s) in %s (readable by the service account only), each kept %s then purged",
			r.Files, frInt(r.Bytes), r.Dir, days(r.Keep))
		if !r.Oldest.IsZero() {
			fmt.Fprintf(e.stdout, "; the oldest, of %s, goes after %s", fmtTime(r.Oldest), fmtTime(r.Oldest.Add(r.Keep)))
		}
		fmt.Fprintln(e.stdout, " (at each refresh, or `odpe purge`).")
	}
	return ExitOK
}

// qualityShown is the number of data-quality lines `odpe status` prints.
const qualityShown = 20

// printQuality prints the rows left out of the indicators (by scope or a
// data problem), the latest years first.
func printQuality(e *env, db *sql.DB) error {
	var total int
	if err := db.QueryRowContext(e.ctx, "SELECT count(*) FROM core.quality_issues").Scan(&total); err != nil {
		return nil // a warehouse not refreshed since the table exists
	}
	fmt.Fprintln(e.stdout, "\nData quality: rows left out of the indicators (table quality_issues)")
	if total == 0 {
		fmt.Fprintln(e.stdout, "  none")
		return nil
	}
	rows, err := db.QueryContext(e.ctx, `SELECT source, coalesce(dep, ''), coalesce(file, ''), coalesce(period::VARCHAR, ''),
		rule, count, unit, coalesce(example, '') FROM core.quality_issues
		ORDER BY period DESC NULLS FIRST, source, dep, rule, file LIMIT ?`, qualityShown)
	if err != nil {
		return err
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tDEP\tFILE\tYEAR\tRULE\tCOUNT\tEXAMPLE")
	for rows.Next() {
		var source, dep, file, period, rule, unit, example string
		var count int64
		if err := rows.Scan(&source, &dep, &file, &period, &rule, &count, &unit, &example); err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s %s\t%s\n", source, dep, file, period, rule, frInt(count), unit, example)
	}
	tw.Flush()
	if total > qualityShown {
		fmt.Fprintf(e.stdout, "(%d of %d lines shown: odpe sql \"SELECT * FROM quality_issues\")\n", qualityShown, total)
	}
	return rows.Err()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
