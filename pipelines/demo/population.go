package demo

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strconv"
)

var populationHeader = []string{"GEO", "GEO_OBJECT", "EP_MEASURE", "FREQ", "SEX", "AGE", "TIME_PERIOD",
	"UNIT_MEASURE", "OBS_STATUS", "OBS_VALUE"}

// ageBands are the Melodi five-year bands, then the open band.
var ageBands = func() []string {
	out := make([]string, 0, 21)
	for a := 0; a < 100; a += 5 {
		out = append(out, "Y"+strconv.Itoa(a)+"T"+strconv.Itoa(a+4))
	}
	return append(out, "Y_GE100")
}()

// pyramid is the relative size of each band by sex (F, M) in a département
// of Pas-de-Calais's shape, from the sample file.
var pyramid = [2][21]float64{
	{48450, 49980, 49470, 47940, 41820, 40800, 43350, 44880, 46920, 48450, 49470, 48960, 45900, 40800, 31620, 22950, 17850, 11220, 4590, 1020, 153},
	{46550, 48020, 47530, 46060, 40180, 39200, 41650, 43120, 45080, 46550, 47530, 47040, 44100, 39200, 30380, 22050, 17150, 10780, 4410, 980, 147},
}

var pyramidTotal = func() (t float64) {
	for _, s := range pyramid {
		for _, v := range s {
			t += v
		}
	}
	return
}()

// girlsShare is the share of girls among births.
const girlsShare = 0.488

// populationOf returns the population at 1 January of year by sex (F, M)
// and band. Children under 20 are the births of the matching cohorts (so
// that rates per child are coherent with the births files); adults follow
// the sample's pyramid, older bands growing with ageing.
func populationOf(dep departement, year int, seed uint64) [2][21]int64 {
	var out [2][21]int64
	for sex := range 2 {
		share := girlsShare
		if sex == 1 {
			share = 1 - girlsShare
		}
		for b := range ageBands {
			var v float64
			if b < 4 {
				var cohort int
				for y := year - 5*(b+1); y < year-5*b; y++ {
					cohort += birthsCount(dep.Code, y, seed)
				}
				v = float64(cohort) * share * (0.995 - 0.005*float64(b))
			} else {
				growth := 1.0
				if b >= 12 { // 60 and over
					growth = math.Pow(1.015, float64(year-2006))
				}
				v = dep.Population * 1000 * pyramid[sex][b] / pyramidTotal * growth
			}
			out[sex][b] = int64(v + 0.5)
		}
	}
	return out
}

// populationTask writes the département's Melodi file and the population
// of its territories in the same layout.
func (g *generator) populationTask(code string) task {
	return func(context.Context) ([]output, error) {
		dep, _ := lookupDepartement(code)
		terrs := g.terr[code]
		depPath := filepath.Join(g.dir, "sources", "insee", "population", "DS_ESTIMATION_POPULATION_DEP-"+code+".csv")
		terrDir := filepath.Join(g.dir, "sources", "insee", "population_territoires")
		if g.multi {
			// Territory-level rows take their département from the folder.
			terrDir = filepath.Join(terrDir, code)
		}
		terrPath := filepath.Join(terrDir, "population_territoires_"+code+".csv")
		dw, err := createCSV(depPath, "\n")
		if err != nil {
			return nil, err
		}
		tw, err := createCSV(terrPath, "\n")
		if err != nil {
			dw.close()
			return nil, err
		}
		dw.header("", populationHeader...)
		tw.header("", populationHeader...)
		weights := make([]float64, len(terrs))
		for i, t := range terrs {
			weights[i] = t.Weight
		}
		perTerr := make([][2][21]int64, len(terrs))
		for y := g.scale.FirstYear; y <= g.scale.LastYear; y++ {
			pop := populationOf(dep, y, g.seed)
			for sex := range 2 {
				for b := range ageBands {
					for i, v := range split(pop[sex][b], weights) {
						perTerr[i][sex][b] = v
					}
				}
			}
			writePopulation(dw, "DEP-"+code, "DEP", y, pop)
			for i, t := range terrs {
				writePopulation(tw, t.Code, "TERR", y, perTerr[i])
			}
		}
		errD, errT := dw.close(), tw.close()
		if errD != nil {
			return nil, errD
		}
		if errT != nil {
			return nil, errT
		}
		// Estimates at 1 January of N are published in January of N+1;
		// the observatory derives its territory figures at the same time.
		for _, p := range []string{depPath, terrPath} {
			if err := stamp(p, dayOf(g.scale.LastYear, 1, 20)); err != nil {
				return nil, err
			}
		}
		return []output{
			{job: JobPopulation, paths: []string{depPath}, rows: dw.rows},
			{job: JobPopulationTerritories, paths: []string{terrPath}, rows: tw.rows},
		}, nil
	}
}

// writePopulation writes one geography's year: F, M then both sexes (_T),
// each by band then all ages (_T).
func writePopulation(w *csvWriter, geo, object string, year int, pop [2][21]int64) {
	prefix := geo + ";" + object + ";POP_JAN_1ST;A;"
	ys := ";" + strconv.Itoa(year) + ";POP;A;"
	row := func(sex, age string, v int64) {
		w.buf = append(w.buf, prefix...)
		w.buf = append(w.buf, sex...)
		w.buf = append(w.buf, ';')
		w.buf = append(w.buf, age...)
		w.buf = append(w.buf, ys...)
		w.buf = strconv.AppendInt(w.buf, v, 10)
		w.endRow()
	}
	var both [21]int64
	for sex, label := range []string{"F", "M"} {
		var all int64
		for b, band := range ageBands {
			row(label, band, pop[sex][b])
			all += pop[sex][b]
			both[b] += pop[sex][b]
		}
		row(label, "_T", all)
	}
	var all int64
	for b, band := range ageBands {
		row("_T", band, both[b])
		all += both[b]
	}
	row("_T", "_T", all)
}

// split divides v in proportion to weights (summing to 1) into integers
// that sum to v exactly (largest remainders).
func split(v int64, weights []float64) []int64 {
	out := make([]int64, len(weights))
	rest := make([]float64, len(weights))
	var given int64
	for i, w := range weights {
		x := float64(v) * w
		out[i] = int64(x)
		rest[i] = x - float64(out[i])
		given += out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rest[a] > rest[b]:
			return -1
		case rest[a] < rest[b]:
			return 1
		}
		return 0
	})
	for i := 0; given < v; i++ {
		out[order[i%len(order)]]++
		given++
	}
	return out
}
