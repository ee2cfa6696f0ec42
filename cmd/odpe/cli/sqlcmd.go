package cli

import (
	"bufio"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/sandbox"
	"github.com/odpe/odpe/pipelines/sandbox/sqltext"
	"github.com/odpe/odpe/pipelines/sqlout"
)

// sqlRun is one `odpe sql`: statements run in the sandbox, each on the
// warehouse version current when it starts, each result streamed out.
type sqlRun struct {
	e       *env
	ctx     context.Context           // of the statements
	cancel  func() context.CancelFunc // at the prompt: a statement's context, Ctrl-C cancels it
	box     *sandbox.Sandbox
	format  string // of standard output
	french  bool
	output  string // file for the last result
	outFmt  string
	failed  int
	session []string // SET search_path / USE statements that ran: replayed on each statement's connection
	lastOut bool     // the statement running is the script's last: to --output
}

func runSQL(e *env, args []string) int {
	fs := e.flags("sql")
	format := fs.String("format", "table", "format of standard output: table, csv or json")
	output := fs.String("output", "", "write the last statement's result to FILE: .csv, .json, .xlsx or .parquet")
	french := fs.Bool("csv-fr", false, "CSV for French Excel: ';' separator, decimal comma, UTF-8 with BOM")
	if err := fs.Parse(args); err != nil {
		return ExitError
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		fmt.Fprintf(e.stderr, "odpe sql: unknown format %q: expected table, csv or json\n", *format)
		return ExitError
	}
	r := &sqlRun{e: e, ctx: e.ctx, format: *format, french: *french, output: *output}
	if *french && *format == "table" {
		r.format = "csv"
	}
	if r.output != "" {
		r.outFmt = sqlout.FormatOf(r.output)
		if *french {
			r.outFmt = "csv"
		}
		if r.outFmt == "" {
			fmt.Fprintf(e.stderr, "odpe sql: --output %s: name the file .csv, .json, .xlsx or .parquet\n", r.output)
			return ExitError
		}
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	if _, err := refresh.Store(cfg).Current(); err != nil {
		return e.fail(err)
	}
	r.box, err = sandbox.New(sandbox.Config{
		Warehouse: cfg.Warehouse, AllowedDirs: []string{cfg.ExportsDir},
		MemoryLimit: cfg.SQL.MemoryLimit, Threads: cfg.SQL.Threads, StatementTimeout: cfg.SQL.StatementTimeout,
	})
	if err != nil {
		return e.fail(err)
	}
	defer r.box.Close()
	switch {
	case fs.NArg() > 0:
		r.script(strings.Join(fs.Args(), " "), true)
	case isTerminalReader(e.stdin):
		r.interactive()
	default:
		r.piped()
	}
	if r.failed > 0 {
		return ExitNotFound
	}
	return ExitOK
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isTerminal(f)
}

// script runs every statement of a script (a meta-command alone on its
// line is one too); the last one goes to --output when last is set.
func (r *sqlRun) script(text string, last bool) {
	if m := strings.TrimSpace(text); strings.HasPrefix(m, `\`) || strings.HasPrefix(m, ".") {
		r.meta(m)
		return
	}
	stmts := sqltext.Split(text)
	for i, st := range stmts {
		r.lastOut = last && i == len(stmts)-1 && r.output != ""
		if err := r.statement(st); err != nil {
			r.failed++
			fmt.Fprintf(r.e.stderr, "odpe sql: %v\n", err)
		}
	}
}

// interactive is the prompt: line editing, history, meta-commands.
func (r *sqlRun) interactive() {
	home, _ := os.UserHomeDir()
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          "odpe> ",
		HistoryFile:     filepath.Join(home, ".odpe_sql_history"),
		InterruptPrompt: "^C",
		EOFPrompt:       `\q`,
		Stdout:          r.e.stdout,
		Stderr:          r.e.stderr,
	})
	if err != nil {
		r.piped()
		return
	}
	defer rl.Close()
	// Ctrl-C during a statement stops that statement, not the prompt.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	base := context.WithoutCancel(r.e.ctx)
	r.cancel = func() context.CancelFunc {
		ctx, cancel := context.WithCancel(base)
		r.ctx = ctx
		go func() {
			select {
			case <-sigs:
				cancel()
			case <-ctx.Done():
			}
		}()
		return cancel
	}
	fmt.Fprintln(r.e.stdout, `odpe sql: read-only, each statement on the current warehouse. \dt tables, \dv views, \d NAME columns, \? help, \q quit.`)
	var buf strings.Builder
	for {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			buf.Reset()
			rl.SetPrompt("odpe> ")
			continue
		}
		if err != nil {
			return
		}
		if r.line(&buf, line) {
			return
		}
		if buf.Len() == 0 {
			rl.SetPrompt("odpe> ")
		} else {
			rl.SetPrompt("  ... ")
		}
	}
}

// piped reads statements from standard input, without prompts.
func (r *sqlRun) piped() {
	in := bufio.NewScanner(r.e.stdin)
	in.Buffer(make([]byte, 64<<10), 16<<20)
	var buf strings.Builder
	for in.Scan() {
		if r.line(&buf, in.Text()) {
			return
		}
	}
	if rest := strings.TrimSpace(buf.String()); rest != "" {
		r.script(rest, true)
	}
}

// line takes one input line; true to quit.
func (r *sqlRun) line(buf *strings.Builder, line string) bool {
	if buf.Len() == 0 {
		m := strings.TrimSpace(line)
		if m == "" {
			return false
		}
		if strings.HasPrefix(m, `\`) || strings.HasPrefix(m, ".") {
			return r.meta(m)
		}
	}
	buf.WriteString(line)
	buf.WriteByte('\n')
	if sqltext.Complete(buf.String()) {
		r.script(buf.String(), false)
		buf.Reset()
	}
	return false
}

const listRelations = `SELECT table_schema AS schema, table_name AS name,
	CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS type
	FROM information_schema.tables
	WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog')`

// meta runs a meta-command; true to quit.
func (r *sqlRun) meta(m string) bool {
	cmd, arg, _ := strings.Cut(strings.TrimSuffix(m, ";"), " ")
	arg = strings.TrimSpace(arg)
	var q string
	switch cmd {
	case `\q`, `\quit`, ".quit", ".exit", ".q":
		return true
	case `\dt`, ".tables":
		q = listRelations + " AND table_type <> 'VIEW' ORDER BY 1, 2"
	case `\dv`:
		q = listRelations + " AND table_type = 'VIEW' ORDER BY 1, 2"
	case `\d`, ".schema":
		if arg == "" {
			q = listRelations + " ORDER BY 1, 2"
		} else {
			q = "DESCRIBE " + arg
		}
	case `\?`, ".help", `\h`:
		fmt.Fprint(r.e.stdout, `Statements end with ';' and run read-only on the current warehouse version.
  \dt, .tables    tables          \dv   views          \d  tables and views
  \d NAME         columns of NAME                      \q, .quit   quit
Schemas: main (indicator_values, indicators), core, ind, meta, raw; the export
folders are readable with read_parquet('…').
`)
		return false
	default:
		r.failed++
		fmt.Fprintf(r.e.stderr, "odpe sql: unknown command %s: \\? lists them\n", cmd)
		return false
	}
	if err := r.statement(q); err != nil {
		r.failed++
		fmt.Fprintf(r.e.stderr, "odpe sql: %v\n", err)
	}
	return false
}

// statement runs one statement and streams its result.
func (r *sqlRun) statement(text string) error {
	if r.cancel != nil {
		defer r.cancel()()
	}
	ctx := r.ctx
	l, err := r.box.Acquire(ctx)
	if err != nil {
		return err
	}
	defer l.Release()
	for _, q := range r.session {
		if res, err := l.Run(ctx, q); err == nil {
			res.Close()
		}
	}
	res, err := l.Run(ctx, text)
	if err != nil {
		return err
	}
	defer res.Close()
	switch sqltext.Keyword(text) {
	case "SET", "USE", "RESET":
		r.session = append(r.session, text)
		return sandbox.Drain(res)
	case "BEGIN", "COMMIT", "ROLLBACK", "START", "END", "ABORT":
		return sandbox.Drain(res)
	}
	if len(res.Columns) == 0 {
		return sandbox.Drain(res)
	}
	cols := make([]sqlout.Column, len(res.Columns))
	for i, c := range res.Columns {
		cols[i] = sqlout.Column{Name: c.Name, Kind: kindOf(c.Type)}
	}
	out, format := r.e.stdout, r.format
	var file *os.File
	if r.lastOut {
		if file, err = os.Create(r.output); err != nil {
			return err
		}
		defer file.Close()
		out, format = file, r.outFmt
	}
	w, err := sqlout.New(format, out, sqlout.Options{French: r.french})
	if err != nil {
		return err
	}
	if err := w.Begin(cols); err != nil {
		return err
	}
	dst := make([]driver.Value, len(cols))
	vals := make([]any, len(cols))
	var n int64
	for {
		err := res.Next(dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for i, v := range dst {
			if d, ok := v.(duckdb.Decimal); ok {
				v = sqlout.Dec{Unscaled: d.Value, Scale: int(d.Scale)}
			}
			vals[i] = v
		}
		if err := w.Row(vals); err != nil {
			return err
		}
		n++
	}
	if err := w.End(n); err != nil {
		return err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(r.e.stderr, "%d row(s) written to %s\n", n, r.output)
	}
	return nil
}

func kindOf(t duckdb.Type) sqlout.Kind {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return sqlout.Bool
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_INTEGER, duckdb.TYPE_UTINYINT, duckdb.TYPE_USMALLINT, duckdb.TYPE_UINTEGER:
		return sqlout.Int
	case duckdb.TYPE_BIGINT, duckdb.TYPE_UBIGINT, duckdb.TYPE_HUGEINT, duckdb.TYPE_UHUGEINT:
		return sqlout.BigInt
	case duckdb.TYPE_FLOAT, duckdb.TYPE_DOUBLE:
		return sqlout.Float
	case duckdb.TYPE_DECIMAL:
		return sqlout.Decimal
	case duckdb.TYPE_DATE:
		return sqlout.Date
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_TZ, duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS, duckdb.TYPE_TIMESTAMP_S:
		return sqlout.Timestamp
	}
	return sqlout.Text
}
