package vfs

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

func testSeed(t *testing.T) uint64 { return testenv.Seed(t) }

// crash is the strict crash: only synced state survives.
func crash(m *MemFS) *MemFS { return m.CrashClone(CrashOptions{}) }

func checkAbsent(t *testing.T, fsys FS, name string) {
	t.Helper()
	if _, err := fsys.Stat(name); err == nil {
		t.Errorf("%s exists, want it gone", name)
	} else {
		checkPathErr(t, "Stat "+name, err, fs.ErrNotExist)
	}
}

func TestCrashUnsyncedDataLost(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "f")
	mustWriteTo(t, f, "abc")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	mustWriteTo(t, f, "def")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "f", "abc")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "f", "abcdef")

	// Truncate, by name or by file, is data too.
	if err := m.Truncate("f", 2); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "f", "abcdef")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "f", "ab")
	mustClose(t, f)
}

func TestMemSizeLimit(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "f")
	defer f.Close()
	checkPathErr(t, "Truncate(1<<40)", f.Truncate(1<<40), syscall.EFBIG)
	checkPathErr(t, "Truncate by name", m.Truncate("f", 1<<62), syscall.EFBIG)
	checkSize(t, f, 0)
}

func TestCrashUnsyncedCreateLost(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "f")
	mustWriteTo(t, f, "abc")
	if err := f.Sync(); err != nil { // the data, not the name
		t.Fatal(err)
	}
	mustClose(t, f)
	checkAbsent(t, crash(m), "f")

	// A durable name with unsynced data is an empty file.
	writeFile(t, m, "g", "xyz")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	c := crash(m)
	checkContents(t, c, "f", "abc")
	checkContents(t, c, "g", "")
}

func TestCrashMkdirAll(t *testing.T) {
	m := NewMem()
	mustMkdirAll(t, m, "a/b")
	writeFile(t, m, "a/b/f", "x")
	syncFile(t, m, "a/b/f")
	if err := m.SyncDir("a/b"); err != nil {
		t.Fatal(err)
	}
	checkAbsent(t, crash(m), "a") // a itself is not durable in the root
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	checkAbsent(t, crash(m), "a/b")
	if err := m.SyncDir("a"); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "a/b/f", "x")
}

func TestCrashRenameNeedsSyncDir(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "a", "A")
	syncFile(t, m, "a")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	if err := m.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	c := crash(m)
	checkContents(t, c, "a", "A")
	checkAbsent(t, c, "b")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	c = crash(m)
	checkAbsent(t, c, "a")
	checkContents(t, c, "b", "A")
}

func TestCrashRemoveNeedsSyncDir(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "a", "A")
	syncFile(t, m, "a")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove("a"); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "a", "A")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	checkAbsent(t, crash(m), "a")
}

// TestCrashReplacedFileIsOldInode: a rename over a file that is not yet
// durable leaves, after a crash, the old file under the name, with what was
// synced to it, even through a handle opened before the rename.
func TestCrashReplacedFileIsOldInode(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "t", "old")
	syncFile(t, m, "t")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	w, err := m.OpenAppend("t")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, m, "tmp", "new")
	syncFile(t, m, "tmp")
	if err := m.Rename("tmp", "t"); err != nil {
		t.Fatal(err)
	}
	mustWriteTo(t, w, "+more") // to the old, unlinked file
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	checkContents(t, m, "t", "new")
	checkContents(t, crash(m), "t", "old+more")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	checkContents(t, crash(m), "t", "new")
}

// TestCrashRenameBetweenDirs: each directory's side of the rename is
// durable with that directory.
func TestCrashRenameBetweenDirs(t *testing.T) {
	m := NewMem()
	mustMkdirAll(t, m, "x")
	mustMkdirAll(t, m, "y")
	writeFile(t, m, "x/f", "F")
	syncFile(t, m, "x/f")
	for _, d := range []string{".", "x", "y"} {
		if err := m.SyncDir(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Rename("x/f", "y/f"); err != nil {
		t.Fatal(err)
	}
	if err := m.SyncDir("y"); err != nil {
		t.Fatal(err)
	}
	c := crash(m)
	checkContents(t, c, "x/f", "F")
	checkContents(t, c, "y/f", "F")
	// The two names are one file, as after a crash on disk.
	a, err := c.OpenAppend("x/f")
	if err != nil {
		t.Fatal(err)
	}
	mustWriteTo(t, a, "!")
	mustClose(t, a)
	checkContents(t, c, "y/f", "F!")

	if err := m.SyncDir("x"); err != nil {
		t.Fatal(err)
	}
	c = crash(m)
	checkAbsent(t, c, "x/f")
	checkContents(t, c, "y/f", "F")
}

// TestCrashDirectoryCycle: syncing the directories of a double directory
// move in the wrong order makes the durable entries a cycle, which the
// clone must cut instead of looping.
func TestCrashDirectoryCycle(t *testing.T) {
	m := NewMem()
	mustMkdirAll(t, m, "a/b")
	for _, d := range []string{".", "a", "a/b"} {
		if err := m.SyncDir(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Rename("a/b", "b"); err != nil {
		t.Fatal(err)
	}
	if err := m.Rename("a", "b/a"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".", "b"} { // a still durably holds b
		if err := m.SyncDir(d); err != nil {
			t.Fatal(err)
		}
	}
	c := crash(m)
	checkList(t, c, ".", "b")
	checkList(t, c, "b", "a")
	checkList(t, c, "b/a") // the second link to b is dropped
}

func TestCrashCloneIsIndependent(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "f", "abc")
	syncFile(t, m, "f")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	lock, err := m.Lock("LOCK")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	open, err := m.Open("f")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()

	c := crash(m)
	if got := c.OpenFiles(); len(got) != 0 {
		t.Errorf("clone has open files %q", got)
	}
	if _, err := c.Lock("LOCK"); err != nil { // and no locks: LOCK is not durable anyway
		t.Errorf("Lock in the clone: %v", err)
	}
	// Everything in a clone is durable: a second crash changes nothing.
	checkList(t, crash(c), ".", "f") // LOCK, made in c, is not synced
	checkContents(t, crash(c), "f", "abc")
	// Changes to the clone are its own, and unsynced.
	writeFile(t, c, "f", "changed")
	checkContents(t, c, "f", "changed")
	checkContents(t, m, "f", "abc")
	checkContents(t, crash(c), "f", "abc")
}

// TestCrashKeepUnsyncedFile: with KeepUnsynced, a file keeps its synced
// contents and a prefix of its unsynced appends, chosen by the seed.
func TestCrashKeepUnsyncedFile(t *testing.T) {
	seed := testSeed(t)
	m := NewMem()
	f, err := m.OpenAppend("aof")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mustWriteTo(t, f, "synced|")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	var tail strings.Builder
	for i := range 20 {
		s := fmt.Sprintf("w%d;", i)
		mustWriteTo(t, f, s)
		tail.WriteString(s)
	}
	full := "synced|" + tail.String()

	lengths := make(map[int]bool)
	for i := range uint64(100) {
		opts := CrashOptions{KeepUnsynced: 0.8, Seed: seed + i}
		got, err := ReadFile(m.CrashClone(opts), "aof")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(got), "synced|") || !strings.HasPrefix(full, string(got)) {
			t.Fatalf("seed %d: crash left %q: not the synced part and a prefix of the rest of %q", seed+i, got, full)
		}
		lengths[len(got)] = true
		again, _ := ReadFile(m.CrashClone(opts), "aof")
		if !bytes.Equal(got, again) {
			t.Fatalf("seed %d: two crashes with one seed differ: %q, %q", seed+i, got, again)
		}
	}
	if len(lengths) < 3 {
		t.Errorf("100 crashes kept only the lengths %v", lengths)
	}
	if !lengths[len("synced|")] {
		t.Errorf("no crash in 100 lost the whole unsynced tail (lengths %v)", lengths)
	}
}

// TestCrashKeepUnsyncedDir: with KeepUnsynced, a directory keeps a prefix
// of its unsynced changes, in order.
func TestCrashKeepUnsyncedDir(t *testing.T) {
	seed := testSeed(t)
	m := NewMem()
	names := []string{"a", "b", "c", "d", "e"}
	for _, n := range names {
		writeFile(t, m, n, n)
		syncFile(t, m, n)
	}
	if err := m.Rename("e", "a"); err != nil { // the sixth change replaces a
		t.Fatal(err)
	}
	kept := make(map[int]bool)
	rng := rand.New(rand.NewPCG(seed, 0))
	for range 100 {
		c := m.CrashClone(CrashOptions{KeepUnsynced: 0.9, Seed: rng.Uint64()})
		got, err := c.List(".")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := ReadFile(c, "a")
		// The surviving changes are a prefix of the six.
		var n int
		switch {
		case len(got) == 4 && string(a) == "e":
			n = 6
		case slices.Equal(got, names[:len(got)]) && (len(got) == 0 || string(a) == "a"):
			n = len(got)
		default:
			t.Fatalf("crash left %q with a=%q: not a prefix of the changes", got, a)
		}
		kept[n] = true
	}
	if len(kept) < 3 {
		t.Errorf("100 crashes kept only %v changes", kept)
	}
}

func syncFile(t *testing.T, fsys FS, name string) {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
}
