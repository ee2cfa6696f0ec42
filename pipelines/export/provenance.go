package export

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Where the figures come from, in words: what every file a recipient
// receives says of its sources (Lisez-moi sheets, the odpe:sources
// metadata of Parquet and Arrow files, the report), per family and per
// indicator. Never a server path, a file hash or a warehouse table:
// words for the kind of file, dated by what the files' names (or, for
// INSEE's, their rows) say — "extraction du logiciel de l'aide sociale à
// l'enfance (ASE) du 21/11/2025", "INSEE, estimations de population au
// 1er janvier 2025".

// sourceKind is one kind of source file (an extract job's kind) in words.
type sourceKind struct {
	words  string
	dating dating
}

// dating is how the files of a kind are dated in words.
type dating uint8

const (
	undated  dating = iota
	snapshot        // the latest file's date: "du 21/11/2025"
	years           // the years of the files: "2019 à 2025"
	january         // the latest year of the rows: "au 1er janvier 2025"
)

// sourceKinds are the kinds of source files, in the order provenance
// lists them, in words (the one table of them: every file takes its
// words from here).
var sourceKinds = []struct {
	kind string
	sourceKind
}{
	{"ase", sourceKind{"extraction du logiciel de l'aide sociale à l'enfance (ASE)", snapshot}},
	{"crip", sourceKind{"registre des informations préoccupantes de la cellule de recueil (CRIP)", snapshot}},
	{"adoption", sourceKind{"événements d'adoption et des pupilles de l'État, service adoption", years}},
	{"foster_carers", sourceKind{"fichier des ressources humaines des assistants familiaux", snapshot}},
	{"establishments", sourceKind{"liste des établissements et services autorisés", years}},
	{"pmi", sourceKind{"comptages mensuels d'activité de la PMI", years}},
	{"activity_report", sourceKind{"rapports d'activité des services de prévention spécialisée", years}},
	{"traject", sourceKind{"exports de planning du logiciel TRAJECT (prévention spécialisée)", years}},
	{"insee_population", sourceKind{"INSEE, estimations de population", january}},
	{"insee_births", sourceKind{"INSEE, état civil : naissances domiciliées", years}},
	{"territories", sourceKind{"table de correspondance des communes et des territoires du département", undated}},
}

// tableKinds are the kinds of source files each warehouse table an
// indicator may read is made from (the transforms' graph:
// TestTablesMadeFrom checks it against sql.Plan). core.code_lists, the
// observatory's own nomenclatures, comes from no source file.
var tableKinds = map[string][]string{
	"core.activity_completeness": {"activity_report", "traject"},
	"core.activity_hours":        {"activity_report", "traject"},
	"core.activity_public":       {"activity_report"},
	"core.activity_services":     {"activity_report"},
	"core.adoption_events":       {"adoption"},
	"core.ase_extract":           {"ase"},
	"core.ase_frames":            {"ase"},
	"core.ase_measures":          {"ase"},
	"core.ase_situation":         {"ase"},
	"core.ase_years":             {"ase"},
	"core.births":                {"insee_births"},
	"core.code_lists":            {},
	"core.crip_children":         {"crip"},
	"core.crip_ip_summary":       {"crip"},
	"core.crip_ips":              {"crip"},
	"core.crip_years":            {"crip"},
	"core.establishments":        {"establishments"},
	"core.foster_carer_years":    {"foster_carers"},
	"core.foster_carers":         {"foster_carers"},
	"core.pmi_completeness":      {"pmi"},
	"core.pmi_expected":          {"pmi", "territories"},
	"core.pmi_monthly":           {"pmi"},
	"core.population":            {"insee_population"},
	"core.population_aged":       {"insee_population"},
	"core.quality_ase":           {"ase"},
	"core.quality_issues":        {"activity_report", "ase", "pmi", "territories", "traject"},
	"core.quality_pmi":           {"pmi", "territories"},
	"core.quality_prevention":    {"activity_report", "traject"},
	"core.territories":           {"territories"},
	"core.traject_activity":      {"activity_report", "traject"},
	"raw.activity_hours":         {"activity_report", "traject"},
	"raw.activity_public":        {"activity_report"},
	"raw.activity_reports":       {"activity_report"},
	"raw.adoption_events":        {"adoption"},
	"raw.ase_measures":           {"ase"},
	"raw.births":                 {"insee_births"},
	"raw.crip_ips":               {"crip"},
	"raw.establishments":         {"establishments"},
	"raw.foster_carers":          {"foster_carers"},
	"raw.pmi_monthly":            {"pmi"},
	"raw.population":             {"insee_population"},
	"raw.territories":            {"territories"},
}

// KnownTable reports whether the table (as an indicator's sources name
// it: "core.ase_situation") has its kinds of source files in words.
func KnownTable(table string) bool {
	_, ok := tableKinds[table]
	return ok
}

// kindsOf returns the kinds of source files the tables are made from,
// in the order of sourceKinds; a table it does not know gives none (its
// name is never a word of provenance).
func kindsOf(tables []string) []string {
	used := map[string]bool{}
	for _, t := range tables {
		for _, k := range tableKinds[t] {
			used[k] = true
		}
	}
	var out []string
	for _, k := range sourceKinds {
		if used[k.kind] {
			out = append(out, k.kind)
		}
	}
	return out
}

func kindWords(kind string) sourceKind {
	for _, k := range sourceKinds {
		if k.kind == kind {
			return k.sourceKind
		}
	}
	return sourceKind{}
}

// KindWords names, undated, a kind of source file (an extract job's kind:
// "pmi" gives "comptages mensuels d'activité de la PMI"); "" for a kind
// it does not know.
func KindWords(kind string) string { return kindWords(kind).words }

// SourceWords names, undated, the kinds of source files the tables an
// indicator reads (its declared sources) are made from, each once:
// ["extraction du logiciel de l'aide sociale à l'enfance (ASE)", "INSEE,
// estimations de population"].
func SourceWords(tables []string) []string {
	var out []string
	for _, k := range kindsOf(tables) {
		out = append(out, kindWords(k).words)
	}
	return out
}

// Provenance says in words where the values of the indicators inds come
// from: one phrase per kind of source file their declared sources are
// made from, dated by the files of that kind among sources ("extraction
// du logiciel de l'aide sociale à l'enfance (ASE) du 21/11/2025",
// "comptages mensuels d'activité de la PMI, 2019 à 2025, révision de
// 2023", "INSEE, estimations de population au 1er janvier 2025"). Pass
// one family's indicators for the family's provenance, one indicator for
// its own; a sheet or a file says it as strings.Join(…, " ; ").
func Provenance(inds []Indicator, sources []Source) []string {
	var tables []string
	for _, ind := range inds {
		tables = append(tables, ind.Sources...)
	}
	var out []string
	for _, kind := range kindsOf(tables) {
		var of []Source
		for _, s := range sources {
			if s.Kind == kind {
				of = append(of, s)
			}
		}
		out = append(out, phrase(kindWords(kind), of))
	}
	return out
}

// phrase is a kind's words, dated by its files.
func phrase(k sourceKind, files []Source) string {
	var keys []nameKey
	first, last := 0, 0
	year := func(y int) {
		if y <= 0 {
			return
		}
		if first == 0 || y < first {
			first = y
		}
		last = max(last, y)
	}
	for _, s := range files {
		if key, ok := parseNameKey(s.NameKey); ok {
			keys = append(keys, key)
			year(key.year)
		}
		year(s.FirstYear)
		year(s.LastYear)
	}
	switch k.dating {
	case snapshot:
		if len(keys) == 0 {
			return k.words
		}
		latest := slices.MaxFunc(keys, nameKey.compare)
		return k.words + " " + latest.date()
	case years:
		if first == 0 {
			return k.words
		}
		out := k.words + ", " + span(first, last)
		var revised []string
		for _, key := range keys {
			if key.revision > 0 {
				revised = append(revised, strconv.Itoa(key.year))
			}
		}
		slices.Sort(revised)
		if revised = slices.Compact(revised); len(revised) > 0 {
			out += ", révision de " + strings.Join(revised, ", ")
		}
		return out
	case january:
		if last == 0 {
			return k.words + " au 1er janvier"
		}
		return k.words + " au 1er janvier " + strconv.Itoa(last)
	}
	return k.words
}

// span is "2019 à 2025", or "2024" for one year.
func span(first, last int) string {
	if first == last {
		return strconv.Itoa(first)
	}
	return fmt.Sprintf("%d à %d", first, last)
}

// nameKey is what a file's name says of the date it speaks for and of
// its revision (extract.DateKey: "YYYYMMDD.RRRR", "99" for a month or a
// day the name does not give).
type nameKey struct{ year, month, day, revision int }

func parseNameKey(s string) (nameKey, bool) {
	if len(s) != 13 || s[8] != '.' {
		return nameKey{}, false
	}
	var k nameKey
	for _, f := range []struct {
		p        *int
		from, to int
	}{{&k.year, 0, 4}, {&k.month, 4, 6}, {&k.day, 6, 8}, {&k.revision, 9, 13}} {
		n, err := strconv.Atoi(s[f.from:f.to])
		if err != nil {
			return nameKey{}, false
		}
		*f.p = n
	}
	if k.month == 99 {
		k.month = 0
	}
	if k.day == 99 {
		k.day = 0
	}
	if k.year < 1900 || k.month > 12 || k.day > 31 {
		return nameKey{}, false
	}
	return k, true
}

func (a nameKey) compare(b nameKey) int {
	for _, d := range [...]int{a.year - b.year, a.month - b.month, a.day - b.day, a.revision - b.revision} {
		if d != 0 {
			return d
		}
	}
	return 0
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// date is the key's date in words: "du 21/11/2025", "de mars 2024",
// "de 2025"; a revision adds "(révision n)".
func (a nameKey) date() string {
	var s string
	switch {
	case a.month > 0 && a.day > 0:
		s = fmt.Sprintf("du %02d/%02d/%d", a.day, a.month, a.year)
	case a.month > 0:
		s = "de " + months[a.month-1] + " " + strconv.Itoa(a.year)
	default:
		s = "de " + strconv.Itoa(a.year)
	}
	if a.revision > 0 {
		s += fmt.Sprintf(" (révision %d)", a.revision)
	}
	return s
}

// WithSourcesInWords returns a copy of inds whose Sources are their
// provenance in words (Provenance of each), as a file's metadata
// describes them: the declarations name warehouse tables.
func WithSourcesInWords(inds []Indicator, sources []Source) []Indicator {
	out := make([]Indicator, len(inds))
	for i, ind := range inds {
		ind.Sources = Provenance(inds[i:i+1], sources)
		out[i] = ind
	}
	return out
}

// ServerFiles returns the sources that name their file on the server
// (an internal profile's: WithoutServerDetail leaves none), nil when
// none does.
func ServerFiles(sources []Source) []Source {
	var out []Source
	for _, s := range sources {
		if s.Path != "" {
			out = append(out, s)
		}
	}
	return out
}
