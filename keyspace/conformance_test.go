package keyspace_test

import (
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/keyspace/keyspacetest"
)

func TestConformance(t *testing.T) {
	keyspacetest.Run(t, func(t *testing.T) keyspace.Keyspace { return keyspace.NewMemory(nil) })
}
