package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
)

// TestQuickstart runs the program twice in one directory, checks what it
// says, and that redis-server loads the directory it leaves as it says.
func TestQuickstart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	for i := range 2 {
		out.Reset()
		if err := run(&out, nil, dir); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, out.String())
		}
	}
	t.Logf("second run:\n%s", out.String())
	for _, want := range []string{
		`greeting     = "hello, world"`,
		`runs         = "2"`,
		`(TTL 1h0m0s)`,
		"appendonlydir/appendonly.aof.1.base.rdb",
		"appendonlydir/appendonly.aof.1.incr.aof",
		"file appendonly.aof.1.base.rdb seq 1 type b\n",
		"file appendonly.aof.1.incr.aof seq 1 type i\n",
		"redis-server --dir " + dir + " --appendonly yes",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "removed when the program ends") {
		t.Error("a directory given with -dir is said to be removed")
	}

	// What the program tells the reader to do works.
	srv := redistest.Start(t, dir, "--appendonly", "yes")
	c := srv.Client()
	for k, want := range map[string]string{"greeting": "hello, world", "user:1:name": "Ada", "runs": "2"} {
		if v := c.Must("GET", k); string(v.Str) != want {
			t.Errorf("redis-server: GET %s = %q, want %q", k, v.Str, want)
		}
	}
	if v := c.Must("TTL", "session:abc"); v.Int <= 0 || v.Int > 3600 {
		t.Errorf("redis-server: TTL session:abc = %d", v.Int)
	}
}

// TestQuickstartTempDir: without -dir, the temporary directory is gone
// at the end.
func TestQuickstartTempDir(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, nil, ""); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	dir := strings.TrimPrefix(first, "1. Open ")
	dir, _, _ = strings.Cut(dir, " (appendonly")
	if !strings.Contains(dir, "aofrdb-quickstart-") {
		t.Fatalf("no directory in %q", first)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", dir, err)
	}
}
