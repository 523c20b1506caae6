package rdb

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// rdbFile builds a version-10 file around body, with a zero trailer.
func rdbFile(body string) []byte {
	return append([]byte("REDIS0010"+body+"\xff"), make([]byte, 8)...)
}

func TestCorruptInputs(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       error
		key        bool
	}{
		{"signature", "RODIS0010\xff", ErrCorrupt, false},
		{"version 13", "REDIS0013\xff", ErrVersion, false},
		{"version 0", "REDIS0000\xff", ErrVersion, false},
		{"unknown opcode", string(rdbFile("\xf0")), ErrCorrupt, false},
		{"type 8", string(rdbFile("\x08\x01k\x00")), ErrCorrupt, false},
		{"module pre-GA", string(rdbFile("\x06\x01k\x00")), ErrModule, true},
		{"function pre-GA", string(rdbFile("\xf6\x01f")), ErrUnsupported, false},
		{"length 0x82", string(rdbFile("\x00\x01k\x82")), ErrCorrupt, true},
		{"string encoding C4", string(rdbFile("\x00\x01k\xc4")), ErrCorrupt, true},
		{"encoded count", string(rdbFile("\x01\x01k\xc1")), ErrCorrupt, true},
		{"bad LZF", string(rdbFile("\x00\x01k\xc3\x02\x05\x1f\x00")), ErrCorrupt, true},
		{"LZF ratio", string(rdbFile("\x00\x01k\xc3\x01\x80\x00\x01\x00\x00\x00")), ErrCorrupt, true},
		{"duplicate set member", string(rdbFile("\x02\x01k\x02\x01a\x01a")), ErrCorrupt, true},
		{"duplicate hash field", string(rdbFile("\x04\x01k\x02\x01a\x01x\x01a\x01y")), ErrCorrupt, true},
		{"NaN score", string(rdbFile("\x03\x01k\x01\x01a\xfd")), ErrCorrupt, true},
		{"bad text score", string(rdbFile("\x03\x01k\x01\x01a\x02zz")), ErrCorrupt, true},
		{"quicklist container 3", string(rdbFile("\x12\x01k\x01\x03\x01x")), ErrCorrupt, true},
		{"empty quicklist node", string(rdbFile("\x12\x01k\x01\x02\x00")), ErrCorrupt, true},
		{"bad listpack", string(rdbFile("\x10\x01k\x07\x07\x00\x00\x00\x00\x00\xfe")), ErrCorrupt, true},
		{"empty intset", string(rdbFile("\x0b\x01k\x08\x02\x00\x00\x00\x00\x00\x00\x00")), ErrCorrupt, true},
		{"stream node key", string(rdbFile("\x15\x01k\x01\x01x")), ErrCorrupt, true},
		{"module opcode", string(rdbFile("\x07\x01k\x05\x09")), ErrModule, true},
		{"checksum", "REDIS0010\xff\x01\x00\x00\x00\x00\x00\x00\x00", ErrChecksum, false},
		{"SELECTDB", string(rdbFile("\xfe\x80\x80\x00\x00\x00")), ErrDatabase, false},
		{"huge string", string(rdbFile("\x00\x01k\x81\x00\x00\x01\x00\x00\x00\x00\x00")), ErrTruncated, true},
	} {
		_, _, err := readAll(bytes.NewReader([]byte(c.data)), nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v is not a *CorruptError", c.name, err)
			continue
		}
		if (ce.Key != nil) != c.key {
			t.Errorf("%s: key %q in %v", c.name, ce.Key, err)
		}
		if ce.Offset < 0 || ce.Offset > int64(len(c.data)) {
			t.Errorf("%s: offset %d", c.name, ce.Offset)
		}
	}
}

// TestAllocationBound checks that lengths claimed by a small input do not
// make the reader allocate much more than the input.
func TestAllocationBound(t *testing.T) {
	for _, body := range []string{
		"\x00\x01k\x81\x00\x00\x00\x10\x00\x00\x00\x00abc",                                      // 64 GiB string
		"\x01\x01k\x81\x00\x00\x00\x10\x00\x00\x00\x00\x01a",                                    // 2^36 elements
		"\x0e\x01k\x81\x00\x00\x00\x10\x00\x00\x00\x00",                                         // 2^36 quicklist nodes
		"\x00\x01k\xc3\x81\x00\x00\x00\x10\x00\x00\x00\x00\x81\x00\x00\x10\x00\x00\x00\x00\x00", // LZF
		"\x13\x01k\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01g\x00\x00\x00\x81\x00\x00\x00\x10\x00\x00\x00\x00",
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := readAll(bytes.NewReader(rdbFile(body)), nil)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%q: no error", body)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%q: allocated %d bytes", body, grew)
		}
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	data := readFile(t, fixtureFiles(t)["rdb-default"])
	r := io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom))
	_, rd, err := readAll(r, nil)
	if !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want the read error", err)
	}
	if _, err2 := rd.Next(); err2 != err {
		t.Errorf("error not sticky: %v", err2)
	}
}

func TestMaxStringSize(t *testing.T) {
	data := rdbFile("\x00\x01k\x0aabcdefghij")
	_, _, err := readAll(bytes.NewReader(data), &ReaderOptions{MaxStringSize: 5})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}
