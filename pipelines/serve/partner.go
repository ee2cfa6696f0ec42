package serve

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/odpe/odpe/pipelines/sandbox"
)

// newPartnerSandbox is the partners' session: no warehouse, only a view
// per published Parquet file of each external profile (schema = profile,
// view = family: insee.ase), rebuilt for each warehouse version. The files
// are the protected ones the profile publishes (hidden cells are NULL,
// their mark in `conf`), and file access is limited to those profiles'
// folders.
func newPartnerSandbox(cfg Config) (*sandbox.Sandbox, error) {
	var dirs []string
	for _, p := range cfg.PartnerProfiles {
		dirs = append(dirs, filepath.Join(cfg.ExportsDir, p))
	}
	if len(dirs) == 0 {
		// Nothing to read: an allowed folder that does not exist.
		dirs = append(dirs, filepath.Join(cfg.ExportsDir, ".none"))
	}
	return sandbox.New(sandbox.Config{
		Warehouse: cfg.Warehouse, NoWarehouse: true, AllowedDirs: dirs,
		MemoryLimit: cfg.MemoryLimit, Threads: cfg.Threads, StatementTimeout: cfg.StatementTimeout,
		Setup: func(ctx context.Context, c *sql.Conn) error {
			for _, p := range cfg.PartnerProfiles {
				files, _ := filepath.Glob(filepath.Join(cfg.ExportsDir, p, "parquet", "*.parquet"))
				if len(files) == 0 {
					continue
				}
				if _, err := c.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+ident(p)); err != nil {
					return err
				}
				for _, f := range files {
					// Through the profile's link, so a view reads what is
					// published when it runs.
					name := strings.TrimSuffix(filepath.Base(f), ".parquet")
					path := filepath.Join(cfg.ExportsDir, p, "parquet", filepath.Base(f))
					q := fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s AS SELECT * FROM read_parquet(%s)", ident(p), ident(name), sqlString(path))
					if _, err := c.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("partner view %s.%s: %w", p, name, err)
					}
				}
			}
			return nil
		},
	})
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
