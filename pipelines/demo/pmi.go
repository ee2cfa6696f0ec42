package demo

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
)

// pmiHeader is the header of the PMI export, as the sample pmi_activite_2011.csv.
var pmiHeader = []string{"Territoire", "Année", "Mois", "EPP réalisés",
	"Patientes suivies par une SF de PMI suite à EPP",
	"Patientes orientées vers un autre professionnel suite à EPP",
	"Contacts puéricultrices", "dont en maternité (puéricultrices)",
	"Contacts sages-femmes", "dont en maternité (sages-femmes)",
	"Séances bilans 3-4 ans", "Enfants vus bilans 3-4 ans"}

// pmiRow is one territory and month; a count of -1 is not reported.
type pmiRow struct {
	territory string
	year      int
	month     int
	counts    [9]int
}

var (
	// activity by month: fewer EPP and contacts in summer and at Christmas.
	pmiSeason = [12]float64{1.05, 1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.6, 1.05, 1.05, 1.05, 0.95}
	// bilans 3-4 ans take place in école maternelle: almost none in summer.
	schoolSeason = [12]float64{1, 1, 1, 1, 1, 1, 0.3, 0.05, 1, 1, 1, 1}
)

const schoolSeasonTotal = 10.35

// pmiMonth draws the counts of one territory and month. births is the
// territory's births of the year, cohort its births four years earlier.
func pmiMonth(r *rand.Rand, births, cohort float64, month int, eppRate, puerRate float64) [9]int {
	var c [9]int
	monthly := births / 12 * pmiSeason[month-1]
	c[0] = poisson(r, monthly*eppRate)
	c[1] = int(float64(c[0])*(0.35+0.25*r.Float64()) + 0.5)
	c[2] = int(float64(c[0])*(0.10+0.15*r.Float64()) + 0.5)
	c[3] = poisson(r, monthly*puerRate)
	c[4] = int(float64(c[3])*(0.25+0.15*r.Float64()) + 0.5)
	c[5] = poisson(r, monthly*0.03)
	c[6] = int(float64(c[5])*(0.3+0.5*r.Float64()) + 0.5)
	c[8] = poisson(r, cohort*0.8*schoolSeason[month-1]/schoolSeasonTotal)
	if c[8] > 0 {
		c[7] = max(1, int(float64(c[8])/(5+3*r.Float64())+0.5))
	}
	if r.IntN(100) == 0 { // a cell left empty: not reported
		c[7+r.IntN(2)] = -1
	}
	return c
}

// pmiYear returns the rows of a year, months 1 to lastMonth for every
// territory. One territory skips August of the middle year of the period.
func (g *generator) pmiYear(dep string, year, lastMonth int) []pmiRow {
	r := newRand(g.seed, "pmi", dep, strconv.Itoa(year))
	births := float64(birthsCount(dep, year, g.seed))
	cohort := float64(birthsCount(dep, year-4, g.seed))
	gap := year == g.scale.FirstYear+g.scale.years()/2
	var rows []pmiRow
	for i, t := range g.terr[dep] {
		eppRate := 0.10 + 0.02*r.Float64()
		puerRate := 3.4 + 0.8*r.Float64()
		for m := 1; m <= lastMonth; m++ {
			c := pmiMonth(r, births*t.Weight, cohort*t.Weight, m, eppRate, puerRate)
			if gap && i == 1 && m == 8 {
				continue
			}
			rows = append(rows, pmiRow{t.Code, year, m, c})
		}
	}
	return rows
}

// pmiTask writes one export per year (one of them as .xlsx), the last year
// incomplete, and a revision of three months of an earlier year.
func (g *generator) pmiTask(dep string) task {
	return func(context.Context) ([]output, error) {
		s := g.scale
		dir := g.depDir(JobPMI, dep)
		out := output{job: JobPMI}
		xlsxYear := min(s.FirstYear+1, s.LastYear-1)
		for y := s.FirstYear; y <= s.LastYear; y++ {
			lastMonth, delivered := 12, dayOf(y+1, 1, 25)
			if y == s.LastYear {
				lastMonth, delivered = int(s.AsOf.Month())-1, s.asOf()-3
			}
			rows := g.pmiYear(dep, y, lastMonth)
			name := "pmi_activite_" + strconv.Itoa(y)
			write := writePMICSV
			if y == xlsxYear {
				name, write = name+".xlsx", writePMIXLSX
			} else {
				name += ".csv"
			}
			path := filepath.Join(dir, name)
			if err := write(path, rows); err != nil {
				return nil, err
			}
			if err := stamp(path, delivered); err != nil {
				return nil, err
			}
			out.paths = append(out.paths, path)
			out.rows += int64(len(rows))
		}
		if s.LastYear-2 >= s.FirstYear {
			path, n, err := g.pmiRevision(dep, s.LastYear-2)
			if err != nil {
				return nil, err
			}
			out.paths = append(out.paths, path)
			out.rows += n
		}
		return []output{out}, nil
	}
}

// pmiRevision re-states March to May of year with corrected figures, in a
// file delivered months after the year's own.
func (g *generator) pmiRevision(dep string, year int) (string, int64, error) {
	r := newRand(g.seed, "pmi-revision", dep, strconv.Itoa(year))
	var rows []pmiRow
	for _, row := range g.pmiYear(dep, year, 12) {
		if row.month < 3 || row.month > 5 {
			continue
		}
		for i, v := range row.counts {
			if v > 0 {
				row.counts[i] = int(float64(v)*(0.9+0.25*r.Float64()) + 0.5)
			}
		}
		fixDependent(&row.counts)
		rows = append(rows, row)
	}
	path := filepath.Join(g.depDir(JobPMI, dep), "pmi_activite_"+strconv.Itoa(year)+"_rectificatif.csv")
	if err := writePMICSV(path, rows); err != nil {
		return "", 0, err
	}
	return path, int64(len(rows)), stamp(path, dayOf(year+1, 6, 15))
}

// fixDependent keeps "dont" counts within their totals and follow-ups
// within the EPP carried out.
func fixDependent(c *[9]int) {
	c[1], c[2] = min(c[1], c[0]), min(c[2], c[0])
	c[4], c[6] = min(c[4], c[3]), min(c[6], c[5])
}

// writePMICSV writes rows as the PMI system exports them: UTF-8 with BOM,
// ';', counts of 1,000 and more with a no-break space between thousands.
func writePMICSV(path string, rows []pmiRow) error {
	w, err := createCSV(path, "\n")
	if err != nil {
		return err
	}
	w.header(bom, pmiHeader...)
	for _, row := range rows {
		b := append(w.buf, row.territory...)
		b = append(b, ';')
		b = strconv.AppendInt(b, int64(row.year), 10)
		b = append(b, ';')
		b = strconv.AppendInt(b, int64(row.month), 10)
		for _, v := range row.counts {
			b = append(b, ';')
			if v >= 0 {
				b = appendCount(b, int64(v), nbsp)
			}
		}
		w.buf = b
		w.endRow()
	}
	return w.close()
}

// writePMIXLSX writes rows on the first sheet of a workbook, same columns.
func writePMIXLSX(path string, rows []pmiRow) error {
	f := newWorkbook()
	defer f.Close()
	sh := newSheet(f, path, "Export PMI", true)
	header := make([]any, len(pmiHeader))
	for i, h := range pmiHeader {
		header[i] = h
	}
	sh.add(header...)
	for _, row := range rows {
		cells := make([]any, 0, len(pmiHeader))
		cells = append(cells, row.territory, row.year, row.month)
		for _, v := range row.counts {
			if v < 0 {
				cells = append(cells, nil)
			} else {
				cells = append(cells, v)
			}
		}
		sh.add(cells...)
	}
	if err := sh.flush(); err != nil {
		return err
	}
	return saveWorkbook(f, path)
}
