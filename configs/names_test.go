package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportProfileNames: a profile's name names its folder and link in
// exports_dir: the archive of transmission packages, the dictionary, a
// hidden folder (.runs) or a path cannot be one.
func TestExportProfileNames(t *testing.T) {
	for _, c := range []struct{ name, err string }{
		{"insee", ""},
		{"transmissions", `"transmissions" is reserved`},
		{"dictionnaire", `"dictionnaire" is reserved`},
		{".runs", "no leading dot"},
		{"a/b", "no slash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "ase"), 0o755)
			text := "departement: \"62\"\nwarehouse: data/odpe.duckdb\njobs:\n  ase:\n    kind: ase\n    source: ase\nexports:\n  \"" +
				c.name + "\":\n    audience: internal\n    formats: [xlsx]\n"
			_, err := Parse(filepath.Join(dir, "odpe.yaml"), []byte(text), Validators{})
			switch {
			case c.err == "" && err != nil:
				t.Fatal(err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "exports."+c.name)):
				t.Fatalf("error %v, want one naming exports.%s with %q", err, c.name, c.err)
			}
		})
	}
}
