package manifest

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/google/go-cmp/cmp"
)

func TestWriteRead(t *testing.T) {
	mem := vfs.NewMem()
	if err := mem.MkdirAll("data/appendonlydir"); err != nil {
		t.Fatal(err)
	}
	const dir, prefix = "data/appendonlydir", "appendonly.aof"
	if _, err := Read(mem, dir, prefix); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing manifest = %v, want fs.ErrNotExist", err)
	}
	m := &Manifest{Base: base(" file seq \n\n.aof .2.base.rdb", 2), Incr: []File{incr("appendonly.aof.2.incr.aof", 2)}}
	if err := Write(mem, dir, prefix, m); err != nil {
		t.Fatal(err)
	}
	data, err := vfs.ReadFile(mem, dir+"/appendonly.aof.manifest")
	if err != nil || string(data) != string(m.Format()) {
		t.Fatalf("manifest holds %q, %v", data, err)
	}
	got, err := Read(mem, dir, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got, equateEmpty); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
	names, _ := mem.List(dir)
	if len(names) != 1 {
		t.Errorf("directory holds %q, want the manifest only", names)
	}
	if open := mem.OpenFiles(); len(open) != 0 {
		t.Errorf("files left open: %q", open)
	}

	// Invalid manifests and prefixes are refused; the file is untouched.
	if err := Write(mem, dir, prefix, &Manifest{Base: base("a/b", 1)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Write(invalid) = %v", err)
	}
	for _, p := range []string{"", ".", "..", "a/b", `a\b`, "a\x00"} {
		if err := Write(mem, dir, p, m); err == nil {
			t.Errorf("Write(prefix %q) succeeded", p)
		}
		if _, err := Read(mem, dir, p); err == nil {
			t.Errorf("Read(prefix %q) succeeded", p)
		}
	}
	if got, err := Read(mem, dir, prefix); err != nil || !cmp.Equal(m, got, equateEmpty) {
		t.Errorf("after refused writes: Read = %+v, %v", got, err)
	}

	// A parse error names the file and line.
	f, _ := mem.Create(dir + "/bad.manifest")
	f.Write([]byte("file a seq 1 type b\nfile b seq 1 type b\n"))
	f.Close()
	_, err = Read(mem, dir, "bad")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != dir+"/bad.manifest" || pe.Line != 2 {
		t.Fatalf("Read(bad) = %v", err)
	}
	if want := "manifest: data/appendonlydir/bad.manifest: line 2: Found duplicate base file information"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want prefix %q", err, want)
	}
}

func TestReadIOError(t *testing.T) {
	mem := vfs.NewMem()
	if err := Write(mem, ".", "p", &Manifest{Base: base("a", 1)}); err != nil {
		t.Fatal(err)
	}
	ffs := vfs.NewFaulty(mem)
	ffs.FailWhen(func(op vfs.Op, _ string) bool { return op.String() == "read" }, vfs.IOError)
	_, err := Read(ffs, ".", "p")
	if !errors.Is(err, syscall.EIO) || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "p.manifest") {
		t.Errorf("Read = %v, want EIO naming the file", err)
	}
}

// TestWriteFaults fails each operation of Write in turn: Write must report
// it, and the manifest must then hold the old or the new contents; after a
// crash at that point too.
func TestWriteFaults(t *testing.T) {
	oldM := &Manifest{Base: base("p.1.base.rdb", 1), Incr: []File{incr("p.1.incr.aof", 1)}}
	newM := &Manifest{Base: base("p.2.base.rdb", 2), History: []File{hist("p.1.base.rdb", 1), hist("p.1.incr.aof", 1)},
		Incr: []File{incr("p.2.incr.aof", 2)}}
	for i := int64(0); ; i++ {
		mem := vfs.NewMem()
		if err := Write(mem, ".", "p", oldM); err != nil {
			t.Fatal(err)
		}
		ffs := vfs.NewFaulty(mem)
		ffs.FailAt(i, vfs.ShortWrite)
		err := Write(ffs, ".", "p", newM)
		if ffs.Injected() == 0 {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if err == nil {
			t.Fatalf("op %d failed but Write succeeded", i)
		}
		check := func(fsys vfs.FS, what string) {
			got, err := Read(fsys, ".", "p")
			if err != nil {
				t.Fatalf("op %d, %s: %v", i, what, err)
			}
			if !cmp.Equal(got, oldM, equateEmpty) && !cmp.Equal(got, newM, equateEmpty) {
				t.Fatalf("op %d, %s: manifest is %+v", i, what, got)
			}
		}
		check(mem, "no crash")
		for seed := range uint64(10) {
			check(mem.CrashClone(vfs.CrashOptions{Seed: seed, KeepUnsynced: 0.5}), "crash")
		}
	}
}

// TestWriteCrash crashes (keeps only synced state) after a successful
// Write: the new manifest must be there.
func TestWriteCrash(t *testing.T) {
	mem := vfs.NewMem()
	m := &Manifest{Base: base("p.1.base.rdb", 1)}
	if err := Write(mem, ".", "p", m); err != nil {
		t.Fatal(err)
	}
	got, err := Read(mem.CrashClone(vfs.CrashOptions{}), ".", "p")
	if err != nil || !cmp.Equal(got, m, equateEmpty) {
		t.Errorf("after crash: %+v, %v", got, err)
	}
}
