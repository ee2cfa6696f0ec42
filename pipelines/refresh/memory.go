package refresh

import (
	"os"
	"runtime/debug"
)

// GoMemoryLimit is the Go heap's soft limit during a refresh. Without one
// the collector lets garbage grow as large as the live heap, which doubles
// the resident memory of a national export (2 million rows held per
// profile); DuckDB's own memory is bounded apart, by duckdb.memory_limit.
// At 2 GiB the collector ran through most of a national export (15 % of
// its time); at 2.5 GiB the export's peak stays under the refresh's, that
// of DuckDB building the ASE situation.
const GoMemoryLimit = 5 << 29 // 2.5 GiB

// LimitMemory sets GoMemoryLimit unless GOMEMLIMIT is set.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(GoMemoryLimit)
	}
}
