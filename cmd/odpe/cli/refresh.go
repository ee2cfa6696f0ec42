package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/warehouse"
)

func runRefresh(e *env, args []string) int {
	fs := e.flags("refresh")
	force := fs.Bool("force", false, "recompute indicators and exports even if no source changed")
	rekey := fs.Bool("rekey", false, "accept a new pseudonymisation key: reload every file carrying identifiers with it (all or nothing)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: odpe refresh [--force] [--rekey]")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	return e.refresh(cfg, refresh.Options{Force: *force, Rekey: *rekey})
}

func runJobs(e *env, args []string) int {
	fs := e.flags("run")
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "usage: odpe run JOB…")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	return e.refresh(cfg, refresh.Options{Jobs: fs.Args()})
}

// refresh runs a refresh, prints its report and returns the exit code.
func (e *env) refresh(cfg *configs.Config, opts refresh.Options) int {
	opts.Logger = e.log
	if opts.Trigger == "" {
		opts.Trigger = "manual"
	}
	var sent []profile.Transmission
	transmitted := func(t profile.Transmission) { sent = append(sent, t) }
	opts.Export = exporter(cfg, nil, e.log, transmitted)
	opts.Republish = republisher(cfg, e.log, transmitted)
	opts.Progress = newProgress(e.stderr)
	rep, err := refresh.Run(e.ctx, cfg, opts)
	printReport(e, rep)
	for _, t := range sent {
		if t.Made || t.Err != nil {
			// A package not written leaves the publication done: the
			// exit code is the refresh's.
			printTransmission(e, t)
		}
	}
	switch {
	case rep.Status == refresh.Failed:
		return ExitFailed
	case errors.Is(err, warehouse.ErrLocked):
		fmt.Fprintf(e.stderr, "odpe: %v\n", err)
		return ExitFailed
	case err != nil:
		return e.fail(err)
	case rep.Status == refresh.Partial:
		return ExitPartial
	}
	return ExitOK
}

func printReport(e *env, rep *refresh.Report) {
	if rep == nil {
		return
	}
	w := e.stdout
	switch rep.Status {
	case refresh.NoChange:
		fmt.Fprintln(w, "Nothing changed since the last refresh: warehouse left as it is.")
	case refresh.Failed:
		fmt.Fprintf(w, "Refresh FAILED (run %d): the previous warehouse is kept.\n  %v\n", rep.RunID, rep.Err)
	case refresh.Success, refresh.Partial:
		fmt.Fprintf(w, "Refresh %s (run %d) in %s: %d file(s) loaded, %s row(s); %d rejected.\n",
			rep.Status, rep.RunID, rep.Finished.Sub(rep.Started).Round(time.Millisecond),
			rep.FilesLoaded, frInt(rep.RowsLoaded), rep.FilesRejected)
	}
	for _, r := range rep.Rejected {
		fmt.Fprintf(w, "  rejected [%s] %s\n", r.Job, r.Message)
	}
	if len(rep.Republished) > 0 {
		fmt.Fprintf(w, "  exports published again from the current warehouse (the last refresh did not publish them): %s\n",
			strings.Join(rep.Republished, ", "))
	}
	for _, p := range rep.NotReady {
		fmt.Fprintf(w, "  not ready (still being written?): %s\n", p)
	}
}

// frInt formats a count the French way: 1 234 567.
func frInt(n int64) string {
	s := fmt.Sprint(n)
	out := []byte{}
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}
