package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
)

// The behaviour table: every case runs on the OS file system and on a
// MemFS, so that code tested on a MemFS behaves the same on disk. Each case
// gets an empty directory dir to work in.

type fsCase struct {
	name string
	run  func(t *testing.T, fsys FS, dir string)
}

// implementations returns, for each FS under test, a function that makes a
// fresh one with an empty directory in it.
func implementations() []struct {
	name string
	make func(t *testing.T) (FS, string)
} {
	return []struct {
		name string
		make func(t *testing.T) (FS, string)
	}{
		{"os", func(t *testing.T) (FS, string) { return Default, t.TempDir() }},
		{"mem", func(t *testing.T) (FS, string) {
			m := NewMem()
			if err := m.MkdirAll("data"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if open := m.OpenFiles(); len(open) > 0 {
					t.Errorf("files left open: %q", open)
				}
			})
			return m, "data"
		}},
	}
}

func TestBehaviour(t *testing.T) {
	for _, impl := range implementations() {
		for _, c := range behaviour {
			t.Run(impl.name+"/"+c.name, func(t *testing.T) {
				fsys, dir := impl.make(t)
				c.run(t, fsys, dir)
			})
		}
	}
}

var behaviour = []fsCase{
	{"create-write-read", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustCreate(t, fsys, name)
		if f.Name() != name {
			t.Errorf("Name() = %q, want %q", f.Name(), name)
		}
		mustWriteTo(t, f, "hello")
		checkSize(t, f, 5)
		mustClose(t, f)
		checkContents(t, fsys, name, "hello")
		fi, err := fsys.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Name() != "f" || fi.Size() != 5 || !fi.Mode().IsRegular() {
			t.Errorf("Stat = %q size %d mode %v, want \"f\" size 5, regular", fi.Name(), fi.Size(), fi.Mode())
		}
	}},
	{"create-truncates", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		writeFile(t, fsys, name, "hello world")
		f := mustCreate(t, fsys, name)
		checkSize(t, f, 0)
		mustWriteTo(t, f, "hi")
		mustClose(t, f)
		checkContents(t, fsys, name, "hi")
	}},
	{"create-is-readable", func(t *testing.T, fsys FS, dir string) {
		f := mustCreate(t, fsys, filepath.Join(dir, "f"))
		defer f.Close()
		mustWriteTo(t, f, "abc")
		p := make([]byte, 3)
		if n, err := f.ReadAt(p, 0); n != 3 || err != nil || string(p) != "abc" {
			t.Errorf("ReadAt = %d, %v, %q; want 3, nil, \"abc\"", n, err, p)
		}
	}},
	{"write-after-truncate-leaves-hole", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustCreate(t, fsys, name)
		mustWriteTo(t, f, "abc")
		if err := f.Truncate(1); err != nil {
			t.Fatal(err)
		}
		mustWriteTo(t, f, "d") // at offset 3: Truncate does not move it
		mustClose(t, f)
		checkContents(t, fsys, name, "a\x00\x00d")
	}},
	{"missing", func(t *testing.T, fsys FS, dir string) {
		missing := filepath.Join(dir, "missing")
		inMissing := filepath.Join(dir, "nodir", "f")
		for _, name := range []string{"", missing, inMissing} {
			_, err := fsys.Open(name)
			checkPathErr(t, "Open "+name, err, fs.ErrNotExist)
			_, err = fsys.Stat(name)
			checkPathErr(t, "Stat "+name, err, fs.ErrNotExist)
			checkPathErr(t, "Remove "+name, fsys.Remove(name), fs.ErrNotExist)
			checkPathErr(t, "Truncate "+name, fsys.Truncate(name, 0), fs.ErrNotExist)
			checkPathErr(t, "SyncDir "+name, fsys.SyncDir(name), fs.ErrNotExist)
			_, err = fsys.List(name)
			checkPathErr(t, "List "+name, err, fs.ErrNotExist)
		}
		for _, name := range []string{"", inMissing} {
			_, err := fsys.Create(name)
			checkPathErr(t, "Create "+name, err, fs.ErrNotExist)
			_, err = fsys.OpenAppend(name)
			checkPathErr(t, "OpenAppend "+name, err, fs.ErrNotExist)
			_, err = fsys.Lock(name)
			checkPathErr(t, "Lock "+name, err, fs.ErrNotExist)
		}
	}},
	{"file-as-directory", func(t *testing.T, fsys FS, dir string) {
		file := filepath.Join(dir, "f")
		writeFile(t, fsys, file, "x")
		under := filepath.Join(file, "g")
		_, err := fsys.Open(under)
		checkPathErr(t, "Open", err, syscall.ENOTDIR)
		_, err = fsys.Create(under)
		checkPathErr(t, "Create", err, syscall.ENOTDIR)
		_, err = fsys.Stat(under)
		checkPathErr(t, "Stat", err, syscall.ENOTDIR)
		checkPathErr(t, "MkdirAll over a file", fsys.MkdirAll(file), syscall.ENOTDIR)
		checkPathErr(t, "MkdirAll under a file", fsys.MkdirAll(under), syscall.ENOTDIR)
		_, err = fsys.List(file)
		checkPathErr(t, "List", err, syscall.ENOTDIR)
		checkPathErr(t, "SyncDir", fsys.SyncDir(file), syscall.ENOTDIR)
	}},
	{"directory-as-file", func(t *testing.T, fsys FS, dir string) {
		_, err := fsys.Create(dir)
		checkPathErr(t, "Create", err, syscall.EISDIR)
		_, err = fsys.OpenAppend(dir)
		checkPathErr(t, "OpenAppend", err, syscall.EISDIR)
		checkPathErr(t, "Truncate", fsys.Truncate(dir, 0), syscall.EISDIR)
		// As on Unix, a directory opens for reading but does not read.
		f, err := fsys.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, err = f.Read(make([]byte, 8))
		checkPathErr(t, "Read", err, syscall.EISDIR)
		_, err = f.ReadAt(make([]byte, 8), 0)
		checkPathErr(t, "ReadAt", err, syscall.EISDIR)
		if fi, err := f.Stat(); err != nil || !fi.IsDir() {
			t.Errorf("Stat = %v, %v; want a directory", fi, err)
		}
	}},
	{"read-only", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		writeFile(t, fsys, name, "abc")
		f, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		n, err := f.Write([]byte("x"))
		checkPathErr(t, "Write", err, syscall.EBADF)
		if n != 0 {
			t.Errorf("Write wrote %d bytes", n)
		}
		checkPathErr(t, "Truncate", f.Truncate(0), syscall.EINVAL)
		if err := f.Sync(); err != nil {
			t.Errorf("Sync of a read-only file: %v", err)
		}
		checkContents(t, fsys, name, "abc")
	}},
	{"write-only", func(t *testing.T, fsys FS, dir string) {
		f, err := fsys.OpenAppend(filepath.Join(dir, "f"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		mustWriteTo(t, f, "abc")
		_, err = f.Read(make([]byte, 1))
		checkPathErr(t, "Read", err, syscall.EBADF)
		_, err = f.ReadAt(make([]byte, 1), 0)
		checkPathErr(t, "ReadAt", err, syscall.EBADF)
	}},
	{"closed", func(t *testing.T, fsys FS, dir string) {
		f := mustCreate(t, fsys, filepath.Join(dir, "f"))
		mustWriteTo(t, f, "abc")
		mustClose(t, f)
		p := make([]byte, 1)
		_, err := f.Read(p)
		checkPathErr(t, "Read", err, fs.ErrClosed)
		_, err = f.ReadAt(p, 0)
		checkPathErr(t, "ReadAt", err, fs.ErrClosed)
		_, err = f.Write(p)
		checkPathErr(t, "Write", err, fs.ErrClosed)
		checkPathErr(t, "Sync", f.Sync(), fs.ErrClosed)
		_, err = f.Stat()
		checkPathErr(t, "Stat", err, fs.ErrClosed)
		checkPathErr(t, "Truncate", f.Truncate(0), fs.ErrClosed)
		checkPathErr(t, "Close", f.Close(), fs.ErrClosed)
	}},
	{"append", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f, err := fsys.OpenAppend(name) // creates
		if err != nil {
			t.Fatal(err)
		}
		mustWriteTo(t, f, "ab")
		mustClose(t, f)
		if f, err = fsys.OpenAppend(name); err != nil {
			t.Fatal(err)
		}
		mustWriteTo(t, f, "cd")
		checkContents(t, fsys, name, "abcd")
		if err := f.Truncate(1); err != nil { // Redis's undo of a short write
			t.Fatal(err)
		}
		mustWriteTo(t, f, "x") // at the new end
		checkSize(t, f, 2)
		mustClose(t, f)
		checkContents(t, fsys, name, "ax")
	}},
	{"append-writeat", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f, err := fsys.OpenAppend(name)
		if err != nil {
			t.Fatal(err)
		}
		mustWriteTo(t, f, "abcd")
		// In place, as the AOF appender rewrites bytes after a failed sync.
		if n, err := f.WriteAt([]byte("XY"), 1); n != 2 || err != nil {
			t.Fatalf("WriteAt = %d, %v", n, err)
		}
		checkContents(t, fsys, name, "aXYd")
		mustWriteTo(t, f, "e") // still at the end
		if n, err := f.WriteAt([]byte("fg"), 6); n != 2 || err != nil {
			t.Fatalf("WriteAt past the end = %d, %v", n, err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		mustClose(t, f)
		checkContents(t, fsys, name, "aXYde\x00fg")
		_, err = f.WriteAt([]byte("x"), 0)
		checkPathErr(t, "WriteAt after Close", err, fs.ErrClosed)
	}},
	{"create-writeat", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustCreate(t, fsys, name)
		mustWriteTo(t, f, "abc")
		if n, err := f.WriteAt([]byte("Z"), 0); n != 1 || err != nil {
			t.Fatalf("WriteAt = %d, %v", n, err)
		}
		mustWriteTo(t, f, "d") // the offset did not move
		mustClose(t, f)
		checkContents(t, fsys, name, "Zbcd")
		r, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		_, err = r.WriteAt([]byte("x"), 0)
		checkPathErr(t, "WriteAt of a read-only file", err, syscall.EBADF)
	}},
	{"read-offsets", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		writeFile(t, fsys, name, "abc")
		f, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p := make([]byte, 2)
		if n, err := f.Read(p); n != 2 || err != nil || string(p) != "ab" {
			t.Errorf("Read = %d, %v, %q; want 2, nil, \"ab\"", n, err, p)
		}
		if n, err := f.Read(p); n != 1 || err != nil || p[0] != 'c' {
			t.Errorf("second Read = %d, %v, %q; want 1, nil, \"c\"", n, err, p[:n])
		}
		if n, err := f.Read(p); n != 0 || err != io.EOF {
			t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
		}
		q := make([]byte, 4)
		if n, err := f.ReadAt(q, 1); n != 2 || err != io.EOF || string(q[:n]) != "bc" {
			t.Errorf("ReadAt(4 bytes, 1) = %d, %v, %q; want 2, EOF, \"bc\"", n, err, q[:n])
		}
		if n, err := f.ReadAt(q, 10); n != 0 || err != io.EOF {
			t.Errorf("ReadAt past the end = %d, %v; want 0, EOF", n, err)
		}
		if _, err := f.ReadAt(q, -1); err == nil {
			t.Error("ReadAt(-1) succeeded")
		}
	}},
	{"rename-replaces", func(t *testing.T, fsys FS, dir string) {
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		writeFile(t, fsys, a, "A")
		writeFile(t, fsys, b, "B")
		if err := fsys.Rename(a, b); err != nil {
			t.Fatal(err)
		}
		checkContents(t, fsys, b, "A")
		_, err := fsys.Stat(a)
		checkPathErr(t, "Stat old name", err, fs.ErrNotExist)
		if err := fsys.Rename(b, b); err != nil {
			t.Errorf("Rename onto itself: %v", err)
		}
		checkContents(t, fsys, b, "A")
	}},
	{"rename-errors", func(t *testing.T, fsys FS, dir string) {
		file, sub := filepath.Join(dir, "f"), filepath.Join(dir, "d")
		writeFile(t, fsys, file, "x")
		mustMkdirAll(t, fsys, filepath.Join(sub, "e"))
		checkLinkErr(t, "missing", fsys.Rename(filepath.Join(dir, "missing"), file), fs.ErrNotExist)
		checkLinkErr(t, "into a missing directory", fsys.Rename(file, filepath.Join(dir, "nodir", "f")), fs.ErrNotExist)
		checkLinkErr(t, "file onto a directory", fsys.Rename(file, sub), fs.ErrExist)
		checkLinkErr(t, "directory onto itself", fsys.Rename(sub, sub), fs.ErrExist)
		checkLinkErr(t, "directory onto a file", fsys.Rename(sub, file), syscall.ENOTDIR)
		checkLinkErr(t, "directory into itself", fsys.Rename(sub, filepath.Join(sub, "e", "x")), syscall.EINVAL)
		checkContents(t, fsys, file, "x")
	}},
	{"rename-directory", func(t *testing.T, fsys FS, dir string) {
		d1, d2 := filepath.Join(dir, "d1"), filepath.Join(dir, "d2")
		mustMkdirAll(t, fsys, filepath.Join(d1, "sub"))
		writeFile(t, fsys, filepath.Join(d1, "sub", "f"), "x")
		if err := fsys.Rename(d1, d2); err != nil {
			t.Fatal(err)
		}
		checkContents(t, fsys, filepath.Join(d2, "sub", "f"), "x")
		checkList(t, fsys, dir, "d2")
	}},
	{"remove", func(t *testing.T, fsys FS, dir string) {
		file, sub := filepath.Join(dir, "f"), filepath.Join(dir, "d")
		writeFile(t, fsys, filepath.Join(sub, "g"), "x")
		writeFile(t, fsys, file, "x")
		if err := fsys.Remove(file); err != nil {
			t.Fatal(err)
		}
		_, err := fsys.Stat(file)
		checkPathErr(t, "Stat removed", err, fs.ErrNotExist)
		checkPathErr(t, "Remove non-empty dir", fsys.Remove(sub), syscall.ENOTEMPTY)
		if err := fsys.Remove(filepath.Join(sub, "g")); err != nil {
			t.Fatal(err)
		}
		if err := fsys.Remove(sub); err != nil {
			t.Errorf("Remove empty dir: %v", err)
		}
		checkList(t, fsys, dir)
	}},
	{"remove-open-file", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		writeFile(t, fsys, name, "abc")
		r, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w, err := fsys.OpenAppend(name)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := fsys.Remove(name); err != nil {
			t.Fatal(err)
		}
		mustWriteTo(t, w, "d")
		if err := w.Sync(); err != nil {
			t.Error(err)
		}
		if got, err := io.ReadAll(r); err != nil || string(got) != "abcd" {
			t.Errorf("reading a removed file = %q, %v; want \"abcd\"", got, err)
		}
	}},
	{"mkdirall", func(t *testing.T, fsys FS, dir string) {
		deep := filepath.Join(dir, "a", "b", "c")
		mustMkdirAll(t, fsys, deep)
		mustMkdirAll(t, fsys, deep) // exists: nothing to do
		fi, err := fsys.Stat(deep)
		if err != nil || !fi.IsDir() || fi.Name() != "c" {
			t.Errorf("Stat = %v, %v; want directory c", fi, err)
		}
		checkList(t, fsys, filepath.Join(dir, "a"), "b")
	}},
	{"list", func(t *testing.T, fsys FS, dir string) {
		checkList(t, fsys, dir)
		for _, n := range []string{"c", "a", "b"} {
			writeFile(t, fsys, filepath.Join(dir, n), n)
		}
		mustMkdirAll(t, fsys, filepath.Join(dir, "d"))
		checkList(t, fsys, dir, "a", "b", "c", "d")
	}},
	{"truncate", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		writeFile(t, fsys, name, "hello")
		if err := fsys.Truncate(name, 1); err != nil {
			t.Fatal(err)
		}
		checkContents(t, fsys, name, "h")
		if err := fsys.Truncate(name, 4); err != nil { // zeros, not old bytes
			t.Fatal(err)
		}
		checkContents(t, fsys, name, "h\x00\x00\x00")
		checkPathErr(t, "Truncate to -1", fsys.Truncate(name, -1), syscall.EINVAL)
	}},
	{"syncs", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustCreate(t, fsys, name)
		mustWriteTo(t, f, "abc")
		if err := f.Sync(); err != nil {
			t.Errorf("Sync: %v", err)
		}
		mustClose(t, f)
		if err := fsys.SyncDir(dir); err != nil {
			t.Errorf("SyncDir: %v", err)
		}
	}},
	{"lock", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "LOCK")
		l, err := fsys.Lock(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fsys.Lock(name)
		checkPathErr(t, "second Lock", err, ErrLocked)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		checkPathErr(t, "second Close", l.Close(), fs.ErrClosed)
		l, err = fsys.Lock(name)
		if err != nil {
			t.Fatalf("Lock after Close: %v", err)
		}
		defer l.Close()
		checkList(t, fsys, dir, "LOCK")
	}},
}

// TestConcurrentWriteSync runs the AOF appender's pattern under the race
// detector: one goroutine appends while another syncs, stats and reads.
func TestConcurrentWriteSync(t *testing.T) {
	impls := implementations()
	impls = append(impls, struct {
		name string
		make func(t *testing.T) (FS, string)
	}{"faulty+logging", func(t *testing.T) (FS, string) {
		return NewLogging(NewFaulty(NewMem()), io.Discard), "."
	}})
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			fsys, dir := impl.make(t)
			name := filepath.Join(dir, "appendonly.aof")
			f, err := fsys.OpenAppend(name)
			if err != nil {
				t.Fatal(err)
			}
			r, err := fsys.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			const n, rec = 200, "*1\r\n$4\r\nPING\r\n"
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				p := make([]byte, len(rec))
				for {
					select {
					case <-done:
						return
					default:
					}
					if err := f.Sync(); err != nil {
						t.Error(err)
						return
					}
					fi, err := f.Stat()
					if err != nil {
						t.Error(err)
						return
					}
					if fi.Size() >= int64(len(rec)) {
						if _, err := r.ReadAt(p, fi.Size()-int64(len(rec))); err != nil || string(p) != rec {
							t.Errorf("ReadAt = %q, %v", p, err)
							return
						}
					}
				}
			})
			for range n {
				mustWriteTo(t, f, rec)
			}
			close(done)
			wg.Wait()
			mustClose(t, f)
			mustClose(t, r)
			checkContents(t, fsys, name, string(bytes.Repeat([]byte(rec), n)))
		})
	}
}

func TestReadFile(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "f", "abc")
	if got, err := ReadFile(m, "f"); err != nil || string(got) != "abc" {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
	_, err := ReadFile(m, "missing")
	checkPathErr(t, "ReadFile missing", err, fs.ErrNotExist)
	if open := m.OpenFiles(); len(open) != 0 {
		t.Errorf("open files: %q", open)
	}
}

// Helpers shared by the tests of the package.

func checkPathErr(t *testing.T, what string, err, want error) {
	t.Helper()
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Errorf("%s: error %v (%T), want an *fs.PathError", what, err, err)
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func checkLinkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	var le *os.LinkError
	if !errors.As(err, &le) {
		t.Errorf("Rename %s: error %v (%T), want an *os.LinkError", what, err, err)
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("Rename %s: error %v, want %v", what, err, want)
	}
}

func mustCreate(t *testing.T, fsys FS, name string) File {
	t.Helper()
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustWriteTo(t *testing.T, f File, s string) {
	t.Helper()
	if n, err := f.Write([]byte(s)); n != len(s) || err != nil {
		t.Fatalf("Write(%q) = %d, %v", s, n, err)
	}
}

func mustClose(t *testing.T, f io.Closer) {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustMkdirAll(t *testing.T, fsys FS, dir string) {
	t.Helper()
	if err := fsys.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
}

// writeFile creates name (and its directory) holding s, without syncing.
func writeFile(t *testing.T, fsys FS, name, s string) {
	t.Helper()
	mustMkdirAll(t, fsys, filepath.Dir(name))
	f := mustCreate(t, fsys, name)
	mustWriteTo(t, f, s)
	mustClose(t, f)
}

func checkSize(t *testing.T, f File, want int64) {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != want {
		t.Errorf("%s: size %d, want %d", f.Name(), fi.Size(), want)
	}
}

func checkContents(t *testing.T, fsys FS, name, want string) {
	t.Helper()
	got, err := ReadFile(fsys, name)
	if err != nil {
		t.Errorf("ReadFile: %v", err)
		return
	}
	if string(got) != want {
		t.Errorf("%s holds %s, want %s", name, short(string(got)), short(want))
	}
}

// short quotes s, cut if long.
func short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func checkList(t *testing.T, fsys FS, dir string, want ...string) {
	t.Helper()
	got, err := fsys.List(dir)
	if err != nil {
		t.Errorf("List: %v", err)
		return
	}
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("List(%s) = %q, want %q", dir, got, want)
	}
}
