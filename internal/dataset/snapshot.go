package dataset

import (
	"io"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// Snapshot returns d as a keyspace.Snapshot, for the writers that take
// one (AOF bases, RDB files): database by database in index order, or,
// with interleave, the databases alternating key by key, as a keyspace's
// snapshot may hand them out. Its entries share d's memory.
func (d *Dataset) Snapshot(interleave bool) keyspace.Snapshot {
	s := &snapshot{d: d, dbs: d.Indexes(), interleave: interleave}
	s.pos = make([]int, len(s.dbs))
	if len(s.dbs) > 0 {
		s.sizes = make([]keyspace.DBSize, s.dbs[len(s.dbs)-1]+1)
	}
	for _, db := range s.dbs {
		for _, e := range d.DBs[db] {
			s.sizes[db].Keys++
			if e.ExpireAt != 0 {
				s.sizes[db].Expires++
			}
		}
	}
	return s
}

type snapshot struct {
	d          *Dataset
	sizes      []keyspace.DBSize
	dbs        []int // d's databases, by index
	pos        []int // the next entry of each
	next       int   // the database to try first
	interleave bool
	e          rdb.Entry
}

func (s *snapshot) Sizes() []keyspace.DBSize { return s.sizes }

func (s *snapshot) Next() (*rdb.Entry, error) {
	for n := range len(s.dbs) {
		i := (s.next + n) % len(s.dbs)
		db := s.dbs[i]
		if s.pos[i] == len(s.d.DBs[db]) {
			continue
		}
		s.e = s.d.DBs[db][s.pos[i]]
		s.e.DB = db
		s.pos[i]++
		s.next = i
		if s.interleave {
			s.next = i + 1
		}
		return &s.e, nil
	}
	return nil, io.EOF
}

func (s *snapshot) Close() error { return nil }
