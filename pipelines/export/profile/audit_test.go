package profile_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/intruder/owner"
	"github.com/odpe/odpe/pipelines/refresh"
)

// TestStrongAuditOfDemoDir runs the strong audit on a demo refreshed
// beforehand, named by ODPE_AUDIT_DEMO (e.g. after
// `go run ./cmd/odpe demo --scale departement /tmp/dep`), and lists the
// département totals it hides: the audit at département scale without
// generating the demo in the test. Skipped without the variable.
func TestStrongAuditOfDemoDir(t *testing.T) {
	dir := os.Getenv("ODPE_AUDIT_DEMO")
	if dir == "" {
		t.Skip("ODPE_AUDIT_DEMO names no refreshed demo folder")
	}
	ctx := context.Background()
	cfg, err := configs.Load(filepath.Join(dir, "odpe.yaml"), cli.Validators())
	if err != nil {
		t.Fatal(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runID int64
	if err := db.QueryRowContext(ctx, "SELECT max(run_id) FROM ind.values").Scan(&runID); err != nil {
		t.Fatal(err)
	}
	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := owner.Audit(ctx, db, cfg, cat, runID, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Summary() {
		t.Log(l)
	}
	for _, l := range rep.Loss {
		for _, c := range l.HiddenTotals {
			t.Logf("  %s hides the département total %s", l.Profile, c)
		}
	}
	for i, v := range rep.Exposed {
		if i == 100 {
			t.Errorf("… and %d more", len(rep.Exposed)-i)
			break
		}
		t.Error(v)
	}
}
