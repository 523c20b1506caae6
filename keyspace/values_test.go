package keyspace

import (
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/rdb"
)

// TestReserve: Reserve sizes the empty shards' maps, is bounded, leaves
// shards with keys as they are, and changes nothing that can be seen.
func TestReserve(t *testing.T) {
	m := NewMemory(nil)
	if err := m.Restore(&rdb.Entry{Key: []byte("a"), Value: rdb.String("1")}); err != nil {
		t.Fatal(err)
	}
	m.Reserve(0, 5000)
	m.Reserve(99, 10) // no such database: nothing
	m.Reserve(1, -1)  // nothing
	for i := range 1000 {
		if err := m.Restore(&rdb.Entry{Key: []byte("k" + strconv.Itoa(i)), Value: rdb.String("v")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Restore(&rdb.Entry{Key: []byte("a"), Value: rdb.String("2")}); err == nil {
		t.Error("a duplicate after Reserve: no error")
	}
	s, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Sizes()[0].Keys; got != 1001 {
		t.Errorf("%d keys, want 1001", got)
	}
}
