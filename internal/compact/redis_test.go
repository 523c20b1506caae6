package compact

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/crc64"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/resp"
)

// startRedis starts redis-server (through redistest) with deep
// sanitization of RESTORE payloads, no LZF in DUMP, and compact encodings
// allowed up to sizes the tests use, and returns a client. It skips (fails
// under AOFRDB_REQUIRE_REDIS=1) when redis-server is not installed.
func startRedis(t *testing.T) *redistest.Client {
	t.Helper()
	return redistest.Start(t, "",
		"--sanitize-dump-payload", "yes", "--rdbcompression", "no",
		"--list-max-listpack-size", "-5",
		"--hash-max-listpack-entries", "100000", "--hash-max-listpack-value", "100000",
		"--zset-max-listpack-entries", "100000", "--zset-max-listpack-value", "100000").Client()
}

// bulks returns the elements of v, which must be an array of bulk strings.
func bulks(t *testing.T, v resp.Value) [][]byte {
	t.Helper()
	if v.Type != resp.TypeArray || v.IsNull() {
		t.Fatalf("reply %s: want an array", v)
	}
	out := make([][]byte, len(v.Elems))
	for i, e := range v.Elems {
		if e.Type != resp.TypeBulkString || e.IsNull() {
			t.Fatalf("reply %s: element %d is not a bulk string", v, i)
		}
		out[i] = e.Str
	}
	return out
}

// dump returns the DUMP payload of key.
func dump(t *testing.T, rc *redistest.Client, key string) []byte {
	t.Helper()
	v := rc.Do("DUMP", key)
	if v.Type != resp.TypeBulkString || v.IsNull() {
		t.Fatalf("DUMP %s: %s", key, v)
	}
	return v.Str
}

func bs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// appendRDBLen appends n in RDB length encoding (REDIS-FORMATS.md 1.4).
func appendRDBLen(b []byte, n int) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, 0x40|byte(n>>8), byte(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
}

// dumpPayload wraps an RDB object value (after its type byte) in a DUMP
// payload of RDB version 10 (Redis 7.0; later servers load it too).
func dumpPayload(typ byte, value []byte) []byte {
	p := append([]byte{typ}, value...)
	p = append(p, 10, 0)
	return binary.LittleEndian.AppendUint64(p, crc64.Checksum(p))
}

// blobPayload is the DUMP payload of a value stored as one RDB string:
// types 9, 10, 11, 16, 17 (and 13, 12).
func blobPayload(typ byte, blob []byte) []byte {
	return dumpPayload(typ, append(appendRDBLen(nil, len(blob)), blob...))
}

// quicklistPayload is the DUMP payload of a list held in one listpack node
// (type 18, one node, container 2 = packed).
func quicklistPayload(lp []byte) []byte {
	v := append([]byte{1, 2}, appendRDBLen(nil, len(lp))...)
	return dumpPayload(18, append(v, lp...))
}

// blobFromDump returns the compact blob inside a DUMP payload of type typ:
// the first RDB string, after the node count and container for type 18.
func blobFromDump(t *testing.T, p []byte, typ byte) []byte {
	t.Helper()
	if len(p) < 11 || p[0] != typ {
		t.Fatalf("DUMP payload of type %#x, want %#x: % x", p[0], typ, p[:min(len(p), 16)])
	}
	v := p[1 : len(p)-10]
	if typ == 18 {
		if v[0] != 1 || v[1] != 2 {
			t.Fatalf("quicklist with %d nodes / container %d, want one packed node", v[0], v[1])
		}
		v = v[2:]
	}
	var n int
	switch c := v[0]; c >> 6 {
	case 0:
		n, v = int(c), v[1:]
	case 1:
		n, v = int(c&0x3F)<<8|int(v[1]), v[2:]
	default:
		if c != 0x80 {
			t.Fatalf("unexpected RDB string form %#x (LZF?)", c)
		}
		n, v = int(binary.BigEndian.Uint32(v[1:])), v[5:]
	}
	if n != len(v) {
		t.Fatalf("RDB string of %d bytes, %d left in the payload", n, len(v))
	}
	return v
}

// randRedisElements returns n random elements whose total size stays well
// under the server's 64 KiB list node limit.
func randRedisElements(r *rand.Rand, n int) [][]byte {
	var out [][]byte
	total := 0
	for range n {
		e := randElement(r)
		if total+len(e) > 50000 {
			break
		}
		total += len(e)
		out = append(out, e)
	}
	return out
}

// TestRedisListpackBytes has redis-server build lists and hashes from
// random elements and checks that ListpackBuilder writes the same listpack
// byte for byte, and that redis-server loads (with deep sanitization) the
// listpacks ListpackBuilder writes.
func TestRedisListpackBytes(t *testing.T) {
	rs := startRedis(t)
	r := newRand(t)
	for round := range 60 {
		elems := randRedisElements(r, 1+r.IntN(40))
		if round == 0 {
			elems = bs("a", "b", "1")
		}
		key := []byte("list")
		rs.Must("DEL", "list")
		if got := rs.DoBytes(append([][]byte{[]byte("RPUSH"), key}, elems...)...); got.Type != resp.TypeInteger || got.Int != int64(len(elems)) {
			t.Fatalf("RPUSH: %s", got)
		}
		theirs := blobFromDump(t, dump(t, rs, "list"), 18)
		ours := AppendListpack(nil, elems...)
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("list %q:\nredis: % x\nours:  % x", elems, theirs, ours)
		}
		// And back: RESTORE ours and read it.
		if got := rs.DoBytes([]byte("RESTORE"), []byte("list2"), []byte("0"), quicklistPayload(ours), []byte("REPLACE")); got.String() != "OK" {
			t.Fatalf("RESTORE: %s", got)
		}
		if got := bulks(t, rs.Do("LRANGE", "list2", "0", "-1")); !slices.EqualFunc(got, elems, bytes.Equal) {
			t.Fatalf("LRANGE after RESTORE: %q, want %q", got, elems)
		}

		// A hash: fields unique, in insertion order.
		var d Dups
		args := [][]byte{[]byte("HSET"), []byte("hash")}
		var pairs [][]byte
		for i := 0; i+1 < len(elems); i += 2 {
			if !d.AddBytes(elems[i]) {
				pairs = append(pairs, elems[i], elems[i+1])
			}
		}
		if len(pairs) == 0 {
			continue
		}
		rs.Must("DEL", "hash")
		if got := rs.DoBytes(append(args, pairs...)...); got.Type != resp.TypeInteger || got.Int != int64(len(pairs)/2) {
			t.Fatalf("HSET: %s", got)
		}
		theirs = blobFromDump(t, dump(t, rs, "hash"), 16)
		if ours := AppendListpack(nil, pairs...); !bytes.Equal(ours, theirs) {
			t.Fatalf("hash %q:\nredis: % x\nours:  % x", pairs, theirs, ours)
		}
	}
	// The section 2 zset, restored from our listpack.
	lp := AppendListpack(nil, bs("a", "1", "b", "2.5")...)
	if got := rs.DoBytes([]byte("RESTORE"), []byte("zset"), []byte("0"), blobPayload(17, lp), []byte("REPLACE")); got.String() != "OK" {
		t.Fatalf("RESTORE zset: %s", got)
	}
	if got := bulks(t, rs.Do("ZRANGE", "zset", "0", "-1", "WITHSCORES")); !slices.EqualFunc(got, bs("a", "1", "b", "2.5"), bytes.Equal) {
		t.Fatalf("ZRANGE: %q", got)
	}
}

// mutate returns a damaged copy of blob: a few bytes changed (often to
// values that matter in these formats), cut, or extended, with the size
// header (a little-endian u32 at sizeAt, if >= 0) usually fixed up so the
// damage reaches the deep checks.
func mutate(r *rand.Rand, blob []byte, sizeAt int) []byte {
	b := slices.Clone(blob)
	special := []byte{0x00, 0x01, 0x02, 0x04, 0x08, 0x3F, 0x40, 0x7F, 0x80, 0xBF, 0xC0, 0xD0, 0xE0, 0xF0, 0xF1, 0xF4, 0xF5, 0xFD, 0xFE, 0xFF}
	for range 1 + r.IntN(3) {
		if len(b) == 0 {
			break
		}
		switch i := r.IntN(len(b)); r.IntN(6) {
		case 0, 1:
			b[i] = special[r.IntN(len(special))]
		case 2:
			b[i] = byte(r.IntN(256))
		case 3:
			b[i] ^= 1 << r.IntN(8)
		case 4:
			b = slices.Delete(b, i, min(len(b), i+1+r.IntN(4)))
		default:
			b = slices.Insert(b, i, special[r.IntN(len(special))])
		}
	}
	if sizeAt >= 0 && len(b) >= sizeAt+4 && r.IntN(5) != 0 {
		binary.LittleEndian.PutUint32(b[sizeAt:], uint32(len(b)))
	}
	return b
}

// TestRedisValidationAgrees restores damaged listpacks, ziplists, intsets
// and zipmaps into redis-server with deep sanitization and checks that it
// accepts exactly those this package accepts (with the loader's own extra
// rules: no empty list, no duplicate zipmap key). COMPACT_REDIS_N sets the
// number of blobs per structure (default 600, 150 with -short).
func TestRedisValidationAgrees(t *testing.T) {
	rs := startRedis(t)
	r := newRand(t)
	n := 600
	if s := os.Getenv("COMPACT_REDIS_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		n = 150
	}
	var d Dups
	for _, kind := range []string{"listpack", "ziplist", "intset", "zipmap"} {
		accepted, rejected := 0, 0
		for i := range n {
			var blob, payload []byte
			var ours bool
			switch kind {
			case "listpack":
				blob = mutate(r, AppendListpack(nil, randRedisElements(r, 1+r.IntN(6))...), 0)
				if i%4 == 0 && len(blob) >= 6 {
					blob[4], blob[5] = 0xFF, 0xFF
				}
				k, err := ListpackEach(blob, nil)
				ours = err == nil && k > 0
				payload = quicklistPayload(blob)
			case "ziplist":
				var encs [][]byte
				for range 1 + r.IntN(6) {
					c := zlEncodingCases[r.IntN(len(zlEncodingCases))]
					if len(c.enc) > 400 {
						c.enc = zlStr(repeat('s', 250+r.IntN(10)))
					}
					encs = append(encs, c.enc)
				}
				blob = mutate(r, rawZiplist(encs...), 0)
				k, err := ZiplistEach(blob, nil)
				ours = err == nil && k > 0
				payload = blobPayload(10, blob)
			case "intset":
				w := []int{2, 4, 8}[r.IntN(3)]
				vals := []int64{-2, 0, 1, 300, 70000}[:1+r.IntN(5)]
				if w == 2 {
					vals = vals[:min(len(vals), 4)]
				}
				blob = mutate(r, rawIntset(w, vals...), -1)
				_, err := IntsetEach(blob, nil)
				ours = err == nil
				payload = blobPayload(11, blob)
			case "zipmap":
				kv := []string{"k1", "v1", "key2", "", string(repeat('x', 253)), string(repeat('y', 254)), "k1x", "7"}
				np := 1 + r.IntN(4)
				zmlen := byte(np)
				if r.IntN(4) == 0 {
					zmlen = 254
				}
				blob = mutate(r, rawZipmap(zmlen, r.IntN(3), kv[:2*np]...), -1)
				d.Reset()
				dup := false
				_, err := ZipmapEach(blob, func(k, v []byte) error {
					dup = dup || d.AddBytes(k)
					return nil
				})
				ours = err == nil && !dup
				payload = blobPayload(9, blob)
			}
			got := rs.DoBytes([]byte("RESTORE"), []byte("k"), []byte("0"), payload, []byte("REPLACE"))
			theirs := got.String() == "OK"
			if !theirs && (got.Type != resp.TypeSimpleError || !bytes.Contains(got.Str, []byte("Bad data format"))) {
				t.Fatalf("%s % x: RESTORE replied %s", kind, blob, got)
			}
			if ours != theirs {
				_, err := ListpackEach(blob, nil)
				switch kind {
				case "ziplist":
					_, err = ZiplistEach(blob, nil)
				case "intset":
					_, err = IntsetEach(blob, nil)
				case "zipmap":
					_, err = ZipmapEach(blob, nil)
				}
				t.Fatalf("%s % x: redis accepts: %v, we accept: %v (%v)", kind, blob, theirs, ours, err)
			}
			if theirs {
				accepted++
			} else {
				rejected++
			}
		}
		t.Logf("%s: redis-server and this package agree on %d accepted and %d rejected blobs", kind, accepted, rejected)
	}
	if got := rs.Do("PING"); got.String() != "PONG" {
		t.Fatalf("PING: %s", got)
	}
}
