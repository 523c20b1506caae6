package keyspace_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/keyspace/keyspacetest"
)

// TestSnapshotModel runs the snapshot model over many seeds with a clock
// the model moves, so that keys also expire at and around snapshot
// instants.
func TestSnapshotModel(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 5
	}
	var clock atomic.Int64
	newKeyspace := func(t *testing.T) keyspace.Keyspace {
		return keyspace.NewMemory(&keyspace.Options{
			Databases: 4,
			Clock:     func() time.Time { return time.UnixMilli(clock.Load()) },
		})
	}
	keyspacetest.SnapshotModel(t, newKeyspace, keyspacetest.ModelOptions{Seeds: seeds, SetClock: clock.Store})
}
