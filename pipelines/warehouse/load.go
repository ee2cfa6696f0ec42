package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/odpe/odpe/pipelines/extract"
)

// FileLoad describes what happened to one file.
type FileLoad struct {
	File       extract.File
	Dep        string // COG code of the file's département
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

// Transient reports whether a job's error is about reading the file (it
// vanished, is locked, unreadable for now) rather than about its content:
// such a file is not rejected, the refresh fails and may be retried.
func Transient(err error) bool {
	var pe *fs.PathError
	return !errors.Is(err, extract.ErrRejected) && errors.As(err, &pe)
}
