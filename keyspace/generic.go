package keyspace

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Commands on keys and databases, and the connection commands a keyspace
// can answer (PING, ECHO, SELECT, INFO).

func init() {
	register("del", -2, true, 1, -1, 1, delCommand)
	register("unlink", -2, true, 1, -1, 1, delCommand)
	register("exists", -2, false, 1, -1, 1, existsCommand)
	register("touch", -2, false, 1, -1, 1, existsCommand)
	register("type", 2, false, 1, 1, 1, typeCommand)
	register("ttl", 2, false, 1, 1, 1, func(x *ctx) { ttlCommand(x, false, false) })
	register("pttl", 2, false, 1, 1, 1, func(x *ctx) { ttlCommand(x, true, false) })
	register("expiretime", 2, false, 1, 1, 1, func(x *ctx) { ttlCommand(x, false, true) })
	register("pexpiretime", 2, false, 1, 1, 1, func(x *ctx) { ttlCommand(x, true, true) })
	register("expire", -3, true, 1, 1, 1, func(x *ctx) { expireCommand(x, x.now(), 1000) })
	register("pexpire", -3, true, 1, 1, 1, func(x *ctx) { expireCommand(x, x.now(), 1) })
	register("expireat", -3, true, 1, 1, 1, func(x *ctx) { expireCommand(x, 0, 1000) })
	register("pexpireat", -3, true, 1, 1, 1, func(x *ctx) { expireCommand(x, 0, 1) })
	register("persist", 2, true, 1, 1, 1, persistCommand)
	register("rename", 3, true, 1, 2, 1, func(x *ctx) { renameCommand(x, false) })
	register("renamenx", 3, true, 1, 2, 1, func(x *ctx) { renameCommand(x, true) })
	register("copy", -3, true, 1, 2, 1, copyCommand)
	register("move", 3, true, 1, 1, 1, moveCommand)
	register("swapdb", 3, true, 0, 0, 0, swapdbCommand)
	register("flushdb", -1, true, 0, 0, 0, flushdbCommand)
	register("flushall", -1, true, 0, 0, 0, flushallCommand)
	register("select", 2, false, 0, 0, 0, selectCommand)
	register("keys", 2, false, 0, 0, 0, keysCommand)
	register("scan", -2, false, 0, 0, 0, scanCommand)
	register("dbsize", 1, false, 0, 0, 0, func(x *ctx) { x.reply().Int(int64(x.db.keys)) })
	register("randomkey", 1, false, 0, 0, 0, randomkeyCommand)
	register("ping", -1, false, 0, 0, 0, pingCommand)
	register("echo", 2, false, 0, 0, 0, func(x *ctx) { x.reply().Bulk(x.arg(1)) })
	register("info", -1, false, 0, 0, 0, infoCommand)
}

func delCommand(x *ctx) {
	n := 0
	for _, k := range x.c.Args[1:] {
		if x.lookup(k) != nil && x.delete(k) {
			n++
		}
	}
	x.reply().Int(int64(n))
}

func existsCommand(x *ctx) {
	n := 0
	for _, k := range x.c.Args[1:] {
		if x.lookup(k) != nil {
			n++
		}
	}
	x.reply().Int(int64(n))
}

func typeCommand(x *ctx) {
	o := x.lookup(x.arg(1))
	if o == nil {
		x.reply().Simple("none")
		return
	}
	x.reply().Simple(o.typ.String())
}

func ttlCommand(x *ctx, ms, abs bool) {
	o := x.lookup(x.arg(1))
	if o == nil {
		x.reply().Int(-2)
		return
	}
	if o.exp == 0 {
		x.reply().Int(-1)
		return
	}
	t := o.exp
	if !abs {
		t -= x.now()
	}
	t = max(t, 0)
	if !ms {
		t = t/1000 + (t%1000+500)/1000 // (t+500)/1000 without overflow
	}
	x.reply().Int(t)
}

// Expire condition flags.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireFlags parses the NX/XX/GT/LT options from argument i on, as
// parseExtendedExpireArgumentsOrReply does.
func parseExpireFlags(x *ctx, i int) (int, bool) {
	flags := 0
	for ; i < x.nargs(); i++ {
		switch {
		case x.is(i, "nx"):
			flags |= expireNX
		case x.is(i, "xx"):
			flags |= expireXX
		case x.is(i, "gt"):
			flags |= expireGT
		case x.is(i, "lt"):
			flags |= expireLT
		default:
			x.err("ERR Unsupported option " + string(x.arg(i)))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		x.err("ERR NX and XX, GT or LT options at the same time are not compatible")
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		x.err("ERR GT and LT options at the same time are not compatible")
		return 0, false
	}
	return flags, true
}

// alreadyExpired reports whether an expiry time set now deletes the key
// at once: at or before now, unless replaying a log.
func (x *ctx) alreadyExpired(at int64) bool {
	return !x.c.Loading && at <= x.now()
}

func (x *ctx) errExpireTime() {
	x.err("ERR invalid expire time in '" + x.cmd.info.Name + "' command")
}

// expireCommand is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: base is the
// time added (now or 0), unit the multiplier to milliseconds.
func expireCommand(x *ctx, base, unit int64) {
	flags, ok := parseExpireFlags(x, 3)
	if !ok {
		return
	}
	when, ok := x.argInt(2)
	if !ok {
		return
	}
	if unit == 1000 {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			x.errExpireTime()
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		x.errExpireTime()
		return
	}
	when += base
	key := x.arg(1)
	o := x.lookupWrite(key)
	if o == nil {
		x.reply().Int(0)
		return
	}
	if !expireAllowed(flags, o.exp, when) {
		x.reply().Int(0)
		return
	}
	if x.alreadyExpired(when) {
		x.delete(key)
		x.rewrite([]byte("DEL"), key)
		x.reply().Int(1)
		return
	}
	x.setExpire(key, o, when)
	if x.is(0, "pexpireat") {
		// Logged as called.
	} else {
		args := slices.Clone(x.c.Args)
		args[0] = []byte("PEXPIREAT")
		args[2] = itoa(when)
		x.rewritten = args
	}
	x.reply().Int(1)
}

// expireAllowed applies the NX/XX/GT/LT conditions to a key whose expiry
// is cur (0 for none); no expiry counts as infinite.
func expireAllowed(flags int, cur, when int64) bool {
	switch {
	case flags&expireNX != 0 && cur != 0:
		return false
	case flags&expireXX != 0 && cur == 0:
		return false
	case flags&expireGT != 0 && (cur == 0 || when <= cur):
		return false
	case flags&expireLT != 0 && cur != 0 && when >= cur:
		return false
	}
	return true
}

func persistCommand(x *ctx) {
	key := x.arg(1)
	o := x.lookupWrite(key)
	if o == nil || o.exp == 0 {
		x.reply().Int(0)
		return
	}
	x.setExpire(key, o, 0)
	x.reply().Int(1)
}

func renameCommand(x *ctx, nx bool) {
	src, dst := x.arg(1), x.arg(2)
	o := x.lookupWrite(src)
	if o == nil {
		x.err(errNoKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			x.reply().Int(0)
		} else {
			x.reply().OK()
		}
		return
	}
	if x.lookup(dst) != nil {
		if nx {
			x.reply().Int(0)
			return
		}
		x.delete(dst)
	}
	x.delete(src)
	x.set(dst, o)
	if nx {
		x.reply().Int(1)
	} else {
		x.reply().OK()
	}
}

// argDB parses argument i as a database index, replying as Redis does
// when it is not an integer (errNotInt, or msg when given) or out of
// range.
func (x *ctx) argDB(i int, msg string) (int, bool) {
	n, ok := parseInt(x.arg(i))
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		if msg == "" {
			msg = errNotInt
		}
		x.err(msg)
		return 0, false
	}
	if n < 0 || n >= int64(len(x.m.dbs)) {
		x.err(errDBIndex)
		return 0, false
	}
	return int(n), true
}

func copyCommand(x *ctx) {
	dstDB, replace := x.c.DB, false
	for i := 3; i < x.nargs(); i++ {
		switch {
		case x.is(i, "replace"):
			replace = true
		case x.is(i, "db") && i+1 < x.nargs():
			n, ok := x.argDB(i+1, "")
			if !ok {
				return
			}
			dstDB = n
			i++
		default:
			x.err(errSyntax)
			return
		}
	}
	src, dst := x.arg(1), x.arg(2)
	if dstDB == x.c.DB && bytes.Equal(src, dst) {
		x.err("ERR source and destination objects are the same")
		return
	}
	o := x.lookup(src)
	if o == nil {
		x.reply().Int(0)
		return
	}
	if x.lookupIn(dstDB, dst) != nil {
		if !replace {
			x.reply().Int(0)
			return
		}
		x.deleteIn(dstDB, dst)
	}
	x.setIn(dstDB, dst, o.clone())
	x.reply().Int(1)
}

func moveCommand(x *ctx) {
	dstDB, ok := x.argDB(2, "")
	if !ok {
		return
	}
	if dstDB == x.c.DB {
		x.err("ERR source and destination objects are the same")
		return
	}
	key := x.arg(1)
	o := x.lookupWrite(key)
	if o == nil {
		x.reply().Int(0)
		return
	}
	if x.lookupIn(dstDB, key) != nil {
		x.reply().Int(0)
		return
	}
	x.delete(key)
	x.setIn(dstDB, key, o)
	x.reply().Int(1)
}

func swapdbCommand(x *ctx) {
	a, ok := x.argDB(1, "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := x.argDB(2, "ERR invalid second DB index")
	if !ok {
		return
	}
	if a != b {
		x.m.dbs[a], x.m.dbs[b] = x.m.dbs[b], x.m.dbs[a]
		x.db = x.m.dbs[x.c.DB]
	}
	x.dirty = true
	x.reply().OK()
}

// flushArgs checks FLUSHDB/FLUSHALL's optional ASYNC or SYNC.
func flushArgs(x *ctx) bool {
	if x.nargs() > 2 || x.nargs() == 2 && !x.is(1, "async") && !x.is(1, "sync") {
		x.err(errSyntax)
		return false
	}
	return true
}

// flush empties database dbi: a new db replaces it, and open snapshots
// keep the old one, which nothing changes any more.
func (x *ctx) flush(dbi int) {
	x.m.dbs[dbi] = &db{}
	if dbi == x.c.DB {
		x.db = x.m.dbs[dbi]
	}
}

func flushdbCommand(x *ctx) {
	if !flushArgs(x) {
		return
	}
	x.flush(x.c.DB)
	x.dirty = true
	x.reply().OK()
}

func flushallCommand(x *ctx) {
	if !flushArgs(x) {
		return
	}
	for i := range x.m.dbs {
		x.flush(i)
	}
	x.dirty = true
	x.reply().OK()
}

func selectCommand(x *ctx) {
	n, ok := x.argDB(1, "")
	if !ok {
		return
	}
	x.c.DB = n
	x.db = x.m.dbs[n]
	x.reply().OK()
}

func keysCommand(x *ctx) {
	pat := x.arg(1)
	all := len(pat) == 1 && pat[0] == '*'
	var keys [][]byte
	for si := range x.db.shards {
		for k, o := range x.db.shards[si].m {
			if x.expired(o) {
				continue
			}
			if all || matchGlob(pat, []byte(k), false) {
				keys = append(keys, []byte(k))
			}
		}
	}
	x.reply().Bulks(keys)
}

// scanArgs are SCAN's and its relatives' options.
type scanArgs struct {
	match []byte // nil: all
	count int
	typ   []byte // SCAN TYPE; nil: all
}

// parseScanCursor parses a SCAN cursor as Redis does, with strtoul: an
// optional sign and decimal digits (none at all is 0; "-1" wraps to
// 2^64-1), no leading space, nothing after, within 64 bits.
func (x *ctx) parseScanCursor(i int) (uint64, bool) {
	n, ok := parseStrtoul(x.arg(i))
	if !ok {
		x.err("ERR invalid cursor")
	}
	return n, ok
}

func parseStrtoul(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	digits := b
	if digits[0] == '+' || digits[0] == '-' {
		neg = digits[0] == '-'
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseScanArgs parses MATCH, COUNT and (when typeOK) TYPE from argument
// i on.
func (x *ctx) parseScanArgs(i int, typeOK bool) (scanArgs, bool) {
	a := scanArgs{count: 10}
	for ; i < x.nargs(); i += 2 {
		if i+1 >= x.nargs() {
			x.err(errSyntax)
			return a, false
		}
		switch {
		case x.is(i, "count"):
			n, ok := x.argInt(i + 1)
			if !ok {
				return a, false
			}
			if n < 1 {
				x.err(errSyntax)
				return a, false
			}
			a.count = int(min(n, math.MaxInt32))
		case x.is(i, "match"):
			a.match = x.arg(i + 1)
			if len(a.match) == 1 && a.match[0] == '*' {
				a.match = nil
			}
		case typeOK && x.is(i, "type"):
			a.typ = x.arg(i + 1)
		default:
			x.err(errSyntax)
			return a, false
		}
	}
	return a, true
}

// scanCommand walks the shards: the cursor is the index of the next shard
// to visit, so every key present for the whole iteration is returned
// exactly once, and a shard's keys come together in one reply (COUNT is
// a hint, as in Redis).
func scanCommand(x *ctx) {
	cursor, ok := x.parseScanCursor(1)
	if !ok {
		return
	}
	a, ok := x.parseScanArgs(2, true)
	if !ok {
		return
	}
	var keys [][]byte
	next := uint64(0)
	for si := cursor; si < uint64(len(x.db.shards)); si++ {
		var expired []string
		for k, o := range x.db.shards[si].m {
			if x.expired(o) {
				expired = append(expired, k)
				continue
			}
			if a.match != nil && !matchGlob(a.match, []byte(k), false) {
				continue
			}
			if a.typ != nil && !equalFold(a.typ, o.typ.String()) {
				continue
			}
			keys = append(keys, []byte(k))
		}
		for _, k := range expired {
			x.lookup([]byte(k)) // deletes it and logs DEL, or asks for the write turn
		}
		if x.needWrite {
			return
		}
		if len(keys) >= a.count {
			next = si + 1
			break
		}
	}
	if next >= uint64(len(x.db.shards)) {
		next = 0
	}
	r := x.reply()
	r.Array(2)
	r.BulkInt(int64(next))
	r.Bulks(keys)
}

func randomkeyCommand(x *ctx) {
	if x.db.keys == 0 {
		x.reply().Null()
		return
	}
	for tries := 0; ; tries++ {
		start := rand.IntN(len(x.db.shards))
		for i := range x.db.shards {
			sh := &x.db.shards[(start+i)%len(x.db.shards)]
			if len(sh.m) == 0 {
				continue
			}
			skip := rand.IntN(len(sh.m))
			for k, o := range sh.m {
				if skip > 0 {
					skip--
					continue
				}
				if x.expired(o) && tries < 100 && x.db.keys != x.db.expires {
					x.lookup([]byte(k))
					if x.needWrite {
						return
					}
					break
				}
				x.reply().BulkString(k)
				return
			}
			break
		}
		if x.db.keys == 0 {
			x.reply().Null()
			return
		}
	}
}

func pingCommand(x *ctx) {
	switch x.nargs() {
	case 1:
		x.reply().Simple("PONG")
	case 2:
		x.reply().Bulk(x.arg(1))
	default:
		x.err("ERR wrong number of arguments for 'ping' command")
	}
}

func infoCommand(x *ctx) {
	section := "default"
	if x.nargs() > 1 {
		section = string(bytes.ToLower(x.arg(1)))
	}
	var b []byte
	switch section {
	case "default", "all", "everything", "keyspace":
		b = append(b, "# Keyspace\r\n"...)
		for i, d := range x.m.dbs {
			if d.keys == 0 {
				continue
			}
			b = append(b, "db"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ":keys="...)
			b = strconv.AppendInt(b, int64(d.keys), 10)
			b = append(b, ",expires="...)
			b = strconv.AppendInt(b, int64(d.expires), 10)
			b = append(b, ",avg_ttl=0\r\n"...)
		}
	}
	x.reply().Bulk(b)
}
