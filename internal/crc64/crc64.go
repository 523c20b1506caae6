package crc64

import (
	"encoding/binary"
	"hash"
)

// Size is the size of a CRC-64 checksum in bytes.
const Size = 8

// poly is the CRC-64/Jones polynomial in reflected (LSB-first) form: bit i
// holds the coefficient of x^(63-i), and the x^64 term is implicit. Its
// normal form is 0xAD93D23594C935A9.
const poly = 0x95AC9329AC4BC9B5

// tab holds the slicing-by-16 tables: tab[0][b] is the CRC register after
// shifting byte b through it, tab[k][b] the register after byte b followed by
// k zero bytes. They are built once, by init, in well under a millisecond.
var tab [16][256]uint64

func init() {
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			// Branch-free form of: if crc&1 != 0 { crc = crc>>1 ^ poly } else { crc >>= 1 }.
			crc = crc>>1 ^ poly&-(crc&1)
		}
		tab[0][i] = crc
	}
	for k := 1; k < len(tab); k++ {
		for i := range 256 {
			prev := tab[k-1][i]
			tab[k][i] = tab[0][byte(prev)] ^ prev>>8
		}
	}
}

// Update returns the CRC of the bytes already summed into crc followed by p.
// Start from 0; Update(Update(0, a), b) equals Checksum(append(a, b...)).
func Update(crc uint64, p []byte) uint64 {
	return update(crc, p)
}

// Checksum returns the CRC-64/Jones of p, as Redis computes it (initial value
// 0, no final XOR). RDB files and DUMP payloads store it little-endian.
func Checksum(p []byte) uint64 {
	return update(0, p)
}

// updateGeneric is the portable implementation: slicing-by-16 over 16-byte
// blocks, slicing-by-8 over a remaining 8, then one lookup per byte.
func updateGeneric(crc uint64, p []byte) uint64 {
	for len(p) >= 16 {
		a := binary.LittleEndian.Uint64(p) ^ crc
		b := binary.LittleEndian.Uint64(p[8:16])
		crc = tab[15][byte(a)] ^ tab[14][byte(a>>8)] ^
			tab[13][byte(a>>16)] ^ tab[12][byte(a>>24)] ^
			tab[11][byte(a>>32)] ^ tab[10][byte(a>>40)] ^
			tab[9][byte(a>>48)] ^ tab[8][byte(a>>56)] ^
			tab[7][byte(b)] ^ tab[6][byte(b>>8)] ^
			tab[5][byte(b>>16)] ^ tab[4][byte(b>>24)] ^
			tab[3][byte(b>>32)] ^ tab[2][byte(b>>40)] ^
			tab[1][byte(b>>48)] ^ tab[0][byte(b>>56)]
		p = p[16:]
	}
	if len(p) >= 8 {
		a := binary.LittleEndian.Uint64(p) ^ crc
		crc = tab[7][byte(a)] ^ tab[6][byte(a>>8)] ^
			tab[5][byte(a>>16)] ^ tab[4][byte(a>>24)] ^
			tab[3][byte(a>>32)] ^ tab[2][byte(a>>40)] ^
			tab[1][byte(a>>48)] ^ tab[0][byte(a>>56)]
		p = p[8:]
	}
	for _, c := range p {
		crc = tab[0][byte(crc)^c] ^ crc>>8
	}
	return crc
}

// New returns a hash.Hash64 computing the CRC-64/Jones checksum, starting
// from 0. Its Sum method appends the value big-endian, as hash/crc64 does;
// note that RDB files and DUMP payloads store it little-endian (use Sum64
// and binary.LittleEndian there). The returned value also implements
// hash.Cloner. It is not safe for concurrent use.
func New() hash.Hash64 { return new(digest) }

// digest is the running state of New. The state is the CRC itself, so a
// checksum can also be carried as a plain uint64 and resumed with Update.
type digest struct{ crc uint64 }

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return 1 }
func (d *digest) Reset()         { d.crc = 0 }
func (d *digest) Sum64() uint64  { return d.crc }

func (d *digest) Write(p []byte) (int, error) {
	d.crc = update(d.crc, p)
	return len(p), nil
}

func (d *digest) Sum(in []byte) []byte {
	return binary.BigEndian.AppendUint64(in, d.crc)
}

func (d *digest) Clone() (hash.Cloner, error) {
	c := *d
	return &c, nil
}
