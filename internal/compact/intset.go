package compact

import "encoding/binary"

// IntsetEach validates is as deeply as Redis's intsetValidateIntegrity with
// deep checking does and calls fn, if not nil, for each value in order.
//
// Checked: len(is) >= 8; the encoding (bytes per value) is 2, 4 or 8;
// 8 + length*encoding equals len(is); length is not 0; the values are
// strictly ascending.
//
// fn, errors and the result are as for ListpackEach.
func IntsetEach(is []byte, fn func(int64) error) (int, error) {
	if len(is) < 8 {
		return 0, corrupt("intset", 0, "%d bytes is shorter than the 8-byte header", len(is))
	}
	w := binary.LittleEndian.Uint32(is)
	if w != 2 && w != 4 && w != 8 {
		return 0, corrupt("intset", 0, "invalid encoding %d", w)
	}
	count := binary.LittleEndian.Uint32(is[4:])
	if 8+uint64(count)*uint64(w) != uint64(len(is)) {
		return 0, corrupt("intset", 4, "%d values of %d bytes do not fill the %d-byte blob", count, w, len(is))
	}
	if count == 0 {
		return 0, corrupt("intset", 4, "empty intset")
	}
	var prev int64
	n := 0
	for p := 8; p < len(is); p += int(w) {
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(is[p:])))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(is[p:])))
		default:
			v = int64(binary.LittleEndian.Uint64(is[p:]))
		}
		if n > 0 && v <= prev {
			return n, corrupt("intset", p, "value %d does not follow %d in ascending order", v, prev)
		}
		if fn != nil {
			if err := fn(v); err != nil {
				return n, err
			}
		}
		prev = v
		n++
	}
	return n, nil
}
