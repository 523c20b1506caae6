package keyspace

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// Hash commands, as Redis 7.0's t_hash.c runs them.

func init() {
	register("hset", -4, true, 1, 1, 1, hsetCommand)
	register("hmset", -4, true, 1, 1, 1, hsetCommand)
	register("hsetnx", 4, true, 1, 1, 1, hsetnxCommand)
	register("hdel", -3, true, 1, 1, 1, hdelCommand)
	register("hincrby", 4, true, 1, 1, 1, hincrbyCommand)
	register("hincrbyfloat", 4, true, 1, 1, 1, hincrbyfloatCommand)
	register("hget", 3, false, 1, 1, 1, hgetCommand)
	register("hmget", -3, false, 1, 1, 1, hmgetCommand)
	register("hgetall", 2, false, 1, 1, 1, func(x *ctx) { hgetallCommand(x, true, true) })
	register("hkeys", 2, false, 1, 1, 1, func(x *ctx) { hgetallCommand(x, true, false) })
	register("hvals", 2, false, 1, 1, 1, func(x *ctx) { hgetallCommand(x, false, true) })
	register("hlen", 2, false, 1, 1, 1, hlenCommand)
	register("hexists", 3, false, 1, 1, 1, hexistsCommand)
	register("hstrlen", 3, false, 1, 1, 1, hstrlenCommand)
	register("hscan", -3, false, 1, 1, 1, hscanCommand)
	register("hrandfield", -2, false, 1, 1, 1, hrandfieldCommand)
}

// hash is a hash value in one of Redis's two encodings, which decide the
// order Redis replies in:
//
//   - listpack (index == nil): at most hash-max-listpack-entries fields,
//     no field or value longer than hash-max-listpack-value; entries are
//     in insertion order, Redis's reply order (a field set again keeps
//     its place, a deleted one leaves the others in order), and a field
//     is found by a linear search, as in Redis.
//   - hash table (index != nil): Redis's order is its dict's, which is
//     not specified; entries are in no particular order and index maps
//     each field to its position, so that a random field and a removal
//     cost O(1).
//
// A listpack becomes a hash table as Redis converts it (see set and
// tryConversion) and never goes back.
type hash struct {
	entries []hashEntry
	index   map[string]int
}

// hashEntry is a field, its value and its expiry (Redis 7.4's field
// TTLs, kept through import and export; no command here expires fields).
type hashEntry struct {
	field, value string
	expireAt     int64
}

// newHashFrom builds a hash from the value model as Redis 7.0 loads one:
// a hash table when it has more than maxEntries fields or a field or
// value longer than maxValue, else a listpack in the given order. A
// repeated field keeps its first place and its last value.
func newHashFrom(v rdb.Hash, maxEntries, maxValue int) *hash {
	h := &hash{}
	if len(v) > maxEntries {
		h.toTable()
	}
	for _, f := range v {
		i, _ := h.set(f.Field, f.Value, maxEntries, maxValue)
		h.entries[i].expireAt = f.ExpireAt
	}
	return h
}

// export returns the fields in reply order, as new slices.
func (h *hash) export() rdb.Value {
	out := make(rdb.Hash, len(h.entries))
	for i, e := range h.entries {
		out[i] = rdb.HashField{Field: []byte(e.field), Value: []byte(e.value), ExpireAt: e.expireAt}
	}
	return out
}

// view returns the fields, sharing their bytes (see aggregate).
func (h *hash) view() rdb.Value {
	out := make(rdb.Hash, len(h.entries))
	for i, e := range h.entries {
		out[i] = rdb.HashField{Field: bytesOf(e.field), Value: bytesOf(e.value), ExpireAt: e.expireAt}
	}
	return out
}

// clone returns a copy sharing no memory that changes (fields and values
// are immutable strings).
func (h *hash) clone() aggregate {
	return &hash{entries: slices.Clone(h.entries), index: maps.Clone(h.index)}
}

func (h *hash) isTable() bool { return h.index != nil }

func (h *hash) len() int { return len(h.entries) }

// toTable converts a listpack to a hash table.
func (h *hash) toTable() {
	h.index = make(map[string]int, len(h.entries))
	for i, e := range h.entries {
		h.index[e.field] = i
	}
}

// find returns the position of field f, or -1.
func (h *hash) find(f []byte) int {
	if h.isTable() {
		if i, ok := h.index[string(f)]; ok {
			return i
		}
		return -1
	}
	for i := range h.entries {
		if h.entries[i].field == string(f) {
			return i
		}
	}
	return -1
}

// get returns the value of field f.
func (h *hash) get(f []byte) (string, bool) {
	if i := h.find(f); i >= 0 {
		return h.entries[i].value, true
	}
	return "", false
}

// tryConversion converts a listpack that would receive one of args
// longer than maxValue, as hashTypeTryConversion does before HSET and
// HSETNX add anything (whether or not the fields exist).
func (h *hash) tryConversion(args [][]byte, maxValue int) {
	if h.isTable() {
		return
	}
	for _, a := range args {
		if len(a) > maxValue {
			h.toTable()
			return
		}
	}
}

// set sets field f to v, returning its position and whether it existed,
// converting a listpack as hashTypeSet does: first when f or v is longer
// than maxValue, then when it has more than maxEntries fields. The
// field's expiry is kept (as Redis 7.4's HINCRBY does); HSET clears it
// itself.
func (h *hash) set(f, v []byte, maxEntries, maxValue int) (i int, existed bool) {
	if !h.isTable() && (len(f) > maxValue || len(v) > maxValue) {
		h.toTable()
	}
	if i := h.find(f); i >= 0 {
		h.entries[i].value = string(v)
		return i, true
	}
	i = len(h.entries)
	k := string(f)
	if h.isTable() {
		h.index[k] = i
	}
	h.entries = append(h.entries, hashEntry{field: k, value: string(v)})
	if !h.isTable() && len(h.entries) > maxEntries {
		h.toTable()
	}
	return i, false
}

// del removes field f, reporting whether it was there: in place in a
// listpack, by moving the last entry into its place in a hash table.
func (h *hash) del(f []byte) bool {
	i := h.find(f)
	if i < 0 {
		return false
	}
	if !h.isTable() {
		h.entries = slices.Delete(h.entries, i, i+1)
		return true
	}
	last := len(h.entries) - 1
	gone, moved := h.entries[i].field, h.entries[last]
	h.entries[i] = moved
	h.index[moved.field] = i
	delete(h.index, gone)
	h.entries[last] = hashEntry{}
	h.entries = h.entries[:last]
	return true
}

// ---- commands ----

func (x *ctx) maxListpackEntries() int { return x.m.opts.HashMaxListpackEntries }
func (x *ctx) maxListpackValue() int   { return x.m.opts.HashMaxListpackValue }

// setField sets a field with the keyspace's thresholds, returning its
// position and whether it existed.
func (x *ctx) setField(h *hash, f, v []byte) (int, bool) {
	return h.set(f, v, x.maxListpackEntries(), x.maxListpackValue())
}

// writeHash looks key up for changing its hash in place: the hash, or
// nil for a missing key; ok is false when it replied WRONGTYPE.
func writeHash(x *ctx, key []byte) (*hash, bool) {
	o, ok := x.lookupWriteType(key, rdb.TypeHash)
	if o == nil {
		return nil, ok
	}
	return o.v.(*hash), true
}

// createHash stores a new empty hash under key (which the command fills
// at once).
func createHash(x *ctx, key []byte) *hash {
	h := &hash{}
	x.set(key, &object{typ: rdb.TypeHash, v: h})
	return h
}

// readHash looks key up for reading: the hash, or nil for a missing key;
// ok is false when it replied WRONGTYPE.
func readHash(x *ctx, key []byte) (*hash, bool) {
	o, ok := x.lookupType(key, rdb.TypeHash)
	if o == nil {
		return nil, ok
	}
	return o.v.(*hash), true
}

// hsetCommand is HSET (replies the number of new fields) and HMSET
// (replies OK). Setting a field clears its expiry, as in Redis 7.4.
func hsetCommand(x *ctx) {
	if x.nargs()%2 == 1 {
		x.err("ERR wrong number of arguments for '" + x.cmd.info.Name + "' command")
		return
	}
	h, ok := writeHash(x, x.arg(1))
	if !ok {
		return
	}
	if h == nil {
		h = createHash(x, x.arg(1))
	}
	h.tryConversion(x.c.Args[2:], x.maxListpackValue())
	created := 0
	for i := 2; i < x.nargs(); i += 2 {
		j, existed := x.setField(h, x.arg(i), x.arg(i+1))
		h.entries[j].expireAt = 0
		if !existed {
			created++
		}
	}
	x.changed()
	if x.is(0, "hset") {
		x.reply().Int(int64(created))
	} else {
		x.reply().OK()
	}
}

func hsetnxCommand(x *ctx) {
	key, f := x.arg(1), x.arg(2)
	h, ok := writeHash(x, key)
	if !ok {
		return
	}
	if h != nil && h.find(f) >= 0 {
		x.reply().Int(0)
		return
	}
	if h == nil {
		h = createHash(x, key)
	}
	h.tryConversion(x.c.Args[2:4], x.maxListpackValue())
	x.setField(h, f, x.arg(3))
	x.changed()
	x.reply().Int(1)
}

func hdelCommand(x *ctx) {
	key := x.arg(1)
	h, ok := writeHash(x, key)
	if !ok {
		return
	}
	if h == nil {
		x.reply().Int(0)
		return
	}
	deleted := 0
	for _, f := range x.c.Args[2:] {
		if h.del(f) {
			deleted++
			if h.len() == 0 {
				x.delete(key)
				break
			}
		}
	}
	if deleted > 0 {
		x.changed()
	}
	x.reply().Int(int64(deleted))
}

func hincrbyCommand(x *ctx) {
	incr, ok := x.argInt(3)
	if !ok {
		return
	}
	key, f := x.arg(1), x.arg(2)
	h, ok := writeHash(x, key)
	if !ok {
		return
	}
	var cur int64
	if h != nil {
		if v, found := h.get(f); found {
			if cur, ok = parseInt([]byte(v)); !ok {
				x.err("ERR hash value is not an integer")
				return
			}
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		x.err(errOverflow)
		return
	}
	cur += incr
	if h == nil {
		h = createHash(x, key)
	}
	x.setField(h, f, strconv.AppendInt(nil, cur, 10))
	x.changed()
	x.reply().Int(cur)
}

// hincrbyfloatCommand adds in long double as Redis does and is logged as
// HSET key field result.
func hincrbyfloatCommand(x *ctx) {
	incr := x.arg(3)
	_, inf, ok := parseLongDouble(incr)
	if !ok {
		x.err(errNotFloat)
		return
	}
	if inf {
		x.err("ERR value is NaN or Infinity")
		return
	}
	key, f := x.arg(1), x.arg(2)
	h, ok := writeHash(x, key)
	if !ok {
		return
	}
	cur := []byte("0")
	if h != nil {
		if v, found := h.get(f); found {
			cur = []byte(v)
			if _, _, ok := parseLongDouble(cur); !ok {
				x.err("ERR hash value is not a float")
				return
			}
		}
	}
	sum, msg := incrLongDouble(cur, incr)
	if msg != "" {
		x.err(msg)
		return
	}
	if h == nil {
		h = createHash(x, key)
	}
	x.setField(h, f, sum)
	x.changed()
	x.rewrite([]byte("HSET"), key, f, sum)
	x.reply().Bulk(sum)
}

func hgetCommand(x *ctx) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	replyField(x.reply(), h, x.arg(2))
}

// replyField replies the value of field f of h (nil for none), or null.
func replyField(r *Reply, h *hash, f []byte) {
	if h != nil {
		if v, ok := h.get(f); ok {
			r.BulkString(v)
			return
		}
	}
	r.Null()
}

func hmgetCommand(x *ctx) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	r.Array(x.nargs() - 2)
	for _, f := range x.c.Args[2:] {
		replyField(r, h, f)
	}
}

// hgetallCommand is HGETALL (fields and values, a map), HKEYS and HVALS.
func hgetallCommand(x *ctx, fields, values bool) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	n := 0
	if h != nil {
		n = h.len()
	}
	if fields && values {
		r.Map(n)
	} else {
		r.Array(n)
	}
	for i := range n {
		e := &h.entries[i]
		if fields {
			r.BulkString(e.field)
		}
		if values {
			r.BulkString(e.value)
		}
	}
}

func hlenCommand(x *ctx) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	if h == nil {
		x.reply().Int(0)
		return
	}
	x.reply().Int(int64(h.len()))
}

func hexistsCommand(x *ctx) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	x.reply().Bool(h != nil && h.find(x.arg(2)) >= 0)
}

func hstrlenCommand(x *ctx) {
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.get(x.arg(2))
		n = len(v)
	}
	x.reply().Int(int64(n))
}

// hscanCommand replies every field and value (those whose field MATCH
// lets through) at once with cursor 0, whatever the cursor and COUNT:
// Redis does so for a listpack; for a hash table it walks its buckets,
// but any client must accept a whole iteration in one reply.
func hscanCommand(x *ctx) {
	if _, ok := x.parseScanCursor(2); !ok {
		return
	}
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	if h == nil {
		x.replyEmptyScan()
		return
	}
	a, ok := x.parseScanArgs(3, false)
	if !ok {
		return
	}
	var out []int
	for i := range h.entries {
		if a.match == nil || matchGlob(a.match, []byte(h.entries[i].field), false) {
			out = append(out, i)
		}
	}
	r := x.reply()
	r.Array(2)
	r.BulkString("0")
	r.Array(2 * len(out))
	for _, i := range out {
		r.BulkString(h.entries[i].field)
		r.BulkString(h.entries[i].value)
	}
}

// hrandfieldCommand is HRANDFIELD key [count [WITHVALUES]]: as
// SRANDMEMBER, a negative count allows repetitions, a count at least the
// size replies the whole hash in order, otherwise distinct fields in
// random order.
func hrandfieldCommand(x *ctx) {
	if x.nargs() == 2 {
		h, ok := readHash(x, x.arg(1))
		if !ok {
			return
		}
		if h == nil {
			x.reply().Null()
			return
		}
		x.reply().BulkString(h.entries[rand.IntN(h.len())].field)
		return
	}
	count, ok := x.parseRandomCount(2)
	if !ok {
		return
	}
	if x.nargs() > 4 || x.nargs() == 4 && !x.is(3, "withvalues") {
		x.err(errSyntax)
		return
	}
	withValues := x.nargs() == 4
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		x.err("ERR value is out of range")
		return
	}
	h, ok := readHash(x, x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	if h == nil || count == 0 {
		r.Array(0)
		return
	}
	var picks []int
	switch {
	case count < 0 || count == 1:
		n := count
		if n < 0 {
			n = -n
		}
		if n > maxRandomCount {
			x.err(errRandomCount)
			return
		}
		picks = make([]int, n)
		for i := range picks {
			picks[i] = rand.IntN(h.len())
		}
	case count >= int64(h.len()):
		picks = make([]int, h.len())
		for i := range picks {
			picks[i] = i
		}
	default:
		picks = randomDistinct(h.len(), int(count))
	}
	if withValues && !r.RESP3 {
		r.Array(2 * len(picks))
	} else {
		r.Array(len(picks))
	}
	for _, i := range picks {
		e := &h.entries[i]
		if withValues && r.RESP3 {
			r.Array(2)
		}
		r.BulkString(e.field)
		if withValues {
			r.BulkString(e.value)
		}
	}
}
