package keyspace_test

import (
	"math/rand/v2"
	"strconv"
)

// Scripts (see strScripts) and differential generators of the bit
// commands.

func init() {
	for name, script := range bitScripts {
		strScripts[name] = script
	}
}

var bitScripts = map[string]string{
	"setbit getbit": `
SETBIT b 7 1 => 0 -> SETBIT b 7 1
GET b => "\x01" ->
GETBIT b 7 => 1 ->
GETBIT b 6 => 0 ->
GETBIT b 100 => 0 ->
SETBIT b 7 1 => 1 ->
SETBIT b 6 0 => 0 ->
SETBIT b 20 0 => 0 -> SETBIT b 20 0
STRLEN b => 3 ->
SETBIT b 7 0 => 1 -> SETBIT b 7 0
SETBIT b 7 2 => (error) ERR bit is not an integer or out of range ->
SETBIT b 7 -1 => (error) ERR bit is not an integer or out of range ->
SETBIT b 7 x => (error) ERR bit is not an integer or out of range ->
SETBIT b -1 1 => (error) ERR bit offset is not an integer or out of range ->
SETBIT b x 1 => (error) ERR bit offset is not an integer or out of range ->
SETBIT b #1 1 => (error) ERR bit offset is not an integer or out of range ->
SETBIT b 4294967296 1 => (error) ERR bit offset is not an integer or out of range ->
SETBIT b 4294967296 9 => (error) ERR bit offset is not an integer or out of range ->
GETBIT b 4294967296 => (error) ERR bit offset is not an integer or out of range ->
GETBIT b 4294967295 => 0 ->
GETBIT nk 4 => 0 ->
GETBIT nk x => (error) ERR bit offset is not an integer or out of range ->
SETBIT l 0 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
GETBIT l 0 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET n 5 => OK -> SET n 5
GETBIT n 2 => 1 ->
SETBIT n 7 0 => 1 -> SETBIT n 7 0
GET n => "4" ->
`,
	"bitop": `
SET a "\xff\x0f\xaa" => OK -> SET a "\xff\x0f\xaa"
SET b "\x0f\xff" => OK -> SET b "\x0f\xff"
BITOP AND d a b => 3 -> BITOP AND d a b
GET d => "\x0f\x0f\x00" ->
BITOP or d a b => 3 -> BITOP or d a b
GET d => "\xff\xff\xaa" ->
BITOP XOR d a b => 3 -> BITOP XOR d a b
GET d => "\xf0\xf0\xaa" ->
BITOP NOT d b => 2 -> BITOP NOT d b
GET d => "\xf0\x00" ->
BITOP AND d a nk => 3 -> BITOP AND d a nk
GET d => "\x00\x00\x00" ->
BITOP AND a a => 3 -> BITOP AND a a
BITOP NOT d a b => (error) ERR BITOP NOT must be called with a single source key. ->
BITOP BAD d a => (error) ERR syntax error ->
BITOP AND d a l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET d v EX 100 => OK -> SET d v PXAT 1700000100000
BITOP OR d a => 3 -> BITOP OR d a
PTTL d => -1 ->
BITOP OR d nk nk2 => 0 -> BITOP OR d nk nk2
EXISTS d => 0 ->
BITOP OR d nk => 0 ->
SET e "" => OK -> SET e ""
BITOP OR d e => 0 ->
BITOP OR l a => 3 -> BITOP OR l a
TYPE l => string ->
`,
	"bitcount bitpos": `
SET k foobar => OK -> SET k foobar
BITCOUNT k => 26 ->
BITCOUNT k 0 0 => 4 ->
BITCOUNT k 1 1 => 6 ->
BITCOUNT k 1 1 BYTE => 6 ->
BITCOUNT k 5 30 BIT => 17 ->
BITCOUNT k 5 30 bit => 17 ->
BITCOUNT k -1 -1 BIT => 0 ->
BITCOUNT k -2 -1 BIT => 1 ->
BITCOUNT k 0 -1 => 26 ->
BITCOUNT k -100 100 => 26 ->
BITCOUNT k 3 1 => 0 ->
BITCOUNT k 0 => (error) ERR syntax error ->
BITCOUNT k 0 1 BYTE x => (error) ERR syntax error ->
BITCOUNT k 0 1 BAD => (error) ERR syntax error ->
BITCOUNT k -1 -2 BAD => 0 ->
BITCOUNT k a 1 => (error) ERR value is not an integer or out of range ->
BITCOUNT nk a b => 0 ->
BITCOUNT l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET e "" => OK -> SET e ""
BITCOUNT e => 0 ->
BITCOUNT e 0 -1 BIT => 0 ->
SET p "\xff\xf0\x00" => OK -> SET p "\xff\xf0\x00"
BITPOS p 0 => 12 ->
BITPOS p 1 => 0 ->
BITPOS p 1 2 => -1 ->
BITPOS p 1 2 -1 BYTE => -1 ->
BITPOS p 0 8 -1 BIT => 12 ->
BITPOS p 0 2 -1 bit => 12 ->
BITPOS p 1 7 15 BIT => 7 ->
BITPOS p 1 12 15 BIT => -1 ->
BITPOS p 0 0 1 => 12 ->
BITPOS p 0 0 0 => -1 ->
SET q "\x00\xff\xf0" => OK -> SET q "\x00\xff\xf0"
BITPOS q 1 0 => 8 ->
BITPOS q 1 2 => 16 ->
BITPOS q 1 2 -1 BYTE => 16 ->
BITPOS q 1 7 15 BIT => 8 ->
BITPOS q 1 7 -3 BIT => 8 ->
BITPOS q 0 9 12 BIT => -1 ->
BITPOS q 0 9 21 BIT => 20 ->
BITPOS q 1 3 5 BIT => -1 ->
SET o "\xff\xff\xff" => OK -> SET o "\xff\xff\xff"
BITPOS o 0 => 24 ->
BITPOS o 0 0 => 24 ->
BITPOS o 0 0 -1 => -1 ->
BITPOS o 0 1 2 BIT => -1 ->
BITPOS o 2 => (error) ERR The bit argument must be 1 or 0. ->
BITPOS o x => (error) ERR value is not an integer or out of range ->
BITPOS nk 0 => 0 ->
BITPOS nk 1 => -1 ->
BITPOS nk 1 x y z w => -1 ->
BITPOS o 1 0 1 BIT x => (error) ERR syntax error ->
BITPOS o 1 0 1 BAD => (error) ERR syntax error ->
BITPOS o 1 x => (error) ERR value is not an integer or out of range ->
BITPOS o 1 0 x => (error) ERR value is not an integer or out of range ->
BITPOS l 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
BITPOS e 0 => -1 ->
BITPOS e 1 => -1 ->
`,
	"bitfield": `
BITFIELD f INCRBY i5 100 1 GET u4 0 => array[1 0] -> BITFIELD f INCRBY i5 100 1 GET u4 0
BITFIELD f SET i8 #1 -100 GET i8 #1 => array[0 -100] -> BITFIELD f SET i8 #1 -100 GET i8 #1
BITFIELD f GET u8 8 => array[156] ->
BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1 => array[1 2] -> BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1
BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1 => array[3 3] -> BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1
BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1 => array[0 1] -> BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1
BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1 => array[2 3] -> BITFIELD f INCRBY u2 102 1 OVERFLOW SAT INCRBY u2 102 1
BITFIELD f OVERFLOW FAIL INCRBY u2 102 1 => array[(nil)] ->
BITFIELD f OVERFLOW SAT INCRBY u2 102 1 => array[3] ->
BITFIELD f OVERFLOW WRAP INCRBY i8 0 200 => array[-56] -> BITFIELD f OVERFLOW WRAP INCRBY i8 0 200
BITFIELD f OVERFLOW SAT INCRBY i8 0 -200 => array[-128] -> BITFIELD f OVERFLOW SAT INCRBY i8 0 -200
BITFIELD f OVERFLOW SAT SET i8 0 -9223372036854775808 => array[-128] -> BITFIELD f OVERFLOW SAT SET i8 0 -9223372036854775808
BITFIELD f GET i8 0 => array[127] ->
BITFIELD f OVERFLOW SAT SET u8 0 -1 => array[127] -> BITFIELD f OVERFLOW SAT SET u8 0 -1
BITFIELD f OVERFLOW WRAP SET u8 0 257 => array[255] -> BITFIELD f OVERFLOW WRAP SET u8 0 257
BITFIELD f GET u8 0 => array[1] ->
BITFIELD f SET i64 0 -1 GET u63 0 GET i64 0 => array[115967690404790272 9223372036854775807 -1] -> BITFIELD f SET i64 0 -1 GET u63 0 GET i64 0
BITFIELD f INCRBY i64 0 -9223372036854775808 => array[9223372036854775807] -> BITFIELD f INCRBY i64 0 -9223372036854775808
BITFIELD f OVERFLOW FAIL INCRBY i64 0 1 => array[(nil)] ->
BITFIELD f OVERFLOW SAT INCRBY i64 0 1 => array[9223372036854775807] ->
BITFIELD f OVERFLOW WRAP INCRBY i64 0 1 => array[-9223372036854775808] -> BITFIELD f OVERFLOW WRAP INCRBY i64 0 1
BITFIELD f OVERFLOW FAIL INCRBY u63 0 -1 => array[4611686018427387903] -> BITFIELD f OVERFLOW FAIL INCRBY u63 0 -1
BITFIELD f GET u64 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is. ->
BITFIELD f GET i65 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is. ->
BITFIELD f GET i0 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is. ->
BITFIELD f GET I8 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is. ->
BITFIELD f GET "" 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is. ->
BITFIELD f GET "u8\x00x" 0 => array[127] ->
BITFIELD f GET u8 -1 => (error) ERR bit offset is not an integer or out of range ->
BITFIELD f GET u8 # => (error) ERR bit offset is not an integer or out of range ->
BITFIELD f GET u8 4294967296 => (error) ERR bit offset is not an integer or out of range ->
BITFIELD f GET u8 #536870912 => (error) ERR bit offset is not an integer or out of range ->
BITFIELD f GET u8 #2305843009213693952 => array[127] ->
BITFIELD f GET u8 #1152921504606846976 => (error) ERR bit offset is not an integer or out of range ->
BITFIELD f GET u8 4294967295 => array[0] ->
BITFIELD f SET u8 0 x => (error) ERR value is not an integer or out of range ->
BITFIELD f SET u8 0 => (error) ERR syntax error ->
BITFIELD f GET u8 => (error) ERR syntax error ->
BITFIELD f BAD => (error) ERR syntax error ->
BITFIELD f OVERFLOW => (error) ERR syntax error ->
BITFIELD f OVERFLOW BAD GET u8 0 => (error) ERR Invalid OVERFLOW type specified ->
BITFIELD f OVERFLOW SAT => array[] ->
BITFIELD f => array[] ->
BITFIELD nk GET u8 0 => array[0] ->
EXISTS nk => 0 ->
# Redis creates the key but logs nothing (a change it does not count);
# we log the command, whose replay creates the key too.
BITFIELD nk OVERFLOW FAIL INCRBY u8 8 300 => array[(nil)] -> BITFIELD nk OVERFLOW FAIL INCRBY u8 8 300
GET nk => "\x00\x00" ->
BITFIELD nk SET u8 0 0 => array[0] ->
BITFIELD l GET u8 0 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
BITFIELD l SET u8 0 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
BITFIELD_RO f GET u8 0 GET i4 #1 => array[127 -1] ->
BITFIELD_RO f SET u8 0 1 => (error) ERR BITFIELD_RO only supports the GET subcommand ->
BITFIELD_RO f GET u8 0 INCRBY u8 0 1 => (error) ERR BITFIELD_RO only supports the GET subcommand ->
BITFIELD_RO f BAD => (error) ERR syntax error ->
BITFIELD_RO l GET u8 0 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
`,
}

// bitOffset picks a bit offset: small, or invalid, or the largest valid
// one (for reads only: a write there makes a 512 MB string).
func bitOffset(r *rand.Rand, read bool) string {
	switch r.IntN(20) {
	case 0:
		return strPick(r, "-1", "x", "", "#3", "4294967296", "9223372036854775807")
	case 1:
		if read {
			return "4294967295"
		}
	}
	return strconv.Itoa(r.IntN(200))
}

// bitfieldType picks a BITFIELD type, now and then an invalid one.
func bitfieldType(r *rand.Rand) string {
	if r.IntN(25) == 0 {
		return strPick(r, "u64", "i65", "i0", "u0", "I8", "x", "", "u8\x00")
	}
	if r.IntN(2) == 0 {
		return "i" + strconv.Itoa(1+r.IntN(64))
	}
	return "u" + strconv.Itoa(1+r.IntN(63))
}

// bitfieldValue picks a SET value or an increment.
func bitfieldValue(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return strPick(r, "9223372036854775807", "-9223372036854775808", "x", "4611686018427387904", "-4611686018427387905")
	case 1:
		return strconv.FormatInt(int64(r.Uint64()), 10)
	}
	return strconv.Itoa(r.IntN(600) - 300)
}

// bitfieldOps appends n random subcommands to args.
func bitfieldOps(r *rand.Rand, args []string, n int, writes bool) []string {
	for ; n > 0; n-- {
		off := strconv.Itoa(r.IntN(100))
		if r.IntN(4) == 0 {
			off = "#" + strconv.Itoa(r.IntN(10))
		}
		if r.IntN(30) == 0 {
			off = strPick(r, "-1", "#-1", "x", "4294967296", "#")
		}
		op := "GET"
		if writes {
			op = strPick(r, "GET", "SET", "INCRBY", "OVERFLOW", "get", "set", "incrby", "overflow")
		}
		if r.IntN(40) == 0 {
			op = "BAD"
		}
		switch op {
		case "GET", "get":
			args = append(args, op, bitfieldType(r), off)
		case "OVERFLOW", "overflow":
			args = append(args, op, strPick(r, "WRAP", "SAT", "FAIL", "wrap", "sat", "fail", "BAD"))
		default:
			args = append(args, op, bitfieldType(r), off, bitfieldValue(r))
		}
	}
	if r.IntN(20) == 0 && len(args) > 2 {
		args = args[:len(args)-1] // a subcommand short of arguments
	}
	return args
}

func init() {
	gens = append(gens,
		gen{"strings", func(r *rand.Rand, k []string) []string {
			if r.IntN(2) == 0 {
				return []string{"GETBIT", randKey(r, k), bitOffset(r, true)}
			}
			return []string{"SETBIT", randKey(r, k), bitOffset(r, false), strPick(r, "0", "1", "1", "0", "2", "-1", "x")}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			op := strPick(r, "AND", "OR", "XOR", "NOT", "and", "or", "xor", "not", "BAD")
			args := []string{"BITOP", op, randKey(r, k)}
			for n := 1 + r.IntN(3); n > 0; n-- {
				args = append(args, randKey(r, k))
			}
			return args
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			args := []string{"BITCOUNT", randKey(r, k)}
			n := r.IntN(6)
			if n >= 1 {
				args = append(args, strInt(r, 30))
			}
			if n >= 2 {
				args = append(args, strInt(r, 30))
			}
			if n >= 3 {
				args = append(args, strPick(r, "BIT", "BYTE", "bit", "byte", "BAD"))
			}
			if n == 5 {
				args = append(args, "BIT")
			}
			return args
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			args := []string{"BITPOS", randKey(r, k), strPick(r, "0", "1", "0", "1", "2", "x")}
			n := r.IntN(6)
			if n >= 1 {
				args = append(args, strInt(r, 30))
			}
			if n >= 2 {
				args = append(args, strInt(r, 30))
			}
			if n >= 3 {
				args = append(args, strPick(r, "BIT", "BYTE", "bit", "byte", "BAD"))
			}
			if n == 5 {
				args = append(args, "BIT")
			}
			return args
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			return bitfieldOps(r, []string{"BITFIELD", randKey(r, k)}, r.IntN(5), true)
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			return bitfieldOps(r, []string{"BITFIELD_RO", randKey(r, k)}, r.IntN(4), r.IntN(10) == 0)
		}},
	)
}
