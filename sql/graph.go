package sql

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Statement is one statement of a transform script: the object it creates
// and the objects it reads. A refresh reruns only the statements whose
// inputs changed (see Plan).
//
// What a statement reads is what its text names: the raw and core tables
// (and core macros), and the temporary views created before it. meta.*
// tables are not inputs: meta.files gives the order and dates of a
// family's files, which change only when that family's raw tables do. A
// statement that reads meta.files for a family says so with a comment line
// before it:
//
//	-- reads: raw.ase_measures
type Statement struct {
	Script  string   // "01_conformed.sql"
	Line    int      // first line of the statement in its script
	Text    string   // the statement, comments included, without its ";"
	Creates string   // "core.pmi_monthly", or a temporary view's name
	Kind    string   // TABLE, VIEW or MACRO
	Temp    bool     // a temporary view: exists only in the connection that made it
	Reads   []string // sorted
}

// Derived reports whether the statement stores no data of its own (a view
// or a macro): it is cheap to create, and must exist in the connection
// that runs the statements after it, so it is always run; it is an input
// that changed only when one of its own inputs did.
func (s Statement) Derived() bool { return s.Kind != "TABLE" }

var (
	createRe = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|MACRO)\s+([a-z_][a-z0-9_.]*)`)
	tableRe  = regexp.MustCompile(`(?i)\b(?:raw|core)\.[a-z_][a-z0-9_]*\b`)
	readsRe  = regexp.MustCompile(`(?i)^\s*--\s*reads:\s*(.+)$`)
)

// TransformStatements returns the statements of every transform script,
// in the order they run.
func TransformStatements() ([]Statement, error) {
	var out []Statement
	temps := map[string]bool{}
	for _, s := range Transforms() {
		stmts, err := splitStatements(s.Name, s.Text)
		if err != nil {
			return nil, err
		}
		for _, st := range stmts {
			if st.Temp {
				temps[st.Creates] = true
			}
			for t := range temps {
				if t != st.Creates && regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(t)+`\b`).MatchString(code(st.Text)) {
					st.Reads = append(st.Reads, t)
				}
			}
			slices.Sort(st.Reads)
			st.Reads = slices.Compact(st.Reads)
			out = append(out, st)
		}
	}
	return out, nil
}

// splitStatements cuts a script at the lines whose code ends with ";".
func splitStatements(script, text string) ([]Statement, error) {
	var (
		out   []Statement
		buf   strings.Builder
		start int
		reads []string
	)
	for i, line := range strings.Split(text, "\n") {
		if m := readsRe.FindStringSubmatch(line); m != nil {
			for _, r := range strings.Split(m[1], ",") {
				reads = append(reads, strings.ToLower(strings.TrimSpace(r)))
			}
		}
		c := strings.TrimSpace(code(line))
		if c == "" && buf.Len() == 0 {
			continue // comments between statements
		}
		if buf.Len() == 0 {
			start = i + 1
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if !strings.HasSuffix(c, ";") {
			continue
		}
		stmt := strings.TrimSuffix(strings.TrimRight(buf.String(), " \t\n"), ";")
		buf.Reset()
		m := createRe.FindStringSubmatch(code(stmt))
		if m == nil {
			return nil, fmt.Errorf("%s:%d: a transform statement must create a table, view or macro (CREATE OR REPLACE …)", script, start)
		}
		st := Statement{Script: script, Line: start, Text: stmt, Kind: strings.ToUpper(m[2]),
			Temp: m[1] != "", Creates: strings.ToLower(m[3]), Reads: reads}
		for _, t := range Names(stmt) {
			if t != st.Creates {
				st.Reads = append(st.Reads, t)
			}
		}
		reads = nil
		out = append(out, st)
	}
	if strings.TrimSpace(code(buf.String())) != "" {
		return nil, fmt.Errorf("%s:%d: statement without a final \";\"", script, start)
	}
	return out, nil
}

// code returns text without its "--" comments (our scripts have no "--"
// inside string literals).
func code(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "--"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

// Names returns the raw and core objects a query names (comments left
// out), lower-cased, sorted, once each.
func Names(query string) []string {
	var out []string
	for _, t := range tableRe.FindAllString(code(query), -1) {
		out = append(out, strings.ToLower(t))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Plan returns the statements to run when the tables in changed (raw
// tables reloaded) changed, and every object whose content may differ
// afterwards: changed, the tables rebuilt, and the views and macros over
// them. A nil changed means everything changed (a first build, a new
// catalogue or new transforms): every statement runs.
func Plan(stmts []Statement, changed []string) (run []Statement, dirty map[string]bool) {
	dirty = map[string]bool{}
	for _, t := range changed {
		dirty[t] = true
	}
	for _, s := range stmts {
		stale := changed == nil || slices.ContainsFunc(s.Reads, func(r string) bool { return dirty[r] })
		if stale {
			dirty[s.Creates] = true
		}
		if stale || s.Derived() {
			run = append(run, s)
		}
	}
	return run, dirty
}

// Objects returns the objects the transforms create, by name.
func Objects(stmts []Statement) map[string]Statement {
	out := make(map[string]Statement, len(stmts))
	for _, s := range stmts {
		out[s.Creates] = s
	}
	return out
}
