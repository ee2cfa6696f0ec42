package cli

import (
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
		       any_value(e.error) AS last_error
		FROM meta.files f LEFT JOIN latest_error e USING (job)
		GROUP BY f.job ORDER BY f.job`)
	if err != nil {
		return e.fail(err)
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nJOB\tKIND\tFILES\tROWS\tLAST LOAD\tREJECTED\tLAST ERROR")
	for rows.Next() {
		var job, kind string
		var files, rej int
		var nrows int64
		var lastLoad *time.Time
		var lastErr *string
		if err := rows.Scan(&job, &kind, &files, &nrows, &lastLoad, &rej, &lastErr); err != nil {
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
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\n", job, kind, files, frInt(nrows), fmtTime(ll), rej, le)
	}
	tw.Flush()
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

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
