package aof

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/resp"
)

// records returns the records of an AOF file's data, without the pad
// of direct writes, after checking that a pad is as direct.go says.
func records(t *testing.T, data []byte) []byte {
	t.Helper()
	end, err := recordsEnd(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if pad := data[end:]; len(pad) > 0 {
		checkPad(t, pad, end)
	}
	return data[:end]
}

// checkPad checks the pad p, which starts at offset at.
func checkPad(t *testing.T, p []byte, at int64) {
	t.Helper()
	if int64(len(p)) < padLine+1 {
		t.Fatalf("pad of %d bytes at %d: shorter than a line", len(p), at)
	}
	if p[0] != '#' || p[len(p)-1] != '\n' {
		t.Fatalf("pad at %d starts with %q and ends with %q", at, p[0], p[len(p)-1])
	}
	for i := 1; i < len(p); i++ {
		if want := padByte(at + int64(i)); p[i] != want {
			t.Fatalf("pad byte at %d is %q, want %q", at+int64(i), p[i], want)
		}
	}
}

// lowPadChunk makes the pad grow by small steps for the test.
func lowPadChunk(t *testing.T, n int64) {
	old := padChunk
	padChunk = n
	t.Cleanup(func() { padChunk = old })
}

// directRecord is a SET whose value is n bytes, with the '#', CR and
// LF that a pad and a CRLF are made of.
func directRecord(i, n int) keyspace.Record {
	v := make([]byte, n)
	for j := range v {
		v[j] = "ab#\r\n#"[(i+j)%6]
	}
	return rec(0, "SET", "k"+strconv.Itoa(i), string(v))
}

// TestDirectWrites: under always, on a file system with direct writes,
// the file holds after each acknowledged write exactly what a buffered
// Appender's file holds, and then a valid pad; a crash keeps it all;
// Close cuts the pad.
func TestDirectWrites(t *testing.T) {
	lowPadChunk(t, 3*vfs.DirectAlign)
	seed := testenv.Seed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	mem, twin := vfs.NewMem(), vfs.NewMem()
	a, err := OpenAppender(mem, "a.aof", &Options{Policy: Always})
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenAppender(twin, "a.aof", &Options{Policy: Always, Buffered: true})
	if err != nil {
		t.Fatal(err)
	}
	ends := map[int64]bool{} // the records' end, mod padLine
	for i := range 400 {
		n := r.IntN(100)
		if i%50 == 49 {
			n = r.IntN(5 * vfs.DirectAlign) // across blocks, and beyond the pad
		}
		recs := []keyspace.Record{directRecord(i, n)}
		if i%7 == 0 {
			recs = append(recs, directRecord(i+1, r.IntN(300)))
		}
		appendWait(t, a, recs...)
		appendWait(t, b, recs...)
		want := readString(t, twin, "a.aof")
		got := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof")
		if rs := records(t, []byte(got)); string(rs) != want {
			t.Fatalf("seed %d, write %d: the records after a crash differ from a buffered Appender's", seed, i)
		}
		if len(got) == len(want) {
			t.Fatalf("write %d: no pad after the records: not direct", i)
		}
		if max := alignUp(int64(len(want))+padSlack+padChunk) + vfs.DirectAlign; int64(len(got)) > max {
			t.Fatalf("write %d: %d bytes of file for %d of records", i, len(got), len(want))
		}
		ends[int64(len(want))%padLine] = true
	}
	for _, e := range []int64{0, padLine - 2, padLine - 1} {
		if !ends[e] {
			t.Errorf("seed %d: no write ended at %d mod %d", seed, e, padLine)
		}
	}
	for _, x := range []*Appender{a, b} {
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"), readString(t, twin, "a.aof"); got != want {
		t.Errorf("after Close the file is not its records (%d bytes, want %d)", len(got), len(want))
	}
}

// TestDirectCrashReopen: after a crash under always, the loader loads
// every acknowledged record and stops at the pad; OpenAppender cuts the
// pad and appends after the records.
func TestDirectCrashReopen(t *testing.T) {
	mem := vfs.NewMem()
	a, err := OpenAppender(mem, "a.aof", &Options{Policy: Always})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range 10 {
		appendWait(t, a, directRecord(i, 10*i))
	}
	if err := mem.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	crashed := mem.CrashClone(vfs.CrashOptions{})
	data := []byte(readString(t, crashed, "a.aof"))
	recs := records(t, data)
	if len(recs) == len(data) {
		t.Fatal("no pad after a crash under always")
	}
	load := func(fsys vfs.FS) FileResult {
		t.Helper()
		res, err := LoadFile(fsys, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := load(crashed); res.Commands != 11 || res.End != int64(len(recs)) || res.Truncated {
		t.Errorf("load after a crash: %+v, want 11 commands ending at %d", res, len(recs))
	}
	b, err := OpenAppender(crashed, "a.aof", &Options{Policy: EverySec})
	if err != nil {
		t.Fatal(err)
	}
	if got := readString(t, crashed, "a.aof"); got != string(recs) {
		t.Errorf("OpenAppender left %d bytes, want the %d of the records", len(got), len(recs))
	}
	appendWait(t, b, directRecord(10, 5))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if res := load(crashed); res.Commands != 13 { // and a SELECT
		t.Errorf("load after appending: %d commands, want 13", res.Commands)
	}
}

// TestDirectTornBeforePad: a record cut before the pad (a direct write
// that failed, then a crash) is a truncated tail, as one cut by the end
// of the file is: with AllowTruncated the loader cuts it and the pad.
func TestDirectTornBeforePad(t *testing.T) {
	whole := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$2\r\n#\n\r\n"
	for _, torn := range []string{"*3\r\n$3\r\nSET\r\n$1\r\nk", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r", "*", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n##"} {
		data := []byte(whole + torn)
		pad := make([]byte, alignUp(int64(len(data))+padSlack)-int64(len(data)))
		fillPad(pad, int64(len(data)))
		pad[0] = '#'
		data = append(data, pad...)
		for _, allow := range []bool{false, true} {
			mem := vfs.NewMem()
			f, _ := mem.Create("a.aof")
			f.Write(data)
			f.Close()
			res, err := LoadFile(mem, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, &LoadOptions{AllowTruncated: allow})
			if !allow {
				var le *LoadError
				if !errors.As(err, &le) || !errors.Is(err, ErrTruncated) || le.Offset != int64(len(whole)) {
					t.Errorf("%q: %v, want ErrTruncated at %d", torn, err, len(whole))
				}
				continue
			}
			if err != nil || !res.Truncated || res.End != int64(len(whole)) || res.Commands != 2 {
				t.Errorf("%q: %+v, %v; want truncated at %d after 2 commands", torn, res, err, len(whole))
			}
			if got := readString(t, mem, "a.aof"); got != whole {
				t.Errorf("%q: the file after the load is %q", torn, got)
			}
		}
	}
}

// TestDirectPolicySwitch: leaving always cuts the pad, so that appends
// go after the records; coming back writes a new one.
func TestDirectPolicySwitch(t *testing.T) {
	mem, twin := vfs.NewMem(), vfs.NewMem()
	a, err := OpenAppender(mem, "a.aof", &Options{Policy: Always})
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenAppender(twin, "a.aof", &Options{Policy: No})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []Policy{Always, EverySec, No, Always, No, Always} {
		a.SetPolicy(p)
		for j := range 3 {
			r := directRecord(10*i+j, 7*j)
			appendWait(t, a, r)
			appendWait(t, b, r)
		}
		got, want := readString(t, mem, "a.aof"), readString(t, twin, "a.aof")
		if string(records(t, []byte(got))) != want {
			t.Fatalf("after writes under %v, the records differ", p)
		}
		if padded := len(got) > len(want); padded != (p == Always) {
			t.Errorf("after writes under %v: a pad is %v", p, padded)
		}
	}
	for _, x := range []*Appender{a, b} {
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readString(t, mem, "a.aof"), readString(t, twin, "a.aof"); got != want {
		t.Errorf("after Close the file is not its records")
	}
}

// directFS is a MemFS whose direct writes fail as a test says.
type directFS struct {
	*vfs.MemFS
	openErr error
	writeAt func(f vfs.File, p []byte, off int64) (int, error)
}

func (d *directFS) OpenDirect(name string) (vfs.File, error) {
	if d.openErr != nil {
		return nil, d.openErr
	}
	f, err := d.MemFS.OpenDirect(name)
	if err != nil || d.writeAt == nil {
		return f, err
	}
	return &directFSFile{File: f, fs: d}, nil
}

type directFSFile struct {
	vfs.File
	fs *directFS
}

func (f *directFSFile) WriteAt(p []byte, off int64) (int, error) {
	return f.fs.writeAt(f.File, p, off)
}

// TestDirectFallback: where the file system has no direct writes, or
// refuses them (EINVAL), always writes and syncs through the page
// cache, as before.
func TestDirectFallback(t *testing.T) {
	einval := &fs.PathError{Op: "open", Path: "a.aof", Err: syscall.EINVAL}
	for _, c := range []struct {
		name string
		fsys func(*vfs.MemFS) vfs.FS
	}{
		{"no OpenDirect", func(m *vfs.MemFS) vfs.FS { return struct{ vfs.FS }{m} }},
		{"open EINVAL", func(m *vfs.MemFS) vfs.FS { return &directFS{MemFS: m, openErr: einval} }},
		{"write EINVAL", func(m *vfs.MemFS) vfs.FS {
			return &directFS{MemFS: m, writeAt: func(vfs.File, []byte, int64) (int, error) { return 0, einval }}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := vfs.NewMem()
			a, err := OpenAppender(c.fsys(mem), "a.aof", &Options{Policy: Always})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			var want []byte
			for i := range 5 {
				r := directRecord(i, 100)
				appendWait(t, a, r)
				if i == 0 {
					want = resp.AppendCommand(want, []byte("SELECT"), []byte("0"))
				}
				want = resp.AppendCommand(want, r.Args...)
			}
			if err := mem.SyncDir("."); err != nil {
				t.Fatal(err)
			}
			if got := readString(t, mem.CrashClone(vfs.CrashOptions{}), "a.aof"); got != string(want) {
				t.Errorf("after a crash: %d bytes, want the %d of the records", len(got), len(want))
			}
		})
	}
}

// TestDirectPadNoSpace: on a disk with room for the records and not for
// more pad, the write that asks for more pad gives back what it took,
// and the records are written.
func TestDirectPadNoSpace(t *testing.T) {
	lowPadChunk(t, 8*vfs.DirectAlign)
	mem := vfs.NewMem()
	room := int64(3 * vfs.DirectAlign) // the disk's size
	d := &directFS{MemFS: mem, writeAt: func(f vfs.File, p []byte, off int64) (int, error) {
		if end := off + int64(len(p)); end > room {
			// Fill the disk, as a write on a full disk does.
			n, _ := f.WriteAt(p[:max(room-off, 0)], off)
			return n, &fs.PathError{Op: "writeat", Path: f.Name(), Err: syscall.ENOSPC}
		}
		return f.WriteAt(p, off)
	}}
	a, err := OpenAppender(d, "a.aof", &Options{Policy: Always})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var n int64
	var acked []byte // the file's records when the last write was acknowledged
	for i := 0; ; i++ {
		r := directRecord(i, 500)
		end, err := a.Append([]keyspace.Record{r})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Wait(context.Background(), end); err != nil {
			if !errors.Is(err, syscall.ENOSPC) || end+padSlack <= room {
				t.Fatalf("write %d, ending at %d on a disk of %d: %v", i, end, room, err)
			}
			break
		}
		n = end
		fi, err := mem.Stat("a.aof")
		if err != nil {
			t.Fatal(err)
		}
		// No more pad fits: the file holds the records and padSlack.
		if fi.Size() > alignUp(n+padSlack) {
			t.Fatalf("write %d: the file is %d bytes for %d of records: the pad kept what a failed write took", i, fi.Size(), n)
		}
		acked = records(t, []byte(readString(t, mem, "a.aof")))
	}
	if n < room-vfs.DirectAlign {
		t.Errorf("only %d bytes of records fit on a disk of %d", n, room)
	}
	// The failed write may have left its record, whole or cut, before
	// the pad (Retry would write it again there).
	got := records(t, []byte(readString(t, mem, "a.aof")))
	if int64(len(acked)) != n || !bytes.HasPrefix(got, acked) {
		t.Errorf("the file lost acknowledged records: %d bytes of them, %d acknowledged", len(got), n)
	}
	res, err := LoadFile(mem, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, &LoadOptions{AllowTruncated: true, ReadOnly: true})
	if err != nil || res.End < n {
		t.Errorf("load: %+v, %v", res, err)
	}
}

// TestDirectPadInRedis: a directory that a crash left under always,
// with a pad after the records, passes redis-check-aof and loads in
// redis-server; Redis appends after the pad, and we load what it wrote.
func TestDirectPadInRedis(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	seed := testenv.Seed(t)
	data := t.TempDir()
	dir := filepath.Join(data, "appendonlydir")
	live := keyspace.NewMemory(nil)
	d, err := OpenDir(vfs.Default, dir, &DirOptions{
		Append:    Options{Policy: Always},
		WriteBase: snapshotBase(vfs.Default, live, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rw := newRandomWrites(seed, live)
	for range 300 {
		ack, err := d.Append(rw.next(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := ack.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The crash: a copy of the files as they are (direct writes are on
	// the disk; a kill -9 leaves the same).
	crashed := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command("cp", "-r", data, crashed).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	incr := filepath.Join(crashed, "appendonlydir", manifest.IncrName("appendonly.aof", 1))
	b, err := os.ReadFile(incr)
	if err != nil {
		t.Fatal(err)
	}
	if len(records(t, b)) == len(b) {
		t.Skip("no pad in the incr file: the file system here has no direct writes")
	}
	if out, err := exec.Command(checker, filepath.Join(crashed, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, out)
	}
	// Under always, Redis writes each command to the file before it
	// replies.
	rc := redistest.Start(t, crashed, "--appendonly", "yes", "--appendfsync", "always").Client()
	want := snapshotDataset(t, live)
	if got := redisDataset(t, rc); !dataset.Equal(want, got) {
		t.Fatalf("redis-server loaded other data than was written:\n%s", dataset.Diff(want, got))
	}
	rc.Must("SET", "after-the-pad", "1")
	rc.Must("RPUSH", "list-after-the-pad", "a", "b")
	want = redisDataset(t, rc)
	b, err = os.ReadFile(incr)
	if err != nil {
		t.Fatal(err)
	}
	if p, r := bytes.Index(b, []byte(strings.Repeat("#", padLine-1)+"\n")), bytes.Index(b, []byte("after-the-pad")); p < 0 || r < p {
		t.Fatalf("redis-server did not append after the pad (pad at %d, its record at %d)", p, r)
	}

	ks := keyspace.NewMemory(nil)
	if _, _, err := LoadDir(vfs.Default, filepath.Join(crashed, "appendonlydir"), "appendonly.aof", &KeyspaceTarget{KS: ks}, nil); err != nil {
		t.Fatal(err)
	}
	if got := snapshotDataset(t, ks); !dataset.Equal(want, got) {
		t.Errorf("we load other data than redis-server wrote after the pad:\n%s", dataset.Diff(want, got))
	}
}

// TestDirSizesWithoutPad: the size of an earlier incr file that a crash
// left with a pad counts its records only.
func TestDirSizesWithoutPad(t *testing.T) {
	mem := vfs.NewMem()
	live := keyspace.NewMemory(nil)
	d, err := OpenDir(mem, testDir, &DirOptions{Append: Options{Policy: Always}, WriteBase: snapshotBase(mem, live, nil)})
	if err != nil {
		t.Fatal(err)
	}
	write := func(k string) {
		t.Helper()
		ack, err := d.Append([]keyspace.Record{rec(0, "SET", k, "v")})
		if err == nil {
			err = ack.Wait(context.Background())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write("a")
	if _, err := d.BeginRewrite(context.Background()); err != nil { // a second incr file
		t.Fatal(err)
	}
	write("b")
	base, total := d.Sizes()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(testDir, manifest.IncrName("appendonly.aof", 1))
	data := []byte(readString(t, mem, name))
	pad := make([]byte, 3*padLine)
	fillPad(pad, int64(len(data)))
	pad[0] = '#'
	f, err := mem.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(data, pad...))
	f.Close()
	if b, tot := reopenSizes(t, mem); b != base || tot != total {
		t.Errorf("sizes with a pad in the first incr file: %d, %d; want %d, %d", b, tot, base, total)
	}
}
