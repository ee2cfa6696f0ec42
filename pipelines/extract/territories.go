package extract

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Territory is one MDS territory (maison départementale des solidarités).
type Territory struct {
	Code  string // "ARR"
	Label string // "Arrageois"
}

// Territories resolves the territory mapping of the configuration: codes and
// names of MDS territories, and which territory each commune belongs to.
type Territories struct {
	list     []Territory
	byKey    map[string]string // normalised code or label -> code
	communes map[string]string // commune INSEE code -> territory code
}

// NewTerritories builds the mapping from (commune, territory code, territory
// label) triples.
func NewTerritories() *Territories {
	return &Territories{byKey: map[string]string{}, communes: map[string]string{}}
}

// Add records that commune (may be empty) belongs to the territory.
func (t *Territories) Add(commune, code, label string) {
	code = strings.TrimSpace(code)
	if _, ok := t.byKey[Normalize(code)]; !ok {
		t.list = append(t.list, Territory{Code: code, Label: strings.TrimSpace(label)})
	}
	t.byKey[Normalize(code)] = code
	if label != "" {
		t.byKey[Normalize(label)] = code
	}
	if commune = strings.TrimSpace(commune); commune != "" {
		t.communes[commune] = code
	}
}

// Resolve returns the territory code for a code or a label, in any case and
// with or without accents.
func (t *Territories) Resolve(s string) (string, bool) {
	if t == nil {
		return "", false
	}
	code, ok := t.byKey[Normalize(s)]
	return code, ok
}

// OfCommune returns the territory of a commune INSEE code.
func (t *Territories) OfCommune(commune string) (string, bool) {
	if t == nil {
		return "", false
	}
	code, ok := t.communes[strings.TrimSpace(commune)]
	return code, ok
}

// List returns the territories in the order they were first added.
func (t *Territories) List() []Territory {
	if t == nil {
		return nil
	}
	return t.list
}

// Normalize folds a header or a label for matching: lower case, no accents,
// no surrounding spaces, inner runs of spaces (including no-break spaces)
// collapsed to one.
func Normalize(s string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		folded = s
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(folded), isSpace), " ")
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' }
