package dictionary

import (
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"
)

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
	"anchor": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
				return r
			}
			return '-'
		}, strings.ToLower(s))
	},
}

// conventions is the conventions section, shared by both renderings.
var conventions = []struct{ Term, Text string }{
	{"« Ensemble »", "Dans la colonne territory, le département entier ; dans une ventilation (sexe, tranche d'âge, mode d'accueil…), le total de ses modalités. Une colonne vide (NULL) signifie que l'indicateur n'a pas cette ventilation."},
	{"Période", "L'année civile. Les effectifs « au 31/12 » comptent la situation au 31 décembre de l'année ; les flux comptent les événements de l'année."},
	{"Statut", "final : valeur définitive ; provisional (provisoire) : l'année n'était pas finie à la date de l'extraction ; incomplete (incomplet) : des mois ou des contributeurs attendus manquent. Une valeur provisoire ou incomplète peut changer à la prochaine actualisation."},
	{"Évolution", "Par rapport à la même cellule l'année précédente (previous_value) : en points pour les parts et les taux (%, ‰, pour 100 000, rapport), en % pour les effectifs ; evolution_unit le précise."},
	{"« s » : secret statistique", "Dans les fichiers transmis à l'extérieur (INSEE, DREES, ODAS), un effectif trop petit pour être publié sans désigner un enfant n'apparaît pas, ni un taux ou une part qui en dépend, ni les cellules qui permettraient de le retrouver par différence. La cellule est publiée masquée : « s » dans les classeurs Excel, un statut de confidentialité dans le fichier SDMX, la colonne conf dans les fichiers Parquet et Arrow."},
	{"Pseudonymes", "Les enfants et les mesures sont désignés par un code calculé avec une clé secrète gardée hors de l'entrepôt (child_id, measure_id) : ni nom, ni numéro de dossier, ni date de naissance exacte (seuls l'année et le mois sont conservés)."},
}

var markdown = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap(funcs)).Parse(`# Dictionnaire des données de l'entrepôt ODPE

Généré le {{.Generated.Format "02/01/2006 à 15:04"}}.

## Sommaire

- [Indicateurs](#indicateurs){{range .Families}}
  - [{{.Label}}](#famille-{{anchor .ID}}){{end}}
- [Conventions](#conventions)
- [Tables et vues](#tables-et-vues){{range .Schemas}}{{if .Tables}}
  - [{{.Name}} : {{.Description}}](#schema-{{.Name}}){{end}}{{end}}

## Indicateurs
{{range .Families}}
### {{.Label}} {#famille-{{anchor .ID}}}
{{range .Indicators}}
#### {{.Label}} ({{.ID}}) {#{{.ID}}}

- Définition : {{trim .Definition}}
- Unité : {{.UnitLabel}}
- Numérateur : {{.Numerator}}{{if .Denominator}}
- Dénominateur : {{.Denominator}}{{end}}
- Ventilations : {{join .Breakdowns ", "}}
- Date de référence : {{.ReferenceDate}}{{if .Convention}}
- Convention : {{trim .Convention}}{{end}}{{if .TargetText}}
- Objectif : {{.TargetText}}{{end}}
- Sources : {{join .Sources " ; "}}
{{end}}{{end}}
## Conventions
{{range .Conventions}}
- **{{.Term}}** : {{.Text}}{{end}}

## Tables et vues
{{range .Schemas}}{{if .Tables}}
### Schéma {{.Name}} : {{.Description}} {#schema-{{.Name}}}
{{range .Tables}}
#### {{.Schema}}.{{.Name}} ({{.Kind}}) : {{.Label}}

{{.Description}}

| colonne | type | description |
| --- | --- | --- |
{{range .Columns}}| {{.Name}} | {{.Type}} | {{cell .Description}} |
{{end}}{{end}}{{end}}{{end}}`))

var page = template.Must(template.New("html").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dictionnaire des données — ODPE</title>
<style>
body{font-family:system-ui,sans-serif;max-width:62em;margin:auto;padding:1em;color:#1a1a1a;line-height:1.45}
nav ul{margin:.2em 0}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #bbb;padding:.2em .6em;text-align:left;vertical-align:top}
code{background:#f2f2f2;padding:0 .2em}dt{font-weight:bold}dd{margin:0 0 .4em 1.5em}
section{border-top:1px solid #ddd;padding-top:.3em}
#recherche{font-size:1.1em;width:100%;max-width:30em;padding:.3em}
</style>
</head><body>
<header>
<h1>Dictionnaire des données de l'entrepôt ODPE</h1>
<p>Généré le {{.Generated.Format "02/01/2006 à 15:04"}}.</p>
<p><label for="recherche">Rechercher un indicateur, une table ou une colonne :</label><br>
<input type="search" id="recherche" autocomplete="off"></p>
<p id="resultats" aria-live="polite"></p>
</header>
<nav aria-label="Sommaire"><h2>Sommaire</h2>
<ul><li><a href="#indicateurs">Indicateurs</a><ul>{{range .Families}}
<li><a href="#famille-{{anchor .ID}}">{{.Label}}</a> ({{len .Indicators}})</li>{{end}}</ul></li>
<li><a href="#conventions">Conventions</a></li>
<li><a href="#tables-et-vues">Tables et vues</a><ul>{{range .Schemas}}{{if .Tables}}
<li><a href="#schema-{{.Name}}"><code>{{.Name}}</code> : {{.Description}}</a></li>{{end}}{{end}}</ul></li></ul>
</nav>
<main>
<h2 id="indicateurs">Indicateurs</h2>
{{range .Families}}<h3 id="famille-{{anchor .ID}}">{{.Label}}</h3>
{{range .Indicators}}<section id="{{.ID}}" data-recherche>
<h4>{{.Label}} <code>{{.ID}}</code></h4>
<dl><dt>Définition</dt><dd>{{trim .Definition}}</dd><dt>Unité</dt><dd>{{.UnitLabel}}</dd>
<dt>Numérateur</dt><dd>{{.Numerator}}</dd>{{if .Denominator}}<dt>Dénominateur</dt><dd>{{.Denominator}}</dd>{{end}}
<dt>Ventilations</dt><dd>{{join .Breakdowns ", "}}</dd>
<dt>Date de référence</dt><dd>{{.ReferenceDate}}</dd>
{{if .Convention}}<dt>Convention</dt><dd>{{trim .Convention}}</dd>{{end}}
{{if .TargetText}}<dt>Objectif</dt><dd>{{.TargetText}}</dd>{{end}}
<dt>Sources</dt><dd>{{join .Sources " ; "}}</dd></dl>
</section>
{{end}}{{end}}
<h2 id="conventions">Conventions</h2>
<dl>{{range .Conventions}}<dt>{{.Term}}</dt><dd>{{.Text}}</dd>{{end}}</dl>
<h2 id="tables-et-vues">Tables et vues</h2>
{{range .Schemas}}{{if .Tables}}<h3 id="schema-{{.Name}}">Schéma <code>{{.Name}}</code> : {{.Description}}</h3>
{{range .Tables}}<section id="table-{{.Schema}}.{{.Name}}" data-recherche>
<h4><code>{{.Schema}}.{{.Name}}</code> ({{.Kind}}) : {{.Label}}</h4>
<p>{{.Description}}</p>
<table><thead><tr><th scope="col">colonne</th><th scope="col">type</th><th scope="col">description</th></tr></thead><tbody>
{{range .Columns}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}{{end}}{{end}}
</main>
<script>
(function () {
  var box = document.getElementById("recherche"), out = document.getElementById("resultats");
  var items = document.querySelectorAll("[data-recherche]"), texts = [];
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  items.forEach(function (el) { texts.push(fold(el.textContent)); });
  box.addEventListener("input", function () {
    var q = fold(box.value.trim()), n = 0;
    items.forEach(function (el, i) {
      var shown = q === "" || texts[i].indexOf(q) >= 0;
      el.hidden = !shown;
      if (shown) { n++; }
    });
    out.textContent = q === "" ? "" : n + (n > 1 ? " résultats" : " résultat");
  });
})();
</script>
</body></html>
`))
