package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/failpoint"
)

// FileLoad describes what happened to one file.
type FileLoad struct {
	FileID     int64
	RowsRead   int64
	RowsLoaded int64
	Replaced   []int64 // earlier versions of the same file, or superseded extracts
	Err        error   // non-nil when the file was rejected
}

// Registered is what the hash registry knows of a path.
type Registered struct {
	FileID   int64
	Size     int64
	Modified time.Time
	SHA256   string
	Status   string
}

// Registry returns the latest registered version of every path of a job.
func Registry(ctx context.Context, db *sql.DB, job string) (map[string]Registered, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT DISTINCT ON (path) path, file_id, size_bytes, modified_at, sha256, status
		FROM meta.files WHERE job = ? ORDER BY path, file_id DESC`, job)
	if err != nil {
		return nil, fmt.Errorf("read file registry: %w", err)
	}
	defer rows.Close()
	out := map[string]Registered{}
	for rows.Next() {
		var p string
		var r Registered
		if err := rows.Scan(&p, &r.FileID, &r.Size, &r.Modified, &r.SHA256, &r.Status); err != nil {
			return nil, err
		}
		out[p] = r
	}
	return out, rows.Err()
}

// LoadFile stages the rows that load sends for file f (of département
// dep) and keeps them only if load succeeds: then, in one transaction, it registers the file, moves the
// rows into the raw tables, and drops what the file replaces (its own
// earlier version; with Supersede, every other file of the job for the same
// département). A rejected file is registered with its error and loads
// nothing. The returned error is for failures of the warehouse itself.
func (b *Build) LoadFile(ctx context.Context, jobName string, kind extract.Kind, f extract.File, dep string,
	load func(extract.Sink) (rowsRead int64, err error)) (FileLoad, error) {
	conn, err := b.DB.Conn(ctx)
	if err != nil {
		return FileLoad{}, err
	}
	defer conn.Close()
	// One transaction per file, begun on the connection itself so that the
	// appenders take part in it: staging, moving and replacing commit once.
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return FileLoad{}, err
	}
	open := true
	rollback := func() {
		if open {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			open = false
		}
	}
	defer rollback()
	if err := b.prepareStage(ctx, conn, kind.Tables); err != nil {
		return FileLoad{}, err
	}
	sink := newStageSink(conn, kind.Tables)
	read, loadErr := load(sink)
	if cerr := sink.close(); loadErr == nil && cerr != nil {
		loadErr = cerr
	}
	res := FileLoad{RowsRead: read}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if loadErr != nil && Transient(loadErr) {
		return res, fmt.Errorf("read %s: %w", f.Name, loadErr)
	}
	if loadErr != nil {
		rollback()
		res.Err = loadErr
		res.FileID, err = b.register(ctx, conn, jobName, kind, f, dep, res, "rejected")
		return res, err
	}
	failpoint.Hit(failpoint.DuringLoad)
	if res.FileID, err = b.register(ctx, conn, jobName, kind, f, dep, res, "loaded"); err != nil {
		return res, err
	}
	for _, t := range kind.Tables {
		r, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO raw.%[1]s SELECT ?, * FROM stage.%[1]s", t), res.FileID)
		if err != nil {
			return res, fmt.Errorf("move %s rows: %w", t, err)
		}
		n, _ := r.RowsAffected()
		res.RowsLoaded += n
	}
	// What this file replaces.
	q := `SELECT file_id FROM meta.files WHERE job = ? AND status = 'loaded' AND file_id <> ? AND path = ?`
	args := []any{jobName, res.FileID, f.Path}
	if kind.Retention == extract.Supersede {
		q = `SELECT file_id FROM meta.files WHERE job = ? AND status = 'loaded' AND file_id <> ? AND dep = ?`
		args = []any{jobName, res.FileID, dep}
	}
	if res.Replaced, err = queryIDs(ctx, conn, q, args...); err != nil {
		return res, err
	}
	status := "replaced"
	if kind.Retention == extract.Supersede {
		status = "superseded"
	}
	for _, id := range res.Replaced {
		for _, t := range kind.Tables {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM raw.%s WHERE file_id = ?", t), id); err != nil {
				return res, fmt.Errorf("drop rows of replaced file: %w", err)
			}
		}
		if _, err := conn.ExecContext(ctx, "UPDATE meta.files SET status = ? WHERE file_id = ?", status, id); err != nil {
			return res, err
		}
	}
	if _, err := conn.ExecContext(ctx, "UPDATE meta.files SET rows_loaded = ? WHERE file_id = ?", res.RowsLoaded, res.FileID); err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("commit %s: %w", f.Name, err)
	}
	open = false
	return res, nil
}

// prepareStage makes sure the staging tables of a kind exist and are
// empty. They are created once per build and dropped before it is
// committed.
func (b *Build) prepareStage(ctx context.Context, conn *sql.Conn, tables []string) error {
	if b.staged == nil {
		if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS stage"); err != nil {
			return err
		}
		b.staged = map[string]bool{}
	}
	for _, t := range tables {
		q := "TRUNCATE stage." + t
		if !b.staged[t] {
			q = fmt.Sprintf("CREATE OR REPLACE TABLE stage.%[1]s AS SELECT * EXCLUDE (file_id) FROM raw.%[1]s LIMIT 0", t)
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("stage %s: %w", t, err)
		}
		b.staged[t] = true
	}
	return nil
}

// Transient reports whether a job's error is about reading the file (it
// vanished, is locked, unreadable for now) rather than about its content:
// such a file is not rejected, the refresh fails and may be retried.
func Transient(err error) bool {
	var pe *fs.PathError
	return !errors.Is(err, extract.ErrRejected) && errors.As(err, &pe)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (b *Build) register(ctx context.Context, db execer, job string, kind extract.Kind, f extract.File, dep string, res FileLoad, status string) (int64, error) {
	var msg any
	if res.Err != nil {
		msg = res.Err.Error()
	}
	var id int64
	err := db.QueryRowContext(ctx, `
		INSERT INTO meta.files (run_id, job, kind, dep, path, size_bytes, modified_at, sha256,
		                        rows_read, rows_loaded, loaded_at, status, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, now(), ?, ?) RETURNING file_id`,
		b.RunID, job, kind.Name, dep, f.Path, f.Size, f.ModTime, f.SHA256, res.RowsRead, status, msg).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("register %s: %w", f.Name, err)
	}
	return id, nil
}

func queryIDs(ctx context.Context, db execer, q string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// stageSink is the extract.Sink of one file: rows are collected in batches
// and appended by a goroutine of their own, so that a job parsing in Go
// and DuckDB's appender work on both cores at once.
type stageSink struct {
	conn      *sql.Conn
	tables    []string
	appenders map[string]*duckdb.Appender // owned by the appending goroutine
	batch     map[string][][]driver.Value
	work      chan stageBatch
	done      chan error
	err       error // the appending goroutine's error, once known
}

type stageBatch struct {
	table string
	rows  [][]driver.Value
	sync  chan struct{} // when set: signal once everything before is appended
}

// batchRows is how many rows travel together to the appending goroutine.
const batchRows = 2048

func newStageSink(conn *sql.Conn, tables []string) *stageSink {
	s := &stageSink{conn: conn, tables: tables, appenders: map[string]*duckdb.Appender{},
		batch: map[string][][]driver.Value{}, work: make(chan stageBatch, 4), done: make(chan error, 1)}
	go s.appendLoop()
	return s
}

func (s *stageSink) appendLoop() {
	var err error
	for b := range s.work {
		if b.sync != nil {
			if err == nil {
				err = s.flushAppenders()
			}
			close(b.sync)
			continue
		}
		if err != nil {
			continue // drain: the first error is reported
		}
		err = s.appendRows(b.table, b.rows)
	}
	if err == nil {
		err = s.closeAppenders()
	} else {
		s.closeAppenders()
	}
	s.done <- err
}

func (s *stageSink) appendRows(table string, rows [][]driver.Value) error {
	a, ok := s.appenders[table]
	if !ok {
		err := s.conn.Raw(func(dc any) error {
			var err error
			a, err = duckdb.NewAppender(dc.(driver.Conn), "", "stage", table)
			return err
		})
		if err != nil {
			return fmt.Errorf("appender for %s: %w", table, err)
		}
		s.appenders[table] = a
	}
	for _, r := range rows {
		if err := a.AppendRow(r...); err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	return nil
}

func (s *stageSink) Append(table string, values ...any) error {
	if s.err != nil {
		return s.err
	}
	if !s.declared(table) {
		return fmt.Errorf("append to %s: not a table of this job", table)
	}
	row := make([]driver.Value, len(values))
	for i, v := range values {
		row[i] = v
	}
	b := append(s.batch[table], row)
	if len(b) < batchRows {
		s.batch[table] = b
		return nil
	}
	s.batch[table] = nil
	return s.send(stageBatch{table: table, rows: b})
}

// send hands a batch over, unless the appending goroutine already failed.
func (s *stageSink) send(b stageBatch) error {
	select {
	case s.work <- b:
		return nil
	case err := <-s.done:
		s.err = err
		if s.err == nil {
			s.err = errors.New("stage: appender stopped")
		}
		return s.err
	}
}

func (s *stageSink) Stage(table string) string { return "stage." + table }

func (s *stageSink) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if err := s.flush(); err != nil {
		return 0, err
	}
	r, err := s.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (s *stageSink) declared(table string) bool {
	for _, t := range s.tables {
		if t == table {
			return true
		}
	}
	return false
}

// flush sends the pending rows and waits until they are in the staging
// tables.
func (s *stageSink) flush() error {
	for t, rows := range s.batch {
		if len(rows) > 0 {
			if err := s.send(stageBatch{table: t, rows: rows}); err != nil {
				return err
			}
		}
		delete(s.batch, t)
	}
	sync := make(chan struct{})
	if err := s.send(stageBatch{sync: sync}); err != nil {
		return err
	}
	<-sync
	return s.err
}

func (s *stageSink) flushAppenders() error {
	for t, a := range s.appenders {
		if err := a.Flush(); err != nil {
			return fmt.Errorf("flush %s: %w", t, err)
		}
	}
	return nil
}

func (s *stageSink) closeAppenders() error {
	var errs []error
	for t, a := range s.appenders {
		if err := a.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close appender %s: %w", t, err))
		}
	}
	s.appenders = map[string]*duckdb.Appender{}
	return errors.Join(errs...)
}

// close sends the pending rows, stops the appending goroutine and returns
// its first error.
func (s *stageSink) close() error {
	if s.err == nil {
		for t, rows := range s.batch {
			if len(rows) > 0 {
				if err := s.send(stageBatch{table: t, rows: rows}); err != nil {
					break
				}
			}
		}
	}
	s.batch = nil
	if s.err != nil {
		return s.err // the goroutine has stopped and reported
	}
	close(s.work)
	return <-s.done
}
