package cli

import (
	"fmt"

	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/refresh"
)

func runDemo(e *env, args []string) int {
	fs := e.flags("demo")
	scale := fs.String("scale", "small", "size of the demo: small, departement or national")
	seed := fs.Uint64("seed", 62, "random seed (same seed, same files)")
	noRefresh := fs.Bool("no-refresh", false, "only write the files")
	if err := fs.Parse(args); err != nil || fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "usage: odpe demo [--scale small|departement|national] [--seed N] [DIR]")
		return ExitError
	}
	dir := "odpe-demo"
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	s, ok := demo.Scales[*scale]
	if !ok {
		return e.fail(fmt.Errorf("unknown scale %q: expected small, departement or national", *scale))
	}
	cfgPath, err := demo.Write(e.ctx, dir, s, *seed)
	if err != nil {
		return e.fail(err)
	}
	e.log.Info("demo sources written", "dir", dir, "scale", *scale)
	e.configPath = cfgPath
	if *noRefresh {
		fmt.Fprintf(e.stdout, "Demo sources and configuration written to %s.\n", cfgPath)
		return ExitOK
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	code := e.refresh(cfg, refresh.Options{})
	if code != ExitOK && code != ExitPartial {
		return code
	}
	serveLines, err := demoUsers(cfgPath, cfg)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, `
Warehouse: %s
Exports:   %s
Try:
  go run ./cmd/odpe --config %s sql "SELECT indicator, period, territory, value, unit, evolution FROM indicator_values WHERE indicator = 'pmi_epp_rate' ORDER BY period"
  go run ./cmd/odpe --config %s status
%s`, cfg.Warehouse, cfg.ExportsDir, cfgPath, cfgPath, serveLines)
	return code
}
