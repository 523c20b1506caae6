package rdb

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/aofrdb/aofrdb/internal/compact"
)

// maxFieldTTL is the largest hash field expiry Redis accepts
// (EB_EXPIRE_TIME_MAX, 2^48-1 ms).
const maxFieldTTL = 1<<48 - 1

// readObject reads the value of a key of type t. It returns nil, nil for an
// empty aggregate, which Redis skips.
func (d *decoder) readObject(t byte) (Value, error) {
	switch t {
	case typeString:
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		return String(s), nil
	case typeList:
		return d.readList()
	case typeSet:
		return d.readSet()
	case typeZSet, typeZSet2:
		return d.readZSet(t)
	case typeHash:
		return d.readHash()
	case typeHashMetadata, typeHashMetadataPreGA:
		return d.readHashMetadata(t)
	case typeListQuicklist, typeListQuicklist2:
		return d.readQuicklist(t)
	case typeHashZipmap:
		return d.readZipmap()
	case typeListZiplist:
		return d.readListZiplist()
	case typeSetIntset:
		return d.readIntset()
	case typeSetListpack:
		return d.readSetListpack()
	case typeZSetZiplist, typeZSetListpack:
		return d.readZSetCompact(t)
	case typeHashZiplist, typeHashListpack:
		return d.readHashCompact(t)
	case typeHashListpackEx, typeHashListpackExPre:
		return d.readHashListpackEx(t)
	case typeStreamListpacks, typeStreamListpacks2, typeStreamListpacks3:
		return d.readStream(t)
	case typeModulePreGA:
		return nil, d.corruptSentinel(ErrModule, "pre-release module format (type 6) not supported")
	case typeModule2:
		return d.readModule()
	}
	return nil, d.corrupt("unknown object type %d", t)
}

func (d *decoder) corruptSentinel(s error, format string, args ...any) error {
	return d.errAt(d.offset(), s, format, args...)
}

// count reads an element count and returns a capacity to preallocate for
// it: never more than prealloc, whatever the file claims.
func (d *decoder) count() (uint64, int, error) {
	n, err := d.readLen()
	return n, int(min(n, prealloc)), err
}

func (d *decoder) readList() (Value, error) {
	n, c, err := d.count()
	if err != nil || n == 0 {
		return nil, err
	}
	l := make(List, 0, c)
	for ; n > 0; n-- {
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		l = append(l, s)
	}
	return l, nil
}

func (d *decoder) readSet() (Value, error) {
	n, c, err := d.count()
	if err != nil || n == 0 {
		return nil, err
	}
	s := make(Set, 0, c)
	d.dups.Reset()
	for ; n > 0; n-- {
		start := d.offset()
		m, err := d.readString()
		if err != nil {
			return nil, err
		}
		if d.dups.AddBytes(m) {
			return nil, d.errAt(start, ErrCorrupt, "duplicate set member %q", truncKey(m))
		}
		s = append(s, m)
	}
	return s, nil
}

func (d *decoder) readZSet(t byte) (Value, error) {
	n, c, err := d.count()
	if err != nil || n == 0 {
		return nil, err
	}
	z := make(ZSet, 0, c)
	d.dups.Reset()
	for ; n > 0; n-- {
		start := d.offset()
		m, err := d.readString()
		if err != nil {
			return nil, err
		}
		var score float64
		if t == typeZSet2 {
			u, err := d.readUint64LE()
			if err != nil {
				return nil, err
			}
			score = math.Float64frombits(u)
		} else if score, err = d.readTextDouble(); err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, d.errAt(start, ErrCorrupt, "zset member %q with NaN score", truncKey(m))
		}
		if d.dups.AddBytes(m) {
			return nil, d.errAt(start, ErrCorrupt, "duplicate zset member %q", truncKey(m))
		}
		z = append(z, ZMember{Member: m, Score: score})
	}
	return z, nil
}

// readTextDouble reads a type-3 zset score: a length byte, then ASCII
// (253 NaN, 254 +inf, 255 -inf).
func (d *decoder) readTextDouble() (float64, error) {
	start := d.offset()
	l, err := d.readByte()
	if err != nil {
		return 0, err
	}
	switch l {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.next(int(l))
	if err != nil {
		return 0, err
	}
	f, ok := parseScore(p)
	if !ok {
		return 0, d.errAt(start, ErrCorrupt, "invalid score %q", p)
	}
	return f, nil
}

// parseScore parses a score as Redis's strtod does, closely enough for
// every score Redis writes.
func parseScore(p []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(p), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true // overflow to ±inf, underflow to 0, as strtod
		}
		return 0, false
	}
	return f, true
}

func (d *decoder) readHash() (Value, error) {
	n, c, err := d.count()
	if err != nil || n == 0 {
		return nil, err
	}
	h := make(Hash, 0, c)
	d.dups.Reset()
	for ; n > 0; n-- {
		start := d.offset()
		f, err := d.readString()
		if err != nil {
			return nil, err
		}
		v, err := d.readString()
		if err != nil {
			return nil, err
		}
		if d.dups.AddBytes(f) {
			return nil, d.errAt(start, ErrCorrupt, "duplicate hash field %q", truncKey(f))
		}
		h = append(h, HashField{Field: f, Value: v})
	}
	return h, nil
}

func (d *decoder) readHashMetadata(t byte) (Value, error) {
	var minExpire int64
	if t == typeHashMetadata {
		start := d.offset()
		var err error
		if minExpire, err = d.readMillis(); err != nil {
			return nil, err
		}
		if minExpire < 0 {
			return nil, d.errAt(start, ErrCorrupt, "invalid hash min-expire %d", minExpire)
		}
	}
	n, c, err := d.count()
	if err != nil || n == 0 {
		return nil, err
	}
	h := make(Hash, 0, c)
	d.dups.Reset()
	for ; n > 0; n-- {
		start := d.offset()
		ttl, err := d.readLen()
		if err != nil {
			return nil, err
		}
		expireAt := ttl
		if t == typeHashMetadata && ttl != 0 {
			expireAt = ttl + uint64(minExpire) - 1
			if expireAt < ttl {
				expireAt = math.MaxUint64
			}
		}
		if expireAt > maxFieldTTL {
			return nil, d.errAt(start, ErrCorrupt, "invalid hash field expireAt time %d", expireAt)
		}
		f, err := d.readString()
		if err != nil {
			return nil, err
		}
		v, err := d.readString()
		if err != nil {
			return nil, err
		}
		if d.dups.AddBytes(f) {
			return nil, d.errAt(start, ErrCorrupt, "duplicate hash field %q", truncKey(f))
		}
		h = append(h, HashField{Field: f, Value: v, ExpireAt: int64(expireAt)})
	}
	return h, nil
}

// readBlob reads an RDB string holding a compact encoding. It returns the
// blob and the offset of the string in the input, for errors.
func (d *decoder) readBlob() ([]byte, int64, error) {
	start := d.offset()
	b, err := d.readString()
	return b, start, err
}

// compactErr wraps an error from the compact package.
func (d *decoder) compactErr(start int64, what string, err error) error {
	var ce *CorruptError
	if errors.As(err, &ce) {
		return err
	}
	return d.errAt(start, ErrCorrupt, "%s integrity check failed: %v", what, err)
}

// text returns an element's text in memory the caller may keep: strings
// alias the blob, which belongs to the caller.
func (d *decoder) text(e compact.Element) []byte {
	if e.IsInt {
		return d.intText(e.Int)
	}
	return e.Str
}

func (d *decoder) readQuicklist(t byte) (Value, error) {
	n, err := d.readLen()
	if err != nil || n == 0 {
		return nil, err
	}
	var l List
	for ; n > 0; n-- {
		container := uint64(2)
		if t == typeListQuicklist2 {
			start := d.offset()
			if container, err = d.readLen(); err != nil {
				return nil, err
			}
			if container != 1 && container != 2 {
				return nil, d.errAt(start, ErrCorrupt, "quicklist integrity check failed: node container %d", container)
			}
		}
		blob, start, err := d.readBlob()
		if err != nil {
			return nil, err
		}
		if len(blob) == 0 {
			return nil, d.errAt(start, ErrCorrupt, "empty quicklist node")
		}
		if container == 1 {
			l = append(l, blob)
			continue
		}
		if l, err = d.appendListNode(l, blob, start, t == typeListQuicklist2); err != nil {
			return nil, err
		}
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

func (d *decoder) readListZiplist() (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	l, err := d.appendListNode(nil, blob, start, false)
	if err != nil || len(l) == 0 {
		return nil, err
	}
	return l, nil
}

// appendListNode appends the elements of a listpack (or, when !listpack, a
// ziplist) blob read at start to l.
func (d *decoder) appendListNode(l List, blob []byte, start int64, listpack bool) (List, error) {
	add := func(e compact.Element) error {
		l = append(l, d.text(e))
		return nil
	}
	if listpack {
		if _, err := compact.ListpackEach(blob, add); err != nil {
			return nil, d.compactErr(start, "listpack", err)
		}
		return l, nil
	}
	if _, err := compact.ZiplistEach(blob, add); err != nil {
		return nil, d.compactErr(start, "ziplist", err)
	}
	return l, nil
}

func (d *decoder) readIntset() (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	var s Set
	if _, err := compact.IntsetEach(blob, func(v int64) error {
		s = append(s, d.intText(v))
		return nil
	}); err != nil {
		return nil, d.compactErr(start, "intset", err)
	}
	return s, nil
}

func (d *decoder) readSetListpack() (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	var s Set
	d.dups.Reset()
	if _, err := compact.ListpackEach(blob, func(e compact.Element) error {
		if d.dups.Add(e) {
			return d.errAt(start, ErrCorrupt, "set listpack integrity check failed: duplicate member %q", e.String())
		}
		s = append(s, d.text(e))
		return nil
	}); err != nil {
		return nil, d.compactErr(start, "set listpack", err)
	}
	if len(s) == 0 {
		return nil, nil
	}
	return s, nil
}

// eachPair walks a ziplist or listpack of (first, second) pairs, checking
// that the count is even and the first elements unique.
func (d *decoder) eachPair(blob []byte, listpack bool, what string, start int64, fn func(a, b compact.Element) error) (int, error) {
	var first compact.Element
	i := 0
	d.dups.Reset()
	walk := func(e compact.Element) error {
		if i++; i%2 == 1 {
			if d.dups.Add(e) {
				return d.errAt(start, ErrCorrupt, "%s integrity check failed: duplicate %q", what, e.String())
			}
			first = e
			return nil
		}
		return fn(first, e)
	}
	var err error
	if listpack {
		_, err = compact.ListpackEach(blob, walk)
	} else {
		_, err = compact.ZiplistEach(blob, walk)
	}
	if err != nil {
		return 0, d.compactErr(start, what, err)
	}
	if i%2 != 0 {
		return 0, d.errAt(start, ErrCorrupt, "%s integrity check failed: odd number of elements %d", what, i)
	}
	return i / 2, nil
}

func (d *decoder) score(e compact.Element, start int64) (float64, error) {
	if e.IsInt {
		return float64(e.Int), nil
	}
	f, ok := parseScore(e.Str)
	if !ok || math.IsNaN(f) {
		return 0, d.errAt(start, ErrCorrupt, "invalid zset score %q", truncKey(e.Str))
	}
	return f, nil
}

func (d *decoder) readZSetCompact(t byte) (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	what := "zset listpack"
	if t == typeZSetZiplist {
		what = "zset ziplist"
	}
	var z ZSet
	n, err := d.eachPair(blob, t == typeZSetListpack, what, start, func(m, s compact.Element) error {
		f, err := d.score(s, start)
		if err != nil {
			return err
		}
		z = append(z, ZMember{Member: d.text(m), Score: f})
		return nil
	})
	if err != nil || n == 0 {
		return nil, err
	}
	return z, nil
}

func (d *decoder) readHashCompact(t byte) (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	what := "hash listpack"
	if t == typeHashZiplist {
		what = "hash ziplist"
	}
	var h Hash
	n, err := d.eachPair(blob, t == typeHashListpack, what, start, func(f, v compact.Element) error {
		h = append(h, HashField{Field: d.text(f), Value: d.text(v)})
		return nil
	})
	if err != nil || n == 0 {
		return nil, err
	}
	return h, nil
}

func (d *decoder) readHashListpackEx(t byte) (Value, error) {
	if t == typeHashListpackEx {
		if _, err := d.readMillis(); err != nil { // min expire: a hint
			return nil, err
		}
	}
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	const what = "hash listpack-ex"
	var h Hash
	var f, v compact.Element
	i := 0
	var prev int64
	d.dups.Reset()
	if _, err := compact.ListpackEach(blob, func(e compact.Element) error {
		switch i++; i % 3 {
		case 1:
			if d.dups.Add(e) {
				return d.errAt(start, ErrCorrupt, "%s integrity check failed: duplicate field %q", what, e.String())
			}
			f = e
		case 2:
			v = e
		case 0:
			ttl, ok := e.Int, e.IsInt
			if !ok || ttl < 0 || ttl > maxFieldTTL {
				return d.errAt(start, ErrCorrupt, "%s integrity check failed: invalid TTL %s", what, e.String())
			}
			if ttl != 0 && (ttl < prev || prev == 0 && len(h) > 0) {
				return d.errAt(start, ErrCorrupt, "%s integrity check failed: TTLs out of order", what)
			}
			prev = ttl
			h = append(h, HashField{Field: d.text(f), Value: d.text(v), ExpireAt: ttl})
		}
		return nil
	}); err != nil {
		return nil, d.compactErr(start, what, err)
	}
	if i%3 != 0 {
		return nil, d.errAt(start, ErrCorrupt, "%s integrity check failed: %d elements is not a multiple of 3", what, i)
	}
	if len(h) == 0 {
		return nil, nil
	}
	return h, nil
}

func (d *decoder) readZipmap() (Value, error) {
	blob, start, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	var h Hash
	d.dups.Reset()
	if _, err := compact.ZipmapEach(blob, func(k, v []byte) error {
		if d.dups.AddBytes(k) {
			return d.errAt(start, ErrCorrupt, "hash zipmap with duplicate field %q", truncKey(k))
		}
		h = append(h, HashField{Field: k, Value: v})
		return nil
	}); err != nil {
		return nil, d.compactErr(start, "zipmap", err)
	}
	return h, nil
}

func (d *decoder) readModule() (Value, error) {
	id, err := d.readLen()
	if err != nil {
		return nil, err
	}
	data, err := d.readModuleData(nil, id)
	if err != nil {
		return nil, err
	}
	return &Module{ID: id, Data: data}, nil
}

// streamID decodes a 16-byte big-endian stream ID.
func streamID(p []byte) StreamID {
	return StreamID{Ms: binary.BigEndian.Uint64(p), Seq: binary.BigEndian.Uint64(p[8:])}
}
