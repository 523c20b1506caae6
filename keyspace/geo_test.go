package keyspace_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// ---- random differential generators ----

// geoPlaces are positions the generators use: real places, the limits,
// both sides of the antimeridian, near the poles, and the same place
// twice (ties in distance).
var geoPlaces = [][2]string{
	{"13.361389", "38.115556"}, {"15.087269", "37.502669"}, {"2.349014", "48.864716"},
	{"-0.127758", "51.507351"}, {"-73.935242", "40.730610"}, {"139.691706", "35.689487"},
	{"180", "85.05112878"}, {"-180", "-85.05112878"}, {"180", "0"}, {"-180", "0"},
	{"0", "0"}, {"0", "85.05112878"}, {"0", "-85.05112878"}, {"179.9999", "10"},
	{"-179.9999", "10"}, {"179.5", "-20"}, {"-179.5", "-20"}, {"10", "84.9"},
	{"-10", "-84.9"}, {"13.361389", "38.115556"}, {"13.361390", "38.115557"},
	{"-180", "85.05112878"}, {"180", "-85.05112878"}, {"1e-300", "-0"},
}

// geoBadPlaces are refused: out of the limits, or not numbers.
var geoBadPlaces = [][2]string{
	{"180.0000001", "0"}, {"-180.0000001", "0"}, {"0", "85.05112879"}, {"0", "-85.05112879"},
	{"200", "100"}, {"inf", "0"}, {"0", "-inf"}, {"abc", "0"}, {"0", ""}, {"nan", "1"},
	{"1e400", "0"}, {" 1", "0"}, {"1e-400", "0"}, {"-1e300", "0"},
}

// geoPlace returns a longitude and a latitude: mostly from geoPlaces,
// sometimes random, now and then bad.
func geoPlace(r *rand.Rand) (string, string) {
	switch r.IntN(20) {
	case 0:
		p := geoBadPlaces[r.IntN(len(geoBadPlaces))]
		return p[0], p[1]
	case 1, 2, 3, 4, 5:
		return strconv.FormatFloat(r.Float64()*360-180, 'f', -1, 64),
			strconv.FormatFloat(r.Float64()*170.1-85.05, 'f', -1, 64)
	case 6, 7:
		// Near the antimeridian or a pole.
		return strconv.FormatFloat(179+r.Float64()*2-1, 'f', 6, 64)[:], strconv.FormatFloat(r.Float64()*170-85, 'f', 4, 64)
	}
	p := geoPlaces[r.IntN(len(geoPlaces))]
	return p[0], p[1]
}

var geoMembers = []string{"m1", "m2", "m3", "m4", "m5", "m6", "Palermo", "Catania", "", "1", "x\x00y"}

func geoMember(r *rand.Rand) string { return geoMembers[r.IntN(len(geoMembers))] }

func geoUnit(r *rand.Rand) string {
	if r.IntN(25) == 0 {
		return []string{"M", "yd", "", "kms", "Km", "FT", "Mi"}[r.IntN(7)]
	}
	return []string{"m", "km", "ft", "mi"}[r.IntN(4)]
}

// geoRadius is a radius (or a box side): zero, small, large, huge, and
// now and then refused.
func geoRadius(r *rand.Rand) string {
	if r.IntN(30) == 0 {
		return []string{"-1", "abc", "", "nan", "-0.0001", "1e400"}[r.IntN(6)]
	}
	switch r.IntN(4) {
	case 0:
		return []string{"0", "1", "100", "500", "1000", "5000", "20000", "1e9", "inf", "0.5", "40000000"}[r.IntN(11)]
	case 1:
		return strconv.Itoa(r.IntN(3000))
	}
	return strconv.FormatFloat(r.Float64()*3e6, 'f', 3, 64)
}

func geoCount(r *rand.Rand) string {
	if r.IntN(15) == 0 {
		return []string{"0", "-1", "x", "9223372036854775807", ""}[r.IntN(5)]
	}
	return strconv.Itoa(1 + r.IntN(6))
}

// geoOptions appends the options of a search, mostly valid (store
// tells which STORE words are allowed: 0 none, 1 GEORADIUS's, 2
// GEOSEARCHSTORE's).
func geoOptions(r *rand.Rand, k []string, args []string, store int) []string {
	n := r.IntN(4)
	for range n {
		switch r.IntN(10) {
		case 0:
			if store == 0 || r.IntN(8) == 0 {
				args = append(args, []string{"WITHDIST", "WITHCOORD", "WITHHASH", "withdist"}[r.IntN(4)])
			}
		case 1, 2:
			args = append(args, []string{"ASC", "DESC", "asc"}[r.IntN(3)])
		case 3, 4, 5:
			args = append(args, "COUNT", geoCount(r))
			if r.IntN(2) == 0 {
				args = append(args, "ANY")
			}
		case 6:
			if r.IntN(5) == 0 {
				args = append(args, "ANY")
			}
		case 7:
			switch {
			case store == 1:
				args = append(args, []string{"STORE", "STOREDIST"}[r.IntN(2)], randKey(r, k))
			case store == 2:
				args = append(args, "STOREDIST")
			}
		case 8:
			if r.IntN(6) == 0 {
				args = append(args, []string{"BOGUS", "COUNT", "STORE", "WITHDIST"}[r.IntN(4)])
			}
		case 9:
			args = append(args, "WITHDIST", "WITHCOORD", "WITHHASH")
		}
	}
	return args
}

// geoSearchArgs appends GEOSEARCH's FROM and BY arguments, mostly one
// of each, then options.
func geoSearchArgs(r *rand.Rand, k []string, args []string, store int) []string {
	from := func() {
		if r.IntN(2) == 0 {
			args = append(args, "FROMMEMBER", geoMember(r))
		} else {
			lo, la := geoPlace(r)
			args = append(args, "FROMLONLAT", lo, la)
		}
	}
	by := func() {
		if r.IntN(2) == 0 {
			args = append(args, "BYRADIUS", geoRadius(r), geoUnit(r))
		} else {
			args = append(args, "BYBOX", geoRadius(r), geoRadius(r), geoUnit(r))
		}
	}
	switch r.IntN(20) {
	case 0:
		from()
	case 1:
		by()
	case 2:
		from()
		from()
		by()
	case 3:
		by()
		from()
		by()
	default:
		if r.IntN(2) == 0 {
			from()
			by()
		} else {
			by()
			from()
		}
	}
	return geoOptions(r, k, args, store)
}

func init() {
	gens = append(gens,
		gen{"geo", func(r *rand.Rand, k []string) []string { // GEOADD
			args := []string{"GEOADD", randKey(r, k)}
			for _, o := range []string{"NX", "XX", "CH", "ch"} {
				if r.IntN(7) == 0 {
					args = append(args, o)
				}
			}
			for range 1 + r.IntN(4) {
				lo, la := geoPlace(r)
				args = append(args, lo, la, geoMember(r))
			}
			if r.IntN(30) == 0 {
				args = args[:len(args)-1]
			}
			return args
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string { // GEOADD of many members
			args := []string{"GEOADD", randKey(r, k)}
			for i := range 3 + r.IntN(20) {
				lo, la := geoPlace(r)
				args = append(args, lo, la, "p"+strconv.Itoa(i))
			}
			return args
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string { // odd scores
			s := []string{"-1", "1e20", "4503599627370496", "4503599627370495", "9007199254740992", "1.5",
				"inf", "-inf", "13510798882111488", "-0", "3471579339700058", "18446744073709551615"}[r.IntN(12)]
			if r.IntN(2) == 0 {
				s = strconv.FormatUint(r.Uint64N(1<<52), 10)
			}
			return []string{"ZADD", randKey(r, k), s, geoMember(r)}
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			args := []string{[]string{"GEOPOS", "GEOHASH"}[r.IntN(2)], randKey(r, k)}
			for range 1 + r.IntN(4) {
				args = append(args, geoMember(r))
			}
			return args
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			args := []string{"GEODIST", randKey(r, k), geoMember(r), geoMember(r)}
			switch r.IntN(4) {
			case 0:
			case 1:
				args = append(args, geoUnit(r), "x")
			default:
				args = append(args, geoUnit(r))
			}
			return args
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			args := []string{[]string{"GEOSEARCH", "geosearch"}[r.IntN(2)], randKey(r, k)}
			return geoSearchArgs(r, k, args, 0)
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			args := []string{"GEOSEARCHSTORE", randKey(r, k), randKey(r, k)}
			return geoSearchArgs(r, k, args, 2)
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			name := []string{"GEORADIUS", "GEORADIUS_RO"}[r.IntN(2)]
			lo, la := geoPlace(r)
			args := []string{name, randKey(r, k), lo, la, geoRadius(r), geoUnit(r)}
			store := 1
			if name == "GEORADIUS_RO" && r.IntN(5) != 0 {
				store = 0
			}
			return geoOptions(r, k, args, store)
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			name := []string{"GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"}[r.IntN(2)]
			args := []string{name, randKey(r, k), geoMember(r), geoRadius(r), geoUnit(r)}
			store := 1
			if name == "GEORADIUSBYMEMBER_RO" && r.IntN(5) != 0 {
				store = 0
			}
			return geoOptions(r, k, args, store)
		}},
	)
}

func TestDifferentialGeo(t *testing.T) { runDifferential(t, "geo", "generic") }

// TestDifferentialGeoTypes mixes in strings and sorted sets: searches
// and STORE forms on keys of other types, and sorted sets with any
// scores.
func TestDifferentialGeoTypes(t *testing.T) { runDifferential(t, "geo", "strings", "zsets") }
