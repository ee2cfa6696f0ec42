package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/odpe/odpe/pipelines/export"
)

//go:embed assets/pages.html assets/rapport.css
var assets embed.FS

// Page names: the summary, one page per family (Family.Page), the data
// quality, the whole report in one page (for printing), the style sheet.
const (
	SummaryPage  = "index.html"
	QualityPage  = "qualite.html"
	CompletePage = "complet.html"
	StyleSheet   = "rapport.css"
)

// Pages lists every file of the report, in reading order.
func (rep *Report) Pages() []string {
	out := []string{SummaryPage}
	for _, f := range rep.Families {
		out = append(out, f.Page())
	}
	return append(out, QualityPage, CompletePage, StyleSheet)
}

// pageData is what a page's template reads.
type pageData struct {
	R        *Report
	Kind     string // summary, family, quality, complete
	Title    string
	Name     string
	Families []*Family
	Offset   int // added to heading levels: 1 in the complete page
	Nav      []navItem
}

type navItem struct {
	Href, Label string
	Current     bool
}

// sectionData is an indicator's section within a page.
type sectionData struct {
	P   *pageData
	Ind *Indicator
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"minus1":    func(n int) int { return n - 1 },
	"date":      Date,
	"unitLabel": UnitLabel,
	"unitWords": unitWords,
	"num":       Number,
	"float":     func(n int64) float64 { return float64(n) },
	"value":     Value,
	"mul":       func(a, b float64) float64 { return a * b },
	"years": func(ys []int) string {
		var out []string
		for _, y := range ys {
			out = append(out, strconv.Itoa(y))
		}
		return strings.Join(out, ", ")
	},
	"jobName":   jobName,
	"lineChart": func(ind *Indicator) template.HTML { return LineChart(ind, "g-"+ind.Anchor()) },
	"funnelChart": func(ind *Indicator) template.HTML {
		return FunnelChart(ind, "e-"+ind.Anchor())
	},
	"swatch": func(i int) template.HTML {
		return template.HTML(fmt.Sprintf(`<svg viewBox="0 0 14 10" aria-hidden="true"><rect width="14" height="10" fill="%s"/></svg>`, palette[i%len(palette)]))
	},
	"section": func(p *pageData, ind *Indicator) sectionData { return sectionData{p, ind} },
	"heading": func(p *pageData, level int, id, text string) template.HTML {
		l := min(6, level+p.Offset)
		return template.HTML(fmt.Sprintf(`<h%d id="%s">%s</h%d>`, l, template.HTMLEscapeString(id), template.HTMLEscapeString(text), l))
	},
	"link": func(p *pageData, ind *Indicator) string {
		if p.Kind == "complete" {
			return "#" + ind.Anchor()
		}
		return ind.Family.Page() + "#" + ind.Anchor()
	},
	"familyLink": func(p *pageData, f *Family) string {
		if p.Kind == "complete" {
			return "#famille-" + f.ID
		}
		return f.Page()
	},
	"qualityLink": func(p *pageData) string { return QualityPage },
	"dimName":     dimName,
	"capital": func(s string) string {
		if s == "" {
			return s
		}
		r := []rune(s)
		return strings.ToUpper(string(r[0])) + string(r[1:])
	},
	"cell":       cell,
	"yearStatus": yearStatus,
	"sources":    sourcesText,
	"breakdowns": func(ind *Indicator) string {
		var names []string
		for _, b := range ind.Decl.Breakdowns {
			names = append(names, dimName(b))
		}
		return strings.Join(names, ", ")
	},
	"outsideText":    outsideText,
	"outOfScopeNote": outOfScopeNote,
}).ParseFS(assets, "assets/pages.html"))

// Render returns the page named name of the report, and its content type;
// ok is false when the report has no such page.
func (rep *Report) Render(name string) (content []byte, contentType string, ok bool, err error) {
	if name == "" {
		name = SummaryPage
	}
	if name == StyleSheet {
		b, err := assets.ReadFile("assets/rapport.css")
		return b, "text/css; charset=utf-8", err == nil, err
	}
	d := &pageData{R: rep, Name: name}
	switch name {
	case SummaryPage:
		d.Kind, d.Title = "summary", "Chiffres clés "+itoa(rep.Year)
	case QualityPage:
		d.Kind, d.Title = "quality", "Qualité des données"
	case CompletePage:
		d.Kind, d.Title, d.Families, d.Offset = "complete", "Rapport complet", rep.Families, 1
	default:
		for _, f := range rep.Families {
			if f.Page() == name {
				d.Kind, d.Title, d.Families = "family", f.Title, []*Family{f}
			}
		}
		if d.Kind == "" {
			return nil, "", false, nil
		}
	}
	d.Nav = append(d.Nav, navItem{SummaryPage, "Chiffres clés", name == SummaryPage})
	for _, f := range rep.Families {
		d.Nav = append(d.Nav, navItem{f.Page(), f.Title, name == f.Page()})
	}
	d.Nav = append(d.Nav, navItem{QualityPage, "Qualité des données", name == QualityPage},
		navItem{CompletePage, "Rapport complet (à imprimer)", name == CompletePage})
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "layout", d); err != nil {
		return nil, "", false, fmt.Errorf("report page %s: %w", name, err)
	}
	return b.Bytes(), "text/html; charset=utf-8", true, nil
}

func statusOr(s string) string {
	if l := statusLabel(s); l != "" {
		return l
	}
	return "définitif"
}

// unitWords says a unit in words for the definitions.
func unitWords(unit string) string {
	switch unit {
	case "count":
		return "effectif"
	case "%":
		return "pourcentage"
	case "‰":
		return "pour 1" + nbsp + "000"
	case "per100k":
		return "pour 100" + nbsp + "000"
	case "days":
		return "nombre de jours"
	case "hours":
		return "nombre d'heures"
	case "ratio":
		return "rapport"
	}
	return unit
}

// dimName is a breakdown's name in words.
func dimName(d string) string {
	switch d {
	case "service":
		return "service"
	case "category":
		return "catégorie d'action"
	case "public":
		return "public"
	case "sex":
		return "sexe"
	case "age_band":
		return "tranche d'âge"
	case "mode":
		return "mode d'accueil"
	case "event":
		return "événement"
	case "territory":
		return "territoire"
	}
	return d
}

// cell is a series' value of year y in a data table.
func cell(ind *Indicator, s *Series, y int) string {
	p, ok := s.At(y)
	switch {
	case !ok:
		return "—"
	case p.Hidden:
		return "s"
	case !p.Has:
		return "n.d."
	}
	return Value(p.Value, ind.Decl.Unit)
}

// yearStatus is the status of a year's values in words.
func yearStatus(ind *Indicator, y int) string {
	for _, s := range ind.Series {
		if p, ok := s.At(y); ok {
			return statusOr(p.Status)
		}
	}
	return ""
}

// sourcesText names an indicator's sources in words (export.SourceWords,
// the words every file uses), never the warehouse's tables.
func sourcesText(ind *Indicator) string {
	return strings.Join(export.SourceWords(ind.Decl.Sources), " ; ")
}

// jobName names an extract job by its kind of source files, in the words
// every file uses (export.KindWords), capitalized, followed by the job's
// name when it is not its kind (two jobs may read files of one kind: the
// population of the département and that of its territories); by its
// name alone when its kind has no words.
func jobName(job, kind string) string {
	w := export.KindWords(kind)
	if w == "" {
		return job
	}
	r, n := utf8.DecodeRuneInString(w)
	w = string(unicode.ToUpper(r)) + w[n:]
	if job != kind {
		w += " (" + job + ")"
	}
	return w
}

// outsideText names the territories outside the funnel's limits.
func outsideText(ind *Indicator) string {
	f := ind.Funnel
	var above, below []string
	for _, p := range f.Outside() {
		s := p.Name + " (" + Value(p.Rate*f.Scale, ind.Decl.Unit) + ", " + strings.TrimPrefix(strings.TrimPrefix(p.Position.String(), "au-dessus de la "), "au-dessous de la ") + ")"
		switch p.Position {
		case Above95, Above998:
			above = append(above, s)
		default:
			below = append(below, s)
		}
	}
	var parts []string
	if len(above) > 0 {
		parts = append(parts, "Au-dessus des limites : "+strings.Join(above, ", ")+".")
	}
	if len(below) > 0 {
		parts = append(parts, "Au-dessous des limites : "+strings.Join(below, ", ")+".")
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("En %d, aucun territoire ne s'écarte du département au-delà des limites à 95"+nbsp+"%% : les écarts observés sont compatibles avec le hasard.", f.Year))
	}
	if len(f.Hidden) > 0 {
		parts = append(parts, fmt.Sprintf("%d territoire(s) non publié(s) par ce profil (s) : %s.", len(f.Hidden), strings.Join(f.Hidden, ", ")))
	}
	return strings.Join(parts, " ")
}

// outOfScopeNote says why the out-of-scope counts are not shown.
func outOfScopeNote(p *pageData) string {
	if !p.R.In.Internal {
		return "Les décomptes de lignes hors champ ne figurent que dans le rapport interne."
	}
	return "Cet entrepôt ne tient pas encore le décompte des lignes hors champ (table quality_issues absente)."
}
