package keyspace_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
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
	if r.IntN(4) == 0 {
		return strconv.Itoa(1 + r.IntN(100))
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
			// STOREDIST only where distances need no trigonometry
			// (geoMeridian), and misplaced.
			switch {
			case store == 1:
				args = append(args, "STORE", randKey(r, k))
			case r.IntN(10) == 0:
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

// geoMeridian is a key whose members all lie on one meridian. Searches
// from one of its members find distances without trigonometry (Redis
// computes them from the latitudes alone), so STOREDIST's scores can be
// compared to the bit: elsewhere a stored distance can differ from
// Redis's in its last bit (see geomath.go), and is not generated.
const geoMeridian = "geo:meridian"

func init() {
	gens = append(gens,
		gen{"geo", func(r *rand.Rand, k []string) []string {
			args := []string{"GEOADD", geoMeridian}
			for range 1 + r.IntN(5) {
				lat := strconv.FormatFloat(r.Float64()*170.1-85.05, 'f', 1+r.IntN(8), 64)
				if r.IntN(5) == 0 {
					lat = []string{"85.05112878", "-85.05112878", "0", "38.115556"}[r.IntN(4)]
				}
				args = append(args, "13.361389", lat, "p"+strconv.Itoa(r.IntN(40)))
			}
			return args
		}},
		gen{"geo", func(r *rand.Rand, k []string) []string {
			from := "p" + strconv.Itoa(r.IntN(40))
			var args []string
			switch r.IntN(3) {
			case 0:
				args = []string{"GEORADIUSBYMEMBER", geoMeridian, from, geoRadius(r), geoUnit(r), "STOREDIST", randKey(r, k)}
			case 1:
				args = []string{"GEOSEARCHSTORE", randKey(r, k), geoMeridian, "FROMMEMBER", from, "BYRADIUS", geoRadius(r), geoUnit(r), "STOREDIST"}
			default:
				args = []string{"GEOSEARCHSTORE", randKey(r, k), geoMeridian, "FROMMEMBER", from, "BYBOX", geoRadius(r), geoRadius(r), geoUnit(r), "STOREDIST"}
			}
			if r.IntN(2) == 0 {
				args = append(args, []string{"ASC", "DESC"}[r.IntN(2)])
			}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", geoCount(r))
				if r.IntN(3) == 0 {
					args = append(args, "ANY")
				}
			}
			return args
		}},
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
		gen{"geo", func(r *rand.Rand, k []string) []string { // a crowd: many members on few places
			if r.IntN(4) != 0 {
				return []string{"GEOPOS", randKey(r, k), "p1"}
			}
			// At most 100 names: with the others, a zset stays within
			// Redis's listpack limit, where ZSCAN replies everything
			// at once as ours does (the "zsets" group's ZSCAN).
			args := []string{"GEOADD", randKey(r, k)}
			n := 30 + r.IntN(71)
			for i := range n {
				p := geoPlaces[r.IntN(4)]
				if r.IntN(3) == 0 {
					lo, la := geoPlace(r)
					p = [2]string{lo, la}
				}
				args = append(args, p[0], p[1], "p"+strconv.Itoa(i))
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

// ---- known values and scripted cases ----

// TestGeoKnownValues checks scores, positions, distances and hashes
// against values redis-server 7.0.15 gave, and what GEOADD logs.
func TestGeoKnownValues(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	q := func(args ...string) string { return fmt.Sprintf("%q", args) }
	tests := []callCase{
		{[]string{"GEOADD", "k", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"}, ":2\r\n",
			[]string{q("zadd", "k", "3479099956230698", "Palermo", "3479447370796909", "Catania")}},
		{[]string{"GEOADD", "k", "CH", "XX", "13.361389", "38.115556", "Palermo", "1", "1", "new"}, ":0\r\n", nil},
		{[]string{"GEOADD", "k", "NX", "CH", "180", "85.05112878", "top", "-180", "-85.05112878", "bot"}, ":2\r\n",
			[]string{q("zadd", "k", "NX", "CH", "13510798882111488", "top", "0", "bot")}},
		{[]string{"GEOPOS", "k", "Palermo", "Catania", "nope"},
			"*3\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n" +
				"*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*-1\r\n", nil},
		{[]string{"GEOPOS", "k", "top", "bot"},
			"*2\r\n*2\r\n$3\r\n180\r\n$19\r\n85.0511287799999991\r\n" +
				"*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n", nil},
		{[]string{"GEODIST", "k", "Palermo", "Catania", "km"}, "$8\r\n166.2742\r\n", nil},
		{[]string{"GEODIST", "k", "Palermo", "Catania"}, "$11\r\n166274.1516\r\n", nil},
		{[]string{"GEODIST", "k", "Palermo", "nope"}, "$-1\r\n", nil},
		{[]string{"GEOHASH", "k", "Palermo", "nope"}, "*2\r\n$11\r\nsqc8b49rny0\r\n$-1\r\n", nil},
		{[]string{"GEORADIUS", "k", "15", "37", "200", "km", "WITHDIST", "WITHHASH", "WITHCOORD"},
			"*2\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n" +
				"*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n", nil},
		{[]string{"GEORADIUS", "k", "15", "37", "200", "km", "STORE", "d"}, ":2\r\n", []string{"="}},
		{[]string{"GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}, ":0\r\n", []string{"="}},
		{[]string{"GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}, ":0\r\n", nil},
		{[]string{"GEOADD", "k", "200", "1", "x"}, "-ERR invalid longitude,latitude pair 200.000000,1.000000\r\n", nil},
		{[]string{"GEOADD", "k", "1", "86", "x"}, "-ERR invalid longitude,latitude pair 1.000000,86.000000\r\n", nil},
		{[]string{"GEOADD", "k", "1", "1", "x", "y"}, "-ERR syntax error\r\n", nil},
		{[]string{"GEODIST", "k", "Palermo", "Catania", "yd"}, "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n", nil},
		{[]string{"GEORADIUSBYMEMBER", "k", "nope", "1", "km"}, "-ERR could not decode requested zset member\r\n", nil},
	}
	checkCalls(t, ks, tests)
}

// TestGeoEdgeCases compares replies byte for byte, and the data, in
// cases random generation reaches rarely.
func TestGeoEdgeCases(t *testing.T) {
	d := newDiffer(t)
	d.same("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
		"179.9", "10", "east", "-179.9", "10", "west", "0", "85.05", "north", "0", "-85.05", "south",
		"180", "85.05112878", "corner", "-180", "-85.05112878", "corner2")
	d.same("ZADD", "g", "-1", "neg", "1e20", "huge", "inf", "inf", "1.5", "frac", "4503599627370496", "two52")
	d.same("GEOPOS", "g", "neg", "huge", "inf", "frac", "two52", "corner", "corner2", "nope")
	d.same("GEOHASH", "g", "neg", "huge", "inf", "frac", "two52", "corner", "corner2", "nope")
	for _, unit := range []string{"m", "km", "ft", "mi", "KM", "Mi"} {
		d.same("GEODIST", "g", "east", "west", unit)
		d.same("GEODIST", "g", "north", "south", unit)
	}
	d.same("GEODIST", "g", "east", "west", "km", "x")
	d.same("GEODIST", "nokey", "east", "west", "yd")
	// Across the antimeridian and the poles.
	for _, args := range [][]string{
		{"FROMLONLAT", "180", "10", "BYRADIUS", "100", "km"},
		{"FROMLONLAT", "-180", "10", "BYBOX", "200", "200", "km"},
		{"FROMMEMBER", "east", "BYBOX", "40", "40", "km"},
		{"FROMMEMBER", "north", "BYRADIUS", "2000", "km"},
		{"FROMLONLAT", "0", "-85.05112878", "BYBOX", "20000", "500", "km"},
		{"FROMLONLAT", "0", "0", "BYRADIUS", "40000", "km"},
		{"FROMLONLAT", "0", "0", "BYRADIUS", "inf", "km"},
		{"FROMLONLAT", "0", "0", "BYRADIUS", "0", "m"},
		{"FROMMEMBER", "Palermo", "BYRADIUS", "0", "m"},
		{"FROMLONLAT", "15", "37", "BYRADIUS", "20000", "km", "COUNT", "3", "ANY"},
		{"FROMLONLAT", "15", "37", "BYRADIUS", "20000", "km", "COUNT", "3", "ANY", "DESC"},
		{"FROMLONLAT", "15", "37", "BYRADIUS", "20000", "km", "COUNT", "3"},
		{"FROMLONLAT", "15", "37", "BYRADIUS", "20000", "km", "DESC", "WITHDIST", "WITHHASH", "WITHCOORD"},
	} {
		d.same(append([]string{"GEOSEARCH", "g"}, args...)...)
	}
	// Errors, in Redis's order.
	for _, args := range [][]string{
		{"GEOSEARCH", "g", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east"},
		{"geosearch", "g", "FROMMEMBER", "east"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "-1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "x", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYBOX", "x", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYBOX", "1", "x", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYBOX", "1", "-1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYBOX", "1", "1", "yd"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "1", "km", "ANY"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "1", "km", "COUNT", "0"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "1", "km", "COUNT", "x"},
		{"GEOSEARCH", "g", "FROMMEMBER", "east", "BYRADIUS", "1", "km", "STORE", "x"},
		{"GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "east", "BYRADIUS", "1", "km", "WITHDIST"},
		{"GEORADIUS", "g", "1", "2", "1", "km", "STORE", "x", "WITHCOORD"},
		{"GEORADIUS_RO", "g", "1", "2", "1", "km", "STORE", "x"},
		{"GEORADIUS", "g", "200", "2", "1", "km"},
		{"GEORADIUS", "g", "1", "2", "1", "yd"},
		{"GEORADIUSBYMEMBER", "nokey", "m", "x", "yd"},
		{"GEORADIUSBYMEMBER", "nokey", "m", "x", "yd", "STORE", "g2"},
		{"GEORADIUSBYMEMBER", "nokey", "m", "x", "yd", "BOGUS"},
		{"GEOSEARCH", "nokey", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
	} {
		d.same(args...)
	}
	// STORE forms into keys of other types, and an expired destination.
	d.same("SET", "s", "x")
	d.same("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "s")
	d.same("TYPE", "s")
	d.same("RPUSH", "l", "x")
	d.same("GEOSEARCHSTORE", "l", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m")
	d.same("EXISTS", "l")
	d.same("SET", "e", "x", "PX", "1")
	time.Sleep(5 * time.Millisecond)
	d.same("GEOSEARCHSTORE", "e", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "0", "m", "STOREDIST")
	d.same("SET", "s", "x")
	d.same("GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "s")
	d.same("GEORADIUS", "s", "15", "37", "200", "km")
	d.check()
}

// TestGeoRESP3 compares RESP3 replies byte for byte (positions are
// doubles in ld2string's human form), reading redis-server's bytes as
// they come: the test client re-encodes what it parses.
func TestGeoRESP3(t *testing.T) {
	srv := redistest.Start(t, "")
	conn, err := net.Dial("unix", srv.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var wire bytes.Buffer
	rd := resp.NewReader(io.TeeReader(conn, &wire))
	raw := func(args [][]byte) []byte {
		wire.Reset()
		if _, err := conn.Write(resp.AppendCommand(nil, args...)); err != nil {
			t.Fatal(err)
		}
		if _, err := rd.ReadReply(); err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(wire.Bytes())
	}
	raw([][]byte{[]byte("HELLO"), []byte("3")})
	ks := keyspace.NewMemory(nil)
	for _, args := range [][]string{
		{"GEOADD", "k", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
			"0", "0", "zero", "-0.0000001", "0.0000001", "tiny", "180", "85.05112878", "top", "-180", "-85.05112878", "bot"},
		{"GEOPOS", "k", "Palermo", "nope", "zero", "tiny", "top", "bot"}, {"GEOPOS", "nokey", "x"},
		{"GEODIST", "k", "Palermo", "Catania"}, {"GEODIST", "nokey", "a", "b"}, {"GEODIST", "k", "a", "b"},
		{"GEOHASH", "k", "Palermo", "nope"},
		{"GEOSEARCH", "k", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHCOORD", "WITHDIST", "WITHHASH"},
		{"GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
	} {
		ours, bargs := resp3Exec(t, ks, args)
		if theirs := raw(bargs); !bytes.Equal(ours, theirs) {
			t.Errorf("%q:\n ours  %q\n redis %q", args, ours, theirs)
		}
	}
}

// TestGeoStoreDist compares what STOREDIST stores away from a meridian,
// where a distance can differ from Redis's in its last bit (glibc's
// sin, cos and asin are not always correctly rounded): the members, in
// order, must be Redis's and the distances equal to 1e-12.
func TestGeoStoreDist(t *testing.T) {
	d := newDiffer(t)
	r := testenv.Rand(t)
	args := []string{"GEOADD", "g"}
	for i := range 200 {
		lo, la := geoPlace(r)
		long, err1 := strconv.ParseFloat(lo, 64)
		lat, err2 := strconv.ParseFloat(la, 64)
		if err1 != nil || err2 != nil || strings.ContainsAny(lo+la, " ein") || math.Abs(long) > 180 || math.Abs(lat) > 85.05112878 {
			continue // only places GEOADD takes
		}
		args = append(args, lo, la, "p"+strconv.Itoa(i))
	}
	d.same(args...)
	for range 50 {
		lo, la := geoPlaces[r.IntN(len(geoPlaces))][0], geoPlaces[r.IntN(len(geoPlaces))][1]
		cmd := []string{"GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", lo, la, "BYRADIUS", strconv.Itoa(r.IntN(20000)), "km", "STOREDIST"}
		if r.IntN(2) == 0 {
			cmd = []string{"GEORADIUS", "g", lo, la, strconv.Itoa(r.IntN(20000)), "km", "STOREDIST", "dst"}
		}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(1+r.IntN(50)))
		}
		d.same(cmd...)
		ours := d.exec([]string{"ZRANGE", "dst", "0", "-1", "WITHSCORES"})
		theirs := d.rc.Do("ZRANGE", "dst", "0", "-1", "WITHSCORES")
		if len(ours.Elems) != len(theirs.Elems) {
			d.fail("%q stored %d members, redis %d", cmd, len(ours.Elems)/2, len(theirs.Elems)/2)
		}
		for i := 0; i < len(ours.Elems); i += 2 {
			o, _ := strconv.ParseFloat(string(ours.Elems[i+1].Str), 64)
			th, _ := strconv.ParseFloat(string(theirs.Elems[i+1].Str), 64)
			if !bytes.Equal(ours.Elems[i].Str, theirs.Elems[i].Str) || math.Abs(o-th) > 1e-12*max(1, th) {
				d.fail("%q stored %s=%v, redis %s=%v", cmd, ours.Elems[i].Str, o, theirs.Elems[i].Str, th)
			}
		}
		// Make Redis's data ours, for the checks that follow.
		d.rc.Do("DEL", "dst")
		if len(ours.Elems) > 0 {
			za := []string{"ZADD", "dst"}
			for i := 0; i < len(ours.Elems); i += 2 {
				za = append(za, string(ours.Elems[i+1].Str), string(ours.Elems[i].Str))
			}
			d.rc.Do(za...)
		}
	}
	d.check()
}
