// Package population reads INSEE population estimates at 1 January in the
// long layout of the Melodi catalogue (DS_ESTIMATION_POPULATION): one row
// per place, year, sex and age band, into raw.population. Places are a
// département (`DEP-62`, `2024-DEP-62`) or an MDS territory of the mapping,
// for files the observatory derives by territory in the same layout.
package population

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "insee_population"

const (
	table = "population"
	// measure is the EP_MEASURE kept when the column exists.
	measure = "POP_JAN_1ST"
)

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "INSEE population estimates at 1 January by sex and age band (Melodi CSV)",
		Pattern:     "*.csv",
		Tables:      []string{table},
		Retention:   extract.Accumulate,
		Concurrent:  true,
		New:         extract.NoOptions("insee_population", job{}),
	})
}

type job struct{}

// place is where a row's population lives.
type place struct {
	level, geo, dep string
}

// depGeo matches a département in GEO: DEP-62, 2024-DEP-2A, DEP-974.
var depGeo = regexp.MustCompile(`^(?:[0-9]{4}-)?DEP-([0-9]{2,3}|2[AB])$`)

// ages reads an age band: Y0T4, Y_GE100, Y_LT5, Y15, _T.
var (
	ageRange = regexp.MustCompile(`^Y([0-9]{1,3})T([0-9]{1,3})$`)
	ageOne   = regexp.MustCompile(`^Y([0-9]{1,3})$`)
	ageGE    = regexp.MustCompile(`^Y_GE([0-9]{1,3})$`)
	ageLT    = regexp.MustCompile(`^Y_LT([0-9]{1,3})$`)
)

// band is an age band's bounds; nil for no bound.
type band struct{ min, max any }

func ageBand(s string) (band, bool) {
	num := func(d string) int { n, _ := strconv.Atoi(d); return n }
	switch {
	case s == "_T":
		return band{}, true
	case ageRange.MatchString(s):
		m := ageRange.FindStringSubmatch(s)
		lo, hi := num(m[1]), num(m[2])
		return band{lo, hi}, lo <= hi
	case ageOne.MatchString(s):
		n := num(ageOne.FindStringSubmatch(s)[1])
		return band{n, n}, true
	case ageGE.MatchString(s):
		return band{num(ageGE.FindStringSubmatch(s)[1]), nil}, true
	case ageLT.MatchString(s):
		n := num(ageLT.FindStringSubmatch(s)[1])
		return band{0, n - 1}, n > 0
	}
	return band{}, false
}

var sexes = map[string]bool{"F": true, "M": true, "_T": true}

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var geo, sex, age, period, value frcsv.Col
	for _, c := range []struct {
		col  *frcsv.Col
		name string
	}{{&geo, "GEO"}, {&sex, "SEX"}, {&age, "AGE"}, {&period, "TIME_PERIOD"}, {&value, "OBS_VALUE"}} {
		if *c.col, err = r.Column(c.name); err != nil {
			return 0, err
		}
	}
	epMeasure := r.Optional("EP_MEASURE")
	places := frcsv.NewMemo(func(s string) (place, bool) { return placeOf(s, env) })
	bands := frcsv.NewMemo(ageBand)

	type key struct{ geo, year, sex, age string }
	seen := map[key]int{}
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		if epMeasure.Present() && r.Get(epMeasure) != measure {
			continue
		}
		p, ok := places.Get(r.Get(geo))
		if !ok {
			return n, r.Errorf(geo, "a département (DEP-62, 2024-DEP-62) or an MDS territory of the mapping")
		}
		year, err := strconv.Atoi(r.Get(period))
		if err != nil || year < 1900 || year > 2100 {
			return n, r.Errorf(period, "a year (1900 to 2100)")
		}
		s := r.Get(sex)
		if !sexes[s] {
			return n, r.Errorf(sex, "F, M or _T")
		}
		a := r.Get(age)
		b, ok := bands.Get(a)
		if !ok {
			return n, r.Errorf(age, "an age band Y0T4, Y_GE100, Y_LT20, Y15 or _T")
		}
		pop, ok, err := r.Number(value)
		if err != nil {
			return n, err
		}
		if !ok || pop < 0 {
			return n, r.Errorf(value, "a population (number ≥ 0)")
		}
		k := key{p.level + "-" + p.geo, r.Get(period), s, a}
		if first, dup := seen[k]; dup {
			return n, r.Errorf(value, fmt.Sprintf("one value per place, year, sex and age (%s %s %s %s is already on %s)", p.geo, k.year, s, a, r.Where(first)))
		}
		seen[k] = r.Line()
		if err := sink.Append(table, p.dep, p.level, p.geo, year, s, a, b.min, b.max, pop); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}

// placeOf reads GEO: a département code, or a territory of the mapping
// (whose département is the job's).
func placeOf(s string, env *extract.Env) (place, bool) {
	if m := depGeo.FindStringSubmatch(s); m != nil {
		return place{level: "DEP", geo: m[1], dep: m[1]}, true
	}
	if code, ok := env.Territories.Resolve(s); ok {
		return place{level: "TERR", geo: code, dep: env.Departement}, true
	}
	return place{}, false
}
