package lzf

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/resp"
)

// crcTable and redisCRC compute Redis's CRC-64/Jones (initial value 0, no
// final xor) with hash/crc64, which inverts before and after.
var crcTable = crc64.MakeTable(0x95AC9329AC4BC9B5)

func redisCRC(data []byte) uint64 { return ^crc64.Update(^uint64(0), crcTable, data) }

// rdbReader reads the parts of an RDB value that the tests need.
type rdbReader struct {
	b    []byte
	p    int
	lzfs int      // LZF-compressed strings read
	raw  [][]byte // and their compressed form, if keep
	keep bool
}

var errRDB = errors.New("bad RDB data")

func (r *rdbReader) byte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, errRDB
	}
	r.p++
	return r.b[r.p-1], nil
}

func (r *rdbReader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.p) {
		return nil, errRDB
	}
	r.p += int(n)
	return r.b[r.p-int(n) : r.p], nil
}

// length reads an RDB length (REDIS-FORMATS.md 1.4); enc is true for the
// special string encodings 0xC0..0xFF, whose number it returns.
func (r *rdbReader) length() (n uint64, enc bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		lo, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(lo), false, err
	case 3:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case 0x80:
		b, err := r.bytes(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case 0x81:
		b, err := r.bytes(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, errRDB
}

// string reads an RDB string (REDIS-FORMATS.md 1.5), decompressing LZF.
func (r *rdbReader) string() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		return r.bytes(n)
	}
	switch n {
	case 0, 1, 2: // int8, int16, int32, little endian
		b, err := r.bytes(1 << n)
		if err != nil {
			return nil, err
		}
		var v int64
		switch n {
		case 0:
			v = int64(int8(b[0]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return strconv.AppendInt(nil, v, 10), nil
	case 3: // LZF
		clen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		z, err := r.bytes(clen)
		if err != nil || ulen > 1<<30 {
			return nil, errRDB
		}
		out := make([]byte, ulen)
		m, err := Decompress(out, z)
		if err != nil {
			return nil, fmt.Errorf("LZF string at %d: %w", r.p-len(z), err)
		}
		if uint64(m) != ulen {
			return nil, fmt.Errorf("LZF string at %d: %d bytes, header says %d", r.p-len(z), m, ulen)
		}
		r.lzfs++
		if r.keep {
			r.raw = append(r.raw, z)
		}
		return out, nil
	}
	return nil, errRDB
}

// dumpRecord is one key of testdata/redis-7.0.15-dump-lzf.json (see
// testdata/README.md).
type dumpRecord struct {
	Key      string // base64
	Type     string
	Encoding string
	Payload  []byte
	Count    int
	SHA256   string
}

// lp is the length-prefixed form of b in the digests of dumpRecord.
func lp(h []byte, b []byte) []byte {
	return append(binary.LittleEndian.AppendUint64(h, uint64(len(b))), b...)
}

func loadDumpRecords(t testing.TB) []dumpRecord {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "redis-7.0.15-dump-lzf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []dumpRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestRedisDumpPayloads decompresses the LZF strings in DUMP payloads that
// redis-server 7.0.15 wrote, and checks that they hold the data the server
// held.
func TestRedisDumpPayloads(t *testing.T) {
	lzfs := 0
	for _, rec := range loadDumpRecords(t) {
		key, _ := base64.StdEncoding.DecodeString(rec.Key)
		t.Run(string(key), func(t *testing.T) {
			p := rec.Payload
			if len(p) < 11 || p[len(p)-10] != 10 || p[len(p)-9] != 0 {
				t.Fatalf("payload does not end with RDB version 10 and a CRC")
			}
			if got, want := redisCRC(p[:len(p)-8]), binary.LittleEndian.Uint64(p[len(p)-8:]); got != want {
				t.Fatalf("CRC %#x, payload says %#x", got, want)
			}
			r := &rdbReader{b: p[:len(p)-10]}
			count, digest, err := readDumpValue(rec, r)
			if err != nil {
				t.Fatal(err)
			}
			if count != rec.Count {
				t.Fatalf("%d elements or bytes, redis-server held %d", count, rec.Count)
			}
			if digest != nil {
				if sum := sha256.Sum256(digest); hex.EncodeToString(sum[:]) != rec.SHA256 {
					t.Fatalf("the data differ from what redis-server held")
				}
			}
			lzfs += r.lzfs
		})
	}
	t.Logf("%d LZF strings decompressed", lzfs)
	if lzfs < 500 {
		t.Errorf("only %d LZF strings in the fixtures: expected over 500", lzfs)
	}
}

// readDumpValue reads the value of rec's DUMP payload with r (whose data is
// the payload without its version and CRC), and returns its count and the
// canonical form whose SHA-256 the record holds (see testdata/README.md).
func readDumpValue(rec dumpRecord, r *rdbReader) (count int, digest []byte, err error) {
	typ, err := r.byte()
	if err != nil {
		return 0, nil, err
	}
	switch typ {
	case 0: // string
		var s []byte
		s, err = r.string()
		count, digest = len(s), s
	case 2, 4: // set, hash (hash table encodings)
		var n uint64
		n, _, err = r.length()
		var elems [][2][]byte // member or field, value
		for i := uint64(0); err == nil && i < n; i++ {
			var e [2][]byte
			e[0], err = r.string()
			if err == nil && typ == 4 {
				e[1], err = r.string()
			}
			elems = append(elems, e)
		}
		slices.SortFunc(elems, func(a, b [2][]byte) int { return bytes.Compare(a[0], b[0]) })
		for _, e := range elems {
			digest = lp(digest, e[0])
			if typ == 4 {
				digest = lp(digest, e[1])
			}
		}
		count = int(n)
	case 5: // sorted set, skiplist encoding: member, binary double score
		var n uint64
		n, _, err = r.length()
		type pair struct {
			m     []byte
			score float64
		}
		var ps []pair
		for i := uint64(0); err == nil && i < n; i++ {
			var m, sc []byte
			if m, err = r.string(); err == nil {
				sc, err = r.bytes(8)
			}
			if err == nil {
				ps = append(ps, pair{m, math.Float64frombits(binary.LittleEndian.Uint64(sc))})
			}
		}
		slices.SortFunc(ps, func(a, b pair) int {
			return cmp.Or(cmp.Compare(a.score, b.score), bytes.Compare(a.m, b.m))
		})
		for _, p := range ps {
			digest = binary.LittleEndian.AppendUint64(lp(digest, p.m), math.Float64bits(p.score))
		}
		count = int(n)
	case 17: // sorted set, listpack encoding: one blob
		var lpb []byte
		lpb, err = r.string()
		if err == nil && (len(lpb) < 7 || int(binary.LittleEndian.Uint32(lpb)) != len(lpb) ||
			int(binary.LittleEndian.Uint16(lpb[4:])) != 2*rec.Count || lpb[len(lpb)-1] != 0xff) {
			return 0, nil, fmt.Errorf("decompressed listpack %x… is not a listpack of %d entries", trim(lpb), 2*rec.Count)
		}
		count, digest = rec.Count, nil
	default:
		return 0, nil, fmt.Errorf("type %d", typ)
	}
	if err == nil && r.p != len(r.b) {
		err = fmt.Errorf("%d bytes left over", len(r.b)-r.p)
	}
	return count, digest, err
}

// appendRDBLen appends n in RDB length encoding (REDIS-FORMATS.md 1.4).
func appendRDBLen(b []byte, n int) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), uint64(n))
}

// lzfDumpPayload builds the DUMP payload of a string stored LZF-compressed
// by this package, or returns nil if it does not compress into len(v)-4
// bytes (Redis's rule for using LZF).
func lzfDumpPayload(v []byte) []byte {
	z := make([]byte, len(v)-4)
	n := Compress(z, v)
	if n == 0 {
		return nil
	}
	p := []byte{0x00, 0xc3} // string, LZF
	p = appendRDBLen(p, n)
	p = appendRDBLen(p, len(v))
	p = append(p, z[:n]...)
	p = append(p, 10, 0) // RDB version 10 (Redis 7.0)
	return binary.LittleEndian.AppendUint64(p, redisCRC(p))
}

// TestRedisServerLoadsLZF hands redis-server strings compressed by this
// package, in DUMP payloads, and reads them back; and decompresses what
// redis-server's liblzf makes of the same strings.
func TestRedisServerLoadsLZF(t *testing.T) {
	rc := redistest.Start(t, "").Client()
	values := map[string][]byte{
		"21 bytes":   []byte("aaaaaaaaaaaaaaaaaaaaa"),
		"40 x a":     bytes.Repeat([]byte("a"), 40),
		"zeros 1MiB": make([]byte, 1<<20),
	}
	for _, c := range corpora() {
		for _, n := range []int{25, 100, 1000, 10000, 100000} {
			values[fmt.Sprintf("%s %d", c.name, n)] = c.data[n : 2*n]
		}
		values[c.name+" 1MiB"] = c.data
	}
	rng := testRand(t)
	for i := range 50 {
		values[fmt.Sprintf("text sample %d", i)] = corpora()[0].data[rng.IntN(1000):][:21+rng.IntN(5000)]
	}
	restored := 0
	for name, v := range values {
		key := []byte("lzf:" + name)
		if p := lzfDumpPayload(v); p != nil {
			if reply := rc.DoBytes([]byte("RESTORE"), key, []byte("0"), p, []byte("REPLACE")); reply.String() != "OK" {
				t.Fatalf("%s: RESTORE of our LZF: %s", name, reply)
			}
			if got := rc.DoBytes([]byte("GET"), key); got.Type != resp.TypeBulkString || got.IsNull() || !bytes.Equal(got.Str, v) {
				t.Fatalf("%s: redis-server decompressed our LZF to %d different bytes (%.40s)", name, len(got.Str), got)
			}
			restored++
		} else if reply := rc.DoBytes([]byte("SET"), key, v); reply.String() != "OK" {
			t.Fatalf("%s: SET: %s", name, reply)
		}
		// Redis's own compression of the same value, through DUMP.
		reply := rc.DoBytes([]byte("DUMP"), key)
		if reply.Type != resp.TypeBulkString || reply.IsNull() {
			t.Fatalf("%s: DUMP: %s", name, reply)
		}
		dump := reply.Str
		rd := &rdbReader{b: dump[:max(len(dump)-10, 0)]}
		if typ, err := rd.byte(); err != nil || typ != 0 {
			t.Fatalf("%s: DUMP %x…: not a string", name, trim(dump))
		}
		got, err := rd.string()
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("%s: DUMP payload of redis-server: %v", name, err)
		}
	}
	if restored < len(values)/2 {
		t.Errorf("only %d of %d values compressed", restored, len(values))
	}
	t.Logf("%d of %d values restored from our LZF", restored, len(values))
}
