package keyspace

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/aofrdb/aofrdb/rdb"
)

// Bit commands on strings, as Redis 7.0's bitops.c implements them. Bit
// 0 is the most significant bit of the first byte.

func init() {
	register("setbit", 4, true, 1, 1, 1, setbitCommand)
	register("getbit", 3, false, 1, 1, 1, getbitCommand)
	register("bitop", -4, true, 2, -1, 1, bitopCommand)
	register("bitcount", -2, false, 1, 1, 1, bitcountCommand)
	register("bitpos", -3, false, 1, 1, 1, bitposCommand)
	register("bitfield", -2, true, 1, 1, 1, func(x *ctx) { bitfieldCommand(x, false) })
	register("bitfield_ro", -2, false, 1, 1, 1, func(x *ctx) { bitfieldCommand(x, true) })
}

const errBitOffset = "ERR bit offset is not an integer or out of range"

// bitOffset parses argument i as a bit offset, as getBitOffsetFromArgument
// does: with hash set and a width, "#n" means n*width. Offsets whose byte
// is past the maximum string size are refused.
func (x *ctx) bitOffset(i int, hash bool, width int) (uint64, bool) {
	p := x.arg(i)
	useHash := hash && width > 0 && len(p) > 0 && p[0] == '#'
	if useHash {
		p = p[1:]
	}
	n, ok := parseInt(p)
	if ok && useHash {
		n *= int64(width) // wraps as in C, and is refused below when it does
	}
	if !ok || n < 0 || n>>3 >= maxStringSize {
		x.err(errBitOffset)
		return 0, false
	}
	return uint64(n), true
}

// stringForBits finds key for changing bits up to bit maxbit, as
// lookupStringForBitCommand does: a missing key is created and a short
// string grown with zero bytes. grown reports either, which Redis counts
// as a change.
func (x *ctx) stringForBits(key []byte, maxbit uint64) (o *object, grown, ok bool) {
	o, ok = x.lookupWriteType(key, rdb.TypeString)
	if !ok {
		return nil, false, false
	}
	n := int(maxbit>>3) + 1
	if o == nil {
		o = &object{typ: rdb.TypeString, str: make([]byte, n)}
		x.set(key, o)
		return o, true, true
	}
	if len(o.str) < n {
		o.str = growZero(o.str, n)
		x.changed()
		grown = true
	}
	return o, grown, true
}

func setbitCommand(x *ctx) {
	const errBit = "ERR bit is not an integer or out of range"
	off, ok := x.bitOffset(2, false, 0)
	if !ok {
		return
	}
	on, ok := parseInt(x.arg(3))
	if !ok || on&^1 != 0 {
		x.err(errBit)
		return
	}
	o, grown, ok := x.stringForBits(x.arg(1), off)
	if !ok {
		return
	}
	i, mask := off>>3, byte(1)<<(7-off&7)
	old := o.str[i]&mask != 0
	if grown || old != (on == 1) {
		o.str[i] &^= mask
		if on == 1 {
			o.str[i] |= mask
		}
		x.changed()
	}
	x.reply().Bool(old)
}

func getbitCommand(x *ctx) {
	off, ok := x.bitOffset(2, false, 0)
	if !ok {
		return
	}
	o, ok := x.lookupType(x.arg(1), rdb.TypeString)
	if !ok {
		return
	}
	set := o != nil && off>>3 < uint64(len(o.str)) && o.str[off>>3]&(1<<(7-off&7)) != 0
	x.reply().Bool(set)
}

// BITOP operations.
const (
	bitAnd = iota
	bitOr
	bitXor
	bitNot
)

func bitopCommand(x *ctx) {
	var op int
	switch name := cword(x.arg(1)); {
	case equalFold(name, "and"):
		op = bitAnd
	case equalFold(name, "or"):
		op = bitOr
	case equalFold(name, "xor"):
		op = bitXor
	case equalFold(name, "not"):
		op = bitNot
	default:
		x.err(errSyntax)
		return
	}
	if op == bitNot && x.nargs() != 4 {
		x.err("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, x.nargs()-3)
	maxlen := 0
	for _, k := range x.c.Args[3:] {
		o, ok := x.lookupType(k, rdb.TypeString)
		if !ok {
			return
		}
		var s []byte
		if o != nil {
			s = o.str
		}
		srcs = append(srcs, s)
		maxlen = max(maxlen, len(s))
	}
	target := x.arg(2)
	if maxlen == 0 {
		x.delete(target)
		x.reply().Int(0)
		return
	}
	res := make([]byte, maxlen)
	copy(res, srcs[0])
	for _, s := range srcs[1:] {
		switch op {
		case bitAnd:
			for i, b := range s {
				res[i] &= b
			}
			clear(res[len(s):])
		case bitOr:
			for i, b := range s {
				res[i] |= b
			}
		case bitXor:
			for i, b := range s {
				res[i] ^= b
			}
		}
	}
	if op == bitNot {
		for i := range res {
			res[i] = ^res[i]
		}
	}
	x.setOwned(target, res, x.lookupWrite(target), false, 0)
	x.reply().Int(int64(maxlen))
}

// popcount counts the set bits of b.
func popcount(b []byte) int64 {
	n := 0
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// bitRange turns start and end (indexes of bytes, or of bits when isBit,
// negative from the end) into a range of bytes of a string of n bytes,
// as BITCOUNT and BITPOS do: with bits, the masks select the bits of the
// first and last bytes outside the range. The range is empty when
// start > end.
func bitRange(n, start, end int64, isBit bool) (s, e int64, firstMask, lastMask byte) {
	total := n
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if isBit && start <= end {
		firstMask = byte(0xff) << (8 - start&7) // bits before start
		lastMask = byte(1)<<(7-end&7) - 1       // bits after end
		start >>= 3
		end >>= 3
	}
	return start, end, firstMask, lastMask
}

// isBitUnit parses argument i, BIT or BYTE.
func (x *ctx) isBitUnit(i int) (isBit, ok bool) {
	switch u := cword(x.arg(i)); {
	case equalFold(u, "bit"):
		return true, true
	case equalFold(u, "byte"):
		return false, true
	}
	x.err(errSyntax)
	return false, false
}

func bitcountCommand(x *ctx) {
	o, ok := x.lookupType(x.arg(1), rdb.TypeString)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Int(0)
		return
	}
	p := o.str
	var start, end int64
	var firstMask, lastMask byte
	switch x.nargs() {
	case 4, 5:
		if start, ok = x.argInt(2); !ok {
			return
		}
		if end, ok = x.argInt(3); !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			x.reply().Int(0)
			return
		}
		isBit := false
		if x.nargs() == 5 {
			if isBit, ok = x.isBitUnit(4); !ok {
				return
			}
		}
		start, end, firstMask, lastMask = bitRange(int64(len(p)), start, end, isBit)
	case 2:
		start, end = 0, int64(len(p))-1
	default:
		x.err(errSyntax)
		return
	}
	if start > end {
		x.reply().Int(0)
		return
	}
	n := popcount(p[start : end+1])
	n -= int64(bits.OnesCount8(p[start]&firstMask) + bits.OnesCount8(p[end]&lastMask))
	x.reply().Int(n)
}

// bitpos returns the position of the first bit of p equal to bit, as
// redisBitpos does: -1 when looking for a 1 that is not there, and the
// bit just past p when looking for a 0 that is not there.
func bitpos(p []byte, bit bool) int64 {
	skip := byte(0)
	if !bit {
		skip = 0xff
	}
	for i, c := range p {
		if c != skip {
			if !bit {
				c = ^c
			}
			return int64(i)*8 + int64(bits.LeadingZeros8(c))
		}
	}
	if bit {
		return -1
	}
	return int64(len(p)) * 8
}

func bitposCommand(x *ctx) {
	b, ok := parseInt(x.arg(2))
	if !ok {
		x.err(errNotInt)
		return
	}
	if b != 0 && b != 1 {
		x.err("ERR The bit argument must be 1 or 0.")
		return
	}
	bit := b == 1
	o, ok := x.lookupType(x.arg(1), rdb.TypeString)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Int(-b)
		return
	}
	p := o.str
	var start, end int64
	var firstMask, lastMask byte
	endGiven := false
	switch x.nargs() {
	case 4, 5, 6:
		if start, ok = x.argInt(3); !ok {
			return
		}
		isBit := false
		if x.nargs() == 6 {
			if isBit, ok = x.isBitUnit(5); !ok {
				return
			}
		}
		if x.nargs() >= 5 {
			if end, ok = x.argInt(4); !ok {
				return
			}
			endGiven = true
		} else {
			end = int64(len(p)) - 1
		}
		start, end, firstMask, lastMask = bitRange(int64(len(p)), start, end, isBit)
	case 3:
		start, end = 0, int64(len(p))-1
	default:
		x.err(errSyntax)
		return
	}
	if start > end {
		x.reply().Int(-1)
		return
	}
	x.reply().Int(bitposRange(p, start, end, firstMask, lastMask, bit, endGiven))
}

// bitposRange is BITPOS's search in the bytes start..end of p, leaving
// out the bits of the first and last bytes that the masks select.
func bitposRange(p []byte, start, end int64, firstMask, lastMask byte, bit, endGiven bool) int64 {
	// masked returns c with the bits of mask made unable to match.
	masked := func(c, mask byte) byte {
		if bit {
			return c &^ mask
		}
		return c | mask
	}
	n := end - start + 1
	var pos int64
	for once := true; once; once = false {
		if firstMask != 0 {
			c := masked(p[start], firstMask)
			if lastMask != 0 && n == 1 {
				c = masked(c, lastMask)
			}
			pos = bitpos([]byte{c}, bit)
			if n == 1 || pos != -1 && pos != 8 {
				break
			}
			start++
			n--
		}
		cur := n
		if lastMask != 0 {
			cur--
		}
		if cur > 0 {
			pos = bitpos(p[start:start+cur], bit)
			if n == cur || pos != -1 && pos != cur<<3 {
				break
			}
			start += cur
			n -= cur
		}
		pos = bitpos([]byte{masked(p[end], lastMask)}, bit)
	}
	if endGiven && !bit && pos == n<<3 {
		return -1
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos
}

// ---- BITFIELD ----

// BITFIELD overflow behaviours.
const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

// bitfieldOp is one GET, SET or INCRBY of a BITFIELD command.
type bitfieldOp struct {
	offset   uint64
	value    int64 // SET's value, INCRBY's increment
	op       byte  // 'g', 's' or 'i'
	overflow int
	bits     int
	signed   bool
}

// bitfieldType parses argument i, a type such as i16 or u8, as
// getBitfieldTypeFromArgument does.
func (x *ctx) bitfieldType(i int) (signed bool, width int, ok bool) {
	p := x.arg(i)
	if len(p) > 0 && (p[0] == 'i' || p[0] == 'u') {
		signed = p[0] == 'i'
		n, ok := parseInt(cword(p[1:]))
		if ok && n >= 1 && (signed && n <= 64 || !signed && n <= 63) {
			return signed, int(n), true
		}
	}
	x.err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	return false, 0, false
}

// parseBitfield parses BITFIELD's subcommands. It returns the operations
// and whether any writes.
func parseBitfield(x *ctx) (ops []bitfieldOp, writes, ok bool) {
	overflow := overflowWrap
	for j := 2; j < x.nargs(); j++ {
		rem := x.nargs() - j - 1
		sub := cword(x.arg(j))
		var op bitfieldOp
		switch {
		case equalFold(sub, "get") && rem >= 2:
			op.op = 'g'
		case equalFold(sub, "set") && rem >= 3:
			op.op = 's'
		case equalFold(sub, "incrby") && rem >= 3:
			op.op = 'i'
		case equalFold(sub, "overflow") && rem >= 1:
			j++
			switch t := cword(x.arg(j)); {
			case equalFold(t, "wrap"):
				overflow = overflowWrap
			case equalFold(t, "sat"):
				overflow = overflowSat
			case equalFold(t, "fail"):
				overflow = overflowFail
			default:
				x.err("ERR Invalid OVERFLOW type specified")
				return nil, false, false
			}
			continue
		default:
			x.err(errSyntax)
			return nil, false, false
		}
		op.overflow = overflow
		if op.signed, op.bits, ok = x.bitfieldType(j + 1); !ok {
			return nil, false, false
		}
		if op.offset, ok = x.bitOffset(j+2, true, op.bits); !ok {
			return nil, false, false
		}
		if op.op != 'g' {
			writes = true
			if op.value, ok = x.argInt(j + 3); !ok {
				return nil, false, false
			}
			j++
		}
		j += 2
		ops = append(ops, op)
	}
	return ops, writes, true
}

func bitfieldCommand(x *ctx, readOnly bool) {
	ops, writes, ok := parseBitfield(x)
	if !ok {
		return
	}
	key := x.arg(1)
	var o *object
	if !writes {
		if o, ok = x.lookupType(key, rdb.TypeString); !ok {
			return
		}
	} else {
		if readOnly {
			x.err("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		var highest uint64
		for _, op := range ops {
			if op.op != 'g' {
				highest = max(highest, op.offset+uint64(op.bits)-1)
			}
		}
		if o, _, ok = x.stringForBits(key, highest); !ok {
			return
		}
	}
	r := x.reply()
	r.Array(len(ops))
	changes := 0
	for _, op := range ops {
		if op.op == 'g' {
			// Read through a zero-padded copy of the 9 bytes the
			// field may span.
			var buf [9]byte
			if o != nil && op.offset>>3 < uint64(len(o.str)) {
				copy(buf[:], o.str[op.offset>>3:])
			}
			off := op.offset & 7
			if op.signed {
				r.Int(getSignedBitfield(buf[:], off, op.bits))
			} else {
				r.Int(int64(getUnsignedBitfield(buf[:], off, op.bits)))
			}
			continue
		}
		var old, nv, ret uint64
		var overflow bool
		if op.signed {
			o64 := getSignedBitfield(o.str, op.offset, op.bits)
			var v, limit int64
			if op.op == 'i' {
				limit, overflow = checkSignedBitfieldOverflow(o64, op.value, op.bits, op.overflow)
				v = o64 + op.value
				if overflow {
					v = limit
				}
				ret = uint64(v)
			} else {
				v = op.value
				if limit, overflow = checkSignedBitfieldOverflow(v, 0, op.bits, op.overflow); overflow {
					v = limit
				}
				ret = uint64(o64)
			}
			old, nv = uint64(o64), uint64(v)
		} else {
			old = getUnsignedBitfield(o.str, op.offset, op.bits)
			var limit uint64
			if op.op == 'i' {
				limit, overflow = checkUnsignedBitfieldOverflow(old, op.value, op.bits, op.overflow)
				nv = old + uint64(op.value)
				if overflow {
					nv = limit
				}
				ret = nv
			} else {
				nv = uint64(op.value)
				if limit, overflow = checkUnsignedBitfieldOverflow(nv, 0, op.bits, op.overflow); overflow {
					nv = limit
				}
				ret = old
			}
		}
		if overflow && op.overflow == overflowFail {
			r.Null()
			continue
		}
		r.Int(int64(ret))
		setUnsignedBitfield(o.str, op.offset, op.bits, nv)
		if old != nv {
			changes++
		}
	}
	if changes > 0 {
		x.changed()
	}
}

// getUnsignedBitfield reads the width bits at bit offset off of p.
func getUnsignedBitfield(p []byte, off uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		bit := p[off>>3] >> (7 - off&7) & 1
		v = v<<1 | uint64(bit)
		off++
	}
	return v
}

// getSignedBitfield reads a two's complement field.
func getSignedBitfield(p []byte, off uint64, width int) int64 {
	v := getUnsignedBitfield(p, off, width)
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width
	}
	return int64(v)
}

// setUnsignedBitfield writes the low width bits of v at bit offset off
// of p.
func setUnsignedBitfield(p []byte, off uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		mask := byte(1) << (7 - off&7)
		if v&(1<<(width-1-j)) != 0 {
			p[off>>3] |= mask
		} else {
			p[off>>3] &^= mask
		}
		off++
	}
}

// checkUnsignedBitfieldOverflow reports whether value+incr overflows an
// unsigned field of width bits, and the value to store then (wrapped or
// saturated; unused for FAIL), with the exact arithmetic of Redis's
// function of that name.
func checkUnsignedBitfieldOverflow(value uint64, incr int64, width, overflow int) (uint64, bool) {
	max := uint64(1)<<width - 1
	maxincr := int64(max - value)
	minincr := -int64(value)
	var limit uint64
	switch {
	case value > max || incr > 0 && incr > maxincr:
		limit = max
	case incr < 0 && incr < minincr:
		limit = 0
	default:
		return 0, false
	}
	if overflow == overflowWrap {
		limit = (value + uint64(incr)) &^ (math.MaxUint64 << width)
	}
	return limit, true
}

// checkSignedBitfieldOverflow is checkUnsignedBitfieldOverflow for a
// signed field, again with Redis's exact (wrapping) arithmetic.
func checkSignedBitfieldOverflow(value, incr int64, width, overflow int) (int64, bool) {
	max := int64(math.MaxInt64)
	if width < 64 {
		max = int64(1)<<(width-1) - 1
	}
	min := -max - 1
	maxincr := int64(uint64(max) - uint64(value))
	minincr := min - value
	var limit int64
	switch {
	case value > max || width != 64 && incr > maxincr || value >= 0 && incr > 0 && incr > maxincr:
		limit = max
	case value < min || width != 64 && incr < minincr || value < 0 && incr < 0 && incr < minincr:
		limit = min
	default:
		return 0, false
	}
	if overflow == overflowWrap {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		limit = int64(c)
	}
	return limit, true
}
