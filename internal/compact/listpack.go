package compact

import "encoding/binary"

// Listpack layout constants.
const (
	lpHeaderSize   = 6     // total bytes u32 LE, element count u16 LE
	lpCountUnknown = 65535 // header count meaning "scan to count"
	lpEnd          = 0xFF  // terminator
)

// ListpackEach validates lp as deeply as Redis's lpValidateIntegrity with
// deep checking does and calls fn, if not nil, for each element in order.
//
// Checked: len(lp) >= 7; the header's total bytes equal len(lp); the last
// byte is the 0xFF terminator; every encoding byte is valid; every entry,
// its length bytes and its backlen lie before the terminator; each backlen,
// read backwards as Redis reads it, equals the size of its entry's encoding
// and data; the walk ends exactly at the last byte; and the element count
// equals the header's count unless that is 65535.
//
// The Str of an Element passed to fn aliases lp. fn is called for each
// element as soon as that element is checked, so it may have seen elements
// before an error later in lp is found; pass a nil fn first to validate
// without side effects. An error from fn stops the walk and is returned
// as is. ListpackEach returns the number of elements walked (all of them
// when err is nil). Corruption is reported as a *FormatError. ListpackEach
// never panics and does not allocate unless it fails.
func ListpackEach(lp []byte, fn func(Element) error) (int, error) {
	if len(lp) < lpHeaderSize+1 {
		return 0, corrupt("listpack", 0, "%d bytes is shorter than the 7-byte minimum", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return 0, corrupt("listpack", 0, "header total bytes %d does not match blob length %d", total, len(lp))
	}
	end := len(lp) - 1 // index of the terminator
	if lp[end] != lpEnd {
		return 0, corrupt("listpack", end, "last byte is %#02x, not the 0xff terminator", lp[end])
	}
	hdrCount := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	p := lpHeaderSize
	for {
		// Invariant: p <= end, so lp[p] is in bounds.
		c := lp[p]
		if c == lpEnd {
			break
		}
		var e Element
		var size int   // size of encoding + data
		rem := end - p // bytes available before the terminator
		switch {
		case c < 0x80: // 7-bit unsigned int
			e = Element{Int: int64(c), IsInt: true}
			size = 1
		case c < 0xC0: // 6-bit string length
			l := int(c & 0x3F)
			size = 1 + l
			if size > rem {
				return n, lpEntryPastEnd(p, size)
			}
			e.Str = lp[p+1 : p+size : p+size]
		case c < 0xE0: // 13-bit signed int
			size = 2
			if size > rem {
				return n, lpEntryPastEnd(p, size)
			}
			u := uint64(c&0x1F)<<8 | uint64(lp[p+1])
			e = Element{Int: signExtend(u, 13), IsInt: true}
		case c < 0xF0: // 12-bit string length
			if 2 > rem {
				return n, corrupt("listpack", p, "string header of 2 bytes runs past the terminator")
			}
			l := int(c&0x0F)<<8 | int(lp[p+1])
			size = 2 + l
			if size > rem {
				return n, lpEntryPastEnd(p, size)
			}
			e.Str = lp[p+2 : p+size : p+size]
		case c == 0xF0: // 32-bit string length
			if 5 > rem {
				return n, corrupt("listpack", p, "string header of 5 bytes runs past the terminator")
			}
			l := uint64(binary.LittleEndian.Uint32(lp[p+1:]))
			if l > uint64(rem-5) {
				return n, corrupt("listpack", p, "string of %d bytes runs past the terminator", l)
			}
			size = 5 + int(l)
			e.Str = lp[p+5 : p+size : p+size]
		case c <= 0xF4: // int16, int24, int32, int64
			var w int
			switch c {
			case 0xF1:
				w = 2
			case 0xF2:
				w = 3
			case 0xF3:
				w = 4
			default:
				w = 8
			}
			size = 1 + w
			if size > rem {
				return n, lpEntryPastEnd(p, size)
			}
			var u uint64
			for i := w; i > 0; i-- {
				u = u<<8 | uint64(lp[p+i])
			}
			e = Element{Int: signExtend(u, uint(8*w)), IsInt: true}
		default:
			return n, corrupt("listpack", p, "invalid encoding byte %#02x", c)
		}
		bl := backlenSize(size)
		if bl > rem-size {
			return n, corrupt("listpack", p, "entry of %d bytes and its %d-byte backlen run past the terminator", size, bl)
		}
		next := p + size + bl
		if got, ok := decodeBacklen(lp, next-1); !ok || got != uint64(size) {
			if !ok {
				return n, corrupt("listpack", next-1, "backlen is longer than 5 bytes")
			}
			return n, corrupt("listpack", next-1, "backlen %d does not match entry size %d", got, size)
		}
		if fn != nil {
			if err := fn(e); err != nil {
				return n, err
			}
		}
		n++
		p = next
	}
	if p != end {
		return n, corrupt("listpack", p, "terminator found %d bytes before the end", end-p)
	}
	if hdrCount != lpCountUnknown && hdrCount != n {
		return n, corrupt("listpack", 4, "header count %d does not match the %d elements found", hdrCount, n)
	}
	return n, nil
}

func lpEntryPastEnd(p, size int) error {
	return corrupt("listpack", p, "entry of %d bytes runs past the terminator", size)
}

// signExtend interprets the low bits of u as a two's complement number.
func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// backlenSize is the number of bytes Redis's lpEncodeBacklen uses for an
// entry of size l (note the strict comparisons above 127).
func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// decodeBacklen reads a backlen backwards from its last byte at index i, as
// Redis's lpDecodeBacklen does: 7 bits per byte, low bits last, continuing
// while the 0x80 bit is set, at most 5 bytes. It never reads before lp[0].
func decodeBacklen(lp []byte, i int) (uint64, bool) {
	b := lp[i]
	if b < 0x80 { // the common case: a 1-byte backlen
		return uint64(b), true
	}
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if shift > 28 || i < 0 {
			return 0, false
		}
		b = lp[i]
		v |= uint64(b&0x7F) << shift
		if b < 0x80 {
			return v, true
		}
		i--
	}
}
