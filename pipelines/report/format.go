package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Typographic spaces of French numbers: a narrow no-break space between
// groups of thousands, a no-break space before a unit.
const (
	thinSpace = "\u202f"
	nbsp      = "\u00a0"
	minus     = "\u2212"
)

// decimals is how many decimals a value of unit is shown with.
func decimals(unit string) int {
	switch unit {
	case "%", "‰", "per100k":
		return 1
	case "ratio":
		return 2
	}
	return 0
}

// Number formats v the French way with d decimals: "12 345,6", "−3,2".
func Number(v float64, d int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', d, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != strconv.FormatFloat(0, 'f', d, 64) {
		b.WriteString(minus)
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thinSpace)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(",")
		b.WriteString(frac)
	}
	return b.String()
}

// Value formats a value of an indicator of unit with its unit: "12,3 %",
// "4,5 ‰", "1 234 h".
func Value(v float64, unit string) string {
	d := decimals(unit)
	if d == 1 && v != 0 && math.Abs(v) < 1 {
		d = 2 // 0,44 ‰, not 0,4 ‰
	}
	n := Number(v, d)
	switch unit {
	case "%":
		return n + nbsp + "%"
	case "‰":
		return n + nbsp + "‰"
	case "per100k":
		return n + nbsp + "pour 100" + nbsp + "000"
	case "days":
		return n + nbsp + "jours"
	case "hours":
		return n + nbsp + "h"
	}
	return n
}

// UnitLabel says in words what a value of unit is, for an axis.
func UnitLabel(unit string) string {
	switch unit {
	case "count":
		return "effectif"
	case "%":
		return "en %"
	case "‰":
		return "pour 1" + nbsp + "000"
	case "per100k":
		return "pour 100" + nbsp + "000"
	case "days":
		return "en jours"
	case "hours":
		return "en heures"
	case "ratio":
		return "rapport"
	}
	return unit
}

// IsShare reports whether evolutions of unit are differences in points.
func IsShare(unit string) bool {
	return unit == "%" || unit == "‰" || unit == "per100k" || unit == "ratio"
}

// Evolution says in words how a value moved since the year before:
// "+2,3 points par rapport à 2024", "−4,1 % par rapport à 2024",
// "stable par rapport à 2024".
func Evolution(evolution float64, unit string, previousYear int) string {
	d := decimals(unit)
	if !IsShare(unit) {
		d = 1
	}
	n := Number(evolution, d)
	if n == Number(0, d) {
		return fmt.Sprintf("stable par rapport à %d", previousYear)
	}
	if evolution > 0 {
		n = "+" + n
	}
	what := nbsp + "%"
	if IsShare(unit) {
		what = nbsp + "point"
		if math.Abs(evolution) >= 2 {
			what += "s"
		}
	}
	return fmt.Sprintf("%s%s par rapport à %d", n, what, previousYear)
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// Date formats t the French way: "6 décembre 2026".
func Date(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// statusLabel is a value's status in words ("" for a final value).
func statusLabel(status string) string {
	switch status {
	case "provisional":
		return "provisoire"
	case "incomplete":
		return "incomplet"
	}
	return ""
}
