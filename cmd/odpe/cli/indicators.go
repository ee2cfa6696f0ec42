package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/refresh"
)

func runIndicators(e *env, args []string) int {
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	cat, err := refresh.Catalogue(cfg)
	if err != nil {
		return e.fail(err)
	}
	switch {
	case len(args) == 0:
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tFAMILY\tUNIT\tBREAKDOWNS\tLABEL")
		for _, d := range cat.List {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Family, d.Unit, strings.Join(append([]string{"territory"}, d.Breakdowns...), ", "), d.Label)
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "(%d indicators)\n", len(cat.List))
		return ExitOK
	case len(args) == 2 && args[0] == "show":
		d, ok := cat.Get(args[1])
		if !ok {
			return e.fail(fmt.Errorf("no indicator %q (see `odpe indicators`)", args[1]))
		}
		printDeclaration(e, d)
		return showValues(e, d)
	}
	fmt.Fprintln(e.stderr, "usage: odpe indicators [show ID]")
	return ExitError
}

func printDeclaration(e *env, d *indicators.Declaration) {
	w := e.stdout
	fmt.Fprintf(w, "%s — %s\n", d.ID, d.Label)
	fmt.Fprintf(w, "  family:         %s\n", d.Family)
	fmt.Fprintf(w, "  definition:     %s\n", strings.TrimSpace(d.Definition))
	fmt.Fprintf(w, "  unit:           %s (%s)\n", d.Unit, indicators.Units[d.Unit])
	fmt.Fprintf(w, "  numerator:      %s\n", d.Numerator)
	if d.Denominator != "" {
		fmt.Fprintf(w, "  denominator:    %s\n", d.Denominator)
	}
	fmt.Fprintf(w, "  breakdowns:     %s\n", strings.Join(append([]string{"period", "territory"}, d.Breakdowns...), ", "))
	fmt.Fprintf(w, "  reference date: %s\n", d.ReferenceDate)
	fmt.Fprintf(w, "  sources:        %s\n", strings.Join(d.Sources, ", "))
	if d.Convention != "" {
		fmt.Fprintf(w, "  convention:     %s\n", strings.TrimSpace(d.Convention))
	}
	if d.Target != nil {
		fmt.Fprintf(w, "  target:         %s %g %s\n", d.Target.Comparison, d.Target.Value, d.Target.Label)
	}
	fmt.Fprintf(w, "  declared in:    %s\n", d.File)
}

// showLimit is the number of values `odpe indicators show` prints.
const showLimit = 60

// showValues prints the latest period's values, the département's total
// first (every breakdown at 'Ensemble'), then its breakdowns, and says how
// many rows were left out.
func showValues(e *env, d *indicators.Declaration) int {
	cfg, _ := e.config()
	db, err := refresh.Store(cfg).OpenReadOnly(e.ctx)
	if err != nil {
		fmt.Fprintf(e.stdout, "\n(no values: %v)\n", err)
		return ExitOK
	}
	defer db.Close()
	dims := append([]string{"territory"}, d.Breakdowns...)
	cols := append([]string{"dep", "period"}, dims...)
	cols = append(cols, "numerator", "denominator", "round(value, 1) AS value", "unit", "status", "round(evolution, 2) AS evolution")
	// Rows with more breakdowns at 'Ensemble' come first: the total, then
	// each breakdown alone, then the crossings.
	var detail []string
	for _, b := range dims {
		detail = append(detail, fmt.Sprintf("(%s <> 'Ensemble')::INT", b))
	}
	latest := fmt.Sprintf(`FROM indicator_values
		WHERE indicator = '%s' AND period = (SELECT max(period) FROM ind.values WHERE indicator = '%s')`, d.ID, d.ID)
	var total int64
	if err := db.QueryRowContext(e.ctx, "SELECT count(*) "+latest).Scan(&total); err != nil {
		return e.fail(err)
	}
	q := fmt.Sprintf(`SELECT %s %s ORDER BY %s, %s LIMIT %d`, strings.Join(cols, ", "), latest,
		strings.Join(detail, " + "), strings.Join(append([]string{"dep"}, dims...), ", "), showLimit)
	fmt.Fprintln(e.stdout, "\nLatest values:")
	if err := query(e, db, q, "table"); err != nil {
		return e.fail(err)
	}
	if total > showLimit {
		fmt.Fprintf(e.stdout, "(%d of %d rows shown; %d not shown: see `odpe sql \"SELECT * FROM indicator_values WHERE indicator = '%s'\"`)\n",
			showLimit, total, total-showLimit, d.ID)
	}
	return ExitOK
}
