package rdb

import (
	"bytes"
	"cmp"
	"math"
	"slices"

	"github.com/aofrdb/aofrdb/internal/compact"
)

// Stream entry flags in node listpacks.
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

func compareID(a, b StreamID) int {
	if c := cmp.Compare(a.Ms, b.Ms); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

func (d *decoder) readStream(t byte) (Value, error) {
	nodes, err := d.readLen()
	if err != nil {
		return nil, err
	}
	s := &Stream{}
	var prev []byte
	sorted := true
	for ; nodes > 0; nodes-- {
		ks := d.offset()
		key, err := d.readString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, d.errAt(ks, ErrCorrupt, "stream node key entry is not the size of a stream ID (%d bytes)", len(key))
		}
		if prev != nil {
			switch bytes.Compare(prev, key) {
			case 0:
				return nil, d.errAt(ks, ErrCorrupt, "stream listpack re-added with existing key")
			case 1:
				sorted = false
			}
		}
		prev = key
		blob, start, err := d.readBlob()
		if err != nil {
			return nil, err
		}
		d.elems = d.elems[:0]
		if _, err := compact.ListpackEach(blob, func(e compact.Element) error {
			d.elems = append(d.elems, e)
			return nil
		}); err != nil {
			return nil, d.compactErr(start, "stream listpack", err)
		}
		if len(d.elems) == 0 {
			return nil, d.errAt(start, ErrCorrupt, "empty listpack inside stream")
		}
		if err := d.parseStreamNode(s, streamID(key), d.elems, start); err != nil {
			return nil, err
		}
	}
	clear(d.elems) // drop references to the blobs
	if !sorted {
		slices.SortStableFunc(s.Entries, func(a, b StreamEntry) int { return compareID(a.ID, b.ID) })
	}

	var meta [8]uint64
	n := 3
	if t != typeStreamListpacks {
		n = 8
	}
	metaStart := d.offset()
	for i := range n {
		if meta[i], err = d.readLen(); err != nil {
			return nil, err
		}
	}
	s.Length = meta[0]
	s.LastID = StreamID{meta[1], meta[2]}
	if t != typeStreamListpacks {
		s.FirstID = StreamID{meta[3], meta[4]}
		s.MaxDeletedID = StreamID{meta[5], meta[6]}
		s.EntriesAdded = meta[7]
	} else {
		s.EntriesAdded = s.Length
		if len(s.Entries) > 0 {
			s.FirstID = s.Entries[0].ID
		} else {
			// Redis's streamGetEdgeID finds no entry and gives the
			// greatest ID.
			s.FirstID = StreamID{math.MaxUint64, math.MaxUint64}
		}
	}
	if s.Length != 0 && prev == nil {
		return nil, d.errAt(metaStart, ErrCorrupt, "stream length %d inconsistent with no listpack nodes", s.Length)
	}

	groups, err := d.readLen()
	if err != nil {
		return nil, err
	}
	var names compact.Dups
	for ; groups > 0; groups-- {
		gs := d.offset()
		g, err := d.readGroup(t, s)
		if err != nil {
			return nil, err
		}
		if names.AddBytes(g.Name) {
			return nil, d.errAt(gs, ErrCorrupt, "duplicated consumer group name %q", truncKey(g.Name))
		}
		s.Groups = append(s.Groups, g)
	}
	return s, nil
}

// parseStreamNode decodes a node listpack (section 1.8) into s.Entries,
// checking what Redis's deep stream listpack validation checks.
func (d *decoder) parseStreamNode(s *Stream, master StreamID, el []compact.Element, start int64) error {
	bad := func(what string) error {
		return d.errAt(start, ErrCorrupt, "stream listpack integrity check failed: %s", what)
	}
	i := 0
	getInt := func() (int64, bool) {
		if i >= len(el) {
			return 0, false
		}
		e := el[i]
		i++
		if e.IsInt {
			return e.Int, true
		}
		return compact.ParseInt(e.Str)
	}
	count, ok1 := getInt()
	deleted, ok2 := getInt()
	nf, ok3 := getInt()
	if !ok1 || !ok2 || !ok3 || count < 0 || deleted < 0 || nf < 0 || nf > int64(len(el)-i) {
		return bad("bad master entry")
	}
	mf := make([][]byte, nf)
	for j := range mf {
		mf[j] = d.text(el[i])
		i++
	}
	if z, ok := getInt(); !ok || z != 0 {
		return bad("master entry not terminated by 0")
	}
	total := count + deleted
	if total < 0 || total > int64(len(el)) {
		return bad("entry count exceeds the listpack")
	}
	for ; total > 0; total-- {
		flags, ok1 := getInt()
		msd, ok2 := getInt()
		seqd, ok3 := getInt()
		if !ok1 || !ok2 || !ok3 {
			return bad("bad entry header")
		}
		fields := nf
		own := flags&streamFlagSameFields == 0
		need := fields
		if own {
			var ok bool
			if fields, ok = getInt(); !ok || fields < 0 || fields > int64(len(el)) {
				return bad("bad entry field count")
			}
			need = 2 * fields
		}
		if need > int64(len(el)-i) {
			return bad("entry runs past the listpack")
		}
		live := flags&streamFlagDeleted == 0
		var fs [][]byte
		if live {
			fs = make([][]byte, 0, 2*fields)
		}
		for j := range fields {
			if own {
				if live {
					fs = append(fs, d.text(el[i]), d.text(el[i+1]))
				}
				i += 2
			} else {
				if live {
					fs = append(fs, mf[j], d.text(el[i]))
				}
				i++
			}
		}
		want := fields + 3
		if own {
			want = 2*fields + 4
		}
		if lc, ok := getInt(); !ok || lc != want {
			return bad("entry lp-count mismatch")
		}
		if live {
			id := StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
			s.Entries = append(s.Entries, StreamEntry{ID: id, Fields: fs})
		}
	}
	if i != len(el) {
		return bad("elements after the last entry")
	}
	return nil
}

func (d *decoder) readGroup(t byte, s *Stream) (StreamGroup, error) {
	var g StreamGroup
	var err error
	if g.Name, err = d.readString(); err != nil {
		return g, err
	}
	ms, err := d.readLen()
	if err != nil {
		return g, err
	}
	seq, err := d.readLen()
	if err != nil {
		return g, err
	}
	g.LastDeliveredID = StreamID{ms, seq}
	if t != typeStreamListpacks {
		er, err := d.readLen()
		if err != nil {
			return g, err
		}
		g.EntriesRead = int64(er)
	} else {
		g.EntriesRead = estimateEntriesRead(s, g.LastDeliveredID)
	}

	n, c, err := d.count()
	if err != nil {
		return g, err
	}
	var index map[StreamID]int
	if n > 0 {
		index = make(map[StreamID]int, c)
		g.Pending = make([]StreamPending, 0, c)
	}
	for ; n > 0; n-- {
		ps := d.offset()
		p, err := d.next(16)
		if err != nil {
			return g, err
		}
		id := streamID(p)
		dt, err := d.readMillis()
		if err != nil {
			return g, err
		}
		dc, err := d.readLen()
		if err != nil {
			return g, err
		}
		if _, dup := index[id]; dup {
			return g, d.errAt(ps, ErrCorrupt, "duplicated global PEL entry %d-%d in consumer group %q", id.Ms, id.Seq, truncKey(g.Name))
		}
		index[id] = len(g.Pending)
		g.Pending = append(g.Pending, StreamPending{ID: id, DeliveryTimeMs: dt, DeliveryCount: dc})
	}
	owner := make([]int, len(g.Pending))
	for i := range owner {
		owner[i] = -1
	}

	n, c, err = d.count()
	if err != nil {
		return g, err
	}
	if n > 0 {
		g.Consumers = make([]StreamConsumer, 0, c)
	}
	d.dups.Reset()
	for ; n > 0; n-- {
		cs := d.offset()
		var sc StreamConsumer
		if sc.Name, err = d.readString(); err != nil {
			return g, err
		}
		if d.dups.AddBytes(sc.Name) {
			return g, d.errAt(cs, ErrCorrupt, "duplicate stream consumer %q", truncKey(sc.Name))
		}
		if sc.SeenTimeMs, err = d.readMillis(); err != nil {
			return g, err
		}
		sc.ActiveTimeMs = sc.SeenTimeMs
		if t == typeStreamListpacks3 {
			if sc.ActiveTimeMs, err = d.readMillis(); err != nil {
				return g, err
			}
		}
		pn, pc, err := d.count()
		if err != nil {
			return g, err
		}
		if pn > 0 {
			sc.Pending = make([]StreamID, 0, pc)
		}
		me := len(g.Consumers)
		for ; pn > 0; pn-- {
			ps := d.offset()
			p, err := d.next(16)
			if err != nil {
				return g, err
			}
			id := streamID(p)
			k, ok := index[id]
			if !ok {
				return g, d.errAt(ps, ErrCorrupt, "consumer PEL entry %d-%d not found in group global PEL", id.Ms, id.Seq)
			}
			if owner[k] == me {
				return g, d.errAt(ps, ErrCorrupt, "duplicated consumer PEL entry %d-%d", id.Ms, id.Seq)
			}
			owner[k] = me
			g.Pending[k].Consumer = sc.Name
			sc.Pending = append(sc.Pending, id)
		}
		g.Consumers = append(g.Consumers, sc)
	}
	for k, o := range owner {
		if o < 0 {
			id := g.Pending[k].ID
			return g, d.corrupt("stream consumer group %q PEL entry %d-%d without consumer", truncKey(g.Name), id.Ms, id.Seq)
		}
	}
	return g, nil
}

// estimateEntriesRead derives a type-15 group's entries-read counter as
// Redis's streamEstimateDistanceFromFirstEverEntry does.
func estimateEntriesRead(s *Stream, id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	cmpLast := compareID(id, s.LastID)
	if s.Length == 0 && cmpLast < 1 {
		return int64(s.EntriesAdded)
	}
	if cmpLast == 0 {
		return int64(s.EntriesAdded)
	}
	if cmpLast > 0 {
		return -1
	}
	zero := StreamID{}
	if s.MaxDeletedID == zero || compareID(s.MaxDeletedID, s.FirstID) < 0 {
		switch compareID(id, s.FirstID) {
		case -1:
			return int64(s.EntriesAdded - s.Length)
		case 0:
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return -1
}
