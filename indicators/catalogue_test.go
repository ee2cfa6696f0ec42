package indicators

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodYAML = `id: x_count
label: Un compte
family: test
definition: Un compte pour les tests.
unit: count
numerator: des lignes
breakdowns: [sex]
reference_date: année N
sources: [core.t]
checks:
  - non_negative: true
  - additive: sex
`

func TestBuiltinCatalogueIsValid(t *testing.T) {
	cat, err := Load(Builtin())
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]int{}
	for _, d := range cat.List {
		families[d.Family]++
	}
	for _, f := range []string{"prevention", "pmi", "ase", "adoption"} {
		if families[f] == 0 {
			t.Errorf("no %s indicator", f)
		}
	}
	for _, id := range []string{"prev_hours_share", "pmi_epp_rate", "pmi_bilan_coverage", "ase_children_followed",
		"ase_minors_rate", "ase_accueil_rate", "ase_foster_family_share", "adoption_placements", "adoption_pupilles_rate"} {
		if _, ok := cat.Get(id); !ok {
			t.Errorf("indicator %s missing", id)
		}
	}
	if d, _ := cat.Get("adoption_placements"); d.Target == nil || d.Target.Value != 25 {
		t.Errorf("adoption_placements target: %+v", d.Target)
	}
}

func TestDeclarationErrorsNameTheFile(t *testing.T) {
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"missing unit", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(strings.Replace(goodYAML, "unit: count\n", "", 1))},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", "unit: required"}},
		{"unknown unit", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(strings.Replace(goodYAML, "unit: count", "unit: dozens", 1))},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", `unit "dozens"`}},
		{"unknown breakdown", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(strings.Replace(goodYAML, "[sex]", "[colour]", 1))},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", `breakdown "colour"`}},
		{"unknown key", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(goodYAML + "colour: blue\n")},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", "colour"}},
		{"no query", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(goodYAML)},
		}, []string{"f/x_count.yaml", "f/x_count.sql"}},
		{"id and file differ", fstest.MapFS{
			"f/other.yaml": {Data: []byte(goodYAML)},
			"f/other.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/other.yaml", "must match the file name"}},
		{"check on a breakdown it lacks", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(strings.Replace(goodYAML, "additive: sex", "additive: mode", 1))},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", `check additive "mode"`}},
		{"share without denominator", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(strings.Replace(goodYAML, "unit: count", `unit: "%"`, 1))},
			"f/x_count.sql":  {Data: []byte("SELECT 1")},
		}, []string{"f/x_count.yaml", "denominator: required"}},
		{"query reads a table sources does not list", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(goodYAML)},
			"f/x_count.sql":  {Data: []byte("SELECT * FROM core.t JOIN core.births USING (dep) -- not core.pmi_monthly")},
		}, []string{"f/x_count.yaml", "query reads core.births, which sources does not list"}},
		{"macro over a table sources does not list", fstest.MapFS{
			"f/x_count.yaml": {Data: []byte(goodYAML)},
			"f/x_count.sql":  {Data: []byte("SELECT * FROM core.t, core.population_aged(0, 17)")},
		}, []string{"f/x_count.yaml", "query reads core.population_aged"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.files)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDuplicateIDAcrossFolders(t *testing.T) {
	a := fstest.MapFS{"f/x_count.yaml": {Data: []byte(goodYAML)}, "f/x_count.sql": {Data: []byte("SELECT 1")}}
	b := fstest.MapFS{"g/x_count.yaml": {Data: []byte(goodYAML)}, "g/x_count.sql": {Data: []byte("SELECT 1")}}
	_, err := Load(a, b)
	if err == nil || !strings.Contains(err.Error(), "g/x_count.yaml") || !strings.Contains(err.Error(), "already declared in f/x_count.yaml") {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestHashChangesWithTheQuery(t *testing.T) {
	a, _ := Load(fstest.MapFS{"f/x_count.yaml": {Data: []byte(goodYAML)}, "f/x_count.sql": {Data: []byte("SELECT 1")}})
	b, _ := Load(fstest.MapFS{"f/x_count.yaml": {Data: []byte(goodYAML)}, "f/x_count.sql": {Data: []byte("SELECT 2")}})
	if a.Hash() == b.Hash() {
		t.Error("catalogue hash ignores the query")
	}
}
