package warehouse

import (
	"context"
	"database/sql"
	"testing"

	schema "github.com/odpe/odpe/sql"
)

// TestRegistryOfAnOlderVersion: a refresh reads the registry of the
// current version before the new one is migrated: a warehouse whose
// meta.files predates relative paths and name keys is read, its files
// known by their absolute paths.
func TestRegistryOfAnOlderVersion(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range schema.Migrations() {
		if m.Name == "0001_meta.sql" {
			if _, err := db.ExecContext(ctx, m.Text); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO meta.files VALUES (1, 1, 'pmi', 'pmi', '62', '/old/pmi_activite_2011.csv',
		10, now(), 'abc', 12, 12, now(), 'loaded', NULL)`); err != nil {
		t.Fatal(err)
	}
	k, err := Registry(ctx, db, "pmi")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := k.Files["/old/pmi_activite_2011.csv"]; !ok || r.RelPath != "" || r.SHA256 != "abc" || k.Content["abc"] != "/old/pmi_activite_2011.csv" {
		t.Errorf("registry %+v", k)
	}
}
