package serve

import (
	"regexp"
	"strings"

	"github.com/odpe/odpe/pipelines/sandbox/sqltext"
)

type actionKind int

const (
	actRun      actionKind = iota // run text in the sandbox
	actBegin                      // BEGIN: hold one version until COMMIT
	actCommit                     // COMMIT / END
	actRollback                   // ROLLBACK / ABORT
	actSet                        // SET of a session parameter: remembered, answered
	actShow                       // SHOW of a session parameter
	actNoop                       // answered with tag and nothing done
)

// action is what the server does with one statement.
type action struct {
	kind  actionKind
	text  string // for actRun: the statement (rewritten for catalog queries)
	tag   string // command tag of the answer
	name  string // parameter of SET/SHOW
	value string
}

// pgSettings are the PostgreSQL session parameters clients set at
// connection (drivers, DBeaver, psycopg, RPostgres): SET is answered and
// remembered, SHOW answers the remembered value. search_path is also
// applied to DuckDB (schemas core, ind, meta, raw).
var pgSettings = map[string]bool{
	"client_encoding": true, "datestyle": true, "timezone": true, "extra_float_digits": true,
	"application_name": true, "search_path": true, "statement_timeout": true, "intervalstyle": true,
	"standard_conforming_strings": true, "client_min_messages": true, "bytea_output": true,
	"lc_messages": true, "lc_monetary": true, "lc_numeric": true, "lc_time": true,
	"default_transaction_read_only": true, "default_transaction_isolation": true, "transaction_isolation": true,
	"idle_in_transaction_session_timeout": true, "lock_timeout": true, "jit": true, "work_mem": true,
	"row_security": true, "plan_cache_mode": true, "geqo": true, "names": true, "role": true,
	"session_authorization": true, "transaction_read_only": true, "max_identifier_length": true,
	"server_version": true, "server_version_num": true, "server_encoding": true, "integer_datetimes": true,
	"is_superuser": true, "in_hot_standby": true, "max_index_keys": true,
}

// classify decides what a statement is for the server.
func classify(text string, params map[string]string) action {
	w := sqltext.Words(text, 4)
	if len(w) == 0 {
		return action{kind: actRun, text: text}
	}
	switch w[0] {
	case "BEGIN", "START":
		return action{kind: actBegin, tag: "BEGIN"}
	case "COMMIT", "END":
		return action{kind: actCommit, tag: "COMMIT"}
	case "ROLLBACK", "ABORT":
		if len(w) > 1 && w[1] == "TO" {
			return action{kind: actNoop, tag: "ROLLBACK"}
		}
		return action{kind: actRollback, tag: "ROLLBACK"}
	case "SAVEPOINT":
		return action{kind: actNoop, tag: "SAVEPOINT"}
	case "RELEASE":
		return action{kind: actNoop, tag: "RELEASE"}
	case "DISCARD":
		return action{kind: actNoop, tag: "DISCARD ALL"}
	case "LISTEN", "UNLISTEN":
		return action{kind: actNoop, tag: w[0]}
	case "DEALLOCATE":
		return action{kind: actNoop, tag: "DEALLOCATE"}
	case "SET":
		rest := w[1:]
		if len(rest) > 0 && (rest[0] == "SESSION" || rest[0] == "LOCAL") {
			rest = rest[1:]
		}
		if len(rest) > 0 && (rest[0] == "TRANSACTION" || rest[0] == "CHARACTERISTICS") {
			return action{kind: actNoop, tag: "SET"}
		}
		if len(rest) > 0 && rest[0] == "TIME" { // SET TIME ZONE 'x'
			return action{kind: actSet, tag: "SET", name: "timezone", value: setValue(text, "ZONE")}
		}
		if len(rest) > 0 && pgSettings[strings.ToLower(rest[0])] {
			name := strings.ToLower(rest[0])
			return action{kind: actSet, tag: "SET", name: name, value: setValue(text, rest[0])}
		}
	case "RESET":
		if len(w) > 1 && (w[1] == "ALL" || pgSettings[strings.ToLower(w[1])]) {
			return action{kind: actNoop, tag: "RESET"}
		}
	case "SHOW":
		if len(w) > 1 {
			name := strings.ToLower(w[1])
			if name == "transaction" && len(w) > 3 { // SHOW TRANSACTION ISOLATION LEVEL
				name = "transaction_isolation"
			}
			if name == "time" {
				name = "timezone"
			}
			if v, ok := params[name]; ok {
				return action{kind: actShow, name: name, value: v}
			}
		}
	}
	if q, ok := databaseList(text); ok {
		return action{kind: actRun, text: q}
	}
	if q, ok := functionList(text); ok {
		return action{kind: actRun, text: q}
	}
	if q, ok := catalogQuery(text); ok {
		return action{kind: actRun, text: q}
	}
	if q, ok := describeQuery(text); ok {
		return action{kind: actRun, text: q}
	}
	if strings.Contains(text, "pg_catalog.") {
		text = regclassLiteral.ReplaceAllString(text, "0")
		text = userByID.ReplaceAllString(pgRewriter.Replace(text), "'odpe'")
		text = nullFuncs.ReplaceAllString(text, "NULL")
		text = encodingName.ReplaceAllString(text, "'UTF8'")
		text = viewDef.ReplaceAllString(text, "pg_get_viewdef($1)")
		text = strings.ReplaceAll(text, "::regclass", "")
		return action{kind: actRun, text: text}
	}
	return action{kind: actRun, text: text}
}

var (
	userByID = regexp.MustCompile(`pg_catalog\.pg_get_userbyid\([^)]*\)`)
	// 'pg_class'::regclass: DuckDB has no regclass; no object has a
	// description, so no catalog matches.
	regclassLiteral = regexp.MustCompile(`'[^']*'::(?:pg_catalog\.)?regclass`)
	// Functions DuckDB lacks whose answer is "nothing" here.
	nullFuncs    = regexp.MustCompile(`(?:pg_catalog\.)?(?:array_to_string|pg_get_partkeydef|pg_tablespace_location|obj_description|col_description|shobj_description)\([^()]*\)`)
	encodingName = regexp.MustCompile(`pg_catalog\.pg_encoding_to_char\([^()]*\)`)
	// \d+ VIEW: DuckDB's pg_get_viewdef takes the oid alone.
	viewDef = regexp.MustCompile(`pg_catalog\.pg_get_viewdef\('(\d+)'::pg_catalog\.oid, true\)`)
)

// pgRewriter turns PostgreSQL-only syntax of clients' catalog queries into
// DuckDB's.
var pgRewriter = strings.NewReplacer(
	"OPERATOR(pg_catalog.~)", "~",
	"OPERATOR(pg_catalog.!~)", "!~",
	" COLLATE pg_catalog.default", "",
	"::pg_catalog.regtype::pg_catalog.text", "::VARCHAR",
	"::pg_catalog.text", "::VARCHAR",
	"::pg_catalog.regclass", "",
)

// setValue reads the value of SET name = value / SET name TO value.
func setValue(text, after string) string {
	i := strings.Index(strings.ToUpper(text), strings.ToUpper(after))
	if i < 0 {
		return ""
	}
	v := strings.TrimSpace(text[i+len(after):])
	v = strings.TrimSpace(strings.TrimPrefix(v, "="))
	if len(v) > 2 && strings.EqualFold(v[:3], "TO ") {
		v = strings.TrimSpace(v[3:])
	}
	v = strings.TrimSuffix(v, ";")
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

var (
	relkindsRe = regexp.MustCompile(`c\.relkind IN \(([^)]*)\)`)
	relnameRe  = regexp.MustCompile(`c\.relname OPERATOR\(pg_catalog\.~\) '((?:[^']|'')*)'`)
	nspnameRe  = regexp.MustCompile(`n\.nspname OPERATOR\(pg_catalog\.~\) '((?:[^']|'')*)'`)
)

// catalogQuery answers psql's relation lists (\d, \dt, \dv and their
// patterns), whose pg_catalog queries DuckDB cannot run, from DuckDB's
// information_schema, with the same columns.
func catalogQuery(q string) (string, bool) {
	if !strings.Contains(q, "FROM pg_catalog.pg_class c") || !strings.Contains(q, `as "Schema"`) || !strings.Contains(q, `as "Owner"`) {
		return "", false
	}
	m := relkindsRe.FindStringSubmatch(q)
	if m == nil {
		return "", false
	}
	var types []string
	if strings.Contains(m[1], "'r'") || strings.Contains(m[1], "'p'") {
		types = append(types, "'BASE TABLE'", "'LOCAL TEMPORARY'")
	}
	if strings.Contains(m[1], "'v'") || strings.Contains(m[1], "'m'") {
		types = append(types, "'VIEW'")
	}
	if len(types) == 0 {
		types = append(types, "'none'")
	}
	where := []string{
		"table_catalog = current_database()",
		"table_schema NOT IN ('information_schema', 'pg_catalog')",
		"table_type IN (" + strings.Join(types, ", ") + ")",
	}
	if m := relnameRe.FindStringSubmatch(q); m != nil {
		where = append(where, "regexp_full_match(table_name, '"+m[1]+"')")
	}
	if m := nspnameRe.FindStringSubmatch(q); m != nil {
		where = append(where, "regexp_full_match(table_schema, '"+m[1]+"')")
	}
	return `SELECT table_schema AS "Schema", table_name AS "Name",
		CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS "Type", 'odpe' AS "Owner"
		FROM information_schema.tables WHERE ` + strings.Join(where, " AND ") + ` ORDER BY 1, 2`, true
}

var oidRe = regexp.MustCompile(`(?:c\.oid|a\.attrelid|i\.indrelid|pol\.polrelid|stxrelid|c\.conrelid|inhrelid|pr\.prrelid|c\.inhrelid|r\.conrelid|inhparent)\s*=\s*'(\d+)'`)

// describeQuery answers the queries psql sends for \d NAME about one
// relation, which read pg_catalog columns DuckDB does not have: the
// relation's kind, its columns (from duckdb_columns), and nothing for
// indexes, constraints, policies, statistics, publications and
// inheritance.
func describeQuery(q string) (string, bool) {
	m := oidRe.FindStringSubmatch(q)
	if m == nil {
		return "", false
	}
	oid := m[1]
	switch {
	case strings.Contains(q, "SELECT c.relchecks, c.relkind"):
		return `SELECT 0 AS relchecks, c.relkind, false AS relhasindex, false AS relhasrules, false AS relhastriggers,
			false AS relrowsecurity, false AS relforcerowsecurity, false AS relhasoids, false AS relispartition, '' AS reloptions,
			0 AS reltablespace, '' AS reloftype, 'p' AS relpersistence, 'd' AS relreplident, 'heap' AS amname
			FROM pg_catalog.pg_class c WHERE c.oid = ` + oid, true
	case strings.Contains(q, "FROM pg_catalog.pg_attribute a") && strings.Contains(q, "a.attname"):
		// \d+ asks for storage, compression, statistics target and the
		// column's description too, as many as psql's version knows.
		cols := `column_name AS attname, data_type AS format_type, column_default AS attrdef,
			NOT is_nullable AS attnotnull, NULL::VARCHAR AS attcollation, '' AS attidentity, '' AS attgenerated`
		for _, extra := range []struct{ asked, col string }{
			{"a.attstorage", `CASE WHEN data_type = 'VARCHAR' THEN 'x' ELSE 'p' END AS attstorage`},
			{"attcompression", `'' AS attcompression`},
			{"attstattarget", `NULL::INTEGER AS attstattarget`},
			{"col_description(", `comment AS description`},
		} {
			if strings.Contains(q, extra.asked) {
				cols += ", " + extra.col
			}
		}
		return `SELECT ` + cols + ` FROM duckdb_columns() WHERE table_oid = ` + oid + ` ORDER BY column_index`, true
	case strings.Contains(q, "pg_catalog.pg_index"), strings.Contains(q, "pg_catalog.pg_constraint"),
		strings.Contains(q, "pg_catalog.pg_policy"), strings.Contains(q, "pg_catalog.pg_statistic_ext"),
		strings.Contains(q, "pg_catalog.pg_publication"), strings.Contains(q, "pg_catalog.pg_inherits"),
		strings.Contains(q, "pg_catalog.pg_trigger"), strings.Contains(q, "pg_catalog.pg_rewrite"):
		return "SELECT NULL::VARCHAR AS none WHERE false", true
	}
	return "", false
}

var columnAlias = regexp.MustCompile(`(?i)\bas "([^"]+)"`)

// databaseList answers psql's \l (pg_database, which DuckDB lacks) with
// the one database a session sees, in the columns psql's version asks for.
func databaseList(q string) (string, bool) {
	if !strings.Contains(q, "FROM pg_catalog.pg_database d") || !strings.Contains(q, `as "Name"`) {
		return "", false
	}
	return "SELECT " + aliased(q, func(alias string) string {
		switch alias {
		case "Name":
			return "current_database()"
		case "Owner":
			return "'odpe'"
		case "Encoding":
			return "'UTF8'"
		case "Collate", "Ctype":
			return "'C'"
		case "Locale Provider":
			return "'libc'"
		case "Access privileges":
			return "''"
		case "Description":
			return "'Entrepôt ODPE (lecture seule)'"
		}
		return "NULL::VARCHAR"
	}), true
}

// functionList answers psql's \df (pg_proc, with functions DuckDB lacks):
// the warehouse declares no function of its own, so the list is empty, in
// the columns psql asks for.
func functionList(q string) (string, bool) {
	if !strings.Contains(q, "FROM pg_catalog.pg_proc p") || !strings.Contains(q, `as "Name"`) {
		return "", false
	}
	return "SELECT " + aliased(q, func(string) string { return "NULL::VARCHAR" }) + " WHERE false", true
}

// aliased is the select list of q's column aliases (as "Alias"), in
// order, each given the value value(alias).
func aliased(q string, value func(alias string) string) string {
	var cols []string
	for _, m := range columnAlias.FindAllStringSubmatch(q, -1) {
		cols = append(cols, value(m[1])+` AS "`+strings.ReplaceAll(m[1], `"`, `""`)+`"`)
	}
	return strings.Join(cols, ", ")
}
