package demo

import (
	"fmt"
	"slices"
	"strconv"
)

// departement is one French département as the generator models it: rough
// population and birth rate, so that births, populations and caseloads keep
// realistic proportions between départements.
type departement struct {
	Code       string  // COG code: "62", "2A", "974"
	Region     string  // COG region code, written in the births file
	Population float64 // inhabitants, in thousands (order of magnitude of the 2010s)
	BirthRate  float64 // births per 1,000 inhabitants before the 2010s decline
}

// departements lists the 101 départements (Corsica as 2A/2B; 975 is not a
// département). Populations are rounded figures of the 2010s.
var departements = []departement{
	{"01", "84", 660, 11.5}, {"02", "32", 530, 11.5}, {"03", "84", 335, 8.5},
	{"04", "93", 165, 9}, {"05", "93", 140, 9.5}, {"06", "93", 1100, 10},
	{"07", "84", 330, 9.5}, {"08", "44", 270, 11}, {"09", "76", 155, 8.5},
	{"10", "44", 310, 11}, {"11", "76", 375, 9.5}, {"12", "76", 280, 8.5},
	{"13", "93", 2050, 12.5}, {"14", "28", 700, 10.5}, {"15", "84", 145, 8},
	{"16", "75", 350, 9.5}, {"17", "75", 660, 9}, {"18", "24", 300, 9.5},
	{"19", "75", 240, 8.5}, {"2A", "94", 160, 9.5}, {"2B", "94", 185, 9.5},
	{"21", "27", 535, 10.5}, {"22", "53", 600, 9.5}, {"23", "75", 115, 7.5},
	{"24", "75", 410, 8.5}, {"25", "27", 545, 12}, {"26", "84", 520, 11},
	{"27", "28", 600, 11.5}, {"28", "24", 430, 11.5}, {"29", "53", 915, 10},
	{"30", "76", 750, 11}, {"31", "76", 1420, 12}, {"32", "76", 190, 8.5},
	{"33", "75", 1650, 11.5}, {"34", "76", 1200, 11}, {"35", "53", 1100, 12.5},
	{"36", "24", 215, 8}, {"37", "24", 610, 10.5}, {"38", "84", 1280, 12},
	{"39", "27", 260, 10}, {"40", "75", 420, 9.5}, {"41", "24", 330, 10},
	{"42", "84", 765, 11.5}, {"43", "84", 228, 9.5}, {"44", "52", 1450, 12.5},
	{"45", "24", 680, 12}, {"46", "76", 175, 8}, {"47", "75", 330, 9.5},
	{"48", "76", 76, 8}, {"49", "52", 820, 12}, {"50", "28", 495, 9.5},
	{"51", "44", 565, 11.5}, {"52", "44", 170, 9}, {"53", "52", 307, 11},
	{"54", "44", 730, 11}, {"55", "44", 183, 10}, {"56", "53", 760, 10},
	{"57", "44", 1045, 10.5}, {"58", "27", 200, 8}, {"59", "32", 2610, 13.5},
	{"60", "32", 830, 12.5}, {"61", "28", 280, 9}, {"62", "32", 1460, 13},
	{"63", "84", 660, 10}, {"64", "75", 690, 9.5}, {"65", "76", 230, 8.5},
	{"66", "76", 480, 10}, {"67", "44", 1140, 11.5}, {"68", "44", 765, 11},
	{"69", "84", 1880, 13.5}, {"70", "27", 235, 10}, {"71", "27", 550, 9.5},
	{"72", "52", 565, 11}, {"73", "84", 435, 11}, {"74", "84", 830, 12},
	{"75", "11", 2130, 12.5}, {"76", "28", 1255, 11.5}, {"77", "11", 1420, 13.5},
	{"78", "11", 1450, 13}, {"79", "75", 375, 10}, {"80", "32", 570, 11},
	{"81", "76", 390, 9.5}, {"82", "76", 260, 10.5}, {"83", "93", 1080, 10},
	{"84", "93", 560, 11}, {"85", "52", 690, 10.5}, {"86", "75", 440, 10},
	{"87", "75", 375, 9.5}, {"88", "44", 365, 9.5}, {"89", "27", 335, 10},
	{"90", "27", 140, 11.5}, {"91", "11", 1300, 14.5}, {"92", "11", 1620, 14},
	{"93", "11", 1650, 17.5}, {"94", "11", 1400, 15}, {"95", "11", 1250, 15.5},
	{"971", "01", 385, 12}, {"972", "02", 360, 10}, {"973", "03", 285, 27},
	{"974", "04", 870, 16}, {"976", "06", 300, 35},
}

// abroad is the births file's code for mothers living outside France.
const abroad = "99"

// AllDepartements returns the COG codes of the 101 départements, in the
// order of the official code list.
func AllDepartements() []string {
	out := make([]string, len(departements))
	for i, d := range departements {
		out[i] = d.Code
	}
	return out
}

func lookupDepartement(code string) (departement, bool) {
	i := slices.IndexFunc(departements, func(d departement) bool { return d.Code == code })
	if i < 0 {
		return departement{}, false
	}
	return departements[i], true
}

// territory is one MDS territory of a département and its communes.
type territory struct {
	Code, Label  string
	Weight       float64   // share of the département's population
	Communes     []commune // at least one
	Jurisdiction string    // tribunal judiciaire ruling on its children
}

type commune struct{ Code, Label string }

// pasDeCalais is the territory mapping of the sample territoires_62.csv,
// with Libercourt added (a commune of the Carvin service).
var pasDeCalais = []territory{
	{"ARR", "Arrageois", 0.14, []commune{{"62041", "Arras"}, {"62080", "Bapaume"}}, "Tribunal judiciaire d'Arras"},
	{"ART", "Artois", 0.17, []commune{{"62119", "Béthune"}, {"62178", "Bruay-la-Buissière"}}, "Tribunal judiciaire de Béthune"},
	{"AUD", "Audomarois", 0.08, []commune{{"62765", "Saint-Omer"}, {"62014", "Aire-sur-la-Lys"}}, "Tribunal judiciaire de Saint-Omer"},
	{"BOU", "Boulonnais", 0.11, []commune{{"62160", "Boulogne-sur-Mer"}, {"62643", "Outreau"}}, "Tribunal judiciaire de Boulogne-sur-Mer"},
	{"CAL", "Calaisis", 0.11, []commune{{"62193", "Calais"}}, "Tribunal judiciaire de Boulogne-sur-Mer"},
	{"HEN", "Hénin-Carvin", 0.10, []commune{{"62427", "Hénin-Beaumont"}, {"62215", "Carvin"}, {"62637", "Oignies"}, {"62250", "Courrières"}, {"62907", "Libercourt"}}, "Tribunal judiciaire de Béthune"},
	{"LEN", "Lens-Liévin", 0.18, []commune{{"62498", "Lens"}, {"62510", "Liévin"}}, "Tribunal judiciaire de Béthune"},
	{"MON", "Montreuillois", 0.07, []commune{{"62588", "Montreuil-sur-Mer"}, {"62108", "Berck"}, {"62318", "Étaples"}}, "Tribunal judiciaire de Boulogne-sur-Mer"},
	{"TER", "Ternois", 0.04, []commune{{"62767", "Saint-Pol-sur-Ternoise"}, {"62361", "Frévent"}}, "Tribunal judiciaire d'Arras"},
}

// Parts of synthetic commune names: plausible, never real on purpose.
var (
	communeHeads = []string{"Saint-Martin", "Villeneuve", "Beaumont", "Montigny", "Fontaine", "Neuville",
		"Saint-Laurent", "Bourg", "Sainte-Marie", "Rivière", "Champagne", "Vauclair", "Roche", "Mesnil",
		"Saint-Éloi", "Bellevue", "Longpré", "Hautecourt", "Valmont", "Clairefontaine"}
	communeTails = []string{"", "-sur-Mer", "-le-Château", "-les-Bois", "-en-Vallée", "-la-Forêt",
		"-sur-Rivière", "-le-Haut", "-lès-Moulins", "-du-Lac", "-aux-Prés", "-sous-Roche"}
)

// territoriesOf returns the territories of a département: the real mapping
// for Pas-de-Calais, 5 to 9 synthetic ones (`<dep>-T1`…) elsewhere, each
// with synthetic communes whose codes start with the département code.
func territoriesOf(dep string, seed uint64) []territory {
	if dep == "62" {
		return pasDeCalais
	}
	r := newRand(seed, "territories", dep)
	n := 5 + r.IntN(5)
	width := 5 - len(dep) // digits of the commune number
	limit := 1
	for range width {
		limit *= 10
	}
	numbers := r.Perm(limit - 1) // commune numbers 1..limit-1, shuffled
	next := 0
	out := make([]territory, n)
	var total float64
	for i := range out {
		t := &out[i]
		t.Code = fmt.Sprintf("%s-T%d", dep, i+1)
		t.Label = fmt.Sprintf("Territoire %d (%s)", i+1, dep)
		t.Weight = 0.5 + r.Float64()
		total += t.Weight
		nc := 3 + r.IntN(8)
		t.Communes = make([]commune, nc)
		for j := range t.Communes {
			num := numbers[next] + 1
			next++
			code := dep + zeroPad(num, width)
			label := communeHeads[r.IntN(len(communeHeads))] + communeTails[r.IntN(len(communeTails))]
			t.Communes[j] = commune{code, label}
		}
		t.Jurisdiction = "Tribunal judiciaire de " + t.Communes[0].Label
	}
	for i := range out {
		out[i].Weight /= total
	}
	return out
}

func zeroPad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
