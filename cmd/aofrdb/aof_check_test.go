package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

var analyzedRE = regexp.MustCompile(`(?m)^AOF analyzed: filename=.*, size=\d+, ok_up_to=\d+, ok_up_to_line=\d+, diff=\d+$`)

// editFile changes the file at path with f.
func editFile(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runRedisCheckAOF runs redis-check-aof with args and returns its output
// and exit status.
func runRedisCheckAOF(t *testing.T, tool string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out), 0
}

// aofCases returns the inputs of the differential tests: a name, the path
// given to aofrdb and the one given to redis-check-aof (a manifest where
// aofrdb gets the directory).
func aofCases(t *testing.T) []struct{ name, ours, theirs string } {
	plain := copyTree(t, filepath.Join(aofFixtures, "aof-plain", "appendonlydir"))
	preamble := copyTree(t, filepath.Join(aofFixtures, "aof-preamble", "appendonlydir"))
	truncated := copyTree(t, filepath.Join(aofFixtures, "aof-truncated", "appendonlydir"))
	legacy := copyTree(t, filepath.Join(aofFixtures, "aof-legacy-single-file", "appendonly.aof"))
	timestamps := copyTree(t, filepath.Join(aofFixtures, "aof-timestamps", "appendonlydir"))

	// The incr file of the plain fixture with a command in the middle
	// made garbage.
	middle := copyTree(t, filepath.Join(aofFixtures, "aof-plain", "appendonlydir"))
	editFile(t, filepath.Join(middle, "appendonly.aof.2.incr.aof"), func(b []byte) []byte {
		i := bytes.Index(b[len(b)/2:], []byte("\r\n*")) + len(b)/2 + 2
		b[i] = '!'
		return b
	})
	// The base of the plain fixture cut: not the last file.
	notLast := copyTree(t, filepath.Join(aofFixtures, "aof-plain", "appendonlydir"))
	editFile(t, filepath.Join(notLast, "appendonly.aof.2.base.aof"), func(b []byte) []byte { return b[:len(b)-5] })
	// A legacy file with an RDB preamble, then commands, the last cut.
	legacyPreamble := filepath.Join(t.TempDir(), "appendonly.aof")
	rdbPart, err := os.ReadFile(filepath.Join(preamble, "appendonly.aof.2.base.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	if err := os.WriteFile(legacyPreamble, append(rdbPart, set+set+"*3\r\n$3\r\nSET\r\n$1"...), 0o644); err != nil {
		t.Fatal(err)
	}
	// A legacy file corrupted in the middle, and one with a MULTI left open.
	legacyMiddle := copyTree(t, filepath.Join(aofFixtures, "aof-legacy-single-file", "appendonly.aof"))
	editFile(t, legacyMiddle, func(b []byte) []byte {
		i := bytes.Index(b[len(b)/3:], []byte("\r\n$")) + len(b)/3 + 3
		b[i] = 'x'
		return b
	})
	multi := filepath.Join(t.TempDir(), "multi.aof")
	if err := os.WriteFile(multi, []byte(set+"*1\r\n$5\r\nMULTI\r\n"+set), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.aof")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m := func(dir string) string { return filepath.Join(dir, "appendonly.aof.manifest") }
	return []struct{ name, ours, theirs string }{
		{"valid dir", plain, m(plain)},
		{"valid manifest", m(plain), m(plain)},
		{"preamble dir", preamble, m(preamble)},
		{"timestamps dir", timestamps, m(timestamps)},
		{"truncated last file", truncated, m(truncated)},
		{"corrupted middle", middle, m(middle)},
		{"invalid file not last", notLast, m(notLast)},
		{"legacy file", legacy, legacy},
		{"legacy file with a preamble, cut", legacyPreamble, legacyPreamble},
		{"legacy file corrupted in the middle", legacyMiddle, legacyMiddle},
		{"MULTI without EXEC", multi, multi},
		{"empty file", empty, empty},
	}
}

// TestCheckAOFLikeRedis: aofrdb check and redis-check-aof give the same
// exit status and the same "AOF analyzed" lines (size, ok_up_to,
// ok_up_to_line, diff) on the same inputs. aofrdb goes on after an
// invalid file where redis-check-aof stops: only redis-check-aof's lines
// are compared.
func TestCheckAOFLikeRedis(t *testing.T) {
	tool := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	for _, c := range aofCases(t) {
		theirs, theirStatus := runRedisCheckAOF(t, tool, "", c.theirs)
		stdout, stderr, status := cliRun(t, "check", c.ours)
		if status != theirStatus {
			t.Errorf("%s: aofrdb check exits %d, redis-check-aof %d\naofrdb:\n%s%s\nredis-check-aof:\n%s", c.name, status, theirStatus, stdout, stderr, theirs)
			continue
		}
		want := analyzedRE.FindAllString(theirs, -1)
		got := analyzedRE.FindAllString(stdout, -1)
		if len(got) < len(want) {
			t.Errorf("%s: aofrdb printed %d AOF analyzed lines, redis-check-aof %d\naofrdb:\n%s\nredis-check-aof:\n%s", c.name, len(got), len(want), stdout, theirs)
			continue
		}
		for i := range want {
			// Old-style: redis-check-aof prints the path it was given.
			if g := strings.Replace(got[i], c.ours, c.theirs, 1); g != want[i] {
				t.Errorf("%s: aofrdb:\n%s\nredis-check-aof:\n%s", c.name, got[i], want[i])
			}
		}
		for _, s := range []string{"is not valid", "is empty", "All AOF files and manifest are valid"} {
			if strings.Contains(theirs, s) != strings.Contains(stdout, s) {
				t.Errorf("%s: %q in redis-check-aof's output but not in aofrdb's, or the reverse\naofrdb:\n%s\nredis-check-aof:\n%s", c.name, s, stdout, theirs)
			}
		}
	}
}

// TestFixAOFLikeRedis: aofrdb fix cuts what redis-check-aof --fix cuts
// (answering y), refuses corruption in the middle without --force, and
// what it leaves passes redis-check-aof.
func TestFixAOFLikeRedis(t *testing.T) {
	tool := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	for _, c := range aofCases(t) {
		// A second copy for redis-check-aof --fix.
		theirs := copyTree(t, filepath.Dir(c.theirs))
		theirPath := filepath.Join(theirs, filepath.Base(c.theirs))
		out, theirStatus := runRedisCheckAOF(t, tool, "y\n", "--fix", theirPath)
		corrupt := strings.Contains(c.name, "middle") || strings.Contains(c.name, "empty")
		stdout, stderr, status := cliRun(t, "fix", c.ours)
		switch {
		case corrupt && strings.Contains(c.name, "middle"):
			if status != exitFail || !strings.Contains(stderr, "not a torn tail") || !strings.Contains(stderr, "at offset") {
				t.Errorf("%s: fix exits %d\n%s%s", c.name, status, stdout, stderr)
			}
			stdout, stderr, status = cliRun(t, "fix", "--force", c.ours)
			if status != exitOK {
				t.Errorf("%s: fix --force exits %d\n%s%s", c.name, status, stdout, stderr)
			}
		case status != theirStatus:
			t.Errorf("%s: aofrdb fix exits %d, redis-check-aof --fix %d\naofrdb:\n%s%s\nredis-check-aof:\n%s", c.name, status, theirStatus, stdout, stderr, out)
			continue
		}
		if status != exitOK {
			continue
		}
		// Both now hold the same files, which redis-check-aof finds valid.
		ourPath := c.theirs
		if out, st := runRedisCheckAOF(t, tool, "", ourPath); st != 0 {
			t.Errorf("%s: after aofrdb fix, redis-check-aof exits %d:\n%s", c.name, st, out)
		}
		for _, name := range aofFileNames(t, c.theirs) {
			a, _ := os.ReadFile(filepath.Join(filepath.Dir(c.theirs), name))
			b, _ := os.ReadFile(filepath.Join(theirs, name))
			if !bytes.Equal(a, b) {
				t.Errorf("%s: %s: aofrdb fix leaves %d bytes, redis-check-aof --fix %d", c.name, name, len(a), len(b))
			}
		}
		if strings.Contains(stdout, "Successfully truncated") {
			if !regexp.MustCompile(`saved in \S+\.tail-\d+\.\d+\.bak`).MatchString(stdout) {
				t.Errorf("%s: no backup named:\n%s", c.name, stdout)
			}
		}
	}
}

// aofFileNames returns the names of the AOF files of path (a manifest or
// a single file), in its directory.
func aofFileNames(t *testing.T, path string) []string {
	t.Helper()
	if !strings.HasSuffix(path, ".manifest") {
		return []string{filepath.Base(path)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			names = append(names, f[1])
		}
	}
	return names
}

// TestFixTruncateToTimestampLikeRedis: at each point of the timestamps
// fixture, aofrdb fix --truncate-to-timestamp leaves the bytes that
// redis-check-aof --truncate-to-timestamp leaves, with the same status;
// before every annotation both refuse.
func TestFixTruncateToTimestampLikeRedis(t *testing.T) {
	tool := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	src := filepath.Join(aofFixtures, "aof-timestamps", "appendonlydir")
	for _, ts := range []int64{1795269449, 1795269451, 1795269452, 1795269453, 1795269456, 1795269999} {
		ours, theirs := copyTree(t, src), copyTree(t, src)
		T := strconv.FormatInt(ts, 10)
		out, theirStatus := runRedisCheckAOF(t, tool, "", "--truncate-to-timestamp", T, filepath.Join(theirs, "appendonly.aof.manifest"))
		stdout, stderr, status := cliRun(t, "fix", "--truncate-to-timestamp", T, ours)
		if status != theirStatus {
			t.Errorf("%d: aofrdb exits %d, redis-check-aof %d\naofrdb:\n%s%s\nredis-check-aof:\n%s", ts, status, theirStatus, stdout, stderr, out)
			continue
		}
		for _, name := range []string{"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"} {
			a, _ := os.ReadFile(filepath.Join(ours, name))
			b, _ := os.ReadFile(filepath.Join(theirs, name))
			if !bytes.Equal(a, b) {
				t.Errorf("%d: %s: aofrdb leaves %d bytes, redis-check-aof %d", ts, name, len(a), len(b))
			}
		}
		for _, s := range []string{"Successfully truncated AOF", "Truncate nothing", "has nothing before timestamp"} {
			if strings.Contains(out, s) != strings.Contains(stdout, s) {
				t.Errorf("%d: %q in one output only\naofrdb:\n%s\nredis-check-aof:\n%s", ts, s, stdout, out)
			}
		}
	}
	// Where redis-check-aof refuses (the annotation starts the incr file),
	// aofrdb drops the incr file from the manifest.
	ours := copyTree(t, src)
	stdout, stderr, status := cliRun(t, "fix", "--truncate-to-timestamp", "1795269450", ours)
	if status != exitOK || !strings.Contains(stdout, "Dropped INCR AOF appendonly.aof.1.incr.aof") {
		t.Errorf("at the base's time: status %d\n%s%s", status, stdout, stderr)
	}
	if out, st := runRedisCheckAOF(t, tool, "", filepath.Join(ours, "appendonly.aof.manifest")); st != 0 {
		t.Errorf("after dropping: redis-check-aof exits %d\n%s", st, out)
	}
}

// TestAOFCLIUsage: usage errors exit 2; check still checks RDB files.
func TestAOFCLIUsage(t *testing.T) {
	dir := copyTree(t, filepath.Join(aofFixtures, "aof-plain", "appendonlydir"))
	for _, c := range []struct {
		args   []string
		status int
		out    string
		err    string
	}{
		{[]string{"fix"}, exitUsage, `^$`, `missing operand`},
		{[]string{"fix", "--truncate-to-timestamp", "abc", dir}, exitUsage, `^$`, `invalid timestamp`},
		{[]string{"fix", "-h"}, exitOK, `(?s)Usage: aofrdb fix.*does not prompt`, `^$`},
		{[]string{"help", "check"}, exitOK, `(?s)appendonlydir.*AOF analyzed`, `^$`},
		{[]string{"check", dir}, exitOK, `All AOF files and manifest are valid`, `^$`},
		{[]string{"fix", dir}, exitOK, `All AOF files and manifest are valid`, `^$`},
		{[]string{"check", filepath.Join(t.TempDir(), "missing")}, exitFail, `^$`, `no such file`},
		{[]string{"check", fixtureFile(t, "rdb-default", "dump.rdb")}, exitOK, `RDB looks OK`, `^$`},
	} {
		stdout, stderr, status := cliRun(t, c.args...)
		if status != c.status || !regexp.MustCompile(c.out).MatchString(stdout) || !regexp.MustCompile(c.err).MatchString(stderr) {
			t.Errorf("aofrdb %q: status %d (want %d)\nstdout: %.400q (want %s)\nstderr: %.300q (want %s)",
				c.args, status, c.status, stdout, c.out, stderr, c.err)
		}
	}
}
