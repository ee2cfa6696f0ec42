package load

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// The out-of-scope counts appear when the warehouse has a quality_issues
// table (another change adds it), without the example keys; without the
// table the page says so.
func TestOutOfScope(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tab, err := outOfScope(ctx, db)
	if err != nil || tab != nil {
		t.Fatalf("no table: %v, %v", tab, err)
	}
	for _, q := range []string{
		`CREATE SCHEMA meta`,
		`CREATE TABLE meta.quality_issues (source VARCHAR, file VARCHAR, rule VARCHAR, count BIGINT, example_key VARCHAR)`,
		`INSERT INTO meta.quality_issues VALUES ('ase', '/data/ase/62/extract_2025.csv', 'hors champ : âge ≥ 21 ans', 1234, 'a1b2c3')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tab, err = outOfScope(ctx, db)
	if err != nil || tab == nil {
		t.Fatalf("with the table: %v, %v", tab, err)
	}
	got := strings.Join(tab.Columns, "|") + "\n" + strings.Join(tab.Rows[0], "|")
	if want := "Source|Fichier|Règle|Lignes\nase|extract_2025.csv|hors champ : âge ≥ 21 ans|1\u202f234"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
