// Package pdf prints a report page to an A4 PDF with a headless Chromium,
// driven through the DevTools protocol (chromedp). The page's own print
// style sheet decides the layout (A4, page breaks, margin boxes).
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned when no Chromium can be found.
var ErrNoChromium = errors.New("no Chromium found (install Debian's chromium, or set CHROMIUM to its path)")

// Chromium returns the path of a Chromium: $CHROMIUM, else the first of
// chromium, chromium-browser, google-chrome… in PATH.
func Chromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Allocator starts a headless Chromium at path with the options a server
// needs (no sandbox when run as root, no GPU, no first-run requests).
func Allocator(ctx context.Context, path string) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
	)
	return chromedp.NewExecAllocator(ctx, opts...)
}

// Print loads url (file:// or http://) and writes its printed form to
// out, a PDF on A4 paper as the page's CSS sets it.
func Print(ctx context.Context, chromium, url, out string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	actx, acancel := Allocator(ctx, chromium)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		return fmt.Errorf("pdf: load %s: %w", url, err)
	}
	buf, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4), // when the CSS says nothing
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(),
		chromedp.PDFOutlineAndTagged(),
	))
	if err != nil {
		return fmt.Errorf("pdf: print %s: %w", url, err)
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
