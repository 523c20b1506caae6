package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/aofrdb/aofrdb/internal/compact"
	"github.com/aofrdb/aofrdb/internal/lzf"
)

// Writer-side limits, as Redis's defaults shape its own output.
const (
	listNodeBytes     = 8 << 10  // list-max-listpack-size -2: 8 KiB per quicklist node
	plainElementBytes = 1 << 30  // elements this large go in PLAIN nodes
	streamNodeEntries = 100      // stream-node-max-entries
	streamNodeBytes   = 4096     // stream-node-max-bytes
	lzfMinLen         = 20       // strings longer than this are tried with LZF
	lzfMinSaving      = 4        // and kept compressed when that saves this much
	maxIntEncodedLen  = 11       // longest string that may be integer-encoded
	listpackMax       = 1 << 30  // compact.MaxListpackSize
	flushSize         = 64 << 10 // Writer buffer size
)

// encoder appends RDB encodings of values to byte slices. It holds reusable
// scratch space; the Writer and AppendDump each use their own.
type encoder struct {
	version  int
	compress bool
	lzbuf    []byte
	lp       compact.ListpackBuilder
	dups     compact.Dups
}

func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0x81), n)
}

// appendString appends s as Redis's rdbSaveRawString writes it: canonical
// integers that fit 32 bits in the C0/C1/C2 forms, strings over 20 bytes
// LZF-compressed when compression is on and saves at least 4 bytes, raw
// otherwise.
func (e *encoder) appendString(dst, s []byte) []byte {
	if len(s) <= maxIntEncodedLen && len(s) > 0 {
		if v, ok := compact.ParseInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			return appendIntEncoded(dst, v)
		}
	}
	return e.appendBlob(dst, s)
}

func appendIntEncoded(dst []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xC0, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, 0xC1, byte(v), byte(v>>8))
	}
	return append(dst, 0xC2, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

// appendBlob appends s as a raw or LZF string, never integer-encoded.
func (e *encoder) appendBlob(dst, s []byte) []byte {
	if e.compress && len(s) > lzfMinLen {
		limit := len(s) - lzfMinSaving
		if cap(e.lzbuf) < limit {
			e.lzbuf = make([]byte, limit)
		}
		if n := lzf.Compress(e.lzbuf[:limit], s); n > 0 {
			dst = append(dst, 0xC3)
			dst = appendLen(dst, uint64(n))
			dst = appendLen(dst, uint64(len(s)))
			dst = append(dst, e.lzbuf[:n]...)
			if cap(e.lzbuf) > 4<<20 {
				e.lzbuf = nil // do not keep a huge buffer
			}
			return dst
		}
	}
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidValue, fmt.Sprintf(format, args...))
}

// objectType returns the type byte the encoder writes v as.
func (e *encoder) objectType(v Value) (byte, error) {
	switch v := v.(type) {
	case String:
		return typeString, nil
	case *String:
		if v == nil {
			return 0, invalid("nil string")
		}
		return typeString, nil
	case List:
		if e.version >= 10 {
			return typeListQuicklist2, nil
		}
		return typeList, nil
	case Set:
		return typeSet, nil
	case ZSet:
		return typeZSet2, nil
	case Hash:
		for _, f := range v {
			if f.ExpireAt != 0 {
				if e.version < 12 {
					return 0, invalid("hash field expiry needs RDB version 12, writing %d", e.version)
				}
				return typeHashMetadata, nil
			}
		}
		return typeHash, nil
	case *Stream:
		if v == nil {
			return 0, invalid("nil stream")
		}
		switch {
		case e.version >= 11:
			return typeStreamListpacks3, nil
		case e.version == 10:
			return typeStreamListpacks2, nil
		}
		return typeStreamListpacks, nil
	case *Module:
		if v == nil {
			return 0, invalid("nil module value")
		}
		return typeModule2, nil
	}
	return 0, invalid("cannot write value of type %T", v)
}

// appendObject appends v's encoding for type t (from objectType).
func (e *encoder) appendObject(dst []byte, t byte, v Value) ([]byte, error) {
	switch t {
	case typeString:
		if p, ok := v.(*String); ok {
			return e.appendString(dst, *p), nil
		}
		return e.appendString(dst, v.(String)), nil
	case typeList:
		l := v.(List)
		if len(l) == 0 {
			return nil, invalid("empty list")
		}
		dst = appendLen(dst, uint64(len(l)))
		for _, s := range l {
			dst = e.appendString(dst, s)
		}
		return dst, nil
	case typeListQuicklist2:
		return e.appendQuicklist2(dst, v.(List))
	case typeSet:
		s := v.(Set)
		if len(s) == 0 {
			return nil, invalid("empty set")
		}
		e.dups.Reset()
		dst = appendLen(dst, uint64(len(s)))
		for _, m := range s {
			if e.dups.AddBytes(m) {
				return nil, invalid("duplicate set member %q", truncKey(m))
			}
			dst = e.appendString(dst, m)
		}
		return dst, nil
	case typeZSet2:
		z := v.(ZSet)
		if len(z) == 0 {
			return nil, invalid("empty sorted set")
		}
		e.dups.Reset()
		dst = appendLen(dst, uint64(len(z)))
		for _, m := range z {
			if math.IsNaN(m.Score) {
				return nil, invalid("NaN score for member %q", truncKey(m.Member))
			}
			if e.dups.AddBytes(m.Member) {
				return nil, invalid("duplicate sorted set member %q", truncKey(m.Member))
			}
			dst = e.appendString(dst, m.Member)
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(m.Score))
		}
		return dst, nil
	case typeHash, typeHashMetadata:
		return e.appendHash(dst, t, v.(Hash))
	case typeStreamListpacks, typeStreamListpacks2, typeStreamListpacks3:
		return e.appendStream(dst, t, v.(*Stream))
	case typeModule2:
		m := v.(*Module)
		var d decoder
		d.initBytes(m.Data)
		if _, err := d.readModuleData(nil, m.ID); err != nil || d.pos != len(m.Data) {
			return nil, fmt.Errorf("%w: module %s value data is not one opcode stream ending in EOF", ErrModule, ModuleName(m.ID))
		}
		dst = appendLen(dst, m.ID)
		return append(dst, m.Data...), nil
	}
	return nil, invalid("unknown object type %d", t)
}

func (e *encoder) appendHash(dst []byte, t byte, h Hash) ([]byte, error) {
	if len(h) == 0 {
		return nil, invalid("empty hash")
	}
	var minExpire int64
	if t == typeHashMetadata {
		minExpire = math.MaxInt64
		for _, f := range h {
			if f.ExpireAt < 0 || f.ExpireAt > maxFieldTTL {
				return nil, invalid("hash field expiry %d out of range", f.ExpireAt)
			}
			if f.ExpireAt != 0 {
				minExpire = min(minExpire, f.ExpireAt)
			}
		}
		dst = binary.LittleEndian.AppendUint64(dst, uint64(minExpire))
	}
	e.dups.Reset()
	dst = appendLen(dst, uint64(len(h)))
	for _, f := range h {
		if e.dups.AddBytes(f.Field) {
			return nil, invalid("duplicate hash field %q", truncKey(f.Field))
		}
		if t == typeHashMetadata {
			var ttl uint64
			if f.ExpireAt != 0 {
				ttl = uint64(f.ExpireAt-minExpire) + 1
			}
			dst = appendLen(dst, ttl)
		}
		dst = e.appendString(dst, f.Field)
		dst = e.appendString(dst, f.Value)
	}
	return dst, nil
}

// appendQuicklist2 writes a list as Redis 7 does: listpack nodes of up to
// 8 KiB (list-max-listpack-size -2), and PLAIN nodes for elements of 1 GiB
// or more.
func (e *encoder) appendQuicklist2(dst []byte, l List) ([]byte, error) {
	if len(l) == 0 {
		return nil, invalid("empty list")
	}
	// Count the nodes first: the count precedes them.
	nodes, size, n := 0, 0, 0
	for _, s := range l {
		if len(s) >= plainElementBytes {
			if n > 0 {
				nodes++
			}
			nodes++
			size, n = 0, 0
			continue
		}
		if n > 0 && size+len(s) > listNodeBytes {
			nodes++
			size, n = 0, 0
		}
		size += len(s) + 11
		n++
	}
	if n > 0 {
		nodes++
	}
	dst = appendLen(dst, uint64(nodes))
	e.lp.Reset()
	size = 0
	flush := func() {
		if e.lp.Len() > 0 {
			dst = append(dst, 2)
			dst = e.appendBlob(dst, e.lp.Bytes())
			e.lp.Reset()
			size = 0
		}
	}
	for _, s := range l {
		if len(s) >= plainElementBytes {
			flush()
			dst = append(dst, 1)
			dst = e.appendBlob(dst, s)
			continue
		}
		if e.lp.Len() > 0 && size+len(s) > listNodeBytes {
			flush()
		}
		e.lp.AppendString(s)
		size += len(s) + 11
	}
	flush()
	return dst, nil
}

func (e *encoder) appendStream(dst []byte, t byte, s *Stream) ([]byte, error) {
	for i, en := range s.Entries {
		if i > 0 && compareID(s.Entries[i-1].ID, en.ID) >= 0 {
			return nil, invalid("stream entries not in increasing ID order at %d-%d", en.ID.Ms, en.ID.Seq)
		}
		if len(en.Fields) == 0 || len(en.Fields)%2 != 0 {
			return nil, invalid("stream entry %d-%d has %d fields and values", en.ID.Ms, en.ID.Seq, len(en.Fields))
		}
	}
	// Split the entries into nodes as Redis's streamAppendItem does
	// when they are added one by one: a new node when the current one
	// holds stream-node-max-entries, or when its listpack's size plus
	// the raw lengths of the new entry's fields and values reaches
	// stream-node-max-bytes. The first pass builds each node to know its
	// exact size; the second writes it with its count.
	lp := &e.lp
	var bounds []int
	for i, j := 0, 0; j < len(s.Entries); j++ {
		en := &s.Entries[j]
		tot := 0
		for _, f := range en.Fields {
			tot += len(f)
		}
		if j > i && (j-i >= streamNodeEntries || lp.Size()+tot >= streamNodeBytes) {
			bounds = append(bounds, j)
			i = j
		}
		if j == i {
			lp.Reset()
			appendNodeMaster(lp, 1, en.Fields) // the count's size is that of any count up to 127
		}
		appendNodeEntry(lp, en, &s.Entries[i])
	}
	if len(s.Entries) > 0 {
		bounds = append(bounds, len(s.Entries))
	}
	dst = appendLen(dst, uint64(len(bounds)))
	start := 0
	for _, end := range bounds {
		node := s.Entries[start:end]
		master := node[0].ID
		dst = appendLen(dst, 16)
		dst = binary.BigEndian.AppendUint64(dst, master.Ms)
		dst = binary.BigEndian.AppendUint64(dst, master.Seq)
		lp.Reset()
		appendNodeMaster(lp, len(node), node[0].Fields)
		for k := range node {
			appendNodeEntry(lp, &node[k], &node[0])
		}
		b := lp.Bytes()
		if b == nil || len(b) > listpackMax {
			return nil, invalid("stream node too large")
		}
		dst = e.appendBlob(dst, b)
		start = end
	}

	last := s.LastID
	var first StreamID
	if n := len(s.Entries); n > 0 {
		if compareID(last, s.Entries[n-1].ID) < 0 {
			last = s.Entries[n-1].ID
		}
		first = s.Entries[0].ID
	}
	dst = appendLen(dst, uint64(len(s.Entries)))
	dst = appendLen(dst, last.Ms)
	dst = appendLen(dst, last.Seq)
	if t != typeStreamListpacks {
		dst = appendLen(dst, first.Ms)
		dst = appendLen(dst, first.Seq)
		dst = appendLen(dst, s.MaxDeletedID.Ms)
		dst = appendLen(dst, s.MaxDeletedID.Seq)
		dst = appendLen(dst, max(s.EntriesAdded, uint64(len(s.Entries))))
	}
	dst = appendLen(dst, uint64(len(s.Groups)))
	var names compact.Dups
	for gi := range s.Groups {
		g := &s.Groups[gi]
		if names.AddBytes(g.Name) {
			return nil, invalid("duplicate consumer group %q", truncKey(g.Name))
		}
		var err error
		if dst, err = e.appendGroup(dst, t, g); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// appendNodeMaster appends a stream node's master entry: count live
// entries, none deleted, and the field names of fields (field, value,
// ...), the node's first entry's.
func appendNodeMaster(lp *compact.ListpackBuilder, count int, fields [][]byte) {
	lp.AppendInt(int64(count))
	lp.AppendInt(0)
	lp.AppendInt(int64(len(fields) / 2))
	for k := 0; k < len(fields); k += 2 {
		lp.AppendString(fields[k])
	}
	lp.AppendInt(0)
}

// appendNodeEntry appends en to a stream node whose master entry is
// first's: flags, the ID as a difference from the master's, then the
// values alone when the field names are the master's, else the fields
// and values, and the entry's element count.
func appendNodeEntry(lp *compact.ListpackBuilder, en, first *StreamEntry) {
	mf := first.Fields
	same := len(en.Fields) == len(mf)
	for k := 0; same && k < len(mf); k += 2 {
		same = string(en.Fields[k]) == string(mf[k])
	}
	flags := int64(0)
	if same {
		flags = streamFlagSameFields
	}
	lp.AppendInt(flags)
	lp.AppendInt(int64(en.ID.Ms - first.ID.Ms))
	lp.AppendInt(int64(en.ID.Seq - first.ID.Seq))
	n := len(en.Fields) / 2
	if same {
		for k := 1; k < len(en.Fields); k += 2 {
			lp.AppendString(en.Fields[k])
		}
		lp.AppendInt(int64(n + 3))
	} else {
		lp.AppendInt(int64(n))
		for _, f := range en.Fields {
			lp.AppendString(f)
		}
		lp.AppendInt(int64(2*n + 4))
	}
}

func (e *encoder) appendGroup(dst []byte, t byte, g *StreamGroup) ([]byte, error) {
	dst = e.appendString(dst, g.Name)
	dst = appendLen(dst, g.LastDeliveredID.Ms)
	dst = appendLen(dst, g.LastDeliveredID.Seq)
	if t != typeStreamListpacks {
		dst = appendLen(dst, uint64(g.EntriesRead))
	}
	pel := slices.Clone(g.Pending)
	slices.SortFunc(pel, func(a, b StreamPending) int { return compareID(a.ID, b.ID) })
	owner := make(map[StreamID][]byte, len(pel))
	dst = appendLen(dst, uint64(len(pel)))
	for i, p := range pel {
		if i > 0 && pel[i-1].ID == p.ID {
			return nil, invalid("group %q: duplicate pending entry %d-%d", truncKey(g.Name), p.ID.Ms, p.ID.Seq)
		}
		owner[p.ID] = p.Consumer
		dst = binary.BigEndian.AppendUint64(dst, p.ID.Ms)
		dst = binary.BigEndian.AppendUint64(dst, p.ID.Seq)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(p.DeliveryTimeMs))
		dst = appendLen(dst, p.DeliveryCount)
	}
	dst = appendLen(dst, uint64(len(g.Consumers)))
	e.dups.Reset()
	owned := 0
	for _, c := range g.Consumers {
		if e.dups.AddBytes(c.Name) {
			return nil, invalid("group %q: duplicate consumer %q", truncKey(g.Name), truncKey(c.Name))
		}
		dst = e.appendString(dst, c.Name)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(c.SeenTimeMs))
		if t == typeStreamListpacks3 {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.ActiveTimeMs))
		}
		ids := slices.Clone(c.Pending)
		slices.SortFunc(ids, compareID)
		dst = appendLen(dst, uint64(len(ids)))
		for i, id := range ids {
			o, ok := owner[id]
			if !ok || string(o) != string(c.Name) || i > 0 && ids[i-1] == id {
				return nil, invalid("group %q: consumer %q pending entry %d-%d is not in the group's PEL under that consumer",
					truncKey(g.Name), truncKey(c.Name), id.Ms, id.Seq)
			}
			owned++
			dst = binary.BigEndian.AppendUint64(dst, id.Ms)
			dst = binary.BigEndian.AppendUint64(dst, id.Seq)
		}
	}
	if owned != len(pel) {
		return nil, invalid("group %q: %d pending entries have no consumer", truncKey(g.Name), len(pel)-owned)
	}
	return dst, nil
}
