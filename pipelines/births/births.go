// Package births loads the INSEE état civil births detail file (SOURCES.md
// §5: one row per birth, ANAIS;MNAIS;DEPDOMM;SEXE among other columns) as
// counts by mother's département of residence, year, month and sex of the
// child, into raw.births.
//
// The file is large (14 million rows for France over 20 years), so DuckDB
// reads and aggregates it itself in one INSERT … SELECT … FROM read_csv.
// Go only reads the header and counts the lines, streaming. Values are
// validated in the same statement: an invalid one makes DuckDB raise an
// error, the statement loads nothing, and Go then finds the first line
// holding the value to report it as a *extract.DataError.
//
// The job registers itself as kind "insee_births".
package births

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
)

// table is the raw table the job fills.
const table = "births"

// Kind is the INSEE births source family.
var Kind = extract.Kind{
	Name:        "insee_births",
	Description: "INSEE births detail file (état civil, one row per birth), counted by month, mother's département and sex",
	Pattern:     "*.csv",
	Tables:      []string{table},
	Retention:   extract.Accumulate,
	New:         extract.NoOptions("insee_births", job{}),
}

func init() { extract.Register(Kind) }

// options is the job's configuration block: it has no options.
// job loads births detail files.
type job struct{}

// Required columns of the detail file.
const (
	colDep   = "DEPDOMM" // mother's département of residence
	colYear  = "ANAIS"   // year of birth
	colMonth = "MNAIS"   // month of birth
	colSex   = "SEXE"    // 1 boy, 2 girl
)

// rule is how DuckDB validates a required column: the whole value must
// match pattern.
type rule struct {
	column   string
	pattern  string
	expected string // in words, for the error message
}

// rules are the required columns, in the order of raw.births.
var rules = []rule{
	{colDep, `[0-9]{2,3}|2[AB]`, "a département code: 2 digits, 2A, 2B, 3 digits overseas, 99 abroad"},
	{colYear, `[0-9]{4}`, "a year of 4 digits"},
	{colMonth, `0?[1-9]|1[0-2]`, "a month from 01 to 12"},
	{colSex, `[12]`, "a sex code: 1 (boy) or 2 (girl)"},
}

func requiredColumns() []string {
	cols := make([]string, len(rules))
	for i, r := range rules {
		cols[i] = r.column
	}
	return cols
}

// Load counts the births of one file into the staging table of raw.births,
// with one statement that DuckDB runs on the file. It returns the number of
// births (the data lines of the file).
func (job) Load(ctx context.Context, f extract.File, env *extract.Env, sink extract.Sink) (int64, error) {
	l, err := scanFile(ctx, f.Path, f.Name)
	if err != nil {
		return 0, err
	}
	if l.rows == 0 {
		return 0, nil
	}
	groups, err := sink.Exec(ctx, l.query(sink.Stage(table)), f.Path, l.rows)
	if err != nil {
		return 0, l.explain(ctx, f.Path, err)
	}
	if env != nil && env.Logger != nil {
		env.Logger.Info("births counted", "file", f.Name, "births", l.rows, "rows", groups)
	}
	return l.rows, nil
}

// Markers of the errors the statement raises, for explain.
const (
	markInvalid = "odpe-births-invalid"
	markCount   = "odpe-births-count"
)

// query returns the statement that counts the births of the file (first
// parameter: its path; second: the number of data lines Go counted) into
// stage. Fields are named by position (f1, f2…), so headers need no
// quoting. Values are checked after a first aggregation on the raw text,
// so that the patterns run once per distinct combination, not per birth.
func (l *layout) query(stage string) string {
	var cols strings.Builder
	for i := range l.header {
		if i > 0 {
			cols.WriteString(", ")
		}
		fmt.Fprintf(&cols, "'f%d': 'VARCHAR'", i+1)
	}
	ref := func(col string) string { return fmt.Sprintf("f%d", l.index[col]+1) }
	checked := func(r rule) string {
		v := fmt.Sprintf("coalesce(%s, '')", r.column)
		return fmt.Sprintf("CASE WHEN regexp_full_match(%[1]s, '%[2]s') THEN %[1]s ELSE error('%[3]s %[4]s ' || hex(%[1]s)) END",
			v, r.pattern, markInvalid, r.column)
	}
	return fmt.Sprintf(`INSERT INTO %[1]s (dep, year, month, sex, births)
WITH counted AS (
	SELECT %[2]s AS %[6]s, %[3]s AS %[7]s, %[4]s AS %[8]s, %[5]s AS %[9]s, count(*) AS births
	FROM read_csv(?, delim = '%[10]c', header = true, auto_detect = false, columns = {%[11]s})
	GROUP BY ALL
), checked AS (
	SELECT
		%[12]s AS dep,
		CAST(%[13]s AS INTEGER) AS year,
		CAST(%[14]s AS INTEGER) AS month,
		CASE %[15]s WHEN '1' THEN 'M' ELSE 'F' END AS sex,
		births,
		sum(births) OVER () AS total
	FROM counted
)
SELECT dep, year, month, sex, CAST(sum(births) AS BIGINT)
FROM checked
WHERE CASE WHEN total = ? THEN true ELSE error('%[16]s ' || total) END
GROUP BY dep, year, month, sex`,
		stage,
		ref(colDep), ref(colYear), ref(colMonth), ref(colSex),
		colDep, colYear, colMonth, colSex,
		delimiter, cols.String(),
		checked(rules[0]), checked(rules[1]), checked(rules[2]), checked(rules[3]),
		markCount)
}

var (
	invalidRE = regexp.MustCompile(markInvalid + ` ([A-Z]+) ([0-9A-F]*)`)
	countRE   = regexp.MustCompile(markCount + ` ([0-9]+)`)
)

// explain turns the statement's error into one about the file: the bad
// value with the line where it first appears, a line count that differs
// from DuckDB's, or DuckDB's own complaint about the CSV.
func (l *layout) explain(ctx context.Context, path string, err error) error {
	msg := err.Error()
	if m := invalidRE.FindStringSubmatch(msg); m != nil {
		return l.invalid(ctx, path, m[1], m[2])
	}
	if m := countRE.FindStringSubmatch(msg); m != nil {
		return extract.Rejectf("%s: DuckDB counted %s births but the file has %d data lines: expected one birth per line (no line breaks inside quoted fields)",
			l.name, m[1], l.rows)
	}
	if summary, ok := strings.CutPrefix(msg, "Invalid Input Error: "); ok {
		return extract.Rejectf("%s: %s", l.name, firstParagraph(summary))
	}
	return fmt.Errorf("load %s: %w", l.name, err)
}

// invalid builds the error for value (hex-encoded by DuckDB) of column.
func (l *layout) invalid(ctx context.Context, path, column, hexValue string) error {
	raw, _ := hex.DecodeString(hexValue)
	value := string(raw)
	e := &extract.DataError{File: l.name, Column: column, Value: value}
	for _, r := range rules {
		if r.column == column {
			e.Expected = r.expected
		}
	}
	if i, ok := l.index[column]; ok {
		e.Column = l.header[i]
		line, err := firstLine(ctx, path, i, value)
		if err != nil {
			return fmt.Errorf("%s: locate invalid %s value %q: %w", l.name, column, value, err)
		}
		e.Line = line
	}
	return e
}

// firstParagraph keeps a DuckDB message up to its first blank line or its
// advice, on one line: what went wrong and where, without the suggested
// reader options.
func firstParagraph(msg string) string {
	for _, end := range []string{"\n\n", "\nPossible fixes:"} {
		if i := strings.Index(msg, end); i >= 0 {
			msg = msg[:i]
		}
	}
	var lines []string
	for _, s := range strings.Split(strings.TrimSpace(msg), "\n") {
		s = strings.TrimSpace(s)
		// DuckDB quotes the offending line of the file: a message
		// carries an excerpt of a file at most.
		if rest, ok := strings.CutPrefix(s, "Original Line:"); ok {
			s = "Original Line: " + extract.Excerpt(strings.TrimSpace(rest))
		}
		lines = append(lines, s)
	}
	return extract.Message(strings.Join(lines, "; "))
}
