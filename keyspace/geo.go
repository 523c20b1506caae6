package keyspace

import (
	"bytes"
	"math"
	"strconv"
)

// Geo commands (Redis's geo.c): a geo set is a sorted set whose scores
// are 52-bit geohashes (geohash.go). GEOADD runs as the ZADD it turns
// into, and is logged as that ZADD (lowercase "zadd", as Redis
// propagates it); the STORE forms of the searches are logged as called,
// as Redis does, and replaying them gives the same result.

func init() {
	register("geoadd", -5, true, 1, 1, 1, geoaddCommand)
	register("geopos", -2, false, 1, 1, 1, geoposCommand)
	register("geohash", -2, false, 1, 1, 1, geohashCommand)
	register("geodist", -4, false, 1, 1, 1, geodistCommand)
	register("georadius", -6, true, 1, 1, 1, func(x *ctx) { georadiusCommand(x, 1, geoRadiusCoords) })
	register("georadius_ro", -6, false, 1, 1, 1, func(x *ctx) { georadiusCommand(x, 1, geoRadiusCoords|geoNoStore) })
	register("georadiusbymember", -5, true, 1, 1, 1, func(x *ctx) { georadiusCommand(x, 1, geoRadiusMember) })
	register("georadiusbymember_ro", -5, false, 1, 1, 1, func(x *ctx) { georadiusCommand(x, 1, geoRadiusMember|geoNoStore) })
	register("geosearch", -7, false, 1, 1, 1, func(x *ctx) { georadiusCommand(x, 1, geoSearch) })
	register("geosearchstore", -8, true, 1, 2, 1, func(x *ctx) { georadiusCommand(x, 2, geoSearch|geoSearchStore) })
}

const errGeoMember = "ERR could not decode requested zset member"

// argDouble parses argument i as getDoubleFromObjectOrReply does,
// replying msg (errNotFloat when empty) if it is not a number.
func (x *ctx) argDouble(i int, msg string) (float64, bool) {
	f, ok := parseScore(x.arg(i))
	if !ok {
		if msg == "" {
			msg = errNotFloat
		}
		x.err(msg)
	}
	return f, ok
}

// argLongLat parses arguments i and i+1 as a longitude and a latitude
// within Redis's limits (extractLongLatOrReply).
func (x *ctx) argLongLat(i int) (long, lat float64, ok bool) {
	if long, ok = x.argDouble(i, ""); !ok {
		return
	}
	if lat, ok = x.argDouble(i+1, ""); !ok {
		return
	}
	if long < geoLongMin || long > geoLongMax || lat < geoLatMin || lat > geoLatMax {
		x.err("ERR invalid longitude,latitude pair " + cFixed6(long) + "," + cFixed6(lat))
		return 0, 0, false
	}
	return long, lat, true
}

// cFixed6 formats f as printf's "%f".
func cFixed6(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// argUnit parses argument i as a unit, returning meters per unit
// (extractUnitOrReply).
func (x *ctx) argUnit(i int) (float64, bool) {
	switch {
	case x.cis(i, "m"):
		return 1, true
	case x.cis(i, "km"):
		return 1000, true
	case x.cis(i, "ft"):
		return 0.3048, true
	case x.cis(i, "mi"):
		return 1609.34, true
	}
	x.err("ERR unsupported unit provided. please use M, KM, FT, MI")
	return 0, false
}

// argRadius parses a radius and a unit at argument i
// (extractDistanceOrReply).
func (x *ctx) argRadius(i int, s *geoShape) bool {
	r, ok := x.argDouble(i, "ERR need numeric radius")
	if !ok {
		return false
	}
	if r < 0 {
		x.err("ERR radius cannot be negative")
		return false
	}
	s.radius = r
	s.conversion, ok = x.argUnit(i + 1)
	return ok
}

// argBox parses a width, a height and a unit at argument i
// (extractBoxOrReply).
func (x *ctx) argBox(i int, s *geoShape) bool {
	w, ok := x.argDouble(i, "ERR need numeric width")
	if !ok {
		return false
	}
	h, ok := x.argDouble(i+1, "ERR need numeric height")
	if !ok {
		return false
	}
	if h < 0 || w < 0 {
		x.err("ERR height or width cannot be negative")
		return false
	}
	s.width, s.height = w, h
	s.conversion, ok = x.argUnit(i + 2)
	return ok
}

// appendDistance formats a distance as Redis's addReplyDoubleDistance
// (fixedpoint_d2string with 4 digits): the value times 10^4 rounded to
// an integer (llrint, which gives the most negative long long for what
// does not fit), then the point put in.
func appendDistance(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	s := d * 10000
	var v int64
	if r := math.RoundToEven(s); r != r || r >= 1<<63 || r < -(1<<63) {
		v = math.MinInt64
	} else {
		v = int64(r)
	}
	var u uint64
	if v < 0 {
		dst = append(dst, '-')
		u = uint64(-v) // -MinInt64 wraps to itself: 1<<63, as in C
	} else {
		u = uint64(v)
	}
	ip, fp := u/10000, u%10000
	dst = strconv.AppendUint(dst, ip, 10)
	dst = append(dst, '.')
	f := strconv.AppendUint(nil, fp, 10)
	for range 4 - len(f) {
		dst = append(dst, '0')
	}
	return append(dst, f...)
}

// appendHuman formats f as Redis's ld2string in LD_STR_HUMAN mode:
// "%.17Lf" with trailing zeros (and a trailing point) removed, "-0" as
// "0".
func appendHuman(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 17, 64)
	dst = bytes.TrimRight(dst, "0")
	dst = bytes.TrimSuffix(dst, []byte("."))
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// humanDouble replies f as addReplyHumanLongDouble: a bulk string in
// RESP2, a double in RESP3.
func humanDouble(r *Reply, f float64) {
	var b [400]byte
	s := appendHuman(b[:0], f)
	if r.RESP3 {
		r.Buf = append(r.Buf, ',')
		r.Buf = append(r.Buf, s...)
		r.Buf = append(r.Buf, "\r\n"...)
		return
	}
	r.Bulk(s)
}

// geoaddCommand is GEOADD key [NX|XX] [CH] long lat member ...: it runs
// as ZADD key [options] score member ..., and is logged as that ZADD.
func geoaddCommand(x *ctx) {
	xx, nx := false, false
	longIdx := 2
	for ; longIdx < x.nargs(); longIdx++ {
		switch {
		case x.is(longIdx, "nx"):
			nx = true
		case x.is(longIdx, "xx"):
			xx = true
		case x.is(longIdx, "ch"):
		default:
			goto parsed
		}
	}
parsed:
	if (x.nargs()-longIdx)%3 != 0 || xx && nx {
		x.err(errSyntax)
		return
	}
	elements := (x.nargs() - longIdx) / 3
	args := make([][]byte, 0, longIdx+2*elements)
	args = append(args, []byte("zadd"))
	args = append(args, x.c.Args[1:longIdx]...)
	for i := range elements {
		j := longIdx + 3*i
		long, lat, ok := x.argLongLat(j)
		if !ok {
			return
		}
		args = append(args, strconv.AppendUint(nil, geoScore(long, lat), 10), x.arg(j+2))
	}
	orig := x.c.Args
	x.c.Args = args
	zaddCommand(x, false)
	x.c.Args = orig
	x.rewrite(args...)
}

// geoposCommand is GEOPOS key member ...
func geoposCommand(x *ctx) {
	x.replyScores(func(r *Reply, score float64, found bool) {
		if !found {
			r.NullArray()
			return
		}
		long, lat := geoDecodeScore(score)
		r.Array(2)
		humanDouble(r, long)
		humanDouble(r, lat)
	})
}

// geohashCommand is GEOHASH key member ...: each position as an
// 11-character standard geohash (its last character always '0').
func geohashCommand(x *ctx) {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	x.replyScores(func(r *Reply, score float64, found bool) {
		if !found {
			r.Null()
			return
		}
		long, lat := geoDecodeScore(score)
		h, _ := geoEncode(geoStdLong, geoStdLat, long, lat, 26)
		var buf [11]byte
		for i := range 10 {
			buf[i] = alphabet[(h.bits>>(52-(i+1)*5))&0x1f]
		}
		buf[10] = alphabet[0]
		r.Bulk(buf[:])
	})
}

// geodistCommand is GEODIST key member1 member2 [unit].
func geodistCommand(x *ctx) {
	toMeter := 1.0
	switch {
	case x.nargs() == 5:
		var ok bool
		if toMeter, ok = x.argUnit(4); !ok {
			return
		}
	case x.nargs() > 5:
		x.err(errSyntax)
		return
	}
	z, ok := x.lookupZSet(x.arg(1))
	if !ok {
		return
	}
	if z == nil {
		x.reply().Null()
		return
	}
	s1, ok1 := z.score(x.arg(2))
	s2, ok2 := z.score(x.arg(3))
	if !ok1 || !ok2 {
		x.reply().Null()
		return
	}
	long1, lat1 := geoDecodeScore(s1)
	long2, lat2 := geoDecodeScore(s2)
	var b [32]byte
	x.reply().Bulk(appendDistance(b[:0], geoDistance(long1, lat1, long2, lat2)/toMeter))
}

// Flags of georadiusCommand.
const (
	geoRadiusCoords = 1 << iota // GEORADIUS: around a position
	geoRadiusMember             // GEORADIUSBYMEMBER: around a member
	geoNoStore                  // the _RO forms: no STORE or STOREDIST
	geoSearch                   // GEOSEARCH's arguments
	geoSearchStore              // GEOSEARCHSTORE
)

// Result orders.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// geoPoint is a search result.
type geoPoint struct {
	long, lat float64
	dist      float64
	score     float64
	member    string
}

// georadiusCommand is Redis's georadiusGeneric: GEORADIUS,
// GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and GEOSEARCHSTORE, the
// source key at argument src.
func georadiusCommand(x *ctx, src int, flags int) {
	var storeKey []byte
	storeDist := false

	z, ok := x.lookupZSet(x.arg(src))
	if !ok {
		return
	}
	var shape geoShape
	var base int
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		if shape.long, shape.lat, ok = x.argLongLat(2); !ok {
			return
		}
		if !x.argRadius(base-2, &shape) {
			return
		}
	case flags&geoRadiusMember != 0 && z == nil:
		// No source: the options are still parsed, to know which
		// reply to give.
		base = 5
	case flags&geoRadiusMember != 0:
		base = 5
		score, found := z.score(x.arg(2))
		if !found {
			x.err(errGeoMember)
			return
		}
		shape.long, shape.lat = geoDecodeScore(score)
		if !x.argRadius(base-2, &shape) {
			return
		}
	default: // geoSearch
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = x.arg(1)
		}
	}

	withDist, withHash, withCoords := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sort := geoSortNone
	anyFlag := false
	var count int64
	remaining := x.nargs() - base
	for i := 0; i < remaining; i++ {
		a := base + i
		switch {
		case x.cis(a, "withdist"):
			withDist = true
		case x.cis(a, "withhash"):
			withHash = true
		case x.cis(a, "withcoord"):
			withCoords = true
		case x.cis(a, "any"):
			anyFlag = true
		case x.cis(a, "asc"):
			sort = geoSortAsc
		case x.cis(a, "desc"):
			sort = geoSortDesc
		case x.cis(a, "count") && i+1 < remaining:
			if count, ok = x.argInt(a + 1); !ok {
				return
			}
			if count <= 0 {
				x.err("ERR COUNT must be > 0")
				return
			}
			i++
		case (x.cis(a, "store") || x.cis(a, "storedist")) && i+1 < remaining && flags&(geoNoStore|geoSearch) == 0:
			storeKey = x.arg(a + 1)
			storeDist = x.cis(a, "storedist")
			i++
		case x.cis(a, "storedist") && flags&geoSearch != 0 && flags&geoSearchStore != 0:
			storeDist = true
		case x.cis(a, "frommember") && i+1 < remaining && flags&geoSearch != 0 && !fromLoc:
			if z != nil {
				score, found := z.score(x.arg(a + 1))
				if !found {
					x.err(errGeoMember)
					return
				}
				shape.long, shape.lat = geoDecodeScore(score)
			}
			fromMember = true
			i++
		case x.cis(a, "fromlonlat") && i+2 < remaining && flags&geoSearch != 0 && !fromMember:
			if shape.long, shape.lat, ok = x.argLongLat(a + 1); !ok {
				return
			}
			fromLoc = true
			i += 2
		case x.cis(a, "byradius") && i+2 < remaining && flags&geoSearch != 0 && !byBox:
			if !x.argRadius(a+1, &shape) {
				return
			}
			shape.box = false
			byRadius = true
			i += 2
		case x.cis(a, "bybox") && i+3 < remaining && flags&geoSearch != 0 && !byRadius:
			if !x.argBox(a+1, &shape) {
				return
			}
			shape.box = true
			byBox = true
			i += 3
		default:
			x.err(errSyntax)
			return
		}
	}

	name := string(x.arg(0))
	switch {
	case storeKey != nil && (withDist || withHash || withCoords):
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		x.err("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	case flags&geoSearch != 0 && !(fromMember || fromLoc):
		x.err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + name)
		return
	case flags&geoSearch != 0 && !(byRadius || byBox):
		x.err("ERR exactly one of BYRADIUS and BYBOX can be specified for " + name)
		return
	case anyFlag && count == 0:
		x.err("ERR the ANY argument requires COUNT argument")
		return
	}

	if z == nil {
		if storeKey != nil {
			x.delete(storeKey)
			x.reply().Int(0)
		} else {
			x.reply().Array(0)
		}
		return
	}
	if count != 0 && sort == geoSortNone && !anyFlag {
		sort = geoSortAsc
	}
	limit := 0
	if anyFlag {
		limit = int(min(count, math.MaxInt32))
	}
	points := z.geoMembersOfAreas(&shape, shape.areas(), limit)

	if len(points) == 0 && storeKey == nil {
		x.reply().Array(0)
		return
	}
	returned := len(points)
	if count != 0 && int64(returned) > count {
		returned = int(count)
	}
	if sort != geoSortNone {
		asc := func(a, b *geoPoint) int { // sort_gp_asc
			switch {
			case a.dist > b.dist:
				return 1
			case a.dist == b.dist:
				return 0
			}
			return -1
		}
		cmp := asc
		if sort == geoSortDesc {
			cmp = func(a, b *geoPoint) int { return -asc(a, b) }
		}
		if returned == len(points) {
			mergeSort(points, cmp)
		} else {
			pqsort(points, cmp, 0, returned-1)
		}
	}

	if storeKey == nil {
		r := x.reply()
		options := 0
		for _, w := range []bool{withDist, withCoords, withHash} {
			if w {
				options++
			}
		}
		r.Array(returned)
		for _, p := range points[:returned] {
			p.dist /= shape.conversion
			if options > 0 {
				r.Array(options + 1)
			}
			r.BulkString(p.member)
			if withDist {
				var b [32]byte
				r.Bulk(appendDistance(b[:0], p.dist))
			}
			if withHash {
				r.Int(cvttsd2si(p.score))
			}
			if withCoords {
				r.Array(2)
				humanDouble(r, p.long)
				humanDouble(r, p.lat)
			}
		}
		return
	}
	dst := newZSet(false)
	maxLen := 0
	for _, p := range points[:returned] {
		score := p.score
		if storeDist {
			score = p.dist / shape.conversion
		}
		// No member comes twice (the boxes scanned are distinct
		// cells; Redis asserts it): the check only keeps a case
		// missed from corrupting the zset.
		if _, dup := dst.dict[p.member]; !dup {
			dst.insert(p.member, score)
		}
		maxLen = max(maxLen, len(p.member))
	}
	dst.maybeListpack(maxLen)
	x.storeResult(storeKey, dst)
}

// geoMembersOfAreas is membersOfAllNeighbors: the members within the
// shape found in the boxes, in Redis's scan order: box by box (a box
// equal to the last one scanned is skipped), each in score order, and
// with a limit (COUNT ANY) stopping as soon as that many are found.
func (z *zset) geoMembersOfAreas(s *geoShape, boxes [9]geoHash, limit int) []*geoPoint {
	var points []*geoPoint
	last := 0
	for i, h := range boxes {
		if h.zero() {
			continue
		}
		if last != 0 && h == boxes[last] {
			continue
		}
		if len(points) > 0 && limit > 0 && len(points) >= limit {
			break
		}
		points = z.geoMembersOfBox(s, h, points, limit)
		last = i
	}
	return points
}

// geoMembersOfBox is membersOfGeoHashBox: it appends the members whose
// scores are within the box's range and whose positions are within the
// shape.
func (z *zset) geoMembersOfBox(s *geoShape, h geoHash, points []*geoPoint, limit int) []*geoPoint {
	lo := float64(h.align52())
	h.bits++
	hi := float64(h.align52())
	n, _ := z.zsl.firstNotBefore(func(n *zslNode) bool { return n.score < lo })
	for ; n != nil && n.score < hi; n = n.next() {
		long, lat := geoDecodeScore(n.score)
		if d, ok := s.within(long, lat); ok {
			points = append(points, &geoPoint{long: long, lat: lat, dist: d, score: n.score, member: n.member})
		}
		if len(points) > 0 && limit > 0 && len(points) >= limit {
			break
		}
	}
	return points
}

// mergeSort sorts as glibc's qsort does for arrays it can copy (its
// msort): a top-down merge sort, the first half n/2 elements, taking
// from the left run while cmp(left, right) <= 0. Ties, and the results
// of an inconsistent comparison, end up where Redis has them.
func mergeSort(p []*geoPoint, cmp func(a, b *geoPoint) int) {
	if len(p) <= 1 {
		return
	}
	tmp := make([]*geoPoint, len(p))
	msort(p, tmp, cmp)
}

func msort(p, tmp []*geoPoint, cmp func(a, b *geoPoint) int) {
	n := len(p)
	if n <= 1 {
		return
	}
	n1 := n / 2
	b1, b2 := p[:n1], p[n1:]
	msort(b1, tmp, cmp)
	msort(b2, tmp, cmp)
	out := tmp[:0]
	i, j := 0, 0
	for i < len(b1) && j < len(b2) {
		if cmp(b1[i], b2[j]) <= 0 {
			out = append(out, b1[i])
			i++
		} else {
			out = append(out, b2[j])
			j++
		}
	}
	out = append(out, b1[i:]...)
	// What is left of b2 is in place already.
	copy(p, out)
}

// pqsort is Redis's pqsort (Bentley and McIlroy's quicksort that only
// recurses into the parts overlapping ranks lrange..rrange), done step
// by step as Redis does it, so that ties come out in Redis's order.
func pqsort(a []*geoPoint, cmp func(a, b *geoPoint) int, lrange, rrange int) {
	pqsortAt(a, 0, len(a), cmp, lrange, rrange)
}

// pqsortAt sorts a[base:base+n].
func pqsortAt(a []*geoPoint, base, n int, cmp func(a, b *geoPoint) int, lrange, rrange int) {
	c := func(i, j int) int { return cmp(a[i], a[j]) }
	swap := func(i, j int) { a[i], a[j] = a[j], a[i] }
	vecswap := func(i, j, k int) {
		for ; k > 0; k-- {
			swap(i, j)
			i++
			j++
		}
	}
	med3 := func(x, y, z int) int {
		if c(x, y) < 0 {
			if c(y, z) < 0 {
				return y
			}
			if c(x, z) < 0 {
				return z
			}
			return x
		}
		if c(y, z) > 0 {
			return y
		}
		if c(x, z) < 0 {
			return x
		}
		return z
	}
	for {
		if n < 7 {
			for pm := base + 1; pm < base+n; pm++ {
				for pl := pm; pl > base && c(pl-1, pl) > 0; pl-- {
					swap(pl, pl-1)
				}
			}
			return
		}
		pm := base + n/2
		if n > 7 {
			pl := base
			pn := base + n - 1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(base, pm)
		pa, pb := base+1, base+1
		pc, pd := base+n-1, base+n-1
		for {
			for pb <= pc {
				r := c(pb, base)
				if r > 0 {
					break
				}
				if r == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := c(pc, base)
				if r < 0 {
					break
				}
				if r == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := base + n
		r := min(pa-base, pb-pa)
		vecswap(base, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		// Recurse into a part only when it overlaps the ranks wanted.
		overlaps := func(start, cnt int) bool {
			return !(lrange < start && rrange < start || lrange >= start+cnt && rrange >= start+cnt)
		}
		if r := pb - pa; r > 1 && overlaps(base, r) {
			pqsortAt(a, base, r, cmp, lrange, rrange)
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		base, n = pn-r, r
		if !overlaps(base, n) {
			return
		}
	}
}
