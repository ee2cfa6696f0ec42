package profile

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/feather"
)

// TestComplete merges the rows read afresh with those of reused families
// in the order of the indicators, whether the families' indicators follow
// each other (read straight into place) or interleave (moved once), from
// the cache of the last publication.
func TestComplete(t *testing.T) {
	row := func(id string, period int) export.Row {
		return export.Row{Indicator: id, Dep: "62", Period: period, Territory: export.Total, Unit: export.Count, Status: export.Final}
	}
	for name, families := range map[string]map[string]string{
		"apart":      {"a1": "a", "a2": "a", "b1": "b", "c1": "c"},
		"interleave": {"a1": "a", "a2": "c", "b1": "b", "c1": "a"},
	} {
		t.Run(name, func(t *testing.T) {
			ds := &export.Dataset{Profile: "p"}
			for _, id := range slices.Sorted(maps.Keys(families)) {
				ds.Indicators = append(ds.Indicators, export.Indicator{ID: id, Family: families[id], Unit: "count"})
			}
			var all []export.Row
			for _, ind := range ds.Indicators {
				all = append(all, row(ind.ID, 2023), row(ind.ID, 2024))
			}
			// Family b is read afresh; a and c were published.
			last := filepath.Join(t.TempDir(), "p")
			published := *ds
			published.Rows = all
			// a's and c's rows in the cache of the last publication (see rowsFile).
			if err := feather.WriteFamilies(filepath.Join(stateDir(last), rowsDir), &published, "a", "c"); err != nil {
				t.Fatal(err)
			}
			_, rows := export.Families(&published)
			reused := map[string]family{
				"a": {Rows: rowsFile("a"), Count: len(rows["a"])},
				"c": {Rows: rowsFile("c"), Count: len(rows["c"])},
			}
			for _, r := range all {
				if families[r.Indicator] == "b" {
					ds.Rows = append(ds.Rows, r)
				}
			}
			if err := complete(ds, last, reused); err != nil {
				t.Fatal(err)
			}
			if len(ds.Rows) != len(all) {
				t.Fatalf("%d rows, want %d", len(ds.Rows), len(all))
			}
			for i := range all {
				if got, want := ds.Rows[i], all[i]; got.Indicator != want.Indicator || got.Period != want.Period {
					t.Errorf("row %d: %s %d, want %s %d", i, got.Indicator, got.Period, want.Indicator, want.Period)
				}
			}
		})
	}
}
