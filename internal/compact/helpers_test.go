package compact

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// unhex decodes hex text with spaces between bytes, for layouts copied
// from REDIS-FORMATS.md.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lpEntry returns a listpack entry: enc (encoding and data) and its
// backlen, as lpEncodeBacklen writes it.
func lpEntry(enc ...[]byte) []byte {
	var e []byte
	for _, b := range enc {
		e = append(e, b...)
	}
	return appendBacklen(e, len(e))
}

// rawListpack wraps entries in a listpack header and terminator with the
// right total size and count.
func rawListpack(entries ...[]byte) []byte {
	lp := make([]byte, 6)
	for _, e := range entries {
		lp = append(lp, e...)
	}
	lp = append(lp, 0xFF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	binary.LittleEndian.PutUint16(lp[4:], uint16(min(len(entries), 65535)))
	return lp
}

// texts returns the elements of a listpack or ziplist as text, integers
// marked with a leading '#', or an error.
func lpTexts(lp []byte) ([]string, error) {
	var out []string
	_, err := ListpackEach(lp, func(e Element) error {
		out = append(out, elemText(e))
		return nil
	})
	return out, err
}

func zlTexts(zl []byte) ([]string, error) {
	var out []string
	_, err := ZiplistEach(zl, func(e Element) error {
		out = append(out, elemText(e))
		return nil
	})
	return out, err
}

func elemText(e Element) string {
	if e.IsInt {
		return "#" + strconv.FormatInt(e.Int, 10)
	}
	return string(e.Str)
}

// wantFormatError checks that err is a *FormatError of kind matching
// ErrFormat, and, if reason is not empty, that its reason contains it.
func wantFormatError(t testing.TB, err error, kind, reason string) *FormatError {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v, want a *FormatError", err)
	}
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("%v does not match ErrFormat", err)
	}
	if fe.Kind != kind {
		t.Fatalf("error %q: kind %q, want %q", err, fe.Kind, kind)
	}
	if !strings.Contains(fe.Reason, reason) {
		t.Fatalf("error %q, want reason containing %q", err, reason)
	}
	return fe
}

func le32(v int) []byte   { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func le64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func be32(v int) []byte   { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func repeat(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
