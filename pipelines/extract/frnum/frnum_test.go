package frnum

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"1545,5", 1545.5, true},
		{"1545.5", 1545.5, true},
		{"1 545,5", 1545.5, true},
		{"1\u00a0545,5", 1545.5, true},
		{"1\u202f545,5", 1545.5, true},
		{"12 345 678", 12345678, true},
		{" -0,25 ", -0.25, true},
		{"+3", 3, true},
		{"007", 7, true},
		{"1,2,3", 0, false},
		{"1.234,5", 0, false},
		{"12a", 0, false},
		{"", 0, false},
		{"   ", 0, false},
		{"-", 0, false},
		{",5", 0, false},
		{"5,", 0, false},
		{"1e5", 0, false},
		{"inf", 0, false},
		{"NaN", 0, false},
		{"1234 567", 0, false},
		{"1 23", 0, false},
		{"1  234", 0, false},
		{" 1 234 ", 1234, true},
		{"1 234,5 6", 0, false},
		{"--1", 0, false},
		{strings.Repeat("9", 400), 0, false},
	}
	for _, tt := range tests {
		got, err := Number(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Number(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNumberError(t *testing.T) {
	_, err := Number("1,2,3")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Value != "1,2,3" || se.Expected != ExpectNumber {
		t.Fatalf("Number error = %#v", err)
	}
	want := `"1,2,3": expected a number (decimal comma or point, thousands separated by spaces, e.g. 1 545,5)`
	if err.Error() != want {
		t.Errorf("message = %s\nwant      %s", err, want)
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"19,8%", 19.8, true},
		{"19,8 %", 19.8, true},
		{"19,8\u00a0%", 19.8, true},
		{"19.8", 19.8, true},
		{"100 %", 100, true},
		{"-2,5%", -2.5, true},
		{"%", 0, false},
		{"19,8%%", 0, false},
		{"abc %", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := Percent(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Percent(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"12", 12, true},
		{"12,0", 12, true},
		{"12.00", 12, true},
		{"15 935", 15935, true},
		{"15\u00a0935", 15935, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-3", 0, false},
		{"+3", 0, false},
		{"2,5", 0, false},
		{"1.234", 0, false},
		{"", 0, false},
		{"douze", 0, false},
		{"12,", 0, false},
	}
	for _, tt := range tests {
		got, err := Count(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Count(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"17/02/2022", day(2022, 2, 17), ""},
		{"7/2/2022", day(2022, 2, 7), ""},
		{" 2022-02-17 ", day(2022, 2, 17), ""},
		{"29/02/2024", day(2024, 2, 29), ""},
		{"31/12/1999", day(1999, 12, 31), ""},
		{"29/02/2023", time.Time{}, `"29/02/2023": expected a date that exists (February 2023 has 28 days)`},
		{"31/04/2024", time.Time{}, `"31/04/2024": expected a date that exists (April 2024 has 30 days)`},
		{"00/01/2024", time.Time{}, `"00/01/2024": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"01/13/2024", time.Time{}, `"01/13/2024": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"17/02/22", time.Time{}, `"17/02/22": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"2022-2-17", time.Time{}, `"2022-2-17": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"17-02-2022", time.Time{}, `"17-02-2022": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"17/02/2022 10:00", time.Time{}, `"17/02/2022 10:00": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"", time.Time{}, `"": expected a date dd/mm/yyyy or yyyy-mm-dd`},
		{"1/2/3/2024", time.Time{}, `"1/2/3/2024": expected a date dd/mm/yyyy or yyyy-mm-dd`},
	}
	for _, tt := range tests {
		got, err := Date(tt.in)
		var msg string
		if err != nil {
			msg = err.Error()
		}
		if msg != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("Date(%q) = %v, %q; want %v, %q", tt.in, got, msg, tt.want, tt.wantErr)
		}
	}
}

func TestHours(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1:30", 1.5, true},
		{"0:30", 0.5, true},
		{"10:00", 10, true},
		{"1:30:00", 1.5, true},
		{"0:00:36", 0.01, true},
		{"1,5", 1.5, true},
		{"2", 2, true},
		{"1:60", 0, false},
		{"1:5", 0, false},
		{":30", 0, false},
		{"-1:30", 0, false},
		{"-1,5", 0, false},
		{"1h30", 0, false},
		{"1:30:00:00", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := Hours(tt.in)
		if (err == nil) != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Hours(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// frenchGrouped writes n with thousands separated by sep.
func frenchGrouped(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1 545,5", "-0.25", "1,2,3", "1\u00a0000", "", "9e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Number(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("Number(%q) = %v", s, v)
		}
		// What reads as a number reads the same as a percentage.
		if p, err := Percent(s + " %"); err != nil || p != v {
			t.Fatalf("Percent(%q) = %v, %v; Number gave %v", s+" %", p, err, v)
		}
	})
}

func FuzzNumberRoundTrip(f *testing.F) {
	f.Add(uint64(1545), uint16(5), uint8(0))
	f.Add(uint64(0), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, whole uint64, frac uint16, sep uint8) {
		seps := []string{" ", "\u00a0", "\u202f"}
		s := frenchGrouped(whole, seps[int(sep)%len(seps)]) + "," + strconv.Itoa(int(frac))
		want, _ := strconv.ParseFloat(strconv.FormatUint(whole, 10)+"."+strconv.Itoa(int(frac)), 64)
		got, err := Number(s)
		if err != nil || got != want {
			t.Fatalf("Number(%q) = %v, %v; want %v", s, got, err, want)
		}
	})
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"12", "12,0", "15 935", "-3", "2,5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Count(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("Count(%q) = %d", s, n)
		}
		// Round trip through the canonical and the grouped spellings.
		for _, w := range []string{strconv.FormatInt(n, 10), frenchGrouped(uint64(n), "\u202f")} {
			if m, err := Count(w); err != nil || m != n {
				t.Fatalf("Count(%q) = %d, %v; want %d", w, m, err, n)
			}
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"17/02/2022", "2022-02-17", "31/02/2024", "1/1/1900", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			return
		}
		for _, layout := range []string{"02/01/2006", "2006-01-02", "2/1/2006"} {
			w := d.Format(layout)
			if e, err := Date(w); err != nil || !e.Equal(d) {
				t.Fatalf("Date(%q) = %v, %v; want %v (from %q)", w, e, err, d, s)
			}
		}
	})
}

func FuzzHours(f *testing.F) {
	for _, s := range []string{"1:30", "1,5", "0:00:36", "1:60", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Hours(s)
		if err != nil {
			return
		}
		if h < 0 || math.IsNaN(h) || math.IsInf(h, 0) {
			t.Fatalf("Hours(%q) = %v", s, h)
		}
	})
}

func FuzzHoursRoundTrip(f *testing.F) {
	f.Add(uint16(1), uint8(30))
	f.Fuzz(func(t *testing.T, h uint16, m uint8) {
		m %= 60
		s := strconv.Itoa(int(h)) + ":" + strconv.Itoa(int(m)/10) + strconv.Itoa(int(m)%10)
		want := float64(h) + float64(m)/60
		if got, err := Hours(s); err != nil || math.Abs(got-want) > 1e-9 {
			t.Fatalf("Hours(%q) = %v, %v; want %v", s, got, err, want)
		}
	})
}

func BenchmarkNumber(b *testing.B) {
	inputs := []string{"1 545,5", "12", "-0.25", "1\u00a0234\u00a0567,89"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Number(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCount(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Count("15 935"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Date("17/02/2022"); err != nil {
			b.Fatal(err)
		}
	}
}
