package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	c := &cli{stderr: &buf, progress: true}
	p := c.newProgress("checking x.rdb", 1000)
	p.last = time.Now().Add(-time.Second) // as if the interval had passed
	for i := range 256 {
		p.update(int64(i), int64(i))
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\rchecking x.rdb:  25.5% of 1000 B, 255 keys") || !strings.HasSuffix(out, "\x1b[K") {
		t.Errorf("progress line %q", out)
	}
	buf.Reset()
	p.done()
	if buf.String() != "\r\x1b[K" {
		t.Errorf("done wrote %q, want the line erased", buf.String())
	}

	// Not a terminal: nothing, ever.
	buf.Reset()
	c.progress = false
	p = c.newProgress("x", 0)
	p.last = time.Time{}
	for i := range 1024 {
		p.update(int64(i), int64(i))
	}
	p.done()
	if buf.Len() != 0 {
		t.Errorf("progress written when disabled: %q", buf.String())
	}
	if isTerminal(&buf) {
		t.Error("a bytes.Buffer is a terminal")
	}
}

// convert replaces an existing OUT atomically and leaves no temporary file.
func TestConvertReplaces(t *testing.T) {
	src := fixtureFile(t, "hash-zipmap", "dump.rdb")
	out := writeTemp(t, "out.json", []byte("old contents"))
	if _, stderr, status := cliRun(t, "convert", src, out); status != exitOK {
		t.Fatalf("status %d: %s", status, stderr)
	}
	stdout, _, _ := cliRun(t, "dump", src)
	got, _, _ := cliRun(t, "dump", out)
	if got != stdout {
		t.Errorf("OUT holds %q, want %q", got, stdout)
	}
	// A failed conversion leaves OUT as it was.
	bad := writeTemp(t, "bad.rdb", []byte("REDIS0010\xfe"))
	if _, stderr, status := cliRun(t, "convert", bad, out); status != exitFail || !strings.Contains(stderr, "offset") {
		t.Errorf("convert of a truncated file: status %d, stderr %q", status, stderr)
	}
	if again, _, _ := cliRun(t, "dump", out); again != stdout {
		t.Error("a failed convert changed OUT")
	}
}

// An AOF with an RDB preamble is an RDB followed by more: named as an
// RDB file, dump says the rest was not read (named .aof, it is loaded as
// an AOF).
func TestDumpTrailingData(t *testing.T) {
	b := append(fixtureData(t, "hash-zipmap", "dump.rdb"), "*1\r\n$4\r\nPING\r\n"...)
	path := writeTemp(t, "preamble.rdb", b)
	stdout, stderr, status := cliRun(t, "dump", path)
	if status != exitOK || !strings.Contains(stderr, "data follows the end of the RDB") || !strings.Contains(stdout, `"dbs"`) {
		t.Errorf("status %d, stderr %q", status, stderr)
	}
	stdout, _, status = cliRun(t, "check", path)
	if status != exitOK || !strings.Contains(stdout, "after the RDB's end") {
		t.Errorf("check: status %d:\n%s", status, stdout)
	}
}
