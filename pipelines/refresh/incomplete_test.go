package refresh_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// TestIncompleteTotalHasNoEvolution (issue 22, point 6): a second service
// logged its 2021 activity in TRAJECT and nothing in 2022. The 2022 total
// over services lacks an expected contributor: it is incomplete, and no
// evolution is computed against 2021, neither in the warehouse nor in the
// exported files; the service that did report keeps its evolution.
func TestIncompleteTotalHasNoEvolution(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	data, err := os.ReadFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022.csv"))
	if err != nil {
		t.Fatal(err)
	}
	other := strings.ReplaceAll(strings.ReplaceAll(string(data), "/2022;", "/2021;"), ";SPS-62-07;", ";SPS-62-99;")
	os.WriteFile(filepath.Join(dir, "traject_planning_SPS-62-99_2021.csv"), []byte(other), 0o644)

	cfg, _ := refreshAt(t, path, refresh.Options{})
	export := cli.Exporter(&profile.Writer{Config: cfg}, nil)
	if _, err := refresh.Run(context.Background(), cfg, refresh.Options{Export: export, Force: true}); err != nil {
		t.Fatal(err)
	}
	row := `SELECT status || ' ' || coalesce(round(evolution, 1)::VARCHAR, 'no evolution') FROM indicator_values
		WHERE indicator = ? AND period = 2022 AND service = ? AND category = 'Ensemble'`
	for _, c := range []struct{ indicator, service, want string }{
		{"prev_hours", "Ensemble", "incomplete no evolution"},
		{"prev_hours", "SPS-62-07", "final -88.3"},
	} {
		if got := text(t, cfg, row, c.indicator, c.service); got != c.want {
			t.Errorf("%s 2022, service %s: %q, want %q", c.indicator, c.service, got, c.want)
		}
	}
	if got := text(t, cfg, `SELECT string_agg(status, ',' ORDER BY category) FROM indicator_values
		WHERE indicator = 'prev_hours_share' AND period = 2022 AND service = 'Ensemble'`); strings.Contains(got, "final") {
		t.Errorf("prev_hours_share 2022 over services: %s, want incomplete", got)
	}
	if n := figure(t, cfg, `SELECT count(*) FROM indicator_values WHERE indicator = 'prev_hours' AND period = 2021
		AND service = 'Ensemble' AND status = 'final'`); n == 0 {
		t.Error("the 2021 total, every expected service there, is not final")
	}

	// The exported files say the same.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status string
	var evolution sql.NullFloat64
	parquet := filepath.Join(cfg.ExportsDir, "observatoire", "parquet", "prevention.parquet")
	if err := db.QueryRow(`SELECT status, evolution FROM read_parquet(?) WHERE indicator = 'prev_hours' AND period = 2022
		AND service = 'Ensemble' AND category = 'Ensemble'`, parquet).Scan(&status, &evolution); err != nil {
		t.Fatal(err)
	}
	if status != "incomplete" || evolution.Valid {
		t.Errorf("Parquet: prev_hours 2022 over services: %s, evolution %v; want incomplete, none", status, evolution)
	}
}

// TestMissingTerritoryMakesTotalIncomplete: a PMI territory of the
// mapping that sent nothing for a year leaves the département's total of
// that year incomplete, though every territory that did report sent its
// twelve months.
func TestMissingTerritoryMakesTotalIncomplete(t *testing.T) {
	path := refreshtest.Samples(t)
	pmi := filepath.Join(filepath.Dir(path), "pmi_activite_2011.csv")
	data, err := os.ReadFile(pmi)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, "BOU;") {
			kept = append(kept, l)
		}
	}
	os.WriteFile(pmi, []byte(strings.Join(kept, "")), 0o644)
	cfg, _ := refreshAt(t, path, refresh.Options{})
	for _, c := range []struct{ indicator, territory, want string }{
		{"pmi_epp", "Ensemble", "incomplete"},
		{"pmi_epp", "ARR", "final"},
		{"pmi_bilan_coverage", "Ensemble", "incomplete"},
		{"pmi_epp_followed_share", "Ensemble", "incomplete"},
	} {
		got := text(t, cfg, `SELECT status FROM indicator_values WHERE indicator = ? AND period = 2011 AND territory = ?`, c.indicator, c.territory)
		if got != c.want {
			t.Errorf("%s 2011, %s: %q, want %q", c.indicator, c.territory, got, c.want)
		}
	}
}

// TestDemoPartialYearIsIncomplete is the case of the issue: in the demo,
// 2 of the 7 services have reported 2025 (3,016 h against 55,138 h in
// 2024): the 2025 total is incomplete, with no evolution.
func TestDemoPartialYearIsIncomplete(t *testing.T) {
	path, err := demo.Write(context.Background(), t.TempDir(), demo.Scales["small"], 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := refreshAt(t, path, refresh.Options{})
	got := text(t, cfg, `SELECT status || ', ' || coalesce(round(evolution, 1)::VARCHAR, 'no evolution') || ', '
		|| (SELECT services_expected - services_missing || ' of ' || services_expected FROM core.activity_completeness
		    WHERE year = 2025 AND basis = 'hours')
		FROM indicator_values WHERE indicator = 'prev_hours' AND period = 2025 AND service = 'Ensemble' AND category = 'Ensemble'`)
	if got != "incomplete, no evolution, 2 of 7" {
		t.Errorf("prev_hours 2025: %q, want \"incomplete, no evolution, 2 of 7\"", got)
	}
	if got := text(t, cfg, `SELECT status FROM indicator_values WHERE indicator = 'prev_hours' AND period = 2024
		AND service = 'Ensemble' AND category = 'Ensemble'`); got != "final" {
		t.Errorf("prev_hours 2024: %q, want final", got)
	}
}
