package all_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"

	_ "github.com/odpe/odpe/pipelines/export/all"
)

// TestEveryFormatIsComplete: each registered format has a layout (a
// whole-profile one copies the unchanged families' part of its last file:
// export.Reuser), and its
// package a package comment, golden files under testdata/ that a test
// compares (exporttest.Golden), and a test that writes through the
// registered Format and reads the files back (exporttest.WriteFormat);
// every package under pipelines/export that registers a format is
// imported here.
func TestEveryFormatIsComplete(t *testing.T) {
	formats := export.Formats()
	if len(formats) < 4 {
		t.Fatalf("%d formats registered, want parquet, xlsx, sdmx and feather at least", len(formats))
	}
	const module = "github.com/odpe/odpe/pipelines/export/"
	packages := map[string]bool{}
	for _, f := range formats {
		pkg := reflect.TypeOf(f).PkgPath()
		if !strings.HasPrefix(pkg, module) {
			t.Errorf("format %s: package %s is not under pipelines/export", f.Name(), pkg)
			continue
		}
		dir := filepath.Join("..", strings.TrimPrefix(pkg, module))
		packages[filepath.Base(dir)] = true
		if f.Layout() != export.PerFamily && f.Layout() != export.WholeProfile {
			t.Errorf("format %s: layout %v", f.Name(), f.Layout())
		}
		if _, ok := f.(export.Reuser); f.Layout() == export.WholeProfile && !ok {
			// It would still be complete (handed every row), but rewritten
			// whole at every refresh, a new PMI file included.
			t.Errorf("format %s: a whole-profile format that is not an export.Reuser", f.Name())
		}
		if !hasPackageComment(t, dir) {
			t.Errorf("format %s: %s has no package comment", f.Name(), dir)
		}
		golden, _ := filepath.Glob(filepath.Join(dir, "testdata", "*"))
		if len(golden) == 0 {
			t.Errorf("format %s: no golden files in %s/testdata", f.Name(), dir)
		}
		if !testsCall(t, dir, "exporttest.Golden(") {
			t.Errorf("format %s: no test of %s compares a golden file (exporttest.Golden)", f.Name(), dir)
		}
		if !testsCall(t, dir, "exporttest.WriteFormat(") {
			t.Errorf("format %s: no test of %s writes through the registered Format and reads it back (exporttest.WriteFormat)", f.Name(), dir)
		}
	}
	// Every package that registers a format is registered here.
	entries, _ := os.ReadDir("..")
	for _, e := range entries {
		dir := filepath.Join("..", e.Name())
		if !e.IsDir() || e.Name() == "all" {
			continue
		}
		if registers(t, dir) && !packages[e.Name()] {
			t.Errorf("%s calls export.Register but pipelines/export/all does not import it", dir)
		}
	}
}

// TestConfigFormatsFromRegistry: the formats a configuration may name are
// those registered, and the shipped configuration names only those.
func TestConfigFormatsFromRegistry(t *testing.T) {
	names := export.Names()
	if !slices.IsSorted(names) || len(names) != len(export.Formats()) {
		t.Fatalf("Names() = %v", names)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ase"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := func(formats string) []byte {
		return []byte("departement: \"62\"\nwarehouse: data/odpe.duckdb\njobs:\n  ase:\n    kind: ase\n    source: ase\nexports:\n  p:\n    audience: internal\n    formats: " + formats + "\n")
	}
	v := configs.Validators{Formats: names}
	if _, err := configs.Parse(filepath.Join(dir, "odpe.yaml"), text("["+strings.Join(names, ", ")+"]"), v); err != nil {
		t.Errorf("every registered format: %v", err)
	}
	_, err := configs.Parse(filepath.Join(dir, "odpe.yaml"), text("[parquet, csv]"), v)
	if err == nil || !strings.Contains(err.Error(), `unknown format "csv": expected one of `+strings.Join(names, ", ")) {
		t.Errorf("unregistered format: %v", err)
	}
}

func hasPackageComment(t *testing.T, dir string) bool {
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package "+p.Name+" ") {
				return true
			}
		}
	}
	return false
}

func testsCall(t *testing.T, dir, call string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	return contains(t, files, call)
}

func registers(t *testing.T, dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	return contains(t, files, "export.Register(")
}

func contains(t *testing.T, files []string, s string) bool {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}
