package report

import (
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

// independentLimit computes a funnel limit with gonum's distributions
// (regularised incomplete beta and gamma functions), not with the sums of
// Limit: the smallest r with P(X ≤ r) ≥ p, interpolated as Spiegelhalter
// (2005) does.
func independentLimit(d Distribution, theta, n, p float64) float64 {
	var cdf func(r float64) float64
	if d == Binomial {
		n = math.Round(n)
		b := distuv.Binomial{N: n, P: theta}
		cdf = b.CDF
	} else {
		ps := distuv.Poisson{Lambda: theta * n}
		cdf = ps.CDF
	}
	r := 0.0
	for cdf(r) < p {
		r++
	}
	alpha := (cdf(r) - p) / (cdf(r) - cdf(r-1))
	if r == 0 {
		alpha = (cdf(0) - p) / cdf(0)
	}
	return (r - alpha) / n
}

func TestLimitMatchesAnIndependentComputation(t *testing.T) {
	for _, c := range []struct {
		d        Distribution
		theta, n float64
	}{
		{Binomial, 0.2, 100},
		{Binomial, 0.634, 1873},
		{Binomial, 0.05, 40},
		{Binomial, 0.5, 7},
		{Poisson, 0.0213, 25000},
		{Poisson, 0.0042, 3000},
		{Poisson, 0.00009, 120000},
	} {
		for _, p := range []float64{Lower998, Lower95, Upper95, Upper998} {
			got, want := Limit(c.d, c.theta, c.n, p), independentLimit(c.d, c.theta, c.n, p)
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%v θ=%g n=%g p=%g: limit %.12g, independent computation %.12g", c.d, c.theta, c.n, p, got, want)
			}
		}
	}
	// The limits close in on the centre as the denominator grows, and the
	// 99.8 % limits lie outside the 95 % ones.
	prev := LimitsAt(Binomial, 0.3, 50)
	for _, n := range []float64{200, 1000, 5000} {
		l := LimitsAt(Binomial, 0.3, n)
		if !(l.Lower998 < l.Lower95 && l.Lower95 < 0.3 && 0.3 < l.Upper95 && l.Upper95 < l.Upper998) {
			t.Errorf("n=%g: limits out of order: %+v", n, l)
		}
		if l.Upper95-l.Lower95 >= prev.Upper95-prev.Lower95 {
			t.Errorf("n=%g: the 95 %% band does not narrow", n)
		}
		prev = l
	}
	// A large denominator: close to the normal approximation.
	l := LimitsAt(Binomial, 0.3, 1e6)
	if sd := math.Sqrt(0.3 * 0.7 / 1e6); math.Abs(l.Upper95-(0.3+1.959964*sd)) > 0.01*sd {
		t.Errorf("n=1e6: upper 95 %% limit %g, normal approximation %g", l.Upper95, 0.3+1.959964*sd)
	}
}

func TestFrenchFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Number(1234567.891, 1), "1\u202f234\u202f567,9"},
		{Number(-3.26, 1), "\u22123,3"},
		{Number(-0.01, 1), "0,0"},
		{Number(999, 0), "999"},
		{Value(12.34, "%"), "12,3\u00a0%"},
		{Value(4.56, "‰"), "4,6\u00a0‰"},
		{Value(0.444, "‰"), "0,44\u00a0‰"},
		{Value(55138, "hours"), "55\u202f138\u00a0h"},
		{Evolution(2.34, "%", 2024), "+2,3\u00a0points par rapport à 2024"},
		{Evolution(-1.04, "%", 2024), "\u22121,0\u00a0point par rapport à 2024"},
		{Evolution(-4.12, "count", 2024), "\u22124,1\u00a0% par rapport à 2024"},
		{Evolution(0.01, "count", 2024), "stable par rapport à 2024"},
		{Date(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), "1er mars 2026"},
		{Date(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)), "6 décembre 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// smallInput is a report of two indicators over three years: a count with
// a target, and a share by territory with one territory far above the
// others (outside the funnel's limits) and one hidden.
func smallInput(internal bool) *Input {
	placements := &indicators.Declaration{ID: "adoption_placements", Label: "Placements en vue d'adoption", Family: "adoption",
		Definition: "Pupilles de l'État placés en vue de leur adoption dans l'année.", Unit: "count",
		Numerator: "Placements de l'année", ReferenceDate: "année N", Sources: []string{"core.adoption_events"},
		Target: &indicators.Target{Value: 25, Comparison: ">=", Label: "objectif du schéma départemental"}, Key: true}
	share := &indicators.Declaration{ID: "adoption_share", Label: "Part des pupilles placés", Family: "adoption",
		Definition: "Pupilles placés parmi les pupilles.", Unit: "%", Numerator: "Pupilles placés", Denominator: "Pupilles",
		ReferenceDate: "31 décembre de N", Sources: []string{"core.adoption_events"}, Convention: "Un pupille compte une fois."}
	in := &Input{Dep: "62", DepName: "Pas-de-Calais", Title: "Rapport annuel", Internal: internal, Profile: "", Threshold: 5,
		Generated: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), Origin: "de l'entrepôt",
		Declarations: []*indicators.Declaration{placements, share},
		Territories:  map[string]string{"ARR": "Arrageois", "BOU": "Boulonnais", "CAL": "Calaisis", "LEN": "Lens-Hénin"}}
	if !internal {
		in.Profile = "insee"
	}
	row := func(ind string, year int, terr string, num, den, value float64, status export.Status, conf export.Conf) export.Row {
		r := export.Row{Indicator: ind, Dep: "62", Period: year, Territory: terr, Status: status, Conf: conf}
		if conf == export.Free {
			r.Numerator, r.Value = export.Known(num), export.Known(value)
			if den > 0 {
				r.Denominator = export.Known(den)
			}
		}
		return r
	}
	in.Rows = []export.Row{
		row("adoption_placements", 2022, "Ensemble", 21, 0, 21, export.Final, export.Free),
		row("adoption_placements", 2023, "Ensemble", 27, 0, 27, export.Final, export.Free),
		row("adoption_placements", 2024, "Ensemble", 24, 0, 24, export.Provisional, export.Free),
		row("adoption_share", 2023, "Ensemble", 300, 1000, 30, export.Final, export.Free),
		row("adoption_share", 2024, "Ensemble", 330, 1000, 33, export.Final, export.Free),
		row("adoption_share", 2024, "ARR", 60, 200, 30, export.Final, export.Free),
		row("adoption_share", 2024, "BOU", 150, 300, 50, export.Final, export.Free),
		row("adoption_share", 2024, "CAL", 90, 300, 30, export.Final, export.Free),
		row("adoption_share", 2024, "LEN", 30, 200, 15, export.Final, export.Free),
		row("adoption_share", 2022, "Ensemble", 0, 0, 0, export.Final, export.Secondary),
		row("adoption_share", 2024, "TER", 0, 0, 0, export.Final, export.Primary),
	}
	in.Rows[3].Evolution = export.Known(1.5)
	in.Rows[4].Evolution = export.Known(3)
	in.Rows[2].Evolution = export.Known(-11.1)
	in.Territories["TER"] = "Ternois"
	return in
}

func TestGoldenFamilyPage(t *testing.T) {
	rep := Build(smallInput(false))
	page, ctype, ok, err := rep.Render("adoption.html")
	if err != nil || !ok || !strings.HasPrefix(ctype, "text/html") {
		t.Fatalf("render: %v %v %s", ok, err, ctype)
	}
	exporttest.Golden(t, "adoption.html", page)
}

func TestSmallReport(t *testing.T) {
	rep := Build(smallInput(false))
	fam := rep.Families[0]
	placements, share := fam.Indicators[0], fam.Indicators[1]
	if got := placements.Latest; !strings.Contains(got, "En 2024 : 24 (provisoire)") || !strings.Contains(got, "non atteint") {
		t.Errorf("latest placements: %q", got)
	}
	if share.Hidden != 1 || len(share.Series[0].Points) != 3 {
		t.Errorf("share: %d hidden, %d points", share.Hidden, len(share.Series[0].Points))
	}
	f := share.Funnel
	if f == nil || len(f.Points) != 4 || len(f.Hidden) != 1 || f.Hidden[0] != "Ternois" || f.Centre != 0.33 {
		t.Fatalf("funnel: %+v", f)
	}
	var outside []string
	for _, p := range f.Outside() {
		outside = append(outside, p.Name+":"+p.Position.String())
	}
	if got := strings.Join(outside, ","); got != "Boulonnais:au-dessus de la limite à 99,8\u00a0%,Lens-Hénin:au-dessous de la limite à 99,8\u00a0%" {
		t.Errorf("outside: %s", got)
	}
	// The hidden year of the series has no mark, and the page says "s".
	chart := string(LineChart(share, "x"))
	if strings.Contains(chart, `data-year="2022"`) || strings.Count(chart, `class="pt"`) != 2 {
		t.Errorf("chart of the share: %s", chart)
	}
	// Every page renders; the internal one says so.
	for _, internal := range []bool{false, true} {
		rep := Build(smallInput(internal))
		for _, name := range rep.Pages() {
			b, _, ok, err := rep.Render(name)
			if err != nil || !ok {
				t.Fatalf("page %s: %v", name, err)
			}
			if strings.HasSuffix(name, ".html") && strings.Contains(string(b), "Document interne") != internal {
				t.Errorf("page %s (internal %v): the internal mark is wrong", name, internal)
			}
		}
	}
}

// An indicator with territory values but no département series gets no
// chart, but its territories' table.
func TestIndicatorWithoutSeries(t *testing.T) {
	in := smallInput(true)
	in.Rows = []export.Row{{Indicator: "adoption_share", Dep: "62", Period: 2024, Territory: "ARR",
		Numerator: export.Known(3), Denominator: export.Known(10), Value: export.Known(30), Status: export.Final}}
	rep := Build(in)
	page, _, ok, err := rep.Render("adoption.html")
	if err != nil || !ok {
		t.Fatal(err)
	}
	if s := string(page); !strings.Contains(s, "Pas de série départementale") || !strings.Contains(s, "Arrageois") || strings.Contains(s, `class="chart`) {
		t.Errorf("page:\n%s", s)
	}
}

// TestQualityPageNamesSourcesInWords: the quality page names each
// extract job by its kind of files in the words every file uses
// (export.KindWords), with the job's name when it is not its kind; a kind
// without words by the job's name.
func TestQualityPageNamesSourcesInWords(t *testing.T) {
	in := smallInput(true)
	in.Quality.Files = []FileCount{
		{Job: "pmi", Kind: "pmi", Loaded: 12},
		{Job: "population_territoires", Kind: "insee_population", Loaded: 1},
		{Job: "autre", Kind: "inconnu", Loaded: 1},
	}
	in.Quality.Rejected = []Rejected{{Job: "rapports", Kind: "activity_report", File: "rapport_2024.xlsx", Error: "feuille absente"}}
	page, _, ok, err := Build(in).Render(QualityPage)
	if err != nil || !ok {
		t.Fatalf("render: %v %v", ok, err)
	}
	for _, want := range []string{
		`<th scope="row">Comptages mensuels d&#39;activité de la PMI</th>`,
		`<th scope="row">INSEE, estimations de population (population_territoires)</th>`,
		`<th scope="row">autre</th>`,
		`<td>Rapports d&#39;activité des services de prévention spécialisée (rapports)</td>`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the quality page has no %s", want)
		}
	}
}
