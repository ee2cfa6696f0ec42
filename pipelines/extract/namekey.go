package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Files are copied, moved and re-sent: their modification time says
// nothing of what they hold. What orders a family's files is their name,
// where it carries a date or a revision, else the order in which the
// warehouse first registered them (their file id).

// Namer is implemented by jobs whose files' names say which date they
// speak for. NameKey returns the key that orders a file among the job's
// files ("" when the name says nothing: the file then ranks by the order
// in which it was first seen); an error (matching ErrRejected) rejects
// the file. Keys compare as strings: see DateKey.
type Namer interface {
	NameKey(name string) (string, error)
}

// DateKey is the key of a date and a revision number: "YYYYMMDD.RRRR".
// A month or day the name does not give is "99": a file named for a year
// ranks after the monthly files of that year (it is produced once the
// year is over).
func DateKey(year, month, day, revision int) string {
	two := func(n int) string {
		if n <= 0 {
			return "99"
		}
		return fmt.Sprintf("%02d", n)
	}
	return fmt.Sprintf("%04d%s%s.%04d", year, two(month), two(day), min(revision, 9999))
}

// KeyDate returns the date of a key made by DateKey with a full date.
func KeyDate(key string) (time.Time, bool) {
	if len(key) < 8 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", key[:8])
	return t, err == nil
}

var (
	// nameDateRe finds a year (1990–2099), then optionally a month and a
	// day, separated by nothing, "_", "-" or ".": 2023, 202403, 2024_03,
	// 2025-06-30.
	nameDateRe = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12][0-9]|3[01]))?)?(?:[^0-9]|$)`)
	// revisionRe finds a revision after the date: "rectificatif",
	// "rectificatif2", "rectif_3", "correctif", "v2", "rev2".
	revisionRe = regexp.MustCompile(`(?i)(?:^|[^a-z])(rectificatif|rectif|correctif|corrige|corrigé|revision|révision|rev|v)[-_ ]?([0-9]*)(?:[^a-z0-9]|$)`)
)

// RevisionKey is the key of a file named with a date or a revision
// (pmi_activite_2023.csv, pmi_activite_202403.csv,
// pmi_activite_2023_rectificatif.csv): the first date in the name, then
// the revision after it (0 when none; a revision marker without a number
// is 1). It is "" when the name carries no date.
func RevisionKey(name string) string {
	base := strings.TrimSuffix(name, pathExt(name))
	m := nameDateRe.FindStringSubmatchIndex(base)
	if m == nil {
		return ""
	}
	year, _ := strconv.Atoi(base[m[2]:m[3]])
	month, day := 0, 0
	if m[4] >= 0 {
		month, _ = strconv.Atoi(base[m[4]:m[5]])
	}
	if m[6] >= 0 {
		day, _ = strconv.Atoi(base[m[6]:m[7]])
	}
	rev := 0
	if r := revisionRe.FindStringSubmatch(base[m[3]:]); r != nil {
		rev = 1
		if r[2] != "" {
			rev, _ = strconv.Atoi(r[2])
		}
	}
	return DateKey(year, month, day, rev)
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// A DateTemplate finds the date a file's name carries, as a template
// says: "ase_mesures_YYYYMMDD.csv", where YYYY, MM and DD stand for the
// year, month and day, "*" for any text, and the rest is literal.
type DateTemplate struct {
	text string
	re   *regexp.Regexp
}

// ParseDateTemplate compiles a template; it must hold YYYY, MM and DD.
func ParseDateTemplate(text string) (*DateTemplate, error) {
	for _, p := range []string{"YYYY", "MM", "DD"} {
		if strings.Count(text, p) != 1 {
			return nil, fmt.Errorf("date template %q: must hold %s once (YYYY, MM and DD stand for the year, month and day)", text, p)
		}
	}
	var b strings.Builder
	b.WriteString("^")
	for rest := text; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "YYYY"):
			b.WriteString(`(?P<y>[0-9]{4})`)
			rest = rest[4:]
		case strings.HasPrefix(rest, "MM"):
			b.WriteString(`(?P<m>[0-9]{2})`)
			rest = rest[2:]
		case strings.HasPrefix(rest, "DD"):
			b.WriteString(`(?P<d>[0-9]{2})`)
			rest = rest[2:]
		case rest[0] == '*':
			b.WriteString(".*")
			rest = rest[1:]
		default:
			b.WriteString(regexp.QuoteMeta(rest[:1]))
			rest = rest[1:]
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("date template %q: %w", text, err)
	}
	return &DateTemplate{text: text, re: re}, nil
}

// String returns the template as written.
func (t *DateTemplate) String() string { return t.text }

// Date returns the date name carries, or an error (matching ErrRejected)
// that says the name carries none.
func (t *DateTemplate) Date(name string) (time.Time, error) {
	m := t.re.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, Rejectf("%s: the file name carries no date: expected a name like %s (YYYYMMDD: the date the file speaks for; the modification time is not used)", name, t.text)
	}
	y, mo, d := m[t.re.SubexpIndex("y")], m[t.re.SubexpIndex("m")], m[t.re.SubexpIndex("d")]
	date, err := time.Parse("20060102", y+mo+d)
	if err != nil {
		return time.Time{}, Rejectf("%s: the date in the file name (%s-%s-%s) is not a date: expected a name like %s", name, y, mo, d, t.text)
	}
	return date, nil
}
