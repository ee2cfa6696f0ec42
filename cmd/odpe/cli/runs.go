package cli

import (
	"fmt"
	"strconv"

	"github.com/odpe/odpe/pipelines/refresh"
)

func runRuns(e *env, args []string) int {
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(e.ctx)
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	switch {
	case len(args) == 0:
		err = query(e, db, `SELECT run_id, trigger, status, started_at, finished_at,
			files_read, files_loaded, files_rejected, rows_loaded, message
			FROM meta.runs ORDER BY run_id DESC LIMIT 20`, "table")
	case len(args) == 2 && args[0] == "show":
		id, perr := strconv.ParseInt(args[1], 10, 64)
		if perr != nil {
			return e.fail(fmt.Errorf("run id %q: expected a number", args[1]))
		}
		if err = query(e, db, fmt.Sprintf(`SELECT * FROM meta.runs WHERE run_id = %d`, id), "json"); err == nil {
			fmt.Fprintln(e.stdout, "Files:")
			if err = query(e, db, fmt.Sprintf(`SELECT job, path, status, rows_read, rows_loaded, sha256 FROM meta.files WHERE run_id = %d ORDER BY file_id`, id), "table"); err == nil {
				fmt.Fprintln(e.stdout, "Steps:")
				if err = query(e, db, fmt.Sprintf(`SELECT step, round(seconds, 3) AS seconds, rows FROM meta.run_steps WHERE run_id = %d`, id), "table"); err != nil {
					return e.fail(err)
				}
				fmt.Fprintln(e.stdout, "Errors:")
				err = query(e, db, fmt.Sprintf(`SELECT job, path, message FROM meta.run_errors WHERE run_id = %d`, id), "table")
			}
		}
	default:
		fmt.Fprintln(e.stderr, "usage: odpe runs [show ID]")
		return ExitError
	}
	if err != nil {
		return e.fail(err)
	}
	return ExitOK
}
