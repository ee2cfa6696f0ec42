// Package crip reads the register of the cellule de recueil des
// informations préoccupantes (CRIP): one row per child per information
// préoccupante (IP), its reception, origin, main danger, evaluation and
// what followed, into raw.crip_ips. The register is exported as a dated
// full snapshot (crip_ip_YYYYMMDD.csv) that supersedes the previous one.
//
// The file holds direct identifiers, which never leave this package: names
// are not read, the birth date is reduced to year and month, the child's
// number becomes the same keyed pseudonym as in the ASE extract (so that an
// IP joins the child's measures) and the IP's number a pseudonym of its own
// domain (it is not a person's identifier, but it is the register's key:
// IPs are counted by it, siblings share it). Error messages, stored in the
// warehouse, never quote these values.
package crip

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/fields"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "crip"

const table = "crip_ips"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "Informations préoccupantes: the CRIP's register, a dated full snapshot, pseudonymised like the ASE extract",
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

// hidden replaces identifying values in error messages.
const hidden = "(identifier not shown)"

// Prosecutor is the outcome that requires a date of transmission.
const Prosecutor = "Signalement au procureur"

type job struct{}

type columns struct {
	ip, child, birth, sex, commune, territory  frcsv.Col
	received, origin, danger, evaluated, issue frcsv.Col
	prosecutor                                 frcsv.Col
}

func findColumns(r *frcsv.Reader) (columns, error) {
	var c columns
	if err := r.Columns(
		frcsv.Want{Col: &c.ip, Names: []string{"N° IP", "Numéro IP"}},
		frcsv.Want{Col: &c.child, Names: []string{"N° individu", "Numéro individu"}},
		frcsv.Want{Col: &c.birth, Names: []string{"Date de naissance"}},
		frcsv.Want{Col: &c.sex, Names: []string{"Sexe"}},
		frcsv.Want{Col: &c.commune, Names: []string{"Commune de résidence"}},
		frcsv.Want{Col: &c.territory, Names: []string{"Territoire"}},
		frcsv.Want{Col: &c.received, Names: []string{"Date de réception"}},
		frcsv.Want{Col: &c.origin, Names: []string{"Origine"}},
		frcsv.Want{Col: &c.danger, Names: []string{"Danger principal"}},
		frcsv.Want{Col: &c.evaluated, Names: []string{"Date de fin d'évaluation", "Date de fin d’évaluation"}},
		frcsv.Want{Col: &c.issue, Names: []string{"Suite donnée"}},
		frcsv.Want{Col: &c.prosecutor, Names: []string{"Date de transmission au parquet"}},
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
		return 0, fmt.Errorf("crip: %s: %w", f.Name, ErrNoKey)
	}
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snapshot, err := fields.DayOf(f.Name)
	if err != nil {
		return 0, err
	}
	cols, err := findColumns(r)
	if err != nil {
		return 0, err
	}
	p := &parser{
		r: r, c: cols, env: env, snapshot: snapshot, seen: map[[16]byte]int{},
		place:    fields.NewPlace(r, cols.commune, cols.territory, env),
		origins:  fields.NewVocabulary(extract.IPOrigins),
		dangers:  fields.NewVocabulary(extract.IPDangers),
		outcomes: fields.NewVocabulary(extract.IPOutcomes),
	}
	var n int64
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		row, err := p.row()
		if err != nil {
			return n, err
		}
		if err := sink.Append(table, row...); err != nil {
			return n, fmt.Errorf("%s: %s: %w", f.Name, r.Where(r.Line()), err)
		}
	}
	return n, r.Err()
}

type parser struct {
	r                          *frcsv.Reader
	c                          columns
	env                        *extract.Env
	snapshot                   time.Time
	seen                       map[[16]byte]int // digest of IP and child pseudonyms -> line
	place                      *fields.Place
	origins, dangers, outcomes *fields.Vocabulary
}

// row reads the current record as the values of raw.crip_ips.
func (p *parser) row() ([]any, error) {
	r, c := p.r, p.c
	ipNumber, childNumber := r.Get(c.ip), r.Get(c.child)
	if ipNumber == "" {
		return nil, r.Errorf(c.ip, "an IP number")
	}
	if childNumber == "" {
		return nil, r.Errorf(c.child, "a file number")
	}
	ip, child := p.env.Pseudonym("ip:"+ipNumber), p.env.Pseudonym(childNumber)
	key := digest(ip + child)
	if first, dup := p.seen[key]; dup {
		return nil, hide(r.Errorf(c.ip, fmt.Sprintf("an IP number and N° individu unique in the file (the same as on %s)", r.Where(first))))
	}
	p.seen[key] = r.Line()

	var birthYear, birthMonth any
	birth, ok, err := r.Date(c.birth)
	if err != nil {
		return nil, hide(r.Errorf(c.birth, "a birth date dd/mm/yyyy, or nothing for an unborn child"))
	}
	if ok {
		birthYear, birthMonth = birth.Year(), int(birth.Month())
	}
	var sex any
	if s := r.Get(c.sex); s != "" {
		v, ok := sexes[extract.Normalize(s)]
		if !ok {
			return nil, r.Errorf(c.sex, "M, F, Masculin, Féminin, 1 or 2, or nothing for an unborn child")
		}
		sex = v
	}
	commune, territory, err := p.place.Read()
	if err != nil {
		return nil, err
	}
	rec, err := p.date(c.received, time.Time{}, true)
	if err != nil {
		return nil, err
	}
	received := rec.(time.Time)
	origin, err := p.origins.Read(r, c.origin, true)
	if err != nil {
		return nil, err
	}
	danger, err := p.dangers.Read(r, c.danger, true)
	if err != nil {
		return nil, err
	}
	evaluated, err := p.date(c.evaluated, received, false)
	if err != nil {
		return nil, err
	}
	outcome, err := p.outcomes.Read(r, c.issue, false)
	if err != nil {
		return nil, err
	}
	switch {
	case outcome == "" && evaluated != nil:
		return nil, r.Errorf(c.issue, "the suite given to an evaluation that ended on "+r.Get(c.evaluated)+" (one of: "+strings.Join(extract.IPOutcomes, ", ")+")")
	case outcome != "" && evaluated == nil:
		return nil, r.Errorf(c.evaluated, "the date the evaluation ended, since its suite is given ("+outcome+")")
	}
	prosecutor, err := p.date(c.prosecutor, received, false)
	if err != nil {
		return nil, err
	}
	if outcome == Prosecutor && prosecutor == nil {
		return nil, r.Errorf(c.prosecutor, "the date of transmission to the prosecutor, required when the suite is "+Prosecutor)
	}
	var out any
	if outcome != "" {
		out = outcome
	}
	return []any{p.env.Departement, p.snapshot, ip, child, birthYear, birthMonth, sex, commune, territory,
		received, origin, danger, evaluated, out, prosecutor}, nil
}

// date reads a date column not before `after` (when set): a time.Time, or
// nil for an empty optional cell.
func (p *parser) date(c frcsv.Col, after time.Time, required bool) (any, error) {
	r := p.r
	d, ok, err := r.Date(c)
	if err != nil {
		return nil, err
	}
	if !ok {
		if required {
			return nil, r.Errorf(c, "a date dd/mm/yyyy")
		}
		return nil, nil
	}
	if !after.IsZero() && d.Before(after) {
		return nil, r.Errorf(c, "a date on or after the "+p.c.received.Name()+" ("+after.Format("02/01/2006")+"), or nothing")
	}
	return d, nil
}

// sexes maps the spellings of Sexe (normalised) to M or F, as in the ASE
// extract.
var sexes = map[string]string{
	"m": "M", "masculin": "M", "1": "M",
	"f": "F", "feminin": "F", "2": "F",
}

func digest(s string) [16]byte {
	sum := sha256.Sum256([]byte(s))
	return [16]byte(sum[:16])
}

func hide(e *extract.DataError) *extract.DataError {
	e.Value = hidden
	return e
}
