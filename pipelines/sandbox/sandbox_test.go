package sandbox_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/sandbox"
	"github.com/odpe/odpe/pipelines/warehouse"
)

// fixture is a warehouse with one version and an export folder with a
// Parquet mart.
type fixture struct {
	store   *warehouse.Store
	exports string
	dir     string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{
		store:   &warehouse.Store{Path: filepath.Join(dir, "data", "odpe.duckdb"), Settings: warehouse.Settings{MemoryLimit: "500MB", Threads: 1}},
		exports: filepath.Join(dir, "exports"),
		dir:     dir,
	}
	if err := os.MkdirAll(filepath.Join(f.exports, "insee", "parquet"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "odpe.key"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.commit(t, "one", `COPY (SELECT 'ase_children_followed' AS indicator, 2024 AS period, 12.5 AS value)
		TO '`+filepath.Join(f.exports, "insee", "parquet", "ase.parquet")+`' (FORMAT parquet)`)
	return f
}

// commit builds a version whose meta.state 'v' is value.
func (f *fixture) commit(t *testing.T, value string, extra ...string) {
	t.Helper()
	ctx := context.Background()
	b, err := f.store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts := append([]string{
		`INSERT OR REPLACE INTO meta.state VALUES ('v', '` + value + `')`,
		`CREATE OR REPLACE TABLE core.ase_measures AS SELECT 'x' AS measure, '` + value + `' AS v`,
	}, extra...)
	for _, q := range stmts {
		if _, err := b.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) sandbox(t *testing.T, timeout time.Duration) *sandbox.Sandbox {
	t.Helper()
	s, err := sandbox.New(sandbox.Config{
		Warehouse: f.store.Path, AllowedDirs: []string{f.exports},
		MemoryLimit: "200MB", Threads: 1, StatementTimeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run runs one statement on a new lease and returns its rows as text.
func run(t *testing.T, s *sandbox.Sandbox, q string) ([][]string, error) {
	t.Helper()
	l, err := s.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	res, err := l.Run(context.Background(), q)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out [][]string
	dst := make([]driver.Value, len(res.Columns))
	for {
		err := res.Next(dst)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		row := make([]string, len(dst))
		for i, v := range dst {
			row[i] = text(v)
		}
		out = append(out, row)
	}
}

// text is a value on one line, words separated by single spaces ("NULL"
// for NULL).
func text(v any) string {
	if v == nil {
		return "NULL"
	}
	return strings.Join(strings.Fields(fmt.Sprint(v)), " ")
}

func TestRefusedStatements(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 0)
	inside := filepath.Join(f.exports, "x.csv")
	other := filepath.Join(f.dir, "other.duckdb")
	for _, tc := range []struct{ q, want string }{
		{"COPY core.ase_measures TO '/tmp/odpe-leak.csv'", "COPY is not allowed"},
		{"COPY core.ase_measures TO '" + inside + "'", "COPY is not allowed"},
		{"copy (select 1) to '" + inside + "' (format csv)", "COPY is not allowed"},
		{"EXPORT DATABASE '" + f.exports + "/db'", "EXPORT is not allowed"},
		{"ATTACH '" + other + "' AS o (READ_WRITE)", "ATTACH is not allowed"},
		{"DETACH odpe", "DETACH is not allowed"},
		{"INSTALL httpfs", "INSTALL is not allowed"},
		{"LOAD httpfs", "LOAD is not allowed"},
		{"FORCE INSTALL httpfs", "FORCE is not allowed"},
		{"SET memory_limit = '100GB'", "SET memory_limit is not allowed"},
		{"SET GLOBAL threads = 64", "SET GLOBAL is not allowed"},
		{"RESET memory_limit", "RESET memory_limit is not allowed"},
		{"SET enable_external_access = true", "SET enable_external_access is not allowed"},
		{"SET allowed_directories = ['/']", "SET allowed_directories is not allowed"},
		{"PRAGMA enable_profiling", "PRAGMA is not allowed"},
		{"PRAGMA memory_limit = '100GB'", "is not allowed"},
		{"CREATE TABLE t AS SELECT 1", "CREATE is not allowed"},
		{"INSERT INTO meta.state VALUES ('a', 'b')", "INSERT is not allowed"},
		{"DROP TABLE core.ase_measures", "DROP is not allowed"},
		{"EXPLAIN ANALYZE COPY core.ase_measures TO '" + inside + "'", "COPY is not allowed"},
		{"/* hi */ (COPY core.ase_measures TO '" + inside + "')", "COPY is not allowed"},
		{"PREPARE p AS SELECT 1", "PREPARE is not allowed"},
		{"CREATE SECRET (TYPE s3)", "CREATE is not allowed"},
		{"SELECT * FROM read_text('/etc/passwd')", "Permission Error"},
		{"SELECT * FROM read_text('" + filepath.Join(f.dir, "odpe.key") + "')", "Permission Error"},
		{"SELECT * FROM read_parquet('" + filepath.Join(f.dir, "*.parquet") + "')", "Permission Error"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			_, err := run(t, s, tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			var re *sandbox.RefusedError
			if strings.Contains(tc.want, "not allowed") && !errors.As(err, &re) {
				t.Errorf("not refused before running: %v", err)
			}
		})
	}
	if _, err := os.Stat(inside); err == nil {
		t.Errorf("%s was written", inside)
	}
	if _, err := os.Stat("/tmp/odpe-leak.csv"); err == nil {
		t.Errorf("/tmp/odpe-leak.csv was written")
	}
	// The session settings that only change how it reads are allowed.
	for _, q := range []string{"SET search_path = 'core'", "USE odpe.core", "BEGIN", "COMMIT"} {
		if _, err := run(t, s, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestReadsWarehouseAndMarts(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 0)
	for _, tc := range []struct{ q, want string }{
		{"SELECT value FROM meta.state WHERE key = 'v'", "one"},
		{"SELECT v FROM core.ase_measures", "one"},
		{"SELECT indicator FROM read_parquet('" + filepath.Join(f.exports, "insee", "parquet", "*.parquet") + "')", "ase_children_followed"},
		{"PRAGMA table_info('core.ase_measures')", "measure"},
		{"EXPLAIN SELECT 1", "PROJECTION"},
		{"SHOW TABLES", ""},
	} {
		rows, err := run(t, s, tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		if tc.want != "" && (len(rows) == 0 || !strings.Contains(strings.Join(rows[0], " "), tc.want)) {
			t.Errorf("%s: got %v, want %q", tc.q, rows, tc.want)
		}
	}
}

func TestEachQueryOnTheCurrentVersion(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 0)
	ctx := context.Background()
	held, err := s.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.commit(t, "two")
	if rows, _ := run(t, s, "SELECT value FROM meta.state WHERE key = 'v'"); len(rows) != 1 || rows[0][0] != "two" {
		t.Errorf("a query after the refresh read %v, want two", rows)
	}
	// The lease taken before the refresh still reads its version.
	res, err := held.Run(ctx, "SELECT value FROM meta.state WHERE key = 'v'")
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]driver.Value, 1)
	if err := res.Next(dst); err != nil || dst[0] != "one" {
		t.Errorf("held lease read %v (%v), want one", dst[0], err)
	}
	res.Close()
	held.Release()
	f.commit(t, "three")
	if rows, _ := run(t, s, "SELECT value FROM meta.state WHERE key = 'v'"); len(rows) != 1 || rows[0][0] != "three" {
		t.Errorf("after a second refresh read %v, want three", rows)
	}
}

func TestStatementTimeout(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 200*time.Millisecond)
	start := time.Now()
	_, err := run(t, s, "SELECT count(*) FROM range(10000000000) a")
	var te *sandbox.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a statement timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stopped after %s", d)
	}
	// The session still works after.
	if _, err := run(t, s, "SELECT 1"); err != nil {
		t.Error(err)
	}
}

// A reader of the same version in the same process (a refresh's own look
// at the current version, `odpe status` under `odpe schedule --serve`)
// is not affected by the sandbox's locked settings, in either order.
func TestOtherReadersOfTheSameFile(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 0)
	l, err := s.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	db, err := f.store.OpenReadOnly(context.Background())
	if err != nil {
		t.Fatalf("open beside the sandbox: %v", err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT value FROM meta.state WHERE key = 'v'").Scan(&v); err != nil || v != "one" {
		t.Errorf("reader beside the sandbox: %q %v", v, err)
	}
	if _, err := db.Exec("SET memory_limit = '300MB'"); err != nil {
		t.Errorf("the other reader's settings are locked too: %v", err)
	}
	if rows, err := run(t, s, "SELECT value FROM meta.state WHERE key = 'v'"); err != nil || rows[0][0] != "one" {
		t.Errorf("sandbox beside a reader: %v %v", rows, err)
	}
}

// A SET search_path or USE does not follow the connection back into the
// pool, to another session.
func TestSessionSettingsStayWithTheLease(t *testing.T) {
	f := newFixture(t)
	s := f.sandbox(t, 0)
	ctx := context.Background()
	l, err := s.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"USE odpe.core", "SET search_path = 'meta'"} {
		res, err := l.Run(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		res.Close()
	}
	l.Release()
	if rows, err := run(t, s, "SELECT current_schema()"); err != nil || rows[0][0] != "main" {
		t.Errorf("next lease's schema: %v %v", rows, err)
	}
}
