package cli_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/dictionary"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/schedule"

	_ "github.com/odpe/odpe/pipelines/all"
)

// docs refreshes the samples and writes their data dictionary into a new
// folder: it returns the configuration and the folder.
func docs(t *testing.T) (*configs.Config, string) {
	t.Helper()
	cfgPath := refreshed(t)
	dir := t.TempDir()
	code, out, errOut := odpe(t, "--config", cfgPath, "docs", dir)
	if code != cli.ExitOK || !strings.Contains(out, " indicators.") {
		t.Fatalf("docs: exit %d: %s%s", code, out, errOut)
	}
	cfg, err := configs.Load(cfgPath, configs.Validators{Spec: schedule.ValidateSpec})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, dir
}

// TestDocsForStatisticians: the dictionary is in French, indicators first,
// with a table of contents, a conventions section and a description of
// every table and column of the warehouse.
func TestDocsForStatisticians(t *testing.T) {
	cfg, dir := docs(t)
	md := string(mustRead(t, filepath.Join(dir, "dictionnaire.md")))
	html := string(mustRead(t, filepath.Join(dir, "dictionnaire.html")))

	order := []string{"## Sommaire", "## Indicateurs", "## Conventions", "## Tables et vues"}
	last := -1
	for _, h := range order {
		i := strings.Index(md, "\n"+h+"\n")
		if i < 0 || i < last {
			t.Errorf("Markdown: %q missing or out of order (want %v)", h, order)
		}
		last = i
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`Unité : (count|hours|days|ratio|per100k)\b`), // codes, not words
		regexp.MustCompile(`Ventilations : [^\n]*\b(age_band|sex)\b`),    // column names
		regexp.MustCompile(`\b\d{4}_[a-z_]+:`),                           // migration notes
		regexp.MustCompile(`(?i)\bread by a window\b|\bthe latest file\b`),
	} {
		if m := bad.FindString(md); m != "" {
			t.Errorf("Markdown holds %q: developer notes or codes, not words for statisticians", m)
		}
	}
	for _, want := range []string{"« Ensemble »", "« s » : secret statistique", "Statut", "Unité : pourcentage", "tranche d'âge",
		"Sources : situation des enfants suivis à l'ASE au 31 décembre (core.ase_situation)",
		"#### main.indicator_values (vue) : valeurs des indicateurs", "| child_id | VARCHAR | pseudonyme"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}

	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range cat.List {
		if !strings.Contains(html, `<section id="`+d.ID+`" data-recherche>`) {
			t.Errorf("HTML: no section anchored at #%s", d.ID)
		}
	}
	if !strings.Contains(html, `<html lang="fr">`) || !strings.Contains(html, `id="recherche"`) {
		t.Error("HTML: no French language or no search box")
	}
	if regexp.MustCompile(`(?i)<(script|link|img)[^>]+(src|href)="(https?:)?//`).MatchString(html) {
		t.Error("HTML fetches something from the network")
	}

	db, err := refresh.Store(cfg).OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := dictionary.Build(context.Background(), db, cat)
	if err != nil {
		t.Fatal(err)
	}
	if missing := d.Undescribed(); len(missing) > 0 {
		t.Errorf("glossaire.yaml describes neither these tables nor these columns: %s", strings.Join(missing, ", "))
	}
}

// TestDocsInBrowser opens the HTML dictionary in a real Chromium: it loads
// with no console error, every indicator has its anchor, and the search box
// finds an indicator and hides what does not match.
func TestDocsInBrowser(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("no Chromium on this machine (CI installs Debian's chromium)")
	}
	cfg, dir := docs(t)
	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	stop := time.AfterFunc(time.Minute, cancel) // the whole browser, not one action
	defer stop.Stop()

	consoleCtx, stopConsole := context.WithCancel(ctx)
	var consoleErrors []string
	listened := make(chan struct{})
	messages := chromedp.Console(consoleCtx)
	go func() {
		defer close(listened)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				consoleErrors = append(consoleErrors, m.String())
			}
		}
	}()

	ids := make([]string, 0, len(cat.List))
	for _, d := range cat.List {
		ids = append(ids, d.ID)
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	search := chromedp.CSS("#recherche")
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(dir, "dictionnaire.html")),
		chromedp.WaitVisible(search),
	); err != nil {
		t.Fatal(err)
	}
	missingAnchors, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(`+string(idsJSON)+`).filter(id => !document.getElementById(id))`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(search, "entretiens prenataux")); err != nil {
		t.Fatal(err)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("section[data-recherche]")].filter(s => !s.hidden).map(s => s.id)`))
	if err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#resultats")))
	if err != nil {
		t.Fatal(err)
	}
	stopConsole()
	<-listened

	if len(consoleErrors) > 0 {
		t.Errorf("console errors: %v", consoleErrors)
	}
	if len(missingAnchors) > 0 {
		t.Errorf("indicators without an anchor: %v", missingAnchors)
	}
	found := false
	for _, id := range visible {
		if id == "pmi_epp" {
			found = true
		}
		if id == "prev_hours" || id == "table-meta.runs" {
			t.Errorf("search for EPP leaves %s shown", id)
		}
	}
	if !found || count == "" {
		t.Errorf("search for EPP (accents left out) shows %v (%q), want pmi_epp among them", visible, count)
	}
}
