package fields

import (
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
)

func TestDayOfAndYearOf(t *testing.T) {
	mod := time.Date(2026, 3, 4, 17, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		day  string
		year int
	}{
		{"crip_ip_20251231.csv", "2025-12-31", 2025},
		{"assistants_familiaux_20250230.csv", "2026-03-04", 2025}, // no such day: the file's date
		{"etablissements_2024.csv", "2026-03-04", 2024},
		{"etablissements_2024_rectificatif.xlsx", "2026-03-04", 2024},
		{"export.csv", "2026-03-04", 2026},
		{"crip_12345678901.csv", "2026-03-04", 2026},
	}
	for _, tt := range tests {
		f := extract.File{Name: tt.name, ModTime: mod}
		if got := DayOf(f).Format(time.DateOnly); got != tt.day {
			t.Errorf("DayOf(%s) = %s, want %s", tt.name, got, tt.day)
		}
		if got := YearOf(f); got != tt.year {
			t.Errorf("YearOf(%s) = %d, want %d", tt.name, got, tt.year)
		}
	}
}
