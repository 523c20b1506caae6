package aof

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redisdata"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
)

// writeDir writes a multi-part AOF directory as a Store will: the base
// is the rewrite of a keyspace holding random data, the incr file the
// records of random commands run after it, and the manifest lists both.
func writeDir(t *testing.T, fsys vfs.FS, dir string, seed uint64) {
	t.Helper()
	if err := fsys.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	// The base: rewrite what writeRandomAOF's commands leave.
	tmp := vfs.NewMem()
	writeRandomAOF(t, tmp, "tmp.aof", seed, 60)
	ks := keyspace.NewMemory(nil)
	if _, err := LoadFile(tmp, "tmp.aof", &KeyspaceTarget{KS: ks}, nil); err != nil {
		t.Fatal(err)
	}
	base := manifest.BaseName("appendonly.aof", 1, false)
	f, err := fsys.Create(filepath.Join(dir, base))
	if err != nil {
		t.Fatal(err)
	}
	rw := NewRewriter(f, &RewriteOptions{Sync: f.Sync})
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
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// The incr file: more random commands.
	incr := manifest.IncrName("appendonly.aof", 1)
	writeRandomAOF(t, fsys, filepath.Join(dir, incr), seed+1, 60)
	m := &manifest.Manifest{
		Base: &manifest.File{Name: base, Seq: 1, Type: manifest.Base},
		Incr: []manifest.File{{Name: incr, Seq: 1, Type: manifest.Incr}},
	}
	if err := manifest.Write(fsys, dir, "appendonly.aof", m); err != nil {
		t.Fatal(err)
	}
}

// TestDirInRedis: a directory we write passes redis-check-aof, and
// redis-server loads it to the data our loader loads.
func TestDirInRedis(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	data := t.TempDir()
	dir := filepath.Join(data, "appendonlydir")
	writeDir(t, vfs.Default, dir, seed)

	ks := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(vfs.Default, dir, "appendonly.aof", &KeyspaceTarget{KS: ks}, nil); err != nil {
		t.Fatal(err)
	}
	want := snapshotDataset(t, ks)
	if len(want.DBs) == 0 {
		t.Fatalf("the directory holds no data")
	}
	if out, err := exec.Command(checker, filepath.Join(dir, "appendonly.aof.manifest")).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, out)
	}
	rc := redistest.Start(t, data, "--appendonly", "yes").Client()
	got := redisDataset(t, rc)
	if !dataset.Equal(want, got) {
		t.Errorf("redis-server loaded other data than ours:\n%s", dataset.Diff(want, got))
	}
}

// redisDataset reads every key of a redis-server's 16 databases.
func redisDataset(t *testing.T, rc *redistest.Client) *dataset.Dataset {
	return redisdata.Read(t, rc)
}

// TestLoadDirMissingFile: a file the manifest lists must exist.
func TestLoadDirMissingFile(t *testing.T) {
	fsys := vfs.NewMem()
	writeDir(t, fsys, "d", 1)
	if err := fsys.Remove(filepath.Join("d", manifest.IncrName("appendonly.aof", 1))); err != nil {
		t.Fatal(err)
	}
	ks := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(fsys, "d", "appendonly.aof", &KeyspaceTarget{KS: ks}, nil); err == nil {
		t.Errorf("LoadDir with a listed file missing: no error")
	}
}
