package demo

import (
	"context"
	"path/filepath"
	"strconv"
)

// TrajectLabels are the activity labels of the TRAJECT software that the
// demo configuration maps to the six categories.
var TrajectLabels = []string{
	"Travail de rue", "Atelier collectif", "Accompagnement individuel", "Réunion partenariale",
	"Réunion d'équipe", "Administratif", "Formation continue",
}

var (
	trajectHeader = cp1252All([]string{"Date", "Code service", "Intervenant", "Activité", "Durée", "Commune"})
	trajectLabels = cp1252All(TrajectLabels)
	// frequencies of the labels in the sample planning
	trajectLabel = newTable(78, 127, 57, 38, 59, 30, 11)
	educators    = cp1252All([]string{"Mme Caron", "M. Duhamel", "M. Wallet", "Mme Leroy", "Mme Vasseur",
		"M. Lemaire", "Mme Dupont", "M. Bécourt", "Mme Lefèvre", "M. Carpentier"})
	// durations from 0:30 to 4:00 by half hours, h:mm then decimal
	clockDurations   = []string{"0:30", "1:00", "1:30", "2:00", "2:30", "3:00", "3:30", "4:00"}
	decimalDurations = []string{"0,5", "1,0", "1,5", "2,0", "2,5", "3,0", "3,5", "4,0"}
)

// trajectTask writes the TRAJECT plannings of the département's TRAJECT
// services for the last two years, the current one up to the day before
// the as-of date.
func (g *generator) trajectTask(dep string) task {
	return func(context.Context) ([]output, error) {
		s := g.scale
		out := output{job: JobTraject}
		for _, svc := range g.trajectServices(dep) {
			for y := s.LastYear - 1; y <= s.LastYear; y++ {
				path := filepath.Join(g.depDir(JobTraject, dep), "traject_planning_"+svc.Code+"_"+strconv.Itoa(y)+".csv")
				last, delivered := dayOf(y, 12, 31), dayOf(y+1, 1, 10)
				if y == s.LastYear {
					last, delivered = s.asOf()-1, s.asOf()
				}
				n, err := g.writeTraject(path, svc, dayOf(y, 1, 1), last)
				if err != nil {
					return nil, err
				}
				if err := stamp(path, delivered); err != nil {
					return nil, err
				}
				out.paths = append(out.paths, path)
				out.rows += n
			}
		}
		return []output{out}, nil
	}
}

// writeTraject writes one planning: Windows-1252, CRLF, a few activities
// per educator and working day, outside the summer and Christmas breaks.
func (g *generator) writeTraject(path string, svc service, from, to day) (int64, error) {
	r := newRand(g.seed, "traject", svc.Code, strconv.Itoa(from.year()))
	team := make([]string, 3+r.IntN(2))
	for i, k := range r.Perm(len(educators))[:len(team)] {
		team[i] = educators[k]
	}
	communes := cp1252All(svc.Communes)
	code := ";" + svc.Code + ";"
	w, err := createCSV(path, "\r\n")
	if err != nil {
		return 0, err
	}
	w.header("", trajectHeader...)
	for d := from; d <= to; d++ {
		if !workingDay(d) {
			continue
		}
		for _, who := range team {
			for range poisson(r, 0.9) {
				u := r.Uint64()
				b := d.appendFR(w.buf)
				b = append(b, code...)
				b = append(b, who...)
				b = append(b, ';')
				b = append(b, trajectLabels[trajectLabel.draw(u)]...)
				b = append(b, ';')
				dur := int(u>>12) % len(clockDurations)
				if (u>>20)%4 == 0 {
					b = append(b, decimalDurations[dur]...)
				} else {
					b = append(b, clockDurations[dur]...)
				}
				b = append(b, ';')
				b = append(b, communes[int(u>>24)%len(communes)]...)
				w.buf = b
				w.endRow()
			}
		}
	}
	return w.rows, w.close()
}

// workingDay reports whether the team works on d: weekdays outside public
// holidays, the first half of August and the Christmas week.
func workingDay(d day) bool {
	_, m, dd := d.civil()
	switch {
	case d.weekday() >= 5, m == 8 && dd <= 15, m == 12 && dd >= 24:
		return false
	case m == 1 && dd == 1, m == 5 && (dd == 1 || dd == 8), m == 7 && dd == 14, m == 11 && (dd == 1 || dd == 11):
		return false
	}
	return true
}
