package profile_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	path_ "path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	_ "github.com/odpe/odpe/pipelines/all" // every extract job kind
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/disclosure"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/intruder/owner"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/export/sdmx"
	"github.com/odpe/odpe/pipelines/export/xlsx"
	"github.com/odpe/odpe/pipelines/refresh"
)

// demoWarehouse is the small demo refreshed once for every test of the
// package, with its profiles exported.
type demoWarehouse struct {
	cfg   *configs.Config
	db    *sql.DB
	runID int64
}

var (
	demoOnce sync.Once
	demoWH   *demoWarehouse
	demoErr  error
	demoDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoWH != nil {
		demoWH.db.Close()
	}
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// warehouse generates the small demo, refreshes it with its exports and
// opens the warehouse read-only.
func warehouse(t *testing.T) *demoWarehouse {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		if demoDir, demoErr = os.MkdirTemp("", "odpe-profile-test-"); demoErr != nil {
			return
		}
		path, err := demo.Write(ctx, demoDir, demo.Scales["small"], 62)
		if err != nil {
			demoErr = err
			return
		}
		cfg, err := configs.Load(path, configs.Validators{})
		if err != nil {
			demoErr = err
			return
		}
		w := &profile.Writer{Config: cfg}
		_, err = refresh.Run(ctx, cfg, refresh.Options{Export: cli.Exporter(w, nil)})
		if err != nil {
			demoErr = err
			return
		}
		db, err := refresh.Store(cfg).OpenReadOnly(ctx)
		if err != nil {
			demoErr = err
			return
		}
		wh := &demoWarehouse{cfg: cfg, db: db}
		demoErr = db.QueryRowContext(ctx, "SELECT max(run_id) FROM ind.values").Scan(&wh.runID)
		demoWH = wh
	})
	if demoErr != nil {
		t.Fatalf("demo warehouse: %v", demoErr)
	}
	return demoWH
}

// dataset reads a profile's rows from the demo warehouse, before
// disclosure control.
func (wh *demoWarehouse) dataset(t *testing.T, name string) (configs.Export, *export.Dataset) {
	t.Helper()
	p, ok := wh.cfg.Export(name)
	if !ok {
		t.Fatalf("no profile %s", name)
	}
	ds, err := profile.Dataset(context.Background(), wh.db, p, wh.runID)
	if err != nil {
		t.Fatal(err)
	}
	return p, ds
}

func externalProfiles(t *testing.T, cfg *configs.Config) []configs.Export {
	var out []configs.Export
	for _, p := range cfg.Exports {
		if p.Audience == "external" {
			out = append(out, p)
		}
	}
	if len(out) < 3 {
		t.Fatalf("the demo configuration has %d external profiles, want insee, drees and odas", len(out))
	}
	return out
}

// small reports whether a published figure is a count from 1 to
// threshold−1.
func small(v float64, threshold int) bool { return v >= 0.5 && v < float64(threshold)-0.5 }

// TestExternalExportsHaveNoSmallCount reads back every file of every
// external profile, in each of its formats, and looks for a published
// count between 1 and threshold−1: numerators and denominators of every
// indicator, values and N−1 of counts.
func TestExternalExportsHaveNoSmallCount(t *testing.T) {
	wh := warehouse(t)
	for _, p := range externalProfiles(t, wh.cfg) {
		_, ds := wh.dataset(t, p.Name)
		units := map[string]string{}
		for _, ind := range ds.Indicators {
			units[ind.ID] = ind.Unit
		}
		dir := filepath.Join(wh.cfg.ExportsDir, p.Name)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			var n int
			switch {
			case strings.HasSuffix(e.Name(), ".sdmx.csv"):
				n = checkSDMX(t, path, p.Threshold)
			case strings.HasSuffix(e.Name(), ".sdmx-structure.xml"): // codes and their names: no figure
				structure, err1 := os.Open(path)
				data, err2 := os.Open(strings.TrimSuffix(path, "-structure.xml") + ".csv")
				if err := errors.Join(err1, err2); err != nil {
					t.Fatal(err)
				}
				if err := sdmx.Validate(structure, data); err != nil {
					t.Errorf("%s: %v", p.Name, err)
				}
				structure.Close()
				data.Close()
			case strings.HasSuffix(e.Name(), ".xlsx") && p.Layout == "drees":
				n = checkDreesWorkbook(t, path, p.Threshold, ds)
			case strings.HasSuffix(e.Name(), ".xlsx"):
				n = checkLongWorkbook(t, path, p.Threshold)
			case e.Name() == "parquet":
				n = checkParquet(t, wh.db, path, p.Threshold, units)
			case e.Name() == "arrow" || e.Name() == ".rows": // Feather, or the rows kept for the next refresh
				n = checkArrow(t, path, p.Threshold, units)
			case e.Name() == ".families.json":
				var fams map[string]struct{ Fingerprint, Rows string }
				if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &fams) != nil || len(fams) == 0 {
					t.Errorf("%s: %s unreadable or empty (%v)", p.Name, path, err)
				}
			case e.Name() == ".xlsx-sheets.json": // the charts' figures, for the next workbook
				n = checkSheets(t, path, p.Threshold, units)
			case e.Name() == ".sdmx-index.json": // where each indicator's lines are
				var idx sdmx.Index
				if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &idx) != nil || len(idx.Indicators) == 0 {
					t.Errorf("%s: %s unreadable or empty (%v)", p.Name, path, err)
				}
			case e.Name() == ".fingerprint": // a SHA-256 of what the files are made of
				if b, _ := os.ReadFile(path); len(b) != 64 {
					t.Errorf("%s: fingerprint %q", p.Name, b)
				}
			default:
				t.Errorf("%s: unexpected file %s", p.Name, e.Name())
			}
			checked += n
		}
		if checked == 0 {
			t.Errorf("%s: no figure checked in %s", p.Name, dir)
		}
		t.Logf("%s: %d published figures checked against threshold %d", p.Name, checked, p.Threshold)
	}
}

func checkSDMX(t *testing.T, path string, threshold int) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	n := 0
	for line, rec := range recs[1:] {
		obs := rec[col["OBS_VALUE"]]
		if rec[col["CONF_STATUS"]] != "F" && rec[col["CONF_STATUS"]] != "" && obs != "" {
			t.Errorf("%s line %d: confidential cell published with value %s", path, line+2, obs)
		}
		if rec[col["UNIT_MEASURE"]] != "PERS" || obs == "" {
			continue
		}
		v, err := strconv.ParseFloat(obs, 64)
		if err != nil {
			t.Fatalf("%s line %d: OBS_VALUE %q: %v", path, line+2, obs, err)
		}
		n++
		if small(v, threshold) {
			t.Errorf("%s line %d: count %g published (threshold %d): %q", path, line+2, v, threshold, rec)
		}
	}
	return n
}

// checkLongWorkbook checks the family sheets of an Observatoire-layout
// workbook: Numérateur and Dénominateur, and Valeur and N−1 of counts.
func checkLongWorkbook(t *testing.T, path string, threshold int) int {
	t.Helper()
	n := 0
	for sheet, rows := range familySheets(t, path) {
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for r, row := range rows[1:] {
			cell := func(h string) string {
				if i, ok := col[h]; ok && i < len(row) {
					return row[i]
				}
				return ""
			}
			heads := []string{"Numérateur", "Dénominateur"}
			if cell("Unité") == "effectif" {
				heads = append(heads, "Valeur", "N−1")
			}
			for _, h := range heads {
				raw := cell(h)
				if raw == "" || raw == "s" {
					continue
				}
				v, err := strconv.ParseFloat(raw, 64)
				if err != nil {
					t.Fatalf("%s %s row %d %s: %q is not a number", path, sheet, r+2, h, raw)
				}
				n++
				if small(v, threshold) {
					t.Errorf("%s %s row %d: %s = %g published (threshold %d)", path, sheet, r+2, h, v, threshold)
				}
			}
		}
	}
	return n
}

// checkDreesWorkbook checks every number below the header of each table of
// a DREES-layout workbook, whose indicators must all be counts.
func checkDreesWorkbook(t *testing.T, path string, threshold int, ds *export.Dataset) int {
	t.Helper()
	for _, ind := range ds.Indicators {
		if ind.Unit != "count" {
			t.Fatalf("drees profile carries %s (%s): this check expects counts only", ind.ID, ind.Unit)
		}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, sheet := range f.GetSheetList() {
		if sheet == "Lisez-moi" {
			continue
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r := 5; r < len(rows); r++ { // below the header (row 5)
			for c, raw := range rows[r] {
				if c == 0 || raw == "" {
					continue // the territory
				}
				v, err := strconv.ParseFloat(raw, 64)
				if err != nil {
					continue // "s", "p"…
				}
				n++
				if small(v, threshold) {
					name, _ := excelize.CoordinatesToCellName(c+1, r+1)
					t.Errorf("%s %s!%s: count %g published (threshold %d)", path, sheet, name, v, threshold)
				}
			}
		}
	}
	return n
}

func checkParquet(t *testing.T, db *sql.DB, dir string, threshold int, units map[string]string) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	n := 0
	for _, file := range files {
		rows, err := db.Query(`SELECT indicator, territory, period, numerator, denominator, value, previous_value, conf
			FROM read_parquet(?)`, file)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ind, territory, conf string
			var period int
			var num, den, val, prev sql.NullFloat64
			if err := rows.Scan(&ind, &territory, &period, &num, &den, &val, &prev, &conf); err != nil {
				t.Fatal(err)
			}
			figures := map[string]sql.NullFloat64{"numerator": num, "denominator": den}
			if units[ind] == "count" {
				figures["value"], figures["previous"] = val, prev
			}
			for name, v := range figures {
				if !v.Valid {
					continue
				}
				n++
				if conf != export.Free.String() {
					t.Errorf("%s: %s %s %d: %s published on a confidential row", file, ind, territory, period, name)
				}
				if small(v.Float64, threshold) {
					t.Errorf("%s: %s %s %d: %s = %g published (threshold %d)", file, ind, territory, period, name, v.Float64, threshold)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return n
}

// checkArrow checks the Arrow IPC files of dir as checkParquet does.
// checkSheets checks the figures a workbook keeps of its charts.
func checkSheets(t *testing.T, path string, threshold int, units map[string]string) int {
	t.Helper()
	var sheets xlsx.Sheets
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &sheets) != nil || len(sheets.Families) == 0 {
		t.Errorf("%s unreadable or empty (%v)", path, err)
		return 0
	}
	n := 0
	check := func(c xlsx.Chart, v *float64) {
		if v == nil || units[c.Indicator] != "count" {
			return
		}
		n++
		if small(*v, threshold) {
			t.Errorf("%s: chart of %s: %g kept (threshold %d)", path, c.Indicator, *v, threshold)
		}
	}
	for _, fam := range sheets.Families {
		for _, c := range fam.Charts {
			for _, years := range c.Trend {
				for _, v := range years {
					check(c, v)
				}
			}
			for _, b := range c.Bars {
				check(c, b.Value)
			}
		}
	}
	return n
}

func checkArrow(t *testing.T, dir string, threshold int, units map[string]string) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.arrow"))
	n := 0
	for _, file := range files {
		rows, err := feather.ReadRows(file, arrowrows.NewReader(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			figures := map[string]export.Figure{"numerator": r.Numerator, "denominator": r.Denominator}
			if units[r.Indicator] == "count" {
				figures["value"], figures["previous"] = r.Value, r.Previous
			}
			for name, v := range figures {
				if !v.Valid() {
					continue
				}
				n++
				if r.Conf != export.Free {
					t.Errorf("%s: %s %s %d: %s published on a confidential row", file, r.Indicator, r.Territory, r.Period, name)
				}
				if small(v.Float64(), threshold) {
					t.Errorf("%s: %s %s %d: %s = %g published (threshold %d)", file, r.Indicator, r.Territory, r.Period, name, v.Float64(), threshold)
				}
			}
		}
	}
	return n
}

// familySheets reads the family sheets of an Observatoire-layout
// workbook, raw cell values.
func familySheets(t *testing.T, path string) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, sheet := range f.GetSheetList() {
		if sheet == "Lisez-moi" || sheet == "Graphiques" {
			continue
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 {
			out[sheet] = rows
		}
	}
	return out
}

// TestObservatoireWorkbookMatchesWarehouse reads every cell of the
// internal workbook's family sheets back and compares it with the values
// the warehouse holds, row for row.
// TestDatasetMatchesIndicatorValues: the rows an export reads are those
// of the view statisticians query, indicator_values, N−1 and evolution
// included (the export computes them from the values, not the view).
func TestDatasetMatchesIndicatorValues(t *testing.T) {
	wh := warehouse(t)
	_, ds := wh.dataset(t, "observatoire")
	dims := strings.Join(indicators.Dimensions, ", ")
	rows, err := wh.db.Query(`SELECT indicator, dep, period, territory, ` + dims + `, numerator, denominator, value,
		previous_value, evolution, unit, status FROM indicator_values`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	render := func(id, dep string, period int, territory string, dims map[string]string, figures []export.Figure, unit, status string) string {
		out := fmt.Sprint(id, "|", dep, "|", period, "|", territory)
		for _, d := range indicators.Dimensions {
			if v, ok := dims[d]; ok {
				out += "|" + d + "=" + v
			}
		}
		for _, f := range figures {
			if !f.Valid() {
				out += "|∅"
			} else {
				out += fmt.Sprintf("|%v", f.Float64())
			}
		}
		return out + "|" + unit + "|" + status
	}
	want := map[string]bool{}
	for rows.Next() {
		var id, dep, territory, unit, status string
		var period int
		dimVals := make([]sql.NullString, len(indicators.Dimensions))
		var figs [5]sql.NullFloat64
		dest := []any{&id, &dep, &period, &territory}
		for i := range dimVals {
			dest = append(dest, &dimVals[i])
		}
		for i := range figs {
			dest = append(dest, &figs[i])
		}
		if err := rows.Scan(append(dest, &unit, &status)...); err != nil {
			t.Fatal(err)
		}
		dims := map[string]string{}
		for i, d := range dimVals {
			if d.Valid {
				dims[indicators.Dimensions[i]] = d.String
			}
		}
		var figures []export.Figure
		for _, f := range figs {
			figures = append(figures, figureOf(f))
		}
		want[render(id, dep, period, territory, dims, figures, unit, status)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	withPrevious := 0
	for _, r := range ds.Rows {
		got := render(r.Indicator, r.Dep, r.Period, r.Territory, r.Dims,
			[]export.Figure{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution}, r.Unit.String(), r.Status.String())
		if !want[got] {
			t.Fatalf("row %s is not in indicator_values", got)
		}
		delete(want, got)
		if r.Previous.Valid() {
			withPrevious++
		}
	}
	if len(want) > 0 {
		t.Errorf("%d rows of indicator_values not read, e.g. %s", len(want), slices.Sorted(maps.Keys(want))[0])
	}
	if withPrevious < len(ds.Rows)/2 {
		t.Errorf("%d rows of %d with N−1", withPrevious, len(ds.Rows))
	}
}

func TestObservatoireWorkbookMatchesWarehouse(t *testing.T) {
	wh := warehouse(t)
	p, ds := wh.dataset(t, "observatoire")
	if p.Audience != "internal" {
		t.Fatalf("observatoire is %s", p.Audience)
	}
	labels := map[string]string{}
	for _, ind := range ds.Indicators {
		labels[ind.ID] = ind.Label
	}
	want := map[string][]export.Figure{}
	namedTerritories, namedServices := 0, 0
	for _, r := range ds.Rows {
		territory := r.Territory
		if territory == export.Total {
			territory = "Ensemble du département"
		}
		// Each code is followed by its name (empty when the warehouse has
		// none, "-" for a breakdown the row does not have).
		key := []string{labels[r.Indicator], territory, ds.TerritoryName(r.Dep, r.Territory)}
		if r.Territory != export.Total && ds.TerritoryName(r.Dep, r.Territory) != "" {
			namedTerritories++
		}
		for _, d := range ds.Dimensions {
			v, ok := r.Dims[d]
			if !ok {
				v = "-"
			}
			key = append(key, v)
			if d == "service" {
				if ok {
					key = append(key, ds.ServiceName(r.Dep, v))
					if v != export.Total && ds.ServiceName(r.Dep, v) != "" {
						namedServices++
					}
				} else {
					key = append(key, "-")
				}
			}
		}
		key = append(key, strconv.Itoa(r.Period))
		k := strings.Join(key, " | ")
		if _, dup := want[k]; dup {
			t.Fatalf("two rows for %s", k)
		}
		want[k] = []export.Figure{r.Value, r.Numerator, r.Denominator, r.Previous, r.Evolution}
	}

	got := map[string][]string{}
	for sheet, rows := range familySheets(t, filepath.Join(wh.cfg.ExportsDir, "observatoire", "observatoire.xlsx")) {
		header := rows[0]
		at := func(h string) int {
			i := slices.Index(header, h)
			if i < 0 {
				t.Fatalf("%s: no column %s in %q", sheet, h, header)
			}
			return i
		}
		year, territory := at("Année"), at("Territoire")
		if at(xlsx.HeaderTerritoryName) != territory+1 {
			t.Fatalf("%s: %q is not beside Territoire in %q", sheet, xlsx.HeaderTerritoryName, header)
		}
		between := 1 + len(ds.Dimensions)
		if slices.Contains(ds.Dimensions, "service") {
			between++
			if at(xlsx.HeaderServiceName) != at(indicators.DimensionName("service"))+1 {
				t.Fatalf("%s: %q is not beside the service in %q", sheet, xlsx.HeaderServiceName, header)
			}
		}
		if territory+1+between != year {
			t.Fatalf("%s: %d columns between Territoire and Année, want %d", sheet, year-territory-1, between)
		}
		figures := []int{at("Valeur"), at("Numérateur"), at("Dénominateur"), at("N−1"), at("Évolution")}
		for _, row := range rows[1:] {
			row = append(row, make([]string, len(header)-len(row))...)
			key := append([]string{row[at("Indicateur")]}, row[territory:year+1]...)
			var cells []string
			for _, c := range figures {
				cells = append(cells, row[c])
			}
			got[strings.Join(key, " | ")] = cells
		}
	}
	if len(got) != len(want) {
		t.Errorf("workbook has %d rows, the warehouse %d", len(got), len(want))
	}
	diffs := 0
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing from the workbook", k)
			diffs++
		}
		for i := range w {
			if ok && !sameNumber(g[i], w[i]) {
				t.Errorf("%s: figure %d is %q in the workbook, %v in the warehouse", k, i+1, g[i], deref(w[i]))
				diffs++
			}
		}
		if diffs > 20 {
			t.Fatal("too many differences")
		}
	}
	if namedTerritories == 0 || namedServices == 0 {
		t.Errorf("%d rows of a named territory, %d of a named service: the names beside the codes are not checked", namedTerritories, namedServices)
	}
	t.Logf("%d rows of %d indicators compared (%d of a named territory, %d of a named service)", len(want), len(ds.Indicators), namedTerritories, namedServices)
}

// sameNumber reports whether a raw cell holds want, to the 15 significant
// digits Excel keeps; an empty cell stands for an absent figure.
func sameNumber(raw string, want export.Figure) bool {
	if !want.Valid() || raw == "" {
		return !want.Valid() && raw == ""
	}
	v, err := strconv.ParseFloat(raw, 64)
	return err == nil && math.Abs(v-want.Float64()) <= 1e-14*math.Max(1, math.Abs(want.Float64()))
}

// figureOf is the Figure of a value read from the warehouse.
func figureOf(v sql.NullFloat64) export.Figure {
	if !v.Valid {
		return export.Figure{}
	}
	return export.Known(v.Float64)
}

func deref(v export.Figure) any {
	if !v.Valid() {
		return "nil"
	}
	return v.Float64()
}

// TestExportedTablesResistAudit takes the tables the insee profile
// published (its Parquet files, read back) and, knowing the true values
// as the data owner does, asks an intruder's linear programs for the
// feasible interval of each suppressed cell: none may be a single value.
// Tables that are not additive are published with every non-zero cell
// hidden as soon as one is small: that is checked instead.
func TestExportedTablesResistAudit(t *testing.T) {
	wh := warehouse(t)
	t.Run("insee", func(t *testing.T) {
		p, ds := wh.dataset(t, "insee")
		auditExport(t, wh, p, ds, filepath.Join(wh.cfg.ExportsDir, p.Name))
	})
	// A study of départements: no territory nor service detail, threshold
	// 11 (as odas, written as Parquet to be read back).
	t.Run("departements", func(t *testing.T) {
		p := configs.Export{Name: "study", Title: "Étude", Audience: "external", Threshold: 11,
			Formats: []string{"parquet"}, Indicators: []string{"ase_*", "prev_*", "pmi_*"},
			Breakdowns: []string{"sex", "age_band", "mode", "category", "public", "event"}}
		cfg := *wh.cfg
		cfg.Exports, cfg.ExportsDir = []configs.Export{p}, t.TempDir()
		w := &profile.Writer{Config: &cfg}
		publish, err := w.Write(context.Background(), wh.db, wh.runID, "study", nil)
		if err == nil {
			err = publish()
		}
		if err != nil {
			t.Fatal(err)
		}
		ds, err := profile.Dataset(context.Background(), wh.db, p, wh.runID)
		if err != nil {
			t.Fatal(err)
		}
		auditExport(t, wh, p, ds, filepath.Join(cfg.ExportsDir, p.Name))
	})
}

// auditExport audits the Parquet files of profile p, written into dir,
// against its dataset before disclosure (the true values).
func auditExport(t *testing.T, wh *demoWarehouse, p configs.Export, ds *export.Dataset, dir string) {
	decl := map[string]export.Indicator{}
	for _, ind := range ds.Indicators {
		decl[ind.ID] = ind
	}
	// What was published: the status of each cell.
	conf := map[string]export.Conf{}
	files, _ := filepath.Glob(filepath.Join(dir, "parquet", "*.parquet"))
	if len(files) == 0 {
		t.Fatalf("no Parquet file in the %s profile", p.Name)
	}
	for _, file := range files {
		cols, err := parquetColumns(wh.db, file)
		if err != nil {
			t.Fatal(err)
		}
		var sel []string
		for _, d := range ds.Dimensions {
			if slices.Contains(cols, d) {
				sel = append(sel, fmt.Sprintf("coalesce(%s, '∅')", d))
			} else {
				sel = append(sel, "'∅'")
			}
		}
		q := fmt.Sprintf(`SELECT concat_ws('|', indicator, dep, period, territory, %s), conf FROM read_parquet(?)`, strings.Join(sel, ", "))
		rows, err := wh.db.Query(q, file)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, c string
			if err := rows.Scan(&k, &c); err != nil {
				t.Fatal(err)
			}
			if conf[k], err = export.ParseConf(c); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
	}
	key := func(r export.Row) string {
		parts := []string{r.Indicator, r.Dep, strconv.Itoa(r.Period), r.Territory}
		for _, d := range ds.Dimensions {
			v, ok := r.Dims[d]
			if !ok {
				v = "∅"
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, "|")
	}

	type group struct {
		ind  export.Indicator
		rows []export.Row
	}
	groups := map[string]*group{}
	var order []string
	for _, r := range ds.Rows {
		if _, ok := conf[key(r)]; !ok {
			t.Fatalf("%s: in the warehouse, not in the export", key(r))
		}
		if decl[r.Indicator].Unit == "hours" {
			continue
		}
		g := fmt.Sprintf("%s|%s|%d", r.Indicator, r.Dep, r.Period)
		if groups[g] == nil {
			groups[g] = &group{ind: decl[r.Indicator]}
			order = append(order, g)
		}
		groups[g].rows = append(groups[g].rows, r)
	}

	var audited, nonAdditive, suppressed int
	var audits errgroup.Group // linear programs, on every core
	audits.SetLimit(runtime.NumCPU())
	for _, g := range order {
		grp := groups[g]
		// Without the territories' detail, the table is over the breakdowns.
		off := 1
		if !slices.ContainsFunc(grp.rows, func(r export.Row) bool { return r.Territory != export.Total }) {
			off = 0
		}
		dims := append([]string{"territory"}, grp.ind.Breakdowns...)[1-off:]
		if len(dims) == 0 {
			continue // a single cell: checked by TestExternalExportsHaveNoSmallCount
		}
		var cells []disclosure.Cell
		anySmall := false
		seen := map[string]bool{}
		for _, r := range grp.rows {
			k := []string{r.Territory}[:off]
			for _, b := range grp.ind.Breakdowns {
				k = append(k, r.Dims[b])
			}
			v := r.Numerator.Or(0)
			anySmall = anySmall || small(v, p.Threshold)
			status := conf[key(r)]
			if status != export.Free {
				suppressed++
			}
			cells = append(cells, disclosure.Cell{Key: k, Value: v, Status: status})
			seen[strings.Join(k, "\x00")] = true
		}
		cells = completeWithZeros(cells, seen, len(dims))
		for j := len(grp.rows); j < len(cells); j++ {
			// A zero left out of the warehouse, published as a row of its
			// own if the protection hid it.
			full := cells[j].Key
			if off == 0 {
				full = append([]string{export.Total}, full...)
			}
			r := export.Row{Indicator: grp.ind.ID, Dep: grp.rows[0].Dep, Period: grp.rows[0].Period,
				Territory: full[0], Dims: map[string]string{}}
			for d, b := range grp.ind.Breakdowns {
				r.Dims[b] = full[d+1]
			}
			cells[j].Status = conf[key(r)]
		}
		tab, err := disclosure.New(dims, cells)
		if err != nil {
			// Not auditable: every non-zero cell must be hidden if any is small.
			nonAdditive++
			if !anySmall {
				continue
			}
			for _, c := range cells {
				if c.Value != 0 && c.Status == export.Free {
					t.Errorf("%s: non-additive table with a small count publishes %v = %g", g, c.Key, c.Value)
				}
			}
			continue
		}
		// Every small count is suppressed.
		for i, c := range tab.Cells {
			if small(c.Value, p.Threshold) && c.Status == export.Free {
				t.Errorf("%s: small count %s = %g published", g, tab.Key(i), c.Value)
			}
		}
		audits.Go(func() error {
			exposed, err := disclosure.Audit(tab)
			if err != nil {
				return fmt.Errorf("%s: %w", g, err)
			}
			for _, e := range exposed {
				t.Errorf("%s: %s", g, e)
			}
			return nil
		})
		audited++
	}
	if err := audits.Wait(); err != nil {
		t.Fatal(err)
	}
	if suppressed == 0 {
		t.Error("the demo data has no suppressed cell: the audit proves nothing")
	}
	t.Logf("%d tables audited, %d not additive, %d cells suppressed", audited, nonAdditive, suppressed)
}

// completeWithZeros adds the empty combinations (zeros) the warehouse
// leaves out, so that the table is a full hypercube.
func completeWithZeros(cells []disclosure.Cell, seen map[string]bool, ndims int) []disclosure.Cell {
	values := make([][]string, ndims)
	for _, c := range cells {
		for d, v := range c.Key {
			if !slices.Contains(values[d], v) {
				values[d] = append(values[d], v)
			}
		}
	}
	combos := [][]string{{}}
	for _, vs := range values {
		var next [][]string
		for _, prefix := range combos {
			for _, v := range vs {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		combos = next
	}
	for _, k := range combos {
		if !seen[strings.Join(k, "\x00")] {
			cells = append(cells, disclosure.Cell{Key: k})
		}
	}
	return cells
}

func parquetColumns(db *sql.DB, file string) ([]string, error) {
	rows, err := db.Query(`SELECT name FROM parquet_schema(?) WHERE num_children IS NULL`, file)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// TestProfileCarriesItsBreakdowns reads a profile that carries the sex
// breakdown only: its rows are the département's (territory Ensemble),
// summed over every other breakdown, with the warehouse's figures.
func TestProfileCarriesItsBreakdowns(t *testing.T) {
	wh := warehouse(t)
	p, _ := wh.cfg.Export("observatoire")
	p.Name, p.Breakdowns, p.XLSXBreakdowns = "sexe", []string{"sex"}, []string{"sex"}
	ds, err := profile.Dataset(context.Background(), wh.db, p, wh.runID)
	if err != nil {
		t.Fatal(err)
	}
	_, all := wh.dataset(t, "observatoire")
	if !slices.Equal(ds.Dimensions, []string{"sex"}) {
		t.Errorf("dimensions %q, want [sex]", ds.Dimensions)
	}
	ids := make([]string, len(ds.Indicators))
	for i, ind := range ds.Indicators {
		ids[i] = "'" + ind.ID + "'"
		if len(ind.Breakdowns) > 1 || (len(ind.Breakdowns) == 1 && ind.Breakdowns[0] != "sex") {
			t.Errorf("%s: breakdowns %q, want [sex] or none", ind.ID, ind.Breakdowns)
		}
	}
	key := func(ind, dep string, period int, sex string) string {
		return fmt.Sprintf("%s|%s|%d|%s", ind, dep, period, sex)
	}
	got := map[string]export.Row{}
	bySex := 0
	for _, r := range ds.Rows {
		if r.Territory != export.Total {
			t.Fatalf("%s %d: territory %s in a profile that does not carry it", r.Indicator, r.Period, r.Territory)
		}
		for d, v := range r.Dims {
			if d != "sex" && v != export.Total {
				t.Fatalf("%s %d: %s = %s in a profile that does not carry it", r.Indicator, r.Period, d, v)
			}
		}
		sex, ok := r.Dims["sex"]
		if !ok {
			sex = "∅"
		} else if sex != export.Total {
			bySex++
		}
		got[key(r.Indicator, r.Dep, r.Period, sex)] = r
	}
	if bySex == 0 || len(ds.Rows) >= len(all.Rows) {
		t.Fatalf("%d rows (%d by sex) of %d: the demo does not exercise the filter", len(ds.Rows), bySex, len(all.Rows))
	}

	// The warehouse's rows at the département level, every breakdown but
	// sex at its total or absent.
	var where []string
	for _, d := range indicators.Dimensions {
		if d != "sex" {
			where = append(where, fmt.Sprintf("coalesce(%s, 'Ensemble') = 'Ensemble'", d))
		}
	}
	rows, err := wh.db.Query(fmt.Sprintf(`SELECT indicator, dep, period, coalesce(sex, '∅'), numerator, denominator, value
		FROM indicator_values WHERE territory = 'Ensemble' AND %s AND indicator IN (%s)`,
		strings.Join(where, " AND "), strings.Join(ids, ", ")))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var ind, dep, sex string
		var period int
		var num, den, val sql.NullFloat64
		if err := rows.Scan(&ind, &dep, &period, &sex, &num, &den, &val); err != nil {
			t.Fatal(err)
		}
		n++
		k := key(ind, dep, period, sex)
		r, ok := got[k]
		if !ok {
			t.Errorf("%s: in the warehouse, not in the profile", k)
			continue
		}
		for i, pair := range [][2]any{{num, r.Numerator}, {den, r.Denominator}, {val, r.Value}} {
			w, g := pair[0].(sql.NullFloat64), pair[1].(export.Figure)
			if figureOf(w) != g {
				t.Errorf("%s: figure %d is %v in the profile, %v in the warehouse", k, i+1, deref(g), w)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(ds.Rows) {
		t.Errorf("the profile has %d rows, the warehouse %d", len(ds.Rows), n)
	}
	t.Logf("%d rows (%d by sex), of %d with every breakdown", len(ds.Rows), bySex, len(all.Rows))
}

// TestNarrowerWorkbook writes an external profile whose workbook leaves
// out the territories and the services: the workbook holds the protected
// rows of the Parquet files at the département level summed over the
// services, no more, and says where the rest is.
func TestNarrowerWorkbook(t *testing.T) {
	wh := warehouse(t)
	ctx := context.Background()
	cfg := *wh.cfg
	cfg.ExportsDir = t.TempDir()
	p := configs.Export{
		Name: "etroit", Title: "Classeur étroit", Audience: "external", Threshold: 5,
		Formats: []string{"parquet", "xlsx", "feather"}, Layout: "observatoire", Indicators: []string{"*"},
		Breakdowns:     slices.Clone(configs.Breakdowns),
		XLSXBreakdowns: []string{"sex", "age_band", "mode", "category", "public", "event"},
	}
	cfg.Exports = []configs.Export{p}
	w := &profile.Writer{Config: &cfg}
	publish, err := w.Write(ctx, wh.db, wh.runID, "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := publish(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cfg.ExportsDir, p.Name)

	var pqRows, pqKept, pqHidden int
	var pqNum float64
	if err := wh.db.QueryRow(`SELECT count(*),
			count(*) FILTER (territory = 'Ensemble' AND coalesce(service, 'Ensemble') = 'Ensemble'),
			count(*) FILTER (territory = 'Ensemble' AND coalesce(service, 'Ensemble') = 'Ensemble' AND conf <> ''),
			coalesce(sum(numerator) FILTER (territory = 'Ensemble' AND coalesce(service, 'Ensemble') = 'Ensemble'), 0)
		FROM read_parquet(?, union_by_name = true)`, filepath.Join(dir, "parquet", "*.parquet")).Scan(&pqRows, &pqKept, &pqHidden, &pqNum); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(dir, p.Name+".xlsx")
	var wbRows, wbHidden int
	var wbNum float64
	for sheet, rows := range familySheets(t, path) {
		header := rows[0]
		if slices.Contains(header, "Service") {
			t.Errorf("%s: a Service column in a workbook that leaves the services out", sheet)
		}
		territory, status, num := slices.Index(header, "Territoire"), slices.Index(header, "Statut"), slices.Index(header, "Numérateur")
		for _, row := range rows[1:] {
			row = append(row, make([]string, len(header)-len(row))...)
			wbRows++
			if row[territory] != "Ensemble du département" {
				t.Errorf("%s: territory %q in a workbook that leaves the territories out", sheet, row[territory])
			}
			if strings.Contains(row[status], "s") {
				wbHidden++
			}
			if v, err := strconv.ParseFloat(row[num], 64); err == nil {
				wbNum += v
			}
		}
	}
	if wbRows >= pqRows || wbRows != pqKept || wbHidden != pqHidden || math.Abs(wbNum-pqNum) > 1e-6*math.Max(1, pqNum) {
		t.Errorf("workbook: %d rows, %d hidden, numerators summing to %g; Parquet: %d rows, of which %d at the département level "+
			"over every service, %d hidden, numerators summing to %g", wbRows, wbHidden, wbNum, pqRows, pqKept, pqHidden, pqNum)
	}
	if pqHidden == 0 {
		t.Error("no hidden cell in the workbook's rows: the test proves nothing about disclosure")
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	readme, err := f.GetRows("Lisez-moi")
	if err != nil {
		t.Fatal(err)
	}
	want := "Détail par territoire et par service : fichiers Parquet et Arrow du même profil."
	if !slices.ContainsFunc(readme, func(r []string) bool { return slices.Contains(r, want) }) {
		t.Errorf("the Lisez-moi sheet does not say %q", want)
	}
	t.Logf("workbook %d rows (%d hidden), Parquet %d rows", wbRows, wbHidden, pqRows)
}

// TestDemoWorkbookScope: the demo of one département keeps the shipped
// profiles; a demo of several narrows the observatoire workbook to the
// département-level tables.
func TestDemoWorkbookScope(t *testing.T) {
	wh := warehouse(t)
	for _, p := range wh.cfg.Exports {
		if !slices.Equal(p.XLSXBreakdowns, p.Breakdowns) {
			t.Errorf("small demo: %s: xlsx_breakdowns %q, breakdowns %q", p.Name, p.XLSXBreakdowns, p.Breakdowns)
		}
	}
	s := demo.Scale{
		Name: "two", Departements: []string{"2A", "62"}, FirstYear: 2024, LastYear: 2025,
		AsOf: time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC), Children: 20, Services: 1, TrajectServices: 1,
		BirthsDepartements: []string{"2A", "62"},
	}
	path, err := demo.Write(context.Background(), t.TempDir(), s, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path, configs.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sex", "age_band", "mode", "category", "public", "event"}
	for _, p := range cfg.Exports {
		wantXLSX := p.Breakdowns
		if p.Name == "observatoire" {
			wantXLSX = want
		}
		if !slices.Equal(p.XLSXBreakdowns, wantXLSX) {
			t.Errorf("two départements: %s: xlsx_breakdowns %q, want %q", p.Name, p.XLSXBreakdowns, wantXLSX)
		}
	}
}

// TestUnchangedProfilesAreReused: a profile made from the same values with
// the same configuration is linked from its last publication, not written
// again; changing its configuration writes it again.
func TestUnchangedProfilesAreReused(t *testing.T) {
	wh := warehouse(t)
	cfg := *wh.cfg
	cfg.ExportsDir = t.TempDir()
	drees, _ := wh.cfg.Export("drees")
	insee, _ := wh.cfg.Export("insee")
	cfg.Exports = []configs.Export{drees, insee}
	write := func(run string) {
		t.Helper()
		w := &profile.Writer{Config: &cfg}
		publish, err := w.Write(context.Background(), wh.db, wh.runID, run, nil)
		if err == nil {
			err = publish()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	same := func(a, b, file string) bool {
		t.Helper()
		fa, err := os.Stat(filepath.Join(cfg.ExportsDir, ".runs", a, file))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.Stat(filepath.Join(cfg.ExportsDir, ".runs", b, file))
		if err != nil {
			t.Fatal(err)
		}
		return os.SameFile(fa, fb)
	}
	write("1")
	write("2")
	for _, f := range []string{"drees/drees.xlsx", "insee/insee.sdmx.csv", "insee/parquet/ase.parquet"} {
		if !same("1", "2", f) {
			t.Errorf("%s written again from unchanged values", f)
		}
	}
	cfg.Exports[0].Title = "Un autre titre"
	write("3")
	if same("2", "3", "drees/drees.xlsx") {
		t.Error("drees reused after its title changed")
	}
	if !same("2", "3", "insee/insee.sdmx.csv") {
		t.Error("insee written again though nothing of it changed")
	}
	if got, err := os.Readlink(filepath.Join(cfg.ExportsDir, "drees")); err != nil || got != filepath.Join(".runs", "3", "drees") {
		t.Errorf("drees link %q %v", got, err)
	}
	// insee and drees were protected together (same threshold): no longer.
	cfg.Exports[0].Threshold = 6
	write("4")
	if same("3", "4", "insee/insee.sdmx.csv") {
		t.Error("insee reused though its protection is no longer shared with drees")
	}
}

// TestSentFoldersHoldOnlyPublishedFiles: a profile's folder is what is
// sent to its recipient, so it holds its published files and nothing
// else: the fingerprints, indexes and kept rows (the detail a workbook
// leaves out) live in the run's state folder, beside it. Written twice,
// the second time reusing the first.
func TestSentFoldersHoldOnlyPublishedFiles(t *testing.T) {
	wh := warehouse(t)
	cfg := *wh.cfg
	cfg.ExportsDir = t.TempDir()
	for _, run := range []string{"1", "2"} {
		w := &profile.Writer{Config: &cfg}
		publish, err := w.Write(context.Background(), wh.db, wh.runID, run, nil)
		if err == nil {
			err = publish()
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range cfg.Exports {
			dir, err := filepath.EvalSymlinks(filepath.Join(cfg.ExportsDir, p.Name))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				rel = filepath.ToSlash(rel)
				ok := rel == p.Name+".xlsx" || rel == p.Name+".sdmx.csv" || rel == p.Name+".sdmx-structure.xml"
				if m, _ := path_.Match("parquet/*.parquet", rel); m && !strings.HasPrefix(path_.Base(rel), ".") {
					ok = true
				}
				if m, _ := path_.Match("arrow/*.arrow", rel); m && !strings.HasPrefix(path_.Base(rel), ".") {
					ok = true
				}
				if !ok {
					t.Errorf("run %s: %s's folder holds %s, which is not sent", run, p.Name, rel)
				}
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("run %s: %s's folder is empty", run, p.Name)
			}
		}
	}
}

// TestPublicationsHideConsistently: the external profiles are protected
// together. A cell two profiles of one threshold publish is hidden in both
// or in neither; a profile of a higher threshold hides every cell a lower
// one hides. (Otherwise a reader holding both publications could work out
// what one of them hides.)
func TestPublicationsHideConsistently(t *testing.T) {
	wh := warehouse(t)
	cfg := *wh.cfg
	cfg.ExportsDir = t.TempDir()
	cfg.Exports = nil
	for _, name := range []string{"insee", "drees", "odas"} {
		p, _ := wh.cfg.Export(name)
		p.Formats, p.Layout = []string{"parquet"}, "" // read back cell by cell
		cfg.Exports = append(cfg.Exports, p)
	}
	w := &profile.Writer{Config: &cfg}
	publish, err := w.Write(context.Background(), wh.db, wh.runID, "1", nil)
	if err == nil {
		err = publish()
	}
	if err != nil {
		t.Fatal(err)
	}
	// conf of each published cell, keyed by indicator, place, year and
	// the breakdowns that are not totals.
	published := func(name string) map[string]string {
		out := map[string]string{}
		files, _ := filepath.Glob(filepath.Join(cfg.ExportsDir, name, "parquet", "*.parquet"))
		for _, f := range files {
			rows, err := wh.db.Query(`SELECT * FROM read_parquet(?)`, f)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				var key []string
				conf := ""
				for i, c := range cols {
					v := vals[i]
					switch {
					case c == "conf":
						conf = fmt.Sprint(v)
					case c == "indicator" || c == "dep" || c == "period" || c == "territory":
						key = append(key, fmt.Sprint(v))
					case slices.Contains(indicators.Dimensions, c) && v != nil && v != export.Total:
						key = append(key, c+"="+fmt.Sprint(v))
					}
				}
				out[strings.Join(key, "|")] = conf
			}
			rows.Close()
		}
		if len(out) == 0 {
			t.Fatalf("%s: nothing published", name)
		}
		return out
	}
	insee, drees, odas := published("insee"), published("drees"), published("odas")
	hidden := func(conf string) bool { return conf != export.Free.String() }
	common, hiddenBoth := 0, 0
	for k, c := range drees {
		ci, ok := insee[k]
		if !ok {
			continue
		}
		common++
		if hidden(c) != hidden(ci) {
			t.Errorf("%s: drees conf %q, insee conf %q (same threshold)", k, c, ci)
		}
		if hidden(c) {
			hiddenBoth++
		}
	}
	if common == 0 || hiddenBoth == 0 {
		t.Fatalf("insee and drees share %d cells, %d hidden: the test proves nothing", common, hiddenBoth)
	}
	shared := 0
	for k, c := range odas {
		ci, ok := insee[k]
		if !ok {
			continue
		}
		shared++
		if hidden(ci) && !hidden(c) {
			t.Errorf("%s: hidden by insee (threshold 5), published by odas (threshold 11)", k)
		}
	}
	if shared == 0 {
		t.Fatal("insee and odas share no cell: the test proves nothing")
	}
	t.Logf("insee–drees: %d common cells, %d hidden in both; insee–odas: %d common cells", common, hiddenBoth, shared)
}

// TestStrongAudit attacks every external profile's files of the small
// demo together, as an intruder holding all of them, the definitions and
// the public populations would (package intruder), and judges against
// the warehouse's true values: no hidden cell may be recovered exactly,
// no primary cell narrowed below its protection interval.
func TestStrongAudit(t *testing.T) {
	wh := warehouse(t)
	cat, err := refresh.Catalogue(wh.cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := owner.Audit(context.Background(), wh.db, wh.cfg, cat, wh.runID, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Summary() {
		t.Log(l)
	}
	for what, n := range rep.Dropped() {
		t.Logf("left out, broken by the data: %d × %s", n, what)
	}
	if rep.Primary == 0 {
		t.Fatal("no primary cell in the small demo: the audit proves nothing")
	}
	for i, v := range rep.Exposed {
		if i == 400 {
			t.Errorf("… and %d more", len(rep.Exposed)-i)
			break
		}
		t.Error(v)
	}
}
