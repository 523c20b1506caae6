package keyspace_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

// Tests of the HyperLogLog commands: a script (see strScripts), the
// bytes of values built by known sequences as redis-server 7.0.15 holds
// them, the read path of PFCOUNT, differential generators and a fuzz
// target for corrupt values.

func init() {
	strScripts["hll"] = hllScript
	gens = append(gens, hllGens...)
	fixups["pfadd"] = hllRenew
	fixups["pfmerge"] = hllRenew
}

// hllRenew gives redis-server's value of the key a PFADD or PFMERGE
// changed a new allocation, as a restart would: when the opcodes of a
// corrupt sparse value end with the first byte of an XZERO, Redis
// reads the byte past the end of its string, normally the NUL that
// ends it, but a change there can leave a byte of its own in that place,
// which a later command reads. We always read NUL, as Redis does after
// loading its RDB or AOF.
func hllRenew(args []string, _, _ resp.Value) [][]string {
	return [][]string{{"COPY", args[1], "{hll}tmp", "REPLACE"}, {"RENAME", "{hll}tmp", args[1]}}
}

// hllEmpty is the value PFADD creates: sparse, one XZERO, the cached
// cardinality 0 marked stale.
const hllEmpty = `"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"`

var hllScript = `
PFADD h => 1 -> PFADD h
GET h => ` + hllEmpty + ` ->
PFADD h => 0 ->
PFCOUNT h => 0 -> PFCOUNT h
PFCOUNT h => 0 ->
PFADD h a b c => 1 -> PFADD h a b c
PFADD h a => 0 ->
PFCOUNT h => 3 -> PFCOUNT h
GET h => "HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00` + "`" + `\xf3\x80P\xb1\x84K\xfb\x80BZ" ->
PFCOUNT nk => 0 ->
PFCOUNT h nk => 3 ->
PFCOUNT h h => 3 ->
PFCOUNT l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
PFADD l x => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET s abc => OK -> SET s abc
PFADD s x => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
PFCOUNT s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
PFCOUNT h s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
PFMERGE h s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
PFDEBUG ENCODING s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
SET s "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" => OK -> SET s "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
PFCOUNT s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
SET s "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" => OK -> SET s "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
PFCOUNT s => (error) WRONGTYPE Key is not a valid HyperLogLog string value. ->
SET s "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" => OK -> SET s "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
PFCOUNT s => (error) INVALIDOBJ Corrupted HLL object detected ->
PFADD s x => (error) INVALIDOBJ Corrupted HLL object detected ->
PFCOUNT s h => (error) INVALIDOBJ Corrupted HLL object detected ->
PFCOUNT h s => (error) INVALIDOBJ Corrupted HLL object detected ->
PFMERGE t h => OK -> PFMERGE t h
APPEND t "\x80" => 28 -> APPEND t "\x80"
PFCOUNT t => (error) INVALIDOBJ Corrupted HLL object detected ->
PFCOUNT t nk => (error) INVALIDOBJ Corrupted HLL object detected ->
PFMERGE t2 t => (error) INVALIDOBJ Corrupted HLL object detected ->
PFDEBUG DECODE t => "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603 v:1,1" ->
PFDEBUG TODENSE t => (error) INVALIDOBJ Corrupted HLL object detected ->
PFDEBUG GETREG t => (error) INVALIDOBJ Corrupted HLL object detected ->
PFADD t a => 0 ->
PFADD t x => 1 -> PFADD t x
GET t => "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80` + "`" + `\xf3\x80P\xb1\x84K\xfb\x80BP\x84\b\x80" ->
APPEND h "\x00" => 28 -> APPEND h "\x00"
PFCOUNT h => 3 ->
PFADD h d => 1 -> PFADD h d
PFCOUNT h => (error) INVALIDOBJ Corrupted HLL object detected ->
PFCOUNT h nk => (error) INVALIDOBJ Corrupted HLL object detected ->
PFMERGE m h => (error) INVALIDOBJ Corrupted HLL object detected ->
EXISTS m => 0 ->
PFMERGE m => OK -> PFMERGE m
GET m => ` + hllEmpty + ` ->
PFMERGE m2 m nk => OK -> PFMERGE m2 m nk
PFADD m2 a b c d e f => 1 -> PFADD m2 a b c d e f
PFMERGE m3 m2 => OK -> PFMERGE m3 m2
PFCOUNT m3 => 6 -> PFCOUNT m3
PFDEBUG ENCODING m3 => sparse ->
PFDEBUG DECODE m3 => "Z:1646 v:1,1 Z:5645 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603" ->
PFDEBUG DECODE nk => (error) ERR The specified key does not exist ->
PFDEBUG TODENSE m3 => 1 -> PFDEBUG TODENSE m3
PFDEBUG TODENSE m3 => 0 ->
PFDEBUG ENCODING m3 => dense ->
PFDEBUG DECODE m3 => (error) ERR HLL encoding is not sparse ->
PFCOUNT m3 => 6 ->
STRLEN m3 => 12304 ->
PFMERGE m4 m2 m3 => OK -> PFMERGE m4 m2 m3
PFDEBUG ENCODING m4 => dense ->
PFDEBUG BAD m4 => (error) ERR Unknown PFDEBUG subcommand 'BAD' ->
PFDEBUG BAD nk => (error) ERR The specified key does not exist ->
PFDEBUG ENCODING => (error) ERR wrong number of arguments for 'pfdebug' command ->
PFADD => (error) ERR wrong number of arguments for 'pfadd' command ->
PFSELFTEST => OK ->
`

// ---- differential generators ----

// Keys of the "hll" generators. hllKeys only ever hold values the
// commands made (or well-formed ones set whole), so a PFADD of many
// elements never fails on them part way (where we differ from Redis on
// purpose, see hll.go); hllBadKey is where values are corrupted, and
// PFADD gives it one element at a time, as it does to the pool keys,
// which other generators may corrupt.
var (
	hllKeys   = []string{"h1", "h2", "h3"}
	hllBadKey = "hbad"
)

const hllRegisters = 16384

// hllElem picks an element: mostly from a range, so that elements
// repeat, sometimes random bytes or the one that makes a value dense.
func hllElem(r *rand.Rand) string {
	switch r.IntN(100) {
	case 0, 1, 2, 3, 4:
		return ""
	case 5:
		return hllBigCount // promotes a sparse value
	case 6, 7, 8, 9, 10:
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return string(b)
	}
	return "e" + strconv.Itoa(r.IntN(40000))
}

// hllAnyKey picks any key: an HLL key, the corrupt one, or a pool key.
func hllAnyKey(r *rand.Rand, k []string) string {
	switch r.IntN(5) {
	case 0:
		return hllBadKey
	case 1:
		return randKey(r, k)
	}
	return hllKeys[r.IntN(len(hllKeys))]
}

// hllCard returns a cached cardinality: zero, or random bytes, valid or
// marked stale.
func hllCard(r *rand.Rand) []byte {
	c := make([]byte, 8)
	switch r.IntN(3) {
	case 0:
	case 1:
		binary.LittleEndian.PutUint64(c, r.Uint64N(1000000))
	default:
		binary.LittleEndian.PutUint64(c, r.Uint64())
	}
	if r.IntN(2) == 0 {
		c[7] |= 0x80
	}
	return c
}

// hllCraftSparse makes a sparse value whose opcodes cover exactly the
// registers, in the shapes Redis's code may meet: runs it would have
// merged, XZEROs it would have written as ZERO, long VAL sequences
// (past hll-sparse-max-bytes when long is set).
func hllCraftSparse(r *rand.Rand, long bool) []byte {
	b := append([]byte("HYLL\x01\x00\x00\x00"), hllCard(r)...)
	if r.IntN(10) == 0 {
		b[5] = byte(r.UintN(256)) // unused bytes Redis never checks
	}
	maxVal := 1 + r.IntN(32)
	for left := hllRegisters; left > 0; {
		n := 0
		switch k := r.IntN(6); {
		case long || k < 3:
			n = 1 + r.IntN(min(4, left))
			b = append(b, 0x80|byte(r.IntN(maxVal))<<2|byte(n-1))
		case k == 3:
			n = 1 + r.IntN(min(64, left))
			b = append(b, byte(n-1))
		default:
			n = 1 + r.IntN(min(left, 1+r.IntN(16384)))
			b = append(b, 0x40|byte((n-1)>>8), byte(n-1))
		}
		left -= n
		if long && left > 0 && r.IntN(400) == 0 {
			n = left // end it, with a shorter value
		}
	}
	return b
}

// hllCraftDense makes a dense value: registers all random, a few set,
// or all at the maximum.
func hllCraftDense(r *rand.Rand) []byte {
	b := append([]byte("HYLL\x00\x00\x00\x00"), hllCard(r)...)
	regs := make([]byte, 12288)
	switch r.IntN(4) {
	case 0:
		for i := range regs {
			regs[i] = byte(r.UintN(256))
		}
	case 1:
		for i := range regs {
			regs[i] = 0xff
		}
	default:
		for n := r.IntN(200); n > 0; n-- {
			regs[r.IntN(len(regs))] = byte(r.UintN(256))
		}
	}
	return append(b, regs...)
}

// hllCorrupt returns a crafted value with something wrong with it, or
// not quite.
func hllCorrupt(r *rand.Rand) []byte {
	var b []byte
	if r.IntN(4) == 0 {
		b = hllCraftDense(r)
	} else {
		b = hllCraftSparse(r, r.IntN(10) == 0)
	}
	switch r.IntN(10) {
	case 0: // an opcode or more at the end
		for n := 1 + r.IntN(3); n > 0; n-- {
			b = append(b, byte(r.UintN(256)))
		}
	case 1: // a byte less
		b = b[:len(b)-1]
	case 2: // a byte changed in the opcodes
		if len(b) > 16 {
			b[16+r.IntN(len(b)-16)] = byte(r.UintN(256))
		}
	case 3: // cut short
		b = b[:r.IntN(len(b)+1)]
	case 4: // a lone XZERO byte at the end
		b = append(b, 0x40|byte(r.IntN(64)))
	case 5: // a bad header
		b[r.IntN(5)] ^= byte(1 + r.IntN(255))
	case 6: // cut after the first byte of an XZERO
		for p := 16; p < len(b) && b[4] == 1; p++ {
			if c := b[p]; c&0xc0 == 0x40 {
				if r.IntN(3) == 0 {
					b = b[:p+1]
					break
				}
				p++
			}
		}
	}
	return b
}

var hllGens = []gen{
	{"hll", func(r *rand.Rand, k []string) []string {
		// PFADD of many elements, on the keys that hold clean values.
		args := []string{"PFADD", hllKeys[r.IntN(len(hllKeys))]}
		n := r.IntN(6)
		switch r.IntN(10) {
		case 0:
			n = 500 + r.IntN(3000)
		case 1, 2:
			n = 10 + r.IntN(300)
		}
		for ; n > 0; n-- {
			args = append(args, hllElem(r))
		}
		return args
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		// PFADD of at most one element, anywhere.
		args := []string{strPick(r, "PFADD", "pfadd"), hllAnyKey(r, k)}
		if r.IntN(5) > 0 {
			args = append(args, hllElem(r))
		}
		return args
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		args := []string{"PFCOUNT"}
		for n := 1 + r.IntN(3); n > 0; n-- {
			args = append(args, hllAnyKey(r, k))
		}
		if r.IntN(2) == 0 {
			args = args[:2]
		}
		return args
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		// PFMERGE into a clean key or anywhere, from anywhere.
		dest := hllKeys[r.IntN(len(hllKeys))]
		if r.IntN(3) == 0 {
			dest = hllAnyKey(r, k)
		}
		args := []string{"PFMERGE", dest}
		for n := r.IntN(4); n > 0; n-- {
			args = append(args, hllAnyKey(r, k))
		}
		return args
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		// Values set whole: well-formed ones anywhere, corrupt ones in
		// hbad.
		switch r.IntN(6) {
		case 0:
			return []string{"SET", hllKeys[r.IntN(len(hllKeys))], string(hllCraftSparse(r, r.IntN(5) == 0))}
		case 1:
			return []string{"SET", hllKeys[r.IntN(len(hllKeys))], string(hllCraftDense(r))}
		case 2:
			return []string{"SET", randKey(r, k), string(hllCraftSparse(r, false))}
		case 3:
			return []string{"COPY", hllKeys[r.IntN(len(hllKeys))], hllBadKey, "REPLACE"}
		}
		return []string{"SET", hllBadKey, string(hllCorrupt(r))}
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		// Changes that corrupt hbad, or a pool key.
		key := hllBadKey
		if r.IntN(4) == 0 {
			key = randKey(r, k)
		}
		b := make([]byte, 1+r.IntN(3))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		switch r.IntN(4) {
		case 0:
			return []string{"APPEND", key, string(b)}
		case 1:
			return []string{"SETRANGE", key, strconv.Itoa(r.IntN(40)), string(b)}
		case 2:
			return []string{"SETRANGE", key, "15", string([]byte{byte(r.IntN(2)) << 7})}
		}
		return []string{"DEL", key}
	}},
	{"hll", func(r *rand.Rand, k []string) []string {
		switch r.IntN(12) {
		case 0:
			return []string{"PFDEBUG", "GETREG", hllAnyKey(r, k)}
		case 1, 2:
			return []string{"PFDEBUG", strPick(r, "DECODE", "decode"), hllAnyKey(r, k)}
		case 3, 4:
			return []string{"PFDEBUG", strPick(r, "ENCODING", "Encoding"), hllAnyKey(r, k)}
		case 5:
			return []string{"PFDEBUG", strPick(r, "TODENSE", "todense"), hllAnyKey(r, k)}
		case 6:
			return []string{"PFDEBUG", strPick(r, "BAD", "a\r\nb", "x\x00y"), hllAnyKey(r, k)}
		case 7:
			return []string{"DEL", hllKeys[r.IntN(len(hllKeys))]}
		case 8:
			return []string{"RENAME", hllKeys[r.IntN(len(hllKeys))], hllKeys[r.IntN(len(hllKeys))]}
		}
		return []string{strPick(r, "GET", "STRLEN"), hllAnyKey(r, k)}
	}},
}

// TestDifferentialHLL runs random HyperLogLog commands, on values the
// commands made and on crafted and corrupt ones, on both sides: the
// replies, the bytes of every value, and our log's replay must match.
func TestDifferentialHLL(t *testing.T) { runDifferential(t, "hll") }

// ---- known bytes ----

// hllSeq returns "PFADD key" with the elements prefix+from to prefix+to-1.
func hllSeq(key, prefix string, from, to int) []string {
	args := []string{"PFADD", key}
	for i := from; i < to; i++ {
		args = append(args, prefix+strconv.Itoa(i))
	}
	return args
}

// hllBigCount is an element whose run of zeros is longer than a sparse
// VAL opcode holds (found by search): adding it makes a sparse value
// dense at once.
const hllBigCount = "big:3244251397"

// hllKnown are command sequences and the value they leave in "k", as
// redis-server 7.0.15 holds it: its length and SHA-256.
var hllKnown = []struct {
	name string
	cmds [][]string
	len  int
	sum  string
}{
	{"abc", [][]string{{"PFADD", "k", "a", "b", "c"}}, 27, "e2a3871481554fd4484a15607dc515a1f785ea066a950e3a9fa52caf1b433aa3"},
	{"100", [][]string{hllSeq("k", "e", 0, 100)}, 285, "53986fa020104b2d94c131f7d7b840674634568242921d84d01b767289a56a1d"},
	{"100 one by one", func() [][]string {
		var c [][]string
		for i := 0; i < 100; i++ {
			c = append(c, hllSeq("k", "e", i, i+1))
		}
		return c
	}(), 285, "53986fa020104b2d94c131f7d7b840674634568242921d84d01b767289a56a1d"},
	{"1000 in tens", func() [][]string {
		var c [][]string
		for i := 0; i < 1000; i += 10 {
			c = append(c, hllSeq("k", "x", i, i+10))
		}
		return c
	}(), 1877, "77cde4212c50f36ebee8383227a9cf33028a5e69b2b8a2564225343524a79aaa"},
	{"dense by size", [][]string{hllSeq("k", "e", 0, 3000)}, 12304, "641370c2fb88649ba5bd4a85f456b3752a5cdc1ecd987b98bbfbe2b9b031ce3b"},
	{"counted", [][]string{hllSeq("k", "e", 0, 100), {"PFCOUNT", "k"}}, 285, "aebee27e50c672722325ed27d2acb1011cc7138f9a0f43d52abc23308a822a44"},
	{"counted then added", [][]string{hllSeq("k", "e", 0, 100), {"PFCOUNT", "k"}, hllSeq("k", "e", 100, 101)}, 288, "97d72f602c6219e38a0122b0c4a6a46e9c690353814e375bcec954d6350ee73d"},
	{"merge sparse", [][]string{hllSeq("a", "e", 0, 50), hllSeq("b", "e", 25, 100), {"PFMERGE", "k", "a", "b"}}, 285, "53986fa020104b2d94c131f7d7b840674634568242921d84d01b767289a56a1d"},
	{"merge into sparse", [][]string{hllSeq("k", "y", 0, 30), hllSeq("b", "e", 25, 400), {"PFMERGE", "k", "b"}}, 900, "c9c7a8022641bb20df3a14926b02b804237f4a49e8b0d5dc6ba47188513f817c"},
	{"merge dense", [][]string{hllSeq("a", "e", 0, 5000), {"PFADD", "b", "x"}, {"PFMERGE", "k", "b", "a"}}, 12304, "9ee6fe0f8fb453feafd5ff44f01f3aadde0c6806e347b533776a5b12311f4a2f"},
	{"todense", [][]string{hllSeq("k", "e", 0, 10), {"PFDEBUG", "TODENSE", "k"}}, 12304, "a5d382d84e01c75e117f8b8b0877211084572ceae2865cd446524c74ca06da51"},
	{"dense by count", [][]string{hllSeq("k", "e", 0, 10), {"PFADD", "k", hllBigCount}}, 12304, "ff10799056130b3175ceff86f357be1903f221b8938bff76a3bf42765edd3b31"},
}

func hllRunKnown(t *testing.T, do func(args ...string) resp.Value) {
	t.Helper()
	for _, k := range hllKnown {
		do("FLUSHALL")
		for _, c := range k.cmds {
			if v := do(c...); v.Type == resp.TypeSimpleError {
				t.Fatalf("%s: %q: %s", k.name, c, v)
			}
		}
		v := do("GET", "k").Str
		sum := sha256.Sum256(v)
		if got := hex.EncodeToString(sum[:]); len(v) != k.len || got != k.sum {
			t.Errorf("%s: value of %d bytes, SHA-256 %s; want %d, %s", k.name, len(v), got, k.len, k.sum)
		}
	}
}

// TestHLLKnownBytes checks the bytes of values built by known sequences
// against those redis-server made (TestHLLKnownBytesRedis checks them
// there).
func TestHLLKnownBytes(t *testing.T) {
	ks := strKeyspace(t)
	var c keyspace.Call
	hllRunKnown(t, func(args ...string) resp.Value {
		v, _ := strExec(t, ks, &c, args...)
		return v
	})
}

func TestHLLKnownBytesRedis(t *testing.T) {
	rc := redistest.Start(t, "", "--enable-debug-command", "yes").Client()
	hllRunKnown(t, func(args ...string) resp.Value { return rc.Do(args...) })
}

// ---- PFCOUNT's read path ----

// TestHLLCountReadPath checks that PFCOUNT, a read, asks for the write
// turn exactly when it has to write the cached cardinality back, and
// then logs itself, as Redis propagates it.
func TestHLLCountReadPath(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	exec := func(write bool, a ...string) (string, []keyspace.Record, error) {
		c := &keyspace.Call{Args: args(a...), Write: write}
		err := ks.Exec(c)
		return string(c.Reply.Buf), c.Log, err
	}
	if _, _, err := exec(true, "PFADD", "h", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if reply, log, err := exec(false, "PFCOUNT", "h"); err != keyspace.ErrWriteNeeded || reply != "" || len(log) != 0 {
		t.Fatalf("stale cache without the write turn: %q %v %v, want ErrWriteNeeded", reply, log, err)
	}
	if reply, _, err := exec(false, "PFCOUNT", "h", "h"); err != nil || reply != ":2\r\n" {
		t.Fatalf("PFCOUNT of two keys: %q %v", reply, err)
	}
	reply, log, err := exec(true, "PFCOUNT", "h")
	if err != nil || reply != ":2\r\n" || len(log) != 1 || strFormatLog(log) != "PFCOUNT h" {
		t.Fatalf("stale cache with the write turn: %q %v %v", reply, strFormatLog(log), err)
	}
	for _, write := range []bool{false, true} {
		if reply, log, err := exec(write, "PFCOUNT", "h"); err != nil || reply != ":2\r\n" || len(log) != 0 {
			t.Fatalf("cached (write %v): %q %v %v", write, reply, log, err)
		}
	}
	if _, _, err := exec(true, "APPEND", "h", "\x00"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := exec(true, "SETRANGE", "h", "15", "\x80"); err != nil {
		t.Fatal(err)
	}
	// Corrupt: an error, which needs no write.
	if reply, _, err := exec(false, "PFCOUNT", "h"); err != nil || !strings.HasPrefix(reply, "-INVALIDOBJ") {
		t.Fatalf("corrupt: %q %v", reply, err)
	}
}

// ---- fuzzing ----

// FuzzHLL feeds arbitrary bytes, alone and after a sparse or dense
// header, as HyperLogLog values to the commands: no panic, one reply
// each, only Redis's errors, and replaying the log gives the same data.
func FuzzHLL(f *testing.F) {
	f.Add([]byte("\x7f\xff"), []byte("a"))
	f.Add([]byte("\x80\x7f\xfe"), []byte("b"))
	f.Add([]byte("\x40"), []byte(hllBigCount))
	f.Add([]byte("\x3f\x7f\xbf\x84\x80"), []byte(""))
	f.Add(bytes.Repeat([]byte{0xff}, 100), []byte("x"))
	f.Add(bytes.Repeat([]byte{0x7f, 0xff}, 3), []byte("y"))
	f.Fuzz(func(t *testing.T, data, ele []byte) {
		ks, replica := keyspace.NewMemory(nil), keyspace.NewMemory(nil)
		sparse := append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), data...)
		dense := append([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), data...)
		dense = append(dense, make([]byte, max(0, 12304-len(dense)))...)[:12304]
		e := string(ele)
		cmds := [][]string{
			{"SET", "raw", string(data)}, {"SET", "s", string(sparse)}, {"SET", "d", string(dense)},
			{"PFCOUNT", "s"}, {"PFCOUNT", "raw"}, {"PFCOUNT", "d"}, {"PFCOUNT", "s", "d", "raw"},
			{"PFADD", "s", e}, {"PFADD", "s", e, "a", "b", hllBigCount}, {"PFADD", "d", e}, {"PFADD", "raw", e},
			{"PFMERGE", "m", "s"}, {"PFMERGE", "m2", "d", "s"}, {"PFMERGE", "s", "d"}, {"PFMERGE", "raw"},
			{"PFDEBUG", "DECODE", "s"}, {"PFDEBUG", "GETREG", "s"}, {"PFDEBUG", "TODENSE", "s"},
			{"PFDEBUG", "ENCODING", "s"}, {"PFCOUNT", "s"}, {"PFCOUNT", "m"},
		}
		for _, a := range cmds {
			c := &keyspace.Call{Args: args(a...), Write: true}
			if err := ks.Exec(c); err != nil {
				t.Fatalf("%q: %v", a, err)
			}
			rd := resp.NewReader(bytes.NewReader(c.Reply.Buf))
			v, err := rd.ReadReply()
			if err != nil {
				t.Fatalf("%q: reply %q: %v", a, c.Reply.Buf, err)
			}
			if _, err := rd.ReadReply(); err != io.EOF {
				t.Fatalf("%q: reply %q is more than one reply", a, c.Reply.Buf)
			}
			if s := string(v.Str); v.Type == resp.TypeSimpleError && !strings.HasPrefix(s, "WRONGTYPE Key is not a valid HyperLogLog") &&
				s != "INVALIDOBJ Corrupted HLL object detected" && s != "ERR HLL encoding is not sparse" {
				t.Fatalf("%q: unexpected error %s", a, v)
			}
			for _, r := range c.Log {
				rc := &keyspace.Call{DB: r.DB, Args: r.Args, Write: true, Loading: true}
				if err := replica.Exec(rc); err != nil || bytes.HasPrefix(rc.Reply.Buf, []byte("-")) {
					t.Fatalf("replaying %q of %q: %v %s", r.Args, a, err, rc.Reply.Buf)
				}
			}
		}
		want, got := snapshotData(t, ks), snapshotData(t, replica)
		if len(want) != len(got) {
			t.Fatalf("replayed data has %d keys, want %d", len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("replayed %s = %v, want %v", k, got[k], v)
			}
		}
	})
}

// TestHLLAllocs checks that PFADD changes a value in place and that
// PFCOUNT and PFMERGE need no allocation per register.
func TestHLLAllocs(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	var c keyspace.Call
	strExec(t, ks, &c, hllSeq("d", "e", 0, 5000)...)
	strExec(t, ks, &c, hllSeq("s", "e", 0, 100)...)
	for _, tc := range []struct {
		args []string
		max  float64
	}{
		{[]string{"PFADD", "d", "e1", "new"}, 0}, // dense, in place
		{[]string{"PFADD", "s", "e1", "new"}, 0}, // sparse, in place
		{[]string{"PFCOUNT", "d"}, 0},
		{[]string{"PFCOUNT", "s"}, 0},
		{[]string{"PFCOUNT", "d", "s"}, 0},
		{[]string{"PFMERGE", "d", "s"}, 0},
	} {
		c = keyspace.Call{Args: args(tc.args...), Write: true}
		allocs := testing.AllocsPerRun(100, func() {
			c.Reply.Buf = c.Reply.Buf[:0]
			c.Log = c.Log[:0]
			if err := ks.Exec(&c); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tc.max {
			t.Errorf("%q: %v allocations, want at most %v", tc.args, allocs, tc.max)
		}
	}
}

// BenchmarkPFADD adds new elements, ten a command, to a sparse value
// (renewed before it turns dense) and to a dense one.
func BenchmarkPFADD(b *testing.B) {
	for _, dense := range []bool{false, true} {
		name := "sparse"
		if dense {
			name = "dense"
		}
		b.Run(name, func(b *testing.B) {
			ks := keyspace.NewMemory(nil)
			c := keyspace.Call{Write: true}
			exec := func(a ...string) {
				c.Args = args(a...)
				c.Reply.Buf, c.Log = c.Reply.Buf[:0], c.Log[:0]
				if err := ks.Exec(&c); err != nil {
					b.Fatal(err)
				}
			}
			if dense {
				exec(hllSeq("k", "d", 0, 5000)...)
			}
			cmd := make([][]byte, 12)
			cmd[0], cmd[1] = []byte("PFADD"), []byte("k")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !dense && i%50 == 0 {
					exec("DEL", "k")
				}
				for j := range 10 {
					cmd[2+j] = strconv.AppendInt(append(cmd[2+j][:0], 'e'), int64(i*10+j), 10)
				}
				c.Args = cmd
				c.Reply.Buf, c.Log = c.Reply.Buf[:0], c.Log[:0]
				if err := ks.Exec(&c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "elements/s")
		})
	}
}
