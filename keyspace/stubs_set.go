package keyspace

import "github.com/aofrdb/aofrdb/rdb"

// STUB: replaced by sets.go.
type set struct{ e [][]byte }

func newSetFrom(v rdb.Set, maxIntset int) *set { return &set{cloneBytes(v)} }
func (s *set) export() rdb.Value               { return rdb.Set(cloneBytes(s.e)) }
func (s *set) clone() aggregate                { return &set{cloneBytes(s.e)} }
