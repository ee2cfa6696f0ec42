package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/schedule"
	"github.com/odpe/odpe/pipelines/warehouse"
)

// errNotReady asks the scheduler to come back: a file is still being written.
var errNotReady = errors.New("source files still being written")

func runSchedule(e *env, args []string) int {
	fs := e.flags("schedule")
	withServer := fs.Bool("serve", false, "also serve the warehouse over the PostgreSQL protocol (odpe serve), in the same process")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: odpe schedule [--serve]")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	if *withServer {
		// The server never takes the refresh lock, and its sandboxes are
		// DuckDB instances of their own: it lives beside the refreshes.
		wait, err := startServer(e.ctx, e, cfg)
		if err != nil {
			return e.fail(err)
		}
		defer func() {
			if err := wait(); err != nil {
				e.log.Error("odpe serve stopped", "err", err)
			}
		}()
	}
	var jobs []schedule.Job
	for _, j := range cfg.Jobs {
		if j.Schedule != "" {
			jobs = append(jobs, schedule.Job{Name: j.Name, Spec: j.Schedule})
		}
	}
	if len(jobs) == 0 {
		return e.fail(fmt.Errorf("%s: no job has a schedule", cfg.Path))
	}
	r := &scheduledRunner{env: e, cfg: cfg, stop: e.ctx}
	s, err := schedule.New(jobs, r.run, schedule.Options{
		Ledger: ledger{cfg: cfg, ctx: e.ctx},
		Retry: schedule.RetryPolicy{
			Initial: cfg.Scheduler.Retry.Initial, Max: cfg.Scheduler.Retry.Max, Attempts: cfg.Scheduler.Retry.Attempts,
		},
		Logger: e.log,
	})
	if err != nil {
		return e.fail(err)
	}
	e.log.Info("scheduler started", "jobs", len(jobs), "config", cfg.Path)
	if err := s.Run(e.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return e.fail(err)
	}
	e.log.Info("scheduler stopped")
	return ExitOK
}

// scheduledRunner runs one job's refresh for the scheduler.
type scheduledRunner struct {
	env  *env
	cfg  *configs.Config
	stop context.Context // cancelled by SIGTERM / SIGINT
}

func (r *scheduledRunner) run(ctx context.Context, job string, slot time.Time, trigger schedule.Trigger) error {
	// A running refresh may finish within the grace period after a stop.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-time.After(r.cfg.Scheduler.GracePeriod):
				cancel()
			case <-runCtx.Done():
			}
		case <-runCtx.Done():
		}
	}()
	rep, err := refresh.Run(runCtx, r.cfg, refresh.Options{
		Jobs: []string{job}, Trigger: string(trigger), QuietPeriod: r.cfg.Scheduler.QuietPeriod,
		Logger: r.env.log, Export: exporter(r.cfg, nil, r.env.log, nil), Republish: republisher(r.cfg, r.env.log, nil),
	})
	switch {
	case r.stop.Err() != nil && runCtx.Err() != nil:
		// A planned shutdown abandoned the refresh after its grace
		// period: the current warehouse is untouched, nothing failed.
		r.env.log.Info("refresh abandoned at shutdown: the current warehouse is kept", "job", job)
		return context.Canceled
	case errors.Is(err, warehouse.ErrLocked):
		return err // another refresh is running: try again later
	case rep != nil && (rep.Status == refresh.Failed || rep.Status == refresh.Partial):
		r.notify(job, slot, trigger, rep)
		if rep.Status == refresh.Failed {
			return schedule.Permanent(err)
		}
	case err != nil:
		return err
	}
	if rep != nil && len(rep.NotReady) > 0 {
		return fmt.Errorf("%w: %s", errNotReady, strings.Join(rep.NotReady, ", "))
	}
	return nil
}

// notify runs the configured failure command with the run's summary on its
// standard input.
func (r *scheduledRunner) notify(job string, slot time.Time, trigger schedule.Trigger, rep *refresh.Report) {
	if r.cfg.Scheduler.OnFailure == "" {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "ODPE refresh %s: job %s (%s, scheduled for %s), run %d\n", rep.Status, job, trigger,
		slot.Format(time.RFC3339), rep.RunID)
	if rep.Err != nil {
		fmt.Fprintf(&b, "error: %v\nThe previous warehouse is kept.\n", rep.Err)
	}
	for _, f := range rep.Rejected {
		fmt.Fprintf(&b, "rejected file [%s] %s\n", f.Job, f.Message)
	}
	cmd := exec.Command("sh", "-c", r.cfg.Scheduler.OnFailure)
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil {
		r.env.log.Error("failure command failed", "err", err, "output", string(out))
	}
}

// ledger finds a job's last successful run in the warehouse's history.
type ledger struct {
	cfg *configs.Config
	ctx context.Context
}

func (l ledger) LastSuccess(job string) (time.Time, bool, error) {
	db, err := refresh.Store(l.cfg).OpenReadOnly(l.ctx)
	if errors.Is(err, warehouse.ErrNoWarehouse) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	defer db.Close()
	var t *time.Time
	err = db.QueryRowContext(l.ctx, `SELECT max(started_at) FROM meta.runs
		WHERE status IN ('success', 'partial') AND (jobs = '' OR list_contains(string_split(jobs, ','), ?))`, job).Scan(&t)
	if err != nil || t == nil {
		return time.Time{}, false, err
	}
	return *t, true, nil
}
