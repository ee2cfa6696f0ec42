package demo

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// newRand returns the random stream of one part of the tree (a file, a
// département's caseload). Deriving every stream from the seed and a name,
// rather than sharing one, keeps the output byte-identical whatever order
// the workers run in.
func newRand(seed uint64, names ...string) *rand.Rand {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// table draws an index with fixed weights in O(1): a lookup table of
// 4,096 slots filled in proportion to the weights.
type table [4096]uint8

func newTable(weights ...float64) *table {
	var t table
	var total float64
	for _, w := range weights {
		total += w
	}
	slot, acc := 0, 0.0
	for i, w := range weights {
		acc += w
		end := int(math.Round(acc / total * float64(len(t))))
		for ; slot < end; slot++ {
			t[slot] = uint8(i)
		}
	}
	for ; slot < len(t); slot++ { // rounding leftovers
		t[slot] = uint8(len(weights) - 1)
	}
	return &t
}

// draw picks an index using 12 bits of u.
func (t *table) draw(u uint64) int { return int(t[u&4095]) }

// pick draws an index from r.
func (t *table) pick(r *rand.Rand) int { return t.draw(r.Uint64()) }

// between returns an integer uniform in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// poisson draws a Poisson count of mean m (normal approximation above 30).
func poisson(r *rand.Rand, m float64) int {
	if m <= 0 {
		return 0
	}
	if m > 30 {
		v := int(math.Round(m + math.Sqrt(m)*r.NormFloat64()))
		return max(v, 0)
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
