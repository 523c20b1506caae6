package resp

import (
	"math"
	"slices"
	"strconv"
)

// Commands.

// decLen returns the number of decimal digits of n >= 0.
func decLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// AppendCommand appends args as a RESP multibulk command,
// "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" per argument: the form Redis
// writes to its AOF. It grows dst once.
func AppendCommand(dst []byte, args ...[]byte) []byte { return appendCommand(dst, args) }

// AppendCommandString is AppendCommand for string arguments.
func AppendCommandString(dst []byte, args ...string) []byte { return appendCommand(dst, args) }

func appendCommand[T []byte | string](dst []byte, args []T) []byte {
	n := 1 + decLen(len(args)) + 2
	for _, a := range args {
		n += 1 + decLen(len(a)) + 2 + len(a) + 2
	}
	dst = slices.Grow(dst, n)
	dst = appendPrefixed(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = appendPrefixed(dst, '$', int64(len(a)))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendAnnotation appends the annotation line "#<text>\r\n", as Redis
// writes "#TS:<unix>" before a command. text must not contain '\n'.
func AppendAnnotation(dst, text []byte) []byte {
	dst = append(dst, '#')
	dst = append(dst, text...)
	return append(dst, '\r', '\n')
}

// appendPrefixed appends "<prefix><n>\r\n".
func appendPrefixed(dst []byte, prefix byte, n int64) []byte {
	dst = append(dst, prefix)
	if n >= 0 && n < 10 {
		dst = append(dst, byte('0'+n))
	} else {
		dst = strconv.AppendInt(dst, n, 10)
	}
	return append(dst, '\r', '\n')
}

// Replies. These append the RESP3 (or RESP2) form named, as is; the
// Writer chooses the form a RESP2 client understands.

// AppendSimpleString appends "+<s>\r\n". s must not contain CR or LF
// (Writer.WriteSimpleString replaces them).
func AppendSimpleString(dst []byte, s string) []byte {
	dst = append(dst, '+')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendError appends "-<msg>\r\n". msg should start with an error code
// such as "ERR " and must not contain CR or LF (Writer.WriteError replaces
// them).
func AppendError(dst []byte, msg string) []byte {
	dst = append(dst, '-')
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

// AppendInt appends the integer ":<n>\r\n".
func AppendInt(dst []byte, n int64) []byte { return appendPrefixed(dst, ':', n) }

// AppendBulk appends the bulk string "$<len>\r\n<b>\r\n".
func AppendBulk(dst, b []byte) []byte {
	dst = appendPrefixed(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends the bulk string "$<len>\r\n<s>\r\n".
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendPrefixed(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendNullBulk appends RESP2's null bulk string, "$-1\r\n".
func AppendNullBulk(dst []byte) []byte { return append(dst, "$-1\r\n"...) }

// AppendNullArray appends RESP2's null array, "*-1\r\n".
func AppendNullArray(dst []byte) []byte { return append(dst, "*-1\r\n"...) }

// AppendNull appends RESP3's null, "_\r\n".
func AppendNull(dst []byte) []byte { return append(dst, "_\r\n"...) }

// AppendArrayLen appends an array header "*<n>\r\n"; n elements follow.
func AppendArrayLen(dst []byte, n int) []byte { return appendPrefixed(dst, '*', int64(n)) }

// AppendMapLen appends a RESP3 map header "%<n>\r\n"; n key-value pairs
// (2n values) follow.
func AppendMapLen(dst []byte, n int) []byte { return appendPrefixed(dst, '%', int64(n)) }

// AppendSetLen appends a RESP3 set header "~<n>\r\n".
func AppendSetLen(dst []byte, n int) []byte { return appendPrefixed(dst, '~', int64(n)) }

// AppendPushLen appends a RESP3 push header "><n>\r\n".
func AppendPushLen(dst []byte, n int) []byte { return appendPrefixed(dst, '>', int64(n)) }

// AppendAttributeLen appends a RESP3 attribute header "|<n>\r\n"; n
// key-value pairs follow, then the value they describe.
func AppendAttributeLen(dst []byte, n int) []byte { return appendPrefixed(dst, '|', int64(n)) }

// AppendDouble appends the RESP3 double ",<f>\r\n", formatted as Redis
// 7.2+ formats doubles (see appendDoubleText).
func AppendDouble(dst []byte, f float64) []byte {
	dst = append(dst, ',')
	dst = appendDoubleText(dst, f)
	return append(dst, '\r', '\n')
}

// AppendBool appends the RESP3 boolean "#t\r\n" or "#f\r\n".
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "#t\r\n"...)
	}
	return append(dst, "#f\r\n"...)
}

// AppendBigNumber appends the RESP3 big number "(<digits>\r\n"; digits is
// an optional '-' and decimal digits.
func AppendBigNumber(dst []byte, digits string) []byte {
	dst = append(dst, '(')
	dst = append(dst, digits...)
	return append(dst, '\r', '\n')
}

// AppendVerbatim appends the RESP3 verbatim string
// "=<len>\r\n<format>:<s>\r\n"; format is 3 bytes, "txt" or "mkd".
func AppendVerbatim(dst []byte, format string, s []byte) []byte {
	dst = appendPrefixed(dst, '=', int64(len(format)+1+len(s)))
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBlobError appends the RESP3 blob error "!<len>\r\n<msg>\r\n".
func AppendBlobError(dst, msg []byte) []byte {
	dst = appendPrefixed(dst, '!', int64(len(msg)))
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

// AppendValue appends v in the wire form of its Type, attributes first. A
// Value of an unknown Type appends nothing.
func AppendValue(dst []byte, v Value) []byte {
	if n := len(v.Attrs) / 2; n > 0 { // pairs; an odd last value is dropped
		dst = AppendAttributeLen(dst, n)
		for _, a := range v.Attrs[:2*n] {
			dst = AppendValue(dst, a)
		}
	}
	switch v.Type {
	case TypeSimpleString:
		dst = append(dst, '+')
		dst = append(dst, v.Str...)
		dst = append(dst, '\r', '\n')
	case TypeSimpleError:
		dst = append(dst, '-')
		dst = append(dst, v.Str...)
		dst = append(dst, '\r', '\n')
	case TypeInteger:
		dst = AppendInt(dst, v.Int)
	case TypeBulkString:
		if v.Null {
			return AppendNullBulk(dst)
		}
		dst = AppendBulk(dst, v.Str)
	case TypeNull:
		dst = AppendNull(dst)
	case TypeDouble:
		dst = AppendDouble(dst, v.Float)
	case TypeBoolean:
		dst = AppendBool(dst, v.Bool)
	case TypeBlobError:
		dst = AppendBlobError(dst, v.Str)
	case TypeVerbatim:
		dst = AppendVerbatim(dst, v.Format, v.Str)
	case TypeBigNumber:
		dst = append(dst, '(')
		dst = append(dst, v.Str...)
		dst = append(dst, '\r', '\n')
	case TypeArray, TypeSet, TypePush, TypeMap:
		if v.Null && v.Type == TypeArray {
			return AppendNullArray(dst)
		}
		elems := v.Elems
		n := len(elems)
		if v.Type == TypeMap { // pairs; an odd last value is dropped
			n /= 2
			elems = elems[:2*n]
		}
		dst = appendPrefixed(dst, byte(v.Type), int64(n))
		for _, e := range elems {
			dst = AppendValue(dst, e)
		}
	}
	return dst
}

// appendDoubleText appends f as Redis 7.2+ does (d2string): "nan", "inf",
// "-inf", "0", "-0"; integral values within ±2^62 as integers; otherwise
// the shortest digits that round-trip, in plain notation when the decimal
// exponent is small and as d.ddde±x otherwise (fpconv's emit_digits).
// Redis 7.0 used "%.17g" instead; both parse back to the same float64.
func appendDoubleText(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// Shortest digits and exponent: "d.ddde±xx".
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	mant, exp := e, 0
	for i, c := range e {
		if c == 'e' {
			mant = e[:i]
			x, _ := strconv.Atoi(string(e[i+1:]))
			exp = x
			break
		}
	}
	var digits [24]byte
	nd := 0
	for _, c := range mant {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	// value = digits * 10^K
	k := exp - (nd - 1)
	absExp := exp
	if absExp < 0 {
		absExp = -absExp
	}
	switch {
	case k >= 0 && absExp < nd+7: // plain integer with trailing zeros
		dst = append(dst, digits[:nd]...)
		for range k {
			dst = append(dst, '0')
		}
		return dst
	case k < 0 && (k > -7 || absExp < 4): // plain decimal
		off := nd + k
		if off <= 0 {
			dst = append(dst, '0', '.')
			for range -off {
				dst = append(dst, '0')
			}
			return append(dst, digits[:nd]...)
		}
		dst = append(dst, digits[:off]...)
		dst = append(dst, '.')
		return append(dst, digits[off:nd]...)
	}
	dst = append(dst, digits[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:nd]...)
	}
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
	} else {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(absExp), 10)
}
