package serve_test

import (
	"context"
	"database/sql"
	"os/exec"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkPsqlMillionRows reads a million-row result (an id, a year, a
// territory, a value and a date a row) through psql, and the same result
// through DuckDB writing it as CSV to /dev/null (what `duckdb -csv` does),
// and reports both rates and their ratio:
//
//	go test ./pipelines/serve -run '^$' -bench PsqlMillionRows -benchtime 3x
func BenchmarkPsqlMillionRows(b *testing.B) {
	bin, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not installed")
	}
	f := startB(b)
	const q = "SELECT * FROM core.big"
	var psqlTime, duckTime time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, err := exec.Command(bin, "-X", "-A", "-t", "-o", "/dev/null", "-c", q, f.url("alice", statPass)).CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		psqlTime += time.Since(start)

		start = time.Now()
		cur, err := f.store.Current()
		if err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("duckdb", cur+"?access_mode=read_only")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(context.Background(), "COPY ("+q+") TO '/dev/null' (FORMAT csv)"); err != nil {
			b.Fatal(err)
		}
		db.Close()
		duckTime += time.Since(start)
	}
	n := float64(b.N) * 1e6
	b.ReportMetric(n/psqlTime.Seconds(), "psql-rows/s")
	b.ReportMetric(n/duckTime.Seconds(), "duckdb-rows/s")
	b.ReportMetric(psqlTime.Seconds()/duckTime.Seconds(), "psql/duckdb")
}

func startB(b *testing.B) *fixture {
	f := start(b, 0)
	f.refresh(b, `CREATE TABLE core.big AS SELECT i AS id, (2000 + i % 25)::INTEGER AS period,
		'territoire ' || (i % 50) AS territory, i * 0.37 AS value, DATE '2020-01-01' + (i % 1000)::INTEGER AS day
		FROM range(1000000) t(i)`)
	return f
}
