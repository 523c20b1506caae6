package keyspace_test

import (
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// benchKeys returns n distinct keys "key:<i>".
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	return keys
}

// benchExec runs the command args(i) with the write turn b.N times
// through Exec, as a Store does, reporting commands/s and allocations.
func benchExec(b *testing.B, ks *keyspace.Memory, write bool, args func(i int) [][]byte) {
	b.Helper()
	var c keyspace.Call
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c.Reset()
		c.Args = args(i)
		c.Write = write
		if err := ks.Exec(&c); err != nil {
			b.Fatal(err)
		}
		if len(c.Reply.Buf) > 0 && c.Reply.Buf[0] == '-' {
			b.Fatalf("%q: %s", c.Args, c.Reply.Buf)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkHSet sets one of 16 fields in one of 100k small hashes.
func BenchmarkHSet(b *testing.B) {
	keys := benchKeys(100_000)
	fields := benchKeys(16)
	val := []byte("0123456789abcdef")
	cmd, args := []byte("HSET"), make([][]byte, 4)
	benchExec(b, keyspace.NewMemory(nil), true, func(i int) [][]byte {
		args[0], args[1], args[2], args[3] = cmd, keys[i%len(keys)], fields[(i/len(keys))%16], val
		return args
	})
}

// BenchmarkLPush pushes small values onto 1000 lists, trimmed now and
// then so they stay bounded.
func BenchmarkLPush(b *testing.B) {
	keys := benchKeys(1000)
	val := []byte("0123456789abcdef")
	cmd, args := []byte("LPUSH"), make([][]byte, 3)
	ks := keyspace.NewMemory(nil)
	benchExec(b, ks, true, func(i int) [][]byte {
		if i%(1000*1000) == 0 {
			ks.Exec(&keyspace.Call{Args: [][]byte{[]byte("FLUSHALL")}, Write: true})
		}
		args[0], args[1], args[2] = cmd, keys[i%len(keys)], val
		return args
	})
}

// BenchmarkGetParallel reads 100k small strings from every CPU at once.
func BenchmarkGetParallel(b *testing.B) {
	ks := keyspace.NewMemory(nil)
	keys := benchKeys(100_000)
	for _, k := range keys {
		ks.Exec(&keyspace.Call{Args: [][]byte{[]byte("SET"), k, []byte("0123456789abcdef")}, Write: true})
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var c keyspace.Call
		cmd := []byte("GET")
		for i := 0; pb.Next(); i++ {
			c.Reset()
			c.Args = append(c.Args, cmd, keys[i%len(keys)])
			if err := ks.Exec(&c); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkRestore loads 1M string keys ("key:<i>" = "value:<i>", as
// redis-server's DEBUG POPULATE makes them) into an empty keyspace
// through Reserve and Restore, as a Store's startup from an RDB file
// does, reporting keys/s. The entries are built before timing.
func BenchmarkRestore(b *testing.B) {
	const n = 1 << 20
	entries := make([]rdb.Entry, n)
	for i := range entries {
		s := strconv.Itoa(i)
		entries[i] = rdb.Entry{Key: []byte("key:" + s), Value: rdb.String("value:" + s)}
	}
	b.ReportAllocs()
	for b.Loop() {
		ks := keyspace.NewMemory(nil)
		ks.Reserve(0, n)
		for i := range entries {
			if err := ks.Restore(&entries[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}
