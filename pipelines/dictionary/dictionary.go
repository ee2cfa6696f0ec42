// Package dictionary writes the warehouse's data dictionary for the
// observatory's statisticians, in French: the indicators first, by family,
// each with its definition, unit, numerator, denominator, convention,
// breakdowns, target and sources in words; then the conventions every
// table and file follows (Ensemble, s, statuses, evolutions); then every
// table and view with a French description of each column.
//
// The columns and types are read from the warehouse itself; what they mean
// comes from glossaire.yaml beside this file (one description per column
// name, refined per table where needed), so that a table added to the
// schema without its description fails a test instead of reaching the
// dictionary silently. One model, two renderings: Markdown for the
// repository, a standalone HTML page (table of contents, a search box in a
// few lines of plain JavaScript, nothing fetched from the network) for the
// observatory's intranet.
package dictionary

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/odpe/odpe/indicators"
)

//go:embed glossaire.yaml
var glossaryYAML []byte

// glossary is what glossaire.yaml says.
type glossary struct {
	Schemas map[string]string `yaml:"schemas"`
	Tables  map[string]struct {
		Label       string `yaml:"label"`
		Description string `yaml:"description"`
	} `yaml:"tables"`
	Columns  map[string]string            `yaml:"columns"`
	Families []struct{ ID, Label string } `yaml:"families"`
}

func loadGlossary() (*glossary, error) {
	var g glossary
	if err := yaml.Unmarshal(glossaryYAML, &g); err != nil {
		return nil, fmt.Errorf("dictionary: glossaire.yaml: %w", err)
	}
	return &g, nil
}

// Dictionary is what the documents show.
type Dictionary struct {
	Generated time.Time
	Families  []Family
	Schemas   []Schema
}

// Conventions are the rules every table and file follows, in words.
func (d *Dictionary) Conventions() []struct{ Term, Text string } { return conventions }

// Family is one family of indicators.
type Family struct {
	ID, Label  string
	Indicators []Indicator
}

// Indicator is a declaration with its parts put in words.
type Indicator struct {
	*indicators.Declaration
	UnitLabel  string   // "pourcentage", not "%"
	Breakdowns []string // "période", "territoire", then the declaration's, in French
	Sources    []string // "situation des enfants suivis à l'ASE au 31 décembre (core.ase_situation)"
	TargetText string   // "au moins 25", empty without a target
}

// Schema is one schema of the warehouse and its tables.
type Schema struct {
	Name, Description string
	Tables            []Table
}

// Table is a table or view of the warehouse.
type Table struct {
	Schema, Name, Kind, Label, Description string
	Columns                                []Column
}

// Column is one column of a table.
type Column struct{ Name, Type, Description string }

// schemaOrder is the order of the schemas in the dictionary: what
// statisticians query first.
var schemaOrder = []string{"main", "ind", "core", "raw", "meta"}

// Build reads the tables and views of the warehouse and puts the
// catalogue's declarations in words.
func Build(ctx context.Context, db *sql.DB, cat *indicators.Catalogue) (*Dictionary, error) {
	g, err := loadGlossary()
	if err != nil {
		return nil, err
	}
	d := &Dictionary{Generated: time.Now(), Families: families(g, cat)}
	rows, err := db.QueryContext(ctx, `
		SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.data_type
		FROM information_schema.tables t
		JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
		WHERE t.table_schema IN ('main', 'meta', 'raw', 'core', 'ind')
		ORDER BY t.table_schema, t.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("dictionary: read the schema: %w", err)
	}
	defer rows.Close()
	bySchema := map[string]*Schema{}
	for _, name := range schemaOrder {
		d.Schemas = append(d.Schemas, Schema{Name: name, Description: g.Schemas[name]})
	}
	for i := range d.Schemas {
		bySchema[d.Schemas[i].Name] = &d.Schemas[i]
	}
	for rows.Next() {
		var sch, name, kind, col, typ string
		if err := rows.Scan(&sch, &name, &kind, &col, &typ); err != nil {
			return nil, fmt.Errorf("dictionary: read the schema: %w", err)
		}
		s := bySchema[sch]
		if n := len(s.Tables); n == 0 || s.Tables[n-1].Name != name {
			k := "table"
			if strings.Contains(kind, "VIEW") {
				k = "vue"
			}
			t := g.Tables[sch+"."+name]
			s.Tables = append(s.Tables, Table{Schema: sch, Name: name, Kind: k,
				Label: t.Label, Description: strings.TrimSpace(t.Description)})
		}
		t := &s.Tables[len(s.Tables)-1]
		desc, ok := g.Columns[sch+"."+name+"."+col]
		if !ok {
			desc = g.Columns[col]
		}
		t.Columns = append(t.Columns, Column{Name: col, Type: typ, Description: desc})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dictionary: read the schema: %w", err)
	}
	return d, nil
}

// families groups the declarations by family, in the glossary's order,
// families it does not name after them.
func families(g *glossary, cat *indicators.Catalogue) []Family {
	var out []Family
	index := map[string]int{}
	for _, f := range g.Families {
		index[f.ID] = len(out)
		out = append(out, Family{ID: f.ID, Label: f.Label})
	}
	tables := map[string]string{}
	for name, t := range g.Tables {
		tables[name] = t.Label
	}
	decls := append([]*indicators.Declaration(nil), cat.List...)
	sort.SliceStable(decls, func(i, j int) bool { return decls[i].ID < decls[j].ID })
	for _, decl := range decls {
		i, ok := index[decl.Family]
		if !ok {
			i = len(out)
			index[decl.Family] = i
			out = append(out, Family{ID: decl.Family, Label: decl.Family})
		}
		out[i].Indicators = append(out[i].Indicators, inWords(g, tables, decl))
	}
	kept := out[:0]
	for _, f := range out {
		if len(f.Indicators) > 0 {
			kept = append(kept, f)
		}
	}
	return kept
}

// inWords puts a declaration's unit, breakdowns, sources and target in words.
func inWords(g *glossary, tables map[string]string, d *indicators.Declaration) Indicator {
	ind := Indicator{Declaration: d, UnitLabel: indicators.Units[d.Unit]}
	if ind.UnitLabel == "" {
		ind.UnitLabel = d.Unit
	}
	ind.Breakdowns = []string{"période", indicators.DimensionNameInText("territory")}
	for _, b := range d.Breakdowns {
		ind.Breakdowns = append(ind.Breakdowns, indicators.DimensionNameInText(b))
	}
	for _, s := range d.Sources {
		if l := tables[s]; l != "" {
			s = l + " (" + s + ")"
		}
		ind.Sources = append(ind.Sources, s)
	}
	if t := d.Target; t != nil {
		switch t.Comparison {
		case ">=":
			ind.TargetText = "au moins "
		case "<=":
			ind.TargetText = "au plus "
		}
		ind.TargetText += frenchNumber(t.Value)
		if t.Label != "" {
			ind.TargetText += " (" + t.Label + ")"
		}
	}
	return ind
}

// frenchNumber writes a number with a decimal comma.
func frenchNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// Undescribed lists the tables ("schema.table") and columns
// ("schema.table.column") that glossaire.yaml does not describe.
func (d *Dictionary) Undescribed() []string {
	var out []string
	for _, s := range d.Schemas {
		for _, t := range s.Tables {
			if t.Label == "" || t.Description == "" {
				out = append(out, t.Schema+"."+t.Name)
			}
			for _, c := range t.Columns {
				if c.Description == "" {
					out = append(out, t.Schema+"."+t.Name+"."+c.Name)
				}
			}
		}
	}
	return out
}

// Indicators counts the indicators of the dictionary.
func (d *Dictionary) Indicators() int {
	n := 0
	for _, f := range d.Families {
		n += len(f.Indicators)
	}
	return n
}

// Tables counts the tables and views of the dictionary.
func (d *Dictionary) Tables() int {
	n := 0
	for _, s := range d.Schemas {
		n += len(s.Tables)
	}
	return n
}
