package keyspace

import (
	"runtime"
	"strconv"
	"testing"
	"unsafe"
	"weak"
)

// TestSnapshotFrees checks that snapshots let go of what they hold: a
// flushed database once the last snapshot that saw it is closed, the
// values writers handed over, and their registration, whether they were
// read to the end or abandoned half way.
func TestSnapshotFrees(t *testing.T) {
	m := NewMemory(&Options{Databases: 2})
	do := func(args ...string) {
		c := &Call{Write: true}
		for _, a := range args {
			c.Args = append(c.Args, []byte(a))
		}
		if err := m.Exec(c); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2000 {
		do("SET", "k"+strconv.Itoa(i), "v")
	}
	old := weak.Make(m.dbs[0])

	read, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	half, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := half.Next(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2000 {
		do("SET", "k"+strconv.Itoa(i), "changed") // handed over to both
	}
	do("FLUSHALL")
	if n := len(half.(*snapshot).pending.recs); n == 0 {
		t.Fatalf("no value handed over to the snapshot read half way")
	}
	n := 0
	for {
		if _, err := read.Next(); err != nil {
			break
		}
		n++
	}
	if n != 2000 {
		t.Fatalf("snapshot read %d keys, want 2000", n)
	}
	read.Close()
	runtime.GC()
	if old.Value() == nil {
		t.Fatalf("the flushed database was freed while a snapshot that saw it is open")
	}
	half.Close()
	if len(m.snaps) != 0 {
		t.Errorf("%d snapshots still registered after Close", len(m.snaps))
	}
	if s := half.(*snapshot); len(s.pending.recs) != 0 || s.batch != nil || s.dbs != nil {
		t.Errorf("a closed snapshot keeps %d handed values, batch %v, dbs %v", len(s.pending.recs), s.batch != nil, s.dbs != nil)
	}
	runtime.GC()
	if old.Value() != nil {
		t.Errorf("the flushed database is still held after every snapshot closed")
	}
}

// TestObjectSize keeps the claim that versioning costs no memory per
// key: an object without ver (56 bytes) is allocated in the 64-byte size
// class, and with ver it still fits there.
func TestObjectSize(t *testing.T) {
	if n := unsafe.Sizeof(object{}); n > 64 {
		t.Errorf("object is %d bytes, more than the 64-byte size class", n)
	}
}
