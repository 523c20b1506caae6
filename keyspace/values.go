package keyspace

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/aofrdb/aofrdb/rdb"
)

// aggregate is the in-memory form of a value other than a string: *list,
// *set, *hash, *zset, *stream, *moduleValue.
type aggregate interface {
	// export returns the value in the value model, sharing no memory that
	// a later command changes.
	export() rdb.Value
	// view returns the value in the value model sharing the aggregate's
	// memory that never changes (member and field strings, list
	// elements): it costs one container, not a copy of the elements. The
	// view stays valid when the aggregate changes afterwards, but must
	// not be changed by its user.
	view() rdb.Value
	// clone returns a deep copy (COPY).
	clone() aggregate
}

// bytesOf returns s's bytes without a copy, for views: s never changes,
// and neither may the slice.
func bytesOf(s string) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// view returns o's value for a snapshot entry, sharing o's memory: a
// string as a *rdb.String pointing at o.str, without the allocation that
// boxing an rdb.String costs (o must not change while it is used), an
// aggregate as its view (see aggregate).
func (o *object) view() rdb.Value {
	if o.typ == rdb.TypeString {
		return (*rdb.String)(&o.str)
	}
	return o.v.(aggregate).view()
}

// clone returns a deep copy of o.
func (o *object) clone() *object {
	n := &object{exp: o.exp, typ: o.typ}
	if o.typ == rdb.TypeString {
		n.str = bytes.Clone(o.str)
	} else {
		n.v = o.v.(aggregate).clone()
	}
	return n
}

// stringOf returns the bytes of a string value, a String or a *String.
func stringOf(v rdb.Value) ([]byte, bool) {
	switch v := v.(type) {
	case rdb.String:
		return v, true
	case *rdb.String:
		return *v, true
	}
	return nil, false
}

// importValue turns a value of the value model into an object. It keeps
// no reference to v's slices that a caller might reuse... except for
// module values, which are kept as given.
func (m *Memory) importValue(v rdb.Value) (*object, error) {
	switch v := v.(type) {
	case rdb.String:
		return &object{typ: rdb.TypeString, str: bytes.Clone(nonNil(v))}, nil
	case *rdb.String:
		return &object{typ: rdb.TypeString, str: bytes.Clone(nonNil(*v))}, nil
	case rdb.List:
		return &object{typ: rdb.TypeList, v: newListFrom(v)}, nil
	case rdb.Set:
		return &object{typ: rdb.TypeSet, v: newSetFrom(v, m.opts.SetMaxIntsetEntries)}, nil
	case rdb.Hash:
		return &object{typ: rdb.TypeHash, v: newHashFrom(v, m.opts.HashMaxListpackEntries, m.opts.HashMaxListpackValue)}, nil
	case rdb.ZSet:
		return &object{typ: rdb.TypeZSet, v: newZSetFrom(v)}, nil
	case *rdb.Stream:
		return &object{typ: rdb.TypeStream, v: newStreamFrom(v)}, nil
	case *rdb.Module:
		return &object{typ: rdb.TypeModule, v: &moduleValue{v}}, nil
	}
	return nil, fmt.Errorf("keyspace: cannot hold a value of type %T", v)
}

// moduleValue holds an opaque module value; it never changes.
type moduleValue struct{ m *rdb.Module }

func (m *moduleValue) export() rdb.Value { return m.m }
func (m *moduleValue) view() rdb.Value   { return m.m }
func (m *moduleValue) clone() aggregate {
	return &moduleValue{&rdb.Module{ID: m.m.ID, Data: bytes.Clone(m.m.Data)}}
}

// Restore adds a key read from a snapshot; see Keyspace.
func (m *Memory) Restore(e *rdb.Entry) error {
	if e.DB < 0 || e.DB >= len(m.dbs) {
		return fmt.Errorf("%w: %d", ErrBadDB, e.DB)
	}
	if e.Expired || rdb.IsEmptyAggregate(e.Value) {
		return nil // Redis's loader drops empty aggregates too
	}
	var key string
	var o *object
	if s, ok := stringOf(e.Value); ok && len(s) <= packedMax {
		key, o = packString(e.Key, s)
	} else {
		var err error
		if o, err = m.importValue(e.Value); err != nil {
			return err
		}
		key = string(e.Key)
	}
	o.exp = e.ExpireAt
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.dbs[e.DB]
	si := shardOf(e.Key)
	sh := &d.shards[si]
	if _, dup := sh.m[key]; dup {
		return fmt.Errorf("%w: %q in database %d", ErrDuplicateKey, e.Key, e.DB)
	}
	o.ver.Store(m.epoch)
	d.add(sh, key, o)
	return nil
}

// packedMax is the largest string value Restore packs with its key (see
// packString).
const packedMax = 64

// Objects with room for a key and a small string value in the same
// allocation (see packString).
type (
	object16 struct {
		object
		b [16]byte
	}
	object32 struct {
		object
		b [32]byte
	}
	object48 struct {
		object
		b [48]byte
	}
	object64 struct {
		object
		b [64]byte
	}
)

// packString returns key as a string and an object holding the string
// value v, the bytes of both in the object's own allocation when they
// fit in 64 bytes, or else in one allocation of their own: a load of
// many small strings then allocates once per key instead of three times,
// and leaves the collector less to track. The value's capacity ends
// where it does, so a command that grows it moves it out. The key's
// string keeps the block alive until the map's key is replaced (an
// overwrite gives it a fresh key string) or deleted, so at most
// packedMax bytes of an old value stay behind.
func packString(key []byte, v []byte) (string, *object) {
	n := len(key) + len(v)
	var o *object
	var buf []byte
	switch {
	case n <= 16:
		p := new(object16)
		o, buf = &p.object, p.b[:n]
	case n <= 32:
		p := new(object32)
		o, buf = &p.object, p.b[:n]
	case n <= 48:
		p := new(object48)
		o, buf = &p.object, p.b[:n]
	case n <= 64:
		p := new(object64)
		o, buf = &p.object, p.b[:n]
	default:
		o, buf = new(object), make([]byte, n)
	}
	copy(buf, key)
	copy(buf[len(key):], v)
	o.typ, o.str = rdb.TypeString, buf[len(key):n:n]
	return unsafe.String(unsafe.SliceData(buf), len(key)), o
}

// maxReserve bounds the keys Reserve makes room for in one database, so
// that a hint read from a file cannot make it allocate without bound.
const maxReserve = 1 << 22

// Reserve makes room for about keys more keys in database db, before a
// load, so that the database's maps do not grow step by step: it sizes
// the maps of the shards that are still empty. It is a hint: keys
// beyond it are added as usual. It holds the write turn.
func (m *Memory) Reserve(db int, keys int) {
	if db < 0 || db >= len(m.dbs) || keys <= 0 {
		return
	}
	keys = min(keys, maxReserve)
	per := keys>>shardBits + keys>>(shardBits+3) + 1
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.dbs[db]
	for i := range d.shards {
		if sh := &d.shards[i]; len(sh.m) == 0 {
			sh.m = make(map[string]*object, per)
		}
	}
}
