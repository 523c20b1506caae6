package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/aofrdb/aofrdb/internal/compact"
	"github.com/aofrdb/aofrdb/internal/crc64"
	"github.com/aofrdb/aofrdb/internal/lzf"
)

// Sizes of the decoder's buffers.
const (
	bufSize   = 64 << 10 // read buffer
	arenaSize = 64 << 10 // chunk that small strings are carved from
	arenaMax  = 4 << 10  // strings longer than this get their own allocation
	firstCap  = 64 << 10 // first capacity of a string longer than the buffered data
	prealloc  = 1024     // cap on slice preallocation from an element count
)

// decoder reads the primitives of the RDB format (lengths, strings, fixed
// width numbers) from a buffered io.Reader, or from a byte slice when rd is
// nil. It sums the CRC64 of what it consumed chunk by chunk, not per call.
type decoder struct {
	rd     io.Reader // nil: buf[:end] is the whole input
	buf    []byte
	pos    int
	end    int
	base   int64 // input offset of buf[0]
	crc    uint64
	crcPos int  // buf[crcPos:pos] is consumed but not yet summed
	sum    bool // sum the CRC
	rerr   error
	zero   int // consecutive empty reads

	arena   []byte
	scratch []byte // reusable buffer for compressed bytes
	key     []byte // key being decoded, for errors
	maxStr  uint64 // 0: no limit

	dups  compact.Dups      // duplicate detection, reused
	elems []compact.Element // a stream node's elements, reused
}

func (d *decoder) init(rd io.Reader) {
	d.rd = rd
	if d.buf == nil {
		d.buf = make([]byte, bufSize)
	}
}

func (d *decoder) initBytes(b []byte) {
	d.rd = nil
	d.buf = b
	d.end = len(b)
}

// offset returns the input offset of the next unread byte.
func (d *decoder) offset() int64 { return d.base + int64(d.pos) }

// checksum returns the CRC64 of everything consumed so far.
func (d *decoder) checksum() uint64 {
	d.crc = crc64.Update(d.crc, d.buf[d.crcPos:d.pos])
	d.crcPos = d.pos
	return d.crc
}

func (d *decoder) errAt(off int64, sentinel error, format string, args ...any) error {
	reason := format
	if len(args) > 0 {
		reason = fmt.Sprintf(format, args...)
	}
	return &CorruptError{Offset: off, Key: d.key, Reason: reason, Err: sentinel}
}

// corrupt returns a *CorruptError at the current offset.
func (d *decoder) corrupt(format string, args ...any) error {
	return d.errAt(d.offset(), ErrCorrupt, format, args...)
}

// short returns the error for input that ended (or failed) before n more
// bytes arrived.
func (d *decoder) short() error {
	if d.rerr != nil && d.rerr != io.EOF {
		return fmt.Errorf("rdb: read error at offset %d: %w", d.base+int64(d.end), d.rerr)
	}
	return d.errAt(d.base+int64(d.end), ErrTruncated, "unexpected end of input")
}

// fill makes at least n bytes available in buf[pos:end].
func (d *decoder) fill(n int) error {
	if d.end-d.pos >= n {
		return nil
	}
	if d.rd == nil || d.rerr != nil {
		return d.short()
	}
	if d.sum {
		d.crc = crc64.Update(d.crc, d.buf[d.crcPos:d.pos])
	}
	copy(d.buf, d.buf[d.pos:d.end])
	d.end -= d.pos
	d.base += int64(d.pos)
	d.pos, d.crcPos = 0, 0
	if n > len(d.buf) {
		nb := make([]byte, max(n, 2*len(d.buf)))
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	for d.end < n {
		m, err := d.rd.Read(d.buf[d.end:])
		if m < 0 || m > len(d.buf)-d.end {
			d.rerr = fmt.Errorf("invalid count %d from Read", m)
			return d.short()
		}
		d.end += m
		if err != nil {
			d.rerr = err
			if d.end >= n {
				return nil
			}
			return d.short()
		}
		if m == 0 {
			if d.zero++; d.zero >= 100 {
				d.rerr = io.ErrNoProgress
				return d.short()
			}
		} else {
			d.zero = 0
		}
	}
	return nil
}

func (d *decoder) readByte() (byte, error) {
	if d.pos >= d.end {
		if err := d.fill(1); err != nil {
			return 0, err
		}
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

// next returns the next n bytes (n <= a few KiB), valid until the next call.
func (d *decoder) next(n int) ([]byte, error) {
	if d.end-d.pos < n {
		if err := d.fill(n); err != nil {
			return nil, err
		}
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) readUint64LE() (uint64, error) {
	b, err := d.next(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (d *decoder) readMillis() (int64, error) {
	v, err := d.readUint64LE()
	return int64(v), err
}

// readLen reads a length (section 1.4). A string encoding (11xxxxxx) where
// a length is expected is corruption.
func (d *decoder) readLen() (uint64, error) {
	n, enc, err := d.readLenEnc()
	if err == nil && enc {
		return 0, d.errAt(d.offset()-1, ErrCorrupt, "string encoding 0x%02x where a length is expected", 0xC0|n)
	}
	return n, err
}

// readLenEnc reads a length or, with enc set, a string encoding id.
func (d *decoder) readLenEnc() (n uint64, enc bool, err error) {
	if d.end-d.pos >= 9 { // fast path: no bounds checks on the buffer
		b := d.buf[d.pos]
		switch b >> 6 {
		case 0:
			d.pos++
			return uint64(b), false, nil
		case 1:
			n = uint64(b&0x3F)<<8 | uint64(d.buf[d.pos+1])
			d.pos += 2
			return n, false, nil
		case 3:
			d.pos++
			return uint64(b & 0x3F), true, nil
		}
	}
	b, err := d.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b), false, nil
	case 1:
		c, err := d.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3F)<<8 | uint64(c), false, nil
	case 3:
		return uint64(b & 0x3F), true, nil
	}
	switch b {
	case 0x80:
		p, err := d.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case 0x81:
		p, err := d.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, d.errAt(d.offset()-1, ErrCorrupt, "unknown length encoding 0x%02x", b)
}

// alloc returns n bytes the caller may keep, carved from the arena when
// small.
func (d *decoder) alloc(n int) []byte {
	if n > arenaMax {
		return make([]byte, n)
	}
	if len(d.arena) < n {
		d.arena = make([]byte, arenaSize)
	}
	b := d.arena[:n:n]
	d.arena = d.arena[n:]
	return b
}

// intText returns the decimal text of v in memory the caller may keep.
func (d *decoder) intText(v int64) []byte {
	var tmp [20]byte
	t := strconv.AppendInt(tmp[:0], v, 10)
	b := d.alloc(len(t))
	copy(b, t)
	return b
}

// readString reads an RDB string (section 1.5) into memory the caller may
// keep.
func (d *decoder) readString() ([]byte, error) {
	// Fast path: a short raw string entirely in the buffer.
	if d.pos < d.end {
		if b := d.buf[d.pos]; b < 0x40 && d.end-d.pos > int(b) && (d.maxStr == 0 || uint64(b) <= d.maxStr) {
			n := int(b)
			s := d.alloc(n)
			copy(s, d.buf[d.pos+1:d.pos+1+n])
			d.pos += 1 + n
			return s, nil
		}
	}
	start := d.offset()
	n, enc, err := d.readLenEnc()
	if err != nil {
		return nil, err
	}
	if !enc {
		return d.readRaw(n, start)
	}
	switch n {
	case 0, 1, 2:
		v, err := d.readIntEnc(int(n))
		if err != nil {
			return nil, err
		}
		return d.intText(v), nil
	case 3:
		return d.readLZF(start)
	}
	return nil, d.errAt(start, ErrCorrupt, "unknown string encoding 0x%02x", 0xC0|n)
}

func (d *decoder) readIntEnc(enc int) (int64, error) {
	switch enc {
	case 0:
		b, err := d.readByte()
		return int64(int8(b)), err
	case 1:
		p, err := d.next(2)
		if err != nil {
			return 0, err
		}
		return int64(int16(binary.LittleEndian.Uint16(p))), nil
	default:
		p, err := d.next(4)
		if err != nil {
			return 0, err
		}
		return int64(int32(binary.LittleEndian.Uint32(p))), nil
	}
}

func (d *decoder) checkSize(n uint64, start int64) error {
	if d.maxStr != 0 && n > d.maxStr {
		return d.errAt(start, ErrTooLarge, "string of %d bytes exceeds the limit of %d", n, d.maxStr)
	}
	if n > math.MaxInt-arenaSize {
		return d.errAt(start, ErrCorrupt, "string length %d too large", n)
	}
	return nil
}

// readRaw reads n raw bytes into memory the caller may keep. When they are
// not all buffered, the result grows as data arrives, so a corrupt length
// cannot make it allocate more than about twice what the input holds.
func (d *decoder) readRaw(n uint64, start int64) ([]byte, error) {
	if n <= uint64(d.end-d.pos) && (d.maxStr == 0 || n <= d.maxStr) {
		s := d.alloc(int(n))
		copy(s, d.buf[d.pos:])
		d.pos += int(n)
		return s, nil
	}
	if err := d.checkSize(n, start); err != nil {
		return nil, err
	}
	if d.rd == nil { // all the input is buffered: it is too short
		d.pos = d.end
		return nil, d.short()
	}
	return d.readRawInto(make([]byte, 0, min(n, firstCap)), int(n))
}

// readRawInto appends n raw bytes to dst.
func (d *decoder) readRawInto(dst []byte, n int) ([]byte, error) {
	for n > 0 {
		if d.pos == d.end {
			if err := d.fill(1); err != nil {
				return nil, err
			}
		}
		k := min(n, d.end-d.pos)
		dst = append(dst, d.buf[d.pos:d.pos+k]...)
		d.pos += k
		n -= k
	}
	return dst, nil
}

// maxLZFRatio bounds the expansion of LZF: a 3-byte back reference makes
// at most 264 bytes.
const maxLZFRatio = 88

func (d *decoder) readLZF(start int64) ([]byte, error) {
	clen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	ulen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	if clen == 0 || ulen == 0 {
		return nil, d.errAt(start, ErrCorrupt, "LZF string with compressed length %d and length %d", clen, ulen)
	}
	if err := d.checkSize(ulen, start); err != nil {
		return nil, err
	}
	if err := d.checkSize(clen, start); err != nil {
		return nil, err
	}
	if ulen/maxLZFRatio > clen {
		return nil, d.errAt(start, ErrCorrupt, "LZF string of %d bytes cannot expand to %d", clen, ulen)
	}
	var comp []byte
	if clen <= uint64(d.end-d.pos) {
		comp = d.buf[d.pos : d.pos+int(clen)]
		d.pos += int(clen)
	} else {
		if comp, err = d.readRawInto(d.scratch[:0], int(clen)); err != nil {
			return nil, err
		}
		if cap(comp) <= 1<<20 {
			d.scratch = comp
		}
	}
	out := d.alloc(int(ulen))
	m, err := lzf.Decompress(out, comp)
	if err != nil || m != len(out) {
		return nil, d.errAt(start, ErrCorrupt, "invalid LZF compressed string")
	}
	return out, nil
}
