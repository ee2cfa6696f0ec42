package sdmx

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/odpe/odpe/pipelines/export"
)

// NotApplicable is the code of a breakdown an indicator does not have
// (SDMX's _Z, "not applicable").
const NotApplicable = "_Z"

// FreqAnnual is the FREQ of every observation: the periods are years.
const FreqAnnual = "A"

var (
	bandRe  = regexp.MustCompile(`^(\d+) ?- ?(\d+) ans?$`)
	underRe = regexp.MustCompile(`(?i)^moins de (\d+) ans?$`)
	overRe  = regexp.MustCompile(`(?i)^(\d+) ans? (?:et plus|ou plus)$`)
)

// ValueCode is the code of a breakdown's value: TotalCode for the total
// (export.Total); for an age band, SDMX's age codes ("11-15 ans" is
// Y11T15, "Moins de 11 ans" Y_LT11, "22 ans et plus" Y_GE22); else the
// value in upper snake case, ASCII letters and digits
// ("Établissement (MECS)" is ETABLISSEMENT_MECS, "SPS-62-07" SPS_62_07).
// Two values of one breakdown with one code are an error of the
// structure (see Structure).
func ValueCode(value string) string {
	if value == export.Total {
		return TotalCode
	}
	v := strings.TrimSpace(value)
	if m := bandRe.FindStringSubmatch(v); m != nil {
		return "Y" + m[1] + "T" + m[2]
	}
	if m := underRe.FindStringSubmatch(v); m != nil {
		return "Y_LT" + m[1]
	}
	if m := overRe.FindStringSubmatch(v); m != nil {
		return "Y_GE" + m[1]
	}
	if c := ColumnName(v); c != "" {
		return c
	}
	return "_X" // nothing codable: SDMX's "unspecified"
}

// AreaCode is the REF_AREA of a row: the département's COG code for the
// département, else the territory's code after the département's
// ("62_ARR"): territory codes are local, the département makes them
// unique among all départements.
func AreaCode(dep, territory string) string {
	if territory == export.Total {
		return dep
	}
	return dep + "_" + ColumnName(territory)
}

// coder codes the values of rows, each value once.
type coder map[string]string

func (c coder) code(value string) string {
	if code, ok := c[value]; ok {
		return code
	}
	code := ValueCode(value)
	c[value] = code
	return code
}

// Codes are the codes an indicator's lines use: every area (département
// and territories, as their rows have them) and every value of each
// breakdown, totals aside. The structure message declares them.
type Codes struct {
	Areas  []Area              `json:"areas"`
	Values map[string][]string `json:"values"` // breakdown → values, as the rows have them
}

// Area is a département and a territory of it (export.Total for the
// département itself).
type Area struct {
	Dep       string `json:"dep"`
	Territory string `json:"territory"`
}

// codeSet collects an indicator's Codes as its rows are written.
type codeSet struct {
	areas  map[Area]bool
	values map[string]map[string]bool
	last   map[string]string // the last value of each breakdown: rows repeat them
	area   Area
}

func newCodeSet() *codeSet {
	return &codeSet{areas: map[Area]bool{}, values: map[string]map[string]bool{}, last: map[string]string{}}
}

func (s *codeSet) add(r *export.Row) {
	if a := (Area{r.Dep, r.Territory}); a != s.area { // the zero Area is no row's: Dep is never empty
		s.areas[a], s.area = true, a
	}
	for d, v := range r.Dims {
		if v == export.Total || s.last[d] == v {
			continue
		}
		s.last[d] = v
		if s.values[d] == nil {
			s.values[d] = map[string]bool{}
		}
		s.values[d][v] = true
	}
}

// codes returns the codes collected, sorted.
func (s *codeSet) codes() Codes {
	c := Codes{Values: map[string][]string{}}
	for a := range s.areas {
		c.Areas = append(c.Areas, a)
	}
	slices.SortFunc(c.Areas, func(a, b Area) int {
		return cmp.Or(strings.Compare(a.Dep, b.Dep), strings.Compare(a.Territory, b.Territory))
	})
	for d, vs := range s.values {
		c.Values[d] = slices.Sorted(maps.Keys(vs))
	}
	return c
}

// checkCodes reports two values of one breakdown that share a code.
func checkCodes(dim string, values map[string]string) error {
	seen := map[string]string{}
	for v, code := range values {
		if other, dup := seen[code]; dup {
			a, b := min(v, other), max(v, other)
			return fmt.Errorf("sdmx: breakdown %s: values %q and %q have the same code %s", dim, a, b, code)
		}
		seen[code] = v
	}
	return nil
}
