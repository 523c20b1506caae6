//go:build !purego

package crc64

import (
	"syscall"
	"testing"
)

// TestCLMULNoOverread puts the input right before an inaccessible page, so
// an assembly load past the end of p faults instead of passing unnoticed.
func TestCLMULNoOverread(t *testing.T) {
	requireCLMUL(t)
	page := syscall.Getpagesize()
	const maxLen = 4 << 10
	size := (maxLen+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	guard := size - page
	if err := syscall.Mprotect(mem[guard:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	r := newRand(t)
	copy(mem[guard-maxLen:guard], randBytes(r, maxLen))
	for n := 0; n <= maxLen; n++ {
		p := mem[guard-n : guard]
		if got, want := updateCLMUL(0, p), oracleUpdate(0, p); got != want {
			t.Fatalf("length %d ending at a guard page: clmul = %#x, want %#x", n, got, want)
		}
	}
}
