package demo

import (
	"context"
	"path/filepath"
)

// territoriesTask writes the territory mapping of every département of the
// scale, UTF-8, as the sample territoires_62.csv.
func (g *generator) territoriesTask() task {
	return func(context.Context) ([]output, error) {
		path := filepath.Join(g.dir, "sources", "territoires.csv")
		w, err := createCSV(path, "\n")
		if err != nil {
			return nil, err
		}
		w.header("", "code_commune", "libelle_commune", "code_territoire", "libelle_territoire")
		for _, dep := range g.scale.Departements {
			for _, t := range g.terr[dep] {
				for _, c := range t.Communes {
					w.buf = append(w.buf, c.Code...)
					w.buf = append(w.buf, ';')
					w.buf = append(w.buf, c.Label...)
					w.buf = append(w.buf, ';')
					w.buf = append(w.buf, t.Code...)
					w.buf = append(w.buf, ';')
					w.buf = append(w.buf, t.Label...)
					w.endRow()
				}
			}
		}
		if err := w.close(); err != nil {
			return nil, err
		}
		if err := stamp(path, dayOf(g.scale.FirstYear, 1, 2)); err != nil {
			return nil, err
		}
		return []output{{job: Territories, paths: []string{path}, rows: w.rows}}, nil
	}
}
