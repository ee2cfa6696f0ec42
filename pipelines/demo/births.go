package demo

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
)

// birthsHeader is the header of the INSEE births detail file.
var birthsHeader = []string{"AGEMERE", "AGEXACTM", "ANAIS", "DEPDOMM", "DEPNAIS", "GAGEXAPOM", "GAGPOM",
	"INDLNM", "INDNATM", "MNAIS", "NBENF", "REGDOMM", "REGNAIS", "SEXE"}

// birthsCount is the number of births in year to mothers living in dep
// ("99": abroad). Population figures, PMI counts and the births files all
// use it, so that rates computed from them are coherent.
func birthsCount(dep string, year int, seed uint64) int {
	trend := 1.0
	if year > 2010 { // the decline of the 2010s and 2020s
		trend = math.Pow(0.988, float64(year-2010))
	}
	base := 700.0 // abroad
	if d, ok := lookupDepartement(dep); ok {
		base = d.Population * d.BirthRate
	}
	noise := 1 + 0.02*(newRand(seed, "births-count", dep, strconv.Itoa(year)).Float64()-0.5)
	return int(base*trend*noise + 0.5)
}

// Draw tables of the births file: mother's age 15–49, month, children born
// of the delivery (1, 2, 3), mother born abroad / foreign, sex.
var (
	motherAge = func() *table {
		w := make([]float64, 35)
		for i := range w {
			a := float64(15 + i)
			w[i] = math.Exp(-(a - 30.5) * (a - 30.5) / (2 * 5.3 * 5.3))
		}
		return newTable(w...)
	}()
	birthMonth    = newTable(31, 28.5, 31, 30, 31, 30, 32, 32, 31.5, 31, 29.5, 30.5)
	litterSize    = newTable(983, 16.5, 0.5)
	motherNat     = newTable(80, 7, 13) // "1;1", "2;1", "2;2"
	childSex      = newTable(51.2, 48.8)
	deliveredAway = newTable(96, 4) // in another département of the region
)

var (
	twoDigits = func() (s [100]string) {
		for i := range s {
			s[i] = string(appendTwo(nil, i))
		}
		return
	}()
	natFields  = []string{"1;1;", "2;1;", "2;2;"}
	nbenfField = []string{";1;", ";2;", ";3;"}
	sexFields  = []string{"1", "2"}
)

// regionPeers lists the départements of each region.
var regionPeers = func() map[string][]departement {
	out := map[string][]departement{}
	for _, d := range departements {
		out[d.Region] = append(out[d.Region], d)
	}
	return out
}()

// birthsTask writes naissances_<year>.csv: one row per birth, for every
// département of residence of the scale's births list.
func (g *generator) birthsTask(year int) task {
	return func(ctx context.Context) ([]output, error) {
		path := filepath.Join(g.dir, "sources", "insee", "naissances", "naissances_"+strconv.Itoa(year)+".csv")
		w, err := createCSV(path, "\n")
		if err != nil {
			return nil, err
		}
		w.header("", birthsHeader...)
		r := newRand(g.seed, "births", strconv.Itoa(year))
		ys := strconv.Itoa(year) + ";"
		for _, dep := range g.birthsDepartements() {
			if err := ctx.Err(); err != nil {
				w.close()
				return nil, err
			}
			region, peers := abroad, []departement{{Code: abroad, Region: abroad}}
			if d, ok := lookupDepartement(dep); ok {
				region, peers = d.Region, regionPeers[d.Region]
			}
			home := ys + dep + ";"
			same := dep + ";;;"
			regions := ";" + region + ";"
			for range birthsCount(dep, year, g.seed) {
				u, v := r.Uint64(), r.Uint64()
				age := 15 + motherAge.draw(u)
				exact := age - int(u>>63)
				b := append(w.buf, twoDigits[age]...)
				b = append(b, ';')
				b = append(b, twoDigits[exact]...)
				b = append(b, ';')
				b = append(b, home...)
				nais := region
				if deliveredAway.draw(v) == 1 {
					p := peers[int(v>>32)%len(peers)]
					b = append(b, p.Code...)
					b = append(b, ";;;"...)
					nais = p.Region
				} else {
					b = append(b, same...)
				}
				b = append(b, natFields[motherNat.draw(u>>12)]...)
				b = append(b, twoDigits[1+birthMonth.draw(u>>24)]...)
				b = append(b, nbenfField[litterSize.draw(u>>36)]...)
				b = append(b, regions[1:]...)
				b = append(b, nais...)
				b = append(b, ';')
				b = append(b, sexFields[childSex.draw(u>>48)]...)
				w.buf = b
				w.endRow()
			}
		}
		if err := w.close(); err != nil {
			return nil, err
		}
		// INSEE publishes a year's detail file in the autumn of the next.
		delivered := min(dayOf(year+1, 10, 1), g.scale.asOf())
		if err := stamp(path, delivered); err != nil {
			return nil, err
		}
		return []output{{job: JobBirths, paths: []string{path}, rows: w.rows}}, nil
	}
}

// birthsDepartements lists the départements of residence written in the
// births files.
func (g *generator) birthsDepartements() []string {
	if g.scale.BirthsDepartements != nil {
		return g.scale.BirthsDepartements
	}
	return append(AllDepartements(), abroad)
}
