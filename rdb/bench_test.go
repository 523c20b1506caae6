package rdb

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

const benchKeys = 200_000

// smallKeys returns entries like DEBUG POPULATE makes: key:N = value:N.
func smallKeys(n int) []*Entry {
	out := make([]*Entry, n)
	for i := range out {
		s := strconv.Itoa(i)
		out[i] = &Entry{Key: []byte("key:" + s), Value: String("value:" + s), Idle: -1, Freq: -1}
	}
	return out
}

func BenchmarkReaderSmallKeys(b *testing.B) {
	data := writeAll(b, smallKeys(benchKeys), nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rd := NewReader(bytes.NewReader(data), nil)
		n := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchKeys {
			b.Fatalf("%d keys", n)
		}
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func BenchmarkReaderFixture(b *testing.B) {
	data := readFile(b, fixtureFiles(b)["rdb-default"])
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := readAll(bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriterSmallKeys(b *testing.B) {
	entries := smallKeys(benchKeys)
	b.ReportAllocs()
	for b.Loop() {
		w := NewWriter(io.Discard, nil)
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func benchLarge(b *testing.B, compressible bool, opts *WriterOptions) {
	const size, n = 64 << 10, 256
	r := rand.New(rand.NewPCG(1, 2))
	entries := make([]*Entry, n)
	for i := range entries {
		v := make([]byte, size)
		for j := range v {
			if compressible {
				v[j] = "abcdefgh"[r.IntN(8)]
			} else {
				v[j] = byte(r.Uint32())
			}
		}
		entries[i] = &Entry{Key: []byte("big:" + strconv.Itoa(i)), Value: String(v), Idle: -1, Freq: -1}
	}
	b.SetBytes(size * n)
	for b.Loop() {
		w := NewWriter(io.Discard, opts)
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter64KiB(b *testing.B) {
	b.Run("random", func(b *testing.B) { benchLarge(b, false, nil) })
	b.Run("random-nocompression", func(b *testing.B) { benchLarge(b, false, &WriterOptions{NoCompression: true}) })
	b.Run("text", func(b *testing.B) { benchLarge(b, true, nil) })
}

func BenchmarkReader64KiB(b *testing.B) {
	const size, n = 64 << 10, 256
	r := rand.New(rand.NewPCG(1, 2))
	var entries []*Entry
	for i := range n {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte(r.Uint32())
		}
		entries = append(entries, &Entry{Key: []byte("big:" + strconv.Itoa(i)), Value: String(v), Idle: -1, Freq: -1})
	}
	data := writeAll(b, entries, nil)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := readAll(bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderFile reads the file named by $AOFRDB_BENCH_RDB (for
// example one written by redis-server after DEBUG POPULATE 1000000), to
// compare with redis-check-rdb on the same file.
func BenchmarkReaderFile(b *testing.B) {
	path := os.Getenv("AOFRDB_BENCH_RDB")
	if path == "" {
		b.Skip("set AOFRDB_BENCH_RDB to an RDB file")
	}
	data := readFile(b, path)
	b.SetBytes(int64(len(data)))
	keys := 0
	for b.Loop() {
		rd := NewReader(bytes.NewReader(data), nil)
		keys = 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			keys++
		}
	}
	b.ReportMetric(float64(keys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkWriterFile writes the keys of the file named by
// $AOFRDB_BENCH_RDB (read once, before timing) to io.Discard with the
// default options (LZF compression and the checksum on), to compare with
// redis-server's SAVE of the same data (bench/rdb-large.sh). Bytes/s are
// those of the values written.
func BenchmarkWriterFile(b *testing.B) {
	path := os.Getenv("AOFRDB_BENCH_RDB")
	if path == "" {
		b.Skip("set AOFRDB_BENCH_RDB to an RDB file")
	}
	entries, _, err := readAll(bytes.NewReader(readFile(b, path)), nil)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, e := range entries {
		if s, ok := e.Value.(String); ok {
			size += int64(len(s))
		}
	}
	b.SetBytes(size)
	for b.Loop() {
		w := NewWriter(io.Discard, nil)
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}
