package compact

import (
	"encoding/binary"
	"math"
)

// MaxListpackSize is the size Redis keeps listpacks under
// (LISTPACK_MAX_SAFETY_SIZE, 1 GiB); writers split larger data.
const MaxListpackSize = 1 << 30

// ListpackBuilder builds a listpack choosing each element's encoding as
// Redis's lpAppend does: a string that is a canonical int64 decimal (see
// ParseInt) is stored as the smallest integer encoding, any other string
// in the shortest string form, and every backlen in the size Redis uses.
//
// The zero value is an empty builder; Reset empties it for reuse and keeps
// its buffer. A ListpackBuilder must not be used by several goroutines at
// once.
type ListpackBuilder struct {
	buf  []byte // buf[base:]: header (filled by Bytes) and entries, no terminator
	base int    // 0 except inside AppendListpack
	n    int
}

// Reset empties b, keeping its buffer.
func (b *ListpackBuilder) Reset() {
	b.buf = b.buf[:b.base]
	b.n = 0
}

// Len returns the number of elements appended so far.
func (b *ListpackBuilder) Len() int { return b.n }

// Size returns the size in bytes the finished listpack has (header,
// elements and terminator).
func (b *ListpackBuilder) Size() int {
	if len(b.buf) == b.base {
		return lpHeaderSize + 1
	}
	return len(b.buf) - b.base + 1
}

func (b *ListpackBuilder) start() {
	if len(b.buf) == b.base {
		b.buf = append(b.buf, 0, 0, 0, 0, 0, 0)
	}
}

// AppendString appends s, as an integer when ParseInt accepts it.
func (b *ListpackBuilder) AppendString(s []byte) {
	if v, ok := ParseInt(s); ok {
		b.AppendInt(v)
		return
	}
	b.start()
	l := len(s)
	var size int
	switch {
	case l < 64:
		b.buf = append(b.buf, 0x80|byte(l))
		size = 1 + l
	case l < 4096:
		b.buf = append(b.buf, 0xE0|byte(l>>8), byte(l))
		size = 2 + l
	default:
		b.buf = append(b.buf, 0xF0, byte(l), byte(l>>8), byte(l>>16), byte(l>>24))
		size = 5 + l
	}
	b.buf = append(b.buf, s...)
	b.buf = appendBacklen(b.buf, size)
	b.n++
}

// AppendInt appends v in the smallest integer encoding.
func (b *ListpackBuilder) AppendInt(v int64) {
	b.start()
	u := uint64(v)
	switch {
	case v >= 0 && v <= 127:
		b.buf = append(b.buf, byte(v), 1)
	case v >= -4096 && v <= 4095:
		b.buf = append(b.buf, 0xC0|byte(u>>8)&0x1F, byte(u), 2)
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b.buf = append(b.buf, 0xF1, byte(u), byte(u>>8), 3)
	case v >= -1<<23 && v < 1<<23:
		b.buf = append(b.buf, 0xF2, byte(u), byte(u>>8), byte(u>>16), 4)
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b.buf = append(b.buf, 0xF3, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), 5)
	default:
		b.buf = append(b.buf, 0xF4)
		b.buf = binary.LittleEndian.AppendUint64(b.buf, u)
		b.buf = append(b.buf, 9)
	}
	b.n++
}

// IntSize is the size in bytes of the element AppendInt appends for v,
// its backlen included.
func IntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 4
	case v >= -1<<23 && v < 1<<23:
		return 5
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 6
	}
	return 10
}

// StringSize is the size in bytes of the element AppendString appends
// for s (an integer when ParseInt accepts s), its backlen included.
func StringSize(s []byte) int {
	if v, ok := ParseInt(s); ok {
		return IntSize(v)
	}
	l := len(s)
	switch {
	case l < 64:
		l++
	case l < 4096:
		l += 2
	default:
		l += 5
	}
	return l + backlenSize(l)
}

// AppendElement appends e: AppendInt for an integer, else AppendString
// (so a string holding a canonical integer becomes an integer, as when
// Redis converts a ziplist to a listpack).
func (b *ListpackBuilder) AppendElement(e Element) {
	if e.IsInt {
		b.AppendInt(e.Int)
	} else {
		b.AppendString(e.Str)
	}
}

// Bytes returns the finished listpack: the header (total bytes; element
// count, or 65535 from 65535 elements on, as Redis writes it), the
// elements and the 0xFF terminator. The result aliases b's buffer and is
// valid until the next call on b. Bytes returns nil if the listpack would
// be 1<<32 bytes or more, which the format cannot express; writers keep
// listpacks under MaxListpackSize (see Size).
func (b *ListpackBuilder) Bytes() []byte {
	out := b.finish()
	if out == nil {
		return nil
	}
	return out[b.base:]
}

// finish writes the header and terminator and returns b.buf with the
// terminator, or nil if the listpack is too large.
func (b *ListpackBuilder) finish() []byte {
	b.start()
	total := len(b.buf) - b.base + 1
	if uint64(total) > math.MaxUint32 {
		return nil
	}
	count := min(b.n, lpCountUnknown)
	binary.LittleEndian.PutUint32(b.buf[b.base:], uint32(total))
	binary.LittleEndian.PutUint16(b.buf[b.base+4:], uint16(count))
	out := append(b.buf, lpEnd)
	b.buf = out[:len(out)-1] // the next append overwrites the terminator
	return out
}

// AppendListpack appends to dst a finished listpack holding elems, encoded
// as ListpackBuilder does, and returns the extended slice. It returns dst
// unchanged if the listpack would be 1<<32 bytes or more.
func AppendListpack(dst []byte, elems ...[]byte) []byte {
	b := ListpackBuilder{buf: dst, base: len(dst)}
	for _, e := range elems {
		b.AppendString(e)
	}
	if out := b.finish(); out != nil {
		return out
	}
	return dst
}

// appendBacklen appends the backlen of an entry of size l as Redis's
// lpEncodeBacklen writes it: 7 bits per byte, most significant first, with
// the 0x80 bit set on every byte but the first.
func appendBacklen(dst []byte, l int) []byte {
	switch backlenSize(l) {
	case 1:
		return append(dst, byte(l))
	case 2:
		return append(dst, byte(l>>7), byte(l)|0x80)
	case 3:
		return append(dst, byte(l>>14), byte(l>>7)|0x80, byte(l)|0x80)
	case 4:
		return append(dst, byte(l>>21), byte(l>>14)|0x80, byte(l>>7)|0x80, byte(l)|0x80)
	}
	return append(dst, byte(l>>28), byte(l>>21)|0x80, byte(l>>14)|0x80, byte(l>>7)|0x80, byte(l)|0x80)
}
