// Package ase reads the nightly full extract of the child-welfare (ASE,
// aide sociale à l'enfance) software: one row per measure, current and
// past, into raw.ase_measures. Each night's file supersedes the previous.
//
// The file holds direct identifiers, which never leave this package: names
// are not read at all, the birth date is reduced to year and month, and the
// child's and the measure's numbers become keyed pseudonyms. Error messages
// (kept in the warehouse) never quote an identifying value.
package ase

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// Kind is the name of the job kind in the configuration.
const Kind = "ase"

const table = "ase_measures"

func init() {
	extract.Register(extract.Kind{
		Name:        Kind,
		Description: "ASE measures: nightly full extract of the child-welfare software, pseudonymised",
		Pattern:     "*.csv",
		Tables:      []string{table},
		Retention:   extract.Supersede,
		NeedsKey:    true,
		// One département's extract (a few hundred thousand measures at
		// most) fits in memory: a national refresh parses several at once.
		Concurrent: true,
		New:        New,
	})
}

// DefaultNameDate is the name of an extract, with the date it was taken.
const DefaultNameDate = "ase_mesures_YYYYMMDD.csv"

// Options is the job's configuration block.
type Options struct {
	// NameDate is the name of an extract, where YYYY, MM and DD stand for
	// the date it was taken and "*" for any text (DefaultNameDate when
	// empty). A file whose name carries no date is rejected: the date of
	// the extract is never its modification time.
	NameDate string `yaml:"name_date"`
}

// New makes the job from its options.
func New(opts extract.Options) (extract.Job, error) {
	var o Options
	if opts != nil {
		if err := opts.Decode(&o); err != nil {
			return nil, fmt.Errorf("ase options: %w", err)
		}
	}
	if o.NameDate == "" {
		o.NameDate = DefaultNameDate
	}
	t, err := extract.ParseDateTemplate(o.NameDate)
	if err != nil {
		return nil, fmt.Errorf("ase options: name_date: %w", err)
	}
	return job{names: t}, nil
}

// NameKey implements extract.Namer: the date of the extract, from its
// name. A later extract supersedes the earlier ones; values at 31
// December of a year not over on that date are provisional.
func (j job) NameKey(name string) (string, error) {
	if j.names == nil {
		j.names, _ = extract.ParseDateTemplate(DefaultNameDate)
	}
	d, err := j.names.Date(name)
	if err != nil {
		return "", err
	}
	return extract.DateKey(d.Year(), int(d.Month()), d.Day(), 0), nil
}

// ErrNoKey is returned when the configuration gives no pseudonymisation key.
var ErrNoKey = errors.New("the configuration has no pseudonymisation key")

// hidden replaces identifying values in error messages.
const hidden = "(identifier not shown)"

type job struct {
	names *extract.DateTemplate
}

// columns are the columns the job reads. Nom and Prénom are not among
// them.
type columns struct {
	child, birth, sex, commune, territory            frcsv.Col
	measure, nature, cadre, mode, start, end, reason frcsv.Col
	// Where the accueil takes place (SOURCES.md §7c): optional, newer
	// exports only.
	placeCommune, placeFiness frcsv.Col
}

func findColumns(r *frcsv.Reader) (columns, error) {
	var c columns
	if err := r.Columns(
		frcsv.Want{Col: &c.child, Names: []string{"N° individu", "Numéro individu"}},
		frcsv.Want{Col: &c.birth, Names: []string{"Date de naissance"}},
		frcsv.Want{Col: &c.sex, Names: []string{"Sexe"}},
		frcsv.Want{Col: &c.commune, Names: []string{"Commune de résidence"}},
		frcsv.Want{Col: &c.territory, Names: []string{"Territoire"}},
		frcsv.Want{Col: &c.measure, Names: []string{"N° mesure", "Numéro mesure"}},
		frcsv.Want{Col: &c.nature, Names: []string{"Nature de la mesure"}},
		frcsv.Want{Col: &c.cadre, Names: []string{"Cadre"}},
		frcsv.Want{Col: &c.mode, Names: []string{"Mode d'accueil", "Mode d’accueil"}},
		frcsv.Want{Col: &c.start, Names: []string{"Date de début"}},
		frcsv.Want{Col: &c.end, Names: []string{"Date de fin"}},
	); err != nil {
		return c, err
	}
	c.reason = r.Optional("Motif de fin")
	c.placeCommune = r.Optional("Commune du lieu d'accueil", "Commune du lieu d’accueil")
	c.placeFiness = r.Optional("N° FINESS du lieu d'accueil", "N° FINESS du lieu d’accueil")
	return c, nil
}

// Load implements extract.Job.
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	if env.Pseudonym == nil {
		return 0, fmt.Errorf("ase: %s: %w", f.Name, ErrNoKey)
	}
	r, err := frcsv.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cols, err := findColumns(r)
	if err != nil {
		return 0, err
	}
	p := newParser(r, cols, env)
	var n int64
	// The rows are kept until every measure of each child is known: sized
	// from the file (a line of the extract takes 100 bytes or more) so that
	// the slices are not grown and copied again and again.
	capacity := min(f.Size/100+16, 1<<22)
	rows := make([][]any, 0, capacity)
	children := make([]string, 0, capacity)
	numbers := make([]string, 0, capacity) // the measures' numbers as written, to rank them; never stored
	for r.Next() {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		m, err := p.measure()
		if err != nil {
			return n, err
		}
		rows = append(rows, m.values(env.Departement))
		children = append(children, m.child)
		numbers = append(numbers, r.Get(cols.measure))
	}
	if err := r.Err(); err != nil {
		return n, err
	}
	for i, order := range rankMeasures(children, numbers) {
		row := rows[i]
		row[orderColumn] = order
		if err := sink.Append(table, row...); err != nil {
			return n, fmt.Errorf("%s: measure %d: %w", f.Name, i+1, err)
		}
	}
	return n, nil
}

// rankMeasures returns the order of each measure among its child's (the
// children's pseudonyms, the measures' numbers): the rank of its number
// (compared as numbers where they are digits) in the file, from 1. The
// conformed tables break ties between a child's measures with it (the
// earliest recorded first): the pseudonyms have no order of their own.
func rankMeasures(children, numbers []string) []int {
	orders := make([]int, len(children))
	byChild := make(map[string][]int, len(children)/2)
	for i, c := range children {
		byChild[c] = append(byChild[c], i)
	}
	for _, idx := range byChild {
		if len(idx) > 1 {
			slices.SortFunc(idx, func(a, b int) int { return naturalCompare(numbers[a], numbers[b]) })
		}
		for rank, i := range idx {
			orders[i] = rank + 1
		}
	}
	return orders
}

// naturalCompare compares two measure numbers, runs of digits as numbers:
// "M-9" < "M-10", "00012" = "12" then by their text.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			x, y := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if c := cmp.Compare(len(x), len(y)); c != 0 {
				return c
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(a[i], b[j]); c != 0 {
			return c
		}
		i, j = i+1, j+1
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// measure is one row as stored.
type measure struct {
	child                 string
	birthYear, birthMonth int
	sex                   string
	commune               any // string or nil
	territory             string
	id, nature, cadre     string
	mode                  any // string or nil
	start                 time.Time
	end                   any // time.Time or nil
	reason                any // string or nil
	placeCommune          any // string or nil
	placeFiness           any // string or nil
	placeColumns          bool
}

// orderColumn is the place of measure_order among a measure's values.
const orderColumn = 14

func (m *measure) values(dep string) []any {
	return []any{dep, m.child, m.birthYear, m.birthMonth, m.sex, m.commune, m.territory,
		m.id, m.nature, m.cadre, m.mode, m.start, m.end, m.reason,
		0, // measure_order (orderColumn): set by Load once the file is read
		m.placeCommune, m.placeFiness, m.placeColumns}
}

// parser reads the current record of r into a measure.
type parser struct {
	r    *frcsv.Reader
	c    columns
	env  *extract.Env
	seen map[[16]byte]int // measure pseudonym digest -> line

	// Lookups of category values, cached.
	sexes, territories, natures, frames, modes *frcsv.Memo[string]
}

func newParser(r *frcsv.Reader, c columns, env *extract.Env) *parser {
	vocabulary := func(list []string) *frcsv.Memo[string] {
		return frcsv.NewMemo(func(s string) (string, bool) {
			return extract.Canonical(list, strings.ReplaceAll(s, "’", "'"))
		})
	}
	return &parser{
		r: r, c: c, env: env, seen: map[[16]byte]int{},
		sexes: frcsv.NewMemo(func(s string) (string, bool) {
			v, ok := sexes[extract.Normalize(s)]
			return v, ok
		}),
		territories: frcsv.NewMemo(env.Territories.Resolve),
		natures:     vocabulary(extract.MeasureNatures),
		frames:      vocabulary(extract.MeasureFrames),
		modes:       vocabulary(extract.AccueilModes),
	}
}

var communeCode = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{3}$`)

func (p *parser) measure() (measure, error) {
	r, c := p.r, p.c
	var m measure
	var err error

	child := r.Get(c.child)
	if child == "" {
		return m, r.Errorf(c.child, "a file number")
	}
	m.child = p.env.Pseudonym(child)

	birth, ok, err := r.Date(c.birth)
	if err != nil || !ok {
		return m, hide(r.Errorf(c.birth, "a birth date dd/mm/yyyy"))
	}
	m.birthYear, m.birthMonth = birth.Year(), int(birth.Month())

	if m.sex, ok = p.sexes.Get(r.Get(c.sex)); !ok {
		return m, r.Errorf(c.sex, "M, F, Masculin, Féminin, 1 or 2")
	}

	if m.territory, err = p.territory(); err != nil {
		return m, err
	}
	if commune := r.Get(c.commune); commune != "" {
		m.commune = commune
	}

	id := r.Get(c.measure)
	if id == "" {
		return m, r.Errorf(c.measure, "a measure number")
	}
	m.id = p.env.Pseudonym("mesure:" + id)
	key := digest(m.id)
	if first, dup := p.seen[key]; dup {
		return m, hide(r.Errorf(c.measure, fmt.Sprintf("a measure number unique in the file (the same as on %s)", r.Where(first))))
	}
	p.seen[key] = r.Line()

	if m.nature, err = p.canonical(c.nature, p.natures, extract.MeasureNatures, true); err != nil {
		return m, err
	}
	if m.cadre, err = p.canonical(c.cadre, p.frames, extract.MeasureFrames, true); err != nil {
		return m, err
	}
	if mode, err := p.canonical(c.mode, p.modes, extract.AccueilModes, false); err != nil {
		return m, err
	} else if mode != "" {
		m.mode = mode
	}

	if m.start, ok, err = r.Date(c.start); err != nil {
		return m, err
	} else if !ok {
		return m, r.Errorf(c.start, "a date dd/mm/yyyy")
	}
	end, ok, err := r.Date(c.end)
	if err != nil {
		return m, err
	}
	if ok {
		if end.Before(m.start) {
			return m, r.Errorf(c.end, "a date on or after the "+c.start.Name()+" ("+m.start.Format("02/01/2006")+"), or nothing for an ongoing measure")
		}
		m.end = end
	}
	if reason := r.Get(c.reason); reason != "" {
		m.reason = reason
	}
	return m, p.placement(&m)
}

// finessCode matches a FINESS number: 9 characters, the département first.
var finessCode = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{7}$`)

// placement reads where the accueil takes place, when the file has the
// columns.
func (p *parser) placement(m *measure) error {
	r, c := p.r, p.c
	m.placeColumns = c.placeCommune.Present() && c.placeFiness.Present()
	if s := r.Get(c.placeCommune); s != "" {
		if !communeCode.MatchString(s) {
			return r.Errorf(c.placeCommune, "an INSEE commune code of 5 characters (62193), or nothing")
		}
		m.placeCommune = s
	}
	if s := strings.ToUpper(strings.ReplaceAll(r.Get(c.placeFiness), " ", "")); s != "" {
		if !finessCode.MatchString(s) {
			return r.Errorf(c.placeFiness, "a FINESS number of 9 characters (620010000), or nothing for a foster family")
		}
		m.placeFiness = s
	}
	return nil
}

// sexes maps the spellings of Sexe (normalised) to M or F.
var sexes = map[string]string{
	"m": "M", "masculin": "M", "1": "M",
	"f": "F", "feminin": "F", "2": "F",
}

// territory resolves the Territoire column, or the commune's territory when
// it is empty.
func (p *parser) territory() (string, error) {
	r, c := p.r, p.c
	commune := r.Get(c.commune)
	if commune != "" && !communeCode.MatchString(commune) {
		return "", r.Errorf(c.commune, "an INSEE commune code of 5 characters (62193), or nothing")
	}
	name := r.Get(c.territory)
	if name == "" {
		if code, ok := p.env.Territories.OfCommune(commune); ok {
			return code, nil
		}
	}
	code, ok := p.territories.Get(name)
	if !ok {
		return "", r.Errorf(c.territory, "an MDS territory code or name of the mapping ("+territoryCodes(p.env.Territories)+")")
	}
	return code, nil
}

func territoryCodes(t *extract.Territories) string {
	var c []string
	for _, tr := range t.List() {
		c = append(c, tr.Code)
	}
	return strings.Join(c, ", ")
}

// canonical reads column col as an entry of list, looked up through memo. An empty cell gives "",
// or an error when required.
func (p *parser) canonical(col frcsv.Col, memo *frcsv.Memo[string], list []string, required bool) (string, error) {
	s := p.r.Get(col)
	if s == "" && !required {
		return "", nil
	}
	if v, ok := memo.Get(s); ok {
		return v, nil
	}
	expected := "one of: " + strings.Join(list, ", ")
	if !required {
		expected += ", or nothing"
	}
	return "", p.r.Errorf(col, expected)
}

// digest keys the duplicate check: 128 bits of the measure's pseudonym,
// whatever its form, so a 5-million-row file keeps a small map.
func digest(pseudonym string) [16]byte {
	sum := sha256.Sum256([]byte(pseudonym))
	return [16]byte(sum[:16])
}

// hide removes the value from an error about an identifying column: error
// messages are stored in the warehouse.
func hide(e *extract.DataError) *extract.DataError {
	e.Value = hidden
	return e
}
