package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// sqlWarehouse returns the samples' configuration, refreshed once, with
// sql.memory_limit set to limit.
func sqlWarehouse(t *testing.T, limit string) (cfg, dir string) {
	t.Helper()
	cfg = refreshtest.Samples(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("sql:\n  memory_limit: " + limit + "\n")
	f.Close()
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("refresh exit %d\n%s\n%s", code, out, errOut)
	}
	return cfg, filepath.Dir(cfg)
}

func TestSQLSandbox(t *testing.T) {
	cfg, dir := sqlWarehouse(t, "500MB")
	exports := filepath.Join(dir, "exports")
	inside := filepath.Join(exports, "leak.csv")
	for _, tc := range []struct{ q, want string }{
		{"COPY core.ase_measures TO '/tmp/odpe-sql-leak.csv'", "COPY is not allowed"},
		{"COPY (SELECT 1) TO '" + inside + "'", "COPY is not allowed"},
		{"EXPORT DATABASE '" + filepath.Join(exports, "db") + "'", "EXPORT is not allowed"},
		{"SELECT * FROM read_text('/etc/passwd')", "Permission Error"},
		{"SELECT * FROM read_text('" + filepath.Join(dir, "odpe.key") + "')", "Permission Error"},
		{"SET memory_limit = '100GB'", "SET memory_limit is not allowed"},
		{"ATTACH '" + filepath.Join(dir, "other.duckdb") + "' AS o (READ_WRITE)", "ATTACH is not allowed"},
		{"INSTALL httpfs", "INSTALL is not allowed"},
		{"LOAD parquet", "LOAD is not allowed"},
		{"CREATE TABLE x (i INTEGER)", "CREATE is not allowed"},
		{"SELECT 1; UPDATE meta.state SET value = 'x'", "UPDATE is not allowed"},
	} {
		code, _, errOut := odpe(t, "--config", cfg, "sql", tc.q)
		if code != cli.ExitNotFound || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, %q; want exit %d and %q", tc.q, code, errOut, cli.ExitNotFound, tc.want)
		}
	}
	for _, p := range []string{inside, "/tmp/odpe-sql-leak.csv", filepath.Join(dir, "other.duckdb")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	// The marts stay readable.
	code, out, errOut := odpe(t, "--config", cfg, "sql", "--format", "csv",
		"SELECT count(*) > 0 AS ok FROM read_parquet('"+filepath.Join(exports, "insee", "parquet", "*.parquet")+"')")
	if code != cli.ExitOK || out != "ok\ntrue\n" {
		t.Errorf("read_parquet of a mart: exit %d, %q %s", code, out, errOut)
	}
}

func TestSQLPromptAndOutputs(t *testing.T) {
	cfg, dir := sqlWarehouse(t, "500MB")
	// Piped: every statement's result, meta-commands, and a failure anywhere fails the run.
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), []string{"--config", cfg, "sql", "--format", "csv"},
		strings.NewReader("SELECT 1 AS a;\n\\dt\nSELECT x FROM nowhere;\nSET search_path = 'core';\nSELECT count(*) > 0 AS b FROM ase_measures;\n\\q\nSELECT 3 AS c;\n"), &out, &errb)
	if code != cli.ExitNotFound {
		t.Errorf("piped with a failing statement: exit %d", code)
	}
	for _, want := range []string{"a\n1\n", "core,ase_measures,table", "b\ntrue\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("piped output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "c\n3") || !strings.Contains(errb.String(), "nowhere") {
		t.Errorf("after \\q or the error: %s / %s", out.String(), errb.String())
	}
	// JSON keeps the column order and writes 64-bit integers as strings.
	code, js, _ := odpe(t, "--config", cfg, "sql", "--format", "json", "SELECT 9007199254740993::BIGINT AS z, 1.5 AS a, 'x' AS m, 12.30::DECIMAL(5,2) AS d")
	if code != cli.ExitOK || !strings.Contains(js, `{"z": "9007199254740993", "a": 1.5, "m": "x", "d": 12.30}`) {
		t.Errorf("json: %s", js)
	}
	var parsed []map[string]any
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		t.Errorf("json does not parse: %v", err)
	}
	q := "SELECT 'Arras' AS territoire, 12.5::DOUBLE AS taux, 3 AS n, DATE '2024-12-31' AS au"
	// French CSV: BOM, ';', decimal comma.
	frPath := filepath.Join(dir, "fr.csv")
	if code, _, e := odpe(t, "--config", cfg, "sql", "--csv-fr", "--output", frPath, q); code != cli.ExitOK {
		t.Fatalf("csv-fr: %d %s", code, e)
	}
	if b, _ := os.ReadFile(frPath); string(b) != "\uFEFFterritoire;taux;n;au\r\nArras;12,5;3;2024-12-31\r\n" {
		t.Errorf("csv-fr: %q", b)
	}
	// xlsx.
	xPath := filepath.Join(dir, "r.xlsx")
	if code, _, e := odpe(t, "--config", cfg, "sql", "--output", xPath, q); code != cli.ExitOK {
		t.Fatalf("xlsx: %d %s", code, e)
	}
	f, err := excelize.OpenFile(xPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Résultat")
	f.Close()
	if len(rows) != 2 || rows[1][0] != "Arras" || rows[1][1] != "12.5" {
		t.Errorf("xlsx rows %q", rows)
	}
	// Parquet, read back through the sandbox (the export folder is readable).
	pPath := filepath.Join(dir, "exports", "r.parquet")
	if code, _, e := odpe(t, "--config", cfg, "sql", "--output", pPath, q); code != cli.ExitOK {
		t.Fatalf("parquet: %d %s", code, e)
	}
	code, got, e := odpe(t, "--config", cfg, "sql", "--format", "csv", "SELECT * FROM read_parquet('"+pPath+"')")
	if code != cli.ExitOK || got != "territoire,taux,n,au\nArras,12.5,3,2024-12-31\n" {
		t.Errorf("parquet read back: %d %q %s", code, got, e)
	}
}

// Ten million rows printed as CSV by a process whose DuckDB may use 256 MB:
// the result streams, the process stays far below the 650 MB the
// materialised result takes.
func TestSQLStreamsTenMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("10 M rows: not in -short")
	}
	cfg, _ := sqlWarehouse(t, "256MB")
	bin := binary(t)
	cmd := exec.Command(bin, "--config", cfg, "sql", "--format", "csv",
		"SELECT i, i * 0.5 AS half, 'ligne numéro ' || i AS label FROM range(10000000) t(i)")
	counter := &lineCounter{}
	cmd.Stdout = counter
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchPeak(cmd)
	err := cmd.Wait()
	rss := peak.MiB()
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if counter.lines != 10_000_001 {
		t.Errorf("%d lines, want 10,000,001", counter.lines)
	}
	if rss == 0 {
		t.Skip("no /proc/PID/status VmHWM to read the peak from")
	}
	t.Logf("peak RSS %d MiB", rss)
	if rss > 400 {
		t.Errorf("peak RSS %d MiB: the result is not streamed", rss)
	}
}

type lineCounter struct{ lines int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

func TestPasswdWritesAVerifier(t *testing.T) {
	cfg := refreshtest.Samples(t)
	before, _ := os.ReadFile(cfg)
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), []string{"--config", cfg, "passwd", "--role", "partner", "paul"},
		strings.NewReader("correct horse battery\n"), &out, &errb)
	if code != cli.ExitOK {
		t.Fatalf("passwd: exit %d %s", code, errb.String())
	}
	after, _ := os.ReadFile(cfg)
	text := string(after)
	if strings.Contains(text, "correct horse") || !strings.Contains(text, "role: partner") || !strings.Contains(text, "scram: SCRAM-SHA-256$4096:") {
		t.Errorf("configuration after passwd:\n%s", text)
	}
	// The rest of the file is kept, and it still loads.
	if !strings.Contains(text, strings.SplitN(string(before), "\n", 2)[0]) {
		t.Error("passwd lost the file's first line")
	}
	if code, _, e := odpe(t, "--config", cfg, "status"); code != cli.ExitOK && !strings.Contains(e, "no warehouse") {
		t.Errorf("configuration no longer loads: %s", e)
	}
	code = cli.Run(context.Background(), []string{"--config", cfg, "passwd", "paul"}, strings.NewReader("short\n"), &out, &errb)
	if code == cli.ExitOK {
		t.Error("a 5-character password was accepted")
	}
}
