// Package refreshtest builds source trees for tests: the département's
// sample files (testdata/samples) copied into a temporary folder with their
// configuration and a fresh pseudonymisation key.
package refreshtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/odpe/odpe/pipelines/extract/pseudonym"
)

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Samples copies testdata/samples into a new temporary folder, writes a key
// and returns the path of the configuration.
func Samples(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(Root(), "testdata", "samples")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := pseudonym.Generate(filepath.Join(dir, "odpe.key")); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "odpe.yaml")
}
