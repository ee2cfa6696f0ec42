package indicators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Disclosure declares how an indicator's cells are linked to the cells of
// other indicators, which the disclosure control of the exports protects
// as one system (pipelines/export/disclosure) and which its audit uses as
// an intruder would. Every key is optional: an undeclared share or rate is
// linked to the counts of its family by equal numerators instead (the
// same children counted twice), which the protection derives itself.
//
//	disclosure:
//	  numerator: ase_children_by_mode[mode=Assistant familial]
//	  denominator: ase_children_by_mode
//	  within: [ase_children_followed]
//	  identities:
//	    - adoption_pupilles = adoption_pupilles[period=-1] + adoption_admissions - adoption_judgments
//
// A reference (see Ref) names the cell, or the sum of cells, of another
// indicator at the row's place and year.
type Disclosure struct {
	// Numerator: the cells whose sum is the numerator of every row (a
	// share's or rate's part). A published row publishes them.
	Numerator string `yaml:"numerator" json:"numerator,omitempty"`
	// Denominator: the cells whose sum is the denominator; absent when the
	// denominator is public (an INSEE population) or not a count of ours.
	Denominator string `yaml:"denominator" json:"denominator,omitempty"`
	// Within: indicators of which every cell of this one is a subset (the
	// children placed are among the children followed): numerator ≤ theirs.
	Within []string `yaml:"within" json:"within,omitempty"`
	// Identities: equations between references that hold at every place
	// and year, such as a stock and its flows, relative to the rows of
	// this indicator: at a row whose breakdowns a term's indicator lacks
	// are totals (the others name the term's cells).
	Identities []string `yaml:"identities" json:"identities,omitempty"`
}

// Empty reports whether nothing is declared.
func (d *Disclosure) Empty() bool {
	return d == nil || (d.Numerator == "" && d.Denominator == "" && len(d.Within) == 0 && len(d.Identities) == 0)
}

// Ref is a reference to the cells of an indicator relative to a row of
// another: "id" or "id[dim=value, dim=v1|v2, period=-1]". At a row of
// the referring indicator, it names the cells of indicator ID at the
// row's département and territory, in the row's year plus Offset, whose
// breakdowns are: the values Fixed gives (a list is the sum of its
// cells), else the row's value of that breakdown, else the total
// ("Ensemble").
type Ref struct {
	ID     string
	Fixed  map[string][]string
	Offset int // years
}

func (r Ref) String() string {
	if len(r.Fixed) == 0 && r.Offset == 0 {
		return r.ID
	}
	var parts []string
	for _, d := range Dimensions {
		if vs, ok := r.Fixed[d]; ok {
			parts = append(parts, d+"="+strings.Join(vs, "|"))
		}
	}
	if r.Offset != 0 {
		parts = append(parts, "period="+strconv.Itoa(r.Offset))
	}
	return r.ID + "[" + strings.Join(parts, ", ") + "]"
}

// ParseRef parses a reference.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	r := Ref{ID: s}
	open := strings.IndexByte(s, '[')
	if open < 0 {
		if s == "" || strings.ContainsAny(s, " ]=|,") {
			return Ref{}, fmt.Errorf("reference %q: want id or id[dim=value, …]", s)
		}
		return r, nil
	}
	if !strings.HasSuffix(s, "]") {
		return Ref{}, fmt.Errorf("reference %q: no closing ]", s)
	}
	r.ID = strings.TrimSpace(s[:open])
	if r.ID == "" {
		return Ref{}, fmt.Errorf("reference %q: no indicator before [", s)
	}
	for _, part := range strings.Split(s[open+1:len(s)-1], ",") {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return Ref{}, fmt.Errorf("reference %q: %q is not dim=value", s, strings.TrimSpace(part))
		}
		if k == "period" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return Ref{}, fmt.Errorf("reference %q: period=%s: want a number of years such as -1", s, v)
			}
			r.Offset = n
			continue
		}
		if !slices.Contains(Dimensions, k) {
			return Ref{}, fmt.Errorf("reference %q: %q is not a breakdown (%s) nor period", s, k, strings.Join(Dimensions, ", "))
		}
		if r.Fixed == nil {
			r.Fixed = map[string][]string{}
		}
		if _, dup := r.Fixed[k]; dup {
			return Ref{}, fmt.Errorf("reference %q: %s given twice", s, k)
		}
		for _, x := range strings.Split(v, "|") {
			if x = strings.TrimSpace(x); x == "" {
				return Ref{}, fmt.Errorf("reference %q: an empty value of %s", s, k)
			}
			r.Fixed[k] = append(r.Fixed[k], x)
		}
	}
	return r, nil
}

// Term is a reference with its sign in an identity.
type Term struct {
	Sign float64 // +1 or −1
	Ref  Ref
}

// Identity is "left = ±ref ±ref …": the sum of the terms is zero, the
// left side's sign being +1 and the right side's flipped.
type Identity struct {
	Terms []Term
	Text  string
}

// ParseIdentity parses "ref = ref ± ref …". An operator is a + or − with
// a space on each side, outside brackets (values such as "0-5 ans" keep
// their hyphen).
func ParseIdentity(s string) (Identity, error) {
	left, right, ok := strings.Cut(s, "=")
	// the = of a reference's [dim=value] is inside brackets: cut at the
	// first = outside them.
	depth, cut := 0, -1
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '=':
			if depth == 0 && cut < 0 {
				cut = i
			}
		}
	}
	if cut < 0 || !ok {
		return Identity{}, fmt.Errorf("identity %q: want ref = ref ± ref …", s)
	}
	left, right = s[:cut], s[cut+1:]
	id := Identity{Text: strings.TrimSpace(s)}
	for side, text := range []string{left, right} {
		sign := 1.0
		if side == 1 {
			sign = -1
		}
		terms, err := splitTerms(text)
		if err != nil {
			return Identity{}, fmt.Errorf("identity %q: %w", s, err)
		}
		for _, t := range terms {
			r, err := ParseRef(t.text)
			if err != nil {
				return Identity{}, fmt.Errorf("identity %q: %w", s, err)
			}
			id.Terms = append(id.Terms, Term{Sign: sign * t.sign, Ref: r})
		}
	}
	if len(id.Terms) < 2 {
		return Identity{}, fmt.Errorf("identity %q: want at least two terms", s)
	}
	return id, nil
}

type signed struct {
	sign float64
	text string
}

func splitTerms(s string) ([]signed, error) {
	var out []signed
	depth, start, sign := 0, 0, 1.0
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		sign = -1
		_, n := firstRune(s)
		s = strings.TrimSpace(s[n:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	runes := []rune(s)
	pos := 0 // byte offset of runes[i]
	for i, c := range runes {
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0 && (c == '+' || c == '-' || c == '−') && i > 0 && i+1 < len(runes) && runes[i-1] == ' ' && runes[i+1] == ' ':
			out = append(out, signed{sign, strings.TrimSpace(s[start:pos])})
			sign = 1
			if c != '+' {
				sign = -1
			}
			start = pos + len(string(c))
		}
		pos += len(string(c))
	}
	out = append(out, signed{sign, strings.TrimSpace(s[start:])})
	for _, t := range out {
		if t.text == "" {
			return nil, fmt.Errorf("an empty term")
		}
	}
	return out, nil
}

func firstRune(s string) (rune, int) {
	for _, c := range s {
		return c, len(string(c))
	}
	return 0, 0
}

// Links are the parsed disclosure declarations of an indicator.
type Links struct {
	Numerator, Denominator *Ref
	Within                 []string
	Identities             []Identity
}

// ParseLinks parses d; the references' indicators and breakdowns are
// checked by the catalogue (see Catalogue.checkLinks).
func ParseLinks(d *Disclosure) (Links, error) {
	var l Links
	if d == nil {
		return l, nil
	}
	for _, p := range []struct {
		name string
		text string
		dst  **Ref
	}{{"numerator", d.Numerator, &l.Numerator}, {"denominator", d.Denominator, &l.Denominator}} {
		if p.text == "" {
			continue
		}
		r, err := ParseRef(p.text)
		if err != nil {
			return Links{}, fmt.Errorf("disclosure.%s: %w", p.name, err)
		}
		*p.dst = &r
	}
	l.Within = d.Within
	for _, s := range d.Identities {
		id, err := ParseIdentity(s)
		if err != nil {
			return Links{}, fmt.Errorf("disclosure.identities: %w", err)
		}
		l.Identities = append(l.Identities, id)
	}
	return l, nil
}

// checkLinks checks, once every declaration is read, that each reference
// names a declared indicator and breakdowns it has, and that the
// referring indicator's breakdowns are the referred one's (a row's value
// of a breakdown must name a cell there).
func (c *Catalogue) checkLinks() error {
	var errs []string
	for _, d := range c.List {
		if d.Disclosure.Empty() {
			continue
		}
		l, err := ParseLinks(d.Disclosure)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", d.File, err))
			continue
		}
		check := func(what string, r Ref, from *Declaration) {
			to, ok := c.byID[r.ID]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: disclosure.%s: indicator %q is not declared (declare it, or remove the link: an undeclared share is linked to its family's counts by equal numerators)", d.File, what, r.ID))
				return
			}
			for k := range r.Fixed {
				if !slices.Contains(to.Breakdowns, k) {
					errs = append(errs, fmt.Sprintf("%s: disclosure.%s: %s has no breakdown %q (it has %v)", d.File, what, r.ID, k, to.Breakdowns))
				}
			}
			if from == nil {
				return
			}
			for _, b := range from.Breakdowns {
				if _, fixed := r.Fixed[b]; !fixed && !slices.Contains(to.Breakdowns, b) {
					errs = append(errs, fmt.Sprintf("%s: disclosure.%s: %s is broken down by %s, %s is not: fix %s in the reference (%s[%s=…])", d.File, what, d.ID, b, r.ID, b, r.ID, b))
				}
			}
		}
		if l.Numerator != nil {
			check("numerator", *l.Numerator, d)
		}
		if l.Denominator != nil {
			check("denominator", *l.Denominator, d)
		}
		for _, w := range l.Within {
			check("within", Ref{ID: w}, d)
		}
		for _, id := range l.Identities {
			for _, t := range id.Terms {
				check("identities", t.Ref, nil) // holds where the breakdowns the term lacks are totals
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}
