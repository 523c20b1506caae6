package compact

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func rawIntset(width int, vals ...int64) []byte {
	b := append(le32(width), le32(len(vals))...)
	for _, v := range vals {
		b = append(b, le64(v)[:width]...)
	}
	return b
}

func intsetValues(is []byte) ([]int64, error) {
	var out []int64
	_, err := IntsetEach(is, func(v int64) error { out = append(out, v); return nil })
	return out, err
}

func TestIntset(t *testing.T) {
	// REDIS-FORMATS.md section 2: set 1,2,3.
	payload := unhex(t, "0b 0e 02000000 03000000 0100 0200 0300 0c 00 6e 74 68 22 97 44 d3 52")
	got, err := intsetValues(payload[2:16])
	if err != nil || !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("section 2 intset: %v, %v", got, err)
	}
	for _, c := range []struct {
		width int
		vals  []int64
	}{
		{2, []int64{math.MinInt16, -1, 0, math.MaxInt16}},
		{4, []int64{math.MinInt32, -40000, 40000, math.MaxInt32}},
		{8, []int64{math.MinInt64, math.MinInt32 - 1, 0, math.MaxInt32 + 1, math.MaxInt64}},
		{2, []int64{5}},
	} {
		got, err := intsetValues(rawIntset(c.width, c.vals...))
		if err != nil || !slices.Equal(got, c.vals) {
			t.Errorf("width %d %v: got %v, %v", c.width, c.vals, got, err)
		}
	}
}

func TestIntsetMalformed(t *testing.T) {
	cases := []struct {
		name   string
		is     []byte
		off    int
		reason string
	}{
		{"nil", nil, 0, "shorter than the 8-byte header"},
		{"7 bytes", []byte{2, 0, 0, 0, 0, 0, 0}, 0, "shorter"},
		{"empty", rawIntset(2), 4, "empty intset"},
		{"empty width 8", rawIntset(8), 4, "empty intset"},
		{"encoding 0", rawIntset(2, 1)[:0:0], 0, "shorter"},
		{"encoding 1", append(le32(1), append(le32(1), 5)...), 0, "invalid encoding 1"},
		{"encoding 3", append(le32(3), append(le32(1), 5, 0, 0)...), 0, "invalid encoding 3"},
		{"encoding 16", append(le32(16), le32(0)...), 0, "invalid encoding 16"},
		{"length too big", append(rawIntset(2, 1, 2)[:4], append(le32(3), 1, 0, 2, 0)...), 4, "3 values of 2 bytes"},
		{"length huge", append(le32(8), append(le32(math.MaxUint32), 1, 0, 0, 0, 0, 0, 0, 0)...), 4, "do not fill"},
		{"trailing byte", append(rawIntset(2, 1), 0), 4, "do not fill"},
		{"short", rawIntset(4, 1, 2)[:14], 4, "do not fill"},
		{"duplicate", rawIntset(2, 1, 1), 10, "value 1 does not follow 1"},
		{"descending", rawIntset(4, 1, 3, 2), 16, "value 2 does not follow 3"},
		{"descending width 8", rawIntset(8, -1, -2), 16, "value -2 does not follow -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := IntsetEach(c.is, nil)
			fe := wantFormatError(t, err, "intset", c.reason)
			if fe.Offset != c.off {
				t.Fatalf("error %q at offset %d, want %d", err, fe.Offset, c.off)
			}
		})
	}
	stop := errors.New("stop")
	if n, err := IntsetEach(rawIntset(2, 1, 2, 3), func(v int64) error {
		if v == 2 {
			return stop
		}
		return nil
	}); n != 1 || err != stop {
		t.Fatalf("got %d, %v", n, err)
	}
}

func TestIntsetCuts(t *testing.T) {
	is := rawIntset(4, -5, 1, 1000000)
	for cut := range len(is) {
		_, err := IntsetEach(is[:cut], nil)
		if cut < 8 {
			wantFormatError(t, err, "intset", "shorter than the 8-byte header")
		} else {
			wantFormatError(t, err, "intset", "do not fill")
		}
	}
}
