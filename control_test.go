package aofrdb

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
)

// TestShutdown: the final save as SHUTDOWN's arguments say, and a
// failed save that keeps the Store open unless forced.
func TestShutdown(t *testing.T) {
	rdbFile := filepath.Join("data", "dump.rdb")
	for _, tc := range []struct {
		name   string
		noSave bool // no save points
		o      ShutdownOptions
		saved  bool
	}{
		{"default", false, ShutdownOptions{}, true},
		{"nosave", false, ShutdownOptions{NoSave: true}, false},
		{"no-save-points", true, ShutdownOptions{}, false},
		{"save", true, ShutdownOptions{Save: true}, true},
		{"force", false, ShutdownOptions{Force: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := vfs.NewMem()
			o := memOptions(mem)
			if tc.noSave {
				o.Save = nil
			}
			s := mustOpen(t, "data", o)
			if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Shutdown(tc.o); err != nil {
				t.Fatal(err)
			}
			if _, err := mem.Stat(rdbFile); (err == nil) != tc.saved {
				t.Errorf("dump.rdb: %v, want saved %v", err, tc.saved)
			}
			if err := s.Set(ctx, []byte("k"), []byte("v"), 0); !errors.Is(err, ErrClosed) {
				t.Errorf("Set after Shutdown: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close after Shutdown: %v", err)
			}
			if tc.saved {
				s := mustOpen(t, "data", o)
				if got := mustGet(t, s, "k"); got != "v" {
					t.Errorf("k after reopen: %q", got)
				}
				s.Close()
			}
		})
	}

	// A final save that fails: the Store stays open, unless forced.
	mem := vfs.NewMem()
	f := vfs.NewFaulty(mem)
	o := memOptions(f)
	s := mustOpen(t, "data", o)
	if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	f.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpCreate && strings.Contains(path, "dump.rdb") }, vfs.NoSpace)
	if err := s.Shutdown(ShutdownOptions{}); err == nil {
		t.Fatal("Shutdown with a failing save: no error")
	}
	if err := s.Set(ctx, []byte("k2"), []byte("v"), 0); err != nil {
		t.Fatalf("Set after a refused Shutdown: %v", err)
	}
	if err := s.Shutdown(ShutdownOptions{Force: true}); err == nil {
		t.Error("forced Shutdown with a failing save: no error")
	}
	if err := s.Set(ctx, []byte("k"), []byte("v"), 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after a forced Shutdown: %v", err)
	}
}

// TestReload: DEBUG RELOAD's save and load keep the data, and writes
// go on after it.
func TestReload(t *testing.T) {
	for _, aofOn := range []bool{false, true} {
		mem := vfs.NewMem()
		o := memOptions(mem)
		o.AppendOnly = aofOn
		s := mustOpen(t, "data", o)
		for _, k := range []string{"a", "b", "c"} {
			if err := s.Set(ctx, []byte(k), []byte(k+k), 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Reload(); err != nil {
			t.Fatal(err)
		}
		if _, err := mem.Stat(filepath.Join("data", "dump.rdb")); err != nil {
			t.Errorf("no dump.rdb after Reload: %v", err)
		}
		if err := s.Set(ctx, []byte("d"), []byte("dd"), 0); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b", "c", "d"} {
			if got := mustGet(t, s, k); got != k+k {
				t.Errorf("aof %v: %s = %q after Reload", aofOn, k, got)
			}
		}
		if err := s.Shutdown(ShutdownOptions{NoSave: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.Reload(); !errors.Is(err, ErrClosed) {
			t.Errorf("Reload after close: %v", err)
		}
		s = mustOpen(t, "data", o)
		if got := mustGet(t, s, "d"); aofOn && got != "dd" || !aofOn && got != "<none>" {
			t.Errorf("aof %v: d = %q after reopen", aofOn, got)
		}
		s.Close()
	}
}
