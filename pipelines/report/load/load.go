// Package load gathers a report's input from a configuration: the
// indicators' declarations, their rows of the configuration's
// département — every value of the warehouse (the view indicator_values)
// for the internal report, the rows an external profile publishes for its
// report (read from its published files, or, when it has none yet, from
// files written by the export code into a temporary folder) — the names
// of territories and services, and what the data-quality page shows. Its
// Source is what report.Handler serves and `odpe report` writes.
package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/parquet"
	"github.com/odpe/odpe/pipelines/export/profile"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/report"
)

// Options choose the report.
type Options struct {
	// Profile is the export profile the report is made for; "" for the
	// internal report of every indicator. An external profile's report
	// shows only what the profile publishes.
	Profile string
	// Year is the report's year; 0 for the latest year with values.
	Year   int
	Logger *slog.Logger
}

// Source makes the report of a configuration (report.Source).
type Source struct {
	cfg  *configs.Config
	opts Options
	prof *configs.Export // nil for the internal report
}

// New returns the Source of the report opts chooses. An unknown profile
// is an error naming the known ones.
func New(cfg *configs.Config, opts Options) (*Source, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Source{cfg: cfg, opts: opts}
	if opts.Profile != "" {
		var names []string
		for i := range cfg.Exports {
			names = append(names, cfg.Exports[i].Name)
			if cfg.Exports[i].Name == opts.Profile {
				s.prof = &cfg.Exports[i]
			}
		}
		if s.prof == nil {
			return nil, fmt.Errorf("report: unknown profile %q (the configuration has %s)", opts.Profile, strings.Join(names, ", "))
		}
	}
	return s, nil
}

// Handler returns the HTTP handler of the report opts chooses, for a
// listener to mount (authentication is the listener's business).
func Handler(cfg *configs.Config, opts Options) (*report.Handler, error) {
	s, err := New(cfg, opts)
	if err != nil {
		return nil, err
	}
	return report.NewHandler(s, opts.Logger), nil
}

// external reports whether the report is an external profile's.
func (s *Source) external() bool { return s.prof != nil && s.prof.Audience == "external" }

// Version identifies the warehouse version and, for an external profile,
// its publication: a refresh or an export changes it.
func (s *Source) Version() (string, error) {
	cur, err := refresh.Store(s.cfg).Current()
	if err != nil {
		return "", err
	}
	if s.external() {
		pub, err := filepath.EvalSymlinks(filepath.Join(s.cfg.ExportsDir, s.prof.Name))
		if err == nil {
			cur += "|" + pub
		}
	}
	return cur, nil
}

// Load makes the report.
func (s *Source) Load(ctx context.Context) (*report.Report, error) {
	in, err := s.Input(ctx)
	if err != nil {
		return nil, err
	}
	return report.Build(in), nil
}

// Input gathers the report's input.
func (s *Source) Input(ctx context.Context) (*report.Input, error) {
	cat, err := refresh.Catalogue(s.cfg)
	if err != nil {
		return nil, err
	}
	db, err := refresh.Store(s.cfg).OpenReadOnly(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer db.Close()
	var runID int64
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(run_id), 0) FROM ind.values").Scan(&runID); err != nil {
		return nil, fmt.Errorf("report: read the warehouse: %w", err)
	}
	in := &report.Input{
		Dep: s.cfg.Departement, DepName: report.DepName(s.cfg.Departement), Year: s.opts.Year,
		Generated: time.Now(), Internal: !s.external(),
		Title: "Rapport annuel de l'observatoire départemental de la protection de l'enfance",
	}
	patterns := []string{"*"}
	if s.prof != nil {
		patterns = s.prof.Indicators
		in.Profile = s.prof.Name
	}
	var ds *export.Dataset
	if s.external() {
		in.Threshold = s.prof.Threshold
		if s.prof.Title != "" {
			in.Title = s.prof.Title
		}
		ds, in.Origin, err = s.published(ctx, db, runID)
	} else {
		ds = &export.Dataset{}
		ds.Rows, err = readDep(ctx, db, s.cfg.Departement, cat, patterns)
		in.Origin = "de l'entrepôt (toutes les valeurs, sans secret statistique)"
	}
	if err != nil {
		return nil, err
	}
	in.Rows = ds.Rows
	for _, d := range cat.List {
		if selected(patterns, d.ID) {
			in.Declarations = append(in.Declarations, d)
		}
	}
	if in.Territories, err = names(ctx, db, `SELECT DISTINCT ON (territory) territory, territory_label FROM core.territories
		WHERE dep = ? AND territory_label IS NOT NULL ORDER BY territory`, s.cfg.Departement); err != nil {
		return nil, err
	}
	if in.Services, err = names(ctx, db, `SELECT DISTINCT ON (service_code) service_code, service_name FROM core.activity_services
		WHERE dep = ? AND service_name IS NOT NULL ORDER BY service_code, year DESC`, s.cfg.Departement); err != nil {
		return nil, err
	}
	if in.Quality, err = quality(ctx, db, in.Internal); err != nil {
		return nil, err
	}
	return in, nil
}

// readDep reads every value of the département's indicators that
// patterns select, with its N−1 and evolution, from the view
// indicator_values (which defines them): the rows of one département only,
// where an export reads every département's (a national warehouse holds a
// hundred).
func readDep(ctx context.Context, db *sql.DB, dep string, cat *indicators.Catalogue, patterns []string) ([]export.Row, error) {
	rows, err := db.QueryContext(ctx, `SELECT indicator, period, territory, service, category, public, sex, age_band, mode, event,
		numerator, denominator, value, unit, status, previous_value, evolution
		FROM indicator_values WHERE dep = ? ORDER BY indicator, period, territory = 'Ensemble' DESC, territory, service, category, public, sex, age_band, mode, event`, dep)
	if err != nil {
		return nil, fmt.Errorf("report: read the values of %s: %w", dep, err)
	}
	defer rows.Close()
	in := export.NewInterner()
	dims := indicators.Dimensions
	var (
		out            []export.Row
		ind, territory string
		unit, status   string
		period         int
		dv             = make([]sql.NullString, len(dims))
		values         = make([]string, len(dims))
		present        = make([]bool, len(dims))
		figs           [5]sql.NullFloat64
	)
	dest := []any{&ind, &period, &territory}
	for i := range dv {
		dest = append(dest, &dv[i])
	}
	dest = append(dest, &figs[0], &figs[1], &figs[2], &unit, &status, &figs[3], &figs[4])
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("report: read the values of %s: %w", dep, err)
		}
		if d, ok := cat.Get(ind); !ok || !selected(patterns, d.ID) {
			continue
		}
		r := export.Row{Indicator: in.String(ind), Dep: dep, Period: period, Territory: in.String(territory)}
		for i := range dv {
			values[i], present[i] = dv[i].String, dv[i].Valid
		}
		r.Dims = in.Dims(dims, values, present)
		for i, f := range []*export.Figure{&r.Numerator, &r.Denominator, &r.Value, &r.Previous, &r.Evolution} {
			if figs[i].Valid {
				*f = export.Known(figs[i].Float64)
			}
		}
		if r.Unit, err = export.ParseUnit(unit); err != nil {
			return nil, fmt.Errorf("report: %s %d %s: %w", ind, period, territory, err)
		}
		if r.Status, err = export.ParseStatus(status); err != nil {
			return nil, fmt.Errorf("report: %s %d %s: %w", ind, period, territory, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// selected reports whether id matches one of a profile's patterns.
func selected(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}

// names reads a code → name table.
func names(ctx context.Context, db *sql.DB, query string, args ...any) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report: read names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		out[code] = name
	}
	return out, rows.Err()
}

// published reads the rows an external profile publishes: from its
// published files, or, when it was never published, from the files the
// export code writes for it into a temporary folder (disclosure control
// is that of the exports, with the profiles it is protected with).
func (s *Source) published(ctx context.Context, db *sql.DB, runID int64) (*export.Dataset, string, error) {
	dir := filepath.Join(s.cfg.ExportsDir, s.prof.Name)
	origin := fmt.Sprintf("des fichiers publiés du profil « %s »", s.prof.Name)
	if _, err := profile.PublishedRows(dir); errors.Is(err, fs.ErrNotExist) {
		tmp, err := os.MkdirTemp("", "odpe-report-")
		if err != nil {
			return nil, "", err
		}
		defer os.RemoveAll(tmp)
		cfg := *s.cfg
		cfg.ExportsDir = tmp
		w := &profile.Writer{Config: &cfg, Logger: s.opts.Logger}
		r, err := w.Read(ctx, db, runID, "rapport", []string{s.prof.Name})
		if err != nil {
			return nil, "", fmt.Errorf("report: export profile %s: %w", s.prof.Name, err)
		}
		if err := r.Write(ctx); err != nil {
			return nil, "", fmt.Errorf("report: export profile %s: %w", s.prof.Name, err)
		}
		dir = filepath.Join(tmp, ".runs", "rapport", s.prof.Name)
		origin = fmt.Sprintf("des lignes que publierait le profil « %s » (jamais publié : calculées par le code des exports)", s.prof.Name)
	}
	ds, err := ReadPublished(dir, s.cfg.Departement)
	return ds, origin, err
}

// ReadPublished reads the rows of a published profile's directory, those
// of département dep only unless dep is "".
func ReadPublished(dir, dep string) (*export.Dataset, error) {
	fams, err := profile.PublishedRows(dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	ds := &export.Dataset{}
	rd := arrowrows.NewReader()
	for fam, p := range fams {
		var rows []export.Row // the family's, of every département
		if strings.HasSuffix(p, ".parquet") {
			rows, err = parquet.ReadRows(p, rd, nil)
		} else {
			rows, err = feather.ReadRows(p, rd, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("report: published rows of family %s: %w", fam, err)
		}
		if dep == "" {
			ds.Rows = append(ds.Rows, rows...)
			continue
		}
		for _, r := range rows { // a national publication holds a hundred départements
			if r.Dep == dep {
				ds.Rows = append(ds.Rows, r)
			}
		}
	}
	return ds, nil
}

// quality reads what the data-quality page shows.
func quality(ctx context.Context, db *sql.DB, internal bool) (report.Quality, error) {
	var q report.Quality
	rows, err := db.QueryContext(ctx, `SELECT job, min(kind), count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'rejected'),
		coalesce(sum(rows_loaded) FILTER (WHERE status = 'loaded'), 0)::BIGINT FROM meta.files GROUP BY job ORDER BY job`)
	if err != nil {
		return q, fmt.Errorf("report: read files: %w", err)
	}
	for rows.Next() {
		var f report.FileCount
		if err := rows.Scan(&f.Job, &f.Kind, &f.Loaded, &f.Rejected, &f.Rows); err != nil {
			rows.Close()
			return q, err
		}
		q.Files = append(q.Files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return q, err
	}
	rows, err = db.QueryContext(ctx, `SELECT job, kind, path, coalesce(error, '') FROM meta.files WHERE status = 'rejected' ORDER BY job, path`)
	if err != nil {
		return q, fmt.Errorf("report: read rejected files: %w", err)
	}
	for rows.Next() {
		var r report.Rejected
		if err := rows.Scan(&r.Job, &r.Kind, &r.File, &r.Error); err != nil {
			rows.Close()
			return q, err
		}
		r.File = filepath.Base(r.File)
		if !internal {
			// An error quotes the file's values: the internal report only.
			r.Error = "voir le rapport interne"
		}
		q.Rejected = append(q.Rejected, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return q, err
	}
	var last sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT max(finished_at) FROM meta.runs WHERE status IN ('success', 'partial')`).Scan(&last); err != nil {
		return q, fmt.Errorf("report: read runs: %w", err)
	}
	q.LastRun = last.Time
	if internal {
		q.OutOfScope, err = outOfScope(ctx, db)
	}
	return q, err
}

// columnNames are the French headings of quality_issues' usual columns.
var columnNames = map[string]string{
	"source": "Source", "job": "Source", "file": "Fichier", "path": "Fichier", "rule": "Règle",
	"reason": "Motif", "count": "Lignes", "rows": "Lignes", "indicator": "Indicateur",
	"year": "Année", "period": "Année", "dep": "Département", "indicators": "Indicateurs", "unit": "Unité",
}

// outOfScope reads the rows excluded from the indicators, when the
// warehouse has a quality_issues table (in any schema); nil otherwise.
// Its columns are shown as they are, but for those that might hold a
// record's key.
func outOfScope(ctx context.Context, db *sql.DB) (*report.Table, error) {
	var schema string
	err := db.QueryRowContext(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'quality_issues'
		ORDER BY table_schema = 'meta' DESC, table_schema LIMIT 1`).Scan(&schema)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: look for quality_issues: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(schema, `"`, `""`)+`".quality_issues LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("report: read %s.quality_issues: %w", schema, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var keep []int
	t := &report.Table{}
	for i, c := range cols {
		if strings.Contains(strings.ToLower(c), "example") || strings.Contains(strings.ToLower(c), "key") {
			continue
		}
		keep = append(keep, i)
		if fr, ok := columnNames[strings.ToLower(c)]; ok {
			c = fr
		}
		t.Columns = append(t.Columns, c)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, 0, len(keep))
		for _, i := range keep {
			switch v := vals[i].(type) {
			case nil:
				row = append(row, "")
			case float64:
				row = append(row, report.Number(v, 0))
			case int64:
				row = append(row, report.Number(float64(v), 0))
			case int32:
				row = append(row, report.Number(float64(v), 0))
			default:
				s := fmt.Sprint(v)
				if strings.ContainsRune(s, '/') {
					s = filepath.Base(s)
				}
				row = append(row, s)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}
