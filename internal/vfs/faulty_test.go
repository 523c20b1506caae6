package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"testing"
)

// TestFaultKinds fails one operation with each kind of fault.
func TestFaultKinds(t *testing.T) {
	type setup struct {
		m   *MemFS
		ffs *Faulty
	}
	cases := []struct {
		name  string
		op    Op
		fault Fault
		want  syscall.Errno
		run   func(t *testing.T, s setup) error // runs the failing op, checks its effect
	}{
		{"create ENOSPC", OpCreate, NoSpace, syscall.ENOSPC, func(t *testing.T, s setup) error {
			_, err := s.ffs.Create("f")
			checkAbsent(t, s.m, "f")
			return err
		}},
		{"sync EIO", OpSync, IOError, syscall.EIO, func(t *testing.T, s setup) error {
			f, err := s.ffs.Create("f")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			mustWriteTo(t, f, "abc")
			if err := s.m.SyncDir("."); err != nil {
				t.Fatal(err)
			}
			err = f.Sync()
			checkContents(t, crash(s.m), "f", "") // nothing synced
			return err
		}},
		{"short write", OpWrite, ShortWrite, syscall.ENOSPC, func(t *testing.T, s setup) error {
			f, err := s.ffs.OpenAppend("f")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			n, err := f.Write([]byte("0123456789"))
			if n != 5 {
				t.Errorf("short write wrote %d bytes, want 5", n)
			}
			checkContents(t, s.m, "f", "01234") // the part written stays
			return err
		}},
		{"write EIO", OpWrite, IOError, syscall.EIO, func(t *testing.T, s setup) error {
			f, err := s.ffs.OpenAppend("f")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			n, err := f.Write([]byte("0123456789"))
			if n != 0 {
				t.Errorf("failed write wrote %d bytes", n)
			}
			checkContents(t, s.m, "f", "")
			return err
		}},
		{"short writeat", OpWriteAt, ShortWrite, syscall.ENOSPC, func(t *testing.T, s setup) error {
			f, err := s.ffs.OpenAppend("f")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			writeFile(t, s.m, "f", "abcdefghij")
			n, err := f.WriteAt([]byte("0123"), 2)
			if n != 2 {
				t.Errorf("short writeat wrote %d bytes, want 2", n)
			}
			checkContents(t, s.m, "f", "ab01efghij") // the part written stays
			return err
		}},
		{"rename EIO", OpRename, IOError, syscall.EIO, func(t *testing.T, s setup) error {
			writeFile(t, s.m, "a", "A")
			err := s.ffs.Rename("a", "b")
			var le *os.LinkError
			if !errors.As(err, &le) {
				t.Errorf("Rename error %T, want *os.LinkError", err)
			}
			checkContents(t, s.m, "a", "A")
			checkAbsent(t, s.m, "b")
			return err
		}},
		{"close ENOSPC still closes", OpClose, NoSpace, syscall.ENOSPC, func(t *testing.T, s setup) error {
			f, err := s.ffs.Create("f")
			if err != nil {
				t.Fatal(err)
			}
			err = f.Close()
			if open := s.m.OpenFiles(); len(open) != 0 {
				t.Errorf("a failed Close left %q open", open)
			}
			return err
		}},
		{"read EIO", OpRead, IOError, syscall.EIO, func(t *testing.T, s setup) error {
			writeFile(t, s.m, "f", "abc")
			f, err := s.ffs.Open("f")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = io.ReadAll(f)
			return err
		}},
		{"unlock EIO still unlocks", OpUnlock, IOError, syscall.EIO, func(t *testing.T, s setup) error {
			l, err := s.ffs.Lock("LOCK")
			if err != nil {
				t.Fatal(err)
			}
			err = l.Close()
			l2, lerr := s.m.Lock("LOCK")
			if lerr != nil {
				t.Errorf("Lock after a failed unlock: %v", lerr)
			} else {
				l2.Close()
			}
			return err
		}},
		{"syncdir short write is ENOSPC", OpSyncDir, ShortWrite, syscall.ENOSPC, func(t *testing.T, s setup) error {
			return s.ffs.SyncDir(".")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := setup{m: NewMem()}
			s.ffs = NewFaulty(s.m)
			s.ffs.FailWhen(func(op Op, path string) bool { return op == c.op }, c.fault)
			err := c.run(t, s)
			if !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			var pe *fs.PathError
			var le *os.LinkError
			if !errors.As(err, &pe) && !errors.As(err, &le) {
				t.Errorf("error %T, want *fs.PathError or *os.LinkError", err)
			}
			if got := s.ffs.Injected(); got != 1 {
				t.Errorf("Injected() = %d, want 1", got)
			}
		})
	}
}

// TestFaultyCounting checks the numbering of operations that FailAt uses.
func TestFaultyCounting(t *testing.T) {
	m := NewMem()
	ffs := NewFaulty(m)
	var ops []Op
	ffs.FailWhen(func(op Op, path string) bool { ops = append(ops, op); return false }, IOError)

	f, _ := ffs.OpenAppend("f") // 0
	f.Write([]byte("abc"))      // 1
	f.Sync()                    // 2
	f.Stat()                    // 3
	f.Close()                   // 4
	ffs.SyncDir(".")            // 5
	ffs.SetEnabled(false)
	ffs.Stat("f") // not counted
	ffs.SetEnabled(true)
	ffs.List(".") // 6
	want := []Op{OpOpenAppend, OpWrite, OpSync, OpFileStat, OpClose, OpSyncDir, OpList}
	if !slices.Equal(ops, want) {
		t.Errorf("ops %v, want %v", ops, want)
	}
	if ffs.Ops() != int64(len(want)) || ffs.Injected() != 0 {
		t.Errorf("Ops() = %d, Injected() = %d; want %d, 0", ffs.Ops(), ffs.Injected(), len(want))
	}

	ffs.FailAt(8, IOError)
	if _, err := ffs.Stat("f"); err != nil { // 7
		t.Errorf("op 7: %v", err)
	}
	ffs.SetEnabled(false)
	if _, err := ffs.Stat("f"); err != nil { // disabled: neither counted nor failed
		t.Errorf("disabled: %v", err)
	}
	ffs.SetEnabled(true)
	if _, err := ffs.Stat("f"); !errors.Is(err, syscall.EIO) { // 8
		t.Errorf("op 8: %v, want EIO", err)
	}
	if _, err := ffs.Stat("f"); err != nil { // 9: FailAt fails one op
		t.Errorf("op 9: %v", err)
	}
	ffs.FailAt(-1, 0)
	ffs.FailWhen(nil, 0)
	if ffs.Ops() != 10 || ffs.Injected() != 1 {
		t.Errorf("Ops() = %d, Injected() = %d; want 10, 1", ffs.Ops(), ffs.Injected())
	}
	if got := Op(200).String(); got != "Op(200)" {
		t.Errorf("Op(200).String() = %q", got)
	}
}

// TestFaultEveryOp runs small workloads failing operation i, for every i
// and each kind of fault, until they run clean; each time the error must
// surface with the fault's errno, nothing may stay open, and what is on
// disk must be sound, before and after a crash.
func TestFaultEveryOp(t *testing.T) {
	const oldData, newData = "old contents", "new contents"
	for _, fault := range []Fault{NoSpace, IOError, ShortWrite} {
		t.Run("WriteFileAtomic/"+fault.String(), func(t *testing.T) {
			for i := int64(0); ; i++ {
				m := NewMem()
				mustMkdirAll(t, m, "data")
				writeFile(t, m, "data/dump.rdb", oldData)
				syncFile(t, m, "data/dump.rdb")
				if err := m.SyncDir("data"); err != nil {
					t.Fatal(err)
				}
				if err := m.SyncDir("."); err != nil {
					t.Fatal(err)
				}

				ffs := NewFaulty(m)
				var ops []Op
				ffs.FailWhen(func(op Op, path string) bool { ops = append(ops, op); return false }, fault)
				ffs.FailAt(i, fault)
				err := WriteFileAtomic(ffs, "data/dump.rdb", func(w io.Writer) error {
					_, err := io.WriteString(w, newData)
					return err
				})

				if open := m.OpenFiles(); len(open) > 0 {
					t.Fatalf("op %d: files left open: %q", i, open)
				}
				checkList(t, m, "data", "dump.rdb") // no temporary file left
				if ffs.Injected() == 0 {
					if err != nil {
						t.Fatalf("clean run after %d ops: %v", i, err)
					}
					checkContents(t, m, "data/dump.rdb", newData)
					checkContents(t, crash(m), "data/dump.rdb", newData)
					return
				}
				failed := ops[i]
				if !errors.Is(err, fault.errno()) {
					t.Fatalf("op %d (%v) failed with %v; WriteFileAtomic returned %v", i, failed, fault, err)
				}
				t.Logf("op %d (%v): %v", i, failed, err)
				if failed == OpSyncDir { // renamed, not durable
					checkContents(t, m, "data/dump.rdb", newData)
				} else {
					checkContents(t, m, "data/dump.rdb", oldData)
				}
				checkContents(t, crash(m), "data/dump.rdb", oldData)
			}
		})
	}

	// The AOF appender's steps: a fault leaves a prefix of what was written.
	const rec1, rec2 = "*1\r\n$5\r\nMULTI\r\n", "*1\r\n$4\r\nEXEC\r\n"
	for _, fault := range []Fault{NoSpace, IOError, ShortWrite} {
		t.Run("append/"+fault.String(), func(t *testing.T) {
			for i := int64(0); ; i++ {
				m := NewMem()
				ffs := NewFaulty(m)
				ffs.FailAt(i, fault)
				err := func() error {
					f, err := ffs.OpenAppend("appendonly.aof")
					if err != nil {
						return err
					}
					for _, rec := range []string{rec1, rec2} {
						if err == nil {
							_, err = io.WriteString(f, rec)
						}
					}
					if err == nil {
						err = f.Sync()
					}
					if cerr := f.Close(); err == nil {
						err = cerr
					}
					return err
				}()
				if open := m.OpenFiles(); len(open) > 0 {
					t.Fatalf("op %d: files left open: %q", i, open)
				}
				if ffs.Injected() == 0 {
					if err != nil {
						t.Fatalf("clean run after %d ops: %v", i, err)
					}
					checkContents(t, m, "appendonly.aof", rec1+rec2)
					return
				}
				if !errors.Is(err, fault.errno()) {
					t.Fatalf("op %d failed with %v; the workload returned %v", i, fault, err)
				}
				if got, err := ReadFile(m, "appendonly.aof"); err == nil && !isPrefix(string(got), rec1+rec2) {
					t.Fatalf("op %d: file holds %q, not a prefix of the records", i, got)
				}
			}
		})
	}
}

func isPrefix(s, of string) bool { return len(s) <= len(of) && of[:len(s)] == s }
