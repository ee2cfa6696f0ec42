package export

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/extract"
	schema "github.com/odpe/odpe/sql"

	_ "github.com/odpe/odpe/pipelines/all"
)

// madeFrom returns, for every raw and core table, the kinds of source
// file it is made from, as the transforms' graph says (what a refresh
// rebuilds when a kind's raw tables are reloaded).
func madeFrom(t *testing.T) map[string][]string {
	t.Helper()
	stmts, err := schema.TransformStatements()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, k := range extract.Kinds() {
		var raw []string
		for _, tb := range k.Tables {
			raw = append(raw, "raw."+tb)
		}
		_, dirty := schema.Plan(stmts, raw)
		for obj := range dirty {
			if strings.HasPrefix(obj, "core.") || strings.HasPrefix(obj, "raw.") {
				out[obj] = append(out[obj], k.Name)
			}
		}
	}
	for obj := range out {
		slices.Sort(out[obj])
	}
	return out
}

// TestTablesMadeFrom: the kinds of source files each table is said to be
// made from are those the transforms make it from, for every table; every
// kind registered has words; every table a shipped indicator declares is
// known.
func TestTablesMadeFrom(t *testing.T) {
	graph := madeFrom(t)
	for table, kinds := range graph {
		if got, ok := tableKinds[table]; !ok || !slices.Equal(got, kinds) {
			t.Errorf("tableKinds[%q] = %q, the transforms make it from %q", table, got, kinds)
		}
	}
	for table, kinds := range tableKinds {
		if _, ok := graph[table]; !ok && len(kinds) > 0 {
			t.Errorf("tableKinds[%q] = %q: no transform makes it from a source file", table, kinds)
		}
	}
	for _, k := range extract.Kinds() {
		if kindWords(k.Name).words == "" {
			t.Errorf("kind %q has no words in sourceKinds", k.Name)
		}
	}
	cat, err := indicators.Load(indicators.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range cat.List {
		for _, s := range d.Sources {
			if !KnownTable(s) {
				t.Errorf("%s: source %s has no words (tableKinds)", d.ID, s)
			}
		}
		if len(SourceWords(d.Sources)) == 0 {
			t.Errorf("%s: its sources %q say nothing in words", d.ID, d.Sources)
		}
	}
}

// TestProvenance: the words per kind of source, dated by what the files'
// names (or INSEE's rows) say, each kind once, in a fixed order; no table
// name, no path.
func TestProvenance(t *testing.T) {
	files := []Source{
		{Job: "ase", Kind: "ase", Path: "/srv/odpe/ase/ase_mesures_20250630.csv", NameKey: "20250630.0000", SHA256: strings.Repeat("a", 64)},
		{Job: "ase", Kind: "ase", Path: "/srv/odpe/ase/ase_mesures_20251121.csv", NameKey: "20251121.0000"},
		{Job: "population", Kind: "insee_population", Path: "/srv/insee/DS_ESTIMATION_POPULATION_DEP-62.csv", FirstYear: 2006, LastYear: 2025},
		{Job: "population_territoires", Kind: "insee_population", FirstYear: 2006, LastYear: 2024},
		{Job: "pmi", Kind: "pmi", NameKey: "20199999.0000"},
		{Job: "pmi", Kind: "pmi", NameKey: "20239999.0001"},
		{Job: "pmi", Kind: "pmi", NameKey: "20240399.0000"},
		{Job: "rapports", Kind: "activity_report", NameKey: "20249999.0000"},
		{Job: "rapports", Kind: "activity_report", NameKey: "20199999.0000"},
		{Job: "crip", Kind: "crip", NameKey: "20251231.0002"},
		{Job: "carers", Kind: "foster_carers", NameKey: "20251299.0000"},
		{Job: "naissances", Kind: "insee_births", FirstYear: 2006, LastYear: 2007},
		{Job: "naissances", Kind: "insee_births", FirstYear: 2024, LastYear: 2024},
	}
	for _, c := range []struct {
		name    string
		sources []string // the indicators' declared tables
		files   []Source
		want    []string
	}{
		{"ASE extract, its latest date", []string{"core.ase_situation", "core.ase_years"}, files,
			[]string{"extraction du logiciel de l'aide sociale à l'enfance (ASE) du 21/11/2025"}},
		{"a rate over INSEE's population", []string{"core.population", "core.ase_situation"}, files,
			[]string{"extraction du logiciel de l'aide sociale à l'enfance (ASE) du 21/11/2025", "INSEE, estimations de population au 1er janvier 2025"}},
		{"PMI: years, a revision, territories", []string{"core.pmi_monthly", "core.pmi_expected"}, files,
			[]string{"comptages mensuels d'activité de la PMI, 2019 à 2024, révision de 2023", "table de correspondance des communes et des territoires du département"}},
		{"activity reports, TRAJECT without files", []string{"core.activity_hours"}, files,
			[]string{"rapports d'activité des services de prévention spécialisée, 2019 à 2024", "exports de planning du logiciel TRAJECT (prévention spécialisée)"}},
		{"a snapshot's revision, a month", []string{"core.crip_ips", "core.foster_carers"}, files,
			[]string{"registre des informations préoccupantes de la cellule de recueil (CRIP) du 31/12/2025 (révision 2)", "fichier des ressources humaines des assistants familiaux de décembre 2025"}},
		{"births: the years of their rows", []string{"core.births"}, files,
			[]string{"INSEE, état civil : naissances domiciliées, 2006 à 2024"}},
		{"no file of the kind: words undated", []string{"core.adoption_events", "core.population"}, nil,
			[]string{"événements d'adoption et des pupilles de l'État, service adoption", "INSEE, estimations de population au 1er janvier"}},
		{"an unknown table says nothing", []string{"core.secret_table", "raw.whatever"}, files, nil},
		{"nomenclatures are no source", []string{"core.code_lists"}, files, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Provenance([]Indicator{{ID: "x", Sources: c.sources}}, c.files)
			if !slices.Equal(got, c.want) {
				t.Errorf("Provenance(%q)\n got %q\nwant %q", c.sources, got, c.want)
			}
			for _, w := range got {
				if leak.MatchString(w) {
					t.Errorf("%q names a server detail", w)
				}
			}
		})
	}
}

// leak finds what an external file must not say: a warehouse table, a
// path, a SHA-256.
var leak = regexp.MustCompile(`\b(core|raw|meta|ind|staging)\.[a-z_]|(^|[\s"'=(])/[a-zA-Z0-9._-]+/|\b[0-9a-f]{64}\b`)

// TestProvenanceOfAFamily: the kinds of every indicator of a family,
// each once; WithSourcesInWords gives each indicator its own.
func TestProvenanceOfAFamily(t *testing.T) {
	inds := []Indicator{
		{ID: "a", Sources: []string{"core.ase_situation"}},
		{ID: "b", Sources: []string{"core.ase_years", "core.population"}},
	}
	files := []Source{{Kind: "ase", NameKey: "20251121.0000"}, {Kind: "insee_population", LastYear: 2025}}
	want := []string{"extraction du logiciel de l'aide sociale à l'enfance (ASE) du 21/11/2025", "INSEE, estimations de population au 1er janvier 2025"}
	if got := Provenance(inds, files); !slices.Equal(got, want) {
		t.Errorf("family: %q, want %q", got, want)
	}
	in := WithSourcesInWords(inds, files)
	if !slices.Equal(in[0].Sources, want[:1]) || !slices.Equal(in[1].Sources, want) {
		t.Errorf("WithSourcesInWords: %q and %q", in[0].Sources, in[1].Sources)
	}
	if inds[0].Sources[0] != "core.ase_situation" {
		t.Error("WithSourcesInWords changed its argument")
	}
}

// TestWithoutServerDetail keeps what dates the sources and nothing that
// names the server's files.
func TestWithoutServerDetail(t *testing.T) {
	in := []Source{{Job: "ase", Kind: "ase", Path: "/srv/a.csv", SHA256: "ab", Rows: 3, NameKey: "20251121.0000", FirstYear: 1, LastYear: 2}}
	got := WithoutServerDetail(in)
	want := Source{Kind: "ase", Rows: 3, NameKey: "20251121.0000", FirstYear: 1, LastYear: 2}
	if len(got) != 1 || got[0] != want {
		t.Errorf("WithoutServerDetail = %+v, want %+v", got, want)
	}
	if ServerFiles(got) != nil || len(ServerFiles(in)) != 1 {
		t.Error("ServerFiles: want the sources with a path only")
	}
}
