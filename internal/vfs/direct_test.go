package vfs

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// openDirect opens name for direct writes, skipping the test where the
// OS's file system of the directory has none.
func openDirect(t *testing.T, fsys FS, name string) File {
	t.Helper()
	f, err := OpenDirect(fsys, name)
	if err != nil && fsys == Default && (runtime.GOOS != "linux" || errors.Is(err, syscall.EINVAL)) {
		t.Skipf("no direct writes here (%s): %v", runtime.GOOS, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDirect(t *testing.T) {
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			fsys, dir := impl.make(t)
			name := filepath.Join(dir, "f")
			_, err := OpenDirect(fsys, name)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OpenDirect of a missing file: %v, want ErrNotExist", err)
			}
			writeFile(t, fsys, name, strings.Repeat("a", 3*DirectAlign))
			if err := fsys.SyncDir(dir); err != nil {
				t.Fatal(err)
			}
			f := openDirect(t, fsys, name)
			defer mustClose(t, f)

			buf := AlignedBuffer(2 * DirectAlign)
			if len(buf) != 2*DirectAlign || !aligned(buf, 0) {
				t.Fatalf("AlignedBuffer: len %d, aligned %v", len(buf), aligned(buf, 0))
			}
			for i := range buf {
				buf[i] = 'b'
			}
			for _, c := range []struct {
				what string
				p    []byte
				off  int64
			}{
				{"offset", buf[:DirectAlign], 1},
				{"length", buf[:DirectAlign-1], 0},
				{"address", buf[1 : DirectAlign+1], 0},
			} {
				if _, err := f.WriteAt(c.p, c.off); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("WriteAt with a misaligned %s: %v, want EINVAL", c.what, err)
				}
			}
			if _, err := f.Write(buf); !errors.Is(err, syscall.EINVAL) {
				t.Errorf("Write: %v, want EINVAL", err)
			}
			if n, err := f.WriteAt(buf, 2*DirectAlign); n != len(buf) || err != nil {
				t.Fatalf("WriteAt = %d, %v", n, err)
			}
			checkSize(t, f, 4*DirectAlign)
			want := strings.Repeat("a", 2*DirectAlign) + strings.Repeat("b", 2*DirectAlign)
			checkContents(t, fsys, name, want)

			if m, ok := fsys.(*MemFS); ok {
				// Durable without a Sync.
				if err := m.SyncDir("."); err != nil {
					t.Fatal(err)
				}
				checkContents(t, crash(m), name, want)
			}
		})
	}
}

// noDirect hides the OpenDirect of the FS it wraps.
type noDirect struct{ FS }

func TestDirectUnsupported(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "f", "x")
	if _, err := OpenDirect(noDirect{m}, "f"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("OpenDirect on an FS without it: %v, want ErrUnsupported", err)
	}
	if _, err := OpenDirect(NewFaulty(noDirect{m}), "f"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("OpenDirect on a Faulty over an FS without it: %v, want ErrUnsupported", err)
	}
}

func TestDirectFaultyShortWrite(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "f", "")
	if err := m.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	ffs := NewFaulty(m)
	f, err := ffs.OpenDirect("f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ffs.FailWhen(func(op Op, _ string) bool { return op == OpWriteAt }, ShortWrite)
	buf := AlignedBuffer(3 * DirectAlign)
	n, err := f.WriteAt(buf, 0)
	if n != DirectAlign || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("short direct write = %d, %v; want %d, ENOSPC", n, err, DirectAlign)
	}
	checkContents(t, crash(m), "f", string(buf[:DirectAlign]))
}

func TestDirectLogging(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "f", "")
	var log bytes.Buffer
	f, err := OpenDirect(NewLogging(m, &log), "f")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(AlignedBuffer(DirectAlign), DirectAlign)
	f.Close()
	want := "opendirect f\nwriteat f 4096 4096\nclose f\n"
	if log.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", log.String(), want)
	}
}
