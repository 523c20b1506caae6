package keyspace

import (
	"errors"
	"io"
	"runtime"
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
// Every object carries the epoch in which it was created or last
// handed over (ver: 8 bytes that fill the 64-byte size class the object
// was allocated in anyway, so versioning costs no memory per key; 64
// bits never wrap). An object with ver < s.epoch
// holds the value its key had at snapshot s's instant, unless a writer
// handed that value to s already. Per snapshot there is one bit per
// shard (walked), and the shard in flight.
//
// The walk (Next) visits the shards in order. Under the read lock, for a
// moment proportional to one shard's keys, it notes the shard's (key,
// object) pairs without reading the objects, marks the shard walked and
// makes it the shard in flight; it then returns those of the snapshot's
// instant one by one, without any lock, encoding nothing: a string is
// returned in place, an aggregate as a view (its container, sharing its
// immutable member strings and list elements; see aggregate.view).
//
// Writers, before they change an object in place (private) or take one
// out of the keyspace (released), look at each open snapshot s that the
// object is old enough for:
//
//   - If s has not walked the object's shard, the writer hands the value
//     over to s (keep): a string is copied into s's pending buffer, whose
//     memory is reused; an aggregate is handed over as a view, or as
//     it is when it leaves the keyspace. It then stamps the object with
//     the current epoch, so that the walk skips it. Next returns what was
//     handed over before it walks on, so it is consumed at the rate the
//     consumer encodes.
//   - If the shard is in flight, a string is copied on write (the copy
//     replaces it in the keyspace; the walk returns the old one), which
//     is rare since a shard is in flight only while the consumer reads
//     it. For an aggregate, the writer makes sure that the walk has
//     taken its view, taking it itself if the walk has not reached it
//     (settle), and then changes it in place.
//   - If the shard is done, nothing.
//
// So a snapshot's memory is what writers handed over and Next has not
// returned yet, plus one shard's list of pointers. A big aggregate costs
// a writer at most one view of it, once per snapshot: a container of
// references, built at memory speed, never an encoding, which only the
// consumer does (BenchmarkSnapshotBigValue measures both).
//
// An object taken out of the keyspace is never changed again. (RENAME
// and MOVE move an object from key to key; they find it with
// lookupWrite, which stamps it, and a stamped object is never handed
// over as it is.)
//
// Concurrent snapshots each keep their own walk, bits and pending
// buffer; the epoch tells each which objects are newer than itself.
// FLUSHDB and FLUSHALL leave the old *db to the snapshots that noted it:
// nothing changes it any more, and it is freed with them.

// errSnapshotClosed is returned by Next after Close.
var errSnapshotClosed = errors.New("keyspace: snapshot closed")

type snapshot struct {
	m     *Memory
	epoch uint64
	now   int64    // keys expired at this instant are left out
	sizes []DBSize // at the instant
	dbs   []*db    // the databases at the instant, by number

	// walked has a bit per shard index (dbi<<shardBits | si): the walk
	// has noted the shard (or passed it empty). The walk sets bits with
	// the read lock held, writers read them with the write lock held.
	walked []uint64
	// inflight is the shard index whose objects the walk is returning,
	// or -1. Writers copy its strings instead of changing them, and
	// settle its aggregates first.
	inflight atomic.Int64
	closed   atomic.Bool

	mu       sync.Mutex   // guards pending, and batch against change
	pending  handed       // values writers handed over, not yet taken by Next
	npending atomic.Int64 // len(pending.recs), read by Next without the lock

	// The walk's state, under walk (Next and Close).
	walk  sync.Mutex
	pos   int     // next shard index to note
	batch []noted // the shard in flight
	bdb   int     // batch's database number
	bi    int     // next of batch to return
	taken handed  // pending values Next is returning
	ti    int     // next of taken to return
	e     rdb.Entry
	str   rdb.String // the value of e when it is a copy in taken
	key   []byte     // e.Key's memory for batch entries

	walkDone bool // every shard is walked
}

// noted is a key of the shard in flight and its object. For an
// aggregate, the walk or a writer, whichever comes first, takes its view
// and expiry (settle).
type noted struct {
	key   string
	o     *object
	state int32 // atomic: viewUntaken, viewTaking, viewTaken
	exp   int64
	v     rdb.Value // nil when the object is newer than the snapshot
}

const (
	viewUntaken = iota
	viewTaking
	viewTaken
)

// handed holds values writers handed over: records, and a buffer with
// their keys and copied strings.
type handed struct {
	recs []handedRec
	buf  []byte
}

type handedRec struct {
	db            int
	exp           int64
	off, key, end int       // buf[off:key] is the key, buf[key:end] the string when o and v are nil
	o             *object   // the value, when handed over as it is
	v             rdb.Value // the value, when handed over as a view
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
// stamped with the current epoch, or a copy of o (a string of a shard
// in flight) that has replaced it.
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
			if s.has(o.exp) {
				s.keep(s.dbNumber(idx), key, o, false)
			}
		case s.inflight.Load() == int64(idx):
			if o.typ == rdb.TypeString {
				cow = true
			} else {
				s.settleObject(o)
			}
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
		if idx, ok := s.shardIndex(dbi, d, si); ok && !s.isWalked(idx) && s.has(o.exp) {
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

// has reports whether a key expiring at exp (0: never) is in the
// snapshot as far as expiry goes: keys whose time had passed at its
// instant are left out.
func (s *snapshot) has(exp int64) bool { return exp == 0 || s.now <= exp }

// keep adds key's value o to the pending values: as it is when asIs is
// set, else a string copied and an aggregate as a view.
func (s *snapshot) keep(dbi int, key []byte, o *object, asIs bool) {
	var v rdb.Value
	if !asIs && o.typ != rdb.TypeString {
		v = o.view() // before taking the lock: it takes a while for a big value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pending
	r := handedRec{db: dbi, exp: o.exp, off: len(p.buf), v: v}
	p.buf = append(p.buf, key...)
	r.key = len(p.buf)
	switch {
	case asIs:
		r.o = o
	case v == nil:
		p.buf = append(p.buf, o.str...)
	}
	r.end = len(p.buf)
	p.recs = append(p.recs, r)
	s.npending.Store(int64(len(p.recs)))
}

// settleObject makes sure that the walk no longer reads the aggregate o
// of the shard in flight, so that it can change: it takes o's view for
// the walk unless the walk has. The caller holds the write lock.
func (s *snapshot) settleObject(o *object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A scan: rare (once per object and snapshot, for the shard in
	// flight only), and it spares the walk a look at every object while
	// it holds the read lock.
	for i := range s.batch {
		if s.batch[i].o == o {
			s.settle(&s.batch[i])
			return
		}
	}
}

// settle takes n's view and expiry, unless the walk or a writer has or
// is taking them; then it waits until they are taken.
func (s *snapshot) settle(n *noted) {
	if atomic.CompareAndSwapInt32(&n.state, viewUntaken, viewTaking) {
		if n.o.ver.Load() < s.epoch { // else newer: left out
			n.exp, n.v = n.o.exp, n.o.view()
		}
		atomic.StoreInt32(&n.state, viewTaken)
		return
	}
	for atomic.LoadInt32(&n.state) != viewTaken {
		runtime.Gosched()
	}
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
			if e := s.notedEntry(n); e != nil {
				return e, nil
			}
			continue
		}
		// The consumer is done with the shard in flight.
		s.inflight.Store(-1)
		s.mu.Lock()
		clear(s.batch)
		s.batch, s.bi = s.batch[:0], 0
		s.mu.Unlock()
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
	if s.npending.Load() == 0 {
		return false // without the lock, which writers take to hand over
	}
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
	s.npending.Store(0)
	s.ti = 0
	return true
}

// maxSpareBuf bounds the pending buffer memory a snapshot keeps for reuse.
const maxSpareBuf = 1 << 20

// note makes the next shard that holds keys the shard in flight, with
// its keys in batch; it reports false at the end.
func (s *snapshot) note() bool {
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
		// Only the map is read here, not the objects, so as to hold the
		// lock briefly.
		for k, o := range sh.m {
			s.batch = append(s.batch, noted{key: k, o: o})
		}
		s.bdb = s.dbNumber(idx)
		s.inflight.Store(int64(idx))
		return true
	}
	return false
}

// notedEntry returns n's entry, or nil when n is not the snapshot's.
// While n's shard is in flight, a string older than the snapshot does
// not change (writers copy it) and a newer one may, but then only its
// (atomic) ver is read; an aggregate is read through settle.
func (s *snapshot) notedEntry(n *noted) *rdb.Entry {
	var exp int64
	var v rdb.Value
	if n.o.typ == rdb.TypeString {
		if n.o.ver.Load() >= s.epoch {
			return nil
		}
		exp, v = n.o.exp, n.o.view()
	} else {
		s.settle(n)
		exp, v = n.exp, n.v
	}
	if v == nil || !s.has(exp) {
		return nil
	}
	s.key = append(s.key[:0], n.key...)
	s.e = rdb.Entry{DB: s.bdb, Key: s.key, ExpireAt: exp, Idle: -1, Freq: -1, Value: v}
	return &s.e
}

func (s *snapshot) handedEntry(r *handedRec) *rdb.Entry {
	b := s.taken.buf
	s.e = rdb.Entry{DB: r.db, Key: b[r.off:r.key:r.key], ExpireAt: r.exp, Idle: -1, Freq: -1}
	switch {
	case r.v != nil:
		s.e.Value = r.v
	case r.o != nil:
		s.e.Value = r.o.view()
	default:
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
