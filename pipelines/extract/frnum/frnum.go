// Package frnum parses numbers, counts, percentages, dates and durations as
// French administrative software and spreadsheets write them: decimal comma
// or point, thousands separated by a space, a no-break space (U+00A0) or a
// narrow no-break space (U+202F), dates dd/mm/yyyy or yyyy-mm-dd, durations
// h:mm or decimal hours.
//
// Every function is pure and returns a *SyntaxError that says what was
// expected; the caller adds the file, line and column.
package frnum

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// What each parser expects, in words, for error messages.
const (
	ExpectNumber  = "a number (decimal comma or point, thousands separated by spaces, e.g. 1 545,5)"
	ExpectPercent = "a percentage (e.g. 19,8 %)"
	ExpectCount   = "a count (whole number ≥ 0)"
	ExpectDate    = "a date dd/mm/yyyy or yyyy-mm-dd"
	ExpectHours   = "a duration h:mm (minutes below 60) or decimal hours (e.g. 1,5)"
)

// SyntaxError reports a value that does not read as what was expected.
type SyntaxError struct {
	Value    string // the value as given
	Expected string // what was expected, in words
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%q: expected %s", e.Value, e.Expected)
}

func fail(s, expected string) *SyntaxError { return &SyntaxError{Value: s, Expected: expected} }

var errRange = errors.New("number out of range")

// decimal is the validated shape of a number: its sign, its digits with the
// thousands separators removed, and its fraction digits.
type decimal struct {
	neg      bool
	intPart  string // as written, separators included
	frac     string // digits after the decimal separator, without it
	grouped  bool   // intPart holds thousands separators
	hasPoint bool   // a decimal separator was present
}

// scanDecimal checks s (already trimmed) against the grammar
// [+-]? digits-with-groups ([.,] digits)? and splits it.
func scanDecimal(s string, signed bool) (decimal, bool) {
	var d decimal
	if s == "" {
		return d, false
	}
	if signed && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	i, group, groups := 0, 0, 0
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' {
			group++
			i++
			continue
		}
		n := separatorLen(s[i:])
		if n == 0 {
			break
		}
		// A separator closes a group: the first of 1–3 digits, the
		// others of exactly 3.
		if group == 0 || group > 3 || (groups > 0 && group != 3) {
			return d, false
		}
		groups++
		group = 0
		i += n
	}
	if group == 0 || (groups > 0 && group != 3) {
		return d, false
	}
	d.intPart, d.grouped = s[:i], groups > 0
	rest := s[i:]
	if rest == "" {
		return d, true
	}
	if rest[0] != ',' && rest[0] != '.' {
		return d, false
	}
	d.hasPoint, d.frac = true, rest[1:]
	if d.frac == "" || !allDigits(d.frac) {
		return d, false
	}
	return d, true
}

// separatorLen returns the byte length of the thousands separator at the
// start of s, or 0.
func separatorLen(s string) int {
	switch {
	case s[0] == ' ':
		return 1
	case strings.HasPrefix(s, "\u00a0"):
		return len("\u00a0")
	case strings.HasPrefix(s, "\u202f"):
		return len("\u202f")
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Number parses a decimal number: `1545,5`, `1 545,5`, `-0.25`, `+3`.
func Number(s string) (float64, error) {
	t := strings.TrimSpace(s)
	d, ok := scanDecimal(t, true)
	if !ok {
		return 0, fail(s, ExpectNumber)
	}
	v, err := d.float()
	if err != nil {
		return 0, fail(s, ExpectNumber)
	}
	return v, nil
}

// float converts the validated decimal, without allocating for numbers of
// usual length.
func (d decimal) float() (float64, error) {
	var buf [64]byte
	b := buf[:0]
	if d.neg {
		b = append(b, '-')
	}
	for i := 0; i < len(d.intPart); i++ {
		if c := d.intPart[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	if d.hasPoint {
		b = append(b, '.')
		b = append(b, d.frac...)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, errRange
	}
	return v, nil
}

// Percent parses a percentage, with or without its sign: `19,8%`,
// `19,8 %` and `19,8` are all 19.8.
func Percent(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t = strings.TrimSpace(p)
	}
	d, ok := scanDecimal(t, true)
	if !ok {
		return 0, fail(s, ExpectPercent)
	}
	v, err := d.float()
	if err != nil {
		return 0, fail(s, ExpectPercent)
	}
	return v, nil
}

// Count parses a non-negative whole number. Thousands separators are
// allowed, and a zero fraction (`12,0`, as spreadsheets write counts) is
// accepted.
func Count(s string) (int64, error) {
	t := strings.TrimSpace(s)
	d, ok := scanDecimal(t, false)
	if !ok || strings.Trim(d.frac, "0") != "" {
		return 0, fail(s, ExpectCount)
	}
	var n int64
	for i := 0; i < len(d.intPart); i++ {
		c := d.intPart[i]
		if c < '0' || c > '9' {
			continue
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, fail(s, ExpectCount)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// Date parses `dd/mm/yyyy`, `d/m/yyyy` or `yyyy-mm-dd` and checks that the
// day exists. The result is midnight UTC.
func Date(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	var y, m, d int
	var ok bool
	if strings.IndexByte(t, '/') >= 0 {
		d, m, y, ok = split3(t, '/', 2, 2, 4)
	} else {
		y, m, d, ok = split3(t, '-', 4, 2, 2)
		// ISO dates are written with exactly two digits of month and day.
		ok = ok && len(t) == len("2006-01-02")
	}
	if !ok || m < 1 || m > 12 || d < 1 {
		return time.Time{}, fail(s, ExpectDate)
	}
	if last := daysIn(time.Month(m), y); d > last {
		return time.Time{}, fail(s, fmt.Sprintf("a date that exists (%s %d has %d days)", time.Month(m), y, last))
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// split3 splits s into three numbers separated by sep, of at most w1 and w2
// digits and exactly w3 digits for the last (or at least one digit for the
// first when it is the year).
func split3(s string, sep byte, w1, w2, w3 int) (a, b, c int, ok bool) {
	p1, r, ok1 := strings.Cut(s, string(sep))
	p2, p3, ok2 := strings.Cut(r, string(sep))
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	if !allDigits(p1) || !allDigits(p2) || !allDigits(p3) {
		return 0, 0, 0, false
	}
	if w1 == 4 { // yyyy-mm-dd
		if len(p1) != 4 || len(p2) > w2 || len(p3) > w3 {
			return 0, 0, 0, false
		}
	} else if len(p1) > w1 || len(p2) > w2 || len(p3) != w3 {
		return 0, 0, 0, false
	}
	return atoi(p1), atoi(p2), atoi(p3), true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Hours parses a duration in hours: `1:30` (h:mm, also h:mm:ss) is 1.5,
// and so is the decimal `1,5`. Negative durations are errors.
func Hours(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if strings.IndexByte(t, ':') < 0 {
		d, ok := scanDecimal(t, false)
		if !ok {
			return 0, fail(s, ExpectHours)
		}
		v, err := d.float()
		if err != nil {
			return 0, fail(s, ExpectHours)
		}
		return v, nil
	}
	parts := strings.Split(t, ":")
	if len(parts) > 3 || !allDigits(parts[0]) || len(parts[0]) > 6 {
		return 0, fail(s, ExpectHours)
	}
	h := float64(atoi(parts[0]))
	for i, p := range parts[1:] {
		if len(p) != 2 || !allDigits(p) || atoi(p) >= 60 {
			return 0, fail(s, ExpectHours)
		}
		h += float64(atoi(p)) / math.Pow(60, float64(i+1))
	}
	return h, nil
}
