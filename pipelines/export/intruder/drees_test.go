package intruder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/xlsx"
)

// TestReadDreesWorkbook writes a drees profile's rows with the workbook
// writer and reads them back with the intruder's reader, which shares no
// code with it: every row comes back with its value or its mark, and
// what the workbook adds are the zeros of combinations the rows leave
// out.
func TestReadDreesWorkbook(t *testing.T) {
	cat, err := indicators.Load(indicators.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	ds := &export.Dataset{Profile: "drees", Title: "DREES", Audience: "external", Threshold: 5,
		Generated:  time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		Dimensions: []string{"category", "sex", "age_band", "mode"}}
	for _, id := range []string{"drees_accueil_decision", "ase_children_accueil", "drees_actions_educatives", "ase_children_by_mode"} {
		d, ok := cat.Get(id)
		if !ok {
			t.Fatalf("%s is not in the catalogue", id)
		}
		ds.Indicators = append(ds.Indicators, export.Indicator{ID: d.ID, Label: d.Label, Family: d.Family, Unit: d.Unit,
			Definition: d.Definition, Sources: d.Sources, Breakdowns: d.Breakdowns})
	}
	add := func(ind string, period int, st export.Status, dims map[string]string, v float64, hidden bool) {
		r := export.Row{Indicator: ind, Dep: "62", Period: period, Territory: export.Total, Dims: dims, Unit: export.Count, Status: st}
		if hidden {
			r.Conf = export.Secondary
		} else {
			r.Value, r.Numerator = export.Known(v), export.Known(v)
		}
		ds.Rows = append(ds.Rows, r)
	}
	cm := func(c, m string) map[string]string { return map[string]string{"category": c, "mode": m} }
	add("drees_accueil_decision", 2024, export.Provisional, cm("Ensemble", "Ensemble"), 40, false)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Ensemble", "Familles d'accueil"), 25, false)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Ensemble", "Établissements"), 15, false)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Placements à l'ASE par le juge", "Ensemble"), 30, false)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Placements à l'ASE par le juge", "Familles d'accueil"), 0, true)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Placements à l'ASE par le juge", "Établissements"), 0, true)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Pupilles de l'État", "Ensemble"), 10, false)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Pupilles de l'État", "Familles d'accueil"), 0, true)
	add("drees_accueil_decision", 2024, export.Provisional, cm("Pupilles de l'État", "Établissements"), 0, true)
	sa := func(s, a string) map[string]string { return map[string]string{"sex": s, "age_band": a} }
	add("ase_children_accueil", 2023, export.Final, sa("Ensemble", "Ensemble"), 38, false)
	add("ase_children_accueil", 2023, export.Final, sa("M", "Ensemble"), 20, false)
	add("ase_children_accueil", 2023, export.Final, sa("F", "6-10 ans"), 0, true)
	add("ase_children_accueil", 2023, export.Final, sa("Ensemble", "6-10 ans"), 12, false)
	add("drees_actions_educatives", 2024, export.Provisional, map[string]string{"category": "AEMO", "sex": "F", "age_band": "11-15 ans"}, 9, false)
	add("drees_actions_educatives", 2024, export.Provisional, map[string]string{"category": "Ensemble", "sex": "Ensemble", "age_band": "Ensemble"}, 31, false)
	add("ase_children_by_mode", 2024, export.Provisional, map[string]string{"mode": "Assistant familial"}, 0, true)
	// A second département: its blocks name it.
	ds.Rows = append(ds.Rows, export.Row{Indicator: "ase_children_accueil", Dep: "59", Period: 2023, Territory: export.Total,
		Dims: sa("F", "11-15 ans"), Unit: export.Count, Status: export.Final, Value: export.Known(17), Numerator: export.Known(17)})

	path := filepath.Join(t.TempDir(), "drees.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xlsx.Write(out, ds, xlsx.Drees); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDreesWorkbook(path, cat, "62")
	if err != nil {
		t.Fatal(err)
	}
	read := map[Cell]export.Row{}
	for _, r := range got {
		c := CellOf(&r)
		if _, dup := read[c]; dup {
			t.Errorf("%s read twice", c)
		}
		read[c] = r
	}
	for i := range ds.Rows {
		want := ds.Rows[i]
		c := CellOf(&want)
		r, ok := read[c]
		switch {
		case !ok:
			t.Errorf("%s: not read back", c)
		case (r.Conf != export.Free) != (want.Conf != export.Free) || r.Numerator != want.Numerator || r.Status != want.Status:
			t.Errorf("%s: read %v %v %v, wrote %v %v %v", c, r.Conf, r.Numerator.Or(-1), r.Status, want.Conf, want.Numerator.Or(-1), want.Status)
		}
		delete(read, c)
	}
	for c, r := range read {
		if r.Conf != export.Free || r.Numerator.Float64() != 0 {
			t.Errorf("%s: read %v %v, which the rows do not hold (only zeros may be added)", c, r.Conf, r.Numerator.Or(-1))
		}
	}
}
