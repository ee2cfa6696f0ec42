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
// typographic apostrophes as ', no surrounding spaces, inner runs of spaces
// (including no-break spaces) collapsed to one.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u2019' || r == '\u2018' || r == '\u02bc':
			r = '\''
		case r >= 0x80:
			if base, ok := latinBase[r]; ok {
				r = base
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// latinBase maps each accented Latin letter (U+00C0–U+024F) to its letter
// without diacritics, computed once from Unicode's decompositions.
var latinBase = func() map[rune]rune {
	m := map[rune]rune{}
	strip := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	for r := rune(0xC0); r <= 0x24F; r++ {
		folded, _, err := transform.String(strip, string(r))
		if err != nil {
			continue
		}
		if f := []rune(folded); len(f) == 1 && f[0] != r {
			m[r] = f[0]
		}
	}
	return m
}()

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' }
