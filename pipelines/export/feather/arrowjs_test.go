package feather

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readJS reads Arrow IPC files with Arrow JS (the apache-arrow package of
// npm, which has no codec for compressed buffers) and prints, per file,
// its columns, its rows and its odpe:sources metadata.
const readJS = `
const { tableFromIPC } = require('apache-arrow');
const fs = require('fs');
const out = {};
for (const f of process.argv.slice(1)) {
  const t = tableFromIPC(fs.readFileSync(f));
  out[f] = {
    columns: t.schema.fields.map(x => x.name),
    rows: t.toArray().map(r => r.toJSON()),
    sources: t.schema.metadata.get('odpe:sources'),
  };
}
console.log(JSON.stringify(out));
`

// TestArrowJSReads: Arrow JS, a reader without codecs, opens every file
// and reads its columns, values, labels and sources in words. It needs
// node and the apache-arrow package: ODPE_ARROW_JS names a node_modules
// folder that holds it (.ci/run installs it there), else node's own
// search paths; the test is skipped when neither has it.
func TestArrowJSReads(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: Arrow JS cannot be tried")
	}
	env := os.Environ()
	if dir := os.Getenv("ODPE_ARROW_JS"); dir != "" {
		env = append(env, "NODE_PATH="+dir)
	}
	probe := exec.Command(node, "-e", "require.resolve('apache-arrow')")
	probe.Env = env
	if err := probe.Run(); err != nil {
		t.Skip("the apache-arrow package of npm is not installed (set ODPE_ARROW_JS to a node_modules folder that has it)")
	}

	ds := fixture()
	dir := t.TempDir()
	if err := WriteFamilies(dir, ds); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ase.arrow")
	cmd := exec.Command(node, "-e", readJS, path)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("Arrow JS cannot read %s: %v\n%s", path, err, stderr)
	}
	var got map[string]struct {
		Columns []string
		Rows    []map[string]any
		Sources string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("Arrow JS's output %q: %v", out, err)
	}
	f := got[path]
	want := []string{"indicator", "label", "dep", "period", "territory", "territory_label", "sex", "age_band",
		"numerator", "denominator", "value", "unit", "status", "previous_value", "evolution", "evolution_unit", "conf"}
	if !slices.Equal(f.Columns, want) {
		t.Errorf("Arrow JS reads the columns %q, want %q", f.Columns, want)
	}
	if len(f.Rows) != len(ds.Rows) {
		t.Fatalf("Arrow JS reads %d rows, want %d", len(f.Rows), len(ds.Rows))
	}
	first := f.Rows[0]
	for k, v := range map[string]any{
		"indicator": "ase_mineurs_confies", "label": "Mineurs confiés à l'ASE", "period": 2023.0,
		"territory_label": "Ensemble du département", "value": 2143.0, "previous_value": 2100.0, "evolution_unit": "%",
	} {
		if first[k] != v {
			t.Errorf("Arrow JS reads %s = %v in the first row, want %v", k, first[k], v)
		}
	}
	if last := f.Rows[2]; last["territory_label"] != "Lens-Liévin" || last["evolution_unit"] != "points" || last["previous_value"] != nil {
		t.Errorf("Arrow JS reads the third row %v", last)
	}
	if !strings.Contains(f.Sources, "extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024") {
		t.Errorf("Arrow JS reads odpe:sources = %q", f.Sources)
	}
}
