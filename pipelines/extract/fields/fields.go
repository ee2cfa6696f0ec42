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
// 31 December 2025). A name without a date is rejected: a file's
// modification time says nothing of the date it speaks for (files are
// copied and re-sent).
func DayOf(name string) (time.Time, error) {
	base := filepath.Base(name)
	if m := dayInName.FindStringSubmatch(base); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Month() == time.Month(mo) && t.Day() == d {
			return t, nil
		}
		return time.Time{}, extract.Rejectf("%s: the date in the file name (%s-%s-%s) is not a date: expected a name with the date the snapshot was taken, YYYYMMDD", base, m[1], m[2], m[3])
	}
	return time.Time{}, extract.Rejectf("%s: the file name carries no date: expected a name with the date the snapshot was taken, YYYYMMDD (the modification time is not used)", base)
}

// YearOf returns the year a yearly list's file name gives
// (etablissements_2025.csv: 2025). A name without a year is rejected.
func YearOf(name string) (int, error) {
	base := filepath.Base(name)
	for _, re := range []*regexp.Regexp{dayInName, yearInName} {
		if m := re.FindStringSubmatch(base); m != nil {
			y, _ := strconv.Atoi(m[1])
			return y, nil
		}
	}
	return 0, extract.Rejectf("%s: the file name carries no year: expected a name with the year the list is for, YYYY (the modification time is not used)", base)
}

// SnapshotKey is the extract.Namer key of a dated snapshot: its date; a
// later snapshot supersedes the earlier ones.
func SnapshotKey(name string) (string, error) {
	d, err := DayOf(name)
	if err != nil {
		return "", err
	}
	return extract.DateKey(d.Year(), int(d.Month()), d.Day(), 0), nil
}

// YearlyKey is the extract.Namer key of a yearly list: its year, then the
// revision its name declares (etablissements_2024_rectificatif.csv ranks
// after etablissements_2024.csv).
func YearlyKey(name string) (string, error) {
	if _, err := YearOf(name); err != nil {
		return "", err
	}
	return extract.RevisionKey(filepath.Base(name)), nil
}
