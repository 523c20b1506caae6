package crc64

import (
	"fmt"
	stdcrc64 "hash/crc64"
	"testing"
)

// BenchmarkUpdate measures Update ("auto", which picks the fastest path for
// the size), the portable code, any accelerated path forced at every size,
// and hash/crc64 with its ECMA table (slicing-by-8), all in one run:
//
//	go test -run '^$' -bench . -count 5 ./internal/crc64/
func BenchmarkUpdate(b *testing.B) {
	ecma := stdcrc64.MakeTable(stdcrc64.ECMA)
	all := append([]impl{{"auto", Update}}, impls()[1:]...)
	all = append(all, impl{"stdlibECMA", func(crc uint64, p []byte) uint64 {
		return stdcrc64.Update(crc, ecma, p)
	}})
	for _, size := range []int{8, 32, 64, 1 << 10, 64 << 10} {
		buf := make([]byte, size)
		for i := range buf {
			buf[i] = byte(i * 131)
		}
		for _, im := range all {
			b.Run(fmt.Sprintf("size=%d/%s", size, im.name), func(b *testing.B) {
				b.SetBytes(int64(size))
				var crc uint64
				for b.Loop() {
					crc = im.update(crc, buf)
				}
			})
		}
	}
}
