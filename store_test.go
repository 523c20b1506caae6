package aofrdb

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

var ctx = context.Background()

func memOptions(fsys vfs.FS) *Options {
	o := DefaultOptions()
	o.FS = fsys
	return o
}

func mustOpen(t *testing.T, dir string, o *Options) *Store {
	t.Helper()
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustGet(t *testing.T, s *Store, key string) string {
	t.Helper()
	v, ok, err := s.Get(ctx, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "<none>"
	}
	return string(v)
}

func TestOpenOptions(t *testing.T) {
	if _, err := Open(t.TempDir(), &Options{}); !errors.Is(err, ErrOptions) {
		t.Errorf("Options{}: %v", err)
	}
	o := DefaultOptions()
	o.DBFilename = "a/b.rdb"
	if _, err := Open(t.TempDir(), o); !errors.Is(err, ErrOptions) {
		t.Errorf("dbfilename a path: %v", err)
	}
}

// TestReopen: for each persistence setting, what was written is back
// after Close and Open.
func TestReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(o *Options)
	}{
		{"rdb", func(o *Options) {}},
		{"aof-everysec", func(o *Options) { o.AppendOnly = true }},
		{"aof-always", func(o *Options) { o.AppendOnly, o.AppendFsync = true, aof.Always }},
		{"aof-no-preamble", func(o *Options) { o.AppendOnly, o.AOFUseRDBPreamble = true, false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := vfs.NewMem()
			o := memOptions(mem)
			tc.set(o)
			s := mustOpen(t, "data", o)
			if err := s.Set(ctx, []byte("a"), []byte("1"), 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, []byte("b"), []byte("2"), time.Hour); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Del(ctx, []byte("a")); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, []byte("c"), []byte("3"), 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if err := s.Set(ctx, []byte("x"), nil, 0); !errors.Is(err, ErrClosed) {
				t.Errorf("Set after Close: %v", err)
			}
			s = mustOpen(t, "data", o)
			defer s.Close()
			if got := mustGet(t, s, "a") + mustGet(t, s, "b") + mustGet(t, s, "c"); got != "<none>23" {
				t.Errorf("after reopen: %s", got)
			}
			if ttl, err := s.TTL(ctx, []byte("b")); err != nil || ttl <= 0 || ttl > time.Hour {
				t.Errorf("TTL of b: %v, %v", ttl, err)
			}
		})
	}
}

// TestRDBBecomesBase is the seeds' scenario: a data set saved as RDB
// only, then AOF switched on. Redis 7 starts empty and later saves the
// emptiness over dump.rdb; the Store loads the RDB and makes it the
// AOF's base.
func TestRDBBecomesBase(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	s := mustOpen(t, "data", o)
	if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // the final save writes dump.rdb
		t.Fatal(err)
	}
	o.AppendOnly = true
	s = mustOpen(t, "data", o)
	if got := mustGet(t, s, "k"); got != "v" {
		t.Fatalf("with AOF switched on: k = %s", got)
	}
	if err := s.Set(ctx, []byte("k2"), []byte("v2"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The AOF alone holds everything: remove the RDB.
	if err := mem.Remove("data/dump.rdb"); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, "data", o)
	defer s.Close()
	if got := mustGet(t, s, "k") + mustGet(t, s, "k2"); got != "vv2" {
		t.Errorf("from the AOF: %s", got)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	s.Close()
}

// TestRewriteAndSave: rewrites and saves while writing keep every write,
// and the rewrite leaves one base and one incr file.
func TestRewriteAndSave(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly = true
	o.Save = nil
	s := mustOpen(t, "data", o)
	for i := range 100 {
		k := []byte{byte('a' + i%26)}
		if err := s.Set(ctx, k, []byte{byte(i)}, 0); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 30:
			if err := s.BGRewriteAOF(ctx); err != nil {
				t.Fatal(err)
			}
		case 60:
			if err := s.BGSave(ctx); err != nil {
				t.Fatal(err)
			}
		case 80:
			if err := s.WaitBackground(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.RewriteAOF(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.WaitBackground(ctx); err != nil {
		t.Fatal(err)
	}
	info := s.Info()
	if info.AOFRewrites != 2 || info.AOFLastBGRewriteStatus != "ok" || info.RDBSaves != 1 {
		t.Errorf("info: %+v", info)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := mem.List("data/appendonlydir")
	want := []string{"appendonly.aof.3.base.rdb", "appendonly.aof.3.incr.aof", "appendonly.aof.manifest"}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	if _, err := mem.Stat(filepath.Join("data", "dump.rdb")); err != nil {
		t.Errorf("BGSAVE's file: %v", err)
	}
	s = mustOpen(t, "data", o)
	defer s.Close()
	for i := 74; i < 100; i++ {
		k := string(rune('a' + i%26))
		if got := mustGet(t, s, k); got != string([]byte{byte(i)}) {
			t.Errorf("%s = %q, want %q", k, got, []byte{byte(i)})
		}
	}
}

// syncCounter counts the syncs of files whose name has a suffix.
type syncCounter struct {
	vfs.FS
	suffix string
	n      *atomic.Int64
}

func (f syncCounter) counted(name string, file vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, f.suffix) {
		return file, err
	}
	return countedFile{File: file, n: f.n}, nil
}

func (f syncCounter) OpenAppend(name string) (vfs.File, error) {
	file, err := f.FS.OpenAppend(name)
	return f.counted(name, file, err)
}

type countedFile struct {
	vfs.File
	n *atomic.Int64
}

func (f countedFile) Sync() error {
	f.n.Add(1)
	return f.File.Sync()
}

// TestNoAppendFsyncOnRewrite: while a background job runs, writes under
// always are acknowledged without syncing the AOF; after, they sync.
func TestNoAppendFsyncOnRewrite(t *testing.T) {
	var syncs atomic.Int64
	o := memOptions(syncCounter{FS: vfs.NewMem(), suffix: ".incr.aof", n: &syncs})
	o.AppendOnly, o.AppendFsync, o.NoAppendFsyncOnRewrite, o.Save = true, aof.Always, true, nil
	s := mustOpen(t, "data", o)
	defer s.Close()
	run := s.startJob(&s.bgsave) // as if a BGSAVE ran
	before := syncs.Load()
	for range 5 {
		if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := syncs.Load() - before; n != 0 {
		t.Errorf("%d syncs while a job runs", n)
	}
	s.endJob(&s.bgsave, run, nil)
	if err := s.Set(ctx, []byte("k"), []byte("w"), 0); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == before {
		t.Errorf("no sync after the job")
	}
}

// TestLoadProgress: Options.Progress reports the bytes and keys loaded,
// ending with every byte of the files; Options.Keyspace is the keyspace
// the Store fills.
func TestLoadProgress(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly, o.AppendFsync, o.Save = true, aof.No, nil
	s := mustOpen(t, "data", o)
	value := bytes.Repeat([]byte("v"), 1000)
	for i := range 10000 { // 10 MB: reports on the way
		if err := s.Set(ctx, []byte(strconv.Itoa(i)), value, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var reports []LoadProgress
	o.Progress = func(p LoadProgress) { reports = append(reports, p) }
	ks := keyspace.NewMemory(nil)
	o.Keyspace = ks
	s = mustOpen(t, "data", o)
	defer s.Close()
	if s.Keyspace() != ks {
		t.Error("Keyspace() is not Options.Keyspace")
	}
	if len(reports) < 2 {
		t.Fatalf("%d reports", len(reports))
	}
	last := reports[len(reports)-1]
	// Keys counts the commands replayed too: a SELECT, then the SETs.
	if last.TotalBytes < 10e6 || last.LoadedBytes != last.TotalBytes || last.Keys != 10001 || !strings.HasSuffix(last.File, ".incr.aof") {
		t.Errorf("last report %+v", last)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i].LoadedBytes < reports[i-1].LoadedBytes {
			t.Errorf("reports go back: %+v then %+v", reports[i-1], reports[i])
		}
	}
	if got := mustGet(t, s, "9999"); got != string(value) {
		t.Errorf("9999 = %.10q", got)
	}
}

// TestApply: Apply applies and appends at once and returns without
// syncing; one Commit.Wait under always makes the writes appended
// before it durable, those of earlier Applies too.
func TestApply(t *testing.T) {
	mem := vfs.NewMem()
	o := DefaultOptions()
	o.FS = mem
	o.AppendOnly = true
	o.AppendFsync = aof.Always
	s, err := Open("data", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var last Commit
	for i := range 3 {
		c, err := s.Apply(func(w *Writer) error {
			return w.Exec(&keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("k" + strconv.Itoa(i)), []byte("v")}})
		})
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	// Applied and visible before any Wait.
	if v, ok, err := s.Get(ctx, []byte("k2")); err != nil || !ok || string(v) != "v" {
		t.Fatalf("Get before Wait = %q, %v, %v", v, ok, err)
	}
	if err := last.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	crashed := mem.CrashClone(vfs.CrashOptions{})
	o.FS = crashed
	s2, err := Open("data", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for i := range 3 {
		if _, ok, err := s2.Get(ctx, []byte("k"+strconv.Itoa(i))); err != nil || !ok {
			t.Errorf("k%d after a crash: %v, %v", i, ok, err)
		}
	}
	if err := (Commit{}).Wait(ctx); err != nil {
		t.Errorf("zero Commit: %v", err)
	}
}

// TestAlwaysBuffered: under always, the incr file has a pad after its
// records while the Store runs (direct writes), unless AlwaysBuffered;
// Close cuts it.
func TestAlwaysBuffered(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		mem := vfs.NewMem()
		o := memOptions(mem)
		o.AppendOnly, o.AppendFsync, o.Save, o.AlwaysBuffered = true, aof.Always, nil, buffered
		s := mustOpen(t, "data", o)
		if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		incr := "data/appendonlydir/appendonly.aof.1.incr.aof"
		fi, err := mem.Stat(incr)
		if err != nil {
			t.Fatal(err)
		}
		info := s.Info()
		records := info.AOFCurrentSize - info.AOFBaseSize
		if padded := fi.Size() > records; padded == buffered {
			t.Errorf("AlwaysBuffered %v: the incr file is %d bytes for %d of records", buffered, fi.Size(), records)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if fi, err := mem.Stat(incr); err != nil || fi.Size() != records {
			t.Errorf("AlwaysBuffered %v: after Close the incr file is %d bytes for %d of records (%v)", buffered, fi.Size(), records, err)
		}
	}
}
