package keyspace

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// TestGeoEncodeDecode checks scores and decoded positions against
// values redis-server 7.0.15 gave (GEOADD's ZADD scores, GEOPOS).
func TestGeoEncodeDecode(t *testing.T) {
	tests := []struct {
		long, lat       float64
		score           uint64 // 0: not checked
		decLong, decLat string
	}{
		{13.361389, 38.115556, 3479099956230698, "13.36138933897018433", "38.11555639549629859"},
		{15.087269, 37.502669, 3479447370796909, "15.08726745843887329", "37.50266842333162032"},
		{180, 85.05112878, 13510798882111488, "180", "85.0511287799999991"},
		{-180, -85.05112878, 0, "-179.99999731779098511", "-85.05112751263942528"},
		{0, 0, 0, "0.00000268220901489", "0.00000126736058093"},
		{-0.0000001, 0.0000001, 0, "-0.00000268220901489", "0.00000126736058093"},
	}
	for _, tt := range tests {
		if got := geoScore(tt.long, tt.lat); tt.score != 0 && got != tt.score {
			t.Errorf("score of %v,%v = %d, want %d", tt.long, tt.lat, got, tt.score)
		}
		long, lat := geoDecodeScore(float64(geoScore(tt.long, tt.lat)))
		if got := string(appendHuman(nil, long)); got != tt.decLong {
			t.Errorf("longitude of %v,%v = %s, want %s", tt.long, tt.lat, got, tt.decLong)
		}
		if got := string(appendHuman(nil, lat)); got != tt.decLat {
			t.Errorf("latitude of %v,%v = %s, want %s", tt.long, tt.lat, got, tt.decLat)
		}
	}
}

// TestGeoScoreBits checks the conversion of any score to the bits
// decoded, as C's cast on x86-64 does it (from a C program).
func TestGeoScoreBits(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want uint64
	}{
		{-1, 0xffffffffffffffff}, {-0.5, 0}, {-1e19, 0x8000000000000000}, {1e19, 0x8ac7230489e80000},
		{2e19, 0}, {1e30, 0}, {math.Inf(1), 0}, {math.Inf(-1), 0x8000000000000000}, {1.5, 1},
	} {
		if got := scoreBits(tt.f); got != tt.want {
			t.Errorf("scoreBits(%v) = %#x, want %#x", tt.f, got, tt.want)
		}
	}
}

// TestGeoInterleave checks that deinterleave64 undoes interleave64.
func TestGeoInterleave(t *testing.T) {
	r := testenv.Rand(t)
	for range 10000 {
		x, y := r.Uint32(), r.Uint32()
		v := interleave64(x, y)
		if got := deinterleave64(v); got != uint64(x)|uint64(y)<<32 {
			t.Fatalf("deinterleave64(interleave64(%#x, %#x)) = %#x", x, y, got)
		}
		for b := 0; b < 32; b++ {
			if (v>>(2*b))&1 != uint64(x>>b)&1 || (v>>(2*b+1))&1 != uint64(y>>b)&1 {
				t.Fatalf("interleave64(%#x, %#x) = %#x", x, y, v)
			}
		}
	}
}

// TestGeoLibm checks the trigonometry against glibc's results in cases
// where Go's math package is an ulp off (inputs and results as bits).
func TestGeoLibm(t *testing.T) {
	for _, tt := range []struct {
		fn      string
		x, want uint64
	}{
		{"a", 0x3feffffe8989768e, 0x3ff91d24dcb005ff},
		{"a", 0x3eedd8f3e5a862d1, 0x3eedd8f3e5acb6be},
		{"a", 0x3fc37b07e55a5178, 0x3fc38e7c7d137025},
		{"s", 0x3ff872a5ac03bd5a, 0x3feff87ee78f88a9},
		{"a", 0x3fd6a719e6aa0dc0, 0x3fd72791cbc54191},
		{"s", 0xbff68ae6be5f557e, 0xbfef94e43bb9d6fc},
		{"c", 0xc0072ae18f7834f8, 0xbfef0a100171bd80},
		{"a", 0xbfcaf55adf60399a, 0xbfcb296c283f143c},
		{"s", 0xc005229d88fe1767, 0xbfdeaa7590a7e62d},
		{"s", 0x3ff0000000000000, 0x3feaed548f090cee},
	} {
		x := math.Float64frombits(tt.x)
		var got float64
		switch tt.fn {
		case "s":
			got = cSin(x)
		case "c":
			got = cCos(x)
		default:
			got = cAsin(x)
		}
		if math.Float64bits(got) != tt.want {
			t.Errorf("%s(%v) = %v, want %v", tt.fn, x, got, math.Float64frombits(tt.want))
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if !math.IsNaN(cSin(x)) || !math.IsNaN(cCos(x)) {
			t.Errorf("sin or cos of %v is not NaN", x)
		}
	}
	if !math.IsNaN(cAsin(1.0000000000000002)) || cAsin(1) != math.Pi/2 || cAsin(-1) != -math.Pi/2 {
		t.Errorf("asin at and past ±1")
	}
	// Huge arguments (from huge radii) are reduced exactly.
	for _, tt := range []struct {
		x        float64
		cos, sin uint64
	}{{1e300, 0xbfe2699022adc4c1, 0xbfea2c16b010e385}, {1e20, 0x3fe872720fc60d3d, 0}} {
		if got := math.Float64bits(cCos(tt.x)); got != tt.cos {
			t.Errorf("cos(%v) = %#x, want %#x", tt.x, got, tt.cos)
		}
		if got := math.Float64bits(cSin(tt.x)); tt.sin != 0 && got != tt.sin {
			t.Errorf("sin(%v) = %#x, want %#x", tt.x, got, tt.sin)
		}
	}
}

// TestGeoDistanceFormat checks fixedpoint_d2string's four digits.
func TestGeoDistanceFormat(t *testing.T) {
	for _, tt := range []struct {
		d    float64
		want string
	}{
		{0, "0.0000"}, {math.Copysign(0, -1), "0.0000"}, {1.23456, "1.2346"}, {0.00004, "0.0000"},
		{0.0007, "0.0007"}, {166.27415156960033, "166.2742"}, {12345678.5, "12345678.5000"},
		{math.NaN(), "-922337203685477.5808"}, {1e300, "-922337203685477.5808"},
	} {
		if got := string(appendDistance(nil, tt.d)); got != tt.want {
			t.Errorf("appendDistance(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}

// TestGeoSorts checks the sorts' contracts: the merge sort is stable,
// and pqsort puts the smallest elements, in order, at ranks 0..k.
func TestGeoSorts(t *testing.T) {
	r := testenv.Rand(t)
	asc := func(a, b *geoPoint) int { return cmp.Compare(a.dist, b.dist) }
	for range 500 {
		n := r.IntN(120)
		pts := make([]*geoPoint, n)
		for i := range pts {
			pts[i] = &geoPoint{dist: float64(r.IntN(10)), score: float64(i)}
		}
		want := slices.Clone(pts)
		slices.SortStableFunc(want, asc)
		got := slices.Clone(pts)
		mergeSort(got, asc)
		if !slices.Equal(got, want) {
			t.Fatalf("mergeSort is not a stable sort")
		}
		if n == 0 {
			continue
		}
		k := 1 + r.IntN(n)
		got = slices.Clone(pts)
		pqsort(got, asc, 0, k-1)
		for i := range k {
			if got[i].dist != want[i].dist {
				t.Fatalf("pqsort(n=%d, k=%d): rank %d has %v, want %v", n, k, i, got[i].dist, want[i].dist)
			}
		}
		slices.SortFunc(got, func(a, b *geoPoint) int { return cmp.Compare(a.score, b.score) })
		if !slices.Equal(got, pts) {
			t.Fatalf("pqsort lost or duplicated elements")
		}
	}
}

// TestGeoLibmPaths checks that the double-double path gives what the
// big.Float path gives, whenever it answers.
func TestGeoLibmPaths(t *testing.T) {
	r := testenv.Rand(t)
	n := 4000
	if testing.Short() {
		n = 500
	}
	fallbacks := 0
	for i := range n {
		var x float64
		switch i % 4 {
		case 0:
			x = (r.Float64()*2 - 1) * math.Pi
		case 1:
			x = (r.Float64()*2 - 1) * 0x1p20
		case 2:
			x = (r.Float64()*2 - 1) * math.Ldexp(1, -r.IntN(40))
		default:
			x = (r.Float64()*2 - 1) * 1.6
		}
		if v, ok := ddSinCos(x, false); ok {
			if want := bigSin(x); v != want {
				t.Fatalf("sin(%v): double-double %v, big %v", x, v, want)
			}
		} else {
			fallbacks++
		}
		if v, ok := ddSinCos(x, true); ok {
			if want := bigCos(x); v != want {
				t.Fatalf("cos(%v): double-double %v, big %v", x, v, want)
			}
		} else {
			fallbacks++
		}
		y := math.Mod(x, 1)
		if i%3 == 0 {
			y = 1 - r.Float64()*0.02
		}
		if v, ok := ddAsin(y); ok {
			if want := bigAsin(y); v != want {
				t.Fatalf("asin(%v): double-double %v, big %v", y, v, want)
			}
		} else if math.Abs(y) <= 0.99 {
			fallbacks++
		}
	}
	if fallbacks > n/100 {
		t.Errorf("%d fallbacks in %d", fallbacks, 3*n)
	}
}
