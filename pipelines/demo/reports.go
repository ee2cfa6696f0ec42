package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/xuri/excelize/v2"
)

// service is one prévention spécialisée service.
type service struct {
	Code, Name, Association string
	Territory               territory
	Communes                []string // labels
	FTE                     float64  // ETP éducatifs
}

// pasDeCalaisServices are the services of département 62; SPS-62-07 is the
// Carvin service of the sample workbook.
var pasDeCalaisServices = []struct {
	code, name, assoc, terr string
	communes                []string
	fte                     float64
}{
	{"SPS-62-01", "Service de prévention spécialisée de Lens-Liévin", "Association Horizons Jeunesse", "LEN", []string{"Lens", "Liévin"}, 8},
	{"SPS-62-02", "Service de prévention spécialisée du Calaisis", "Association Prévention Côte d'Opale", "CAL", []string{"Calais"}, 7.5},
	{"SPS-62-03", "Service de prévention spécialisée du Boulonnais", "Association Prévention Côte d'Opale", "BOU", []string{"Boulogne-sur-Mer", "Outreau"}, 6},
	{"SPS-62-04", "Service de prévention spécialisée d'Arras", "Association Le Relais", "ARR", []string{"Arras", "Bapaume"}, 5},
	{"SPS-62-05", "Service de prévention spécialisée de Béthune-Bruay", "Association Artois Prévention", "ART", []string{"Béthune", "Bruay-la-Buissière"}, 7},
	{"SPS-62-06", "Service de prévention spécialisée de l'Audomarois", "Association Les Passerelles", "AUD", []string{"Saint-Omer", "Aire-sur-la-Lys"}, 4.5},
	{"SPS-62-07", "Service de prévention spécialisée de Carvin", "Association La Vie Active", "HEN", []string{"Carvin", "Courrières", "Libercourt", "Oignies"}, 6.5},
}

var associations = []string{"Association Horizons Jeunesse", "Association Le Relais", "Association Les Passerelles",
	"Association Agir Ensemble", "Association Prévention Jeunesse", "Association Trait d'Union"}

// servicesOf returns the n services of a département (n ≤ 99).
func (g *generator) servicesOf(dep string) []service {
	n := g.scale.Services
	terrs := g.terr[dep]
	out := make([]service, 0, n)
	r := newRand(g.seed, "services", dep)
	for i := range n {
		if dep == "62" && i < len(pasDeCalaisServices) {
			p := pasDeCalaisServices[i]
			t := terrs[0]
			for _, c := range terrs {
				if c.Code == p.terr {
					t = c
				}
			}
			out = append(out, service{p.code, p.name, p.assoc, t, p.communes, p.fte})
			continue
		}
		t := terrs[i%len(terrs)]
		var communes []string
		for _, c := range t.Communes[:min(len(t.Communes), 1+r.IntN(3))] {
			communes = append(communes, c.Label)
		}
		out = append(out, service{
			Code:        fmt.Sprintf("SPS-%s-%02d", dep, i+1),
			Name:        "Service de prévention spécialisée de " + communes[0],
			Association: associations[r.IntN(len(associations))],
			Territory:   t,
			Communes:    communes,
			FTE:         float64(between(r, 6, 16)) / 2,
		})
	}
	return out
}

// trajectServices returns the services that send their TRAJECT planning:
// the last TrajectServices of the département's list.
func (g *generator) trajectServices(dep string) []service {
	all := g.servicesOf(dep)
	return all[len(all)-g.scale.TrajectServices:]
}

// categoryShare is the usual share of each activity category.
var categoryShare = []float64{0.20, 0.30, 0.11, 0.14, 0.22, 0.03}

// reportsTask writes the annual workbooks of year for every service of the
// département. Reports arrive in the spring of the next year, so the
// scale's last year has none.
func (g *generator) reportsTask(dep string, year int) task {
	return func(ctx context.Context) ([]output, error) {
		out := output{job: JobReports}
		for _, svc := range g.servicesOf(dep) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			r := newRand(g.seed, "report", svc.Code, strconv.Itoa(year))
			path := filepath.Join(g.depDir(JobReports, dep), "rapport_activite_"+svc.Code+"_"+strconv.Itoa(year)+".xlsx")
			n, err := writeReport(path, svc, year, r)
			if err != nil {
				return nil, err
			}
			if err := stamp(path, dayOf(year+1, 3, 10+r.IntN(20))); err != nil {
				return nil, err
			}
			out.paths = append(out.paths, path)
			out.rows += int64(n)
		}
		return []output{out}, nil
	}
}

// writeReport writes one workbook in the layout of the département's
// template, with the hand-filled quirks of the sample: a row inserted above
// the table, hours typed as text, formulas with cached values. It returns
// the number of table rows written (categories and age bands).
func writeReport(path string, svc service, year int, r *rand.Rand) (int, error) {
	f := newWorkbook()
	defer f.Close()
	fte := svc.FTE + float64(between(r, -2, 2))/2
	if err := identificationSheet(f, path, svc, year, fte, r); err != nil {
		return 0, err
	}
	n, err := hoursSheet(f, path, svc, year, fte, r)
	if err != nil {
		return 0, err
	}
	m, err := publicSheet(f, path, fte, r)
	if err != nil {
		return 0, err
	}
	return n + m, saveWorkbook(f, path)
}

func identificationSheet(f *excelize.File, path string, svc service, year int, fte float64, r *rand.Rand) error {
	sh := newSheet(f, path, "Identification", true)
	terr := svc.Territory.Label
	if chance(r, 0.15) {
		terr = svc.Territory.Code
	}
	var etp any = string(appendDecimalFR(nil, fte, ""))
	if chance(r, 0.3) {
		etp = fte
	}
	sh.add("Service", svc.Name)
	sh.add("Code service", svc.Code)
	sh.add("Association gestionnaire", svc.Association)
	sh.add("Année", year)
	sh.add("Territoire", terr)
	sh.add("Communes d'intervention", strings.Join(svc.Communes, ", "))
	sh.add("ETP éducatifs", etp)
	return sh.flush()
}

// hoursSheet writes the `Heures` sheet and returns the number of category
// rows. Hours are drawn in tenths so that the Total row is their exact sum.
func hoursSheet(f *excelize.File, path string, svc service, year int, fte float64, r *rand.Rand) (int, error) {
	sh := newSheet(f, path, "Heures", false)
	sh.add("Rapport d'activité " + strconv.Itoa(year) + " — " + svc.Name)
	sh.add("Saisie : équipe éducative (voir notes en fin de document)")
	for range r.IntN(3) { // rows inserted by hand above the table
		sh.add("Données provisoires, à valider en comité de pilotage")
	}
	sh.skip(1)
	title := strconv.Itoa(sh.add("Répartition de l'activité"))
	sh.merge("A"+title, "C"+title)
	sh.add("Catégorie", "Heures", "Part (%)")

	cats := extract.ActivityCategories
	if chance(r, 0.08) { // no training this year: the row is left out
		cats = cats[:len(cats)-1]
	}
	variant := -1
	if chance(r, 0.1) {
		variant = r.IntN(len(cats))
	}
	tenths := make([]int64, len(cats))
	var total int64
	for i := range cats {
		h := fte * 1200 * categoryShare[i] * (0.8 + 0.4*r.Float64())
		if chance(r, 0.7) {
			tenths[i] = int64(h*2+0.5) * 5 // whole or half hours
		} else {
			tenths[i] = int64(h*10 + 0.5)
		}
		total += tenths[i]
	}
	first := sh.row
	totalRef := "B" + strconv.Itoa(first+len(cats))
	allNumbers := true
	for i, c := range cats {
		label := c
		if i == variant {
			label = extract.Normalize(c)
		}
		hours := float64(tenths[i]) / 10
		ref := "B" + strconv.Itoa(sh.row)
		share := excelize.Cell{Formula: ref + "/" + totalRef + "*100", Value: hours / (float64(total) / 10) * 100}
		var cell any = hours
		switch u := r.Float64(); {
		case u < 0.25:
			cell = string(appendDecimalFR(nil, hours, nbsp))
		case u < 0.4:
			cell = string(appendDecimalFR(nil, hours, " "))
		}
		if _, text := cell.(string); text {
			share.Value, allNumbers = "#VALUE!", false
		}
		sh.add(label, cell, share)
	}
	var sum any = float64(total) / 10
	if allNumbers && chance(r, 0.3) {
		sum = excelize.Cell{Formula: "SUM(B" + strconv.Itoa(first) + ":B" + strconv.Itoa(sh.row-1) + ")", Value: sum}
	}
	sh.add("Total", sum)
	return len(cats), sh.flush()
}

// Age profile of the public: young people followed individually are
// mostly 14-21, collective actions reach younger children too.
var (
	individualBands = []float64{0.05, 0.17, 0.25, 0.27, 0.20, 0.06}
	collectiveBands = []float64{0.20, 0.25, 0.20, 0.15, 0.12, 0.08}
)

// publicSheet writes the `Public` sheet and returns its number of age-band
// rows.
func publicSheet(f *excelize.File, path string, fte float64, r *rand.Rand) (int, error) {
	sh := newSheet(f, path, "Public", false)
	count := func(n int) any {
		if n == 0 && chance(r, 0.5) {
			return nil // empty cell: 0
		}
		return n
	}
	table := func(title string, people float64, bands []float64) {
		sh.add(title)
		sh.add("Tranche d'âge", "Filles", "Garçons", "Total")
		for i, band := range extract.PublicAgeBands {
			n := poisson(r, people*bands[i])
			girls := int(float64(n)*(0.35+0.15*r.Float64()) + 0.5)
			row := strconv.Itoa(sh.row)
			sh.add(band, count(girls), count(n-girls), excelize.Cell{Formula: "B" + row + "+C" + row, Value: n})
		}
	}
	table("Jeunes accompagnés individuellement", fte*18, individualBands)
	sh.skip(1)
	table("Participants aux actions collectives", fte*60, collectiveBands)
	sh.skip(1)
	sh.add("Nombre d'actions collectives", int(fte*(4+3*r.Float64())+0.5))
	return 2 * len(extract.PublicAgeBands), sh.flush()
}
