// Package fostercarers reads the département's HR export of its foster
// carers (assistants familiaux), current and past, into raw.foster_carers:
// a dated snapshot (assistants_familiaux_YYYYMMDD.csv) that supersedes the
// previous one.
//
// The file holds direct identifiers: names are not read, only the birth
// year is kept, and the employee number (Matricule) becomes a keyed
// pseudonym of its own domain (it never joins a child's). Error messages
// never quote these values.
package fostercarers

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/fields"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "foster_carers"

const table = "foster_carers"

// MaxPlaces is the most children a foster carer may be approved for.
const MaxPlaces = 6

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "Foster carers (assistants familiaux): the HR export, a dated snapshot, employee numbers pseudonymised",
		Pattern:     "*.csv",
		Tables:      []string{table},
		Retention:   extract.Supersede,
		NeedsKey:    true,
		Concurrent:  true,
		New:         extract.NoOptions(Kind, job{}),
	})
}

// ErrNoKey is returned when the configuration gives no pseudonymisation key.
var ErrNoKey = errors.New("the configuration has no pseudonymisation key")

const hidden = "(identifier not shown)"

type job struct{}

type columns struct {
	id, birth, commune, territory, approval, places, hire, end, reason frcsv.Col
}

func findColumns(r *frcsv.Reader) (columns, error) {
	var c columns
	if err := r.Columns(
		frcsv.Want{Col: &c.id, Names: []string{"Matricule"}},
		frcsv.Want{Col: &c.birth, Names: []string{"Date de naissance"}},
		frcsv.Want{Col: &c.commune, Names: []string{"Commune de résidence"}},
		frcsv.Want{Col: &c.territory, Names: []string{"Territoire"}},
		frcsv.Want{Col: &c.approval, Names: []string{"Date d'agrément", "Date d’agrément"}},
		frcsv.Want{Col: &c.places, Names: []string{"Places agréées"}},
		frcsv.Want{Col: &c.hire, Names: []string{"Date d'embauche", "Date d’embauche"}},
		frcsv.Want{Col: &c.end, Names: []string{"Date de fin de contrat"}},
		frcsv.Want{Col: &c.reason, Names: []string{"Motif de fin"}},
	); err != nil {
		return c, err
	}
	return c, nil
}

// NameKey implements extract.Namer: the date of the snapshot, from its
// name (a name without one is rejected); the latest snapshot supersedes
// the others.
func (job) NameKey(name string) (string, error) { return fields.SnapshotKey(name) }

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	if env.Pseudonym == nil {
		return 0, fmt.Errorf("foster_carers: %s: %w", f.Name, ErrNoKey)
	}
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	c, err := findColumns(r)
	if err != nil {
		return 0, err
	}
	snapshot, err := fields.DayOf(f.Name)
	if err != nil {
		return 0, err
	}
	place := fields.NewPlace(r, c.commune, c.territory, env)
	reasons := fields.NewVocabulary(extract.CarerEndReasons)
	seen := map[[16]byte]int{}
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		number := r.Get(c.id)
		if number == "" {
			return n, r.Errorf(c.id, "an employee number")
		}
		id := env.Pseudonym("matricule:" + number)
		key := sha256.Sum256([]byte(id))
		if first, dup := seen[[16]byte(key[:16])]; dup {
			return n, hide(r.Errorf(c.id, fmt.Sprintf("an employee number unique in the file (the same as on %s)", r.Where(first))))
		}
		seen[[16]byte(key[:16])] = r.Line()
		birth, ok, err := r.Date(c.birth)
		if err != nil || !ok {
			return n, hide(r.Errorf(c.birth, "a birth date dd/mm/yyyy"))
		}
		commune, territory, err := place.Read()
		if err != nil {
			return n, err
		}
		approval, err := date(r, c.approval)
		if err != nil {
			return n, err
		}
		places, ok, err := r.Count(c.places)
		if err != nil {
			return n, err
		}
		if !ok || places < 1 || places > MaxPlaces {
			return n, r.Errorf(c.places, fmt.Sprintf("a number of places from 1 to %d", MaxPlaces))
		}
		hire, err := date(r, c.hire)
		if err != nil {
			return n, err
		}
		var end any
		e, ok, err := r.Date(c.end)
		if err != nil {
			return n, err
		}
		if ok {
			if e.Before(hire) {
				return n, r.Errorf(c.end, "a date on or after the "+c.hire.Name()+" ("+hire.Format("02/01/2006")+"), or nothing while the contract runs")
			}
			end = e
		}
		reason, err := reasons.Read(r, c.reason, false)
		if err != nil {
			return n, err
		}
		var why any
		if reason != "" {
			if end == nil {
				return n, r.Errorf(c.reason, "nothing while the contract runs (no "+c.end.Name()+")")
			}
			why = reason
		}
		if err := sink.Append(table, env.Departement, snapshot, id, birth.Year(), commune, territory,
			approval, int(places), hire, end, why); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}

// date reads a required date.
func date(r *frcsv.Reader, c frcsv.Col) (time.Time, error) {
	d, ok, err := r.Date(c)
	if err != nil {
		return d, err
	}
	if !ok {
		return d, r.Errorf(c, "a date dd/mm/yyyy")
	}
	return d, nil
}

func hide(e *extract.DataError) *extract.DataError {
	e.Value = hidden
	return e
}
