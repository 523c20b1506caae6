package aof

import (
	"bytes"
	"testing"
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
