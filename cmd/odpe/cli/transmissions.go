package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/export/transmit"
)

const transmissionsUsage = "usage: odpe transmissions [PROFILE] | transmissions verify ZIP|DIR | transmissions pack [PROFILE…]"

// runTransmissions lists the transmission packages of the archive, checks
// one against its manifest, or packs the profiles as published now.
func runTransmissions(e *env, args []string) int {
	if len(args) > 0 && args[0] == "verify" {
		if len(args) != 2 {
			fmt.Fprintln(e.stderr, transmissionsUsage)
			return ExitError
		}
		return verifyTransmission(e, args[1])
	}
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, transmissionsUsage)
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	if len(args) > 0 && args[0] == "pack" {
		return packTransmissions(e, cfg, args[1:])
	}
	if len(args) > 1 {
		fmt.Fprintln(e.stderr, transmissionsUsage)
		return ExitError
	}
	var name string
	if len(args) == 1 {
		name = args[0]
		if _, ok := cfg.Export(name); !ok {
			if _, err := os.Stat(filepath.Join(transmit.Dir(cfg.ExportsDir), name)); err != nil {
				return e.fail(fmt.Errorf("no export profile %q in %s, and no package of it", name, cfg.Path))
			}
		}
	}
	a := &transmit.Archive{Dir: transmit.Dir(cfg.ExportsDir)}
	pkgs, lerr := a.List(name)
	if len(pkgs) == 0 && lerr == nil {
		fmt.Fprintf(e.stdout, "No transmission package in %s.\n", a.Dir)
		return ExitOK
	}
	printPackages(e, pkgs)
	if lerr != nil {
		return e.fail(lerr)
	}
	return ExitOK
}

// printPackages prints the packages, one a line, the oldest first.
func printPackages(e *env, pkgs []transmit.Package) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tPROFILE\tRUN\tTHRESHOLD\tFILES\tSIZE\tSHA-256\tPATH")
	for _, p := range pkgs {
		m := p.Manifest
		threshold := "-"
		if m.Audience == "external" {
			threshold = fmt.Sprint(m.Threshold)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n", m.Published.In(transmit.Paris()).Format("2006-01-02 15:04"),
			m.Profile, m.Run, threshold, len(m.Files), frInt(p.Size), p.SHA256, p.Path)
	}
	tw.Flush()
}

// verifyTransmission checks a package (a zip, or the folder it unzipped
// into) against its manifest.
func verifyTransmission(e *env, path string) int {
	m, problems, err := transmit.Verify(path)
	if err != nil {
		return e.fail(err)
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stdout, "%s does NOT match its manifest (%s, run %d):\n", path, m.Profile, m.Run)
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
		return ExitError
	}
	fmt.Fprintf(e.stdout, "%s: OK, the %d file(s) of %s (run %d, published %s) match its manifest.\n",
		path, len(m.Files), m.Profile, m.Run, m.Published.In(transmit.Paris()).Format("2006-01-02 15:04"))
	return ExitOK
}

// packTransmissions packs the named profiles (all when none) as they are
// published now: what a publication does, for a package that could not
// be written then, or for files published before packages existed.
func packTransmissions(e *env, cfg *configs.Config, names []string) int {
	profiles := cfg.Exports
	if len(names) > 0 {
		profiles = nil
		for _, n := range names {
			p, ok := cfg.Export(n)
			if !ok {
				return e.fail(fmt.Errorf("no export profile %q in %s", n, cfg.Path))
			}
			profiles = append(profiles, p)
		}
	}
	code := ExitOK
	for _, p := range profiles {
		link := filepath.Join(cfg.ExportsDir, p.Name)
		target, err := os.Readlink(link)
		if err != nil {
			fmt.Fprintf(e.stdout, "%s: not published (%s)\n", p.Name, link)
			continue
		}
		run := strings.Split(filepath.ToSlash(target), "/")
		if len(run) < 2 {
			e.fail(fmt.Errorf("%s: the link points at %s, not at a run's folder", link, target))
			code = ExitError
			continue
		}
		t := profile.Pack(cfg, p, filepath.Join(cfg.ExportsDir, filepath.FromSlash(target)), profile.RunOf(run[1]))
		code = max(code, printTransmission(e, t))
	}
	return code
}

// printTransmission says what became of a profile's package.
func printTransmission(e *env, t profile.Transmission) int {
	switch {
	case t.Err != nil && t.Made:
		fmt.Fprintf(e.stdout, "  transmission package of %s: %s, but its record in the archive was not: %v\n", t.Profile, t.Package.Path, t.Err)
		return ExitError
	case t.Err != nil:
		fmt.Fprintf(e.stdout, "  transmission package of %s NOT written (its files are published; `odpe transmissions pack %s` tries again): %v\n",
			t.Profile, t.Profile, t.Err)
		return ExitError
	case t.Made:
		fmt.Fprintf(e.stdout, "  transmission package of %s: %s\n", t.Profile, t.Package.Path)
	default:
		fmt.Fprintf(e.stdout, "  %s: files unchanged since the package %s\n", t.Profile, filepath.Base(t.Package.Path))
	}
	return ExitOK
}
