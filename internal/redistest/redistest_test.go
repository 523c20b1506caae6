package redistest_test

import (
	"bytes"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/resp"
)

// TestStart checks the harness: extra arguments reach redis-server, the
// client's calls round-trip, and a server started on a directory loads
// the dump.rdb a previous one saved there.
func TestStart(t *testing.T) {
	dir := t.TempDir()
	s := redistest.Start(t, dir, "--rdbcompression", "no")
	c := s.Client()
	if v := c.Must("CONFIG", "GET", "rdbcompression"); len(v.Elems) != 2 || string(v.Elems[1].Str) != "no" {
		t.Fatalf("CONFIG GET rdbcompression: %s", v)
	}
	val := []byte("a\r\nb\x00c")
	if v := c.DoBytes([]byte("SET"), []byte("k"), val); v.String() != "OK" {
		t.Fatalf("SET: %s", v)
	}
	if got, want := c.Raw([]byte("GET"), []byte("k")), []byte("$6\r\na\r\nb\x00c\r\n"); !bytes.Equal(got, want) {
		t.Fatalf("GET: %q, want %q", got, want)
	}
	if v := c.Do("NOSUCHCOMMAND"); v.Type != resp.TypeSimpleError {
		t.Fatalf("NOSUCHCOMMAND: %s", v)
	}
	c.Must("SAVE")

	c2 := redistest.Start(t, dir).Client()
	if v := c2.Must("GET", "k"); v.Type != resp.TypeBulkString || !bytes.Equal(v.Str, val) {
		t.Fatalf("GET after loading the saved dump.rdb: %s", v)
	}
	if v := redistest.Dial(t, "unix", s.Socket).Must("DBSIZE"); v.Int != 1 {
		t.Fatalf("DBSIZE: %s", v)
	}
}
