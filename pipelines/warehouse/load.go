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
	sink := &stageSink{conn: conn, tables: kind.Tables, appenders: map[string]*duckdb.Appender{}}
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

// stageSink is the extract.Sink of one file: an appender per staging table.
type stageSink struct {
	conn      *sql.Conn
	tables    []string
	appenders map[string]*duckdb.Appender
}

func (s *stageSink) Append(table string, values ...any) error {
	a, ok := s.appenders[table]
	if !ok {
		if !s.declared(table) {
			return fmt.Errorf("append to %s: not a table of this job", table)
		}
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
	args := make([]driver.Value, len(values))
	for i, v := range values {
		args[i] = v
	}
	if err := a.AppendRow(args...); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	return nil
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

func (s *stageSink) flush() error {
	for t, a := range s.appenders {
		if err := a.Flush(); err != nil {
			return fmt.Errorf("flush %s: %w", t, err)
		}
	}
	return nil
}

func (s *stageSink) close() error {
	var errs []error
	for t, a := range s.appenders {
		if err := a.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close appender %s: %w", t, err))
		}
	}
	s.appenders = map[string]*duckdb.Appender{}
	return errors.Join(errs...)
}
