package keyspace

import (
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/aofrdb/aofrdb/rdb"
)

// Snapshots without fork or copy.
//
// Starting a snapshot records the key counts and nothing else: O(number
// of databases). The snapshot then walks the shards of every database in
// order, copying one shard at a time under the read lock. A writer about
// to change a shard that an open snapshot has not reached yet first
// copies that shard's current contents into the snapshot (touch): the
// snapshot keeps the shard as it was at its instant, and the writer goes
// on. A shard is copied at most once per snapshot, by whichever comes
// first; a bitmap per snapshot (one bit per shard) records which. Extra
// memory is what writers copied ahead of the walk and the walk has not
// yet consumed.

// errSnapshotClosed is returned by Next after Close.
var errSnapshotClosed = errors.New("keyspace: snapshot closed")

type snapshot struct {
	m     *Memory
	sizes []DBSize
	now   int64 // keys expired at this instant are left out

	mu       sync.Mutex
	done     []uint64                   // bit per shard index: copied (by a writer or the walk)
	captured map[int][]*rdb.Entry       // shards copied by writers, not yet walked
	detached map[int]map[string]*object // shards of flushed databases, not yet walked
	pos      int                        // next shard index the walk visits
	cur      []*rdb.Entry               // entries of the shard being returned
	closed   bool
}

func shardCount(dbs int) int { return dbs << shardBits }

// Snapshot returns a point-in-time view; see Keyspace.
func (m *Memory) Snapshot() (Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &snapshot{
		m:        m,
		sizes:    make([]DBSize, len(m.dbs)),
		now:      m.clock().UnixMilli(),
		done:     make([]uint64, (shardCount(len(m.dbs))+63)/64),
		captured: make(map[int][]*rdb.Entry),
		detached: make(map[int]map[string]*object),
	}
	for i, d := range m.dbs {
		s.sizes[i] = DBSize{Keys: uint64(d.keys), Expires: uint64(d.expires)}
	}
	m.snaps = append(m.snaps, s)
	return s, nil
}

// touch is called, with the write lock held, before shard si of database
// dbi changes: open snapshots that have not copied it yet copy it now.
func (m *Memory) touch(dbi, si int) {
	for _, s := range m.snaps {
		s.capture(dbi<<shardBits | si)
	}
}

// touchAll captures every shard of database dbi (FLUSHDB, SWAPDB).
func (m *Memory) touchAll(dbi int) {
	if len(m.snaps) == 0 {
		return
	}
	for si := 0; si < 1<<shardBits; si++ {
		m.touch(dbi, si)
	}
}

// handOff gives open snapshots the shards of database dbi, which is
// about to be replaced by an empty one (FLUSHDB, FLUSHALL): nothing
// changes the old shards any more, so a snapshot keeps them as they are
// and exports them when its walk reaches them; no copy is made.
func (m *Memory) handOff(dbi int) {
	for _, s := range m.snaps {
		s.mu.Lock()
		for si := range m.dbs[dbi].shards {
			idx := dbi<<shardBits | si
			if s.closed || s.isDone(idx) {
				continue
			}
			s.done[idx/64] |= 1 << (idx % 64)
			if sh := m.dbs[dbi].shards[si].m; len(sh) > 0 {
				s.detached[idx] = sh
			}
		}
		s.mu.Unlock()
	}
}

func (s *snapshot) capture(idx int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.isDone(idx) {
		return
	}
	s.done[idx/64] |= 1 << (idx % 64)
	if e := s.copyShard(idx); len(e) > 0 {
		s.captured[idx] = e
	}
}

// copyShard exports shard idx's live keys; the caller holds m.mu (either
// way) and s.mu.
func (s *snapshot) copyShard(idx int) []*rdb.Entry {
	return s.export(idx>>shardBits, s.m.dbs[idx>>shardBits].shards[idx&(1<<shardBits-1)].m)
}

// export returns the live keys of a shard's map as entries of database
// dbi.
func (s *snapshot) export(dbi int, m map[string]*object) []*rdb.Entry {
	if len(m) == 0 {
		return nil
	}
	out := make([]*rdb.Entry, 0, len(m))
	for k, o := range m {
		if o.exp != 0 && s.now > o.exp {
			continue
		}
		out = append(out, &rdb.Entry{DB: dbi, Key: []byte(k), ExpireAt: o.exp, Idle: -1, Freq: -1, Value: o.export()})
	}
	return out
}

func (s *snapshot) Sizes() []DBSize { return slices.Clone(s.sizes) }

func (s *snapshot) Next() (*rdb.Entry, error) {
	total := shardCount(len(s.sizes))
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errSnapshotClosed
		}
		if n := len(s.cur); n > 0 {
			e := s.cur[n-1]
			s.cur[n-1] = nil
			s.cur = s.cur[:n-1]
			s.mu.Unlock()
			return e, nil
		}
		if s.pos >= total {
			s.mu.Unlock()
			return nil, io.EOF
		}
		if s.isDone(s.pos) {
			s.cur = s.take(s.pos)
			s.pos++
			s.mu.Unlock()
			continue
		}
		s.mu.Unlock()

		// Copy shards under the read lock: no writer changes or captures
		// them meanwhile. Empty shards are passed in the same hold.
		s.m.mu.RLock()
		s.mu.Lock()
		for !s.closed && len(s.cur) == 0 && s.pos < total {
			idx := s.pos
			s.pos++
			if s.isDone(idx) {
				s.cur = s.take(idx)
			} else {
				s.done[idx/64] |= 1 << (idx % 64)
				s.cur = s.copyShard(idx)
			}
		}
		s.mu.Unlock()
		s.m.mu.RUnlock()
	}
}

func (s *snapshot) isDone(idx int) bool { return s.done[idx/64]&(1<<(idx%64)) != 0 }

// take returns the entries of shard idx that a writer captured or a
// flush handed over; s.mu is held.
func (s *snapshot) take(idx int) []*rdb.Entry {
	if m := s.detached[idx]; m != nil {
		delete(s.detached, idx)
		return s.export(idx>>shardBits, m)
	}
	e := s.captured[idx]
	delete(s.captured, idx)
	return e
}

func (s *snapshot) Close() error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.captured, s.detached, s.cur = nil, nil, nil
	if i := slices.Index(s.m.snaps, s); i >= 0 {
		s.m.snaps = slices.Delete(s.m.snaps, i, i+1)
	}
	return nil
}
