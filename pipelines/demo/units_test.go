package demo

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDayCivil(t *testing.T) {
	tests := []struct {
		y, m, d int
		want    day
		weekday int
		fr      string
	}{
		{1970, 1, 1, 0, 3, "01/01/1970"},
		{1969, 12, 31, -1, 2, "31/12/1969"},
		{2000, 2, 29, 11016, 1, "29/02/2000"},
		{2025, 11, 21, 20413, 4, "21/11/2025"},
		{1986, 3, 4, 5906, 1, "04/03/1986"},
	}
	for _, tt := range tests {
		got := dayOf(tt.y, tt.m, tt.d)
		if got != tt.want {
			t.Errorf("dayOf(%d, %d, %d) = %d, want %d", tt.y, tt.m, tt.d, got, tt.want)
		}
		if y, m, d := got.civil(); y != tt.y || m != tt.m || d != tt.d {
			t.Errorf("civil(%d) = %d-%d-%d", got, y, m, d)
		}
		if w := got.weekday(); w != tt.weekday {
			t.Errorf("weekday(%s) = %d, want %d", tt.fr, w, tt.weekday)
		}
		if s := string(got.appendFR(nil)); s != tt.fr {
			t.Errorf("appendFR = %q, want %q", s, tt.fr)
		}
	}
	if got := dayOf(2008, 2, 29).addYears(18); got != dayOf(2026, 3, 1) {
		t.Errorf("29/02/2008 + 18 years = %s", got.appendFR(nil))
	}
}

func FuzzDayRoundTrip(f *testing.F) {
	f.Add(int32(0))
	f.Add(int32(-719468))
	f.Add(int32(20413))
	f.Fuzz(func(t *testing.T, n int32) {
		if n < -700000 || n > 2900000 { // years 53 to 9909: four-digit dates
			t.Skip()
		}
		d := day(n)
		y, m, dd := d.civil()
		if dayOf(y, m, dd) != d {
			t.Fatalf("%d -> %d-%d-%d -> %d", n, y, m, dd, dayOf(y, m, dd))
		}
		if want := d.time().Format("02/01/2006"); y >= 1000 && string(d.appendFR(nil)) != want {
			t.Fatalf("appendFR(%d) = %s, want %s", n, d.appendFR(nil), want)
		}
	})
}

func TestAppendNumbers(t *testing.T) {
	tests := []struct {
		v       float64
		count   string
		decimal string
	}{
		{0, "0", "0"},
		{999, "999", "999"},
		{1000, "1\u00a0000", "1\u00a0000"},
		{1545.5, "1\u00a0545", "1\u00a0545,5"},
		{804.5, "804", "804,5"},
		{1234567, "1\u00a0234\u00a0567", "1\u00a0234\u00a0567"},
		{10005.3, "10\u00a0005", "10\u00a0005,3"},
	}
	for _, tt := range tests {
		if got := string(appendCount(nil, int64(tt.v), nbsp)); got != tt.count {
			t.Errorf("appendCount(%v) = %q, want %q", tt.v, got, tt.count)
		}
		if got := string(appendDecimalFR(nil, tt.v, nbsp)); got != tt.decimal {
			t.Errorf("appendDecimalFR(%v) = %q, want %q", tt.v, got, tt.decimal)
		}
	}
	if got := string(appendPadded(nil, 42, 7)); got != "0000042" {
		t.Errorf("appendPadded = %q", got)
	}
}

// FuzzAppendCount checks that a count written the French way reads back.
func FuzzAppendCount(f *testing.F) {
	for _, n := range []int64{0, 7, 1000, 1001, 999999, -1234} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		if n < -1<<62 {
			t.Skip()
		}
		s := string(appendCount(nil, n, nbsp))
		back, err := strconv.ParseInt(strings.ReplaceAll(s, nbsp, ""), 10, 64)
		if err != nil || back != n {
			t.Fatalf("%d written %q, read %d (%v)", n, s, back, err)
		}
		for _, g := range strings.Split(strings.TrimPrefix(s, "-"), nbsp)[1:] {
			if len(g) != 3 {
				t.Fatalf("%d written %q: group %q", n, s, g)
			}
		}
	})
}

func TestSplit(t *testing.T) {
	tests := []struct {
		v       int64
		weights []float64
		want    []int64
	}{
		{10, []float64{0.5, 0.5}, []int64{5, 5}},
		{10, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, []int64{4, 3, 3}},
		{7, []float64{0.1, 0.2, 0.7}, []int64{1, 1, 5}},
		{0, []float64{0.4, 0.6}, []int64{0, 0}},
	}
	for _, tt := range tests {
		got := split(tt.v, tt.weights)
		var sum int64
		for _, x := range got {
			sum += x
		}
		if sum != tt.v || len(got) != len(tt.want) {
			t.Errorf("split(%d, %v) = %v: sum %d", tt.v, tt.weights, got, sum)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("split(%d, %v) = %v, want %v", tt.v, tt.weights, got, tt.want)
				break
			}
		}
	}
}

func TestTable(t *testing.T) {
	tb := newTable(1, 0, 3)
	counts := [3]int{}
	for u := range uint64(4096) {
		counts[tb.draw(u)]++
	}
	if counts != [3]int{1024, 0, 3072} {
		t.Errorf("slots %v, want [1024 0 3072]", counts)
	}
}

func TestWorkingDay(t *testing.T) {
	tests := []struct {
		d    time.Time
		want bool
	}{
		{time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC), true},  // Friday
		{time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC), false}, // Saturday
		{time.Date(2025, 11, 11, 0, 0, 0, 0, time.UTC), false}, // Armistice
		{time.Date(2025, 8, 12, 0, 0, 0, 0, time.UTC), false},  // summer break
		{time.Date(2025, 8, 18, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := workingDay(dayOfTime(tt.d)); got != tt.want {
			t.Errorf("workingDay(%s) = %v, want %v", tt.d.Format(time.DateOnly), got, tt.want)
		}
	}
}
