package keyspace

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// Sorted sets: the value type and the commands that add, change and pop
// members. Ranges, set operations, ZSCAN and ZRANDMEMBER are in
// zrange.go; the ordered structure is in skiplist.go.

// Redis keeps a small sorted set in a listpack (zset-max-listpack-entries
// 128, zset-max-listpack-value 64) and a larger one in a skiplist. The
// encoding shows in two places, so a zset records which one Redis would
// use: a listpack stores a score that is an integer as an integer, so
// -0 becomes 0; and ZSCAN replies with a listpack's scores as its
// integers, with everything at once (see zscanCommand).
const (
	zsetMaxListpackEntries = 128
	zsetMaxListpackValue   = 64
)

// zset is a sorted set: a map from member to node, and a skiplist of the
// nodes ordered by (score, member bytes).
type zset struct {
	dict     map[string]*zslNode
	zsl      *skiplist
	listpack bool // Redis would hold it as a listpack
}

func newZSet(listpack bool) *zset {
	return &zset{dict: make(map[string]*zslNode), zsl: newSkiplist(), listpack: listpack}
}

// newZSetFrom builds a zset from a loaded value, in the encoding Redis's
// loader would choose (a listpack when small enough).
func newZSetFrom(v rdb.ZSet) *zset {
	z := newZSet(false)
	maxLen := 0
	for _, m := range v {
		if _, dup := z.dict[string(m.Member)]; !dup {
			z.insert(string(m.Member), m.Score)
		}
		maxLen = max(maxLen, len(m.Member))
	}
	z.maybeListpack(maxLen)
	return z
}

// export returns the members in order.
func (z *zset) export() rdb.Value {
	v := make(rdb.ZSet, 0, z.len())
	for n := z.zsl.first(); n != nil; n = n.next() {
		v = append(v, rdb.ZMember{Member: []byte(n.member), Score: n.score})
	}
	return v
}

// view returns the members in order, sharing their bytes (see
// aggregate).
func (z *zset) view() rdb.Value {
	v := make(rdb.ZSet, 0, z.len())
	for n := z.zsl.first(); n != nil; n = n.next() {
		v = append(v, rdb.ZMember{Member: bytesOf(n.member), Score: n.score})
	}
	return v
}

// clone returns a copy sharing no memory that changes (members are
// immutable strings), in O(n).
func (z *zset) clone() aggregate {
	c := &zset{dict: make(map[string]*zslNode, len(z.dict)), listpack: z.listpack}
	c.zsl = z.zsl.clone(func(n *zslNode) { c.dict[n.member] = n })
	return c
}

func (z *zset) len() int { return z.zsl.length }

// score returns member's score; a nil z (a missing key) has none.
func (z *zset) score(member []byte) (float64, bool) {
	if z == nil { // a missing key
		return 0, false
	}
	n := z.dict[string(member)]
	if n == nil {
		return 0, false
	}
	return n.score, true
}

// stored returns the score as the encoding keeps it: a listpack stores
// an integral score as an integer, which turns -0 into 0.
func (z *zset) stored(score float64) float64 {
	if z.listpack && score == 0 {
		return 0
	}
	return score
}

// insert adds member, which must not be in z.
func (z *zset) insert(member string, score float64) {
	z.dict[member] = z.zsl.insert(z.stored(score), member)
}

// setScore changes an existing member's score.
func (z *zset) setScore(n *zslNode, score float64) {
	z.zsl.updateScore(n, z.stored(score))
}

// remove deletes member, reporting whether it was there.
func (z *zset) remove(member []byte) bool {
	n := z.dict[string(member)]
	if n == nil {
		return false
	}
	z.zsl.delete(n.score, n.member)
	delete(z.dict, n.member)
	return true
}

// rank returns member's 0-based rank, counted from the lowest score, or
// from the highest when reverse is set.
func (z *zset) rank(member []byte, reverse bool) (int, bool) {
	n := z.dict[string(member)]
	if n == nil {
		return 0, false
	}
	r := z.zsl.rank(n.score, n.member)
	if reverse {
		return z.len() - r, true
	}
	return r - 1, true
}

// add is Redis's zsetAdd for a new member: a listpack that would grow
// past its limits becomes a skiplist first.
func (z *zset) add(member []byte, score float64) {
	if z.listpack && (z.len()+1 > zsetMaxListpackEntries || len(member) > zsetMaxListpackValue) {
		z.listpack = false
	}
	z.insert(string(member), score)
}

// maybeListpack makes a skiplist small enough a listpack again, as Redis
// does after a set operation stores its result and when it loads a file
// (maxLen is the length of the longest member).
func (z *zset) maybeListpack(maxLen int) {
	if z.listpack || z.len() > zsetMaxListpackEntries || maxLen > zsetMaxListpackValue {
		return
	}
	z.listpack = true
	for n := z.zsl.first(); n != nil; n = n.next() {
		n.score = z.stored(n.score) // in place: -0 and 0 sort the same
	}
}

// maxMemberLen returns the length of the longest member.
func (z *zset) maxMemberLen() int {
	m := 0
	for k := range z.dict {
		m = max(m, len(k))
	}
	return m
}

// pop removes and returns the lowest (or, with last, the highest)
// member.
func (z *zset) pop(last bool) (string, float64) {
	n := z.zsl.first()
	if last {
		n = z.zsl.tail
	}
	z.zsl.delete(n.score, n.member)
	delete(z.dict, n.member)
	return n.member, n.score
}

// deleteFrom removes members from 1-based rank start while more holds.
func (z *zset) deleteFrom(start int, more func(*zslNode) bool) int {
	return z.zsl.deleteFrom(start, more, func(n *zslNode) { delete(z.dict, n.member) })
}

func init() {
	register("zadd", -4, true, 1, 1, 1, func(x *ctx) { zaddCommand(x, false) })
	register("zincrby", 4, true, 1, 1, 1, func(x *ctx) { zaddCommand(x, true) })
	register("zrem", -3, true, 1, 1, 1, zremCommand)
	register("zremrangebyscore", 4, true, 1, 1, 1, func(x *ctx) { zremrangeCommand(x, rangeByScore) })
	register("zremrangebyrank", 4, true, 1, 1, 1, func(x *ctx) { zremrangeCommand(x, rangeByRank) })
	register("zremrangebylex", 4, true, 1, 1, 1, func(x *ctx) { zremrangeCommand(x, rangeByLex) })
	register("zpopmin", -2, true, 1, 1, 1, func(x *ctx) { zpopCommand(x, false) })
	register("zpopmax", -2, true, 1, 1, 1, func(x *ctx) { zpopCommand(x, true) })
	register("bzpopmin", -3, true, 1, -2, 1, func(x *ctx) { bzpopCommand(x, false) })
	register("bzpopmax", -3, true, 1, -2, 1, func(x *ctx) { bzpopCommand(x, true) })
	register("zmpop", -4, true, 0, 0, 0, func(x *ctx) { zmpopCommand(x, false) })
	register("bzmpop", -5, true, 0, 0, 0, func(x *ctx) { zmpopCommand(x, true) })
	register("zscore", 3, false, 1, 1, 1, zscoreCommand)
	register("zmscore", -3, false, 1, 1, 1, zmscoreCommand)
	register("zrank", 3, false, 1, 1, 1, func(x *ctx) { zrankCommand(x, false) })
	register("zrevrank", 3, false, 1, 1, 1, func(x *ctx) { zrankCommand(x, true) })
	register("zcard", 2, false, 1, 1, 1, zcardCommand)
}

// ---- argument parsing ----

// Redis parses doubles with C's strtod (and timeouts with strtold), which
// is not Go's ParseFloat: it stops at the first byte that does not fit
// and says how far it got, takes hexadecimal mantissas without an
// exponent, and reports overflow and underflow (ERANGE) instead of
// failing. cscan reads a number as glibc does; the callers apply each
// Redis function's checks.

// cnumber is a number as read from text.
type cnumber struct {
	n      int  // bytes consumed; 0 when nothing was converted
	neg    bool // a minus sign
	inf    bool // "inf" or "infinity"
	nan    bool // "nan" or "nan(chars)"
	hex    bool // digits are hexadecimal and exp a power of two
	digits []byte
	exp    int64 // the value is the integer digits times 10^exp (or 2^exp)
}

// cscan reads a number at the start of b as glibc's strtod does: leading
// white space, a sign, then "inf", "infinity", "nan", "nan(chars)", a
// hexadecimal number ("0x1.8p3", "0x1A") or a decimal one ("1.5e-3",
// ".5", "5."). Reading stops at the first byte that does not fit; a NUL,
// which ends a C string, always does.
func cscan(b []byte) cnumber {
	var c cnumber
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		c.neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		c.inf, c.n = true, i+8
		return c
	case hasPrefixFold(rest, "inf"):
		c.inf, c.n = true, i+3
		return c
	case hasPrefixFold(rest, "nan"):
		c.nan, c.n = true, i+3
		if j := bytes.IndexByte(rest, ')'); len(rest) > 3 && rest[3] == '(' && j > 3 && isNanChars(rest[4:j]) {
			c.n = i + j + 1
		}
		return c
	}
	if len(rest) >= 2 && rest[0] == '0' && rest[1]|0x20 == 'x' {
		c.hex = true
		if n := c.scanMantissa(rest[2:]); n > 0 {
			c.n = i + 2 + n
			return c
		}
		// "0" followed by an 'x' that belongs to no number.
		return cnumber{n: i + 1, neg: c.neg}
	}
	if n := c.scanMantissa(rest); n > 0 {
		c.n = i + n
	}
	return c
}

// scanMantissa reads digits with at most one point (at least one digit)
// and an optional exponent ('e' and a power of ten, or for hex 'p' and a
// power of two) into c, returning the bytes read (0: no digit).
func (c *cnumber) scanMantissa(b []byte) int {
	isDigit := func(d byte) bool {
		return '0' <= d && d <= '9' || c.hex && 'a' <= d|0x20 && d|0x20 <= 'f'
	}
	i, ndigits, point := 0, 0, false
	for ; i < len(b) && (isDigit(b[i]) || b[i] == '.' && !point); i++ {
		switch {
		case b[i] == '.':
			point = true
			continue
		case len(c.digits) == 0 && b[i] == '0':
			// a leading zero
		case len(c.digits) < 800:
			c.digits = append(c.digits, b[i])
		default:
			// Beyond 800 digits none changes the rounding but
			// in pathological cases; a dropped digit left of
			// the point still scales the value.
			if !point {
				c.exp++
			}
			ndigits++
			continue
		}
		ndigits++
		if point {
			c.exp--
		}
	}
	if ndigits == 0 {
		c.digits, c.exp = nil, 0
		return 0
	}
	scale, marker := int64(1), byte('e')
	if c.hex {
		scale, marker = 4, 'p' // each hex digit is 4 bits
	}
	e, n := int64(0), i
	if i < len(b) && b[i]|0x20 == marker {
		j := i + 1
		eneg := j < len(b) && b[j] == '-'
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && '0' <= b[j] && b[j] <= '9' {
			for ; j < len(b) && '0' <= b[j] && b[j] <= '9'; j++ {
				if e < 1e9 {
					e = e*10 + int64(b[j]-'0')
				}
			}
			if eneg {
				e = -e
			}
			n = j
		}
	}
	// Past this exponent every mantissa of at most 800 digits is out of
	// even long double's range; clamping keeps the conversions cheap.
	c.exp = max(min(c.exp*scale+e, 6000*scale), -6000*scale)
	return n
}

// float64 converts c as strtod does, reporting ERANGE: an overflow (to
// ±Inf) or a nonzero number that rounds to 0.
func (c *cnumber) float64() (v float64, erange bool) {
	switch {
	case c.nan:
		return math.NaN(), false
	case c.inf:
		v = math.Inf(1)
	case len(c.digits) > 0:
		var s []byte
		if c.hex {
			s = append(append([]byte("0x"), c.digits...), 'p')
		} else {
			s = append(append([]byte(nil), c.digits...), 'e')
		}
		s = strconv.AppendInt(s, c.exp, 10)
		var err error
		v, err = strconv.ParseFloat(string(s), 64)
		erange = err != nil || v == 0
	}
	if c.neg {
		v = -v
	}
	return v, erange
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && equalFold(b[:len(prefix)], prefix)
}

func isNanChars(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// timeoutNegative parses a blocking command's timeout in seconds as
// Redis's string2ld does (strtold: a long double, so "1e-400" is fine),
// and reports whether getTimeoutFromObjectOrReply then finds it
// negative: it converts ceil(timeout*1000) to a long long, and on x86-64
// a value out of range (infinity included) becomes the most negative.
func timeoutNegative(b []byte) (neg, ok bool) {
	f, inf, ok := parseLongDouble(b)
	switch {
	case !ok:
		return false, false
	case inf:
		return true, true
	}
	ms := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Mul(f, big.NewFloat(1000))
	maxMs := new(big.Float).SetInt64(math.MaxInt64) // 2^63-1: above it, ceil is 2^63 or more
	return ms.Cmp(big.NewFloat(-1)) <= 0 || ms.Cmp(maxMs) > 0, true
}

// parseScore parses b as Redis's string2d does (ZADD scores, WEIGHTS):
// the whole of b a number, no leading space, not NaN, and not out of
// range (but "inf" is fine).
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	if v, ok := parseSimpleDecimal(b); ok {
		return v, true
	}
	c := cscan(b)
	v, erange := c.float64()
	if c.n != len(b) || math.IsNaN(v) || erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

// parseSimpleDecimal is parseScore's fast path: a plain decimal number
// ("12", "-1.5e3") that is neither 0 nor out of range reads the same with
// ParseFloat as with strtod.
func parseSimpleDecimal(b []byte) (float64, bool) {
	if len(b) > 32 {
		return 0, false
	}
	for _, c := range b {
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || v == 0 {
		return 0, false
	}
	return v, true
}

// argLong parses argument i as a long, replying msg (errNotInt when
// empty) if it is not one or is outside [lo, hi], as Redis's
// getRangeLongFromObjectOrReply does.
func (x *ctx) argLong(i int, lo, hi int64, msg string) (int64, bool) {
	n, ok := parseInt(x.arg(i))
	if ok && (n < lo || n > hi) {
		ok = false
		if msg == "" {
			msg = "ERR value is out of range, value must between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)
		}
	}
	if !ok {
		if msg == "" {
			msg = errNotInt
		}
		x.err(msg)
	}
	return n, ok
}

// ---- writes ----

// ZADD flags.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

// zaddCommand is ZADD and ZINCRBY (incr).
func zaddCommand(x *ctx, incr bool) {
	flags := 0
	if incr {
		flags = zaddIncr
	}
	i := 2
	for ; i < x.nargs(); i++ {
		switch {
		case x.is(i, "nx"):
			flags |= zaddNX
		case x.is(i, "xx"):
			flags |= zaddXX
		case x.is(i, "ch"):
			flags |= zaddCH
		case x.is(i, "incr"):
			flags |= zaddIncr
		case x.is(i, "gt"):
			flags |= zaddGT
		case x.is(i, "lt"):
			flags |= zaddLT
		default:
			goto options
		}
	}
options:
	elements := x.nargs() - i
	if elements == 0 || elements%2 != 0 {
		x.err(errSyntax)
		return
	}
	pairs := elements / 2
	switch {
	case flags&zaddNX != 0 && flags&zaddXX != 0:
		x.err("ERR XX and NX options at the same time are not compatible")
		return
	case flags&zaddNX != 0 && flags&(zaddGT|zaddLT) != 0 || flags&zaddGT != 0 && flags&zaddLT != 0:
		x.err("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	case flags&zaddIncr != 0 && pairs > 1:
		x.err("ERR INCR option supports a single increment-element pair")
		return
	}
	var buf [8]float64
	scores := buf[:0]
	if pairs > len(buf) {
		scores = make([]float64, 0, pairs)
	}
	scores = scores[:pairs]
	for j := range scores {
		f, ok := parseScore(x.arg(i + 2*j))
		if !ok {
			x.err(errNotFloat)
			return
		}
		scores[j] = f
	}
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeZSet)
	if !ok {
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if o != nil || flags&zaddXX == 0 {
		if o == nil {
			o = &object{typ: rdb.TypeZSet, v: newZSet(true)}
			x.set(key, o)
		}
		z := o.v.(*zset)
		for j, s := range scores {
			res, newScore := z.zadd(x.arg(i+2*j+1), s, flags)
			if res == zaddNaN { // only INCR's single pair: nothing changed
				x.err(errNaN)
				return
			}
			switch res {
			case zaddAdded:
				added++
			case zaddUpdated:
				updated++
			}
			if res != zaddNop {
				processed++
			}
			score = newScore
		}
	}
	if added+updated > 0 {
		x.changed()
	}
	switch {
	case flags&zaddIncr == 0 && flags&zaddCH != 0:
		x.reply().Int(int64(added + updated))
	case flags&zaddIncr == 0:
		x.reply().Int(int64(added))
	case processed > 0:
		x.reply().Double(score)
	default:
		x.reply().Null()
	}
}

// zadd results.
const (
	zaddNop     = iota // NX, XX, GT or LT said no
	zaddSame           // there, with that score
	zaddAdded          // new member
	zaddUpdated        // score changed
	zaddNaN            // the increment gave NaN
)

// zadd adds or updates one member as Redis's zsetAdd does, returning
// what happened and the member's new score.
func (z *zset) zadd(member []byte, score float64, flags int) (int, float64) {
	n := z.dict[string(member)]
	if n == nil {
		if flags&zaddXX != 0 {
			return zaddNop, score
		}
		z.add(member, score)
		return zaddAdded, score
	}
	if flags&zaddNX != 0 {
		return zaddNop, score
	}
	cur := n.score
	if flags&zaddIncr != 0 {
		score += cur
		if math.IsNaN(score) {
			return zaddNaN, score
		}
	}
	if flags&zaddLT != 0 && score >= cur || flags&zaddGT != 0 && score <= cur {
		return zaddNop, score
	}
	if score == cur {
		return zaddSame, score
	}
	z.setScore(n, score)
	return zaddUpdated, score
}

// lookupZSetWrite finds key for changing it: nil, true when it is
// missing (having replied empty when given), nil, false after a
// WRONGTYPE.
func (x *ctx) lookupZSetWrite(key []byte) (*zset, bool) {
	o, ok := x.lookupWriteType(key, rdb.TypeZSet)
	if o == nil {
		return nil, ok
	}
	return o.v.(*zset), true
}

// lookupZSet finds key for reading, as lookupZSetWrite.
func (x *ctx) lookupZSet(key []byte) (*zset, bool) {
	o, ok := x.lookupType(key, rdb.TypeZSet)
	if o == nil {
		return nil, ok
	}
	return o.v.(*zset), true
}

// deleteIfEmpty deletes key when its zset z has no member left.
func (x *ctx) deleteIfEmpty(key []byte, z *zset) {
	if z.len() == 0 {
		x.delete(key)
	}
}

func zremCommand(x *ctx) {
	key := x.arg(1)
	z, ok := x.lookupZSetWrite(key)
	if z == nil {
		if ok {
			x.reply().Int(0)
		}
		return
	}
	deleted := 0
	for _, m := range x.c.Args[2:] {
		if z.remove(m) {
			deleted++
			if z.len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		x.changed()
		x.deleteIfEmpty(key, z)
	}
	x.reply().Int(int64(deleted))
}

// zremrangeCommand is ZREMRANGEBYRANK, ZREMRANGEBYSCORE and
// ZREMRANGEBYLEX.
func zremrangeCommand(x *ctx, by rangeType) {
	var start, end int64
	var sr scoreRange
	var lr lexRange
	var ok bool
	switch by {
	case rangeByRank:
		if start, ok = x.argInt(2); !ok {
			return
		}
		if end, ok = x.argInt(3); !ok {
			return
		}
	case rangeByScore:
		if sr, ok = parseScoreRange(x.arg(2), x.arg(3)); !ok {
			x.err(errScoreRange)
			return
		}
	case rangeByLex:
		if lr, ok = parseLexRange(x.arg(2), x.arg(3)); !ok {
			x.err(errLexRange)
			return
		}
	}
	key := x.arg(1)
	z, ok := x.lookupZSetWrite(key)
	if z == nil {
		if ok {
			x.reply().Int(0)
		}
		return
	}
	deleted := 0
	switch by {
	case rangeByRank:
		first, last, ok := rankRange(start, end, z.len())
		if !ok {
			x.reply().Int(0)
			return
		}
		left := last - first + 1
		deleted = z.deleteFrom(first+1, func(*zslNode) bool { left--; return left >= 0 })
	case rangeByScore:
		if _, r := z.scoreFirst(&sr); r > 0 {
			deleted = z.deleteFrom(r, func(n *zslNode) bool { return sr.lteMax(n.score) })
		}
	case rangeByLex:
		if _, r := z.lexFirst(&lr); r > 0 {
			deleted = z.deleteFrom(r, func(n *zslNode) bool { return lr.lteMax(n.member) })
		}
	}
	if deleted > 0 {
		x.changed()
		x.deleteIfEmpty(key, z)
	}
	x.reply().Int(int64(deleted))
}

// rankRange turns Redis's start and end indexes (negative from the end)
// into 0-based ranks within a zset of length n; ok is false for an empty
// range.
func rankRange(start, end int64, n int) (first, last int, ok bool) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if end < 0 {
		end += l
	}
	start = max(start, 0)
	if start > end || start >= l {
		return 0, 0, false
	}
	end = min(end, l-1)
	return int(start), int(end), true
}

// ---- pops ----

// popAndReply pops up to count members of the zset at key (count -1: one
// member, flat reply), deleting the key when it empties, and replies in
// the form the caller asks for (see genericZpopCommand): emitKey puts
// the key first; nested replies [member, score] pairs. It returns the
// number popped.
func (x *ctx) popAndReply(key []byte, z *zset, last bool, count int64, emitKey, nested bool) int {
	n := int(min(max(count, 1), int64(z.len())))
	r := x.reply()
	switch {
	case !nested && !emitKey:
		r.Array(2 * n)
	case nested && !emitKey:
		r.Array(n)
	case !nested && emitKey:
		r.Array(2*n + 1)
		r.Bulk(key)
	default:
		r.Array(2)
		r.Bulk(key)
		r.Array(n)
	}
	for i := 0; i < n; i++ {
		m, s := z.pop(last)
		if nested {
			r.Array(2)
		}
		r.BulkString(m)
		r.Double(s)
	}
	x.changed()
	x.deleteIfEmpty(key, z)
	return n
}

// zpopName returns the command a pop is logged as.
func zpopName(last bool) []byte {
	if last {
		return []byte("ZPOPMAX")
	}
	return []byte("ZPOPMIN")
}

// zpopCommand is ZPOPMIN and ZPOPMAX, logged as called.
func zpopCommand(x *ctx, last bool) {
	if x.nargs() > 3 {
		x.err(errSyntax)
		return
	}
	count := int64(-1)
	if x.nargs() == 3 {
		var ok bool
		if count, ok = x.argLong(2, 0, math.MaxInt64, "ERR value is out of range, must be positive"); !ok {
			return
		}
	}
	key := x.arg(1)
	z, ok := x.lookupZSetWrite(key)
	if !ok {
		return
	}
	if z == nil || count == 0 {
		x.reply().Array(0)
		return
	}
	x.popAndReply(key, z, last, count, false, x.reply().RESP3 && count != -1)
}

// argTimeout checks a blocking command's timeout in seconds as Redis's
// getTimeoutFromObjectOrReply does. The keyspace never blocks, so only
// the checks matter.
func (x *ctx) argTimeout(i int) bool {
	neg, ok := timeoutNegative(x.arg(i))
	switch {
	case !ok:
		x.err("ERR timeout is not a float or out of range")
	case neg:
		x.err("ERR timeout is negative")
	}
	return ok && !neg
}

// bzpopCommand is BZPOPMIN and BZPOPMAX: like ZPOPMIN key when a zset has
// members (the first of the keys that does), and the reply of a timeout
// (a null array) when none has: the keyspace cannot block. It is logged
// as ZPOPMIN key (or ZPOPMAX).
func bzpopCommand(x *ctx, last bool) {
	if !x.argTimeout(x.nargs() - 1) {
		return
	}
	for _, key := range x.c.Args[1 : x.nargs()-1] {
		z, ok := x.lookupZSetWrite(key)
		if !ok {
			return
		}
		if z == nil {
			continue
		}
		x.popAndReply(key, z, last, -1, true, false)
		x.rewrite(zpopName(last), key)
		return
	}
	x.reply().NullArray()
}

// zmpopCommand is ZMPOP and BZMPOP (block): it pops from the first of the
// keys that holds a zset, and is logged as ZPOPMIN key count (or
// ZPOPMAX), count being the number popped. BZMPOP does not block: with
// no zset it replies as on a timeout.
func zmpopCommand(x *ctx, block bool) {
	numkeysIdx := 1
	if block {
		numkeysIdx = 2
	}
	numkeys, ok := x.argLong(numkeysIdx, 1, math.MaxInt64, "ERR numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys >= int64(x.nargs()-numkeysIdx-1) {
		x.err(errSyntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	var last bool
	switch {
	case x.is(whereIdx, "min"):
	case x.is(whereIdx, "max"):
		last = true
	default:
		x.err(errSyntax)
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < x.nargs(); j++ {
		if count == -1 && x.is(j, "count") && j+1 < x.nargs() {
			j++
			if count, ok = x.argLong(j, 1, math.MaxInt64, "ERR count should be greater than 0"); !ok {
				return
			}
		} else {
			x.err(errSyntax)
			return
		}
	}
	if count == -1 {
		count = 1
	}
	if block && !x.argTimeout(1) {
		return
	}
	for _, key := range x.c.Args[numkeysIdx+1 : whereIdx] {
		z, ok := x.lookupZSetWrite(key)
		if !ok {
			return
		}
		if z == nil {
			continue
		}
		n := x.popAndReply(key, z, last, count, true, true)
		x.rewrite(zpopName(last), key, itoa(int64(n)))
		return
	}
	x.reply().NullArray()
}

// ---- reads ----

func zscoreCommand(x *ctx) {
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	if z == nil {
		x.reply().Null()
		return
	}
	if s, ok := z.score(x.arg(2)); ok {
		x.reply().Double(s)
	} else {
		x.reply().Null()
	}
}

func zmscoreCommand(x *ctx) {
	x.replyScores(func(r *Reply, score float64, found bool) {
		if found {
			r.Double(score)
		} else {
			r.Null()
		}
	})
}

// replyScores replies an array with an element per member in
// x.c.Args[2:] of the sorted set at x.arg(1) (a missing key holds
// none): each replied by one, given the member's score if it has one.
// ZMSCORE, GEOPOS and GEOHASH reply so.
func (x *ctx) replyScores(one func(r *Reply, score float64, found bool)) {
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	r.Array(x.nargs() - 2)
	for _, m := range x.c.Args[2:] {
		score, found := z.score(m)
		one(r, score, found)
	}
}

func zrankCommand(x *ctx, reverse bool) {
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	if z == nil {
		x.reply().Null()
		return
	}
	if r, ok := z.rank(x.arg(2), reverse); ok {
		x.reply().Int(int64(r))
	} else {
		x.reply().Null()
	}
}

func zcardCommand(x *ctx) {
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	if z == nil {
		x.reply().Int(0)
		return
	}
	x.reply().Int(int64(z.len()))
}

// randomNode returns a member chosen uniformly.
func (z *zset) randomNode() *zslNode {
	return z.zsl.byRank(1 + rand.IntN(z.len()))
}
