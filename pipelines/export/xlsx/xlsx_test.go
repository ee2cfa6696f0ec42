package xlsx

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

var outDir = flag.String("out", "", "also save the test workbooks in this directory")

// build writes ds in layout and opens the result.
func build(t testing.TB, ds *export.Dataset, layout Layout) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, ds, layout); err != nil {
		t.Fatalf("Write(%s): %v", layout, err)
	}
	if *outDir != "" {
		name := filepath.Join(*outDir, layout.String()+".xlsx")
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("open the written workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

func TestObservatoireSheets(t *testing.T) {
	f, _ := build(t, fixture(), Observatoire)
	want := []string{"Lisez-moi", "ASE", "PMI", "Prévention", "Adoption", "Graphiques"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Lisez-moi)", got)
	}
	for _, sheet := range want[1:5] {
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes = %+v, want the header row frozen", sheet, panes)
		}
		tables, err := f.GetTables(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables) != 1 {
			t.Errorf("%s has %d tables, want 1", sheet, len(tables))
		}
	}
	tables, _ := f.GetTables("ASE")
	if len(tables) == 1 && tables[0].Range != "A1:L9" {
		t.Errorf("ASE table range = %s, want A1:L9", tables[0].Range)
	}
}

// TestObservatoireCells reads every data row of the family sheets back and
// compares it with the dataset, value by value and type by type.
func TestObservatoireCells(t *testing.T) {
	ds := fixture()
	f, _ := build(t, ds, Observatoire)
	header := []string{"Indicateur", "Territoire", "Nom du territoire", "Sexe", "Année", "Valeur", "Unité", "Numérateur",
		"Dénominateur", "N−1", "Évolution", "Statut"}
	labels := map[string]string{}
	for _, ind := range ds.Indicators {
		labels[ind.ID] = ind.Label
	}
	next := map[string]int{} // sheet → next row
	for i, r := range ds.Rows {
		sheet := map[string]string{"ase_mineurs_confies": "ASE", "ase_part_familial": "ASE", "pmi_bilans": "PMI",
			"prev_ip": "Prévention", "adoption_delai": "Adoption"}[r.Indicator]
		if next[sheet] == 0 {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], header) {
				t.Errorf("%s header = %q, want %q", sheet, rows[0], header)
			}
			next[sheet] = 2
		}
		row := next[sheet]
		next[sheet]++
		cell := func(col string) string { return col + strconv.Itoa(row) }
		where := fmt.Sprintf("row %d → %s!%d", i, sheet, row)

		wantText := map[string]string{
			"A": labels[r.Indicator], "B": territoryWant(r), "C": ds.TerritoryName(r.Dep, r.Territory), "D": dimWant(r, "sex"),
			"G": map[string]string{"count": "effectif", "%": "%", "days": "jours"}[r.Unit.String()],
			"L": statusWant(r),
		}
		for col, want := range wantText {
			assertText(t, f, sheet, cell(col), want, where)
		}
		assertNumber(t, f, sheet, cell("E"), f64(float64(r.Period)), false, where)
		hidden := r.Conf != export.Free
		for col, v := range map[string]export.Figure{"F": r.Value, "H": r.Numerator, "I": r.Denominator, "J": r.Previous, "K": r.Evolution} {
			assertNumber(t, f, sheet, cell(col), v, hidden, where)
		}
	}
	// Nothing after the last row.
	for sheet, n := range next {
		rows, _ := f.GetRows(sheet)
		if len(rows) != n-1 {
			t.Errorf("%s has %d rows, want %d", sheet, len(rows), n-1)
		}
	}
}

func territoryWant(r export.Row) string {
	if r.Territory == export.Total {
		return "Ensemble du département"
	}
	return r.Territory
}

func dimWant(r export.Row, dim string) string {
	if v, ok := r.Dims[dim]; ok {
		return v
	}
	return "-"
}

func statusWant(r export.Row) string {
	s := map[string]string{"final": "", "provisional": "p", "incomplete": "i"}[r.Status.String()]
	if r.Conf != export.Free {
		return strings.TrimSpace("s " + s)
	}
	return s
}

// assertText checks that a cell holds the string want (or is empty).
func assertText(t *testing.T, f *excelize.File, sheet, cell, want, where string) {
	t.Helper()
	got, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s: %s = %q, want %q", where, cell, got, want)
	}
	typ, _ := f.GetCellType(sheet, cell)
	if want != "" && typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("%s: %s has type %v, want a string", where, cell, typ)
	}
}

// assertNumber checks that a cell holds the number want, "s" when
// hidden, nothing when want is absent.
func assertNumber(t *testing.T, f *excelize.File, sheet, cell string, want export.Figure, hidden bool, where string) {
	t.Helper()
	if hidden {
		assertText(t, f, sheet, cell, "s", where)
		return
	}
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := f.GetCellType(sheet, cell)
	if !want.Valid() {
		if raw != "" {
			t.Errorf("%s: %s = %q, want an empty cell", where, cell, raw)
		}
		return
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s: %s has type %v, want a number", where, cell, typ)
	}
	got, err := strconv.ParseFloat(raw, 64)
	if err != nil || got != want.Float64() {
		t.Errorf("%s: %s = %q, want %v", where, cell, raw, want.Float64())
	}
}

func TestObservatoireNumberFormats(t *testing.T) {
	f, _ := build(t, fixture(), Observatoire)
	tests := []struct {
		sheet, cell, want string
	}{
		{"ASE", "F2", "#,##0"},                                             // count
		{"ASE", "F9", "0.0\"\u00a0%\""},                                    // share, in percent units
		{"ASE", "K3", "+0.0\"\u00a0%\";-0.0\"\u00a0%\";0.0\"\u00a0%\""},    // relative change of a count
		{"ASE", "K9", "+0.0\"\u00a0pt\";-0.0\"\u00a0pt\";0.0\"\u00a0pt\""}, // points
		{"ASE", "I9", "#,##0"},
		{"Adoption", "F2", "#,##0.0"},           // days
		{"Adoption", "I2", "#,##0"},             // denominator
		{"Lisez-moi", "B3", "dd/mm/yyyy hh:mm"}, // generation date
	}
	for _, tt := range tests {
		if got := numFmt(t, f, tt.sheet, tt.cell); got != tt.want {
			t.Errorf("%s!%s format = %q, want %q", tt.sheet, tt.cell, got, tt.want)
		}
	}
}

func numFmt(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

func TestLisezMoi(t *testing.T) {
	ds := fixture()
	f, _ := build(t, ds, Observatoire)
	rows, err := f.GetRows(SheetReadme)
	if err != nil {
		t.Fatal(err)
	}
	find := func(first string) []string {
		for _, r := range rows {
			if len(r) > 0 && r[0] == first {
				return r
			}
		}
		t.Errorf("Lisez-moi has no line starting with %q", first)
		return nil
	}
	if rows[0][0] != ds.Title {
		t.Errorf("A1 = %q, want the title", rows[0][0])
	}
	if got := find("Date de génération"); len(got) < 2 || got[1] != "14/03/2025 10:30" {
		t.Errorf("generation date line = %q, want 14/03/2025 10:30 (Paris time)", got)
	}
	if got := find("Profil d'export"); len(got) < 2 || got[1] != "observatoire" {
		t.Errorf("profile line = %q", got)
	}
	// The sources in words per family; the files, an internal profile's.
	if got := find("ASE"); !slices.Equal(got, []string{"ASE", "extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024"}) {
		t.Errorf("ASE's sources = %q", got)
	}
	if got := find("PMI"); !slices.Equal(got, []string{"PMI", "comptages mensuels d'activité de la PMI, 2024"}) {
		t.Errorf("PMI's sources = %q", got)
	}
	if got := find("iodas"); !slices.Equal(got, []string{"iodas", "/data/iodas/mesures_2024.csv", "06/01/2025 09:15", "18,234", "9f2c"}) {
		t.Errorf("source line = %q", got)
	}
	// The block of each indicator: its label, then one field a line.
	block := func(label string) map[string]string {
		for i, r := range rows {
			if len(r) == 2 && r[0] == "Indicateur" && r[1] == label {
				fields := map[string]string{}
				for _, f := range rows[i+1:] {
					if len(f) == 0 {
						break
					}
					fields[f[0]] = f[1]
				}
				return fields
			}
		}
		t.Errorf("Lisez-moi has no block for indicator %q", label)
		return nil
	}
	wantBlocks := map[string]map[string]string{
		`Part de l'accueil "familial", hors MECS`: {
			"Identifiant": "ase_part_familial", "Famille": "ASE",
			"Définition": "Part des enfants accueillis en famille d'accueil.", "Unité": "%",
			"Numérateur": "enfants en famille d'accueil", "Dénominateur": "enfants confiés",
			"Date de référence": "31 décembre de N", "Convention": "-", "Sources": "extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024",
			"Ventilations": "-", "Indicateur clé": "non",
		},
		"Mineurs confiés à l'ASE": {
			"Identifiant": "ase_mineurs_confies", "Famille": "ASE",
			"Définition": "Mineurs confiés à l'aide sociale à l'enfance", "Unité": "effectif",
			"Numérateur": "mineurs confiés", "Dénominateur": "-",
			"Date de référence": "31 décembre de N", "Convention": "Âge au 31/12", "Sources": "extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024",
			"Ventilations": "Sexe", "Indicateur clé": "oui (voir la feuille Graphiques)",
		},
	}
	for label, want := range wantBlocks {
		if got := block(label); !maps.Equal(got, want) {
			t.Errorf("block of %q =\n %q, want\n %q", label, got, want)
		}
	}
	if got := find("Seuil : 5. Les effectifs inférieurs à 5 et les taux dont le numérateur vaut 1 sont masqués (secret primaire), ainsi que les cellules qui permettraient de les retrouver par différence (secret secondaire). Une cellule masquée contient « s » : secret statistique."); got == nil {
		t.Error("no disclosure rule")
	}
	for _, sign := range [][2]string{{"s", "secret statistique"}, {"p", "provisoire"}, {"i", "incomplet"}, {"-", "sans objet"}} {
		if got := find(sign[0]); len(got) < 2 || got[1] != sign[1] {
			t.Errorf("legend of %q = %q, want %q", sign[0], got, sign[1])
		}
	}
}

func TestLisezMoiNoThreshold(t *testing.T) {
	ds := fixture()
	ds.Threshold = 0
	f, _ := build(t, ds, Observatoire)
	rows, _ := f.GetRows(SheetReadme)
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "Aucun secret statistique") {
			return
		}
	}
	t.Error("no line says that no disclosure control applies")
}

func TestOmittedNote(t *testing.T) {
	for _, tt := range []struct {
		o    Omitted
		want string
	}{
		{Omitted{}, ""},
		{Omitted{Formats: []string{"parquet"}}, ""},
		{Omitted{Breakdowns: []string{"territory", "service"}, Formats: []string{"parquet", "feather"}},
			"Détail par territoire et par service : fichiers Parquet et Arrow du même profil."},
		{Omitted{Breakdowns: []string{"age_band", "mode", "event"}, Formats: []string{"sdmx"}},
			"Détail par tranche d'âge, par mode d'accueil et par événement : fichier SDMX du même profil."},
		{Omitted{Breakdowns: []string{"sex"}, Formats: []string{"parquet"}},
			"Détail par sexe : fichiers Parquet du même profil."},
		{Omitted{Breakdowns: []string{"territory"}}, "Détail par territoire : non diffusé dans ce profil."},
	} {
		if got := tt.o.note(); got != tt.want {
			t.Errorf("%+v: note %q, want %q", tt.o, got, tt.want)
		}
	}
}

// TestWriteOmitting: a workbook narrower than its profile says so on its
// Lisez-moi sheet (Observatoire) or under each table (Drees); a workbook
// that leaves nothing out says nothing.
func TestWriteOmitting(t *testing.T) {
	o := Omitted{Breakdowns: []string{"territory", "service"}, Formats: []string{"parquet", "feather"}}
	want := "Détail par territoire et par service : fichiers Parquet et Arrow du même profil."
	for _, layout := range []Layout{Observatoire, Drees} {
		for _, omitted := range []bool{true, false} {
			var buf bytes.Buffer
			var err error
			if omitted {
				_, err = WriteWith(&buf, fixture(), layout, Options{Omitted: o})
			} else {
				err = Write(&buf, fixture(), layout)
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			sheet := f.GetSheetName(0)
			rows, err := f.GetRows(sheet)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			wantRow := []string{want}
			if layout == Observatoire {
				wantRow = []string{readmeOmitted, want}
			}
			found := slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, wantRow) })
			said := slices.ContainsFunc(rows, func(r []string) bool {
				return slices.ContainsFunc(r, func(c string) bool { return strings.HasPrefix(c, "Détail par") })
			})
			if found != omitted || said != omitted {
				t.Errorf("%s, omitted %v: sheet %s says %q: %v, some detail: %v", layout, omitted, sheet, wantRow, found, said)
			}
		}
	}
}

func TestCharts(t *testing.T) {
	ds := fixture()
	f, data := build(t, ds, Observatoire)
	// One key indicator with three years and territories: a line chart
	// and a bar chart.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts = append(charts, zf.Name)
		}
	}
	if len(charts) != 2 {
		t.Errorf("charts = %q, want 2", charts)
	}
	rows, _ := f.GetRows(SheetCharts)
	want := [][]string{
		{"Graphiques des indicateurs clés"},
		{"Les valeurs masquées par le secret statistique sont absentes des graphiques."},
		nil,
		{"Mineurs confiés à l'ASE (effectif)"},
		{"Année", "Département 62", "", "", "Territoire", "2024"},
		{"2022", "2,050", "", "", "ARRAS", "812"},
		{"2023", "2,143", "", "", "BOULOGNE"},
		{"2024", "2,210", "", "", "LENS"},
	}
	if len(rows) != len(want) {
		t.Fatalf("Graphiques has %d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("Graphiques row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}
}

func TestCollectChart(t *testing.T) {
	ds := fixture()
	d := collectChart(ds, &ds.Indicators[0])
	if !slices.Equal(d.Years, []int{2022, 2023, 2024}) || !slices.Equal(d.Deps, []string{"62"}) || d.Latest != 2024 {
		t.Errorf("years %v, deps %v, latest %d", d.Years, d.Deps, d.Latest)
	}
	if v := d.Trend["62"][2023]; v == nil || *v != 2143 {
		t.Errorf("trend 2023 = %v, want 2143", v)
	}
	var labels []string
	for _, b := range d.Bars {
		labels = append(labels, b.Label)
	}
	if !slices.Equal(labels, []string{"ARRAS", "BOULOGNE", "LENS"}) || d.Bars[1].Value != nil {
		t.Errorf("bars = %+v", d.Bars)
	}
}

// TestDreesTerritories: a dataset with territories (not the drees
// profile's) gets a block per territory after the département's, and a
// share its unit's format.
func TestDreesTerritories(t *testing.T) {
	f, _ := build(t, fixture(), Drees)
	sheet := f.GetSheetList()[0]
	rows := sheetRows(t, f, sheet)
	var headings []string
	for _, r := range rows {
		if len(r) > 0 && strings.Contains(r[0], "31 décembre") && !strings.HasPrefix(r[0], "Champ") {
			headings = append(headings, r[0])
		}
	}
	want := []string{"Au 31 décembre 2024 (p : provisoire)", "Au 31 décembre 2023", "Au 31 décembre 2022",
		"Territoire ARRAS — au 31 décembre 2024 (p : provisoire)", "Territoire BOULOGNE — au 31 décembre 2024 (p : provisoire)",
		"Territoire LENS — au 31 décembre 2024 (p : provisoire)"}
	if !slices.Equal(headings, want) {
		t.Errorf("%s: blocks %q, want %q", sheet, headings, want)
	}
	if got := findLine(rows, "Au 31 décembre 2024", "F"); got != nil {
		t.Errorf("sex F is a column, not a line: %q", got)
	}
	share := f.GetSheetList()[1]
	line := slices.IndexFunc(sheetRows(t, f, share), func(r []string) bool { return len(r) > 1 && r[0] == "Ensemble" })
	if line < 0 {
		t.Fatalf("%s: no Ensemble line", share)
	}
	if got := numFmt(t, f, share, "B"+strconv.Itoa(line+1)); got != "0.0\"\u00a0%\"" {
		t.Errorf("share format = %q", got)
	}
}

func TestSheetNamer(t *testing.T) {
	n := newSheetNamer("Lisez-moi")
	tests := []struct{ in, want string }{
		{"ASE", "ASE"},
		{"ase", "ase (2)"},
		{"lisez-moi", "lisez-moi (2)"},
		{"Taux [brut]: 0/17 ans?", "Taux brut 0 17 ans"},
		{"'Quoted'", "Quoted"},
		{"History", "History (2)"},
		{"", "Feuille"},
		{"Un libellé beaucoup trop long pour un onglet Excel", "Un libellé beaucoup trop long p"},
		{"Un libellé beaucoup trop long pour un autre onglet", "Un libellé beaucoup trop lo (2)"},
	}
	for _, tt := range tests {
		got := n.name(tt.in)
		if got != tt.want {
			t.Errorf("name(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := excelize.NewFile().SetSheetName("Sheet1", got); err != nil {
			t.Errorf("excelize rejects %q: %v", got, err)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*export.Dataset)
		want   string
	}{
		{"undeclared indicator", func(ds *export.Dataset) { ds.Rows[3].Indicator = "x" }, `row 3 (x, 62, 2024, Ensemble): indicator "x" is not declared`},
		{"unknown unit", func(ds *export.Dataset) { ds.Rows[0].Unit = 0 }, `unit ""`},
		{"unknown status", func(ds *export.Dataset) { ds.Rows[0].Status = 9 }, `status "#9"`},
		{"unknown conf", func(ds *export.Dataset) { ds.Rows[0].Conf = 3 }, `confidentiality "#3"`},
		{"undeclared breakdown", func(ds *export.Dataset) { ds.Rows[0].Dims = map[string]string{"mode": "x"} }, `breakdown "mode"`},
		{"indicator unit", func(ds *export.Dataset) { ds.Indicators[1].Unit = "" }, `indicator ase_part_familial: unit ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := fixture()
			tt.modify(ds)
			for _, layout := range []Layout{Observatoire, Drees} {
				err := Write(io.Discard, ds, layout)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Write(%s) error = %v, want it to contain %q", layout, err, tt.want)
				}
			}
		})
	}
	if err := Write(io.Discard, fixture(), Layout(9)); err == nil || !strings.Contains(err.Error(), "unknown layout Layout(9)") {
		t.Errorf("unknown layout: error = %v", err)
	}
}

// TestGolden compares a text dump of every cell (type, raw value, number
// format) of both layouts with testdata/.
func TestGolden(t *testing.T) {
	for _, layout := range []Layout{Observatoire, Drees} {
		t.Run(layout.String(), func(t *testing.T) {
			f, _ := build(t, layoutFixture(layout), layout)
			exporttest.Golden(t, layout.String()+".golden", []byte(dump(t, f)))
		})
	}
}

// layoutFixture is the dataset of a layout's profile: the observatory's
// for Observatoire, the drees profile's for Drees.
func layoutFixture(l Layout) *export.Dataset {
	if l == Drees {
		return dreesFixture()
	}
	return fixture()
}

// dump lists the non-empty cells of every sheet: reference, type (n for a
// number, s for a string), raw value and number format.
func dump(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sheet)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, _ := f.GetCellType(sheet, cell)
				kind := "s"
				if typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber {
					kind = "n"
				}
				fmt.Fprintf(&b, "%s\t%s\t%q", cell, kind, v)
				if nf := numFmt(t, f, sheet, cell); nf != "" {
					fmt.Fprintf(&b, "\t[%s]", nf)
				}
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// TestLibreOfficeOpens converts both layouts to PDF with LibreOffice when
// it is installed: a workbook it cannot read fails the conversion.
func TestLibreOfficeOpens(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice is not on PATH")
	}
	if testing.Short() {
		t.Skip("slow: runs LibreOffice")
	}
	dir := t.TempDir()
	for _, layout := range []Layout{Observatoire, Drees} {
		_, data := build(t, layoutFixture(layout), layout)
		name := filepath.Join(dir, layout.String()+".xlsx")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), soffice, "--headless", "--norestore",
			"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", "pdf", "--outdir", dir, name)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("soffice %s: %v\n%s", layout, err, out)
		}
		pdf := filepath.Join(dir, layout.String()+".pdf")
		if st, err := os.Stat(pdf); err != nil || st.Size() < 1000 {
			t.Errorf("soffice did not convert %s: %v\n%s", layout, err, out)
		}
	}
}

func BenchmarkWriteObservatoire(b *testing.B) {
	benchmarkWrite(b, Observatoire)
}

func BenchmarkWriteDrees(b *testing.B) {
	benchmarkWrite(b, Drees)
}

func benchmarkWrite(b *testing.B, layout Layout) {
	ds := largeDataset(100_000)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, ds, layout); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB/file")
}

// FuzzSheetName checks that any label gives a sheet name excelize accepts,
// unique among the names already handed out.
func FuzzSheetName(f *testing.F) {
	for _, s := range []string{"ASE", "Taux [brut]: 0/17 ans?", "'x'", "", "History", strings.Repeat("é", 40)} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		n := newSheetNamer(SheetReadme)
		first, second := n.name(a), n.name(b)
		if strings.EqualFold(first, second) {
			t.Fatalf("names %q and %q clash", first, second)
		}
		wb := excelize.NewFile()
		defer wb.Close()
		for _, name := range []string{first, second} {
			if _, err := wb.NewSheet(name); err != nil {
				t.Fatalf("excelize rejects %q (from %q, %q): %v", name, a, b, err)
			}
		}
	})
}

// TestWriteNoRows checks that a dataset without values still gives a
// workbook: header-only sheets, no table, no chart.
func TestWriteNoRows(t *testing.T) {
	ds := fixture()
	ds.Rows = nil
	for _, layout := range []Layout{Observatoire, Drees} {
		f, _ := build(t, ds, layout)
		sheet := f.GetSheetList()[1]
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Errorf("%s: sheet %s is empty, want at least its header", layout, sheet)
		}
		if tables, _ := f.GetTables(sheet); len(tables) != 0 {
			t.Errorf("%s: sheet %s has a table without rows", layout, sheet)
		}
	}
}

// TestLargeFamilySpillsOntoMoreSheets: a family larger than a sheet
// continues on "ASE (2)"…, every row written once.
func TestLargeFamilySpillsOntoMoreSheets(t *testing.T) {
	defer func(n int) { MaxSheetRows = n }(MaxSheetRows)
	ds := fixture()
	MaxSheetRows = 2
	var buf bytes.Buffer
	if err := Write(&buf, ds, Observatoire); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	data := 0
	for _, name := range f.GetSheetList() {
		if name == SheetReadme || name == SheetCharts {
			continue
		}
		rows, _ := f.GetRows(name)
		if len(rows)-1 > MaxSheetRows {
			t.Errorf("sheet %s has %d rows", name, len(rows)-1)
		}
		data += len(rows) - 1
	}
	if data != len(ds.Rows) {
		t.Errorf("%d rows written, want %d", data, len(ds.Rows))
	}
}
