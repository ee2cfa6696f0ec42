// Package schedule runs the nightly refresh jobs on cron schedules in the
// Europe/Paris time zone.
//
// It parses specs with robfig/cron v3 but drives its own loop on a Clock,
// which fixes what cron.Cron gets wrong for nightly jobs:
//
//   - daylight saving: a job set in the skipped hour of spring forward runs
//     once, at the end of the gap (02:30 runs at 03:00 CEST); a job set in
//     the repeated hour of fall back runs once, at its first occurrence
//     (02:30 CEST);
//   - catch-up: at start, a job whose latest scheduled time has no recorded
//     success since runs once at once, for that latest missed time;
//   - a job never overlaps itself; a panic is a failed run; transient
//     errors are retried with exponential backoff; runs get a context.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zoneinfo database
)

// Job is a named cron schedule.
type Job struct {
	Name string
	Spec string // see ValidateSpec
}

// Trigger says why a job runs.
type Trigger string

// Triggers.
const (
	TriggerSchedule Trigger = "schedule" // its scheduled time came
	TriggerCatchUp  Trigger = "catch-up" // its latest scheduled time was missed
	TriggerManual   Trigger = "manual"   // someone asked for it
)

// RunFunc runs one job. scheduledFor is the scheduled time it runs for (for
// a catch-up, the latest missed one). ctx is cancelled when the scheduler
// stops.
type RunFunc func(ctx context.Context, job string, scheduledFor time.Time, trigger Trigger) error

// Ledger reports past runs, for catch-up.
type Ledger interface {
	// LastSuccess returns the latest scheduled (or start) time of a
	// successful run of job; ok is false if it never succeeded. A success
	// at or after a scheduled time covers it.
	LastSuccess(job string) (t time.Time, ok bool, err error)
}

// Result describes a finished run, for Options.OnResult.
type Result struct {
	Job          string
	ScheduledFor time.Time
	Trigger      Trigger
	Attempts     int
	Err          error // nil on success
}

// Options configures a Scheduler. Every field is optional.
type Options struct {
	Location *time.Location // default Europe/Paris
	Clock    Clock          // default System
	Ledger   Ledger         // nil: no catch-up
	Retry    RetryPolicy    // zero value: DefaultRetry
	Logger   *slog.Logger   // default slog.Default()
	// IsPermanent, if set, marks more errors as not worth retrying (for
	// example errors.Is(err, extract.ErrRejected)).
	IsPermanent func(error) bool
	// OnResult, if set, is called after each run, once the job is idle
	// again: for alerting, metrics and tests. It must not block long.
	OnResult func(Result)
	// LookBack bounds the catch-up search for a job that never succeeded
	// or succeeded long ago. Default 366 days.
	LookBack time.Duration
}

// DefaultLookBack is the default Options.LookBack.
const DefaultLookBack = 366 * 24 * time.Hour

// maxSleep caps a single wait, so that a wall clock that jumps (a
// suspended virtual machine, a corrected clock) delays a firing by at most
// this much.
const maxSleep = time.Minute

// Scheduler runs jobs on their schedules. Create it with New.
type Scheduler struct {
	jobs    []*job
	run     RunFunc
	opts    Options
	log     *slog.Logger
	started atomic.Bool
	runs    sync.WaitGroup // runs in flight
}

type job struct {
	name    string
	table   timetable
	next    time.Time // owned by the Run loop
	running atomic.Bool
}

// New validates the jobs and options and returns a Scheduler.
func New(jobs []Job, run RunFunc, opts Options) (*Scheduler, error) {
	if run == nil {
		return nil, errors.New("schedule: nil RunFunc")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	s := &Scheduler{run: run, opts: opts, log: opts.Logger}
	seen := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		if j.Name == "" {
			return nil, fmt.Errorf("schedule: job with spec %q has no name", j.Spec)
		}
		if seen[j.Name] {
			return nil, fmt.Errorf("schedule: job %q is defined twice", j.Name)
		}
		seen[j.Name] = true
		spec, err := parseSpec(j.Spec)
		if err != nil {
			return nil, fmt.Errorf("schedule: job %q: %w", j.Name, err)
		}
		s.jobs = append(s.jobs, &job{name: j.Name, table: timetable{spec: spec, loc: opts.Location}})
	}
	return s, nil
}

func (o *Options) setDefaults() error {
	if o.Location == nil {
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			return fmt.Errorf("load time zone: %w", err)
		}
		o.Location = paris
	}
	if o.Clock == nil {
		o.Clock = System
	}
	if o.Retry == (RetryPolicy{}) {
		o.Retry = DefaultRetry
	}
	if err := o.Retry.validate(); err != nil {
		return err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LookBack <= 0 {
		o.LookBack = DefaultLookBack
	}
	return nil
}

// Next returns the next time job fires after t, or false if there is no
// such job.
func (s *Scheduler) Next(name string, t time.Time) (time.Time, bool) {
	for _, j := range s.jobs {
		if j.name == name {
			return j.table.next(t), true
		}
	}
	return time.Time{}, false
}

// Run runs catch-ups, then fires jobs on schedule until ctx is cancelled.
// It then starts no new run, and returns once the running ones (whose
// context is ctx's) have returned. It returns nil after such a stop; it
// may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("schedule: Run called twice")
	}
	defer s.runs.Wait()

	now := s.opts.Clock.Now()
	for _, j := range s.jobs {
		if slot, ok := s.missed(j, now); ok {
			s.start(ctx, j, slot, TriggerCatchUp)
		}
		j.next = j.table.next(now)
		s.log.Info("job scheduled", "job", j.name, "next", j.next)
	}
	for {
		wake, ok := s.earliest()
		if !ok {
			s.log.Warn("no job will ever fire again")
			<-ctx.Done()
			return nil
		}
		select {
		case <-ctx.Done():
		case <-s.opts.Clock.After(min(wake.Sub(s.opts.Clock.Now()), maxSleep)):
		}
		if ctx.Err() != nil {
			s.log.Info("scheduler stopping", "cause", context.Cause(ctx))
			return nil
		}
		s.fireDue(ctx, s.opts.Clock.Now())
	}
}

// earliest returns the earliest next firing of all jobs.
func (s *Scheduler) earliest() (time.Time, bool) {
	var first time.Time
	for _, j := range s.jobs {
		if !j.next.IsZero() && (first.IsZero() || j.next.Before(first)) {
			first = j.next
		}
	}
	return first, !first.IsZero()
}

// fireDue starts the jobs whose next firing is at or before now, for their
// latest due scheduled time, and plans their next firing.
func (s *Scheduler) fireDue(ctx context.Context, now time.Time) {
	for _, j := range s.jobs {
		if j.next.IsZero() || j.next.After(now) {
			continue
		}
		slot := j.next
		for t := j.table.next(slot); !t.IsZero() && !t.After(now); t = j.table.next(t) {
			slot = t // woken late: only the latest scheduled time runs
		}
		s.start(ctx, j, slot, TriggerSchedule)
		j.next = j.table.next(now)
	}
}

// missed returns the latest scheduled time of j at or before now that no
// recorded success covers.
func (s *Scheduler) missed(j *job, now time.Time) (time.Time, bool) {
	if s.opts.Ledger == nil {
		return time.Time{}, false
	}
	last, ok, err := s.opts.Ledger.LastSuccess(j.name)
	if err != nil {
		s.log.Error("catch-up skipped: cannot read the run history", "job", j.name, "err", err)
		return time.Time{}, false
	}
	return missedSlot(j.table, last, ok, now, s.opts.LookBack)
}

// missedSlot returns the latest firing of tt in (last, now], looking back
// at most lookBack from now.
func missedSlot(tt timetable, last time.Time, ok bool, now time.Time, lookBack time.Duration) (time.Time, bool) {
	from := now.Add(-lookBack)
	if ok && last.After(from) {
		from = last
	}
	return tt.latest(from, now)
}

// start runs j in the background unless it is already running.
func (s *Scheduler) start(ctx context.Context, j *job, slot time.Time, trigger Trigger) {
	if !j.running.CompareAndSwap(false, true) {
		s.log.Warn("job still running: firing skipped", "job", j.name, "scheduled_for", slot, "trigger", trigger)
		return
	}
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		res := s.execute(ctx, j.name, slot, trigger)
		j.running.Store(false)
		if s.opts.OnResult != nil {
			s.opts.OnResult(res)
		}
	}()
}

// execute runs a job, retrying transient errors, and logs the outcome.
func (s *Scheduler) execute(ctx context.Context, name string, slot time.Time, trigger Trigger) Result {
	log := s.log.With("job", name, "scheduled_for", slot, "trigger", trigger)
	res := Result{Job: name, ScheduledFor: slot, Trigger: trigger}
	began := s.opts.Clock.Now()
	log.Info("job started")
	for {
		res.Attempts++
		err := s.attempt(ctx, name, slot, trigger)
		if err == nil {
			log.Info("job succeeded", "attempts", res.Attempts, "elapsed", s.opts.Clock.Now().Sub(began))
			return res
		}
		res.Err = fmt.Errorf("job %q (%s for %s), attempt %d of %d: %w",
			name, trigger, slot.Format(time.RFC3339), res.Attempts, s.opts.Retry.Attempts, err)
		if res.Attempts >= s.opts.Retry.Attempts || permanent(err, s.opts.IsPermanent) || ctx.Err() != nil {
			log.Error("job failed", "attempts", res.Attempts, "err", err)
			return res
		}
		wait := s.opts.Retry.backoff(res.Attempts)
		log.Warn("job failed, will retry", "attempt", res.Attempts, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			log.Error("job failed, retry abandoned: scheduler stopping", "attempts", res.Attempts, "err", err)
			return res
		case <-s.opts.Clock.After(wait):
		}
	}
}

// attempt calls the RunFunc once, turning a panic into a *PanicError.
func (s *Scheduler) attempt(ctx context.Context, name string, slot time.Time, trigger Trigger) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return s.run(ctx, name, slot, trigger)
}
