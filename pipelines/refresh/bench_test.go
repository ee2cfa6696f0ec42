package refresh_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/refresh"
)

// demoConfig generates the demo at scale into a temporary folder.
func demoConfig(b *testing.B, scale string) *configs.Config {
	b.Helper()
	path, err := demo.Write(context.Background(), b.TempDir(), demo.Scales[scale], 62)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := configs.Load(path, validators())
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkFullRefresh refreshes a new warehouse from the demo sources:
// every extract, the conformed tables and the indicators. Per-step figures
// at larger scales: go run ./cmd/odpebench --scale departement.
func BenchmarkFullRefresh(b *testing.B) {
	for _, scale := range []string{"small", "departement"} {
		b.Run(scale, func(b *testing.B) {
			cfg := demoConfig(b, scale)
			var rows int64
			for b.Loop() {
				b.StopTimer()
				cfg.Warehouse = filepath.Join(b.TempDir(), "odpe.duckdb")
				b.StartTimer()
				rep, err := refresh.Run(context.Background(), cfg, refresh.Options{})
				if err != nil {
					b.Fatal(err)
				}
				rows = rep.RowsLoaded
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkNoChangeRefresh is the nightly refresh when no source file
// changed: it must cost well under a second.
func BenchmarkNoChangeRefresh(b *testing.B) {
	cfg := demoConfig(b, "small")
	ctx := context.Background()
	if _, err := refresh.Run(ctx, cfg, refresh.Options{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := refresh.Run(ctx, cfg, refresh.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Status != refresh.NoChange {
			b.Fatalf("status %s, want %s", rep.Status, refresh.NoChange)
		}
	}
	if d := b.Elapsed() / time.Duration(b.N); d > time.Second {
		b.Errorf("no-change refresh took %v, want under 1 s", d)
	}
}
