package rdb

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// The verified Redis 7.4.1 payloads of REDIS-FORMATS.md section 2.
var verifiedPayloads = []struct {
	hex   string
	value Value
	exact bool // AppendDump(value, 12, true) gives these bytes
}{
	{"00 03 62 61 72 0c 00 2d c8 7d a0 14 4c 63 5e", String("bar"), true},
	{"00 c0 07 0c 00 bf bb 7c 62 79 81 50 db", String("7"), true},
	{"00 c2 a0 86 01 00 0c 00 3a 52 37 90 95 05 38 3d", String("100000"), true},
	{"12 01 02 0f 0f000000 0300 81 61 02 81 62 02 01 01 ff 0c 00 2b 6d 9f 8a bd e4 c7 6b", List{[]byte("a"), []byte("b"), []byte("1")}, true},
	{"0b 0e 02000000 03000000 0100 0200 0300 0c 00 6e 74 68 22 97 44 d3 52", Set{[]byte("1"), []byte("2"), []byte("3")}, false},
	{"14 0d 0d000000 0200 81 61 02 81 62 02 ff 0c 00 a8 45 83 07 4e 16 a1 94", Set{[]byte("a"), []byte("b")}, false},
	{"11 14 14000000 0400 81 61 02 01 01 81 62 02 83 32 2e 35 04 ff 0c 00 1f 3a 5a 64 0c 6e 47 9e", ZSet{{[]byte("a"), 1}, {[]byte("b"), 2.5}}, false},
	{"10 13 13000000 0400 81 66 02 81 76 02 82 66 32 03 0c 01 ff 0c 00 38 12 cd 48 73 2e b0 69", Hash{{Field: []byte("f"), Value: []byte("v")}, {Field: []byte("f2"), Value: []byte("12")}}, false},
	{"00 03 62 61 72 0b 00 8f 61 f4 13 13 f9 14 9e", String("bar"), false}, // Valkey 8.0.1
}

func TestVerifiedPayloads(t *testing.T) {
	for _, p := range verifiedPayloads {
		payload, err := hex.DecodeString(strings.ReplaceAll(p.hex, " ", ""))
		must(t, err)
		v, err := ParseDump(payload)
		if err != nil {
			t.Fatalf("%s: %v", p.hex, err)
		}
		if got, want := toJSON(canonValue(v)), toJSON(canonValue(p.value)); got != want {
			t.Errorf("%s: got %s, want %s", p.hex, got, want)
		}
		if p.exact {
			out, err := AppendDump(nil, p.value, 12, true)
			must(t, err)
			if !bytes.Equal(out, payload) {
				t.Errorf("AppendDump(%s) = % x, want % x", canonValue(p.value), out, payload)
			}
		}
		// Any corruption of the payload is detected.
		bad := bytes.Clone(payload)
		bad[1] ^= 0x40
		if _, err := ParseDump(bad); !errors.Is(err, ErrChecksum) {
			t.Errorf("flipped bit: %v", err)
		}
		if _, err := ParseDump(payload[:9]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("short payload: %v", err)
		}
	}
}

func TestFixturePayloads(t *testing.T) {
	var payloads []struct{ Key, Payload string }
	must(t, json.Unmarshal(readFile(t, "testdata/redis-7.0.15/dump-payloads/payloads.json"), &payloads))
	var ds jsonDataset
	must(t, json.Unmarshal(readFile(t, "testdata/redis-7.0.15/dump-payloads/expected.json"), &ds))
	want := map[string]jsonKey{}
	for _, k := range ds.DBs["0"] {
		want[k.Key] = k
	}
	if len(payloads) == 0 || len(payloads) != len(want) {
		t.Fatalf("%d payloads, %d expected keys", len(payloads), len(want))
	}
	for _, p := range payloads {
		raw, err := base64.StdEncoding.DecodeString(p.Payload)
		must(t, err)
		v, err := ParseDump(raw)
		if err != nil {
			t.Fatalf("key %s: %v", p.Key, err)
		}
		w := want[p.Key]
		got := toJSON(canonValue(v))
		exp := canonExpected(t, w.Type, w.Value)
		if js, ok := exp.(jsonStream); ok {
			// Fixtures list at most 10 entries (see compareExpected).
			gs := canonValue(v).(jsonStream)
			gs.Entries = gs.Entries[:min(len(gs.Entries), max(len(js.Entries), 10))]
			for i := range gs.Groups {
				gs.Groups[i].Pending = gs.Groups[i].Pending[:min(len(gs.Groups[i].Pending), 10)]
				for j := range gs.Groups[i].Consumers {
					c := &gs.Groups[i].Consumers[j]
					c.Pending = c.Pending[:min(len(c.Pending), 10)]
				}
			}
			got = toJSON(gs)
		}
		if got != toJSON(exp) {
			t.Errorf("key %s: got %.500s\nwant %.500s", p.Key, got, toJSON(exp))
		}
		// What we write reads back the same.
		for _, version := range []int{9, 10, 11, 12} {
			out, err := AppendDump(nil, v, version, version%2 == 0)
			must(t, err)
			back, err := ParseDump(out)
			must(t, err)
			if normalize(back, 12) != normalize(v, version) {
				t.Errorf("key %s: AppendDump v%d does not read back", p.Key, version)
			}
		}
	}
}
