package parquet

import "testing"

// SetRowGroupRows sets the number of rows per row group for the test t.
func SetRowGroupRows(t testing.TB, n int) {
	old := rowGroupRows
	rowGroupRows = n
	t.Cleanup(func() { rowGroupRows = old })
}
