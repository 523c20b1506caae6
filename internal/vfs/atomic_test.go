package vfs

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteFileAtomic(t *testing.T) {
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			fsys, dir := impl.make(t)
			name := filepath.Join(dir, "dump.rdb")
			if err := WriteFileAtomic(fsys, name, writeString("first")); err != nil {
				t.Fatal(err)
			}
			checkContents(t, fsys, name, "first")
			if err := WriteFileAtomic(fsys, name, writeString("second")); err != nil {
				t.Fatal(err)
			}
			checkContents(t, fsys, name, "second")
			checkList(t, fsys, dir, "dump.rdb")

			// A failing write leaves the old file and no temporary file.
			errBoom := errors.New("boom")
			err := WriteFileAtomic(fsys, name, func(w io.Writer) error {
				io.WriteString(w, "partial")
				return errBoom
			})
			if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), name) {
				t.Errorf("error %v, want one that wraps %v and names %s", err, errBoom, name)
			}
			checkContents(t, fsys, name, "second")
			checkList(t, fsys, dir, "dump.rdb")

			// So does a panic, which goes on.
			func() {
				defer func() {
					if recover() == nil {
						t.Error("the panic did not go through")
					}
				}()
				WriteFileAtomic(fsys, name, func(w io.Writer) error { panic("boom") })
			}()
			checkContents(t, fsys, name, "second")
			checkList(t, fsys, dir, "dump.rdb")

			// A missing directory fails at once.
			err = WriteFileAtomic(fsys, filepath.Join(dir, "nodir", "f"), writeString("x"))
			checkPathErr(t, "WriteFileAtomic in a missing directory", err, os.ErrNotExist)
		})
	}
}

// tempRE matches the random part of temporary names, for golden files.
var tempRE = regexp.MustCompile(`(temp-[^ /]*-)[0-9a-f]{8}(\.tmp)`)

// TestWriteFileAtomicSteps pins the order of WriteFileAtomic's steps, when
// it succeeds and when it fails, in testdata/writefileatomic.golden.
func TestWriteFileAtomicSteps(t *testing.T) {
	var log bytes.Buffer
	m := NewMem()
	mustMkdirAll(t, m, "data")
	ffs := NewFaulty(m)
	fsys := NewLogging(ffs, &log)

	fmt.Fprintln(&log, "# WriteFileAtomic(data/dump.rdb) with three writes of 10 bytes")
	err := WriteFileAtomic(fsys, "data/dump.rdb", func(w io.Writer) error {
		for range 3 {
			if _, err := io.WriteString(w, "0123456789"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []Op{OpWrite, OpSync, OpRename, OpSyncDir} {
		fmt.Fprintf(&log, "\n# WriteFileAtomic(data/dump.rdb) with %v failing\n", op)
		ffs.FailWhen(func(o Op, path string) bool { return o == op }, NoSpace)
		if err := WriteFileAtomic(fsys, "data/dump.rdb", writeString("new")); err == nil {
			t.Errorf("%v failed but WriteFileAtomic succeeded", op)
		}
	}
	got := tempRE.ReplaceAll(log.Bytes(), []byte("${1}RANDOM$2"))

	golden := filepath.Join("testdata", "writefileatomic.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("steps differ from %s (run go test -update if the change is right):\n%s", golden, got)
	}
}

// TestWriteFileAtomicCrash crashes after each step of WriteFileAtomic, with
// only synced state surviving and with random shares of the rest: the
// target must be wholly old, or wholly new, and never missing if it
// existed.
func TestWriteFileAtomicCrash(t *testing.T) {
	seed := testSeed(t)
	oldData := strings.Repeat("old;", 1000)
	newData := strings.Repeat("NEW!", 30000) // several writes
	for _, existed := range []bool{true, false} {
		t.Run(fmt.Sprintf("existed=%v", existed), func(t *testing.T) {
			m := NewMem()
			mustMkdirAll(t, m, "data")
			if existed {
				writeFile(t, m, "data/dump.rdb", oldData)
				syncFile(t, m, "data/dump.rdb")
			}
			for _, d := range []string{".", "data"} {
				if err := m.SyncDir(d); err != nil {
					t.Fatal(err)
				}
			}
			crashes := 0
			check := func(step string) {
				for i := range uint64(20) {
					opts := CrashOptions{Seed: seed + i}
					if i > 0 {
						opts.KeepUnsynced = 0.5
					}
					c := m.CrashClone(opts)
					crashes++
					got, err := ReadFile(c, "data/dump.rdb")
					switch {
					case err == nil && (string(got) == newData || existed && string(got) == oldData):
					case err != nil && !existed && errors.Is(err, os.ErrNotExist):
					default:
						t.Fatalf("crash after %s (seed %d, keep %v): dump.rdb is %d bytes %.20q..., %v",
							step, opts.Seed, opts.KeepUnsynced, len(got), got, err)
					}
					names, _ := c.List("data")
					for _, n := range names {
						if n != "dump.rdb" && !IsTemp(n) {
							t.Fatalf("crash after %s left %s", step, n)
						}
					}
				}
			}
			check("nothing")
			fsys := NewLogging(m, writerFunc(func(p []byte) { check(strings.TrimSpace(string(p))) }))
			if err := WriteFileAtomic(fsys, "data/dump.rdb", writeString(newData)); err != nil {
				t.Fatal(err)
			}
			c := crash(m)
			checkContents(t, c, "data/dump.rdb", newData)
			checkList(t, c, "data", "dump.rdb")
			t.Logf("%d crashes", crashes)
		})
	}
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func TestIsTemp(t *testing.T) {
	for range 100 {
		if n := tempName("dump.rdb"); !IsTemp(n) || !IsTemp("dir/"+n) {
			t.Fatalf("IsTemp(%q) = false", n)
		}
	}
	for _, n := range []string{
		"dump.rdb", "temp-123.rdb", "temp-rewriteaof-bg-42.aof", "temp-appendonly.aof.manifest",
		"temp--0123abcd.tmp", "temp-x-0123abcg.tmp", "temp-x-0123abc.tmp", "temp-x_0123abcd.tmp",
		"temp-x-0123ABCD.tmp", "temp-x-0123abcd.tmp/y",
	} {
		if IsTemp(n) {
			t.Errorf("IsTemp(%q) = true", n)
		}
	}
}

// TestWriteFileSynced: the file is replaced whole, synced every
// syncEvery bytes on the way, and a failed write leaves no temporary
// file and the old contents.
func TestWriteFileSynced(t *testing.T) {
	mem := NewMem()
	ffs := NewFaulty(mem)
	var syncs int
	ffs.FailWhen(func(op Op, path string) bool {
		if op == OpSync {
			syncs++
		}
		return false
	}, IOError)
	chunk := bytes.Repeat([]byte("x"), 1000)
	n, err := WriteFileSynced(ffs, "f", 2500, func(w io.Writer) error {
		for range 10 {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || n != 10000 {
		t.Fatalf("WriteFileSynced: %d, %v", n, err)
	}
	if syncs != 4 { // after 3000, 6000, 9000 bytes, and at the end
		t.Errorf("%d syncs, want 4", syncs)
	}
	if b, _ := ReadFile(mem.CrashClone(CrashOptions{}), "f"); len(b) != 10000 {
		t.Errorf("after a crash the file has %d bytes", len(b))
	}
	_, err = WriteFileSynced(mem, "f", 0, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("a failed write returned no error")
	}
	names, _ := mem.List(".")
	if b, _ := ReadFile(mem, "f"); len(b) != 10000 || len(names) != 1 {
		t.Errorf("after a failed write: %d bytes, entries %v", len(b), names)
	}
}
