// Package redisdata reads the data set of a running redis-server, for
// tests that compare what it loaded with what aofrdb wrote.
package redisdata

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/rdb"
)

// Read reads every key of the server's 16 databases (DUMP and
// PEXPIRETIME) into a data set.
func Read(t testing.TB, rc *redistest.Client) *dataset.Dataset {
	t.Helper()
	var b dataset.Builder
	for db := range 16 {
		rc.Must("SELECT", strconv.Itoa(db))
		for _, k := range rc.Must("KEYS", "*").Elems {
			v, err := rdb.ParseDump(rc.DoBytes([]byte("DUMP"), k.Str).Str)
			if err != nil {
				t.Fatalf("db %d key %q: %v", db, k.Str, err)
			}
			exp := max(rc.DoBytes([]byte("PEXPIRETIME"), k.Str).Int, 0)
			if err := b.Add(&rdb.Entry{DB: db, Key: bytes.Clone(k.Str), ExpireAt: exp, Idle: -1, Freq: -1, Value: v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	d, err := b.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
