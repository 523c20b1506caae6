package aof

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// TestRewriteRoundTrip: the rewrite of a keyspace's snapshot loads back
// into the same data, with values long enough to need several commands.
func TestRewriteRoundTrip(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	ks := keyspace.NewMemory(nil)
	do := func(db int, args ...string) {
		c := keyspace.Call{DB: db, Write: true}
		for _, a := range args {
			c.Args = append(c.Args, []byte(a))
		}
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
	}
	for db := range 3 {
		for i := range 40 {
			k := "k" + strconv.Itoa(i)
			n := 1 + r.IntN(200) // up to a few commands' worth
			for j := range n {
				e := "e" + strconv.Itoa(r.IntN(1000))
				switch i % 5 {
				case 0:
					do(db, "APPEND", k, e)
				case 1:
					do(db, "RPUSH", k, e)
				case 2:
					do(db, "SADD", k, strconv.Itoa(r.IntN(1000)), e)
				case 3:
					do(db, "ZADD", k, []string{"1.5", "-inf", "inf", "0.1", strconv.Itoa(j)}[r.IntN(5)], e)
				case 4:
					do(db, "HSET", k, e, "v"+strconv.Itoa(j))
				}
			}
			if r.IntN(3) == 0 {
				do(db, "PEXPIREAT", k, "4102444800000")
			}
		}
	}
	want := snapshotDataset(t, ks)

	mem := vfs.NewMem()
	f, err := mem.Create("base.aof")
	if err != nil {
		t.Fatal(err)
	}
	syncs := 0
	rw := NewRewriter(f, &RewriteOptions{Timestamp: 1700000000, SyncEvery: 4096, Sync: func() error { syncs++; return f.Sync() }})
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.WriteSnapshot(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if syncs == 0 {
		t.Errorf("no incremental sync")
	}
	data, _ := vfs.ReadFile(mem, "base.aof")
	if !bytes.HasPrefix(data, []byte("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n")) {
		t.Errorf("rewrite starts with %q", data[:min(len(data), 40)])
	}
	ks2 := keyspace.NewMemory(nil)
	if _, err := LoadFile(mem, "base.aof", &KeyspaceTarget{KS: ks2}, nil); err != nil {
		t.Fatal(err)
	}
	if got := snapshotDataset(t, ks2); !dataset.Equal(want, got) {
		t.Errorf("rewrite loads to other data:\n%s", dataset.Diff(want, got))
	}
}

// TestRewriteInRedis: the rewrite of every key of a redis-server RDB
// (every type, streams with consumer groups and pending entries
// included) passes redis-check-aof, and redis-server loads it to the
// same data.
func TestRewriteInRedis(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	raw, err := os.ReadFile("../rdb/testdata/redis-7.0.15/rdb-default/dump.rdb")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "appendonly.aof"))
	if err != nil {
		t.Fatal(err)
	}
	rw := NewRewriter(out, nil)
	var b dataset.Builder
	rd := rdb.NewReader(bytes.NewReader(raw), &rdb.ReaderOptions{Now: time.Now()})
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e.Expired {
			continue
		}
		if err := rw.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	want, err := b.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(checker, filepath.Join(dir, "appendonly.aof")).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, msg)
	}
	// A single appendonly.aof in the data directory: redis-server 7
	// upgrades it to a multi-part directory and loads it.
	rc := redistest.Start(t, dir, "--appendonly", "yes").Client()
	got := redisDataset(t, rc)
	if !dataset.Equal(want, got) {
		t.Errorf("redis-server loaded other data:\n%s", dataset.Diff(want, got))
	}
}
