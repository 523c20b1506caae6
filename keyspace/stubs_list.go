package keyspace

import "github.com/aofrdb/aofrdb/rdb"

// STUB: replaced by lists.go.
type list struct{ e [][]byte }

func newListFrom(v rdb.List) *list { return &list{cloneBytes(v)} }
func (l *list) export() rdb.Value  { return rdb.List(cloneBytes(l.e)) }
func (l *list) clone() aggregate   { return &list{cloneBytes(l.e)} }
