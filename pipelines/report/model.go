package report

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// Input is what a report is made from: the declarations of the indicators
// it shows, their rows (those a profile publishes, or every row of the
// warehouse for the internal report) and the names that replace codes.
// Nothing here reads the warehouse (see report/load).
type Input struct {
	Dep       string // COG code of the département
	DepName   string // its name ("Pas-de-Calais")
	Year      int    // the report's year; 0 for the latest year with values
	Profile   string // the export profile the report is made for, "" for the internal one
	Title     string // the profile's title, or the observatory's report title
	Internal  bool   // every figure, for the département's own staff
	Threshold int    // the profile's disclosure threshold (external)
	Generated time.Time
	// Origin says in words where the figures come from (published files
	// of a profile, or the warehouse).
	Origin       string
	Declarations []*indicators.Declaration // in display order
	Rows         []export.Row              // of any département: those of Dep are shown
	Territories  map[string]string         // territory code → name
	Services     map[string]string         // service code → name
	Quality      Quality
}

// Quality is what the data-quality page shows.
type Quality struct {
	Files      []FileCount  // per extract job
	Rejected   []Rejected   // the files rejected, with why
	Incomplete []Incomplete // years whose values are not final
	// OutOfScope holds the rows excluded from the indicators, when the
	// warehouse counts them (a quality_issues table); nil when it does not.
	OutOfScope *Table
	LastRun    time.Time
}

// FileCount is the files of one extract job.
type FileCount struct {
	Job, Kind                string // the job's name and kind (ase, pmi…)
	Loaded, Rejected, Rows   int64
	FirstModified, LastModif time.Time
}

// Rejected is a rejected file.
type Rejected struct{ Job, Kind, File, Error string }

// Incomplete is an indicator whose département value is not final in
// some years.
type Incomplete struct {
	Indicator, Label        string
	Incomplete, Provisional []int // years
}

// Table is a plain table of text cells.
type Table struct {
	Columns []string
	Rows    [][]string
}

// Report is a built report: every page's content.
type Report struct {
	In       *Input
	Year     int
	Families []*Family
	Key      []*KeyFigure
}

// Family is the page of one family of indicators.
type Family struct {
	ID, Title, Intro string
	Indicators       []*Indicator
}

// Page is the file of the family's page.
func (f *Family) Page() string { return f.ID + ".html" }

// Indicator is the section of one indicator.
type Indicator struct {
	Decl   *indicators.Declaration
	Family *Family
	Years  []int     // the chart's horizontal axis, in order
	Series []*Series // the département's series: one, or one per value of a breakdown
	By     string    // the breakdown the series are by, "" for one series
	Latest string    // the latest value in words
	Funnel *Funnel   // nil unless a rate or share compared across territories
	// Details are the values of the report's year by each breakdown (and
	// by territory), the others at their total.
	Details []*Detail
	Hidden  int // the département's values a profile does not publish
}

// Anchor is the section's id within its family page.
func (ind *Indicator) Anchor() string { return ind.Decl.ID }

// Series is a line of a chart: one value per year.
type Series struct {
	Name   string // "" for the département's total
	Points []Point
}

// Point is one year of a series.
type Point struct {
	Year   int
	Value  float64
	Has    bool   // a value is published
	Hidden bool   // suppressed by the profile: shown as "s"
	Status string // final, provisional, incomplete
	Row    *export.Row
}

// Values counts the points with a value.
func (s *Series) Values() int {
	n := 0
	for _, p := range s.Points {
		if p.Has {
			n++
		}
	}
	return n
}

// At returns the point of year y.
func (s *Series) At(y int) (Point, bool) {
	for _, p := range s.Points {
		if p.Year == y {
			return p, true
		}
	}
	return Point{}, false
}

// Detail is an indicator's values of one year by one breakdown.
type Detail struct {
	By   string // the breakdown, "territory" for the territories
	Rows []DetailRow
}

// DetailRow is one value of a Detail: Value is "s" when hidden.
type DetailRow struct{ Name, Value, Status string }

// details makes the tables of the year's values by breakdown.
func details(rep *Report, ind *Indicator, rows []*export.Row) []*Detail {
	var out []*Detail
	for _, by := range append([]string{"territory"}, ind.Decl.Breakdowns...) {
		if by == ind.By || (by == "territory" && ind.Funnel != nil) {
			continue // the chart's series, or the funnel's table, already
		}
		d := &Detail{By: by}
		for _, r := range rows {
			if r.Period != rep.Year {
				continue
			}
			var name string
			if by == "territory" {
				if r.Territory == export.Total || !total(&export.Row{Territory: export.Total, Dims: r.Dims}, "") {
					continue
				}
				name = rep.TerritoryName(r.Territory)
			} else {
				v := r.Dims[by]
				if v == "" || v == export.Total || !total(r, by) {
					continue
				}
				name = rep.dimLabel(by, v)
			}
			dr := DetailRow{Name: name, Value: "n.d.", Status: statusOr(r.Status.String())}
			switch {
			case r.Conf != export.Free:
				dr.Value = "s"
			case r.Value.Valid():
				dr.Value = Value(r.Value.Float64(), ind.Decl.Unit)
			}
			d.Rows = append(d.Rows, dr)
		}
		if by == "territory" {
			slices.SortStableFunc(d.Rows, func(a, b DetailRow) int { return strings.Compare(a.Name, b.Name) })
		}
		if len(d.Rows) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// KeyFigure is one figure of the summary page.
type KeyFigure struct {
	Indicator *Indicator
	Label     string // the indicator's label, with the breakdown value if any
	Value     string // in words, "s" when hidden
	Evolution string
	Target    string // "objectif : ≥ 25 (atteint)", "" without a target
}

// families are the titles of the families, in the report's order.
var families = []struct{ id, title, intro string }{
	{"prevention", "Prévention spécialisée", "L'activité des services de prévention spécialisée : heures par catégorie d'action, jeunes accompagnés, actions collectives."},
	{"pmi", "Protection maternelle et infantile", "Entretiens prénataux précoces, bilans de santé en école maternelle et contacts des professionnels de PMI."},
	{"ase", "Aide sociale à l'enfance", "Les enfants et jeunes majeurs suivis et accueillis par l'aide sociale à l'enfance, au 31 décembre et dans l'année."},
	{"adoption", "Adoption", "Pupilles de l'État, placements en vue d'adoption, jugements et demandes."},
}

// Build makes the report of in.
func Build(in *Input) *Report {
	rep := &Report{In: in}
	rows := map[string][]*export.Row{} // of the département, by indicator
	maxYear := 0
	for i := range in.Rows {
		r := &in.Rows[i]
		if r.Dep != in.Dep {
			continue
		}
		rows[r.Indicator] = append(rows[r.Indicator], r)
		if r.Value.Valid() || r.Conf != export.Free {
			maxYear = max(maxYear, r.Period)
		}
	}
	rep.Year = in.Year
	if rep.Year == 0 {
		rep.Year = maxYear
	}
	byFamily := map[string]*Family{}
	for _, f := range families {
		byFamily[f.id] = &Family{ID: f.id, Title: f.title, Intro: f.intro}
	}
	for _, d := range in.Declarations {
		fam, ok := byFamily[d.Family]
		if !ok {
			fam = &Family{ID: d.Family, Title: strings.ToUpper(d.Family[:1]) + d.Family[1:]}
			byFamily[d.Family] = fam
		}
		ind := buildIndicator(rep, d, rows[d.ID])
		if ind == nil {
			continue
		}
		ind.Family = fam
		fam.Indicators = append(fam.Indicators, ind)
	}
	for _, f := range families {
		if fam := byFamily[f.id]; len(fam.Indicators) > 0 {
			rep.Families = append(rep.Families, fam)
		}
		delete(byFamily, f.id)
	}
	for _, id := range slices.Sorted(maps.Keys(byFamily)) { // families the report does not know
		if fam := byFamily[id]; len(fam.Indicators) > 0 {
			rep.Families = append(rep.Families, fam)
		}
	}
	rep.Key = keyFigures(rep)
	if in.Quality.Incomplete == nil {
		for _, fam := range rep.Families {
			for _, ind := range fam.Indicators {
				if len(ind.Series) != 1 {
					continue
				}
				q := Incomplete{Indicator: ind.Decl.ID, Label: ind.Decl.Label}
				for _, p := range ind.Series[0].Points {
					switch p.Status {
					case "incomplete":
						q.Incomplete = append(q.Incomplete, p.Year)
					case "provisional":
						q.Provisional = append(q.Provisional, p.Year)
					}
				}
				if len(q.Incomplete)+len(q.Provisional) > 0 {
					in.Quality.Incomplete = append(in.Quality.Incomplete, q)
				}
			}
		}
	}
	return rep
}

// total reports whether r is the département's total over every
// breakdown but except (which may be "").
func total(r *export.Row, except string) bool {
	if r.Territory != export.Total {
		return false
	}
	for d, v := range r.Dims {
		if d != except && v != export.Total {
			return false
		}
	}
	return true
}

// buildIndicator makes the section of an indicator from its rows; nil
// when the report carries none of its values up to its year.
func buildIndicator(rep *Report, d *indicators.Declaration, rows []*export.Row) *Indicator {
	ind := &Indicator{Decl: d}
	var kept []*export.Row
	for _, r := range rows {
		if r.Period <= rep.Year {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	// The département's series: its total, or, when the indicator has no
	// total (shares by category), one series per value of the first
	// breakdown that gives one.
	series := map[string]*Series{}
	var names []string
	pick := func(except string) {
		for _, r := range kept {
			if !total(r, except) {
				continue
			}
			name := ""
			if except != "" {
				name = r.Dims[except]
				if name == "" || name == export.Total {
					continue
				}
				name = rep.dimLabel(except, name)
			}
			s, ok := series[name]
			if !ok {
				s = &Series{Name: name}
				series[name] = s
				names = append(names, name)
			}
			s.Points = append(s.Points, point(r))
		}
	}
	pick("")
	for _, b := range d.Breakdowns {
		if len(series) > 0 {
			break
		}
		pick(b)
		ind.By = b
	}
	if len(series) == 0 {
		ind.By = ""
	}
	years := map[int]bool{}
	for _, name := range names {
		s := series[name]
		slices.SortFunc(s.Points, func(a, b Point) int { return cmp.Compare(a.Year, b.Year) })
		for _, p := range s.Points {
			years[p.Year] = true
			if p.Hidden {
				ind.Hidden++
			}
		}
		ind.Series = append(ind.Series, s)
	}
	if len(years) > 0 {
		lo := slices.Min(slices.Collect(maps.Keys(years)))
		for y := lo; y <= rep.Year; y++ {
			ind.Years = append(ind.Years, y)
		}
	}
	ind.Latest = latest(rep, ind)
	ind.Funnel = buildFunnel(rep, ind, kept)
	ind.Details = details(rep, ind, kept)
	return ind
}

func point(r *export.Row) Point {
	p := Point{Year: r.Period, Status: r.Status.String(), Row: r}
	if r.Conf != export.Free {
		p.Hidden = true
	} else if r.Value.Valid() {
		p.Has, p.Value = true, r.Value.Float64()
	}
	return p
}

// latest says the indicator's value of the report's year and its evolution.
func latest(rep *Report, ind *Indicator) string {
	if len(ind.Series) != 1 {
		return ""
	}
	p, ok := ind.Series[0].At(rep.Year)
	switch {
	case !ok:
		s := "Pas de valeur pour " + itoa(rep.Year)
		pts := ind.Series[0].Points
		for i := len(pts) - 1; i >= 0; i-- {
			if pts[i].Has {
				s += " ; dernière valeur : " + Value(pts[i].Value, ind.Decl.Unit) + " en " + itoa(pts[i].Year)
				if l := statusLabel(pts[i].Status); l != "" {
					s += " (" + l + ")"
				}
				break
			}
		}
		return s + "."
	case p.Hidden:
		return "En " + itoa(rep.Year) + " : valeur non publiée (s, secret statistique)."
	case !p.Has:
		return "En " + itoa(rep.Year) + " : valeur non calculable."
	}
	s := "En " + itoa(rep.Year) + " : " + Value(p.Value, ind.Decl.Unit)
	if l := statusLabel(p.Status); l != "" {
		s += " (" + l + ")"
	}
	if p.Row.Evolution.Valid() {
		s += ", " + Evolution(p.Row.Evolution.Float64(), ind.Decl.Unit, rep.Year-1)
	}
	if t := ind.Decl.Target; t != nil {
		s += " ; " + targetText(t, p.Value, ind.Decl.Unit)
	}
	return s + "."
}

// targetText says the target and whether value meets it.
func targetText(t *indicators.Target, value float64, unit string) string {
	met := (t.Comparison == ">=" && value >= t.Value) || (t.Comparison == "<=" && value <= t.Value)
	cmpWord := "au moins"
	if t.Comparison == "<=" {
		cmpWord = "au plus"
	}
	s := t.Label
	if s == "" {
		s = "objectif"
	}
	s += " : " + cmpWord + " " + Value(t.Value, unit)
	if met {
		return s + ", atteint"
	}
	return s + ", non atteint"
}

func itoa(y int) string { return strconv.Itoa(y) }

// dimLabel is the name of a breakdown's value: a service's name, "Filles"
// for F… (the other breakdowns' values are words already).
func (rep *Report) dimLabel(dim, v string) string {
	switch dim {
	case "service":
		if name, ok := rep.In.Services[v]; ok {
			return name
		}
	case "sex":
		switch v {
		case "F":
			return "Filles et femmes"
		case "M":
			return "Garçons et hommes"
		}
	}
	if v == export.Total {
		return "Ensemble"
	}
	return v
}

// TerritoryName is a territory's name, never its code when a name is known.
func (rep *Report) TerritoryName(code string) string {
	if code == export.Total {
		return rep.In.DepName
	}
	if name, ok := rep.In.Territories[code]; ok && name != "" {
		return name
	}
	return code
}

// keyOrder is the order of the summary's first key figures: children
// followed and placed per 1,000, EPP rate, bilan coverage, adoption
// placements, prevention hours; the other key indicators follow, family
// by family.
var keyOrder = []string{"ase_minors_rate", "ase_accueil_rate", "ase_children_followed", "ase_children_accueil",
	"pmi_epp_rate", "pmi_bilan_coverage", "adoption_placements", "prev_hours", "prev_hours_share"}

// keyFigures are the key indicators' values of the report's year.
func keyFigures(rep *Report) []*KeyFigure {
	out := keyFiguresByFamily(rep)
	rank := func(k *KeyFigure) int {
		if i := slices.Index(keyOrder, k.Indicator.Decl.ID); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	slices.SortStableFunc(out, func(a, b *KeyFigure) int { return cmp.Compare(rank(a), rank(b)) })
	return out
}

// keyFiguresByFamily are the key indicators' values in the families' order.
func keyFiguresByFamily(rep *Report) []*KeyFigure {
	var out []*KeyFigure
	for _, fam := range rep.Families {
		for _, ind := range fam.Indicators {
			if !ind.Decl.Key {
				continue
			}
			for _, s := range ind.Series {
				k := &KeyFigure{Indicator: ind, Label: ind.Decl.Label}
				if s.Name != "" {
					k.Label += " — " + s.Name
				}
				p, ok := s.At(rep.Year)
				switch {
				case !ok || (!p.Has && !p.Hidden):
					k.Value = "—"
				case p.Hidden:
					k.Value = "s"
				default:
					k.Value = Value(p.Value, ind.Decl.Unit)
					if l := statusLabel(p.Status); l != "" {
						k.Value += " (" + l + ")"
					}
					if p.Row.Evolution.Valid() {
						k.Evolution = Evolution(p.Row.Evolution.Float64(), ind.Decl.Unit, rep.Year-1)
					}
					if t := ind.Decl.Target; t != nil {
						k.Target = targetText(t, p.Value, ind.Decl.Unit)
					}
				}
				out = append(out, k)
			}
		}
	}
	return out
}
