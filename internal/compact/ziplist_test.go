package compact

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"
)

// zlPrevlen encodes a ziplist prevlen: 1 byte below 254, else FE + u32 LE.
func zlPrevlen(n int) []byte {
	if n < 254 {
		return []byte{byte(n)}
	}
	return append([]byte{0xFE}, le32(n)...)
}

// rawZiplist builds a ziplist from entries given as encoding and data,
// with correct prevlens, zltail, zllen and zlbytes.
func rawZiplist(encs ...[]byte) []byte {
	zl := make([]byte, 10)
	tail, prev := 10, 0
	for _, e := range encs {
		tail = len(zl)
		zl = append(zl, zlPrevlen(prev)...)
		zl = append(zl, e...)
		prev = len(zl) - tail
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(tail))
	binary.LittleEndian.PutUint16(zl[8:], uint16(min(len(encs), 65535)))
	return zl
}

// zlStr is the ziplist encoding of a string, in the shortest form.
func zlStr(s []byte) []byte {
	switch l := len(s); {
	case l < 64:
		return append([]byte{byte(l)}, s...)
	case l < 16384:
		return append([]byte{0x40 | byte(l>>8), byte(l)}, s...)
	default:
		return append(append([]byte{0x80}, be32(l)...), s...)
	}
}

var zlEncodingCases = []struct {
	name string
	enc  []byte
	want Element
}{
	{"imm 0", []byte{0xF1}, intElem(0)},
	{"imm 1", []byte{0xF2}, intElem(1)},
	{"imm 12", []byte{0xFD}, intElem(12)},
	{"int8 13", []byte{0xFE, 13}, intElem(13)},
	{"int8 -1", []byte{0xFE, 0xFF}, intElem(-1)},
	{"int8 127", []byte{0xFE, 0x7F}, intElem(127)},
	{"int8 -128", []byte{0xFE, 0x80}, intElem(-128)},
	{"int16 128", []byte{0xC0, 0x80, 0x00}, intElem(128)},
	{"int16 -32768", []byte{0xC0, 0x00, 0x80}, intElem(-32768)},
	{"int16 32767", []byte{0xC0, 0xFF, 0x7F}, intElem(32767)},
	{"int24 32768", []byte{0xF0, 0x00, 0x80, 0x00}, intElem(32768)},
	{"int24 -8388608", []byte{0xF0, 0x00, 0x00, 0x80}, intElem(-8388608)},
	{"int24 8388607", []byte{0xF0, 0xFF, 0xFF, 0x7F}, intElem(8388607)},
	{"int24 -1", []byte{0xF0, 0xFF, 0xFF, 0xFF}, intElem(-1)},
	{"int32 8388608", append([]byte{0xD0}, le32(8388608)...), intElem(8388608)},
	{"int32 min", append([]byte{0xD0}, le32(math.MinInt32)...), intElem(math.MinInt32)},
	{"int32 max", append([]byte{0xD0}, le32(math.MaxInt32)...), intElem(math.MaxInt32)},
	{"int64 max", append([]byte{0xE0}, le64(math.MaxInt64)...), intElem(math.MaxInt64)},
	{"int64 min", append([]byte{0xE0}, le64(math.MinInt64)...), intElem(math.MinInt64)},
	{"str6 empty", []byte{0x00}, strElem("")},
	{"str6 63", zlStr(repeat('a', 63)), strElem(string(repeat('a', 63)))},
	{"str14 64", zlStr(repeat('b', 64)), strElem(string(repeat('b', 64)))},
	{"str14 16383", zlStr(repeat('c', 16383)), strElem(string(repeat('c', 16383)))},
	{"str32 16384", zlStr(repeat('d', 16384)), strElem(string(repeat('d', 16384)))},
	{"str14 BE length 0x0102", append([]byte{0x41, 0x02}, repeat('e', 0x102)...), strElem(string(repeat('e', 0x102)))},
	{"str32 low bits ignored", append([]byte{0xBF, 0, 0, 0, 3}, "xyz"...), strElem("xyz")},
	{"str14 short", []byte{0x40, 0x01, 'q'}, strElem("q")},
}

func TestZiplistEncodings(t *testing.T) {
	for _, c := range zlEncodingCases {
		t.Run(c.name, func(t *testing.T) {
			// Alone, twice, and after a 253-byte and a 254-byte entry
			// (so with a 1-byte and a 5-byte prevlen) and before another.
			for _, c2 := range []struct {
				zl  []byte
				idx []int
			}{
				{rawZiplist(c.enc), []int{0}},
				{rawZiplist(c.enc, c.enc), []int{0, 1}},
				{rawZiplist(zlStr(repeat('p', 250)), c.enc, []byte{0xF1}), []int{1}},
				{rawZiplist(zlStr(repeat('p', 251)), c.enc, []byte{0xF1}), []int{1}},
			} {
				var got []Element
				n, err := ZiplistEach(c2.zl, func(e Element) error {
					got = append(got, e)
					return nil
				})
				if err != nil || n != len(got) {
					t.Fatalf("ZiplistEach = %d, %v", n, err)
				}
				for _, i := range c2.idx {
					if !sameElem(got[i], c.want) {
						t.Fatalf("element %d = %+v, want %+v", i, got[i], c.want)
					}
				}
			}
		})
	}
}

// TestZiplistPrevlenBoundary checks the prevlen switch from 1 to 5 bytes
// at a previous entry size of 254, and that a 5-byte prevlen holding a
// small size (written by Redis's cascade update) is accepted.
func TestZiplistPrevlenBoundary(t *testing.T) {
	e253 := zlStr(repeat('a', 250)) // 1 prevlen + 2 + 250 = 253
	e254 := zlStr(repeat('a', 251)) // 254
	zl := rawZiplist(e253, []byte{0xF1}, e254, []byte{0xF2})
	// Layout: 10 | 00 e253(252) | fd F1 | 02 e254(253) | fe fe000000 F2 | ff
	if zl[10+253] != 253 || zl[10+253+2] != 2 || zl[10+253+2+254] != 0xFE {
		t.Fatalf("unexpected layout % x", zl[10+253:])
	}
	got, err := zlTexts(zl)
	if err != nil || len(got) != 4 || got[1] != "#0" || got[3] != "#1" {
		t.Fatalf("got %q, %v", got, err)
	}
	// 5-byte prevlen for a small previous entry.
	zl = []byte{0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x00, 0xF1, 0xFE, 2, 0, 0, 0, 0xF2, 0xFF}
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], 12)
	got, err = zlTexts(zl)
	if err != nil || !slices.Equal(got, []string{"#0", "#1"}) {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestZiplistEmpty(t *testing.T) {
	empty := []byte{0x0b, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0xFF}
	if n, err := ZiplistEach(empty, nil); n != 0 || err != nil {
		t.Fatalf("ZiplistEach(empty) = %d, %v", n, err)
	}
}

func TestZiplistMalformed(t *testing.T) {
	good := rawZiplist(zlStr([]byte("ab")), []byte{0xF5})
	// 0b: 10 | 00 02 'a' 'b' | 04 f5 | ff
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	cases := []struct {
		name   string
		zl     []byte
		off    int
		reason string
	}{
		{"nil", nil, 0, "shorter than the 11-byte minimum"},
		{"10 bytes", good[:10], 0, "shorter"},
		{"zlbytes small", mod(func(b []byte) []byte { b[0]--; return b }), 0, "zlbytes"},
		{"zlbytes big", mod(func(b []byte) []byte { b[0]++; return b }), 0, "zlbytes"},
		{"no terminator", mod(func(b []byte) []byte { b[len(b)-1] = 0xFE; return b }), len(good) - 1, "not the 0xff terminator"},
		{"zltail past end", mod(func(b []byte) []byte { b[4] = byte(len(b)); return b }), 4, "points past the terminator"},
		{"zltail first entry", mod(func(b []byte) []byte { b[4] = 10; return b }), 4, "does not point at the last entry at 14"},
		{"zltail terminator", mod(func(b []byte) []byte { b[4] = byte(len(b) - 1); return b }), 4, "does not point at the last entry"},
		{"zllen high", mod(func(b []byte) []byte { b[8] = 3; return b }), 8, "zllen 3"},
		{"zllen zero", mod(func(b []byte) []byte { b[8] = 0; return b }), 8, "zllen 0"},
		{"bad first prevlen", mod(func(b []byte) []byte { b[10] = 1; return b }), 10, "prevlen 1 does not match previous entry size 0"},
		{"bad prevlen", mod(func(b []byte) []byte { b[14] = 5; return b }), 14, "prevlen 5 does not match previous entry size 4"},
		{"invalid encoding C1", rawZiplist([]byte{0xC1, 0, 0}), 11, "invalid encoding byte 0xc1"},
		{"invalid encoding FF", rawZiplist([]byte{0xFF, 0}), 11, "invalid encoding byte 0xff"},
		{"invalid encoding F0 ok, E1 bad", rawZiplist([]byte{0xE1}), 11, "invalid encoding byte 0xe1"},
		{"string past end", rawZiplist([]byte{0x05, 'a'}), 10, "entry of 7 bytes runs past"},
		{"str14 header past end", rawZiplist([]byte{0x40}), 11, "string header of 2 bytes"},
		{"str32 header past end", rawZiplist([]byte{0x80, 0, 0}), 11, "string header of 5 bytes"},
		{"str32 huge", rawZiplist([]byte{0x80, 0xFF, 0xFF, 0xFF, 0xFF, 'a'}), 10, "string of 4294967295 bytes"},
		{"int64 past end", rawZiplist([]byte{0xE0, 1, 2}), 10, "entry of 10 bytes runs past"},
		{"big prevlen past end", []byte{0x0e, 0, 0, 0, 0x0a, 0, 0, 0, 1, 0, 0xFE, 0, 0, 0xFF}, 10, "5-byte prevlen runs past"},
		{"terminator early", mod(func(b []byte) []byte { b[14] = 0xFF; return b }), 14, "terminator found 2 bytes before the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ZiplistEach(c.zl, nil)
			fe := wantFormatError(t, err, "ziplist", c.reason)
			if fe.Offset != c.off {
				t.Fatalf("error %q at offset %d, want %d", err, fe.Offset, c.off)
			}
		})
	}
}

func TestZiplistCuts(t *testing.T) {
	var encs [][]byte
	for _, c := range zlEncodingCases {
		if len(c.enc) < 300 {
			encs = append(encs, c.enc)
		}
	}
	zl := rawZiplist(encs...)
	want, err := zlTexts(zl)
	if err != nil {
		t.Fatal(err)
	}
	for cut := range len(zl) {
		b := slices.Clone(zl[:cut])
		_, err := ZiplistEach(b, nil)
		if cut < 11 {
			wantFormatError(t, err, "ziplist", "shorter than the 11-byte minimum")
		} else {
			wantFormatError(t, err, "ziplist", "zlbytes")
		}
		if cut < 10 || cut == len(zl)-1 {
			continue
		}
		b = append(b, 0xFF)
		binary.LittleEndian.PutUint32(b, uint32(len(b)))
		got, err := zlTexts(b)
		if err == nil {
			t.Fatalf("cut at %d and terminated: no error", cut)
		}
		if !errors.Is(err, ErrFormat) || !slices.Equal(got, want[:len(got)]) {
			t.Fatalf("cut at %d: %q, %v", cut, got, err)
		}
	}
}
