package keyspace

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/aofrdb/aofrdb/rdb"
)

// Sorted sets: ranges by rank, score and member (ZRANGE and its
// relatives, ZCOUNT, ZLEXCOUNT), set operations (ZUNION, ZINTER, ZDIFF
// and their STORE forms, ZINTERCARD), ZSCAN and ZRANDMEMBER.

const (
	errScoreRange = "ERR min or max is not a float"
	errLexRange   = "ERR min or max not valid string range item"
)

func init() {
	register("zrange", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeAuto, false, false) })
	register("zrevrange", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeByRank, true, true) })
	register("zrangebyscore", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeByScore, true, false) })
	register("zrevrangebyscore", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeByScore, true, true) })
	register("zrangebylex", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeByLex, true, false) })
	register("zrevrangebylex", -4, false, 1, 1, 1, func(x *ctx) { zrangeCommand(x, 1, false, rangeByLex, true, true) })
	register("zrangestore", -5, true, 1, 2, 1, func(x *ctx) { zrangeCommand(x, 2, true, rangeAuto, false, false) })
	register("zcount", 4, false, 1, 1, 1, zcountCommand)
	register("zlexcount", 4, false, 1, 1, 1, zlexcountCommand)
	register("zunionstore", -4, true, 1, 1, 1, func(x *ctx) { zsetOpCommand(x, x.arg(1), 2, opUnion, false) })
	register("zinterstore", -4, true, 1, 1, 1, func(x *ctx) { zsetOpCommand(x, x.arg(1), 2, opInter, false) })
	register("zdiffstore", -4, true, 1, 1, 1, func(x *ctx) { zsetOpCommand(x, x.arg(1), 2, opDiff, false) })
	register("zunion", -3, false, 0, 0, 0, func(x *ctx) { zsetOpCommand(x, nil, 1, opUnion, false) })
	register("zinter", -3, false, 0, 0, 0, func(x *ctx) { zsetOpCommand(x, nil, 1, opInter, false) })
	register("zdiff", -3, false, 0, 0, 0, func(x *ctx) { zsetOpCommand(x, nil, 1, opDiff, false) })
	register("zintercard", -3, false, 0, 0, 0, func(x *ctx) { zsetOpCommand(x, nil, 1, opInter, true) })
	register("zscan", -3, false, 1, 1, 1, zscanCommand)
	register("zrandmember", -2, false, 1, 1, 1, zrandmemberCommand)
}

// rangeType is how a range is given.
type rangeType int

const (
	rangeAuto    rangeType = iota // ZRANGE: by rank unless BYSCORE or BYLEX
	rangeByRank                   // start and stop indexes
	rangeByScore                  // min and max scores
	rangeByLex                    // min and max members
)

// ---- score ranges ----

// scoreRange is a range of scores; minEx and maxEx make an end exclusive.
type scoreRange struct {
	min, max     float64
	minEx, maxEx bool
}

func (r *scoreRange) gteMin(s float64) bool {
	if r.minEx {
		return s > r.min
	}
	return s >= r.min
}

func (r *scoreRange) lteMax(s float64) bool {
	if r.maxEx {
		return s < r.max
	}
	return s <= r.max
}

// parseScoreRange parses min and max as Redis's zslParseRange does: "("
// makes an end exclusive, the rest goes to strtod, which must read up to
// the end of the C string (so "" is 0, "1e999" is infinity, and a NUL
// ends the argument); NaN is refused.
func parseScoreRange(min, max []byte) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minEx, ok1 = parseScoreBound(min)
	r.max, r.maxEx, ok2 = parseScoreBound(max)
	return r, ok1 && ok2
}

func parseScoreBound(b []byte) (v float64, ex, ok bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) > 0 && b[0] == '(' {
		ex, b = true, b[1:]
	}
	c := cscan(b)
	v, _ = c.float64()
	if c.n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// scoreFirst returns the first member in r and its 1-based rank, or nil
// and 0.
func (z *zset) scoreFirst(r *scoreRange) (*zslNode, int) {
	n, rank := z.zsl.firstNotBefore(func(n *zslNode) bool { return !r.gteMin(n.score) })
	if n == nil || !r.lteMax(n.score) {
		return nil, 0
	}
	return n, rank
}

// scoreLast returns the last member in r and its 1-based rank, or nil
// and 0.
func (z *zset) scoreLast(r *scoreRange) (*zslNode, int) {
	n, rank := z.zsl.lastWithin(func(n *zslNode) bool { return r.lteMax(n.score) })
	if n == nil || !r.gteMin(n.score) {
		return nil, 0
	}
	return n, rank
}

// ---- lexicographic ranges ----

// lexBound is an end of a lexicographic range: "-" (below everything),
// "+" (above everything), or a member, inclusive ("[m") or exclusive
// ("(m").
type lexBound struct {
	inf    int // -1 for "-", +1 for "+", 0 for a member
	member []byte
	ex     bool
}

// cmp compares member m with the bound.
func (b *lexBound) cmp(m string) int {
	if b.inf != 0 {
		return -b.inf
	}
	return -bytes.Compare(b.member, []byte(m))
}

// lexRange is a range of members.
type lexRange struct{ min, max lexBound }

func (r *lexRange) gteMin(m string) bool {
	c := r.min.cmp(m)
	return c > 0 || c == 0 && !r.min.ex
}

func (r *lexRange) lteMax(m string) bool {
	c := r.max.cmp(m)
	return c < 0 || c == 0 && !r.max.ex
}

// empty reports a range that holds nothing whatever the members.
func (r *lexRange) empty() bool {
	var c int
	switch {
	case r.min.inf != 0 && r.min.inf == r.max.inf:
		c = 0
	case r.min.inf < 0 || r.max.inf > 0:
		c = -1
	case r.min.inf > 0 || r.max.inf < 0:
		c = 1
	default:
		c = bytes.Compare(r.min.member, r.max.member)
	}
	return c > 0 || c == 0 && (r.min.ex || r.max.ex)
}

// parseLexRange parses min and max as Redis's zslParseLexRange does.
func parseLexRange(min, max []byte) (lexRange, bool) {
	var r lexRange
	var ok1, ok2 bool
	r.min, ok1 = parseLexBound(min)
	r.max, ok2 = parseLexBound(max)
	return r, ok1 && ok2
}

func parseLexBound(b []byte) (lexBound, bool) {
	// Redis looks at the C string: "+" or "-" must be followed by its
	// end, which a NUL also is.
	alone := len(b) == 1 || len(b) > 1 && b[1] == 0
	switch {
	case len(b) == 0:
		return lexBound{}, false
	case b[0] == '+' && alone:
		return lexBound{inf: 1, ex: true}, true
	case b[0] == '-' && alone:
		return lexBound{inf: -1, ex: true}, true
	case b[0] == '(':
		return lexBound{member: b[1:], ex: true}, true
	case b[0] == '[':
		return lexBound{member: b[1:]}, true
	}
	return lexBound{}, false
}

// Redis's lexicographic commands assume all members have the same score,
// so that score order is member order. When that holds (the first and
// last scores are equal), the range ends are found by descending the
// skiplist. When it does not, the commands here do what Redis does on a
// small sorted set (a listpack, scanned in order): the first member at or
// after min, if it is at or before max, starts the range; Redis's result
// on a large one depends on the skiplist's random shape.

// lexOrdered reports whether members are in lexicographic order along the
// list, as all-equal scores guarantee.
func (z *zset) lexOrdered() bool {
	return z.len() == 0 || z.zsl.first().score == z.zsl.tail.score
}

// lexInRange is Redis's early check: the range is not empty, the last
// member is at or after min and the first at or before max.
func (z *zset) lexInRange(r *lexRange) bool {
	return !r.empty() && z.len() > 0 && r.gteMin(z.zsl.tail.member) && r.lteMax(z.zsl.first().member)
}

// lexFirst returns the first member of r and its 1-based rank, or nil
// and 0.
func (z *zset) lexFirst(r *lexRange) (*zslNode, int) {
	if !z.lexInRange(r) {
		return nil, 0
	}
	var n *zslNode
	rank := 0
	if z.lexOrdered() {
		n, rank = z.zsl.firstNotBefore(func(n *zslNode) bool { return !r.gteMin(n.member) })
	} else {
		for n, rank = z.zsl.first(), 1; n != nil && !r.gteMin(n.member); n, rank = n.next(), rank+1 {
		}
	}
	if n == nil || !r.lteMax(n.member) {
		return nil, 0
	}
	return n, rank
}

// lexLast returns the last member of r and its 1-based rank, or nil and
// 0.
func (z *zset) lexLast(r *lexRange) (*zslNode, int) {
	if !z.lexInRange(r) {
		return nil, 0
	}
	var n *zslNode
	rank := 0
	if z.lexOrdered() {
		n, rank = z.zsl.lastWithin(func(n *zslNode) bool { return r.lteMax(n.member) })
	} else {
		for n, rank = z.zsl.tail, z.len(); n != nil && !r.lteMax(n.member); n, rank = n.backward, rank-1 {
		}
	}
	if n == nil || !r.gteMin(n.member) {
		return nil, 0
	}
	return n, rank
}

// ---- ZRANGE and relatives ----

// zrangeCommand is ZRANGE, ZRANGESTORE (store) and the older forms: the
// source key is argument src, then min and max, then options. by and rev
// are fixed by the older forms (fixed).
func zrangeCommand(x *ctx, src int, store bool, by rangeType, fixed, rev bool) {
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := src + 3; j < x.nargs(); j++ {
		left := x.nargs() - j - 1
		switch {
		case !store && x.is(j, "withscores"):
			withScores = true
		case x.is(j, "limit") && left >= 2:
			var ok bool
			if offset, ok = x.argInt(j + 1); !ok {
				return
			}
			if limit, ok = x.argInt(j + 2); !ok {
				return
			}
			j += 2
		case !fixed && !rev && x.is(j, "rev"):
			rev = true
		case by == rangeAuto && x.is(j, "bylex"):
			by = rangeByLex
		case by == rangeAuto && x.is(j, "byscore"):
			by = rangeByScore
		default:
			x.err(errSyntax)
			return
		}
	}
	if by == rangeAuto {
		by = rangeByRank
	}
	if limit != -1 && by == rangeByRank {
		x.err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && by == rangeByLex {
		x.err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	minIdx, maxIdx := src+1, src+2
	if rev && by != rangeByRank {
		minIdx, maxIdx = maxIdx, minIdx // given as max, min
	}
	var start, end int64
	var sr scoreRange
	var lr lexRange
	var ok bool
	switch by {
	case rangeByRank:
		if start, ok = x.argInt(minIdx); !ok {
			return
		}
		if end, ok = x.argInt(maxIdx); !ok {
			return
		}
	case rangeByScore:
		if sr, ok = parseScoreRange(x.arg(minIdx), x.arg(maxIdx)); !ok {
			x.err(errScoreRange)
			return
		}
	case rangeByLex:
		if lr, ok = parseLexRange(x.arg(minIdx), x.arg(maxIdx)); !ok {
			x.err(errLexRange)
			return
		}
	}
	z, ok := x.lookupZSet(x.arg(src))
	if !ok {
		return
	}
	var nodes []*zslNode
	rankLen := -1 // the result's length when known before (by rank)
	if z != nil {
		switch by {
		case rangeByRank:
			nodes = z.rankNodes(start, end, rev)
			rankLen = len(nodes)
		case rangeByScore:
			var n *zslNode
			var r int
			if rev {
				n, r = z.scoreLast(&sr)
			} else {
				n, r = z.scoreFirst(&sr)
			}
			nodes = z.walk(n, r, offset, limit, rev, func(n *zslNode) bool {
				if rev {
					return sr.gteMin(n.score)
				}
				return sr.lteMax(n.score)
			})
		case rangeByLex:
			var n *zslNode
			var r int
			if rev {
				n, r = z.lexLast(&lr)
			} else {
				n, r = z.lexFirst(&lr)
			}
			nodes = z.walk(n, r, offset, limit, rev, func(n *zslNode) bool {
				if rev {
					return lr.gteMin(n.member)
				}
				return lr.lteMax(n.member)
			})
		}
	}
	if store {
		dst := newZSet(rankLen <= zsetMaxListpackEntries)
		for _, n := range nodes {
			dst.add([]byte(n.member), n.score)
		}
		x.storeResult(x.arg(1), dst)
		return
	}
	replyNodes(x.reply(), nodes, withScores)
}

// rankNodes returns the members from index start to end (negative from
// the end), in reverse order from the highest score with rev.
func (z *zset) rankNodes(start, end int64, rev bool) []*zslNode {
	first, last, ok := rankRange(start, end, z.len())
	if !ok {
		return nil
	}
	nodes := make([]*zslNode, 0, last-first+1)
	if rev {
		for n := z.zsl.byRank(z.len() - first); len(nodes) < cap(nodes); n = n.backward {
			nodes = append(nodes, n)
		}
	} else {
		for n := z.zsl.byRank(first + 1); len(nodes) < cap(nodes); n = n.next() {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// walk collects the members of a score or lex range as Redis does: from
// n (of 1-based rank r), the first member of the range (or last, with
// rev), it skips offset members without looking at them (a negative
// offset skips them all), then takes up to limit members (negative: no
// limit) while in reports they are in the range.
func (z *zset) walk(n *zslNode, r int, offset, limit int64, rev bool, in func(*zslNode) bool) []*zslNode {
	if n == nil || offset < 0 || offset >= int64(z.len()) {
		return nil
	}
	if offset > 0 {
		if rev {
			r -= int(offset)
		} else {
			r += int(offset)
		}
		n = z.zsl.byRank(r) // nil past either end
	}
	var nodes []*zslNode
	for ; n != nil && limit != 0 && in(n); limit-- {
		nodes = append(nodes, n)
		if rev {
			n = n.backward
		} else {
			n = n.next()
		}
	}
	return nodes
}

// replyNodes replies an array of members, with their scores after them
// (RESP2) or in pairs (RESP3) when withScores.
func replyNodes(r *Reply, nodes []*zslNode, withScores bool) {
	if withScores && !r.RESP3 {
		r.Array(2 * len(nodes))
	} else {
		r.Array(len(nodes))
	}
	for _, n := range nodes {
		if withScores && r.RESP3 {
			r.Array(2)
		}
		r.BulkString(n.member)
		if withScores {
			r.Double(n.score)
		}
	}
}

// storeResult stores z at dst and replies its length, or, when z is
// empty, deletes dst and replies 0, as Redis's *STORE commands do.
func (x *ctx) storeResult(dst []byte, z *zset) {
	if z.len() == 0 {
		x.delete(dst)
		x.reply().Int(0)
		return
	}
	x.lookupWrite(dst) // an expired dst is deleted (and DEL logged) first, as setKey does
	x.set(dst, &object{typ: rdb.TypeZSet, v: z})
	x.reply().Int(int64(z.len()))
}

func zcountCommand(x *ctx) {
	r, ok := parseScoreRange(x.arg(2), x.arg(3))
	if !ok {
		x.err(errScoreRange)
		return
	}
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	count := 0
	if z != nil {
		if _, first := z.scoreFirst(&r); first > 0 {
			_, last := z.scoreLast(&r)
			count = last - first + 1
		}
	}
	x.reply().Int(int64(count))
}

func zlexcountCommand(x *ctx) {
	r, ok := parseLexRange(x.arg(2), x.arg(3))
	if !ok {
		x.err(errLexRange)
		return
	}
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	count := 0
	if z != nil {
		n, first := z.lexFirst(&r)
		switch {
		case n == nil:
		case z.lexOrdered():
			_, last := z.lexLast(&r)
			count = last - first + 1
		default:
			for ; n != nil && r.lteMax(n.member); n = n.next() {
				count++
			}
		}
	}
	x.reply().Int(int64(count))
}

// ---- set operations ----

// setOp is a set operation.
type setOp int

const (
	opUnion setOp = iota
	opInter
	opDiff
)

// Aggregates of ZUNION and ZINTER.
const (
	aggSum = iota
	aggMin
	aggMax
)

// zsetSource is an input of a set operation: a zset, a set (whose members
// score 1), or nothing (a missing key).
type zsetSource struct {
	z       *zset
	members [][]byte            // a set's
	index   map[string]struct{} // a set's members, built on the first find
	weight  float64
}

func (s *zsetSource) len() int {
	if s.z != nil {
		return s.z.len()
	}
	return len(s.members)
}

// each calls fn for each member and score until it returns false.
func (s *zsetSource) each(fn func(member string, score float64) bool) {
	if s.z != nil {
		for n := s.z.zsl.first(); n != nil; n = n.next() {
			if !fn(n.member, n.score) {
				return
			}
		}
		return
	}
	for _, m := range s.members {
		if !fn(string(m), 1) {
			return
		}
	}
}

// find returns member's score.
func (s *zsetSource) find(member string) (float64, bool) {
	if s.z != nil {
		if n := s.z.dict[member]; n != nil {
			return n.score, true
		}
		return 0, false
	}
	if s.index == nil {
		s.index = make(map[string]struct{}, len(s.members))
		for _, m := range s.members {
			s.index[string(m)] = struct{}{}
		}
	}
	_, ok := s.index[member]
	return 1, ok
}

// aggregateScore combines val into target as Redis's zunionInterAggregate
// does: a sum that is NaN (inf + -inf) is 0; MIN and MAX keep target
// unless val is strictly beyond it (so NaN never wins).
func aggregateScore(target *float64, val float64, agg int) {
	switch agg {
	case aggSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggMin:
		if val < *target {
			*target = val
		}
	case aggMax:
		if val > *target {
			*target = val
		}
	}
}

// zsetOpCommand is ZUNION, ZINTER, ZDIFF, their STORE forms (dst set),
// and ZINTERCARD (cardOnly), following zunionInterDiffGenericCommand:
// numkeys at argument numkeysIdx, the keys, then options.
func zsetOpCommand(x *ctx, dst []byte, numkeysIdx int, op setOp, cardOnly bool) {
	setnum, ok := x.argInt(numkeysIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		x.err("ERR at least 1 input key is needed for '" + x.cmd.info.Name + "' command")
		return
	}
	if setnum > int64(x.nargs()-numkeysIdx-1) {
		x.err(errSyntax)
		return
	}
	src := make([]zsetSource, setnum)
	j := numkeysIdx + 1
	for i := range src {
		src[i].weight = 1
		o := x.lookup(x.arg(j))
		j++
		if o == nil {
			continue
		}
		switch o.typ {
		case rdb.TypeZSet:
			src[i].z = o.v.(*zset)
		case rdb.TypeSet:
			src[i].members = o.v.(aggregate).export().(rdb.Set)
		default:
			x.err(errWrongType)
			return
		}
	}
	agg, withScores, limit := aggSum, false, int64(0)
	for j < x.nargs() {
		left := x.nargs() - j
		switch {
		case op != opDiff && !cardOnly && left >= len(src)+1 && x.is(j, "weights"):
			j++
			for i := range src {
				w, ok := parseScore(x.arg(j))
				if !ok {
					x.err("ERR weight value is not a float")
					return
				}
				src[i].weight = w
				j++
			}
		case op != opDiff && !cardOnly && left >= 2 && x.is(j, "aggregate"):
			switch {
			case x.is(j+1, "sum"):
				agg = aggSum
			case x.is(j+1, "min"):
				agg = aggMin
			case x.is(j+1, "max"):
				agg = aggMax
			default:
				x.err(errSyntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && x.is(j, "withscores"):
			withScores = true
			j++
		case cardOnly && left >= 2 && x.is(j, "limit"):
			if limit, ok = x.argLong(j+1, 0, math.MaxInt64, "ERR LIMIT can't be negative"); !ok {
				return
			}
			j += 2
		default:
			x.err(errSyntax)
			return
		}
	}
	if op != opDiff {
		// Smallest first; a stable sort, like glibc's qsort (a merge
		// sort), so sums add up in the same order as in Redis.
		slices.SortStableFunc(src, func(a, b zsetSource) int { return a.len() - b.len() })
	}
	res := newZSet(false)
	switch op {
	case opUnion:
		zunion(src, agg, res)
	case opInter:
		card := zinter(src, agg, res, cardOnly, limit)
		if cardOnly {
			x.reply().Int(int64(card))
			return
		}
	case opDiff:
		zdiff(src, res)
	}
	if dst != nil {
		res.maybeListpack(res.maxMemberLen())
		x.storeResult(dst, res)
		return
	}
	nodes := make([]*zslNode, 0, res.len())
	for n := res.zsl.first(); n != nil; n = n.next() {
		nodes = append(nodes, n)
	}
	replyNodes(x.reply(), nodes, withScores)
}

// weighted returns score times weight, 0 for NaN (inf times 0).
func weighted(score, weight float64) float64 {
	s := score * weight
	if math.IsNaN(s) {
		return 0
	}
	return s
}

func zunion(src []zsetSource, agg int, res *zset) {
	acc := make(map[string]float64)
	for i := range src {
		s := &src[i]
		s.each(func(m string, score float64) bool {
			v := weighted(score, s.weight)
			if cur, ok := acc[m]; ok {
				aggregateScore(&cur, v, agg)
				acc[m] = cur
			} else {
				acc[m] = v
			}
			return true
		})
	}
	for m, score := range acc {
		res.insert(m, score)
	}
}

// zinter fills res with the members in every source (or, with cardOnly,
// counts them, stopping at limit when it is not 0) and returns the count.
func zinter(src []zsetSource, agg int, res *zset, cardOnly bool, limit int64) int {
	card := 0
	src[0].each(func(m string, score float64) bool {
		total := weighted(score, src[0].weight)
		for j := 1; j < len(src); j++ {
			v, ok := src[j].find(m)
			if !ok {
				return true
			}
			aggregateScore(&total, v*src[j].weight, agg) // no NaN fix here, as in Redis
		}
		card++
		if cardOnly {
			return limit == 0 || int64(card) < limit
		}
		res.insert(m, total)
		return true
	})
	return card
}

// zdiff fills res with the members of the first source that are in no
// other, with their scores in the first.
func zdiff(src []zsetSource, res *zset) {
	src[0].each(func(m string, score float64) bool {
		for j := 1; j < len(src); j++ {
			if _, ok := src[j].find(m); ok {
				return true
			}
		}
		res.insert(m, score)
		return true
	})
}

// ---- ZSCAN and ZRANDMEMBER ----

// zscanCommand replies every member (that MATCH selects) with cursor 0,
// whatever the cursor: Redis does so for a small sorted set (a
// listpack); for a large one it walks its hash table in an order of its
// own, which a cursor-0 reply of everything also satisfies (SCAN's
// guarantees hold). Scores are written as Redis keeps them: a listpack's
// integers as integers ("100000000000000000", not "1e+17"), others in
// %.17g.
func zscanCommand(x *ctx) {
	if !validCursor(x.arg(2)) {
		x.err("ERR invalid cursor")
		return
	}
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	if z == nil {
		r.Array(2)
		r.BulkString("0")
		r.Array(0)
		return
	}
	a, ok := x.parseScanArgs(3, false)
	if !ok {
		return
	}
	var out [][]byte
	for n := z.zsl.first(); n != nil; n = n.next() {
		if a.match != nil && !matchGlob(a.match, []byte(n.member), false) {
			continue
		}
		out = append(out, []byte(n.member), z.scanScore(n.score))
	}
	r.Array(2)
	r.BulkString("0")
	r.Bulks(out)
}

// validCursor reports whether Redis's parseScanCursorOrReply takes b:
// strtoul in base 10 on the C string (so "", "+5" and "-1" are fine),
// with no leading space and no overflow.
func validCursor(b []byte) bool {
	if len(b) > 0 && isSpace(b[0]) {
		return false
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return true // nothing converted, and nothing left
	}
	if b[0] == '+' || b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return false // ERANGE
		}
		n = n*10 + d
	}
	return true
}

// scanScore formats a score as ZSCAN replies it: a listpack keeps a score
// that is an integer in [-2^62, 2^62] as an integer (Redis's double2ll)
// and writes it so; other scores are "%.17g", "inf" or "-inf".
func (z *zset) scanScore(s float64) []byte {
	if z.listpack && s >= -(1<<62) && s <= 1<<62 && s == math.Trunc(s) {
		return itoa(int64(s))
	}
	return AppendDouble(nil, s)
}

// zrandmemberMaxCount bounds ZRANDMEMBER's count when members may repeat
// (a negative count), which Redis does not bound: a larger count is
// refused ("ERR value is out of range") rather than building a reply of
// that many members.
const zrandmemberMaxCount = 1 << 20

func zrandmemberCommand(x *ctx) {
	if x.nargs() == 2 {
		z, ok := x.lookupZSet(x.arg(1))
		if !ok {
			return
		}
		if z == nil {
			x.reply().Null()
			return
		}
		x.reply().BulkString(z.randomNode().member)
		return
	}
	l, ok := x.argLong(2, -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	withScores := false
	if x.nargs() > 4 || x.nargs() == 4 && !x.is(3, "withscores") {
		x.err(errSyntax)
		return
	}
	if x.nargs() == 4 {
		withScores = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			x.err("ERR value is out of range")
			return
		}
	}
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	if z == nil || l == 0 {
		x.reply().Array(0)
		return
	}
	var nodes []*zslNode
	switch {
	case l < 0 || l == 1:
		// Members may repeat, in random order.
		count := -l
		if l == 1 {
			count = 1
		}
		if count > zrandmemberMaxCount {
			x.err("ERR value is out of range")
			return
		}
		nodes = make([]*zslNode, count)
		for i := range nodes {
			nodes[i] = z.randomNode()
		}
	case l >= int64(z.len()):
		// The whole set, from the highest score down, as Redis's
		// zuiNext walks a sorted set.
		for n := z.zsl.tail; n != nil; n = n.backward {
			nodes = append(nodes, n)
		}
	default:
		// Distinct members: a random sample of l ranks.
		ranks := rand.Perm(z.len())[:l]
		for _, r := range ranks {
			nodes = append(nodes, z.zsl.byRank(r+1))
		}
	}
	replyNodes(x.reply(), nodes, withScores)
}
