package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/extract"
	schema "github.com/odpe/odpe/sql"

	_ "github.com/odpe/odpe/pipelines/all"
)

// TestEveryKindIsComplete: each registered source family describes itself,
// has a default file pattern, fills only raw tables the schema declares,
// and has its package with tests and test files of its own.
func TestEveryKindIsComplete(t *testing.T) {
	var ddl strings.Builder
	for _, m := range schema.Migrations() {
		ddl.WriteString(m.Text)
	}
	kinds := extract.Kinds()
	if len(kinds) < 11 {
		t.Fatalf("%d kinds registered, want the 11 source families", len(kinds))
	}
	for _, k := range kinds {
		if k.Description == "" || k.Pattern == "" {
			t.Errorf("%s: description %q, pattern %q", k.Name, k.Description, k.Pattern)
		}
		for _, table := range k.Tables {
			if !strings.Contains(ddl.String(), "CREATE TABLE raw."+table+" (") {
				t.Errorf("%s: table raw.%s is not in sql/migrations", k.Name, table)
			}
		}
	}
	entries, _ := os.ReadDir("..")
	families := 0
	for _, e := range entries {
		dir := filepath.Join("..", e.Name())
		src, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if !e.IsDir() || len(src) == 0 || !registers(t, src) {
			continue
		}
		families++
		if tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go")); len(tests) == 0 {
			t.Errorf("%s: no tests", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, "testdata")); err != nil && e.Name() != "activityreport" && e.Name() != "births" {
			t.Errorf("%s: no testdata folder", dir)
		}
	}
	if families != len(kinds) {
		t.Errorf("%d packages register a kind, %d kinds registered", families, len(kinds))
	}
}

func registers(t *testing.T, files []string) bool {
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "extract.Register(") {
			return true
		}
	}
	return false
}
