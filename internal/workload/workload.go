// Package workload generates the command streams the benchmarks load:
// one definition, shared by the Go benchmarks and by the programs that
// bench/*.sh feed to redis-server, so that both measure the same data.
package workload

import (
	"math/rand/v2"
	"strconv"
)

// Mixed calls emit with the commands that create n keys, as an
// application using Redis as a cache and store would: 60% strings (a
// quarter with an expiry), 5% counters (INCRBY a few times), and
// hashes, lists, sets (half of them of integers) and sorted sets of 2 to
// 24 elements, built by commands of 1 to 8 elements each, a fifth with
// an EXPIRE. Expiries are 30 to 60 days away, so a cached data set stays
// whole. The same n and seed give the same commands. emit must not keep
// its argument slice.
func Mixed(n int, seed uint64, emit func(args ...string)) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:"
	str := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	ttl := func() string { return strconv.Itoa(30*86400 + rng.IntN(30*86400)) }
	var a []string
	for i := range n {
		id := strconv.Itoa(i)
		p := rng.IntN(100)
		switch {
		case p < 60:
			if rng.IntN(4) == 0 {
				emit("SET", "session:"+id, str(16, 160), "EX", ttl())
			} else {
				emit("SET", "user:"+id+":name", str(8, 120))
			}
			continue
		case p < 65:
			k := "counter:" + id
			for range 1 + rng.IntN(5) {
				emit("INCRBY", k, strconv.Itoa(1+rng.IntN(1000)))
			}
			continue
		}
		elems := 2 + rng.IntN(23)
		var key, verb string
		switch {
		case p < 75:
			key, verb = "profile:"+id, "HSET"
		case p < 83:
			key, verb = "queue:"+id, "RPUSH"
		case p < 91:
			key, verb = "tags:"+id, "SADD"
		default:
			key, verb = "rank:"+id, "ZADD"
		}
		ints := verb == "SADD" && rng.IntN(2) == 0
		for j := 0; j < elems; {
			a = append(a[:0], verb, key)
			for m := min(1+rng.IntN(8), elems-j); m > 0; m-- {
				switch verb {
				case "HSET":
					a = append(a, "field"+strconv.Itoa(j), str(4, 32))
				case "RPUSH":
					a = append(a, str(8, 48))
				case "SADD":
					if ints {
						a = append(a, strconv.Itoa(rng.IntN(1000000)))
					} else {
						a = append(a, "member:"+strconv.Itoa(j)+":"+str(4, 16))
					}
				case "ZADD":
					score := strconv.Itoa(rng.IntN(100000))
					if rng.IntN(2) == 0 {
						score = strconv.FormatFloat(rng.Float64()*1000, 'f', 2, 64)
					}
					a = append(a, score, "player:"+strconv.Itoa(j)+":"+str(4, 12))
				}
				j++
			}
			emit(a...)
		}
		if rng.IntN(5) == 0 {
			emit("EXPIRE", key, ttl())
		}
	}
}
