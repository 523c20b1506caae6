package manifest

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
)

func put(t *testing.T, fsys vfs.FS, name, data string) {
	t.Helper()
	if err := fsys.MkdirAll(filepath.Dir(name)); err != nil {
		t.Fatal(err)
	}
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Make the file's entry and its directories' entries durable.
	for dir := filepath.Dir(name); ; dir = filepath.Dir(dir) {
		if err := fsys.SyncDir(dir); err != nil {
			t.Fatal(err)
		}
		if dir == "." {
			return
		}
	}
}

func TestMakePlan(t *testing.T) {
	const full = "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n"
	fullFiles := []string{"d/appendonlydir/appendonly.aof.2.base.rdb", "d/appendonlydir/appendonly.aof.2.incr.aof", "d/appendonlydir/appendonly.aof.3.incr.aof"}
	withFull := map[string]string{
		"d/appendonlydir/appendonly.aof.manifest":   full,
		"d/appendonlydir/appendonly.aof.2.base.rdb": "REDIS",
		"d/appendonlydir/appendonly.aof.2.incr.aof": "",
		"d/appendonlydir/appendonly.aof.3.incr.aof": "",
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		n := map[string]string{}
		for k, v := range m {
			n[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			n[kv[i]] = kv[i+1]
		}
		return n
	}
	for _, c := range []struct {
		name    string
		files   map[string]string
		aof     bool
		source  Source
		load    []string
		becomes bool
		wantErr bool
	}{
		{"nothing, AOF on", nil, true, Empty, nil, false, false},
		{"nothing, AOF off", nil, false, Empty, nil, false, false},
		{"RDB, AOF off", map[string]string{"d/dump.rdb": "REDIS"}, false, RDB, []string{"d/dump.rdb"}, false, false},
		// The seeds' scenario: AOF switched on for an RDB-only data set.
		{"RDB, AOF on", map[string]string{"d/dump.rdb": "REDIS"}, true, RDB, []string{"d/dump.rdb"}, true, false},
		{"multi-part, AOF on", withFull, true, MultiPart, fullFiles, false, false},
		{"multi-part and RDB, AOF on", with(withFull, "d/dump.rdb", "REDIS"), true, MultiPart, fullFiles, false, false},
		{"multi-part and RDB, AOF off", with(withFull, "d/dump.rdb", "REDIS"), false, RDB, []string{"d/dump.rdb"}, false, false},
		{"bad manifest, AOF off", map[string]string{"d/appendonlydir/appendonly.aof.manifest": "junk\n", "d/dump.rdb": ""}, false, 0, nil, false, true},
		{"listed file missing", with(withFull, "d/appendonlydir/appendonly.aof.3.incr.aof", "-"), true, 0, nil, false, true},
		{"legacy", map[string]string{"d/appendonly.aof": "*1\r\n"}, true, Legacy, []string{"d/appendonly.aof"}, false, false},
		{"legacy, upgrade interrupted", map[string]string{"d/appendonly.aof": "*1\r\n",
			"d/appendonlydir/appendonly.aof.manifest": "file appendonly.aof seq 1 type b\n"}, true, Legacy, []string{"d/appendonly.aof"}, false, false},
		{"legacy and a full manifest", with(withFull, "d/appendonly.aof", "*1\r\n"), true, MultiPart, fullFiles, false, false},
		{"comments-only manifest and RDB", map[string]string{"d/appendonlydir/appendonly.aof.manifest": "# nothing\n", "d/dump.rdb": "REDIS"}, true, RDB, []string{"d/dump.rdb"}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := vfs.NewMem()
			for name, data := range c.files {
				if data == "-" {
					continue
				}
				put(t, fsys, name, data)
			}
			p, err := MakePlan(fsys, "d", &PlanOptions{AppendOnly: c.aof})
			if c.wantErr {
				if err == nil {
					t.Fatalf("no error; plan %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Source != c.source || !slices.Equal(p.Files, c.load) || p.RDBBecomesBase != c.becomes {
				t.Errorf("plan %v %q base=%v, want %v %q base=%v", p.Source, p.Files, p.RDBBecomesBase, c.source, c.load, c.becomes)
			}
		})
	}
}

// TestUpgrade moves a legacy file into the AOF directory, and resumes
// after a failure at any step: the data file is never lost, and the
// end state is the same.
func TestUpgrade(t *testing.T) {
	const data = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for i := int64(0); ; i++ {
		mem := vfs.NewMem()
		put(t, mem, "d/appendonly.aof", data)
		ffs := vfs.NewFaulty(mem)
		ffs.FailAt(i, vfs.IOError)
		p, err := MakePlan(ffs, "d", &PlanOptions{AppendOnly: true})
		if err == nil {
			if p.Source != Legacy {
				t.Fatalf("step %d: plan %v", i, p.Source)
			}
			err = Upgrade(ffs, p, "appendonly.aof")
		}
		done := ffs.Injected() == 0
		if !done && err == nil {
			t.Fatalf("step %d: failure injected, no error", i)
		}
		// After a crash (only what was synced survives), plan and
		// upgrade again.
		for _, after := range []vfs.FS{mem, mem.CrashClone(vfs.CrashOptions{})} {
			p, err := MakePlan(after, "d", &PlanOptions{AppendOnly: true})
			if err != nil {
				t.Fatalf("step %d: plan again: %v", i, err)
			}
			if p.Source == Legacy {
				if err := Upgrade(after, p, "appendonly.aof"); err != nil {
					t.Fatalf("step %d: upgrade again: %v", i, err)
				}
			}
			if p.Source != MultiPart || !slices.Equal(p.Files, []string{"d/appendonlydir/appendonly.aof"}) {
				t.Fatalf("step %d: after the upgrade: %v %q", i, p.Source, p.Files)
			}
			got, err := vfs.ReadFile(after, p.Files[0])
			if err != nil || string(got) != data {
				t.Fatalf("step %d: moved file %q, %v", i, got, err)
			}
			// A crash between the two directory syncs of the move may
			// leave the old name too; as in Redis, the file in the AOF
			// directory is the one used, and the other is left alone.
			if _, err := after.Stat("d/appendonly.aof"); err == nil && after == mem {
				t.Fatalf("step %d: legacy file still there without a crash", i)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
		}
		if done {
			if i < 4 {
				t.Fatalf("upgrade done in %d operations", i)
			}
			return
		}
	}
}
