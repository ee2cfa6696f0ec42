package births

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
)

// duckSink is an extract.Sink over an in-memory DuckDB database holding
// the staging table of raw.births.
type duckSink struct{ db *sql.DB }

func newSink(tb testing.TB) *duckSink {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE stage_births (dep VARCHAR, year INTEGER, month INTEGER, sex VARCHAR, births BIGINT)`); err != nil {
		tb.Fatal(err)
	}
	return &duckSink{db: db}
}

func (s *duckSink) Append(table string, _ ...any) error {
	return fmt.Errorf("duckSink: the births job must not append rows (table %s)", table)
}

func (s *duckSink) Stage(table string) string { return "stage_" + table }

func (s *duckSink) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	r, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// staged returns the number of births staged, by the key of each group.
func (s *duckSink) staged(tb testing.TB) map[string]int64 {
	tb.Helper()
	rows, err := s.db.Query(`SELECT dep, year, month, sex, births FROM stage_births`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var dep, sex string
		var year, month int
		var n int64
		if err := rows.Scan(&dep, &year, &month, &sex, &n); err != nil {
			tb.Fatal(err)
		}
		got[fmt.Sprintf("%s %d-%02d %s", dep, year, month, sex)] = n
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return got
}

func load(tb testing.TB, sink *duckSink, path string) (int64, error) {
	tb.Helper()
	k, ok := extract.Lookup("insee_births")
	if !ok {
		tb.Fatal("kind insee_births is not registered")
	}
	j, err := k.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	f := extract.File{Path: path, Name: filepath.Base(path)}
	return j.Load(context.Background(), f, &extract.Env{Departement: "62"}, sink)
}

// writeFile writes content as naissances.csv in a temporary directory.
func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "naissances.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestLoadSample(t *testing.T) {
	sink := newSink(t)
	n, err := load(t, sink, extracttest.Sample(t, "naissances_2006_2007.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 40265 {
		t.Errorf("births read = %d, want 40265 (the data lines)", n)
	}
	var total int64
	byYear := map[string]int64{}
	for key, births := range sink.staged(t) {
		total += births
		if dep, rest, _ := strings.Cut(key, " "); dep == "62" {
			byYear[rest[:4]] += births
		}
	}
	if total != n {
		t.Errorf("births staged = %d, want %d", total, n)
	}
	if want := map[string]int64{"2006": 19003, "2007": 18982}; !reflect.DeepEqual(byYear, want) {
		t.Errorf("births with DEPDOMM 62 by year = %v, want %v", byYear, want)
	}
}

func TestLoadCounts(t *testing.T) {
	sink := newSink(t)
	// Columns in another order, an extra one, lowercase headers, a BOM,
	// CRLF, a blank line, a month without its leading zero, no final
	// newline.
	path := writeFile(t, "\ufeffsexe;AGEMERE;depdomm;Mnais;ANAIS\r\n"+
		"1;30;62;07;2006\r\n"+
		"2;31;62;07;2006\r\n"+
		"\r\n"+
		"1;25;2A;7;2006\r\n"+
		"1;22;62;07;2006\r\n"+
		"2;40;974;12;2007\r\n"+
		"2;35;99;01;2007")
	n, err := load(t, sink, path)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("births read = %d, want 6", n)
	}
	want := map[string]int64{
		"62 2006-07 M": 2, "62 2006-07 F": 1, "2A 2006-07 M": 1,
		"974 2007-12 F": 1, "99 2007-01 F": 1,
	}
	if got := sink.staged(t); !reflect.DeepEqual(got, want) {
		t.Errorf("staged %v, want %v", got, want)
	}
}

func TestRejected(t *testing.T) {
	const header = "AGEMERE;ANAIS;DEPDOMM;MNAIS;SEXE\n"
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{
			name:    "month 13",
			content: header + "30;2006;62;01;1\n31;2006;62;13;2\n32;2006;62;13;1\n",
			want:    `naissances.csv: line 3, column "MNAIS": value "13": expected a month from 01 to 12`,
		},
		{
			name:    "year of two digits",
			content: header + "30;2006;62;01;1\n\n31;06;62;02;2\n",
			want:    `naissances.csv: line 4, column "ANAIS": value "06": expected a year of 4 digits`,
		},
		{
			name:    "sex 3",
			content: header + "30;2006;62;01;3\n",
			want:    `naissances.csv: line 2, column "SEXE": value "3": expected a sex code: 1 (boy) or 2 (girl)`,
		},
		{
			name:    "empty département",
			content: header + "30;2006;62;01;1\n30;2006;;01;1\n",
			want:    `naissances.csv: line 3, column "DEPDOMM": value "": expected a département code: 2 digits, 2A, 2B, 3 digits overseas, 99 abroad`,
		},
		{
			name:    "missing column",
			content: "AGEMERE;ANAIS;DEPDOMM;MOIS;SEXE\n30;2006;62;01;1\n",
			want:    `naissances.csv: line 1: missing column "MNAIS" (fields separated by ';'); headers found: "AGEMERE", "ANAIS", "DEPDOMM", "MOIS", "SEXE"`,
		},
		{
			name:    "comma-separated",
			content: "ANAIS,MNAIS,DEPDOMM,SEXE\n2006,01,62,1\n",
			want:    `naissances.csv: line 1: missing columns "DEPDOMM", "ANAIS", "MNAIS", "SEXE" (fields separated by ';'): the first line (1 field(s)) holds none of them: expected the INSEE births header`,
		},
		{
			name:    "duplicate column",
			content: "ANAIS;MNAIS;DEPDOMM;SEXE;anais\n2006;01;62;1;2006\n",
			want:    `naissances.csv: line 1: column "ANAIS" appears twice (fields 1 and 5)`,
		},
		{
			name:    "empty file",
			content: "",
			want:    `naissances.csv: the file is empty: expected a header line with the columns "DEPDOMM", "ANAIS", "MNAIS", "SEXE"`,
		},
		{
			name:    "missing field",
			content: header + "30;2006;62;01;1\n30;2006;62;01\n",
			want:    `naissances.csv: CSV Error on Line: 3; Original Line: 30;2006;62;01; Expected Number of Columns: 5 Found: 4`,
		},
		{
			name:    "line break in a quoted field",
			content: header + "\"3\n0\";2006;62;01;1\n",
			want:    `naissances.csv: DuckDB counted 1 births but the file has 2 data lines: expected one birth per line (no line breaks inside quoted fields)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newSink(t)
			_, err := load(t, sink, writeFile(t, tt.content))
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Error("error does not match extract.ErrRejected")
			}
			if got := sink.staged(t); len(got) != 0 {
				t.Errorf("staged %v despite the error", got)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := load(t, newSink(t), filepath.Join(t.TempDir(), "absent.csv"))
	if err == nil || errors.Is(err, extract.ErrRejected) {
		t.Fatalf("error = %v; want an I/O error that is not a rejection", err)
	}
}

// writeBirths writes a detail file of n births laid out as INSEE's (14
// columns), spread over départements, years and months.
func writeBirths(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "naissances.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "AGEMERE;AGEXACTM;ANAIS;DEPDOMM;DEPNAIS;GAGEXAPOM;GAGPOM;INDLNM;INDNATM;MNAIS;NBENF;REGDOMM;REGNAIS;SEXE")
	deps := []string{"59", "62", "75", "2A", "974", "99"}
	for i := range n {
		age := 18 + i%27
		fmt.Fprintf(w, "%d;%d;%d;%s;%s;;;1;1;%02d;1;32;32;%d\n",
			age, age, 2006+i%20, deps[i%len(deps)], deps[(i/7)%len(deps)], 1+i%12, 1+i%2)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkLoad loads a file of 2 million births and compares with DuckDB
// copying the same file into a table as is: rows/s of the job, seconds of
// the plain copy, the ratio of both, and the seconds of Go's own pass
// (header and line count).
func BenchmarkLoad(b *testing.B) {
	const births = 2_000_000
	path := writeBirths(b, births)
	sink := newSink(b)
	ctx := context.Background()
	var job, plain, scan time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		n, err := load(b, sink, path)
		if err != nil || n != births {
			b.Fatalf("load: %d births, %v", n, err)
		}
		job += time.Since(start)

		b.StopTimer()
		start = time.Now()
		if _, err := scanFile(ctx, path, "naissances.csv"); err != nil {
			b.Fatal(err)
		}
		scan += time.Since(start)
		start = time.Now()
		if _, err := sink.db.Exec(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)`, path); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)
		if _, err := sink.db.Exec(`DELETE FROM stage_births; DROP TABLE t`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(births/per(job), "births/s")
	b.ReportMetric(per(plain), "plain-s/op")
	b.ReportMetric(per(scan), "go-scan-s/op")
	b.ReportMetric(per(job)/per(plain), "x-plain")
}
