package compact

import "strconv"

// Element is one entry of a listpack or ziplist: an integer or a string.
type Element struct {
	Str   []byte // when !IsInt; aliases the blob
	Int   int64  // when IsInt
	IsInt bool
}

// AppendText appends the element as Redis returns it: strings as is,
// integers in decimal.
func (e Element) AppendText(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// String returns the element's text (see AppendText).
func (e Element) String() string {
	if e.IsInt {
		return strconv.FormatInt(e.Int, 10)
	}
	return string(e.Str)
}

// maxIntText is the longest canonical int64 decimal: "-9223372036854775808".
const maxIntText = 20

// ParseInt parses s as Redis's string2ll and lpStringToInt64 do: it accepts
// exactly the canonical decimal text of an int64 (an optional '-', then no
// leading zeros, no '+', no spaces or other bytes, "-0" rejected, at most
// 20 bytes, no overflow), so that a value accepted here prints back as s.
// Redis stores such strings as integers in listpacks and RDB strings.
func ParseInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > maxIntText {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if len(s) == 0 {
			return 0, false
		}
	}
	if s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		d := uint64(c - '0')
		if d > 9 {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		if v > 1<<64-1-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
