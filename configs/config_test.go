package configs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/indicators"
)

// parseProfile parses a configuration whose only export profile is named
// p and has the given settings (YAML lines, indented by four spaces).
func parseProfile(t *testing.T, settings string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ase"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := `departement: "62"
warehouse: data/odpe.duckdb
jobs:
  ase:
    kind: ase
    source: ase
exports:
  p:
` + settings
	return Parse(filepath.Join(dir, "odpe.yaml"), []byte(text), Validators{})
}

func TestExportBreakdowns(t *testing.T) {
	all := append([]string{"territory"}, indicators.Dimensions...)
	tests := []struct {
		name     string
		settings string
		want     []string // Breakdowns after Parse
		wantXLSX []string // XLSXBreakdowns after Parse
		errs     []string // each in the error, which names the key and its line
	}{
		{
			name:     "absent: every breakdown",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n",
			want:     all, wantXLSX: all,
		},
		{
			name:     "some, workbook the same",
			settings: "    audience: external\n    formats: [xlsx]\n    breakdowns: [sex, age_band]\n",
			want:     []string{"sex", "age_band"}, wantXLSX: []string{"sex", "age_band"},
		},
		{
			name:     "empty: département totals only",
			settings: "    audience: external\n    formats: [sdmx]\n    breakdowns: []\n",
			want:     []string{}, wantXLSX: []string{},
		},
		{
			name:     "narrower workbook",
			settings: "    audience: internal\n    formats: [parquet, xlsx, feather]\n    xlsx_breakdowns: [sex, age_band, mode]\n",
			want:     all, wantXLSX: []string{"sex", "age_band", "mode"},
		},
		{
			name:     "narrower workbook of a narrower profile",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n    breakdowns: [territory, sex]\n    xlsx_breakdowns: [sex]\n",
			want:     []string{"territory", "sex"}, wantXLSX: []string{"sex"},
		},
		{
			name:     "unknown breakdown",
			settings: "    audience: internal\n    formats: [xlsx]\n    breakdowns: [sex, gender]\n",
			errs:     []string{`:11: exports.p.breakdowns: unknown breakdown "gender": expected one of territory, service, category, public, sex, age_band, mode, event`},
		},
		{
			name:     "breakdown twice",
			settings: "    audience: internal\n    formats: [xlsx]\n    breakdowns: [sex, sex]\n",
			errs:     []string{`:11: exports.p.breakdowns: breakdown "sex" is listed twice`},
		},
		{
			name:     "unknown workbook breakdown",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n    xlsx_breakdowns: [territoire]\n",
			errs:     []string{`:11: exports.p.xlsx_breakdowns: unknown breakdown "territoire": expected one of the profile's breakdowns (territory, service, category, public, sex, age_band, mode, event)`},
		},
		{
			name:     "workbook breakdown the profile does not carry",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n    breakdowns: [sex, mode]\n    xlsx_breakdowns: [sex, territory]\n",
			errs:     []string{`:12: exports.p.xlsx_breakdowns: breakdown "territory" is not carried by the profile: expected one of the profile's breakdowns (sex, mode)`},
		},
		{
			name:     "workbook breakdown of a profile that carries none",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n    breakdowns: []\n    xlsx_breakdowns: [sex]\n",
			errs:     []string{`exports.p.xlsx_breakdowns: breakdown "sex" is not carried by the profile: the profile's breakdowns are empty`},
		},
		{
			name:     "workbook breakdowns without a workbook",
			settings: "    audience: internal\n    formats: [parquet]\n    xlsx_breakdowns: [sex]\n",
			errs:     []string{`:11: exports.p.xlsx_breakdowns: the profile has no xlsx format (formats: parquet)`},
		},
		{
			name:     "narrower workbook and no other format",
			settings: "    audience: external\n    formats: [xlsx]\n    breakdowns: [territory, sex, age_band]\n    xlsx_breakdowns: [sex]\n",
			errs:     []string{`:12: exports.p.xlsx_breakdowns: leaves territory, age_band out of the workbook, but the profile has no other format to carry them: narrow breakdowns instead`},
		},
		{
			name:     "every error at once",
			settings: "    audience: internal\n    formats: [parquet, xlsx]\n    breakdowns: [sexe]\n    xlsx_breakdowns: [age]\n",
			errs: []string{
				`exports.p.breakdowns: unknown breakdown "sexe"`,
				`exports.p.xlsx_breakdowns: unknown breakdown "age"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseProfile(t, tt.settings)
			if len(tt.errs) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tt.errs)
				}
				for _, want := range tt.errs {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error\n %v\nwant it to contain\n %s", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, ok := cfg.Export("p")
			if !ok {
				t.Fatal("no profile p")
			}
			if !slices.Equal(p.Breakdowns, tt.want) || (p.Breakdowns == nil) != (tt.want == nil) {
				t.Errorf("Breakdowns = %#v, want %#v", p.Breakdowns, tt.want)
			}
			if !slices.Equal(p.XLSXBreakdowns, tt.wantXLSX) || (p.XLSXBreakdowns == nil) != (tt.wantXLSX == nil) {
				t.Errorf("XLSXBreakdowns = %#v, want %#v", p.XLSXBreakdowns, tt.wantXLSX)
			}
		})
	}
}

// TestShippedBreakdowns: the shipped profiles as the issue wants them: the
// ODAS study compares départements, the DREES series is by département,
// the others carry every breakdown.
func TestShippedBreakdowns(t *testing.T) {
	dir := t.TempDir()
	text, err := DemoConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	mkSources(t, dir, string(text))
	cfg, err := Parse(filepath.Join(dir, "odpe.yaml"), text, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"territory"}, indicators.Dimensions...)
	for _, p := range cfg.Exports {
		want := all
		switch p.Name {
		case "odas":
			want = []string{"sex", "age_band", "mode", "category", "public", "event"}
		case "drees":
			want = []string{"category", "sex", "age_band", "mode"}
		case "onpe":
			want = []string{"category", "event"}
		}
		if !slices.Equal(p.Breakdowns, want) || !slices.Equal(p.XLSXBreakdowns, want) {
			t.Errorf("%s: breakdowns %q, xlsx_breakdowns %q, want %q", p.Name, p.Breakdowns, p.XLSXBreakdowns, want)
		}
	}
}

// TestDemoWorkbookBreakdowns: the option a national demo uses narrows the
// observatoire workbook, with its comment, and nothing else.
func TestDemoWorkbookBreakdowns(t *testing.T) {
	narrow := []string{"sex", "age_band", "mode", "category", "public", "event"}
	text, err := DemoConfig(map[string]JobSource{"ase": {Source: "sources/ase"}},
		WorkbookBreakdowns("observatoire", narrow, "first line\nsecond line"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "# first line\n        # second line\n        xlsx_breakdowns: [sex, age_band, mode, category, public, event]\n") {
		t.Errorf("no commented xlsx_breakdowns in\n%s", text)
	}
	dir := t.TempDir()
	mkSources(t, dir, string(text))
	cfg, err := Parse(filepath.Join(dir, "odpe.yaml"), text, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Exports {
		narrower := !slices.Equal(p.XLSXBreakdowns, p.Breakdowns)
		if narrower != (p.Name == "observatoire") {
			t.Errorf("%s: xlsx_breakdowns %q, breakdowns %q", p.Name, p.XLSXBreakdowns, p.Breakdowns)
		}
	}
	if p, _ := cfg.Export("observatoire"); !slices.Equal(p.XLSXBreakdowns, narrow) {
		t.Errorf("observatoire: xlsx_breakdowns %q, want %q", p.XLSXBreakdowns, narrow)
	}
	if _, err := DemoConfig(nil, WorkbookBreakdowns("nobody", narrow, "")); err == nil {
		t.Error("no error for a profile that does not exist")
	}
}

// mkSources creates the source folders the jobs of a configuration name,
// and its territory mapping.
func mkSources(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sources", "territoires.csv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text, "\n") {
		if src, ok := strings.CutPrefix(strings.TrimSpace(line), "source: "); ok {
			src = strings.Trim(strings.Fields(src)[0], `"`)
			if err := os.MkdirAll(filepath.Join(dir, src), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReadersGroupAndRetention(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ase"), 0o755); err != nil {
		t.Fatal(err)
	}
	base := "departement: \"62\"\nwarehouse: data/odpe.duckdb\njobs:\n  ase:\n    kind: ase\n    source: ase\n"
	c, err := Parse(filepath.Join(dir, "odpe.yaml"), []byte(base), Validators{})
	if err != nil || c.RejectedRetention != 30*24*time.Hour || c.ReadersGroup != "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = Parse(filepath.Join(dir, "odpe.yaml"), []byte(base+"rejected_retention: 7d\nreaders_group: \"0\"\n"), Validators{})
	if err != nil || c.RejectedRetention != 7*24*time.Hour || c.ReadersGroup != "0" {
		t.Fatalf("set: %+v %v", c, err)
	}
	_, err = Parse(filepath.Join(dir, "odpe.yaml"), []byte(base+"rejected_retention: soon\nreaders_group: no-such-group-odpe\n"), Validators{})
	if err == nil || !strings.Contains(err.Error(), "rejected_retention") || !strings.Contains(err.Error(), `no group "no-such-group-odpe"`) {
		t.Fatalf("bad values: %v", err)
	}
}

// TestExportFormats: a profile names formats among Validators.Formats
// (the registered ones: see pipelines/export/all's tests), unchecked when
// none are given.
func TestExportFormats(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ase"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := []byte("departement: \"62\"\nwarehouse: data/odpe.duckdb\njobs:\n  ase:\n    kind: ase\n    source: ase\nexports:\n  p:\n    audience: internal\n    formats: [parquet, csv]\n")
	_, err := Parse(filepath.Join(dir, "odpe.yaml"), text, Validators{Formats: []string{"parquet", "xlsx"}})
	if err == nil || !strings.Contains(err.Error(), `exports.p.formats: unknown format "csv": expected one of parquet, xlsx`) {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := Parse(filepath.Join(dir, "odpe.yaml"), text, Validators{}); err != nil {
		t.Errorf("formats unchecked: %v", err)
	}
}
