package demo

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// readCSV returns the rows of a generated CSV file as maps by header,
// decoding Windows-1252 when asked.
func readCSV(t *testing.T, path string, cp bool) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if cp {
		if text, err = charmap.Windows1252.NewDecoder().String(text); err != nil {
			t.Fatal(err)
		}
	}
	text = strings.ReplaceAll(strings.TrimPrefix(text, bom), "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	header := strings.Split(lines[0], ";")
	out := make([]map[string]string, 0, len(lines)-1)
	for i, l := range lines[1:] {
		fields := strings.Split(l, ";")
		if len(fields) != len(header) {
			t.Fatalf("%s line %d: %d fields, want %d: %q", path, i+2, len(fields), len(header), l)
		}
		row := make(map[string]string, len(header))
		for j, h := range header {
			row[h] = fields[j]
		}
		out = append(out, row)
	}
	return out
}

func parseDay(t *testing.T, s string) day {
	t.Helper()
	d, err := time.Parse("02/01/2006", s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return dayOfTime(d)
}

func aseRows(t *testing.T, tree *Tree) []map[string]string {
	t.Helper()
	return readCSV(t, tree.Files[JobASE][0], true)
}

func TestASEInvariants(t *testing.T) {
	tree := small(t)
	rows := aseRows(t, tree)
	asOf := Scales["small"].asOf()
	communes := map[string]string{}
	for _, tr := range pasDeCalais {
		for _, c := range tr.Communes {
			communes[c.Code] = tr.Code
		}
	}
	seen := map[string]bool{}
	natures := map[string]int{}
	for i, r := range rows {
		line := i + 2
		id := r["N° mesure"]
		if seen[id] {
			t.Errorf("line %d: N° mesure %s repeated", line, id)
		}
		seen[id] = true
		if !strings.HasPrefix(r["N° individu"], "D") {
			t.Errorf("line %d: N° individu %q", line, r["N° individu"])
		}
		nature, ok := extract.Canonical(extract.MeasureNatures, r["Nature de la mesure"])
		if !ok {
			t.Fatalf("line %d: nature %q", line, r["Nature de la mesure"])
		}
		natures[nature]++
		wantCadre := "Administratif"
		if nature == "AEMO" || nature == "Placement judiciaire" || nature == "Tutelle / délégation d'autorité parentale" {
			wantCadre = "Judiciaire"
		}
		if r["Cadre"] != wantCadre {
			t.Errorf("line %d: %s with cadre %q, want %s", line, nature, r["Cadre"], wantCadre)
		}
		atHome := nature == "AED" || nature == "AEMO"
		if mode := r["Mode d'accueil"]; atHome != (mode == "") {
			t.Errorf("line %d: %s with mode d'accueil %q", line, nature, mode)
		} else if mode != "" && !slices.Contains(extract.AccueilModes, mode) {
			t.Errorf("line %d: mode d'accueil %q", line, mode)
		}
		if c := r["Commune de résidence"]; c != "" && communes[c] != r["Territoire"] {
			t.Errorf("line %d: commune %s in territory %s, mapping says %q", line, c, r["Territoire"], communes[c])
		}
		if s := r["Sexe"]; s != "M" && s != "F" {
			t.Errorf("line %d: sexe %q", line, s)
		}
		birth, start := parseDay(t, r["Date de naissance"]), parseDay(t, r["Date de début"])
		if start < birth || start > asOf {
			t.Errorf("line %d: start %s outside birth %s .. extract date", line, r["Date de début"], r["Date de naissance"])
		}
		end := ongoing
		if r["Date de fin"] != "" {
			end = parseDay(t, r["Date de fin"])
			if end < start || end > asOf {
				t.Errorf("line %d: end %s before start %s or after the extract", line, r["Date de fin"], r["Date de début"])
			}
		} else if r["Motif de fin"] != "" {
			t.Errorf("line %d: ongoing measure with motif %q", line, r["Motif de fin"])
		}
		age := func(d day) int {
			n := 0
			for birth.addYears(n+1) <= d {
				n++
			}
			return n
		}
		switch nature {
		case "Accueil provisoire jeune majeur":
			if a := age(start); a < 18 || a > 20 {
				t.Errorf("line %d: APJM starting at %d", line, a)
			}
			if end != ongoing && age(end) > 20 {
				t.Errorf("line %d: APJM ending at %d", line, age(end))
			}
		case "Accueil d'urgence 72h":
			if end == ongoing || end-start > 3 {
				t.Errorf("line %d: urgent accueil from %s to %q", line, r["Date de début"], r["Date de fin"])
			}
		case "Mise à l'abri MNA":
			if a := age(start); a < 15 || a > 17 {
				t.Errorf("line %d: MNA aged %d", line, a)
			}
		default:
			if a := age(start); a > 17 || (end != ongoing && age(end) > 17) {
				t.Errorf("line %d: %s of a child aged %d at start", line, nature, a)
			}
		}
	}
	for _, n := range extract.MeasureNatures {
		if natures[n] == 0 {
			t.Errorf("no measure of nature %s", n)
		}
	}
}

func TestASEShape(t *testing.T) {
	rows := aseRows(t, small(t))
	children := map[string]int{}
	var placed, af, mecs int
	for _, r := range rows {
		children[r["N° individu"]]++
		if m := r["Mode d'accueil"]; m != "" {
			placed++
			switch m {
			case "Assistant familial":
				af++
			case "Établissement (MECS)":
				mecs++
			}
		}
	}
	if n := len(children); n != 400 {
		t.Errorf("%d children, want 400", n)
	}
	if per := float64(len(rows)) / float64(len(children)); per < 1.4 || per > 2.5 {
		t.Errorf("%.2f measures per child, want 1.4 to 2.5", per)
	}
	if share := float64(af) / float64(placed); share < 0.35 || share > 0.55 {
		t.Errorf("assistants familiaux: %.0f %% of accueils, want about 45 %%", 100*share)
	}
	if share := float64(mecs) / float64(placed); share < 0.25 || share > 0.45 {
		t.Errorf("MECS: %.0f %% of accueils, want about 35 %%", 100*share)
	}
}

func TestAdoptionJoinsASE(t *testing.T) {
	tree := small(t)
	inASE := map[string]bool{}
	pupilles := map[string]day{}
	for _, r := range aseRows(t, tree) {
		inASE[r["N° individu"]] = true
		if r["Nature de la mesure"] == "Pupille de l'État" {
			pupilles[r["N° individu"]] = parseDay(t, r["Date de début"])
		}
	}
	order := map[string]int{}
	for i, e := range extract.AdoptionEvents {
		order[e] = i
	}
	last := map[string]int{}
	lastDate := map[string]day{}
	var n int
	for _, path := range tree.Files[JobAdoption] {
		year := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "adoption_evenements_"), ".csv")
		for i, r := range readCSV(t, path, false) {
			n++
			child, ev := r["N° individu"], r["Événement"]
			where := filepath.Base(path) + " line " + strconv.Itoa(i+2)
			if !inASE[child] {
				t.Errorf("%s: %s is not in the ASE extract", where, child)
			}
			k, ok := order[ev]
			if !ok {
				t.Fatalf("%s: unknown event %q", where, ev)
			}
			d := parseDay(t, r["Date"])
			if strconv.Itoa(d.year()) != year {
				t.Errorf("%s: event of %s in the %s file", where, r["Date"], year)
			}
			if prev, seen := last[child]; seen && (k < prev || d < lastDate[child]) {
				t.Errorf("%s: %s after a later step", where, ev)
			}
			last[child], lastDate[child] = max(k, last[child]), d
			if ev == "Admission pupille" {
				if _, ok := pupilles[child]; !ok {
					t.Errorf("%s: admitted pupille %s has no Pupille de l'État measure", where, child)
				}
			}
			if (ev == "PV de remise") != (r["Juridiction"] == "") {
				t.Errorf("%s: %s with juridiction %q", where, ev, r["Juridiction"])
			}
		}
	}
	if n != int(tree.Rows[JobAdoption]) {
		t.Errorf("read %d events, tree says %d", n, tree.Rows[JobAdoption])
	}
}

func TestPMI(t *testing.T) {
	tree := small(t)
	dir := filepath.Join(tree.Dir, "sources", "pmi")
	last := readCSV(t, filepath.Join(dir, "pmi_activite_2025.csv"), false)
	months := map[string]bool{}
	for _, r := range last {
		months[r["Mois"]] = true
	}
	if len(months) != 10 || months["11"] {
		t.Errorf("2025 has months %v, want 1 to 10", months)
	}
	var nbspSeen bool
	for _, f := range []string{"pmi_activite_2019.csv", "pmi_activite_2024.csv", "pmi_activite_2023_rectificatif.csv"} {
		var epp, births float64
		for i, r := range readCSV(t, filepath.Join(dir, f), false) {
			n := func(col string) int {
				s := r[col]
				nbspSeen = nbspSeen || strings.Contains(s, nbsp)
				if s == "" {
					return -1
				}
				v, err := strconv.Atoi(strings.ReplaceAll(s, nbsp, ""))
				if err != nil {
					t.Fatalf("%s line %d %s: %q", f, i+2, col, s)
				}
				return v
			}
			if n("dont en maternité (puéricultrices)") > n("Contacts puéricultrices") ||
				n("dont en maternité (sages-femmes)") > n("Contacts sages-femmes") ||
				n("Patientes suivies par une SF de PMI suite à EPP") > n("EPP réalisés") {
				t.Errorf("%s line %d: a part exceeds its total: %v", f, i+2, r)
			}
			epp += float64(n("EPP réalisés"))
		}
		if !strings.Contains(f, "rectificatif") {
			year, _ := strconv.Atoi(f[len("pmi_activite_") : len("pmi_activite_")+4])
			births = float64(birthsCount("62", year, testSeed))
			if share := epp / births; share < 0.095 || share > 0.125 {
				t.Errorf("%s: EPP = %.1f %% of births, want 10 to 12 %%", f, 100*share)
			}
		}
	}
	if !nbspSeen {
		t.Errorf("no count written with a no-break space")
	}
	orig, _ := os.Stat(filepath.Join(dir, "pmi_activite_2023.csv"))
	rev, _ := os.Stat(filepath.Join(dir, "pmi_activite_2023_rectificatif.csv"))
	if !rev.ModTime().After(orig.ModTime()) {
		t.Errorf("revision modified %s, not after the original's %s", rev.ModTime(), orig.ModTime())
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "pmi_activite_2020.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], pmiHeader) || len(rows) != 1+9*12 {
		t.Errorf("xlsx: header %q, %d rows; want the CSV header and %d rows", rows[0], len(rows), 1+9*12)
	}
}

func TestReportWorkbook(t *testing.T) {
	tree := small(t)
	for _, path := range tree.Files[JobReports] {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, []string{"Identification", "Heures", "Public"}) {
				t.Fatalf("sheets %v", got)
			}
			id, _ := f.GetRows("Identification")
			code := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "rapport_activite_"), ".xlsx")
			if id[1][0] != "Code service" || id[1][1]+"_"+id[3][1] != code {
				t.Errorf("identification %q does not match the file name %s", id, code)
			}
			heures, _ := f.GetRows("Heures")
			title := slices.IndexFunc(heures, func(r []string) bool { return len(r) > 0 && r[0] == "Répartition de l'activité" })
			if title < 3 || heures[title+1][0] != "Catégorie" || heures[title+1][2] != "Part (%)" {
				t.Fatalf("no activity table under its title: %q", heures)
			}
			var sum float64
			for _, r := range heures[title+2:] {
				v := parseHours(t, r[1])
				if r[0] == "Total" {
					if d := v - sum; d > 0.05 || d < -0.05 {
						t.Errorf("Total %.1f, sum of categories %.1f", v, sum)
					}
					return
				}
				if _, ok := extract.Canonical(extract.ActivityCategories, r[0]); !ok {
					t.Errorf("category %q", r[0])
				}
				sum += v
			}
			t.Errorf("no Total row")
		})
	}
	f, err := excelize.OpenFile(tree.Files[JobReports][0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	public, _ := f.GetRows("Public")
	for _, want := range []struct {
		row  int
		cell string
	}{{0, "Jeunes accompagnés individuellement"}, {1, "Tranche d'âge"}, {2, "Moins de 11 ans"}, {9, "Participants aux actions collectives"}, {18, "Nombre d'actions collectives"}} {
		if got := public[want.row][0]; got != want.cell {
			t.Errorf("Public A%d = %q, want %q", want.row+1, got, want.cell)
		}
	}
}

func parseHours(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.NewReplacer(nbsp, "", " ", "", ",", ".").Replace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("hours %q: %v", s, err)
	}
	return v
}

func TestPopulationTerritoriesSumToDepartement(t *testing.T) {
	tree := small(t)
	dep := readCSV(t, tree.Files[JobPopulation][0], false)
	terr := readCSV(t, tree.Files[JobPopulationTerritories][0], false)
	key := func(r map[string]string) string { return r["SEX"] + "/" + r["AGE"] + "/" + r["TIME_PERIOD"] }
	sums := map[string]int{}
	for _, r := range terr {
		v, _ := strconv.Atoi(r["OBS_VALUE"])
		sums[key(r)] += v
	}
	for _, r := range dep {
		if v, _ := strconv.Atoi(r["OBS_VALUE"]); sums[key(r)] != v {
			t.Errorf("%s: territories sum to %d, département %d", key(r), sums[key(r)], v)
		}
	}
	var y0t4 int
	for _, r := range dep {
		if r["SEX"] == "_T" && r["AGE"] == "Y0T4" && r["TIME_PERIOD"] == "2025" {
			y0t4, _ = strconv.Atoi(r["OBS_VALUE"])
		}
	}
	var births int
	for y := 2020; y <= 2024; y++ {
		births += birthsCount("62", y, testSeed)
	}
	if d := float64(y0t4)/float64(births) - 0.995; d > 0.001 || d < -0.001 {
		t.Errorf("0-4 year olds in 2025: %d for %d births in 2020-2024", y0t4, births)
	}
}

func TestBirths(t *testing.T) {
	tree := small(t)
	rows := readCSV(t, filepath.Join(tree.Dir, "sources", "insee", "naissances", "naissances_2024.csv"), false)
	count := map[string]int{}
	for _, r := range rows {
		count[r["DEPDOMM"]]++
		if r["ANAIS"] != "2024" || len(r["MNAIS"]) != 2 || (r["SEXE"] != "1" && r["SEXE"] != "2") {
			t.Fatalf("row %v", r)
		}
	}
	for _, dep := range []string{"59", "62", "80", "99"} {
		if want := birthsCount(dep, 2024, testSeed); count[dep] != want {
			t.Errorf("DEPDOMM %s: %d births, want %d", dep, count[dep], want)
		}
	}
	if len(count) != 4 {
		t.Errorf("départements of residence %v, want 59, 62, 80, 99", count)
	}
	if n := birthsCount("62", 2006, 1); n < 18700 || n > 19300 {
		t.Errorf("62 in 2006: %d births, want about 19,000", n)
	}
}

func TestTerritoriesOf(t *testing.T) {
	want := []string{"ARR Arrageois", "ART Artois", "AUD Audomarois", "BOU Boulonnais", "CAL Calaisis",
		"HEN Hénin-Carvin", "LEN Lens-Liévin", "MON Montreuillois", "TER Ternois"}
	var got []string
	for _, tr := range territoriesOf("62", 1) {
		got = append(got, tr.Code+" "+tr.Label)
	}
	if !slices.Equal(got, want) {
		t.Errorf("62: %v, want %v", got, want)
	}
	for _, dep := range AllDepartements() {
		terrs := territoriesOf(dep, 7)
		if dep != "62" && (len(terrs) < 5 || len(terrs) > 9) {
			t.Errorf("%s: %d territories", dep, len(terrs))
		}
		codes := map[string]bool{}
		var weight float64
		for i, tr := range terrs {
			if dep != "62" && tr.Code != dep+"-T"+strconv.Itoa(i+1) {
				t.Errorf("%s: territory %s", dep, tr.Code)
			}
			weight += tr.Weight
			for _, c := range tr.Communes {
				if len(c.Code) != 5 || !strings.HasPrefix(c.Code, dep) || codes[c.Code] {
					t.Errorf("%s: commune code %q (bad or repeated)", dep, c.Code)
				}
				codes[c.Code] = true
			}
		}
		if weight < 0.999 || weight > 1.001 {
			t.Errorf("%s: weights sum to %f", dep, weight)
		}
	}
	if n := len(AllDepartements()); n != 101 {
		t.Errorf("%d départements, want 101", n)
	}
}
