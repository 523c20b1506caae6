package aof

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

// noWrites makes every operation that could change a file fail, so that
// a load that tries one fails.
func noWrites(op vfs.Op, _ string) bool {
	switch op {
	case vfs.OpCreate, vfs.OpOpenAppend, vfs.OpRename, vfs.OpRemove, vfs.OpMkdirAll,
		vfs.OpTruncate, vfs.OpWrite, vfs.OpSync, vfs.OpFileTruncate, vfs.OpSyncDir:
		return true
	}
	return false
}

// TestLoadReadOnly: with AllowTruncated and ReadOnly, a file whose last
// command is cut loads as with AllowTruncated alone, reports the same
// Truncated and End, and is left untouched; no operation that writes is
// even tried.
func TestLoadReadOnly(t *testing.T) {
	seed := testenv.Seed(t)
	r := rand.New(rand.NewPCG(seed, 11))
	truncated := 0
	for round := range 20 {
		mem := vfs.NewMem()
		writeRandomAOF(t, mem, "a.aof", seed+uint64(round), 40)
		whole, err := vfs.ReadFile(mem, "a.aof")
		if err != nil {
			t.Fatal(err)
		}
		// Cut inside the file, at a random byte of its second half.
		cut := len(whole)/2 + r.IntN(len(whole)/2)
		if err := mem.Truncate("a.aof", int64(cut)); err != nil {
			t.Fatal(err)
		}
		orig := whole[:cut]

		ffs := vfs.NewFaulty(mem)
		ffs.FailWhen(noWrites, vfs.IOError)
		ks := keyspace.NewMemory(nil)
		res, err := LoadFile(ffs, "a.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true, ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d (cut at %d): %v", round, cut, err)
		}
		if ffs.Injected() != 0 {
			t.Fatalf("round %d: a read-only load tried %d writing operations", round, ffs.Injected())
		}
		now, _ := vfs.ReadFile(mem, "a.aof")
		if !bytes.Equal(now, orig) {
			t.Fatalf("round %d: the file changed (%d bytes, was %d)", round, len(now), len(orig))
		}
		got := snapshotDataset(t, ks)

		// Without ReadOnly: the same data and result, and the file is cut.
		ks2 := keyspace.NewMemory(nil)
		res2, err := LoadFile(mem, "a.aof", &KeyspaceTarget{KS: ks2}, &LoadOptions{AllowTruncated: true})
		if err != nil {
			t.Fatal(err)
		}
		if res != res2 {
			t.Errorf("round %d: read-only result %+v, cutting load's %+v", round, res, res2)
		}
		if want := snapshotDataset(t, ks2); !dataset.Equal(want, got) {
			t.Errorf("round %d: read-only load gives other data:\n%s", round, dataset.Diff(want, got))
		}
		if res2.Truncated {
			truncated++
			if now, _ := vfs.ReadFile(mem, "a.aof"); int64(len(now)) != res2.End {
				t.Errorf("round %d: the cutting load left %d bytes, want %d", round, len(now), res2.End)
			}
		}
	}
	if truncated == 0 {
		t.Errorf("no cut fell inside a command")
	}
}

// TestLoadReadOnlyFixture: the truncated fixture, loaded read-only, is
// not cut.
func TestLoadReadOnlyFixture(t *testing.T) {
	adir := filepath.Join(fixtures, "aof-truncated", "appendonlydir")
	mem := copyToMem(t, adir)
	files := manifestFiles(t, mem, filepath.Join(adir, "appendonly.aof.manifest"))
	last := files[len(files)-1]
	orig, err := vfs.ReadFile(mem, last)
	if err != nil {
		t.Fatal(err)
	}
	ffs := vfs.NewFaulty(mem)
	ffs.FailWhen(noWrites, vfs.IOError)
	_, results, err := loadFixture(t, ffs, files, &LoadOptions{AllowTruncated: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := results[len(results)-1]; !res.Truncated || res.End >= res.Size {
		t.Errorf("result %+v, want Truncated", res)
	}
	if now, _ := vfs.ReadFile(mem, last); !bytes.Equal(now, orig) {
		t.Errorf("the file changed")
	}
}

// TestLoadReadOnlyStillRefuses: ReadOnly does not allow a truncated
// file by itself, nor a truncated file that is not the last.
func TestLoadReadOnlyStillRefuses(t *testing.T) {
	mem := vfs.NewMem()
	writeRandomAOF(t, mem, "a.aof", 5, 20)
	writeRandomAOF(t, mem, "b.aof", 6, 20)
	fi, err := mem.Stat("a.aof")
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Truncate("a.aof", fi.Size()-1); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(mem, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, &LoadOptions{ReadOnly: true})
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("ReadOnly without AllowTruncated: %v, want ErrTruncated", err)
	}
	_, err = LoadFiles(mem, []string{"a.aof", "b.aof"}, &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, &LoadOptions{AllowTruncated: true, ReadOnly: true})
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated file before the last: %v, want ErrTruncated", err)
	}
	if fi2, _ := mem.Stat("a.aof"); fi2.Size() != fi.Size()-1 {
		t.Errorf("the file changed")
	}
}
