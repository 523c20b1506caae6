package aofrdb

import (
	"bytes"
	"errors"
	"fmt"
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

func mustConfigure(t *testing.T, s *Store, fn func(o *Options) error) {
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
	mustConfigure(t, s, func(o *Options) error { o.AppendFsync = aof.Always; return nil })
	if p := s.aofp.Load().Appender().Policy(); p != aof.Always {
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

	mustConfigure(t, s, func(o *Options) error { o.AppendFsync = aof.EverySec; return nil })
	if err := s.RewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if p := s.aofp.Load().Appender().Policy(); p != aof.EverySec {
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
	mustConfigure(t, s, func(o *Options) error { o.Save = []SavePoint{{Seconds: 10, Changes: 1}}; return nil })
	eventually(t, "the BGSAVE of the new save point", func() bool {
		i := s.Info()
		return i.RDBSaves == 1 && !i.RDBBGSaveInProgress
	})
	if i := s.Info(); i.RDBLastBGSaveStatus != "ok" || i.RDBChangesSinceLastSave != 0 {
		t.Fatalf("after the BGSAVE: %+v", i)
	}
	mustConfigure(t, s, func(o *Options) error { o.Save = nil; return nil })
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
		name := s.aofp.Load().Manifest().Base.Name
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
	mustConfigure(t, s, func(o *Options) error { o.AOFUseRDBPreamble, o.AOFTimestampEnabled = false, true; return nil })
	if err := s.RewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if name, b := base(); !strings.HasSuffix(name, ".base.aof") || !bytes.HasPrefix(b, []byte("#TS:")) || !bytes.Contains(b, []byte("$1\r\na\r\n")) {
		t.Fatalf("base without preamble %s: %q", name, b)
	}
	mustSet(t, s, "b", "2")
	m := s.aofp.Load().Manifest()
	incr, err := vfs.ReadFile(mem, filepath.Join(rigDir, o.AppendDirname, m.Incr[len(m.Incr)-1].Name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(incr, []byte("#TS:")) {
		t.Errorf("incr file with aof-timestamp-enabled: %q", incr)
	}
	mustConfigure(t, s, func(o *Options) error { o.AOFUseRDBPreamble, o.AOFTimestampEnabled = true, false; return nil })
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
	mustConfigure(t, s, func(o *Options) error { o.DBFilename, o.RDBCompression = "other.rdb", false; return nil })
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
	mustConfigure(t, s, func(o *Options) error { o.RDBCompression = true; return nil })
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
	mustConfigure(t, s, func(o *Options) error { o.StopWritesOnBGSaveError = false; return nil })
	mustSet(t, s, "a", "1")
	mustConfigure(t, s, func(o *Options) error { o.StopWritesOnBGSaveError = true; return nil })
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
	mustConfigure(t, s, func(o *Options) error { o.AutoAOFRewritePercentage, o.AutoAOFRewriteMinSize = 100, 4<<10; return nil })
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
		fn   func(o *Options) error
		want error
	}{
		{"appendfilename", func(o *Options) error { o.AppendFilename = "x.aof"; return nil }, ErrImmutable},
		{"appenddirname", func(o *Options) error { o.AppendDirname = "x"; return nil }, ErrImmutable},
		{"rdbchecksum", func(o *Options) error { o.RDBChecksum = false; return nil }, ErrImmutable},
		{"databases", func(o *Options) error { o.Databases = 4; return nil }, ErrImmutable},
		{"Keyspace", func(o *Options) error { o.Keyspace = keyspace.NewMemory(nil); return nil }, ErrImmutable},
		{"FS", func(o *Options) error { o.FS = vfs.NewMem(); return nil }, ErrImmutable},
		{"Logger", func(o *Options) error { o.Logger = slog.Default(); return nil }, ErrImmutable},
		{"Now", func(o *Options) error { o.Now = time.Now; return nil }, ErrImmutable},
		{"dbfilename", func(o *Options) error { o.DBFilename = "a/b.rdb"; return nil }, ErrOptions},
		{"save", func(o *Options) error { o.Save = []SavePoint{{0, 1}}; return nil }, ErrOptions},
		{"appendfsync", func(o *Options) error { o.AppendFsync = 7; return nil }, ErrOptions},
	} {
		err := s.Configure(func(o *Options) error {
			o.AutoAOFRewritePercentage = 50 // must not stick either
			return tc.fn(o)
		})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if got := s.Options().AutoAOFRewritePercentage; got != 100 {
		t.Errorf("a refused Configure changed the options: %d", got)
	}
	// Setting what cannot change to the value it has is no change.
	mustConfigure(t, s, func(o *Options) error { o.AppendFilename, o.Databases = "appendonly.aof", 16; return nil })
	opts := s.Options()
	opts.Save = append(opts.Save, SavePoint{1, 1}) // a copy: no effect
	if len(s.Options().Save) != 0 {
		t.Errorf("Options() shares Save with the Store")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Configure(func(o *Options) error { return nil }); !errors.Is(err, ErrClosed) {
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
		err := s.Configure(func(o *Options) error {
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
			return nil
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

// TestSetConfig: Options.SetConfig sets a directive as CONFIG SET does,
// and leaves o as it was when it refuses the value.
func TestSetConfig(t *testing.T) {
	o := DefaultOptions()
	for _, tc := range [][2]string{
		{"appendfsync", "ALWAYS"}, {"save", "10 1 20 2"}, {"dbfilename", "x.rdb"},
		{"auto-aof-rewrite-min-size", "1mb"}, {"aof-use-rdb-preamble", "no"}, {"Appendonly", "yes"},
	} {
		if err := o.SetConfig(tc[0], tc[1]); err != nil {
			t.Fatalf("%s %s: %v", tc[0], tc[1], err)
		}
	}
	v := o.ConfigValues()
	for name, want := range map[string]string{"appendfsync": "always", "save": "10 1 20 2", "dbfilename": "x.rdb",
		"auto-aof-rewrite-min-size": "1048576", "aof-use-rdb-preamble": "no", "appendonly": "yes"} {
		if v[name] != want {
			t.Errorf("%s: %q, want %q", name, v[name], want)
		}
	}
	if err := o.SetConfig("save", ""); err != nil || len(o.Save) != 0 {
		t.Errorf(`save "": %v %v`, o.Save, err)
	}
	o.Save = []SavePoint{{1, 1}}
	for _, tc := range [][3]string{
		{"save", "1", "Invalid save parameters"},
		{"appendfsync", "sometimes", "argument(s) must be one of the following: everysec, always, no"},
		{"rdbcompression", "maybe", "argument must be 'yes' or 'no'"},
		{"dbfilename", "a/b", "dbfilename can't be a path, just a filename"},
		{"dir", "/tmp", "not a persistence directive"},
		{"port", "1", "not a persistence directive"},
	} {
		var ce *ConfigError
		if err := o.SetConfig(tc[0], tc[1]); !errors.As(err, &ce) || !strings.HasPrefix(ce.Reason, tc[2]) {
			t.Errorf("%s %s: %v", tc[0], tc[1], err)
		}
	}
	if len(o.Save) != 1 || o.AppendFsync != aof.Always || !o.RDBCompression || o.DBFilename != "x.rdb" {
		t.Errorf("a refused SetConfig changed o: %+v", o)
	}
}

// TestConfigureAppendOnly: the AOF switched on at runtime starts from a
// base of the data set, not from the stale files of an earlier AOF;
// switched off, it is closed and its files kept; a restart with either
// setting loads every write.
func TestConfigureAppendOnly(t *testing.T) {
	mem := vfs.NewMem()
	o := DefaultOptions()
	o.FS, o.AppendOnly, o.Save = mem, true, nil
	s, err := Open("data", o)
	if err != nil {
		t.Fatal(err)
	}
	set := func(k, v string) {
		t.Helper()
		if err := s.Set(ctx, []byte(k), []byte(v), 0); err != nil {
			t.Fatal(err)
		}
	}
	set("a", "1") // in the first AOF
	if err := s.Configure(func(o *Options) error { o.AppendOnly = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if s.Info().AOFEnabled {
		t.Error("AOF still enabled")
	}
	set("a", "2") // in memory only: the old AOF says 1
	set("b", "2")
	if err := s.Configure(func(o *Options) error { o.AppendOnly = true; return nil }); err != nil {
		t.Fatal(err)
	}
	set("c", "3") // in the new AOF
	m := s.Options()
	if !m.AppendOnly || !s.Info().AOFEnabled {
		t.Fatal("AOF not on")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := mem.List("data/appendonlydir")
	want := "[appendonly.aof.2.base.rdb appendonly.aof.2.incr.aof appendonly.aof.manifest]"
	if fmt.Sprint(names) != want {
		t.Errorf("files %v, want %s", names, want)
	}
	s, err = Open("data", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for k, want := range map[string]string{"a": "2", "b": "2", "c": "3"} {
		if v, _, err := s.Get(ctx, []byte(k)); err != nil || string(v) != want {
			t.Errorf("%s = %q, %v; want %q", k, v, err, want)
		}
	}
}

// TestConfigureAppendOnlyDuringRewrite: switching the AOF off waits for
// a rewrite running, so that its base cannot land in a directory that
// switching on starts anew.
func TestConfigureAppendOnlyDuringRewrite(t *testing.T) {
	mem := vfs.NewMem()
	o := DefaultOptions()
	o.FS, o.AppendOnly, o.Save = mem, true, nil
	s, err := Open("data", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 200 {
		if err := s.Set(ctx, []byte(strconv.Itoa(i)), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.BGRewriteAOF(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Configure(func(o *Options) error { o.AppendOnly = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if i := s.Info(); i.AOFRewriteInProgress || i.AOFLastBGRewriteStatus != "ok" {
		t.Errorf("after switching off: %+v", i)
	}
	if err := s.Configure(func(o *Options) error { o.AppendOnly = true; return nil }); err != nil {
		t.Fatal(err)
	}
	m := s.aofp.Load().Manifest()
	if m.Base.Seq != 3 || len(m.History) != 0 {
		t.Errorf("manifest after off and on:\n%s", m.Format())
	}
}
