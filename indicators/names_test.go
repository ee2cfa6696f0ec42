package indicators

import "testing"

// TestEveryBreakdownHasAName: the territory and every breakdown an
// indicator may have are named in the one table the files share.
func TestEveryBreakdownHasAName(t *testing.T) {
	for _, d := range append([]string{"territory"}, Dimensions...) {
		if DimensionNames[d] == "" {
			t.Errorf("breakdown %q has no French name in DimensionNames", d)
		}
	}
	for d := range DimensionNames {
		if d != "territory" && !contains(Dimensions, d) {
			t.Errorf("DimensionNames names %q, which is no breakdown", d)
		}
	}
	for _, c := range []struct{ in, heading, text string }{
		{"age_band", "Tranche d'âge", "tranche d'âge"},
		{"event", "Événement", "événement"},
		{"new_one", "New one", "new one"},
	} {
		if got := DimensionName(c.in); got != c.heading {
			t.Errorf("DimensionName(%q) = %q, want %q", c.in, got, c.heading)
		}
		if got := DimensionNameInText(c.in); got != c.text {
			t.Errorf("DimensionNameInText(%q) = %q, want %q", c.in, got, c.text)
		}
	}
}
