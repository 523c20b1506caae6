package keyspace_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/keyspace"
)

// TestUnknownCommandRedis compares the error for unknown commands with
// redis-server's, byte for byte: long names and arguments cut, line
// breaks turned into spaces, and invalid UTF-8 kept as it is.
func TestUnknownCommandRedis(t *testing.T) {
	rc := redistest.Start(t, "").Client()
	ks := keyspace.NewMemory(nil)
	for _, args := range [][]string{
		{"nope"},
		{"nope", "a", "b"},
		{"foo\xff", "\xfe\r\nx"},
		{strings.Repeat("n", 200), strings.Repeat("a", 60), strings.Repeat("b", 60), "c", "d"},
		{"x\ny", "\r"},
	} {
		var c keyspace.Call
		bargs := make([][]byte, len(args))
		for i, a := range args {
			bargs[i] = []byte(a)
		}
		c.Args = bargs
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
		if theirs := rc.Raw(bargs...); !bytes.Equal(c.Reply.Buf, theirs) {
			t.Errorf("%q:\n ours  %q\n redis %q", args, c.Reply.Buf, theirs)
		}
	}
}
