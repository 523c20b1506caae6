package compact

import "encoding/binary"

const (
	zlHeaderSize = 10 // zlbytes u32, zltail u32, zllen u16
	zlBigPrevlen = 0xFE
)

// ZiplistEach validates zl as deeply as Redis's ziplistValidateIntegrity
// with deep checking does (Redis always checks ziplists deeply because it
// converts them on load) and calls fn, if not nil, for each element in
// order.
//
// Checked: len(zl) >= 11; zlbytes equals len(zl); the last byte is the
// 0xFF terminator; zltail is at most len(zl)-1; every entry's prevlen,
// encoding, length bytes and data lie before the terminator; every encoding
// is valid; each prevlen equals the real size of the previous entry (0 for
// the first; the 5-byte prevlen form is accepted for any size, as Redis
// writes it during cascade updates); the walk ends exactly at the last
// byte; zltail is the offset of the last entry when there is one; and the
// count equals zllen unless that is 65535.
//
// fn, errors and the result are as for ListpackEach.
func ZiplistEach(zl []byte, fn func(Element) error) (int, error) {
	if len(zl) < zlHeaderSize+1 {
		return 0, corrupt("ziplist", 0, "%d bytes is shorter than the 11-byte minimum", len(zl))
	}
	if total := binary.LittleEndian.Uint32(zl); uint64(total) != uint64(len(zl)) {
		return 0, corrupt("ziplist", 0, "zlbytes %d does not match blob length %d", total, len(zl))
	}
	end := len(zl) - 1
	if zl[end] != lpEnd {
		return 0, corrupt("ziplist", end, "last byte is %#02x, not the 0xff terminator", zl[end])
	}
	tail := binary.LittleEndian.Uint32(zl[4:])
	if uint64(tail) > uint64(end) {
		return 0, corrupt("ziplist", 4, "zltail %d points past the terminator at %d", tail, end)
	}
	hdrCount := int(binary.LittleEndian.Uint16(zl[8:]))
	n := 0
	p := zlHeaderSize
	prev, prevSize := -1, 0
	for zl[p] != lpEnd { // invariant: p <= end
		rem := end - p
		// prevlen
		var prevlen uint64
		ps := 1
		if zl[p] < zlBigPrevlen {
			prevlen = uint64(zl[p])
		} else {
			ps = 5
			if ps > rem {
				return n, corrupt("ziplist", p, "5-byte prevlen runs past the terminator")
			}
			prevlen = uint64(binary.LittleEndian.Uint32(zl[p+1:]))
		}
		if prevlen != uint64(prevSize) {
			return n, corrupt("ziplist", p, "prevlen %d does not match previous entry size %d", prevlen, prevSize)
		}
		// encoding; q <= end because ps <= rem
		q := p + ps
		rem -= ps
		c := zl[q]
		var e Element
		var hs, l int // header (encoding+length) size and data size
		switch {
		case c < 0x40: // 6-bit string length
			hs, l = 1, int(c&0x3F)
		case c < 0x80: // 14-bit string length, big endian
			hs = 2
			if hs > rem {
				return n, corrupt("ziplist", q, "string header of 2 bytes runs past the terminator")
			}
			l = int(c&0x3F)<<8 | int(zl[q+1])
		case c < 0xC0: // 32-bit string length, big endian; low 6 bits ignored
			hs = 5
			if hs > rem {
				return n, corrupt("ziplist", q, "string header of 5 bytes runs past the terminator")
			}
			l32 := uint64(binary.BigEndian.Uint32(zl[q+1:]))
			if l32 > uint64(rem-hs) {
				return n, corrupt("ziplist", p, "string of %d bytes runs past the terminator", l32)
			}
			l = int(l32)
		default:
			hs = 1
			switch c {
			case 0xC0:
				l = 2
			case 0xD0:
				l = 4
			case 0xE0:
				l = 8
			case 0xF0:
				l = 3
			case 0xFE:
				l = 1
			default:
				if c < 0xF1 || c > 0xFD {
					return n, corrupt("ziplist", q, "invalid encoding byte %#02x", c)
				}
				e = Element{Int: int64(c&0x0F) - 1, IsInt: true}
			}
		}
		if hs+l > rem {
			return n, corrupt("ziplist", p, "entry of %d bytes runs past the terminator", ps+hs+l)
		}
		d := q + hs
		if c < 0xC0 {
			e.Str = zl[d : d+l : d+l]
		} else if l > 0 {
			var u uint64
			for i := l - 1; i >= 0; i-- {
				u = u<<8 | uint64(zl[d+i])
			}
			e = Element{Int: signExtend(u, uint(8*l)), IsInt: true}
		}
		if fn != nil {
			if err := fn(e); err != nil {
				return n, err
			}
		}
		n++
		prev, prevSize = p, ps+hs+l
		p = d + l
	}
	if p != end {
		return n, corrupt("ziplist", p, "terminator found %d bytes before the end", end-p)
	}
	if prev >= 0 && uint64(prev) != uint64(tail) {
		return n, corrupt("ziplist", 4, "zltail %d does not point at the last entry at %d", tail, prev)
	}
	if hdrCount != lpCountUnknown && hdrCount != n {
		return n, corrupt("ziplist", 8, "zllen %d does not match the %d entries found", hdrCount, n)
	}
	return n, nil
}
