package keyspace

import "github.com/aofrdb/aofrdb/rdb"

// STUB: replaced by hashes.go.
type hash struct{ f rdb.Hash }

func newHashFrom(v rdb.Hash, maxEntries, maxValue int) *hash { return &hash{v} }
func (h *hash) export() rdb.Value                            { return h.f }
func (h *hash) clone() aggregate                             { return &hash{h.f} }
