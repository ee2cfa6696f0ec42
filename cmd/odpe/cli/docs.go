package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/odpe/odpe/pipelines/dictionary"
	"github.com/odpe/odpe/pipelines/refresh"
)

func runDocs(e *env, args []string) int {
	if len(args) > 1 {
		fmt.Fprintln(e.stderr, "usage: odpe docs [DIR]")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	dir := filepath.Join(cfg.ExportsDir, "dictionnaire")
	if len(args) == 1 {
		dir = args[0]
	}
	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		return e.fail(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(e.ctx)
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	d, err := dictionary.Build(e.ctx, db, cat)
	if err != nil {
		return e.fail(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e.fail(err)
	}
	for name, write := range map[string]func(*os.File) error{
		"dictionnaire.md":   func(f *os.File) error { return d.WriteMarkdown(f) },
		"dictionnaire.html": func(f *os.File) error { return d.WriteHTML(f) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return e.fail(err)
		}
		if err := write(f); err != nil {
			f.Close()
			return e.fail(err)
		}
		if err := f.Close(); err != nil {
			return e.fail(err)
		}
	}
	fmt.Fprintf(e.stdout, "Data dictionary written to %s (dictionnaire.md, dictionnaire.html): %d tables and views, %d indicators.\n", dir, d.Tables(), d.Indicators())
	return ExitOK
}
