package keyspace

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestZSetClone checks that a clone has the same order, ranks and spans
// as the original, and that changing it leaves the original alone.
func TestZSetClone(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for _, n := range []int{0, 1, 2, 100, 3000} {
		z := newZSet(false)
		for z.len() < n {
			m := strconv.Itoa(r.IntN(10 * (n + 1)))
			if _, ok := z.dict[m]; !ok {
				z.insert(m, float64(r.IntN(50)))
			}
		}
		c := z.clone().(*zset)
		if c.len() != z.len() || len(c.dict) != len(z.dict) || c.zsl.levels != z.zsl.levels {
			t.Fatalf("n=%d: clone has %d members (%d in its map, %d levels), want %d (%d levels)", n, c.len(), len(c.dict), c.zsl.levels, z.len(), z.zsl.levels)
		}
		rank := 0
		var prev *zslNode
		for a, b := z.zsl.first(), c.zsl.first(); a != nil; a, b = a.next(), b.next() {
			rank++
			if b == nil || a.member != b.member || a.score != b.score {
				t.Fatalf("n=%d: rank %d differs", n, rank)
			}
			if c.dict[b.member] != b || b.backward != prev {
				t.Fatalf("n=%d: rank %d: map or backward link wrong", n, rank)
			}
			if got := c.zsl.rank(b.score, b.member); got != rank {
				t.Fatalf("n=%d: clone rank of %q = %d, want %d", n, b.member, got, rank)
			}
			if got := c.zsl.byRank(rank); got != b {
				t.Fatalf("n=%d: clone byRank(%d) wrong", n, rank)
			}
			prev = b
		}
		if c.zsl.tail != prev {
			t.Fatalf("n=%d: tail wrong", n)
		}
		// Change the clone; the original keeps its members.
		for m := range c.dict {
			c.remove([]byte(m))
			break
		}
		c.insert("new", 1)
		if z.len() != n {
			t.Fatalf("n=%d: original changed to %d members", n, z.len())
		}
		if _, ok := z.dict["new"]; ok {
			t.Fatalf("n=%d: original got the clone's member", n)
		}
	}
}
