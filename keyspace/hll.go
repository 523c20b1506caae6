package keyspace

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// HyperLogLog commands, as Redis 7.0's hyperloglog.c implements them.
//
// A HyperLogLog is a string value: a 16-byte header ("HYLL", an
// encoding byte, three unused bytes, and the cached cardinality, 8
// bytes little endian whose top bit marks it stale) followed by 16384
// registers of 6 bits, either dense (12288 bytes, packed from the
// least significant bit) or sparse (run-length opcodes: ZERO 00xxxxxx
// for up to 64 zero registers, XZERO 01xxxxxx xxxxxxxx for up to
// 16384, VAL 1vvvvvxx for up to 4 registers of value 1 to 32). The
// commands change the string's bytes exactly as Redis does, so a key's
// bytes (GET, DUMP, RDB, AOF) are the bytes redis-server would hold:
// the same opcodes, the same merging of runs, the promotion to dense at
// the same moment, the same cached cardinality and stale bit.
//
// The commands work on the string in place (after private, as SETRANGE
// does) and allocate nothing per register. They read a corrupt value
// within the bounds that redis-server 7.0.15 as distributions ship it
// checks (with the fix of CVE-2025-32023: sparse opcodes must cover
// exactly the 16384 registers, none past them), and read a byte past
// the end of a value as the NUL that ends Redis's strings.
//
// Where they differ from Redis, on purpose, on corrupt values only:
//
//   - A PFADD that fails part way through its elements changes
//     nothing. Redis keeps what the elements before the failing one
//     changed, but does not propagate it, so its own AOF does not hold
//     it either.
//   - When the opcodes of a corrupt sparse value end with the first byte
//     of an XZERO whose run a PFADD or PFMERGE splits, Redis writes the
//     last byte of the new opcodes past the end of its string, where a
//     later command may read it back as that XZERO's second byte; here
//     the byte past the end always reads as NUL, as in Redis once it
//     has loaded the value from its RDB or AOF.

func init() {
	register("pfadd", -2, true, 1, 1, 1, pfaddCommand)
	// PFCOUNT is a read in Redis that may write the cached cardinality
	// back, and then propagates itself: it asks for the write turn only
	// when it has to (see pfcountCommand).
	register("pfcount", -2, false, 1, -1, 1, pfcountCommand)
	register("pfmerge", -2, true, 1, -1, 1, pfmergeCommand)
	register("pfdebug", 3, true, 2, 2, 1, pfdebugCommand)
	register("pfselftest", 1, false, 0, 0, 0, pfselftestCommand)
}

// Layout of Redis's HyperLogLog (HLL_* in hyperloglog.c).
const (
	hllP            = 14             // bits of the hash that pick the register
	hllQ            = 64 - hllP      // bits left to count zeros in
	hllRegisters    = 1 << hllP      // 16384
	hllBits         = 6              // bits per register
	hllRegMax       = 1<<hllBits - 1 // 63
	hllHdrSize      = 16             // "HYLL", encoding, 3 unused, cardinality
	hllRegBytes     = hllRegisters * hllBits / 8
	hllDenseSize    = hllHdrSize + hllRegBytes // 12304
	hllEncDense     = 0
	hllEncSparse    = 1
	hllCardOff      = 8 // the cached cardinality
	hllStaleBit     = 0x80
	hllSparseMaxLen = 3000 // hll-sparse-max-bytes: Redis's default
	hllValMax       = 32   // the largest value a VAL opcode holds
	hllValMaxLen    = 4    // registers a VAL opcode covers at most
	hllZeroMaxLen   = 64   // registers a ZERO opcode covers at most
	hllXZeroMaxLen  = 16384
	hllAlphaInf     = 0.721347520444481703680 // 0.5/ln(2)
	hllSeed         = 0xadc83b19
)

// Error replies of the HyperLogLog commands.
const (
	errHLLType    = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errHLLCorrupt = "INVALIDOBJ Corrupted HLL object detected"
)

// ---- hashing ----

// murmurHash64A is MurmurHash2's 64-bit version as Redis has it: the
// input read as little-endian words whatever the machine.
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(key))*m
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	if len(key) > 0 {
		for i := len(key) - 1; i >= 0; i-- {
			h ^= uint64(key[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen returns the register an element falls in and the length
// of the run of zeros, plus one, in the rest of its hash (hllPatLen):
// 1 to hllQ+1.
func hllPatLen(ele []byte) (index int, count uint8) {
	h := murmurHash64A(ele, hllSeed)
	index = int(h & (hllRegisters - 1))
	h >>= hllP
	h |= 1 << hllQ
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// ---- dense registers ----

// denseGet returns register i of the packed registers r (12288 bytes).
func denseGet(r []byte, i int) uint8 {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	v := uint(r[b]) >> fb
	if b+1 < len(r) {
		v |= uint(r[b+1]) << (8 - fb)
	}
	return uint8(v & hllRegMax)
}

// denseSet sets register i of r to v (at most hllRegMax).
func denseSet(r []byte, i int, v uint8) {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	r[b] = r[b]&^byte(hllRegMax<<fb) | byte(uint(v)<<fb)
	if b+1 < len(r) {
		r[b+1] = r[b+1]&^byte(hllRegMax>>(8-fb)) | byte(uint(v)>>(8-fb))
	}
}

// denseRaise sets register i of r to count if that is larger, and
// reports whether it was (hllDenseSet).
func denseRaise(r []byte, i int, count uint8) bool {
	if count > denseGet(r, i) {
		denseSet(r, i, count)
		return true
	}
	return false
}

// ---- sparse opcodes ----

// Sparse opcode kinds.
const (
	opZero = iota
	opXZero
	opVal
)

// sparseOp decodes the opcode at s[p]: its kind, the registers it
// covers, its value (VAL) and its length in bytes. The second byte of an
// XZERO at the very end reads as 0, the NUL after Redis's strings.
func sparseOp(s []byte, p int) (kind, run int, val uint8, n int) {
	c := s[p]
	switch {
	case c&0xc0 == 0:
		return opZero, int(c&0x3f) + 1, 0, 1
	case c&0x80 != 0:
		return opVal, int(c&3) + 1, c>>2&0x1f + 1, 1
	}
	var lo byte
	if p+1 < len(s) {
		lo = s[p+1]
	}
	return opXZero, int(c&0x3f)<<8 | int(lo) + 1, 0, 2
}

func valOp(val uint8, run int) byte { return 0x80 | (val-1)<<2 | byte(run-1) }

// appendZeros appends the shortest opcode for a run of zero registers
// (at most hllXZeroMaxLen): ZERO up to 64, else XZERO.
func appendZeros(dst []byte, run int) []byte {
	if run > hllZeroMaxLen {
		return append(dst, 0x40|byte((run-1)>>8), byte(run-1))
	}
	return append(dst, byte(run-1))
}

// newHLL returns an empty sparse HyperLogLog (createHLLObject): the
// header and one XZERO for all the registers.
func newHLL() []byte {
	s := make([]byte, hllHdrSize, hllHdrSize+8)
	copy(s, "HYLL")
	s[4] = hllEncSparse
	return appendZeros(s, hllXZeroMaxLen)
}

// sparseEach calls fn for each VAL opcode of the sparse registers of s
// with the first register it covers, and reports whether the opcodes
// cover exactly all the registers; it stops at the first opcode that
// would pass the last register. This is hllSparseToDense's and
// hllMerge's walk with the bounds that the fix of CVE-2025-32023 added
// (in the redis-server 7.0.15 that Debian and others ship): an opcode
// past the end makes the value corrupt, whatever its kind.
func sparseEach(s []byte, fn func(first, run int, val uint8)) bool {
	idx := 0
	for p := hllHdrSize; p < len(s); {
		kind, run, val, n := sparseOp(s, p)
		if idx+run > hllRegisters {
			return false
		}
		if kind == opVal {
			fn(idx, run, val)
		}
		idx += run
		p += n
	}
	return idx == hllRegisters
}

// sparseToDense returns the dense form of the sparse s, with s's header
// (cached cardinality included), or false when s is corrupt.
func sparseToDense(s []byte) ([]byte, bool) {
	d := make([]byte, hllDenseSize)
	copy(d, s[:hllHdrSize])
	d[4] = hllEncDense
	r := d[hllHdrSize:]
	ok := sparseEach(s, func(first, run int, val uint8) {
		for i := first; i < first+run; i++ {
			denseSet(r, i, val)
		}
	})
	return d, ok
}

// sparseClean reports whether the opcodes of s cover exactly the
// registers and end at its end, as every sparse value the commands make
// does. Changing a clean value cannot fail.
func sparseClean(s []byte) bool {
	idx := 0
	for p := hllHdrSize; p < len(s); {
		kind, run, _, n := sparseOp(s, p)
		if kind == opXZero && p+1 >= len(s) {
			return false
		}
		p += n
		idx += run
		if idx > hllRegisters {
			return false
		}
	}
	return idx == hllRegisters
}

// sparseSet raises register index of the sparse HLL s to count if that
// is larger (hllSparseSet), changing s in place where it can: it
// returns the value, possibly moved or promoted to dense, and 1 if the
// register changed, 0 if not, -1 if s is corrupt (s unchanged).
//
// It promotes s to dense, as Redis does, when count is more than a VAL
// opcode holds, or when the change would grow s past maxLen bytes.
func sparseSet(s []byte, index int, count uint8, maxLen int) ([]byte, int) {
	if count > hllValMax {
		return promote(s, index, count)
	}
	// Step 1: find the opcode covering the register, and the one
	// before it.
	p, first, prev, span := hllHdrSize, 0, -1, 0
	for p < len(s) {
		var n int
		_, span, _, n = sparseOp(s, p)
		if index <= first+span-1 {
			break
		}
		prev = p
		p += n
		first += span
	}
	if span == 0 || p >= len(s) {
		return s, -1
	}
	kind, run, cur, oldLen := sparseOp(s, p)

	// Step 2: the simple cases change the opcode in place; the others
	// split it into up to three.
	switch {
	case kind == opVal && cur >= count:
		return s, 0
	case kind == opVal && run == 1, kind == opZero && run == 1:
		s[p] = valOp(count, 1)
	default:
		var buf [5]byte
		seq := buf[:0]
		last := first + span - 1
		if kind == opVal {
			if index != first {
				seq = append(seq, valOp(cur, index-first))
			}
			seq = append(seq, valOp(count, 1))
			if index != last {
				seq = append(seq, valOp(cur, last-index))
			}
		} else {
			if index != first {
				seq = appendZeros(seq, index-first)
			}
			seq = append(seq, valOp(count, 1))
			if index != last {
				seq = appendZeros(seq, last-index)
			}
		}
		// Step 3: put seq in the opcode's place.
		delta := len(seq) - oldLen
		if delta > 0 && len(s)+delta > maxLen {
			return promote(s, index, count)
		}
		s = splice(s, p, oldLen, seq)
	}

	// Step 4: merge adjacent VAL opcodes of equal value, looking at up
	// to five opcodes from the one before the change.
	q := prev
	if q < 0 {
		q = hllHdrSize
	}
	for scan := 5; q < len(s) && scan > 0; scan-- {
		c := s[q]
		switch {
		case c&0xc0 == 0x40:
			q += 2
			continue
		case c&0xc0 == 0:
			q++
			continue
		}
		if q+1 < len(s) && s[q+1]&0x80 != 0 {
			_, run1, v1, _ := sparseOp(s, q)
			_, run2, v2, _ := sparseOp(s, q+1)
			if v1 == v2 && run1+run2 <= hllValMaxLen {
				s[q+1] = valOp(v1, run1+run2)
				s = append(s[:q], s[q+1:]...)
				continue // and try the merged opcode with the next
			}
		}
		q++
	}
	s[hllHdrSize-1] |= hllStaleBit
	return s, 1
}

// splice replaces the oldLen bytes of the opcode at s[p] with seq, as
// Redis moves the bytes after it. An XZERO cut short by the end of s
// (its second byte read as the NUL after it) leaves s one byte shorter
// than a whole one would, as in Redis, whose last byte of seq then
// lands past the end.
func splice(s []byte, p, oldLen int, seq []byte) []byte {
	if p+oldLen > len(s) {
		return append(s[:p], seq[:len(seq)-1]...)
	}
	n := len(s) + len(seq) - oldLen
	if len(seq) > oldLen {
		s = append(s, seq[:len(seq)-oldLen]...) // room; overwritten below
	}
	copy(s[p+len(seq):], s[p+oldLen:])
	copy(s[p:], seq)
	return s[:n]
}

// promote turns the sparse s into dense and sets the register there.
func promote(s []byte, index int, count uint8) ([]byte, int) {
	d, ok := sparseToDense(s)
	if !ok {
		return s, -1
	}
	denseSet(d[hllHdrSize:], index, count) // larger than any sparse value
	return d, 1
}

// ---- cardinality ----

// hllHisto counts the registers of each value of the HLL s (whose
// encoding is dense or sparse) into h. For a sparse s it reports false
// when the opcodes do not cover exactly the registers
// (hllSparseRegHisto, with the bounds of sparseEach).
func hllHisto(s []byte, h *[64]int) bool {
	if s[4] == hllEncDense {
		r := s[hllHdrSize:hllDenseSize]
		for len(r) >= 3 {
			// Four registers in three bytes.
			h[r[0]&63]++
			h[(r[0]>>6|r[1]<<2)&63]++
			h[(r[1]>>4|r[2]<<4)&63]++
			h[r[2]>>2]++
			r = r[3:]
		}
		return true
	}
	idx := 0
	for p := hllHdrSize; p < len(s); {
		_, run, val, n := sparseOp(s, p)
		if idx+run > hllRegisters {
			return false
		}
		h[val] += run // ZERO and XZERO have val 0
		idx += run
		p += n
	}
	return idx == hllRegisters
}

// hllEstimate returns the cardinality estimated from a histogram of
// register values, with the estimator of Redis 7.0 (Otmar Ertl, "New
// cardinality estimation algorithms for HyperLogLog sketches"), in the
// same floating-point steps, so the result is Redis's bit for bit. The
// explicit float64 conversions keep the compiler from fusing a multiply
// and an add, which Redis's build does not do either.
func hllEstimate(h *[64]int) uint64 {
	m := float64(hllRegisters)
	z := m * hllTau((m-float64(h[hllQ+1]))/m)
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(h[0])/m))
	alpha := float64(hllAlphaInf)
	e := math.Round(alpha * m * m / z)
	// llroundl of a value past int64 (or of +Inf when z is 0, which a
	// corrupt dense value can give) is LLONG_MIN, which Redis turns into
	// a double and then to uint64: 1<<63 either way.
	if !(e < 1<<63) {
		return 1 << 63
	}
	return uint64(e)
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += float64(x * y)
		y += y
		if z == prev {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if z == prev {
			return z / 3
		}
	}
}

// hllMerge raises each of the registers max to the HLL s's (hllMerge),
// reporting false for a corrupt sparse s.
func hllMerge(max *[hllRegisters]uint8, s []byte) bool {
	if s[4] == hllEncDense {
		r := s[hllHdrSize:hllDenseSize]
		for i := range max {
			if v := denseGet(r, i); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	return sparseEach(s, func(first, run int, val uint8) {
		for i := first; i < first+run; i++ {
			if val > max[i] {
				max[i] = val
			}
		}
	})
}

// ---- commands ----

// checkHLL replies and returns false unless o is a string holding a
// HyperLogLog (isHLLObjectOrReply): the magic, a known encoding, and a
// dense one's exact length. Sparse opcodes are checked as they are read.
func (x *ctx) checkHLL(o *object) bool {
	if o.typ != rdb.TypeString {
		x.err(errWrongType)
		return false
	}
	s := o.str
	if len(s) < hllHdrSize || string(s[:4]) != "HYLL" || s[4] > hllEncSparse ||
		s[4] == hllEncDense && len(s) != hllDenseSize {
		x.err(errHLLType)
		return false
	}
	return true
}

// own returns o, the object of key in the current database, ready to be
// changed in place (see private).
func (x *ctx) own(key []byte, o *object) *object { return x.m.private(x.c.DB, key, o) }

func pfaddCommand(x *ctx) {
	key := x.arg(1)
	o := x.lookup(key)
	created := o == nil
	if created {
		o = &object{typ: rdb.TypeString, str: newHLL()}
		x.set(key, o)
	} else if !x.checkHLL(o) {
		return
	}
	// v is the value being changed: o.str itself, from when o is owned
	// (see own), or for a corrupt sparse value a copy, which a failure
	// part way leaves behind.
	owned, updated := created, created
	v := o.str
	for _, ele := range x.c.Args[2:] {
		index, count := hllPatLen(ele)
		if v[4] == hllEncDense && count <= denseGet(v[hllHdrSize:], index) {
			continue
		}
		if !owned {
			o, owned = x.own(key, o), true
			v = o.str
			if v[4] == hllEncSparse && !sparseClean(v) {
				v = bytes.Clone(v)
			}
		}
		if v[4] == hllEncDense {
			denseSet(v[hllHdrSize:], index, count)
			updated = true
			continue
		}
		var r int
		v, r = sparseSet(v, index, count, hllSparseMaxLen)
		if r < 0 {
			x.err(errHLLCorrupt)
			return
		}
		updated = updated || r > 0
	}
	if !updated {
		x.reply().Int(0)
		return
	}
	v[hllHdrSize-1] |= hllStaleBit
	o.str = v
	x.changed()
	x.reply().Int(1)
}

func pfcountCommand(x *ctx) {
	if x.nargs() > 2 {
		// The cardinality of the union, in a temporary: changes nothing.
		var max [hllRegisters]uint8
		if _, ok := x.hllUnion(&max, x.c.Args[1:]); !ok {
			return
		}
		var h [64]int
		for _, v := range max {
			h[v]++
		}
		x.reply().Int(int64(hllEstimate(&h)))
		return
	}
	key := x.arg(1)
	o := x.lookup(key)
	if o == nil {
		x.reply().Int(0)
		return
	}
	if !x.checkHLL(o) {
		return
	}
	if o.str[hllHdrSize-1]&hllStaleBit == 0 {
		x.reply().Int(int64(binary.LittleEndian.Uint64(o.str[hllCardOff:])))
		return
	}
	var h [64]int
	if !hllHisto(o.str, &h) {
		x.err(errHLLCorrupt)
		return
	}
	card := hllEstimate(&h)
	// Redis writes the cardinality back into the value and propagates
	// the PFCOUNT: that needs the write turn.
	if !x.c.Write {
		x.needWrite = true
		return
	}
	o = x.own(key, o)
	binary.LittleEndian.PutUint64(o.str[hllCardOff:], card)
	x.changed()
	x.reply().Int(int64(card))
}

// hllUnion merges the HyperLogLogs at keys (a missing key is empty)
// into max, and reports whether one of them is dense. It replies the
// error and reports false for a value that is not a valid HyperLogLog.
func (x *ctx) hllUnion(max *[hllRegisters]uint8, keys [][]byte) (dense, ok bool) {
	for _, key := range keys {
		o := x.lookup(key)
		if o == nil {
			continue
		}
		if !x.checkHLL(o) {
			return false, false
		}
		if o.str[4] == hllEncDense {
			dense = true
		}
		if !hllMerge(max, o.str) {
			x.err(errHLLCorrupt)
			return false, false
		}
	}
	return dense, true
}

func pfmergeCommand(x *ctx) {
	var max [hllRegisters]uint8
	dense, ok := x.hllUnion(&max, x.c.Args[1:])
	if !ok {
		return
	}
	key := x.arg(1)
	o := x.lookupWrite(key)
	if o == nil {
		o = &object{typ: rdb.TypeString, str: newHLL()}
		x.set(key, o)
	}
	s := o.str
	if dense && s[4] == hllEncSparse {
		d, ok := sparseToDense(s)
		if !ok { // merged above, so never
			x.err(errHLLCorrupt)
			return
		}
		s = d
	}
	for i, v := range max {
		if v == 0 {
			continue
		}
		if s[4] == hllEncDense {
			denseRaise(s[hllHdrSize:], i, v)
		} else {
			// Redis ignores a failure here (a corrupt tail that a merge
			// of runs reached), as it ignores the value of the call.
			s, _ = sparseSet(s, i, v, hllSparseMaxLen)
		}
	}
	s[hllHdrSize-1] |= hllStaleBit
	o.str = s
	x.changed()
	x.reply().OK()
}

func pfdebugCommand(x *ctx) {
	sub, key := x.arg(1), x.arg(2)
	o := x.lookupWrite(key)
	if o == nil {
		x.err("ERR The specified key does not exist")
		return
	}
	if !x.checkHLL(o) {
		return
	}
	s := o.str
	switch {
	case equalFold(sub, "getreg"):
		if s[4] == hllEncSparse {
			d, ok := sparseToDense(s)
			if !ok {
				x.err(errHLLCorrupt)
				return
			}
			o.str, s = d, d
			x.changed()
		}
		x.reply().Array(hllRegisters)
		for i := 0; i < hllRegisters; i++ {
			x.reply().Int(int64(denseGet(s[hllHdrSize:], i)))
		}
	case equalFold(sub, "decode"):
		if s[4] != hllEncSparse {
			x.err("ERR HLL encoding is not sparse")
			return
		}
		var b []byte
		for p := hllHdrSize; p < len(s); {
			kind, run, val, n := sparseOp(s, p)
			p += n
			switch kind {
			case opZero:
				b = append(b, "z:"...)
			case opXZero:
				b = append(b, "Z:"...)
			default:
				b = append(b, "v:"...)
				b = strconv.AppendInt(b, int64(val), 10)
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(run), 10)
			b = append(b, ' ')
		}
		x.reply().Bulk(bytes.TrimSuffix(b, []byte(" ")))
	case equalFold(sub, "encoding"):
		if s[4] == hllEncDense {
			x.reply().Simple("dense")
		} else {
			x.reply().Simple("sparse")
		}
	case equalFold(sub, "todense"):
		if s[4] != hllEncSparse {
			x.reply().Int(0)
			return
		}
		d, ok := sparseToDense(s)
		if !ok {
			x.err(errHLLCorrupt)
			return
		}
		o.str = d
		x.changed()
		x.reply().Int(1)
	default:
		// Redis formats the name as a C string, with line breaks as
		// spaces.
		name := bytes.Clone(cword(sub))
		for i, c := range name {
			if c == '\r' || c == '\n' {
				name[i] = ' '
			}
		}
		x.err("ERR Unknown PFDEBUG subcommand '" + string(name) + "'")
	}
}

// pfselftestCommand checks the register packing and that the sparse and
// dense forms agree, as Redis's PFSELFTEST does, on fewer elements
// (Redis's adds ten million) and with a fixed seed.
func pfselftestCommand(x *ctx) {
	dense := make([]byte, hllDenseSize)
	regs := dense[hllHdrSize:]
	var want [hllRegisters]uint8
	rnd := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // xorshift64
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return rnd
	}
	for cycle := 0; cycle < 10; cycle++ {
		for i := range want {
			want[i] = uint8(next() & hllRegMax)
			denseSet(regs, i, want[i])
		}
		for i, w := range want {
			if v := denseGet(regs, i); v != w {
				x.err("TESTFAILED Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(w)) + " but is " + strconv.Itoa(int(v)))
				return
			}
		}
	}
	clear(regs)
	dense[4] = hllEncDense
	sparse := newHLL()
	seed := next()
	relerr := 1.04 / math.Sqrt(hllRegisters)
	var ele [8]byte
	for j, checkpoint := uint64(1), uint64(1); j <= 100000; j++ {
		binary.LittleEndian.PutUint64(ele[:], j^seed)
		index, count := hllPatLen(ele[:])
		denseRaise(regs, index, count)
		if sparse[4] == hllEncDense {
			denseRaise(sparse[hllHdrSize:], index, count)
		} else {
			sparse, _ = sparseSet(sparse, index, count, hllSparseMaxLen)
		}
		if j != checkpoint {
			continue
		}
		if j < hllSparseMaxLen/2 && sparse[4] != hllEncSparse {
			x.err("TESTFAILED sparse encoding not used")
			return
		}
		var hd, hs [64]int
		hllHisto(dense, &hd)
		hllHisto(sparse, &hs)
		card := hllEstimate(&hd)
		if card != hllEstimate(&hs) {
			x.err("TESTFAILED dense/sparse disagree")
			return
		}
		maxErr := uint64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxErr = 1
		}
		absErr := int64(checkpoint) - int64(card)
		if absErr < 0 {
			absErr = -absErr
		}
		if uint64(absErr) > maxErr {
			x.err("TESTFAILED Too big error. card:" + strconv.FormatUint(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(absErr, 10))
			return
		}
		checkpoint *= 10
	}
	x.reply().OK()
}
