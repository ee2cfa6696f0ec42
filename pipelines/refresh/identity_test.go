package refresh_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// Files are copied, touched, renamed and moved by people and transfer
// tools: what they say must not depend on it (issue 22, points 2 and 3).

// refreshAt refreshes the warehouse of the configuration at path.
func refreshAt(t *testing.T, path string, opts refresh.Options) (*configs.Config, *refresh.Report) {
	t.Helper()
	cfg, err := configs.Load(path, validators())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := refresh.Run(context.Background(), cfg, opts)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return cfg, rep
}

// figure reads one number of the current warehouse.
func figure(t *testing.T, cfg *configs.Config, q string, args ...any) float64 {
	t.Helper()
	db, err := refresh.Store(cfg).OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v sql.NullFloat64
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v.Float64
}

// text reads one string of the current warehouse.
func text(t *testing.T, cfg *configs.Config, q string, args ...any) string {
	t.Helper()
	db, err := refresh.Store(cfg).OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v sql.NullString
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v.String
}

// allValues is every indicator value of the warehouse, as one string.
const allValues = `SELECT string_agg(x, e'\n' ORDER BY x) FROM (
	SELECT concat_ws('|', indicator, dep, period, territory, service, category, public, sex,
		age_band, mode, event, round(value, 6), status, round(evolution, 6)) AS x FROM indicator_values)`

func touch(t *testing.T, path string, when time.Time) {
	t.Helper()
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

// TestExtractDateIsInItsName: an ASE extract of 30 June copied on 15
// January (its modification time) is still the extract of 30 June: the
// values at 31 December of its year are provisional.
func TestExtractDateIsInItsName(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	june := filepath.Join(dir, "ase_mesures_20260630.csv")
	if err := os.Rename(filepath.Join(dir, "ase_mesures_20261121.csv"), june); err != nil {
		t.Fatal(err)
	}
	touch(t, june, time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC))
	cfg, _ := refreshAt(t, path, refresh.Options{})
	if got := text(t, cfg, `SELECT extract_date::VARCHAR FROM core.ase_extract`); got != "2026-06-30" {
		t.Errorf("extract date %s, want 2026-06-30 (the date in the name)", got)
	}
	if got := text(t, cfg, `SELECT status FROM indicator_values WHERE indicator = 'ase_children_followed'
		AND period = 2026 AND territory = 'Ensemble' AND sex = 'Ensemble' AND age_band = 'Ensemble'`); got != "provisional" {
		t.Errorf("2026 from a June extract is %q, want provisional", got)
	}
	before := text(t, cfg, allValues)

	// Touching every file, or setting its time back, moves no figure,
	// even with --force.
	for i, name := range []string{"ase_mesures_20260630.csv", "pmi_activite_2011.csv", "traject_planning_SPS-62-07_2022.csv", "territoires_62.csv"} {
		touch(t, filepath.Join(dir, name), time.Date(2020+i, 3, 1, 0, 0, 0, 0, time.UTC))
	}
	refreshAt(t, path, refresh.Options{Force: true})
	if after := text(t, cfg, allValues); after != before {
		t.Error("changing modification times moved figures")
	}

	// A name without a date is rejected, and says so.
	undated := filepath.Join(dir, "ase_mesures_juin.csv")
	data, _ := os.ReadFile(june)
	os.WriteFile(undated, append(data, '\n'), 0o644)
	_, rep := refreshAt(t, path, refresh.Options{})
	if len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Message, "carries no date") ||
		!strings.Contains(rep.Rejected[0].Message, "ase_mesures_YYYYMMDD.csv") {
		t.Errorf("undated extract: rejected %+v", rep.Rejected)
	}
	if after := text(t, cfg, allValues); after != before {
		t.Error("a rejected extract moved figures")
	}
}

// TestRevisionOrderIsInItsName: a PMI revision named so wins over the file
// it revises, whatever their modification times.
func TestRevisionOrderIsInItsName(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	rev := filepath.Join(dir, "pmi_activite_2011_rectificatif.csv")
	os.WriteFile(rev, []byte(pmiRevision), 0o644)
	touch(t, rev, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC))
	touch(t, filepath.Join(dir, "pmi_activite_2011.csv"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg, _ := refreshAt(t, path, refresh.Options{})
	if got := figure(t, cfg, eppQuery); got != 2304 {
		t.Errorf("EPP 2011 %g, want 2304 (the revision's)", got)
	}
	// The original sent again later (new mtime, same content) changes nothing.
	touch(t, filepath.Join(dir, "pmi_activite_2011.csv"), time.Now().Add(-time.Hour))
	refreshAt(t, path, refresh.Options{Force: true})
	if got := figure(t, cfg, eppQuery); got != 2304 {
		t.Errorf("after touching the original: EPP 2011 %g, want 2304", got)
	}
}

// pmiRevision is a revision of January 2011 in Arrageois: 100 more EPP.
const pmiRevision = "Territoire;Année;Mois;EPP réalisés;Patientes suivies par une SF de PMI suite à EPP;" +
	"Patientes orientées vers un autre professionnel suite à EPP;Contacts puéricultrices;" +
	"dont en maternité (puéricultrices);Contacts sages-femmes;dont en maternité (sages-femmes);" +
	"Séances bilans 3-4 ans;Enfants vus bilans 3-4 ans\nARR;2011;1;124;15;4;110;77;7;7;29;249\n"

const eppQuery = "SELECT value FROM indicator_values WHERE indicator = 'pmi_epp' AND period = 2011 AND territory = 'Ensemble'"

const trajectHours = `SELECT sum(hours) FROM core.activity_hours WHERE service_code = 'SPS-62-07' AND year = 2022 AND source = 'traject'`

// TestDuplicateLoadsNothing: a copy "… (1).csv" of a loaded file is a
// duplicate, reported and not loaded.
func TestDuplicateLoadsNothing(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	cfg, _ := refreshAt(t, path, refresh.Options{})
	hours := figure(t, cfg, trajectHours)
	data, _ := os.ReadFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022.csv"))
	os.WriteFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022 (1).csv"), data, 0o644)
	_, rep := refreshAt(t, path, refresh.Options{})
	if got := figure(t, cfg, trajectHours); got != hours {
		t.Errorf("TRAJECT hours 2022 %g after a copy, want %g", got, hours)
	}
	if len(rep.Duplicates) != 1 || !strings.Contains(rep.Duplicates[0].Message, "same content as traject_planning_SPS-62-07_2022.csv") {
		t.Errorf("duplicates %+v", rep.Duplicates)
	}
	if n := figure(t, cfg, `SELECT count(*) FROM meta.run_errors WHERE message LIKE '%same content as%'`); n != 1 {
		t.Errorf("%g duplicate(s) in meta.run_errors, want 1", n)
	}
	// The incremental refresh rebuilt the files' part of quality_issues and
	// kept the others.
	if got := text(t, cfg, `SELECT string_agg(source || ' ' || unit || ' ' || count, ', ' ORDER BY source) FROM quality_issues`); got != "ase enfants 3, traject fichiers 1" {
		t.Errorf("quality_issues after a duplicate: %q", got)
	}
	// Known now: the next refresh has nothing to do.
	if _, rep := refreshAt(t, path, refresh.Options{}); rep.Status != refresh.NoChange {
		t.Errorf("refresh after a duplicate: %s", rep.Status)
	}
}

// TestMovedTreeReloadsNothing: the sources copied elsewhere (new
// modification times) and the configuration pointed at them: nothing is
// loaded again, no figure moves.
func TestMovedTreeReloadsNothing(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	cfg, _ := refreshAt(t, path, refresh.Options{})
	before := text(t, cfg, allValues)
	moved := t.TempDir()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "odpe.yaml" && e.Name() != "odpe.key" {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			os.WriteFile(filepath.Join(moved, e.Name()), data, 0o644)
		}
	}
	conf, _ := os.ReadFile(path)
	conf = regexp.MustCompile(`(?m)^(\s*(?:source|territories): )`).ReplaceAll(conf, []byte("${1}"+moved+"/"))
	if !bytes.Contains(conf, []byte(moved)) {
		t.Fatal("configuration not rewritten")
	}
	os.WriteFile(path, conf, 0o644)
	_, rep := refreshAt(t, path, refresh.Options{})
	if rep.FilesLoaded != 0 || len(rep.Duplicates) != 0 {
		t.Errorf("moved tree: %d file(s) loaded, duplicates %+v", rep.FilesLoaded, rep.Duplicates)
	}
	refreshAt(t, path, refresh.Options{Force: true})
	if after := text(t, cfg, allValues); after != before {
		t.Error("moving the source tree moved figures")
	}
}

// TestOverlappingTrajectExportReplaces: a later export of the first half
// of 2022 replaces the earlier export's rows of those dates (the same
// activities, one of them corrected), it does not add to them.
func TestOverlappingTrajectExportReplaces(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	cfg, _ := refreshAt(t, path, refresh.Options{})
	hours := figure(t, cfg, trajectHours)
	data, _ := os.ReadFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022.csv"))
	lines := strings.SplitAfter(string(data), "\n")
	var half strings.Builder
	half.WriteString(lines[0])
	corrected := false
	for _, l := range lines[1:] {
		if len(l) > 10 && l[2] == '/' && l[3:5] <= "06" {
			if !corrected && strings.Contains(l, ";2:00;") {
				l, corrected = strings.Replace(l, ";2:00;", ";3:00;", 1), true // one hour more
			}
			half.WriteString(l)
		}
	}
	if !corrected {
		t.Fatal("no activity of 2:00 in the first half")
	}
	os.WriteFile(filepath.Join(dir, "traject_planning_SPS-62-07_2022_S1.csv"), []byte(half.String()), 0o644)
	refreshAt(t, path, refresh.Options{})
	if got := figure(t, cfg, trajectHours); got != hours+1 {
		t.Errorf("TRAJECT hours 2022 %g after an overlapping export, want %g (replaced, one hour corrected)", got, hours+1)
	}
}
