package xlsx

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// cube adds to rows the cells of one table and all its margins: base maps
// each combination of values of dims ("v1|v2") to its count (combinations
// left out are zeros, and left out as the warehouse's CUBE does), hidden
// lists the combinations (margins included, "Ensemble" for a total) that
// disclosure control hid.
func cube(rows []export.Row, ind string, period int, status export.Status, dims []string, base map[string]float64, hidden ...string) []export.Row {
	sums := map[string]float64{}
	for key, v := range base {
		vals := strings.Split(key, "|")
		for mask := 0; mask < 1<<len(dims); mask++ {
			k := slices.Clone(vals)
			for d := range dims {
				if mask&(1<<d) != 0 {
					k[d] = export.Total
				}
			}
			sums[strings.Join(k, "|")] += v
		}
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range sums {
			if !yield(k) {
				return
			}
		}
	}) {
		vals := strings.Split(key, "|")
		r := export.Row{Indicator: ind, Dep: "62", Period: period, Territory: export.Total, Dims: map[string]string{},
			Unit: export.Count, Status: status}
		for d, name := range dims {
			r.Dims[name] = vals[d]
		}
		if slices.Contains(hidden, key) {
			r.Conf = export.Secondary
		} else {
			r.Value, r.Numerator = f64(sums[key]), f64(sums[key])
		}
		rows = append(rows, r)
	}
	return rows
}

// dreesFixture is what the drees profile publishes, for one département:
// the survey's indicators with their breakdowns, a provisional and a final
// year, hidden cells and combinations left out (zeros).
func dreesFixture() *export.Dataset {
	src := []string{"core.ase_situation", "core.ase_years"}
	ds := &export.Dataset{
		Profile:    "drees",
		Title:      "Aide sociale à l'enfance au 31 décembre — enquête DREES",
		Audience:   "external",
		Generated:  time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		RunID:      7,
		Threshold:  5,
		Dimensions: []string{"category", "sex", "age_band", "mode"},
		Sources:    []export.Source{{Job: "iodas", Kind: "ase", Modified: time.Date(2025, 1, 6, 8, 15, 0, 0, time.UTC), Rows: 18234, NameKey: "20241231.0000"}},
		Indicators: []export.Indicator{
			{ID: "drees_accueil_decision", Label: "Enfants accueillis à l'ASE par décision et mode d'hébergement", Family: "ase",
				Definition: "Enfants et jeunes majeurs (0-20 ans) accueillis à l'ASE au 31 décembre, selon la décision et le mode d'hébergement.",
				Unit:       "count", Numerator: "Enfants accueillis", ReferenceDate: "31 décembre de N",
				Convention: "Accueil provisoire → accueils provisoires de mineurs ; assistant familial → familles d'accueil.",
				Sources:    src, Breakdowns: []string{"category", "mode"}},
			{ID: "ase_children_accueil", Label: "Enfants accueillis à l'ASE", Family: "ase",
				Definition: "Enfants et jeunes majeurs (0-20 ans) ayant au moins une mesure d'accueil en cours au 31 décembre.",
				Unit:       "count", Numerator: "Enfants accueillis", ReferenceDate: "31 décembre de N",
				Sources: src, Breakdowns: []string{"sex", "age_band"}},
			{ID: "ase_apjm", Label: "Jeunes majeurs accueillis (APJM)", Family: "ase",
				Definition: "Jeunes de 18 à 20 ans bénéficiant d'un accueil provisoire jeune majeur en cours au 31 décembre.",
				Unit:       "count", Numerator: "Jeunes ayant un APJM", ReferenceDate: "31 décembre de N",
				Sources: src, Breakdowns: []string{"sex", "age_band"}},
			{ID: "drees_actions_educatives", Label: "Actions éducatives (AED et AEMO) en cours au 31 décembre", Family: "ase",
				Definition: "AED et AEMO en cours au 31 décembre.", Unit: "count", Numerator: "Enfants ayant une AED (ou une AEMO)",
				ReferenceDate: "31 décembre de N", Sources: []string{"core.ase_frames", "core.ase_situation"},
				Breakdowns: []string{"category", "sex", "age_band"}},
			{ID: "ase_children_followed", Label: "Enfants suivis en protection de l'enfance", Family: "ase",
				Definition: "Enfants et jeunes majeurs (0-20 ans) ayant au moins une mesure en cours au 31 décembre.",
				Unit:       "count", Numerator: "Enfants suivis", ReferenceDate: "31 décembre de N",
				Sources: src, Breakdowns: []string{"sex", "age_band"}},
		},
	}
	cm := []string{"category", "mode"}
	ds.Rows = cube(ds.Rows, "drees_accueil_decision", 2024, export.Provisional, cm, map[string]float64{
		"Accueils provisoires de mineurs|Familles d'accueil":                             12,
		"Accueils provisoires de mineurs|Établissements":                                 8,
		"Accueils provisoires de jeunes majeurs|Familles d'accueil":                      3,
		"Accueils provisoires de jeunes majeurs|Adolescents et jeunes majeurs autonomes": 9,
		"Pupilles de l'État|Familles d'accueil":                                          6,
		"Accueils d'urgence et mises à l'abri|Établissements":                            7,
		"Placements à l'ASE par le juge|Familles d'accueil":                              40,
		"Placements à l'ASE par le juge|Établissements":                                  35,
		"Placements à l'ASE par le juge|Adolescents et jeunes majeurs autonomes":         2,
		"Placements directs par le juge|Autres modes d'hébergement":                      9,
		"Tutelles et délégations d'autorité parentale|Familles d'accueil":                5,
	}, "Accueils provisoires de jeunes majeurs|Familles d'accueil", "Accueils provisoires de jeunes majeurs|Adolescents et jeunes majeurs autonomes",
		"Placements à l'ASE par le juge|Familles d'accueil", "Placements à l'ASE par le juge|Adolescents et jeunes majeurs autonomes")
	sa := []string{"sex", "age_band"}
	ds.Rows = cube(ds.Rows, "ase_children_accueil", 2023, export.Final, sa, map[string]float64{
		"M|0-5 ans": 9, "M|6-10 ans": 12, "M|11-15 ans": 24, "M|16-17 ans": 13, "M|18-20 ans": 10,
		"F|0-5 ans": 8, "F|6-10 ans": 11, "F|11-15 ans": 21, "F|16-17 ans": 14, "F|18-20 ans": 8,
	})
	ds.Rows = cube(ds.Rows, "ase_children_accueil", 2024, export.Provisional, sa, map[string]float64{
		"M|0-5 ans": 10, "M|6-10 ans": 12, "M|11-15 ans": 25, "M|16-17 ans": 14, "M|18-20 ans": 9,
		"F|0-5 ans": 9, "F|6-10 ans": 11, "F|11-15 ans": 22, "F|16-17 ans": 15, "F|18-20 ans": 9,
	})
	ds.Rows = cube(ds.Rows, "ase_apjm", 2024, export.Provisional, sa, map[string]float64{"M|18-20 ans": 7, "F|18-20 ans": 5})
	ds.Rows = cube(ds.Rows, "drees_actions_educatives", 2024, export.Provisional, []string{"category", "sex", "age_band"}, map[string]float64{
		"AED|M|0-5 ans": 3, "AED|M|6-10 ans": 8, "AED|M|11-15 ans": 10, "AED|F|0-5 ans": 2, "AED|F|6-10 ans": 7, "AED|F|11-15 ans": 9,
		"AEMO|M|6-10 ans": 11, "AEMO|M|11-15 ans": 14, "AEMO|M|16-17 ans": 6, "AEMO|F|6-10 ans": 9, "AEMO|F|11-15 ans": 12, "AEMO|F|16-17 ans": 7,
	}, "AED|M|0-5 ans", "AED|F|0-5 ans", "AED|M|6-10 ans", "AED|F|6-10 ans",
		"Ensemble|M|0-5 ans", "Ensemble|F|0-5 ans", "Ensemble|M|6-10 ans", "Ensemble|F|6-10 ans")
	ds.Rows = cube(ds.Rows, "ase_children_followed", 2024, export.Provisional, sa, map[string]float64{
		"M|0-5 ans": 30, "M|6-10 ans": 35, "M|11-15 ans": 50, "M|16-17 ans": 20, "M|18-20 ans": 12,
		"F|0-5 ans": 28, "F|6-10 ans": 30, "F|11-15 ans": 45, "F|16-17 ans": 22, "F|18-20 ans": 10,
	})
	return ds
}

func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// findLine returns the line of rows after the heading of year's block
// whose first cell is label.
func findLine(rows [][]string, heading, label string) []string {
	in := false
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "Au 31 décembre ") {
			in = strings.HasPrefix(r[0], heading)
		}
		if in && len(r) > 0 && r[0] == label {
			return r
		}
	}
	return nil
}

// TestDreesSurveyTables: the workbook holds the tables of the DREES
// enquête Aide sociale (volet ASE), with the detail the profile declares:
// decisions × modes d'hébergement under their frames, sexes and
// age bands, AED and AEMO; hidden cells are "s", combinations left out 0.
func TestDreesSurveyTables(t *testing.T) {
	f, _ := build(t, dreesFixture(), Drees)
	wantSheets := []string{"Accueillis par décision et mode", "Accueillis par sexe et âge", "Jeunes majeurs (APJM)",
		"Actions éducatives (AED, AEMO)", "Suivis par sexe et âge"}
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets = %q, want %q", got, wantSheets)
	}
	dec := sheetRows(t, f, wantSheets[0])
	for _, tt := range []struct {
		label string
		want  []string
	}{
		{"Décision", []string{"Familles d'accueil", "Établissements", "Adolescents et jeunes majeurs autonomes", "Autres modes d'hébergement", "Ensemble"}},
		{"Décisions administratives", nil},
		{"Accueils provisoires de mineurs", []string{"12", "8", "0", "0", "20"}},
		{"Accueils provisoires de jeunes majeurs", []string{"s", "0", "s", "0", "12"}},
		{"Pupilles de l'État", []string{"6", "0", "0", "0", "6"}},
		{"Décisions judiciaires", nil},
		{"Placements directs par le juge", []string{"0", "0", "0", "9", "9"}},
		{"Tutelles et délégations d'autorité parentale", []string{"5", "0", "0", "0", "5"}},
		{"Ensemble des enfants accueillis", []string{"66", "50", "11", "9", "136"}},
	} {
		got := findLine(dec, "Au 31 décembre 2024 (p : provisoire)", tt.label)
		if got == nil || !slices.Equal(got[1:], tt.want) && (len(got) > 1 || tt.want != nil) {
			t.Errorf("decision table, %s = %q, want %q", tt.label, got, tt.want)
		}
	}
	acc := sheetRows(t, f, wantSheets[1])
	for _, tt := range []struct {
		heading, label string
		want           []string
	}{
		{"Au 31 décembre 2024", "Tranche d'âge", []string{"Garçons", "Filles", "Ensemble"}},
		{"Au 31 décembre 2024", "0-5 ans", []string{"10", "9", "19"}},
		{"Au 31 décembre 2024", "18-20 ans", []string{"9", "9", "18"}},
		{"Au 31 décembre 2024", "Ensemble", []string{"70", "66", "136"}},
		{"Au 31 décembre 2023", "11-15 ans", []string{"24", "21", "45"}},
	} {
		if got := findLine(acc, tt.heading, tt.label); got == nil || !slices.Equal(got[1:], tt.want) {
			t.Errorf("accueillis %s, %s = %q, want %q", tt.heading, tt.label, got, tt.want)
		}
	}
	if i, j := slices.IndexFunc(acc, func(r []string) bool { return len(r) > 0 && strings.HasPrefix(r[0], "Au 31 décembre 2024") }),
		slices.IndexFunc(acc, func(r []string) bool { return len(r) > 0 && r[0] == "Au 31 décembre 2023" }); i < 0 || j < i {
		t.Errorf("blocks: 2024 at %d, 2023 at %d: want the latest year first", i, j)
	}
	aed := sheetRows(t, f, wantSheets[3])
	if got := findLine(aed, "Au 31 décembre 2024", "11-15 ans"); !slices.Equal(got, []string{"11-15 ans", "10", "9", "19", "14", "12", "26", "24", "21", "45"}) {
		t.Errorf("AED/AEMO 11-15 ans = %q", got)
	}
	groups := aed[slices.IndexFunc(aed, func(r []string) bool { return len(r) > 0 && r[0] == "Tranche d'âge" })-1]
	if want := []string{"", "AED (décision administrative)", "", "", "AEMO (décision judiciaire)", "", "", "Ensemble des actions éducatives"}; !slices.Equal(groups, want) {
		t.Errorf("AED/AEMO column groups = %q, want %q", groups, want)
	}
	if merged, _ := f.GetMergeCells(wantSheets[3]); len(merged) == 0 {
		t.Error("AED/AEMO column groups are not merged cells")
	}
	apjm := sheetRows(t, f, wantSheets[2])
	if got := findLine(apjm, "Au 31 décembre 2024", "18-20 ans"); !slices.Equal(got, []string{"18-20 ans", "7", "5", "12"}) {
		t.Errorf("APJM 18-20 ans = %q", got)
	}
	if findLine(apjm, "Au 31 décembre 2024", "0-5 ans") != nil {
		t.Error("APJM has a 0-5 ans line: want the age bands the indicator has")
	}
}

// TestDreesDetailNotOnlyTotals: the DREES profile declares sex, age band,
// mode and category: each survey sheet has lines besides « Ensemble ».
func TestDreesDetailNotOnlyTotals(t *testing.T) {
	f, _ := build(t, dreesFixture(), Drees)
	for _, sheet := range f.GetSheetList() {
		detail := 0
		for _, r := range sheetRows(t, f, sheet) {
			if len(r) > 2 && !strings.HasPrefix(r[0], "Ensemble") && r[0] != "" && !strings.HasPrefix(r[0], "Au 31") &&
				!slices.Contains([]string{"Décision", "Tranche d'âge"}, r[0]) {
				detail++
			}
		}
		if detail == 0 {
			t.Errorf("%s: no line of detail, only totals", sheet)
		}
	}
}

// wordsRe splits a text into words (letters, digits, apostrophes).
var wordsRe = regexp.MustCompile(`[\p{L}\p{N}'’-]+`)

// TestDreesSheetNamesWholeWords: every sheet name, the survey's and those
// made from long labels, is at most 31 characters, made of whole words of
// its title or label, with no bracket left open.
func TestDreesSheetNamesWholeWords(t *testing.T) {
	ds := dreesFixture()
	long := fixture() // labels longer than a sheet name, with quotes and commas
	ds.Indicators = append(ds.Indicators, long.Indicators...)
	ds.Indicators = append(ds.Indicators, export.Indicator{ID: "ase_x", Label: "Jeunes majeurs accueillis (accueil provisoire jeune majeur)",
		Family: "ase", Unit: "count", Definition: "x"})
	ds.Rows = append(ds.Rows, long.Rows...)
	ds.Dimensions = append(ds.Dimensions, long.Dimensions...)
	f, _ := build(t, ds, Drees)
	titles := map[string]string{}
	for _, name := range f.GetSheetList() {
		titles[name] = sheetRows(t, f, name)[0][0]
	}
	if len(titles) != 5+len(long.Indicators)+1 {
		t.Errorf("%d sheets: %q", len(titles), f.GetSheetList())
	}
	for name, title := range titles {
		if n := utf8.RuneCountInString(name); n > maxSheetName {
			t.Errorf("sheet %q: %d characters", name, n)
		}
		words := wordsRe.FindAllString(strings.ToLower(title), -1)
		for _, w := range wordsRe.FindAllString(strings.ToLower(name), -1) {
			if !slices.Contains(words, w) && !slices.Contains([]string{"accueillis", "par", "décision", "et", "mode", "sexe", "âge", "suivis"}, w) {
				t.Errorf("sheet %q: %q is not a whole word of %q", name, w, title)
			}
		}
		if strings.Count(name, "(") != strings.Count(name, ")") {
			t.Errorf("sheet %q: a bracket left open", name)
		}
	}
}

// internalRe finds what names the warehouse's inside: a schema-qualified
// table (core., raw., meta., ind.), an indicator's id, a server path.
var internalRe = regexp.MustCompile(`\b(core|raw|meta|ind)\.[a-z_]+|\b(drees|ase|pmi|crip|adoption|offre|prev)_[a-z_]+\b|/data/|\.csv\b`)

// TestDreesNoInternalNames: no cell of the workbook names a warehouse
// table, an indicator's id or a file: the sources are in words.
func TestDreesNoInternalNames(t *testing.T) {
	f, _ := build(t, dreesFixture(), Drees)
	sources := 0
	for _, sheet := range f.GetSheetList() {
		for r, row := range sheetRows(t, f, sheet) {
			for c, v := range row {
				if m := internalRe.FindString(v); m != "" {
					t.Errorf("%s row %d column %d: %q names %q", sheet, r+1, c+1, v, m)
				}
				if strings.HasPrefix(v, "Source : ") {
					sources++
					if !strings.Contains(v, "extraction du logiciel de l'aide sociale à l'enfance") || !strings.Contains(v, "traitement ODPE") {
						t.Errorf("%s: source %q, want it in words", sheet, v)
					}
				}
			}
		}
	}
	if sources != len(f.GetSheetList()) {
		t.Errorf("%d source lines for %d sheets", sources, len(f.GetSheetList()))
	}
}

func TestWholeWords(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Jeunes majeurs accueillis (APJM)", "Jeunes majeurs accueillis"}, // 32 characters
		{"Jeunes majeurs (APJM)", "Jeunes majeurs (APJM)"},
		{"Jeunes majeurs accueillis (accueil provisoire jeune majeur)", "Jeunes majeurs accueillis"},
		{`Part de l'accueil "familial", hors MECS`, `Part de l'accueil "familial"`},
		{"Bilans de santé en école maternelle", "Bilans de santé en école"},
		{strings.Repeat("x", 40), strings.Repeat("x", 31)},
	} {
		if got := wholeWords(tt.in, maxSheetName); got != tt.want {
			t.Errorf("wholeWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDreesLibreOfficeRoundTrip converts every sheet of the DREES
// workbook to CSV with LibreOffice, an independent reader, when it is
// installed: each sheet reads as excelize reads it, cell for cell.
func TestDreesLibreOfficeRoundTrip(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice is not on PATH")
	}
	if testing.Short() {
		t.Skip("slow: runs LibreOffice")
	}
	dir := t.TempDir()
	f, data := build(t, dreesFixture(), Drees)
	name := filepath.Join(dir, "drees.xlsx")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Filter options: comma, double quote, UTF-8, …, every sheet (-1,
	// LibreOffice 7.2 and later: one file per sheet, "drees-<sheet>.csv").
	cmd := exec.CommandContext(t.Context(), soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, sheet := range f.GetSheetList() {
		b, err := os.ReadFile(filepath.Join(dir, "drees-"+sheet+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice did not convert sheet %s: %v", sheet, err)
		}
		got, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", sheet, err)
		}
		want, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		trim := func(r []string) []string {
			for len(r) > 0 && r[len(r)-1] == "" {
				r = r[:len(r)-1]
			}
			return r
		}
		if len(got) != len(want) {
			t.Errorf("%s: LibreOffice reads %d lines, excelize %d", sheet, len(got), len(want))
			continue
		}
		for i := range want {
			if g, w := trim(got[i]), trim(want[i]); !slices.Equal(g, w) {
				t.Errorf("%s line %d: LibreOffice reads %q, excelize %q", sheet, i+1, g, w)
			}
		}
	}
}

// TestDreesSeveralDepartements: a dataset of several départements (the
// national demo) gets a block per département and year, each named.
func TestDreesSeveralDepartements(t *testing.T) {
	ds := dreesFixture()
	n := len(ds.Rows)
	for i := range n {
		r := ds.Rows[i]
		r.Dep = "59"
		ds.Rows = append(ds.Rows, r)
	}
	f, _ := build(t, ds, Drees)
	var headings []string
	for _, r := range sheetRows(t, f, "Accueillis par sexe et âge") {
		if len(r) > 0 && strings.Contains(r[0], "au 31 décembre 20") {
			headings = append(headings, r[0])
		}
	}
	want := []string{"Département 59 — au 31 décembre 2024 (p : provisoire)", "Département 59 — au 31 décembre 2023",
		"Département 62 — au 31 décembre 2024 (p : provisoire)", "Département 62 — au 31 décembre 2023"}
	if !slices.Equal(headings, want) {
		t.Errorf("blocks %q, want %q", headings, want)
	}
}
