package aofrdb

// Crashes and faults at every file system operation of a Store's
// workload that includes a rewrite and saves, as aof's TestDirCrash and
// TestDirFaults do for a Dir.

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/resp"
)

// crashVariant is a persistence setting of the workload.
type crashVariant struct {
	name   string
	aofOn  bool
	policy aof.Policy
}

var crashVariants = []crashVariant{
	{"always", true, aof.Always},
	{"everysec", true, aof.EverySec},
	{"no", true, aof.No},
	{"rdb", false, 0},
}

func (v crashVariant) options(fsys vfs.FS) *Options {
	o := DefaultOptions()
	o.FS = fsys
	o.AppendOnly = v.aofOn
	o.AppendFsync = v.policy
	o.Databases = 1
	// A save point the clock never reaches: Close saves, and a failed
	// BGSAVE stops writes.
	o.Save = []SavePoint{{Seconds: 1 << 30, Changes: 1}}
	o.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000) }
	return o
}

// storeWorkload is what the crash and fault tests run: writers SET key
// i%keys to i, i in the order the writes are applied (taken under the
// write turn), with BGREWRITEAOF at a third of the way (BGSAVE with AOF
// off), BGSAVE at half and SAVE at two thirds, then WaitBackground and
// Close.
type storeWorkload struct {
	v       crashVariant
	writers int
	n, keys int

	s    *Store
	tr   *syncTracker
	next int // under the write turn

	mu    sync.Mutex // guards the fields below
	acked []bool
	pos   []aofPos // where write i's records end, once acknowledged
	// saved is a number of writes, from the first, that a save
	// that succeeded holds; bgBefore those the last BGSAVE started
	// holds.
	saved, bgBefore int

	// recover makes run, after the first error, recover without a
	// restart (see recoverFrom) before it closes the Store, and
	// recoverErr is what went wrong then.
	recover    bool
	recoverErr error
	// unsynced counts the writes acknowledged under always before
	// their records were synced: there must be none.
	unsynced int
}

func newStoreWorkload(v crashVariant) *storeWorkload {
	w := &storeWorkload{v: v, writers: 3, n: 36, keys: 5}
	w.acked = make([]bool, w.n)
	w.pos = make([]aofPos, w.n)
	return w
}

// run runs the workload on fsys and returns the first error it met.
func (w *storeWorkload) run(fsys vfs.FS) error {
	w.tr = newSyncTracker(fsys)
	s, err := Open(rigDir, w.v.options(w.tr))
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	w.s = s
	var (
		errMu    sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		stop     atomic.Bool
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		stop.Store(true)
	}
	for range w.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i, err := w.write()
				if i < 0 {
					return
				}
				if err != nil {
					fail(fmt.Errorf("write %d: %w", i, err))
					return
				}
				if err := w.job(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := s.WaitBackground(ctx); err != nil {
		fail(fmt.Errorf("background job: %w", err))
	} else {
		w.mu.Lock()
		w.saved = max(w.saved, w.bgBefore)
		w.mu.Unlock()
	}
	if w.recover && firstErr != nil {
		w.recoverErr = w.recoverFrom()
	}
	if err := s.Close(); err != nil {
		fail(fmt.Errorf("close: %w", err))
	} else {
		w.mu.Lock()
		w.saved = w.ackedPrefix()
		w.mu.Unlock()
	}
	return firstErr
}

// recoverFrom is what the Store's cron does after a failure, once the
// fault is gone, done at once rather than a second later: the AOF's
// retry, and a BGSAVE when a failed one stops writes. Then writes must be
// accepted again, with INFO saying the AOF is fine, without a restart:
// it makes the writes left, and a rewrite (with AOF on) or a BGSAVE.
func (w *storeWorkload) recoverFrom() error {
	s := w.s
	// Reads go on whatever failed.
	if _, _, err := s.Get(ctx, []byte("k0")); err != nil {
		return fmt.Errorf("read after the failure: %w", err)
	}
	s.retryAOF(ctx)
	if i := s.Info(); w.v.aofOn && i.AOFLastWriteStatus != "ok" {
		return fmt.Errorf("aof_last_write_status %s after the retry", i.AOFLastWriteStatus)
	}
	bgsave := func() error {
		w.mu.Lock()
		before := w.ackedPrefix()
		w.mu.Unlock()
		if err := s.BGSave(ctx); err != nil {
			return fmt.Errorf("bgsave: %w", err)
		}
		if err := s.WaitBackground(ctx); err != nil {
			return fmt.Errorf("bgsave: %w", err)
		}
		w.mu.Lock()
		w.saved = max(w.saved, before)
		w.mu.Unlock()
		return nil
	}
	if s.Writable() != nil {
		if err := bgsave(); err != nil { // a failed BGSAVE stops writes
			return err
		}
	}
	if err := s.Writable(); err != nil {
		return fmt.Errorf("writes still refused: %w", err)
	}
	for {
		i, err := w.write()
		if i < 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("write %d after the recovery: %w", i, err)
		}
	}
	if w.v.aofOn {
		if err := s.RewriteAOF(ctx); err != nil {
			return fmt.Errorf("rewrite after the recovery: %w", err)
		}
		return nil
	}
	return bgsave()
}

// lastAcked returns one more than the number of the last acknowledged
// write: writes are applied in order, so the state loaded must be after
// at least that many.
func (w *storeWorkload) lastAcked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := w.n - 1; i >= 0; i-- {
		if w.acked[i] {
			return i + 1
		}
	}
	return 0
}

// tempFiles returns the temporary files in the data directory and the
// AOF directory.
func tempFiles(fsys vfs.FS) []string {
	var temps []string
	for _, dir := range []string{rigDir, filepath.Join(rigDir, "appendonlydir")} {
		names, _ := fsys.List(dir)
		for _, n := range names {
			if vfs.IsTemp(n) {
				temps = append(temps, filepath.Join(dir, n))
			}
		}
	}
	return temps
}

// write makes the next write and returns its number, -1 when all are
// done.
func (w *storeWorkload) write() (int, error) {
	i := -1
	var p aofPos
	err := w.s.Write(ctx, func(wr *Writer) error {
		if w.next >= w.n {
			return nil
		}
		i = w.next
		w.next++
		args := [][]byte{[]byte("SET"), []byte("k" + strconv.Itoa(i%w.keys)), []byte(strconv.Itoa(i))}
		if w.s.aofp.Load() != nil {
			// Where the write's records will end: the appender is at
			// start, and the first record of a file (they are all new
			// in this workload) comes after a SELECT.
			m := w.s.aofp.Load().Manifest()
			start := w.s.aofp.Load().Appender().Size()
			rec := resp.AppendCommand(nil, args...)
			if start == 0 {
				rec = resp.AppendCommand(rec, []byte("SELECT"), []byte("0"))
			}
			p = aofPos{file: m.Incr[len(m.Incr)-1].Name, end: start + int64(len(rec))}
		}
		err := wr.Exec(&keyspace.Call{Args: args})
		if err != nil {
			w.next-- // refused: the next write takes its number
		}
		return err
	})
	if i < 0 || err != nil {
		return i, err
	}
	w.mu.Lock()
	w.acked[i], w.pos[i] = true, p
	if w.v.aofOn && w.v.policy == aof.Always && w.tr.syncedSize(p.file) < p.end {
		w.unsynced++
	}
	w.mu.Unlock()
	return i, nil
}

// job starts the background job or the save due after write i.
func (w *storeWorkload) job(i int) error {
	w.mu.Lock()
	before := w.ackedPrefix()
	w.mu.Unlock()
	switch i {
	case w.n / 3:
		if w.v.aofOn {
			if err := w.s.BGRewriteAOF(ctx); err != nil {
				return fmt.Errorf("bgrewriteaof: %w", err)
			}
			return nil
		}
		return w.bgsave(before)
	case w.n / 2:
		return w.bgsave(before)
	case 2 * w.n / 3:
		err := w.s.Save()
		if errors.Is(err, ErrSaveInProgress) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		w.mu.Lock()
		w.saved = max(w.saved, before)
		w.mu.Unlock()
	}
	return nil
}

func (w *storeWorkload) bgsave(before int) error {
	err := w.s.BGSave(ctx)
	if errors.Is(err, ErrSaveInProgress) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bgsave: %w", err)
	}
	w.mu.Lock()
	w.bgBefore = before
	w.mu.Unlock()
	return nil
}

// ackedPrefix returns how many writes, from the first, were
// acknowledged. The caller holds mu.
func (w *storeWorkload) ackedPrefix() int {
	n := 0
	for n < w.n && w.acked[n] {
		n++
	}
	return n
}

// durable returns how many writes, from the first, are durable at the
// instant of the call: with AOF on, acknowledged and synced by the
// Syncs the tracker saw; with AOF off, held by a save that succeeded.
func (w *storeWorkload) durable() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.v.aofOn {
		return w.saved
	}
	n := 0
	for n < w.n && w.acked[n] && w.tr.syncedSize(w.pos[n].file) >= w.pos[n].end {
		n++
	}
	return n
}

// check opens the Store of fsys and checks it holds the state after
// the first j writes, for some j >= min; then it writes once more,
// reopens, and checks that write is there and no temporary or history
// file is left.
func (w *storeWorkload) check(t *testing.T, fsys vfs.FS, min int, what string) {
	t.Helper()
	s, err := Open(rigDir, w.v.options(fsys))
	if err != nil {
		t.Fatalf("%s: open: %v", what, err)
	}
	j := w.loaded(t, s, min, what)
	k := "k" + strconv.Itoa(j%w.keys)
	if err := s.Set(ctx, []byte(k), []byte(strconv.Itoa(j)), 0); err != nil {
		t.Fatalf("%s: write after reopen: %v", what, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("%s: close after reopen: %v", what, err)
	}
	if s, err = Open(rigDir, w.v.options(fsys)); err != nil {
		t.Fatalf("%s: second open: %v", what, err)
	}
	if got := w.loaded(t, s, j+1, what+", reopened"); got != j+1 {
		t.Fatalf("%s: after reopen and one more write, state after %d writes, want %d", what, got, j+1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{rigDir, filepath.Join(rigDir, "appendonlydir")} {
		names, _ := fsys.List(dir)
		for _, n := range names {
			if vfs.IsTemp(n) {
				t.Errorf("%s: temporary file %s left in %s", what, n, dir)
			}
		}
	}
	if w.v.aofOn {
		m, err := manifest.Read(fsys, filepath.Join(rigDir, "appendonlydir"), "appendonly.aof")
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(m.History) != 0 {
			t.Errorf("%s: history left in the manifest: %v", what, m.History)
		}
		listed := map[string]bool{"appendonly.aof.manifest": true}
		if m.Base != nil {
			listed[m.Base.Name] = true
		}
		for _, f := range m.Incr {
			listed[f.Name] = true
		}
		// A crash or a failure between writing a rewrite's new file and
		// the manifest that lists it leaves that file behind, as in
		// Redis; the next rewrite takes the same name and replaces it
		// (a base) or appends to it (an incr file, which is empty: the
		// records switch to it only once the manifest is durable).
		next := map[string]bool{
			manifest.BaseName("appendonly.aof", m.NextBaseSeq(), true):  true,
			manifest.BaseName("appendonly.aof", m.NextBaseSeq(), false): true,
		}
		incr := manifest.IncrName("appendonly.aof", m.NextIncrSeq())
		names, _ := fsys.List(filepath.Join(rigDir, "appendonlydir"))
		for _, n := range names {
			switch {
			case listed[n] || next[n]:
			case n == incr:
				if fi, err := fsys.Stat(filepath.Join(rigDir, "appendonlydir", n)); err != nil || fi.Size() != 0 {
					t.Errorf("%s: %s, not in the manifest, is not empty", what, n)
				}
			default:
				t.Errorf("%s: %s left in the AOF directory, not in the manifest", what, n)
			}
		}
	}
}

// loaded checks s holds the state after j writes, j >= min, and
// returns j.
func (w *storeWorkload) loaded(t *testing.T, s *Store, min int, what string) int {
	t.Helper()
	got := map[string]string{}
	j := 0
	for k := range w.keys {
		key := "k" + strconv.Itoa(k)
		v, ok, err := s.Get(ctx, []byte(key))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			got[key] = string(v)
			n, _ := strconv.Atoi(string(v))
			j = max(j, n+1)
		}
	}
	want := map[string]string{}
	for i := range j {
		want["k"+strconv.Itoa(i%w.keys)] = strconv.Itoa(i)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: loaded %v, not the state after %d writes %v", what, got, j, want)
	}
	if j < min {
		t.Fatalf("%s: loaded the state after %d writes, but %d were durable", what, j, min)
	}
	return j
}

// TestStoreCrash crashes the workload before each file system
// operation, for each policy and for RDB only, keeping some unsynced
// changes or none: the crash image opens with every write that was
// durable (every acknowledged one under always), and opens again after
// one more write.
func TestStoreCrash(t *testing.T) {
	for _, v := range crashVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			for k := int64(0); ; k++ {
				mem := vfs.NewMem()
				ffs := vfs.NewFaulty(mem)
				w := newStoreWorkload(v)
				var (
					count   atomic.Int64
					crashed *vfs.MemFS
					min     int
				)
				keep := []float64{0, 0.5}[k%2]
				ffs.FailWhen(func(op vfs.Op, path string) bool {
					if count.Add(1)-1 == k {
						// What was durable before the crash: read first,
						// so the image holds at least that.
						if w.tr != nil {
							min = w.durable()
							if v.policy == aof.Always && v.aofOn {
								w.mu.Lock()
								acked := w.ackedPrefix()
								w.mu.Unlock()
								if min < acked {
									t.Errorf("crash point %d: %d writes acknowledged under always, %d durable", k, acked, min)
								}
							}
						}
						crashed = mem.CrashClone(vfs.CrashOptions{KeepUnsynced: keep, Seed: uint64(k)})
					}
					return false
				}, vfs.IOError)
				if err := w.run(ffs); err != nil {
					t.Fatalf("crash point %d: %v", k, err)
				}
				if crashed == nil {
					if k < 20 {
						t.Fatalf("only %d operations", k)
					}
					t.Logf("%d crash points", k)
					break
				}
				w.check(t, crashed, min, fmt.Sprintf("crash before operation %d", k))
			}
		})
	}
}

// TestStoreFaults fails each file system operation of the workload in
// turn (AOF appends and syncs, the rewrite's base, incr file and
// manifest updates, BGSAVE's and SAVE's RDB files), with ENOSPC, EIO and
// a short write, under each policy and with AOF off: the error reaches a
// writer (the MISCONF error, with the cause), a save, a background job,
// Open or Close, nothing panics; without a restart, once the fault is
// gone, the Store's retry (and a BGSAVE when a failed one stops writes)
// makes it accept writes again, with aof_last_write_status ok, and
// rewrites and saves succeed again; no temporary file is left; and the
// directory opens with every acknowledged write (with AOF off, every
// write the last save holds), also after a crash.
func TestStoreFaults(t *testing.T) {
	for _, v := range crashVariants {
		for _, fault := range []vfs.Fault{vfs.NoSpace, vfs.IOError, vfs.ShortWrite} {
			t.Run(v.name+"/"+fault.String(), func(t *testing.T) {
				t.Parallel()
				for k := int64(0); ; k++ {
					mem := vfs.NewMem()
					ffs := vfs.NewFaulty(mem)
					ffs.FailAt(k, fault)
					var (
						count    atomic.Int64
						failedOp vfs.Op
						failedOn string
					)
					ffs.FailWhen(func(op vfs.Op, path string) bool {
						if count.Add(1)-1 == k {
							failedOp, failedOn = op, path
						}
						return false
					}, fault)
					w := newStoreWorkload(v)
					w.recover = true
					err := w.run(ffs)
					if ffs.Injected() == 0 {
						if err != nil {
							t.Fatal(err)
						}
						if k < 20 {
							t.Fatalf("only %d operations", k)
						}
						t.Logf("%d fault points", k)
						break
					}
					if err != nil && !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, syscall.EIO) {
						t.Fatalf("%v at operation %d: error without the cause: %v", fault, k, err)
					}
					what := fmt.Sprintf("%v at operation %d, %v %s (%v)", fault, k, failedOp, failedOn, err)
					if err != nil && errors.Is(err, ErrMisconf) != (strings.HasPrefix(err.Error(), "write ") && !errors.Is(err, ErrClosed)) {
						t.Errorf("%s: a writer's error is not MISCONF, or another is", what)
					}
					if w.unsynced > 0 {
						t.Errorf("%s: %d writes acknowledged under always before they were synced", what, w.unsynced)
					}
					if w.recoverErr != nil {
						t.Fatalf("%s: no recovery without a restart: %v", what, w.recoverErr)
					}
					// A temporary file stays only if its removal was the
					// operation that failed (Open removes it).
					if temps := tempFiles(mem); len(temps) > 0 && failedOp != vfs.OpRemove {
						t.Errorf("%s: temporary files left: %v", what, temps)
					}
					w.mu.Lock()
					min := w.ackedPrefix()
					if !v.aofOn {
						min = w.saved
					}
					w.mu.Unlock()
					if v.aofOn {
						min = w.lastAcked()
					}
					crashed := mem.CrashClone(vfs.CrashOptions{})
					w.check(t, mem, min, what)
					w.check(t, crashed, w.durable(), what+", crashed")
				}
			})
		}
	}
}

// TestOpenRemovesTempRDB: the temporary file of a save that a crash
// interrupted is removed at Open; other files are left alone.
func TestOpenRemovesTempRDB(t *testing.T) {
	mem := vfs.NewMem()
	if err := mem.MkdirAll(rigDir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"temp-dump.rdb-0123abcd.tmp", "temp-other.rdb-0123abcd.tmp", "notes.txt"} {
		f, err := mem.Create(filepath.Join(rigDir, name))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	s := mustOpen(t, rigDir, memOptions(mem))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := mem.List(rigDir)
	if fmt.Sprint(names) != "[aofrdb.lock dump.rdb notes.txt temp-other.rdb-0123abcd.tmp]" {
		t.Errorf("files after Open and Close: %v", names)
	}
}

// TestRewriteAOFReportsFailure: RewriteAOF returns the error of the
// rewrite it started, however fast that rewrite fails.
func TestRewriteAOFReportsFailure(t *testing.T) {
	for i := range 200 {
		mem := vfs.NewMem()
		ffs := vfs.NewFaulty(mem)
		o := memOptions(ffs)
		o.AppendOnly = true
		o.Save = nil
		s := mustOpen(t, rigDir, o)
		if err := s.Set(ctx, []byte("k"), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		// Fail the new base's temporary file.
		ffs.FailWhen(func(op vfs.Op, path string) bool {
			return op == vfs.OpCreate && vfs.IsTemp(path)
		}, vfs.IOError)
		err := s.RewriteAOF(ctx)
		if !errors.Is(err, syscall.EIO) {
			t.Fatalf("try %d: RewriteAOF of a failing rewrite: %v", i, err)
		}
		if info := s.Info(); info.AOFLastBGRewriteStatus != "err" {
			t.Fatalf("try %d: aof_last_bgrewrite_status %s", i, info.AOFLastBGRewriteStatus)
		}
		ffs.SetEnabled(false)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadsGoOnWhenWritesFail: while the AOF cannot be written (MISCONF)
// writes are refused, and reads go on, also a read that meets a key
// whose time has passed (which deletes it).
func TestReadsGoOnWhenWritesFail(t *testing.T) {
	mem := vfs.NewMem()
	ffs := vfs.NewFaulty(mem)
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	o := memOptions(ffs)
	o.AppendOnly = true
	o.AppendFsync = aof.Always
	o.Save = nil
	o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	if err := s.Set(ctx, []byte("a"), []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, []byte("b"), []byte("2"), time.Second); err != nil {
		t.Fatal(err)
	}
	ffs.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpWrite || op == vfs.OpWriteAt }, vfs.NoSpace)
	if err := s.Set(ctx, []byte("c"), []byte("3"), 0); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write on a full disk: %v", err)
	}
	if err := s.Set(ctx, []byte("c"), []byte("3"), 0); !errors.Is(err, ErrMisconf) {
		t.Fatalf("write after a failed write: %v", err)
	}
	if got := mustGet(t, s, "a"); got != "1" {
		t.Errorf("a = %s", got)
	}
	clock.Add(2000) // b's time passes
	if got := mustGet(t, s, "b"); got != "<none>" {
		t.Errorf("b = %s after its time", got)
	}
	if n, err := s.Exists(ctx, []byte("a"), []byte("b")); err != nil || n != 1 {
		t.Errorf("EXISTS a b: %d, %v", n, err)
	}
}

// eventually polls cond until it holds, for the Store's cron (which
// ticks every 100 ms of real time); it fails the test after a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > time.Minute {
			t.Fatalf("%s: not after a minute", what)
		}
	}
}

// TestSavePointsAndMisconf: a save point starts a BGSAVE; when it fails,
// writes are refused (stop-writes-on-bgsave-error) and reads go on; the
// cron retries 5 s later, and once a save succeeds writes are accepted.
func TestSavePointsAndMisconf(t *testing.T) {
	mem := vfs.NewMem()
	ffs := vfs.NewFaulty(mem)
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	o := memOptions(ffs)
	o.Save = []SavePoint{{Seconds: 10, Changes: 1}}
	o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	if err := s.Set(ctx, []byte("a"), []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	clock.Add(11_000)
	eventually(t, "the save point's BGSAVE", func() bool {
		i := s.Info()
		return i.RDBSaves == 1 && !i.RDBBGSaveInProgress
	})
	if i := s.Info(); i.RDBLastBGSaveStatus != "ok" || i.RDBChangesSinceLastSave != 0 || i.RDBLastSaveTime != clock.Load()/1000 {
		t.Fatalf("after the BGSAVE: %+v", i)
	}
	ffs.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpCreate }, vfs.NoSpace)
	if err := s.Set(ctx, []byte("b"), []byte("2"), 0); err != nil {
		t.Fatal(err)
	}
	clock.Add(11_000)
	eventually(t, "the failed BGSAVE", func() bool { return s.Info().RDBLastBGSaveStatus == "err" })
	if err := s.Set(ctx, []byte("c"), []byte("3"), 0); !errors.Is(err, ErrMisconf) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write after a failed BGSAVE: %v", err)
	}
	if got := mustGet(t, s, "b"); got != "2" {
		t.Fatalf("read after a failed BGSAVE: %s", got)
	}
	ffs.SetEnabled(false)
	clock.Add(6_000) // the retry delay
	eventually(t, "the BGSAVE retried", func() bool { return s.Info().RDBLastBGSaveStatus == "ok" })
	if err := s.Set(ctx, []byte("c"), []byte("3"), 0); err != nil {
		t.Fatalf("write after a successful BGSAVE: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	defer s.Close()
	if got := mustGet(t, s, "a") + mustGet(t, s, "b") + mustGet(t, s, "c"); got != "123" {
		t.Errorf("after reopen: %s", got)
	}
}

// TestAOFRetry: a failed AOF write refuses writes (MISCONF) until the
// cron's retry writes what is buffered; nothing acknowledged or
// buffered is lost.
func TestAOFRetry(t *testing.T) {
	for _, p := range []aof.Policy{aof.Always, aof.EverySec, aof.No} {
		t.Run(p.String(), func(t *testing.T) {
			mem := vfs.NewMem()
			ffs := vfs.NewFaulty(mem)
			o := memOptions(ffs)
			o.AppendOnly = true
			o.AppendFsync = p
			o.Save = nil
			s := mustOpen(t, rigDir, o)
			defer s.Close()
			if err := s.Set(ctx, []byte("a"), []byte("1"), 0); err != nil {
				t.Fatal(err)
			}
			ffs.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpWrite || op == vfs.OpWriteAt }, vfs.ShortWrite)
			if err := s.Set(ctx, []byte("b"), []byte("2"), 0); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("write on a full disk: %v", err)
			}
			if i := s.Info(); i.AOFLastWriteStatus != "err" {
				t.Errorf("aof_last_write_status %s", i.AOFLastWriteStatus)
			}
			ffs.SetEnabled(false)
			eventually(t, "the retry", func() bool { return s.Info().AOFLastWriteStatus == "ok" })
			if err := s.Set(ctx, []byte("c"), []byte("3"), 0); err != nil {
				t.Fatalf("write after the retry: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// b was applied, and buffered when its write failed: Redis
			// keeps it too.
			s = mustOpen(t, rigDir, o)
			defer s.Close()
			if got := mustGet(t, s, "a") + mustGet(t, s, "b") + mustGet(t, s, "c"); got != "123" {
				t.Errorf("after reopen: %s", got)
			}
		})
	}
}

// TestAutoRewrite: the AOF is rewritten when it has grown by
// auto-aof-rewrite-percentage over its base and is over the minimum
// size; the base size survives a restart; failed automatic rewrites
// back off.
func TestAutoRewrite(t *testing.T) {
	mem := vfs.NewMem()
	ffs := vfs.NewFaulty(mem)
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	o := memOptions(ffs)
	o.AppendOnly = true
	o.Save = nil
	o.AutoAOFRewriteMinSize = 4 << 10
	o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	s := mustOpen(t, rigDir, o)
	value := bytes.Repeat([]byte("v"), 100)
	for i := range 60 { // about 7 KiB of SETs
		if err := s.Set(ctx, []byte("k"+strconv.Itoa(i%10)), value, 0); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the automatic rewrite", func() bool {
		i := s.Info()
		return i.AOFRewrites == 1 && !i.AOFRewriteInProgress
	})
	i := s.Info()
	if i.AOFLastBGRewriteStatus != "ok" || i.AOFBaseSize == 0 || i.AOFBaseSize >= 4<<10 {
		t.Fatalf("after the automatic rewrite: %+v", i)
	}
	base := i.AOFBaseSize
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, the AOF is its base (10 keys) and an empty incr file:
	// under the minimum size, no rewrite.
	s = mustOpen(t, rigDir, o)
	if i := s.Info(); i.AOFBaseSize != base {
		t.Fatalf("base size %d after reopen, was %d", i.AOFBaseSize, base)
	}
	// Rewrites that fail back off: two at once, then one a minute later.
	ffs.FailWhen(func(op vfs.Op, path string) bool { return op == vfs.OpCreate && vfs.IsTemp(path) }, vfs.IOError)
	for i := range 60 {
		if err := s.Set(ctx, []byte("k"+strconv.Itoa(i%10)), value, 0); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "three failed rewrites", func() bool {
		i := s.Info()
		return i.AOFRewritesConsecFailures == 3 && !i.AOFRewriteInProgress
	})
	time.Sleep(300 * time.Millisecond) // a few cron cycles: no more tries
	if i := s.Info(); i.AOFRewritesConsecFailures != 3 || i.AOFLastBGRewriteStatus != "err" {
		t.Fatalf("rewrites retried without backing off: %+v", i)
	}
	ffs.SetEnabled(false)
	clock.Add(61_000)
	eventually(t, "the rewrite after the back-off", func() bool {
		i := s.Info()
		return i.AOFLastBGRewriteStatus == "ok" && i.AOFRewritesConsecFailures == 0
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, rigDir, o)
	defer s.Close()
	for i := range 10 {
		if got := mustGet(t, s, "k"+strconv.Itoa(i)); got != string(value) {
			t.Fatalf("k%d = %q", i, got)
		}
	}
}
