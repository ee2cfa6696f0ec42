package intruder

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// writeWorkbook writes a small observatoire-layout workbook whose family
// sheet holds lines (after its headers).
func writeWorkbook(t *testing.T, lines [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", wbReadme); err != nil {
		t.Fatal(err)
	}
	readme := [][]any{
		{"Indicateurs"},
		{"Indicateur", "Enfants accueillis"}, {"Identifiant", "ase_children_accueil"}, {},
		{"Indicateur", "Part en famille d'accueil"}, {"Identifiant", "ase_foster_family_share"},
	}
	for i, l := range readme {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(wbReadme, cell, &l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("ASE"); err != nil {
		t.Fatal(err)
	}
	head := []any{"Indicateur", "Territoire", "Sexe", "Tranche d'âge", "Année", "Valeur", "Unité", "Numérateur", "Dénominateur", "N−1", "Évolution", "Statut"}
	for i, l := range append([][]any{head}, lines...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("ASE", cell, &l); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "odas.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadWorkbook(t *testing.T) {
	path := writeWorkbook(t, [][]any{
		{"Enfants accueillis", "Ensemble du département", "Ensemble", "Ensemble", 2024, 63, "effectif", 63, nil, 60},
		{"Enfants accueillis", "Ensemble du département", "F", "Ensemble", 2024, "s", "effectif", "s", "s", "s", "s", "s"},
		{"Part en famille d'accueil", "Ensemble du département", "-", "-", 2024, 54.5, "%", 12, 22},
	})
	rows, err := ReadWorkbook(path, "62")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	fig := func(f export.Figure) string {
		if !f.Valid() {
			return "-"
		}
		return strconv.FormatFloat(f.Float64(), 'g', -1, 64)
	}
	got := []string{}
	for i := range rows {
		r := &rows[i]
		got = append(got, fmt.Sprintf("%s hidden=%t %s/%s prev %s", CellOf(r), r.Conf != export.Free, fig(r.Numerator), fig(r.Denominator), fig(r.Previous)))
	}
	want := []string{
		"ase_children_accueil 62 2024 Ensemble hidden=false 63/- prev 60",
		"ase_children_accueil 62 2024 Ensemble sex=F hidden=true -/- prev -",
		"ase_foster_family_share 62 2024 Ensemble hidden=false 12/22 prev -",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestReadWorkbookErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		line []any
		want string
	}{
		{"unknown indicator", []any{"Inconnu", "Ensemble du département", "Ensemble", "Ensemble", 2024, 1, "effectif", 1}, `cell A2 (Indicateur): indicator "Inconnu"`},
		{"bad year", []any{"Enfants accueillis", "Ensemble du département", "Ensemble", "Ensemble", "vingt", 1, "effectif", 1}, `cell E2 (Année): "vingt", want a year`},
		{"bad number", []any{"Enfants accueillis", "Ensemble du département", "Ensemble", "Ensemble", 2024, 12, "effectif", "douze"}, `cell H2 (Numérateur): "douze", want a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadWorkbook(writeWorkbook(t, [][]any{tc.line}), "62")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `sheet "ASE"`) {
				t.Fatalf("error %v, want one naming the sheet and %s", err, tc.want)
			}
		})
	}
}

// FuzzReadFamilySheet: any sheet (lines of tab-separated cells after the
// headers) gives rows or an error, never a panic.
func FuzzReadFamilySheet(f *testing.F) {
	f.Add("Enfants accueillis\tEnsemble du département\tF\tEnsemble\t2024\t63\teffectif\t63\t\t60")
	f.Add("Enfants accueillis\tARR\t-\t-\t2024\ts\teffectif\ts\ts\ts\ts\ts")
	f.Add("Enfants accueillis\t\t\t\tx\t1e309\t\tNaN")
	head := []string{"Indicateur", "Territoire", "Sexe", "Tranche d'âge", "Année", "Valeur", "Unité", "Numérateur", "Dénominateur", "N−1", "Évolution", "Statut"}
	ids := map[string]string{"Enfants accueillis": "ase_children_accueil"}
	f.Fuzz(func(t *testing.T, body string) {
		lines := [][]string{head}
		for _, l := range strings.Split(body, "\n") {
			lines = append(lines, strings.Split(l, "\t"))
		}
		rows, err := readFamilySheet(nil, lines, ids, "odas.xlsx", "ASE", "62")
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Indicator != "ase_children_accueil" || r.Dep != "62" {
				t.Fatalf("row %+v", r)
			}
		}
	})
}

// TestReadFamilySheetWithNames: the name columns beside the territory's
// and the service's codes are read past; the codes say the cell.
func TestReadFamilySheetWithNames(t *testing.T) {
	lines := [][]string{
		{"Indicateur", "Territoire", "Nom du territoire", "Service", "Nom du service", "Année", "Valeur", "Unité", "Numérateur"},
		{"Enfants accueillis", "Ensemble du département", "Ensemble du département", "Ensemble", "Ensemble des services", "2024", "63", "effectif", "63"},
		{"Enfants accueillis", "ARR", "Arrageois", "S01", "MDS de l'Arrageois", "2024", "20", "effectif", "20"},
		{"Enfants accueillis", "ARR", "", "S02", "", "2024", "s", "effectif", "s"},
	}
	rows, err := readFamilySheet(nil, lines, map[string]string{"Enfants accueillis": "ase_children_accueil"}, "odas.xlsx", "ASE", "62")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range rows {
		got = append(got, fmt.Sprintf("%s hidden=%t", CellOf(&rows[i]), rows[i].Conf != export.Free))
	}
	want := []string{
		"ase_children_accueil 62 2024 Ensemble hidden=false",
		"ase_children_accueil 62 2024 ARR service=S01 hidden=false",
		"ase_children_accueil 62 2024 ARR service=S02 hidden=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
