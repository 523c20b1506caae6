//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL subleaf+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// clmulBlocks computes the CRC by folding, after Intel's "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ Instruction", in the
// reflected bit order. Loaded little-endian, the first byte of a 16-byte
// block sits in the low bits of an XMM register, and in reflected order the
// low bits are the high-degree coefficients: the low qword H and high qword L
// of an accumulator stand for H*x^64 + L. Advancing it past n more bits is
// H*(x^(64+n) mod P) + L*(x^n mod P), two PCLMULQDQs and an XOR; see
// clmulConsts for the constants.
//
// len(p) must be a non-zero multiple of 16.
//
// func clmulBlocks(crc uint64, p []byte, k *clmulConsts) uint64
TEXT ·clmulBlocks(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	// The incoming CRC is XORed into the first 8 bytes, which is how a
	// reflected CRC register meets the message.
	MOVQ AX, X0
	CMPQ CX, $64
	JAE  four

	// Fewer than 64 bytes: one accumulator.
	MOVOU 0(SI), X1
	PXOR  X0, X1
	ADDQ  $16, SI
	SUBQ  $16, CX
	MOVOU 16(DX), X0 // fold128
	JMP   tail16

four:
	// Four accumulators take the first 64 bytes.
	MOVOU 0(SI), X1
	MOVOU 16(SI), X2
	MOVOU 32(SI), X3
	MOVOU 48(SI), X4
	PXOR  X0, X1
	ADDQ  $64, SI
	SUBQ  $64, CX
	CMPQ  CX, $64
	JB    fold4

	MOVOU 0(DX), X0 // fold512

	PCALIGN $16
loop64:
	// Advance each accumulator by 512 bits and add the next 64 bytes.
	MOVOU X1, X5
	MOVOU X2, X6
	MOVOU X3, X7
	MOVOU X4, X8

	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x00, X0, X2
	PCLMULQDQ $0x00, X0, X3
	PCLMULQDQ $0x00, X0, X4

	MOVOU 0(SI), X11
	MOVOU 16(SI), X12
	MOVOU 32(SI), X13
	MOVOU 48(SI), X14

	PCLMULQDQ $0x11, X0, X5
	PCLMULQDQ $0x11, X0, X6
	PCLMULQDQ $0x11, X0, X7
	PCLMULQDQ $0x11, X0, X8

	PXOR X5, X1
	PXOR X6, X2
	PXOR X7, X3
	PXOR X8, X4

	PXOR X11, X1
	PXOR X12, X2
	PXOR X13, X3
	PXOR X14, X4

	ADDQ $64, SI
	SUBQ $64, CX
	CMPQ CX, $64
	JAE  loop64

fold4:
	// Fold the four accumulators into X1, 128 bits at a time.
	MOVOU 16(DX), X0 // fold128

	MOVOU     X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X2, X1

	MOVOU     X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X3, X1

	MOVOU     X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X4, X1

tail16:
	CMPQ CX, $16
	JB   reduce

loop16:
	MOVOU     0(SI), X11
	MOVOU     X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X11, X1
	ADDQ      $16, SI
	SUBQ      $16, CX
	CMPQ      CX, $16
	JAE       loop16

reduce:
	// The CRC is (H*x^64 + L)*x^64 mod P. First T = H*(x^128 mod P) +
	// L*x^64, a 128-bit value with the same layout: H times fold128's high
	// qword (x^127 mod P), plus L moved to the low qword.
	MOVOU     X1, X2
	PCLMULQDQ $0x10, X0, X1
	PSRLDQ    $8, X2
	PXOR      X2, X1

	// Barrett reduction of T = Th*x^64 + Tl: q = floor(Th*mu / x^64) is the
	// low qword of Th*mu; then T mod P = Tl + (q*P mod x^64), the high qword
	// of q*P, plus q for the x^0 term left out of the P lane.
	MOVOU     32(DX), X0 // barrett: mu, P
	MOVOU     X1, X2     // X2 = T
	PCLMULQDQ $0x00, X0, X1 // X1 low = q
	MOVOU     X1, X3
	PCLMULQDQ $0x10, X0, X1 // X1 high = q*P mod x^64
	PSLLDQ    $8, X3        // X3 high = q
	PXOR      X3, X1
	PXOR      X2, X1
	PSHUFD    $0xee, X1, X1 // high qword to low
	MOVQ      X1, AX
	MOVQ      AX, ret+40(FP)
	RET
