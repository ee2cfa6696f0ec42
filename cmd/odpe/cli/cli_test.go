package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/export/sdmx"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// odpe runs the command in-process and returns its exit code and outputs.
func odpe(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// binDir holds the odpe command built for the tests that need a process.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds the odpe command once for the tests that need a process.
var binary = func() func(t *testing.T) string {
	var path string
	return func(t *testing.T) string {
		t.Helper()
		if path != "" {
			return path
		}
		dir, err := os.MkdirTemp("", "odpe-bin")
		if err != nil {
			t.Fatal(err)
		}
		binDir = dir
		p := filepath.Join(dir, "odpe")
		cmd := exec.Command("go", "build", "-o", p, "./cmd/odpe")
		cmd.Dir = refreshtest.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		path = p
		return path
	}
}()

// pmiRevision is a revision of January 2011 in Arrageois: 100 more EPP.
const pmiRevision = "Territoire;Année;Mois;EPP réalisés;Patientes suivies par une SF de PMI suite à EPP;" +
	"Patientes orientées vers un autre professionnel suite à EPP;Contacts puéricultrices;" +
	"dont en maternité (puéricultrices);Contacts sages-femmes;dont en maternité (sages-femmes);" +
	"Séances bilans 3-4 ans;Enfants vus bilans 3-4 ans\nARR;2011;1;124;15;4;110;77;7;7;29;249\n"

// eppQuery gives the département's EPP of 2011: 2204 published, 2304 after the revision.
const eppQuery = "SELECT value FROM indicator_values WHERE indicator = 'pmi_epp' AND period = 2011 AND territory = 'Ensemble'"

func TestRefreshStatusSQL(t *testing.T) {
	cfg := refreshtest.Samples(t)
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitOK {
		t.Fatalf("refresh exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "Refresh success") || !strings.Contains(out, "0 rejected") {
		t.Errorf("refresh output:\n%s", out)
	}
	code, out, _ = odpe(t, "--config", cfg, "status")
	if code != cli.ExitOK {
		t.Fatalf("status exit %d", code)
	}
	for _, want := range []string{"last successful refresh: 20", "pmi ", "ase ", "rapports ", "naissances "} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = odpe(t, "--config", cfg, "sql", "--format", "csv", eppQuery)
	if code != cli.ExitOK || out != "value\n2204\n" {
		t.Errorf("sql csv: exit %d, %q", code, out)
	}
	code, out, _ = odpe(t, "--config", cfg, "sql", "--format", "json", "SELECT 1 AS one")
	if code != cli.ExitOK || !strings.Contains(out, `"one": 1`) {
		t.Errorf("sql json: exit %d, %q", code, out)
	}
	code, _, errOut = odpe(t, "--config", cfg, "sql", "SELECT * FROM no_such_table")
	if code != cli.ExitNotFound || !strings.Contains(errOut, "no_such_table") {
		t.Errorf("bad query: exit %d, %q", code, errOut)
	}
	// Read-only: a reader cannot write.
	code, _, _ = odpe(t, "--config", cfg, "sql", "CREATE TABLE x (i INTEGER)")
	if code == cli.ExitOK {
		t.Error("sql could write to the warehouse")
	}
	// Unchanged sources: nothing to do.
	code, out, _ = odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitOK || !strings.Contains(out, "Nothing changed") {
		t.Errorf("second refresh: exit %d\n%s", code, out)
	}
	// A revision replaces the month it revises.
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	if code, out, errOut = odpe(t, "--config", cfg, "run", "pmi"); code != cli.ExitOK {
		t.Fatalf("run pmi: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, out, _ = odpe(t, "--config", cfg, "sql", "--format", "csv", eppQuery); out != "value\n2304\n" {
		t.Errorf("after revision: %q", out)
	}
	// The SDMX file of that refresh copies the lines of the families the
	// revision left alone: its structure still declares their codes.
	insee := filepath.Join(filepath.Dir(cfg), "exports", "insee", "insee")
	structure, err := os.Open(insee + ".sdmx-structure.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer structure.Close()
	data, err := os.Open(insee + ".sdmx.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	if err := sdmx.Validate(structure, data); err != nil {
		t.Errorf("insee after a PMI revision: %v", err)
	}
}

func TestPromptReadsStatements(t *testing.T) {
	cfg := refreshtest.Samples(t)
	if code, _, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	var out bytes.Buffer
	code := cli.Run(context.Background(), []string{"--config", cfg, "sql", "--format", "csv"},
		strings.NewReader("SELECT 40\n + 2 AS answer;\nSELECT 'x' AS y;\n"), &out, &out)
	if code != cli.ExitOK || !strings.Contains(out.String(), "answer\n42\n") || !strings.Contains(out.String(), "y\nx\n") {
		t.Errorf("prompt: exit %d\n%s", code, out.String())
	}
}

func TestRejectedFileIsReportedAndKeptAside(t *testing.T) {
	cfg := refreshtest.Samples(t)
	dir := filepath.Dir(cfg)
	bad := "Territoire;Année;Mois;EPP réalisés\nARR;2012;1;-3\n"
	os.WriteFile(filepath.Join(dir, "pmi_activite_2012.csv"), []byte(bad), 0o644)
	code, out, _ := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitPartial {
		t.Fatalf("exit %d, want %d (partial)\n%s", code, cli.ExitPartial, out)
	}
	if !strings.Contains(out, "pmi_activite_2012.csv") {
		t.Errorf("report does not name the file:\n%s", out)
	}
	// The good files loaded.
	if _, got, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", eppQuery); got != "value\n2204\n" {
		t.Errorf("good files: %q", got)
	}
	_, status, _ := odpe(t, "--config", cfg, "status")
	if !strings.Contains(status, "pmi_activite_2012.csv") {
		t.Errorf("status does not show the rejected file:\n%s", status)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "data", "rejected", "*-pmi_activite_2012.csv"))
	if len(kept) != 1 {
		t.Fatalf("rejected file not kept aside: %v", kept)
	}
	if st, err := os.Stat(kept[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("copy of a rejected file: mode %v, %v; want 0600 (it may hold names)", st.Mode().Perm(), err)
	}
}

func TestBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "src"), 0o755)
	base := "departement: \"62\"\nwarehouse: w.duckdb\njobs:\n  pmi:\n    kind: pmi\n    source: src\n"
	for _, c := range []struct {
		name, config string
		want         []string
	}{
		{"unknown key", base + "colour: blue\n", []string{"line 7", "colour"}},
		{"unknown job key", base + "    sauce: x\n", []string{"line 7", "sauce"}},
		{"missing folder", strings.Replace(base, "source: src", "source: nowhere", 1), []string{":6:", "jobs.pmi.source", "does not exist"}},
		{"bad cron spec", base + "    schedule: \"61 * * * *\"\n", []string{":7:", "jobs.pmi.schedule", "61 * * * *"}},
		{"unknown kind", strings.Replace(base, "kind: pmi", "kind: pmx", 1), []string{":5:", "unknown kind \"pmx\""}},
		{"bad département", strings.Replace(base, `"62"`, `"6"`, 1), []string{":1:", "departement"}},
		{"missing warehouse", strings.Replace(base, "warehouse: w.duckdb\n", "", 1), []string{"warehouse: is required"}},
		{"bad job option", base + "    options: {activity_map: {}}\n", []string{"jobs.pmi.kind", "options"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			os.WriteFile(path, []byte(c.config), 0o644)
			code, _, errOut := odpe(t, "--config", path, "status")
			if code != cli.ExitError {
				t.Errorf("exit %d, want %d", code, cli.ExitError)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("error lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestShippedConfigurationIsValid(t *testing.T) {
	// configs/odpe.yaml points at ./odpe-demo: make its folders exist.
	root := t.TempDir()
	demoCfg := filepath.Join(root, "odpe.yaml")
	if err := os.WriteFile(demoCfg, []byte(strings.ReplaceAll(string(mustRead(t, filepath.Join(refreshtest.Root(), "configs", "odpe.yaml"))), "../odpe-demo/", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"sources/rapports", "sources/traject", "sources/pmi", "sources/ase", "sources/adoption",
		"sources/insee/population", "sources/insee/population_territoires", "sources/insee/naissances",
		"sources/crip", "sources/assistants_familiaux", "sources/etablissements"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "sources", "territoires.csv"), nil, 0o644)
	code, _, errOut := odpe(t, "--config", demoCfg, "indicators")
	if code != cli.ExitOK {
		t.Fatalf("shipped configuration: %s", errOut)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
