package crc64

import (
	"bytes"
	"testing"
)

// FuzzChecksum checks every implementation against hash/crc64 (the oracle),
// from any starting value, in one call and split in two at any point.
func FuzzChecksum(f *testing.F) {
	f.Add([]byte(""), uint64(0), uint16(0))
	f.Add([]byte("123456789"), uint64(0), uint16(4))
	f.Add(bytes.Repeat([]byte{0xff}, 200), ^uint64(0), uint16(100))
	f.Add(bytes.Repeat([]byte("REDIS0012"), 30), uint64(0xe9c6d914c4b8d9ca), uint16(77))
	f.Fuzz(func(t *testing.T, p []byte, init uint64, split uint16) {
		want := oracleUpdate(init, p)
		k := int(split) % (len(p) + 1)
		for _, im := range impls() {
			if got := im.update(init, p); got != want {
				t.Fatalf("%s(%#x, %x) = %#x, want %#x", im.name, init, p, got, want)
			}
			if got := im.update(im.update(init, p[:k]), p[k:]); got != want {
				t.Fatalf("%s split at %d: %#x, want %#x", im.name, k, got, want)
			}
		}
		if init == 0 {
			if got := Checksum(p); got != want {
				t.Fatalf("Checksum = %#x, want %#x", got, want)
			}
			h := New()
			h.Write(p[:k])
			h.Write(p[k:])
			if got := h.Sum64(); got != want {
				t.Fatalf("New().Write split at %d: Sum64 = %#x, want %#x", k, got, want)
			}
		}
	})
}
