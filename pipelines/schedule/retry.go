package schedule

import (
	"errors"
	"fmt"
	"time"
)

// ErrPermanent marks a run error that retrying cannot fix. Wrap it (or use
// Permanent) to stop the scheduler from retrying.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so that the scheduler does not retry it. It returns
// nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// RetryPolicy is an exponential backoff: after a failed attempt the
// scheduler waits Initial, then twice as long after each further failure,
// at most Max, and gives up after Attempts attempts in all.
type RetryPolicy struct {
	Initial, Max time.Duration
	Attempts     int
}

// DefaultRetry is used when Options.Retry is the zero value: waits of 30 s,
// 1 min and 2 min between 4 attempts. Use Attempts: 1 to disable retries.
var DefaultRetry = RetryPolicy{Initial: 30 * time.Second, Max: 10 * time.Minute, Attempts: 4}

func (p RetryPolicy) validate() error {
	switch {
	case p.Attempts < 1:
		return fmt.Errorf("retry policy: attempts %d, want at least 1", p.Attempts)
	case p.Attempts > 1 && p.Initial <= 0:
		return fmt.Errorf("retry policy: initial backoff %s, want more than 0", p.Initial)
	case p.Attempts > 1 && p.Max < p.Initial:
		return fmt.Errorf("retry policy: max backoff %s is below the initial %s", p.Max, p.Initial)
	}
	return nil
}

// backoff returns the wait after the given failed attempt (1-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Initial
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// PanicError is the error of a run whose RunFunc panicked. It is permanent.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Permanent reports true: a panic is a bug, retrying will not fix it.
func (e *PanicError) Permanent() bool { return true }

// permanent reports whether err must not be retried: it wraps ErrPermanent,
// or an error whose Permanent method returns true, or extra says so.
func permanent(err error, extra func(error) bool) bool {
	if errors.Is(err, ErrPermanent) {
		return true
	}
	var p interface{ Permanent() bool }
	if errors.As(err, &p) && p.Permanent() {
		return true
	}
	return extra != nil && extra(err)
}
