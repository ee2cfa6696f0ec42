package profile

import (
	"testing"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// linkedFixture: c counts children by mode (a small count in mode a) at
// the département and two territories, s is the share of mode a, declared
// as c[mode=a] over c; p is a stock whose identity p = p[N−1] + f ties it
// to the flow f.
func linkedFixture(t *testing.T) (*export.Dataset, *system) {
	t.Helper()
	f := export.Known
	count := func(ind string, period int, terr, mode string, v float64) export.Row {
		r := export.Row{Indicator: ind, Dep: "62", Period: period, Territory: terr, Numerator: f(v), Value: f(v),
			Unit: export.Count, Status: export.Final}
		if mode != "" {
			r.Dims = map[string]string{"mode": mode}
		}
		return r
	}
	share := func(terr string, num, den float64) export.Row {
		return export.Row{Indicator: "s", Dep: "62", Period: 2024, Territory: terr, Numerator: f(num), Denominator: f(den),
			Value: f(100 * num / den), Unit: export.Percent, Status: export.Final}
	}
	ds := &export.Dataset{Profile: "x", Audience: "external", Threshold: 5, Indicators: []export.Indicator{
		{ID: "c", Family: "f", Unit: "count", Breakdowns: []string{"mode"}},
		{ID: "f", Family: "f", Unit: "count"},
		{ID: "p", Family: "f", Unit: "count"},
		{ID: "s", Family: "f", Unit: "%"},
	}, Rows: []export.Row{
		count("c", 2024, export.Total, export.Total, 60), count("c", 2024, export.Total, "a", 23), count("c", 2024, export.Total, "b", 37),
		count("c", 2024, "A", export.Total, 30), count("c", 2024, "A", "a", 3), count("c", 2024, "A", "b", 27),
		count("c", 2024, "B", export.Total, 30), count("c", 2024, "B", "a", 20), count("c", 2024, "B", "b", 10),
		count("f", 2023, export.Total, "", 9), count("f", 2024, export.Total, "", 2),
		count("p", 2023, export.Total, "", 40), count("p", 2024, export.Total, "", 42),
		share(export.Total, 23, 60), share("A", 3, 30), share("B", 20, 30),
	}}
	num, _ := indicators.ParseRef("c[mode=a]")
	den, _ := indicators.ParseRef("c")
	id, err := indicators.ParseIdentity("p = p[period=-1] + f")
	if err != nil {
		t.Fatal(err)
	}
	sys := &system{links: map[string]indicators.Links{
		"s": {Numerator: &num, Denominator: &den},
		"p": {Identities: []indicators.Identity{id}},
	}}
	return ds, sys
}

func confOf(ds *export.Dataset) map[string]export.Conf {
	out := map[string]export.Conf{}
	for _, r := range ds.Rows {
		k := r.Indicator + " " + r.Territory + " " + r.Dims["mode"] + " " + string(rune('0'+r.Period%10))
		out[k] = r.Conf
	}
	return out
}

// TestLinkedShareFollowsItsCells: the share of territory A gives the
// hidden count of mode a there (3 of 30): it is hidden with it, and the
// share of B, whose cells the complementary suppression hides, too; the
// département's, whose cells are published, is published.
func TestLinkedShareFollowsItsCells(t *testing.T) {
	ds, sys := linkedFixture(t)
	if err := protect(ds, sys); err != nil {
		t.Fatal(err)
	}
	c := confOf(ds)
	if c["c A a 4"] != export.Primary {
		t.Fatalf("c A a: %v, want primary", c["c A a 4"])
	}
	for _, k := range []string{"s A  4", "s B  4"} {
		if c[k] == export.Free {
			t.Errorf("%s published, though its cells are hidden (%v)", k, c)
		}
	}
	if c["s Ensemble  4"] != export.Free || c["c Ensemble a 4"] != export.Free {
		t.Errorf("the département's share and count hidden: %v", c)
	}
}

// TestIdentityGetsASecondHiddenCell: f of 2024 (2) is a small count, alone
// hidden in p = p[N−1] + f, which would give it away: a second cell of
// the identity is hidden.
func TestIdentityGetsASecondHiddenCell(t *testing.T) {
	ds, sys := linkedFixture(t)
	if err := protect(ds, sys); err != nil {
		t.Fatal(err)
	}
	c := confOf(ds)
	if c["f Ensemble  4"] == export.Free {
		t.Fatalf("f 2024 = 2 published")
	}
	if c["p Ensemble  4"] == export.Free && c["p Ensemble  3"] == export.Free {
		t.Errorf("p of 2023 and 2024 both published with f of 2024 hidden: %v", c)
	}
}

// TestStrictestThreshold: a cell that a profile of threshold 11 publishes
// is a small count up to 11 in every profile (the union is protected
// once), and a cell hidden for one profile is hidden for the other.
func TestStrictestThreshold(t *testing.T) {
	ds, _ := linkedFixture(t)
	low := configs.Export{Name: "low", Audience: "external", Threshold: 5, Indicators: []string{"*"}}
	high := configs.Export{Name: "high", Audience: "external", Threshold: 11, Indicators: []string{"c"}, Breakdowns: []string{"mode"}}
	thr := strictest(ds, []configs.Export{low, high})
	for i, r := range ds.Rows {
		want := 0
		if r.Indicator == "c" && r.Territory == export.Total {
			want = 11
		}
		if thr[i] != want {
			t.Errorf("%s %s %v: threshold %d, want %d", r.Indicator, r.Territory, r.Dims, thr[i], want)
		}
	}
	sys := &system{threshold: thr}
	if err := protect(ds, sys); err != nil {
		t.Fatal(err)
	}
	c := confOf(ds)
	if c["c Ensemble b 4"] != export.Free || c["c A a 4"] != export.Primary {
		t.Errorf("%v", c)
	}
	// 10 of mode b in B is not in high's scope: threshold 5, published
	// unless a complement.
	if c["c B b 4"] == export.Primary {
		t.Errorf("c B b = 10 primary at threshold 5")
	}
}

// TestUnionHoldsWhatIsPublished: of the union of two profiles, each
// indicator keeps the breakdowns of the profiles that publish it. c is
// published by a profile without territories only: its territories'
// cells, which nobody publishes, leave the union, and with them the
// complementary cells they would have taken; f, published by the one
// with every breakdown, keeps its rows. A share declared as cells of c
// keeps c's territories when the share is published by territory.
func TestUnionHoldsWhatIsPublished(t *testing.T) {
	for _, tc := range []struct {
		name          string
		wide          []string // the indicators of the profile with every breakdown
		cTerritories  bool
		withShareLink bool
	}{
		{"c by département only", []string{"f", "p"}, false, false},
		{"c by territory in the other profile", []string{"c", "f", "p"}, true, false},
		{"the share of c published by territory", []string{"s", "f", "p"}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, sys := linkedFixture(t)
			wide := configs.Export{Name: "wide", Audience: "external", Threshold: 5, Indicators: tc.wide}
			dep := configs.Export{Name: "dep", Audience: "external", Threshold: 5, Indicators: []string{"c"}, Breakdowns: []string{"mode"}}
			links := map[string]indicators.Links{}
			if tc.withShareLink {
				links = sys.links
			}
			before := len(ds.Rows)
			published(ds, []configs.Export{wide, dep}, links)
			territories, others := 0, 0
			for _, r := range ds.Rows {
				switch {
				case r.Indicator == "c" && r.Territory != export.Total:
					territories++
				case r.Indicator != "c":
					others++
				}
			}
			if got := territories > 0; got != tc.cTerritories {
				t.Errorf("c keeps %d territory cells, want some: %t", territories, tc.cTerritories)
			}
			if others != 7 {
				t.Errorf("%d rows of the other indicators, want 7 (of %d)", others, before)
			}
		})
	}
}
