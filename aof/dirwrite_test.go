package aof

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
)

const testDir = "data/appendonlydir"

// baseWriter returns a DirOptions.WriteBase that writes a RESP base of
// the snapshot next returns, atomically.
func baseWriter(fsys vfs.FS, next func() (keyspace.Snapshot, error)) func(string) (int64, error) {
	return func(path string) (int64, error) {
		s, err := next()
		if err != nil {
			return 0, err
		}
		defer s.Close()
		return WriteBaseFile(fsys, path, s, nil)
	}
}

// dirWorkload is what the durability tests run: writers SET key i%keys
// to i, for i in order of application, with rewrites at a third and two
// thirds of the way. It records what was acknowledged, and the position
// of each record, so that a test can say at any instant which writes
// are durable.
type dirWorkload struct {
	policy  Policy
	writers int
	n       int // writes
	keys    int

	turn  sync.Mutex     // the write turn
	bg    sync.WaitGroup // rewrites
	next  int            // the next write's number, under turn
	live  keyspace.Keyspace
	d     *Dir
	ackMu sync.Mutex
	acks  []Ack // per write, once appended
	acked atomic.Int64
	// ackedAll[i] is set once write i's Wait returned nil.
	ackedAll []atomic.Bool
}

func newDirWorkload(p Policy) *dirWorkload {
	w := &dirWorkload{policy: p, writers: 4, n: 48, keys: 7}
	w.acks = make([]Ack, w.n)
	w.ackedAll = make([]atomic.Bool, w.n)
	return w
}

// run runs the workload on fsys and returns the first error a writer
// or the rewrite saw (the workload stops writing at the first).
func (w *dirWorkload) run(fsys vfs.FS) error {
	w.live = keyspace.NewMemory(nil)
	d, err := OpenDir(fsys, testDir, &DirOptions{
		Append:    Options{Policy: w.policy},
		WriteBase: baseWriter(fsys, w.live.Snapshot),
	})
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	w.d = d
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
				i, ack, err := w.write()
				if i < 0 {
					return
				}
				if err != nil {
					fail(fmt.Errorf("write %d: %w", i, err))
					return
				}
				if err := ack.Wait(context.Background()); err != nil {
					fail(fmt.Errorf("wait %d: %w", i, err))
					return
				}
				w.ackedAll[i].Store(true)
				w.acked.Add(1)
			}
		}()
	}
	wg.Wait()
	w.bg.Wait()
	cerr := d.Close()
	if firstErr != nil {
		return firstErr
	}
	if cerr != nil {
		return fmt.Errorf("close: %w", cerr)
	}
	return nil
}

// write runs the next write under the write turn (and the rewrites at a
// third and two thirds), returning its number, -1 when all are done.
func (w *dirWorkload) write() (int, Ack, error) {
	w.turn.Lock()
	i := w.next
	if i >= w.n {
		w.turn.Unlock()
		return -1, Ack{}, nil
	}
	if i > 0 && i%(w.n/3) == 0 {
		if err := w.rewrite(); err != nil {
			w.next = w.n
			w.turn.Unlock()
			return i, Ack{}, fmt.Errorf("rewrite: %w", err)
		}
	}
	c := keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("k" + strconv.Itoa(i%w.keys)), []byte(strconv.Itoa(i))}, Write: true}
	if err := w.live.Exec(&c); err != nil {
		panic(err)
	}
	ack, err := w.d.Append(c.Log)
	w.next++
	if err != nil {
		w.next = w.n // stop
	} else {
		w.ackMu.Lock()
		w.acks[i] = ack
		w.ackMu.Unlock()
	}
	w.turn.Unlock()
	return i, ack, err
}

// rewrite, under the write turn, begins a rewrite and snapshots, then
// writes the base and commits without the turn, as a Store does; the
// writes go on meanwhile. It returns BeginRewrite's error.
func (w *dirWorkload) rewrite() error {
	w.bg.Wait() // one at a time
	r, err := w.d.BeginRewrite(context.Background())
	if err != nil {
		return err
	}
	s, err := w.live.Snapshot()
	if err != nil {
		panic(err)
	}
	// Write the base and commit without the turn, while writes go on,
	// as a Store does.
	w.bg.Add(1)
	go func() {
		defer w.bg.Done()
		defer s.Close()
		size, err := WriteBaseFile(w.d.fsys, r.BasePath(), s, nil)
		if err != nil {
			r.Abort() // a failed rewrite is not a failed write
			return
		}
		r.Commit(size) // nor is a failed commit
	}()
	return nil
}

// durable returns how many writes, from the first, were durable at the
// instant of the call by the appenders' own account: each write's bytes
// are synced in its file. Writes are durable in order.
func (w *dirWorkload) durable() int {
	w.ackMu.Lock()
	defer w.ackMu.Unlock()
	n := 0
	for _, a := range w.acks {
		if a.a == nil || a.a.synced.Load() < a.end {
			break
		}
		n++
	}
	return n
}

// ackedPrefix returns the number of writes, from the first, that were
// acknowledged.
func (w *dirWorkload) ackedPrefix() int {
	n := 0
	for i := range w.ackedAll {
		if !w.ackedAll[i].Load() {
			break
		}
		n++
	}
	return n
}

// check loads the directory in fsys and checks that it holds the state
// after the first j writes, for some j >= min, and returns j.
func (w *dirWorkload) check(t *testing.T, fsys vfs.FS, min int, what string) int {
	t.Helper()
	ks := keyspace.NewMemory(nil)
	_, _, err := LoadDir(fsys, testDir, "appendonly.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true})
	if isNotExist(err) {
		// The directory was never made: nothing was written.
		if min > 0 {
			t.Fatalf("%s: no AOF directory, but %d writes must be there: %v", what, min, err)
		}
		return 0
	}
	if err != nil {
		t.Fatalf("%s: load: %v", what, err)
	}
	got := map[string]string{}
	j := 0
	for k := range w.keys {
		key := "k" + strconv.Itoa(k)
		c := keyspace.Call{Args: [][]byte{[]byte("GET"), []byte(key)}}
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
		if v, ok := bulkString(c.Reply); ok {
			got[key] = v
			n, _ := strconv.Atoi(v)
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

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// bulkString returns the string of a RESP2 bulk reply, false for a null.
func bulkString(r keyspace.Reply) (string, bool) {
	b := r.Buf
	if len(b) < 4 || b[0] != '$' || b[1] == '-' {
		return "", false
	}
	i := bytes.IndexByte(b, '\n')
	return string(b[i+1 : len(b)-2]), true
}

// TestDirCrash crashes the workload before each file system operation,
// for each policy, and reopens the crash image: it loads the state after
// a prefix of the writes, with every durable write (every acknowledged
// one under always), and the directory opens and appends again.
func TestDirCrash(t *testing.T) {
	lowPadChunk(t, 2*vfs.DirectAlign) // quicker crash clones, and more extensions of the pad
	for _, p := range []Policy{Always, EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			for k := int64(0); ; k++ {
				mem := vfs.NewMem()
				ffs := vfs.NewFaulty(mem)
				w := newDirWorkload(p)
				var (
					count   atomic.Int64
					crashed *vfs.MemFS
					min     int
				)
				ffs.FailWhen(func(op vfs.Op, path string) bool {
					if count.Add(1)-1 == k {
						// What was durable before the crash: read first,
						// so the image holds at least that.
						if w.d != nil {
							min = w.durable()
							if p == Always {
								min = max(min, w.ackedPrefix())
							}
						}
						crashed = mem.CrashClone(vfs.CrashOptions{KeepUnsynced: 0.5, Seed: uint64(k)})
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
				what := fmt.Sprintf("crash before operation %d", k)
				j := w.check(t, crashed, min, what)
				reopen(t, crashed, w, j, what)
			}
		})
	}
}

// reopen opens the directory again, appends one more write, closes it,
// and checks it loads with it.
func reopen(t *testing.T, fsys vfs.FS, w *dirWorkload, j int, what string) {
	t.Helper()
	ks := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(fsys, testDir, "appendonly.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true}); err != nil && !isNotExist(err) {
		t.Fatalf("%s: reload: %v", what, err)
	}
	d, err := OpenDir(fsys, testDir, &DirOptions{Append: Options{Policy: Always}, WriteBase: baseWriter(fsys, ks.Snapshot)})
	if err != nil {
		t.Fatalf("%s: reopen: %v", what, err)
	}
	key := "k" + strconv.Itoa(j%w.keys)
	ack, err := d.Append([]keyspace.Record{rec(0, "SET", key, strconv.Itoa(j))})
	if err == nil {
		err = ack.Wait(context.Background())
	}
	if err != nil {
		t.Fatalf("%s: append after reopen: %v", what, err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("%s: close after reopen: %v", what, err)
	}
	if got := w.check(t, fsys, j+1, what+", reopened"); got != j+1 {
		t.Fatalf("%s: after reopen and one more write, state after %d writes, want %d", what, got, j+1)
	}
	names, err := fsys.List(testDir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Read(fsys, testDir, "appendonly.aof")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if vfs.IsTemp(n) {
			t.Errorf("%s: temporary file %s left after reopen", what, n)
		}
	}
	if len(m.History) != 0 {
		t.Errorf("%s: history left in the manifest after reopen: %v", what, m.History)
	}
}

// TestDirFaults fails each file system operation of the workload in
// turn, with ENOSPC, EIO and a short write: the error reaches a writer
// (or the rewrite, which then leaves the previous files in force),
// nothing panics, every acknowledged write loads, and the directory
// reopens, also after a crash.
func TestDirFaults(t *testing.T) {
	lowPadChunk(t, 2*vfs.DirectAlign) // quicker crash clones, and more extensions of the pad
	for _, p := range []Policy{Always, EverySec, No} {
		for _, fault := range []vfs.Fault{vfs.NoSpace, vfs.IOError, vfs.ShortWrite} {
			t.Run(p.String()+"/"+fault.String(), func(t *testing.T) {
				for k := int64(0); ; k++ {
					mem := vfs.NewMem()
					ffs := vfs.NewFaulty(mem)
					ffs.FailAt(k, fault)
					w := newDirWorkload(p)
					err := w.run(ffs)
					if ffs.Injected() == 0 {
						if err != nil {
							t.Fatal(err)
						}
						t.Logf("%d fault points", k)
						break
					}
					if err != nil && !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, syscall.EIO) {
						t.Fatalf("fault at %d: error without the cause: %v", k, err)
					}
					what := fmt.Sprintf("%v at operation %d (%v)", fault, k, err)
					min := w.ackedPrefix()
					crashed := mem.CrashClone(vfs.CrashOptions{})
					j := w.check(t, mem, min, what)
					reopen(t, mem, w, j, what)
					j = w.check(t, crashed, 0, what+", crashed")
					reopen(t, crashed, w, j, what+", crashed")
				}
			})
		}
	}
}

// TestDirRewriteFiles: after rewrites the manifest lists the new base
// and the last incr file only, and the old files are gone.
func TestDirRewriteFiles(t *testing.T) {
	mem := vfs.NewMem()
	w := newDirWorkload(Always)
	if err := w.run(mem); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Read(mem, testDir, "appendonly.aof")
	if err != nil {
		t.Fatal(err)
	}
	want := "file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n"
	if got := string(m.Format()); got != want {
		t.Errorf("manifest:\n%s\nwant:\n%s", got, want)
	}
	names, err := mem.List(testDir)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[appendonly.aof.3.base.aof appendonly.aof.3.incr.aof appendonly.aof.manifest]" {
		t.Errorf("files: %v", names)
	}
	w.check(t, mem, w.n, "after the workload")
	base, total := reopenSizes(t, mem)
	if base <= 0 || total <= base {
		t.Errorf("sizes after reopen: base %d, total %d", base, total)
	}
}

func reopenSizes(t *testing.T, fsys vfs.FS) (int64, int64) {
	t.Helper()
	d, err := OpenDir(fsys, testDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return d.Sizes()
}

// TestDirRewriteAbort: a failed rewrite keeps the base and the incr
// files; the next one succeeds and removes them.
func TestDirRewriteAbort(t *testing.T) {
	mem := vfs.NewMem()
	ks := keyspace.NewMemory(nil)
	d, err := OpenDir(mem, testDir, &DirOptions{WriteBase: baseWriter(mem, ks.Snapshot)})
	if err != nil {
		t.Fatal(err)
	}
	set := func(k, v string) {
		c := keyspace.Call{Args: [][]byte{[]byte("SET"), []byte(k), []byte(v)}, Write: true}
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
		ack, err := d.Append(c.Log)
		if err != nil {
			t.Fatal(err)
		}
		if err := ack.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	set("a", "1")
	r, err := d.BeginRewrite(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.BeginRewrite(context.Background()); !errors.Is(err, ErrRewriteInProgress) {
		t.Fatalf("second BeginRewrite: %v", err)
	}
	r.Abort()
	set("b", "2")
	m := d.Manifest()
	if got := string(m.Format()); got != "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
		t.Errorf("after an aborted rewrite:\n%s", got)
	}
	r, err = d.BeginRewrite(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	set("c", "3") // after the snapshot: goes to incr 3 only
	size, err := WriteBaseFile(mem, r.BasePath(), s, nil)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(size); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(size); err == nil {
		t.Error("a second Commit succeeded")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := mem.List(testDir)
	if fmt.Sprint(names) != "[appendonly.aof.2.base.aof appendonly.aof.3.incr.aof appendonly.aof.manifest]" {
		t.Errorf("files: %v", names)
	}
	got := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(mem, testDir, "appendonly.aof", &KeyspaceTarget{KS: got}, nil); err != nil {
		t.Fatal(err)
	}
	if a, b := snapshotDataset(t, ks), snapshotDataset(t, got); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("loaded %v, want %v", b, a)
	}
	if _, err := d.Append(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
}

// TestOpenDirNoBase: a directory without files needs WriteBase; an
// incr-only manifest gets no base, as in Redis.
func TestOpenDirNoBase(t *testing.T) {
	mem := vfs.NewMem()
	if _, err := OpenDir(mem, testDir, nil); !errors.Is(err, ErrNoBase) {
		t.Fatalf("OpenDir without WriteBase: %v", err)
	}
	m := &manifest.Manifest{Incr: []manifest.File{{Name: "appendonly.aof.1.incr.aof", Seq: 1, Type: manifest.Incr}}}
	if err := manifest.Write(mem, testDir, "appendonly.aof", m); err != nil {
		t.Fatal(err)
	}
	f, err := mem.Create(filepath.Join(testDir, "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	d, err := OpenDir(mem, testDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Manifest(); got.Base != nil || len(got.Incr) != 1 {
		t.Errorf("manifest %s", got.Format())
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDirWorkloadInRedis: a directory a Dir wrote, through random
// writes and rewrites with either base format, passes redis-check-aof
// and loads in redis-server to exactly the data written.
func TestDirWorkloadInRedis(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	for _, rdbBase := range []bool{false, true} {
		t.Run("rdb-base="+strconv.FormatBool(rdbBase), func(t *testing.T) {
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			data := t.TempDir()
			dir := filepath.Join(data, "appendonlydir")
			live := keyspace.NewMemory(nil)
			bo := &BaseOptions{RDBPreamble: rdbBase}
			d, err := OpenDir(vfs.Default, dir, &DirOptions{
				Append:    Options{Policy: EverySec},
				RDBBase:   rdbBase,
				WriteBase: snapshotBase(vfs.Default, live, bo),
			})
			if err != nil {
				t.Fatal(err)
			}
			rw := newRandomWrites(seed, live)
			for i := range 300 {
				if i%100 == 50 {
					r, err := d.BeginRewrite(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					s, err := live.Snapshot()
					if err != nil {
						t.Fatal(err)
					}
					// Writes go on while the base is written.
					for range 20 {
						if _, err := d.Append(rw.next(t)); err != nil {
							t.Fatal(err)
						}
					}
					size, err := WriteBaseFile(vfs.Default, r.BasePath(), s, bo)
					s.Close()
					if err != nil {
						t.Fatal(err)
					}
					if err := r.Commit(size); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := d.Append(rw.next(t)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			want := snapshotDataset(t, live)
			if out, err := exec.Command(checker, filepath.Join(dir, "appendonly.aof.manifest")).CombinedOutput(); err != nil {
				t.Fatalf("redis-check-aof: %v\n%s", err, out)
			}
			m, err := manifest.Read(vfs.Default, dir, "appendonly.aof")
			if err != nil {
				t.Fatal(err)
			}
			if m.Base.Seq != 4 || len(m.Incr) != 1 || len(m.History) != 0 {
				t.Errorf("manifest after 3 rewrites:\n%s", m.Format())
			}
			ks := keyspace.NewMemory(nil)
			if _, _, err := LoadDir(vfs.Default, dir, "appendonly.aof", &KeyspaceTarget{KS: ks}, nil); err != nil {
				t.Fatal(err)
			}
			if got := snapshotDataset(t, ks); !dataset.Equal(want, got) {
				t.Errorf("we load other data than was written:\n%s", dataset.Diff(want, got))
			}
			rc := redistest.Start(t, data, "--appendonly", "yes").Client()
			if got := redisDataset(t, rc); !dataset.Equal(want, got) {
				t.Errorf("redis-server loaded other data than was written:\n%s", dataset.Diff(want, got))
			}
		})
	}
}

// snapshotBase is a DirOptions.WriteBase that writes a snapshot of ks.
func snapshotBase(fsys vfs.FS, ks keyspace.Keyspace, bo *BaseOptions) func(string) (int64, error) {
	return func(path string) (int64, error) {
		s, err := ks.Snapshot()
		if err != nil {
			return 0, err
		}
		defer s.Close()
		return WriteBaseFile(fsys, path, s, bo)
	}
}

// TestOpenDirFresh: a Fresh open replaces the directory's files with a
// new base and incr file in one manifest update; a crash at any point
// loads the old data or the new, never a mix, and the old files are
// gone once it is done.
func TestOpenDirFresh(t *testing.T) {
	set := func(ks keyspace.Keyspace, k, v string) []keyspace.Record {
		c := keyspace.Call{Args: [][]byte{[]byte("SET"), []byte(k), []byte(v)}, Write: true}
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
		return c.Log
	}
	// The old AOF: a=1 in the base, b=1 in the incr file.
	mem := vfs.NewMem()
	old := keyspace.NewMemory(nil)
	set(old, "a", "1")
	d, err := OpenDir(mem, testDir, &DirOptions{WriteBase: baseWriter(mem, old.Snapshot)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Append(set(old, "b", "1")); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	oldData := snapshotDataset(t, old)
	// The new state, as if the AOF had been off while it changed.
	cur := keyspace.NewMemory(nil)
	set(cur, "c", "2")
	newData := snapshotDataset(t, cur)

	load := func(fsys vfs.FS) (*dataset.Dataset, error) {
		ks := keyspace.NewMemory(nil)
		_, _, err := LoadDir(fsys, testDir, "appendonly.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true})
		return snapshotDataset(t, ks), err
	}
	for k := int64(0); ; k++ {
		run := vfs.NewMem()
		for _, n := range []string{"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"} {
			b, err := vfs.ReadFile(mem, filepath.Join(testDir, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := vfs.MkdirAllDurable(run, testDir); err != nil {
				t.Fatal(err)
			}
			if _, err := vfs.WriteFileSynced(run, filepath.Join(testDir, n), 0, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
				t.Fatal(err)
			}
		}
		ffs := vfs.NewFaulty(run)
		var count atomic.Int64
		var crashed *vfs.MemFS
		ffs.FailWhen(func(op vfs.Op, path string) bool {
			if count.Add(1)-1 == k {
				crashed = run.CrashClone(vfs.CrashOptions{KeepUnsynced: 0.5, Seed: uint64(k)})
			}
			return false
		}, vfs.IOError)
		d, err := OpenDir(ffs, testDir, &DirOptions{Fresh: true, WriteBase: baseWriter(ffs, cur.Snapshot)})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if crashed == nil {
			m, err := manifest.Read(run, testDir, "appendonly.aof")
			if err != nil {
				t.Fatal(err)
			}
			if got := string(m.Format()); got != "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
				t.Errorf("manifest after a fresh open:\n%s", got)
			}
			names, _ := run.List(testDir)
			if fmt.Sprint(names) != "[appendonly.aof.2.base.aof appendonly.aof.2.incr.aof appendonly.aof.manifest]" {
				t.Errorf("files: %v", names)
			}
			if got, err := load(run); err != nil || !dataset.Equal(got, newData) {
				t.Errorf("after a fresh open: %v, %v", got, err)
			}
			t.Logf("%d crash points", k)
			break
		}
		got, err := load(crashed)
		if err != nil {
			t.Fatalf("crash before operation %d: %v", k, err)
		}
		if !dataset.Equal(got, oldData) && !dataset.Equal(got, newData) {
			t.Fatalf("crash before operation %d: loaded %v, neither the old data nor the new", k, got)
		}
	}
}

// TestOpenDirHistoryNames: a manifest that lists only history files
// gets a new base and incr file under names its history does not hold,
// which are then not deleted with the history.
func TestOpenDirHistoryNames(t *testing.T) {
	mem := vfs.NewMem()
	m := &manifest.Manifest{History: []manifest.File{
		{Name: "appendonly.aof.1.base.aof", Seq: 1, Type: manifest.History},
		{Name: "appendonly.aof.1.incr.aof", Seq: 1, Type: manifest.History},
	}}
	if err := vfs.MkdirAllDurable(mem, testDir); err != nil {
		t.Fatal(err)
	}
	if err := manifest.Write(mem, testDir, "appendonly.aof", m); err != nil {
		t.Fatal(err)
	}
	ks := keyspace.NewMemory(nil)
	c := keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v")}, Write: true}
	if err := ks.Exec(&c); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(mem, testDir, &DirOptions{WriteBase: baseWriter(mem, ks.Snapshot)})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	got := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(mem, testDir, "appendonly.aof", &KeyspaceTarget{KS: got}, nil); err != nil {
		t.Fatal(err)
	}
	if a, b := snapshotDataset(t, ks), snapshotDataset(t, got); !dataset.Equal(a, b) {
		t.Errorf("loaded %v, want %v", b, a)
	}
}
