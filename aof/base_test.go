package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

// randomKeyspace returns a keyspace holding random keys of every type
// the keyspace has, in databases 0 to dbs-1, some with an expiry, some
// big enough for several commands of the rewriter.
func randomKeyspace(t testing.TB, r *rand.Rand, dbs, keys int) keyspace.Keyspace {
	t.Helper()
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
	for db := range dbs {
		for i := range keys {
			k := "k" + strconv.Itoa(i) + "\x00\xff"
			n := 1 + r.IntN(150)
			for j := range n {
				e := "e" + strconv.Itoa(r.IntN(1000)) + strings.Repeat("x", r.IntN(40))
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
				do(db, "PEXPIREAT", k, strconv.Itoa(4102444800000+r.IntN(1000)))
			}
		}
	}
	return ks
}

func snapshot(t testing.TB, ks keyspace.Keyspace) keyspace.Snapshot {
	t.Helper()
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loadDataset loads the files into a new keyspace and returns its data.
func loadDataset(t *testing.T, fsys vfs.FS, files ...string) *dataset.Dataset {
	t.Helper()
	ks := keyspace.NewMemory(nil)
	if _, err := LoadFiles(fsys, files, &KeyspaceTarget{KS: ks}, nil); err != nil {
		t.Fatal(err)
	}
	return snapshotDataset(t, ks)
}

// TestWriteBase: both formats load back to the snapshot's data, sync
// incrementally, and have the header Redis writes.
func TestWriteBase(t *testing.T) {
	r := testenv.Rand(t)
	ks := randomKeyspace(t, r, 3, 30)
	want := snapshotDataset(t, ks)
	funcs := [][]byte{[]byte("#!lua name=lib1\nredis.register_function('f1', function() return 1 end)")}
	for _, preamble := range []bool{false, true} {
		t.Run(fmt.Sprintf("preamble=%v", preamble), func(t *testing.T) {
			mem := vfs.NewMem()
			f, err := mem.Create("base")
			if err != nil {
				t.Fatal(err)
			}
			syncs := 0
			opts := &BaseOptions{
				RDBPreamble: preamble, Timestamp: 1700000000, SyncEvery: 8192,
				Sync: func() error { syncs++; return f.Sync() },
			}
			if err := WriteBase(f, snapshot(t, ks), opts); err != nil {
				t.Fatal(err)
			}
			f.Close()
			data, _ := vfs.ReadFile(mem, "base")
			// At least one per two intervals: the rewriter syncs at the
			// first command boundary past an interval; the RDB writer
			// writes in chunks of 64 KiB.
			interval := 8192
			if preamble {
				interval = 64 << 10
			}
			if syncs < len(data)/(2*interval) || syncs == 0 {
				t.Errorf("%d syncs for %d bytes every 8192", syncs, len(data))
			}
			if got := loadDataset(t, mem, "base"); !dataset.Equal(want, got) {
				t.Errorf("base loads to other data:\n%s", dataset.Diff(want, got))
			}
			if !preamble {
				if !bytes.HasPrefix(data, []byte("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n")) {
					t.Errorf("RESP base starts with %q", data[:min(40, len(data))])
				}
				return
			}
			// The RDB: aof-base 1, a RESIZEDB per database from Sizes.
			rd := rdb.NewReader(bytes.NewReader(data), nil)
			for {
				if _, err := rd.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if rd.Offset() != int64(len(data)) {
				t.Errorf("RDB ends at %d of %d bytes", rd.Offset(), len(data))
			}
			aof := ""
			for _, a := range rd.Aux() {
				if string(a.Key) == "aof-base" {
					aof = string(a.Value)
				}
			}
			if aof != "1" {
				t.Errorf("aof-base aux %q, want 1", aof)
			}
			// Functions: written first.
			mem2 := vfs.NewMem()
			f2, _ := mem2.Create("b")
			if err := WriteBase(f2, snapshot(t, ks), &BaseOptions{RDBPreamble: true, Functions: funcs}); err != nil {
				t.Fatal(err)
			}
			data2, _ := vfs.ReadFile(mem2, "b")
			rd2 := rdb.NewReader(bytes.NewReader(data2), nil)
			for {
				if _, err := rd2.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if fs := rd2.Functions(); len(fs) != 1 || !bytes.Equal(fs[0], funcs[0]) {
				t.Errorf("functions %q", fs)
			}
		})
	}
	// RESP: FUNCTION LOAD first, after the annotation.
	var b bytes.Buffer
	if err := WriteBase(&b, snapshot(t, ks), &BaseOptions{Timestamp: 5, Functions: funcs}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("#TS:5\r\n*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n")) {
		t.Errorf("RESP base with functions starts with %q", b.Bytes()[:40])
	}
}

// TestWriteBaseInterleaved: a snapshot that goes back to a database
// gives an RDB with one RESIZEDB per database that loads to the data.
func TestWriteBaseInterleaved(t *testing.T) {
	r := testenv.Rand(t)
	want := snapshotDataset(t, randomKeyspace(t, r, 3, 10))
	for _, preamble := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteBase(&b, want.Snapshot(true), &BaseOptions{RDBPreamble: preamble}); err != nil {
			t.Fatal(err)
		}
		mem := vfs.NewMem()
		f, _ := mem.Create("base")
		f.Write(b.Bytes())
		f.Close()
		if got := loadDataset(t, mem, "base"); !dataset.Equal(want, got) {
			t.Errorf("preamble=%v: interleaved base loads to other data:\n%s", preamble, dataset.Diff(want, got))
		}
		if preamble {
			// RESIZEDB (0xfb) comes once per database.
			if n := bytes.Count(b.Bytes(), []byte{0xfb}); n < 3 {
				t.Errorf("%d RESIZEDB bytes, want at least 3", n)
			}
		}
	}
	// An empty snapshot: an RDB with no database, a RESP base with nothing
	// but the annotation.
	var b bytes.Buffer
	empty := &dataset.Dataset{DBs: map[int][]rdb.Entry{}}
	if err := WriteBase(&b, empty.Snapshot(false), &BaseOptions{Timestamp: 7}); err != nil || b.String() != "#TS:7\r\n" {
		t.Errorf("empty RESP base: %q, %v", b.String(), err)
	}
}

// TestWriteBaseFile: the file replaces path atomically, leaves no
// temporary file, and its size is returned.
func TestWriteBaseFile(t *testing.T) {
	r := testenv.Rand(t)
	ks := randomKeyspace(t, r, 2, 20)
	want := snapshotDataset(t, ks)
	mem := vfs.NewMem()
	if err := mem.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if err := mem.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	f, _ := mem.Create("d/base")
	f.Write([]byte("old contents"))
	f.Close()
	for _, preamble := range []bool{false, true} {
		size, err := WriteBaseFile(mem, "d/base", snapshot(t, ks), &BaseOptions{RDBPreamble: preamble, SyncEvery: 4096})
		if err != nil {
			t.Fatal(err)
		}
		fi, err := mem.Stat("d/base")
		if err != nil || fi.Size() != size {
			t.Errorf("size %d, file %v %v", size, fi, err)
		}
		if got := loadDataset(t, mem, "d/base"); !dataset.Equal(want, got) {
			t.Errorf("preamble=%v: other data:\n%s", preamble, dataset.Diff(want, got))
		}
		// Durable: a crash now keeps it.
		if got := loadDataset(t, mem.CrashClone(vfs.CrashOptions{}), "d/base"); !dataset.Equal(want, got) {
			t.Errorf("preamble=%v: after a crash, other data:\n%s", preamble, dataset.Diff(want, got))
		}
		names, _ := mem.List("d")
		if !slices.Equal(names, []string{"base"}) {
			t.Errorf("directory holds %q", names)
		}
	}
	if n := vfs.TempName("d/x.aof"); !vfs.IsTemp(n) || filepath.Dir(n) != "d" {
		t.Errorf("temporary name %q", n)
	}
	// A module value cannot be a RESP base: an error, the old file stays.
	mod := &dataset.Dataset{DBs: map[int][]rdb.Entry{0: {{Key: []byte("m"), Value: &rdb.Module{ID: 1}}}}}
	if _, err := WriteBaseFile(mem, "d/base", mod.Snapshot(false), nil); !errors.Is(err, ErrModuleValue) || !strings.Contains(err.Error(), "d/base") {
		t.Errorf("module value: %v", err)
	}
	if got := loadDataset(t, mem, "d/base"); !dataset.Equal(want, got) {
		t.Errorf("a failed write changed the file")
	}
	if names, _ := mem.List("d"); !slices.Equal(names, []string{"base"}) {
		t.Errorf("directory holds %q", names)
	}
}

// TestCreateDir: the directory's files and manifest, and its refusals.
func TestCreateDir(t *testing.T) {
	r := testenv.Rand(t)
	ks := randomKeyspace(t, r, 2, 10)
	want := snapshotDataset(t, ks)
	for _, preamble := range []bool{false, true} {
		mem := vfs.NewMem()
		dir := "data/sub/appendonlydir"
		m, err := CreateDir(mem, dir, "appendonly.aof", snapshot(t, ks), &BaseOptions{RDBPreamble: preamble})
		if err != nil {
			t.Fatal(err)
		}
		ext := map[bool]string{false: "aof", true: "rdb"}[preamble]
		wantM := "file appendonly.aof.1.base." + ext + " seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
		if got := string(m.Format()); got != wantM {
			t.Errorf("manifest %q, want %q", got, wantM)
		}
		// All of it survives a crash, parents included.
		crashed := mem.CrashClone(vfs.CrashOptions{})
		data, _ := vfs.ReadFile(crashed, filepath.Join(dir, "appendonly.aof.manifest"))
		if string(data) != wantM {
			t.Errorf("manifest on disk after a crash: %q", data)
		}
		names, _ := crashed.List(dir)
		if want := []string{"appendonly.aof.1.base." + ext, "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"}; !slices.Equal(names, want) {
			t.Errorf("directory holds %q, want %q", names, want)
		}
		if fi, err := crashed.Stat(filepath.Join(dir, "appendonly.aof.1.incr.aof")); err != nil || fi.Size() != 0 {
			t.Errorf("incr: %v %v", fi, err)
		}
		got := loadDir(t, crashed, dir)
		if !dataset.Equal(want, got) {
			t.Errorf("preamble=%v: the directory loads to other data:\n%s", preamble, dataset.Diff(want, got))
		}
		// The plan of the data directory is this multi-part AOF.
		p, err := manifest.MakePlan(crashed, "data/sub", &manifest.PlanOptions{AppendOnly: true})
		if err != nil || p.Source != manifest.MultiPart {
			t.Errorf("plan %+v, %v", p, err)
		}
		// Again: refused, nothing changed.
		if _, err := CreateDir(mem, dir, "appendonly.aof", snapshot(t, ks), nil); !errors.Is(err, fs.ErrExist) {
			t.Errorf("CreateDir over a manifest: %v, want ErrExist", err)
		}
		if names2, _ := mem.List(dir); !slices.Equal(names, names2) {
			t.Errorf("refused CreateDir changed the directory: %q", names2)
		}
	}
	for _, prefix := range []string{"", "a/b", ".."} {
		if _, err := CreateDir(vfs.NewMem(), "d", prefix, snapshot(t, ks), nil); err == nil {
			t.Errorf("prefix %q: no error", prefix)
		}
	}
}

// loadDir loads the multi-part AOF of dir (prefix appendonly.aof).
func loadDir(t *testing.T, fsys vfs.FS, dir string) *dataset.Dataset {
	t.Helper()
	ks := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(fsys, dir, "appendonly.aof", &KeyspaceTarget{KS: ks}, nil); err != nil {
		t.Fatal(err)
	}
	return snapshotDataset(t, ks)
}

// checkCrashed checks what a crash left of a CreateDir of dir: no
// manifest (and then MakePlan finds nothing to load), or a directory
// that loads to want. It reports whether the manifest was there.
func checkCrashed(t *testing.T, fsys vfs.FS, dir string, want *dataset.Dataset) bool {
	t.Helper()
	if _, err := fsys.Stat(filepath.Join(dir, "appendonly.aof.manifest")); errors.Is(err, fs.ErrNotExist) {
		p, err := manifest.MakePlan(fsys, filepath.Dir(dir), &manifest.PlanOptions{AppendOnly: true})
		if err != nil || p.Source != manifest.Empty {
			t.Errorf("no manifest, but the plan is %+v, %v", p, err)
		}
		return false
	} else if err != nil {
		t.Fatal(err)
	}
	if got := loadDir(t, fsys, dir); !dataset.Equal(want, got) {
		t.Errorf("the directory loads to other data:\n%s", dataset.Diff(want, got))
	}
	return true
}

// TestCreateDirCrash: a crash before each filesystem operation of
// CreateDir, and after the last, leaves no manifest or the whole
// directory; after CreateDir returns, always the whole directory. With
// KeepUnsynced, random parts of what was not synced survive too.
func TestCreateDirCrash(t *testing.T) {
	seed := testenv.Seed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	ks := randomKeyspace(t, r, 2, 8)
	want := snapshotDataset(t, ks)
	for _, preamble := range []bool{false, true} {
		for _, keep := range []float64{0, 0.5} {
			complete := 0
			for i := 0; ; i++ {
				mem := vfs.NewMem()
				ffs := vfs.NewFaulty(mem)
				var crashed *vfs.MemFS
				n := 0
				opts := vfs.CrashOptions{KeepUnsynced: keep, Seed: seed + uint64(i)}
				ffs.FailWhen(func(vfs.Op, string) bool {
					if n == i { // before operation i
						crashed = mem.CrashClone(opts)
					}
					n++
					return false
				}, vfs.IOError)
				_, err := CreateDir(ffs, "data/appendonlydir", "appendonly.aof", snapshot(t, ks), &BaseOptions{RDBPreamble: preamble, SyncEvery: 4096})
				if err != nil {
					t.Fatal(err)
				}
				done := crashed == nil
				if done { // i is past the last operation: crash after CreateDir
					crashed = mem.CrashClone(opts)
				}
				if checkCrashed(t, crashed, "data/appendonlydir", want) {
					complete++
				} else if done {
					t.Errorf("preamble=%v keep=%v: no manifest after CreateDir returned", preamble, keep)
				}
				if t.Failed() {
					t.Fatalf("preamble=%v keep=%v: crash before operation %d of %d", preamble, keep, i, n)
				}
				if done {
					t.Logf("preamble=%v keep=%v: %d operations, %d crashes left the whole directory", preamble, keep, n, complete)
					break
				}
			}
		}
	}
}

// TestCreateDirFaults: ENOSPC, EIO and a short write at each operation
// of CreateDir: an error naming the cause, no panic, no temporary file
// left, and either no manifest (a new CreateDir then succeeds) or the
// whole directory (if only the last sync failed).
func TestCreateDirFaults(t *testing.T) {
	r := testenv.Rand(t)
	ks := randomKeyspace(t, r, 2, 8)
	want := snapshotDataset(t, ks)
	const dir = "data/appendonlydir"
	for _, preamble := range []bool{false, true} {
		for _, fault := range []vfs.Fault{vfs.NoSpace, vfs.IOError, vfs.ShortWrite} {
			for i := int64(0); ; i++ {
				mem := vfs.NewMem()
				ffs := vfs.NewFaulty(mem)
				ffs.FailAt(i, fault)
				var failed string
				n := int64(0)
				ffs.FailWhen(func(op vfs.Op, path string) bool {
					if n == i {
						failed = op.String() + " " + path
					}
					n++
					return false
				}, fault)
				opts := &BaseOptions{RDBPreamble: preamble, SyncEvery: 4096}
				_, err := CreateDir(ffs, dir, "appendonly.aof", snapshot(t, ks), opts)
				if ffs.Injected() == 0 {
					if err != nil {
						t.Fatal(err)
					}
					break
				}
				what := fmt.Sprintf("preamble=%v, %v at operation %d (%s)", preamble, fault, i, failed)
				if err == nil {
					t.Fatalf("%s: no error", what)
				}
				if errno := map[vfs.Fault]error{vfs.IOError: syscall.EIO, vfs.NoSpace: syscall.ENOSPC, vfs.ShortWrite: syscall.ENOSPC}[fault]; !errors.Is(err, errno) {
					t.Errorf("%s: error %v does not wrap %v", what, err, errno)
				}
				if names, err := mem.List(dir); err == nil {
					for _, name := range names {
						if vfs.IsTemp(name) {
							t.Errorf("%s: temporary file %s left", what, name)
						}
					}
				}
				if !checkCrashed(t, mem, dir, want) {
					// Nothing was made: a new attempt succeeds.
					if _, err := CreateDir(mem, dir, "appendonly.aof", snapshot(t, ks), opts); err != nil {
						t.Errorf("%s: CreateDir again: %v", what, err)
					} else if got := loadDir(t, mem, dir); !dataset.Equal(want, got) {
						t.Errorf("%s: CreateDir again: other data", what)
					}
				}
				if t.Failed() {
					t.FailNow()
				}
			}
		}
	}
}

// TestCreateDirInRedis: a directory CreateDir writes, in each format,
// from every type of an RDB that redis-server wrote (streams with
// consumer groups included) and its function library, passes
// redis-check-aof, and redis-server loads it to exactly that data.
func TestCreateDirInRedis(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	raw, err := os.ReadFile("../rdb/testdata/redis-7.0.15/rdb-default/dump.rdb")
	if err != nil {
		t.Fatal(err)
	}
	rd := rdb.NewReader(bytes.NewReader(raw), &rdb.ReaderOptions{Now: time.Now()})
	var b dataset.Builder
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	want, err := b.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	funcs := append(rd.Functions(), []byte("#!lua name=aofrdblib\nredis.register_function('aofrdb_f', function() return 1 end)"))
	for _, preamble := range []bool{false, true} {
		t.Run(fmt.Sprintf("preamble=%v", preamble), func(t *testing.T) {
			data := t.TempDir()
			dir := filepath.Join(data, "appendonlydir")
			opts := &BaseOptions{RDBPreamble: preamble, Functions: funcs, Timestamp: time.Now().Unix()}
			if _, err := CreateDir(vfs.Default, dir, "appendonly.aof", want.Snapshot(true), opts); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(checker, filepath.Join(dir, "appendonly.aof.manifest")).CombinedOutput(); err != nil {
				t.Fatalf("redis-check-aof: %v\n%s", err, out)
			}
			rc := redistest.Start(t, data, "--appendonly", "yes").Client()
			got := redisDataset(t, rc)
			if !dataset.Equal(want, got) {
				t.Errorf("redis-server loaded other data:\n%s", dataset.Diff(want, got))
			}
			libs := rc.Must("FUNCTION", "LIST")
			if len(libs.Elems) != len(funcs) {
				t.Errorf("redis-server has %d function libraries, want %d", len(libs.Elems), len(funcs))
			}
			if v := rc.Must("FCALL", "aofrdb_f", "0"); v.Int != 1 {
				t.Errorf("FCALL aofrdb_f: %+v", v)
			}
		})
	}
}
