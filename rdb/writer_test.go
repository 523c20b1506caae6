package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// randBytes returns a random string of one of the shapes that exercise the
// encodings: short, integer-like (canonical or not), compressible, binary.
func randBytes(r *rand.Rand) []byte {
	switch r.IntN(8) {
	case 0:
		return []byte(strconv.FormatInt(r.Int64N(1<<40)-1<<39, 10))
	case 1:
		return []byte(strconv.Itoa(r.IntN(300) - 150))
	case 2:
		return []byte(fmt.Sprintf("%03d", r.IntN(100))) // "007": not canonical
	case 3:
		return bytes.Repeat([]byte{byte('a' + r.IntN(26))}, r.IntN(200))
	case 4:
		b := make([]byte, r.IntN(100))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	case 5:
		return []byte{}
	}
	return []byte("m:" + strconv.Itoa(r.IntN(1000)))
}

// uniq returns n distinct random strings.
func uniq(r *rand.Rand, n int) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	for len(out) < n {
		b := randBytes(r)
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	return out
}

func randValue(r *rand.Rand, version int) Value {
	n := 1 + r.IntN(20)
	if r.IntN(10) == 0 {
		n = 100 + r.IntN(400)
	}
	switch r.IntN(8) {
	case 0:
		return List(uniq(r, n))
	case 1:
		return Set(uniq(r, n))
	case 2:
		var z ZSet
		for _, m := range uniq(r, n) {
			s := []float64{0, 1, -1, 2.5, math.Inf(1), math.Inf(-1), r.Float64() * 1e6, float64(r.IntN(1000))}[r.IntN(8)]
			z = append(z, ZMember{m, s})
		}
		return z
	case 3:
		var h Hash
		for _, f := range uniq(r, n) {
			hf := HashField{Field: f, Value: randBytes(r)}
			if version >= 12 && r.IntN(3) == 0 {
				hf.ExpireAt = 1700000000000 + r.Int64N(1e9)
			}
			h = append(h, hf)
		}
		return h
	case 4:
		return randStream(r)
	case 5:
		// A module value: one of each opcode.
		data := appendLen(nil, moduleUInt)
		data = appendLen(data, r.Uint64())
		data = appendLen(data, moduleString)
		data = (&encoder{}).appendString(data, randBytes(r))
		data = appendLen(data, moduleDouble)
		data = append(data, 1, 2, 3, 4, 5, 6, 7, 8)
		data = appendLen(data, moduleFloat)
		data = append(data, 1, 2, 3, 4)
		data = appendLen(data, moduleEOF)
		return &Module{ID: r.Uint64(), Data: data}
	}
	return String(randBytes(r))
}

func randStream(r *rand.Rand) *Stream {
	s := &Stream{}
	id := StreamID{Ms: 1700000000000 + r.Uint64N(1000), Seq: 0}
	fields := uniq(r, 1+r.IntN(3))
	for range r.IntN(250) {
		if r.IntN(3) == 0 {
			id.Ms += r.Uint64N(5) + 1
			id.Seq = 0
		} else {
			id.Seq++
		}
		var fs [][]byte
		if r.IntN(4) == 0 {
			for _, f := range uniq(r, 1+r.IntN(3)) {
				fs = append(fs, f, randBytes(r))
			}
		} else {
			for _, f := range fields {
				fs = append(fs, f, randBytes(r))
			}
		}
		s.Entries = append(s.Entries, StreamEntry{ID: id, Fields: fs})
	}
	s.Length = uint64(len(s.Entries))
	s.LastID = StreamID{id.Ms + r.Uint64N(2), id.Seq}
	if len(s.Entries) > 0 {
		s.FirstID = s.Entries[0].ID
	}
	s.EntriesAdded = s.Length + r.Uint64N(3)
	if s.EntriesAdded > s.Length {
		s.MaxDeletedID = StreamID{1, 1}
	}
	for _, name := range uniq(r, r.IntN(3)) {
		g := StreamGroup{Name: name, LastDeliveredID: s.LastID, EntriesRead: int64(r.IntN(10)) - 1}
		consumers := uniq(r, 1+r.IntN(3))
		for _, c := range consumers {
			g.Consumers = append(g.Consumers, StreamConsumer{Name: c, SeenTimeMs: 1700000000000, ActiveTimeMs: 1700000000000})
		}
		for _, e := range s.Entries {
			if r.IntN(4) == 0 {
				c := r.IntN(len(consumers))
				g.Pending = append(g.Pending, StreamPending{ID: e.ID, Consumer: consumers[c], DeliveryTimeMs: 1700000000001, DeliveryCount: r.Uint64N(5) + 1})
				g.Consumers[c].Pending = append(g.Consumers[c].Pending, e.ID)
			}
		}
		s.Groups = append(s.Groups, g)
	}
	return s
}

func randDataset(r *rand.Rand, version int) []*Entry {
	var out []*Entry
	for _, db := range []int{0, 1, 5} {
		for _, k := range uniq(r, r.IntN(60)) {
			e := &Entry{DB: db, Key: k, Idle: -1, Freq: -1, Value: randValue(r, version)}
			if r.IntN(4) == 0 {
				e.ExpireAt = 4102444800000 + r.Int64N(1e6)
			}
			if r.IntN(8) == 0 {
				e.Idle = r.Int64N(1e6) + 1
			}
			if r.IntN(8) == 0 {
				e.Freq = r.IntN(255) + 1
			}
			out = append(out, e)
		}
	}
	return out
}

// normalize maps a value to what reading it back from version gives.
func normalize(v Value, version int) string {
	return toJSON(canonValue(expectAfterRoundTrip(v, version)))
}

func writeAll(t testing.TB, entries []*Entry, opts *WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, opts)
	must(t, w.WriteFunction([]byte("#!lua name=lib\nredis.register_function('f', function() return 1 end)")))
	for _, e := range entries {
		must(t, w.WriteEntry(e))
	}
	must(t, w.Close())
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	r := testenv.Rand(t)
	for _, version := range []int{9, 10, 11, 12} {
		for _, compress := range []bool{true, false} {
			for _, checksum := range []bool{true, false} {
				name := fmt.Sprintf("v%d/compress=%v/checksum=%v", version, compress, checksum)
				entries := randDataset(r, version)
				data := writeAll(t, entries, &WriterOptions{Version: version, NoCompression: !compress, NoChecksum: !checksum,
					Aux: []Aux{{[]byte("aofrdb-ver"), []byte("test")}}})
				got, rd, err := readAll(bytes.NewReader(data), nil)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if v, _ := rd.Version(); v != version {
					t.Errorf("%s: version %d", name, v)
				}
				if stored, _, _ := rd.Checksum(); (stored != 0) != checksum {
					t.Errorf("%s: stored checksum %x", name, stored)
				}
				if len(rd.Functions()) != 1 || len(rd.Aux()) != 6 {
					t.Errorf("%s: %d functions, %d aux", name, len(rd.Functions()), len(rd.Aux()))
				}
				if len(got) != len(entries) {
					t.Fatalf("%s: read %d entries, wrote %d", name, len(got), len(entries))
				}
				for i, e := range entries {
					g := got[i]
					if g.DB != e.DB || !bytes.Equal(g.Key, e.Key) || g.ExpireAt != e.ExpireAt || g.Idle != e.Idle || g.Freq != e.Freq {
						t.Fatalf("%s: entry %d: got db %d key %q exp %d idle %d freq %d, want db %d key %q exp %d idle %d freq %d",
							name, i, g.DB, g.Key, g.ExpireAt, g.Idle, g.Freq, e.DB, e.Key, e.ExpireAt, e.Idle, e.Freq)
					}
					if gv, wv := toJSON(canonValue(g.Value)), normalize(e.Value, version); gv != wv {
						t.Fatalf("%s: key %q (%s):\n got %.600s\nwant %.600s", name, e.Key, e.Value.Type(), gv, wv)
					}
				}
			}
		}
	}
}

func TestRewriteFixtures(t *testing.T) {
	// Every fixture read, written with every version, reads back the same.
	for name, path := range fixtureFiles(t) {
		if name == "corrupt_ziplist" {
			continue
		}
		data := readFile(t, path)
		entries, _, err := readAll(bytes.NewReader(data), nil)
		must(t, err)
		for _, version := range []int{10, 11} {
			out := writeAll(t, entries, &WriterOptions{Version: version})
			got, _, err := readAll(bytes.NewReader(out), nil)
			if err != nil {
				t.Fatalf("%s v%d: %v", name, version, err)
			}
			for i := range entries {
				if entryJSON(got[i]) != entryJSON(entries[i]) {
					t.Fatalf("%s v%d: key %q differs", name, version, entries[i].Key)
				}
			}
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter(io.Discard, &WriterOptions{Version: 8})
	if err := w.WriteEntry(&Entry{Key: []byte("k"), Value: String("v")}); !errors.Is(err, ErrVersion) {
		t.Fatalf("version 8: %v", err)
	}
	w = NewWriter(io.Discard, nil)
	for _, v := range []Value{nil, List{}, Set{}, Hash{}, ZSet{}, Set{[]byte("a"), []byte("a")},
		ZSet{{[]byte("a"), math.NaN()}}, Hash{{Field: []byte("f"), ExpireAt: 5}}} {
		if err := w.WriteEntry(&Entry{Key: []byte("k"), Value: v}); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%#v: %v, want ErrInvalidValue", v, err)
		}
	}
	must(t, w.WriteEntry(&Entry{Key: []byte("k"), Value: String("v")})) // not sticky
	must(t, w.Close())
	must(t, w.Close())
	if err := w.WriteEntry(&Entry{Key: []byte("k"), Value: String("v")}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	// A failing underlying writer makes the error sticky.
	w = NewWriter(&failWriter{n: 100}, nil)
	var err error
	for i := 0; err == nil && i < 1e5; i++ {
		err = w.WriteEntry(&Entry{Key: []byte("key:" + strconv.Itoa(i)), Value: String("value")})
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil || w.Close() != err || w.WriteEntry(&Entry{Key: []byte("k"), Value: String("v")}) != err {
		t.Fatalf("error not sticky: %v", err)
	}
}

func TestWriterCompat(t *testing.T) {
	// The SAVE example of REDIS-FORMATS.md section 1.15: the same key
	// records byte for byte.
	var buf bytes.Buffer
	w := NewWriter(&buf, &WriterOptions{Now: func() time.Time { return time.Unix(0, 0) }})
	must(t, w.SelectDB(0, 2, 1))
	must(t, w.WriteEntry(&Entry{Key: []byte("b"), ExpireAt: 0x01a1fe5a5d11, Value: String("hello")}))
	must(t, w.WriteEntry(&Entry{Key: []byte("a"), Value: String("1")}))
	must(t, w.WriteEntry(&Entry{DB: 2, Key: []byte("c"), Value: String("2")}))
	must(t, w.Close())
	want := []byte("\xfe\x00\xfb\x02\x01\xfc\x11\x5d\x5a\xfe\xa1\x01\x00\x00\x00\x01b\x05hello\x00\x01a\xc0\x01\xfe\x02\x00\x01c\xc0\x02\xff")
	if !bytes.Contains(buf.Bytes(), want) {
		t.Fatalf("key records not as Redis writes them:\n%q", buf.Bytes())
	}
}
