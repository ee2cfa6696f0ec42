package compute

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/odpe/odpe/indicators"
)

// keys are the columns that identify a value in ind.values.
var keys = append([]string{"dep", "period", "territory"}, indicators.Dimensions...)

// check applies every declared check of d to its values and returns an
// error quoting the first offending row of each broken check.
func check(ctx context.Context, tx *sql.Tx, d *indicators.Declaration) error {
	var failures []string
	for _, ck := range d.Checks {
		name, query := checkQuery(ck)
		var row string
		err := tx.QueryRowContext(ctx, query, d.ID).Scan(&row)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: check %s: %w", d.File, name, err)
		}
		failures = append(failures, fmt.Sprintf("%s (first offending row: %s)", name, row))
	}
	if len(failures) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (%s): %s", ErrCheckFailed, d.ID, d.File, strings.Join(failures, "; "))
}

// checkQuery returns a query that yields one description of an offending
// row, or no row when the check passes.
func checkQuery(ck indicators.Check) (string, string) {
	describe := "concat_ws(', ', 'period ' || period, 'territory ' || territory, " +
		"'service ' || service, 'category ' || category, 'public ' || public, 'sex ' || sex, " +
		"'age band ' || age_band, 'mode ' || mode, 'event ' || event, " +
		"'numerator ' || numerator, 'denominator ' || denominator, 'value ' || round(value, 3))"
	switch {
	case ck.NonNegative:
		return "non_negative", `SELECT ` + describe + ` FROM ind.values WHERE indicator = ?
			AND (numerator < 0 OR denominator < 0 OR value < 0) LIMIT 1`
	case ck.Between != nil:
		return fmt.Sprintf("between %g and %g", ck.Between[0], ck.Between[1]),
			fmt.Sprintf(`SELECT `+describe+` FROM ind.values WHERE indicator = ?
			AND value NOT BETWEEN %g AND %g LIMIT 1`, ck.Between[0], ck.Between[1])
	case ck.SumsTo != nil:
		over := ck.SumsTo.Over
		others := strings.Join(without(keys, over), ", ")
		return fmt.Sprintf("sums_to %g over %s", ck.SumsTo.Total, over),
			fmt.Sprintf(`SELECT concat_ws(', ', %[1]s) || ': sum ' || round(sum(value), 3)
			FROM ind.values WHERE indicator = ? AND %[2]s <> 'Ensemble' AND value IS NOT NULL
			GROUP BY %[1]s HAVING abs(sum(value) - %[3]g) > %[4]g LIMIT 1`,
				others, over, ck.SumsTo.Total, ck.SumsTo.Tolerance+1e-9)
	default:
		over := ck.Additive
		others := without(keys, over)
		join := make([]string, len(others))
		for i, k := range others {
			join[i] = fmt.Sprintf("t.%[1]s IS NOT DISTINCT FROM p.%[1]s", k)
		}
		return "additive over " + over,
			fmt.Sprintf(`WITH v AS (SELECT * FROM ind.values WHERE indicator = ?),
			parts AS (SELECT %[1]s, sum(numerator) AS numerator, count(*) AS n FROM v
			          WHERE %[2]s <> 'Ensemble' GROUP BY %[1]s)
			SELECT concat_ws(', ', 'period ' || t.period, 'territory ' || t.territory) ||
			       ': total ' || t.numerator || ' but parts sum to ' || p.numerator
			FROM v t JOIN parts p ON %[3]s
			WHERE t.%[2]s = 'Ensemble' AND abs(coalesce(t.numerator, 0) - coalesce(p.numerator, 0)) > 1e-6
			LIMIT 1`, strings.Join(others, ", "), over, strings.Join(join, " AND "))
	}
}

func without(list []string, drop string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}
