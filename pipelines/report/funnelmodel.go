package report

import (
	"math"
	"slices"

	"github.com/odpe/odpe/pipelines/export"
)

// Funnel compares the territories' rates of one year with the
// département's: each territory's value against its denominator, the
// département's rate as the centre line, and the limits within which a
// territory lies 95 % and 99.8 % of the time if it differs from the
// centre by chance alone.
type Funnel struct {
	Year   int
	Dist   Distribution
	Scale  float64 // 100 for a %, 1,000 for a ‰…
	Centre float64 // the département's rate, per unit of denominator
	Points []FunnelPoint
	Hidden []string // the territories whose rate the profile does not publish
	Curve  []Limits // the limits at denominators from the smallest to the largest shown
}

// FunnelPoint is one territory.
type FunnelPoint struct {
	Territory, Name        string
	Numerator, Denominator float64
	Rate                   float64 // per unit of denominator
	Limits                 Limits  // at its denominator
	Position               Position
}

// Outside are the territories outside the 95 % limits.
func (f *Funnel) Outside() []FunnelPoint {
	var out []FunnelPoint
	for _, p := range f.Points {
		if p.Position != Within {
			out = append(out, p)
		}
	}
	return out
}

// scale is how many units of denominator a value of unit counts (the
// rate is value / scale); 0 when the unit is not a rate or a share.
func scale(unit string) float64 {
	switch unit {
	case "%":
		return 100
	case "‰":
		return 1000
	case "per100k":
		return 100000
	}
	return 0
}

// curvePoints is the number of denominators the limits are drawn at.
const curvePoints = 60

// buildFunnel makes the funnel plot of a rate or share whose territories
// have a numerator and a denominator in the report's year; nil otherwise.
func buildFunnel(rep *Report, ind *Indicator, rows []*export.Row) *Funnel {
	sc := scale(ind.Decl.Unit)
	if sc == 0 {
		return nil
	}
	f := &Funnel{Year: rep.Year, Scale: sc, Dist: Binomial}
	if ind.Decl.Unit != "%" {
		f.Dist = Poisson
	}
	centre := false
	for _, r := range rows {
		if r.Period != rep.Year {
			continue
		}
		if total(r, "") {
			if r.Conf == export.Free && r.Value.Valid() {
				f.Centre, centre = r.Value.Float64()/sc, true
			}
			continue
		}
		if !total(&export.Row{Territory: export.Total, Dims: r.Dims}, "") {
			continue // a breakdown's value within a territory
		}
		name := rep.TerritoryName(r.Territory)
		if r.Conf != export.Free {
			f.Hidden = append(f.Hidden, name)
			continue
		}
		if !r.Numerator.Valid() || !r.Denominator.Valid() || r.Denominator.Float64() <= 0 {
			continue
		}
		num, den := r.Numerator.Float64(), r.Denominator.Float64()
		if num > den {
			f.Dist = Poisson
		}
		f.Points = append(f.Points, FunnelPoint{Territory: r.Territory, Name: name, Numerator: num, Denominator: den, Rate: num / den})
	}
	if !centre || len(f.Points) < 2 {
		return nil
	}
	slices.SortFunc(f.Points, func(a, b FunnelPoint) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	slices.Sort(f.Hidden)
	lo, hi := math.Inf(1), 0.0
	for i := range f.Points {
		p := &f.Points[i]
		p.Limits = LimitsAt(f.Dist, f.Centre, p.Denominator)
		p.Position = p.Limits.Place(p.Rate)
		lo, hi = math.Min(lo, p.Denominator), math.Max(hi, p.Denominator)
	}
	// From a quarter of the smallest denominator to a little beyond the
	// largest, spaced evenly on a log scale (the funnel bends most at the
	// small ones).
	xs := ticks(0, hi*1.1, 5)
	from, to := math.Max(1, lo/4), xs[len(xs)-1]
	for i := range curvePoints {
		n := from * math.Pow(to/from, float64(i)/float64(curvePoints-1))
		f.Curve = append(f.Curve, LimitsAt(f.Dist, f.Centre, n))
	}
	return f
}
