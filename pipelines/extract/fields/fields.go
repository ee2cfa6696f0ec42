// Package fields reads the columns that the registers of the CRIP, the
// foster carers' HR export and the establishments' list share (an INSEE
// commune code, an MDS territory, a code list, the date a file's name
// gives), with the error every reader gives for them: file, line, column,
// value and what was expected.
package fields

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/frcsv"
)

// CommuneCode matches an INSEE commune code: 5 characters, 2A/2B in Corsica.
var CommuneCode = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{3}$`)

// Place reads a commune column and a territory column. The territory may
// be written as a code or a name of the mapping; when it is empty, the
// commune's territory is used.
type Place struct {
	r                  *frcsv.Reader
	commune, territory frcsv.Col
	env                *extract.Env
	memo               *frcsv.Memo[string]
}

// NewPlace reads commune and territory from r.
func NewPlace(r *frcsv.Reader, commune, territory frcsv.Col, env *extract.Env) *Place {
	return &Place{r: r, commune: commune, territory: territory, env: env, memo: frcsv.NewMemo(env.Territories.Resolve)}
}

// Read returns the current record's commune (nil when empty) and territory
// code.
func (p *Place) Read() (commune any, territory string, err error) {
	r := p.r
	c := r.Get(p.commune)
	if c != "" {
		if !CommuneCode.MatchString(c) {
			return nil, "", r.Errorf(p.commune, "an INSEE commune code of 5 characters (62193), or nothing")
		}
		commune = c
	}
	name := r.Get(p.territory)
	if name == "" {
		if code, ok := p.env.Territories.OfCommune(c); ok {
			return commune, code, nil
		}
	}
	code, ok := p.memo.Get(name)
	if !ok {
		var codes []string
		for _, t := range p.env.Territories.List() {
			codes = append(codes, t.Code)
		}
		return nil, "", r.Errorf(p.territory, "an MDS territory code or name of the mapping ("+strings.Join(codes, ", ")+")")
	}
	return commune, code, nil
}

// Vocabulary reads columns whose values are entries of a code list, in any
// case, with or without accents and with typographic apostrophes.
type Vocabulary struct {
	list []string
	memo *frcsv.Memo[string]
}

// NewVocabulary returns the reader of list's entries.
func NewVocabulary(list []string) *Vocabulary {
	return &Vocabulary{list: list, memo: frcsv.NewMemo(func(s string) (string, bool) {
		return extract.Canonical(list, strings.ReplaceAll(s, "’", "'"))
	})}
}

// Read returns the entry column c of r's current record spells. An empty
// cell gives "", or an error when required.
func (v *Vocabulary) Read(r *frcsv.Reader, c frcsv.Col, required bool) (string, error) {
	s := r.Get(c)
	if s == "" && !required {
		return "", nil
	}
	if e, ok := v.memo.Get(s); ok {
		return e, nil
	}
	expected := "one of: " + strings.Join(v.list, ", ")
	if !required {
		expected += ", or nothing"
	}
	return "", r.Errorf(c, expected)
}

var (
	dayInName  = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?:[^0-9]|$)`)
	yearInName = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)`)
)

// DayOf returns the date a snapshot's file name gives (crip_ip_20251231.csv:
// 31 December 2025), or, when the name has none, the day the file was
// last modified.
func DayOf(f extract.File) time.Time {
	if m := dayInName.FindStringSubmatch(filepath.Base(f.Name)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Month() == time.Month(mo) && t.Day() == d {
			return t
		}
	}
	y, m, d := f.ModTime.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// YearOf returns the year a yearly list's file name gives
// (etablissements_2025.csv: 2025), or, when the name has none, the year the
// file was last modified.
func YearOf(f extract.File) int {
	if m := dayInName.FindStringSubmatch(filepath.Base(f.Name)); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if m := yearInName.FindStringSubmatch(filepath.Base(f.Name)); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	return f.ModTime.Year()
}
