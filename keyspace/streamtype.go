package keyspace

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/aofrdb/aofrdb/internal/compact"
	"github.com/aofrdb/aofrdb/rdb"
)

// A stream is kept as Redis keeps it, in nodes: Redis's streamAppendItem
// fills a listpack per radix-tree node until it holds
// stream-node-max-entries entries (live or deleted) or its size plus the
// new entry's fields and values reaches stream-node-max-bytes. Approximate
// trimming (MAXLEN ~, MINID ~) removes whole nodes only, and XINFO
// reports the node count, so the nodes are reproduced exactly: each node
// knows the size its listpack has in Redis and keeps its deleted entries
// (with their IDs, which decide trims and edges) until the node goes.
//
// Entries are immutable once added: a deleted entry is marked by dropping
// its fields from the node's slice, never by changing the fields, so a
// view shares the fields of live entries.

// Redis's defaults for the stream node limits (redis.conf).
const (
	streamNodeMaxEntries = 100
	streamNodeMaxBytes   = 4096
	// streamListpackMaxSize is STREAM_LISTPACK_MAX_SIZE: the most bytes of
	// fields and values one entry may have.
	streamListpackMaxSize = 1 << 30
)

// streamID is a stream entry ID.
type streamID = rdb.StreamID

var (
	minStreamID = streamID{}
	maxStreamID = streamID{Ms: ^uint64(0), Seq: ^uint64(0)}
)

func compareStreamID(a, b streamID) int {
	if c := cmp.Compare(a.Ms, b.Ms); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// incrID returns id+1 and false when id is the greatest ID (then 0-0),
// as Redis's streamIncrID.
func incrID(id streamID) (streamID, bool) {
	switch {
	case id.Seq != ^uint64(0):
		id.Seq++
	case id.Ms != ^uint64(0):
		id.Ms++
		id.Seq = 0
	default:
		return streamID{}, false
	}
	return id, true
}

// decrID returns id-1 and false when id is 0-0 (then the greatest ID),
// as Redis's streamDecrID.
func decrID(id streamID) (streamID, bool) {
	switch {
	case id.Seq != 0:
		id.Seq--
	case id.Ms != 0:
		id.Ms--
		id.Seq = ^uint64(0)
	default:
		return maxStreamID, false
	}
	return id, true
}

// appendStreamID appends id's text form, <ms>-<seq>.
func appendStreamID(dst []byte, id streamID) []byte {
	dst = strconv.AppendUint(dst, id.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

func formatStreamID(id streamID) []byte { return appendStreamID(nil, id) }

// streamNode is one of Redis's listpack nodes.
type streamNode struct {
	// entries are the node's entries in ID order, deleted ones with nil
	// Fields.
	entries []rdb.StreamEntry
	// master is the fields and values of the first entry added to the
	// node: its field names are the node's master fields.
	master [][]byte
	live   int // entries not deleted
	size   int // the node's listpack size in Redis (lpBytes)
}

// stream is the in-memory stream value.
type stream struct {
	nodes        []*streamNode
	length       uint64
	lastID       streamID
	firstID      streamID // Redis's recorded first entry ID
	maxDeletedID streamID
	entriesAdded uint64
	groups       []*streamGroup // by name
}

// streamGroup is a consumer group.
type streamGroup struct {
	name        string
	lastID      streamID
	entriesRead int64             // -1 when unknown
	pel         []*streamNACK     // by ID
	consumers   []*streamConsumer // by name
}

// streamNACK is an entry of a group's pending entries list.
type streamNACK struct {
	id            streamID
	consumer      *streamConsumer
	deliveryTime  int64
	deliveryCount uint64
}

// streamConsumer is a consumer of a group. Its pending entries are the
// group's NACKs pointing at it.
type streamConsumer struct {
	name     string
	seenTime int64
	pending  int
}

// sameFields reports whether fields (field, value, ...) have the master
// fields' names.
func sameFields(master, fields [][]byte) bool {
	if len(master) != len(fields) {
		return false
	}
	for i := 0; i < len(fields); i += 2 {
		if string(master[i]) != string(fields[i]) {
			return false
		}
	}
	return true
}

// ---- entries ----

// appendEntry adds an entry with an ID greater than every ID in s, as
// streamAppendItem does (without the ID checks, which callers make).
func (s *stream) appendEntry(id streamID, fields [][]byte) {
	elen := 0
	for _, f := range fields {
		elen += len(f)
	}
	var n *streamNode
	if k := len(s.nodes); k > 0 {
		n = s.nodes[k-1]
		if n.size+elen >= streamNodeMaxBytes || len(n.entries) >= streamNodeMaxEntries {
			n = nil
		}
	}
	if n == nil {
		n = &streamNode{master: fields}
		n.size = 6 + 1 + compact.IntSize(1) + compact.IntSize(0) + compact.IntSize(int64(len(fields)/2)) + compact.IntSize(0)
		for i := 0; i < len(fields); i += 2 {
			n.size += compact.StringSize(fields[i])
		}
		s.nodes = append(s.nodes, n)
	}
	master := n.entries
	base := id
	if len(master) > 0 {
		base = master[0].ID
	}
	same := sameFields(n.master, fields)
	n.size += compact.IntSize(0) + compact.IntSize(int64(id.Ms-base.Ms)) + compact.IntSize(int64(id.Seq-base.Seq))
	nf := int64(len(fields) / 2)
	if same {
		for i := 1; i < len(fields); i += 2 {
			n.size += compact.StringSize(fields[i])
		}
		n.size += compact.IntSize(nf)
	} else {
		n.size += compact.IntSize(nf)
		for _, f := range fields {
			n.size += compact.StringSize(f)
		}
		n.size += compact.IntSize(2*nf + 1)
	}
	n.entries = append(n.entries, rdb.StreamEntry{ID: id, Fields: fields})
	n.live++
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// nodeFor returns the index of the node that would hold id: the last
// node whose first entry is at most id, or -1.
func (s *stream) nodeFor(id streamID) int {
	i, _ := slices.BinarySearchFunc(s.nodes, id, func(n *streamNode, id streamID) int {
		return compareStreamID(n.entries[0].ID, id)
	})
	// i is the first node whose first ID is >= id.
	if i < len(s.nodes) && s.nodes[i].entries[0].ID == id {
		return i
	}
	return i - 1
}

// find returns the node and position of the live entry id, or -1, -1,
// as streamEntryExists: the first live entry at or after id, in the
// nodes' order from the node that would hold id, must be id. (A node's
// deleted entries may have IDs greater than later live ones, after
// XSETID lowered the last ID, so nodes are scanned as Redis scans them.)
func (s *stream) find(id streamID) (int, int) {
	ni := 0
	if id != minStreamID {
		ni = max(s.nodeFor(id), 0)
	}
	for ; ni < len(s.nodes); ni++ {
		for j, e := range s.nodes[ni].entries {
			if e.Fields == nil || compareStreamID(e.ID, id) < 0 {
				continue
			}
			if e.ID == id {
				return ni, j
			}
			return -1, -1
		}
	}
	return -1, -1
}

// entry returns the live entry id.
func (s *stream) entry(id streamID) (rdb.StreamEntry, bool) {
	ni, j := s.find(id)
	if ni < 0 {
		return rdb.StreamEntry{}, false
	}
	return s.nodes[ni].entries[j], true
}

// remove deletes the live entry id, as streamDeleteItem: a node left
// without live entries goes.
func (s *stream) remove(id streamID) bool {
	ni, j := s.find(id)
	if ni < 0 {
		return false
	}
	n := s.nodes[ni]
	if n.live == 1 {
		s.nodes = slices.Delete(s.nodes, ni, ni+1)
	} else {
		n.entries[j].Fields = nil
		n.live--
	}
	s.length--
	return true
}

// each calls fn for the live entries from start to end (inclusive), in
// the nodes' order or reversed, until fn returns false. It iterates as
// Redis's stream iterator: from the node that would hold start (end when
// reversed), through every entry, stopping at the first live one past
// the range.
func (s *stream) each(start, end streamID, rev bool, fn func(e rdb.StreamEntry) bool) {
	if len(s.nodes) == 0 {
		return
	}
	if !rev {
		ni := 0
		if start != minStreamID {
			ni = max(s.nodeFor(start), 0)
		}
		for ; ni < len(s.nodes); ni++ {
			for _, e := range s.nodes[ni].entries {
				if e.Fields == nil || compareStreamID(e.ID, start) < 0 {
					continue
				}
				if compareStreamID(e.ID, end) > 0 || !fn(e) {
					return
				}
			}
		}
		return
	}
	ni := len(s.nodes) - 1
	if end != minStreamID {
		if i := s.nodeFor(end); i >= 0 {
			ni = i
		}
	}
	for ; ni >= 0; ni-- {
		es := s.nodes[ni].entries
		for j := len(es) - 1; j >= 0; j-- {
			e := es[j]
			if e.Fields == nil || compareStreamID(e.ID, end) > 0 {
				continue
			}
			if compareStreamID(e.ID, start) < 0 || !fn(e) {
				return
			}
		}
	}
}

// lastValid returns the last live entry's ID (0-0 when empty).
func (s *stream) lastValid() streamID {
	var id streamID
	s.each(minStreamID, maxStreamID, true, func(e rdb.StreamEntry) bool { id = e.ID; return false })
	return id
}

// firstValid returns the first live entry's ID, or the greatest ID when
// there is none (streamGetEdgeID).
func (s *stream) firstValid() streamID {
	id := maxStreamID
	s.each(minStreamID, maxStreamID, false, func(e rdb.StreamEntry) bool { id = e.ID; return false })
	return id
}

// firstAny returns the first entry's ID counting deleted ones, or the
// greatest ID when there is none (streamGetEdgeID without skipping
// tombstones).
func (s *stream) firstAny() streamID {
	if len(s.nodes) == 0 {
		return maxStreamID
	}
	return s.nodes[0].entries[0].ID
}

// trimArgs are the trimming options of XADD and XTRIM.
type trimArgs struct {
	strategy int // trimNone, trimMaxlen, trimMinID
	approx   bool
	maxlen   int64
	minID    streamID
	limit    int64 // 0: none
}

const (
	trimNone = iota
	trimMaxlen
	trimMinID
)

// trim trims s as streamTrim does and returns the number of entries
// removed.
func (s *stream) trim(a *trimArgs) int64 {
	if a.strategy == trimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.strategy == trimMaxlen && s.length <= uint64(a.maxlen) {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.limit != 0 && deleted+entries > a.limit {
			break
		}
		var whole bool
		if a.strategy == trimMaxlen {
			whole = s.length-uint64(entries) >= uint64(a.maxlen)
		} else {
			whole = compareStreamID(n.entries[len(n.entries)-1].ID, a.minID) < 0
		}
		if whole {
			s.nodes = slices.Delete(s.nodes, 0, 1)
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.approx {
			break
		}
		for j := range n.entries {
			e := &n.entries[j]
			if a.strategy == trimMaxlen {
				if s.length <= uint64(a.maxlen) {
					break
				}
			} else if compareStreamID(e.ID, a.minID) >= 0 {
				break
			}
			if e.Fields != nil {
				e.Fields = nil
				n.live--
				s.length--
				deleted++
			}
		}
		break
	}
	if s.length == 0 {
		s.firstID = streamID{}
	} else if deleted != 0 {
		s.firstID = s.firstValid()
	}
	return deleted
}

// ---- groups and consumers ----

func (s *stream) group(name []byte) *streamGroup {
	i, ok := slices.BinarySearchFunc(s.groups, name, func(g *streamGroup, name []byte) int {
		return cmp.Compare(g.name, string(name))
	})
	if !ok {
		return nil
	}
	return s.groups[i]
}

// addGroup creates a group, or returns nil if it exists.
func (s *stream) addGroup(name []byte, id streamID, entriesRead int64) *streamGroup {
	i, ok := slices.BinarySearchFunc(s.groups, name, func(g *streamGroup, name []byte) int {
		return cmp.Compare(g.name, string(name))
	})
	if ok {
		return nil
	}
	g := &streamGroup{name: string(name), lastID: id, entriesRead: entriesRead}
	s.groups = slices.Insert(s.groups, i, g)
	return g
}

func (s *stream) deleteGroup(name []byte) bool {
	i, ok := slices.BinarySearchFunc(s.groups, name, func(g *streamGroup, name []byte) int {
		return cmp.Compare(g.name, string(name))
	})
	if ok {
		s.groups = slices.Delete(s.groups, i, i+1)
	}
	return ok
}

func (g *streamGroup) consumerIndex(name []byte) (int, bool) {
	return slices.BinarySearchFunc(g.consumers, name, func(c *streamConsumer, name []byte) int {
		return cmp.Compare(c.name, string(name))
	})
}

// consumer returns the named consumer or nil.
func (g *streamGroup) consumer(name []byte) *streamConsumer {
	i, ok := g.consumerIndex(name)
	if !ok {
		return nil
	}
	return g.consumers[i]
}

// addConsumer creates a consumer seen at now, or returns nil if it
// exists.
func (g *streamGroup) addConsumer(name []byte, now int64) *streamConsumer {
	i, ok := g.consumerIndex(name)
	if ok {
		return nil
	}
	return g.insertConsumer(i, name, now)
}

// insertConsumer creates a consumer at index i of g.consumers.
func (g *streamGroup) insertConsumer(i int, name []byte, now int64) *streamConsumer {
	c := &streamConsumer{name: string(name), seenTime: now}
	g.consumers = slices.Insert(g.consumers, i, c)
	return c
}

// seen returns the named consumer, seen at now, creating it if needed
// (created says so), as Redis's streamLookupConsumer and
// streamCreateConsumer do for the commands that name a consumer.
func (g *streamGroup) seen(name []byte, now int64) (c *streamConsumer, created bool) {
	i, ok := g.consumerIndex(name)
	if ok {
		c = g.consumers[i]
		c.seenTime = now
		return c, false
	}
	return g.insertConsumer(i, name, now), true
}

// deleteConsumer removes a consumer and its pending entries.
func (g *streamGroup) deleteConsumer(c *streamConsumer) {
	if c.pending > 0 {
		g.pel = slices.DeleteFunc(g.pel, func(n *streamNACK) bool { return n.consumer == c })
	}
	if i, ok := g.consumerIndex([]byte(c.name)); ok {
		g.consumers = slices.Delete(g.consumers, i, i+1)
	}
}

// pelIndex returns where id is or would be in the PEL.
func (g *streamGroup) pelIndex(id streamID) (int, bool) {
	return slices.BinarySearchFunc(g.pel, id, func(n *streamNACK, id streamID) int {
		return compareStreamID(n.id, id)
	})
}

func (g *streamGroup) nack(id streamID) *streamNACK {
	i, ok := g.pelIndex(id)
	if !ok {
		return nil
	}
	return g.pel[i]
}

// removeNACK removes id from the PEL, reporting whether it was there.
func (g *streamGroup) removeNACK(id streamID) bool {
	i, ok := g.pelIndex(id)
	if !ok {
		return false
	}
	if c := g.pel[i].consumer; c != nil {
		c.pending--
	}
	g.pel = slices.Delete(g.pel, i, i+1)
	return true
}

// insertNACK adds n to the PEL; its ID must not be there.
func (g *streamGroup) insertNACK(n *streamNACK) {
	i, _ := g.pelIndex(n.id)
	g.pel = slices.Insert(g.pel, i, n)
	if n.consumer != nil {
		n.consumer.pending++
	}
}

// setOwner moves n to consumer c.
func (n *streamNACK) setOwner(c *streamConsumer) {
	if n.consumer == c {
		return
	}
	if n.consumer != nil {
		n.consumer.pending--
	}
	n.consumer = c
	c.pending++
}

// ---- entries-read and lag ----

// hasTombstones reports whether entries may have been deleted between
// start and the end of the stream (streamRangeHasTombstones).
func (s *stream) hasTombstones(start streamID) bool {
	if s.length == 0 || s.maxDeletedID == minStreamID {
		return false
	}
	if compareStreamID(s.firstID, s.maxDeletedID) > 0 {
		return false
	}
	return compareStreamID(start, s.maxDeletedID) <= 0
}

// estimateEntriesRead is streamEstimateDistanceFromFirstEverEntry.
func (s *stream) estimateEntriesRead(id streamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && compareStreamID(id, s.lastID) < 1 {
		return int64(s.entriesAdded)
	}
	switch compareStreamID(id, s.lastID) {
	case 0:
		return int64(s.entriesAdded)
	case 1:
		return -1
	}
	if s.maxDeletedID == minStreamID || compareStreamID(s.maxDeletedID, s.firstID) < 0 {
		switch compareStreamID(id, s.firstID) {
		case -1:
			return int64(s.entriesAdded - s.length)
		case 0:
			return int64(s.entriesAdded - s.length + 1)
		}
	}
	return -1
}

// lag returns a group's lag, ok false when it cannot be known.
func (s *stream) lag(g *streamGroup) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.entriesRead != -1 && !s.hasTombstones(g.lastID) {
		return int64(s.entriesAdded) - g.entriesRead, true
	}
	if r := s.estimateEntriesRead(g.lastID); r != -1 {
		return int64(s.entriesAdded) - r, true
	}
	return 0, false
}

// ---- radix tree ----

// raxNodes returns the number of nodes of the radix tree in which Redis
// keeps the nodes, keyed by their first IDs as 16 big-endian bytes.
func (s *stream) raxNodes() int {
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		id := n.entries[0].ID
		for b := 0; b < 8; b++ {
			keys[i][b] = byte(id.Ms >> (56 - 8*b))
			keys[i][8+b] = byte(id.Seq >> (56 - 8*b))
		}
	}
	if len(keys) == 0 {
		return 1
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree at depth holding keys (sorted,
// distinct, sharing their first depth bytes): a compressed node for a
// run of bytes without a branch, a node per branch, a leaf per key.
func raxCount(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1
	}
	if len(keys) == 1 {
		return 2
	}
	l := depth
	first, last := &keys[0], &keys[len(keys)-1]
	for l < 16 && first[l] == last[l] {
		l++
	}
	if l > depth {
		return 1 + raxCount(keys, l)
	}
	n := 1
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		n += raxCount(keys[i:j], depth+1)
		i = j
	}
	return n
}

// ---- aggregate ----

// view returns the stream in the value model sharing the entries'
// fields and the names.
func (s *stream) view() rdb.Value {
	v := &rdb.Stream{
		Entries:      make([]rdb.StreamEntry, 0, s.length),
		Length:       s.length,
		LastID:       s.lastID,
		FirstID:      s.firstID,
		MaxDeletedID: s.maxDeletedID,
		EntriesAdded: s.entriesAdded,
	}
	for _, n := range s.nodes {
		for _, e := range n.entries {
			if e.Fields != nil {
				v.Entries = append(v.Entries, e)
			}
		}
	}
	if len(s.groups) > 0 {
		v.Groups = make([]rdb.StreamGroup, len(s.groups))
	}
	for i, g := range s.groups {
		rg := &v.Groups[i]
		rg.Name = bytesOf(g.name)
		rg.LastDeliveredID = g.lastID
		rg.EntriesRead = g.entriesRead
		rg.Pending = make([]rdb.StreamPending, len(g.pel))
		rg.Consumers = make([]rdb.StreamConsumer, len(g.consumers))
		idx := make(map[*streamConsumer]int, len(g.consumers))
		for j, c := range g.consumers {
			idx[c] = j
			rg.Consumers[j] = rdb.StreamConsumer{Name: bytesOf(c.name), SeenTimeMs: c.seenTime, ActiveTimeMs: c.seenTime}
			if c.pending > 0 {
				rg.Consumers[j].Pending = make([]rdb.StreamID, 0, c.pending)
			}
		}
		for j, n := range g.pel {
			rg.Pending[j] = rdb.StreamPending{ID: n.id, Consumer: bytesOf(n.consumer.name), DeliveryTimeMs: n.deliveryTime, DeliveryCount: n.deliveryCount}
			c := &rg.Consumers[idx[n.consumer]]
			c.Pending = append(c.Pending, n.id)
		}
	}
	return v
}

// export is view: the fields and names it shares never change.
func (s *stream) export() rdb.Value { return s.view() }

// clone returns a copy sharing only the immutable fields.
func (s *stream) clone() aggregate {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, n := range s.nodes {
		nn := *n
		nn.entries = slices.Clone(n.entries)
		c.nodes[i] = &nn
	}
	c.groups = make([]*streamGroup, len(s.groups))
	for i, g := range s.groups {
		ng := *g
		ng.consumers = make([]*streamConsumer, len(g.consumers))
		m := make(map[*streamConsumer]*streamConsumer, len(g.consumers))
		for j, sc := range g.consumers {
			nc := *sc
			ng.consumers[j] = &nc
			m[sc] = &nc
		}
		ng.pel = make([]*streamNACK, len(g.pel))
		for j, n := range g.pel {
			nn := *n
			nn.consumer = m[n.consumer]
			ng.pel[j] = &nn
		}
		c.groups[i] = &ng
	}
	return &c
}

// newStreamFrom builds a stream from the value model, splitting its
// entries into nodes as if they had been added one by one (the nodes of
// the file it came from are not known). It copies what it keeps.
func newStreamFrom(v *rdb.Stream) *stream {
	s := &stream{}
	for _, e := range v.Entries {
		s.appendEntry(e.ID, cloneFields(e.Fields))
	}
	s.lastID = v.LastID
	if s.length > 0 && compareStreamID(s.lastID, s.nodes[len(s.nodes)-1].entries[len(s.nodes[len(s.nodes)-1].entries)-1].ID) < 0 {
		s.lastID = s.nodes[len(s.nodes)-1].entries[len(s.nodes[len(s.nodes)-1].entries)-1].ID
	}
	s.maxDeletedID = v.MaxDeletedID
	s.entriesAdded = max(v.EntriesAdded, s.length)
	if s.length == 0 {
		s.firstID = streamID{}
	}
	for _, rg := range v.Groups {
		g := s.addGroup(rg.Name, rg.LastDeliveredID, rg.EntriesRead)
		if g == nil {
			continue
		}
		for _, rc := range rg.Consumers {
			g.addConsumer(rc.Name, rc.SeenTimeMs)
		}
		for _, p := range rg.Pending {
			c := g.consumer(p.Consumer)
			if c == nil {
				c = g.addConsumer(p.Consumer, p.DeliveryTimeMs)
			}
			if g.nack(p.ID) != nil {
				continue
			}
			g.insertNACK(&streamNACK{id: p.ID, consumer: c, deliveryTime: p.DeliveryTimeMs, deliveryCount: p.DeliveryCount})
		}
	}
	return s
}

// cloneFields copies fields into one allocation.
func cloneFields(fields [][]byte) [][]byte {
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(fields))
	for i, f := range fields {
		start := len(buf)
		buf = append(buf, f...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
