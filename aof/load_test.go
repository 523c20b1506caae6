package aof

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

const fixtures = "testdata/redis-7.0.15"

// copyToMem copies the files of dir (not recursing) into a MemFS, under
// the same names.
func copyToMem(t *testing.T, dir string) *vfs.MemFS {
	t.Helper()
	mem := vfs.NewMem()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := mem.Create(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return mem
}

// manifestFiles returns the files of the manifest at path, in load
// order.
func manifestFiles(t *testing.T, fsys vfs.FS, path string) []string {
	t.Helper()
	dir := filepath.Dir(path)
	m, err := manifest.Read(fsys, dir, strings.TrimSuffix(filepath.Base(path), ".manifest"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := m.LoadPaths(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func snapshotDataset(t *testing.T, ks keyspace.Keyspace) *dataset.Dataset {
	t.Helper()
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := dataset.FromEntries(s.Next)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fixtureNow is the clock of the fixture loads, in unix ms: after every
// stream delivery time the fixtures' XCLAIMs carry (XCLAIM's TIME is
// cut to the present, as in Redis, so an earlier clock would change
// them) and before every expiry (2026-11-21 15:17:30 UTC).
const fixtureNow = 1795269450000

// loadFixture loads the files into a new keyspace whose clock is
// fixtureNow. It skips the test when a command is not in the keyspace.
func loadFixture(t *testing.T, fsys vfs.FS, files []string, opts *LoadOptions) (keyspace.Keyspace, []FileResult, error) {
	t.Helper()
	clock := func() time.Time { return time.UnixMilli(fixtureNow) }
	ks := keyspace.NewMemory(&keyspace.Options{Clock: clock})
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	o.RDB = &rdb.ReaderOptions{Now: time.UnixMilli(fixtureNow)}
	var results []FileResult
	for _, f := range files {
		res, err := LoadFile(fsys, f, &KeyspaceTarget{KS: ks, Now: fixtureNow}, &o)
		if errors.Is(err, ErrUnknownCommand) {
			t.Skipf("the keyspace lacks a command of this fixture: %v", err)
		}
		results = append(results, res)
		if err != nil {
			return ks, results, err
		}
	}
	return ks, results, nil
}

func TestLoadFixtures(t *testing.T) {
	for _, name := range []string{"aof-preamble", "aof-plain", "aof-legacy-single-file"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixtures, name)
			var fsys *vfs.MemFS
			var files []string
			if name == "aof-legacy-single-file" {
				fsys = copyToMem(t, dir)
				files = []string{filepath.Join(dir, "appendonly.aof")}
			} else {
				fsys = copyToMem(t, filepath.Join(dir, "appendonlydir"))
				files = manifestFiles(t, fsys, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
			}
			ks, _, err := loadFixture(t, fsys, files, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := dataset.Load(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if got := snapshotDataset(t, ks); !dataset.Equal(want, got) {
				t.Errorf("loaded data differs from expected.json:\n%s", dataset.Diff(want, got))
			}
		})
	}
}

// TestLoadTruncated: the fixture whose last command was cut loads only
// with AllowTruncated, which cuts the file at the last whole command.
func TestLoadTruncated(t *testing.T) {
	dir := filepath.Join(fixtures, "aof-truncated")
	adir := filepath.Join(dir, "appendonlydir")
	fsys := copyToMem(t, adir)
	files := manifestFiles(t, fsys, filepath.Join(adir, "appendonly.aof.manifest"))
	last := files[len(files)-1]
	orig, err := vfs.ReadFile(fsys, last)
	if err != nil {
		t.Fatal(err)
	}

	_, _, err = loadFixture(t, fsys, files, nil)
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, ErrTruncated) || le.File != last {
		t.Fatalf("without AllowTruncated: %v, want ErrTruncated in %s", err, last)
	}
	if now, _ := vfs.ReadFile(fsys, last); len(now) != len(orig) {
		t.Fatalf("the file was changed without AllowTruncated")
	}

	ks, results, err := loadFixture(t, fsys, files, &LoadOptions{AllowTruncated: true})
	if err != nil {
		t.Fatal(err)
	}
	res := results[len(results)-1]
	if !res.Truncated || res.End != le.Offset || res.End >= res.Size {
		t.Errorf("result %+v, want Truncated at %d", res, le.Offset)
	}
	if now, _ := vfs.ReadFile(fsys, last); int64(len(now)) != res.End {
		t.Errorf("file is %d bytes after the cut, want %d", len(now), res.End)
	}
	want, err := dataset.Load(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshotDataset(t, ks); !dataset.Equal(want, got) {
		t.Errorf("loaded data differs from expected.json:\n%s", dataset.Diff(want, got))
	}
	// Loading again finds the file whole.
	if _, results, err := loadFixture(t, fsys, files, nil); err != nil || results[len(results)-1].Truncated {
		t.Errorf("second load: %v %+v", err, results)
	}
}

// writeRandomAOF runs n random commands and MULTI units on a keyspace
// and appends what they log, one Append per command or unit, as a Store
// would.
func writeRandomAOF(t testing.TB, fsys vfs.FS, name string, seed uint64, n int) {
	t.Helper()
	a, err := OpenAppender(fsys, name, &Options{Policy: No})
	if err != nil {
		t.Fatal(err)
	}
	rw := newRandomWrites(seed, keyspace.NewMemory(nil))
	for range n {
		if _, err := a.Append(rw.next(t)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// randomWrites runs random commands and MULTI units on a keyspace.
type randomWrites struct {
	r  *rand.Rand
	ks keyspace.Keyspace
	db int
}

func newRandomWrites(seed uint64, ks keyspace.Keyspace) *randomWrites {
	return &randomWrites{r: rand.New(rand.NewPCG(seed, 7)), ks: ks}
}

var randomPool = [][]string{
	{"SET", "K", "V"}, {"INCR", "K"}, {"APPEND", "K", "V"}, {"DEL", "K"}, {"PEXPIREAT", "K", "4102444800000"},
	{"RPUSH", "K", "V", "V"}, {"LPOP", "K"}, {"SADD", "K", "V"}, {"SREM", "K", "V"},
	{"HSET", "K", "V", "V"}, {"ZADD", "K", "1.5", "V"}, {"ZINCRBY", "K", "2", "V"},
	{"SELECT", "D"}, {"RENAME", "K", "K"}, {"SPOP", "K"}, {"INCRBYFLOAT", "K", "0.25"},
}

func (w *randomWrites) gen() [][]byte {
	c := randomPool[w.r.IntN(len(randomPool))]
	var args [][]byte
	for _, s := range c {
		switch s {
		case "K":
			s = "k" + strconv.Itoa(w.r.IntN(6))
		case "V":
			s = "v" + strconv.Itoa(w.r.IntN(4))
		case "D":
			s = strconv.Itoa(w.r.IntN(3))
		}
		args = append(args, []byte(s))
	}
	return args
}

// next runs commands until one, or a MULTI unit, logs something, and
// returns what it logs.
func (w *randomWrites) next(t testing.TB) []keyspace.Record {
	for {
		var recs []keyspace.Record
		if w.r.IntN(5) == 0 {
			calls := make([]keyspace.Call, 2+w.r.IntN(3))
			for i := range calls {
				calls[i] = keyspace.Call{Args: w.gen(), Write: true}
			}
			calls[0].DB = w.db
			if err := w.ks.ExecMulti(calls); err != nil {
				t.Fatal(err)
			}
			w.db = calls[len(calls)-1].DB
			for _, c := range calls {
				recs = append(recs, c.Log...)
			}
			if len(recs) > 1 {
				recs = append(append([]keyspace.Record{{DB: recs[0].DB, Args: [][]byte{[]byte("MULTI")}}}, recs...),
					keyspace.Record{DB: recs[0].DB, Args: [][]byte{[]byte("EXEC")}})
			}
		} else {
			c := keyspace.Call{DB: w.db, Args: w.gen(), Write: true}
			if err := w.ks.Exec(&c); err != nil {
				t.Fatal(err)
			}
			w.db = c.DB
			recs = c.Log
		}
		if len(recs) > 0 {
			return recs
		}
	}
}

// TestLoadCuts writes an AOF of random commands and MULTI units, cuts it
// at every byte offset, and loads each cut: a cut at the end of a unit
// loads; any other cut is ErrTruncated at the end of the last whole
// unit, and with AllowTruncated loads exactly the units before it and
// cuts the file there.
func TestLoadCuts(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	mem := vfs.NewMem()
	writeRandomAOF(t, mem, "a.aof", seed, 40)
	data, err := vfs.ReadFile(mem, "a.aof")
	if err != nil {
		t.Fatal(err)
	}
	// The points a load may stop at (the end of a command outside MULTI,
	// or of an EXEC) and the data there, by replaying the commands.
	points := []int64{0}
	ks := keyspace.NewMemory(nil)
	want := []*dataset.Dataset{snapshotDataset(t, ks)}
	target := &KeyspaceTarget{KS: ks}
	rd := resp.NewReader(bytes.NewReader(data))
	db := 0
	var multi [][][]byte
	inMulti := false
	for {
		args, err := rd.ReadCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case isCommand(args[0], "multi"):
			inMulti, multi = true, nil
			continue
		case isCommand(args[0], "exec"):
			db, err = target.ExecMulti(db, multi)
			inMulti = false
		case inMulti:
			multi = append(multi, cloneArgs(args))
			continue
		default:
			db, err = target.Exec(db, args)
		}
		if err != nil {
			t.Fatal(err)
		}
		points = append(points, rd.End())
		want = append(want, snapshotDataset(t, ks))
	}
	for cut := 0; cut <= len(data); cut++ {
		whole := 0 // the last point at or before cut
		for whole+1 < len(points) && points[whole+1] <= int64(cut) {
			whole++
		}
		boundary := points[whole]
		for _, allow := range []bool{false, true} {
			fsys := vfs.NewMem()
			f, _ := fsys.Create("a.aof")
			f.Write(data[:cut])
			f.Close()
			ks := keyspace.NewMemory(nil)
			res, err := LoadFile(fsys, "a.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: allow})
			atBoundary := boundary == int64(cut)
			switch {
			case atBoundary || allow:
				if err != nil {
					t.Fatalf("cut %d (allow %v): %v", cut, allow, err)
				}
				if res.Truncated == atBoundary || res.End != boundary {
					t.Fatalf("cut %d (allow %v): result %+v, want end %d", cut, allow, res, boundary)
				}
				if got := snapshotDataset(t, ks); !dataset.Equal(want[whole], got) {
					t.Fatalf("cut %d: data differs from the data at offset %d:\n%s", cut, boundary, dataset.Diff(want[whole], got))
				}
				if now, _ := vfs.ReadFile(fsys, "a.aof"); int64(len(now)) != boundary {
					t.Fatalf("cut %d: file is %d bytes after loading, want %d", cut, len(now), boundary)
				}
			default:
				var le *LoadError
				if !errors.As(err, &le) || !errors.Is(err, ErrTruncated) || le.Offset != boundary {
					t.Fatalf("cut %d: %v, want ErrTruncated at %d", cut, err, boundary)
				}
			}
		}
	}
}

// TestLoadErrors: corruption before the end is an error at its offset,
// whatever AllowTruncated says; an unknown command is an error.
func TestLoadErrors(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for _, c := range []struct {
		name, data string
		err        error
		at         int64
	}{
		{"bad first byte", set + "+OK\r\n" + set, ErrFormat, int64(len(set))},
		{"bad argument", set + "*1\r\n:3\r\n", ErrFormat, int64(len(set))},
		{"unknown command", set + "*1\r\n$7\r\nNOTACMD\r\n", ErrUnknownCommand, int64(len(set))},
		{"unknown command after known ones", set + set + "*1\r\n$7\r\nNOTACMD\r\n", ErrUnknownCommand, int64(2 * len(set))},
		{"empty command name", set + "*1\r\n$0\r\n\r\n", ErrUnknownCommand, int64(len(set))},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, allow := range []bool{false, true} {
				fsys := vfs.NewMem()
				f, _ := fsys.Create("a.aof")
				f.Write([]byte(c.data))
				f.Close()
				ks := keyspace.NewMemory(nil)
				_, err := LoadFile(fsys, "a.aof", &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: allow})
				if c.err == nil {
					if err != nil {
						t.Errorf("allow %v: %v", allow, err)
					}
					continue
				}
				var le *LoadError
				if !errors.Is(err, c.err) || !errors.As(err, &le) || le.Offset != c.at || le.File != "a.aof" {
					t.Errorf("allow %v: %v, want %v at offset %d", allow, err, c.err, c.at)
				}
			}
		})
	}
}

// TestLoadPartialAnnotation: an annotation cut by the end of the file is
// a truncation, cut with AllowTruncated, although Redis skips it: a
// record appended after it would join its line. (Found by the Store's
// state-machine test: a crash kept part of a "#TS:" line.)
func TestLoadPartialAnnotation(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for _, allow := range []bool{false, true} {
		fsys := vfs.NewMem()
		f, _ := fsys.Create("a.aof")
		f.Write([]byte(set + "#TS:17"))
		f.Close()
		res, err := LoadFile(fsys, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, &LoadOptions{AllowTruncated: allow})
		if !allow {
			var le *LoadError
			if !errors.As(err, &le) || !errors.Is(err, ErrTruncated) || le.Offset != int64(len(set)) {
				t.Errorf("without AllowTruncated: %v, want ErrTruncated at %d", err, len(set))
			}
			continue
		}
		if err != nil || !res.Truncated || res.End != int64(len(set)) {
			t.Errorf("with AllowTruncated: %+v, %v", res, err)
		}
		if got := readString(t, fsys, "a.aof"); got != set {
			t.Errorf("file after the load: %q", got)
		}
	}
}

// TestLoadFilesTruncatedNotLast: a cut tail is tolerated only in the last
// file.
func TestLoadFilesTruncatedNotLast(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	fsys := vfs.NewMem()
	for name, data := range map[string]string{"base.aof": set + "*2\r\n$3\r\nDEL", "incr.aof": set} {
		f, _ := fsys.Create(name)
		f.Write([]byte(data))
		f.Close()
	}
	ks := keyspace.NewMemory(nil)
	_, err := LoadFiles(fsys, []string{"base.aof", "incr.aof"}, &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true})
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, ErrTruncated) || le.File != "base.aof" || le.Offset != int64(len(set)) {
		t.Fatalf("%v, want ErrTruncated in base.aof at %d", err, len(set))
	}
	if b, _ := vfs.ReadFile(fsys, "base.aof"); len(b) == len(set) {
		t.Errorf("a file that is not the last was cut")
	}
	// As the last file, it loads.
	res, err := LoadFiles(fsys, []string{"incr.aof", "base.aof"}, &KeyspaceTarget{KS: ks}, &LoadOptions{AllowTruncated: true})
	if err != nil || !res[1].Truncated || res[0].Truncated {
		t.Fatalf("%v %+v", err, res)
	}
}
