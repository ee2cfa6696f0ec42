package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

func refreshed(t *testing.T) string {
	t.Helper()
	cfg := refreshtest.Samples(t)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("refresh: %d\n%s%s", code, out, errOut)
	}
	return cfg
}

func TestIndicatorsShowEachFamily(t *testing.T) {
	cfg := refreshed(t)
	code, out, _ := odpe(t, "--config", cfg, "indicators")
	if code != cli.ExitOK || !strings.Contains(out, "pmi_epp_rate") {
		t.Fatalf("indicators: %d\n%s", code, out)
	}
	for _, c := range []struct{ id, want string }{
		{"prev_hours_share", "SPS-62-07"},
		{"pmi_epp_followed_share", "47"},
		{"ase_children_followed", "Ensemble"},
		{"adoption_placements", "target:         >= 25"},
	} {
		t.Run(c.id, func(t *testing.T) {
			code, out, errOut := odpe(t, "--config", cfg, "indicators", "show", c.id)
			if code != cli.ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range []string{c.id + " — ", "definition:", "unit:", "numerator:", "reference date:", "declared in:", "Latest values:", c.want} {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if code, _, _ := odpe(t, "--config", cfg, "indicators", "show", "nope"); code != cli.ExitError {
		t.Errorf("unknown indicator: exit %d", code)
	}
}

// extraIndicator is what a statistician drops into a folder: children
// followed who are girls, by territory.
const extraYAML = `id: ase_girls_followed
label: Filles suivies
family: ase
definition: Filles ayant au moins une mesure en cours au 31 décembre.
unit: count
numerator: Filles suivies au 31/12/N
reference_date: 31 décembre de N
sources: [core.ase_situation]
checks:
  - non_negative: true
  - additive: territory
`

const extraSQL = `SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory, count(*) AS numerator
FROM core.ase_situation WHERE sex = 'F' AND age_band IS NOT NULL
GROUP BY dep, year, ROLLUP (territory)
`

func addIndicatorFolder(t *testing.T, cfg, yaml, sql string) {
	t.Helper()
	dir := filepath.Join(filepath.Dir(cfg), "mes-indicateurs")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "ase_girls_followed.yaml"), []byte(yaml), 0o644)
	os.WriteFile(filepath.Join(dir, "ase_girls_followed.sql"), []byte(sql), 0o644)
	text := strings.Replace(string(mustRead(t, cfg)), "exports_dir: exports\n", "exports_dir: exports\nindicators: [mes-indicateurs]\n", 1)
	os.WriteFile(cfg, []byte(text), 0o644)
}

func TestStatisticianAddsAnIndicator(t *testing.T) {
	cfg := refreshed(t)
	addIndicatorFolder(t, cfg, extraYAML, extraSQL)
	// No source changed, but the catalogue did: the refresh recomputes.
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitOK || !strings.Contains(out, "0 file(s) loaded") {
		t.Fatalf("refresh: %d\n%s%s", code, out, errOut)
	}
	girls := "SELECT sum(value) FROM indicator_values WHERE indicator = 'ase_girls_followed' AND territory = 'Ensemble'"
	all := "SELECT sum(value) FROM indicator_values WHERE indicator = 'ase_children_followed' AND territory = 'Ensemble' AND sex = 'F' AND age_band = 'Ensemble'"
	_, g, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", girls)
	_, a, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", all)
	if g != a || g == "sum(\"value\")\n\n" {
		t.Errorf("new indicator %q, the same figure from the builtin one %q", g, a)
	}
	if _, out, _ := odpe(t, "--config", cfg, "indicators", "show", "ase_girls_followed"); !strings.Contains(out, "mes-indicateurs") && !strings.Contains(out, "ase_girls_followed.yaml") {
		t.Errorf("show:\n%s", out)
	}
}

func TestFailedCheckKeepsPreviousWarehouse(t *testing.T) {
	cfg := refreshed(t)
	_, before, _ := odpe(t, "--config", cfg, "status")
	// A declaration whose check cannot hold: counts said to be below 1.
	broken := strings.Replace(extraYAML, "  - non_negative: true\n", "  - between: [0, 1]\n", 1)
	addIndicatorFolder(t, cfg, broken, extraSQL)
	code, out, _ := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, cli.ExitFailed, out)
	}
	if !strings.Contains(out, "previous warehouse is kept") || !strings.Contains(out, "between 0 and 1") {
		t.Errorf("report:\n%s", out)
	}
	_, after, _ := odpe(t, "--config", cfg, "status")
	line := func(s string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "last successful refresh") {
				return l
			}
		}
		return ""
	}
	if line(before) == "" || line(before) != line(after) {
		t.Errorf("last successful refresh changed:\n%s\n%s", line(before), line(after))
	}
	if !strings.Contains(after, "failed") {
		t.Errorf("status does not mention the failed run:\n%s", after)
	}
	if _, got, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", eppQuery); got != "value\n2204\n" {
		t.Errorf("previous figures: %q", got)
	}
}

// TestIndicatorsShowTotalFirst: the département's total is the first row
// shown, and the rows left out are counted (issue 22, point 7).
func TestIndicatorsShowTotalFirst(t *testing.T) {
	cfg := refreshed(t)
	code, out, errOut := odpe(t, "--config", cfg, "indicators", "show", "ase_children_followed")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, table, _ := strings.Cut(out, "Latest values:\n")
	lines := strings.Split(table, "\n")
	if len(lines) < 2 {
		t.Fatalf("no values:\n%s", out)
	}
	first := strings.Fields(lines[1])
	if len(first) < 5 || first[2] != "Ensemble" || first[3] != "Ensemble" || first[4] != "Ensemble" {
		t.Errorf("first row is not the département's total: %q\n%s", lines[1], out)
	}
	if !strings.Contains(out, "not shown") {
		t.Errorf("does not say how many rows are not shown:\n%s", out)
	}
}
