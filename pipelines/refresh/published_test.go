package refresh_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/parquet"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/export/xlsx"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
	"github.com/odpe/odpe/pipelines/schedule"
	"gopkg.in/yaml.v3"

	_ "github.com/odpe/odpe/pipelines/all"
)

func validators() configs.Validators {
	return configs.Validators{
		Kind: func(kind string, _ *yaml.Node) error {
			if _, ok := extract.Lookup(kind); !ok {
				return os.ErrNotExist
			}
			return nil
		},
		Spec: schedule.ValidateSpec,
	}
}

// loadSamples refreshes a warehouse from the département's sample files.
func loadSamples(t *testing.T) (*configs.Config, *sql.DB) {
	t.Helper()
	cfg, err := configs.Load(refreshtest.Samples(t), validators())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := refresh.Run(context.Background(), cfg, refresh.Options{})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if rep.Status != refresh.Success {
		t.Fatalf("refresh status %s, rejected: %+v", rep.Status, rep.Rejected)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return cfg, db
}

func queryFloat(t *testing.T, db *sql.DB, q string, args ...any) float64 {
	t.Helper()
	var v sql.NullFloat64
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if !v.Valid {
		t.Fatalf("%s: NULL", q)
	}
	return v.Float64
}

// TestPublishedFigures reproduces the figures of the département's own
// documents from its sample files.
func TestPublishedFigures(t *testing.T) {
	_, db := loadSamples(t)

	t.Run("activity report hours 2021, Carvin", func(t *testing.T) {
		want := map[string]float64{
			"Présence sociale": 1545, "Actions collectives": 2548, "Actions individuelles": 804.5,
			"Actions partenariales": 1082.5, "Ressources humaines": 1762.3, "Formation": 65.5,
		}
		for cat, h := range want {
			got := queryFloat(t, db, `SELECT hours FROM core.activity_hours
				WHERE service_code = 'SPS-62-07' AND year = 2021 AND category = ? AND source = 'rapport'`, cat)
			if math.Abs(got-h) > 1e-9 {
				t.Errorf("%s: %g h, want %g h", cat, got, h)
			}
		}
	})

	t.Run("activity shares 2021, Carvin", func(t *testing.T) {
		want := map[string]float64{
			"Présence sociale": 19.8, "Actions collectives": 32.6, "Actions individuelles": 10.3,
			"Actions partenariales": 13.9, "Ressources humaines": 22.6, "Formation": 0.8,
		}
		for cat, pct := range want {
			got := queryFloat(t, db, `SELECT round(value, 1) FROM indicator_values
				WHERE indicator = 'prev_hours_share' AND period = 2021 AND service = 'SPS-62-07' AND category = ?`, cat)
			if got != pct {
				t.Errorf("%s: %g %%, want %g %%", cat, got, pct)
			}
		}
	})

	t.Run("PMI 2011 sums", func(t *testing.T) {
		want := map[string]float64{
			"epp": 2204, "epp_followed": 1036, "epp_referred": 352, "puer_contacts": 15935,
			"puer_maternity": 5686, "sf_contacts": 529, "sf_maternity": 314,
			"bilan_sessions": 3494, "bilan_children": 17463,
		}
		for col, n := range want {
			if got := queryFloat(t, db, "SELECT sum("+col+") FROM core.pmi_monthly WHERE year = 2011"); got != n {
				t.Errorf("%s: %g, want %g", col, got, n)
			}
		}
	})

	t.Run("PMI 2011 indicators", func(t *testing.T) {
		for _, c := range []struct {
			indicator string
			want      float64
		}{
			{"pmi_epp_followed_share", 47.0},
			{"pmi_epp_referred_share", 16.0},
			{"pmi_puer_maternity_share", 35.7},
			{"pmi_bilan_children", 17463},
			{"pmi_bilan_sessions", 3494},
			{"pmi_bilan_coverage", 92.0},
		} {
			got := queryFloat(t, db, `SELECT round(value, 1) FROM indicator_values
				WHERE indicator = ? AND period = 2011 AND territory = 'Ensemble'`, c.indicator)
			if got != c.want {
				t.Errorf("%s 2011: %g, want %g", c.indicator, got, c.want)
			}
		}
		if got := queryFloat(t, db, `SELECT denominator FROM indicator_values
			WHERE indicator = 'pmi_bilan_coverage' AND period = 2011 AND territory = 'Ensemble'`); got != 18982 {
			t.Errorf("coverage denominator (births 2007): %g, want 18982", got)
		}
	})

	t.Run("births", func(t *testing.T) {
		for year, n := range map[int]float64{2006: 19003, 2007: 18982} {
			if got := queryFloat(t, db, `SELECT sum(births) FROM core.births WHERE dep = '62' AND year = ?`, year); got != n {
				t.Errorf("births %d: %g, want %g", year, got, n)
			}
		}
	})
}

// TestNoIdentifierReachesTheWarehouse scans the warehouse, by query and by
// bytes, for every name, file number and full birth date of the ASE
// sample, every IP number, file number, name and birth date of the CRIP's
// register, and every employee number, name and birth date of the foster
// carers' HR export. (The IP number identifies no person, but it is kept
// as a pseudonym only, as the register's key.)
func TestNoIdentifierReachesTheWarehouse(t *testing.T) {
	cfg, db := loadSamples(t)
	secrets := map[string]bool{}
	for _, sample := range []struct {
		file    string
		columns int // the first columns hold the identifiers
	}{
		{"ase_mesures_20261121.csv", 4},          // N° individu, Nom, Prénom, Date de naissance
		{"crip_ip_20251231.csv", 5},              // N° IP, N° individu, Nom, Prénom, Date de naissance
		{"assistants_familiaux_20251231.csv", 4}, // Matricule, Nom, Prénom, Date de naissance
	} {
		raw, err := os.ReadFile(filepath.Join(refreshtest.Root(), "testdata", "samples", sample.file))
		if err != nil {
			t.Fatal(err)
		}
		text, _ := charmap.Windows1252.NewDecoder().Bytes(raw)
		n := len(secrets)
		for i, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
			if i == 0 {
				continue
			}
			f := strings.Split(strings.TrimRight(line, "\r"), ";")
			for _, s := range f[:sample.columns] {
				// « Enfant à naître » stands in the first name of an
				// unborn child: a placeholder, not a name.
				if len(s) >= 3 && s != "Enfant à naître" {
					secrets[s] = true
				}
			}
		}
		if len(secrets)-n < 50 {
			t.Fatalf("only %d identifiers read from %s", len(secrets)-n, sample.file)
		}
	}
	// Birth dates are kept as a year and a month (a year for foster
	// carers): no date or text column of any table is a birth date but
	// the ASE measures' birth_mid_month (the 15th of the month of birth).
	var birthDates string
	if err := db.QueryRow(`SELECT coalesce(string_agg(table_schema || '.' || table_name || '.' || column_name, ', '), '')
		FROM information_schema.columns WHERE (data_type IN ('DATE', 'VARCHAR') OR data_type LIKE 'TIMESTAMP%')
		AND (column_name ILIKE '%birth%' OR column_name ILIKE '%naissance%') AND column_name <> 'birth_mid_month'
		AND table_schema IN ('raw', 'core', 'ind', 'main')`).Scan(&birthDates); err != nil {
		t.Fatal(err)
	}
	if birthDates != "" {
		t.Errorf("columns that may hold a full birth date: %s", birthDates)
	}
	// By query: every text column of every table.
	cols, err := db.Query(`SELECT table_schema, table_name, column_name FROM information_schema.columns
		WHERE data_type = 'VARCHAR' AND table_schema IN ('raw', 'core', 'ind', 'meta', 'main')`)
	if err != nil {
		t.Fatal(err)
	}
	var targets [][3]string
	for cols.Next() {
		var s, tb, c string
		cols.Scan(&s, &tb, &c)
		targets = append(targets, [3]string{s, tb, c})
	}
	cols.Close()
	for _, tc := range targets {
		rows, err := db.Query(`SELECT DISTINCT "` + tc[2] + `" FROM "` + tc[0] + `"."` + tc[1] + `"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v sql.NullString
			rows.Scan(&v)
			for s := range secrets {
				if v.Valid && strings.Contains(v.String, s) && !strings.Contains(tc[2], "path") {
					t.Errorf("%s.%s.%s holds %q", tc[0], tc[1], tc[2], s)
				}
			}
		}
		rows.Close()
	}
	// By bytes: the warehouse file itself.
	cur, err := refresh.Store(cfg).Current()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cur)
	if err != nil {
		t.Fatal(err)
	}
	for s := range secrets {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("warehouse file contains %q", s)
		}
	}
}

// TestSecondRefreshDoesNothing: unchanged sources are not read again.
func TestSecondRefreshDoesNothing(t *testing.T) {
	cfg, _ := loadSamples(t)
	start := time.Now()
	rep, err := refresh.Run(context.Background(), cfg, refresh.Options{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != refresh.NoChange || rep.FilesRead != 0 {
		t.Fatalf("second refresh: status %s, %d files read", rep.Status, rep.FilesRead)
	}
	if took > time.Second {
		t.Fatalf("no-change refresh took %s, want < 1s", took)
	}
}

// TestIncrementalRefreshEqualsFullRefresh: a refresh that recomputes only
// what a new PMI file changes gives the same conformed tables and the same
// values as a refresh that recomputes everything.
func TestIncrementalRefreshEqualsFullRefresh(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, err := demo.Write(ctx, dir, demo.Scales["small"], 7)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path, validators())
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]int{} // profile → rows it wrote
	w := &profile.Writer{Config: cfg, Written: func(p string, rows int, _ time.Duration) { written[p] = rows }}
	withExports := func(force bool) refresh.Options {
		return refresh.Options{Force: force, Export: cli.Exporter(w, nil)}
	}
	if _, err := refresh.Run(ctx, cfg, withExports(false)); err != nil {
		t.Fatal(err)
	}
	var pmiDir string
	for _, j := range cfg.Jobs {
		if j.Kind == "pmi" {
			pmiDir = j.Source
		}
	}
	published := func(profile string) string {
		dir, err := filepath.EvalSymlinks(filepath.Join(cfg.ExportsDir, profile))
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	before := published("observatoire")
	if _, err := demo.AddPMIMonth(pmiDir); err != nil {
		t.Fatal(err)
	}
	rep, err := refresh.Run(ctx, cfg, withExports(false))
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, s := range rep.Steps {
		steps = append(steps, s.Name)
	}
	if slices.Contains(steps, "conform 02_ase_situation") {
		t.Errorf("a new PMI file rebuilt the ASE situation: steps %v", steps)
	}
	snapshot := func() map[string]string {
		db, err := refresh.Store(cfg).OpenReadOnly(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		out := map[string]string{}
		// Sums of hours are floating point, summed in parallel: the last
		// bits differ from one computation to the next.
		values := "SELECT * EXCLUDE (run_id, numerator, denominator, value), round(numerator, 6), round(denominator, 6), round(value, 6) FROM ind.values"
		for _, q := range []string{
			values,
			"SELECT * FROM core.pmi_monthly", "SELECT * FROM core.pmi_completeness",
			"SELECT * FROM core.ase_situation", "SELECT * FROM core.population",
		} {
			var n int64
			var h string
			if err := db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(hash(x))::VARCHAR, '') FROM ("+q+") x").Scan(&n, &h); err != nil {
				t.Fatal(q, err)
			}
			out[q] = fmt.Sprint(n, " rows, hash ", h)
		}
		rows, _ := db.QueryContext(ctx, "SELECT indicator, count(*), sum(hash(x))::VARCHAR FROM ("+values+") x GROUP BY ALL")
		for rows.Next() {
			var id, h string
			var n int
			rows.Scan(&id, &n, &h)
			out[id] = fmt.Sprint(n, " rows, hash ", h)
		}
		rows.Close()
		return out
	}
	// Only the PMI family's files are written again.
	after := published("observatoire")
	for fam, same := range map[string]bool{"ase": true, "prevention": true, "adoption": true, "pmi": false} {
		for _, file := range []string{"arrow/" + fam + ".arrow", "parquet/" + fam + ".parquet"} {
			a, err := os.Stat(filepath.Join(before, file))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.Stat(filepath.Join(after, file))
			if err != nil {
				t.Fatal(err)
			}
			if os.SameFile(a, b) != same {
				t.Errorf("observatoire's %s: linked from the last publication %v, want %v", file, !same, same)
			}
		}
	}
	incremental := snapshot()
	incrementalExports := exportsSnapshot(t, cfg)
	incrementalRows := maps.Clone(written)
	var pmiJan int64
	db, _ := refresh.Store(cfg).OpenReadOnly(ctx)
	db.QueryRowContext(ctx, "SELECT count(*) FROM ind.values WHERE indicator = 'pmi_epp' AND run_id = ?", rep.RunID).Scan(&pmiJan)
	db.Close()
	if pmiJan == 0 {
		t.Error("the PMI indicators were not recomputed")
	}
	if _, err := refresh.Run(ctx, cfg, withExports(true)); err != nil {
		t.Fatal(err)
	}
	full := snapshot()
	for q, want := range full {
		if incremental[q] != want {
			t.Errorf("%s: incremental refresh %s, full refresh %s", q, incremental[q], want)
		}
	}
	fullExports := exportsSnapshot(t, cfg)
	if len(fullExports) == 0 {
		t.Fatal("no export read")
	}
	for file, want := range fullExports {
		if incrementalExports[file] != want {
			t.Errorf("%s: incremental refresh %s, full refresh %s", file, incrementalExports[file], want)
		}
	}
	// The workbooks and the SDMX file took the unchanged families' part
	// from the last publication: their rows were not read back.
	for _, p := range []string{"observatoire", "insee", "odas"} {
		if got, all := incrementalRows[p], written[p]; got == 0 || got >= all {
			t.Errorf("profile %s: %d rows in memory for the incremental export, want some of its %d", p, got, all)
		}
	}
}

// exportsSnapshot sums up what each profile publishes: its rows, read
// back from its Arrow and Parquet files of each family (figures rounded to
// 6 decimals: sums of hours vary in their last bits), and the number of
// lines of its SDMX file and of rows of each sheet of its workbook.
func exportsSnapshot(t *testing.T, cfg *configs.Config) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range cfg.Exports {
		dir := filepath.Join(cfg.ExportsDir, p.Name)
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.arrow"))
		// The rows kept for the next publication, in its state (beside
		// the profile's folder, not in it).
		real, _ := filepath.EvalSymlinks(dir)
		hidden, _ := filepath.Glob(filepath.Join(filepath.Dir(real), ".state", p.Name, ".rows", "*.arrow"))
		pq, _ := filepath.Glob(filepath.Join(dir, "*", "*.parquet"))
		for _, file := range slices.Concat(files, hidden, pq) {
			readRows := feather.ReadRows
			if filepath.Ext(file) == ".parquet" {
				readRows = parquet.ReadRows
			}
			rows, err := readRows(file, arrowrows.NewReader(), nil)
			if err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			for _, r := range rows {
				fmt.Fprint(h, r.Indicator, r.Dep, r.Period, r.Territory, r.Unit, r.Status, r.Conf)
				for _, d := range slices.Sorted(maps.Keys(r.Dims)) {
					fmt.Fprint(h, d, "=", r.Dims[d])
				}
				for _, v := range []export.Figure{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution} {
					if !v.Valid() {
						fmt.Fprint(h, "∅")
					} else {
						fmt.Fprintf(h, "%.6f", v.Float64())
					}
				}
			}
			rel, _ := filepath.Rel(cfg.ExportsDir, file)
			if slices.Contains(hidden, file) {
				rel = filepath.Join(p.Name, ".state", filepath.Base(file))
			}
			out[rel] = fmt.Sprintf("%d rows, hash %x", len(rows), h.Sum64())
		}
		if b, err := os.ReadFile(filepath.Join(dir, p.Name+".sdmx.csv")); err == nil {
			out[p.Name+".sdmx.csv"] = fmt.Sprintf("%d lines, hash %x", bytes.Count(b, []byte("\n")), fnv.New64a().Sum(b))
		}
		if f, err := excelize.OpenFile(filepath.Join(dir, p.Name+".xlsx")); err == nil {
			for _, sheet := range f.GetSheetList() {
				rows, err := f.GetRows(sheet) // as shown: number formats count
				if err != nil {
					t.Fatal(err)
				}
				h := fnv.New64a()
				if sheet != xlsx.SheetReadme { // run and time of generation
					for _, r := range rows {
						fmt.Fprintf(h, "%q\n", r)
					}
				}
				out[p.Name+".xlsx/"+sheet] = fmt.Sprintf("%d rows, hash %x", len(rows), h.Sum64())
			}
			f.Close()
		}
	}
	return out
}
