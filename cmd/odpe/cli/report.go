package cli

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/odpe/odpe/pipelines/report"
	"github.com/odpe/odpe/pipelines/report/load"
	"github.com/odpe/odpe/pipelines/report/pdf"
)

// runReport writes the observatory's report (HTML pages, and a PDF with
// --pdf when a Chromium is present) into DIR.
func runReport(e *env, args []string) int {
	fs := e.flags("report")
	prof := fs.String("profile", "", "the export profile the report is for (an external one shows only what it publishes); none: the internal report")
	year := fs.Int("year", 0, "the report's year (default: the latest year with values)")
	wantPDF := fs.Bool("pdf", false, "also print the whole report to rapport.pdf (needs a Chromium)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: odpe report [--profile P] [--year N] [--pdf] DIR")
		return ExitError
	}
	dir := fs.Arg(0)
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	start := time.Now()
	src, err := load.New(cfg, load.Options{Profile: *prof, Year: *year, Logger: e.log})
	if err != nil {
		return e.fail(err)
	}
	rep, err := src.Load(e.ctx)
	if err != nil {
		return e.fail(err)
	}
	names, err := report.Write(rep, dir)
	if err != nil {
		return e.fail(err)
	}
	n := 0
	for _, f := range rep.Families {
		n += len(f.Indicators)
	}
	kind := "internal"
	if !rep.In.Internal {
		kind = "profile " + rep.In.Profile
	}
	fmt.Fprintf(e.stdout, "Report %d (%s) written to %s: %d pages, %d indicators in %d families, in %s.\n",
		rep.Year, kind, dir, len(names)-1, n, len(rep.Families), time.Since(start).Round(time.Millisecond))
	if !*wantPDF {
		return ExitOK
	}
	chromium, err := pdf.Chromium()
	if errors.Is(err, pdf.ErrNoChromium) {
		fmt.Fprintf(e.stderr, "odpe: no PDF: %v\n", err)
		return ExitError
	}
	if err != nil {
		return e.fail(err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, report.CompletePage))
	if err != nil {
		return e.fail(err)
	}
	out := filepath.Join(dir, "rapport.pdf")
	if err := pdf.Print(e.ctx, chromium, (&url.URL{Scheme: "file", Path: abs}).String(), out); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "PDF written to %s.\n", out)
	return ExitOK
}
