package lzf

import (
	"encoding/binary"
	"math"
	"math/bits"
	"sync"
)

const (
	// hashLog is the number of bits of the hash of a 3-byte prefix: the
	// match finder remembers the last position of 1<<hashLog prefixes.
	hashLog   = 14
	tableSize = 1 << hashLog

	// staleGap separates the positions of consecutive calls that share a
	// table (see table), so that an entry left by an earlier call is
	// always more than maxOff bytes behind every position of a later one.
	staleGap = maxOff + 1

	// maxInput is the longest input Compress accepts: positions plus a
	// table's base must fit in an int32, on every platform.
	maxInput = math.MaxInt32 - 2*staleGap

	// prefetchMin is the shortest input for which compress prefetches
	// table slots.
	prefetchMin = 4096

	// minInput is the shortest input the match finder runs on; shorter
	// inputs cannot hold a back reference (it needs 3 bytes seen before).
	minInput = 4
)

// table is the match finder's memory: for each hash of a 3-byte prefix, the
// last position (plus base) where it was seen, in the low 32 bits of a slot,
// and the 4 bytes found there in the high 32 bits. Keeping the bytes in the
// table lets the match finder test a candidate without reading src at an
// index it would have to bounds-check. Tables are reused through a
// sync.Pool and never cleared between calls (128 KiB of zeroing would cost
// more than compressing a short string). Instead each call numbers its
// positions from a fresh base, staleGap above anything stored before, so an
// old entry decodes to a position more than maxOff before the start of the
// input and fails the distance check like an empty slot. Compression is
// therefore deterministic: it does not depend on what the table held.
type table struct {
	next  int    // base for the next call
	sink  uint64 // results of loads made to prefetch slots, otherwise unused
	slots [tableSize]uint64
}

var tables = sync.Pool{New: func() any { return &table{next: staleGap} }}

// start prepares t for an input of n <= maxInput bytes and returns the base
// of its positions.
func (t *table) start(n int) int {
	base := t.next
	if base > math.MaxInt32-n-staleGap {
		// The positions would overflow the slots' 32 bits (after about
		// 2 GiB of input through this table): start again.
		clear(t.slots[:])
		base = staleGap
	}
	t.next = base + n + staleGap
	return base
}

// Compress compresses src into dst in liblzf's format and returns the number
// of bytes written. It returns 0 when the compressed form does not fit in
// len(dst), when src is empty (as liblzf does; nothing is written), and when
// src is longer than 2 GiB minus 16 KiB (which liblzf's callers never
// reach: Redis strings are at most 512 MiB).
//
// The result does not depend on len(dst): if Compress(dst, src) returns n,
// then any dst of at least n bytes gives the same n bytes, and any shorter
// one gives 0. (lzf_compress may fail when its result would have fit with
// up to 4 bytes to spare.) A dst of CompressBound(len(src)) bytes always
// suffices.
//
// Compress writes only dst[:n]; when it returns 0 the contents of dst are
// unspecified. dst and src must not overlap. Compress is safe for concurrent
// use and does not allocate.
func Compress(dst, src []byte) int {
	if len(src) == 0 || len(dst) == 0 || len(src) > maxInput {
		return 0
	}
	if len(src) < minInput {
		return max(emitLiterals(dst, 0, src), 0)
	}
	t := tables.Get().(*table)
	n := compress(dst, src, &t.slots, &t.sink, t.start(len(src)))
	tables.Put(t)
	if n < 0 {
		return 0
	}
	return n
}

// hash maps the 3 bytes in the low end of u to a table index.
func hash(u uint32) uint32 {
	return (u << 8) * 0x9E3779B1 >> (32 - hashLog)
}

// compress is Compress's greedy match finder: at each position it looks up
// the last position with the same hash, and takes the match if it is close
// enough and at least 3 bytes long. Like liblzf with VERY_FAST, it records
// the two positions before the end of each match and skips the rest of it.
// It returns the number of bytes written, or -1 if dst is too short.
//
// In compressible data matches often follow each other directly, so after a
// match the next position is tried here; only when that fails does the
// search go on in findMatch.
func compress(dst, src []byte, tab *[tableSize]uint64, sinkp *uint64, base int) int {
	d := 0   // output position
	lit := 0 // start of the pending literal run, src[lit:s]
	s := 0   // input position
	// sLimit is the last position a match may start at: the match finder
	// reads 4 bytes there.
	sLimit := len(src) - 4
	var cand int
	// Prefetching (see below) pays off when the table is not already in
	// the cache, which it mostly is for short inputs.
	pfLimit := len(src) - 8
	if len(src) < prefetchMin {
		pfLimit = -1
	}
	var sink uint64
search:
	for {
		if s, cand = findMatch(src, tab, base, s, lit); s > sLimit {
			break
		}
		for {
			// Start loading the table slots of the positions 3 and 4
			// bytes on, where the next match will be looked for if this
			// one is 3 or 4 bytes long (as most are in text). The loads
			// are then in flight while the match is measured, and the
			// lookup after it finds the slot in the L1 cache. (Go has no
			// prefetch instruction; sink keeps the loads alive.)
			if s <= pfLimit {
				v := binary.LittleEndian.Uint64(src[s : s+8])
				sink ^= tab[hash(uint32(v>>24))] ^ tab[hash(uint32(v>>32))]
			}
			// src[s:s+3] == src[cand:cand+3], cand < s: extend the match
			// up to maxRef bytes.
			end := min(len(src), s+maxRef)
			i, j := s+minRef, cand+minRef
			for {
				if i > end-8 {
					for i < end && src[i] == src[j] {
						i++
						j++
					}
					break
				}
				if x := binary.LittleEndian.Uint64(src[i:i+8]) ^ binary.LittleEndian.Uint64(src[j:j+8]); x != 0 {
					i += bits.TrailingZeros64(x) >> 3
					break
				}
				i += 8
				j += 8
			}

			// Flush the literal run src[lit:s]. Short runs, the most
			// common, are copied with two fixed-size moves that may
			// overlap, without a call.
			if n := s - lit; n > 0 {
				if n <= 16 && d >= 0 && d <= len(dst)-17 {
					dst[d] = byte(n - 1)
					switch {
					case n >= 8:
						binary.LittleEndian.PutUint64(dst[d+1:d+9], binary.LittleEndian.Uint64(src[lit:lit+8]))
						binary.LittleEndian.PutUint64(dst[d+n-7:d+n+1], binary.LittleEndian.Uint64(src[s-8:s]))
					case n >= 4:
						binary.LittleEndian.PutUint32(dst[d+1:d+5], binary.LittleEndian.Uint32(src[lit:lit+4]))
						binary.LittleEndian.PutUint32(dst[d+n-3:d+n+1], binary.LittleEndian.Uint32(src[s-4:s]))
					default:
						dst[d+1] = src[lit]
						dst[d+1+n/2] = src[lit+n/2]
						dst[d+n] = src[s-1]
					}
					d += n + 1
				} else if d = emitLiterals(dst, d, src[lit:s]); d < 0 {
					return -1
				}
			}

			// Emit the back reference.
			l, o := i-s-2, s-cand-1
			if l < refExt {
				if d > len(dst)-2 || d < 0 {
					return -1
				}
				dst[d] = byte(o>>8 | l<<tagLen)
				dst[d+1] = byte(o)
				d += 2
			} else {
				if d > len(dst)-3 || d < 0 {
					return -1
				}
				dst[d] = byte(o>>8 | refExt<<tagLen)
				dst[d+1] = byte(l - refExt)
				dst[d+2] = byte(o)
				d += 3
			}

			s = i
			lit = s
			if s > sLimit || s < 2 {
				break search
			}
			// Remember the two positions before the end of the match,
			// and try the next one as findMatch would.
			u := binary.LittleEndian.Uint32(src[s-2 : s+2])
			tab[hash(u)] = uint64(u)<<32 | uint64(s-2+base)
			u = binary.LittleEndian.Uint32(src[s-1 : s+3])
			tab[hash(u)] = uint64(u)<<32 | uint64(s-1+base)
			cur := binary.LittleEndian.Uint32(src[s:])
			h := hash(cur)
			e := tab[h]
			tab[h] = uint64(cur)<<32 | uint64(s+base)
			cand = int(uint32(e)) - base
			if uint64((uint32(e>>32)^cur)<<8)|uint64(s-cand-1)/maxOff != 0 {
				s++
				break
			}
		}
	}
	if lit < len(src) {
		d = emitLiterals(dst, d, src[lit:])
	}
	*sinkp = sink
	return d
}

// findMatch returns the first position p >= s that starts a match, and the
// earlier position cand it matches, recording the positions it passes in
// tab. If there is none, p > len(src)-4. lit is the start of the pending
// literal run.
//
// This is the loop that runs once per input byte that does not compress, so
// it is kept apart from the rest of compress to keep its few variables in
// registers.
func findMatch(src []byte, tab *[tableSize]uint64, base, s, lit int) (p, cand int) {
	for s <= len(src)-4 && s >= 0 {
		cur := binary.LittleEndian.Uint32(src[s:])
		h := hash(cur)
		e := tab[h]
		tab[h] = uint64(cur)<<32 | uint64(s+base)
		cand = int(uint32(e)) - base
		// cand < s. Candidates more than maxOff back are out of reach,
		// which also rejects stale (negative) ones: see table. The reach
		// test and the comparison of 3 bytes are combined without a
		// branch, which would be hard to predict.
		if uint64((uint32(e>>32)^cur)<<8)|uint64(s-cand-1)/maxOff == 0 {
			return s, cand
		}
		// Take bigger steps the longer the literal run grows, so
		// incompressible data goes by quickly.
		s += 1 + (s-lit)>>skipShift
	}
	return s, 0
}

// skipShift sets how fast compress speeds up in incompressible data: after a
// literal run of k bytes it steps 1 + k>>skipShift bytes at a time.
const skipShift = 6

// emitLiterals writes lits at dst[d:] as literal runs of up to 32 bytes and
// returns the new output position, or -1 if they do not fit.
func emitLiterals(dst []byte, d int, lits []byte) int {
	n := len(lits)
	if d < 0 || d+n+(n+maxLit-1)/maxLit > len(dst) {
		return -1
	}
	for len(lits) > maxLit {
		dst[d] = maxLit - 1
		copy(dst[d+1:d+1+maxLit], lits[:maxLit])
		d += 1 + maxLit
		lits = lits[maxLit:]
	}
	dst[d] = byte(len(lits) - 1)
	copy(dst[d+1:], lits)
	return d + 1 + len(lits)
}
