// Package activityreport reads the annual activity report workbook of a
// prévention spécialisée service (SOURCES.md §1a): its identification, its
// hours by activity category and its public by age band and sex.
//
// Services fill the département's template by hand, so tables are found by
// their title cells, not by fixed addresses (see Sheet.ReadTable, usable by
// any workbook source), and numbers may be typed as French text. Every
// error about the content is a *extract.DataError naming the sheet and the
// cell.
//
// The job registers itself as kind "activity_report".
package activityreport

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Raw tables filled by the job.
const (
	tableReports = "activity_reports"
	tableHours   = "activity_hours"
	tablePublic  = "activity_public"
)

// sourceWorkbook marks hours read from the workbook in raw.activity_hours
// (the TRAJECT planning writes "traject").
const sourceWorkbook = "rapport"

// Kind is the activity report source family.
var Kind = extract.Kind{
	Name:        "activity_report",
	Description: "annual activity report workbook of a prévention spécialisée service (hours by category, public by age and sex)",
	Pattern:     "*.xlsx",
	Tables:      []string{tableReports, tableHours, tablePublic},
	Retention:   extract.Accumulate,
	Concurrent:  true,
	New:         extract.NoOptions("activity_report", job{}),
}

func init() { extract.Register(Kind) }

// options is the job's configuration block: it has no options.
// job loads activity report workbooks.
type job struct{}

// Report is the content of one workbook.
type Report struct {
	ServiceCode       string   // "SPS-62-07"
	ServiceName       string   // may be empty
	Association       string   // managing association, may be empty
	Year              int      // reporting year
	Territory         string   // MDS territory code, resolved by the configuration
	Communes          string   // communes d'intervention, as written
	FTE               *float64 // ETP éducatifs; nil when not given
	CollectiveActions *int64   // nil when the sheet lacks the row

	// Hours has the six categories of extract.ActivityCategories, in that
	// order (0 for a category the workbook lacks).
	Hours []CategoryHours
	// Public has, for `individuel` then `collectif`, each age band of
	// extract.PublicAgeBands in order, girls (F) then boys (M).
	Public []PublicCount

	rows int64 // worksheet rows read
}

// CategoryHours is the number of hours of one activity category.
type CategoryHours struct {
	Category string
	Hours    float64
}

// PublicCount is a number of young people of one public, age band and sex.
type PublicCount struct {
	Public  string // PublicIndividual or PublicCollective
	AgeBand string // canonical age band
	Sex     string // F | M
	Persons int64
}

// Rows returns the number of worksheet rows the report was read from: the
// identification rows, the data rows of the three tables (totals included)
// and the row of collective actions.
func (r *Report) Rows() int64 { return r.rows }

// Read reads a workbook; file names it in errors, territories resolves its
// territory.
func Read(wb *excelize.File, file string, territories *extract.Territories) (*Report, error) {
	rep := &Report{}
	steps := []struct {
		sheet string
		read  func(*Sheet) error
	}{
		{"Identification", func(s *Sheet) error { return readIdentification(s, territories, rep) }},
		{sheetHours, func(s *Sheet) error { return readHours(s, rep) }},
		{sheetPublic, func(s *Sheet) error { return readPublic(s, rep) }},
	}
	for _, step := range steps {
		s, err := ReadSheet(wb, file, step.sheet)
		if err != nil {
			return nil, err
		}
		if err := step.read(s); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// ReadFile opens and reads the workbook at path. A file that is not a
// workbook is rejected (extract.ErrRejected); failing to open it is not.
func ReadFile(path, name string, territories *extract.Territories) (*Report, error) {
	wb, err := frcsv.OpenWorkbook(path)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	return Read(wb, name, territories)
}

// Load reads one workbook and appends its rows: one to
// raw.activity_reports, six to raw.activity_hours, 24 to
// raw.activity_public.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	rep, err := ReadFile(f.Path, f.Name, env.Territories)
	if err != nil {
		return 0, err
	}
	if err := rep.Send(env.Departement, sink); err != nil {
		return rep.Rows(), fmt.Errorf("%s: %w", f.Name, err)
	}
	return rep.Rows(), nil
}

// Send appends the report's rows to sink, for département dep.
func (r *Report) Send(dep string, sink extract.Sink) error {
	var fte, actions any // NULL unless given
	if r.FTE != nil {
		fte = *r.FTE
	}
	if r.CollectiveActions != nil {
		actions = *r.CollectiveActions
	}
	if err := sink.Append(tableReports, dep, r.ServiceCode, r.Year, r.ServiceName, r.Association,
		r.Territory, r.Communes, fte, actions); err != nil {
		return fmt.Errorf("append report: %w", err)
	}
	for _, h := range r.Hours {
		if err := sink.Append(tableHours, dep, r.ServiceCode, r.Year, h.Category, h.Hours,
			sourceWorkbook, nil, nil, nil); err != nil {
			return fmt.Errorf("append hours: %w", err)
		}
	}
	for _, p := range r.Public {
		if err := sink.Append(tablePublic, dep, r.ServiceCode, r.Year, p.Public, p.AgeBand, p.Sex,
			p.Persons); err != nil {
			return fmt.Errorf("append public: %w", err)
		}
	}
	return nil
}
