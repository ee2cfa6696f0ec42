// Package profile writes the export profiles of the configuration, in
// three steps (Writer.Read, Run.Write, Run.Publish), one job per file:
//
//   - read.go, dataset.go: what each profile needs is read from the
//     warehouse into export.Datasets (families.go, reuse.go: what did not
//     change since the last publication is not read again);
//   - protect.go (links.go, together.go): disclosure control of the
//     external audiences, without the warehouse;
//   - write.go: each dataset is handed to the formats the profile names,
//     as registered (export.Format: pipelines/export/all), side by side,
//     with the cache of the published rows kept in the state;
//   - publish.go: files are written into a directory of their own per run
//     and published (a link per profile moved atomically) only once the
//     warehouse version they come from is current.
package profile

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/extract"
)

// selected reports whether an indicator id matches one of the profile's
// patterns ("*", "ase_*", "pmi_epp").
func selected(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}

// Dataset reads a profile's rows from the warehouse (before disclosure).
func Dataset(ctx context.Context, db *sql.DB, p configs.Export, runID int64) (*export.Dataset, error) {
	all, err := read(ctx, db, runID, p.Indicators)
	if err != nil {
		return nil, err
	}
	return all.of(p), nil
}

// values is what the warehouse holds for a set of profiles, read once:
// the indicators, their rows (ordered by indicator) and the sources.
type values struct {
	runID      int64
	indicators []export.Indicator
	rows       []export.Row
	sources    []export.Source
	quality    []export.QualityIssue
	links      map[string]indicators.Links // declared disclosure links, by indicator
	// names of the territories and services, by département and code
	territories, services map[export.Place]string
}

// read reads the indicators selected by patterns, with their rows.
func read(ctx context.Context, db *sql.DB, runID int64, patterns []string) (*values, error) {
	v, err := readCatalogue(ctx, db, runID, patterns)
	if err != nil {
		return nil, err
	}
	return v, v.readRows(ctx, db, patterns, nil)
}

// readCatalogue reads the declarations of the indicators selected by
// patterns.
func readCatalogue(ctx context.Context, db *sql.DB, runID int64, patterns []string) (*values, error) {
	v := &values{runID: runID}
	v.links = map[string]indicators.Links{}
	rows, err := db.QueryContext(ctx, `SELECT indicator, label, family, definition, unit, numerator, denominator,
		breakdowns, reference_date, sources, coalesce(convention, ''), is_key, disclosure FROM ind.catalogue ORDER BY family, indicator`)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ind export.Indicator
		var num, den sql.NullString
		var breakdowns, sources []any
		var disclosure sql.NullString
		if err := rows.Scan(&ind.ID, &ind.Label, &ind.Family, &ind.Definition, &ind.Unit, &num, &den,
			&breakdowns, &ind.ReferenceDate, &sources, &ind.Convention, &ind.Key, &disclosure); err != nil {
			return nil, err
		}
		if !selected(patterns, ind.ID) {
			continue
		}
		if disclosure.Valid {
			var d indicators.Disclosure
			if err := json.Unmarshal([]byte(disclosure.String), &d); err != nil {
				return nil, fmt.Errorf("read catalogue: %s: disclosure: %w", ind.ID, err)
			}
			l, err := indicators.ParseLinks(&d)
			if err != nil {
				return nil, fmt.Errorf("read catalogue: %s: %w", ind.ID, err)
			}
			v.links[ind.ID] = l
		}
		ind.Numerator, ind.Denominator = num.String, den.String
		ind.Breakdowns, ind.Sources = strs(breakdowns), strs(sources)
		v.indicators = append(v.indicators, ind)
	}
	return v, rows.Err()
}

// readRows reads the rows of the indicators selected by patterns, of the
// families named (all when nil), and the sources.
func (v *values) readRows(ctx context.Context, db *sql.DB, patterns []string, families map[string]bool) error {
	var inds []export.Indicator
	for _, ind := range v.indicators {
		if selected(patterns, ind.ID) && (families == nil || families[ind.Family]) {
			inds = append(inds, ind)
		}
	}
	var err error
	if len(inds) > 0 {
		if v.rows, err = readRows(ctx, db, inds); err != nil {
			return err
		}
	}
	if v.sources, err = readSources(ctx, db); err != nil {
		return err
	}
	if v.territories, err = readNames(ctx, db, `SELECT DISTINCT ON (dep, territory) dep, territory, territory_label
		FROM core.territories WHERE territory_label IS NOT NULL ORDER BY dep, territory, territory_label`); err != nil {
		return fmt.Errorf("read the territories' names: %w", err)
	}
	if v.services, err = readNames(ctx, db, `SELECT DISTINCT ON (dep, service_code) dep, service_code, service_name
		FROM core.activity_services WHERE service_name IS NOT NULL ORDER BY dep, service_code, year DESC`); err != nil {
		return fmt.Errorf("read the services' names: %w", err)
	}
	v.quality, err = readQuality(ctx, db)
	return err
}

// of returns profile p's dataset: its indicators and a copy of their rows
// (disclosure control changes rows in place; their Dims are shared and
// never changed), within the breakdowns the profile carries.
func (v *values) of(p configs.Export) *export.Dataset {
	ds := &export.Dataset{
		Profile: p.Name, Title: p.Title, Audience: p.Audience, Generated: time.Now(),
		RunID: v.runID, StructureID: p.StructureID, Sources: v.sources, Quality: v.quality,
		Territories: v.territories, Services: v.services,
	}
	if p.Audience == "external" {
		ds.Threshold = p.Threshold
		// Outside the observatory: where the figures come from, in words
		// (no server path, no file hash), and no data-quality counts,
		// which are small counts of their own that disclosure control
		// does not protect.
		ds.Sources, ds.Quality = export.WithoutServerDetail(ds.Sources), nil
	}
	sc := newScope(p.Breakdowns)
	keep := map[string]bool{}
	for _, ind := range v.indicators {
		if !selected(p.Indicators, ind.ID) {
			continue
		}
		ds.Indicators = append(ds.Indicators, sc.indicator(ind))
		keep[ind.ID] = true
	}
	ds.Dimensions = dimensions(ds.Indicators)
	if p.Audience != "external" && sc.all && len(ds.Indicators) == len(v.indicators) && v.rows != nil {
		// Every row as read: shared, since only disclosure control changes
		// rows, and an internal profile has none (saves a copy of millions
		// of rows at national scale).
		ds.Rows = v.rows
		return ds
	}
	ds.Rows = sc.rows(keep, v.rows)
	return ds
}

// narrow returns the part of ds within breakdowns (nil: all of them), and
// the breakdowns of ds it leaves out; ds itself when it leaves none out.
// The rows are copied once, the rest is shared with ds. Territorial says
// that rows not in ds (those of reused families) have territory detail.
func narrow(ds *export.Dataset, breakdowns []string, territorial bool) (*export.Dataset, []string) {
	sc := newScope(breakdowns)
	var omitted []string
	if !sc.territory && (territorial || slices.ContainsFunc(ds.Rows, func(r export.Row) bool { return r.Territory != export.Total })) {
		omitted = append(omitted, "territory")
	}
	for _, d := range ds.Dimensions {
		if !sc.dims[d] {
			omitted = append(omitted, d)
		}
	}
	if sc.all || len(omitted) == 0 {
		return ds, nil
	}
	out := *ds
	out.Indicators = make([]export.Indicator, len(ds.Indicators))
	for i, ind := range ds.Indicators {
		out.Indicators[i] = sc.indicator(ind)
	}
	out.Dimensions = dimensions(out.Indicators)
	out.Rows = sc.rows(nil, ds.Rows)
	return &out, omitted
}

// dimensions lists the breakdowns of inds in display order.
func dimensions(inds []export.Indicator) []string {
	used := map[string]bool{}
	for _, ind := range inds {
		for _, b := range ind.Breakdowns {
			used[b] = true
		}
	}
	var out []string
	for _, d := range indicators.Dimensions {
		if used[d] {
			out = append(out, d)
		}
	}
	return out
}

// scope is the breakdowns a dataset carries: the territory and some
// dimensions. A row is in it if it holds the total (export.Total) of every
// breakdown it does not carry: a dimension it does not carry is absent
// from the row's Dims (the indicator has no such breakdown) or Total.
type scope struct {
	all       bool // every breakdown: rows are kept as they are
	territory bool
	dims      map[string]bool
	// fits caches, per Dims map (rows share a few of them), whether it is
	// in the scope and its reduction to the scope's dimensions.
	fits map[uintptr]fit
}

type fit struct {
	in   bool
	dims map[string]string
}

// newScope returns the scope of breakdowns, nil meaning all of them.
func newScope(breakdowns []string) *scope {
	s := &scope{all: breakdowns == nil, territory: breakdowns == nil, dims: map[string]bool{}, fits: map[uintptr]fit{}}
	for _, b := range breakdowns {
		if b == "territory" {
			s.territory = true
		} else {
			s.dims[b] = true
		}
	}
	if !s.all {
		s.all = s.territory && !slices.ContainsFunc(indicators.Dimensions, func(d string) bool { return !s.dims[d] })
	}
	if s.all {
		s.territory = true
		for _, d := range indicators.Dimensions {
			s.dims[d] = true
		}
	}
	return s
}

// indicator returns ind with the breakdowns of the scope only (a new
// slice: the declaration's is shared).
func (s *scope) indicator(ind export.Indicator) export.Indicator {
	if s.all {
		return ind
	}
	var kept []string
	for _, b := range ind.Breakdowns {
		if s.dims[b] {
			kept = append(kept, b)
		}
	}
	ind.Breakdowns = kept
	return ind
}

// rows returns a copy of the rows, in order, that are in the scope and,
// when keep is not nil, of an indicator keep holds, with the breakdowns
// they do not carry removed from their Dims. They are counted first, so
// that they are copied once into a slice of the right size. Rows come in
// runs of one indicator: keep is looked up once per run, and a run in a
// scope of every breakdown is copied at once.
func (s *scope) rows(keep map[string]bool, rows []export.Row) []export.Row {
	kept := func(yield func([]export.Row) bool) { // runs of one indicator keep holds
		for start, end := range export.Runs(rows, export.SameIndicator) {
			if (keep == nil || keep[rows[start].Indicator]) && !yield(rows[start:end]) {
				return
			}
		}
	}
	n := 0
	for run := range kept {
		for i := range run {
			if s.all || s.in(&run[i]) {
				n++
			}
		}
	}
	// Room for the suppressed rows disclosure control adds (hidden empty
	// combinations: 0.1 % of the rows at national scale), as growing a
	// slice of millions of rows copies them all.
	out := make([]export.Row, 0, n+n/64)
	for run := range kept {
		if s.all {
			out = append(out, run...)
			continue
		}
		for i := range run {
			if r := &run[i]; s.in(r) {
				out = append(out, *r)
				if r.Dims != nil {
					out[len(out)-1].Dims = s.fits[reflect.ValueOf(r.Dims).Pointer()].dims
				}
			}
		}
	}
	return out
}

// in reports whether r is in the scope.
func (s *scope) in(r *export.Row) bool {
	if s.all {
		return true
	}
	if !s.territory && r.Territory != export.Total {
		return false
	}
	if r.Dims == nil {
		return true
	}
	key := reflect.ValueOf(r.Dims).Pointer()
	f, ok := s.fits[key]
	if !ok {
		f = s.fit(r.Dims)
		s.fits[key] = f
	}
	return f.in
}

// fit says whether dims holds the total of every dimension the scope does
// not carry, and returns dims without them (dims itself when it has none,
// nil when nothing is left).
func (s *scope) fit(dims map[string]string) fit {
	drop := 0
	for d, v := range dims {
		if !s.dims[d] {
			if v != export.Total {
				return fit{}
			}
			drop++
		}
	}
	if drop == 0 {
		return fit{in: true, dims: dims}
	}
	if drop == len(dims) {
		return fit{in: true}
	}
	kept := make(map[string]string, len(dims)-drop)
	for d, v := range dims {
		if s.dims[d] {
			kept[d] = v
		}
	}
	return fit{in: true, dims: kept}
}

// readRows reads the values of indicators inds, in the warehouse's order
// (by indicator id), one indicator at a time on as many connections as
// cores, each into its place in one slice: scanning rows through
// database/sql is the cost, and it is per row and column.
func readRows(ctx context.Context, db *sql.DB, inds []export.Indicator) ([]export.Row, error) {
	inds = slices.SortedFunc(slices.Values(inds), func(a, b export.Indicator) int { return strings.Compare(a.ID, b.ID) })
	ids := make([]string, len(inds))
	for i, ind := range inds {
		ids[i] = ind.ID
	}
	counts := map[string]int{}
	rows, err := db.QueryContext(ctx, `SELECT indicator, count(*) FROM ind.values WHERE indicator IN (`+inList(ids)+`) GROUP BY ALL`)
	if err != nil {
		return nil, fmt.Errorf("count values: %w", err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	offsets := make([]int, len(inds)+1)
	for i, id := range ids {
		offsets[i+1] = offsets[i] + counts[id]
	}
	out := make([]export.Row, offsets[len(inds)]) // one allocation: each indicator fills its own range
	next := make(chan int)
	g, gctx := errgroup.WithContext(ctx)
	for range max(1, runtime.GOMAXPROCS(0)) {
		g.Go(func() error {
			in := export.NewInterner()
			for i := range next {
				dst := out[offsets[i]:offsets[i]:offsets[i+1]]
				got, err := scanRows(gctx, db, inds[i], in, dst)
				if err != nil {
					return fmt.Errorf("read values of %s: %w", ids[i], err)
				}
				if len(got) != cap(dst) {
					return fmt.Errorf("read values of %s: %d rows, %d counted", ids[i], len(got), cap(dst))
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for i := range inds {
			select {
			case next <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	return out, g.Wait()
}

// scanRows appends the values of indicator ind to out, sharing their
// strings and breakdown maps (in). It reads ind.values, not the view
// indicator_values whose window over every series costs most of the
// reading, and only the breakdowns ind has (the others are NULL): the rows
// come ordered by département and year, so each row's value of N−1 is in
// the block of rows just read (see series).
func scanRows(ctx context.Context, db *sql.DB, ind export.Indicator, in *export.Interner, out []export.Row) ([]export.Row, error) {
	var dims []string // in the order of indicators.Dimensions, as the rows are sorted
	for _, d := range indicators.Dimensions {
		if slices.Contains(ind.Breakdowns, d) {
			dims = append(dims, d)
		}
	}
	cols, order := "", ""
	for _, d := range dims {
		cols += d + ", "
		order += ", " + d
	}
	query := `SELECT dep, period, territory, ` + cols + `numerator, denominator, value, unit, status
		FROM ind.values WHERE indicator = ?
		ORDER BY dep, period, territory = 'Ensemble' DESC, territory` + order
	start, id := len(out), in.String(ind.ID)
	err := queryDriver(ctx, db, query, []any{ind.ID}, func(rows driver.Rows) error {
		var (
			vals    = make([]driver.Value, 3+len(dims)+5)
			values  = make([]string, len(dims))
			present = make([]bool, len(dims))
		)
		for n := 1; ; n++ {
			if err := rows.Next(vals); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err() // the driver's rows do not watch ctx
			}
			dep, ok1 := vals[0].(string)
			period, ok2 := vals[1].(int32)
			territory, ok3 := vals[2].(string)
			unit, ok4 := vals[len(vals)-2].(string)
			status, ok5 := vals[len(vals)-1].(string)
			if !(ok1 && ok2 && ok3 && ok4 && ok5) {
				return fmt.Errorf("row %d: dep, period, territory, unit and status of types %T, %T, %T, %T, %T",
					len(out)-start, vals[0], vals[1], vals[2], vals[len(vals)-2], vals[len(vals)-1])
			}
			row := export.Row{Indicator: id, Dep: in.String(dep), Period: int(period), Territory: in.String(territory)}
			var err error
			if row.Unit, err = export.ParseUnit(unit); err != nil {
				return fmt.Errorf("row %d: %w", len(out)-start, err)
			}
			if row.Status, err = export.ParseStatus(status); err != nil {
				return fmt.Errorf("row %d: %w", len(out)-start, err)
			}
			for i := range dims {
				values[i], present[i] = vals[3+i].(string)
			}
			row.Dims = in.Dims(dims, values, present)
			for i, p := range [...]*export.Figure{&row.Numerator, &row.Denominator, &row.Value} {
				switch v := vals[3+len(dims)+i].(type) {
				case float64:
					*p = export.Known(v)
				case nil:
				default:
					return fmt.Errorf("row %d: figure of type %T", len(out)-start, v)
				}
			}
			out = append(out, row)
		}
	})
	if err != nil {
		return nil, err
	}
	newSeries().setPrevious(out[start:])
	return out, nil
}

// queryDriver runs query on one connection of db and hands its rows to
// scan as the driver gives them: per row and column, database/sql's Scan
// (a lock, a conversion) cost more than DuckDB producing the value.
func queryDriver(ctx context.Context, db *sql.DB, query string, args []any, scan func(driver.Rows) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("driver connection %T cannot query", dc)
		}
		rows, err := q.QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		return scan(rows)
	})
}

// series finds the value of N−1 of each row of rows read in the order of
// indicator, département and year: a series is the values of one
// indicator, département, territory and combination of breakdowns over
// the years. It keeps the values of the block of rows of one indicator,
// département and year being read, and of the block before it.
type series struct {
	indicator, dep string
	period         int
	last, now      map[seriesKey]export.Figure // the year before's block, this year's
	lastPeriod     int
	// lastIncomplete, nowIncomplete: the series whose value is incomplete
	// in those blocks (no evolution from or against them).
	lastIncomplete, nowIncomplete map[seriesKey]bool
}

// seriesKey is a series within one indicator and département: rows of
// one combination of breakdowns share their Dims map (export.Interner).
type seriesKey struct {
	territory string
	dims      uintptr
}

func newSeries() *series {
	return &series{last: map[seriesKey]export.Figure{}, now: map[seriesKey]export.Figure{},
		lastIncomplete: map[seriesKey]bool{}, nowIncomplete: map[seriesKey]bool{}}
}

// setPrevious sets the N−1 and evolution of rows, the next rows read, as
// the view indicator_values computes them: no evolution from or against
// an incomplete value.
func (s *series) setPrevious(rows []export.Row) {
	for i := range rows {
		r := &rows[i]
		var previousIncomplete bool
		r.Previous, previousIncomplete = s.previous(r)
		if r.Previous.Valid() && !previousIncomplete && r.Status != export.Incomplete {
			r.Evolution = evolution(r.Unit, r.Value, r.Previous.Float64())
		}
	}
}

// previous returns the value of N−1 of r: the value of the same series
// in the year before, if the series has a row that year and a value; and
// whether that value is incomplete.
func (s *series) previous(r *export.Row) (export.Figure, bool) {
	switch {
	case r.Indicator != s.indicator || r.Dep != s.dep:
		s.indicator, s.dep, s.period = r.Indicator, r.Dep, r.Period
		s.lastPeriod = math.MinInt
		clear(s.last)
		clear(s.now)
		clear(s.lastIncomplete)
		clear(s.nowIncomplete)
	case r.Period != s.period:
		s.last, s.now = s.now, s.last
		s.lastIncomplete, s.nowIncomplete = s.nowIncomplete, s.lastIncomplete
		clear(s.now)
		clear(s.nowIncomplete)
		s.lastPeriod, s.period = s.period, r.Period
	}
	key := seriesKey{r.Territory, reflect.ValueOf(r.Dims).Pointer()}
	s.now[key] = r.Value
	if r.Status == export.Incomplete {
		s.nowIncomplete[key] = true
	}
	if s.lastPeriod != r.Period-1 {
		return export.Figure{}, false
	}
	return s.last[key], s.lastIncomplete[key]
}

// evolution is the change from N−1 to N as the view indicator_values
// computes it (see sql/migrations): points for shares and rates, a
// percentage for the rest, none from a zero or to an unknown value.
func evolution(unit export.Unit, value export.Figure, previous float64) export.Figure {
	switch {
	case !value.Valid():
		return export.Figure{}
	case unit == export.Percent || unit == export.PerMille || unit == export.Per100k || unit == export.Ratio:
		return export.Known(value.Float64() - previous)
	case previous == 0:
		return export.Figure{}
	}
	return export.Known(100 * (value.Float64() - previous) / previous)
}

// inList is the SQL list of the quoted ids.
func inList(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + strings.ReplaceAll(id, "'", "''") + "'"
	}
	return strings.Join(quoted, ", ")
}

func readSources(ctx context.Context, db *sql.DB) ([]export.Source, error) {
	// The years INSEE's files speak for are in their rows: their names
	// carry no date.
	rows, err := db.QueryContext(ctx, `SELECT f.job, f.kind, f.path, f.modified_at, f.sha256, f.rows_loaded,
		coalesce(f.name_key, ''), coalesce(f.rel_path, f.path), coalesce(y.first, 0), coalesce(y.last, 0)
		FROM meta.files f LEFT JOIN (
			SELECT file_id, min(year) AS first, max(year) AS last FROM raw.population GROUP BY file_id
			UNION ALL SELECT file_id, min(year), max(year) FROM raw.births GROUP BY file_id) y USING (file_id)
		WHERE f.status = 'loaded' ORDER BY f.job, f.path`)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	var out []export.Source
	for rows.Next() {
		var s export.Source
		var rel string
		if err := rows.Scan(&s.Job, &s.Kind, &s.Path, &s.Modified, &s.SHA256, &s.Rows, &s.NameKey, &rel, &s.FirstYear, &s.LastYear); err != nil {
			return nil, err
		}
		if s.NameKey == "" { // a kind that does not rank its files by name: what the name says all the same
			s.NameKey = extract.RevisionKey(path.Base(filepath.ToSlash(rel)))
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// readNames reads a table of names: département, code, name.
func readNames(ctx context.Context, db *sql.DB, query string) (map[export.Place]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[export.Place]string{}
	for rows.Next() {
		var p export.Place
		var name string
		if err := rows.Scan(&p.Dep, &p.Code, &name); err != nil {
			return nil, err
		}
		out[p] = name
	}
	return out, rows.Err()
}

// readQuality reads the rows left out of the indicators (the table
// quality_issues), the latest years first.
func readQuality(ctx context.Context, db *sql.DB) ([]export.QualityIssue, error) {
	rows, err := db.QueryContext(ctx, `SELECT source, coalesce(dep, ''), coalesce(file, ''), coalesce(period, 0), rule,
		coalesce(indicators, ''), count, unit, coalesce(example, '')
		FROM core.quality_issues ORDER BY period DESC NULLS FIRST, source, dep, rule, file`)
	if err != nil {
		return nil, fmt.Errorf("read quality issues: %w", err)
	}
	defer rows.Close()
	var out []export.QualityIssue
	for rows.Next() {
		var q export.QualityIssue
		if err := rows.Scan(&q.Source, &q.Dep, &q.File, &q.Period, &q.Rule, &q.Indicators, &q.Count, &q.Unit, &q.Example); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

func strs(list []any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}
