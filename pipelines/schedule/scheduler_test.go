package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// run is one call of the RunFunc, as a test saw it.
type run struct {
	Job          string
	ScheduledFor string // RFC 3339 in UTC
	Trigger      Trigger
	At           string // fake clock reading when the call began
}

// recorder is a RunFunc that records its calls; block, if set, is called
// inside each run.
type recorder struct {
	clock *FakeClock
	mu    sync.Mutex
	runs  []run
	block func(ctx context.Context) error
}

func (r *recorder) run(ctx context.Context, job string, scheduledFor time.Time, trigger Trigger) error {
	r.mu.Lock()
	r.runs = append(r.runs, run{job, utc(scheduledFor), trigger, utc(r.clock.Now())})
	r.mu.Unlock()
	if r.block != nil {
		return r.block(ctx)
	}
	return nil
}

func (r *recorder) calls() []run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]run(nil), r.runs...)
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// harness runs a Scheduler on a FakeClock in the background.
type harness struct {
	t      *testing.T
	clock  *FakeClock
	rec    *recorder
	s      *Scheduler
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

type ledger map[string]time.Time

func (l ledger) LastSuccess(job string) (time.Time, bool, error) {
	t, ok := l[job]
	return t, ok, nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start builds a Scheduler at now and runs it until the test ends.
func start(t *testing.T, now time.Time, jobs []Job, opts Options, block func(context.Context) error) *harness {
	t.Helper()
	h := &harness{t: t, clock: NewFakeClock(now), done: make(chan error, 1), logs: &syncBuffer{}}
	h.rec = &recorder{clock: h.clock, block: block}
	opts.Clock = h.clock
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, nil))
	s, err := New(jobs, h.rec.run, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		h.wait()
	})
	return h
}

// block waits until n After channels of the fake clock are pending.
func (h *harness) block(n int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.clock.BlockUntil(ctx, n); err != nil {
		h.t.Fatal(err)
	}
}

// settle waits until the loop waits on the clock and no run is in flight.
func (h *harness) settle() {
	h.t.Helper()
	h.block(1)
	h.s.runs.Wait()
}

// advanceTo moves the clock to end, one pending deadline at a time,
// letting every run finish at each step.
func (h *harness) advanceTo(end time.Time) {
	h.t.Helper()
	for {
		h.settle()
		next, ok := h.clock.NextDeadline()
		if !ok || next.After(end) {
			h.clock.Set(end)
			h.settle()
			return
		}
		h.clock.Set(next)
	}
}

// wait returns Run's result once it has returned.
func (h *harness) wait() error {
	h.t.Helper()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(10 * time.Second):
		h.t.Fatal("Run did not return")
		return nil
	}
}

func assertRuns(t *testing.T, got, want []run) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d runs, want %d:\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("run %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDaylightSavingNights(t *testing.T) {
	loc := paris(t)
	jobs := []Job{{"early", "30 1 * * *"}, {"nightly", "30 2 * * *"}, {"late", "30 3 * * *"}}
	r := func(job, when string) run {
		return run{Job: job, ScheduledFor: when, Trigger: TriggerSchedule, At: when}
	}
	tests := []struct {
		name       string
		start, end time.Time
		want       []run
	}{
		{
			name:  "spring forward 2026-03-29",
			start: time.Date(2026, time.March, 28, 12, 0, 0, 0, loc),
			end:   time.Date(2026, time.March, 30, 12, 0, 0, 0, loc),
			want: []run{
				r("early", "2026-03-29T00:30:00Z"),   // 01:30 CET
				r("nightly", "2026-03-29T01:00:00Z"), // 02:30 does not exist: 03:00 CEST
				r("late", "2026-03-29T01:30:00Z"),    // 03:30 CEST
				r("early", "2026-03-29T23:30:00Z"),   // 01:30 CEST
				r("nightly", "2026-03-30T00:30:00Z"),
				r("late", "2026-03-30T01:30:00Z"),
			},
		},
		{
			name:  "fall back 2026-10-25",
			start: time.Date(2026, time.October, 24, 12, 0, 0, 0, loc),
			end:   time.Date(2026, time.October, 26, 12, 0, 0, 0, loc),
			want: []run{
				r("early", "2026-10-24T23:30:00Z"),   // 01:30 CEST
				r("nightly", "2026-10-25T00:30:00Z"), // first 02:30 (CEST) only
				r("late", "2026-10-25T02:30:00Z"),    // 03:30 CET
				r("early", "2026-10-26T00:30:00Z"),   // 01:30 CET
				r("nightly", "2026-10-26T01:30:00Z"),
				r("late", "2026-10-26T02:30:00Z"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.start, jobs, Options{Location: loc}, nil)
			h.advanceTo(tt.end)
			assertRuns(t, h.rec.calls(), tt.want)
		})
	}
}

func TestNoOverlap(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	finished := make(chan Result, 10)
	block := func(ctx context.Context) error {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	t0 := time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC)
	h := start(t, t0, []Job{{"slow", "* * * * * *"}}, Options{OnResult: func(r Result) { finished <- r }}, block)
	h.block(1)

	h.clock.Advance(time.Second)
	<-started
	for range 5 { // the run is busy for five more firings
		h.block(1)
		h.clock.Advance(time.Second)
	}
	h.block(1)
	if n := len(h.rec.calls()); n != 1 {
		t.Fatalf("%d runs while the first one was busy, want 1", n)
	}
	release <- struct{}{}
	if r := <-finished; r.Err != nil || r.Attempts != 1 {
		t.Fatalf("first run: %+v", r)
	}
	h.clock.Advance(time.Second)
	<-started
	release <- struct{}{}
	<-finished
	h.settle()

	want := []run{
		{"slow", "2026-06-01T08:00:01Z", TriggerSchedule, "2026-06-01T08:00:01Z"},
		{"slow", "2026-06-01T08:00:07Z", TriggerSchedule, "2026-06-01T08:00:07Z"},
	}
	assertRuns(t, h.rec.calls(), want)
	if n := strings.Count(h.logs.String(), "firing skipped"); n != 5 {
		t.Errorf("logged %d skipped firings, want 5", n)
	}
}

func TestCatchUp(t *testing.T) {
	loc := paris(t)
	now := time.Date(2026, time.March, 5, 8, 0, 0, 0, loc)
	tests := []struct {
		name   string
		ledger ledger
		want   []run
	}{
		{
			name:   "missed three nights",
			ledger: ledger{"nightly": time.Date(2026, time.March, 2, 2, 30, 0, 0, loc)},
			want:   []run{{"nightly", "2026-03-05T01:30:00Z", TriggerCatchUp, "2026-03-05T07:00:00Z"}},
		},
		{
			name:   "never ran",
			ledger: ledger{},
			want:   []run{{"nightly", "2026-03-05T01:30:00Z", TriggerCatchUp, "2026-03-05T07:00:00Z"}},
		},
		{
			name:   "up to date",
			ledger: ledger{"nightly": time.Date(2026, time.March, 5, 2, 30, 0, 0, loc)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, now, []Job{{"nightly", "30 2 * * *"}}, Options{Ledger: tt.ledger}, nil)
			h.settle()
			assertRuns(t, h.rec.calls(), tt.want)

			// The next night runs on schedule as usual.
			h.advanceTo(now.AddDate(0, 0, 1))
			want := append(tt.want, run{"nightly", "2026-03-06T01:30:00Z", TriggerSchedule, "2026-03-06T01:30:00Z"})
			assertRuns(t, h.rec.calls(), want)
		})
	}
}

type brokenLedger struct{}

func (brokenLedger) LastSuccess(string) (time.Time, bool, error) {
	return time.Time{}, false, errors.New("warehouse locked")
}

func TestCatchUpLedgerError(t *testing.T) {
	h := start(t, time.Date(2026, time.March, 5, 7, 0, 0, 0, time.UTC), []Job{{"nightly", "30 2 * * *"}}, Options{Ledger: brokenLedger{}}, nil)
	h.settle()
	if calls := h.rec.calls(); len(calls) != 0 {
		t.Errorf("runs = %v, want none", calls)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "catch-up skipped") || !strings.Contains(logs, "warehouse locked") {
		t.Errorf("logs do not report the ledger error:\n%s", logs)
	}
}

func TestStopWaitsForRunningJob(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var cancelled bool
	block := func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		cancelled = true
		<-release // the run takes its time to wind down
		return ctx.Err()
	}
	t0 := time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC)
	jobs := []Job{{"slow", "* * * * * *"}, {"other", "*/2 * * * * *"}}
	h := start(t, t0, jobs, Options{Retry: RetryPolicy{Attempts: 1}}, block)
	h.block(1)
	h.clock.Advance(time.Second) // "slow" starts
	<-started
	h.block(1)
	h.cancel()
	h.clock.Advance(time.Second) // "other" is due, racing with the stop: it must not start

	select {
	case <-h.done:
		t.Fatal("Run returned while a run was still going")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := h.wait(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if !cancelled {
		t.Error("the running job's context was not cancelled")
	}
	want := []run{{"slow", "2026-06-01T08:00:01Z", TriggerSchedule, "2026-06-01T08:00:01Z"}}
	assertRuns(t, h.rec.calls(), want)
}

func TestPanicIsAFailedRun(t *testing.T) {
	results := make(chan Result, 1)
	h := start(t, time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC), []Job{{"buggy", "0 * * * *"}},
		Options{OnResult: func(r Result) { results <- r }, Retry: RetryPolicy{Initial: time.Second, Max: time.Second, Attempts: 3}},
		func(context.Context) error { panic("index out of range") })
	h.block(1)
	h.clock.Advance(time.Hour)
	r := <-results
	var p *PanicError
	if !errors.As(r.Err, &p) || p.Value != "index out of range" || r.Attempts != 1 {
		t.Fatalf("result = %+v (err %v), want one attempt failing with the panic", r, r.Err)
	}
	// The scheduler goes on.
	h.settle()
	h.clock.Advance(time.Hour)
	<-results
	if n := len(h.rec.calls()); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

var errFlaky = errors.New("network share unavailable")

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		policy   RetryPolicy
		wantGaps []time.Duration
	}{
		{"capped", RetryPolicy{Initial: time.Second, Max: 4 * time.Second, Attempts: 6},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}},
		{"uncapped", RetryPolicy{Initial: time.Second, Max: time.Hour, Attempts: 4},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"no retry", RetryPolicy{Attempts: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC))
			var attempts []time.Time
			run := func(context.Context, string, time.Time, Trigger) error {
				attempts = append(attempts, clock.Now())
				return fmt.Errorf("copy file: %w", errFlaky)
			}
			s, err := New(nil, run, Options{Clock: clock, Retry: tt.policy, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan Result, 1)
			go func() { done <- s.execute(context.Background(), "flaky", clock.Now(), TriggerManual) }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for range tt.wantGaps {
				if err := clock.BlockUntil(ctx, 1); err != nil {
					t.Fatal(err)
				}
				next, _ := clock.NextDeadline()
				clock.Set(next)
			}
			res := <-done
			var gaps []time.Duration
			for i := 1; i < len(attempts); i++ {
				gaps = append(gaps, attempts[i].Sub(attempts[i-1]))
			}
			if fmt.Sprint(gaps) != fmt.Sprint(tt.wantGaps) {
				t.Errorf("gaps between attempts = %v, want %v", gaps, tt.wantGaps)
			}
			if !errors.Is(res.Err, errFlaky) || res.Attempts != tt.policy.Attempts {
				t.Errorf("result = %d attempts, %v; want %d attempts failing with %v", res.Attempts, res.Err, tt.policy.Attempts, errFlaky)
			}
			wantMsg := fmt.Sprintf(`job "flaky" (manual for 2026-06-01T08:00:00Z), attempt %d of %d: copy file: network share unavailable`, tt.policy.Attempts, tt.policy.Attempts)
			if res.Err.Error() != wantMsg {
				t.Errorf("error = %q, want %q", res.Err, wantMsg)
			}
		})
	}
}

type permanentErr struct{ permanent bool }

func (e permanentErr) Error() string   { return fmt.Sprintf("permanent=%v", e.permanent) }
func (e permanentErr) Permanent() bool { return e.permanent }

var errRejected = errors.New("rejected file")

func TestPermanentErrors(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		wantAttempts int
	}{
		{"wraps ErrPermanent", fmt.Errorf("load: %w", ErrPermanent), 1},
		{"Permanent helper", Permanent(errors.New("bad header")), 1},
		{"Permanent method true", fmt.Errorf("load: %w", permanentErr{true}), 1},
		{"Permanent method false", permanentErr{false}, 3},
		{"IsPermanent option", fmt.Errorf("load: %w", errRejected), 1},
		{"transient", errFlaky, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC))
			attempts := 0
			run := func(context.Context, string, time.Time, Trigger) error {
				attempts++
				return tt.err
			}
			s, err := New(nil, run, Options{
				Clock:       clock,
				Retry:       RetryPolicy{Initial: time.Second, Max: time.Second, Attempts: 3},
				Logger:      slog.New(slog.DiscardHandler),
				IsPermanent: func(err error) bool { return errors.Is(err, errRejected) },
			})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan Result, 1)
			go func() { done <- s.execute(context.Background(), "load", clock.Now(), TriggerSchedule) }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for range tt.wantAttempts - 1 {
				if err := clock.BlockUntil(ctx, 1); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Second)
			}
			res := <-done
			if res.Attempts != tt.wantAttempts || attempts != tt.wantAttempts || !errors.Is(res.Err, tt.err) {
				t.Errorf("result = %d attempts (%d calls), %v; want %d attempts failing with %v", res.Attempts, attempts, res.Err, tt.wantAttempts, tt.err)
			}
		})
	}
}

func TestRetryAbandonedOnStop(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC))
	s, err := New(nil, func(context.Context, string, time.Time, Trigger) error { return errFlaky },
		Options{Clock: clock, Retry: RetryPolicy{Initial: time.Minute, Max: time.Minute, Attempts: 5}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- s.execute(ctx, "load", clock.Now(), TriggerSchedule) }()
	if err := clock.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if res := <-done; res.Attempts != 1 || !errors.Is(res.Err, errFlaky) {
		t.Errorf("result = %+v, want 1 attempt failing with %v", res, errFlaky)
	}
}

func TestNewErrors(t *testing.T) {
	noop := func(context.Context, string, time.Time, Trigger) error { return nil }
	tests := []struct {
		name    string
		jobs    []Job
		run     RunFunc
		opts    Options
		wantErr string
	}{
		{"bad spec", []Job{{"nightly", "30 25 * * *"}}, noop, Options{},
			`schedule: job "nightly": cron spec "30 25 * * *": end of range (25) above maximum (23): 25`},
		{"duplicate", []Job{{"a", "@daily"}, {"a", "@hourly"}}, noop, Options{}, `schedule: job "a" is defined twice`},
		{"no name", []Job{{"", "@daily"}}, noop, Options{}, `schedule: job with spec "@daily" has no name`},
		{"no run", nil, nil, Options{}, "schedule: nil RunFunc"},
		{"no attempts", nil, noop, Options{Retry: RetryPolicy{Initial: time.Second}}, "schedule: retry policy: attempts 0, want at least 1"},
		{"max below initial", nil, noop, Options{Retry: RetryPolicy{Initial: time.Minute, Max: time.Second, Attempts: 2}},
			"schedule: retry policy: max backoff 1s is below the initial 1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.jobs, tt.run, tt.opts)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("New() error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunTwice(t *testing.T) {
	h := start(t, time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC), []Job{{"a", "@daily"}}, Options{}, nil)
	h.block(1)
	if err := h.s.Run(context.Background()); err == nil {
		t.Error("second Run returned nil, want an error")
	}
}

func TestSchedulerNext(t *testing.T) {
	s, err := New([]Job{{"nightly", "30 2 * * *"}}, func(context.Context, string, time.Time, Trigger) error { return nil }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := s.Next("nightly", at(t, "2026-03-28T12:00:00Z"))
	if want := "2026-03-29T03:00:00+02:00"; !ok || got.Format(time.RFC3339) != want {
		t.Errorf("Next = %s, %v; want %s", got.Format(time.RFC3339), ok, want)
	}
	if _, ok := s.Next("missing", time.Now()); ok {
		t.Error("Next of an unknown job reported ok")
	}
}

func TestRetryPolicyBackoff(t *testing.T) {
	p := RetryPolicy{Initial: 30 * time.Second, Max: 10 * time.Minute, Attempts: 10}
	var got []string
	for attempt := 1; attempt <= 7; attempt++ {
		got = append(got, p.backoff(attempt).String())
	}
	if want := "[30s 1m0s 2m0s 4m0s 8m0s 10m0s 10m0s]"; fmt.Sprint(got) != want {
		t.Errorf("backoffs = %v, want %s", got, want)
	}
}
