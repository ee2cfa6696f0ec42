// Package establishments reads the yearly list of the establishments and
// services authorised (habilités) to take children of the ASE, with their
// FINESS numbers and authorised places (etablissements_YYYY.csv or .xlsx),
// into raw.establishments. The list's year comes from the file's name; a
// later file for the same year replaces the earlier one (revisions), lists
// of other years are kept. Nothing in it identifies a person.
package establishments

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/fields"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "establishments"

const table = "establishments"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "Establishments and services authorised for the ASE: the yearly list with FINESS numbers and places",
		Pattern:     "*",
		Tables:      []string{table},
		Retention:   extract.Accumulate,
		Concurrent:  true,
		New:         extract.NoOptions(Kind, job{}),
	})
}

// finessCode matches a FINESS number: 9 characters, the département's code
// first (2A/2B in Corsica).
var finessCode = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{7}$`)

type job struct{}

type columns struct {
	finess, name, category, commune, territory, places, opened, closed frcsv.Col
}

func open(f extract.File) (*frcsv.Reader, error) {
	switch strings.ToLower(filepath.Ext(f.Path)) {
	case ".xlsx", ".xlsm":
		return frcsv.OpenSheet(f.Path, "")
	case ".csv", ".txt":
		return frcsv.Open(f.Path)
	}
	return nil, extract.Rejectf("%s: expected a .csv or .xlsx file", f.Name)
}

// NameKey implements extract.Namer: the year of the list, then the
// revision its name declares (a name without a year is rejected).
func (job) NameKey(name string) (string, error) { return fields.YearlyKey(name) }

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	r, err := open(f)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var c columns
	if err := r.Columns(
		frcsv.Want{Col: &c.finess, Names: []string{"N° FINESS", "Numéro FINESS", "FINESS"}},
		frcsv.Want{Col: &c.category, Names: []string{"Catégorie"}},
		frcsv.Want{Col: &c.commune, Names: []string{"Commune"}},
		frcsv.Want{Col: &c.territory, Names: []string{"Territoire"}},
		frcsv.Want{Col: &c.places, Names: []string{"Places habilitées ASE"}},
		frcsv.Want{Col: &c.opened, Names: []string{"Date d'ouverture", "Date d’ouverture"}},
		frcsv.Want{Col: &c.closed, Names: []string{"Date de fermeture"}},
	); err != nil {
		return 0, err
	}
	c.name = r.Optional("Raison sociale")
	year, err := fields.YearOf(f.Name)
	if err != nil {
		return 0, err
	}
	place := fields.NewPlace(r, c.commune, c.territory, env)
	categories := fields.NewVocabulary(extract.EstablishmentCategories)
	seen := map[string]int{}
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		finess := strings.ToUpper(strings.ReplaceAll(r.Get(c.finess), " ", ""))
		if !finessCode.MatchString(finess) {
			return n, r.Errorf(c.finess, "a FINESS number of 9 characters (620010000; 2A or 2B first in Corsica)")
		}
		if first, dup := seen[finess]; dup {
			return n, r.Errorf(c.finess, fmt.Sprintf("a FINESS number unique in the file (the same as on %s)", r.Where(first)))
		}
		seen[finess] = r.Line()
		category, err := categories.Read(r, c.category, true)
		if err != nil {
			return n, err
		}
		commune, territory, err := place.Read()
		if err != nil {
			return n, err
		}
		places, ok, err := r.Count(c.places)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, r.Errorf(c.places, "a number of places (0 for a service without places)")
		}
		opened, ok, err := r.Date(c.opened)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, r.Errorf(c.opened, "a date dd/mm/yyyy")
		}
		var closed any
		d, ok, err := r.Date(c.closed)
		if err != nil {
			return n, err
		}
		if ok {
			if d.Before(opened) {
				return n, r.Errorf(c.closed, "a date on or after the "+c.opened.Name()+" ("+opened.Format("02/01/2006")+"), or nothing while it is open")
			}
			closed = d
		}
		var name any
		if s := r.Get(c.name); s != "" {
			name = s
		}
		if err := sink.Append(table, env.Departement, year, finess, name, category, commune, territory,
			int(places), opened, closed); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}
