package aof

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

// fakeTarget counts what it is given, knows SELECT (of databases 0 to
// 15) and a few commands, and nothing of what they cost in a keyspace:
// the fuzz target is about the loader.
type fakeTarget struct{ keys, cmds int }

func (f *fakeTarget) Restore(*rdb.Entry) error { f.keys++; return nil }

func (f *fakeTarget) Exec(db int, args [][]byte) (int, error) {
	f.cmds++
	switch {
	case isCommand(args[0], "select"):
		if len(args) == 2 {
			if n, err := strconv.Atoi(string(args[1])); err == nil && n >= 0 && n < 16 {
				return n, nil
			}
		}
		return db, nil
	case isCommand(args[0], "set"), isCommand(args[0], "incr"), isCommand(args[0], "del"):
		return db, nil
	}
	return db, fmt.Errorf("%w %q", ErrUnknownCommand, args[0])
}

func (f *fakeTarget) ExecMulti(db int, cmds [][][]byte) (int, error) {
	for _, c := range cmds {
		var err error
		if db, err = f.Exec(db, c); err != nil {
			return db, err
		}
	}
	return db, nil
}

// FuzzLoadFile: any file loads or fails with an error, never a panic;
// with AllowTruncated the file's end is never an error, and what loads
// ends where the file now ends.
func FuzzLoadFile(f *testing.F) {
	mem := vfs.NewMem()
	writeRandomAOF(f, mem, "a.aof", 1, 30)
	if b, err := vfs.ReadFile(mem, "a.aof"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile(fixtures + "/aof-truncated/appendonlydir/appendonly.aof.1.base.aof"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"))
	f.Add([]byte("#TS:1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n#TS"))
	f.Add([]byte("REDIS0010\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, allow := range []bool{false, true} {
			fsys := vfs.NewMem()
			w, _ := fsys.Create("a.aof")
			w.Write(data)
			w.Close()
			res, err := LoadFile(fsys, "a.aof", &fakeTarget{}, &LoadOptions{AllowTruncated: allow})
			if err != nil {
				if allow && errors.Is(err, ErrTruncated) {
					t.Fatalf("AllowTruncated, yet: %v", err)
				}
				continue
			}
			now, _ := vfs.ReadFile(fsys, "a.aof")
			if res.End > int64(len(now)) || res.Truncated && res.End != int64(len(now)) {
				t.Fatalf("result %+v for a file of %d bytes (now %d)", res, len(data), len(now))
			}
		}
	})
}
