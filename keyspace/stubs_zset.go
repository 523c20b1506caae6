package keyspace

import "github.com/aofrdb/aofrdb/rdb"

// STUB: replaced by zsets.go.
type zset struct{ m rdb.ZSet }

func newZSetFrom(v rdb.ZSet) *zset { return &zset{v} }
func (z *zset) export() rdb.Value  { return z.m }
func (z *zset) clone() aggregate   { return &zset{z.m} }
