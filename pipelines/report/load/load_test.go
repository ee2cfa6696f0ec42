package load_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/report"
	"github.com/odpe/odpe/pipelines/report/load"
	"github.com/odpe/odpe/pipelines/report/pdf"
)

var (
	demoOnce sync.Once
	demoDir  string
	demoCfg  string
	demoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

func odpe(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// demo refreshes the small demo once for every test of the package.
func demo(t *testing.T) *configs.Config {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "odpe-report-demo")
		if demoErr != nil {
			return
		}
		code, _, errOut := odpe("demo", "--scale", "small", demoDir)
		if code != cli.ExitOK && code != cli.ExitPartial {
			demoErr = fmt.Errorf("demo: exit %d: %s", code, errOut)
		}
		demoCfg = filepath.Join(demoDir, "odpe.yaml")
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	cfg, err := configs.Load(demoCfg, cli.Validators())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReportCommand(t *testing.T) {
	demo(t)
	dir := t.TempDir()
	code, out, errOut := odpe("--config", demoCfg, "report", dir)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Report 2025 (internal)") {
		t.Errorf("output: %s", out)
	}
	for _, name := range []string{"index.html", "ase.html", "pmi.html", "prevention.html", "adoption.html", "qualite.html", "complet.html", "rapport.css"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{`lang="fr"`, "Document interne", "Pas-de-Calais", "entretiens prénataux précoces", "Placements en vue d"} {
		if !bytes.Contains(index, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// The quality page names the jobs by their kinds, in the words every
	// file uses (the meta.files kind read with the job).
	quality, _ := os.ReadFile(filepath.Join(dir, "qualite.html"))
	if !bytes.Contains(quality, []byte(`<th scope="row">Comptages mensuels d&#39;activité de la PMI</th>`)) {
		t.Errorf("qualite.html: the PMI job is not named in words")
	}
	ase, _ := os.ReadFile(filepath.Join(dir, "ase.html"))
	// Territory names, never codes, in the funnels' tables and charts (the
	// demo's territory codes: a breakdown's value such as AED is no code).
	prev, _ := os.ReadFile(filepath.Join(dir, "prevention.html"))
	if bytes.Contains(prev, []byte("SPS-62")) || !bytes.Contains(prev, []byte("Service de prévention spécialisée")) {
		t.Errorf("prevention.html: service codes shown, or names missing")
	}
	if !bytes.Contains(ase, []byte("Arrageois")) || regexp.MustCompile(`data-territory="(ARR|ART|AUD|BOU|CAL|HEN|LEN|MON|TER)"|<th scope="row">(ARR|ART|AUD|BOU|CAL|HEN|LEN|MON|TER)</th>`).Match(ase) {
		t.Errorf("ase.html: territory codes shown, or names missing")
	}

	dir2 := t.TempDir()
	code, out, errOut = odpe("--config", demoCfg, "report", "--profile", "insee", "--year", "2023", dir2)
	if code != cli.ExitOK || !strings.Contains(out, "Report 2023 (profile insee)") {
		t.Fatalf("insee 2023: exit %d: %s %s", code, out, errOut)
	}
	idx, _ := os.ReadFile(filepath.Join(dir2, "index.html"))
	if bytes.Contains(idx, []byte("Document interne")) || !bytes.Contains(idx, []byte("Chiffres clés 2023")) {
		t.Errorf("insee 2023 index: wrong mark or year")
	}
	if code, _, errOut = odpe("--config", demoCfg, "report", "--profile", "nope", t.TempDir()); code != cli.ExitError || !strings.Contains(errOut, `unknown profile "nope"`) {
		t.Errorf("unknown profile: exit %d: %s", code, errOut)
	}
	if code, _, _ = odpe("--config", demoCfg, "report"); code != cli.ExitError {
		t.Errorf("no DIR: exit %d", code)
	}
}

// A profile never published is reported from the rows the export code
// would publish, not from the warehouse.
func TestUnpublishedProfile(t *testing.T) {
	cfg := demo(t)
	c := *cfg
	c.ExportsDir = t.TempDir() // nothing published there
	src, err := load.New(&c, load.Options{Profile: "odas"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := src.Input(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, r := range in.Rows {
		if r.Conf != export.Free {
			hidden++
		}
	}
	if hidden == 0 || !strings.Contains(in.Origin, "jamais publié") || in.Internal {
		t.Errorf("odas, unpublished: %d hidden rows, origin %q", hidden, in.Origin)
	}
}

// browser is a headless Chromium tab that records, for each page it
// loads, the console's errors and every URL the page requests.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := pdf.Chromium()
	if err != nil {
		t.Skipf("no browser test: %v", err)
	}
	actx, acancel := pdf.Allocator(context.Background(), path)
	t.Cleanup(acancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 900)); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				b.errors = append(b.errors, fmt.Sprintf("console.%s", ev.Type))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				b.errors = append(b.errors, fmt.Sprintf("%s %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// load opens url and returns the console's errors and the URLs requested.
func (b *browser) load(t *testing.T, url string) (errs, requests []string) {
	t.Helper()
	b.mu.Lock()
	b.errors, b.requests = nil, nil
	b.mu.Unlock()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url), chromedp.WaitReady("footer")); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	time.Sleep(200 * time.Millisecond) // late log entries (a failed style sheet, a CSP report)
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...), append([]string(nil), b.requests...)
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// chartPoints is, for each indicator section of the page, the marks of
// its series chart.
type chartPoints struct {
	ID     string
	Points []struct {
		Series string
		Year   int
		Value  float64
	}
	Cells   [][]string // the data table's rows
	Details [][]string // the rows of the tables of the year by breakdown
}

const chartsJS = `[...document.querySelectorAll('section.indicator')].map(s => ({
	ID: s.id,
	Points: [...s.querySelectorAll('svg.chart:not(.funnel) .pt')].map(p => ({Series: p.dataset.series, Year: +p.dataset.year, Value: +p.dataset.value})),
	Cells: [...s.querySelectorAll('figure:first-of-type table tbody tr')].map(tr => [...tr.children].map(c => c.textContent)),
	Details: [...s.querySelectorAll('details.detail tbody tr')].map(tr => [...tr.children].map(c => c.textContent)),
}))`

// contrastJS lists the elements whose text has a contrast ratio below
// 4.5:1 with the background behind it (3:1 at 18.66 px bold or 24 px).
const contrastJS = `(() => {
	const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
	const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); } return [255, 255, 255]; };
	const out = [];
	for (const el of document.querySelectorAll('body *')) {
		if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
		const st = getComputedStyle(el);
		if (st.display === 'none' || st.visibility === 'hidden' || el.closest('details:not([open]) > :not(summary)')) continue;
		const fill = el instanceof SVGElement ? (el.getAttribute('fill') ? rgb(st.fill) : rgb(st.color)) : rgb(st.color);
		const a = lum(fill.slice(0, 3)), b = lum(bg(el));
		const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
		const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
		const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
		if (ratio < need) out.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
	}
	return out.slice(0, 10);
})()`

type funnelPoint struct {
	Territory                     string
	Numerator, Denominator, Value float64
	Lo998, Lo95, Hi95, Hi998      float64
}

const funnelJS = `[...document.querySelectorAll('section.indicator svg.funnel .fp')].map(p => ({
	Section: p.closest('section').id, Territory: p.dataset.territory,
	Numerator: +p.dataset.numerator, Denominator: +p.dataset.denominator, Value: +p.dataset.value,
	Lo998: +p.dataset.lo998, Lo95: +p.dataset.lo95, Hi95: +p.dataset.hi95, Hi998: +p.dataset.hi998}))`

// seriesCount is the number of values of an indicator's département
// series up to year in the warehouse: its total (territory and every
// breakdown at Ensemble), or, without a total, the values of the first
// breakdown that has some, the others at their total.
func seriesCount(t *testing.T, db *sql.DB, id string, breakdowns []string, year int) int {
	t.Helper()
	dims := []string{"service", "category", "public", "sex", "age_band", "mode", "event"}
	where := func(except string) string {
		var conds []string
		for _, d := range dims {
			if d == except {
				conds = append(conds, d+" <> 'Ensemble'")
			} else {
				conds = append(conds, "coalesce("+d+", 'Ensemble') = 'Ensemble'")
			}
		}
		return strings.Join(conds, " AND ")
	}
	count := func(except string) (all, values int) {
		q := `SELECT count(*), count(value) FROM ind.values WHERE indicator = ? AND dep = '62' AND period <= ? AND territory = 'Ensemble' AND ` + where(except)
		if err := db.QueryRow(q, id, year).Scan(&all, &values); err != nil {
			t.Fatal(err)
		}
		return all, values
	}
	if all, values := count(""); all > 0 {
		return values
	}
	for _, b := range breakdowns {
		if all, values := count(b); all > 0 {
			return values
		}
	}
	return 0
}

func TestReportInBrowser(t *testing.T) {
	cfg := demo(t)
	b := newBrowser(t)
	internal, err := load.Handler(cfg, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	insee, err := load.Handler(cfg, load.Options{Profile: "insee"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/interne/", http.StripPrefix("/interne", internal))
	mux.Handle("/insee/", http.StripPrefix("/insee", insee))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	repInt, err := internal.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	repExt, err := insee.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Every page loads with no console error and asks nothing of any
	// other server.
	for _, c := range []struct {
		prefix string
		rep    *report.Report
	}{{"/interne/", repInt}, {"/insee/", repExt}} {
		for _, name := range c.rep.Pages() {
			if !strings.HasSuffix(name, ".html") {
				continue
			}
			url := srv.URL + c.prefix + name
			errs, reqs := b.load(t, url)
			if len(errs) > 0 {
				t.Errorf("%s: console: %s", url, strings.Join(errs, "; "))
			}
			for _, r := range reqs {
				if !strings.HasPrefix(r, srv.URL+c.prefix) && !strings.HasPrefix(r, "data:") {
					t.Errorf("%s: requested %s", url, r)
				}
			}
			lang := eval[string](t, b, `document.documentElement.lang`)
			if lang != "fr" {
				t.Errorf("%s: lang %q", url, lang)
			}
			// Headings in order: none skips a level.
			levels := eval[[]int](t, b, `[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')].map(h => +h.tagName[1])`)
			for i := 1; i < len(levels); i++ {
				if levels[i] > levels[i-1]+1 {
					t.Errorf("%s: heading h%d after h%d", url, levels[i], levels[i-1])
					break
				}
			}
			if len(levels) == 0 || levels[0] != 1 {
				t.Errorf("%s: the first heading is not a h1: %v", url, levels)
			}
			// Text contrasts with its background (RGAA 3.2: 4.5:1, 3:1 for
			// large text).
			if low := eval[[]string](t, b, contrastJS); len(low) > 0 {
				t.Errorf("%s: low contrast: %s", url, strings.Join(low, "; "))
			}
			// Each chart has a text alternative and a data table.
			bad := eval[int](t, b, `[...document.querySelectorAll('svg.chart')].filter(s => s.getAttribute('role') !== 'img' || !s.querySelector('title') || !s.querySelector('desc') || !s.closest('figure').querySelector('details table')).length`)
			if bad > 0 {
				t.Errorf("%s: %d charts without a text alternative or a data table", url, bad)
			}
		}
	}

	// Every series chart has as many marks as the indicator has values in
	// the warehouse for its series.
	checked := 0
	for _, fam := range repInt.Families {
		b.load(t, srv.URL+"/interne/"+fam.Page())
		charts := eval[[]chartPoints](t, b, chartsJS)
		if len(charts) != len(fam.Indicators) {
			t.Fatalf("%s: %d sections, %d indicators", fam.Page(), len(charts), len(fam.Indicators))
		}
		for i, ch := range charts {
			ind := fam.Indicators[i]
			want := seriesCount(t, db, ind.Decl.ID, ind.Decl.Breakdowns, repInt.Year)
			if len(ch.Points) != want {
				t.Errorf("%s: %d points on the chart, %d values in the warehouse", ch.ID, len(ch.Points), want)
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("only %d charts checked", checked)
	}

	// The funnel plot's limits, for one known case: the first territory of
	// the minors' rate (Poisson) and of the foster-family share (binomial),
	// computed again here with gonum's distributions around the
	// département's rate read from the warehouse.
	b.load(t, srv.URL+"/interne/ase.html")
	type fp struct {
		Section string
		funnelPoint
	}
	points := eval[[]fp](t, b, funnelJS)
	for _, c := range []struct {
		id    string
		scale float64
		dist  string
	}{{"ase_foster_family_share", 100, "binomial"}, {"ase_minors_rate", 1000, "poisson"}} {
		var p *fp
		for i := range points {
			if points[i].Section == c.id {
				p = &points[i]
				break
			}
		}
		if p == nil {
			t.Errorf("%s: no funnel plot", c.id)
			continue
		}
		var centre float64
		q := `SELECT value FROM ind.values WHERE indicator = ? AND dep = '62' AND period = ? AND territory = 'Ensemble' AND coalesce(sex, 'Ensemble') = 'Ensemble'`
		if err := db.QueryRow(q, c.id, repInt.Year).Scan(&centre); err != nil {
			t.Fatal(err)
		}
		theta := centre / c.scale
		for _, lim := range []struct {
			p   float64
			got float64
		}{{0.001, p.Lo998}, {0.025, p.Lo95}, {0.975, p.Hi95}, {0.999, p.Hi998}} {
			want := gonumLimit(c.dist, theta, p.Denominator, lim.p) * c.scale
			if math.Abs(lim.got-want) > 1e-6*math.Max(1, want) {
				t.Errorf("%s, %s (n = %g): limit at %g is %g, computed again %g", c.id, p.Territory, p.Denominator, lim.p, lim.got, want)
			}
		}
		if p.Value != p.Numerator/p.Denominator*c.scale && math.Abs(p.Value-p.Numerator/p.Denominator*c.scale) > 1e-9 {
			t.Errorf("%s, %s: value %g for %g / %g", c.id, p.Territory, p.Value, p.Numerator, p.Denominator)
		}
	}

	// The external report shows no value its profile hides: the hidden
	// cells of the département's series and of the territories compared
	// have no mark, and their table cell says "s".
	pub, err := load.ReadPublished(filepath.Join(cfg.ExportsDir, "insee"), "")
	if err != nil {
		t.Fatal(err)
	}
	hiddenSeries := map[string]map[int]bool{}  // indicator → years hidden (département total)
	hiddenTerr := map[string]map[string]bool{} // indicator → territories hidden in the report's year
	allTotal := func(r export.Row) bool {
		for _, v := range r.Dims {
			if v != export.Total {
				return false
			}
		}
		return true
	}
	for _, r := range pub.Rows {
		if r.Conf == export.Free || r.Dep != "62" || !allTotal(r) || r.Period > repExt.Year {
			continue
		}
		if r.Territory == export.Total {
			if hiddenSeries[r.Indicator] == nil {
				hiddenSeries[r.Indicator] = map[int]bool{}
			}
			hiddenSeries[r.Indicator][r.Period] = true
		} else if r.Period == repExt.Year {
			if hiddenTerr[r.Indicator] == nil {
				hiddenTerr[r.Indicator] = map[string]bool{}
			}
			hiddenTerr[r.Indicator][repExt.TerritoryName(r.Territory)] = true
		}
	}
	seen := 0
	for _, fam := range repExt.Families {
		b.load(t, srv.URL+"/insee/"+fam.Page())
		charts := eval[[]chartPoints](t, b, chartsJS)
		funnels := eval[[]fp](t, b, funnelJS)
		for _, ch := range charts {
			for _, p := range ch.Points {
				if hiddenSeries[ch.ID][p.Year] {
					t.Errorf("insee %s: a mark for %d, which the profile hides", ch.ID, p.Year)
				}
			}
			for _, row := range ch.Cells {
				var year int
				fmt.Sscan(row[0], &year)
				if hiddenSeries[ch.ID][year] {
					seen++
					if row[1] != "s" {
						t.Errorf("insee %s, %d: the table shows %q, the profile hides it", ch.ID, year, row[1])
					}
				}
			}
		}
		for _, ch := range charts {
			for _, row := range ch.Details {
				if hiddenTerr[ch.ID][row[0]] {
					seen++
					if row[1] != "s" {
						t.Errorf("insee %s, %s: the detail table shows %q, the profile hides it", ch.ID, row[0], row[1])
					}
				}
			}
		}
		for _, p := range funnels {
			if hiddenTerr[p.Section][p.Territory] {
				t.Errorf("insee %s: %s on the funnel plot, which the profile hides", p.Section, p.Territory)
			}
		}
		for id, terrs := range hiddenTerr {
			seen += len(terrs)
			_ = id
		}
	}
	if seen == 0 {
		t.Errorf("the insee report hides nothing: the test proves nothing")
	}

	// A PDF of the whole report: A4 pages, about one per indicator.
	out := filepath.Join(t.TempDir(), "rapport.pdf")
	chromium, _ := pdf.Chromium()
	if err := pdf.Print(ctx, chromium, srv.URL+"/interne/complet.html", out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page\b[^s]`).FindAll(data, -1))
	n := 0
	for _, fam := range repInt.Families {
		n += len(fam.Indicators)
	}
	t.Logf("PDF: %d pages, %d bytes, %d indicators", pages, len(data), n)
	// About a page per indicator (a section with its chart, its
	// definitions and its funnel plot), the summary and the data quality.
	want := n + 2
	if !bytes.HasPrefix(data, []byte("%PDF-")) || math.Abs(float64(pages-want)) > 0.35*float64(want) {
		t.Errorf("PDF: %d pages for %d indicators, want %d ± 35 %%", pages, n, want)
	}

	if dir := os.Getenv("ODPE_REPORT_SHOTS"); dir != "" {
		shots(t, b, srv.URL, dir)
	}
}

// gonumLimit is a funnel limit computed with gonum's distributions.
func gonumLimit(dist string, theta, n, p float64) float64 {
	var cdf func(float64) float64
	if dist == "binomial" {
		n = math.Round(n)
		cdf = distuv.Binomial{N: n, P: theta}.CDF
	} else {
		cdf = distuv.Poisson{Lambda: theta * n}.CDF
	}
	r := 0.0
	for cdf(r) < p {
		r++
	}
	below := 0.0
	if r > 0 {
		below = cdf(r - 1)
	}
	return (r - (cdf(r)-p)/(cdf(r)-below)) / n
}

// shots saves screenshots of a few pages and sections, to look at.
func shots(t *testing.T, b *browser, base, dir string) {
	for _, s := range []struct{ url, sel, file string }{
		{"/interne/index.html", "body", "index.png"},
		{"/interne/ase.html", "#ase_foster_family_share", "ase_foster_family_share.png"},
		{"/interne/ase.html", "#ase_minors_rate", "ase_minors_rate.png"},
		{"/interne/pmi.html", "#pmi_epp_followed_share figure + dl + h3 + div + figure", "pmi_funnel.png"},
		{"/interne/prevention.html", "#prev_hours_share", "prev_hours_share.png"},
		{"/insee/ase.html", "#ase_children_followed", "insee_children_followed.png"},
		{"/interne/qualite.html", "body", "qualite.png"},
	} {
		b.load(t, base+s.url)
		png, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(s.sel)))
		if err != nil {
			t.Errorf("screenshot %s: %v", s.sel, err)
			continue
		}
		_ = os.WriteFile(filepath.Join(dir, s.file), png, 0o644)
	}
}

// odpe report --pdf prints the whole report, from the files it wrote.
func TestReportPDFCommand(t *testing.T) {
	if _, err := pdf.Chromium(); err != nil {
		t.Skipf("no PDF test: %v", err)
	}
	demo(t)
	dir := t.TempDir()
	code, out, errOut := odpe("--config", demoCfg, "report", "--profile", "insee", "--pdf", dir)
	if code != cli.ExitOK || !strings.Contains(out, "PDF written to") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "rapport.pdf"))
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("rapport.pdf: %v", err)
	}
}
