package crc64

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash"
	stdcrc64 "hash/crc64"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

func newRand(t testing.TB) *rand.Rand { return testenv.Rand(t) }

func randBytes(r *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(p[i:], w[:])
	}
	return p
}

// bitwiseUpdate is the definition: shift each message bit through the
// register, least significant bit of each byte first.
func bitwiseUpdate(crc uint64, p []byte) uint64 {
	for _, c := range p {
		crc ^= uint64(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

// oracleTable is hash/crc64's table for our polynomial. hash/crc64 inverts
// the register before and after, so ^Update(^crc, ...) undoes both.
var oracleTable = stdcrc64.MakeTable(poly)

func oracleUpdate(crc uint64, p []byte) uint64 {
	return ^stdcrc64.Update(^crc, oracleTable, p)
}

// impl is one way of computing Update, for tests that compare them all.
type impl struct {
	name   string
	update func(crc uint64, p []byte) uint64
}

// impls lists Update itself, the portable code and whatever accelerated
// paths this build and CPU have (archImpls, per architecture).
func impls() []impl {
	return append([]impl{{"Update", Update}, {"generic", updateGeneric}}, archImpls()...)
}

func TestCheckValue(t *testing.T) {
	const want uint64 = 0xe9c6d914c4b8d9ca
	check := []byte("123456789")
	for _, im := range impls() {
		if got := im.update(0, check); got != want {
			t.Errorf("%s(0, %q) = %#x, want %#x", im.name, check, got, want)
		}
	}
	if got := Checksum(check); got != want {
		t.Errorf("Checksum(%q) = %#x, want %#x", check, got, want)
	}
	if got := bitwiseUpdate(0, check); got != want {
		t.Errorf("bitwise reference gives %#x, want %#x", got, want)
	}
	if got := oracleUpdate(0, check); got != want {
		t.Errorf("hash/crc64 oracle gives %#x, want %#x", got, want)
	}
}

// TestDumpPayloads checks the trailers of DUMP payloads produced by real
// servers (REDIS-FORMATS.md section 2): the last 8 bytes are the CRC,
// little-endian, of everything before them.
func TestDumpPayloads(t *testing.T) {
	payloads := []string{
		"00 03 626172 0c00 2dc87da0144c635e",                           // Redis 7.4.1 string "bar"
		"00 c007 0c00 bfbb7c62798150db",                                // Redis 7.4.1 string "7"
		"00 c2a0860100 0c00 3a5237909505383d",                          // Redis 7.4.1 string "100000"
		"00 03 626172 0b00 8f61f41313f9149e",                           // Valkey 8.0.1 string "bar"
		"0b 0e 02000000 03000000 0100 0200 0300 0c00 6e7468229744d352", // Redis 7.4.1 intset 1,2,3
	}
	for _, s := range payloads {
		p, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		body, trailer := p[:len(p)-8], p[len(p)-8:]
		want := binary.LittleEndian.Uint64(trailer)
		for _, im := range impls() {
			if got := im.update(0, body); got != want {
				t.Errorf("%s: CRC of %x = %#x, want %#x", im.name, body, got, want)
			}
		}
	}
}

// TestTables checks every slicing table entry against the bitwise
// definition: tab[k][b] is the register after byte b and k zero bytes.
func TestTables(t *testing.T) {
	var msg [len(tab)]byte
	for k := range tab {
		for b := range 256 {
			msg[0] = byte(b)
			if want := bitwiseUpdate(0, msg[:k+1]); tab[k][b] != want {
				t.Fatalf("tab[%d][%#x] = %#x, want %#x", k, b, tab[k][b], want)
			}
		}
	}
}

// TestGenericEveryLength compares the slicing code's one-shot CRC of every
// prefix up to maxLen with the bitwise reference, computed incrementally in
// one pass, at several alignments and starting values. This covers every
// combination of 16-byte blocks, 8-byte step and byte tail.
func TestGenericEveryLength(t *testing.T) {
	const maxLen = 4 << 10
	r := newRand(t)
	buf := randBytes(r, maxLen+64)
	for pass := range 4 {
		off := 0
		init := uint64(0)
		if pass > 0 {
			off = 1 + r.IntN(63)
			init = r.Uint64()
		}
		data := buf[off : off+maxLen]
		want := init
		for n := 0; n <= maxLen; n++ {
			if got := updateGeneric(init, data[:n]); got != want {
				t.Fatalf("offset %d, init %#x, length %d: generic = %#x, bitwise = %#x", off, init, n, got, want)
			}
			if n < maxLen {
				want = bitwiseUpdate(want, data[n:n+1])
			}
		}
	}
}

// TestOracleRandom compares every implementation with hash/crc64 on random
// lengths up to 256 KiB and random starting values.
func TestOracleRandom(t *testing.T) {
	r := newRand(t)
	buf := randBytes(r, 256<<10+64)
	for range 200 {
		n := r.IntN(256 << 10)
		if r.IntN(2) == 0 {
			n = r.IntN(512)
		}
		off := r.IntN(64)
		p := buf[off : off+n]
		init := r.Uint64()
		want := oracleUpdate(init, p)
		for _, im := range impls() {
			if got := im.update(init, p); got != want {
				t.Fatalf("%s(%#x, %d bytes at offset %d) = %#x, want %#x", im.name, init, n, off, got, want)
			}
		}
	}
}

// TestChained splits random inputs into random pieces, each summed by a
// randomly chosen implementation, and compares with the one-shot CRC.
func TestChained(t *testing.T) {
	r := newRand(t)
	all := impls()
	for range 300 {
		n := r.IntN(8 << 10)
		p := randBytes(r, n)
		want := oracleUpdate(0, p)
		crc, rest, trail := uint64(0), p, ""
		for len(rest) > 0 {
			k := 1 + r.IntN(min(len(rest), 1+r.IntN(1024)))
			im := all[r.IntN(len(all))]
			crc = im.update(crc, rest[:k])
			trail += im.name + ":" + strconv.Itoa(k) + " "
			rest = rest[k:]
		}
		if crc != want {
			t.Fatalf("%d bytes split as %s gives %#x, want %#x", n, trail, crc, want)
		}
	}
}

func TestHash(t *testing.T) {
	h := New()
	if h.Size() != 8 || h.BlockSize() != 1 {
		t.Fatalf("Size, BlockSize = %d, %d; want 8, 1", h.Size(), h.BlockSize())
	}
	if got := h.Sum64(); got != 0 {
		t.Fatalf("new hash Sum64 = %#x, want 0", got)
	}
	for _, c := range []byte("123456789") {
		h.Write([]byte{c})
	}
	const check uint64 = 0xe9c6d914c4b8d9ca
	if got := h.Sum64(); got != check {
		t.Fatalf("Sum64 after byte-by-byte writes = %#x, want %#x", got, check)
	}
	prefix := []byte("prefix")
	sum := h.Sum(prefix)
	if !bytes.Equal(sum[:len(prefix)], prefix) || binary.BigEndian.Uint64(sum[len(prefix):]) != check || len(sum) != len(prefix)+8 {
		t.Fatalf("Sum(%q) = %x, want the prefix then %#x big-endian", prefix, sum, uint64(check))
	}
	c, err := h.(hash.Cloner).Clone()
	if err != nil {
		t.Fatal(err)
	}
	h.Write([]byte("more"))
	if got := c.(hash.Hash64).Sum64(); got != check {
		t.Fatalf("clone changed with the original: %#x", got)
	}
	if got, want := h.Sum64(), Checksum([]byte("123456789more")); got != want {
		t.Fatalf("Sum64 after more = %#x, want %#x", got, want)
	}
	h.Reset()
	if got := h.Sum64(); got != 0 {
		t.Fatalf("Sum64 after Reset = %#x, want 0", got)
	}
}

func TestAllocs(t *testing.T) {
	p := make([]byte, 4096)
	if n := testing.AllocsPerRun(10, func() { Checksum(p) }); n != 0 {
		t.Errorf("Checksum allocates %v times", n)
	}
}

func TestEmpty(t *testing.T) {
	for _, im := range impls() {
		for _, crc := range []uint64{0, 1, 0xe9c6d914c4b8d9ca, ^uint64(0)} {
			if got := im.update(crc, nil); got != crc {
				t.Errorf("%s(%#x, nil) = %#x, want it unchanged", im.name, crc, got)
			}
		}
	}
}
