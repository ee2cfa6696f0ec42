package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are SVG drawn here, on the server: no script, no font or file
// fetched, so the report works offline and prints as it shows. Colours
// are the Okabe–Ito palette (told apart by colour-blind readers), and
// every mark that carries meaning by colour carries it by shape or text
// too.
var palette = []string{"#0b5394", "#d55e00", "#009e73", "#cc79a7", "#7a5c00", "#56b4e9", "#000000", "#e69f00"}

// Chart geometry, in SVG units (the chart scales to the page's width).
const (
	chartW, chartH          = 640.0, 300.0
	marginL, marginR        = 70.0, 20.0
	marginT, marginB        = 16.0, 44.0
	plotW, plotH            = chartW - marginL - marginR, chartH - marginT - marginB
	fontAttrs               = `font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="12"`
	axisColour, gridColour  = "#333333", "#d9d9d9"
	limit95Colour, limit998 = "#555555", "#a50f15"
)

// svgText escapes text for an SVG element or attribute.
func svgText(s string) string { return html.EscapeString(s) }

// raw is a number as the data attributes carry it: full precision, so
// that tests (and readers of the source) compare the exact figures.
func raw(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// ticks returns about n round values from 0 (or lo) to at least hi.
func ticks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	span := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(span)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= span {
			step = m * mag
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v < hi+step*0.999; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// tickDecimals is the decimals the labels of ticks need.
func tickDecimals(ts []float64) int {
	if len(ts) < 2 {
		return 0
	}
	step := ts[1] - ts[0]
	d := 0
	for d < 4 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9 {
		d++
	}
	return d
}

// LineChart draws the series of an indicator over the years: one line
// per series, a mark per published value (filled when final, hollow when
// provisional, a hollow diamond when incomplete), the target as a dashed
// line, nothing for a value the profile does not publish (and no line
// across it).
func LineChart(ind *Indicator, id string) template.HTML {
	var b strings.Builder
	unit := ind.Decl.Unit
	hi := 0.0
	for _, s := range ind.Series {
		for _, p := range s.Points {
			if p.Has {
				hi = math.Max(hi, p.Value)
			}
		}
	}
	if t := ind.Decl.Target; t != nil {
		hi = math.Max(hi, t.Value)
	}
	ys := ticks(0, hi*1.08, 5)
	top := ys[len(ys)-1]
	dec := tickDecimals(ys)
	years := ind.Years
	x := func(year int) float64 {
		if len(years) == 1 {
			return marginL + plotW/2
		}
		return marginL + plotW*float64(year-years[0])/float64(len(years)-1)
	}
	y := func(v float64) float64 { return marginT + plotH*(1-v/top) }

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" %s>`,
		chartW, chartH, id, id, fontAttrs)
	fmt.Fprintf(&b, `<title id="%s-t">%s, %d–%d (%s)</title>`, id, svgText(ind.Decl.Label), years[0], years[len(years)-1], svgText(UnitLabel(unit)))
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`, id, svgText(describeSeries(ind)))
	// Grid and vertical axis.
	for _, v := range ys {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, marginL, marginL+plotW, f1(y(v)), f1(y(v)), gridColour)
		fmt.Fprintf(&b, `<text x="%g" y="%s" text-anchor="end" fill="%s">%s</text>`, marginL-6, f1(y(v)+4), axisColour, svgText(Number(v, dec)))
	}
	fmt.Fprintf(&b, `<text x="12" y="%g" transform="rotate(-90 12 %g)" text-anchor="middle" fill="%s">%s</text>`,
		marginT+plotH/2, marginT+plotH/2, axisColour, svgText(UnitLabel(unit)))
	// Horizontal axis: every year, or every other when there are many.
	every := 1
	if len(years) > 12 {
		every = 2
	}
	for i, yr := range years {
		if (len(years)-1-i)%every != 0 {
			continue
		}
		fmt.Fprintf(&b, `<text x="%s" y="%g" text-anchor="middle" fill="%s">%d</text>`, f1(x(yr)), marginT+plotH+18, axisColour, yr)
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="%s" stroke-width="1"/>`, marginL, marginL+plotW, marginT+plotH, marginT+plotH, axisColour)
	// Target.
	if t := ind.Decl.Target; t != nil {
		cmpWord := "≥"
		if t.Comparison == "<=" {
			cmpWord = "≤"
		}
		fmt.Fprintf(&b, `<g class="target"><line x1="%g" x2="%g" y1="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`,
			marginL, marginL+plotW, f1(y(t.Value)), f1(y(t.Value)), "#7a5c00")
		fmt.Fprintf(&b, `<text x="%g" y="%s" text-anchor="end" fill="%s">Objectif %s %s</text></g>`,
			marginL+plotW-4, f1(y(t.Value)-5), "#5c4500", cmpWord, svgText(Number(t.Value, decimals(unit))))
	}
	// Lines, then marks on top.
	for si, s := range ind.Series {
		colour := palette[si%len(palette)]
		for i := 1; i < len(s.Points); i++ {
			a, c := s.Points[i-1], s.Points[i]
			if !a.Has || !c.Has || c.Year != a.Year+1 {
				continue
			}
			dash := ""
			if c.Status != "final" {
				dash = ` stroke-dasharray="4 3"`
			}
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`,
				f1(x(a.Year)), f1(y(a.Value)), f1(x(c.Year)), f1(y(c.Value)), colour, dash)
		}
	}
	for si, s := range ind.Series {
		colour := palette[si%len(palette)]
		for _, p := range s.Points {
			if !p.Has {
				continue
			}
			label := fmt.Sprintf("%d : %s", p.Year, Value(p.Value, unit))
			if l := statusLabel(p.Status); l != "" {
				label += " (" + l + ")"
			}
			if s.Name != "" {
				label = s.Name + ", " + label
			}
			px, py := x(p.Year), y(p.Value)
			attrs := fmt.Sprintf(`class="pt" data-series="%s" data-year="%d" data-value="%s" data-status="%s"`, svgText(s.Name), p.Year, raw(p.Value), p.Status)
			switch p.Status {
			case "provisional":
				fmt.Fprintf(&b, `<circle %s cx="%s" cy="%s" r="4.5" fill="#ffffff" stroke="%s" stroke-width="2"><title>%s</title></circle>`, attrs, f1(px), f1(py), colour, svgText(label))
			case "incomplete":
				fmt.Fprintf(&b, `<path %s d="M%s %sl5 5l-5 5l-5 -5z" fill="#ffffff" stroke="%s" stroke-width="2"><title>%s</title></path>`, attrs, f1(px), f1(py-5), colour, svgText(label))
			default:
				fmt.Fprintf(&b, `<circle %s cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, attrs, f1(px), f1(py), colour, svgText(label))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// describeSeries is the chart's text alternative.
func describeSeries(ind *Indicator) string {
	var parts []string
	for _, s := range ind.Series {
		var first, last *Point
		for i := range s.Points {
			if p := &s.Points[i]; p.Has {
				if first == nil {
					first = p
				}
				last = p
			}
		}
		name := "Département"
		if s.Name != "" {
			name = s.Name
		}
		if first == nil {
			parts = append(parts, name+" : aucune valeur publiée")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s : %s en %d, %s en %d", name,
			Value(first.Value, ind.Decl.Unit), first.Year, Value(last.Value, ind.Decl.Unit), last.Year))
	}
	s := "Courbe annuelle. " + strings.Join(parts, " ; ") + "."
	if t := ind.Decl.Target; t != nil {
		s += " Objectif : " + Value(t.Value, ind.Decl.Unit) + "."
	}
	return s + " Les valeurs sont dans le tableau de données qui suit le graphique."
}

// FunnelChart draws a funnel plot: each territory's value against its
// denominator, the département's rate as the centre line, the 95 %
// (dashed grey) and 99.8 % (solid red) limits; the territories outside
// the 95 % limits are named on the chart.
func FunnelChart(ind *Indicator, id string) template.HTML {
	f := ind.Funnel
	var b strings.Builder
	unit := ind.Decl.Unit
	maxN := f.Curve[len(f.Curve)-1].N
	hiV, loV := f.Centre*f.Scale, f.Centre*f.Scale
	for _, p := range f.Points {
		hiV = math.Max(hiV, math.Max(p.Rate*f.Scale, p.Limits.Upper998*f.Scale))
		loV = math.Min(loV, math.Min(p.Rate*f.Scale, p.Limits.Lower998*f.Scale))
	}
	lo := math.Max(0, loV-(hiV-loV)*0.15)
	hi := hiV + (hiV-loV)*0.1
	if f.Dist == Binomial {
		hi = math.Min(hi, f.Scale)
	}
	ys := ticks(lo, hi, 5)
	yMin, yMax := ys[0], ys[len(ys)-1]
	xs := ticks(0, maxN, 5)
	xMax := xs[len(xs)-1]
	x := func(n float64) float64 { return marginL + plotW*n/xMax }
	y := func(v float64) float64 { return marginT + plotH*(1-(v-yMin)/(yMax-yMin)) }

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart funnel" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" %s>`,
		chartW, chartH, id, id, fontAttrs)
	fmt.Fprintf(&b, `<title id="%s-t">%s en %d : territoires comparés au département (graphique en entonnoir)</title>`, id, svgText(ind.Decl.Label), f.Year)
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`, id, svgText(describeFunnel(ind)))
	fmt.Fprintf(&b, `<defs><clipPath id="%s-clip"><rect x="%g" y="%g" width="%g" height="%g"/></clipPath></defs>`, id, marginL, marginT, plotW, plotH)
	ydec := tickDecimals(ys)
	for _, v := range ys {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, marginL, marginL+plotW, f1(y(v)), f1(y(v)), gridColour)
		fmt.Fprintf(&b, `<text x="%g" y="%s" text-anchor="end" fill="%s">%s</text>`, marginL-6, f1(y(v)+4), axisColour, svgText(Number(v, ydec)))
	}
	for _, n := range xs {
		fmt.Fprintf(&b, `<text x="%s" y="%g" text-anchor="middle" fill="%s">%s</text>`, f1(x(n)), marginT+plotH+18, axisColour, svgText(Number(n, tickDecimals(xs))))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" fill="%s">%s</text>`, marginL+plotW/2, chartH-6, axisColour,
		svgText("Dénominateur : "+strings.TrimSuffix(shortDenominator(ind), ".")))
	fmt.Fprintf(&b, `<text x="12" y="%g" transform="rotate(-90 12 %g)" text-anchor="middle" fill="%s">%s</text>`,
		marginT+plotH/2, marginT+plotH/2, axisColour, svgText(UnitLabel(unit)))
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="%s" stroke-width="1"/>`, marginL, marginL+plotW, marginT+plotH, marginT+plotH, axisColour)
	// Limits and centre, clipped to the plot.
	fmt.Fprintf(&b, `<g clip-path="url(#%s-clip)">`, id)
	curve := func(class, colour, dash string, level func(Limits) float64) {
		var pts []string
		for _, l := range f.Curve {
			pts = append(pts, f1(x(l.N))+","+f1(y(level(l)*f.Scale)))
		}
		fmt.Fprintf(&b, `<polyline class="%s" points="%s" fill="none" stroke="%s" stroke-width="1.5"%s/>`, class, strings.Join(pts, " "), colour, dash)
	}
	curve("lim95 upper", limit95Colour, ` stroke-dasharray="5 4"`, func(l Limits) float64 { return l.Upper95 })
	curve("lim95 lower", limit95Colour, ` stroke-dasharray="5 4"`, func(l Limits) float64 { return l.Lower95 })
	curve("lim998 upper", limit998, "", func(l Limits) float64 { return l.Upper998 })
	curve("lim998 lower", limit998, "", func(l Limits) float64 { return l.Lower998 })
	fmt.Fprintf(&b, `<line class="centre" x1="%g" x2="%g" y1="%s" y2="%s" stroke="#000000" stroke-width="1.5"/>`,
		marginL, marginL+plotW, f1(y(f.Centre*f.Scale)), f1(y(f.Centre*f.Scale)))
	b.WriteString(`</g>`)
	var labels []outLabel
	for _, p := range f.Points {
		px, py := x(p.Denominator), y(p.Rate*f.Scale)
		colour, shape := palette[0], "circle"
		switch p.Position {
		case Above998, Below998:
			colour, shape = limit998, "square"
		case Above95, Below95:
			colour, shape = palette[1], "square"
		}
		label := fmt.Sprintf("%s : %s pour %s (%s)", p.Name, Value(p.Rate*f.Scale, unit), Number(p.Denominator, 0), p.Position)
		attrs := fmt.Sprintf(`class="fp" data-territory="%s" data-numerator="%s" data-denominator="%s" data-value="%s" data-lo998="%s" data-lo95="%s" data-hi95="%s" data-hi998="%s"`,
			svgText(p.Name), raw(p.Numerator), raw(p.Denominator), raw(p.Rate*f.Scale),
			raw(p.Limits.Lower998*f.Scale), raw(p.Limits.Lower95*f.Scale), raw(p.Limits.Upper95*f.Scale), raw(p.Limits.Upper998*f.Scale))
		if shape == "circle" {
			fmt.Fprintf(&b, `<circle %s cx="%s" cy="%s" r="4.5" fill="%s"><title>%s</title></circle>`, attrs, f1(px), f1(py), colour, svgText(label))
		} else {
			fmt.Fprintf(&b, `<rect %s x="%s" y="%s" width="9" height="9" fill="%s"><title>%s</title></rect>`, attrs, f1(px-4.5), f1(py-4.5), colour, svgText(label))
			labels = append(labels, outLabel{p.Name, px, py})
		}
	}
	placeLabels(&b, labels)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// outLabel is the name of a point outside the limits, to write beside it.
type outLabel struct {
	text   string
	px, py float64
}

// placeLabels writes the labels beside their points, each moved up or
// down until it overlaps none written before (a character is about 7
// units wide at the charts' font size, a line 13 high).
func placeLabels(b *strings.Builder, labels []outLabel) {
	type box struct{ x0, x1, y0, y1 float64 }
	var placed []box
	for _, l := range labels {
		w := 7.2 * float64(len([]rune(l.text)))
		anchor, x0 := "start", l.px+8
		if l.px+8+w > chartW-4 {
			anchor, x0 = "end", l.px-8-w
		}
		var bx box
		for _, dy := range []float64{0, 13, -13, 26, -26, 39, -39, 52, -52} {
			bx = box{x0, x0 + w, l.py + dy - 9, l.py + dy + 4}
			free := true
			for _, o := range placed {
				if bx.x0 < o.x1 && o.x0 < bx.x1 && bx.y0 < o.y1 && o.y0 < bx.y1 {
					free = false
					break
				}
			}
			if free {
				break
			}
		}
		placed = append(placed, bx)
		tx := bx.x0
		if anchor == "end" {
			tx = bx.x1
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" fill="%s" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s</text>`, f1(tx), f1(bx.y1), anchor, axisColour, svgText(l.text))
	}
}

// shortDenominator is the indicator's denominator for the funnel's axis.
func shortDenominator(ind *Indicator) string {
	d := ind.Decl.Denominator
	if i := strings.Index(d, " ("); i > 0 {
		d = d[:i]
	}
	if len([]rune(d)) > 70 {
		d = string([]rune(d)[:67]) + "…"
	}
	return d
}

// describeFunnel is the funnel's text alternative.
func describeFunnel(ind *Indicator) string {
	f := ind.Funnel
	s := fmt.Sprintf("Graphique en entonnoir : %d territoires, taux du département %s (ligne centrale). ",
		len(f.Points), Value(f.Centre*f.Scale, ind.Decl.Unit))
	out := f.Outside()
	if len(out) == 0 {
		return s + "Tous les territoires sont dans les limites de contrôle à 95 %. Les valeurs sont dans le tableau qui suit."
	}
	var names []string
	for _, p := range out {
		names = append(names, p.Name+" ("+p.Position.String()+")")
	}
	return s + "Hors des limites : " + strings.Join(names, ", ") + ". Les valeurs sont dans le tableau qui suit."
}
