package compact

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// lpEncodingCases are single listpack elements at every encoding and width
// boundary, as Redis writes them (REDIS-FORMATS.md 3.1): enc is the
// encoding and data, without the backlen.
var lpEncodingCases = []struct {
	name string
	enc  []byte
	want Element
}{
	{"uint7 0", []byte{0x00}, intElem(0)},
	{"uint7 1", []byte{0x01}, intElem(1)},
	{"uint7 127", []byte{0x7F}, intElem(127)},
	{"int13 128", []byte{0xC0, 0x80}, intElem(128)},
	{"int13 4095", []byte{0xCF, 0xFF}, intElem(4095)},
	{"int13 -1", []byte{0xDF, 0xFF}, intElem(-1)},
	{"int13 -4096", []byte{0xD0, 0x00}, intElem(-4096)},
	{"int16 4096", []byte{0xF1, 0x00, 0x10}, intElem(4096)},
	{"int16 -4097", []byte{0xF1, 0xFF, 0xEF}, intElem(-4097)},
	{"int16 32767", []byte{0xF1, 0xFF, 0x7F}, intElem(32767)},
	{"int16 -32768", []byte{0xF1, 0x00, 0x80}, intElem(-32768)},
	{"int24 32768", []byte{0xF2, 0x00, 0x80, 0x00}, intElem(32768)},
	{"int24 -32769", []byte{0xF2, 0xFF, 0x7F, 0xFF}, intElem(-32769)},
	{"int24 8388607", []byte{0xF2, 0xFF, 0xFF, 0x7F}, intElem(8388607)},
	{"int24 -8388608", []byte{0xF2, 0x00, 0x00, 0x80}, intElem(-8388608)},
	{"int32 8388608", append([]byte{0xF3}, le32(8388608)...), intElem(8388608)},
	{"int32 -8388609", append([]byte{0xF3}, le32(-8388609)...), intElem(-8388609)},
	{"int32 max", append([]byte{0xF3}, le32(math.MaxInt32)...), intElem(math.MaxInt32)},
	{"int32 min", append([]byte{0xF3}, le32(math.MinInt32)...), intElem(math.MinInt32)},
	{"int64 2^31", append([]byte{0xF4}, le64(1<<31)...), intElem(1 << 31)},
	{"int64 -2^31-1", append([]byte{0xF4}, le64(-1<<31-1)...), intElem(-1<<31 - 1)},
	{"int64 max", append([]byte{0xF4}, le64(math.MaxInt64)...), intElem(math.MaxInt64)},
	{"int64 min", append([]byte{0xF4}, le64(math.MinInt64)...), intElem(math.MinInt64)},
	{"str6 empty", []byte{0x80}, strElem("")},
	{"str6 a", []byte{0x81, 'a'}, strElem("a")},
	{"str6 63", append([]byte{0xBF}, repeat('x', 63)...), strElem(string(repeat('x', 63)))},
	{"str12 64", append([]byte{0xE0, 0x40}, repeat('y', 64)...), strElem(string(repeat('y', 64)))},
	{"str12 4095", append([]byte{0xEF, 0xFF}, repeat('z', 4095)...), strElem(string(repeat('z', 4095)))},
	{"str32 4096", append(append([]byte{0xF0}, le32(4096)...), repeat('w', 4096)...), strElem(string(repeat('w', 4096)))},
	{"str6 int-like text", []byte{0x82, '-', '0'}, strElem("-0")},
	{"str6 leading zero", []byte{0x82, '0', '1'}, strElem("01")},
	{"str6 21 digits", append([]byte{0x95}, repeat('1', 21)...), strElem(string(repeat('1', 21)))},
	{"str6 2^63", append([]byte{0x93}, "9223372036854775808"...), strElem("9223372036854775808")},
}

func intElem(v int64) Element  { return Element{Int: v, IsInt: true} }
func strElem(s string) Element { return Element{Str: []byte(s)} }

func sameElem(a, b Element) bool {
	return a.IsInt == b.IsInt && a.Int == b.Int && bytes.Equal(a.Str, b.Str)
}

// TestListpackEncodings decodes each encoding and checks that
// ListpackBuilder writes exactly those bytes for the same value.
func TestListpackEncodings(t *testing.T) {
	for _, c := range lpEncodingCases {
		t.Run(c.name, func(t *testing.T) {
			lp := rawListpack(lpEntry(c.enc))
			var got []Element
			n, err := ListpackEach(lp, func(e Element) error {
				got = append(got, e)
				return nil
			})
			if err != nil || n != 1 || len(got) != 1 {
				t.Fatalf("ListpackEach = %d, %v; %d elements", n, err, len(got))
			}
			if !sameElem(got[0], c.want) {
				t.Fatalf("got %+v, want %+v", got[0], c.want)
			}
			if s := got[0].Str; len(s) > 0 {
				s[0]++ // Str aliases lp
				if lp[len(lp)-1-backlenSize(len(c.enc))-len(s)] != s[0] {
					t.Fatal("Str does not alias the listpack")
				}
				s[0]--
			}
			var b ListpackBuilder
			b.AppendElement(c.want)
			if !bytes.Equal(b.Bytes(), lp) {
				t.Fatalf("builder wrote\n%x\nwant\n%x", b.Bytes(), lp)
			}
			b.Reset()
			b.AppendString(c.want.AppendText(nil))
			if !bytes.Equal(b.Bytes(), lp) {
				t.Fatalf("builder (from text) wrote\n%x\nwant\n%x", b.Bytes(), lp)
			}
		})
	}
}

// TestListpackBacklenBoundaries checks entries whose sizes sit at each
// backlen width boundary: 127/128 (1→2 bytes), 16382/16383 (2→3),
// 2097150/2097151 (3→4), 268435454/268435455 (4→5). The two largest are
// built by hand in memory that is never written, so they cost little; the
// others also go through ListpackBuilder.
func TestListpackBacklenBoundaries(t *testing.T) {
	cases := []struct{ size, backlen int }{{1, 1}, {127, 1}, {128, 2}, {16382, 2}, {16383, 3},
		{2097150, 3}, {2097151, 4}, {268435454, 4}, {268435455, 5}}
	var big []byte
	for _, c := range cases {
		t.Run(strconv.Itoa(c.size), func(t *testing.T) {
			// The string form whose encoding+data has exactly c.size bytes.
			var s int
			switch {
			case c.size == 1:
				s = 0
			case c.size-2 >= 64 && c.size-2 < 4096:
				s = c.size - 2
			default:
				s = c.size - 5
			}
			var lp []byte
			if c.size < 1<<24 {
				var b ListpackBuilder
				b.AppendString(repeat('a', s))
				lp = b.Bytes()
			} else {
				// One buffer for both, its string bytes never touched, so
				// never made resident.
				if big == nil {
					big = make([]byte, 6+268435455+5+1)
				}
				lp = big[:6+c.size+c.backlen+1]
				binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
				lp[4] = 1
				lp[6] = 0xF0
				binary.LittleEndian.PutUint32(lp[7:], uint32(s))
				appendBacklen(lp[:6+c.size], c.size)
				lp[len(lp)-1] = 0xFF
			}
			if got := len(lp) - 7 - c.size; got != c.backlen {
				t.Fatalf("entry of %d bytes written with a %d-byte backlen, want %d", c.size, got, c.backlen)
			}
			if bl, ok := decodeBacklen(lp, len(lp)-2); !ok || bl != uint64(c.size) {
				t.Fatalf("backlen decodes to %d, %v; want %d", bl, ok, c.size)
			}
			n, err := ListpackEach(lp, func(e Element) error {
				if len(e.Str) != s {
					return fmt.Errorf("string of %d bytes, want %d", len(e.Str), s)
				}
				return nil
			})
			if n != 1 || err != nil {
				t.Fatalf("ListpackEach = %d, %v", n, err)
			}
			// One byte short of the backlen Redis writes: rejected.
			if c.backlen > 1 && c.size < 1<<24 {
				short := slices.Clone(lp[:6+c.size])
				short = append(short, appendBacklen(nil, c.size)[1:]...)
				short = append(short, 0xFF)
				binary.LittleEndian.PutUint32(short, uint32(len(short)))
				if _, err := ListpackEach(short, nil); err == nil {
					t.Fatal("backlen one byte short accepted")
				}
			}
		})
	}
	// The encoder and decoder at every boundary, including 5 bytes.
	for _, l := range []int{0, 1, 127, 128, 16382, 16383, 2097150, 2097151, 268435454, 268435455, 1<<32 - 1} {
		e := appendBacklen([]byte{0}, l)
		if len(e)-1 != backlenSize(l) {
			t.Errorf("size %d: %d-byte backlen, want %d", l, len(e)-1, backlenSize(l))
		}
		if v, ok := decodeBacklen(e, len(e)-1); !ok || v != uint64(l) {
			t.Errorf("size %d: backlen % x decodes to %d, %v", l, e[1:], v, ok)
		}
	}
	if got := appendBacklen(nil, 200); !bytes.Equal(got, []byte{0x01, 0xC8}) {
		t.Errorf("backlen of 200 = % x, want 01 c8", got)
	}
}

// Payloads verified against Redis 7.4.1 (REDIS-FORMATS.md section 2): the
// listpack inside each DUMP payload.
var section2Listpacks = []struct {
	name    string
	payload string // the whole DUMP payload
	blob    string // the listpack in it
	elems   []string
}{
	{"list a,b,1", "12 01 02 0f 0f000000 0300 81 61 02 81 62 02 01 01 ff 0c 00 2b 6d 9f 8a bd e4 c7 6b",
		"0f000000 0300 81 61 02 81 62 02 01 01 ff", []string{"a", "b", "1"}},
	{"set a,b", "14 0d 0d000000 0200 81 61 02 81 62 02 ff 0c 00 a8 45 83 07 4e 16 a1 94",
		"0d000000 0200 81 61 02 81 62 02 ff", []string{"a", "b"}},
	{"zset a:1 b:2.5", "11 14 14000000 0400 81 61 02 01 01 81 62 02 83 32 2e 35 04 ff 0c 00 1f 3a 5a 64 0c 6e 47 9e",
		"14000000 0400 81 61 02 01 01 81 62 02 83 32 2e 35 04 ff", []string{"a", "1", "b", "2.5"}},
	{"hash f=v f2=12", "10 13 13000000 0400 81 66 02 81 76 02 82 66 32 03 0c 01 ff 0c 00 38 12 cd 48 73 2e b0 69",
		"13000000 0400 81 66 02 81 76 02 82 66 32 03 0c 01 ff", []string{"f", "v", "f2", "12"}},
}

func TestListpackRedisPayloads(t *testing.T) {
	for _, c := range section2Listpacks {
		t.Run(c.name, func(t *testing.T) {
			blob := unhex(t, c.blob)
			if !bytes.Contains(unhex(t, c.payload), blob) {
				t.Fatalf("blob not in payload")
			}
			var got []string
			n, err := ListpackEach(blob, func(e Element) error {
				got = append(got, string(e.AppendText(nil)))
				return nil
			})
			if err != nil || n != len(c.elems) || !slices.Equal(got, c.elems) {
				t.Fatalf("ListpackEach = %d, %v, %q; want %q", n, err, got, c.elems)
			}
			args := make([][]byte, len(c.elems))
			for i, e := range c.elems {
				args[i] = []byte(e)
			}
			if lp := AppendListpack(nil, args...); !bytes.Equal(lp, blob) {
				t.Fatalf("AppendListpack wrote\n% x\nwant\n% x", lp, blob)
			}
			var b ListpackBuilder
			for _, a := range args {
				b.AppendString(a)
			}
			if !bytes.Equal(b.Bytes(), blob) || b.Len() != len(args) {
				t.Fatalf("ListpackBuilder wrote\n% x\nwant\n% x", b.Bytes(), blob)
			}
		})
	}
}

func TestListpackEmpty(t *testing.T) {
	empty := []byte{7, 0, 0, 0, 0, 0, 0xFF}
	if n, err := ListpackEach(empty, nil); n != 0 || err != nil {
		t.Fatalf("ListpackEach(empty) = %d, %v", n, err)
	}
	var b ListpackBuilder
	if !bytes.Equal(b.Bytes(), empty) || b.Size() != 7 {
		t.Fatalf("zero builder: % x", b.Bytes())
	}
	if got := AppendListpack([]byte("xy"), nil...); !bytes.Equal(got, append([]byte("xy"), empty...)) {
		t.Fatalf("AppendListpack: % x", got)
	}
}

// TestListpackCountUnknown: header count 65535 means "scan", whatever the
// real count; the builder writes it from 65535 elements on.
func TestListpackCountUnknown(t *testing.T) {
	lp := rawListpack(lpEntry([]byte{1}), lpEntry([]byte{2}))
	lp[4], lp[5] = 0xFF, 0xFF
	if n, err := ListpackEach(lp, nil); n != 2 || err != nil {
		t.Fatalf("ListpackEach = %d, %v", n, err)
	}
	var b ListpackBuilder
	for i := range 65536 {
		b.AppendInt(int64(i % 100))
		if i == 65533 || i == 65534 || i == 65535 {
			lp := b.Bytes()
			want := min(i+1, 65535)
			if got := int(lp[4]) | int(lp[5])<<8; got != want {
				t.Fatalf("%d elements: header count %d, want %d", i+1, got, want)
			}
			if n, err := ListpackEach(lp, nil); n != i+1 || err != nil {
				t.Fatalf("ListpackEach = %d, %v", n, err)
			}
		}
	}
}

func TestListpackMalformed(t *testing.T) {
	good := rawListpack(lpEntry([]byte{0x81, 'a'}), lpEntry([]byte{0x05}))
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	cases := []struct {
		name   string
		lp     []byte
		off    int
		reason string
	}{
		{"nil", nil, 0, "shorter than the 7-byte minimum"},
		{"6 bytes", []byte{6, 0, 0, 0, 0, 0}, 0, "shorter"},
		{"total too small", mod(func(b []byte) []byte { b[0]--; return b }), 0, "header total bytes"},
		{"total too big", mod(func(b []byte) []byte { b[0]++; return b }), 0, "header total bytes"},
		{"total huge", mod(func(b []byte) []byte { b[3] = 0x80; return b }), 0, "header total bytes"},
		{"no terminator", mod(func(b []byte) []byte { b[len(b)-1] = 0; return b }), len(good) - 1, "not the 0xff terminator"},
		{"count high", mod(func(b []byte) []byte { b[4] = 3; return b }), 4, "header count 3"},
		{"count low", mod(func(b []byte) []byte { b[4] = 1; return b }), 4, "header count 1"},
		{"count zero", mod(func(b []byte) []byte { b[4] = 0; return b }), 4, "header count 0"},
		{"bad backlen", mod(func(b []byte) []byte { b[8] = 3; return b }), 8, "backlen 3 does not match entry size 2"},
		{"backlen too long", rawListpack([]byte{0x85, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81}), 12, "longer than 5 bytes"},
		{"bad second backlen", mod(func(b []byte) []byte { b[10] = 0; return b }), 10, "backlen 0 does not match entry size 1"},
		{"invalid encoding F5", rawListpack([]byte{0xF5, 1}), 6, "invalid encoding byte 0xf5"},
		{"invalid encoding FE", rawListpack([]byte{0xFE, 1}), 6, "invalid encoding byte 0xfe"},
		{"string past end", rawListpack([]byte{0x85, 'a', 'b'}), 6, "entry of 6 bytes runs past"},
		{"str12 header past end", rawListpack([]byte{0xE0}), 6, "string header of 2 bytes"},
		{"str32 header past end", rawListpack([]byte{0xF0, 1, 0, 0}), 6, "string header of 5 bytes"},
		{"str32 huge", rawListpack(append([]byte{0xF0, 0xFF, 0xFF, 0xFF, 0xFF}, "abc"...)), 6, "string of 4294967295 bytes"},
		{"int64 past end", rawListpack([]byte{0xF4, 1, 2, 3}), 6, "entry of 9 bytes runs past"},
		{"int13 past end", rawListpack([]byte{0xC1}), 6, "entry of 2 bytes runs past"},
		{"backlen past end", rawListpack([]byte{0x81, 'a'}), 6, "backlen run past"},
		{"terminator early", rawListpack(lpEntry([]byte{1}), []byte{0xFF, 0x00}), 8, "terminator found 2 bytes before the end"},
		{"bytes after terminator", append(rawListpack(), 0, 0xFF), 6, "terminator found"},
	}
	// Fix the total size of the last two.
	for _, c := range cases {
		if c.name == "bytes after terminator" {
			c.lp[0] = byte(len(c.lp))
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			_, err := ListpackEach(c.lp, func(Element) error { calls++; return nil })
			fe := wantFormatError(t, err, "listpack", c.reason)
			if fe.Offset != c.off {
				t.Fatalf("error %q at offset %d, want %d", err, fe.Offset, c.off)
			}
		})
	}
}

// TestListpackNonCanonical: encodings Redis never writes but accepts
// (a short string in a wider form, a small integer in a wider form, a
// backlen Redis's backwards reader decodes to the right size) are accepted.
func TestListpackNonCanonical(t *testing.T) {
	lp := rawListpack(
		lpEntry([]byte{0xE0, 0x01, 'a'}),                       // "a" as a 12-bit string
		lpEntry(append([]byte{0xF0}, le32(1)...), []byte{'b'}), // "b" as a 32-bit string
		lpEntry([]byte{0xF4}, le64(5)),                         // 5 as int64
		lpEntry([]byte{0x81, '7'}),                             // "7" as a string
		[]byte{0x81, 0x00, 0x82},                               // "\x00" with backlen 0x82 read back into the data
	)
	got, err := lpTexts(lp)
	want := []string{"a", "b", "#5", "7", "\x00"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

func TestListpackCallbackError(t *testing.T) {
	lp := AppendListpack(nil, []byte("a"), []byte("b"), []byte("c"))
	stop := errors.New("stop")
	calls := 0
	n, err := ListpackEach(lp, func(Element) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 1 || calls != 2 {
		t.Fatalf("got %d, %v after %d calls", n, err, calls)
	}
}

// TestListpackCuts cuts a listpack with every encoding at every offset,
// with the header total fixed up to the cut length or left as it was, and
// with the cut replaced by a terminator: all fail cleanly.
func TestListpackCuts(t *testing.T) {
	var entries [][]byte
	for _, c := range lpEncodingCases {
		if len(c.enc) < 200 {
			entries = append(entries, lpEntry(c.enc))
		}
	}
	lp := rawListpack(entries...)
	want, err := lpTexts(lp)
	if err != nil {
		t.Fatal(err)
	}
	for cut := range len(lp) {
		b := slices.Clone(lp[:cut])
		_, err := ListpackEach(b, nil)
		if cut < 7 {
			wantFormatError(t, err, "listpack", "shorter than the 7-byte minimum")
		} else {
			wantFormatError(t, err, "listpack", "header total bytes")
		}
		if cut < 6 || cut == len(lp)-1 {
			continue
		}
		// Terminate the cut and fix the total: a listpack whose walk
		// fails, or (cut at an entry boundary) one with the wrong count.
		b = append(b, 0xFF)
		b[0], b[1], b[2], b[3] = byte(len(b)), byte(len(b)>>8), 0, 0
		got, err := lpTexts(b)
		if err == nil {
			t.Fatalf("cut at %d and terminated: no error", cut)
		}
		wantFormatError(t, err, "listpack", "")
		if !slices.Equal(got, want[:len(got)]) {
			t.Fatalf("cut at %d: elements before the error %q are not a prefix", cut, got)
		}
		// With the count unknown, a cut at an entry boundary is valid.
		b[4], b[5] = 0xFF, 0xFF
		got, err = lpTexts(b)
		if err == nil && !slices.Equal(got, want[:len(got)]) {
			t.Fatalf("cut at %d: %q not a prefix", cut, got)
		}
	}
}

// randElement returns a random element text: integers of every width,
// integer-like strings that are not canonical, and strings of the three
// length forms.
func randElement(r interface {
	IntN(int) int
	Int64() int64
}) []byte {
	switch r.IntN(10) {
	case 0:
		return strconv.AppendInt(nil, int64(r.IntN(300))-150, 10)
	case 1:
		return strconv.AppendInt(nil, r.Int64()>>(r.IntN(64)), 10)
	case 2:
		return strconv.AppendInt(nil, -r.Int64()>>(r.IntN(64)), 10)
	case 3:
		forms := []string{"-0", "+1", "01", " 1", "1 ", "", "-", "9223372036854775808", "-9223372036854775809",
			"-9223372036854775808", "9223372036854775807", "00", "1e3", "0x10"}
		return []byte(forms[r.IntN(len(forms))])
	case 4:
		b := make([]byte, 64+r.IntN(5000))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	b := make([]byte, r.IntN(70))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func TestListpackBuilderRoundTrip(t *testing.T) {
	r := newRand(t)
	var b ListpackBuilder
	for round := range 200 {
		b.Reset()
		n := r.IntN(60)
		if round%50 == 0 {
			n = 3000
		}
		elems := make([][]byte, n)
		for i := range elems {
			elems[i] = randElement(r)
			b.AppendString(elems[i])
		}
		if b.Len() != n {
			t.Fatalf("Len = %d, want %d", b.Len(), n)
		}
		lp := b.Bytes()
		if b.Size() != len(lp) {
			t.Fatalf("Size = %d, len = %d", b.Size(), len(lp))
		}
		i := 0
		got, err := ListpackEach(lp, func(e Element) error {
			if txt := e.AppendText(nil); !bytes.Equal(txt, elems[i]) {
				return fmt.Errorf("element %d = %q, want %q", i, txt, elems[i])
			}
			if _, isInt := ParseInt(elems[i]); isInt != e.IsInt {
				return fmt.Errorf("element %d %q: IsInt %v", i, elems[i], e.IsInt)
			}
			i++
			return nil
		})
		if err != nil || got != n {
			t.Fatalf("round %d: %d, %v", round, got, err)
		}
		if lp2 := AppendListpack([]byte("prefix"), elems...); !bytes.Equal(lp2[6:], lp) || string(lp2[:6]) != "prefix" {
			t.Fatalf("AppendListpack differs from the builder")
		}
	}
}

// TestListpackBuilderBytesThenAppend checks that Bytes can be called
// between appends.
func TestListpackBuilderBytesThenAppend(t *testing.T) {
	var b ListpackBuilder
	b.AppendString([]byte("a"))
	first := slices.Clone(b.Bytes())
	b.AppendInt(7)
	b.AppendString([]byte("b"))
	got, err := lpTexts(b.Bytes())
	if err != nil || !slices.Equal(got, []string{"a", "#7", "b"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	if !bytes.Equal(first, AppendListpack(nil, []byte("a"))) {
		t.Fatalf("first = % x", first)
	}
}

func TestParseInt(t *testing.T) {
	ok := []string{"0", "1", "-1", "9", "10", "127", "-4096", "9223372036854775807", "-9223372036854775808", "12345678901234567"}
	bad := []string{"", "-", "+1", "01", "-0", "00", " 1", "1 ", "1a", "9223372036854775808", "-9223372036854775809",
		"18446744073709551616", "99999999999999999999", "-99999999999999999999", "123456789012345678901", "0x1", "1.0", "\x001"}
	for _, s := range ok {
		v, good := ParseInt([]byte(s))
		if !good || strconv.FormatInt(v, 10) != s {
			t.Errorf("ParseInt(%q) = %d, %v", s, v, good)
		}
	}
	for _, s := range bad {
		if v, good := ParseInt([]byte(s)); good {
			t.Errorf("ParseInt(%q) = %d, true", s, v)
		}
	}
	// Against strconv: canonical means it round-trips.
	r := newRand(t)
	for range 100000 {
		var s []byte
		switch r.IntN(3) {
		case 0:
			s = strconv.AppendInt(nil, r.Int64()>>r.IntN(64), 10)
		case 1:
			s = strconv.AppendUint(nil, r.Uint64()>>r.IntN(64), 10)
		default:
			s = make([]byte, r.IntN(22))
			for i := range s {
				s[i] = "-+0123456789 "[r.IntN(13)]
			}
		}
		v, good := ParseInt(s)
		sv, err := strconv.ParseInt(string(s), 10, 64)
		canonical := err == nil && strconv.FormatInt(sv, 10) == string(s)
		if good != canonical || good && v != sv {
			t.Fatalf("ParseInt(%q) = %d, %v; strconv %d, %v", s, v, good, sv, err)
		}
	}
}

func TestElementText(t *testing.T) {
	for _, c := range []struct {
		e    Element
		want string
	}{
		{intElem(0), "0"}, {intElem(-12), "-12"}, {intElem(math.MinInt64), "-9223372036854775808"},
		{strElem("abc"), "abc"}, {strElem(""), ""},
	} {
		if got := string(c.e.AppendText([]byte("x"))); got != "x"+c.want {
			t.Errorf("AppendText(%+v) = %q", c.e, got)
		}
		if got := c.e.String(); got != c.want {
			t.Errorf("String(%+v) = %q", c.e, got)
		}
	}
}

func TestFormatError(t *testing.T) {
	err := error(&FormatError{Kind: "listpack", Offset: 17, Reason: "backlen 3 does not match entry size 5"})
	if got := err.Error(); got != "listpack: offset 17: backlen 3 does not match entry size 5" {
		t.Fatalf("Error() = %q", got)
	}
	if !errors.Is(err, ErrFormat) || !errors.Is(fmt.Errorf("wrapped: %w", err), ErrFormat) {
		t.Fatal("not ErrFormat")
	}
}

// TestElementSizes checks IntSize and StringSize against what the
// builder appends, at every encoding's edges and for random values.
func TestElementSizes(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	ints := []int64{0, 127, 128, -1, -4096, 4095, -4097, 4096, math.MinInt16, math.MaxInt16,
		-1 << 23, 1<<23 - 1, -1<<23 - 1, 1 << 23, math.MinInt32, math.MaxInt32, math.MinInt64, math.MaxInt64}
	for range 1000 {
		ints = append(ints, int64(r.Uint64())>>r.IntN(64))
	}
	var b ListpackBuilder
	for _, v := range ints {
		before := b.Size()
		b.AppendInt(v)
		if got, want := IntSize(v), b.Size()-before; got != want {
			t.Fatalf("IntSize(%d) = %d, the builder appended %d bytes", v, got, want)
		}
	}
	strs := [][]byte{{}, []byte("12"), []byte("-0"), []byte("007"), []byte("9223372036854775808")}
	for _, n := range []int{1, 62, 63, 64, 126, 127, 128, 4095, 4096, 16382, 16383, 70000} {
		strs = append(strs, bytes.Repeat([]byte("x"), n))
	}
	for range 200 {
		strs = append(strs, bytes.Repeat([]byte("y"), r.IntN(20000)), []byte(strconv.FormatInt(int64(r.Uint64()), 10)))
	}
	for _, s := range strs {
		before := b.Size()
		b.AppendString(s)
		if got, want := StringSize(s), b.Size()-before; got != want {
			t.Fatalf("StringSize(%q) = %d, the builder appended %d bytes", s, got, want)
		}
	}
}
