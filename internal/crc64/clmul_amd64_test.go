//go:build amd64 && !purego

package crc64

import (
	"math/big"
	"math/bits"
	"testing"
)

func archImpls() []impl {
	if !hasCLMUL {
		return nil
	}
	return []impl{{"clmul", updateCLMUL}}
}

func requireCLMUL(t *testing.T) {
	t.Helper()
	if !hasCLMUL {
		t.Skip("this CPU has no PCLMULQDQ; only the portable path runs here")
	}
}

// polyNormal is the polynomial without its x^64 term, in normal form (bit k
// is the coefficient of x^k).
const polyNormal = 0xAD93D23594C935A9

// xPowModP returns x^n mod P in normal form, by n multiplications by x.
func xPowModP(n int) uint64 {
	r := uint64(1)
	for range n {
		r = r<<1 ^ polyNormal&-(r>>63)
	}
	return r
}

// laneMinus1 is the lane a folding constant for x^n occupies: x^(n-1) mod
// P, reflected (a carry-less product of reflected lanes is one power of x
// short, see clmulConsts).
func laneMinus1(n int) uint64 { return bits.Reverse64(xPowModP(n - 1)) }

// laneHigh puts a polynomial with an x^64 term, given by its low 64
// coefficients, in the "x^64 down to x^1" lane form: bit i is the
// coefficient of x^(64-i), and the x^0 coefficient is dropped.
func laneHigh(low uint64) uint64 { return bits.Reverse64(1<<63 | low>>1) }

// TestCLMULConstants derives every constant in clmulK from the polynomial.
func TestCLMULConstants(t *testing.T) {
	if bits.Reverse64(polyNormal) != poly {
		t.Fatalf("polyNormal %#x is not the reflection of poly %#x", uint64(polyNormal), uint64(poly))
	}

	// A constant for x^n must advance a register by n bits. Cross-check
	// the shift-and-reduce derivation with the bitwise CRC of an impulse:
	// the CRC of a 1 bit followed by m-1 zero bits is x^(m-1)*x^64 mod P.
	for _, n := range []int{575, 511, 191, 127} {
		m := n - 63 // message bits
		msg := make([]byte, (m+7)/8)
		msg[0] = 1
		if m%8 != 0 {
			t.Fatalf("impulse for x^%d does not fill whole bytes", n)
		}
		if got, want := bitwiseUpdate(0, msg), bits.Reverse64(xPowModP(n)); got != want {
			t.Fatalf("x^%d mod P: impulse gives %#x, shifting gives %#x", n, got, want)
		}
	}

	// mu = floor(x^128 / P) by long division.
	p := new(big.Int).SetUint64(polyNormal)
	p.SetBit(p, 64, 1)
	rem := new(big.Int).Lsh(big.NewInt(1), 128)
	mu := new(big.Int)
	for i := 128; i >= 64; i-- {
		if rem.Bit(i) == 1 {
			mu.SetBit(mu, i-64, 1)
			rem.Xor(rem, new(big.Int).Lsh(p, uint(i-64)))
		}
	}
	if mu.BitLen() != 65 || rem.BitLen() > 64 {
		t.Fatalf("long division went wrong: mu has %d bits, remainder %d", mu.BitLen(), rem.BitLen())
	}
	muLow := new(big.Int).And(mu, new(big.Int).SetUint64(^uint64(0))).Uint64()

	want := clmulConsts{
		fold512: [2]uint64{laneMinus1(512 + 64), laneMinus1(512)},
		fold128: [2]uint64{laneMinus1(128 + 64), laneMinus1(128)},
		barrett: [2]uint64{laneHigh(muLow), laneHigh(polyNormal)},
	}
	if clmulK != want {
		t.Errorf("clmulK = %#x\nderived %#x", clmulK, want)
	}
}

// TestCLMULEveryLength compares the CLMUL path's one-shot CRC of every
// prefix of a 64 KiB random buffer, every length from 0 to 64 KiB, with the
// portable code's CRC of the same prefix, computed incrementally in one
// pass. It runs at several alignments and starting values.
func TestCLMULEveryLength(t *testing.T) {
	requireCLMUL(t)
	const maxLen = 64 << 10
	r := newRand(t)
	buf := randBytes(r, maxLen+64)
	passes := 4
	if testing.Short() {
		passes = 1
	}
	for pass := range passes {
		off := 0
		init := uint64(0)
		if pass > 0 {
			off = 1 + r.IntN(63)
			init = r.Uint64()
		}
		data := buf[off : off+maxLen]
		want := init
		for n := 0; n <= maxLen; n++ {
			if got := updateCLMUL(init, data[:n]); got != want {
				t.Fatalf("offset %d, init %#x, length %d: clmul = %#x, generic = %#x", off, init, n, got, want)
			}
			if n < maxLen {
				want = updateGeneric(want, data[n:n+1])
			}
		}
	}
}

// TestCLMULBlocksOnly calls the assembly directly on block multiples, with
// no Go tail, so an error in it cannot be masked by the tail code.
func TestCLMULBlocksOnly(t *testing.T) {
	requireCLMUL(t)
	r := newRand(t)
	buf := randBytes(r, 4096+16)
	for n := 16; n <= 4096; n += 16 {
		off := r.IntN(16)
		init := r.Uint64()
		p := buf[off : off+n]
		if got, want := clmulBlocks(init, p, &clmulK), oracleUpdate(init, p); got != want {
			t.Fatalf("clmulBlocks(%#x, %d bytes at offset %d) = %#x, want %#x", init, n, off, got, want)
		}
	}
}
