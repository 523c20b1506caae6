//go:build amd64 && !purego

package crc64

// clmulThreshold is the input length from which Update uses the carry-less
// multiplication path when the CPU has PCLMULQDQ. Below it the fixed cost of
// the final reduction outweighs the faster loop (see BenchmarkUpdate).
const clmulThreshold = 32

// hasCLMUL reports whether the CPU has PCLMULQDQ (CPUID.1:ECX bit 1). The
// assembly uses nothing newer than SSE2 otherwise, which every amd64 CPU has.
var hasCLMUL = detectCLMUL()

func detectCLMUL() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 1 {
		return false
	}
	_, _, ecx, _ := cpuid(1, 0)
	return ecx&(1<<1) != 0
}

// cpuid executes the CPUID instruction with the given leaf and subleaf.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// clmulConsts are the constants the folding loop reads, each pair laid out
// as (low qword, high qword) of an XMM register. In the reflected bit order
// a 64-bit lane's bit i is the coefficient of x^(63-i), and a carry-less
// product of two such lanes comes out one power of x short, so a lane that
// must multiply by x^n holds x^(n-1) mod P. TestCLMULConstants derives every
// value from the polynomial.
type clmulConsts struct {
	// fold512 advances a 128-bit accumulator by 512 bits (the main loop's
	// four-register stride): x^(575) mod P for its high-order (low) qword,
	// x^(511) mod P for its low-order (high) qword.
	fold512 [2]uint64
	// fold128 advances an accumulator by 128 bits: x^(191) mod P and
	// x^(127) mod P. Its high qword also does the final 64-bit fold.
	fold128 [2]uint64
	// barrett holds mu = floor(x^128 / P) and P itself, both in the
	// "x^64 down to x^1" lane form (bit i is the coefficient of x^(64-i);
	// the x^0 term is dropped and its contribution is added separately).
	barrett [2]uint64
}

var clmulK = clmulConsts{
	fold512: [2]uint64{0xaf86efb16d9ab4fb, 0xf49784a634f014e4},
	fold128: [2]uint64{0xd9d7be7d505da32c, 0x381d0015c96f4444},
	barrett: [2]uint64{0x3e6cfa329aef9f77, 0x2b5926535897936b},
}

// clmulBlocks returns the CRC of crc followed by p, using PCLMULQDQ. len(p)
// must be a non-zero multiple of 16.
//
//go:noescape
func clmulBlocks(crc uint64, p []byte, k *clmulConsts) uint64

func update(crc uint64, p []byte) uint64 {
	if len(p) >= clmulThreshold && hasCLMUL {
		return updateCLMUL(crc, p)
	}
	return updateGeneric(crc, p)
}

// updateCLMUL folds the 16-byte blocks of p with clmulBlocks and the tail in
// Go. It requires hasCLMUL.
func updateCLMUL(crc uint64, p []byte) uint64 {
	if n := len(p) &^ 15; n > 0 {
		crc = clmulBlocks(crc, p[:n], &clmulK)
		p = p[n:]
	}
	return updateGeneric(crc, p)
}
