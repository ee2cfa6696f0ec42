package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/odpe/odpe/pipelines/csvbatch"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/failpoint"
)

// A Loader moves the files of one job into the raw tables of a build.
//
// Rows a job appends are written, with their file's id, to one typed CSV
// file per raw table; the files registered since the last Flush form a
// batch. Flush loads a batch with DuckDB's parallel CSV reader, registers
// its files and retires the rows of the files they replace, all in one
// transaction: thousands of small files cost a handful of statements, and
// a large extract is read by DuckDB on every core.
//
// A file whose job fails is taken back from the batch files and
// registered as rejected: it loads nothing. Rows a job stages with SQL
// (Sink.Stage and Sink.Exec) are moved from the staging table as soon as
// the file is read. The build itself is private until Commit, so a
// refresh that dies half-way leaves nothing behind.
type Loader struct {
	b      *Build
	job    string
	kind   extract.Kind
	conn   *sql.Conn
	dir    string                      // the batch files
	tables map[string]*csvbatch.Writer // raw table -> its batch file
	meta   *csvbatch.Writer            // the batch's rows of meta.files
	ids    []int64                     // file ids reserved from meta.file_ids
	batch  []FileLoad                  // files of the batch, in order
}

// batchBytes is the size of batch files beyond which Full reports true.
const batchBytes = 512 << 20

// batchFiles is the number of files beyond which Full reports true.
const batchFiles = 4096

// NewLoader starts loading files of job (of kind) into b.
func (b *Build) NewLoader(ctx context.Context, job string, kind extract.Kind) (l *Loader, err error) {
	conn, err := b.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l = &Loader{b: b, job: job, kind: kind, conn: conn, tables: map[string]*csvbatch.Writer{}}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if err := os.MkdirAll(b.Path+".tmp", 0o700); err != nil {
		return nil, err
	}
	if l.dir, err = os.MkdirTemp(b.Path+".tmp", "batch-"); err != nil {
		return nil, err
	}
	for _, t := range kind.Tables {
		cols, err := tableColumns(ctx, conn, "raw", t)
		if err != nil {
			return nil, err
		}
		if l.tables[t], err = csvbatch.Create(filepath.Join(l.dir, t+".csv"), cols); err != nil {
			return nil, fmt.Errorf("raw.%s: %w", t, err)
		}
	}
	cols, err := tableColumns(ctx, conn, "meta", "files")
	if err != nil {
		return nil, err
	}
	if l.meta, err = csvbatch.Create(filepath.Join(l.dir, "files.csv"), cols); err != nil {
		return nil, fmt.Errorf("meta.files: %w", err)
	}
	return l, nil
}

// Close removes the batch files. Rows not flushed are dropped.
func (l *Loader) Close() {
	for _, w := range l.tables {
		w.Close()
	}
	if l.meta != nil {
		l.meta.Close()
	}
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
	l.conn.Close()
}

// Load reads file f (of département dep) with load, into the batch. The
// result's Err is set when the file was rejected; the error returned is
// for failures of the warehouse, or for a file that could not be read
// (Transient), which fails the refresh.
func (l *Loader) Load(ctx context.Context, f extract.File, dep string, load func(extract.Sink) (rowsRead int64, err error)) (FileLoad, error) {
	id, err := l.nextID(ctx)
	if err != nil {
		return FileLoad{}, err
	}
	res := FileLoad{File: f, Dep: dep, FileID: id}
	marks := map[string]csvbatch.Mark{}
	for t, w := range l.tables {
		marks[t] = w.Mark()
	}
	sink := &fileSink{l: l, ctx: ctx, id: id, ready: map[string]bool{}}
	res.RowsRead, res.Err = load(sink)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if res.Err != nil && Transient(res.Err) {
		return res, fmt.Errorf("read %s: %w", f.Name, res.Err)
	}
	if res.Err == nil {
		if res.RowsLoaded, err = sink.moveStaged(); err != nil {
			return res, err
		}
	}
	if res.Err != nil {
		for t, w := range l.tables {
			if err := w.Rewind(marks[t]); err != nil {
				return res, fmt.Errorf("take back the rows of %s: %w", f.Name, err)
			}
		}
		res.RowsLoaded = 0
	} else {
		for t, w := range l.tables {
			res.RowsLoaded += w.Rows() - marks[t].Rows()
		}
	}
	if err := l.register(res); err != nil {
		return res, err
	}
	l.batch = append(l.batch, res)
	return res, nil
}

// Full reports whether the batch should be flushed before more files are
// loaded.
func (l *Loader) Full() bool {
	size := int64(0)
	for _, w := range l.tables {
		size += w.Size()
	}
	return size >= batchBytes || len(l.batch) >= batchFiles
}

// Flush moves the batch into the warehouse in one transaction and returns
// its files (loaded or rejected), with what each loaded file replaced.
func (l *Loader) Flush(ctx context.Context) ([]FileLoad, error) {
	if len(l.batch) == 0 {
		return nil, nil
	}
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			l.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := l.copy(ctx, "meta.files", l.meta); err != nil {
		return nil, err
	}
	for t, w := range l.tables {
		if err := l.copy(ctx, "raw."+t, w); err != nil {
			return nil, err
		}
	}
	failpoint.Hit(failpoint.DuringLoad)
	replaced, err := l.retire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := l.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("commit the files of %s: %w", l.job, err)
	}
	committed = true
	batch := l.batch
	for i := range batch {
		batch[i].Replaced = replaced[batch[i].FileID]
	}
	l.batch = nil
	for _, w := range append([]*csvbatch.Writer{l.meta}, l.writers()...) {
		if err := w.Reset(); err != nil {
			return nil, err
		}
	}
	return batch, nil
}

func (l *Loader) writers() []*csvbatch.Writer {
	out := make([]*csvbatch.Writer, 0, len(l.tables))
	for _, w := range l.tables {
		out = append(out, w)
	}
	return out
}

// copy loads a batch file into table.
func (l *Loader) copy(ctx context.Context, table string, w *csvbatch.Writer) error {
	if w.Rows() == 0 {
		return nil
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s", table, w.ReadCSV())); err != nil {
		return fmt.Errorf("load the %s rows of %s: %w", table, l.job, err)
	}
	return nil
}

// retire drops the rows of the files that the batch's files replace and
// marks them, and returns them by replacing file. A file replaces the
// earlier versions of the same file (the same relative path, or the same
// path for files registered before relative paths were kept). With
// Supersede, the job keeps one file per département: the one whose name
// gives the latest date (name_key), then the last registered; the others
// are superseded, be they older or newer than the batch's.
func (l *Loader) retire(ctx context.Context) (map[int64][]int64, error) {
	q := `
		WITH newest AS (
			SELECT coalesce(rel_path, path) AS rel, path, max(file_id) AS file_id FROM meta.files
			WHERE job = ? AND status = 'loaded' AND file_id >= ? GROUP BY ALL)
		SELECT n.file_id, o.file_id FROM meta.files o
		JOIN newest n ON (o.rel_path = n.rel OR o.path = n.path) AND o.file_id < n.file_id
		WHERE o.job = ? AND o.status = 'loaded' ORDER BY ALL`
	args := []any{l.job, l.batch[0].FileID, l.job}
	status := "replaced"
	if l.kind.Retention == extract.Supersede {
		status = "superseded"
		q = `
		WITH deps AS (SELECT DISTINCT dep FROM meta.files WHERE job = ? AND status = 'loaded' AND file_id >= ?),
		ranked AS (
			SELECT file_id, dep, row_number() OVER (PARTITION BY dep ORDER BY name_key DESC NULLS LAST, file_id DESC) AS r
			FROM meta.files WHERE job = ? AND status = 'loaded' AND dep IN (SELECT dep FROM deps))
		SELECT w.file_id, o.file_id FROM ranked o JOIN ranked w ON w.dep = o.dep AND w.r = 1
		WHERE o.r > 1 ORDER BY ALL`
	}
	rows, err := l.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find the files replaced: %w", err)
	}
	defer rows.Close()
	replaced := map[int64][]int64{}
	var old []string
	for rows.Next() {
		var n, o int64
		if err := rows.Scan(&n, &o); err != nil {
			return nil, err
		}
		replaced[n] = append(replaced[n], o)
		old = append(old, strconv.FormatInt(o, 10))
	}
	if err := rows.Err(); err != nil || len(old) == 0 {
		return replaced, err
	}
	list := strings.Join(old, ", ")
	for _, t := range l.kind.Tables {
		if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM raw.%s WHERE file_id IN (%s)", t, list)); err != nil {
			return nil, fmt.Errorf("drop the rows of replaced files: %w", err)
		}
	}
	if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("UPDATE meta.files SET status = ? WHERE file_id IN (%s)", list), status); err != nil {
		return nil, err
	}
	return replaced, nil
}

// register adds a file's row of meta.files to the batch.
func (l *Loader) register(res FileLoad) error {
	status := "loaded"
	var msg any
	if res.Err != nil {
		status, msg = "rejected", extract.Message(res.Err.Error())
	}
	return l.write(res, status, msg)
}

func (l *Loader) write(res FileLoad, status string, msg any) error {
	f := res.File
	return l.meta.Write(res.FileID, l.b.RunID, l.job, l.kind.Name, res.Dep, f.Path, f.Size, f.ModTime, f.SHA256,
		res.RowsRead, res.RowsLoaded, time.Now(), status, msg, nullIfEmpty(f.RelPath), nullIfEmpty(f.NameKey))
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Duplicate registers file f, whose content is already loaded under the
// relative path of, as a duplicate: it loads nothing, and the registry
// knows it (it is not read again while it does not change).
func (l *Loader) Duplicate(ctx context.Context, f extract.File, dep, of string) (FileLoad, error) {
	id, err := l.nextID(ctx)
	if err != nil {
		return FileLoad{}, err
	}
	res := FileLoad{File: f, Dep: dep, FileID: id}
	msg := fmt.Sprintf("%s: same content as %s, already loaded: not loaded again", f.RelPath, of)
	if err := l.write(res, "duplicate", msg); err != nil {
		return res, err
	}
	l.batch = append(l.batch, FileLoad{File: f, Dep: dep, FileID: id, Err: errDuplicate})
	return res, nil
}

// errDuplicate marks the duplicates of a batch: they are neither loaded
// nor rejected.
var errDuplicate = errors.New("duplicate")

// IsDuplicate reports whether a file of a flushed batch was a duplicate.
func (r FileLoad) IsDuplicate() bool { return errors.Is(r.Err, errDuplicate) }

// nextID takes a file id from the sequence, reserving them a few hundred
// at a time.
func (l *Loader) nextID(ctx context.Context) (int64, error) {
	if len(l.ids) == 0 {
		rows, err := l.conn.QueryContext(ctx, "SELECT nextval('meta.file_ids') AS id FROM range(256) ORDER BY id")
		if err != nil {
			return 0, fmt.Errorf("reserve file ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return 0, err
			}
			l.ids = append(l.ids, id)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	id := l.ids[0]
	l.ids = l.ids[1:]
	return id, nil
}

// fileSink is the extract.Sink of one file.
type fileSink struct {
	l      *Loader
	ctx    context.Context
	id     int64
	staged []string        // staging tables named through Stage
	ready  map[string]bool // staging tables emptied for this file
	row    []any
}

func (s *fileSink) Append(table string, values ...any) error {
	w, ok := s.l.tables[table]
	if !ok {
		return fmt.Errorf("append to %s: not a table of this job", table)
	}
	s.row = append(append(s.row[:0], s.id), values...)
	if err := w.Write(s.row...); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	return nil
}

// Stage makes sure the staging table of table exists and is empty, and
// names it.
func (s *fileSink) Stage(table string) string {
	for _, t := range s.staged {
		if t == table {
			return "stage." + table
		}
	}
	s.staged = append(s.staged, table)
	return "stage." + table
}

func (s *fileSink) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var fresh []string
	for _, t := range s.staged {
		if !s.ready[t] {
			fresh = append(fresh, t)
		}
	}
	if err := s.l.b.prepareStage(ctx, s.l.conn, fresh); err != nil {
		return 0, err
	}
	for _, t := range fresh {
		s.ready[t] = true
	}
	r, err := s.l.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// moveStaged moves what the job staged with SQL into the raw tables.
func (s *fileSink) moveStaged() (int64, error) {
	var n int64
	for _, t := range s.staged {
		r, err := s.l.conn.ExecContext(s.ctx, fmt.Sprintf("INSERT INTO raw.%[1]s SELECT ?, * FROM stage.%[1]s", t), s.id)
		if err != nil {
			return n, fmt.Errorf("move %s rows: %w", t, err)
		}
		rows, _ := r.RowsAffected()
		n += rows
	}
	return n, nil
}

// prepareStage makes sure the staging tables exist and are empty. They
// are created once per build and dropped before it is committed.
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

// tableColumns reads a table's columns and their types.
func tableColumns(ctx context.Context, conn *sql.Conn, schema, table string) ([]csvbatch.Column, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	var cols []csvbatch.Column
	for rows.Next() {
		var c csvbatch.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("no table " + schema + "." + table)
	}
	return cols, nil
}
