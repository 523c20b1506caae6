package keyspace

import "math"

// Geohashes as Redis 7.0 computes them (geohash.c, geohash_helper.c): a
// position is a 52-bit score, its latitude and longitude offsets within
// Redis's limits interleaved (latitude in the even bits). Every step is
// done in float64 in Redis's order, and products are converted
// explicitly so that no multiply-add is fused, so that scores, decoded
// positions and distances are Redis's to the bit.

// geoStepMax is the precision of a score: 26 steps of two bits.
const geoStepMax = 26

// The limits of EPSG:900913, and the constants of geohash_helper.c. They
// are variables so that arithmetic on them is float64 arithmetic, as in
// C, not Go's exact constant arithmetic.
var (
	geoLatMin  float64 = -85.05112878
	geoLatMax  float64 = 85.05112878
	geoLongMin float64 = -180
	geoLongMax float64 = 180

	// degToRad is C's M_PI / 180.0, rounded as a double.
	degToRad    = math.Float64frombits(0x3f91df46a2529d39)
	earthRadius = 6372797.560856
	mercatorMax = 20037726.37
)

// geoRange is a range of latitudes or longitudes.
type geoRange struct{ min, max float64 }

// geoWGS84 are the ranges of Redis's scores; geoStandard those of a
// standard geohash string (GEOHASH).
var (
	geoWGS84Long = geoRange{geoLongMin, geoLongMax}
	geoWGS84Lat  = geoRange{geoLatMin, geoLatMax}
	geoStdLong   = geoRange{-180, 180}
	geoStdLat    = geoRange{-90, 90}
)

// geoHash is a hash of step*2 bits (GeoHashBits); the zero value is
// Redis's "zero" hash, an excluded neighbour.
type geoHash struct {
	bits uint64
	step uint
}

func (h geoHash) zero() bool { return h.bits == 0 && h.step == 0 }

// geoArea is a hash and the box it covers.
type geoArea struct {
	hash      geoHash
	long, lat geoRange
}

// interleave64 spreads x into the even bits and y into the odd bits.
func interleave64(x, y uint32) uint64 {
	return spread(x) | spread(y)<<1
}

func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// deinterleave64 undoes interleave64: the even bits in the low half of
// the result, the odd bits in the high half.
func deinterleave64(v uint64) uint64 {
	return uint64(squeeze(v)) | uint64(squeeze(v>>1))<<32
}

func squeeze(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// geoEncode is geohashEncode: false when the position is outside
// Redis's limits or the given ranges.
func geoEncode(longR, latR geoRange, long, lat float64, step uint) (geoHash, bool) {
	if long > geoLongMax || long < geoLongMin || lat > geoLatMax || lat < geoLatMin {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || long < longR.min || long > longR.max {
		return geoHash{}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	longOff := (long - longR.min) / (longR.max - longR.min)
	latOff *= float64(uint64(1) << step)
	longOff *= float64(uint64(1) << step)
	// The offsets are within [0, 2^step]: C's conversion truncates.
	return geoHash{bits: interleave64(uint32(latOff), uint32(longOff)), step: step}, true
}

// geoDecode is geohashDecode: the box a hash covers.
func geoDecode(longR, latR geoRange, h geoHash) geoArea {
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	longScale := longR.max - longR.min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	div := float64(uint64(1) << h.step)
	a := geoArea{hash: h}
	// ilato+1 is uint32 arithmetic in C too.
	a.lat.min = latR.min + float64(float64(ilato)/div*latScale)
	a.lat.max = latR.min + float64(float64(ilato+1)/div*latScale)
	a.long.min = longR.min + float64(float64(ilono)/div*longScale)
	a.long.max = longR.min + float64(float64(ilono+1)/div*longScale)
	return a
}

// center is geohashDecodeAreaToLongLat: the middle of the box, within
// Redis's limits.
func (a *geoArea) center() (long, lat float64) {
	long = (a.long.min + a.long.max) / 2
	long = min(max(long, geoLongMin), geoLongMax)
	lat = (a.lat.min + a.lat.max) / 2
	lat = min(max(lat, geoLatMin), geoLatMax)
	return long, lat
}

// scoreBits converts a score to uint64 as C's (uint64_t) cast does on
// x86-64 (where values out of range give what cvttsd2si gives).
func scoreBits(f float64) uint64 {
	const two63 = 1 << 63
	if f < two63 {
		return uint64(cvttsd2si(f))
	}
	return uint64(cvttsd2si(f-two63)) ^ (1 << 63)
}

// cvttsd2si converts f to int64 truncating, giving the "integer
// indefinite" value for NaN and values out of range, as x86-64 does.
func cvttsd2si(f float64) int64 {
	if f != f || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}

// geoDecodeScore is decodeGeohash: the position a score stands for.
// Redis decodes any score (a hash of 26 steps is never "zero").
func geoDecodeScore(score float64) (long, lat float64) {
	a := geoDecode(geoWGS84Long, geoWGS84Lat, geoHash{bits: scoreBits(score), step: geoStepMax})
	return a.center()
}

// geoScore is the score of a position (within the limits): its hash of
// 26 steps, aligned to 52 bits.
func geoScore(long, lat float64) uint64 {
	h, _ := geoEncode(geoWGS84Long, geoWGS84Lat, long, lat, geoStepMax)
	return h.align52()
}

// align52 is geohashAlign52Bits.
func (h geoHash) align52() uint64 { return h.bits << (52 - h.step*2) }

// moveX moves a hash d boxes east (or west), wrapping around.
func (h *geoHash) moveX(d int) { h.move(d, 0xaaaaaaaaaaaaaaaa) }

// moveY moves a hash d boxes north (or south), wrapping around.
func (h *geoHash) moveY(d int) { h.move(d, 0x5555555555555555) }

// move adds d (-1, 0 or 1) to the coordinate whose interleaved bits are
// those of mask, wrapping around and leaving the other's bits alone, as
// geohash_move_x and geohash_move_y do.
func (h *geoHash) move(d int, mask uint64) {
	if d == 0 {
		return
	}
	shift := 64 - h.step*2
	c := h.bits & mask
	other := h.bits &^ mask
	zz := ^mask >> shift
	if d > 0 {
		c += zz + 1
	} else {
		c |= zz
		c -= zz + 1
	}
	c &= mask >> shift
	h.bits = c | other
}

// The neighbours, in the order membersOfAllNeighbors scans them after
// the centre box.
const (
	nbNorth = iota
	nbSouth
	nbEast
	nbWest
	nbNorthEast
	nbNorthWest
	nbSouthEast
	nbSouthWest
)

// neighbors is geohashNeighbors.
func (h geoHash) neighbors() [8]geoHash {
	var n [8]geoHash
	moves := [8][2]int{
		nbNorth: {0, 1}, nbSouth: {0, -1}, nbEast: {1, 0}, nbWest: {-1, 0},
		nbNorthEast: {1, 1}, nbNorthWest: {-1, 1}, nbSouthEast: {1, -1}, nbSouthWest: {-1, -1},
	}
	for i, m := range moves {
		n[i] = h
		n[i].moveX(m[0])
		n[i].moveY(m[1])
	}
	return n
}

// degRad and radDeg convert degrees and radians; the explicit
// conversion keeps a product from being fused into a caller's sum.
func degRad(a float64) float64 { return float64(a * degToRad) }
func radDeg(a float64) float64 { return a / degToRad }

// geoLatDistance is geohashGetLatDistance.
func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadius * math.Abs(degRad(lat2)-degRad(lat1))
}

// geoDistance is geohashGetDistance: the haversine distance in meters.
func geoDistance(long1, lat1, long2, lat2 float64) float64 {
	long1r := degRad(long1)
	long2r := degRad(long2)
	v := cSin((long2r - long1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r := degRad(lat1)
	lat2r := degRad(lat2)
	u := cSin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(cCos(lat1r)*cCos(lat2r))*v)*v)
	return 2.0 * earthRadius * cAsin(math.Sqrt(a))
}

// geoShape is a search area (GeoShape): a circle or a box around a
// centre, its sizes in the unit conversion gives in meters.
type geoShape struct {
	box           bool
	long, lat     float64
	conversion    float64
	radius        float64 // a circle's
	width, height float64 // a box's
	bounds        [4]float64
}

// estimateSteps is geohashEstimateStepsByRadius.
func estimateSteps(meters, lat float64) uint {
	if meters == 0 {
		return 26
	}
	step := 1
	for meters < mercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint(min(max(step, 1), 26))
}

// boundingBox is geohashBoundingBox: min long, min lat, max long, max
// lat.
func (s *geoShape) boundingBox() {
	var height, width float64
	if s.box {
		height = float64(s.conversion * (s.height / 2))
		width = float64(s.conversion * (s.width / 2))
	} else {
		height = float64(s.conversion * s.radius)
		width = height
	}
	latDelta := radDeg(height / earthRadius)
	longDeltaTop := radDeg(width / earthRadius / cCos(degRad(s.lat+latDelta)))
	longDeltaBottom := radDeg(width / earthRadius / cCos(degRad(s.lat-latDelta)))
	if s.lat < 0 {
		s.bounds[0] = s.long - longDeltaBottom
		s.bounds[2] = s.long + longDeltaBottom
	} else {
		s.bounds[0] = s.long - longDeltaTop
		s.bounds[2] = s.long + longDeltaTop
	}
	s.bounds[1] = s.lat - latDelta
	s.bounds[3] = s.lat + latDelta
}

// areas is geohashCalculateAreasByShapeWGS84: the boxes to scan, the
// centre first, then the neighbours in membersOfAllNeighbors' order
// (zero for the ones left out).
func (s *geoShape) areas() [9]geoHash {
	s.boundingBox()
	minLong, minLat, maxLong, maxLat := s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3]
	var meters float64
	if s.box {
		w, h := s.width/2, s.height/2
		meters = math.Sqrt(float64(w*w) + float64(h*h))
	} else {
		meters = s.radius
	}
	meters *= s.conversion
	steps := estimateSteps(meters, s.lat)

	hash, _ := geoEncode(geoWGS84Long, geoWGS84Lat, s.long, s.lat, steps)
	nb := hash.neighbors()
	area := geoDecode(geoWGS84Long, geoWGS84Lat, hash)

	north := geoDecode(geoWGS84Long, geoWGS84Lat, nb[nbNorth])
	south := geoDecode(geoWGS84Long, geoWGS84Lat, nb[nbSouth])
	east := geoDecode(geoWGS84Long, geoWGS84Lat, nb[nbEast])
	west := geoDecode(geoWGS84Long, geoWGS84Lat, nb[nbWest])
	decrease := north.lat.max < maxLat || south.lat.min > minLat ||
		east.long.max < maxLong || west.long.min > minLong
	if steps > 1 && decrease {
		steps--
		hash, _ = geoEncode(geoWGS84Long, geoWGS84Lat, s.long, s.lat, steps)
		nb = hash.neighbors()
		area = geoDecode(geoWGS84Long, geoWGS84Lat, hash)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			nb[nbSouth], nb[nbSouthWest], nb[nbSouthEast] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.lat.max > maxLat {
			nb[nbNorth], nb[nbNorthEast], nb[nbNorthWest] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.long.min < minLong {
			nb[nbWest], nb[nbSouthWest], nb[nbNorthWest] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.long.max > maxLong {
			nb[nbEast], nb[nbSouthEast], nb[nbNorthEast] = geoHash{}, geoHash{}, geoHash{}
		}
	}
	var out [9]geoHash
	out[0] = hash
	copy(out[1:], nb[:])
	return out
}

// within is geoWithinShape for a decoded position: whether it is in the
// shape, and its distance from the centre in meters.
func (s *geoShape) within(long, lat float64) (float64, bool) {
	if !s.box {
		d := geoDistance(s.long, s.lat, long, lat)
		return d, !(d > float64(s.radius*s.conversion))
	}
	widthM := float64(s.width * s.conversion)
	heightM := float64(s.height * s.conversion)
	if geoLatDistance(lat, s.lat) > heightM/2 {
		return 0, false
	}
	if geoDistance(long, lat, s.long, lat) > widthM/2 {
		return 0, false
	}
	return geoDistance(s.long, s.lat, long, lat), true
}
