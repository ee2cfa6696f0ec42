package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"github.com/odpe/odpe/pipelines/extract"
)

// adoptionHeader is the header of the adoption service's file (UTF-8).
var adoptionHeader = []string{"N° individu", "Date", "Événement", "Juridiction"}

// childrenOf returns the number of children followed in dep: the scale's
// average, weighted by the département's population.
func (g *generator) childrenOf(dep string) int {
	var total float64
	for _, code := range g.scale.Departements {
		d, _ := lookupDepartement(code)
		total += d.Population
	}
	d, _ := lookupDepartement(dep)
	avg := total / float64(len(g.scale.Departements))
	return max(1, int(math.Round(float64(g.scale.Children)*d.Population/avg)))
}

// dated is an adoption event of one child, for the files by year.
type dated struct {
	child string
	event
	jurisdiction string
}

// aseTask writes the département's ASE extract dated AsOf (with the places
// of accueil, SOURCES.md §7c), the adoption events of its pupilles, one
// file per year, the CRIP's register, the foster carers' HR export and the
// establishments' lists.
func (g *generator) aseTask(dep string) task {
	return func(ctx context.Context) ([]output, error) {
		s := g.scale
		n := g.childrenOf(dep)
		m := &model{
			r:            newRand(g.seed, "ase", dep),
			first:        dayOf(s.FirstYear-4, 1, 1),
			asOf:         s.asOf(),
			pupilleShare: min(0.2, max(0.008, 2*float64(s.years())/float64(n))),
			law2016:      dayOf(2016, 3, 14),
		}
		y, mo, d := s.asOf().civil()
		name := "ase_mesures_" + strconv.Itoa(y) + string(appendTwo(appendTwo(nil, mo), d)) + ".csv"
		path := filepath.Join(g.depDir(JobASE, dep), name)
		w, err := createCSV(path, "\r\n")
		if err != nil {
			return nil, err
		}
		w.header("", aseHeader...)
		est := g.establishmentsOf(dep)
		events, kids, err := g.writeCases(ctx, w, dep, n, m, g.newPlacer(dep, est))
		if cerr := w.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if err := stamp(path, s.asOf()); err != nil {
			return nil, err
		}
		adoption, err := g.writeAdoption(dep, events)
		if err != nil {
			return nil, err
		}
		crip, err := g.writeCRIP(dep, kids)
		if err != nil {
			return nil, err
		}
		carers, err := g.writeFosterCarers(dep)
		if err != nil {
			return nil, err
		}
		lists, err := g.writeEstablishments(dep, est)
		if err != nil {
			return nil, err
		}
		return []output{{job: JobASE, paths: []string{path}, rows: w.rows}, adoption, crip, carers, lists}, nil
	}
}

// writeCases draws n children and writes their measures, with the place of
// each accueil drawn by place, returning the adoption events of the
// pupilles among them and what the CRIP's register needs of each child.
func (g *generator) writeCases(ctx context.Context, w *csvWriter, dep string, n int, m *model, place *placer) ([]dated, []kid, error) {
	terrs := g.terr[dep]
	weights := make([]float64, len(terrs))
	for i, t := range terrs {
		weights[i] = t.Weight
	}
	pickTerr := newTable(weights...)
	r := m.r
	var (
		events  []dated
		kids    = make([]kid, 0, n)
		c       childCase
		id      = 100000
		measure = 0
		prefix  []byte
	)
	for i := range n {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		id += 1 + r.IntN(13)
		m.child(&c)
		ti := pickTerr.pick(r)
		t := terrs[ti]
		commune := t.Communes[r.IntN(len(t.Communes))].Code
		if chance(r, 0.04) {
			commune = ""
		}
		sex, first := "M", boysNames
		girl := isGirl(c.measures, r)
		if girl {
			sex, first = "F", girlsNames
		}
		if len(c.measures) > 0 {
			kids = append(kids, kid{id: id, birth: c.birth, firstStart: c.measures[0].start, territory: ti, commune: commune, girl: girl})
		}
		childID := "D" + strconv.Itoa(id)
		prefix = append(prefix[:0], childID...)
		prefix = append(prefix, ';')
		prefix = append(prefix, surnames[r.IntN(len(surnames))]...)
		prefix = append(prefix, ';')
		prefix = append(prefix, first[r.IntN(len(first))]...)
		prefix = append(prefix, ';')
		prefix = c.birth.appendFR(prefix)
		prefix = append(prefix, ';')
		prefix = append(prefix, sex...)
		prefix = append(prefix, ';')
		prefix = append(prefix, commune...)
		prefix = append(prefix, ';')
		prefix = append(prefix, t.Code...)
		prefix = append(prefix, ";M"...)
		for _, ms := range c.measures {
			measure++
			b := append(w.buf, prefix...)
			b = appendPadded(b, measure, 7)
			b = append(b, ';')
			b = append(b, natureCadre[ms.nature]...)
			if ms.mode != noMode {
				b = append(b, modes[ms.mode]...)
			}
			b = append(b, ';')
			b = ms.start.appendFR(b)
			b = append(b, ';')
			if ms.end != ongoing {
				b = ms.end.appendFR(b)
				b = append(b, ';')
				b = append(b, motifs[ms.motif]...)
			} else {
				b = append(b, ';')
			}
			w.buf = place.appendPlace(b, ms.mode, ti)
			w.endRow()
		}
		for _, e := range c.events {
			events = append(events, dated{childID, e, t.Jurisdiction})
		}
	}
	return events, kids, nil
}

// isGirl draws the child's sex: most unaccompanied minors are boys.
func isGirl(ms []measure, r *rand.Rand) bool {
	p := 0.45
	if len(ms) > 0 && ms[0].nature == natMNA {
		p = 0.1
	}
	return r.Float64() < p
}

// appendPadded appends n with leading zeros to width digits.
func appendPadded(b []byte, n, width int) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(n), 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// writeAdoption writes the events of the period, one file per year with
// events.
func (g *generator) writeAdoption(dep string, events []dated) (output, error) {
	s := g.scale
	out := output{job: JobAdoption}
	byYear := map[int][]dated{}
	for _, e := range events {
		if y := e.date.year(); y >= s.FirstYear && y <= s.LastYear {
			byYear[y] = append(byYear[y], e)
		}
	}
	for y := s.FirstYear; y <= s.LastYear; y++ {
		if len(byYear[y]) == 0 {
			continue
		}
		path := filepath.Join(g.depDir(JobAdoption, dep), "adoption_evenements_"+strconv.Itoa(y)+".csv")
		w, err := createCSV(path, "\n")
		if err != nil {
			return out, err
		}
		w.header("", adoptionHeader...)
		for _, e := range byYear[y] {
			w.buf = append(w.buf, e.child...)
			w.buf = append(w.buf, ';')
			w.buf = e.date.appendFR(w.buf)
			w.buf = append(w.buf, ';')
			w.buf = append(w.buf, extract.AdoptionEvents[e.kind]...)
			w.buf = append(w.buf, ';')
			if e.court {
				w.buf = append(w.buf, e.jurisdiction...)
			}
			w.endRow()
		}
		if err := w.close(); err != nil {
			return out, err
		}
		delivered := min(dayOf(y+1, 1, 15), s.asOf())
		if err := stamp(path, delivered); err != nil {
			return out, err
		}
		out.paths = append(out.paths, path)
		out.rows += w.rows
	}
	return out, nil
}
