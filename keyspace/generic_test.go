package keyspace_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func init() {
	gens = append(gens,
		gen{"generic", func(r *rand.Rand, k []string) []string {
			return []string{[]string{"DEL", "UNLINK", "EXISTS", "TOUCH"}[r.IntN(4)], randKey(r, k), randKey(r, k)}
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			return []string{[]string{"TYPE", "PERSIST", "EXPIRETIME", "PEXPIRETIME"}[r.IntN(4)], randKey(r, k)}
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			// Absolute times, so both sides agree (year 2100); a
			// quarter in the past, which deletes the key.
			at := strconv.Itoa(4102444800 + r.IntN(1000))
			if r.IntN(4) == 0 {
				at = strconv.Itoa(r.IntN(1000))
			}
			args := []string{"EXPIREAT", randKey(r, k), at}
			if r.IntN(2) == 0 {
				args = append(args, []string{"NX", "XX", "GT", "LT", "nx", "BAD"}[r.IntN(6)])
			}
			return args
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			return []string{[]string{"RENAME", "RENAMENX"}[r.IntN(2)], randKey(r, k), randKey(r, k)}
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			args := []string{"COPY", randKey(r, k), randKey(r, k)}
			if r.IntN(2) == 0 {
				args = append(args, "DB", strconv.Itoa(r.IntN(3)))
			}
			if r.IntN(2) == 0 {
				args = append(args, "REPLACE")
			}
			return args
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			return []string{"MOVE", randKey(r, k), strconv.Itoa(r.IntN(3))}
		}},
		gen{"generic", func(r *rand.Rand, k []string) []string {
			switch r.IntN(20) {
			case 0:
				return []string{"SWAPDB", strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(3))}
			case 1:
				return []string{"FLUSHDB"}
			case 2:
				return []string{"SELECT", strconv.Itoa(r.IntN(3))}
			case 3:
				return []string{"KEYS", []string{"*", "k:*", "?", "[a-c]", "{t}*"}[r.IntN(5)]}
			}
			return []string{"DBSIZE"}
		}},
	)
}

func TestDifferentialGeneric(t *testing.T) { runDifferential(t, "generic", "strings") }
