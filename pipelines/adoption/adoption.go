// Package adoption reads the procedural events of the adoption and
// pupilles service (requests, admissions as pupille de l'État, placements
// and judgments) into raw.adoption_events. Children are identified by the
// same keyed pseudonym as in the ASE extract, so the two join; the file
// number itself never leaves this package, not even in error messages.
package adoption

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "adoption"

const table = "adoption_events"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "Adoption and pupilles events, pseudonymised like the ASE extract",
		Pattern:     "*.csv",
		Tables:      []string{table},
		Retention:   extract.Accumulate,
		Concurrent:  true,
		NeedsKey:    true,
		New:         extract.NoOptions("adoption", job{}),
	})
}

// ErrNoKey is returned when the configuration gives no pseudonymisation key.
var ErrNoKey = errors.New("the configuration has no pseudonymisation key")

type job struct{}

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	if env.Pseudonym == nil {
		return 0, fmt.Errorf("adoption: %s: %w", f.Name, ErrNoKey)
	}
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	child, err := r.Column("N° individu", "Numéro individu")
	if err != nil {
		return 0, err
	}
	date, err := r.Column("Date")
	if err != nil {
		return 0, err
	}
	event, err := r.Column("Événement")
	if err != nil {
		return 0, err
	}
	court := r.Optional("Juridiction")
	events := frcsv.NewMemo(func(s string) (string, bool) {
		return extract.Canonical(extract.AdoptionEvents, strings.ReplaceAll(s, "’", "'"))
	})
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		id := r.Get(child)
		if id == "" {
			return n, r.Errorf(child, "a file number")
		}
		day, ok, err := r.Date(date)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, r.Errorf(date, "a date dd/mm/yyyy")
		}
		ev, ok := events.Get(r.Get(event))
		if !ok {
			return n, r.Errorf(event, "one of: "+strings.Join(extract.AdoptionEvents, ", "))
		}
		var jurisdiction any
		if s := r.Get(court); s != "" {
			jurisdiction = s
		}
		if err := sink.Append(table, env.Departement, env.Pseudonym(id), day, ev, jurisdiction); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}
