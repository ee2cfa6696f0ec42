package fields

import (
	"errors"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
)

func TestDayOfAndYearOf(t *testing.T) {
	tests := []struct {
		name string
		day  string // "" when rejected
		year int    // 0 when rejected
	}{
		{"crip_ip_20251231.csv", "2025-12-31", 2025},
		{"assistants_familiaux_20250230.csv", "", 2025}, // no such day
		{"etablissements_2024.csv", "", 2024},
		{"etablissements_2024_rectificatif.xlsx", "", 2024},
		{"export.csv", "", 0},
		{"crip_12345678901.csv", "", 0},
	}
	for _, tt := range tests {
		d, err := DayOf(tt.name)
		switch {
		case tt.day == "" && !errors.Is(err, extract.ErrRejected):
			t.Errorf("DayOf(%s) = %s, %v; want a rejection", tt.name, d, err)
		case tt.day != "" && (err != nil || d.Format(time.DateOnly) != tt.day):
			t.Errorf("DayOf(%s) = %s, %v; want %s", tt.name, d, err, tt.day)
		}
		y, err := YearOf(tt.name)
		switch {
		case tt.year == 0 && !errors.Is(err, extract.ErrRejected):
			t.Errorf("YearOf(%s) = %d, %v; want a rejection", tt.name, y, err)
		case tt.year != 0 && (err != nil || y != tt.year):
			t.Errorf("YearOf(%s) = %d, %v; want %d", tt.name, y, err, tt.year)
		}
	}
	if a, b := mustKey(t, YearlyKey, "etablissements_2024.csv"), mustKey(t, YearlyKey, "etablissements_2024_rectificatif.csv"); a >= b {
		t.Errorf("a rectified list ranks before the list it rectifies: %s, %s", a, b)
	}
	if a, b := mustKey(t, SnapshotKey, "crip_ip_20250630.csv"), mustKey(t, SnapshotKey, "crip_ip_20251231.csv"); a >= b {
		t.Errorf("the later snapshot ranks first: %s, %s", a, b)
	}
}

func mustKey(t *testing.T, key func(string) (string, error), name string) string {
	t.Helper()
	k, err := key(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
