package refresh

import (
	"os"
	"runtime/debug"
)

// GoMemoryLimit is the Go heap's soft limit during a refresh. Without one
// the collector lets garbage grow as large as the live heap, which doubles
// the resident memory of a national export (2 million rows held per
// profile); DuckDB's own memory is bounded apart, by duckdb.memory_limit.
const GoMemoryLimit = 2 << 30

// LimitMemory sets GoMemoryLimit unless GOMEMLIMIT is set.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(GoMemoryLimit)
	}
}
