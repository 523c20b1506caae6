package compact

import "encoding/binary"

const zmBigLen = 254

// ZipmapEach validates zm as deeply as Redis's zipmapValidateIntegrity
// does (Redis always checks zipmaps deeply because it converts them on
// load) and calls fn, if not nil, for each key-value pair in order.
//
// Checked: len(zm) >= 2; the last byte is the 0xFF terminator; every
// length, key, value and free space lies before the last byte; there is at
// least one pair; and zmlen equals the number of pairs unless it is 254.
// As in Redis, the walk stops at the first 0xFF where a key length is
// expected, and anything between it and the last byte is ignored; a 0xFF
// value length is read like 0xFE, as a 4-byte length.
//
// fn, errors and the result are as for ListpackEach; the result counts
// pairs.
func ZipmapEach(zm []byte, fn func(key, value []byte) error) (int, error) {
	if len(zm) < 2 {
		return 0, corrupt("zipmap", 0, "%d bytes is shorter than the 2-byte minimum", len(zm))
	}
	end := len(zm) - 1
	if zm[end] != lpEnd {
		return 0, corrupt("zipmap", end, "last byte is %#02x, not the 0xff terminator", zm[end])
	}
	n := 0
	p := 1
	for zm[p] != lpEnd { // invariant: p <= end
		entry := p
		key, np, err := zipmapString(zm, p, entry, "key")
		if err != nil {
			return n, err
		}
		p = np
		// np <= end, so the value length's first byte is in bounds.
		s := 1
		if zm[p] >= zmBigLen {
			s = 5
		}
		if s > end-p {
			return n, corrupt("zipmap", p, "value length of %d bytes runs past the terminator", s)
		}
		vl := uint64(zm[p])
		if s == 5 {
			vl = uint64(binary.LittleEndian.Uint32(zm[p+1:]))
		}
		free := uint64(zm[p+s])
		d := p + s + 1
		if int64(vl+free) > int64(end-d) { // end-d may be -1
			return n, corrupt("zipmap", entry, "value of %d bytes and %d free bytes run past the terminator", vl, free)
		}
		value := zm[d : d+int(vl) : d+int(vl)]
		if fn != nil {
			if err := fn(key, value); err != nil {
				return n, err
			}
		}
		n++
		p = d + int(vl) + int(free)
	}
	if n == 0 {
		return 0, corrupt("zipmap", 1, "no entries")
	}
	if zm[0] != zmBigLen && int(zm[0]) != n {
		return n, corrupt("zipmap", 0, "zmlen %d does not match the %d pairs found", zm[0], n)
	}
	return n, nil
}

// zipmapString reads the key length and key at p and returns the key and
// the offset after it, which is at most len(zm)-1.
func zipmapString(zm []byte, p, entry int, what string) ([]byte, int, error) {
	end := len(zm) - 1
	s := 1
	if zm[p] >= zmBigLen {
		s = 5
	}
	if s > end-p {
		return nil, 0, corrupt("zipmap", p, "%s length of %d bytes runs past the terminator", what, s)
	}
	l := uint64(zm[p])
	if s == 5 {
		l = uint64(binary.LittleEndian.Uint32(zm[p+1:]))
	}
	d := p + s
	if l > uint64(end-d) {
		return nil, 0, corrupt("zipmap", entry, "%s of %d bytes runs past the terminator", what, l)
	}
	return zm[d : d+int(l) : d+int(l)], d + int(l), nil
}
