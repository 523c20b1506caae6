// Package crc64 computes Redis's CRC-64, the checksum in the trailer of RDB
// files and of DUMP/RESTORE payloads.
//
// # Parameters
//
// The algorithm is the "Jones" CRC-64 as Redis's src/crc64.c computes it:
//
//	width      64
//	polynomial 0xAD93D23594C935A9 (normal form), 0x95AC9329AC4BC9B5 (reflected)
//	reflected  input and output (least significant bit of each byte first)
//	initial    0
//	final XOR  0
//	check      Checksum([]byte("123456789")) == 0xe9c6d914c4b8d9ca
//
// Because the initial value and the final XOR are both 0, the running state
// is the checksum itself: Update(Update(0, a), b) == Checksum(a+b), so a
// partial CRC can be carried as a plain uint64. RDB files and DUMP payloads
// store the value little-endian; the hash.Hash64 from New appends it
// big-endian in Sum, like hash/crc64, so use Sum64 to build a trailer.
//
// hash/crc64 with this polynomial gives a different value, because it
// inverts the register before and after; ^crc64.Update(^crc,
// crc64.MakeTable(0x95AC9329AC4BC9B5), p) from the standard library equals
// Update(crc, p) here, which is how the tests use it as an oracle.
//
// # Implementation
//
// The portable code looks up sixteen 256-entry tables per 16 bytes
// (slicing-by-16; the tables, 32 KiB, are computed at package
// initialization), which is faster than hash/crc64's slicing-by-8.
//
// On amd64, when the CPU reports PCLMULQDQ (checked once with CPUID),
// inputs of 32 bytes or more go to an assembly routine that folds 64 bytes
// per step with carry-less multiplication and finishes with a Barrett
// reduction, after Intel's "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ Instruction"; the last len%16 bytes go through the tables.
// Below 32 bytes the tables are faster. The folding constants are checked
// against a derivation from the polynomial by the tests. Building with the
// purego tag, or for any other architecture, uses only the portable code.
//
// # Concurrency
//
// Update and Checksum are safe for concurrent use. A hash.Hash64 returned
// by New is not: use one per goroutine (its Clone method gives a copy).
package crc64
