package serve

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	params := map[string]string{"transaction_isolation": "read committed", "timezone": "UTC"}
	for _, tc := range []struct {
		in   string
		kind actionKind
		tag  string
		name string
		val  string
	}{
		{"BEGIN", actBegin, "BEGIN", "", ""},
		{"start transaction read only", actBegin, "BEGIN", "", ""},
		{"COMMIT", actCommit, "COMMIT", "", ""},
		{"rollback", actRollback, "ROLLBACK", "", ""},
		{"ROLLBACK TO SAVEPOINT a", actNoop, "ROLLBACK", "", ""},
		{"SET extra_float_digits = 3", actSet, "SET", "extra_float_digits", "3"},
		{"SET application_name TO 'DBeaver'", actSet, "SET", "application_name", "DBeaver"},
		{"SET TIME ZONE 'Europe/Paris'", actSet, "SET", "timezone", "Europe/Paris"},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", actNoop, "SET", "", ""},
		{"SHOW TRANSACTION ISOLATION LEVEL", actShow, "", "transaction_isolation", "read committed"},
		{"show timezone", actShow, "", "timezone", "UTC"},
		{"SET memory_limit = '1GB'", actRun, "", "", ""}, // to the sandbox, which refuses it
		{"DISCARD ALL", actNoop, "DISCARD ALL", "", ""},
		{"SELECT 1", actRun, "", "", ""},
	} {
		a := classify(tc.in, params)
		if a.kind != tc.kind || a.tag != tc.tag || a.name != tc.name || a.value != tc.val {
			t.Errorf("classify(%q) = %+v", tc.in, a)
		}
	}
}

func TestCatalogRewrites(t *testing.T) {
	psqlDt := `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p','')
  AND c.relname OPERATOR(pg_catalog.~) '^(ase.*)$' COLLATE pg_catalog.default
ORDER BY 1,2;`
	a := classify(psqlDt, nil)
	if !strings.Contains(a.text, "information_schema.tables") || !strings.Contains(a.text, "table_type IN ('BASE TABLE', 'LOCAL TEMPORARY')") || !strings.Contains(a.text, "regexp_full_match(table_name, '^(ase.*)$')") {
		t.Errorf("\\dt ase*: %s", a.text)
	}
	a = classify(`SELECT d.classoid='pg_class'::regclass, c.relname OPERATOR(pg_catalog.~) 'x' COLLATE pg_catalog.default,
		pg_catalog.pg_get_userbyid(c.relowner), pg_catalog.pg_get_partkeydef(c.oid) FROM pg_catalog.pg_class c`, nil)
	for _, bad := range []string{"regclass", "OPERATOR", "COLLATE", "pg_get_userbyid", "pg_get_partkeydef"} {
		if strings.Contains(a.text, bad) {
			t.Errorf("rewrite left %s: %s", bad, a.text)
		}
	}
}
