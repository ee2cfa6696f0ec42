package report

import "math"

// Distribution is the model of a funnel plot's control limits: the
// binomial for a share (the numerator is part of the denominator), the
// Poisson for a rate of events per population.
type Distribution int

// Distributions of the control limits.
const (
	Binomial Distribution = iota
	Poisson
)

func (d Distribution) String() string {
	if d == Poisson {
		return "loi de Poisson"
	}
	return "loi binomiale"
}

// Probabilities of the control limits: 95 % (2 standard deviations) and
// 99.8 % (3 standard deviations) of the units lie between them when they
// differ from the centre by chance alone.
const (
	Lower95, Upper95   = 0.025, 0.975
	Lower998, Upper998 = 0.001, 0.999
)

// Limit is the control limit at probability p of a unit whose denominator
// is n, around the rate theta (per unit of denominator: 0.12 for 12 %),
// computed exactly with the interpolation of Spiegelhalter (2005,
// "Funnel plots for comparing institutional performance", appendix A.1.1):
// r is the p-quantile of the count (the smallest r with P(X ≤ r) ≥ p),
// α = (P(X ≤ r) − p) / P(X = r), and the limit is (r − α) / n, so that
// the limits move smoothly with n although counts are whole.
func Limit(d Distribution, theta, n, p float64) float64 {
	if n <= 0 || math.IsNaN(theta) {
		return math.NaN()
	}
	if theta <= 0 {
		return 0
	}
	if d == Binomial && theta >= 1 {
		return 1
	}
	var mean, sd float64
	var logPMF func(r float64) float64
	switch d {
	case Binomial:
		n = math.Round(n)
		lgn, _ := math.Lgamma(n + 1)
		lt, l1t := math.Log(theta), math.Log1p(-theta)
		mean, sd = n*theta, math.Sqrt(n*theta*(1-theta))
		logPMF = func(r float64) float64 {
			a, _ := math.Lgamma(r + 1)
			b, _ := math.Lgamma(n - r + 1)
			return lgn - a - b + r*lt + (n-r)*l1t
		}
	default:
		lambda := theta * n
		ll := math.Log(lambda)
		mean, sd = lambda, math.Sqrt(lambda)
		logPMF = func(r float64) float64 {
			a, _ := math.Lgamma(r + 1)
			return r*ll - lambda - a
		}
	}
	// Below mean − 40 sd the mass is far below a double's precision.
	r := math.Max(0, math.Floor(mean-40*sd-2))
	cdf := 0.0
	for {
		pmf := math.Exp(logPMF(r))
		cdf += pmf
		if cdf >= p || (d == Binomial && r >= n) {
			alpha := 0.0
			if pmf > 0 {
				alpha = (cdf - p) / pmf
			}
			return (r - alpha) / n
		}
		r++
	}
}

// Limits are the four control limits of a funnel plot at one denominator.
type Limits struct {
	N                 float64
	Lower998, Lower95 float64
	Upper95, Upper998 float64
}

// LimitsAt returns the control limits at denominator n, as rates per unit.
func LimitsAt(d Distribution, theta, n float64) Limits {
	return Limits{
		N:        n,
		Lower998: Limit(d, theta, n, Lower998),
		Lower95:  Limit(d, theta, n, Lower95),
		Upper95:  Limit(d, theta, n, Upper95),
		Upper998: Limit(d, theta, n, Upper998),
	}
}

// Position is where a unit lies against the limits.
type Position int

// Positions of a unit on a funnel plot.
const (
	Within Position = iota
	Above95
	Above998
	Below95
	Below998
)

// Place returns where the rate v of a unit lies against l.
func (l Limits) Place(v float64) Position {
	switch {
	case v > l.Upper998:
		return Above998
	case v > l.Upper95:
		return Above95
	case v < l.Lower998:
		return Below998
	case v < l.Lower95:
		return Below95
	}
	return Within
}

func (p Position) String() string {
	switch p {
	case Above998:
		return "au-dessus de la limite à 99,8" + nbsp + "%"
	case Above95:
		return "au-dessus de la limite à 95" + nbsp + "%"
	case Below998:
		return "au-dessous de la limite à 99,8" + nbsp + "%"
	case Below95:
		return "au-dessous de la limite à 95" + nbsp + "%"
	}
	return "dans les limites"
}
