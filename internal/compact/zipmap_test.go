package compact

import (
	"errors"
	"slices"
	"testing"
)

// zmLen encodes a zipmap length: 1 byte below 254, else FE + u32 LE.
func zmLen(n int) []byte {
	if n < 254 {
		return []byte{byte(n)}
	}
	return append([]byte{0xFE}, le32(n)...)
}

// rawZipmap builds a zipmap from key, value pairs with the given number of
// free bytes after each value.
func rawZipmap(zmlen byte, free int, kv ...string) []byte {
	zm := []byte{zmlen}
	for i := 0; i+1 < len(kv); i += 2 {
		zm = append(zm, zmLen(len(kv[i]))...)
		zm = append(zm, kv[i]...)
		zm = append(zm, zmLen(len(kv[i+1]))...)
		zm = append(zm, byte(free))
		zm = append(zm, kv[i+1]...)
		zm = append(zm, make([]byte, free)...)
	}
	return append(zm, 0xFF)
}

func zmPairs(zm []byte) ([]string, error) {
	var out []string
	_, err := ZipmapEach(zm, func(k, v []byte) error {
		out = append(out, string(k), string(v))
		return nil
	})
	return out, err
}

func TestZipmap(t *testing.T) {
	long := string(repeat('L', 300))
	for _, c := range []struct {
		name string
		zm   []byte
		want []string
	}{
		{"one", rawZipmap(1, 0, "a", "b"), []string{"a", "b"}},
		{"free", rawZipmap(2, 4, "k1", "v1", "k2", ""), []string{"k1", "v1", "k2", ""}},
		{"empty key", rawZipmap(1, 0, "", "v"), []string{"", "v"}},
		{"long key and value", rawZipmap(1, 1, long, long), []string{long, long}},
		{"253/254 lengths", rawZipmap(2, 0, string(repeat('x', 253)), string(repeat('y', 254)), "k", "v"),
			[]string{string(repeat('x', 253)), string(repeat('y', 254)), "k", "v"}},
		{"zmlen unknown", rawZipmap(254, 0, "a", "b", "c", "d"), []string{"a", "b", "c", "d"}},
		{"bytes after the walk's end are ignored, as in Redis", append(rawZipmap(1, 0, "a", "b"), 1, 2, 0xFF), []string{"a", "b"}},
		{"value length 0xff read as 4-byte length, as in Redis", []byte{1, 1, 'k', 0xFF, 1, 0, 0, 0, 0, 'v', 0xFF}, []string{"k", "v"}},
	} {
		got, err := zmPairs(c.zm)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, %v", c.name, got, err)
		}
	}
}

func TestZipmapMalformed(t *testing.T) {
	cases := []struct {
		name   string
		zm     []byte
		off    int
		reason string
	}{
		{"nil", nil, 0, "shorter than the 2-byte minimum"},
		{"1 byte", []byte{0xFF}, 0, "shorter"},
		{"no entries", []byte{0, 0xFF}, 1, "no entries"},
		{"no entries, zmlen unknown", []byte{254, 0xFF}, 1, "no entries"},
		{"no terminator", rawZipmap(1, 0, "a", "b")[:6], 5, "not the 0xff terminator"},
		{"zmlen high", rawZipmap(2, 0, "a", "b"), 0, "zmlen 2 does not match the 1 pairs"},
		{"zmlen zero", rawZipmap(0, 0, "a", "b"), 0, "zmlen 0"},
		{"key past end", []byte{1, 5, 'a', 'b', 0xFF}, 1, "key of 5 bytes runs past"},
		{"key reaches terminator", []byte{1, 2, 'a', 0xFF}, 1, "key of 2 bytes runs past"},
		{"key length past end", []byte{1, 0xFE, 1, 0, 0xFF}, 1, "key length of 5 bytes"},
		{"value length past end", []byte{1, 1, 'a', 0xFE, 0, 0xFF}, 3, "value length of 5 bytes"},
		{"no free byte", []byte{1, 1, 'a', 0, 0xFF}, 1, "value of 0 bytes and 255 free bytes"},
		{"value past end", []byte{1, 1, 'a', 3, 0, 'v', 0xFF}, 1, "value of 3 bytes"},
		{"free past end", []byte{1, 1, 'a', 1, 3, 'v', 0, 0xFF}, 1, "value of 1 bytes and 3 free bytes"},
		{"huge value", []byte{1, 1, 'a', 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF}, 1, "value of 4294967295 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ZipmapEach(c.zm, nil)
			fe := wantFormatError(t, err, "zipmap", c.reason)
			if fe.Offset != c.off {
				t.Fatalf("error %q at offset %d, want %d", err, fe.Offset, c.off)
			}
		})
	}
}

func TestZipmapCuts(t *testing.T) {
	zm := rawZipmap(3, 2, "key", "value", string(repeat('k', 260)), "v", "", "")
	for cut := range len(zm) {
		b := slices.Clone(zm[:cut])
		if _, err := ZipmapEach(b, nil); !errors.Is(err, ErrFormat) {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if cut < 1 || cut == len(zm)-1 {
			continue
		}
		// Terminated: fails, or (cut at a pair boundary) a wrong count.
		if _, err := ZipmapEach(append(b, 0xFF), nil); !errors.Is(err, ErrFormat) {
			t.Fatalf("cut at %d and terminated: %v", cut, err)
		}
	}
}
