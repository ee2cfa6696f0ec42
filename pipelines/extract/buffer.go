package extract

import (
	"context"
	"errors"
)

// ErrNoExec is returned by Buffer.Exec: a buffered job may only append.
var ErrNoExec = errors.New("extract: a buffered load cannot run statements (the kind is not Concurrent)")

// Buffer is a Sink that keeps a file's rows in memory so that files can be
// read concurrently and staged one after the other.
type Buffer struct {
	rows []bufferedRow
}

type bufferedRow struct {
	table  string
	values []any
}

// Append copies the row: jobs may reuse their slice.
func (b *Buffer) Append(table string, values ...any) error {
	b.rows = append(b.rows, bufferedRow{table: table, values: append([]any(nil), values...)})
	return nil
}

// Stage is not available to buffered loads.
func (b *Buffer) Stage(table string) string { return "" }

// Exec is not available to buffered loads.
func (b *Buffer) Exec(context.Context, string, ...any) (int64, error) { return 0, ErrNoExec }

// Len is the number of rows held.
func (b *Buffer) Len() int { return len(b.rows) }

// Replay appends the rows, in order, to s.
func (b *Buffer) Replay(s Sink) error {
	for _, r := range b.rows {
		if err := s.Append(r.table, r.values...); err != nil {
			return err
		}
	}
	return nil
}
