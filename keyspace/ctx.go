package keyspace

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/aofrdb/aofrdb/internal/compact"
	"github.com/aofrdb/aofrdb/rdb"
)

// Error replies, worded as Redis 7.0 words them.
const (
	errWrongType  = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNotInt     = "ERR value is not an integer or out of range"
	errNotFloat   = "ERR value is not a valid float"
	errSyntax     = "ERR syntax error"
	errOverflow   = "ERR increment or decrement would overflow"
	errNoKey      = "ERR no such key"
	errOutOfRange = "ERR index out of range"
	errDBIndex    = "ERR DB index is out of range"
	errNaN        = "ERR resulting score is not a number (NaN)"
)

// ctx is one command's execution: the call, the database it runs in,
// and what it changed. Command functions take a *ctx.
type ctx struct {
	m     *Memory
	c     *Call
	cmd   *command
	db    *db
	nowMs int64 // the command's time, unix ms, once asked for (see now)

	dirty       bool     // data changed: log the command (or rewritten)
	noPropagate bool     // the command logged its effects itself (x.log)
	rewritten   [][]byte // logged instead of c.Args when set
	needWrite   bool     // a read met an expired key without the write turn
	logStart    int
}

// command is an entry of the command table.
type command struct {
	info CommandInfo
	fn   func(*ctx)
}

var commands = map[string]*command{}

// register adds a command to the table; files call it from init.
func register(name string, arity int, write bool, firstKey, lastKey, step int, fn func(*ctx)) {
	if _, dup := commands[name]; dup {
		panic("keyspace: command registered twice: " + name)
	}
	commands[name] = &command{
		info: CommandInfo{Name: name, Arity: arity, Write: write, FirstKey: firstKey, LastKey: lastKey, Step: step},
		fn:   fn,
	}
}

func lookupCommand(name []byte) *command {
	var buf [32]byte
	if len(name) > len(buf) {
		return commands[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return commands[string(buf[:len(name)])]
}

// ---- arguments ----

// arg returns argument i (0 is the command name).
func (x *ctx) arg(i int) []byte { return x.c.Args[i] }

// nargs returns the number of arguments including the name.
func (x *ctx) nargs() int { return len(x.c.Args) }

// is reports whether argument i equals word, ignoring ASCII case.
func (x *ctx) is(i int, word string) bool { return equalFold(x.c.Args[i], word) }

// cstr is b as C sees it: up to its first NUL. Redis reads some
// arguments (geo units and options, stream subcommand options) as C
// strings.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// cis reports whether argument i equals word as strcasecmp sees it: up
// to its first NUL, ignoring ASCII case.
func (x *ctx) cis(i int, word string) bool { return equalFold(cstr(x.arg(i)), word) }

func equalFold(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		w := word[i]
		if 'A' <= w && w <= 'Z' {
			w += 'a' - 'A'
		}
		if c != w {
			return false
		}
	}
	return true
}

// parseInt parses b as Redis's string2ll does: canonical decimal within
// int64.
func parseInt(b []byte) (int64, bool) { return compact.ParseInt(b) }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// argInt parses argument i as an integer, replying errNotInt if it is not.
func (x *ctx) argInt(i int) (int64, bool) {
	n, ok := parseInt(x.c.Args[i])
	if !ok {
		x.c.Reply.Error(errNotInt)
	}
	return n, ok
}

// now returns the command's time in unix ms: Call.Now, or the clock
// read once, on first use (reading the clock costs more than a SET).
func (x *ctx) now() int64 {
	if x.nowMs == 0 {
		x.nowMs = x.c.Now
		if x.nowMs == 0 {
			x.nowMs = x.m.clock().UnixMilli()
		}
	}
	return x.nowMs
}

// ---- replies ----

func (x *ctx) reply() *Reply { return &x.c.Reply }

func (x *ctx) err(msg string) { x.c.Reply.Error(msg) }

// ---- keys ----

func (x *ctx) expired(o *object) bool {
	return o.exp != 0 && !x.c.Loading && x.now() > o.exp
}

// lookup finds key in the current database for reading. A key whose time
// has passed is deleted (and DEL logged) with the write turn, and
// reported missing either way (without the write turn the command is
// abandoned and run again with it).
func (x *ctx) lookup(key []byte) *object {
	return x.lookupIn(x.c.DB, key)
}

func (x *ctx) lookupIn(dbi int, key []byte) *object {
	d := x.m.dbs[dbi]
	sh := &d.shards[shardOf(key)]
	o := sh.m[string(key)]
	if o == nil || !x.expired(o) {
		return o
	}
	if !x.c.Write {
		x.needWrite = true
		return nil
	}
	x.removeIn(dbi, key)
	x.log(dbi, [][]byte{[]byte("DEL"), bytes.Clone(key)})
	return nil
}

// lookupType finds key for reading and checks its type: it returns nil,
// true for a missing key, and nil, false (having replied WRONGTYPE) for
// a key of another type.
func (x *ctx) lookupType(key []byte, t rdb.Type) (*object, bool) {
	o := x.lookup(key)
	if o != nil && o.typ != t {
		x.err(errWrongType)
		return nil, false
	}
	return o, true
}

// lookupWrite finds key for changing it in place: like lookup, and it
// hands the value to the open snapshots that need it first. Objects are
// changed in place only when found this way (see snapshot.go).
func (x *ctx) lookupWrite(key []byte) *object {
	return x.lookupWriteIn(x.c.DB, key)
}

func (x *ctx) lookupWriteIn(dbi int, key []byte) *object {
	o := x.lookupIn(dbi, key)
	if o != nil {
		o = x.m.private(dbi, key, o)
	}
	return o
}

// lookupWriteType is lookupType for changing the value in place.
func (x *ctx) lookupWriteType(key []byte, t rdb.Type) (*object, bool) {
	o := x.lookupWrite(key)
	if o != nil && o.typ != t {
		x.err(errWrongType)
		return nil, false
	}
	return o, true
}

// set stores o under key in the current database, replacing any value
// (and its expiry: o.exp is kept as given). It marks the command dirty.
func (x *ctx) set(key []byte, o *object) { x.setIn(x.c.DB, key, o) }

func (x *ctx) setIn(dbi int, key []byte, o *object) {
	d := x.m.dbs[dbi]
	sh := &d.shards[shardOf(key)]
	old := sh.m[string(key)]
	o.ver.Store(x.m.epoch)
	x.dirty = true
	if old == nil {
		d.add(sh, string(key), o)
		return
	}
	if old != o {
		x.m.released(dbi, key, old)
	}
	if old.exp != 0 {
		d.expires--
		sh.expires--
	}
	sh.m[string(key)] = o
	if o.exp != 0 {
		d.expires++
		sh.expires++
	}
}

// addNew stores o under key in database dbi, where lookupWrite has just
// found no key (so there is nothing to replace), and marks the command
// dirty: setIn without its lookup, with the key string given.
func (x *ctx) addNew(dbi int, key string, o *object) {
	d := x.m.dbs[dbi]
	o.ver.Store(x.m.epoch)
	d.add(&d.shards[shardOf(bytesOf(key))], key, o)
	x.dirty = true
}

// delete removes key from the current database, reporting whether it
// existed (expired or not). It marks the command dirty when it did.
func (x *ctx) delete(key []byte) bool { return x.deleteIn(x.c.DB, key) }

func (x *ctx) deleteIn(dbi int, key []byte) bool {
	if !x.removeIn(dbi, key) {
		return false
	}
	x.dirty = true
	return true
}

// removeIn removes key without marking the command dirty (for keys that
// expired, whose DEL is logged on its own).
func (x *ctx) removeIn(dbi int, key []byte) bool {
	d := x.m.dbs[dbi]
	si := shardOf(key)
	sh := &d.shards[si]
	o := sh.m[string(key)]
	if o == nil {
		return false
	}
	x.m.released(dbi, key, o)
	delete(sh.m, string(key))
	d.keys--
	if o.exp != 0 {
		d.expires--
		sh.expires--
	}
	return true
}

// setExpire sets or clears (at == 0) the expiry of an existing key o
// found with lookupWrite.
func (x *ctx) setExpire(key []byte, o *object, at int64) {
	x.setExpireIn(x.c.DB, key, o, at)
}

func (x *ctx) setExpireIn(dbi int, key []byte, o *object, at int64) {
	d := x.m.dbs[dbi]
	sh := &d.shards[shardOf(key)]
	switch {
	case o.exp == 0 && at != 0:
		d.expires++
		sh.expires++
	case o.exp != 0 && at == 0:
		d.expires--
		sh.expires--
	}
	o.exp = at
	x.dirty = true
}

// changed marks the command dirty after changing a value in place.
func (x *ctx) changed() { x.dirty = true }

// rewrite makes args, instead of the command as called, the record
// logged for the command.
func (x *ctx) rewrite(args ...[]byte) { x.rewritten = args }

// log appends a record now, before the command's own record. A command
// that logs its effects this way sets x.noPropagate.
func (x *ctx) log(dbi int, args [][]byte) {
	x.c.Log = append(x.c.Log, Record{DB: dbi, Args: args})
}

// itoa returns n's decimal form as a new slice, for rewritten records.
func itoa(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// newString returns a string object holding a copy of b.
func newString(b []byte) *object {
	return &object{typ: rdb.TypeString, str: bytes.Clone(nonNil(b))}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
