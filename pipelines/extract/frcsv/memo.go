package frcsv

import "strings"

// memoLimit bounds a Memo: beyond it, values are looked up uncached (a
// column of free text would otherwise grow the cache without end).
const memoLimit = 4096

// Memo caches a lookup of column values, such as extract.Canonical or
// Territories.Resolve: category columns repeat a few values over millions
// of rows, and normalising each one (extract.Normalize) costs
// microseconds and allocations. A Memo is not safe for concurrent use.
type Memo[V any] struct {
	fn func(string) (V, bool)
	m  map[string]memoEntry[V]
}

type memoEntry[V any] struct {
	v  V
	ok bool
}

// NewMemo caches fn.
func NewMemo[V any](fn func(string) (V, bool)) *Memo[V] {
	return &Memo[V]{fn: fn, m: map[string]memoEntry[V]{}}
}

// Get returns fn(s), computing it once per distinct s.
func (m *Memo[V]) Get(s string) (V, bool) {
	if e, hit := m.m[s]; hit {
		return e.v, e.ok
	}
	v, ok := m.fn(s)
	if len(m.m) < memoLimit {
		// Clone: s is usually a slice of a whole record.
		m.m[strings.Clone(s)] = memoEntry[V]{v, ok}
	}
	return v, ok
}
