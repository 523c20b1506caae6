package rdb

// This file is the value model that the RDB reader yields and the writer
// takes. The keyspace, the AOF rewriter and the command-line tool share it,
// so it holds data, not encodings: a list is its elements whatever
// encoding Redis used on disk (linked list, ziplist, quicklist 1 or 2,
// listpack), a hash its fields, and so on.
//
// Byte slices in values the Reader returns belong to the caller: the Reader
// does not reuse them.

import "bytes"

// Type is a Redis data type, as TYPE reports it.
type Type uint8

const (
	TypeString Type = iota + 1
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
	TypeModule
)

var typeNames = [...]string{
	TypeString: "string",
	TypeList:   "list",
	TypeSet:    "set",
	TypeZSet:   "zset",
	TypeHash:   "hash",
	TypeStream: "stream",
	TypeModule: "module",
}

// String returns the name TYPE gives: "string", "list", "set", "zset",
// "hash", "stream", or "module".
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "unknown"
}

// Value is the value of one key: a String, List, Set, ZSet, Hash, *Stream
// or *Module.
//
// A producer that hands out many entries without allocating for each one
// (a keyspace snapshot) may also put a *String there, pointing into
// memory it reuses: boxing a String in an interface allocates, boxing a
// pointer does not. The writers of this module accept it as the String
// it points to; Plain and Entry.Clone turn it into a String.
type Value interface {
	Type() Type
}

// IsEmptyAggregate reports whether v is a list, set, sorted set or hash
// without elements: Redis skips such keys when it loads a file.
func IsEmptyAggregate(v Value) bool {
	switch v := v.(type) {
	case List:
		return len(v) == 0
	case Set:
		return len(v) == 0
	case ZSet:
		return len(v) == 0
	case Hash:
		return len(v) == 0
	}
	return false
}

// Plain returns v, or the String v points to when v is a *String.
func Plain(v Value) Value {
	if p, ok := v.(*String); ok && p != nil {
		return *p
	}
	return v
}

// String is a Redis string. Integer-encoded strings in a file are returned
// as their canonical decimal text, as Redis returns them.
type String []byte

// List is a list's elements in order, head first.
type List [][]byte

// Set is a set's members, in no particular order, without duplicates.
type Set [][]byte

// ZSet is a sorted set's members, without duplicate members. The reader
// returns them in file order; writers take any order.
type ZSet []ZMember

// ZMember is a sorted-set member and its score. Scores are never NaN.
type ZMember struct {
	Member []byte
	Score  float64
}

// Hash is a hash's fields, in no particular order, without duplicate fields.
type Hash []HashField

// HashField is a hash field, its value, and its expiry (Redis 7.4 field
// TTLs) as unix milliseconds, 0 for none.
type HashField struct {
	Field    []byte
	Value    []byte
	ExpireAt int64
}

// StreamID is a stream entry ID, <ms>-<seq>.
type StreamID struct {
	Ms  uint64
	Seq uint64
}

// Stream is a stream with its metadata and consumer groups, as RDB types
// 15, 19 and 21 hold it. For type 15 files, which lack some metadata, the
// reader derives it as Redis does (EntriesAdded = Length, MaxDeletedID
// 0-0, FirstID the first entry's).
type Stream struct {
	Entries      []StreamEntry // live entries in ID order
	Length       uint64        // number of live entries (== len(Entries))
	LastID       StreamID      // last generated ID
	FirstID      StreamID      // first live entry ID, 0-0 when empty
	MaxDeletedID StreamID      // greatest ID ever deleted
	EntriesAdded uint64        // entries ever added
	Groups       []StreamGroup
}

// StreamEntry is one stream entry: its ID and its fields and values,
// alternating (field, value, field, value, ...).
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name            []byte
	LastDeliveredID StreamID
	// EntriesRead is the group's entries-read counter; -1 when unknown
	// (Redis's SCG_INVALID_ENTRIES_READ).
	EntriesRead int64
	Pending     []StreamPending // the group's PEL, in ID order
	Consumers   []StreamConsumer
}

// StreamPending is an entry of a group's pending entries list.
type StreamPending struct {
	ID             StreamID
	Consumer       []byte
	DeliveryTimeMs int64 // unix ms of the last delivery
	DeliveryCount  uint64
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name         []byte
	SeenTimeMs   int64      // unix ms of the last interaction
	ActiveTimeMs int64      // unix ms of the last successful read; = SeenTimeMs before RDB 11
	Pending      []StreamID // IDs of the group's PEL this consumer owns, in ID order
}

// Module is a module value (RDB type 7), kept opaque: the module type's
// 64-bit ID (its 9-character name and 10-bit encoding version) and the raw
// opcode stream that follows it in the file, up to and including the EOF
// opcode, so a writer can write it back unchanged.
type Module struct {
	ID   uint64
	Data []byte
}

func (String) Type() Type  { return TypeString }
func (List) Type() Type    { return TypeList }
func (Set) Type() Type     { return TypeSet }
func (ZSet) Type() Type    { return TypeZSet }
func (Hash) Type() Type    { return TypeHash }
func (*Stream) Type() Type { return TypeStream }
func (*Module) Type() Type { return TypeModule }

// Entry is one key of a data set: where it lives, when it expires, and its
// value.
type Entry struct {
	DB       int
	Key      []byte
	ExpireAt int64 // unix milliseconds; 0 means no expiry
	// Expired is set by the Reader when ExpireAt is before the reader's
	// load time (ReaderOptions.Now): Redis's master drops such keys when
	// it loads an RDB (but keeps them in an AOF base).
	Expired bool
	Idle    int64 // LRU idle time in seconds from an IDLE opcode, -1 if none
	Freq    int   // LFU counter from a FREQ opcode, -1 if none
	Value   Value
}

// Clone returns a deep copy of e that shares no memory with it; a
// *String value becomes a String. Use it to keep an entry that its
// producer only lends (see Value).
func (e *Entry) Clone() *Entry {
	n := *e
	n.Key = bytes.Clone(e.Key)
	n.Value = CloneValue(e.Value)
	return &n
}

// CloneValue returns a deep copy of v; a *String becomes a String.
func CloneValue(v Value) Value {
	switch v := v.(type) {
	case String:
		return String(bytes.Clone(v))
	case *String:
		if v == nil {
			return v
		}
		return String(bytes.Clone(*v))
	case List:
		return List(cloneAll(v))
	case Set:
		return Set(cloneAll(v))
	case ZSet:
		n := make(ZSet, len(v))
		for i, m := range v {
			n[i] = ZMember{Member: bytes.Clone(m.Member), Score: m.Score}
		}
		return n
	case Hash:
		n := make(Hash, len(v))
		for i, f := range v {
			n[i] = HashField{Field: bytes.Clone(f.Field), Value: bytes.Clone(f.Value), ExpireAt: f.ExpireAt}
		}
		return n
	case *Stream:
		if v == nil {
			return v
		}
		return v.Clone()
	case *Module:
		if v == nil {
			return v
		}
		return &Module{ID: v.ID, Data: bytes.Clone(v.Data)}
	}
	return v
}

// Clone returns a deep copy of s.
func (s *Stream) Clone() *Stream {
	n := *s
	n.Entries = make([]StreamEntry, len(s.Entries))
	for i, e := range s.Entries {
		n.Entries[i] = StreamEntry{ID: e.ID, Fields: cloneAll(e.Fields)}
	}
	n.Groups = make([]StreamGroup, len(s.Groups))
	for i, g := range s.Groups {
		g.Name = bytes.Clone(g.Name)
		g.Pending = append([]StreamPending(nil), g.Pending...)
		for j := range g.Pending {
			g.Pending[j].Consumer = bytes.Clone(g.Pending[j].Consumer)
		}
		g.Consumers = append([]StreamConsumer(nil), g.Consumers...)
		for j := range g.Consumers {
			g.Consumers[j].Name = bytes.Clone(g.Consumers[j].Name)
			g.Consumers[j].Pending = append([]StreamID(nil), g.Consumers[j].Pending...)
		}
		n.Groups[i] = g
	}
	return &n
}

// cloneAll returns a deep copy of a slice of byte slices; nil elements
// become empty ones.
func cloneAll(s [][]byte) [][]byte {
	n := make([][]byte, len(s))
	for i, b := range s {
		n[i] = append([]byte{}, b...)
	}
	return n
}
