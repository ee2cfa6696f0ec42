package indicators

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseRef(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      string
	}{
		{"ase_children_accueil", "ase_children_accueil", ""},
		{"ase_children_by_mode[mode=Assistant familial]", "ase_children_by_mode[mode=Assistant familial]", ""},
		{"x[age_band=0-5 ans | 6-10 ans, sex=F]", "x[sex=F, age_band=0-5 ans|6-10 ans]", ""},
		{"adoption_pupilles[period=-1]", "adoption_pupilles[period=-1]", ""},
		{"x[colour=red]", "", `"colour" is not a breakdown`},
		{"x[period=last]", "", "want a number of years"},
		{"x[sex]", "", "is not dim=value"},
		{"x[sex=F", "", "no closing ]"},
		{"", "", "want id or id["},
	} {
		r, err := ParseRef(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err == "" && r.String() != c.want:
			t.Errorf("%q: %s, want %s", c.in, r, c.want)
		}
	}
}

func TestParseIdentity(t *testing.T) {
	id, err := ParseIdentity("adoption_pupilles = adoption_pupilles[period=-1] + adoption_admissions - adoption_judgments")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tm := range id.Terms {
		s := "+"
		if tm.Sign < 0 {
			s = "-"
		}
		got = append(got, s+tm.Ref.String())
	}
	want := "+adoption_pupilles -adoption_pupilles[period=-1] -adoption_admissions +adoption_judgments"
	if strings.Join(got, " ") != want {
		t.Errorf("terms %v, want %s", got, want)
	}
	// A hyphen inside a value is not an operator.
	id, err = ParseIdentity("a[age_band=0-5 ans] = b[age_band=0-5 ans] - c")
	if err != nil || len(id.Terms) != 3 || id.Terms[2].Sign != 1 {
		t.Errorf("%+v %v", id, err)
	}
	if _, err := ParseIdentity("a + b"); err == nil {
		t.Error("an identity without = parsed")
	}
}

// A link to an undeclared indicator or to a breakdown it lacks is an
// error naming the file and what to do.
func TestLinkErrors(t *testing.T) {
	share := strings.NewReplacer("id: x_count", "id: x_share", "unit: count", "unit: \"%\"\ndenominator: d").Replace(goodYAML)
	for _, c := range []struct {
		name, links string
		want        []string
	}{
		{"unknown indicator", "disclosure:\n  numerator: y_count\n", []string{"f/x_share.yaml", `disclosure.numerator: indicator "y_count" is not declared`}},
		{"unknown breakdown", "disclosure:\n  numerator: x_count[mode=a]\n", []string{"f/x_share.yaml", `x_count has no breakdown "mode"`}},
		{"bad reference", "disclosure:\n  denominator: x_count[sex\n", []string{"f/x_share.yaml", "disclosure.denominator", "no closing ]"}},
		{"bad identity", "disclosure:\n  identities: [x_count + x_share]\n", []string{"f/x_share.yaml", "disclosure.identities"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{
				"f/x_count.yaml": {Data: []byte(goodYAML)},
				"f/x_count.sql":  {Data: []byte("SELECT 1 FROM core.t")},
				"f/x_share.yaml": {Data: []byte(share + c.links)},
				"f/x_share.sql":  {Data: []byte("SELECT 1 FROM core.t")},
			})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	// Undeclared links are fine: they are derived.
	if _, err := Load(fstest.MapFS{
		"f/x_count.yaml": {Data: []byte(goodYAML)},
		"f/x_count.sql":  {Data: []byte("SELECT 1 FROM core.t")},
		"f/x_share.yaml": {Data: []byte(share)},
		"f/x_share.sql":  {Data: []byte("SELECT 1 FROM core.t")},
	}); err != nil {
		t.Error(err)
	}
}
