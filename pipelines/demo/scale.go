package demo

import (
	"fmt"
	"time"
)

// Scale says how much to generate.
type Scale struct {
	Name         string
	Departements []string // COG codes whose own sources (ASE, PMI, reports…) are written
	// FirstYear and LastYear bound the period: populations, births, PMI
	// counts and reports cover it; ASE histories start up to four years
	// before it.
	FirstYear, LastYear int
	// AsOf is the generation's "today", in LastYear: the date of the ASE
	// extract; PMI months from AsOf's month on are not yet exported, nor is
	// the LastYear activity report.
	AsOf time.Time
	// Children is the number of children followed over the period per
	// département, on average: each département gets its share in
	// proportion to its population.
	Children int
	// Services is the number of prévention spécialisée services per
	// département; the last TrajectServices of them also send their
	// TRAJECT planning for the last two years.
	Services, TrajectServices int
	// BirthsDepartements restricts the births files to these départements
	// of residence (and "99", abroad, if listed). Nil writes all of France
	// and abroad: about 750,000 rows a year.
	BirthsDepartements []string
}

// Scales are the predefined scales: "small" for tests and the demo,
// "departement" for one large département over 20 years, "national" for
// the 101 départements.
var Scales = map[string]Scale{
	"small": {
		Name: "small", Departements: []string{"62"},
		FirstYear: 2019, LastYear: 2025, AsOf: time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC),
		Children: 400, Services: 7, TrajectServices: 2,
		BirthsDepartements: []string{"59", "62", "80", abroad},
	},
	"departement": {
		Name: "departement", Departements: []string{"62"},
		FirstYear: 2006, LastYear: 2025, AsOf: time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC),
		Children: 30000, Services: 7, TrajectServices: 2,
	},
	"national": {
		Name: "national", Departements: AllDepartements(),
		FirstYear: 2006, LastYear: 2025, AsOf: time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC),
		Children: 25000, Services: 3, TrajectServices: 1,
	},
}

// validate reports the first inconsistency of s.
func (s Scale) validate() error {
	if len(s.Departements) == 0 {
		return fmt.Errorf("scale %q: no département", s.Name)
	}
	seen := map[string]bool{}
	for _, d := range s.Departements {
		if _, ok := lookupDepartement(d); !ok {
			return fmt.Errorf("scale %q: %q is not a département COG code", s.Name, d)
		}
		if seen[d] {
			return fmt.Errorf("scale %q: département %s listed twice", s.Name, d)
		}
		seen[d] = true
	}
	for _, d := range s.BirthsDepartements {
		if _, ok := lookupDepartement(d); !ok && d != abroad {
			return fmt.Errorf("scale %q: births: %q is not a département COG code nor %s", s.Name, d, abroad)
		}
	}
	switch {
	case s.FirstYear < 1990 || s.LastYear < s.FirstYear+1 || s.LastYear > 2100:
		return fmt.Errorf("scale %q: years %d-%d: want at least two years between 1990 and 2100", s.Name, s.FirstYear, s.LastYear)
	case s.AsOf.Year() != s.LastYear || s.AsOf.Month() == time.January:
		return fmt.Errorf("scale %q: as-of date %s: want a date of %d after January", s.Name, s.AsOf.Format(time.DateOnly), s.LastYear)
	case s.Children < 1:
		return fmt.Errorf("scale %q: %d children: want at least 1", s.Name, s.Children)
	case s.Services < 1 || s.TrajectServices < 0 || s.TrajectServices > s.Services:
		return fmt.Errorf("scale %q: %d services, %d with TRAJECT: want 1 or more, TRAJECT ones among them", s.Name, s.Services, s.TrajectServices)
	}
	return nil
}

// asOf returns AsOf as a day.
func (s Scale) asOf() day { return dayOfTime(s.AsOf) }

// years returns the number of years of the period.
func (s Scale) years() int { return s.LastYear - s.FirstYear + 1 }
