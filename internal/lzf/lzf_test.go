package lzf

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

func testRand(t testing.TB) *rand.Rand { return testenv.Rand(t) }

// refDecompress is liblzf's lzf_decompress written as plainly as possible,
// to check Decompress against: the output length, or 0 and the error class
// liblzf would give (ErrShortBuffer for E2BIG, ErrCorrupt for EINVAL).
func refDecompress(dst, src []byte) (int, error) {
	d, s := 0, 0
	for s < len(src) {
		ctrl := int(src[s])
		s++
		if ctrl < 32 {
			n := ctrl + 1
			if d+n > len(dst) {
				return 0, ErrShortBuffer
			}
			if s+n > len(src) {
				return 0, ErrCorrupt
			}
			for range n {
				dst[d] = src[s]
				d++
				s++
			}
			continue
		}
		length := ctrl >> 5
		ref := d - (ctrl&0x1f)<<8 - 1
		if s >= len(src) {
			return 0, ErrCorrupt
		}
		if length == 7 {
			length += int(src[s])
			s++
			if s >= len(src) {
				return 0, ErrCorrupt
			}
		}
		ref -= int(src[s])
		s++
		if d+length+2 > len(dst) {
			return 0, ErrShortBuffer
		}
		if ref < 0 {
			return 0, ErrCorrupt
		}
		for range length + 2 {
			dst[d] = dst[ref]
			d++
			ref++
		}
	}
	return d, nil
}

// errClass maps an error to what the tests compare: nil, ErrShortBuffer or
// ErrCorrupt.
func errClass(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrShortBuffer):
		return ErrShortBuffer
	case errors.Is(err, ErrCorrupt):
		return ErrCorrupt
	}
	return err
}

// checkDecompress decompresses src into a dst of size bytes placed inside a
// bigger buffer, and checks it against refDecompress: the same length and
// bytes, or the same kind of error, and nothing written outside dst. It
// returns what Decompress returned.
func checkDecompress(t testing.TB, src []byte, size int) ([]byte, error) {
	t.Helper()
	const guard = 64
	buf := bytes.Repeat([]byte{0xA5}, size+2*guard)
	dst := buf[guard : guard+size : guard+size]
	n, err := Decompress(dst, src)
	if !bytes.Equal(buf[:guard], bytes.Repeat([]byte{0xA5}, guard)) ||
		!bytes.Equal(buf[guard+size:], bytes.Repeat([]byte{0xA5}, guard)) {
		t.Fatalf("Decompress(%d-byte dst, %x) wrote outside dst", size, trim(src))
	}
	if err != nil && n != 0 {
		t.Fatalf("Decompress(%d-byte dst, %x) = %d, %v: want 0 with an error", size, trim(src), n, err)
	}
	ref := make([]byte, size)
	rn, rerr := refDecompress(ref, src)
	if errClass(err) != rerr || n != rn {
		t.Fatalf("Decompress(%d-byte dst, %x) = %d, %v; liblzf would give %d, %v", size, trim(src), n, err, rn, rerr)
	}
	if err == nil {
		if !bytes.Equal(dst[:n], ref[:n]) {
			t.Fatalf("Decompress(%d-byte dst, %x): wrong output", size, trim(src))
		}
		if !bytes.Equal(dst[n:], bytes.Repeat([]byte{0xA5}, size-n)) {
			t.Fatalf("Decompress(%d-byte dst, %x) = %d: wrote past the output", size, trim(src), n)
		}
	}
	return dst[:n], err
}

// trim shortens data for error messages.
func trim(b []byte) []byte {
	if len(b) > 48 {
		return b[:48]
	}
	return b
}

// checkRoundTrip compresses src, checks the exact-fit rule, the output's
// bounds and determinism, decompresses it and compares. It returns the
// compressed form.
func checkRoundTrip(t testing.TB, src []byte) []byte {
	t.Helper()
	const guard = 64
	bound := CompressBound(len(src))
	buf := bytes.Repeat([]byte{0x5A}, bound+guard)
	n := Compress(buf[:bound], src)
	if len(src) == 0 {
		if n != 0 {
			t.Fatalf("Compress(empty) = %d, want 0", n)
		}
		return nil
	}
	if n <= 0 || n > bound {
		t.Fatalf("Compress(%d bytes, dst of CompressBound = %d) = %d", len(src), bound, n)
	}
	if !bytes.Equal(buf[n:], bytes.Repeat([]byte{0x5A}, bound+guard-n)) {
		t.Fatalf("Compress(%d bytes) = %d: wrote past its output", len(src), n)
	}
	z := buf[:n:n]

	// Exactly n bytes of dst suffice, and give the same bytes; n-1 do not.
	exact := make([]byte, n)
	if m := Compress(exact, src); m != n || !bytes.Equal(exact, z) {
		t.Fatalf("Compress(%d bytes) into a dst of exactly %d = %d, different output", len(src), n, m)
	}
	if m := Compress(make([]byte, n-1), src); m != 0 {
		t.Fatalf("Compress(%d bytes) into a dst of %d, one byte short = %d, want 0", len(src), n-1, m)
	}

	out, err := checkDecompress(t, z, len(src))
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("round trip of %d bytes (%x…): err %v, equal %v", len(src), trim(src), err, bytes.Equal(out, src))
	}
	// One byte less of dst is one byte too few.
	if _, err := Decompress(make([]byte, len(src)-1), z); !errors.Is(err, ErrShortBuffer) {
		t.Fatalf("Decompress of %d bytes into %d: %v, want ErrShortBuffer", len(src), len(src)-1, err)
	}
	return z
}

// samples returns inputs of many kinds and sizes for the round-trip tests.
func samples(r *rand.Rand) map[string][]byte {
	text := corpora()[0].data
	s := map[string][]byte{
		"empty":      nil,
		"a40":        bytes.Repeat([]byte("a"), 40),
		"zeros64k":   make([]byte, 64<<10),
		"abc":        []byte("abc"),
		"hello":      []byte("hello, hello, hello, hello world"),
		"text64k":    text[:64<<10],
		"period3":    bytes.Repeat([]byte("abc"), 1000),
		"period7":    bytes.Repeat([]byte("abcdefg"), 1000),
		"period13":   bytes.Repeat([]byte("abcdefghijklm"), 1000),
		"period300":  bytes.Repeat(genRandom(300, 9), 50),
		"far8192":    append(append(genRandom(8192, 10), genRandom(8192, 10)[:100]...), genRandom(100, 11)...),
		"far8193":    append(append(genRandom(8193, 12), genRandom(8193, 12)[:100]...), genRandom(100, 13)...),
		"maxref":     append(genRandom(50, 14), bytes.Repeat([]byte{7}, 1000)...),
		"random100k": genRandom(100<<10, 15),
	}
	for _, c := range corpora() {
		s["corpus/"+c.name] = c.data[:min(len(c.data), 256<<10)]
	}
	s["json1MiB"] = corpora()[2].data // one block of 1 MiB
	// All lengths 0..300 of random, repetitive and text data.
	for n := range 301 {
		s[fmt.Sprintf("random/%d", n)] = genRandom(n, uint64(1000+n))
		s[fmt.Sprintf("text/%d", n)] = text[n*37 : n*37+n]
		rep := make([]byte, n)
		for i := range rep {
			rep[i] = "aab"[i%3]
			if r.IntN(16) == 0 {
				rep[i] = byte(r.Uint32())
			}
		}
		s[fmt.Sprintf("rep/%d", n)] = rep
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	r := testRand(t)
	for name, src := range samples(r) {
		t.Run(name, func(t *testing.T) { checkRoundTrip(t, src) })
	}
}

// TestWorkedExample checks the stream Redis writes for 40 × "a" (see
// REDIS-FORMATS.md 1.14 and the package documentation).
func TestWorkedExample(t *testing.T) {
	z := []byte{0x01, 0x61, 0x61, 0xe0, 0x1b, 0x00, 0x01, 0x61, 0x61}
	want := bytes.Repeat([]byte("a"), 40)
	out, err := checkDecompress(t, z, 40)
	if err != nil || !bytes.Equal(out, want) {
		t.Fatalf("Decompress = %q, %v; want 40 × a", out, err)
	}
	if z := checkRoundTrip(t, want); len(z) > 9 {
		t.Errorf("Compress(40 × a) = %x: %d bytes, Redis's liblzf needs 9", z, len(z))
	}
}

func TestCompressEdgeCases(t *testing.T) {
	src := []byte("abcabcabcabcabcabcabc")
	n := CompressBound(len(src))
	for _, tc := range []struct {
		name     string
		dst, src []byte
		want     int
	}{
		{"empty src", make([]byte, 10), nil, 0},
		{"empty src, empty dst", nil, nil, 0},
		{"empty dst", nil, src, 0},
		{"one byte", make([]byte, 2), []byte("x"), 2},
		{"one byte, one byte short", make([]byte, 1), []byte("x"), 0},
		{"three bytes", make([]byte, 4), []byte("xyz"), 4},
		{"three bytes, one byte short", make([]byte, 3), []byte("xyz"), 0},
		{"33 bytes, one byte short", make([]byte, 34), genRandom(33, 1), 0},
		{"33 bytes", make([]byte, 35), genRandom(33, 1), 35},
		{"compressible", make([]byte, n), src, 7},
		{"compressible, exact", make([]byte, 7), src, 7},
		{"compressible, one byte short", make([]byte, 6), src, 0},
	} {
		if got := Compress(tc.dst, tc.src); got != tc.want {
			t.Errorf("%s: Compress = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestDecompressErrors checks each way a stream can be bad, and which error
// wins when a token is bad in two ways (liblzf's order).
func TestDecompressErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		src    []byte
		dst    int
		want   error
		offset int    // of the bad token, for ErrCorrupt
		reason string // for ErrCorrupt
	}{
		{"truncated literal", []byte{0x02, 'a', 'b'}, 10, ErrCorrupt, 0, reasonLiteral},
		{"truncated literal after a token", []byte{0x00, 'a', 0x03, 'a', 'b', 'c'}, 10, ErrCorrupt, 2, reasonLiteral},
		{"literal control byte alone", []byte{0x1f}, 40, ErrCorrupt, 0, reasonLiteral},
		{"truncated back reference", []byte{0x00, 'a', 0x20}, 10, ErrCorrupt, 2, reasonRef},
		{"truncated long back reference", []byte{0x00, 'a', 0xe0}, 300, ErrCorrupt, 2, reasonRef},
		{"truncated long back reference, length byte only", []byte{0x00, 'a', 0xe0, 0x05}, 300, ErrCorrupt, 2, reasonRef},
		{"back reference at the start", []byte{0x20, 0x00}, 10, ErrCorrupt, 0, reasonBefore},
		{"back reference one byte before the start", []byte{0x01, 'a', 'b', 0x20, 0x02}, 10, ErrCorrupt, 3, reasonBefore},
		{"far back reference before the start", []byte{0x01, 'a', 'b', 0x3f, 0xff}, 10, ErrCorrupt, 3, reasonBefore},
		{"back reference to the start", []byte{0x01, 'a', 'b', 0x20, 0x01}, 5, nil, 0, ""},
		{"literal overflows dst by one byte", []byte{0x02, 'a', 'b', 'c'}, 2, ErrShortBuffer, 0, ""},
		{"literal fits dst exactly", []byte{0x02, 'a', 'b', 'c'}, 3, nil, 0, ""},
		{"back reference overflows dst by one byte", []byte{0x00, 'a', 0x20, 0x00}, 3, ErrShortBuffer, 0, ""},
		{"back reference fits dst exactly", []byte{0x00, 'a', 0x20, 0x00}, 4, nil, 0, ""},
		{"long back reference overflows dst by one byte", []byte{0x00, 'a', 0xe0, 0xff, 0x00}, 264, ErrShortBuffer, 0, ""},
		{"long back reference fits dst exactly", []byte{0x00, 'a', 0xe0, 0xff, 0x00}, 265, nil, 0, ""},
		{"empty dst", []byte{0x00, 'a'}, 0, ErrShortBuffer, 0, ""},
		// Two faults in one token: liblzf checks the output first for a
		// literal, the input first for a back reference, then the output,
		// then the distance.
		{"literal both truncated and too long", []byte{0x05, 'a'}, 3, ErrShortBuffer, 0, ""},
		{"back reference both too long and before the start", []byte{0x00, 'a', 0x3f, 0xff}, 3, ErrShortBuffer, 0, ""},
		{"back reference both truncated and before the start", []byte{0x3f}, 10, ErrCorrupt, 0, reasonRef},
		{"empty src", nil, 10, nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkDecompress(t, tc.src, tc.dst)
			if errClass(err) != tc.want {
				t.Fatalf("Decompress(%x into %d) error %v, want %v", tc.src, tc.dst, err, tc.want)
			}
			if tc.want == ErrCorrupt {
				var ce *CorruptError
				if !errors.As(err, &ce) || ce.Offset != tc.offset || ce.Reason != tc.reason {
					t.Fatalf("error %#v, want a *CorruptError at offset %d: %s", err, tc.offset, tc.reason)
				}
				if !strings.HasPrefix(err.Error(), "lzf: corrupt input at offset ") {
					t.Errorf("error text %q", err)
				}
			}
		})
	}
}

// TestDecompressPrefixes cuts valid streams at every offset: each prefix
// either decodes (when the cut falls between tokens) to a prefix of the
// data, or is reported as corrupt, never anything else.
func TestDecompressPrefixes(t *testing.T) {
	r := testRand(t)
	for _, src := range [][]byte{
		corpora()[0].data[:3000],
		corpora()[1].data[:3000],
		bytes.Repeat([]byte("abcdefg"), 300),
		genRandom(200, 3),
	} {
		z := checkRoundTrip(t, src)
		for cut := range len(z) + 1 {
			out, err := checkDecompress(t, z[:cut], len(src))
			switch {
			case err == nil:
				if !bytes.HasPrefix(src, out) {
					t.Fatalf("prefix of %d bytes decodes to something else", cut)
				}
			case !errors.Is(err, ErrCorrupt):
				t.Fatalf("prefix of %d bytes: %v", cut, err)
			}
			// Any dst size: as liblzf.
			checkDecompress(t, z[:cut], r.IntN(len(src)+10))
		}
	}
}

// TestDecompressGarbage feeds random and damaged streams to Decompress and
// to the reference decoder, with random dst sizes.
func TestDecompressGarbage(t *testing.T) {
	r := testRand(t)
	valid := checkRoundTrip(t, corpora()[1].data[:20000])
	for i := range 6000 {
		var src []byte
		switch i % 3 {
		case 0: // random bytes
			src = genRandom(r.IntN(300), r.Uint64())
		case 1: // a valid stream with a few bytes changed
			start := r.IntN(len(valid) - 200)
			src = bytes.Clone(valid[start : start+1+r.IntN(200)])
			for range 1 + r.IntN(3) {
				src[r.IntN(len(src))] = byte(r.Uint32())
			}
		default: // a valid stream, cut anywhere
			src = valid[:r.IntN(len(valid))]
		}
		size := r.IntN(600)
		if r.IntN(4) == 0 {
			size = r.IntN(40000)
		}
		checkDecompress(t, src, size)
	}
}

// TestDeterministic checks that the output does not depend on what earlier
// calls left in the table.
func TestDeterministic(t *testing.T) {
	src := corpora()[1].data[:50000]
	compressWith := func(tab *table, src []byte) []byte {
		dst := make([]byte, CompressBound(len(src)))
		base := tab.start(len(src))
		return dst[:compress(dst, src, &tab.slots, &tab.sink, base)]
	}
	fresh := compressWith(&table{next: staleGap}, src)
	dirty := &table{next: staleGap}
	for _, c := range corpora() {
		compressWith(dirty, c.data[:100000])
	}
	compressWith(dirty, src)
	if got := compressWith(dirty, src); !bytes.Equal(got, fresh) {
		t.Fatal("Compress output depends on the table's history")
	}
	// Positions near the limit of the table's entries: the table is
	// started again.
	dirty.next = maxInput
	if base := dirty.start(len(src)); base != staleGap {
		t.Fatalf("start near the limit: base %d, want %d", base, staleGap)
	}
	dirty.next = maxInput
	if got := compressWith(dirty, src); !bytes.Equal(got, fresh) {
		t.Fatal("Compress output changed when the table was started again")
	}
	// And through the pool, whatever table it gives.
	for range 3 {
		dst := make([]byte, CompressBound(len(src)))
		if n := Compress(dst, src); !bytes.Equal(dst[:n], fresh) {
			t.Fatal("Compress output differs from one call to the next")
		}
	}
}

// TestConcurrent runs Compress and Decompress from many goroutines at once
// (under -race, this checks the sharing of tables).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			src := corpora()[g%len(corpora())].data[g*1000 : g*1000+30000]
			dst := make([]byte, CompressBound(len(src)))
			out := make([]byte, len(src))
			for range 20 {
				n := Compress(dst, src)
				m, err := Decompress(out, dst[:n])
				if err != nil || m != len(src) || !bytes.Equal(out, src) {
					t.Errorf("goroutine %d: round trip failed: %v", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	// A garbage collection may empty the table pool and make one call
	// allocate a new table: allow that, on two tries of three.
	allocs := func(f func()) float64 {
		a := testing.AllocsPerRun(50, f)
		for try := 1; try < 3 && a != 0; try++ {
			a = testing.AllocsPerRun(50, f)
		}
		return a
	}
	for _, c := range corpora() {
		src := c.data[:min(c.block, 20000)]
		dst := make([]byte, CompressBound(len(src)))
		n := Compress(dst, src)
		out := make([]byte, len(src))
		if a := allocs(func() { Compress(dst, src) }); a != 0 {
			t.Errorf("%s: Compress allocates %v times per call", c.name, a)
		}
		if a := allocs(func() { Decompress(out, dst[:n]) }); a != 0 {
			t.Errorf("%s: Decompress allocates %v times per call", c.name, a)
		}
	}
}
