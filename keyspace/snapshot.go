package keyspace

import (
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aofrdb/aofrdb/rdb"
)

// Snapshots without fork and without a copy of the data.
//
// Starting a snapshot takes the write lock for O(number of databases):
// it bumps the keyspace's epoch, notes the databases (the *db structs,
// which FLUSHDB and FLUSHALL replace rather than empty, and SWAPDB
// swaps) and their key counts, and nothing else.
//
// Every object carries the epoch in which it was created, or last
// handed over, in a field that fills padding (object stays 56 bytes):
// an object with ver < s.epoch holds the value its key had at snapshot
// s's instant, unless a writer handed that value to s already.
//
// The walk (Next) visits the shards in order. Under the read lock, for a
// moment that is proportional to one shard's keys and copies nothing, it
// notes the (key, object) pairs of the next shard that the snapshot
// needs, marks the shard walked, and makes it s's shard in flight; it then
// returns those entries without any lock, encoding nothing and sharing
// the objects' memory. Until the walk moves past the shard in flight, a
// writer that would change one of its objects in place changes a copy
// instead (copy on write, see private); the copy is rare, since a shard
// is in flight only while the consumer encodes it.
//
// A writer about to change or remove a key in a shard the walk has not
// reached (and whose object is older than the snapshot) first hands the
// key's value to the snapshot (keep): a string is copied into the
// snapshot's pending buffer, which reuses its memory; an aggregate is
// handed over as it is, and the keyspace goes on with a copy when the
// change is in place. The writer then stamps the object with the
// current epoch, so the walk skips it. Next returns pending values
// before walking on, so what writers hand over is consumed at the rate
// the consumer encodes, and the memory a snapshot holds is what it has
// been handed and not yet returned, plus one shard's list of pointers.
//
// A big value costs a writer at most one copy of it, when it changes an
// aggregate that a snapshot has not reached: copying (with memmove and
// allocation) is far cheaper than encoding, which only the consumer
// does, and it happens once per snapshot per key. A big string is
// copied into the pending buffer the same way.
//
// A removed key's object is handed over as it is, without a copy: an
// object taken out of the keyspace is never changed again. (RENAME and
// MOVE move an object from key to key; they find it with lookupWrite,
// which stamps it, and a stamped object is never handed over.)
//
// Concurrent snapshots each keep their own walk, shard marks and pending
// buffer; the epoch tells each which objects are newer than itself.
// FLUSHDB and FLUSHALL leave the old *db to the snapshots that noted it:
// nothing changes it any more, and it is freed with them.

// errSnapshotClosed is returned by Next after Close.
var errSnapshotClosed = errors.New("keyspace: snapshot closed")

type snapshot struct {
	m     *Memory
	epoch uint32
	now   int64    // keys expired at this instant are left out
	sizes []DBSize // at the instant
	dbs   []*db    // the databases at the instant, by number

	// walked has a bit per shard index (dbi<<shardBits | si): the walk
	// has noted the shard (or passed it empty). The walk sets bits with
	// the read lock held, writers read them with the write lock held.
	walked []uint64
	// inflight is the shard index whose objects the walk is returning,
	// or -1. Writers copy those objects instead of changing them.
	inflight atomic.Int64
	closed   atomic.Bool

	mu      sync.Mutex // guards pending
	pending handed     // values writers handed over, not yet taken by Next

	// The walk's state, under walk (Next and Close).
	walk  sync.Mutex
	pos   int     // next shard index to note
	batch []noted // the shard in flight
	bdb   int     // its database number
	bi    int     // next of batch to return
	taken handed  // pending values Next is returning
	ti    int     // next of taken to return
	e     rdb.Entry
	str   rdb.String // the value of e when it is a copy in taken
	key   []byte     // e.Key's memory for batch entries

	walkDone bool // every shard is walked
}

// noted is a key of the shard in flight and its object.
type noted struct {
	key string
	o   *object
}

// handed holds values writers handed over: records, and a buffer with
// their keys and copied strings.
type handed struct {
	recs []handedRec
	buf  []byte
}

type handedRec struct {
	db            int
	exp           int64
	off, key, end int     // buf[off:key] is the key, buf[key:end] the string when o is nil
	o             *object // the value, when handed over as it is
}

func shardCount(dbs int) int { return dbs << shardBits }

// Snapshot returns a point-in-time view; see Keyspace.
func (m *Memory) Snapshot() (Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epoch++
	s := &snapshot{
		m:      m,
		epoch:  m.epoch,
		now:    m.clock().UnixMilli(),
		sizes:  make([]DBSize, len(m.dbs)),
		dbs:    slices.Clone(m.dbs),
		walked: make([]uint64, (shardCount(len(m.dbs))+63)/64),
	}
	s.inflight.Store(-1)
	for i, d := range m.dbs {
		s.sizes[i] = DBSize{Keys: uint64(d.keys), Expires: uint64(d.expires)}
	}
	m.snaps = append(m.snaps, s)
	return s, nil
}

// private is called, with the write lock held, before the object o of
// key in database dbi is changed in place. It hands o's value to every
// open snapshot that needs it and returns the object to change: o,
// stamped with the current epoch, or a copy of o that has replaced it
// when a snapshot goes on reading o.
func (m *Memory) private(dbi int, key []byte, o *object) *object {
	ver := o.ver.Load()
	if len(m.snaps) == 0 || ver == m.epoch {
		return o
	}
	d := m.dbs[dbi]
	si := shardOf(key)
	cow := false
	for _, s := range m.snaps {
		if ver >= s.epoch {
			continue // newer than s: not s's
		}
		idx, ok := s.shardIndex(dbi, d, si)
		switch {
		case !ok:
			// d was created after s.
		case !s.isWalked(idx):
			if s.has(o) {
				s.keep(s.dbNumber(idx), key, o, o.typ != rdb.TypeString)
				cow = cow || o.typ != rdb.TypeString
			}
		case s.inflight.Load() == int64(idx):
			cow = true
		}
	}
	if cow {
		n := o.clone()
		n.ver.Store(m.epoch)
		d.shards[si].m[string(key)] = n
		return n
	}
	o.ver.Store(m.epoch)
	return o
}

// released is called, with the write lock held, before the object o of
// key in database dbi is taken out of the keyspace (deleted, or replaced
// by another object). It hands o, as it is, to every open snapshot that
// needs it and has not reached its shard.
func (m *Memory) released(dbi int, key []byte, o *object) {
	ver := o.ver.Load()
	if len(m.snaps) == 0 || ver == m.epoch {
		return
	}
	d := m.dbs[dbi]
	si := shardOf(key)
	for _, s := range m.snaps {
		if ver >= s.epoch {
			continue
		}
		if idx, ok := s.shardIndex(dbi, d, si); ok && !s.isWalked(idx) && s.has(o) {
			s.keep(s.dbNumber(idx), key, o, true)
		}
	}
}

// shardIndex returns the index in s of shard si of d, which is now
// database dbi, or false when d is newer than s.
func (s *snapshot) shardIndex(dbi int, d *db, si int) (int, bool) {
	if dbi < len(s.dbs) && s.dbs[dbi] == d {
		return dbi<<shardBits | si, true
	}
	for i, sd := range s.dbs { // SWAPDB moved d
		if sd == d {
			return i<<shardBits | si, true
		}
	}
	return 0, false
}

func (s *snapshot) dbNumber(idx int) int { return idx >> shardBits }

func (s *snapshot) isWalked(idx int) bool { return s.walked[idx/64]&(1<<(idx%64)) != 0 }

// has reports whether o is in the snapshot as far as expiry goes: keys
// whose time had passed at its instant are left out.
func (s *snapshot) has(o *object) bool { return o.exp == 0 || s.now <= o.exp }

// keep adds key's value o to the pending values: as it is when asIs is
// set, else (a string) copied.
func (s *snapshot) keep(dbi int, key []byte, o *object, asIs bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return
	}
	p := &s.pending
	r := handedRec{db: dbi, exp: o.exp, off: len(p.buf)}
	p.buf = append(p.buf, key...)
	r.key = len(p.buf)
	if asIs {
		r.o = o
	} else {
		p.buf = append(p.buf, o.str...)
	}
	r.end = len(p.buf)
	p.recs = append(p.recs, r)
}

func (s *snapshot) Sizes() []DBSize { return slices.Clone(s.sizes) }

// Next returns the next entry; see Snapshot. The entry is the
// snapshot's, and valid until the next call: its value may be a
// *rdb.String (see rdb.Value) and may share memory with the keyspace.
func (s *snapshot) Next() (*rdb.Entry, error) {
	s.walk.Lock()
	defer s.walk.Unlock()
	for {
		if s.closed.Load() {
			return nil, errSnapshotClosed
		}
		// Values handed over first: they are what a snapshot holds.
		if s.ti < len(s.taken.recs) {
			r := &s.taken.recs[s.ti]
			s.ti++
			return s.handedEntry(r), nil
		}
		if s.takePending() {
			continue
		}
		if s.bi < len(s.batch) {
			n := &s.batch[s.bi]
			s.bi++
			return s.notedEntry(n), nil
		}
		// The consumer is done with the shard in flight.
		clear(s.batch)
		s.batch, s.bi = s.batch[:0], 0
		s.inflight.Store(-1)
		if s.walkDone {
			return nil, io.EOF
		}
		if !s.note() {
			// Every shard is walked, so no writer hands anything over
			// any more; what was handed over meanwhile is still to come.
			s.walkDone = true
		}
	}
}

// takePending swaps the pending values into taken, recycling taken's
// memory, and reports whether there were any.
func (s *snapshot) takePending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending.recs) == 0 {
		return false
	}
	clear(s.taken.recs) // drop the objects
	s.taken.recs, s.taken.buf = s.taken.recs[:0], s.taken.buf[:0]
	if cap(s.taken.buf) > maxSpareBuf {
		s.taken.buf = nil
	}
	s.taken, s.pending = s.pending, s.taken
	s.ti = 0
	return true
}

// maxSpareBuf bounds the pending buffer memory a snapshot keeps for reuse.
const maxSpareBuf = 1 << 20

// note makes the next shard that holds keys of the snapshot the shard
// in flight, with its keys in batch; it reports false at the end.
func (s *snapshot) note() bool {
	for {
		idx, ok := s.noteShard()
		if !ok {
			return false
		}
		// Outside the lock, drop the keys that are not the snapshot's: an
		// object older than the snapshot is not changed while its shard
		// is in flight (writers copy it), so its fields can be read; a
		// newer one may be changing, but only its (atomic) ver is read.
		keep := s.batch[:0]
		for _, n := range s.batch {
			if n.o.ver.Load() < s.epoch && s.has(n.o) {
				keep = append(keep, n)
			}
		}
		clear(s.batch[len(keep):])
		s.batch = keep
		if len(keep) > 0 {
			s.bdb = s.dbNumber(idx)
			return true
		}
		s.inflight.Store(-1)
	}
}

// noteShard, under the read lock, marks the next non-empty shard walked
// and in flight and puts its keys and objects in batch. It only reads
// the shard's map, not the objects, so as to hold the lock briefly.
func (s *snapshot) noteShard() (int, bool) {
	m := s.m
	m.mu.RLock()
	defer m.mu.RUnlock()
	for total := shardCount(len(s.dbs)); s.pos < total; {
		idx := s.pos
		s.pos++
		s.walked[idx/64] |= 1 << (idx % 64)
		sh := &s.dbs[idx>>shardBits].shards[idx&(1<<shardBits-1)]
		if len(sh.m) == 0 {
			continue
		}
		for k, o := range sh.m {
			s.batch = append(s.batch, noted{k, o})
		}
		s.inflight.Store(int64(idx))
		return idx, true
	}
	return 0, false
}

func (s *snapshot) notedEntry(n *noted) *rdb.Entry {
	s.key = append(s.key[:0], n.key...)
	s.e = rdb.Entry{DB: s.bdb, Key: s.key, ExpireAt: n.o.exp, Idle: -1, Freq: -1, Value: n.o.view()}
	return &s.e
}

func (s *snapshot) handedEntry(r *handedRec) *rdb.Entry {
	b := s.taken.buf
	s.e = rdb.Entry{DB: r.db, Key: b[r.off:r.key:r.key], ExpireAt: r.exp, Idle: -1, Freq: -1}
	if r.o != nil {
		s.e.Value = r.o.view()
	} else {
		s.str = b[r.key:r.end:r.end]
		s.e.Value = &s.str
	}
	return &s.e
}

func (s *snapshot) Close() error {
	m := s.m
	m.mu.Lock()
	if i := slices.Index(m.snaps, s); i >= 0 {
		m.snaps = slices.Delete(m.snaps, i, i+1)
	}
	s.closed.Store(true)
	m.mu.Unlock()

	s.mu.Lock()
	s.pending = handed{}
	s.mu.Unlock()
	s.walk.Lock()
	s.batch, s.taken, s.dbs = nil, handed{}, nil
	s.e, s.str, s.key = rdb.Entry{}, nil, nil
	s.walk.Unlock()
	return nil
}
