package xlsx

import (
	"fmt"
	"time"

	"github.com/odpe/odpe/pipelines/export"
)

func f64(v float64) export.Figure { return export.Known(v) }

// fixture is a small dataset covering the cases the layouts handle: four
// families, a key indicator over three years with territories, primary and
// secondary suppression, territories with a name and one without (BOULOGNE), provisional and incomplete values, a value that is
// not computable, a breakdown, and a label with a comma and quotes.
func fixture() *export.Dataset {
	tot := map[string]string{"sex": export.Total}
	return &export.Dataset{
		Profile:     "observatoire",
		Title:       "Observatoire départemental de la protection de l'enfance du Pas-de-Calais",
		Audience:    "internal",
		Generated:   time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		RunID:       42,
		Threshold:   5,
		StructureID: "ODPE62:DF_PROTECTION_ENFANCE(1.0)",
		Dimensions:  []string{"sex"},
		Territories: map[export.Place]string{{Dep: "62", Code: "ARRAS"}: "Arrageois", {Dep: "62", Code: "LENS"}: "Lens-Liévin"},
		Sources: []export.Source{
			{Job: "iodas", Kind: "ase", Path: "/data/iodas/mesures_2024.csv", Modified: time.Date(2025, 1, 6, 8, 15, 0, 0, time.UTC), SHA256: "9f2c", Rows: 18234, NameKey: "20241231.0000"},
			{Job: "pmi", Kind: "pmi", Path: "/data/pmi/activite_2024.xlsx", Modified: time.Date(2025, 2, 1, 17, 0, 0, 0, time.UTC), SHA256: "51aa", Rows: 912, NameKey: "20249999.0000"},
		},
		Indicators: []export.Indicator{
			{ID: "ase_mineurs_confies", Label: "Mineurs confiés à l'ASE", Family: "ase",
				Definition: "Mineurs confiés à l'aide sociale à l'enfance", Unit: "count",
				Numerator: "mineurs confiés", ReferenceDate: "31 décembre de N", Convention: "Âge au 31/12",
				Sources: []string{"core.ase_situation"}, Breakdowns: []string{"sex"}, Key: true},
			{ID: "ase_part_familial", Label: `Part de l'accueil "familial", hors MECS`, Family: "ase",
				Definition: "Part des enfants accueillis en famille d'accueil.", Unit: "%",
				Numerator: "enfants en famille d'accueil", Denominator: "enfants confiés", ReferenceDate: "31 décembre de N",
				Sources: []string{"core.ase_situation"}},
			{ID: "pmi_bilans", Label: "Bilans de santé en école maternelle", Family: "pmi",
				Definition: "Part des enfants de 3-4 ans ayant eu un bilan", Unit: "%", Sources: []string{"core.pmi_monthly"}},
			{ID: "prev_ip", Label: "Informations préoccupantes", Family: "prevention", Unit: "count", Sources: []string{"core.crip_ips"}},
			{ID: "adoption_delai", Label: "Délai moyen d'adoption", Family: "adoption", Unit: "days"},
		},
		Rows: []export.Row{
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2022, Territory: export.Total, Dims: tot,
				Value: f64(2050), Numerator: f64(2050), Unit: export.Count, Status: export.Final},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: export.Total, Dims: tot,
				Value: f64(2143), Numerator: f64(2143), Previous: f64(2050), Evolution: f64(4.536585), Unit: export.Count, Status: export.Final},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2024, Territory: export.Total, Dims: tot,
				Value: f64(2210), Numerator: f64(2210), Previous: f64(2143), Evolution: f64(3.126458), Unit: export.Count, Status: export.Provisional},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2024, Territory: export.Total, Dims: map[string]string{"sex": "F"},
				Value: f64(1100), Numerator: f64(1100), Unit: export.Count, Status: export.Provisional},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2024, Territory: "ARRAS", Dims: tot,
				Value: f64(812), Numerator: f64(812), Unit: export.Count, Status: export.Provisional},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2024, Territory: "BOULOGNE", Dims: tot,
				Unit: export.Count, Status: export.Provisional, Conf: export.Secondary},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2024, Territory: "LENS", Dims: tot,
				Unit: export.Count, Status: export.Provisional, Conf: export.Primary},
			{Indicator: "ase_part_familial", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f64(19.8), Numerator: f64(438), Denominator: f64(2212), Previous: f64(20.4), Evolution: f64(-0.6), Unit: export.Percent, Status: export.Final},
			{Indicator: "pmi_bilans", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f64(72.35), Numerator: f64(10412), Denominator: f64(14391), Unit: export.Percent, Status: export.Incomplete},
			{Indicator: "prev_ip", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f64(3125), Numerator: f64(3125), Unit: export.Count, Status: export.Final},
			{Indicator: "prev_ip", Dep: "62", Period: 2024, Territory: "LENS", Unit: export.Count, Status: export.Final},
			{Indicator: "adoption_delai", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f64(412.5), Numerator: f64(16500), Denominator: f64(40), Unit: export.Days, Status: export.Final},
		},
	}
}

// largeDataset has n rows spread over the fixture's indicators, 10
// territories, two sexes and 20 years.
func largeDataset(n int) *export.Dataset {
	ds := fixture()
	ds.Rows = make([]export.Row, 0, n)
	sexes := []string{export.Total, "F", "M"}
	for i := 0; len(ds.Rows) < n; i++ {
		ind := ds.Indicators[i%len(ds.Indicators)]
		unit, err := export.ParseUnit(ind.Unit)
		if err != nil {
			panic(err)
		}
		r := export.Row{
			Indicator: ind.ID, Dep: "62", Period: 2005 + (i/7)%20,
			Territory: fmt.Sprintf("T%02d", (i/3)%10),
			Value:     f64(float64(i%5000) / 3), Numerator: f64(float64(i % 5000)), Denominator: f64(3),
			Previous: f64(float64(i%4000) / 3), Evolution: f64(1.5),
			Unit: unit, Status: export.Final,
		}
		if ind.ID == "ase_mineurs_confies" {
			r.Dims = map[string]string{"sex": sexes[i%3]}
		}
		if i%97 == 0 {
			r.Value, r.Numerator, r.Denominator, r.Previous, r.Evolution = export.Figure{}, export.Figure{}, export.Figure{}, export.Figure{}, export.Figure{}
			r.Conf = export.Primary
		}
		ds.Rows = append(ds.Rows, r)
	}
	return ds
}
