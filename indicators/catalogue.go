// Package indicators holds the observatory's indicator catalogue: one
// declaration per indicator, a YAML file (what the figure means) beside a
// SQL file (how it is computed), grouped in one folder per family. The
// declarations are embedded in the binary; a statistician adds one by
// dropping a YAML and SQL pair into a folder named in the configuration.
//
// This package reads and validates declarations; it does not touch the
// warehouse (see indicators/compute).
package indicators

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	schema "github.com/odpe/odpe/sql"
)

//go:embed */*.yaml */*.sql
var builtin embed.FS

// Builtin returns the declarations shipped in the binary.
func Builtin() fs.FS { return builtin }

// Units a declaration may use, and what a value of each means.
var Units = map[string]string{
	"count":   "effectif",
	"%":       "pourcentage",
	"‰":       "pour 1 000",
	"per100k": "pour 100 000",
	"days":    "jours",
	"hours":   "heures",
	"ratio":   "rapport",
}

// Dimensions are the breakdowns an indicator may be computed by, besides
// the period and the territory that every value has. Each is a column of
// ind.values.
var Dimensions = []string{"service", "category", "public", "sex", "age_band", "mode", "event"}

// Declaration is one indicator.
type Declaration struct {
	ID            string   `yaml:"id"`
	Label         string   `yaml:"label"`
	Family        string   `yaml:"family"`
	Definition    string   `yaml:"definition"`
	Unit          string   `yaml:"unit"`
	Numerator     string   `yaml:"numerator"`
	Denominator   string   `yaml:"denominator"`
	Breakdowns    []string `yaml:"breakdowns"`
	ReferenceDate string   `yaml:"reference_date"`
	Sources       []string `yaml:"sources"`
	Convention    string   `yaml:"convention"`
	Target        *Target  `yaml:"target"`
	Checks        []Check  `yaml:"checks"`
	Key           bool     `yaml:"key"` // a key indicator: charted in the exports
	// Disclosure links the indicator's cells to other indicators' for the
	// disclosure control of the exports (see Disclosure); optional.
	Disclosure *Disclosure `yaml:"disclosure"`

	File string `yaml:"-"` // where it was declared
	SQL  string `yaml:"-"` // the query, from the .sql file beside it
}

// Target is the schéma's objective for an indicator.
type Target struct {
	Value      float64 `yaml:"value"`
	Comparison string  `yaml:"comparison"` // ">=" or "<="
	Label      string  `yaml:"label"`
}

// Check is a rule the indicator's values must pass, or the refresh fails.
type Check struct {
	// NonNegative: numerator, denominator and value are ≥ 0.
	NonNegative bool `yaml:"non_negative"`
	// Between: the value lies in [Between[0], Between[1]].
	Between []float64 `yaml:"between"`
	// SumsTo: over the values of this breakdown (its total excluded), the
	// values add up to Total within Tolerance.
	SumsTo *SumsTo `yaml:"sums_to"`
	// Additive: the total row (Ensemble) of this breakdown, or of the
	// territory, has the sum of the other rows' numerators.
	Additive string `yaml:"additive"`
}

// SumsTo is the parameter of a sums_to check.
type SumsTo struct {
	Over      string  `yaml:"over"`
	Total     float64 `yaml:"total"`
	Tolerance float64 `yaml:"tolerance"`
}

// IsShare reports whether evolutions of the indicator are differences in
// points (shares and rates) rather than relative changes (counts).
func (d *Declaration) IsShare() bool {
	return d.Unit == "%" || d.Unit == "‰" || d.Unit == "per100k" || d.Unit == "ratio"
}

// Catalogue is a validated set of declarations.
type Catalogue struct {
	List []*Declaration
	byID map[string]*Declaration
}

// Get returns the declaration of an indicator.
func (c *Catalogue) Get(id string) (*Declaration, bool) {
	d, ok := c.byID[id]
	return d, ok
}

// Hash identifies the catalogue's content: a refresh recomputes indicators
// when it changes even if no source file did.
func (c *Catalogue) Hash() string {
	h := sha256.New()
	for _, d := range c.List {
		b, _ := yaml.Marshal(d)
		h.Write(b)
		h.Write([]byte(d.SQL))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Load reads the declarations of every file system (the builtin one first,
// then the configuration's folders) and validates them. An indicator id
// declared twice is an error naming both files.
func Load(fsyss ...fs.FS) (*Catalogue, error) {
	c := &Catalogue{byID: map[string]*Declaration{}}
	var errs []error
	for _, fsys := range fsyss {
		err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || path.Ext(p) != ".yaml" {
				return err
			}
			d, err := readDeclaration(fsys, p)
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if prev, dup := c.byID[d.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: indicator %q already declared in %s", d.File, d.ID, prev.File))
				return nil
			}
			c.byID[d.ID] = d
			c.List = append(c.List, d)
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	sort.SliceStable(c.List, func(i, j int) bool {
		if c.List[i].Family != c.List[j].Family {
			return c.List[i].Family < c.List[j].Family
		}
		return c.List[i].ID < c.List[j].ID
	})
	if len(errs) == 0 {
		if err := c.checkLinks(); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

func readDeclaration(fsys fs.FS, p string) (*Declaration, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	d := &Declaration{File: p}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	sqlPath := strings.TrimSuffix(p, ".yaml") + ".sql"
	q, err := fs.ReadFile(fsys, sqlPath)
	if err != nil {
		return nil, fmt.Errorf("%s: the query %s beside it: %w", p, sqlPath, err)
	}
	d.SQL = string(q)
	return d, d.validate()
}

// validate checks what can be checked without the warehouse; the compute
// step checks the sources and the columns the query produces.
func (d *Declaration) validate() error {
	var problems []string
	need := func(ok bool, msg string) {
		if !ok {
			problems = append(problems, msg)
		}
	}
	need(d.ID != "" && d.ID == strings.ToLower(d.ID) && !strings.ContainsAny(d.ID, " -./"), "id: required, lower case letters, digits and _")
	need(path.Base(strings.TrimSuffix(d.File, ".yaml")) == d.ID, fmt.Sprintf("id %q: must match the file name", d.ID))
	need(d.Label != "", "label: required")
	need(d.Family != "", "family: required")
	need(d.Definition != "", "definition: required")
	if d.Unit == "" {
		need(false, "unit: required ("+strings.Join(unitNames(), ", ")+")")
	} else {
		_, ok := Units[d.Unit]
		need(ok, fmt.Sprintf("unit %q: expected one of %s", d.Unit, strings.Join(unitNames(), ", ")))
	}
	need(d.Numerator != "", "numerator: required")
	need(d.Unit == "count" || d.Unit == "hours" || d.Unit == "days" || d.Denominator != "", "denominator: required for a "+d.Unit)
	need(d.ReferenceDate != "", "reference_date: required")
	need(len(d.Sources) > 0, "sources: at least one warehouse table")
	for _, b := range d.Breakdowns {
		need(contains(Dimensions, b), fmt.Sprintf("breakdown %q: expected one of %s", b, strings.Join(Dimensions, ", ")))
	}
	for _, ck := range d.Checks {
		n := 0
		if ck.NonNegative {
			n++
		}
		if ck.Between != nil {
			n++
			need(len(ck.Between) == 2 && ck.Between[0] <= ck.Between[1], "check between: expected [min, max]")
		}
		if ck.SumsTo != nil {
			n++
			need(contains(d.Breakdowns, ck.SumsTo.Over), fmt.Sprintf("check sums_to over %q: not a breakdown of the indicator", ck.SumsTo.Over))
		}
		if ck.Additive != "" {
			n++
			need(ck.Additive == "territory" || contains(d.Breakdowns, ck.Additive), fmt.Sprintf("check additive %q: not a breakdown of the indicator", ck.Additive))
		}
		need(n == 1, "checks: each entry is exactly one of non_negative, between, sums_to, additive")
	}
	for _, name := range schema.Names(d.SQL) {
		need(readsDeclared(name, d.Sources), fmt.Sprintf("query reads %s, which sources does not list (a refresh recomputes an indicator only when one of its sources changed)", name))
	}
	if d.Target != nil {
		need(d.Target.Comparison == ">=" || d.Target.Comparison == "<=", "target.comparison: expected >= or <=")
	}
	if _, err := ParseLinks(d.Disclosure); err != nil {
		need(false, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", d.File, strings.Join(problems, "; "))
	}
	return nil
}

// transformObjects are the objects the conformed-table transforms create.
var transformObjects = sync.OnceValue(func() map[string]schema.Statement {
	stmts, err := schema.TransformStatements()
	if err != nil {
		panic(err) // embedded scripts, checked by the sql package's tests
	}
	return schema.Objects(stmts)
})

// readsDeclared reports whether a query may name name: it is a source, or
// a macro of the transforms that reads only sources.
func readsDeclared(name string, sources []string) bool {
	if contains(sources, name) {
		return true
	}
	m, ok := transformObjects()[name]
	if !ok || m.Kind != "MACRO" {
		return false
	}
	for _, r := range m.Reads {
		if !readsDeclared(r, sources) {
			return false
		}
	}
	return true
}

func unitNames() []string {
	out := make([]string, 0, len(Units))
	for u := range Units {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
