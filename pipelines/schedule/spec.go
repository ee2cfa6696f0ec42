package schedule

import (
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// parser accepts standard 5-field specs, 6-field specs with a leading
// seconds field, and descriptors such as @daily.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// specReference is the instant from which ValidateSpec checks that a spec
// fires at all (cron looks five years ahead at most).
var specReference = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// ValidateSpec reports whether spec is a schedule the scheduler accepts: a
// 5-field cron expression (minute hour day-of-month month day-of-week), the
// same with a leading seconds field, or a descriptor (@yearly, @monthly,
// @weekly, @daily, @midnight, @hourly). @every and TZ=/CRON_TZ= prefixes are
// refused: every schedule runs on the scheduler's wall clock.
func ValidateSpec(spec string) error {
	_, err := parseSpec(spec)
	return err
}

// parseSpec parses spec into a schedule evaluated on a UTC-carried wall
// clock (see timetable).
func parseSpec(spec string) (*cron.SpecSchedule, error) {
	parsed, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	s, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("cron spec %q: @every is not supported, use a cron expression", spec)
	}
	if s.Location != time.Local {
		return nil, fmt.Errorf("cron spec %q: time zone prefixes are not supported, schedules run in the scheduler's time zone", spec)
	}
	wall := *s
	wall.Location = time.UTC
	if wall.Next(specReference).IsZero() {
		return nil, fmt.Errorf("cron spec %q: %w", spec, errNeverFires)
	}
	return &wall, nil
}

var errNeverFires = errors.New("never fires (impossible date)")

// timetable computes firing instants of a cron spec on the wall clock of
// loc, with these daylight-saving rules:
//
//   - A wall time that does not exist (spring forward, 02:00–02:59 in
//     Europe/Paris on the last Sunday of March) fires at the first instant
//     after the gap (03:00 CEST). Several such wall times collapse into
//     that single firing.
//   - A wall time that happens twice (fall back, 02:00–02:59 on the last
//     Sunday of October) fires only at its first occurrence (CEST). Each
//     wall time fires at most once, so a job matching every minute pauses
//     during the repeated hour.
type timetable struct {
	spec *cron.SpecSchedule // Location is UTC: it carries wall times
	loc  *time.Location
}

// next returns the first firing instant strictly after after, in loc, or
// the zero time if the spec never fires again.
func (tt timetable) next(after time.Time) time.Time {
	w := wallOf(after, tt.loc)
	// The second round only runs when after lies in the second pass of a
	// repeated hour; a third one is never needed.
	for range 3 {
		w = tt.spec.Next(w)
		if w.IsZero() {
			return time.Time{}
		}
		if t := resolve(w, tt.loc); t.After(after) {
			return t
		}
		// w's first occurrence is over: resume where the repeated hour
		// ends.
		w = foldEnd(after, tt.loc).Add(-time.Nanosecond)
	}
	return time.Time{}
}

// latest returns the latest firing instant in (from, now], if any.
func (tt timetable) latest(from, now time.Time) (time.Time, bool) {
	// Walk forward over windows ending at now that double in length, so
	// that the cost depends on the spacing of firings near now, not on
	// how long ago from is.
	for window := time.Hour; ; window *= 2 {
		start := now.Add(-window)
		if !start.After(from) {
			start = from
		}
		var found time.Time
		for t := tt.next(start); !t.IsZero() && !t.After(now); t = tt.next(t) {
			found = t
		}
		if !found.IsZero() {
			return found, true
		}
		if start.Equal(from) {
			return time.Time{}, false
		}
	}
}

// wallOf returns the wall-clock reading of t in loc, carried in UTC.
func wallOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// resolve returns the instant at which the wall time w (carried in UTC)
// happens in loc: its first occurrence, or the end of the gap if it falls
// in one.
func resolve(w time.Time, loc *time.Location) time.Time {
	// Offsets in force half a day around w; time zones here change at
	// most once a day.
	_, before := w.Add(-12 * time.Hour).In(loc).Zone()
	_, after := w.Add(12 * time.Hour).In(loc).Zone()
	var first time.Time
	for _, offset := range []int{before, after} {
		t := w.Add(-time.Duration(offset) * time.Second)
		if wallOf(t, loc).Equal(w) && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if !first.IsZero() {
		return first.In(loc)
	}
	// w is in a gap: read with the old offset it lands after the change,
	// in the zone period that starts right where the gap ends.
	start, _ := w.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()
	return start
}

// foldEnd returns the wall time (carried in UTC) at which the repeated
// hour containing t ends: the transition's wall time read with the old
// offset.
func foldEnd(t time.Time, loc *time.Location) time.Time {
	start, _ := t.In(loc).ZoneBounds()
	_, newOffset := start.Zone()
	_, oldOffset := start.Add(-time.Nanosecond).In(loc).Zone()
	return wallOf(start, loc).Add(time.Duration(oldOffset-newOffset) * time.Second)
}
