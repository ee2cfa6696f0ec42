package disclosure

import (
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

func benchmarkProtect(b *testing.B, shape ...int) {
	tab := randomTable(b, 1, shape...)
	for b.Loop() {
		for i := range tab.Cells {
			tab.Cells[i].Status = export.Free
		}
		if err := Protect(tab, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProtectDepartement is a département: 10 territories × sex × 5
// age bands.
func BenchmarkProtectDepartement(b *testing.B) { benchmarkProtect(b, 10, 2, 5) }

// BenchmarkProtectNational has a national-size territory dimension.
func BenchmarkProtectNational(b *testing.B) { benchmarkProtect(b, 101, 2, 5) }

// BenchmarkAuditDepartement measures the linear-programming audit of a
// protected département table.
func BenchmarkAuditDepartement(b *testing.B) {
	tab := randomTable(b, 1, 10, 2, 5)
	if err := Protect(tab, 5); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Audit(tab); err != nil {
			b.Fatal(err)
		}
	}
}
