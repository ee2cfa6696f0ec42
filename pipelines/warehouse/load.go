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

// Registered is what the hash registry knows of a file.
type Registered struct {
	FileID   int64
	Path     string
	RelPath  string // "" for files registered before relative paths were kept
	Size     int64
	Modified time.Time
	SHA256   string
	Status   string
	NameKey  string
}

// Known is what the hash registry knows of a job's files.
type Known struct {
	// Files holds the latest registered version of each file, by its path
	// relative to the job's source folder (by its absolute path for files
	// registered before relative paths were kept).
	Files map[string]Registered
	// Content maps the hash of every content loaded (still loaded, or
	// superseded by a later extract) to the relative path of the first
	// file that loaded it: the same content under another name is a
	// duplicate.
	Content map[string]string
}

// Registry returns what the registry knows of a job's files.
func Registry(ctx context.Context, db *sql.DB, job string) (Known, error) {
	k := Known{Files: map[string]Registered{}, Content: map[string]string{}}
	// The current version may predate relative paths and name keys
	// (migration 0010 applies to the new version a refresh builds).
	relPath, nameKey := "rel_path", "name_key"
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database()
		AND schema_name = 'meta' AND table_name = 'files' AND column_name = 'rel_path'`).Scan(&n); err != nil {
		return k, fmt.Errorf("read file registry: %w", err)
	}
	if n == 0 {
		relPath, nameKey = "NULL", "NULL"
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`
		SELECT file_id, path, coalesce(%s, ''), size_bytes, modified_at, sha256, status, coalesce(%s, '')
		FROM meta.files WHERE job = ? ORDER BY file_id`, relPath, nameKey), job)
	if err != nil {
		return k, fmt.Errorf("read file registry: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Registered
		if err := rows.Scan(&r.FileID, &r.Path, &r.RelPath, &r.Size, &r.Modified, &r.SHA256, &r.Status, &r.NameKey); err != nil {
			return k, err
		}
		key := r.RelPath
		if key == "" {
			key = r.Path
		}
		k.Files[key] = r // the latest version wins: rows come in file_id order
		if _, seen := k.Content[r.SHA256]; !seen && (r.Status == "loaded" || r.Status == "superseded") {
			k.Content[r.SHA256] = key
		}
	}
	return k, rows.Err()
}

// Transient reports whether a job's error is about reading the file (it
// vanished, is locked, unreadable for now) rather than about its content:
// such a file is not rejected, the refresh fails and may be retried.
func Transient(err error) bool {
	var pe *fs.PathError
	return !errors.Is(err, extract.ErrRejected) && errors.As(err, &pe)
}
