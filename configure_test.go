package aofrdb

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

func mustConfigure(t *testing.T, s *Store, fn func(o *Options)) {
	t.Helper()
	if err := s.Configure(fn); err != nil {
		t.Fatal(err)
	}
}

func mustSet(t *testing.T, s *Store, key, value string) {
	t.Helper()
	if err := s.Set(ctx, []byte(key), []byte(value), 0); err != nil {
		t.Fatal(err)
	}
}

// TestConfigureAppendFsync: after a switch to always, a write is synced
// when it returns (a crash right after keeps it); the policy follows
// the AOF to the incr file of the next rewrite.
func TestConfigureAppendFsync(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly, o.AppendFsync, o.Save = true, aof.No, nil
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	mustSet(t, s, "a", "1")
	mustConfigure(t, s, func(o *Options) { o.AppendFsync = aof.Always })
	if p := s.aof.Appender().Policy(); p != aof.Always {
		t.Fatalf("policy %v", p)
	}
	if got := s.Options().AppendFsync; got != aof.Always {
		t.Fatalf("Options().AppendFsync %v", got)
	}
	mustSet(t, s, "b", "2")
	crashed := mem.CrashClone(vfs.CrashOptions{})
	o2 := memOptions(crashed)
	o2.AppendOnly, o2.Save = true, nil
	c := mustOpen(t, rigDir, o2)
	// a was written under "no" but synced with b: one fsync covers the
	// file.
	if got := mustGet(t, c, "a") + mustGet(t, c, "b"); got != "12" {
		t.Errorf("after a crash: %s", got)
	}
	c.Close()

	mustConfigure(t, s, func(o *Options) { o.AppendFsync = aof.EverySec })
	if err := s.RewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if p := s.aof.Appender().Policy(); p != aof.EverySec {
		t.Fatalf("policy of the incr file after a rewrite: %v", p)
	}
	mustSet(t, s, "c", "3")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	if got := mustGet(t, s, "a") + mustGet(t, s, "b") + mustGet(t, s, "c"); got != "123" {
		t.Errorf("after reopen: %s", got)
	}
}

// TestConfigureSavePoints: save points set at runtime start a BGSAVE;
// removed, the final save of Close is not made.
func TestConfigureSavePoints(t *testing.T) {
	mem := vfs.NewMem()
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	o := memOptions(mem)
	o.Save = nil
	o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	mustSet(t, s, "a", "1")
	clock.Add(11_000)
	mustConfigure(t, s, func(o *Options) { o.Save = []SavePoint{{Seconds: 10, Changes: 1}} })
	eventually(t, "the BGSAVE of the new save point", func() bool {
		i := s.Info()
		return i.RDBSaves == 1 && !i.RDBBGSaveInProgress
	})
	if i := s.Info(); i.RDBLastBGSaveStatus != "ok" || i.RDBChangesSinceLastSave != 0 {
		t.Fatalf("after the BGSAVE: %+v", i)
	}
	mustConfigure(t, s, func(o *Options) { o.Save = nil })
	mustSet(t, s, "b", "2")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	if got := mustGet(t, s, "a") + mustGet(t, s, "b"); got != "1<none>" {
		t.Errorf("after reopen: %s (the close saved without save points)", got)
	}
}

// TestConfigurePreamble: the next rewrite's base follows
// aof-use-rdb-preamble, and the timestamps follow
// aof-timestamp-enabled.
func TestConfigurePreamble(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly, o.Save = true, nil
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	base := func() (string, []byte) {
		t.Helper()
		name := s.aof.Manifest().Base.Name
		b, err := vfs.ReadFile(mem, filepath.Join(rigDir, o.AppendDirname, name))
		if err != nil {
			t.Fatal(err)
		}
		return name, b
	}
	if name, b := base(); !strings.HasSuffix(name, ".base.rdb") || !bytes.HasPrefix(b, []byte("REDIS")) {
		t.Fatalf("first base %s: %.20q", name, b)
	}
	mustSet(t, s, "a", "1")
	mustConfigure(t, s, func(o *Options) { o.AOFUseRDBPreamble, o.AOFTimestampEnabled = false, true })
	if err := s.RewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if name, b := base(); !strings.HasSuffix(name, ".base.aof") || !bytes.HasPrefix(b, []byte("#TS:")) || !bytes.Contains(b, []byte("$1\r\na\r\n")) {
		t.Fatalf("base without preamble %s: %q", name, b)
	}
	mustSet(t, s, "b", "2")
	m := s.aof.Manifest()
	incr, err := vfs.ReadFile(mem, filepath.Join(rigDir, o.AppendDirname, m.Incr[len(m.Incr)-1].Name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(incr, []byte("#TS:")) {
		t.Errorf("incr file with aof-timestamp-enabled: %q", incr)
	}
	mustConfigure(t, s, func(o *Options) { o.AOFUseRDBPreamble, o.AOFTimestampEnabled = true, false })
	if err := s.RewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if name, b := base(); !strings.HasSuffix(name, ".base.rdb") || !bytes.HasPrefix(b, []byte("REDIS")) {
		t.Fatalf("base with preamble %s: %.20q", name, b)
	}
	mustSet(t, s, "c", "3")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	if got := mustGet(t, s, "a") + mustGet(t, s, "b") + mustGet(t, s, "c"); got != "123" {
		t.Errorf("after reopen: %s", got)
	}
}

// TestConfigureRDB: dbfilename and rdbcompression apply to the next
// save.
func TestConfigureRDB(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.Save = nil
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	value := strings.Repeat("a", 1000)
	mustSet(t, s, "k", value)
	mustConfigure(t, s, func(o *Options) { o.DBFilename, o.RDBCompression = "other.rdb", false })
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	b, err := vfs.ReadFile(mem, filepath.Join(rigDir, "other.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(value)) {
		t.Errorf("rdbcompression no: the value is not in the file as it is")
	}
	if _, err := mem.Stat(filepath.Join(rigDir, "dump.rdb")); err == nil {
		t.Errorf("dump.rdb written after dbfilename changed")
	}
	mustConfigure(t, s, func(o *Options) { o.RDBCompression = true })
	if err := s.BGSave(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitBackground(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := vfs.ReadFile(mem, filepath.Join(rigDir, "other.rdb")); bytes.Contains(b, []byte(value)) {
		t.Errorf("rdbcompression yes: the value is not compressed")
	}
	s.Close()
	o.DBFilename = "other.rdb"
	s = mustOpen(t, rigDir, o)
	if got := mustGet(t, s, "k"); got != value {
		t.Errorf("after reopen: %.10q", got)
	}
}

// TestConfigureStopWrites: turning stop-writes-on-bgsave-error off lets
// writes through after a failed save; on again, they are refused.
func TestConfigureStopWrites(t *testing.T) {
	ffs := vfs.NewFaulty(vfs.NewMem())
	o := memOptions(ffs)
	o.Save = []SavePoint{{Seconds: 3600, Changes: 1}}
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	ffs.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpCreate }, vfs.NoSpace)
	if err := s.BGSave(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitBackground(ctx); err == nil {
		t.Fatal("BGSAVE did not fail")
	}
	if err := s.Set(ctx, []byte("a"), []byte("1"), 0); !errors.Is(err, ErrMisconf) {
		t.Fatalf("write after a failed BGSAVE: %v", err)
	}
	mustConfigure(t, s, func(o *Options) { o.StopWritesOnBGSaveError = false })
	mustSet(t, s, "a", "1")
	mustConfigure(t, s, func(o *Options) { o.StopWritesOnBGSaveError = true })
	if err := s.Writable(); !errors.Is(err, ErrMisconf) {
		t.Fatalf("Writable with stop-writes-on-bgsave-error on again: %v", err)
	}
	ffs.SetEnabled(false)
}

// TestConfigureAutoRewrite: auto-aof-rewrite-percentage set at runtime
// starts the rewrite the AOF's growth calls for.
func TestConfigureAutoRewrite(t *testing.T) {
	o := memOptions(vfs.NewMem())
	o.AppendOnly, o.Save = true, nil
	o.AutoAOFRewritePercentage = 0
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	value := strings.Repeat("v", 100)
	for i := range 60 { // about 7 KiB of SETs
		mustSet(t, s, "k"+strconv.Itoa(i%10), value)
	}
	mustConfigure(t, s, func(o *Options) { o.AutoAOFRewritePercentage, o.AutoAOFRewriteMinSize = 100, 4<<10 })
	eventually(t, "the automatic rewrite", func() bool {
		i := s.Info()
		return i.AOFRewrites == 1 && !i.AOFRewriteInProgress
	})
}

// TestConfigureRefused: what cannot change is refused with
// ErrImmutable, what is invalid with ErrOptions, and either way nothing
// changes.
func TestConfigureRefused(t *testing.T) {
	o := memOptions(vfs.NewMem())
	o.Save = nil
	s := mustOpen(t, rigDir, o)
	for _, tc := range []struct {
		name string
		fn   func(o *Options)
		want error
	}{
		{"appendonly", func(o *Options) { o.AppendOnly = true }, ErrImmutable},
		{"appendfilename", func(o *Options) { o.AppendFilename = "x.aof" }, ErrImmutable},
		{"appenddirname", func(o *Options) { o.AppendDirname = "x" }, ErrImmutable},
		{"rdbchecksum", func(o *Options) { o.RDBChecksum = false }, ErrImmutable},
		{"databases", func(o *Options) { o.Databases = 4 }, ErrImmutable},
		{"Keyspace", func(o *Options) { o.Keyspace = keyspace.NewMemory(nil) }, ErrImmutable},
		{"FS", func(o *Options) { o.FS = vfs.NewMem() }, ErrImmutable},
		{"Logger", func(o *Options) { o.Logger = slog.Default() }, ErrImmutable},
		{"Now", func(o *Options) { o.Now = time.Now }, ErrImmutable},
		{"dbfilename", func(o *Options) { o.DBFilename = "a/b.rdb" }, ErrOptions},
		{"save", func(o *Options) { o.Save = []SavePoint{{0, 1}} }, ErrOptions},
		{"appendfsync", func(o *Options) { o.AppendFsync = 7 }, ErrOptions},
	} {
		err := s.Configure(func(o *Options) {
			o.AutoAOFRewritePercentage = 50 // must not stick either
			tc.fn(o)
		})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if got := s.Options().AutoAOFRewritePercentage; got != 100 {
		t.Errorf("a refused Configure changed the options: %d", got)
	}
	// Setting what cannot change to the value it has is no change.
	mustConfigure(t, s, func(o *Options) { o.AppendFilename, o.Databases = "appendonly.aof", 16 })
	opts := s.Options()
	opts.Save = append(opts.Save, SavePoint{1, 1}) // a copy: no effect
	if len(s.Options().Save) != 0 {
		t.Errorf("Options() shares Save with the Store")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Configure(func(o *Options) {}); !errors.Is(err, ErrClosed) {
		t.Errorf("Configure after Close: %v", err)
	}
}

// TestConfigureConcurrent: Configure changes every mutable option while
// goroutines write and rewrites run (run it with -race); every
// acknowledged write is there after a reopen.
func TestConfigureConcurrent(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly = true
	o.Save = []SavePoint{{Seconds: 1, Changes: 1}}
	s := mustOpen(t, rigDir, o)
	var wg sync.WaitGroup
	const writers, writes = 4, 200
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				if err := s.Set(ctx, []byte(strconv.Itoa(w)+":"+strconv.Itoa(i)), []byte("v"), 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	policies := []aof.Policy{aof.Always, aof.EverySec, aof.No}
	for i := range 60 {
		err := s.Configure(func(o *Options) {
			o.AppendFsync = policies[i%3]
			o.NoAppendFsyncOnRewrite = i%2 == 0
			o.AOFUseRDBPreamble = i%3 != 0
			o.AOFTimestampEnabled = i%4 == 0
			o.AOFRewriteIncrementalFsync = i%2 == 1
			o.AutoAOFRewritePercentage = i % 5 * 50
			o.AutoAOFRewriteMinSize = int64(i%3) << 10
			o.RDBCompression = i%2 == 0
			o.RDBSaveIncrementalFsync = i%3 == 0
			o.StopWritesOnBGSaveError = i%2 == 1
			o.Save = []SavePoint{{Seconds: 1 + i%2, Changes: i % 3}}
			o.DBFilename = "dump" + strconv.Itoa(i%2) + ".rdb"
		})
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if err := s.BGRewriteAOF(ctx); err != nil && !errors.Is(err, ErrRewriteInProgress) {
				t.Fatal(err)
			}
		}
		_ = s.Info()
		_ = s.Options()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	defer s.Close()
	for w := range writers {
		for i := range writes {
			if got := mustGet(t, s, strconv.Itoa(w)+":"+strconv.Itoa(i)); got != "v" {
				t.Fatalf("%d:%d = %s after reopen", w, i, got)
			}
		}
	}
}
