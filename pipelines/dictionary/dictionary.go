// Package dictionary writes the warehouse's data dictionary: every table
// and view with its columns and types (read from the warehouse itself),
// its description (the comment above its CREATE statement in the embedded
// SQL), and every indicator's declaration. One model, two renderings:
// Markdown for the repository, HTML for the observatory's intranet.
package dictionary

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/odpe/odpe/indicators"
	schema "github.com/odpe/odpe/sql"
)

// Dictionary is what the documents show.
type Dictionary struct {
	Generated  time.Time
	Tables     []Table
	Indicators []*indicators.Declaration
}

// Table is a table or view of the warehouse.
type Table struct {
	Schema, Name, Kind, Description string
	Columns                         []Column
}

// Column is one column of a table.
type Column struct{ Name, Type string }

var createRe = regexp.MustCompile(`(?is)((?:--[^\n]*\n)+)\s*CREATE (?:OR REPLACE )?(?:TEMP )?(?:TABLE|VIEW) ([a-z_]+\.[a-z_]+|[a-z_]+)`)

// descriptions maps "schema.table" to the comment above its creation.
func descriptions() map[string]string {
	out := map[string]string{}
	for _, s := range append(schema.Migrations(), schema.Transforms()...) {
		for _, m := range createRe.FindAllStringSubmatch(s.Text, -1) {
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(m[1]), "\n") {
				lines = append(lines, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "--")))
			}
			name := m[2]
			if !strings.Contains(name, ".") {
				name = "main." + name
			}
			out[name] = strings.Join(lines, " ")
		}
	}
	return out
}

// Build reads the tables and views of the warehouse.
func Build(ctx context.Context, db *sql.DB, cat *indicators.Catalogue) (*Dictionary, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.data_type
		FROM information_schema.tables t
		JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
		WHERE t.table_schema IN ('main', 'meta', 'raw', 'core', 'ind')
		ORDER BY CASE t.table_schema WHEN 'main' THEN 0 WHEN 'ind' THEN 1 WHEN 'core' THEN 2 WHEN 'raw' THEN 3 ELSE 4 END,
		         t.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	defer rows.Close()
	desc := descriptions()
	d := &Dictionary{Generated: time.Now(), Indicators: cat.List}
	for rows.Next() {
		var sch, name, kind, col, typ string
		if err := rows.Scan(&sch, &name, &kind, &col, &typ); err != nil {
			return nil, err
		}
		if n := len(d.Tables); n == 0 || d.Tables[n-1].Schema != sch || d.Tables[n-1].Name != name {
			k := "table"
			if strings.Contains(kind, "VIEW") {
				k = "view"
			}
			d.Tables = append(d.Tables, Table{Schema: sch, Name: name, Kind: k, Description: desc[sch+"."+name]})
		}
		t := &d.Tables[len(d.Tables)-1]
		t.Columns = append(t.Columns, Column{Name: col, Type: typ})
	}
	return d, rows.Err()
}

// WriteMarkdown renders the dictionary as Markdown.
func (d *Dictionary) WriteMarkdown(w io.Writer) error {
	return markdown.Execute(w, d)
}

// WriteHTML renders the dictionary as a standalone HTML page.
func (d *Dictionary) WriteHTML(w io.Writer) error {
	return page.Execute(w, d)
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"trim": strings.TrimSpace,
	"cell": func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "|", "\\|") },
}

var markdown = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap(funcs)).Parse(`# Dictionnaire des données de l'entrepôt ODPE

Généré le {{.Generated.Format "02/01/2006 15:04"}}. Schémas : ` + "`main`" + ` (vues pour les statisticiens), ` + "`ind`" + ` (indicateurs), ` + "`core`" + ` (tables conformées), ` + "`raw`" + ` (chargements bruts), ` + "`meta`" + ` (exécutions et provenance).

## Tables et vues
{{range .Tables}}
### {{.Schema}}.{{.Name}} ({{.Kind}})
{{if .Description}}
{{.Description}}
{{end}}
| colonne | type |
| --- | --- |
{{range .Columns}}| {{.Name}} | {{.Type}} |
{{end}}{{end}}
## Indicateurs
{{range .Indicators}}
### {{.ID}} — {{.Label}}

- Famille : {{.Family}}
- Définition : {{trim .Definition}}
- Unité : {{.Unit}}
- Numérateur : {{.Numerator}}{{if .Denominator}}
- Dénominateur : {{.Denominator}}{{end}}
- Ventilations : période, territoire{{range .Breakdowns}}, {{.}}{{end}}
- Date de référence : {{.ReferenceDate}}
- Sources : {{join .Sources ", "}}{{if .Convention}}
- Convention : {{trim .Convention}}{{end}}{{if .Target}}
- Objectif : {{.Target.Comparison}} {{.Target.Value}}{{end}}
- Déclaré dans : ` + "`{{.File}}`" + `
{{end}}`))

var page = must(template.New("html").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Dictionnaire des données — ODPE</title>
<style>body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}code{background:#f4f4f4}</style>
</head><body>
<h1>Dictionnaire des données de l'entrepôt ODPE</h1>
<p>Généré le {{.Generated.Format "02/01/2006 15:04"}}.</p>
<h2>Tables et vues</h2>
{{range .Tables}}<h3 id="{{.Schema}}.{{.Name}}"><code>{{.Schema}}.{{.Name}}</code> ({{.Kind}})</h3>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<table><tr><th>colonne</th><th>type</th></tr>{{range .Columns}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td></tr>{{end}}</table>
{{end}}
<h2>Indicateurs</h2>
{{range .Indicators}}<h3 id="{{.ID}}"><code>{{.ID}}</code> — {{.Label}}</h3>
<dl><dt>Définition</dt><dd>{{trim .Definition}}</dd><dt>Unité</dt><dd>{{.Unit}}</dd>
<dt>Numérateur</dt><dd>{{.Numerator}}</dd>{{if .Denominator}}<dt>Dénominateur</dt><dd>{{.Denominator}}</dd>{{end}}
<dt>Ventilations</dt><dd>période, territoire{{range .Breakdowns}}, {{.}}{{end}}</dd>
<dt>Date de référence</dt><dd>{{.ReferenceDate}}</dd><dt>Sources</dt><dd>{{join .Sources ", "}}</dd>
{{if .Convention}}<dt>Convention</dt><dd>{{trim .Convention}}</dd>{{end}}
{{if .Target}}<dt>Objectif</dt><dd>{{.Target.Comparison}} {{.Target.Value}}</dd>{{end}}</dl>
{{end}}
</body></html>
`))

func must(t *template.Template, err error) *template.Template {
	if err != nil {
		panic(err)
	}
	return t
}
