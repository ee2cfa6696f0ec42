package sandbox

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/odpe/odpe/pipelines/sandbox/sqltext"
)

// RefusedError is a statement refused before it ran.
type RefusedError struct {
	What   string // "COPY", "SET memory_limit", "statement type INSERT"
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s is not allowed: %s", e.What, e.Reason)
}

// TimeoutError is a statement stopped by the statement timeout.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("canceling statement due to statement timeout (%s)", e.After)
}

const (
	readOnly = "the warehouse is read-only"
	noFiles  = "files are read with read_parquet('…') in the export folders only; results are written with `odpe sql --output FILE`"
)

// refusedKeywords names, by first keyword, the statements refused with a
// message of their own before DuckDB even prepares them (preparing COPY or
// EXPORT already touches files). DuckDB's statement type decides for the
// rest (see check).
var refusedKeywords = map[string]string{
	"COPY":       noFiles,
	"EXPORT":     noFiles,
	"IMPORT":     noFiles,
	"ATTACH":     "no other database can be attached",
	"DETACH":     "no database can be detached",
	"INSTALL":    "no extension can be installed",
	"LOAD":       "no extension can be loaded",
	"FORCE":      "no extension can be installed",
	"UPDATE":     readOnly,
	"INSERT":     readOnly,
	"DELETE":     readOnly,
	"CREATE":     readOnly,
	"DROP":       readOnly,
	"ALTER":      readOnly,
	"TRUNCATE":   readOnly,
	"MERGE":      readOnly,
	"VACUUM":     readOnly,
	"CHECKPOINT": readOnly,
	"ANALYZE":    readOnly,
	"COMMENT":    readOnly,
	"PREPARE":    "use your client's prepared statements",
	"EXECUTE":    "use your client's prepared statements",
	"DEALLOCATE": "use your client's prepared statements",
	"SECRET":     readOnly,
}

// sessionSettings are the SET/RESET names a session may change: they touch
// only how it reads, never what it may reach.
var sessionSettings = map[string]bool{
	"SEARCH_PATH": true, "SCHEMA": true,
	"VARIABLE": true, // SET VARIABLE x = … (a session variable)
}

// allowedTypes are the statement types that only read.
var allowedTypes = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:      true,
	duckdb.STATEMENT_TYPE_EXPLAIN:     true, // its statement is checked too
	duckdb.STATEMENT_TYPE_CALL:        true, // table functions: CALL pragma_version()
	duckdb.STATEMENT_TYPE_TRANSACTION: true, // BEGIN/COMMIT on a read-only session
	duckdb.STATEMENT_TYPE_RELATION:    true,
}

var typeNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE", duckdb.STATEMENT_TYPE_DELETE: "DELETE",
	duckdb.STATEMENT_TYPE_PREPARE: "PREPARE", duckdb.STATEMENT_TYPE_CREATE: "CREATE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
	duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_COPY: "COPY", duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE",
	duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET", duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION", duckdb.STATEMENT_TYPE_DROP: "DROP",
	duckdb.STATEMENT_TYPE_EXPORT: "EXPORT", duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA", duckdb.STATEMENT_TYPE_VACUUM: "VACUUM",
	duckdb.STATEMENT_TYPE_SET: "SET", duckdb.STATEMENT_TYPE_LOAD: "LOAD/INSTALL", duckdb.STATEMENT_TYPE_EXTENSION: "EXTENSION",
	duckdb.STATEMENT_TYPE_LOGICAL_PLAN: "LOGICAL PLAN", duckdb.STATEMENT_TYPE_ATTACH: "ATTACH", duckdb.STATEMENT_TYPE_DETACH: "DETACH",
	duckdb.STATEMENT_TYPE_MULTI: "multiple statements",
}

// precheck refuses, by its words, a statement that must not even be
// prepared, and a SET/RESET of anything but a session setting.
func precheck(text string) error {
	w := sqltext.Words(text, 4)
	if len(w) == 0 {
		return nil
	}
	for len(w) > 0 && (w[0] == "EXPLAIN" || w[0] == "ANALYZE" && len(w) > 1) {
		w = w[1:]
	}
	if len(w) == 0 {
		return nil
	}
	if reason, ok := refusedKeywords[w[0]]; ok {
		return &RefusedError{What: w[0], Reason: reason}
	}
	switch w[0] {
	case "SET", "RESET":
		name := ""
		rest := w[1:]
		if len(rest) > 0 && (rest[0] == "SESSION" || rest[0] == "LOCAL" || rest[0] == "GLOBAL") {
			if rest[0] == "GLOBAL" {
				return &RefusedError{What: w[0] + " GLOBAL", Reason: "the configuration is locked (memory limit, threads and timeouts come from odpe's configuration)"}
			}
			rest = rest[1:]
		}
		if len(rest) > 0 {
			name = rest[0]
		}
		if !sessionSettings[name] {
			return &RefusedError{What: w[0] + " " + strings.ToLower(name), Reason: "the configuration is locked (memory limit, threads and timeouts come from odpe's configuration)"}
		}
	case "USE":
		// USE changes the default schema only.
	}
	return nil
}

// Stmt is one checked, prepared statement on a lease.
type Stmt struct {
	lease *Lease
	st    *duckdb.Stmt
	Text  string
	Type  duckdb.StmtType
}

// Prepare checks one statement and prepares it. A statement that is not a
// read is refused with a *RefusedError before anything runs.
func (l *Lease) Prepare(ctx context.Context, text string) (*Stmt, error) {
	if n := len(sqltext.Split(text)); n > 1 {
		return nil, &RefusedError{What: "several statements", Reason: "prepare one statement at a time"}
	}
	if err := precheck(text); err != nil {
		return nil, err
	}
	ds, err := l.dc.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	st := ds.(*duckdb.Stmt)
	t, err := st.StatementType()
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := l.checkType(ctx, text, t); err != nil {
		st.Close()
		return nil, err
	}
	if t == duckdb.STATEMENT_TYPE_VARIABLE_SET || t == duckdb.STATEMENT_TYPE_SET {
		l.dirty = true
	}
	return &Stmt{lease: l, st: st, Text: text, Type: t}, nil
}

// checkType refuses what DuckDB's parser says is not a read; EXPLAIN's
// statement is checked in turn (EXPLAIN ANALYZE runs it).
func (l *Lease) checkType(ctx context.Context, text string, t duckdb.StmtType) error {
	switch {
	case t == duckdb.STATEMENT_TYPE_VARIABLE_SET || t == duckdb.STATEMENT_TYPE_SET:
		switch sqltext.Keyword(text) {
		case "SET", "RESET", "USE":
			return precheck(text) // only session settings pass
		}
		return &RefusedError{What: sqltext.Keyword(text), Reason: "the configuration is locked (memory limit, threads and timeouts come from odpe's configuration)"}
	case !allowedTypes[t]:
		name := typeNames[t]
		if name == "" {
			name = fmt.Sprintf("statement type %d", t)
		}
		return &RefusedError{What: name, Reason: readOnly + ": only reading statements run here"}
	case t == duckdb.STATEMENT_TYPE_EXPLAIN:
		inner := strings.TrimSpace(text)
		for _, kw := range []string{"EXPLAIN", "ANALYZE", "ANALYSE"} {
			if sqltext.Keyword(inner) == kw {
				inner = strings.TrimSpace(inner[strings.Index(strings.ToUpper(inner), kw)+len(kw):])
			}
		}
		if inner == "" || inner == text {
			return nil
		}
		ds, err := l.dc.PrepareContext(ctx, inner)
		if err != nil {
			return err
		}
		defer ds.Close()
		it, err := ds.(*duckdb.Stmt).StatementType()
		if err != nil {
			return err
		}
		if it == duckdb.STATEMENT_TYPE_EXPLAIN {
			return nil
		}
		return l.checkType(ctx, inner, it)
	}
	return nil
}

// Column is a result column.
type Column struct {
	Name string
	Type duckdb.Type
	// Width and scale of a DECIMAL.
	Width, Scale uint8
	// TypeName is DuckDB's name of the type ("DECIMAL(18,3)").
	TypeName string
}

// Columns describes the statement's result before it runs.
func (s *Stmt) Columns() ([]Column, error) {
	n, err := s.st.ColumnCount()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, n)
	for i := range cols {
		c := &cols[i]
		if c.Name, err = s.st.ColumnName(i); err != nil {
			return nil, err
		}
		if c.Type, err = s.st.ColumnType(i); err != nil {
			return nil, err
		}
		c.TypeName = typeName(c.Type)
		if c.Type == duckdb.TYPE_DECIMAL {
			if ti, err := s.st.ColumnTypeInfo(i); err == nil {
				if d, ok := ti.Details().(*duckdb.DecimalDetails); ok {
					c.Width, c.Scale = d.Width, d.Scale
					c.TypeName = fmt.Sprintf("DECIMAL(%d,%d)", d.Width, d.Scale)
				}
			}
		}
	}
	return cols, nil
}

// Params returns the DuckDB types of the statement's parameters
// (TYPE_INVALID or TYPE_ANY when DuckDB cannot tell).
func (s *Stmt) Params() []duckdb.Type {
	n := s.st.NumInput()
	if n < 0 {
		return nil
	}
	out := make([]duckdb.Type, n)
	for i := range out {
		t, err := s.st.ParamType(i + 1)
		if err == nil {
			out[i] = t
		}
	}
	return out
}

// Close releases the prepared statement.
func (s *Stmt) Close() error { return s.st.Close() }

// Result is a running statement's rows, read one at a time.
type Result struct {
	rows    driver.Rows
	Columns []Column
	cancel  context.CancelFunc
	ctx     context.Context
	timeout time.Duration
}

// Query runs the statement with args under the statement timeout; ctx
// cancels it (a client's cancel request, Ctrl-C).
func (s *Stmt) Query(ctx context.Context, args []driver.NamedValue) (*Result, error) {
	cols, err := s.Columns()
	if err != nil {
		return nil, err
	}
	qctx, cancel := s.lease.s.WithTimeout(ctx)
	var rows driver.Rows
	if conn, ok := native(s.lease.dc); ok && streamable(cols) {
		var sr *streamRows
		if sr, err = queryStream(qctx, conn, s.Text, args, cols); err == nil {
			rows = sr
		}
	} else {
		rows, err = s.st.QueryContext(qctx, args)
	}
	if err != nil {
		err = s.lease.s.explain(qctx, err)
		cancel()
		return nil, err
	}
	return &Result{rows: rows, Columns: cols, cancel: cancel, ctx: qctx, timeout: s.lease.s.cfg.StatementTimeout}, nil
}

// explain turns an interruption by the statement timeout into a
// *TimeoutError.
func (s *Sandbox) explain(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{After: s.cfg.StatementTimeout}
	}
	if ctx.Err() != nil {
		return errCanceled
	}
	return err
}

// errCanceled is a statement stopped by its caller (a cancel request,
// Ctrl-C); it is a context.Canceled.
var errCanceled = canceledError{}

type canceledError struct{}

func (canceledError) Error() string        { return "canceling statement due to user request" }
func (canceledError) Is(target error) bool { return target == context.Canceled }

// Next reads the next row into dst (one value a column); io.EOF at the end.
func (r *Result) Next(dst []driver.Value) error {
	if err := r.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return &TimeoutError{After: r.timeout}
		}
		return errCanceled
	}
	return r.rows.Next(dst)
}

// Close ends the result.
func (r *Result) Close() error {
	err := r.rows.Close()
	r.cancel()
	return err
}

// Run checks, prepares and runs one statement without parameters.
func (l *Lease) Run(ctx context.Context, text string) (*Result, error) {
	st, err := l.Prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	res, err := st.Query(ctx, nil)
	if err != nil {
		st.Close()
		return nil, err
	}
	res.rows = &closingRows{Rows: res.rows, st: st}
	return res, nil
}

type closingRows struct {
	driver.Rows
	st *Stmt
}

func (c *closingRows) Close() error {
	err := c.Rows.Close()
	c.st.Close()
	return err
}

// Drain reads a result to its end, for statements whose rows nobody reads.
func Drain(r *Result) error {
	dst := make([]driver.Value, len(r.Columns))
	for {
		if err := r.Next(dst); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func typeName(t duckdb.Type) string {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return "BOOLEAN"
	case duckdb.TYPE_TINYINT:
		return "TINYINT"
	case duckdb.TYPE_SMALLINT:
		return "SMALLINT"
	case duckdb.TYPE_INTEGER:
		return "INTEGER"
	case duckdb.TYPE_BIGINT:
		return "BIGINT"
	case duckdb.TYPE_UTINYINT:
		return "UTINYINT"
	case duckdb.TYPE_USMALLINT:
		return "USMALLINT"
	case duckdb.TYPE_UINTEGER:
		return "UINTEGER"
	case duckdb.TYPE_UBIGINT:
		return "UBIGINT"
	case duckdb.TYPE_HUGEINT:
		return "HUGEINT"
	case duckdb.TYPE_UHUGEINT:
		return "UHUGEINT"
	case duckdb.TYPE_FLOAT:
		return "FLOAT"
	case duckdb.TYPE_DOUBLE:
		return "DOUBLE"
	case duckdb.TYPE_DECIMAL:
		return "DECIMAL"
	case duckdb.TYPE_VARCHAR:
		return "VARCHAR"
	case duckdb.TYPE_DATE:
		return "DATE"
	case duckdb.TYPE_TIMESTAMP:
		return "TIMESTAMP"
	case duckdb.TYPE_TIMESTAMP_TZ:
		return "TIMESTAMP WITH TIME ZONE"
	case duckdb.TYPE_TIME:
		return "TIME"
	case duckdb.TYPE_INTERVAL:
		return "INTERVAL"
	case duckdb.TYPE_BLOB:
		return "BLOB"
	case duckdb.TYPE_UUID:
		return "UUID"
	}
	return fmt.Sprintf("TYPE_%d", t)
}
