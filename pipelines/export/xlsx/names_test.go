package xlsx

import (
	"slices"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// TestObservatoireNames: a family sheet gives each territory's and
// service's name beside its code: "Ensemble du département" and
// "Ensemble des services" for the totals, an empty cell for a code the
// warehouse does not name, "-" for a row without the service breakdown.
func TestObservatoireNames(t *testing.T) {
	ds := fixture()
	ds.Dimensions = []string{"service", "sex"}
	ds.Services = map[export.Place]string{{Dep: "62", Code: "S01"}: "Maison du Département Solidarité de l'Arrageois"}
	for i := range ds.Rows {
		if r := &ds.Rows[i]; r.Indicator == "prev_ip" {
			r.Dims = map[string]string{"service": export.Total}
		}
	}
	ds.Rows = append(ds.Rows,
		export.Row{Indicator: "prev_ip", Dep: "62", Period: 2024, Territory: "ARRAS", Dims: map[string]string{"service": "S01"},
			Value: f64(40), Numerator: f64(40), Unit: export.Count, Status: export.Final},
		export.Row{Indicator: "prev_ip", Dep: "62", Period: 2024, Territory: "ARRAS", Dims: map[string]string{"service": "S02"},
			Value: f64(30), Numerator: f64(30), Unit: export.Count, Status: export.Final})
	defer func(s bool) { spliceRows = s }(spliceRows)
	for _, splice := range []bool{true, false} { // rows written by a rowWriter, then by excelize
		spliceRows = splice
		f, _ := build(t, ds, Observatoire)
		header := []string{"Indicateur", "Territoire", "Nom du territoire", "Service", "Nom du service", "Sexe", "Année"}
		want := map[string][][]string{
			"ASE": {
				{"Mineurs confiés à l'ASE", "Ensemble du département", "Ensemble du département", "-", "-", "Ensemble", "2022"},
				{"Mineurs confiés à l'ASE", "ARRAS", "Arrageois", "-", "-", "Ensemble", "2024"},
				{"Mineurs confiés à l'ASE", "BOULOGNE", "", "-", "-", "Ensemble", "2024"},
				{"Mineurs confiés à l'ASE", "LENS", "Lens-Liévin", "-", "-", "Ensemble", "2024"},
			},
			"Prévention": {
				{"Informations préoccupantes", "Ensemble du département", "Ensemble du département", "Ensemble", "Ensemble des services", "-", "2024"},
				{"Informations préoccupantes", "LENS", "Lens-Liévin", "Ensemble", "Ensemble des services", "-", "2024"},
				{"Informations préoccupantes", "ARRAS", "Arrageois", "S01", "Maison du Département Solidarité de l'Arrageois", "-", "2024"},
				{"Informations préoccupantes", "ARRAS", "Arrageois", "S02", "", "-", "2024"},
			},
		}
		for sheet, lines := range want {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if got := rows[0][:len(header)]; !slices.Equal(got, header) {
				t.Errorf("splice %v: %s header = %q, want %q", splice, sheet, got, header)
			}
			for _, w := range lines {
				found := false
				for _, row := range rows[1:] {
					row = append(row, make([]string, len(header))...)
					if slices.Equal(row[:len(header)], w) {
						found = true
					}
				}
				if !found {
					t.Errorf("splice %v: %s has no line %q", splice, sheet, w)
				}
			}
		}
	}
}
