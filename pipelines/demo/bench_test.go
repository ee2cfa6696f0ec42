package demo

import (
	"context"
	"os"
	"testing"
	"time"
)

func benchmarkGenerate(b *testing.B, scale string) {
	s := Scales[scale]
	var bytes int64
	for i := 0; b.Loop(); i++ {
		dir := b.TempDir()
		tree, err := Generate(context.Background(), dir, s, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		bytes = tree.Bytes
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(bytes)/(1<<20), "MB/tree")
}

func BenchmarkGenerateSmall(b *testing.B) { benchmarkGenerate(b, "small") }

// BenchmarkGenerateDepartement writes about 520 MB per iteration.
func BenchmarkGenerateDepartement(b *testing.B) { benchmarkGenerate(b, "departement") }

// BenchmarkGenerateNational writes several GB: run it alone with
// -benchtime=1x.
func BenchmarkGenerateNational(b *testing.B) {
	start := time.Now()
	benchmarkGenerate(b, "national")
	b.Logf("national: %s", time.Since(start))
}

func BenchmarkBirthsYear(b *testing.B) {
	g := newGenerator(b.TempDir(), Scales["departement"], 1)
	t := g.birthsTask(2020)
	for b.Loop() {
		out, err := t(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(out[0].rows * 40)
	}
}
