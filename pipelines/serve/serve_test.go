package serve_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odpe/odpe/pipelines/serve"
	"github.com/odpe/odpe/pipelines/serve/scram"
	"github.com/odpe/odpe/pipelines/warehouse"
)

const (
	statPass    = "statistician-password"
	partnerPass = "partner-password"
)

// fixture is a warehouse, an external profile's published Parquet file and
// a server on a loopback port.
type fixture struct {
	store   *warehouse.Store
	exports string
	addr    string
	run     int
}

func start(t testing.TB, timeout time.Duration) *fixture {
	t.Helper()
	return startWith(t, timeout, nil)
}

// startWith starts the server; with a TLS configuration, TLS is required.
func startWith(t testing.TB, timeout time.Duration, tlsConfig *tls.Config) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{
		store:   &warehouse.Store{Path: filepath.Join(dir, "data", "odpe.duckdb"), Settings: warehouse.Settings{MemoryLimit: "500MB", Threads: 1}},
		exports: filepath.Join(dir, "exports"),
	}
	if err := os.MkdirAll(filepath.Join(f.exports, "insee", "parquet"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.refresh(t, `COPY (SELECT * FROM (VALUES ('ase_children_followed', 2024, 'Arras', 120.0, NULL), ('ase_children_followed', 2024, 'Lens', NULL, 'A'))
		AS t(indicator, period, territory, value, conf)) TO '`+filepath.Join(f.exports, "insee", "parquet", "ase.parquet")+`' (FORMAT parquet)`)
	users := map[string]serve.User{}
	for name, u := range map[string][2]string{"alice": {serve.RoleStatistician, statPass}, "bob": {serve.RolePartner, partnerPass}} {
		v, err := scram.New(u[1])
		if err != nil {
			t.Fatal(err)
		}
		users[name] = serve.User{Role: u[0], Verifier: v}
	}
	srv, err := serve.New(serve.Config{
		Warehouse: f.store.Path, ExportsDir: f.exports, PartnerProfiles: []string{"insee"},
		MemoryLimit: "300MB", Threads: 1, StatementTimeout: timeout, MaxRows: 2_000_000,
		AuthDelay: 50 * time.Millisecond, Users: users, TLS: tlsConfig,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, tlsConfig != nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		srv.Close()
	})
	return f
}

// refresh commits a new version whose run id is one more than the last;
// every table carries it.
func (f *fixture) refresh(t testing.TB, extra ...string) int {
	t.Helper()
	ctx := context.Background()
	b, err := f.store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.run++
	run := f.run
	for _, q := range append([]string{
		fmt.Sprintf(`INSERT OR REPLACE INTO meta.state VALUES ('run', '%d')`, run),
		fmt.Sprintf(`CREATE OR REPLACE TABLE core.ase_measures AS SELECT %d AS run_id, i AS n FROM range(1000) t(i)`, run),
		fmt.Sprintf(`CREATE OR REPLACE VIEW main.indicator_values AS SELECT 'ase_children_followed' AS indicator, 2024 AS period, 42.5::DOUBLE AS value, %d AS run_id`, run),
	}, extra...) {
		if _, err := b.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return run
}

func (f *fixture) url(user, pass string) string {
	return fmt.Sprintf("postgresql://%s:%s@%s/odpe?sslmode=disable", user, pass, f.addr)
}

func (f *fixture) connect(t testing.TB, user, pass string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), f.url(user, pass))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// psql runs the real client; the test is skipped without it.
func psql(t *testing.T, f *fixture, user, pass string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (Debian's postgresql-client; .ci/run installs it)")
	}
	cmd := exec.Command(bin, append([]string{"-X", "-v", "ON_ERROR_STOP=1", f.url(user, pass)}, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPsql(t *testing.T) {
	f := start(t, 0)
	out, err := psql(t, f, "alice", statPass, "-c", `\d`, "-c", `\dt core.*`, "-c", `\dv`, "-c", `\d core.ase_measures`, "-c", `\dn`,
		"-c", `\l`, "-c", `\l+`, "-c", `\d+ core.ase_measures`, "-c", `\d+ indicator_values`, "-c", `\dn+`, "-c", `\df`,
		"-c", "SELECT indicator, period, value, run_id FROM indicator_values")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(out, "ERROR") {
		t.Errorf("a psql command failed:\n%s", out)
	}
	for _, want := range []string{"List of relations", "core   | ase_measures     | table", "main   | indicator_values | view",
		`Table "core.ase_measures"`, " run_id | INTEGER |", "List of schemas", "ase_children_followed |   2024 |  42.5 |      1",
		"List of databases", "| Storage ", "View definition:", "List of functions"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
	for _, q := range []string{"COPY core.ase_measures TO '/tmp/odpe-serve-leak.csv'", "ATTACH '/tmp/odpe-other.duckdb' AS o", "SET memory_limit = '64GB'", "INSTALL httpfs"} {
		out, err := psql(t, f, "alice", statPass, "-c", q)
		if err == nil || !strings.Contains(out, "is not allowed") {
			t.Errorf("%s: %v\n%s", q, err, out)
		}
	}
	if _, err := os.Stat("/tmp/odpe-serve-leak.csv"); err == nil {
		t.Error("COPY TO wrote its file")
	}
	out, err = psql(t, f, "alice", "wrong", "-c", "SELECT 1")
	if err == nil || !strings.Contains(out, `password authentication failed for user "alice"`) {
		t.Errorf("wrong password: %v\n%s", err, out)
	}
	out, err = psql(t, f, "bob", partnerPass, "-c", `\dv`, "-c", "SELECT territory, value, conf FROM insee.ase ORDER BY 1")
	if err != nil || !strings.Contains(out, "insee  | ase  | view") || !strings.Contains(out, "Lens      |       | A") {
		t.Errorf("partner: %v\n%s", err, out)
	}
}

func TestPgx(t *testing.T) {
	f := start(t, 0)
	ctx := context.Background()
	c := f.connect(t, "alice", statPass)

	// A prepared statement with a parameter (extended protocol, binary).
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM core.ase_measures WHERE n < $1", 10).Scan(&n); err != nil || n != 10 {
		t.Errorf("prepared count = %d, %v", n, err)
	}
	// Every common type, in binary (pgx's default) and in text (simple protocol).
	q := `SELECT 7::INTEGER AS i, 9000000000::BIGINT AS b, 2.5::DOUBLE AS d, 12.345::DECIMAL(10,3) AS num,
		'texte é' AS t, DATE '2024-12-31' AS dt, TIMESTAMP '2024-12-31 23:59:58' AS ts, true AS ok, NULL::INTEGER AS nothing`
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		var (
			i       int32
			b       int64
			d       float64
			num     pgtype.Numeric
			text    string
			dt, ts  time.Time
			ok      bool
			nothing *int32
		)
		if err := c.QueryRow(ctx, q, mode).Scan(&i, &b, &d, &num, &text, &dt, &ts, &ok, &nothing); err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		if i != 7 || b != 9000000000 || d != 2.5 || num.Int.Cmp(big.NewInt(12345)) != 0 || num.Exp != -3 || text != "texte é" ||
			!dt.Equal(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)) || !ts.Equal(time.Date(2024, 12, 31, 23, 59, 58, 0, time.UTC)) || !ok || nothing != nil {
			t.Errorf("mode %v: %v %v %v %v %q %v %v %v %v", mode, i, b, d, num, text, dt, ts, ok, nothing)
		}
	}

	// A refresh between two queries on one connection: the second sees it.
	var run int
	if err := c.QueryRow(ctx, "SELECT max(run_id) FROM core.ase_measures").Scan(&run); err != nil || run != 1 {
		t.Fatalf("first run = %d, %v", run, err)
	}
	f.refresh(t)
	if err := c.QueryRow(ctx, "SELECT max(run_id) FROM core.ase_measures").Scan(&run); err != nil || run != 2 {
		t.Errorf("after a refresh, run = %d, %v; want 2", run, err)
	}
	// A transaction keeps its version through a refresh.
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.QueryRow(ctx, "SELECT max(run_id) FROM core.ase_measures").Scan(&run)
	f.refresh(t)
	var again int
	tx.QueryRow(ctx, "SELECT max(run_id) FROM core.ase_measures").Scan(&again)
	tx.Commit(ctx)
	if again != run {
		t.Errorf("inside a transaction: %d then %d", run, again)
	}
	c.QueryRow(ctx, "SELECT max(run_id) FROM core.ase_measures").Scan(&run)
	if run != 3 {
		t.Errorf("after the transaction: run %d, want 3", run)
	}

	// SQLSTATEs.
	for q, code := range map[string]string{
		"COPY core.ase_measures TO 'x.csv'":      "42501",
		"CREATE TABLE core.x (i INTEGER)":        "25006",
		"ATTACH 'x.duckdb'":                      "42501",
		"SELECT * FROM nowhere":                  "42P01",
		"SELEC 1":                                "42601",
		"SELECT * FROM read_text('/etc/passwd')": "42501",
	} {
		_, err := c.Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: %v, want SQLSTATE %s", q, err, code)
		}
	}
	// Session parameters are answered.
	var tz string
	if _, err := c.Exec(ctx, "SET extra_float_digits = 3"); err != nil {
		t.Error(err)
	}
	if err := c.QueryRow(ctx, "SHOW transaction_isolation").Scan(&tz); err != nil || tz != "read committed" {
		t.Errorf("SHOW: %q %v", tz, err)
	}
	// search_path reaches DuckDB, on every version the session reads.
	if _, err := c.Exec(ctx, "SET search_path TO core"); err != nil {
		t.Fatal(err)
	}
	f.refresh(t)
	if err := c.QueryRow(ctx, "SELECT max(run_id) FROM ase_measures").Scan(&run); err != nil || run != 4 {
		t.Errorf("with search_path core after a refresh: run %d, %v", run, err)
	}
	if _, err := c.Exec(ctx, "SET search_path TO main"); err != nil {
		t.Fatal(err)
	}

	// A cancel request from another connection stops the running query
	// with 57014, and the connection goes on.
	go func() {
		time.Sleep(300 * time.Millisecond)
		if err := c.PgConn().CancelRequest(ctx); err != nil {
			t.Errorf("cancel request: %v", err)
		}
	}()
	_, err = c.Exec(ctx, "SELECT count(*) FROM range(100000000000)")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Errorf("cancelled query: %v, want 57014", err)
	}
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Errorf("after a cancel: %v", err)
	}
}

func TestRowCap(t *testing.T) {
	f := start(t, 0)
	c := f.connect(t, "alice", statPass)
	_, err := c.Exec(context.Background(), "SELECT * FROM range(2000001)")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "54000" || !strings.Contains(pe.Message, "serve.max_rows") {
		t.Errorf("over the row cap: %v", err)
	}
}

func TestWrongPasswordAndPartner(t *testing.T) {
	f := start(t, 0)
	ctx := context.Background()
	for _, u := range [][2]string{{"alice", "nope"}, {"mallory", statPass}} {
		_, err := pgx.Connect(ctx, f.url(u[0], u[1]))
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" {
			t.Errorf("%s: %v, want 28P01", u[0], err)
		}
	}
	p := f.connect(t, "bob", partnerPass)
	_, err := p.Exec(ctx, "SELECT * FROM core.ase_measures")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || (pe.Code != "42P01" && pe.Code != "3F000") {
		t.Errorf("partner reading core.ase_measures: %v", err)
	}
	for _, q := range []string{"SELECT * FROM odpe.core.ase_measures", "SELECT * FROM read_parquet('" + f.store.Path + "')"} {
		if _, err := p.Exec(ctx, q); err == nil {
			t.Errorf("partner ran %s", q)
		}
	}
	var value *float64
	var conf *string
	if err := p.QueryRow(ctx, "SELECT value, conf FROM insee.ase WHERE territory = 'Lens'").Scan(&value, &conf); err != nil || value != nil || conf == nil || *conf != "A" {
		t.Errorf("hidden cell: %v %v %v", value, conf, err)
	}
}

func TestStatementTimeout(t *testing.T) {
	f := start(t, 300*time.Millisecond)
	c := f.connect(t, "alice", statPass)
	_, err := c.Exec(context.Background(), "SELECT count(*) FROM range(100000000000)")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || !strings.Contains(pe.Message, "statement timeout") {
		t.Fatalf("got %v, want 57014 statement timeout", err)
	}
	var one int
	if err := c.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil {
		t.Errorf("after the timeout: %v", err)
	}
}

// Fifty clients query while refreshes swap versions: every result comes
// from one finished version (the run id of two tables agrees and is one
// that was committed).
func TestConcurrentClientsDuringRefresh(t *testing.T) {
	f := start(t, 0)
	ctx := context.Background()
	stop := make(chan struct{})
	var refreshes sync.WaitGroup
	refreshes.Add(1)
	go func() {
		defer refreshes.Done()
		for i := 0; i < 5; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f.refresh(t)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 50*10)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctx, f.url("alice", statPass))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			for j := 0; j < 10; j++ {
				var a, b, rows int
				err := c.QueryRow(ctx, `SELECT (SELECT value::INTEGER FROM meta.state WHERE key = 'run'),
					(SELECT max(run_id) FROM core.ase_measures), (SELECT count(*) FROM core.ase_measures)`).Scan(&a, &b, &rows)
				if err != nil {
					errs <- err
					return
				}
				if a != b || rows != 1000 || a < 1 || a > 6 {
					errs <- fmt.Errorf("mixed or unfinished version: state run %d, measures run %d, %d rows", a, b, rows)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	refreshes.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTLSRequired(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "odpe"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	f := startWith(t, 0, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	ctx := context.Background()
	c, err := pgx.Connect(ctx, strings.Replace(f.url("alice", statPass), "sslmode=disable", "sslmode=require", 1))
	if err != nil {
		t.Fatalf("over TLS: %v", err)
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("query over TLS: %v", err)
	}
	c.Close(ctx)
	_, err = pgx.Connect(ctx, f.url("alice", statPass))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28000" {
		t.Errorf("without TLS: %v, want 28000", err)
	}
}

func TestFailedLoginsSlowDown(t *testing.T) {
	f := start(t, 0)
	ctx := context.Background()
	var took []time.Duration
	for i := 0; i < 3; i++ {
		start := time.Now()
		if _, err := pgx.Connect(ctx, f.url("alice", "wrong")); err == nil {
			t.Fatal("logged in with a wrong password")
		}
		took = append(took, time.Since(start))
	}
	// 50 ms, then 100, then 200: each failure from the address doubles the delay.
	if took[0] < 50*time.Millisecond || took[2] < 200*time.Millisecond {
		t.Errorf("failed logins answered after %v", took)
	}
	// A success resets it.
	c := f.connect(t, "alice", statPass)
	c.Close(ctx)
}

// psycopg2 (Debian's python3-psycopg2), as a Python user would.
func TestPsycopg(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import psycopg2").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python3 with psycopg2 not installed (Debian's python3-psycopg2; .ci/run installs it)")
	}
	f := start(t, 0)
	script := `
import sys, psycopg2
c = psycopg2.connect(sys.argv[1])
cur = c.cursor()
cur.execute("SELECT indicator, period, value FROM indicator_values WHERE period = %s", (2024,))
print(cur.fetchall())
cur.execute("SELECT table_name FROM INFORMATION_SCHEMA.tables WHERE (table_schema = ANY(current_schemas(true))) AND (table_schema <> 'pg_catalog')")
print(sorted(r[0] for r in cur.fetchall()))
try:
    cur.execute("COPY core.ase_measures TO '/tmp/x.csv'")
except psycopg2.Error as e:
    print(e.pgcode)
`
	out, err := exec.Command(py, "-c", script, f.url("alice", statPass)).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "[('ase_children_followed', 2024, 42.5)]\n['indicator_values', 'indicators', 'quality_issues']\n42501\n"
	if string(out) != want {
		t.Errorf("psycopg2 printed %q, want %q", out, want)
	}
}
