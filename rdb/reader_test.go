package rdb

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"time"
)

// fixtureFiles returns the RDB fixtures in testdata, by name.
func fixtureFiles(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("testdata/*/*/dump.rdb")
	must(t, err)
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	out := map[string]string{}
	for _, p := range paths {
		out[filepath.Base(filepath.Dir(p))] = p
	}
	return out
}

// readAll reads every entry of an RDB file.
func readAll(r io.Reader, opts *ReaderOptions) ([]*Entry, *Reader, error) {
	rd := NewReader(r, opts)
	var out []*Entry
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return out, rd, nil
		}
		if err != nil {
			return out, rd, err
		}
		out = append(out, e)
	}
}

func TestFixtures(t *testing.T) {
	for name, path := range fixtureFiles(t) {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			must(t, err)
			entries, rd, err := readAll(bytes.NewReader(data), nil)
			if name == "corrupt_ziplist" {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("corrupt_ziplist: got %v, want ErrCorrupt", err)
				}
				var ce *CorruptError
				if !errors.As(err, &ce) || ce.Key == nil {
					t.Fatalf("error %v does not name the key", err)
				}
				t.Logf("refused as expected: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rd.Offset() != int64(len(data)) && name != "encodings" {
				t.Errorf("offset %d after EOF, file has %d bytes", rd.Offset(), len(data))
			}
			var live []*Entry
			expired := 0
			for _, e := range entries {
				if e.Expired {
					expired++
					continue
				}
				live = append(live, e)
			}
			if name == "rdb-default" && expired == 0 {
				t.Error("rdb-default: the lapsed-TTL key was not reported Expired")
			}
			if name == "corrupt_empty_keys" && rd.EmptyKeys() == 0 {
				t.Error("corrupt_empty_keys: no empty keys counted")
			}
			compareExpected(t, filepath.Join(filepath.Dir(path), "expected.json"), live)
			stored, computed, ok := rd.Checksum()
			v, _ := rd.Version()
			t.Logf("version %d, %d keys (%d expired, %d empty skipped), crc stored %x computed %x ok %v, aux %d",
				v, len(entries), expired, rd.EmptyKeys(), stored, computed, ok, len(rd.Aux()))
		})
	}
}

// TestSmallReads runs the Reader over readers that return little data per
// call.
func TestSmallReads(t *testing.T) {
	data, err := os.ReadFile(fixtureFiles(t)["rdb-default"])
	must(t, err)
	want, _, err := readAll(bytes.NewReader(data), nil)
	must(t, err)
	for name, r := range map[string]io.Reader{
		"OneByteReader": iotest.OneByteReader(bytes.NewReader(data)),
		"HalfReader":    iotest.HalfReader(bytes.NewReader(data)),
		"DataErrReader": iotest.DataErrReader(bytes.NewReader(data)),
	} {
		got, _, err := readAll(r, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, want %d", name, len(got), len(want))
		}
		for i := range got {
			if entryJSON(got[i]) != entryJSON(want[i]) {
				t.Fatalf("%s: entry %d differs", name, i)
			}
		}
	}
}

// TestTruncated cuts a real file at every offset: every prefix must give
// an error (ErrTruncated, since nothing in the prefix is corrupt), never a
// panic or io.EOF.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"rdb-default", "encodings", "hash-zipmap", "list-quicklist", "zset-ziplist", "hash-ziplist", "scriptbackup"} {
		data, err := os.ReadFile(fixtureFiles(t)[name])
		must(t, err)
		step := 1
		if name == "rdb-default" {
			step = 1009 // every offset of the small files; a sample of the big one
		}
		for n := 0; n < len(data); n += step {
			_, _, err := readAll(bytes.NewReader(data[:n]), nil)
			if err == nil {
				t.Fatalf("%s: prefix of %d bytes read without error", name, n)
			}
			if !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: prefix of %d bytes: %v, want ErrTruncated", name, n, err)
			}
		}
	}
}

func TestChecksumMismatch(t *testing.T) {
	data, err := os.ReadFile(fixtureFiles(t)["rdb-default"])
	must(t, err)
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 1
	_, _, err = readAll(bytes.NewReader(bad), nil)
	if !errors.Is(err, ErrChecksum) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrChecksum", err)
	}
	_, rd, err := readAll(bytes.NewReader(bad), &ReaderOptions{SkipChecksum: true})
	if err != nil {
		t.Fatalf("SkipChecksum: %v", err)
	}
	if _, _, ok := rd.Checksum(); !ok {
		t.Error("Checksum not ok after EOF")
	}
}

func TestExpiredRelativeToNow(t *testing.T) {
	data, err := os.ReadFile(fixtureFiles(t)["rdb-default"])
	must(t, err)
	// Long ago, nothing had expired yet.
	entries, _, err := readAll(bytes.NewReader(data), &ReaderOptions{Now: time.Unix(1, 0)})
	must(t, err)
	for _, e := range entries {
		if e.Expired {
			t.Errorf("key %q expired at time 1", e.Key)
		}
	}
}

func TestMaxDatabases(t *testing.T) {
	data, err := os.ReadFile(fixtureFiles(t)["rdb-default"])
	must(t, err)
	_, _, err = readAll(bytes.NewReader(data), &ReaderOptions{MaxDatabases: 2})
	if !errors.Is(err, ErrDatabase) {
		t.Fatalf("got %v, want ErrDatabase", err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return b
}
