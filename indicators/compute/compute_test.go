package compute_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/indicators/compute"
	"github.com/odpe/odpe/pipelines/warehouse"
)

// newDB returns a migrated in-memory warehouse with a small table core.t of
// children counted by territory and sex.
func newDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if err := warehouse.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE core.t AS SELECT * FROM (VALUES
		('62', 2024, 'ARR', 'F', 3), ('62', 2024, 'ARR', 'M', 5),
		('62', 2024, 'LEN', 'F', 7), ('62', 2024, 'LEN', 'M', 2)) v(dep, year, territory, sex, n)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func declaration(unit, breakdowns, checks, extra string) string {
	return "id: x\nlabel: X\nfamily: test\ndefinition: test\nunit: \"" + unit + "\"\nnumerator: n\n" +
		"denominator: d\nbreakdowns: " + breakdowns + "\nreference_date: N\nsources: [core.t]\n" + extra +
		"checks:\n" + checks
}

func catalogue(t *testing.T, yaml, query string) *indicators.Catalogue {
	t.Helper()
	cat, err := indicators.Load(fstest.MapFS{"f/x.yaml": {Data: []byte(yaml)}, "f/x.sql": {Data: []byte(query)}})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

const cube = `SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
	coalesce(sex, 'Ensemble') AS sex, sum(n) AS numerator FROM core.t GROUP BY dep, year, CUBE (territory, sex)`

func TestComputeFillsValues(t *testing.T) {
	db := newDB(t)
	cat := catalogue(t, declaration("count", "[sex]", "  - non_negative: true\n  - additive: territory\n  - additive: sex\n", ""), cube)
	res, err := compute.Run(context.Background(), db, cat, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Values != 9 {
		t.Errorf("%d values, want 9 (3 territories × 3 sexes)", res.Values)
	}
	var v float64
	var status string
	db.QueryRow(`SELECT value, status FROM indicator_values WHERE territory = 'Ensemble' AND sex = 'Ensemble'`).Scan(&v, &status)
	if v != 17 || status != "final" {
		t.Errorf("total %g %s, want 17 final", v, status)
	}
}

func TestComputeShareValue(t *testing.T) {
	db := newDB(t)
	q := `SELECT dep, year AS period, territory, sum(n) FILTER (WHERE sex = 'F') AS numerator, sum(n) AS denominator
		FROM core.t GROUP BY ALL`
	cat := catalogue(t, declaration("%", "[]", "  - between: [0, 100]\n", ""), q)
	if _, err := compute.Run(context.Background(), db, cat, 1, nil); err != nil {
		t.Fatal(err)
	}
	var v float64
	db.QueryRow(`SELECT round(value, 2) FROM ind.values WHERE territory = 'LEN'`).Scan(&v)
	if v != 77.78 {
		t.Errorf("share %g, want 77.78", v)
	}
}

func TestValidationAgainstTheWarehouse(t *testing.T) {
	for _, c := range []struct {
		name, yaml, query, want string
	}{
		{"unknown source", strings.Replace(declaration("count", "[sex]", "  - non_negative: true\n", ""), "core.t]", "core.t, core.nope]", 1),
			cube, `f/x.yaml: source "core.nope": no such table`},
		{"breakdown not produced", declaration("count", "[sex]", "  - non_negative: true\n", ""),
			`SELECT dep, year AS period, territory, n AS numerator FROM core.t`, `f/x.yaml: the query produces no column "sex"`},
		{"undeclared breakdown", declaration("count", "[]", "  - non_negative: true\n", ""),
			cube, `f/x.yaml: the query produces breakdown "sex", which the declaration does not list`},
		{"broken query", declaration("count", "[sex]", "  - non_negative: true\n", ""),
			`SELEC nothing`, `f/x.sql: query`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := compute.Run(context.Background(), newDB(t), catalogue(t, c.yaml, c.query), 1, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestBrokenChecksFail(t *testing.T) {
	for _, c := range []struct {
		name, unit, breakdowns, checks, query, want string
	}{
		{"negative count", "count", "[]", "  - non_negative: true\n",
			`SELECT '62' AS dep, 2024 AS period, 'Ensemble' AS territory, -1 AS numerator`, "non_negative"},
		{"share above 100", "%", "[]", "  - between: [0, 100]\n",
			`SELECT '62' AS dep, 2024 AS period, 'Ensemble' AS territory, 120 AS numerator, 100 AS denominator`, "between 0 and 100"},
		{"shares not summing to 100", "%", "[sex]", "  - sums_to: {over: sex, total: 100, tolerance: 0.1}\n",
			`SELECT '62' AS dep, 2024 AS period, 'Ensemble' AS territory, s AS sex, n AS numerator, 10 AS denominator
			 FROM (VALUES ('F', 5), ('M', 4)) v(s, n)`, "sums_to 100 over sex"},
		{"total not the sum of territories", "count", "[]", "  - additive: territory\n",
			`SELECT '62' AS dep, 2024 AS period, t AS territory, n AS numerator
			 FROM (VALUES ('ARR', 3), ('LEN', 4), ('Ensemble', 8)) v(t, n)`, "total 8.0 but parts sum to 7.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := newDB(t)
			_, err := compute.Run(context.Background(), db, catalogue(t, declaration(c.unit, c.breakdowns, c.checks, ""), c.query), 1, nil)
			if !errors.Is(err, compute.ErrCheckFailed) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a failed check %q", err, c.want)
			}
			// Nothing of a failed computation is kept.
			var n int
			db.QueryRow("SELECT count(*) FROM ind.values").Scan(&n)
			if n != 0 {
				t.Errorf("%d values kept after a failed check", n)
			}
		})
	}
}

// TestOnlyIndicatorsOfChangedSourcesAreRecomputed: an indicator whose
// sources did not change keeps its values and the run that computed them;
// one that reads a changed table is recomputed from the new data.
func TestOnlyIndicatorsOfChangedSourcesAreRecomputed(t *testing.T) {
	db := newDB(t)
	if _, err := db.Exec(`CREATE TABLE core.u AS SELECT * FROM core.t`); err != nil {
		t.Fatal(err)
	}
	decl := func(id, table string) (string, string) {
		y := strings.NewReplacer("id: x\n", "id: "+id+"\n", "core.t", table).Replace(declaration("count", "[]", "  - non_negative: true\n", ""))
		return y, `SELECT dep, year AS period, territory, sum(n) AS numerator FROM ` + table + ` GROUP BY ALL`
	}
	ty, tq := decl("from_t", "core.t")
	uy, uq := decl("from_u", "core.u")
	cat, err := indicators.Load(fstest.MapFS{
		"f/from_t.yaml": {Data: []byte(ty)}, "f/from_t.sql": {Data: []byte(tq)},
		"f/from_u.yaml": {Data: []byte(uy)}, "f/from_u.sql": {Data: []byte(uq)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := compute.Run(ctx, db, cat, 1, nil); err != nil {
		t.Fatal(err)
	}
	// Both tables change, but only core.u is said to have changed.
	if _, err := db.Exec(`UPDATE core.t SET n = n + 100; UPDATE core.u SET n = n + 1000`); err != nil {
		t.Fatal(err)
	}
	res, err := compute.Run(ctx, db, cat, 2, map[string]bool{"core.u": true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Indicators != 1 || res.Kept != 1 || res.Values != 2 {
		t.Errorf("result %+v, want 1 computed (2 values), 1 kept", res)
	}
	got := map[string]string{}
	rows, err := db.Query(`SELECT indicator, string_agg(territory || '=' || numerator::INT || '@' || run_id, ' ' ORDER BY territory)
		FROM ind.values GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, v string
		rows.Scan(&id, &v)
		got[id] = v
	}
	if got["from_t"] != "ARR=8@1 LEN=9@1" || got["from_u"] != "ARR=2008@2 LEN=2009@2" {
		t.Errorf("values %v", got)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM ind.catalogue`).Scan(&n)
	if n != 2 {
		t.Errorf("catalogue holds %d declarations, want 2", n)
	}
}
