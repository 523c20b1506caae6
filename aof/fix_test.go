package aof

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
)

const (
	setCmd   = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	multiCmd = "*1\r\n$5\r\nMULTI\r\n"
	execCmd  = "*1\r\n$4\r\nEXEC\r\n"
)

var fixNow = &FixOptions{Now: func() time.Time { return time.Unix(1700000000, 0) }}

func writeMem(t *testing.T, fsys vfs.FS, name, data string) {
	t.Helper()
	if err := fsys.MkdirAll(filepath.Dir(name)); err != nil {
		t.Fatal(err)
	}
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readMem(t *testing.T, fsys vfs.FS, name string) string {
	t.Helper()
	b, err := vfs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeAOFDir writes a multi-part AOF in dir: a base and incr files with
// the given contents, and their manifest (prefix "a").
func writeAOFDir(t *testing.T, fsys vfs.FS, dir, base string, incrs ...string) {
	t.Helper()
	m := &manifest.Manifest{Base: &manifest.File{Name: manifest.BaseName("a", 1, false), Seq: 1, Type: manifest.Base}}
	writeMem(t, fsys, filepath.Join(dir, m.Base.Name), base)
	for i, data := range incrs {
		f := manifest.File{Name: manifest.IncrName("a", int64(i+1)), Seq: int64(i + 1), Type: manifest.Incr}
		m.Incr = append(m.Incr, f)
		writeMem(t, fsys, filepath.Join(dir, f.Name), data)
	}
	if err := manifest.Write(fsys, dir, "a", m); err != nil {
		t.Fatal(err)
	}
}

// TestCheckPath: a directory, a data directory, a manifest and a single
// file are told apart, and the files listed in load order.
func TestCheckPath(t *testing.T) {
	plain := filepath.Join(fixtures, "aof-plain", "appendonlydir")
	fsys := copyToMem(t, plain)
	for _, p := range []string{plain, filepath.Join(plain, "appendonly.aof.manifest")} {
		r, err := CheckPath(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Manifest == nil || len(r.Files) != 2 || r.Files[0].Type != manifest.Base || r.Files[1].Type != manifest.Incr ||
			r.Files[1].Name != "appendonly.aof.2.incr.aof" || r.Files[1].Path != filepath.Join(plain, "appendonly.aof.2.incr.aof") || !r.Valid() {
			t.Errorf("%s: %+v", p, r)
		}
	}
	// A data directory holding appendonlydir.
	if r, err := CheckPath(fsys, filepath.Dir(plain)); err != nil || len(r.Files) != 2 {
		t.Errorf("data directory: %v %+v", err, r)
	}
	legacy := filepath.Join(fixtures, "aof-legacy-single-file")
	fsys = copyToMem(t, legacy)
	r, err := CheckPath(fsys, filepath.Join(legacy, "appendonly.aof"))
	if err != nil || r.Manifest != nil || len(r.Files) != 1 || !r.Valid() || r.Files[0].Type != 0 {
		t.Errorf("legacy: %v %+v", err, r)
	}
	// The truncated fixture: the incr file is not valid.
	tr := filepath.Join(fixtures, "aof-truncated", "appendonlydir")
	r, err = CheckDir(copyToMem(t, tr), tr, "appendonly.aof")
	if err != nil || r.Valid() || !r.Files[0].Valid() || r.Files[1].Valid() || r.Files[1].OKUpTo != 40396 {
		t.Errorf("truncated: %v %+v", err, r)
	}

	// Errors name the file.
	mem := vfs.NewMem()
	writeAOFDir(t, mem, "d", setCmd, setCmd)
	if err := mem.Remove("d/a.1.incr.aof"); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckPath(mem, "d"); err == nil || !strings.Contains(err.Error(), "d/a.1.incr.aof") {
		t.Errorf("missing file: %v", err)
	}
	writeMem(t, mem, "e/a.manifest", "file a.1.base.aof seq 1 type b\n!!!\n")
	var pe *manifest.ParseError
	if _, err := CheckPath(mem, "e"); !errors.As(err, &pe) || pe.Line != 2 || pe.Path != "e/a.manifest" {
		t.Errorf("bad manifest: %v", err)
	}
	writeMem(t, mem, "f/x.manifest", "")
	writeMem(t, mem, "f/y.manifest", "")
	if _, err := CheckPath(mem, "f"); err == nil || !strings.Contains(err.Error(), "several") {
		t.Errorf("two manifests: %v", err)
	}
	if err := mem.MkdirAll("g"); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckPath(mem, "g"); err == nil || !strings.Contains(err.Error(), "no AOF manifest") {
		t.Errorf("no manifest: %v", err)
	}
	// A RESP file starting with an annotation is not a manifest; one
	// starting with comments then "file" is.
	writeMem(t, mem, "h.aof", "#TS:1\r\n"+setCmd)
	if r, err := CheckPath(mem, "h.aof"); err != nil || r.Manifest != nil || !r.Valid() {
		t.Errorf("annotated file: %v %+v", err, r)
	}
	writeAOFDir(t, mem, "i", setCmd)
	writeMem(t, mem, "i/m", "# comment\nfile a.1.base.aof seq 1 type b\n")
	if r, err := CheckPath(mem, "i/m"); err != nil || r.Manifest == nil || len(r.Files) != 1 || !r.Valid() {
		t.Errorf("manifest with a comment: %v %+v", err, r)
	}
}

// TestFixTruncatedFixture: the fixture whose last command was cut is
// fixed, the bytes cut saved, and it then loads without AllowTruncated to
// its expected data.
func TestFixTruncatedFixture(t *testing.T) {
	dir := filepath.Join(fixtures, "aof-truncated")
	adir := filepath.Join(dir, "appendonlydir")
	fsys := copyToMem(t, adir)
	last := filepath.Join(adir, "appendonly.aof.1.incr.aof")
	orig := readMem(t, fsys, last)
	res, err := Fix(fsys, adir, fixNow)
	if err != nil {
		t.Fatal(err)
	}
	if res.File != last || !res.Torn || res.Size != int64(len(orig)) || res.At != 40396 ||
		res.Backup != last+".tail-40396.1700000000.bak" {
		t.Fatalf("result %+v", res)
	}
	if got := readMem(t, fsys, last); got != orig[:res.At] {
		t.Errorf("file is %d bytes, want the first %d", len(got), res.At)
	}
	if got := readMem(t, fsys, res.Backup); got != orig[res.At:] {
		t.Errorf("backup holds %q, want %q", got, orig[res.At:])
	}
	ks, _, err := loadFixture(t, fsys, manifestFiles(t, fsys, filepath.Join(adir, "appendonly.aof.manifest")), nil)
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
	// Fixing again does nothing.
	if res, err := Fix(fsys, adir, fixNow); err != nil || res.File != "" || !res.Report.Valid() {
		t.Errorf("second fix: %v %+v", err, res)
	}
}

// TestFixTornOrCorrupt: what is a torn tail (cut) and what is corruption
// (refused, cut only with Force).
func TestFixTornOrCorrupt(t *testing.T) {
	for _, c := range []struct {
		data string
		at   int    // where Fix cuts
		torn bool   // a torn tail
		what string // what the case is
	}{
		{setCmd, len(setCmd), true, "valid"},
		{setCmd + "#TS:12", len(setCmd), true, "an annotation cut (valid for redis-check-aof, torn for the loader)"},
		{setCmd + "*3\r\n$3\r\nSE", len(setCmd), true, "a payload cut"},
		{setCmd + "*3\r\n$3\r\nSET\r", len(setCmd), true, "a payload's CRLF cut"},
		{setCmd + "*3", len(setCmd), true, "a count line cut"},
		{setCmd + "*3\r", len(setCmd), true, "a count line cut in its CRLF"},
		{setCmd + "*", len(setCmd), true, "a count line cut after its prefix"},
		{setCmd + "*3\r\n$", len(setCmd), true, "a length line cut"},
		{setCmd + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n" + strings.Repeat("x", 80), len(setCmd), true, "a long payload cut"},
		{setCmd + multiCmd + setCmd, len(setCmd), true, "a MULTI without EXEC"},
		{setCmd + multiCmd + setCmd + "*3\r\n$3", len(setCmd), true, "a MULTI and a command cut"},
		{setCmd + "\x00\x00\x00\x00", len(setCmd), true, "zeros at the end"},
		{setCmd + "*3\r\n$3\r\nSE\x00\x00\x00\x00\x00\x00", len(setCmd), true, "a command cut, then zeros"},
		{setCmd + "!!!\r\n" + setCmd, len(setCmd), false, "a format error, then commands"},
		{setCmd + "!", len(setCmd), false, "a format error at the end"},
		{setCmd + "*3\r\n$3\r\nSETxx" + setCmd, len(setCmd), false, "a payload without its CRLF"},
		{setCmd + "*3x\r\n", len(setCmd), false, "a bad count"},
		{setCmd + "*1\r\n$-5\r\n", len(setCmd), false, "a negative length"},
		{setCmd + execCmd + setCmd, len(setCmd), false, "an EXEC without MULTI"},
		{setCmd + multiCmd + multiCmd, len(setCmd), false, "a MULTI in a MULTI"},
		{setCmd + "\x00\x00" + setCmd, len(setCmd), false, "zeros, then commands"},
		{setCmd + "*2\r\n$1\r\nx\r\n*", len(setCmd), false, "a command whose argument is a new command"},
	} {
		for _, force := range []bool{false, true} {
			fsys := vfs.NewMem()
			writeMem(t, fsys, "x.aof", c.data)
			res, err := Fix(fsys, "x.aof", &FixOptions{Force: force, Now: fixNow.Now})
			got := readMem(t, fsys, "x.aof")
			switch {
			case c.at == len(c.data):
				if err != nil || res.File != "" || got != c.data {
					t.Errorf("%s: %v %+v", c.what, err, res)
				}
			case c.torn || force:
				if err != nil || res.File != "x.aof" || res.At != int64(c.at) || res.Torn != c.torn || got != c.data[:c.at] {
					t.Errorf("%s (force %v): %v %+v, file %q", c.what, force, err, res, got)
					continue
				}
				if b := readMem(t, fsys, res.Backup); b != c.data[c.at:] {
					t.Errorf("%s: backup %q", c.what, b)
				}
			default:
				var fe *FixError
				if !errors.Is(err, ErrCorrupt) || !errors.As(err, &fe) || fe.File != "x.aof" || fe.Offset != int64(c.at) || got != c.data {
					t.Errorf("%s: %v %+v", c.what, err, res)
				}
				if !strings.Contains(err.Error(), "x.aof at offset") {
					t.Errorf("%s: the error does not name the file and offset: %v", c.what, err)
				}
			}
		}
	}
}

// TestFixRandom: an AOF of random commands and MULTI units, cut at random
// offsets, is always a torn tail, which Fix cuts to a valid file that is
// a prefix; with a byte changed, Fix either cuts or refuses, never panics.
func TestFixRandom(t *testing.T) {
	seed := testenv.Seed(t)
	r := testenv.Rand(t)
	mem := vfs.NewMem()
	writeRandomAOF(t, mem, "a.aof", seed, 60)
	orig := readMem(t, mem, "a.aof")
	for i := range 300 {
		data := orig[:r.IntN(len(orig)+1)]
		changed := i%2 == 1
		if changed {
			b := []byte(orig)
			b[r.IntN(len(b))] = "*$\r\n0x#\x00"[r.IntN(8)]
			data = string(b)
		}
		fsys := vfs.NewMem()
		writeMem(t, fsys, "a.aof", data)
		res, err := Fix(fsys, "a.aof", fixNow)
		if err != nil {
			if !changed || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("case %d (changed %v): %v", i, changed, err)
			}
			continue
		}
		got := readMem(t, fsys, "a.aof")
		if !strings.HasPrefix(data, got) {
			t.Fatalf("case %d: the fixed file is not a prefix", i)
		}
		if c, err := CheckFile(fsys, "a.aof"); err != nil || !c.Valid() {
			t.Fatalf("case %d: after the fix: %v %+v", i, err, c)
		}
		if res.File != "" {
			if b := readMem(t, fsys, res.Backup); got+b != data {
				t.Fatalf("case %d: file and backup do not make the original", i)
			}
		}
	}
}

// TestFixNotLast: only the last file may be cut.
func TestFixNotLast(t *testing.T) {
	fsys := vfs.NewMem()
	writeAOFDir(t, fsys, "d", setCmd, setCmd+"*3\r\n$3", setCmd)
	res, err := Fix(fsys, "d", fixNow)
	var fe *FixError
	if !errors.Is(err, ErrNotLast) || !errors.As(err, &fe) || fe.File != "d/a.1.incr.aof" || fe.Offset != int64(len(setCmd)) || res.File != "" {
		t.Fatalf("%v %+v", err, res)
	}
	if got := readMem(t, fsys, "d/a.1.incr.aof"); got != setCmd+"*3\r\n$3" {
		t.Errorf("the file changed: %q", got)
	}
	// The base, when it is the only file, is the last.
	fsys = vfs.NewMem()
	writeAOFDir(t, fsys, "d", setCmd+"*3\r\n$3")
	if res, err := Fix(fsys, "d", fixNow); err != nil || res.File != "d/a.1.base.aof" {
		t.Errorf("base alone: %v %+v", err, res)
	}
}

// TestFixFaults: a failing operation at any point of a fix is reported,
// never panics, and loses nothing: the file and the backup (when
// written) still hold every byte.
func TestFixFaults(t *testing.T) {
	data := setCmd + setCmd + "*3\r\n$3\r\nSE"
	cut := 2 * len(setCmd)
	for _, fault := range []vfs.Fault{vfs.IOError, vfs.NoSpace, vfs.ShortWrite} {
		for i := int64(0); ; i++ {
			mem := vfs.NewMem()
			writeAOFDir(t, mem, "d", setCmd, data)
			ffs := vfs.NewFaulty(mem)
			ffs.FailAt(i, fault)
			res, err := Fix(ffs, "d", fixNow)
			if ffs.Injected() == 0 {
				if err != nil || res.File == "" {
					t.Fatalf("%v: without a fault: %v %+v", fault, err, res)
				}
				break
			}
			got := readMem(t, mem, "d/a.1.incr.aof")
			if err == nil {
				// A fault in an operation whose failure does not matter
				// (the removal of a temporary file that is not there).
				if got != data[:cut] {
					t.Fatalf("%v at op %d: no error, file %q", fault, i, got)
				}
				continue
			}
			if !strings.Contains(err.Error(), "d") {
				t.Errorf("%v at op %d: the error does not name the file: %v", fault, i, err)
			}
			if got == data {
				continue
			}
			if got != data[:cut] {
				t.Fatalf("%v at op %d: file %q", fault, i, got)
			}
			// Cut: the backup is whole.
			if b := readMem(t, mem, "d/a.1.incr.aof.tail-"+strconv.Itoa(cut)+".1700000000.bak"); b != data[cut:] {
				t.Fatalf("%v at op %d: cut but the backup holds %q", fault, i, b)
			}
		}
	}
}

// TestFixCrash: a crash at any point of a fix leaves a file that is either
// the original or its valid prefix, and the bytes cut in a synced backup.
func TestFixCrash(t *testing.T) {
	data := setCmd + setCmd + "*3\r\n$3\r\nSE"
	cut := 2 * len(setCmd)
	backup := "d/a.1.incr.aof.tail-" + strconv.Itoa(cut) + ".1700000000.bak"
	for i := int64(0); ; i++ {
		mem := vfs.NewMem()
		writeAOFDir(t, mem, "d", setCmd, data)
		for _, d := range []string{"/", "d"} {
			if err := mem.SyncDir(d); err != nil {
				t.Fatal(err)
			}
		}
		syncAll(t, mem, "d")
		// Stop the fix at operation i: that operation fails, and the crash
		// clone is taken then.
		ffs := vfs.NewFaulty(mem)
		ffs.FailAt(i, vfs.IOError)
		_, err := Fix(ffs, "d", fixNow)
		if ffs.Injected() == 0 {
			break
		}
		_ = err
		crashed := mem.CrashClone(vfs.CrashOptions{})
		got := readMem(t, crashed, "d/a.1.incr.aof")
		if got == data {
			continue
		}
		if got != data[:cut] {
			t.Fatalf("op %d: after a crash the file is %q", i, got)
		}
		if b := readMem(t, crashed, backup); b != data[cut:] {
			t.Fatalf("op %d: after a crash the file is cut but the backup holds %q", i, b)
		}
	}
}

// syncAll syncs every file of dir.
func syncAll(t *testing.T, fsys vfs.FS, dir string) {
	t.Helper()
	names, err := fsys.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		f, err := fsys.OpenAppend(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// TestTruncateToTimestampFixture: truncating the fixture at each of its
// points loads to the matching expected data, and cuts the file where
// redis-check-aof cuts it.
func TestTruncateToTimestampFixture(t *testing.T) {
	dir := filepath.Join(fixtures, "aof-timestamps")
	adir := filepath.Join(dir, "appendonlydir")
	b, err := os.ReadFile(filepath.Join(dir, "points.json"))
	if err != nil {
		t.Fatal(err)
	}
	var points []struct {
		TS       int64  `json:"truncate_to_timestamp"`
		Expected string `json:"expected"`
	}
	if err := json.Unmarshal(b, &points); err != nil {
		t.Fatal(err)
	}
	incr := filepath.Join(adir, "appendonly.aof.1.incr.aof")
	for _, p := range points {
		t.Run(p.Expected, func(t *testing.T) {
			fsys := copyToMem(t, adir)
			orig := readMem(t, fsys, incr)
			res, err := TruncateToTimestamp(fsys, adir, p.TS, fixNow)
			if err != nil {
				t.Fatal(err)
			}
			if res.File != "" {
				// Cut at the start of the first later annotation.
				at := strings.Index(orig, "#TS:"+strconv.Itoa(int(p.TS)+1))
				for d := int64(2); at < 0 && d < 10; d++ {
					at = strings.Index(orig, "#TS:"+strconv.Itoa(int(p.TS+d)))
				}
				if res.File != incr || res.At != int64(at) || readMem(t, fsys, incr) != orig[:at] || readMem(t, fsys, res.Backup) != orig[at:] {
					t.Fatalf("result %+v, want a cut at %d", res, at)
				}
			}
			ks, _, err := loadFixture(t, fsys, manifestFiles(t, fsys, filepath.Join(adir, "appendonly.aof.manifest")), nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := dataset.Load(filepath.Join(dir, p.Expected))
			if err != nil {
				t.Fatal(err)
			}
			if got := snapshotDataset(t, ks); !dataset.Equal(want, got) {
				t.Errorf("loaded data differs from %s:\n%s", p.Expected, dataset.Diff(want, got))
			}
		})
	}
	// Before the base's annotation: nothing before.
	fsys := copyToMem(t, adir)
	_, err = TruncateToTimestamp(fsys, adir, 1795269449, fixNow)
	var fe *FixError
	if !errors.Is(err, ErrNothingBefore) || !errors.As(err, &fe) || fe.File != filepath.Join(adir, "appendonly.aof.1.base.aof") || fe.Offset != 0 {
		t.Errorf("before everything: %v", err)
	}
	// At the base's time: the incr file, whose first annotation is
	// later, is dropped (redis-check-aof refuses: its annotation is at
	// offset 0), and renamed aside whole.
	orig := readMem(t, fsys, incr)
	res, err := TruncateToTimestamp(fsys, adir, 1795269450, fixNow)
	if err != nil || res.File != "" || len(res.Dropped) != 1 || res.Dropped[0].Path != incr || res.Dropped[0].Backup != incr+".1700000000.bak" {
		t.Fatalf("at the base's time: %v %+v", err, res)
	}
	if got := readMem(t, fsys, res.Dropped[0].Backup); got != orig {
		t.Errorf("the dropped file's backup differs")
	}
	if got := readMem(t, fsys, filepath.Join(adir, "appendonly.aof.manifest")); got != "file appendonly.aof.1.base.aof seq 1 type b\n" {
		t.Errorf("manifest %q", got)
	}
	if _, err := fsys.Stat(incr); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dropped file is still there: %v", err)
	}
}

// TestTruncateToTimestampDrops: a cut in an incr file before the last
// drops the files after it from the manifest.
func TestTruncateToTimestampDrops(t *testing.T) {
	incr1 := "#TS:100\r\n" + setCmd + "#TS:200\r\n" + setCmd
	incr2 := "#TS:300\r\n" + setCmd
	incr3 := setCmd + "#TS:400\r\n" + setCmd
	for _, c := range []struct {
		ts      int64
		file    string // the file cut, if any
		at      int
		dropped []string
	}{
		{50, "", 0, nil}, // nothing before: checked below
		{100, "d/a.1.incr.aof", len("#TS:100\r\n" + setCmd), []string{"d/a.2.incr.aof", "d/a.3.incr.aof"}},
		{250, "", 0, []string{"d/a.2.incr.aof", "d/a.3.incr.aof"}},
		{300, "d/a.3.incr.aof", len(setCmd), nil},
		{400, "", 0, nil},
	} {
		fsys := vfs.NewMem()
		writeAOFDir(t, fsys, "d", "", incr1, incr2, incr3)
		res, err := TruncateToTimestamp(fsys, "d/a.manifest", c.ts, fixNow)
		if c.ts == 50 {
			if !errors.Is(err, ErrNothingBefore) {
				t.Errorf("%d: %v", c.ts, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d: %v", c.ts, err)
		}
		if res.File != c.file || res.File != "" && res.At != int64(c.at) {
			t.Errorf("%d: cut %s at %d, want %s at %d", c.ts, res.File, res.At, c.file, c.at)
		}
		var dropped []string
		for _, d := range res.Dropped {
			dropped = append(dropped, d.Path)
			if _, err := fsys.Stat(d.Backup); err != nil {
				t.Errorf("%d: %v", c.ts, err)
			}
		}
		if strings.Join(dropped, " ") != strings.Join(c.dropped, " ") {
			t.Errorf("%d: dropped %v, want %v", c.ts, dropped, c.dropped)
		}
		m, err := manifest.Read(fsys, "d", "a")
		if err != nil {
			t.Fatal(err)
		}
		if want := 3 - len(c.dropped); len(m.Incr) != want || m.Base == nil {
			t.Errorf("%d: manifest %+v, want %d incr files", c.ts, m, want)
		}
		if r, err := CheckPath(fsys, "d"); err != nil || !r.Valid() {
			t.Errorf("%d: after: %v %+v", c.ts, err, r)
		}
	}
}

// TestTruncateToTimestampErrors: Redis's errors, with the file and
// offset; an annotation inside a MULTI cuts before the MULTI.
func TestTruncateToTimestampErrors(t *testing.T) {
	for _, c := range []struct {
		data string
		err  error
		at   int
	}{
		{setCmd + "#TS:abc\r\n" + setCmd, ErrInvalidTimestamp, len(setCmd)},
		{setCmd + "#TS:123x\r\n" + setCmd, ErrInvalidTimestamp, len(setCmd)},
		{setCmd + "#TS:200", ErrInvalidTimestamp, len(setCmd)},
		{setCmd + "#TS:200\n" + setCmd, ErrInvalidTimestamp, len(setCmd)},
		{setCmd + "#TS:99999999999999999999\r\n", ErrInvalidTimestamp, len(setCmd)},
		{"#TS:200\r\n" + setCmd, ErrNothingBefore, 0},
		{setCmd + "!!!" + "#TS:200\r\n", ErrInvalid, len(setCmd)},
		{setCmd + "#TS: 200\r\n" + setCmd, nil, len(setCmd)},
		{setCmd + "#TS:-5\r\n" + setCmd, nil, -1},
		{setCmd + "#TS:\r\n" + setCmd, nil, -1},
		{setCmd + "#other\r\n#TS:200\r\n", nil, len(setCmd + "#other\r\n")},
		{setCmd + multiCmd + setCmd + "#TS:200\r\n" + setCmd + execCmd, nil, len(setCmd)},
	} {
		fsys := vfs.NewMem()
		writeMem(t, fsys, "x.aof", c.data)
		res, err := TruncateToTimestamp(fsys, "x.aof", 100, fixNow)
		got := readMem(t, fsys, "x.aof")
		if c.err != nil {
			var fe *FixError
			if !errors.Is(err, c.err) || !errors.As(err, &fe) || fe.File != "x.aof" || fe.Offset != int64(c.at) || got != c.data {
				t.Errorf("%q: %v, want %v at %d", c.data, err, c.err, c.at)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.data, err)
			continue
		}
		if c.at < 0 {
			if res.File != "" || got != c.data {
				t.Errorf("%q: cut %+v", c.data, res)
			}
			continue
		}
		if res.File != "x.aof" || res.At != int64(c.at) || got != c.data[:c.at] {
			t.Errorf("%q: %+v, file %q", c.data, res, got)
		}
	}
}

// TestTruncateToTimestampFaults: a failing operation at any point is
// reported, never panics, and every byte stays in the files or backups;
// the manifest always lists a prefix of the original files.
func TestTruncateToTimestampFaults(t *testing.T) {
	incr1 := "#TS:100\r\n" + setCmd + "#TS:200\r\n" + setCmd
	incr2 := "#TS:300\r\n" + setCmd
	for i := int64(0); ; i++ {
		mem := vfs.NewMem()
		writeAOFDir(t, mem, "d", setCmd, incr1, incr2)
		ffs := vfs.NewFaulty(mem)
		ffs.FailAt(i, vfs.IOError)
		res, err := TruncateToTimestamp(ffs, "d", 150, fixNow)
		if ffs.Injected() == 0 {
			if err != nil || res.File != "d/a.1.incr.aof" || len(res.Dropped) != 1 {
				t.Fatalf("without a fault: %v %+v", err, res)
			}
			break
		}
		if err != nil && !strings.Contains(err.Error(), "d") {
			t.Errorf("op %d: the error does not name the file: %v", i, err)
		}
		// Every byte is somewhere.
		all := ""
		names, _ := mem.List("d")
		for _, n := range names {
			if !vfs.IsTemp(n) && n != "a.manifest" && n != "a.1.base.aof" {
				all += readMem(t, mem, filepath.Join("d", n))
			}
		}
		for _, part := range []string{incr1[len(incr1)-len("#TS:200\r\n"+setCmd):], incr2} {
			if !strings.Contains(all, part) {
				t.Fatalf("op %d: lost %q; files %v", i, part, names)
			}
		}
		m, err := manifest.Read(mem, "d", "a")
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		if len(m.Incr) == 0 || m.Incr[0].Name != "a.1.incr.aof" {
			t.Fatalf("op %d: manifest %+v", i, m)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, c := range []struct {
		in string
		t  int64
		ok bool
	}{
		{"123\r\n", 123, true}, {" 123\r\n", 123, true}, {"+7\r\n", 7, true}, {"-7\r\n", -7, true},
		{"\r\n", 0, true}, {"123", 0, false}, {"123\n", 0, false}, {"x\r\n", 0, false}, {" \r\n", 0, false},
		{"9223372036854775807\r\n", 9223372036854775807, true}, {"9223372036854775808\r\n", 0, false},
		{"-9223372036854775808\r\n", -9223372036854775808, true}, {"-9223372036854775809\r\n", 0, false},
		{"99999999999999999999999\r\n", 0, false},
	} {
		got, ok := parseTimestamp([]byte(c.in))
		if got != c.t || ok != c.ok {
			t.Errorf("%q: %d %v, want %d %v", c.in, got, ok, c.t, c.ok)
		}
	}
}

// TestFixPartialAnnotation: an annotation cut by the end of the last
// file is valid for redis-check-aof, but the loader takes it for a torn
// tail; Fix cuts it, keeping a backup, and leaves a file that ends with
// a whole annotation alone.
func TestFixPartialAnnotation(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for _, c := range []struct {
		data string
		at   int64 // -1: nothing cut
	}{
		{set + "#TS:17", int64(len(set))},
		{set + "#TS:1700000000\r\n" + set + "#", int64(2*len(set) + 16)},
		{"#TS:1", 0},
		{set + "#TS:17\r\n", -1},
		{set, -1},
	} {
		fsys := vfs.NewMem()
		f, _ := fsys.Create("a.aof")
		f.Write([]byte(c.data))
		f.Close()
		res, err := Fix(fsys, "a.aof", nil)
		if err != nil {
			t.Fatalf("%q: %v", c.data, err)
		}
		now, _ := vfs.ReadFile(fsys, "a.aof")
		if c.at < 0 {
			if res.File != "" || string(now) != c.data {
				t.Errorf("%q: cut to %q", c.data, now)
			}
			continue
		}
		if res.At != c.at || !res.Torn || string(now) != c.data[:c.at] {
			t.Errorf("%q: %+v, file %q", c.data, res, now)
		}
		if _, err := LoadFile(fsys, "a.aof", &KeyspaceTarget{KS: keyspace.NewMemory(nil)}, nil); err != nil {
			t.Errorf("%q: after the fix, a strict load: %v", c.data, err)
		}
	}
}
