package schedule

import (
	"strings"
	"testing"
	"time"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at parses an RFC 3339 instant.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func table(t testing.TB, spec string) timetable {
	t.Helper()
	s, err := parseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	return timetable{spec: s, loc: paris(t)}
}

func TestValidateSpec(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr string // "" for a valid spec
	}{
		{"30 2 * * *", ""},
		{"0 6 * * 1-5", ""},
		{"*/15 * * * *", ""},
		{"0 30 2 * * *", ""},
		{"* * * * * *", ""},
		{"@hourly", ""},
		{"@daily", ""},
		{"@midnight", ""},
		{"@weekly", ""},
		{"0 0 29 2 *", ""},
		{"", "empty spec string"},
		{"61 * * * *", "end of range (61) above maximum (59)"},
		{"* * * *", "expected 5 to 6 fields, found 4"},
		{"1 2 3 4 5 6 7", "expected 5 to 6 fields, found 7"},
		{"@every 1h", "@every is not supported"},
		{"@sometimes", "unrecognized descriptor"},
		{"CRON_TZ=UTC 30 2 * * *", "time zone prefixes are not supported"},
		{"TZ=Europe/Paris 30 2 * * *", "time zone prefixes are not supported"},
		{"0 0 30 2 *", "never fires"},
		{"0 0 31 4 *", "never fires"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			err := ValidateSpec(tt.spec)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateSpec(%q) = %v, want nil", tt.spec, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateSpec(%q) = nil, want an error containing %q", tt.spec, tt.wantErr)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantErr) || !strings.Contains(msg, `"`+tt.spec+`"`) {
				t.Errorf("ValidateSpec(%q) = %q, want it to quote the spec and contain %q", tt.spec, msg, tt.wantErr)
			}
		})
	}
}

// TestNextDaylightSaving pins the firing instants around both 2026
// transitions in Europe/Paris (CET = UTC+1, CEST = UTC+2; spring forward
// 2026-03-29 at 02:00 CET = 01:00Z, fall back 2026-10-25 at 03:00 CEST =
// 01:00Z).
func TestNextDaylightSaving(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		after string
		want  string
	}{
		// Spring forward: 02:30 does not exist, the job runs at 03:00 CEST.
		{"0230 night before", "30 2 * * *", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z"},
		{"0230 after gap run", "30 2 * * *", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
		{"0130 spring", "30 1 * * *", "2026-03-28T00:30:00Z", "2026-03-29T00:30:00Z"},
		{"0330 spring", "30 3 * * *", "2026-03-28T02:30:00Z", "2026-03-29T01:30:00Z"},
		{"0300 spring", "0 3 * * *", "2026-03-28T02:00:00Z", "2026-03-29T01:00:00Z"},
		{"0200 spring", "0 2 * * *", "2026-03-28T01:00:00Z", "2026-03-29T01:00:00Z"},
		{"quarter hours into gap", "*/15 * * * *", "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z"},
		{"quarter hours after gap", "*/15 * * * *", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"},
		{"seconds into gap", "* * * * * *", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z"},
		{"gap minutes collapse", "* 2 * * *", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z"},
		{"gap minutes then next day", "* 2 * * *", "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"},
		// Fall back: 02:30 happens twice, the job runs at the first (CEST).
		{"0230 fall first", "30 2 * * *", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z"},
		{"0230 fall not twice", "30 2 * * *", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		{"0230 from second pass", "30 2 * * *", "2026-10-25T01:10:00Z", "2026-10-26T01:30:00Z"},
		{"0130 fall", "30 1 * * *", "2026-10-24T23:00:00Z", "2026-10-24T23:30:00Z"},
		{"0330 fall", "30 3 * * *", "2026-10-24T01:30:00Z", "2026-10-25T02:30:00Z"},
		{"quarter hours pause in repeat", "*/15 * * * *", "2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z"},
		{"quarter hours from second pass", "*/15 * * * *", "2026-10-25T01:10:00Z", "2026-10-25T02:00:00Z"},
		{"seconds from second pass", "* * * * * *", "2026-10-25T01:59:58Z", "2026-10-25T02:00:00Z"},
		// Ordinary days and descriptors.
		{"hourly", "@hourly", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"},
		{"daily is Paris midnight", "@daily", "2026-06-01T10:00:00Z", "2026-06-01T22:00:00Z"},
		{"sub-second after", "30 2 * * *", "2026-06-01T00:29:59.5Z", "2026-06-01T00:30:00Z"},
		{"leap day", "0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-28T23:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := table(t, tt.spec).next(at(t, tt.after))
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("next(%q after %s) = %s, want %s", tt.spec, tt.after, got.UTC().Format(time.RFC3339), tt.want)
			}
		})
	}
}

// oracleFires reports whether a schedule with the package's daylight
// saving rules fires at instant x, computed independently from next:
// every matching wall time fires at its first occurrence, and the first
// instant after a gap fires if any wall time in the gap matched.
func oracleFires(tt timetable, x time.Time) bool {
	matches := func(w time.Time) bool { return tt.spec.Next(w.Add(-time.Second)).Equal(w) }
	w := wallOf(x, tt.loc)
	prevWall := wallOf(x.Add(-time.Second), tt.loc)
	if gap := w.Sub(prevWall) - time.Second; gap > 0 {
		for g := prevWall.Add(time.Second); !g.After(w); g = g.Add(time.Second) {
			if matches(g) {
				return true
			}
		}
		return false
	}
	if !matches(w) {
		return false
	}
	// Europe/Paris repeats wall times one hour apart.
	return !wallOf(x.Add(-time.Hour), tt.loc).Equal(w)
}

// TestNextOracle compares chains of next with a second-by-second scan of
// six hours around both transitions, from several starting instants.
func TestNextOracle(t *testing.T) {
	specs := []string{
		"30 2 * * *", "0 2 * * *", "59 2 * * *", "0 3 * * *", "30 1-3 * * *",
		"*/15 * * * *", "0 * * * *", "* 2 * * *", "30 * 2 * * *", "*/20 59 1 * * *",
	}
	windows := [][2]string{
		{"2026-03-28T22:00:00Z", "2026-03-29T04:00:00Z"},
		{"2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z"},
	}
	for _, spec := range specs {
		tt := table(t, spec)
		for _, win := range windows {
			from, to := at(t, win[0]), at(t, win[1])
			var want []time.Time
			for x := from.Add(time.Second); !x.After(to); x = x.Add(time.Second) {
				if oracleFires(tt, x) {
					want = append(want, x)
				}
			}
			for start := from; start.Before(to); start = start.Add(7 * time.Minute) {
				i := 0
				for i < len(want) && !want[i].After(start) {
					i++
				}
				for got := tt.next(start); !got.After(to); got = tt.next(got) {
					if i >= len(want) || !got.Equal(want[i]) {
						var w time.Time
						if i < len(want) {
							w = want[i]
						}
						t.Fatalf("%q from %s: fired at %s, oracle says %s", spec, start.UTC(), got.UTC(), w.UTC())
					}
					i++
				}
				if i != len(want) {
					t.Fatalf("%q from %s: missed oracle firing at %s", spec, start.UTC(), want[i].UTC())
				}
			}
		}
	}
}

func TestMissedSlot(t *testing.T) {
	const lookBack = DefaultLookBack
	tests := []struct {
		name   string
		spec   string
		last   string // "" if the job never succeeded
		now    string
		want   string // "" if nothing was missed
		wantOK bool
	}{
		{"three nights missed", "30 2 * * *", "2026-03-02T01:30:00Z", "2026-03-05T07:00:00Z", "2026-03-05T01:30:00Z", true},
		{"up to date", "30 2 * * *", "2026-03-05T01:30:00Z", "2026-03-05T07:00:00Z", "", false},
		{"success later than slot", "30 2 * * *", "2026-03-05T06:00:00Z", "2026-03-05T07:00:00Z", "", false},
		{"slot is now", "30 2 * * *", "2026-03-04T01:30:00Z", "2026-03-05T01:30:00Z", "2026-03-05T01:30:00Z", true},
		{"never ran", "30 2 * * *", "", "2026-03-05T07:00:00Z", "2026-03-05T01:30:00Z", true},
		{"ran long ago", "30 2 * * *", "2020-01-01T00:00:00Z", "2026-03-05T07:00:00Z", "2026-03-05T01:30:00Z", true},
		{"success in the future", "30 2 * * *", "2026-03-06T00:00:00Z", "2026-03-05T07:00:00Z", "", false},
		{"missed on spring-forward night", "30 2 * * *", "2026-03-28T01:30:00Z", "2026-03-29T07:00:00Z", "2026-03-29T01:00:00Z", true},
		{"monthly missed", "0 5 1 * *", "2026-01-01T04:00:00Z", "2026-03-15T00:00:00Z", "2026-03-01T04:00:00Z", true},
		{"yearly never ran", "0 0 1 1 *", "", "2026-06-01T00:00:00Z", "2025-12-31T23:00:00Z", true},
		{"leap day beyond look-back", "0 0 29 2 *", "", "2026-06-01T00:00:00Z", "", false},
		{"every second", "* * * * * *", "2026-03-05T06:00:00Z", "2026-03-05T07:00:00.5Z", "2026-03-05T07:00:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last time.Time
			if tt.last != "" {
				last = at(t, tt.last)
			}
			got, ok := missedSlot(table(t, tt.spec), last, tt.last != "", at(t, tt.now), lookBack)
			var want time.Time
			if tt.want != "" {
				want = at(t, tt.want)
			}
			if ok != tt.wantOK || !got.Equal(want) {
				t.Errorf("missedSlot = %s, %v; want %s, %v", got.UTC(), ok, want.UTC(), tt.wantOK)
			}
		})
	}
}

func FuzzValidateSpec(f *testing.F) {
	for _, s := range []string{"30 2 * * *", "*/15 1-3 * * 1,3", "0 30 2 * * *", "@daily", "0 0 29 2 *", "1-70/0 * * * *", "@every 1s", "TZ=X * * * * *"} {
		f.Add(s, int64(1774746000)) // 2026-03-29T01:00:00Z
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64) {
		s, err := parseSpec(spec)
		if err != nil {
			return
		}
		after := time.Unix(unix%(1<<32), 0) // 1970 to 2106
		tt := timetable{spec: s, loc: loc}
		got := tt.next(after)
		if !got.IsZero() && !got.After(after) {
			t.Fatalf("next(%q after %s) = %s, not after", spec, after, got)
		}
	})
}

func BenchmarkNext(b *testing.B) {
	for _, spec := range []string{"30 2 * * *", "* * * * * *"} {
		b.Run(spec, func(b *testing.B) {
			tt := table(b, spec)
			t0 := at(b, "2026-03-28T00:00:00Z")
			t := t0
			for b.Loop() {
				if t = tt.next(t); t.IsZero() {
					t = t0
				}
			}
		})
	}
}

func BenchmarkMissedSlot(b *testing.B) {
	tt := table(b, "30 2 * * *")
	last, now := at(b, "2025-01-01T00:00:00Z"), at(b, "2026-03-05T07:00:00Z")
	for b.Loop() {
		missedSlot(tt, last, true, now, DefaultLookBack)
	}
}
