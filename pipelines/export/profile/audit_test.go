package profile_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/intruder"
	"github.com/odpe/odpe/pipelines/export/intruder/owner"
	"github.com/odpe/odpe/pipelines/export/profile"
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

// TestAuditReadsTheWorkbook: the audit's reader of an observatoire-layout
// workbook (intruder.ReadWorkbook, written from the published sheets, not
// from the writer's code) reads the odas workbook of the small demo as
// the same cells, marks and figures as the Parquet files written beside
// it from the same protected rows.
func TestAuditReadsTheWorkbook(t *testing.T) {
	wh := warehouse(t)
	c := *wh.cfg
	c.ExportsDir = t.TempDir()
	c.Exports = nil
	for _, p := range wh.cfg.Exports {
		if p.Audience != "external" {
			continue
		}
		if p.Name == "odas" {
			p.Formats = []string{"xlsx", "parquet"}
		}
		c.Exports = append(c.Exports, p)
	}
	w := &profile.Writer{Config: &c}
	publish, err := w.Write(context.Background(), wh.db, wh.runID, "test", nil)
	if err == nil {
		err = publish()
	}
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(c.ExportsDir, "odas"))
	if err != nil {
		t.Fatal(err)
	}
	fromParquet, err := intruder.ReadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	fromWorkbook, err := intruder.ReadWorkbook(filepath.Join(dir, "odas.xlsx"), c.Departement)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		hidden         bool
		num, den, prev export.Figure
	}
	want := map[intruder.Cell]seen{}
	for i := range fromParquet {
		r := &fromParquet[i]
		want[intruder.CellOf(r)] = seen{r.Conf != export.Free, r.Numerator, r.Denominator, r.Previous}
	}
	hidden := 0
	for i := range fromWorkbook {
		r := &fromWorkbook[i]
		c := intruder.CellOf(r)
		got := seen{r.Conf != export.Free, r.Numerator, r.Denominator, r.Previous}
		w, ok := want[c]
		switch {
		case !ok:
			t.Errorf("%s: in the workbook, not in the Parquet files", c)
		case got.hidden != w.hidden || !got.hidden && (!same(got.num, w.num) || !same(got.den, w.den) || !same(got.prev, w.prev)):
			t.Errorf("%s: workbook %+v, Parquet %+v", c, got, w)
		}
		if got.hidden {
			hidden++
		}
		delete(want, c)
	}
	for c := range want {
		t.Errorf("%s: in the Parquet files, not in the workbook", c)
	}
	if hidden == 0 {
		t.Fatal("no hidden cell in the odas workbook: the test proves nothing")
	}
	t.Logf("%d cells read alike, %d hidden", len(fromWorkbook), hidden)
}

// same reports whether two figures are both absent or equal to 1e-9
// (the workbook stores what Excel stores).
func same(a, b export.Figure) bool {
	if a.Valid() != b.Valid() {
		return false
	}
	return !a.Valid() || math.Abs(a.Float64()-b.Float64()) <= 1e-9*math.Max(1, math.Abs(b.Float64()))
}

// BenchmarkDisclosureControlOfDemoDir times the disclosure control of the
// external profiles (profile.Writer.Protected) of a demo refreshed
// beforehand, named by ODPE_AUDIT_DEMO, reported as protect-s/op beside
// the whole writing of those profiles. Skipped without the variable.
func BenchmarkDisclosureControlOfDemoDir(b *testing.B) {
	dir := os.Getenv("ODPE_AUDIT_DEMO")
	if dir == "" {
		b.Skip("ODPE_AUDIT_DEMO names no refreshed demo folder")
	}
	ctx := context.Background()
	cfg, err := configs.Load(filepath.Join(dir, "odpe.yaml"), cli.Validators())
	if err != nil {
		b.Fatal(err)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var runID int64
	if err := db.QueryRowContext(ctx, "SELECT max(run_id) FROM ind.values").Scan(&runID); err != nil {
		b.Fatal(err)
	}
	c := *cfg
	c.Exports = nil
	for _, p := range cfg.Exports {
		if p.Audience == "external" {
			c.Exports = append(c.Exports, p)
		}
	}
	var protect time.Duration
	for b.Loop() {
		c.ExportsDir = b.TempDir()
		w := &profile.Writer{Config: &c, Protected: func(d time.Duration) { protect += d }}
		publish, err := w.Write(ctx, db, runID, "bench", nil)
		if err == nil {
			err = publish()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(protect.Seconds()/float64(b.N), "protect-s/op")
}
