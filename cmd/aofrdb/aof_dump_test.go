package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redisdata"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/rdb"
)

// aofFixtures is where the AOF fixtures written by redis-server are.
const aofFixtures = "../../aof/testdata/redis-7.0.15"

// copyTree copies the directory src to a new temporary directory and
// returns its path.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// treeContents returns the contents of every file under dir, by path.
func treeContents(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// unchanged fails the test if the files under dir differ from before.
func unchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := treeContents(t, dir)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed: %d bytes, was %d", p, len(after[p]), len(b))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// withoutExpired returns d without the keys whose expiry has passed by
// now, which Redis would not show now either.
func withoutExpired(d *dataset.Dataset, now int64) *dataset.Dataset {
	out := &dataset.Dataset{RedisVersion: d.RedisVersion, DBs: map[int][]rdb.Entry{}}
	for db, es := range d.DBs {
		for _, e := range es {
			if e.ExpireAt == 0 || e.ExpireAt > now {
				out.DBs[db] = append(out.DBs[db], e)
			}
		}
	}
	return out
}

var unknownCommand = regexp.MustCompile(`unknown command '[^']*'`)

// skipUnknown skips the test when the keyspace lacks a command the
// fixture uses (streams, HyperLogLog and geo come with a later issue).
func skipUnknown(t *testing.T, stderr string) {
	t.Helper()
	if unknownCommand.MatchString(stderr) {
		t.Skipf("the keyspace lacks a command of this fixture: %s", strings.TrimSpace(stderr))
	}
}

// dump of every AOF fixture, named in each way dump takes it, prints
// the data set of expected.json; the files are left as they were.
func TestDumpAOFFixtures(t *testing.T) {
	for _, c := range []struct {
		fixture, expected string
		paths             []string // relative to the fixture's copy
	}{
		{"aof-preamble", "expected.json", []string{".", "appendonlydir", "appendonlydir/appendonly.aof.manifest"}},
		{"aof-plain", "expected.json", []string{".", "appendonlydir", "appendonlydir/appendonly.aof.manifest"}},
		{"aof-legacy-single-file", "expected.json", []string{".", "appendonly.aof"}},
		{"aof-timestamps", "expected-phase2.json", []string{".", "appendonlydir"}}, // phase 2 is the whole of it
		{"aof-truncated", "expected.json", []string{".", "appendonlydir"}},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			dir := copyTree(t, filepath.Join(aofFixtures, c.fixture))
			before := treeContents(t, dir)
			want, err := dataset.Load(filepath.Join(dir, c.expected))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.paths {
				now := time.Now().UnixMilli()
				stdout, stderr, status := cliRun(t, "dump", filepath.Join(dir, p))
				skipUnknown(t, stderr)
				if status != exitOK {
					t.Fatalf("dump %s: status %d: %s", p, status, stderr)
				}
				got := readDataset(t, []byte(stdout))
				if w := withoutExpired(want, now); !dataset.Equal(w, got) {
					t.Errorf("dump %s differs from %s (a: expected, b: dump):\n%s", p, c.expected, dataset.Diff(w, got))
				}
				truncated := strings.Contains(stderr, "ends inside a command")
				if truncated != (c.fixture == "aof-truncated") {
					t.Errorf("dump %s: stderr %q", p, stderr)
				}
				unchanged(t, dir, before)
			}
		})
	}
}

// resp returns the RESP encoding of commands.
func resp(cmds ...[]string) []byte {
	var b []byte
	for _, c := range cmds {
		b = append(b, '*')
		b = strconv.AppendInt(b, int64(len(c)), 10)
		b = append(b, "\r\n"...)
		for _, a := range c {
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(len(a)), 10)
			b = append(b, "\r\n"...)
			b = append(b, a...)
			b = append(b, "\r\n"...)
		}
	}
	return b
}

// A file whose last command is cut loads up to the last whole command,
// with a warning naming the file and the offset, and is not cut; a cut
// in a file before the last, or corruption in the middle, is an error
// naming the file and the offset.
func TestDumpAOFTruncated(t *testing.T) {
	whole := resp([]string{"SET", "a", "1"}, []string{"SELECT", "3"}, []string{"RPUSH", "l", "x", "y"})
	cut := append(bytes.Clone(whole), "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$"...)
	path := writeTemp(t, "appendonly.aof", cut)
	stdout, stderr, status := cliRun(t, "dump", path)
	if status != exitOK {
		t.Fatalf("status %d: %s", status, stderr)
	}
	offset := strconv.Itoa(len(whole))
	if !strings.Contains(stderr, "warning: "+path) || !strings.Contains(stderr, "offset "+offset+" of "+strconv.Itoa(len(cut))) {
		t.Errorf("stderr %q, want a warning naming %s and offset %s", stderr, path, offset)
	}
	got := readDataset(t, []byte(stdout))
	if got.Len() != 2 || got.Lookup(0, []byte("a")) == nil || got.Lookup(3, []byte("l")) == nil {
		t.Errorf("loaded %s", stdout)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, cut) {
		t.Errorf("dump changed the file: %d bytes, was %d", len(b), len(cut))
	}
	// From stdin too.
	if s2, e2, st2 := cliRunStdin(t, cut, "dump", "-"); st2 != exitOK || s2 != stdout || !strings.Contains(e2, "offset "+offset) {
		t.Errorf("dump - : status %d, stderr %q", st2, e2)
	}

	// In a directory: the cut incr file is the last, loaded; a cut file
	// before the last is refused.
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("appendonly.aof.1.base.aof", whole)
	write("appendonly.aof.1.incr.aof", cut[len(whole):])
	write("appendonly.aof.manifest", []byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"))
	before := treeContents(t, dir)
	if _, stderr, status := cliRun(t, "dump", dir); status != exitOK || !strings.Contains(stderr, "appendonly.aof.1.incr.aof: the file ends inside a command: loaded up to offset 0 of") {
		t.Errorf("dir: status %d, stderr %q", status, stderr)
	}
	unchanged(t, dir, before)
	write("appendonly.aof.2.incr.aof", whole)
	write("appendonly.aof.manifest", []byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"))
	before = treeContents(t, dir)
	if _, stderr, status := cliRun(t, "dump", dir); status != exitFail || !strings.Contains(stderr, "appendonly.aof.1.incr.aof at offset 0") || !strings.Contains(stderr, "not the last file") {
		t.Errorf("dir with a cut file before the last: status %d, stderr %q", status, stderr)
	}
	unchanged(t, dir, before)

	// Corruption in the middle: an error with the file and the offset.
	bad := append(bytes.Clone(whole), "+OK\r\n"...)
	bad = append(bad, whole...)
	path = writeTemp(t, "bad.aof", bad)
	if _, stderr, status := cliRun(t, "dump", path); status != exitFail || !strings.Contains(stderr, path+" at offset "+offset) {
		t.Errorf("corrupt file: status %d, stderr %q", status, stderr)
	}
	// An unknown command too.
	set := resp([]string{"SET", "a", "1"})
	path = writeTemp(t, "unknown.aof", append(set, resp([]string{"FROBNICATE", "x"})...))
	if _, stderr, status := cliRun(t, "dump", path); status != exitFail || !strings.Contains(stderr, "at offset "+strconv.Itoa(len(set))+": unknown command 'frobnicate'") {
		t.Errorf("unknown command: status %d, stderr %q", status, stderr)
	}
}

// cliRunStdin runs the tool with stdin read from in.
func cliRunStdin(t *testing.T, in []byte, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	f, err := os.Open(writeTemp(t, "stdin", in))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	return cliRun(t, args...)
}

// A data directory resolves as Redis 7 with appendonly yes does: the
// multi-part AOF, else a legacy appendonly.aof, else dump.rdb, else
// nothing (an error).
func TestDumpDataDir(t *testing.T) {
	data := t.TempDir()
	if _, stderr, status := cliRun(t, "dump", data); status != exitFail || !strings.Contains(stderr, "nothing to load") {
		t.Errorf("empty data dir: status %d, stderr %q", status, stderr)
	}
	rdbData := fixtureData(t, "hash-zipmap", "dump.rdb")
	os.WriteFile(filepath.Join(data, "dump.rdb"), rdbData, 0o644)
	stdout, stderr, status := cliRun(t, "dump", data)
	if status != exitOK || !strings.Contains(stderr, "loading the RDB file") {
		t.Errorf("dump.rdb: status %d, stderr %q", status, stderr)
	}
	if !dataset.Equal(readDataset(t, []byte(stdout)), readDataset(t, fixtureData(t, "hash-zipmap", "expected.json"))) {
		t.Errorf("dump.rdb: other data")
	}
	os.WriteFile(filepath.Join(data, "appendonly.aof"), resp([]string{"SET", "legacy", "1"}), 0o644)
	stdout, stderr, _ = cliRun(t, "dump", data)
	if d := readDataset(t, []byte(stdout)); d.Len() != 1 || d.Lookup(0, []byte("legacy")) == nil || !strings.Contains(stderr, "single-file AOF") {
		t.Errorf("legacy AOF: stderr %q, stdout %s", stderr, stdout)
	}
	if _, stderr, status := cliRun(t, "convert", "--base", "aof", filepath.Join(data, "appendonly.aof"), filepath.Join(data, "appendonlydir")); status != exitOK {
		t.Fatalf("convert: %s", stderr)
	}
	os.Remove(filepath.Join(data, "appendonly.aof"))
	stdout, stderr, _ = cliRun(t, "dump", data)
	if d := readDataset(t, []byte(stdout)); d.Len() != 1 || d.Lookup(0, []byte("legacy")) == nil || !strings.Contains(stderr, "multi-part AOF") {
		t.Errorf("multi-part AOF: stderr %q, stdout %s", stderr, stdout)
	}
}

// redisCheckAOF runs redis-check-aof on a manifest and fails the test
// unless it says the AOF is valid.
func redisCheckAOF(t *testing.T, manifest string) {
	t.Helper()
	checker := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	out, err := exec.Command(checker, manifest).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Errorf("redis-check-aof %s: %v\n%s", manifest, err, out)
	}
}

// convert from JSON and from an RDB file to an AOF directory, with each
// base, passes redis-check-aof and dumps back to the same data; the
// directory converts on to an RDB file, JSON and another directory.
func TestConvertToAOFDir(t *testing.T) {
	for _, name := range []string{"encodings", "rdb-default"} {
		t.Run(name, func(t *testing.T) {
			// The data set of the RDB file (expected.json may hold
			// stream views, which cannot be written).
			src := fixtureFile(t, name, "dump.rdb")
			js := filepath.Join(t.TempDir(), "data.json")
			if _, stderr, status := cliRun(t, "convert", src, js); status != exitOK {
				t.Fatalf("convert to JSON: %s", stderr)
			}
			b, _ := os.ReadFile(js)
			want := readDataset(t, b)
			for _, c := range []struct {
				in   string
				args []string
				ext  string
			}{
				{js, []string{"--base", "rdb"}, "rdb"},
				{js, []string{"--base=aof"}, "aof"},
				{src, nil, "rdb"}, // OUT ends in "/"
				{js, []string{"--no-compression", "--no-checksum", "--rdb-version", "9", "--base", "rdb"}, "rdb"},
			} {
				out := filepath.Join(t.TempDir(), "appendonlydir")
				args := append(append([]string{"convert"}, c.args...), c.in, out)
				if c.args == nil {
					args[len(args)-1] += "/"
				}
				_, stderr, status := cliRun(t, args...)
				if status != exitOK {
					t.Fatalf("%q: status %d: %s", args, status, stderr)
				}
				base := filepath.Join(out, "appendonly.aof.1.base."+c.ext)
				names, _ := os.ReadDir(out)
				var got []string
				for _, n := range names {
					got = append(got, n.Name())
				}
				if want := []string{filepath.Base(base), "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"}; strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%q: directory holds %q, want %q", args, got, want)
				}
				if len(c.args) > 2 {
					b, _ := os.ReadFile(base)
					if !bytes.HasPrefix(b, []byte("REDIS0009")) || !bytes.HasSuffix(b, make([]byte, 8)) {
						t.Errorf("%q: base starts %q, ends %x", args, b[:min(len(b), 9)], b[max(0, len(b)-8):])
					}
				}
				redisCheckAOF(t, filepath.Join(out, "appendonly.aof.manifest"))
				stdout, stderr, status := cliRun(t, "dump", out)
				if unknownCommand.MatchString(stderr) {
					t.Logf("%q: the rest is skipped: the keyspace lacks a command of the base: %s", args, strings.TrimSpace(stderr))
					continue
				}
				if status != exitOK {
					t.Fatalf("%q: dump: status %d: %s", args, status, stderr)
				}
				w := want
				if len(c.args) > 2 {
					w = withoutV10Metadata(readDataset(t, b))
				}
				norm := func(d *dataset.Dataset) *dataset.Dataset {
					if len(c.args) > 2 { // RDB 9: no stream metadata of RDB 10
						return withoutV10Metadata(d)
					}
					return d
				}
				if got := norm(readDataset(t, []byte(stdout))); !dataset.Equal(w, got) {
					t.Errorf("%q: round trip differs:\n%s", args, dataset.Diff(w, got))
				}
				// A directory with a manifest is not overwritten.
				if _, stderr, status := cliRun(t, "convert", c.in, out); status != exitFail || !strings.Contains(stderr, "already has a manifest") {
					t.Errorf("convert over a manifest: status %d, stderr %q", status, stderr)
				}
				// AOF to RDB, to JSON and to an AOF directory (by default
				// for an OUT without extension).
				dir := t.TempDir()
				for _, o := range []string{"out.rdb", "out.json", "out"} {
					if _, stderr, status := cliRun(t, "convert", out, filepath.Join(dir, o)); status != exitOK {
						t.Fatalf("convert %s %s: status %d: %s", out, o, status, stderr)
					}
					stdout, stderr, status := cliRun(t, "dump", filepath.Join(dir, o))
					if status != exitOK {
						t.Fatalf("dump %s: %s", o, stderr)
					}
					if got := norm(readDataset(t, []byte(stdout))); !dataset.Equal(w, got) {
						t.Errorf("%s: differs:\n%s", o, dataset.Diff(w, got))
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "out", "appendonly.aof.1.base.rdb")); err != nil {
					t.Errorf("AOF to out: %v", err)
				}
			}
		})
	}
}

// The function libraries of an AOF (FUNCTION LOAD, DELETE, FLUSH) are
// noted by dump and kept in an AOF directory's base.
func TestAOFFunctions(t *testing.T) {
	lib := func(name string) string {
		return "#!lua name=" + name + "\nredis.register_function('" + name + "_f', function() return 1 end)"
	}
	path := writeTemp(t, "f.aof", resp(
		[]string{"FUNCTION", "LOAD", lib("one")},
		[]string{"FUNCTION", "LOAD", lib("two")},
		[]string{"MULTI"}, []string{"FUNCTION", "DELETE", "one"}, []string{"SET", "k", "v"}, []string{"EXEC"},
		[]string{"FUNCTION", "LOAD", "REPLACE", lib("two")},
		[]string{"FUNCTION", "LOAD", lib("three")},
	))
	stdout, stderr, status := cliRun(t, "dump", path)
	if status != exitOK || !strings.Contains(stderr, "2 function libraries") {
		t.Errorf("dump: status %d, stderr %q", status, stderr)
	}
	if d := readDataset(t, []byte(stdout)); d.Len() != 1 {
		t.Errorf("dump: %s", stdout)
	}
	for _, base := range []string{"rdb", "aof"} {
		out := filepath.Join(t.TempDir(), "d")
		if _, stderr, status := cliRun(t, "convert", "--base", base, path, out); status != exitOK {
			t.Fatalf("convert: %s", stderr)
		}
		redisCheckAOF(t, filepath.Join(out, "appendonly.aof.manifest"))
		b, _ := os.ReadFile(filepath.Join(out, "appendonly.aof.1.base."+base))
		if !bytes.Contains(b, []byte("name=two")) || !bytes.Contains(b, []byte("name=three")) || bytes.Contains(b, []byte("name=one")) {
			t.Errorf("%s base: %q", base, b)
		}
		if _, stderr, status := cliRun(t, "dump", out); status != exitOK || !strings.Contains(stderr, "2 function libraries") {
			t.Errorf("dump of the %s base: status %d, stderr %q", base, status, stderr)
		}
	}
}

func TestConvertAOFUsage(t *testing.T) {
	js := fixtureFile(t, "encodings", "expected.json")
	aofPath := writeTemp(t, "a.aof", resp([]string{"SET", "a", "1"}))
	tmp := t.TempDir()
	for _, c := range []struct {
		args   []string
		status int
		err    string
	}{
		{[]string{"convert", "--base", "zip", js, filepath.Join(tmp, "d")}, exitUsage, `--base "zip": want rdb or aof`},
		{[]string{"convert", "--base", "rdb", js, filepath.Join(tmp, "x.json")}, exitUsage, `--base applies only when OUT is a directory`},
		{[]string{"convert", "--base", "rdb", js, "-"}, exitUsage, `--base applies only when OUT is a directory`},
		{[]string{"convert", "--base", "aof", "--no-checksum", js, filepath.Join(tmp, "d")}, exitUsage, `apply only when OUT is an RDB file`},
		{[]string{"convert", js, filepath.Join(tmp, "x.aof")}, exitUsage, `name a directory`},
		{[]string{"convert", aofPath, filepath.Join(tmp, "m.manifest")}, exitUsage, `name a directory`},
		{[]string{"convert", "--no-checksum", aofPath, filepath.Join(tmp, "x.json")}, exitUsage, `apply only when OUT is an RDB file`},
	} {
		_, stderr, status := cliRun(t, c.args...)
		if status != c.status || !strings.Contains(stderr, c.err) {
			t.Errorf("aofrdb %q: status %d (want %d), stderr %q (want %q)", c.args, status, c.status, stderr, c.err)
		}
	}
	// AOF to stdout: JSON.
	stdout, stderr, status := cliRun(t, "convert", aofPath, "-")
	if status != exitOK || readDataset(t, []byte(stdout)).Len() != 1 {
		t.Errorf("AOF to -: status %d, stderr %q", status, stderr)
	}
	// Nothing is left behind by the refused ones.
	if names, _ := os.ReadDir(tmp); len(names) != 0 {
		t.Errorf("%s holds %d entries", tmp, len(names))
	}
}

// An AOF with an RDB preamble (a legacy file written with
// aof-use-rdb-preamble yes) loads its RDB part, then its commands.
func TestDumpPreambleAOF(t *testing.T) {
	rdbData := fixtureData(t, "hash-zipmap", "dump.rdb")
	want := readDataset(t, fixtureData(t, "hash-zipmap", "expected.json"))
	b := append(bytes.Clone(rdbData), resp([]string{"SET", "after", "1"})...)
	for _, path := range []string{writeTemp(t, "appendonly.aof", b), filepath.Dir(writeTemp(t, "appendonly.aof", b))} {
		stdout, stderr, status := cliRun(t, "dump", path)
		if status != exitOK {
			t.Fatalf("dump %s: status %d: %s", path, status, stderr)
		}
		got := readDataset(t, []byte(stdout))
		if got.Lookup(0, []byte("after")) == nil || got.Len() != want.Len()+1 {
			t.Errorf("dump %s: %d keys, want %d and \"after\"", path, got.Len(), want.Len()+1)
		}
	}
}

// A directory convert writes loads in redis-server to the data it was
// written from, with each base.
func TestConvertAOFDirInRedis(t *testing.T) {
	testenv.RedisServer(t)
	src := fixtureFile(t, "encodings", "dump.rdb")
	stdout, _, _ := cliRun(t, "dump", src)
	want := readDataset(t, []byte(stdout))
	for _, base := range []string{"rdb", "aof"} {
		data := t.TempDir()
		if _, stderr, status := cliRun(t, "convert", "--base", base, src, filepath.Join(data, "appendonlydir")); status != exitOK {
			t.Fatalf("convert: %s", stderr)
		}
		rc := redistest.Start(t, data, "--appendonly", "yes").Client()
		got := redisdata.Read(t, rc)
		if !dataset.Equal(want, got) {
			t.Errorf("--base %s: redis-server loaded other data:\n%s", base, dataset.Diff(want, got))
		}
	}
}
