package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const testSeed = 20251121

// smallTree generates the small scale once for the whole test binary.
var smallTree = sync.OnceValues(func() (*Tree, error) {
	dir, err := os.MkdirTemp("", "odpe-demo-small-")
	if err != nil {
		return nil, err
	}
	return Generate(context.Background(), dir, Scales["small"], testSeed)
})

func TestMain(m *testing.M) {
	code := m.Run()
	if tree, err := smallTree(); err == nil {
		os.RemoveAll(tree.Dir)
	}
	os.Exit(code)
}

func small(t *testing.T) *Tree {
	t.Helper()
	tree, err := smallTree()
	if err != nil {
		t.Fatalf("generate small: %v", err)
	}
	return tree
}

// rel returns the tree's files of a job relative to the tree.
func rel(t *testing.T, tree *Tree, job string) []string {
	t.Helper()
	var out []string
	for _, p := range tree.Files[job] {
		r, err := filepath.Rel(tree.Dir, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func TestSmallTreeFiles(t *testing.T) {
	tree := small(t)
	reports := []string{}
	for y := 2019; y <= 2024; y++ {
		reports = append(reports, fmt.Sprintf("sources/rapports/rapport_activite_SPS-62-07_%d.xlsx", y))
	}
	tests := []struct {
		job       string
		count     int
		mustHave  []string
		minRows   int64
		maxRows   int64
		extension string
	}{
		{JobReports, 7 * 6, reports, 7 * 6 * 17, 7 * 6 * 18, ".xlsx"},
		{JobTraject, 4, []string{"sources/traject/traject_planning_SPS-62-07_2024.csv", "sources/traject/traject_planning_SPS-62-07_2025.csv"}, 1000, 20000, ".csv"},
		{JobPMI, 8, []string{"sources/pmi/pmi_activite_2020.xlsx", "sources/pmi/pmi_activite_2023_rectificatif.csv", "sources/pmi/pmi_activite_2025.csv"}, 6*9*12 - 1 + 9*10 + 3*9, 6*9*12 - 1 + 9*10 + 3*9, ""},
		{JobASE, 1, []string{"sources/ase/62/ase_mesures_20251121.csv"}, 400, 2000, ".csv"},
		{JobAdoption, 0, nil, 10, 200, ".csv"},
		{JobPopulation, 1, []string{"sources/insee/population/DS_ESTIMATION_POPULATION_DEP-62.csv"}, 7 * 66, 7 * 66, ".csv"},
		{JobPopulationTerritories, 1, []string{"sources/insee/population_territoires/population_territoires_62.csv"}, 7 * 66 * 9, 7 * 66 * 9, ".csv"},
		{JobBirths, 7, []string{"sources/insee/naissances/naissances_2019.csv", "sources/insee/naissances/naissances_2025.csv"}, 7 * 40000, 7 * 70000, ".csv"},
		{JobCRIP, 1, []string{"sources/crip/crip_ip_20251121.csv"}, 100, 400, ".csv"},
		{JobFosterCarers, 1, []string{"sources/assistants_familiaux/assistants_familiaux_20251121.csv"}, 18, 18, ".csv"},
		{JobEstablishments, 3, []string{"sources/etablissements/etablissements_2023.csv", "sources/etablissements/etablissements_2025.csv"}, 3 * 7, 3 * 8, ".csv"},
	}
	for _, tt := range tests {
		t.Run(tt.job, func(t *testing.T) {
			files := rel(t, tree, tt.job)
			if len(files) == 0 || (tt.count > 0 && len(files) != tt.count) {
				t.Errorf("%d files, want %d: %v", len(files), tt.count, files)
			}
			for _, f := range tt.mustHave {
				if !slices.Contains(files, f) {
					t.Errorf("missing %s among %v", f, files)
				}
			}
			for _, f := range files {
				if tt.extension != "" && filepath.Ext(f) != tt.extension {
					t.Errorf("%s: want extension %s", f, tt.extension)
				}
			}
			if n := tree.Rows[tt.job]; n < tt.minRows || n > tt.maxRows {
				t.Errorf("%d rows, want %d to %d", n, tt.minRows, tt.maxRows)
			}
		})
	}
	if got := tree.Rows[Territories]; got != 21 {
		t.Errorf("territory mapping: %d communes, want 21", got)
	}
	if got, want := tree.Territories, filepath.Join(tree.Dir, "sources", "territoires.csv"); got != want {
		t.Errorf("Territories = %s, want %s", got, want)
	}
}

func TestSmallJobs(t *testing.T) {
	want := []Job{
		{JobAdoption, "adoption", "sources/adoption", "62"},
		{JobASE, "ase", "sources/ase/62", "62"},
		{JobFosterCarers, "foster_carers", "sources/assistants_familiaux", "62"},
		{JobCRIP, "crip", "sources/crip", "62"},
		{JobEstablishments, "establishments", "sources/etablissements", "62"},
		{JobBirths, "insee_births", "sources/insee/naissances", ""},
		{JobPMI, "pmi", "sources/pmi", "62"},
		{JobPopulation, "insee_population", "sources/insee/population", ""},
		{JobPopulationTerritories, "insee_population", "sources/insee/population_territoires", "62"},
		{JobReports, "activity_report", "sources/rapports", "62"},
		{JobTraject, "traject", "sources/traject", "62"},
	}
	tree := small(t)
	if !slices.Equal(tree.Jobs, want) {
		t.Errorf("Jobs = %+v\nwant %+v", tree.Jobs, want)
	}
	for _, j := range tree.Jobs {
		for _, p := range tree.Files[j.Name] {
			if !strings.HasPrefix(p, filepath.Join(tree.Dir, j.Source)+string(filepath.Separator)) {
				t.Errorf("job %s: %s is not under %s", j.Name, p, j.Source)
			}
		}
	}
}

// TestEncodings checks each family's header bytes, encoding and line ends.
func TestEncodings(t *testing.T) {
	tree := small(t)
	tests := []struct {
		file   string
		header string // as read, decoded
		cp1252 bool
		bom    bool
		crlf   bool
	}{
		{"sources/territoires.csv", "code_commune;libelle_commune;code_territoire;libelle_territoire", false, false, false},
		{"sources/traject/traject_planning_SPS-62-07_2025.csv", "Date;Code service;Intervenant;Activité;Durée;Commune", true, false, true},
		{"sources/pmi/pmi_activite_2019.csv", strings.Join(pmiHeader, ";"), false, true, false},
		{"sources/pmi/pmi_activite_2023_rectificatif.csv", strings.Join(pmiHeader, ";"), false, true, false},
		{"sources/ase/62/ase_mesures_20251121.csv", "N° individu;Nom;Prénom;Date de naissance;Sexe;Commune de résidence;Territoire;N° mesure;Nature de la mesure;Cadre;Mode d'accueil;Date de début;Date de fin;Motif de fin;Commune du lieu d'accueil;N° FINESS du lieu d'accueil", true, false, true},
		{"sources/crip/crip_ip_20251121.csv", "N° IP;N° individu;Nom;Prénom;Date de naissance;Sexe;Commune de résidence;Territoire;Date de réception;Origine;Danger principal;Date de fin d'évaluation;Suite donnée;Date de transmission au parquet", true, false, true},
		{"sources/assistants_familiaux/assistants_familiaux_20251121.csv", "Matricule;Nom;Prénom;Date de naissance;Commune de résidence;Territoire;Date d'agrément;Places agréées;Date d'embauche;Date de fin de contrat;Motif de fin", true, false, true},
		{"sources/etablissements/etablissements_2025.csv", "N° FINESS;Raison sociale;Catégorie;Commune;Territoire;Places habilitées ASE;Date d'ouverture;Date de fermeture", false, true, false},
		{"sources/adoption/adoption_evenements_2024.csv", "N° individu;Date;Événement;Juridiction", false, false, false},
		{"sources/insee/population/DS_ESTIMATION_POPULATION_DEP-62.csv", "GEO;GEO_OBJECT;EP_MEASURE;FREQ;SEX;AGE;TIME_PERIOD;UNIT_MEASURE;OBS_STATUS;OBS_VALUE", false, false, false},
		{"sources/insee/population_territoires/population_territoires_62.csv", "GEO;GEO_OBJECT;EP_MEASURE;FREQ;SEX;AGE;TIME_PERIOD;UNIT_MEASURE;OBS_STATUS;OBS_VALUE", false, false, false},
		{"sources/insee/naissances/naissances_2022.csv", "AGEMERE;AGEXACTM;ANAIS;DEPDOMM;DEPNAIS;GAGEXAPOM;GAGPOM;INDLNM;INDNATM;MNAIS;NBENF;REGDOMM;REGNAIS;SEXE", false, false, false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(tree.Dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.HasPrefix(raw, []byte(bom)); got != tt.bom {
				t.Errorf("BOM present = %v, want %v", got, tt.bom)
			}
			if tt.cp1252 && utf8.Valid(raw) {
				t.Errorf("valid UTF-8: want Windows-1252 with accents")
			}
			if !tt.cp1252 && !utf8.Valid(raw) {
				t.Errorf("not valid UTF-8")
			}
			text := string(raw)
			if tt.cp1252 {
				text, err = charmap.Windows1252.NewDecoder().String(text)
				if err != nil {
					t.Fatal(err)
				}
			}
			eol := "\n"
			if tt.crlf {
				eol = "\r\n"
			}
			lines := strings.SplitAfter(strings.TrimPrefix(text, bom), eol)
			if got := strings.TrimSuffix(lines[0], eol); got != tt.header {
				t.Errorf("header\n got %q\nwant %q", got, tt.header)
			}
			if n := strings.Count(text, "\n"); n != strings.Count(text, eol) {
				t.Errorf("mixed line endings: %d LF, %d %q", n, strings.Count(text, eol), eol)
			}
			if !tt.crlf && strings.Contains(text, "\r") {
				t.Errorf("CR found in an LF file")
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the small tree twice")
	}
	first := hashTree(t, small(t).Dir)
	tree, err := Generate(context.Background(), t.TempDir(), Scales["small"], testSeed)
	if err != nil {
		t.Fatal(err)
	}
	if again := hashTree(t, tree.Dir); !slices.Equal(first, again) {
		t.Errorf("same seed, different trees:\n%s", diffLines(first, again))
	}
	other, err := Generate(context.Background(), t.TempDir(), Scales["small"], testSeed+1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(first, hashTree(t, other.Dir)) {
		t.Errorf("another seed gave the same tree")
	}
}

// TestGolden pins the small tree: one line per file with its size and
// digest (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	got := strings.Join(hashTree(t, small(t).Dir), "\n") + "\n"
	golden := filepath.Join("testdata", "small.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("small tree differs from %s:\n%s", golden,
			diffLines(strings.Split(string(want), "\n"), strings.Split(got, "\n")))
	}
}

// hashTree lists "path size sha256" for every file under dir, sorted.
func hashTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(raw)
		out = append(out, fmt.Sprintf("%s %d %s", filepath.ToSlash(r), len(raw), hex.EncodeToString(sum[:8])))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func diffLines(a, b []string) string {
	var sb strings.Builder
	for _, l := range a {
		if !slices.Contains(b, l) {
			fmt.Fprintf(&sb, "- %s\n", l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			fmt.Fprintf(&sb, "+ %s\n", l)
		}
	}
	return sb.String()
}

func TestGenerateErrors(t *testing.T) {
	base := Scales["small"]
	tests := []struct {
		name   string
		modify func(*Scale)
		want   string
	}{
		{"no département", func(s *Scale) { s.Departements = nil }, "no département"},
		{"unknown département", func(s *Scale) { s.Departements = []string{"20"} }, `"20" is not a département COG code`},
		{"twice", func(s *Scale) { s.Departements = []string{"62", "62"} }, "listed twice"},
		{"births", func(s *Scale) { s.BirthsDepartements = []string{"98"} }, `births: "98"`},
		{"years", func(s *Scale) { s.LastYear = s.FirstYear }, "want at least two years"},
		{"as of", func(s *Scale) { s.AsOf = s.AsOf.AddDate(1, 0, 0) }, "as-of date 2026-11-21"},
		{"children", func(s *Scale) { s.Children = 0 }, "0 children"},
		{"traject", func(s *Scale) { s.TrajectServices = 9 }, "7 services, 9 with TRAJECT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			s.Departements = slices.Clone(base.Departements)
			tt.modify(&s)
			_, err := Generate(context.Background(), t.TempDir(), s, 1)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestGenerateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, t.TempDir(), Scales["small"], 1); err == nil {
		t.Fatal("no error from a cancelled context")
	}
}

func TestMultiDepartementLayout(t *testing.T) {
	s := Scale{
		Name: "two", Departements: []string{"2A", "62"}, FirstYear: 2023, LastYear: 2025,
		AsOf: time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC), Children: 50, Services: 2, TrajectServices: 1,
		BirthsDepartements: []string{"2A", "62"},
	}
	tree, err := Generate(context.Background(), t.TempDir(), s, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range tree.Jobs {
		perDep := j.Departement == "{folder}"
		if perDep != (j.Name != JobPopulation && j.Name != JobBirths) {
			t.Errorf("job %s: département %q", j.Name, j.Departement)
		}
		if !perDep {
			continue
		}
		want := "sources/" + j.Name + "/*"
		if j.Name == JobPopulationTerritories {
			want = "sources/insee/" + j.Name + "/*"
		}
		if filepath.ToSlash(j.Source) != want {
			t.Errorf("job %s: source %s, want %s", j.Name, j.Source, want)
		}
		deps := map[string]bool{}
		for _, f := range rel(t, tree, j.Name) {
			parts := strings.Split(f, "/")
			deps[parts[len(parts)-2]] = true
		}
		if j.Name != JobAdoption && (len(deps) != 2 || !deps["2A"] || !deps["62"]) {
			t.Errorf("job %s: département folders %v, want 2A and 62", j.Name, deps)
		}
	}
	labels := map[string]string{}
	for _, r := range readCSV(t, tree.Territories, false) {
		code, label := r["code_territoire"], r["libelle_territoire"]
		if i := strings.Index(code, "-T"); i > 0 && !strings.HasPrefix(r["code_commune"], code[:i]) {
			t.Errorf("commune %s in territory %s", r["code_commune"], code)
		}
		if other, ok := labels[label]; ok && other != code {
			t.Errorf("label %q names both %s and %s", label, other, code)
		}
		labels[label] = code
	}
	last := readCSV(t, filepath.Join(tree.Dir, "sources", "pmi", "2A", "pmi_activite_2025.csv"), false)
	if want := 5 * len(territoriesOf("2A", 3)); len(last) != want {
		t.Errorf("2A PMI 2025: %d rows, want %d (5 months)", len(last), want)
	}
}
