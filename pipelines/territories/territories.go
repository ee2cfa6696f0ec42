// Package territories reads the territory mapping of a département: which
// MDS territory (maison départementale des solidarités) each commune
// belongs to, as `code_commune;libelle_commune;code_territoire;
// libelle_territoire`. The refresh reads it first (Read) to resolve the
// territories named by every other source; the job of kind `territories`
// also loads it into raw.territories.
package territories

import (
	"context"
	"fmt"
	"regexp"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "territories"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "Territory mapping: commune → MDS territory (code_commune;libelle_commune;code_territoire;libelle_territoire)",
		Pattern:     "*.csv",
		Tables:      []string{"territories"},
		Retention:   extract.Supersede,
		New:         extract.NoOptions("territories", job{}),
	})
}

// options: the job has none, but decoding still rejects unknown keys.
type job struct{}

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	return read(ctx, f.Path, func(e entry) error {
		return sink.Append("territories", env.Departement, e.commune, nullable(e.communeLabel), e.territory, nullable(e.territoryLabel))
	})
}

// Read reads a mapping file (CSV or XLSX) into the Territories that jobs
// receive in their Env.
func Read(path string) (*extract.Territories, error) {
	t := extract.NewTerritories()
	_, err := read(context.Background(), path, func(e entry) error {
		t.Add(e.commune, e.territory, e.territoryLabel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// entry is one line of the mapping.
type entry struct {
	commune, communeLabel, territory, territoryLabel string
}

// communeCode is an INSEE commune code: 62193, 2A004, 97411.
var communeCode = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{3}$`)

// read checks every line of the mapping and hands it to emit.
func read(ctx context.Context, path string, emit func(entry) error) (int64, error) {
	r, err := frcsv.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var cols [4]frcsv.Col
	for i, name := range []string{"code_commune", "libelle_commune", "code_territoire", "libelle_territoire"} {
		if cols[i], err = r.Column(name); err != nil {
			return 0, err
		}
	}
	communeCol, territoryCol := cols[0], cols[2]
	seen := map[string]int{}      // commune -> line
	labels := map[string]string{} // territory code -> label
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		e := entry{r.Get(cols[0]), r.Get(cols[1]), r.Get(cols[2]), r.Get(cols[3])}
		if !communeCode.MatchString(e.commune) {
			return n, r.Errorf(communeCol, "an INSEE commune code of 5 characters (62193, 2A004)")
		}
		if first, dup := seen[e.commune]; dup {
			return n, r.Errorf(communeCol, fmt.Sprintf("each commune once (already on %s)", r.Where(first)))
		}
		seen[e.commune] = r.Line()
		if e.territory == "" {
			return n, r.Errorf(territoryCol, "a territory code")
		}
		if label, ok := labels[e.territory]; ok && label != e.territoryLabel {
			return n, r.Errorf(cols[3], fmt.Sprintf("the same label for every line of territory %s (%q)", e.territory, label))
		}
		labels[e.territory] = e.territoryLabel
		if err := emit(e); err != nil {
			return n, fmt.Errorf("%s: %w", r.Name(), err)
		}
	}
	if err := r.Err(); err != nil {
		return n, err
	}
	if n == 0 {
		return 0, extract.Rejectf("%s: no commune in the mapping", r.Name())
	}
	return n, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
