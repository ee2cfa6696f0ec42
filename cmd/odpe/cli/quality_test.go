package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// TestQualityIssues (issue 22, point 5): the children left out of the ASE
// indicators by their age (21 at 31/12/2026, measures still open), a
// rejected file and a duplicate are counted in quality_issues, shown by
// `odpe status` and on the Lisez-moi sheet of the workbook.
func TestQualityIssues(t *testing.T) {
	cfg := refreshtest.Samples(t)
	dir := filepath.Dir(cfg)
	data := mustRead(t, filepath.Join(dir, "traject_planning_SPS-62-07_2022.csv"))
	os.WriteFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022 (1).csv"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "pmi_activite_2012.csv"), []byte("Territoire;Année;Mois\nARR;2012;1\n"), 0o644)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitPartial {
		t.Fatalf("refresh: exit %d\n%s%s", code, out, errOut)
	}

	// Every child followed at 31/12/2026 is either counted or in the table.
	_, out, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", `
		SELECT (SELECT count(*) FROM core.ase_situation WHERE year = 2026)
		     - (SELECT numerator FROM indicator_values WHERE indicator = 'ase_children_followed' AND period = 2026
		        AND territory = 'Ensemble' AND sex = 'Ensemble' AND age_band = 'Ensemble') AS left_out,
		       (SELECT count FROM quality_issues WHERE source = 'ase' AND period = 2026) AS counted`)
	if out != "left_out,counted\n3,3\n" {
		t.Errorf("children left out and counted: %q, want 3 and 3", out)
	}
	_, out, _ = odpe(t, "--config", cfg, "sql", "--format", "csv",
		`SELECT source, file, unit FROM quality_issues WHERE unit = 'fichiers' ORDER BY source`)
	if out != "source,file,unit\npmi,pmi_activite_2012.csv,fichiers\ntraject,traject_planning_SPS-62-07_2022 (1).csv,fichiers\n" {
		t.Errorf("rejected and duplicate files: %q", out)
	}

	code, status, errOut := odpe(t, "--config", cfg, "status")
	if code != cli.ExitOK {
		t.Fatalf("status: %d %s", code, errOut)
	}
	for _, want := range []string{"Data quality", "hors du champ 0-20 ans", "âge 21 ans au 31/12/2026", "doublon", "DUPLICATES"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "exports", "observatoire", "observatoire.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Lisez-moi")
	if err != nil {
		t.Fatal(err)
	}
	var sheet strings.Builder
	for _, r := range rows {
		sheet.WriteString(strings.Join(r, " | ") + "\n")
	}
	for _, want := range []string{"Qualité des données", "hors du champ 0-20 ans", "âge 21 ans au 31/12/2026", "fichier rejeté"} {
		if !strings.Contains(sheet.String(), want) {
			t.Errorf("Lisez-moi lacks %q", want)
		}
	}
}
