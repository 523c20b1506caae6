package keyspace

import (
	"bytes"
	"math"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// String commands, as Redis 7.0's t_string.c implements them.
//
// A string value is held in object.str, owned by the object: commands
// that change it in place (APPEND, SETRANGE, INCR, SET of an existing
// string) reuse its buffer. Redis's integer encoding is invisible in
// replies (it only holds canonical decimals), so every string is kept
// as bytes.

func init() {
	register("set", -3, true, 1, 1, 1, setCommand)
	register("setnx", 3, true, 1, 1, 1, setnxCommand)
	register("setex", 4, true, 1, 1, 1, func(x *ctx) { setexCommand(x, 1000) })
	register("psetex", 4, true, 1, 1, 1, func(x *ctx) { setexCommand(x, 1) })
	register("mset", -3, true, 1, -1, 2, func(x *ctx) { msetCommand(x, false) })
	register("msetnx", -3, true, 1, -1, 2, func(x *ctx) { msetCommand(x, true) })
	register("get", 2, false, 1, 1, 1, getCommand)
	register("mget", -2, false, 1, -1, 1, mgetCommand)
	register("getset", 3, true, 1, 1, 1, getsetCommand)
	register("getdel", 2, true, 1, 1, 1, getdelCommand)
	register("getex", -2, true, 1, 1, 1, getexCommand)
	register("strlen", 2, false, 1, 1, 1, strlenCommand)
	register("append", 3, true, 1, 1, 1, appendCommand)
	register("setrange", 4, true, 1, 1, 1, setrangeCommand)
	register("getrange", 4, false, 1, 1, 1, getrangeCommand)
	register("substr", 4, false, 1, 1, 1, getrangeCommand)
	register("incr", 2, true, 1, 1, 1, func(x *ctx) { incrCommand(x, 1) })
	register("decr", 2, true, 1, 1, 1, func(x *ctx) { incrCommand(x, -1) })
	register("incrby", 3, true, 1, 1, 1, incrbyCommand)
	register("decrby", 3, true, 1, 1, 1, decrbyCommand)
	register("incrbyfloat", 3, true, 1, 1, 1, incrbyfloatCommand)
	register("lcs", -3, false, 1, 2, 1, lcsCommand)
}

// maxStringSize is Redis's proto-max-bulk-len default (512 MB), the
// largest string SETRANGE, APPEND, SETBIT and BITFIELD may make.
const maxStringSize = 512 << 20

const errStringSize = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

// Words of rewritten records.
const (
	wordSET       = "SET"
	wordPXAT      = "PXAT"
	wordDEL       = "DEL"
	wordPEXPIREAT = "PEXPIREAT"
	wordPERSIST   = "PERSIST"
	wordKEEPTTL   = "KEEPTTL"
)

// cword returns b up to its first NUL byte: Redis compares option words
// as C strings, so "nx\x00junk" is NX.
func cword(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// copyInto returns src copied into dst's buffer when it fits without
// wasting much of it, or into a new one.
func copyInto(dst, src []byte) []byte {
	if len(src) <= cap(dst) && cap(dst) <= 2*len(src)+64 {
		return append(dst[:0], src...)
	}
	return bytes.Clone(nonNil(src))
}

// setString makes key hold a copy of val, as Redis's setKey does: the
// expiry becomes exp (0: none), or stays as it was when keepTTL is set.
// o is the key's current object, found with lookupWrite (nil only when
// the key is absent: a new key is added without a second lookup);
// a string object is reused.
func (x *ctx) setString(key, val []byte, o *object, keepTTL bool, exp int64) {
	if o != nil && o.typ == rdb.TypeString {
		o.str = copyInto(o.str, val)
		if !keepTTL && o.exp != exp {
			x.setExpire(key, o, exp)
		}
		x.changed()
		return
	}
	if o == nil && len(val) <= packedMax {
		// A new key: key and value in one allocation (see packString),
		// and no second lookup.
		k, n := packString(key, val)
		n.exp = exp
		x.addNew(x.c.DB, k, n)
		return
	}
	x.setObject(key, newString(val), o, keepTTL, exp)
}

// setOwned is setString for a value the keyspace already owns: val is
// stored as it is, in a new object.
func (x *ctx) setOwned(key, val []byte, o *object, keepTTL bool, exp int64) {
	x.setObject(key, &object{typ: rdb.TypeString, str: val}, o, keepTTL, exp)
}

// setObject stores the new object n under key, replacing o (nil if
// none), with expiry exp or, when keepTTL is set, o's.
func (x *ctx) setObject(key []byte, n, o *object, keepTTL bool, exp int64) {
	n.exp = exp
	if keepTTL && o != nil {
		n.exp = o.exp
	}
	x.set(key, n)
}

// ---- SET and its variants ----

// Flags of SET's and GETEX's options (OBJ_SET_NX ... in t_string.c).
const (
	setNX = 1 << iota
	setXX
	setEX
	setPX
	setKeepTTL
	setGet
	setEXAT
	setPXAT
	setPersist
)

const setExpireFlags = setEX | setPX | setEXAT | setPXAT

// parseStringOptions parses SET's options (forSet) or GETEX's from
// argument i on, as parseExtendedStringArgumentsOrReply does: it returns
// the flags and the index of the expire argument (0 when none). An
// option that is repeated is allowed; one that conflicts is a syntax
// error.
func parseStringOptions(x *ctx, i int, forSet bool) (flags, expIdx int, ok bool) {
	for ; i < x.nargs(); i++ {
		hasNext := i+1 < x.nargs()
		opt := cword(x.arg(i))
		var f int
		switch {
		case forSet && equalFold(opt, "nx") && flags&setXX == 0:
			f = setNX
		case forSet && equalFold(opt, "xx") && flags&setNX == 0:
			f = setXX
		case forSet && equalFold(opt, "get"):
			f = setGet
		case forSet && equalFold(opt, "keepttl") && flags&(setPersist|setExpireFlags) == 0:
			f = setKeepTTL
		case !forSet && equalFold(opt, "persist") && flags&(setKeepTTL|setExpireFlags) == 0:
			f = setPersist
		case equalFold(opt, "ex") && hasNext && flags&(setKeepTTL|setPersist|setExpireFlags&^setEX) == 0:
			f = setEX
		case equalFold(opt, "px") && hasNext && flags&(setKeepTTL|setPersist|setExpireFlags&^setPX) == 0:
			f = setPX
		case equalFold(opt, "exat") && hasNext && flags&(setKeepTTL|setPersist|setExpireFlags&^setEXAT) == 0:
			f = setEXAT
		case equalFold(opt, "pxat") && hasNext && flags&(setKeepTTL|setPersist|setExpireFlags&^setPXAT) == 0:
			f = setPXAT
		default:
			x.err(errSyntax)
			return 0, 0, false
		}
		flags |= f
		if f&setExpireFlags != 0 {
			i++
			expIdx = i
		}
	}
	return flags, expIdx, true
}

// expireAt parses argument i, an expire time given with the option in
// flags (seconds for EX and EXAT, relative for EX and PX), into an
// absolute unix time in ms, replying "invalid expire time" when it is
// not positive or overflows, as getExpireMillisecondsOrReply does.
func (x *ctx) expireAt(i, flags int) (int64, bool) {
	ms, ok := x.argInt(i)
	if !ok {
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || seconds && ms > math.MaxInt64/1000 {
		x.errExpireTime()
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += x.now() // wraps on overflow, as in C, and is refused below
	}
	if ms <= 0 {
		x.errExpireTime()
		return 0, false
	}
	return ms, true
}

func setCommand(x *ctx) {
	flags, expIdx := 0, 0
	if x.nargs() > 3 {
		var ok bool
		if flags, expIdx, ok = parseStringOptions(x, 3, true); !ok {
			return
		}
	}
	setGeneric(x, flags, x.arg(1), x.arg(2), expIdx, false)
}

func setnxCommand(x *ctx) { setGeneric(x, setNX, x.arg(1), x.arg(2), 0, true) }

// setexCommand is SETEX (unit 1000) and PSETEX (unit 1).
func setexCommand(x *ctx, unit int64) {
	flags := setPX
	if unit == 1000 {
		flags = setEX
	}
	setGeneric(x, flags, x.arg(1), x.arg(3), 2, false)
}

// setGeneric is setGenericCommand: SET, SETNX, SETEX and PSETEX. expIdx
// is the index of the expire argument (0: none); intReply makes SETNX's
// 1 and 0 the replies instead of OK and null.
func setGeneric(x *ctx, flags int, key, val []byte, expIdx int, intReply bool) {
	var at int64
	if expIdx != 0 {
		var ok bool
		if at, ok = x.expireAt(expIdx, flags); !ok {
			return
		}
	}
	o := x.lookupWrite(key)
	if flags&setGet != 0 {
		if o != nil && o.typ != rdb.TypeString {
			x.err(errWrongType)
			return
		}
		if o == nil {
			x.reply().Null()
		} else {
			x.reply().Bulk(o.str)
		}
	}
	if flags&setNX != 0 && o != nil || flags&setXX != 0 && o == nil {
		switch {
		case flags&setGet != 0:
		case intReply:
			x.reply().Int(0)
		default:
			x.reply().Null()
		}
		return
	}
	x.setString(key, val, o, flags&setKeepTTL != 0, at)
	switch {
	case flags&setGet != 0:
	case intReply:
		x.reply().Int(1)
	default:
		x.reply().OK()
	}
	switch {
	case expIdx != 0:
		x.rewrite([]byte(wordSET), key, val, []byte(wordPXAT), itoa(at))
	case flags&setGet != 0:
		// Logged without its GET words.
		args := make([][]byte, 0, x.nargs()-1)
		for i, a := range x.c.Args {
			if i < 3 || !equalFold(cword(a), "get") {
				args = append(args, a)
			}
		}
		x.rewrite(args...)
	}
}

func msetCommand(x *ctx, nx bool) {
	if x.nargs()%2 == 0 {
		x.err("ERR wrong number of arguments for '" + x.cmd.info.Name + "' command")
		return
	}
	if nx {
		for i := 1; i < x.nargs(); i += 2 {
			if x.lookupWrite(x.arg(i)) != nil {
				x.reply().Int(0)
				return
			}
		}
	}
	for i := 1; i < x.nargs(); i += 2 {
		key := x.arg(i)
		x.setString(key, x.arg(i+1), x.lookupWrite(key), false, 0)
	}
	if nx {
		x.reply().Int(1)
	} else {
		x.reply().OK()
	}
}

// ---- GET and its variants ----

// getString looks key up for reading and replies with its value or null;
// it returns the object (nil when missing) and false after a WRONGTYPE
// error, as getGenericCommand does.
func (x *ctx) getString(key []byte) (*object, bool) {
	o, ok := x.lookupType(key, rdb.TypeString)
	if !ok {
		return nil, false
	}
	if o == nil {
		x.reply().Null()
	} else {
		x.reply().Bulk(o.str)
	}
	return o, true
}

func getCommand(x *ctx) { x.getString(x.arg(1)) }

func mgetCommand(x *ctx) {
	x.reply().Array(x.nargs() - 1)
	for _, k := range x.c.Args[1:] {
		if o := x.lookup(k); o == nil || o.typ != rdb.TypeString {
			x.reply().Null()
		} else {
			x.reply().Bulk(o.str)
		}
	}
}

func getsetCommand(x *ctx) {
	key := x.arg(1)
	if _, ok := x.getString(key); !ok {
		return
	}
	x.setString(key, x.arg(2), x.lookupWrite(key), false, 0)
	x.rewrite([]byte(wordSET), key, x.arg(2))
}

func getdelCommand(x *ctx) {
	key := x.arg(1)
	o, ok := x.getString(key)
	if !ok || o == nil {
		return
	}
	x.delete(key)
	x.rewrite([]byte(wordDEL), key)
}

func getexCommand(x *ctx) {
	flags, expIdx, ok := parseStringOptions(x, 2, false)
	if !ok {
		return
	}
	key := x.arg(1)
	o, ok := x.lookupType(key, rdb.TypeString)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Null()
		return
	}
	var at int64
	if expIdx != 0 {
		if at, ok = x.expireAt(expIdx, flags); !ok {
			return
		}
	}
	x.reply().Bulk(o.str)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && x.alreadyExpired(at):
		x.lookupWrite(key)
		x.delete(key)
		x.rewrite([]byte(wordDEL), key)
	case expIdx != 0:
		x.setExpire(key, x.lookupWrite(key), at)
		x.rewrite([]byte(wordPEXPIREAT), key, itoa(at))
	case flags&setPersist != 0 && o.exp != 0:
		x.setExpire(key, x.lookupWrite(key), 0)
		x.rewrite([]byte(wordPERSIST), key)
	}
}

func strlenCommand(x *ctx) {
	o, ok := x.lookupType(x.arg(1), rdb.TypeString)
	if !ok {
		return
	}
	n := 0
	if o != nil {
		n = len(o.str)
	}
	x.reply().Int(int64(n))
}

// ---- APPEND, SETRANGE, GETRANGE ----

// checkStringLength replies errStringSize when a string of size bytes
// grown by add bytes would pass the maximum.
func (x *ctx) checkStringLength(size, add int64) bool {
	if add > maxStringSize || size > maxStringSize-add {
		x.err(errStringSize)
		return false
	}
	return true
}

func appendCommand(x *ctx) {
	key, val := x.arg(1), x.arg(2)
	o, ok := x.lookupWriteType(key, rdb.TypeString)
	if !ok {
		return
	}
	if o == nil {
		x.setString(key, val, nil, false, 0)
		x.reply().Int(int64(len(val)))
		return
	}
	if !x.checkStringLength(int64(len(o.str)), int64(len(val))) {
		return
	}
	o.str = append(o.str, val...)
	x.changed()
	x.reply().Int(int64(len(o.str)))
}

// growZero returns b extended with zero bytes to length n when shorter
// (sdsgrowzero).
func growZero(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

func setrangeCommand(x *ctx) {
	offset, ok := x.argInt(2)
	if !ok {
		return
	}
	if offset < 0 {
		x.err("ERR offset is out of range")
		return
	}
	key, val := x.arg(1), x.arg(3)
	o, ok := x.lookupWriteType(key, rdb.TypeString)
	if !ok {
		return
	}
	if len(val) == 0 {
		n := 0
		if o != nil {
			n = len(o.str)
		}
		x.reply().Int(int64(n))
		return
	}
	if !x.checkStringLength(offset, int64(len(val))) {
		return
	}
	end := int(offset) + len(val)
	if o == nil {
		b := make([]byte, end)
		copy(b[offset:], val)
		x.setOwned(key, b, nil, false, 0)
		x.reply().Int(int64(end))
		return
	}
	o.str = growZero(o.str, end)
	copy(o.str[offset:], val)
	x.changed()
	x.reply().Int(int64(len(o.str)))
}

func getrangeCommand(x *ctx) {
	start, ok := x.argInt(2)
	if !ok {
		return
	}
	end, ok := x.argInt(3)
	if !ok {
		return
	}
	o, ok := x.lookupType(x.arg(1), rdb.TypeString)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Bulk(nil)
		return
	}
	s := o.str
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		x.reply().Bulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		x.reply().Bulk(nil)
		return
	}
	x.reply().Bulk(s[start : end+1])
}

// ---- counters ----

func incrCommand(x *ctx, by int64) {
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeString)
	if !ok {
		return
	}
	var v int64
	if o != nil {
		if v, ok = parseInt(o.str); !ok {
			x.err(errNotInt)
			return
		}
	}
	if by < 0 && v < 0 && by < math.MinInt64-v || by > 0 && v > 0 && by > math.MaxInt64-v {
		x.err(errOverflow)
		return
	}
	v += by
	var buf [20]byte
	num := strconv.AppendInt(buf[:0], v, 10)
	if o != nil {
		o.str = copyInto(o.str, num)
		x.changed()
	} else {
		x.setString(key, num, nil, false, 0)
	}
	x.reply().Int(v)
}

func incrbyCommand(x *ctx) {
	by, ok := x.argInt(2)
	if !ok {
		return
	}
	incrCommand(x, by)
}

func decrbyCommand(x *ctx) {
	by, ok := x.argInt(2)
	if !ok {
		return
	}
	if by == math.MinInt64 {
		x.err("ERR decrement would overflow")
		return
	}
	incrCommand(x, -by)
}

func incrbyfloatCommand(x *ctx) {
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeString)
	if !ok {
		return
	}
	cur := []byte("0")
	if o != nil {
		cur = o.str
	}
	v, msg := incrLongDouble(cur, x.arg(2))
	if msg != "" {
		x.err(msg)
		return
	}
	x.setOwned(key, v, o, true, 0)
	x.reply().Bulk(v)
	x.rewrite([]byte(wordSET), key, bytes.Clone(v), []byte(wordKEEPTTL))
}

// ---- LCS ----

// lcsCommand is LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]:
// the longest common subsequence of two strings by dynamic programming,
// with Redis's bound on the table's memory.
func lcsCommand(x *ctx) {
	oa, ob := x.lookup(x.arg(1)), x.lookup(x.arg(2))
	if oa != nil && oa.typ != rdb.TypeString || ob != nil && ob.typ != rdb.TypeString {
		x.err("ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if oa != nil {
		a = oa.str
	}
	if ob != nil {
		b = ob.str
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < x.nargs(); i++ {
		switch opt := cword(x.arg(i)); {
		case equalFold(opt, "idx"):
			getIdx = true
		case equalFold(opt, "len"):
			getLen = true
		case equalFold(opt, "withmatchlen"):
			withLen = true
		case equalFold(opt, "minmatchlen") && i+1 < x.nargs():
			n, ok := x.argInt(i + 1)
			if !ok {
				return
			}
			minLen = max(n, 0)
			i++
		default:
			x.err(errSyntax)
			return
		}
	}
	if getLen && getIdx {
		x.err("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	cells := (uint64(len(a)) + 1) * (uint64(len(b)) + 1)
	if cells*4 > maxStringSize {
		x.err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	// t[i*(len(b)+1)+j] is the LCS length of a[:i] and b[:j].
	w := len(b) + 1
	t := make([]uint32, cells)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				t[i*w+j] = t[(i-1)*w+j-1] + 1
			} else {
				t[i*w+j] = max(t[(i-1)*w+j], t[i*w+j-1])
			}
		}
	}
	total := t[len(a)*w+len(b)]
	if getLen {
		x.reply().Int(int64(total))
		return
	}
	// Walk back from the end, collecting the string and the ranges of
	// matches (from the last to the first), as Redis does.
	type match struct{ a0, a1, b0, b1 int }
	res := make([]byte, total)
	var matches []match
	idx := int(total)
	cur, open := match{}, false
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			res[idx-1] = a[i-1]
			switch {
			case !open:
				cur, open = match{i - 1, i - 1, j - 1, j - 1}, true
			case cur.a0 == i && cur.b0 == j:
				cur.a0--
				cur.b0--
			default:
				emit = true
			}
			if cur.a0 == 0 || cur.b0 == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if t[(i-1)*w+j] > t[i*w+j-1] {
				i--
			} else {
				j--
			}
			if open {
				emit = true
			}
		}
		if emit {
			if n := cur.a1 - cur.a0 + 1; minLen == 0 || int64(n) >= minLen {
				matches = append(matches, cur)
			}
			open = false
		}
	}
	if !getIdx {
		x.reply().Bulk(res)
		return
	}
	r := x.reply()
	r.Map(2)
	r.BulkString("matches")
	r.Array(len(matches))
	for _, m := range matches {
		if withLen {
			r.Array(3)
		} else {
			r.Array(2)
		}
		r.Array(2)
		r.Int(int64(m.a0))
		r.Int(int64(m.a1))
		r.Array(2)
		r.Int(int64(m.b0))
		r.Int(int64(m.b1))
		if withLen {
			r.Int(int64(m.a1 - m.a0 + 1))
		}
	}
	r.BulkString("len")
	r.Int(int64(total))
}
