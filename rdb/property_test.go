package rdb

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestPropertyRoundTrip: any data set of every type, written with any
// version, compression and checksum setting, reads back equal. rapid prints
// the failing data set, shrunk, and how to replay it (-rapid.seed,
// -rapid.failfile).
func TestPropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		version := rapid.SampledFrom([]int{9, 10, 11, 12}).Draw(t, "version")
		opts := &WriterOptions{
			Version:       version,
			NoCompression: rapid.Bool().Draw(t, "nocompression"),
			NoChecksum:    rapid.Bool().Draw(t, "nochecksum"),
		}
		entries := rapid.Custom(func(t *rapid.T) []*Entry { return genDataset(t, version) }).Draw(t, "entries")

		var buf bytes.Buffer
		w := NewWriter(&buf, opts)
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				t.Fatalf("WriteEntry(%q): %v", e.Key, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		got, _, err := readAll(bytes.NewReader(buf.Bytes()), nil)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		want := make([]*Entry, len(entries))
		for i, e := range entries {
			c := *e
			c.Value = sortedValue(expectAfterRoundTrip(e.Value, version))
			want[i] = &c
		}
		for _, e := range got {
			e.Value = sortedValue(e.Value)
		}
		if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("v%d: read back differs (-wrote +read):\n%s", version, diff)
		}
	})
}

// sortedValue returns v with the members of sets, hashes and sorted sets
// in byte order, so that they compare as sets.
func sortedValue(v Value) Value {
	switch v := v.(type) {
	case Set:
		c := slices.Clone(v)
		slices.SortFunc(c, bytes.Compare)
		return c
	case ZSet:
		c := slices.Clone(v)
		slices.SortFunc(c, func(a, b ZMember) int { return bytes.Compare(a.Member, b.Member) })
		return c
	case Hash:
		c := slices.Clone(v)
		slices.SortFunc(c, func(a, b HashField) int { return bytes.Compare(a.Field, b.Field) })
		return c
	}
	return v
}

// expectAfterRoundTrip is what reading v back from a file of version gives:
// RDB 9 streams carry no first ID (the first entry's, or for an empty
// stream the greatest ID, as Redis's loader sets it), max-deleted ID,
// entries-added or entries-read.
func expectAfterRoundTrip(v Value, version int) Value {
	s, ok := v.(*Stream)
	if !ok || version >= 10 {
		return v
	}
	c := *s
	c.MaxDeletedID = StreamID{}
	c.EntriesAdded = c.Length
	if len(c.Entries) == 0 {
		c.FirstID = StreamID{math.MaxUint64, math.MaxUint64}
	}
	c.Groups = nil
	for _, g := range s.Groups {
		g.EntriesRead = estimateEntriesRead(&c, g.LastDeliveredID)
		c.Groups = append(c.Groups, g)
	}
	return &c
}

// genBytes draws a string of one of the shapes that exercise the string
// encodings: canonical integers of every width, integer-like strings that
// must stay strings, compressible runs, binary, empty.
func genBytes(t *rapid.T, label string) []byte {
	switch rapid.IntRange(0, 5).Draw(t, label+".shape") {
	case 0:
		return []byte(strconv.FormatInt(rapid.Int64().Draw(t, label+".int"), 10))
	case 1:
		return []byte("0" + strconv.Itoa(rapid.IntRange(0, 999).Draw(t, label+".noncanon")))
	case 2:
		c := rapid.Byte().Draw(t, label+".run")
		return bytes.Repeat([]byte{c}, rapid.IntRange(0, 300).Draw(t, label+".runlen"))
	case 3:
		return rapid.SliceOfN(rapid.Byte(), 0, 80).Draw(t, label+".bin")
	case 4:
		return []byte{}
	}
	return []byte("k:" + rapid.StringMatching(`[a-z0-9]{0,12}`).Draw(t, label+".text"))
}

// genDistinct draws n distinct strings.
func genDistinct(t *rapid.T, label string, min, max int) [][]byte {
	n := rapid.IntRange(min, max).Draw(t, label+".n")
	seen := map[string]bool{}
	var out [][]byte
	for i := 0; len(out) < n && i < 4*n+8; i++ {
		b := genBytes(t, label)
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	if len(out) < min {
		t.Skip("could not draw enough distinct strings")
	}
	return out
}

var genScore = rapid.OneOf(
	rapid.SampledFrom([]float64{0, 1, -1, 2.5, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}),
	rapid.Float64().Filter(func(f float64) bool { return !math.IsNaN(f) }),
	rapid.Map(rapid.Int64Range(-1<<53, 1<<53), func(i int64) float64 { return float64(i) }),
)

func genValue(t *rapid.T, version int) Value {
	switch rapid.IntRange(0, 6).Draw(t, "type") {
	case 1:
		return List(genDistinct(t, "list", 1, 20))
	case 2:
		return Set(genDistinct(t, "set", 1, 20))
	case 3:
		var z ZSet
		for _, m := range genDistinct(t, "zset", 1, 20) {
			z = append(z, ZMember{Member: m, Score: genScore.Draw(t, "score")})
		}
		return z
	case 4:
		var h Hash
		for _, f := range genDistinct(t, "hash", 1, 20) {
			hf := HashField{Field: f, Value: genBytes(t, "hval")}
			if version >= 12 && rapid.Bool().Draw(t, "httl") {
				hf.ExpireAt = rapid.Int64Range(1, 1<<48-1).Draw(t, "hexpire")
			}
			h = append(h, hf)
		}
		return h
	case 5:
		return genStream(t)
	case 6:
		data := appendLen(nil, moduleUInt)
		data = appendLen(data, rapid.Uint64().Draw(t, "modint"))
		data = appendLen(data, moduleString)
		data = (&encoder{}).appendString(data, genBytes(t, "modstr"))
		data = appendLen(data, moduleEOF)
		return &Module{ID: rapid.Uint64().Draw(t, "modid"), Data: data}
	}
	return String(genBytes(t, "string"))
}

func genStream(t *rapid.T) *Stream {
	s := &Stream{}
	id := StreamID{Ms: rapid.Uint64Range(0, 1<<45).Draw(t, "ms")}
	fields := genDistinct(t, "sfield", 1, 3)
	n := rapid.IntRange(0, 40).Draw(t, "entries")
	for i := range n {
		if i > 0 {
			if rapid.Bool().Draw(t, "newms") {
				id.Ms += rapid.Uint64Range(1, 1000).Draw(t, "dms")
				id.Seq = 0
			} else {
				id.Seq++
			}
		}
		fs := fields
		if rapid.IntRange(0, 3).Draw(t, "ownfields") == 0 {
			fs = genDistinct(t, "efield", 1, 3)
		}
		var kv [][]byte
		for _, f := range fs {
			kv = append(kv, f, genBytes(t, "sval"))
		}
		s.Entries = append(s.Entries, StreamEntry{ID: id, Fields: kv})
	}
	s.Length = uint64(n)
	s.LastID = id
	if n > 0 {
		s.FirstID = s.Entries[0].ID
	}
	s.EntriesAdded = s.Length + rapid.Uint64Range(0, 3).Draw(t, "deleted")
	if s.EntriesAdded > s.Length {
		s.MaxDeletedID = StreamID{Ms: 0, Seq: 1}
	}
	for _, name := range genDistinct(t, "group", 0, 2) {
		g := StreamGroup{Name: name, LastDeliveredID: s.LastID, EntriesRead: int64(rapid.IntRange(-1, n).Draw(t, "read"))}
		consumers := genDistinct(t, "consumer", 1, 3)
		for _, c := range consumers {
			ts := rapid.Int64Range(0, 1<<42).Draw(t, "seen")
			g.Consumers = append(g.Consumers, StreamConsumer{Name: c, SeenTimeMs: ts, ActiveTimeMs: ts})
		}
		for _, e := range s.Entries {
			if rapid.IntRange(0, 3).Draw(t, "pending") == 0 {
				c := rapid.IntRange(0, len(consumers)-1).Draw(t, "owner")
				g.Pending = append(g.Pending, StreamPending{ID: e.ID, Consumer: consumers[c],
					DeliveryTimeMs: rapid.Int64Range(0, 1<<42).Draw(t, "dtime"), DeliveryCount: rapid.Uint64Range(1, 100).Draw(t, "dcount")})
				g.Consumers[c].Pending = append(g.Consumers[c].Pending, e.ID)
			}
		}
		s.Groups = append(s.Groups, g)
	}
	return s
}

func genDataset(t *rapid.T, version int) []*Entry {
	var out []*Entry
	for _, db := range []int{0, 3} {
		for _, k := range genDistinct(t, "key", 0, 8) {
			e := &Entry{DB: db, Key: k, Idle: -1, Freq: -1, Value: genValue(t, version)}
			if rapid.IntRange(0, 3).Draw(t, "hasexpire") == 0 {
				e.ExpireAt = rapid.Int64Range(4102444800000, 1<<62).Draw(t, "expire") // after 2100: never Expired
			}
			switch rapid.IntRange(0, 5).Draw(t, "evict") {
			case 0:
				e.Idle = rapid.Int64Range(1, 1<<40).Draw(t, "idle")
			case 1:
				e.Freq = rapid.IntRange(1, 255).Draw(t, "freq")
			}
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b *Entry) int { return cmp.Compare(a.DB, b.DB) })
	return out
}
