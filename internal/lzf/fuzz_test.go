package lzf

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzSeeds returns real LZF streams: those in the DUMP payloads that
// redis-server wrote (testdata), and some of ours.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, rec := range loadDumpRecords(t) {
		r := &rdbReader{b: rec.Payload[:len(rec.Payload)-10], keep: true}
		if _, _, err := readDumpValue(rec, r); err != nil {
			t.Fatal(err)
		}
		// A few of each key's: the aggregates hold hundreds.
		for i, z := range r.raw {
			if i < 4 || i == len(r.raw)-1 {
				seeds = append(seeds, z)
			}
		}
	}
	seeds = append(seeds,
		[]byte{0x01, 0x61, 0x61, 0xe0, 0x1b, 0x00, 0x01, 0x61, 0x61},
		[]byte{0x00, 'a', 0x20, 0x00},
		[]byte{0x1f},
	)
	for _, c := range corpora() {
		z := make([]byte, CompressBound(300))
		seeds = append(seeds, z[:Compress(z, c.data[:300])])
	}
	return seeds
}

// FuzzDecompress checks that Decompress never panics, never writes outside
// dst, agrees with the reference decoder, and that what it accepts
// round-trips: decompressing into exactly the output length gives the same
// bytes, one byte less is ErrShortBuffer, and compressing the output again
// gives it back.
func FuzzDecompress(f *testing.F) {
	for _, z := range fuzzSeeds(f) {
		f.Add(z, uint16(len(z)*4))
	}
	f.Fuzz(func(t *testing.T, src []byte, size uint16) {
		out, err := checkDecompress(t, src, int(size))
		if err != nil {
			return
		}
		again, err := checkDecompress(t, src, len(out))
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("accepted with %d bytes of dst, not with exactly %d: %v", size, len(out), err)
		}
		if len(out) > 0 {
			if _, err := Decompress(make([]byte, len(out)-1), src); !errors.Is(err, ErrShortBuffer) {
				t.Fatalf("output of %d bytes into %d: %v, want ErrShortBuffer", len(out), len(out)-1, err)
			}
		}
		checkRoundTrip(t, out)
	})
}

// FuzzRoundTrip checks that Decompress(Compress(x)) == x, with the checks of
// checkRoundTrip.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(nil))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
	for _, z := range fuzzSeeds(f) {
		out := make([]byte, 1<<17)
		if n, err := Decompress(out, z); err == nil {
			f.Add(out[:n])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip(t, data)
	})
}
