package aof

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

func rec(db int, args ...string) keyspace.Record {
	r := keyspace.Record{DB: db}
	for _, a := range args {
		r.Args = append(r.Args, []byte(a))
	}
	return r
}

func appendWait(t *testing.T, a *Appender, recs ...keyspace.Record) {
	t.Helper()
	end, err := a.Append(recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(context.Background(), end); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, fsys vfs.FS, name string) string {
	t.Helper()
	b, err := vfs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendEncoding(t *testing.T) {
	fsys := vfs.NewMem()
	now := time.Unix(1700000000, 0)
	a, err := OpenAppender(fsys, "a.aof", &Options{Policy: No, Timestamps: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	appendWait(t, a, rec(0, "SET", "k", "v"), rec(0, "INCR", "n"))
	appendWait(t, a, rec(2, "MULTI"), rec(2, "SET", "a", "1"), rec(2, "EXEC"))
	now = now.Add(time.Second)
	appendWait(t, a, rec(2, "DEL", "a"), rec(0, "DEL", "k"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	want := "#TS:1700000000\r\n" +
		"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" +
		// MULTI and EXEC belong to no database: the SELECT comes inside.
		"*1\r\n$5\r\nMULTI\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n" +
		"#TS:1700000001\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"
	if got := readString(t, fsys, "a.aof"); got != want {
		t.Errorf("file:\n%q\nwant:\n%q", got, want)
	}
	if _, err := a.Append([]keyspace.Record{rec(0, "SET", "x", "y")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
}

// countSyncs wraps an FS to count File.Sync calls.
type countSyncs struct {
	vfs.FS
	n atomic.Int64
}

func (c *countSyncs) OpenAppend(name string) (vfs.File, error) {
	f, err := c.FS.OpenAppend(name)
	if err != nil {
		return nil, err
	}
	return &countedFile{f, &c.n}, nil
}

type countedFile struct {
	vfs.File
	n *atomic.Int64
}

func (f *countedFile) Sync() error {
	f.n.Add(1)
	time.Sleep(200 * time.Microsecond) // a disk's sync takes time
	return f.File.Sync()
}

// TestAlwaysGroupCommit: under Always every acknowledged record survives
// a crash, and concurrent writers share syncs.
func TestAlwaysGroupCommit(t *testing.T) {
	mem := vfs.NewMem()
	fsys := &countSyncs{FS: mem}
	a, err := OpenAppender(fsys, "a.aof", &Options{Policy: Always})
	if err != nil {
		t.Fatal(err)
	}
	var turn sync.Mutex // the write turn
	var acked sync.Map
	const writers, each = 16, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := strconv.Itoa(w) + ":" + strconv.Itoa(i)
				turn.Lock()
				end, err := a.Append([]keyspace.Record{rec(0, "SET", k, "v")})
				turn.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if err := a.Wait(context.Background(), end); err != nil {
					t.Error(err)
					return
				}
				// Acknowledged: it must be in a crash image now.
				acked.Store(k, end)
			}
		}()
	}
	wg.Wait()
	syncs := fsys.n.Load()
	if syncs >= writers*each {
		t.Errorf("%d syncs for %d writes: no group commit", syncs, writers*each)
	}
	t.Logf("%d syncs for %d writes", syncs, writers*each)
	crashed := mem.CrashClone(vfs.CrashOptions{})
	size := int64(len(readString(t, crashed, "a.aof")))
	acked.Range(func(k, end any) bool {
		if end.(int64) > size {
			t.Errorf("record %s acknowledged at offset %d, crash image has %d bytes", k, end, size)
		}
		return true
	})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStickyError: a failed write reaches the writer and every later
// one; the file keeps no torn record; Retry recovers and writes what was
// buffered, once.
func TestStickyError(t *testing.T) {
	for _, fault := range []vfs.Fault{vfs.NoSpace, vfs.IOError, vfs.ShortWrite} {
		t.Run(fault.String(), func(t *testing.T) {
			mem, fsys, a := openFaulty(t, Always)
			appendWait(t, a, rec(0, "SET", "a", "1"))
			good := readString(t, mem, "a.aof")
			fsys.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpWrite }, fault)
			end, err := a.Append([]keyspace.Record{rec(0, "SET", "b", "2")})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Wait(context.Background(), end)
			var werr *WriteError
			if !errors.As(err, &werr) {
				t.Fatalf("Wait: %v, want a *WriteError", err)
			}
			if fault != vfs.ShortWrite && !errors.Is(err, errnoOf(fault)) {
				t.Errorf("Wait: %v, want %v", err, errnoOf(fault))
			}
			if got := readString(t, mem, "a.aof"); got != good {
				t.Errorf("after the failed write the file holds %q, want %q", got, good)
			}
			// Records applied meanwhile are kept for Retry, with the error.
			if _, err := a.Append([]keyspace.Record{rec(0, "SET", "c", "3")}); !errors.As(err, &werr) {
				t.Errorf("Append while failed: %v", err)
			}
			if err := a.Retry(context.Background()); err == nil {
				t.Errorf("Retry with the fault still on: no error")
			}
			fsys.FailWhen(nil, 0)
			if err := a.Retry(context.Background()); err != nil {
				t.Fatalf("Retry: %v", err)
			}
			if err := a.Wait(context.Background(), end); err != nil {
				t.Fatal(err)
			}
			appendWait(t, a, rec(0, "SET", "d", "4"))
			want := good + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n"
			if got := readString(t, mem, "a.aof"); got != want {
				t.Errorf("file:\n%q\nwant:\n%q", got, want)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSyncFailureRewritesTail: after a failed sync, under every policy,
// Retry does not trust the file's bytes since the last good sync (Linux
// may have dropped the pages the sync could not write): it truncates
// the file back to that sync and writes them again from its copy, so
// that the file is whole and durable even if those bytes on disk were
// lost (simulated here by overwriting them with zeros).
func TestSyncFailureRewritesTail(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mem, fsys, a := openFaulty(t, p)
				appendWait(t, a, rec(0, "SET", "a", "1"))
				if err := a.Sync(context.Background()); err != nil {
					t.Fatal(err)
				}
				good := readString(t, mem, "a.aof")
				fsys.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpSync }, vfs.IOError)
				end, err := a.Append([]keyspace.Record{rec(0, "SET", "b", "2")})
				if err != nil {
					t.Fatal(err)
				}
				err = a.Wait(context.Background(), end)
				switch p {
				case Always:
					if !errors.Is(err, syscall.EIO) {
						t.Fatalf("Wait under always with a failing sync: %v", err)
					}
				case EverySec:
					if err != nil {
						t.Fatalf("Wait under everysec: %v", err)
					}
					time.Sleep(1500 * time.Millisecond) // the background sync
					synctest.Wait()
				case No:
					if err != nil {
						t.Fatalf("Wait under no: %v", err)
					}
					if err := a.Sync(context.Background()); !errors.Is(err, syscall.EIO) {
						t.Fatalf("Sync: %v", err)
					}
				}
				var werr *WriteError
				if !errors.As(a.Err(), &werr) || werr.Op != "sync" {
					t.Fatalf("Err after the failed sync: %v", a.Err())
				}
				// The pages of b are lost: the file holds zeros there.
				n := int64(len(readString(t, mem, "a.aof")) - len(good))
				if err := mem.Truncate("a.aof", int64(len(good))); err != nil {
					t.Fatal(err)
				}
				f, err := mem.OpenAppend("a.aof")
				if err != nil {
					t.Fatal(err)
				}
				f.Write(make([]byte, n))
				f.Close()
				if _, err := a.Append([]keyspace.Record{rec(0, "SET", "c", "3")}); !errors.As(err, &werr) {
					t.Fatalf("Append while failed: %v", err)
				}
				if err := a.Retry(context.Background()); !errors.Is(err, syscall.EIO) {
					t.Fatalf("Retry with the fault on: %v", err)
				}
				fsys.FailWhen(nil, 0)
				if err := a.Retry(context.Background()); err != nil {
					t.Fatalf("Retry: %v", err)
				}
				want := good + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n"
				if got := readString(t, mem, "a.aof"); got != want {
					t.Errorf("file after Retry:\n%q\nwant:\n%q", got, want)
				}
				if got := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"); got != want {
					t.Errorf("crash image after Retry:\n%q\nwant:\n%q", got, want)
				}
				appendWait(t, a, rec(0, "SET", "d", "4"))
				if err := a.Close(); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// openFaulty opens an Appender under policy p on a faulty FS over a
// MemFS, writing a.aof.
// openFaulty opens an Appender that writes through the page cache under
// every policy (Buffered), on a Faulty over a MemFS.
func openFaulty(t *testing.T, p Policy) (*vfs.MemFS, *vfs.Faulty, *Appender) {
	t.Helper()
	mem := vfs.NewMem()
	fsys := vfs.NewFaulty(mem)
	a, err := OpenAppender(fsys, "a.aof", &Options{Policy: p, Buffered: true})
	if err != nil {
		t.Fatal(err)
	}
	return mem, fsys, a
}

// TestRetryRewritesInPlace: after a failed sync, Retry writes the bytes
// since the last good sync again where they are. While that keeps
// failing, or if the process dies in the middle, the file still holds
// every acknowledged record (a truncate-and-append retry would have cut
// them, and lost them to a crash of the process alone).
func TestRetryRewritesInPlace(t *testing.T) {
	for _, p := range []Policy{EverySec, No} {
		for _, fault := range []vfs.Fault{vfs.IOError, vfs.ShortWrite} {
			t.Run(p.String()+"/"+fault.String(), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					mem, fsys, a := openFaulty(t, p)
					defer a.Close()
					appendWait(t, a, rec(0, "SET", "a", "1"))
					if err := a.Sync(context.Background()); err != nil {
						t.Fatal(err)
					}
					appendWait(t, a, rec(0, "SET", "b", "2")) // acknowledged
					want := readString(t, mem, "a.aof")
					fsys.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpSync }, vfs.IOError)
					if err := a.Sync(context.Background()); !errors.Is(err, syscall.EIO) {
						t.Fatalf("Sync with a failing fsync: %v", err)
					}
					fsys.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpWrite || op == vfs.OpWriteAt }, fault)
					for range 3 {
						if err := a.Retry(context.Background()); err == nil {
							t.Fatal("Retry succeeded with its writes failing")
						}
						if got := readString(t, mem, "a.aof"); got != want {
							t.Fatalf("file while the retries fail:\n%q\nwant:\n%q", got, want)
						}
					}
					fsys.FailWhen(nil, 0)
					if err := a.Retry(context.Background()); err != nil {
						t.Fatalf("Retry: %v", err)
					}
					if got := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"); got != want {
						t.Errorf("crash image after Retry:\n%q\nwant:\n%q", got, want)
					}
				})
			})
		}
	}
}

// TestEverySecSyncsAfterWriteError: after a failed write, the everysec
// background sync goes on syncing what was written before, so that the
// records acknowledged before the failure become durable.
func TestEverySecSyncsAfterWriteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem, fsys, a := openFaulty(t, EverySec)
		defer a.Close()
		appendWait(t, a, rec(0, "SET", "a", "1"))
		written := readString(t, mem, "a.aof")
		fsys.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpWrite }, vfs.NoSpace)
		end, err := a.Append([]keyspace.Record{rec(0, "SET", "b", "2")})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Wait(context.Background(), end); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("Wait on a full disk: %v", err)
		}
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		if got := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"); got != written {
			t.Errorf("crash image after the background sync:\n%q\nwant:\n%q", got, written)
		}
		fsys.FailWhen(nil, 0)
	})
}

// TestUnsyncedBound: under no, which never syncs by itself, the copy of
// the unsynced bytes a failed sync would need stays bounded: a write
// that takes it to maxUnsynced syncs.
func TestUnsyncedBound(t *testing.T) {
	defer func(n int) { maxUnsynced = n }(maxUnsynced)
	maxUnsynced = 4 << 10
	mem := vfs.NewMem()
	fsys := &countSyncs{FS: mem}
	a, err := OpenAppender(fsys, "a.aof", &Options{Policy: No})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	big := string(make([]byte, maxUnsynced/4))
	for i := range 3 {
		appendWait(t, a, rec(0, "SET", "k"+strconv.Itoa(i), big))
	}
	if n := fsys.n.Load(); n != 0 {
		t.Fatalf("%d syncs under no before maxUnsynced bytes", n)
	}
	appendWait(t, a, rec(0, "SET", "k3", big))
	if n := fsys.n.Load(); n != 1 {
		t.Fatalf("%d syncs once maxUnsynced bytes are written, want 1", n)
	}
	a.mu.Lock()
	tail := len(a.tail)
	a.mu.Unlock()
	if tail != 0 || a.synced.Load() != a.written.Load() {
		t.Errorf("after the sync: %d bytes kept, synced %d of %d", tail, a.synced.Load(), a.written.Load())
	}
}

func TestEverySecSyncs(t *testing.T) {
	mem := vfs.NewMem()
	fsys := &countSyncs{FS: mem}
	a, err := OpenAppender(fsys, "a.aof", &Options{Policy: EverySec})
	if err != nil {
		t.Fatal(err)
	}
	appendWait(t, a, rec(0, "SET", "a", "1"))
	if fsys.n.Load() != 0 {
		t.Errorf("everysec synced in the writer's call")
	}
	// Wait for the background sync to have finished (the counter goes
	// up when it starts).
	deadline := time.Now().Add(5 * time.Second)
	for a.synced.Load() < a.written.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fsys.n.Load() == 0 || a.synced.Load() < a.written.Load() {
		t.Fatalf("no background sync within 5 s")
	}
	crashed := mem.CrashClone(vfs.CrashOptions{})
	if got := readString(t, crashed, "a.aof"); len(got) == 0 {
		t.Errorf("synced record not in the crash image")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParsePolicy(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		if q, err := ParsePolicy(p.String()); err != nil || q != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p, q, err)
		}
	}
	if _, err := ParsePolicy("sometimes"); err == nil {
		t.Errorf("ParsePolicy(sometimes): no error")
	}
}

func errnoOf(f vfs.Fault) syscall.Errno {
	if f == vfs.IOError {
		return syscall.EIO
	}
	return syscall.ENOSPC
}

// slowSync wraps an FS so that File.Sync takes d (fake time, in a
// synctest bubble).
type slowSync struct {
	vfs.FS
	d atomic.Int64
}

func (s *slowSync) OpenAppend(name string) (vfs.File, error) {
	f, err := s.FS.OpenAppend(name)
	if err != nil {
		return nil, err
	}
	return &slowFile{f, s}, nil
}

type slowFile struct {
	vfs.File
	s *slowSync
}

func (f *slowFile) Sync() error {
	time.Sleep(time.Duration(f.s.d.Load()))
	return f.File.Sync()
}

// TestEverySecPostpones: under everysec, a write waits for the
// background sync in flight, as Redis's does, but not more than 2 s;
// then it goes on and counts a delayed fsync.
func TestEverySecPostpones(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fsys := &slowSync{FS: vfs.NewMem()}
		fsys.d.Store(int64(500 * time.Millisecond))
		a, err := OpenAppender(fsys, "a.aof", &Options{Policy: EverySec})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		appendWait(t, a, rec(0, "SET", "a", "1"))
		if d := time.Since(start); d != 0 {
			t.Errorf("first write took %v with no sync in flight", d)
		}
		time.Sleep(time.Second + time.Millisecond) // the sync of "a" starts at 1 s
		synctest.Wait()
		start = time.Now()
		appendWait(t, a, rec(0, "SET", "b", "2"))
		if d := time.Since(start); d != 499*time.Millisecond {
			t.Errorf("write during a 500 ms sync took %v, want the rest of the sync", d)
		}
		fsys.d.Store(int64(5 * time.Second))
		time.Sleep(time.Second - 499*time.Millisecond) // the sync of "b" starts at 2 s
		synctest.Wait()
		start = time.Now()
		appendWait(t, a, rec(0, "SET", "c", "3"))
		if d := time.Since(start); d != maxPostpone {
			t.Errorf("write during a 5 s sync took %v, want %v", d, maxPostpone)
		}
		if n := a.DelayedFsyncs(); n != 1 {
			t.Errorf("DelayedFsyncs = %d, want 1", n)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPauseSyncs: while syncs are paused, Always returns once written,
// without a sync, and the everysec cycle syncs nothing; resumed, Always
// syncs again.
func TestPauseSyncs(t *testing.T) {
	for _, p := range []Policy{Always, EverySec} {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mem := vfs.NewMem()
				fsys := &countSyncs{FS: mem}
				a, err := OpenAppender(fsys, "a.aof", &Options{Policy: p})
				if err != nil {
					t.Fatal(err)
				}
				a.PauseSyncs(true)
				appendWait(t, a, rec(0, "SET", "a", "1"))
				time.Sleep(3 * time.Second)
				synctest.Wait()
				if n := fsys.n.Load(); n != 0 {
					t.Errorf("%d syncs while paused", n)
				}
				a.PauseSyncs(false)
				appendWait(t, a, rec(0, "SET", "b", "2"))
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if n := fsys.n.Load(); n == 0 {
					t.Errorf("no sync once resumed")
				}
				if err := a.Close(); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestSetPolicy: the policy changes while the Appender is in use: after
// a switch to always, Wait returns once the records are synced; after
// a switch to everysec, the background sync syncs them within a second;
// timestamps turn on and off.
func TestSetPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := vfs.NewMem()
		now := time.Unix(1700000000, 0)
		a, err := OpenAppender(mem, "a.aof", &Options{Policy: No, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		crashed := func() string {
			t.Helper()
			return string(records(t, []byte(readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"))))
		}
		appendWait(t, a, rec(0, "SET", "a", "1"))
		a.SetPolicy(Always)
		if a.Policy() != Always {
			t.Fatalf("policy %v", a.Policy())
		}
		appendWait(t, a, rec(0, "SET", "b", "2"))
		want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
		if got := crashed(); got != want {
			t.Fatalf("after a crash under always:\n%q", got)
		}
		a.SetPolicy(EverySec)
		a.SetTimestamps(true)
		appendWait(t, a, rec(0, "SET", "c", "3"))
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		want += "#TS:1700000000\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n"
		if got := crashed(); got != want {
			t.Fatalf("after a crash a second after an everysec write:\n%q", got)
		}
		a.SetTimestamps(false)
		now = now.Add(time.Second)
		appendWait(t, a, rec(0, "SET", "d", "4"))
		want += "*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n"
		if got := readString(t, mem, "a.aof"); got != want {
			t.Fatalf("without timestamps:\n%q", got)
		}
	})
}
