// Package owner runs the intruder's attack (package intruder) as the data
// owner does, to audit a warehouse's exports: it writes every external
// profile into a folder of its own, reads the published files back, gives
// them with the definitions to the intruder, and judges what the intruder
// learnt against the true values of the warehouse. It also measures what
// the protection costs each profile: the cells it hides and the share of
// the counts they carry.
//
// A profile whose only format is a workbook is read from that workbook,
// as its recipient reads it: an observatoire-layout workbook (odas) by
// intruder.ReadWorkbook, a DREES-layout one by intruder.ReadDreesWorkbook.
// Readers of the audit's own, independent of the writer's code.
package owner

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/intruder"
	"github.com/odpe/odpe/pipelines/export/profile"
)

// Loss is what the protection hides of one profile.
type Loss struct {
	Profile   string
	Cells     int     // published rows that count children (every unit but hours, shares and rates whose numerator is declared as other cells)
	Hidden    int     // of them hidden
	Total     float64 // sum of their true numerators
	HiddenSum float64 // sum of the hidden ones' true numerators
	// DepTotals and DepTotalsHidden: the département totals of counts
	// (territory and every breakdown "Ensemble"), the most read figures.
	DepTotals, DepTotalsHidden int
	// DepTotalsLarge and DepTotalsLargeHidden: those of them at least
	// the highest threshold of the external profiles (a small count is
	// hidden as such: only larger ones can be spared).
	DepTotalsLarge, DepTotalsLargeHidden int
	// HiddenTotals names the hidden département totals and their values.
	HiddenTotals []string `json:"-"`
}

// Share is HiddenSum / Total.
func (l Loss) Share() float64 {
	if l.Total == 0 {
		return 0
	}
	return l.HiddenSum / l.Total
}

// Report is the outcome of an audit.
type Report struct {
	Profiles  []string
	Hidden    int // hidden cells no file prints
	Exposed   []intruder.Verdict
	Recovered int // of Exposed
	Narrowed  int
	Primary   int // hidden cells that are small counts
	Result    *intruder.Result
	Loss      []Loss
	Protect   time.Duration // writing the external profiles (disclosure control included)
	Attack    time.Duration
}

// Audit writes the external profiles of cfg from the warehouse version
// runID of db into dir (a fresh folder), attacks them and judges.
func Audit(ctx context.Context, db *sql.DB, cfg *configs.Config, cat *indicators.Catalogue, runID int64, dir string) (*Report, error) {
	c := *cfg
	c.ExportsDir = dir
	c.Exports = nil
	for _, p := range cfg.Exports {
		if p.Audience != "external" {
			continue
		}
		if !slices.Contains(p.Formats, "parquet") && !slices.Contains(p.Formats, "feather") && !readsWorkbook(p) {
			p.Formats = append(slices.Clone(p.Formats), "parquet")
		}
		c.Exports = append(c.Exports, p)
	}
	if len(c.Exports) == 0 {
		return nil, fmt.Errorf("owner: no external profile to audit")
	}
	rep := &Report{}
	highest := 0
	for _, p := range c.Exports {
		highest = max(highest, p.Threshold)
	}
	start := time.Now()
	w := &profile.Writer{Config: &c}
	publish, err := w.Write(ctx, db, runID, "audit", nil)
	if err == nil {
		err = publish()
	}
	if err != nil {
		return nil, fmt.Errorf("owner: write the external profiles: %w", err)
	}
	rep.Protect = time.Since(start)

	truth, err := Truth(ctx, db, runID)
	if err != nil {
		return nil, err
	}
	att, err := intruder.New(cat)
	if err != nil {
		return nil, err
	}
	for _, p := range c.Exports {
		folder, err := filepath.EvalSymlinks(filepath.Join(dir, p.Name))
		if err != nil {
			return nil, err
		}
		var rows []export.Row
		switch {
		case readsWorkbook(p) && p.Layout == "drees":
			rows, err = intruder.ReadDreesWorkbook(filepath.Join(folder, p.Name+".xlsx"), cat, cfg.Departement)
		case readsWorkbook(p):
			rows, err = intruder.ReadWorkbook(filepath.Join(folder, p.Name+".xlsx"), cfg.Departement)
		default:
			rows, err = intruder.ReadProfile(folder)
		}
		if err != nil {
			return nil, err
		}
		att.Add(p.Name, p.Threshold, rows)
		rep.Profiles = append(rep.Profiles, p.Name)
		rep.Loss = append(rep.Loss, loss(p.Name, rows, truth, cat, highest))
	}
	start = time.Now()
	res, err := att.Run(truth)
	if err != nil {
		return nil, err
	}
	rep.Attack = time.Since(start)
	rep.Result = res
	rep.Hidden = len(res.Intervals)
	for c, t := range res.Thresholds {
		if v := truth[c]; v > 0 && v < float64(t) {
			rep.Primary++
		}
	}
	if rep.Exposed, err = intruder.Judge(res, truth); err != nil {
		return nil, err
	}
	for _, v := range rep.Exposed {
		if v.Reason == "recovered" {
			rep.Recovered++
		} else {
			rep.Narrowed++
		}
	}
	return rep, nil
}

// readsWorkbook reports whether the audit reads profile p's workbook
// itself (intruder.ReadWorkbook or ReadDreesWorkbook): a workbook with
// neither Parquet nor Arrow files beside it.
func readsWorkbook(p configs.Export) bool {
	return slices.Contains(p.Formats, "xlsx") &&
		!slices.Contains(p.Formats, "parquet") && !slices.Contains(p.Formats, "feather")
}

// Truth reads every indicator's true numerators from the warehouse, as
// the data owner knows them.
func Truth(ctx context.Context, db *sql.DB, runID int64) (map[intruder.Cell]float64, error) {
	ds, err := profile.Dataset(ctx, db, configs.Export{Name: "truth", Audience: "internal", Indicators: []string{"*"}}, runID)
	if err != nil {
		return nil, fmt.Errorf("owner: read the true values: %w", err)
	}
	out := make(map[intruder.Cell]float64, len(ds.Rows))
	for i := range ds.Rows {
		r := &ds.Rows[i]
		out[intruder.CellOf(r)] = r.Numerator.Float64()
	}
	return out, nil
}

func loss(name string, rows []export.Row, truth map[intruder.Cell]float64, cat *indicators.Catalogue, highest int) Loss {
	l := Loss{Profile: name}
	for i := range rows {
		r := &rows[i]
		d, ok := cat.Get(r.Indicator)
		if !ok || d.Unit == "hours" || (d.Disclosure != nil && d.Disclosure.Numerator != "") {
			continue // hours count no child; a share's cells are its numerator's
		}
		c := intruder.CellOf(r)
		v := truth[c]
		hidden := r.Conf != export.Free
		l.Cells++
		if d.Unit == "count" {
			l.Total += v
		}
		if hidden {
			l.Hidden++
			if d.Unit == "count" {
				l.HiddenSum += v
			}
		}
		if d.Unit == "count" && c.Territory == export.Total && c.Dims == "" {
			l.DepTotals++
			large := v >= float64(highest)
			if large {
				l.DepTotalsLarge++
			}
			if hidden {
				l.DepTotalsHidden++
				l.HiddenTotals = append(l.HiddenTotals, fmt.Sprintf("%s = %g", c, v))
				if large {
					l.DepTotalsLargeHidden++
				}
			}
		}
	}
	return l
}

// Summary is a few lines for people.
func (r *Report) Summary() []string {
	res := r.Result
	out := []string{fmt.Sprintf("strong audit of %v: %d hidden cells (%d primary), %d constraints in %d parts (largest %d hidden cells); recovered exactly %d, primary narrowed %d; %d constraints the data break left out; attack %s",
		r.Profiles, r.Hidden, r.Primary, res.Constraints, res.Components, res.Largest, r.Recovered, r.Narrowed, len(res.Dropped), r.Attack.Round(time.Millisecond))}
	for _, l := range r.Loss {
		out = append(out, fmt.Sprintf("  %s: %d of %d cells hidden (%.1f %%), carrying %.2f %% of the counts; %d of %d département totals hidden, %d of the %d not small",
			l.Profile, l.Hidden, l.Cells, 100*float64(l.Hidden)/float64(max(1, l.Cells)), 100*l.Share(), l.DepTotalsHidden, l.DepTotals, l.DepTotalsLargeHidden, l.DepTotalsLarge))
	}
	return out
}

// Dropped counts the constraints the data break, by what they are.
func (r *Report) Dropped() map[string]int {
	m := map[string]int{}
	for _, d := range r.Result.Dropped {
		m[d]++
	}
	return m
}

// TempDir is a fresh folder for Audit, under dir ("" for the system's).
func TempDir(dir string) (string, func(), error) {
	d, err := os.MkdirTemp(dir, "odpe-audit-")
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}
