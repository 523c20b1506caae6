package vfs

import (
	"io"
	"strings"
	"testing"
)

func TestLogging(t *testing.T) {
	var log strings.Builder
	m := NewMem()
	ffs := NewFaulty(m)
	ffs.FailWhen(func(op Op, path string) bool { return op == OpSync && path == "d/g" }, NoSpace)
	fsys := NewLogging(ffs, &log)

	mustMkdirAll(t, fsys, "d")
	f := mustCreate(t, fsys, "d/f")
	mustWriteTo(t, f, "hello")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	g, err := fsys.OpenAppend("d/g")
	if err != nil {
		t.Fatal(err)
	}
	mustWriteTo(t, g, "abc")
	if err := g.Sync(); err == nil {
		t.Error("Sync did not fail")
	}
	mustClose(t, g)
	// Not logged: reads, stats, listings, locks.
	r, err := fsys.Open("d/f")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(r)
	r.Close()
	fsys.Stat("d/f")
	fsys.List("d")
	if l, err := fsys.Lock("d/LOCK"); err == nil {
		l.Close()
	}
	// Logged with its error.
	fsys.Rename("d/missing", "d/x")

	if err := fsys.Rename("d/f", "d/h"); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Truncate("d/h", 1); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Remove("d/g"); err != nil {
		t.Fatal(err)
	}
	if err := fsys.SyncDir("d"); err != nil {
		t.Fatal(err)
	}

	const want = `mkdirall d
create d/f
write d/f 5
sync d/f
ftruncate d/f 2
close d/f
openappend d/g
write d/g 3
sync d/g: no space left on device
close d/g
rename d/missing d/x: no such file or directory
rename d/f d/h
truncate d/h 1
remove d/g
syncdir d
`
	if got := log.String(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}
