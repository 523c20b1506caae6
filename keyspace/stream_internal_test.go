package keyspace

import (
	"strings"
	"testing"
)

func sid(ms, seq uint64) streamID { return streamID{Ms: ms, Seq: seq} }

func TestParseStreamID(t *testing.T) {
	max := maxStreamID
	for _, c := range []struct {
		in               string
		missing          uint64
		strict, star     bool
		want             streamID
		seqGiven, wantOK bool
	}{
		{in: "1-2", want: sid(1, 2), seqGiven: true, wantOK: true},
		{in: "7", missing: 9, want: sid(7, 9), seqGiven: true, wantOK: true},
		{in: "-", want: sid(0, 0), seqGiven: true, wantOK: true},
		{in: "+", want: max, seqGiven: true, wantOK: true},
		{in: "-", strict: true},
		{in: "+", strict: true},
		{in: "5-*", star: true, want: sid(5, 0), wantOK: true},
		{in: "5-*"},
		{in: "*-1", star: true},
		{in: "01-02", want: sid(1, 2), seqGiven: true, wantOK: true},
		{in: " 3-+4", want: sid(3, 4), seqGiven: true, wantOK: true},
		{in: "-1"},
		{in: "1--1"},
		{in: "1-"},
		{in: ""},
		{in: "1-x"},
		{in: "18446744073709551615-18446744073709551615", want: max, seqGiven: true, wantOK: true},
		{in: "18446744073709551616"},
		{in: "-0-1"},
		{in: "2-\x00junk", want: sid(2, 0), seqGiven: true},
		{in: "3\x00-junk", want: sid(3, 0), seqGiven: true, wantOK: true},
		{in: strings.Repeat("0", 127) + "", want: sid(0, 0), seqGiven: true, wantOK: true},
		{in: strings.Repeat("0", 128)},
	} {
		got, seqGiven, ok := parseStreamID([]byte(c.in), c.missing, c.strict, c.star)
		if ok != c.wantOK || ok && (got != c.want || seqGiven != c.seqGiven) {
			t.Errorf("parseStreamID(%q, %d, %v, %v) = %v, %v, %v; want %v, %v, %v",
				c.in, c.missing, c.strict, c.star, got, seqGiven, ok, c.want, c.seqGiven, c.wantOK)
		}
	}
}

func TestStreamIDOrder(t *testing.T) {
	if id, ok := incrID(sid(1, ^uint64(0))); !ok || id != (sid(2, 0)) {
		t.Errorf("incrID: %v %v", id, ok)
	}
	if id, ok := incrID(maxStreamID); ok || id != (sid(0, 0)) {
		t.Errorf("incrID(max): %v %v", id, ok)
	}
	if id, ok := decrID(sid(2, 0)); !ok || id != (sid(1, ^uint64(0))) {
		t.Errorf("decrID: %v %v", id, ok)
	}
	if id, ok := decrID(sid(0, 0)); ok || id != maxStreamID {
		t.Errorf("decrID(0-0): %v %v", id, ok)
	}
	if compareStreamID(sid(1, 5), sid(2, 0)) >= 0 || compareStreamID(sid(2, 0), sid(2, 0)) != 0 {
		t.Error("compareStreamID")
	}
}

func TestRaxNodes(t *testing.T) {
	s := &stream{}
	if n := s.raxNodes(); n != 1 {
		t.Errorf("empty: %d nodes", n)
	}
	s.appendEntry(sid(1, 0), [][]byte{[]byte("f"), []byte("v")})
	if n := s.raxNodes(); n != 2 {
		t.Errorf("one key: %d nodes", n)
	}
}

// FuzzStreamID checks that any argument parses without panicking and
// that what parses formats back to an ID that parses to itself.
func FuzzStreamID(f *testing.F) {
	for _, s := range []string{"1-2", "-", "+", "5-*", " 01-+2", "18446744073709551615-18446744073709551615", "1-", "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, strict := range []bool{false, true} {
			id, seqGiven, ok := parseStreamID(b, 7, strict, true)
			if !ok {
				continue
			}
			if !seqGiven && id.Seq != 0 {
				t.Fatalf("%q: <ms>-* gave sequence %d", b, id.Seq)
			}
			back, _, ok := parseStreamID(formatStreamID(id), 0, true, false)
			if !ok || back != id {
				t.Fatalf("%q: %v formats as %q, which parses as %v, %v", b, id, formatStreamID(id), back, ok)
			}
		}
	})
}
