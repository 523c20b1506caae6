package keyspace_test

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// ---- random differential generators ----

// zMembers are the members the generators use: ties on purpose, numbers
// (which a listpack stores as integers), binary and empty members. All
// are short and few, so every sorted set of the "zsets" group stays a
// listpack in Redis (ZSCAN then replies everything at once, in order).
var zMembers = []string{"a", "b", "c", "d", "e", "aa", "ab", "b\x00c", "", "1", "10", "-5", "01", "é", "Z"}

// zScores are valid scores; zBadScores are refused by ZADD (some are fine
// as range bounds).
var (
	zScores = []string{"0", "1", "1", "2", "-1", "0.5", "1.5", "-0", "+0", "inf", "-inf", "+inf", "Infinity",
		"3", "10", "1e17", "123456789012345678", "0.1", "1e-310", "0x10", "1E2", "-2.5", " 1"[1:], "1.", ".5"}
	zBadScores = []string{"abc", "nan", "1e999", "1e-400", "", " 1", "1 ", "0x", "1e", "--1", "1\x002"}
)

func zMember(r *rand.Rand) string { return zMembers[r.IntN(len(zMembers))] }

func zScore(r *rand.Rand) string {
	if r.IntN(30) == 0 {
		return zBadScores[r.IntN(len(zBadScores))]
	}
	return zScores[r.IntN(len(zScores))]
}

// zScoreBound is a ZRANGEBYSCORE bound: a score, exclusive or not, or
// something odd.
func zScoreBound(r *rand.Rand) string {
	switch r.IntN(12) {
	case 0:
		return []string{"-inf", "+inf", "inf", "(", "", " 1", "abc", "(nan", "1e999", "(-inf", "(+inf", "0x1p1", "1e-400", "2\x00x"}[r.IntN(14)]
	case 1, 2, 3:
		return "(" + zScores[r.IntN(len(zScores))]
	}
	return zScores[r.IntN(len(zScores))]
}

// zLexBound is a ZRANGEBYLEX bound.
func zLexBound(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return []string{"-", "+", "a", "", "--", "+\x00", "[", "("}[r.IntN(8)]
	case 1, 2:
		return []string{"-", "+"}[r.IntN(2)]
	case 3, 4, 5:
		return "(" + zMember(r)
	}
	return "[" + zMember(r)
}

func zIndex(r *rand.Rand) string {
	return []string{"0", "1", "2", "-1", "-2", "5", "-100", "100", "x", "3"}[r.IntN(10)]
}

func zCount(r *rand.Rand) string {
	return []string{"0", "1", "2", "3", "10", "-1", "x", "9223372036854775807", "-9223372036854775808"}[r.IntN(9)]
}

// zLimit appends LIMIT offset count now and then.
func zLimit(r *rand.Rand, args []string) []string {
	if r.IntN(3) == 0 {
		args = append(args, "LIMIT", []string{"0", "1", "2", "-1", "5", "x"}[r.IntN(6)], []string{"1", "2", "-1", "0", "-5", "x", "100"}[r.IntN(7)])
	}
	return args
}

// zKeys returns n keys of the pool.
func zKeys(r *rand.Rand, k []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = randKey(r, k)
	}
	return out
}

// zTimeout is a blocking command's timeout: short, so that Redis does
// not wait long when there is nothing to pop, or refused.
func zTimeout(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return []string{"-1", "abc", "inf", "1e20", "0x1p-20", "", "1e-5000", "-1.5"}[r.IntN(8)]
	}
	return "0.01"
}

func zWeight(r *rand.Rand) string {
	return []string{"1", "2", "0", "-1", "0.5", "inf", "-inf", "x", "nan", "3"}[r.IntN(10)]
}

// zSetOpOptions appends WEIGHTS, AGGREGATE, WITHSCORES or LIMIT options,
// mostly valid for the command, sometimes not.
func zSetOpOptions(r *rand.Rand, args []string, nkeys int, weights, withScores, limit bool) []string {
	for range r.IntN(3) {
		switch r.IntN(5) {
		case 0:
			if weights || r.IntN(5) == 0 {
				args = append(args, "WEIGHTS")
				n := nkeys
				if r.IntN(8) == 0 {
					n += r.IntN(3) - 1
				}
				for range n {
					args = append(args, zWeight(r))
				}
			}
		case 1:
			if weights || r.IntN(5) == 0 {
				args = append(args, "AGGREGATE", []string{"SUM", "MIN", "MAX", "min", "avg"}[r.IntN(5)])
			}
		case 2:
			if withScores || r.IntN(5) == 0 {
				args = append(args, "WITHSCORES")
			}
		case 3:
			if limit || r.IntN(5) == 0 {
				args = append(args, "LIMIT", []string{"0", "1", "2", "-1", "x"}[r.IntN(5)])
			}
		}
	}
	return args
}

// zNumKeys returns a numkeys argument and the keys that follow it: most
// often right, sometimes 0, negative, too many or not a number.
func zNumKeys(r *rand.Rand, k []string) (string, []string) {
	n := 1 + r.IntN(3)
	keys := zKeys(r, k, n)
	switch r.IntN(15) {
	case 0:
		return "0", keys
	case 1:
		return "-1", keys
	case 2:
		return strconv.Itoa(n + 3), keys
	case 3:
		return "x", keys
	}
	return strconv.Itoa(n), keys
}

// zsetGens are the generators of the "zsets" group: every command and
// option on keys of the shared pool.
var zsetGens = []func(r *rand.Rand, k []string) []string{
	func(r *rand.Rand, k []string) []string { // ZADD
		args := []string{"ZADD", randKey(r, k)}
		for _, o := range []string{"NX", "XX", "GT", "LT", "CH", "INCR", "nx", "gt"} {
			if r.IntN(8) == 0 {
				args = append(args, o)
			}
		}
		n := 1 + r.IntN(3)
		if r.IntN(2) == 0 {
			n = 1
		}
		for range n {
			args = append(args, zScore(r), zMember(r))
		}
		if r.IntN(30) == 0 {
			args = args[:len(args)-1] // a score without a member
		}
		return args
	},
	func(r *rand.Rand, k []string) []string { // ZADD of members with equal scores, for lex ranges
		args := []string{"ZADD", randKey(r, k)}
		for range 1 + r.IntN(4) {
			args = append(args, "0", zMember(r))
		}
		return args
	},
	func(r *rand.Rand, k []string) []string {
		return []string{"ZINCRBY", randKey(r, k), zScore(r), zMember(r)}
	},
	func(r *rand.Rand, k []string) []string {
		args := []string{"ZREM", randKey(r, k)}
		for range 1 + r.IntN(3) {
			args = append(args, zMember(r))
		}
		return args
	},
	func(r *rand.Rand, k []string) []string {
		switch r.IntN(3) {
		case 0:
			return []string{"ZREMRANGEBYSCORE", randKey(r, k), zScoreBound(r), zScoreBound(r)}
		case 1:
			return []string{"ZREMRANGEBYRANK", randKey(r, k), zIndex(r), zIndex(r)}
		}
		return []string{"ZREMRANGEBYLEX", randKey(r, k), zLexBound(r), zLexBound(r)}
	},
	func(r *rand.Rand, k []string) []string { // ZPOPMIN, ZPOPMAX
		args := []string{[]string{"ZPOPMIN", "ZPOPMAX"}[r.IntN(2)], randKey(r, k)}
		if r.IntN(2) == 0 {
			args = append(args, zCount(r))
		}
		if r.IntN(20) == 0 {
			args = append(args, "1")
		}
		return args
	},
	func(r *rand.Rand, k []string) []string { // ZMPOP, BZMPOP
		nk, keys := zNumKeys(r, k)
		args := []string{"ZMPOP", nk}
		if r.IntN(4) == 0 {
			args = []string{"BZMPOP", zTimeout(r), nk}
		}
		args = append(args, keys...)
		args = append(args, []string{"MIN", "MAX", "min", "MID"}[r.IntN(4)])
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", zCount(r))
		}
		if r.IntN(20) == 0 {
			args = append(args, "COUNT", "1")
		}
		return args
	},
	func(r *rand.Rand, k []string) []string { // BZPOPMIN, BZPOPMAX
		args := []string{[]string{"BZPOPMIN", "BZPOPMAX"}[r.IntN(2)]}
		args = append(args, zKeys(r, k, 1+r.IntN(3))...)
		return append(args, zTimeout(r))
	},
	func(r *rand.Rand, k []string) []string { // ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE
		name := []string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.IntN(3)]
		nk, keys := zNumKeys(r, k)
		args := append([]string{name, randKey(r, k), nk}, keys...)
		return zSetOpOptions(r, args, len(keys), name != "ZDIFFSTORE", false, false)
	},
	func(r *rand.Rand, k []string) []string { // ZUNION, ZINTER, ZDIFF, ZINTERCARD
		name := []string{"ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"}[r.IntN(4)]
		nk, keys := zNumKeys(r, k)
		args := append([]string{name, nk}, keys...)
		setOp := name == "ZUNION" || name == "ZINTER"
		return zSetOpOptions(r, args, len(keys), setOp, name != "ZINTERCARD", name == "ZINTERCARD")
	},
	func(r *rand.Rand, k []string) []string { // ZRANGE, ZRANGESTORE
		args := []string{"ZRANGE", randKey(r, k)}
		if r.IntN(4) == 0 {
			args = []string{"ZRANGESTORE", randKey(r, k), randKey(r, k)}
		}
		var opts []string
		switch r.IntN(3) {
		case 0:
			args = append(args, zIndex(r), zIndex(r))
			if r.IntN(10) == 0 {
				opts = append(opts, []string{"BYSCORE", "BYLEX"}[r.IntN(2)])
			}
		case 1:
			args = append(args, zScoreBound(r), zScoreBound(r))
			opts = append(opts, "BYSCORE")
		default:
			args = append(args, zLexBound(r), zLexBound(r))
			opts = append(opts, "BYLEX")
		}
		if r.IntN(3) == 0 {
			opts = append(opts, "REV")
		}
		if r.IntN(3) == 0 {
			opts = append(opts, "WITHSCORES")
		}
		if r.IntN(10) == 0 {
			opts = append(opts, []string{"BYSCORE", "REV", "LIMIT", "BAD"}[r.IntN(4)])
		}
		opts = zLimit(r, opts)
		r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
		return append(args, opts...)
	},
	func(r *rand.Rand, k []string) []string { // the older range commands
		key := randKey(r, k)
		var args []string
		switch r.IntN(5) {
		case 0:
			args = []string{[]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE"}[r.IntN(2)], key, zScoreBound(r), zScoreBound(r)}
			if r.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
			args = zLimit(r, args)
		case 1:
			args = []string{[]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"}[r.IntN(2)], key, zLexBound(r), zLexBound(r)}
			args = zLimit(r, args)
		case 2:
			args = []string{"ZREVRANGE", key, zIndex(r), zIndex(r)}
			if r.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
		case 3:
			args = []string{"ZRANGE", key, zIndex(r), zIndex(r)}
			if r.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
		default:
			args = []string{"ZRANGEBYSCORE", key, "-inf", "+inf", "WITHSCORES"}
		}
		if r.IntN(15) == 0 {
			args = append(args, []string{"REV", "BYSCORE", "LIMIT", "WITHSCORES", "x"}[r.IntN(5)])
		}
		return args
	},
	func(r *rand.Rand, k []string) []string { // point reads
		key := randKey(r, k)
		switch r.IntN(7) {
		case 0:
			return []string{"ZSCORE", key, zMember(r)}
		case 1:
			return []string{"ZMSCORE", key, zMember(r), zMember(r)}
		case 2:
			return []string{"ZRANK", key, zMember(r)}
		case 3:
			return []string{"ZREVRANK", key, zMember(r)}
		case 4:
			return []string{"ZCARD", key}
		case 5:
			return []string{"ZCOUNT", key, zScoreBound(r), zScoreBound(r)}
		}
		return []string{"ZLEXCOUNT", key, zLexBound(r), zLexBound(r)}
	},
	func(r *rand.Rand, k []string) []string { // ZSCAN
		args := []string{"ZSCAN", randKey(r, k), []string{"0", "0", "7", "x", "-1"}[r.IntN(5)]}
		if r.IntN(2) == 0 {
			args = append(args, "MATCH", []string{"*", "a*", "?", "[a-c]", "*\x00*", "1*"}[r.IntN(6)])
		}
		if r.IntN(3) == 0 {
			args = append(args, "COUNT", []string{"1", "10", "0", "x"}[r.IntN(4)])
		}
		if r.IntN(15) == 0 {
			args = append(args, []string{"TYPE", "MATCH", "x"}[r.IntN(3)])
		}
		return args
	},
	func(r *rand.Rand, k []string) []string { // ZRANDMEMBER (its reply is random)
		args := []string{"ZRANDMEMBER", randKey(r, k)}
		if r.IntN(3) > 0 {
			args = append(args, []string{"1", "2", "3", "-3", "0", "100", "-1", "x", "-9223372036854775808", "5000000000000000000"}[r.IntN(10)])
			if r.IntN(2) == 0 {
				args = append(args, []string{"WITHSCORES", "withscores", "x"}[r.IntN(3)])
			}
		}
		return args
	},
}

// zBigKeys are the keys of the "zsetsbig" group, which Redis holds as
// skiplists (more than 128 members, or members longer than 64 bytes): no
// ZSCAN (whose order would be Redis's hash table's), and no other group
// touches them. Lexicographic ranges go to "big:lex" alone, whose scores
// are all equal.
var zBigKeys = []string{"big:1", "big:2", "big:3"}

func zBigMember(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return strings.Repeat("long", 17) + zMember(r) // 68 bytes and more
	}
	return "m" + strconv.Itoa(r.IntN(300))
}

var zsetBigGens = []func(r *rand.Rand, k []string) []string{
	func(r *rand.Rand, k []string) []string {
		args := []string{"ZADD", randKey(r, zBigKeys)}
		for range 1 + r.IntN(60) {
			args = append(args, zScore(r), zBigMember(r))
		}
		return args
	},
	func(r *rand.Rand, k []string) []string {
		return []string{"ZINCRBY", randKey(r, zBigKeys), zScore(r), zBigMember(r)}
	},
	func(r *rand.Rand, k []string) []string {
		key := randKey(r, zBigKeys)
		switch r.IntN(6) {
		case 0:
			return []string{"ZREMRANGEBYSCORE", key, zScoreBound(r), zScoreBound(r)}
		case 1:
			return []string{"ZREMRANGEBYRANK", key, zIndex(r), zIndex(r)}
		case 2:
			return []string{"ZREM", key, zBigMember(r), zBigMember(r)}
		case 3:
			return []string{[]string{"ZPOPMIN", "ZPOPMAX"}[r.IntN(2)], key, zCount(r)}
		case 4:
			return []string{"ZMPOP", "2", key, randKey(r, zBigKeys), "MAX", "COUNT", "3"}
		}
		return []string{"ZREMRANGEBYSCORE", key, zScoreBound(r), zScoreBound(r)}
	},
	func(r *rand.Rand, k []string) []string {
		// Lexicographic ranges, on a large set whose scores are all
		// equal: otherwise Redis's answer depends on its skiplist's
		// random levels.
		switch r.IntN(7) {
		case 0, 1:
			args := []string{"ZADD", "big:lex"}
			for range 1 + r.IntN(40) {
				args = append(args, []string{"0", "-0"}[r.IntN(2)], zBigMember(r))
			}
			return args
		case 2:
			return []string{"ZREMRANGEBYLEX", "big:lex", zLexBound(r), zLexBound(r)}
		case 3:
			return []string{"ZLEXCOUNT", "big:lex", zLexBound(r), zLexBound(r)}
		case 4:
			return zLimit(r, []string{"ZRANGEBYLEX", "big:lex", zLexBound(r), zLexBound(r)})
		case 5:
			return zLimit(r, []string{"ZREVRANGEBYLEX", "big:lex", zLexBound(r), zLexBound(r)})
		}
		return zLimit(r, []string{"ZRANGESTORE", "big:lex2", "big:lex", zLexBound(r), zLexBound(r), "BYLEX", "REV"})
	},
	func(r *rand.Rand, k []string) []string {
		name := []string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.IntN(3)]
		args := []string{name, randKey(r, zBigKeys), "2", randKey(r, zBigKeys), randKey(r, zBigKeys)}
		return zSetOpOptions(r, args, 2, name != "ZDIFFSTORE", false, false)
	},
	func(r *rand.Rand, k []string) []string {
		name := []string{"ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"}[r.IntN(4)]
		args := []string{name, "2", randKey(r, zBigKeys), randKey(r, zBigKeys)}
		return zSetOpOptions(r, args, 2, name == "ZUNION" || name == "ZINTER", name != "ZINTERCARD", name == "ZINTERCARD")
	},
	func(r *rand.Rand, k []string) []string {
		key := randKey(r, zBigKeys)
		switch r.IntN(7) {
		case 0:
			return []string{"ZRANGESTORE", randKey(r, zBigKeys), key, zIndex(r), []string{"-1", "200", "150"}[r.IntN(3)]}
		case 1:
			return zLimit(r, []string{"ZRANGE", key, zScoreBound(r), zScoreBound(r), "BYSCORE", "WITHSCORES"})
		case 2:
			return []string{"ZREVRANK", key, zBigMember(r)}
		case 3:
			return []string{"ZRANK", key, zBigMember(r)}
		case 4:
			return []string{"ZMSCORE", key, zBigMember(r), zBigMember(r)}
		case 5:
			return []string{"ZCOUNT", key, zScoreBound(r), zScoreBound(r)}
		}
		return []string{"ZREVRANGE", key, zIndex(r), zIndex(r), "WITHSCORES"}
	},
}

func init() {
	for _, g := range zsetGens {
		gens = append(gens, gen{"zsets", g})
	}
	for _, g := range zsetBigGens {
		gens = append(gens, gen{"zsetsbig", g})
	}
	skipReply["zrandmember"] = true
}

func TestDifferentialZSets(t *testing.T) { runDifferential(t, "zsets", "zsetsbig", "generic") }

// TestDifferentialZSetsMixed runs the "zsets" generators with keys of
// other types in the pool (a string and a set, made again now and then),
// for WRONGTYPE replies and sets as inputs of the set operations: this
// worktree has no command that makes them, so they are restored on both
// of our keyspaces and made with SET and SADD in Redis.
func TestDifferentialZSetsMixed(t *testing.T) {
	var pool []gen
	for _, g := range gens {
		if g.group == "zsets" || g.group == "generic" {
			pool = append(pool, g)
		}
	}
	r := testenv.Rand(t)
	d := newDiffer(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			d.do("DEL", "n", "{t}y", "k:2")
			d.restore("n", rdb.String("12"))
			d.restore("{t}y", rdb.Set{[]byte("a"), []byte("b"), []byte("1"), []byte("10"), []byte("zz")})
			d.restore("k:2", rdb.Set{[]byte("1"), []byte("10"), []byte("-5")}) // an intset in Redis
		}
		g := pool[r.IntN(len(pool))]
		d.do(g.fn(r, diffKeys)...)
		if i%200 == 199 {
			d.check()
		}
	}
	d.check()
}

// restore adds key in the current database of both our keyspaces and of
// Redis (with commands there).
func (d *differ) restore(key string, v rdb.Value) {
	d.t.Helper()
	for _, ks := range []*keyspace.Memory{d.ks, d.replica} {
		if err := ks.Restore(&rdb.Entry{DB: d.db, Key: []byte(key), Value: v}); err != nil {
			d.t.Fatal(err)
		}
	}
	d.rc.Do("SELECT", strconv.Itoa(d.db))
	switch v := v.(type) {
	case rdb.String:
		d.rc.Must("SET", key, string(v))
	case rdb.Set:
		args := []string{"SADD", key}
		for _, m := range v {
			args = append(args, string(m))
		}
		d.rc.Must(args...)
	default:
		d.t.Fatalf("restore: %T", v)
	}
}

// ---- scripted differential cases ----

// same runs a command on both sides and requires byte-identical replies.
func (d *differ) same(args ...string) []byte {
	d.t.Helper()
	d.history = append(d.history, fmt.Sprintf("%q", args))
	d.exec(args)
	ours := bytes.Clone(d.call.Reply.Buf)
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	theirs := d.rc.Raw(bargs...)
	if !bytes.Equal(ours, theirs) {
		d.fail("reply differs:\n ours  %q\n redis %q", ours, theirs)
	}
	return ours
}

// TestZSetsEdgeCases compares replies byte for byte, and the data, in
// cases random generation reaches rarely: encodings (-0 in a listpack
// and in a skiplist), infinities and NaN, ties, exclusive and lex ranges,
// and large sets.
func TestZSetsEdgeCases(t *testing.T) {
	d := newDiffer(t)
	long := strings.Repeat("x", 65)
	many := []string{"ZADD", "many"}
	for i := range 200 {
		many = append(many, strconv.Itoa(i%7-3), "m"+strconv.Itoa(i))
	}
	cases := [][]string{
		// -0: a listpack stores 0, a skiplist keeps -0; ZINCRBY
		// replies the computed score either way.
		{"ZADD", "lp", "-0", "m"}, {"ZSCORE", "lp", "m"}, {"ZINCRBY", "lp2", "-0", "m"}, {"ZSCORE", "lp2", "m"},
		{"ZADD", "sl", "-0", "m", "1", long}, {"ZSCORE", "sl", "m"}, {"ZADD", "sl", "0", "m"}, {"ZSCORE", "sl", "m"},
		{"ZINCRBY", "sl", "0", "m"}, {"ZSCORE", "sl", "m"}, {"ZRANGE", "sl", "0", "-1", "WITHSCORES"},
		{"ZADD", "sl2", "1", long, "-0", "n"}, {"ZSCORE", "sl2", "n"},
		{"ZADD", "lp3", "-0", "n", "1", long}, {"ZSCORE", "lp3", "n"},
		{"ZUNION", "2", "sl", "sl2", "WITHSCORES"}, {"ZUNIONSTORE", "u", "1", "sl2", "WEIGHTS", "1"}, {"ZSCORE", "u", "n"},
		{"ZUNIONSTORE", "u2", "1", "lp", "WEIGHTS", "-1"}, {"ZSCORE", "u2", "m"}, {"ZUNION", "1", "lp", "WEIGHTS", "-1", "WITHSCORES"},
		{"ZREM", "sl2", long}, {"ZSCORE", "sl2", "n"}, {"ZRANGESTORE", "rs", "sl2", "0", "-1"}, {"ZSCORE", "rs", "n"},
		{"ZSCAN", "lp", "0"}, {"ZSCAN", "sl2", "0"},
		// Infinities and NaN.
		{"ZADD", "i", "inf", "a", "-inf", "b", "+inf", "c"}, {"ZINCRBY", "i", "-inf", "a"}, {"ZADD", "i", "INCR", "inf", "b"},
		{"ZADD", "i", "XX", "INCR", "1", "zz"}, {"ZADD", "i", "NX", "INCR", "1", "a"}, {"ZADD", "i", "GT", "INCR", "0", "a"},
		{"ZADD", "i", "GT", "CH", "inf", "b", "5", "new"}, {"ZRANGE", "i", "0", "-1", "WITHSCORES"},
		{"ZUNIONSTORE", "w", "2", "i", "i", "WEIGHTS", "0", "1"}, {"ZRANGE", "w", "0", "-1", "WITHSCORES"},
		{"ZUNION", "2", "i", "i", "WEIGHTS", "1", "-1", "WITHSCORES"},
		{"ZINTER", "2", "i", "i", "WEIGHTS", "1", "0", "AGGREGATE", "MIN", "WITHSCORES"},
		{"ZINTER", "2", "i", "i", "WEIGHTS", "0", "1", "AGGREGATE", "MAX", "WITHSCORES"},
		{"ZUNION", "2", "i", "i", "WEIGHTS", "0", "1", "AGGREGATE", "MIN", "WITHSCORES"},
		{"ZCOUNT", "i", "-inf", "+inf"}, {"ZCOUNT", "i", "(-inf", "(+inf"}, {"ZRANGEBYSCORE", "i", "(5", "+inf"},
		// Ties and exclusive ranges.
		{"ZADD", "t", "1", "b", "1", "a", "1", "c", "2", "a2", "0", "z"}, {"ZRANGE", "t", "0", "-1"},
		{"ZRANGEBYSCORE", "t", "(1", "2"}, {"ZRANGEBYSCORE", "t", "1", "(2"}, {"ZRANGEBYSCORE", "t", "(1", "(1"},
		{"ZREVRANGEBYSCORE", "t", "2", "1", "LIMIT", "1", "2"}, {"ZRANGE", "t", "(1", "+inf", "BYSCORE", "REV"},
		{"ZRANGE", "t", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "0", "1", "WITHSCORES"},
		{"ZRANK", "t", "c"}, {"ZREVRANK", "t", "c"}, {"ZRANGEBYSCORE", "t", "-inf", "+inf", "LIMIT", "-1", "2"},
		// Lexicographic ranges on equal scores, and on mixed ones.
		{"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", ""}, {"ZRANGEBYLEX", "lex", "[b", "(d"},
		{"ZRANGEBYLEX", "lex", "-", "+"}, {"ZREVRANGEBYLEX", "lex", "+", "(b"}, {"ZLEXCOUNT", "lex", "(a", "[e"},
		{"ZRANGEBYLEX", "lex", "[", "(b"}, {"ZRANGEBYLEX", "lex", "+", "-"}, {"ZRANGEBYLEX", "lex", "-", "-"},
		{"ZRANGE", "lex", "[c", "-", "BYLEX", "REV", "LIMIT", "1", "1"}, {"ZREMRANGEBYLEX", "lex", "(a", "[c"},
		{"ZRANGE", "lex", "0", "-1"},
		{"ZRANGEBYLEX", "t", "[b", "+"}, {"ZLEXCOUNT", "t", "[b", "+"}, {"ZREVRANGEBYLEX", "t", "+", "[b"},
		{"ZRANGEBYLEX", "t", "-", "(z"}, {"ZLEXCOUNT", "t", "-", "[b"}, {"ZREMRANGEBYLEX", "t", "[b", "+"}, {"ZRANGE", "t", "0", "-1"},
		// A large set (a skiplist in Redis) with ties.
		many, {"ZCARD", "many"}, {"ZRANGE", "many", "100", "110", "WITHSCORES"}, {"ZREVRANGE", "many", "5", "9"},
		{"ZRANK", "many", "m77"}, {"ZREVRANK", "many", "m77"}, {"ZCOUNT", "many", "(-1", "1"},
		{"ZRANGEBYSCORE", "many", "0", "0", "LIMIT", "3", "4"}, {"ZREMRANGEBYRANK", "many", "10", "-100"},
		{"ZREMRANGEBYSCORE", "many", "(2", "+inf"}, {"ZPOPMAX", "many", "3"}, {"ZPOPMIN", "many"},
		{"ZRANGESTORE", "many2", "many", "0", "-1"}, {"ZRANGESTORE", "many3", "many", "0", "5"},
		{"ZRANGE", "many", "0", "-1", "WITHSCORES"},
		// ZSCAN's score format for a listpack: its integers.
		{"ZADD", "sc", "1e17", "a", "123456789012345678", "b", "4611686018427387904", "c", "4611686018427387905", "d", "1.5", "e", "-inf", "f", "1e300", "g"},
		{"ZSCAN", "sc", "0"}, {"ZSCAN", "sc", "0", "MATCH", "[a-c]", "COUNT", "1"}, {"ZRANGE", "sc", "0", "-1", "WITHSCORES"},
		// Errors.
		{"ZADD", "e", "NX", "XX", "1", "a"}, {"ZADD", "e", "GT", "LT", "1", "a"}, {"ZADD", "e", "INCR", "1", "a", "2", "b"},
		{"ZADD", "e", "1"}, {"ZADD", "e", "x", "a"}, {"ZADD", "e", "1e999", "a"}, {"ZINCRBY", "e", "nx", "a"},
		{"ZRANGE", "t", "0", "1", "LIMIT", "0", "1"}, {"ZRANGE", "t", "a", "b", "BYLEX", "WITHSCORES"},
		{"ZRANGESTORE", "d", "t", "0", "1", "WITHSCORES"}, {"ZRANGEBYSCORE", "t", "x", "1"}, {"ZRANGEBYLEX", "t", "a", "b"},
		{"ZUNIONSTORE", "d", "0", "t"}, {"ZINTERCARD", "0", "t"}, {"ZINTERCARD", "1", "t", "LIMIT", "-1"},
		{"ZUNION", "1", "t", "WEIGHTS", "x"}, {"ZDIFF", "1", "t", "WEIGHTS", "1"}, {"ZPOPMIN", "t", "-1"},
		{"ZMPOP", "0", "t", "MIN"}, {"ZMPOP", "1", "t", "MIN", "COUNT", "0"}, {"ZMPOP", "2", "t", "MIN"},
		{"BZPOPMIN", "t", "-1"}, {"BZPOPMIN", "t", "x"}, {"BZPOPMIN", "t", "1e20"}, {"BZMPOP", "x", "1", "t", "MIN"},
		{"ZRANDMEMBER", "t", "-9223372036854775808"}, {"ZRANDMEMBER", "t", "5000000000000000000", "WITHSCORES"},
		{"ZRANDMEMBER", "t", "1", "x"}, {"ZSCAN", "t", "x"},
		// Pops, blocking pops that do not block, and what they log.
		// (Timeouts are short: Redis blocks when there is nothing.)
		{"ZMPOP", "3", "nokey", "t", "i", "MAX", "COUNT", "2"}, {"BZMPOP", "0.01", "2", "nokey", "i", "MIN", "COUNT", "10"},
		{"ZADD", "i", "1", "a"}, {"BZPOPMAX", "nokey", "i", "0.01"}, {"BZPOPMIN", "nokey", "0.01"}, {"BZMPOP", "0.01", "1", "nokey", "MIN"},
		{"ZPOPMIN", "i", "0"}, {"ZPOPMAX", "nokey", "2"},
		// *STORE with an empty result deletes the destination.
		{"ZADD", "dst", "1", "a"}, {"ZINTERSTORE", "dst", "2", "i", "nokey"}, {"EXISTS", "dst"},
		{"ZADD", "dst", "1", "a"}, {"ZRANGESTORE", "dst", "i", "5", "9"}, {"EXISTS", "dst"},
		{"ZDIFFSTORE", "dst", "1", "nokey"}, {"EXISTS", "dst"},
	}
	// Numbers as strtod reads them, as scores and as range bounds.
	for _, num := range []string{"0x1.8p1", "0X1A", "0x", "0x.8", "0x.p1", "1e+5", "1e-5", "1E5", ".e1", "5.", "-.5",
		"+.5", "1e", "1e+", "infinity", "INF", "-Infinity", "infinit", "nan(123)", "NaN", "1_000", "0b101", "00012",
		"1e308", "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "2e-324", "3e-324", "0e-999",
		"0x1p-1075", "0x1p-1074", "0x1p1024", "0x1.fffffffffffff8p1023", "0x1.fffffffffffff7p1023",
		"0.1000000000000000055511151231257827021181583404541015625", "123456789012345678901234567890",
		"\t1", "1\t", "1e-400", "-0e-400", "0.000000000000000000000000000000000000001e39", "1" + strings.Repeat("0", 400) + "e-400",
		"9007199254740993", "2.5e-324", "(1", "(", "1\x00", "\x002", "0x1p+4"} {
		cases = append(cases, []string{"ZADD", "num", num, "m"}, []string{"ZSCORE", "num", "m"},
			[]string{"ZCOUNT", "num", num, "+inf"}, []string{"ZRANGEBYSCORE", "num", "-inf", "(" + num})
	}
	for i, c := range cases {
		d.same(c...)
		if i%20 == 19 {
			d.check()
		}
	}
	d.check()
}

// TestZSetsRESP3 compares RESP3 replies (nested pairs, doubles, nulls)
// byte for byte.
func TestZSetsRESP3(t *testing.T) {
	srv := redistest.Start(t, "")
	rc := srv.Client()
	rc.Must("HELLO", "3")
	ks := keyspace.NewMemory(nil)
	for _, args := range [][]string{
		{"ZADD", "z", "1", "a", "2.5", "b", "inf", "c", "-0", "d"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"ZRANGE", "z", "0", "-1"}, {"ZSCORE", "z", "b"}, {"ZSCORE", "z", "x"}, {"ZSCORE", "nokey", "x"},
		{"ZMSCORE", "z", "a", "x"}, {"ZRANK", "z", "x"}, {"ZINCRBY", "z", "0.1", "a"}, {"ZADD", "z", "NX", "INCR", "1", "a"},
		{"ZUNION", "1", "z", "WITHSCORES"}, {"ZINTER", "1", "z"}, {"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "z", "10", "WITHSCORES"},
		{"ZSCAN", "z", "0"}, {"ZPOPMIN", "z"}, {"ZPOPMIN", "z", "1"}, {"ZPOPMAX", "z", "5"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"BZPOPMIN", "z", "0"}, {"ZMPOP", "1", "z", "MAX"},
		{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}, {"ZMPOP", "1", "z", "MIN"}, {"BZPOPMIN", "z", "0.01"},
	} {
		ours, bargs := resp3Exec(t, ks, args)
		if theirs := rc.Raw(bargs...); !bytes.Equal(ours, theirs) {
			t.Errorf("%q:\n ours  %q\n redis %q", args, ours, theirs)
		}
	}
}

// TestZSetLoad checks the encoding a loaded zset gets: a small one is a
// listpack (-0 becomes 0), a large one keeps -0.
func TestZSetLoad(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	small := rdb.ZSet{{Member: []byte("a"), Score: math.Copysign(0, -1)}, {Member: []byte("b"), Score: 1}}
	large := append(rdb.ZSet{{Member: []byte(strings.Repeat("l", 65)), Score: 2}}, small...)
	for key, v := range map[string]rdb.ZSet{"small": small, "large": large} {
		if err := ks.Restore(&rdb.Entry{Key: []byte(key), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	if reply, _ := zcall(t, ks, "ZSCORE", "small", "a"); reply != "$1\r\n0\r\n" {
		t.Errorf("small: %q", reply)
	}
	if reply, _ := zcall(t, ks, "ZSCORE", "large", "a"); reply != "$2\r\n-0\r\n" {
		t.Errorf("large: %q", reply)
	}
	if reply, _ := zcall(t, ks, "ZRANGE", "large", "0", "-1"); reply != "*3\r\n$1\r\na\r\n$1\r\nb\r\n$65\r\n"+strings.Repeat("l", 65)+"\r\n" {
		t.Errorf("large: %q", reply)
	}
}

// TestZSetModel checks ranks, ranges and deletions in a large sorted set
// against a sorted slice.
func TestZSetModel(t *testing.T) {
	r := testenv.Rand(t)
	ks := keyspace.NewMemory(nil)
	model := map[string]float64{}
	sorted := func() []string {
		ms := make([]string, 0, len(model))
		for m := range model {
			ms = append(ms, m)
		}
		slices.SortFunc(ms, func(a, b string) int {
			if c := cmp.Compare(model[a], model[b]); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		return ms
	}
	for i := 0; i < 20000; i++ {
		m := "m" + strconv.Itoa(r.IntN(3000))
		switch op := r.IntN(10); {
		case op < 6:
			s := r.IntN(50)
			zcall(t, ks, "ZADD", "z", strconv.Itoa(s), m)
			model[m] = float64(s)
		case op < 8:
			zcall(t, ks, "ZREM", "z", m)
			delete(model, m)
		case op == 8 && i%50 == 0:
			ms := sorted()
			start, stop := r.IntN(len(ms)+1), r.IntN(len(ms)+1)
			zcall(t, ks, "ZREMRANGEBYRANK", "z", strconv.Itoa(start), strconv.Itoa(stop))
			for j := start; j <= stop && j < len(ms); j++ {
				delete(model, ms[j])
			}
		default:
			ms := sorted()
			if len(ms) == 0 {
				continue
			}
			j := r.IntN(len(ms))
			if reply, _ := zcall(t, ks, "ZRANK", "z", ms[j]); reply != ":"+strconv.Itoa(j)+"\r\n" {
				t.Fatalf("ZRANK %s: %q, want %d", ms[j], reply, j)
			}
			want := fmt.Sprintf("*1\r\n$%d\r\n%s\r\n", len(ms[j]), ms[j])
			if reply, _ := zcall(t, ks, "ZRANGE", "z", strconv.Itoa(j), strconv.Itoa(j)); reply != want {
				t.Fatalf("ZRANGE %d %d: %q, want %q", j, j, reply, want)
			}
			lo := model[ms[j]]
			n := 0
			for _, x := range ms {
				if model[x] >= lo && model[x] < lo+5 {
					n++
				}
			}
			if reply, _ := zcall(t, ks, "ZCOUNT", "z", strconv.Itoa(int(lo)), "("+strconv.Itoa(int(lo)+5)); reply != ":"+strconv.Itoa(n)+"\r\n" {
				t.Fatalf("ZCOUNT: %q, want %d", reply, n)
			}
		}
	}
	ms := sorted()
	reply, _ := zcall(t, ks, "ZRANGE", "z", "0", "-1")
	want := fmt.Sprintf("*%d\r\n", len(ms))
	for _, m := range ms {
		want += fmt.Sprintf("$%d\r\n%s\r\n", len(m), m)
	}
	if len(ms) == 0 {
		want = "*0\r\n"
	}
	if reply != want {
		t.Fatalf("final ZRANGE differs")
	}
}

// ---- replies and logged records ----

// zcall runs one command on ks and returns its reply and what it logged.
func zcall(t *testing.T, ks *keyspace.Memory, args ...string) (string, []string) {
	t.Helper()
	c := keyspace.Call{Write: true, Now: 1700000000000}
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	if err := ks.Exec(&c); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	var log []string
	for _, r := range c.Log {
		log = append(log, fmt.Sprintf("%q", r.Args))
	}
	return string(c.Reply.Buf), log
}

// resp3Exec runs one command on ks with RESP3 replies, and returns the
// reply and the arguments as bytes (to send to redis-server).
func resp3Exec(t *testing.T, ks *keyspace.Memory, args []string) (reply []byte, bargs [][]byte) {
	t.Helper()
	c := keyspace.Call{Write: true, Reply: keyspace.Reply{RESP3: true}}
	for _, a := range args {
		bargs = append(bargs, []byte(a))
		c.Args = append(c.Args, []byte(a)) // a copy of its own: Exec may change it
	}
	if err := ks.Exec(&c); err != nil {
		t.Fatal(err)
	}
	return c.Reply.Buf, bargs
}

// callCase is a command, its reply and what it logs (nil: nothing; the
// command itself when "=").
type callCase struct {
	args  []string
	reply string
	log   []string
}

// checkCalls runs each case's command on ks in order (zcall) and checks
// its reply and log.
func checkCalls(t *testing.T, ks *keyspace.Memory, cases []callCase) {
	t.Helper()
	for _, tc := range cases {
		reply, log := zcall(t, ks, tc.args...)
		if reply != tc.reply {
			t.Errorf("%q: reply %q, want %q", tc.args, reply, tc.reply)
		}
		want := tc.log
		if len(want) == 1 && want[0] == "=" {
			want = []string{fmt.Sprintf("%q", tc.args)}
		}
		if !slices.Equal(log, want) {
			t.Errorf("%q: logged %q, want %q", tc.args, log, want)
		}
	}
}

func TestZSetCommandsReplyAndLog(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	q := func(args ...string) string { return fmt.Sprintf("%q", args) }
	tests := []callCase{
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, ":3\r\n", []string{"="}},
		{[]string{"ZADD", "z", "1", "a"}, ":0\r\n", nil},
		{[]string{"ZADD", "z", "CH", "5", "a"}, ":1\r\n", []string{"="}},
		{[]string{"ZADD", "z", "XX", "1", "new"}, ":0\r\n", nil},
		{[]string{"ZADD", "z", "INCR", "0.5", "a"}, "$3\r\n5.5\r\n", []string{"="}},
		{[]string{"ZADD", "z", "NX", "INCR", "1", "a"}, "$-1\r\n", nil},
		{[]string{"ZADD", "z", "LT", "INCR", "1", "a"}, "$-1\r\n", nil},
		{[]string{"ZINCRBY", "z", "0.1", "b"}, "$18\r\n2.1000000000000001\r\n", []string{"="}},
		{[]string{"ZADD", "z", "NX", "XX", "1", "a"}, "-ERR XX and NX options at the same time are not compatible\r\n", nil},
		{[]string{"ZADD", "z", "NX", "GT", "1", "a"}, "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", nil},
		{[]string{"ZADD", "z", "INCR", "1", "a", "1", "b"}, "-ERR INCR option supports a single increment-element pair\r\n", nil},
		{[]string{"ZADD", "z", "nan", "a"}, "-ERR value is not a valid float\r\n", nil},
		{[]string{"ZADD", "inf", "inf", "a"}, ":1\r\n", []string{"="}},
		{[]string{"ZINCRBY", "inf", "-inf", "a"}, "-ERR resulting score is not a number (NaN)\r\n", nil},
		{[]string{"ZSCORE", "z", "a"}, "$3\r\n5.5\r\n", nil},
		{[]string{"ZMSCORE", "z", "a", "zz"}, "*2\r\n$3\r\n5.5\r\n$-1\r\n", nil},
		{[]string{"ZRANK", "z", "c"}, ":1\r\n", nil},
		{[]string{"ZREVRANK", "z", "c"}, ":1\r\n", nil},
		{[]string{"ZCARD", "z"}, ":3\r\n", nil},
		{[]string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, "*6\r\n$1\r\nb\r\n$18\r\n2.1000000000000001\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$3\r\n5.5\r\n", nil},
		{[]string{"ZRANGEBYSCORE", "z", "(2.1", "+inf", "LIMIT", "1", "-1"}, "*1\r\n$1\r\na\r\n", nil},
		{[]string{"ZREM", "z", "a", "zz"}, ":1\r\n", []string{"="}},
		{[]string{"ZREM", "z", "zz"}, ":0\r\n", nil},
		{[]string{"ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "5"}, "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$18\r\n2.1000000000000001\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", []string{q("ZPOPMIN", "z", "2")}},
		{[]string{"EXISTS", "z"}, ":0\r\n", nil},
		{[]string{"ZMPOP", "1", "z", "MIN"}, "*-1\r\n", nil},
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, ":3\r\n", []string{"="}},
		{[]string{"BZPOPMAX", "nokey", "z", "0"}, "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n", []string{q("ZPOPMAX", "z")}},
		{[]string{"BZMPOP", "0", "1", "z", "MAX"}, "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", []string{q("ZPOPMAX", "z", "1")}},
		{[]string{"BZPOPMIN", "nokey", "0"}, "*-1\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", "-1"}, "-ERR timeout is negative\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", "-0.001"}, "*-1\r\n", nil}, // -0.001L*1000 is above -1: ceil gives 0
		{[]string{"BZPOPMIN", "nokey", "-0.0011"}, "-ERR timeout is negative\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", "1e-400"}, "*-1\r\n", nil}, // a long double
		{[]string{"BZPOPMIN", "nokey", "1e-5000"}, "-ERR timeout is not a float or out of range\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", "9.3e15"}, "-ERR timeout is negative\r\n", nil}, // beyond a long long
		{[]string{"BZPOPMIN", "nokey", "inf"}, "-ERR timeout is negative\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", "0x1p-20"}, "*-1\r\n", nil},
		{[]string{"BZPOPMIN", "nokey", " 1"}, "-ERR timeout is not a float or out of range\r\n", nil},
		{[]string{"ZPOPMIN", "z", "10"}, "*2\r\n$1\r\na\r\n$1\r\n1\r\n", []string{"="}},
		{[]string{"ZPOPMIN", "z"}, "*0\r\n", nil},
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, ":3\r\n", []string{"="}},
		// inf*0 is NaN, counted as 0; the smaller input comes first.
		{[]string{"ZUNIONSTORE", "u", "2", "z", "inf", "WEIGHTS", "2", "0"}, ":3\r\n", []string{"="}},
		{[]string{"ZRANGE", "u", "0", "-1", "WITHSCORES"}, "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n6\r\n", nil},
		{[]string{"ZINTERSTORE", "u", "2", "z", "nokey"}, ":0\r\n", []string{"="}},
		{[]string{"ZINTERSTORE", "u", "2", "z", "nokey"}, ":0\r\n", nil},
		{[]string{"ZRANGESTORE", "r", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"}, ":1\r\n", []string{"="}},
		{[]string{"ZREMRANGEBYSCORE", "z", "-inf", "(2"}, ":1\r\n", []string{"="}},
		{[]string{"ZREMRANGEBYRANK", "z", "5", "10"}, ":0\r\n", nil},
		{[]string{"ZREMRANGEBYLEX", "z", "-", "+"}, ":2\r\n", []string{"="}},
		{[]string{"EXISTS", "z"}, ":0\r\n", nil},
		{[]string{"ZSCAN", "r", "0"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", nil},
		{[]string{"ZSCAN", "nokey", "0", "COUNT", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n", nil},
		{[]string{"ZINTERCARD", "2", "u", "inf"}, ":0\r\n", nil},
		{[]string{"ZUNION", "2", "r", "inf", "WITHSCORES"}, "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$3\r\ninf\r\n", nil},
		{[]string{"ZDIFF", "2", "inf", "r"}, "*1\r\n$1\r\na\r\n", nil},
	}
	checkCalls(t, ks, tests)
}

// TestZSetExpiredDestination checks that a *STORE over an expired
// destination logs its deletion first, as Redis's setKey does.
func TestZSetExpiredDestination(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	if err := ks.Restore(&rdb.Entry{Key: []byte("d"), Value: rdb.String("x"), ExpireAt: 1000}); err != nil {
		t.Fatal(err)
	}
	zcall(t, ks, "ZADD", "s", "1", "a")
	_, log := zcall(t, ks, "ZUNIONSTORE", "d", "1", "s")
	want := []string{`["DEL" "d"]`, `["ZUNIONSTORE" "d" "1" "s"]`}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("logged %v, want %v", log, want)
	}
}

// TestZSetWrongType checks WRONGTYPE replies, and that the set
// operations take sets as sorted sets of score 1.
func TestZSetWrongType(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	for _, e := range []*rdb.Entry{
		{Key: []byte("str"), Value: rdb.String("x")},
		{Key: []byte("set"), Value: rdb.Set{[]byte("a"), []byte("b")}},
	} {
		if err := ks.Restore(e); err != nil {
			t.Fatal(err)
		}
	}
	wrong := "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	for _, args := range [][]string{
		{"ZADD", "str", "1", "a"}, {"ZINCRBY", "str", "1", "a"}, {"ZREM", "str", "a"}, {"ZSCORE", "str", "a"},
		{"ZRANGE", "str", "0", "1"}, {"ZRANGESTORE", "d", "str", "0", "1"}, {"ZUNION", "2", "set", "str"},
		{"ZPOPMIN", "str"}, {"ZMPOP", "2", "nokey", "str", "MIN"}, {"BZPOPMIN", "str", "0"}, {"ZSCAN", "str", "0"},
		{"ZRANDMEMBER", "str"}, {"ZCARD", "str"}, {"ZCOUNT", "str", "0", "1"}, {"ZLEXCOUNT", "str", "-", "+"},
		{"ZREMRANGEBYRANK", "str", "0", "1"}, {"ZMSCORE", "str", "a"}, {"ZRANK", "str", "a"},
	} {
		if reply, log := zcall(t, ks, args...); reply != wrong || log != nil {
			t.Errorf("%q: %q %v", args, reply, log)
		}
	}
	zcall(t, ks, "ZADD", "z", "2", "a", "3", "c")
	if reply, _ := zcall(t, ks, "ZUNION", "2", "set", "z", "WITHSCORES"); reply != "*6\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n3\r\n" {
		t.Errorf("ZUNION with a set: %q", reply)
	}
	if reply, _ := zcall(t, ks, "ZINTER", "2", "z", "set", "AGGREGATE", "MAX", "WITHSCORES"); reply != "*2\r\n$1\r\na\r\n$1\r\n2\r\n" {
		t.Errorf("ZINTER with a set: %q", reply)
	}
}

// TestZSetExportClone checks that export and COPY share nothing with the
// live value.
func TestZSetExportClone(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	zcall(t, ks, "ZADD", "z", "1", strings.Repeat("l", 70), "2", "b", "1", "a", "-0", "c") // a skiplist: -0 stays
	zcall(t, ks, "COPY", "z", "c")
	zcall(t, ks, "ZADD", "z", "5", "b")
	zcall(t, ks, "ZREM", "z", "a")
	if reply, _ := zcall(t, ks, "ZRANGE", "c", "0", "-1", "WITHSCORES"); !strings.Contains(reply, "$1\r\nc\r\n$2\r\n-0\r\n$1\r\na\r\n$1\r\n1\r\n") || !strings.HasSuffix(reply, "$1\r\nb\r\n$1\r\n2\r\n") {
		t.Errorf("copy changed: %q", reply)
	}
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for {
		e, err := s.Next()
		if err != nil {
			break
		}
		if string(e.Key) == "z" {
			zcall(t, ks, "ZADD", "z", "9", "b")
			for _, m := range e.Value.(rdb.ZSet) {
				if string(m.Member) == "b" && m.Score != 5 {
					t.Errorf("export changed with the value: %v", m)
				}
			}
		}
	}
}

// ---- benchmark ----

// BenchmarkZAdd adds members to sorted sets of about 1000 members.
func BenchmarkZAdd(b *testing.B) {
	ks := keyspace.NewMemory(nil)
	c := keyspace.Call{Write: true, Args: [][]byte{[]byte("ZADD"), nil, nil, nil}}
	score := make([]byte, 0, 24)
	member := make([]byte, 0, 24)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Reply.Buf = c.Reply.Buf[:0]
		c.Log = c.Log[:0]
		c.Args[1] = []byte{'k', byte('0' + i%10)}
		score = strconv.AppendInt(score[:0], int64(i*7919%100000), 10)
		member = strconv.AppendInt(append(member[:0], 'm'), int64(i%10000), 10)
		c.Args[2], c.Args[3] = score, member
		if err := ks.Exec(&c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}
