package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/rdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtures returns the expected*.json files copied from the shared
// fixtures (gzipped) by name, uncompressed.
func fixtures(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/fixtures/*/*.json.gz")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in testdata/fixtures (%v)", err)
	}
	m := make(map[string][]byte, len(paths))
	for _, p := range paths {
		m[strings.TrimSuffix(strings.TrimPrefix(p, "testdata/fixtures/"), ".gz")] = gunzip(t, p)
	}
	return m
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// Reading every fixture and writing it back gives the fixture's bytes, less
// the informative "encoding" members, and reads back equal.
func TestFixturesRoundTrip(t *testing.T) {
	encodingLine := regexp.MustCompile(`(?m)^ *"encoding": "[a-z]*",\n`)
	for name, data := range fixtures(t) {
		if raceEnabled && len(data) > 100<<10 && !strings.Contains(name, "rdb-default") {
			continue // the race detector makes the big ones slow
		}
		t.Run(name, func(t *testing.T) {
			d, err := Read(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if d.RedisVersion != "7.0.15" {
				t.Errorf("RedisVersion = %q", d.RedisVersion)
			}
			var out bytes.Buffer
			if err := d.Write(&out); err != nil {
				t.Fatal(err)
			}
			want := append(encodingLine.ReplaceAll(data, nil), '\n')
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("written JSON differs from the fixture's at byte %d:\ngot  %q\nwant %q",
					firstDiff(out.Bytes(), want), around(out.Bytes(), firstDiff(out.Bytes(), want)), around(want, firstDiff(out.Bytes(), want)))
			}
			d2, err := Read(&out)
			if err != nil {
				t.Fatal(err)
			}
			if !Equal(d, d2) {
				t.Errorf("read back differs:\n%s", Diff(d, d2))
			}
			if diff := Diff(d, d2); diff != "" {
				t.Errorf("Diff of equal data sets = %q", diff)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(b []byte, i int) []byte { return b[max(0, i-80):min(len(b), i+80)] }

// golden is a data set with every type, values out of canonical order, and
// the corner cases of the format.
func golden() *Dataset {
	return &Dataset{
		RedisVersion: "7.4.1",
		DBs: map[int][]rdb.Entry{
			0: {
				{Key: []byte("str"), Value: rdb.String("hello")},
				{Key: []byte("\x00bin\xff"), ExpireAt: 4102444800000, Value: rdb.String("\x00\x01\xfe")},
				{Key: []byte("empty-string"), Value: rdb.String("")},
				{Key: []byte("list"), Value: rdb.List{[]byte("b"), []byte("a"), []byte("b")}},
				{Key: []byte("set"), Value: rdb.Set{[]byte("9"), []byte("10"), []byte("a")}},
				{Key: []byte("zset"), Value: rdb.ZSet{
					{Member: []byte("b"), Score: 1},
					{Member: []byte("a"), Score: 1},
					{Member: []byte("ninf"), Score: math.Inf(-1)},
					{Member: []byte("pinf"), Score: math.Inf(1)},
					{Member: []byte("tenth"), Score: 0.1},
					{Member: []byte("big"), Score: 1e300},
					{Member: []byte("negzero"), Score: math.Copysign(0, -1)},
					{Member: []byte("int"), Score: 9007199254740993},
				}},
				{Key: []byte("hash"), Value: rdb.Hash{
					{Field: []byte("f2"), Value: []byte("v2")},
					{Field: []byte("f1"), Value: []byte("v1"), ExpireAt: 4102444800123},
				}},
			},
			9: {
				{Key: []byte("module"), Value: &rdb.Module{ID: 12345678901234567890, Data: []byte{2, 1, 0}}},
			},
			15: {
				{Key: []byte("stream"), Value: &rdb.Stream{
					Entries: []rdb.StreamEntry{
						{ID: rdb.StreamID{Ms: 1, Seq: 0}, Fields: [][]byte{[]byte("f"), []byte("v")}},
						{ID: rdb.StreamID{Ms: 1, Seq: 1}, Fields: [][]byte{[]byte("f"), []byte("v"), []byte("g"), []byte("w")}},
					},
					Length:       2,
					LastID:       rdb.StreamID{Ms: 5, Seq: 0},
					FirstID:      rdb.StreamID{Ms: 1, Seq: 0},
					MaxDeletedID: rdb.StreamID{Ms: 4, Seq: 0},
					EntriesAdded: 4,
					Groups: []rdb.StreamGroup{
						{Name: []byte("g2"), LastDeliveredID: rdb.StreamID{Ms: 5}, EntriesRead: -1},
						{
							Name: []byte("g1"), LastDeliveredID: rdb.StreamID{Ms: 1, Seq: 1}, EntriesRead: 4,
							Pending: []rdb.StreamPending{
								{ID: rdb.StreamID{Ms: 1, Seq: 1}, Consumer: []byte("bob"), DeliveryTimeMs: 1700000000001, DeliveryCount: 2},
								{ID: rdb.StreamID{Ms: 1, Seq: 0}, Consumer: []byte("alice"), DeliveryTimeMs: 1700000000000, DeliveryCount: 1},
							},
							Consumers: []rdb.StreamConsumer{
								{Name: []byte("bob"), SeenTimeMs: 1, ActiveTimeMs: 2, Pending: []rdb.StreamID{{Ms: 1, Seq: 1}}},
								{Name: []byte("alice"), Pending: []rdb.StreamID{{Ms: 1, Seq: 0}}},
								{Name: []byte("carol")},
							},
						},
					},
				}},
			},
			3: {}, // empty: left out
		},
	}
}

func TestGolden(t *testing.T) {
	d := golden()
	before := Diff(d, golden())
	var out bytes.Buffer
	if err := d.Write(&out); err != nil {
		t.Fatal(err)
	}
	if before != "" || !slices.EqualFunc(d.DBs[0][4].Value.(rdb.Set), golden().DBs[0][4].Value.(rdb.Set), bytes.Equal) {
		t.Errorf("Write changed its argument")
	}
	const path = "testdata/golden.json"
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("Write output differs from %s (run with -update to accept):\n%s", path, out.Bytes())
	}
	m, err := d.MarshalJSON()
	if err != nil || !bytes.Equal(append(m, '\n'), want) {
		t.Errorf("MarshalJSON differs from Write (%v)", err)
	}

	back, err := Read(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if diff := Diff(golden(), back); diff != "" {
		t.Errorf("golden file reads back different:\n%s", diff)
	}
	// Canonical order after Read.
	z := back.Lookup(0, []byte("zset")).Value.(rdb.ZSet)
	var members []string
	for _, m := range z {
		members = append(members, string(m.Member))
	}
	if got := strings.Join(members, " "); got != "ninf negzero tenth a b int big pinf" {
		t.Errorf("zset order %s", got)
	}
	if e := back.Lookup(15, []byte("stream")); e == nil || e.DB != 15 || e.Idle != -1 || e.Freq != -1 {
		t.Errorf("stream entry after Read: %+v", e)
	}
	if got := back.Indexes(); !slices.Equal(got, []int{0, 9, 15}) {
		t.Errorf("Indexes = %v", got)
	}
	if back.Len() != 9 {
		t.Errorf("Len = %d", back.Len())
	}
}

func TestFormatScore(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {0, "0"}, {math.Copysign(0, -1), "-0"},
		{1, "1"}, {-3, "-3"}, {2.5, "2.5"}, {0.1, "0.10000000000000001"},
		{1.0 / 3, "0.33333333333333331"}, {5e-324, "4.9406564584124654e-324"},
		{9223372036854775807, "9.2233720368547758e+18"}, {1e300, "1.0000000000000001e+300"},
		{1e16, "10000000000000000"}, {1e17, "1e+17"}, {3479099956230698, "3479099956230698"},
		{0.0001, "0.0001"}, {0.00001, "1.0000000000000001e-05"}, {-3735.3217899946903, "-3735.3217899946903"},
	} {
		if got := FormatScore(c.f); got != c.want {
			t.Errorf("FormatScore(%v) = %q, want %q (C's %%.17g)", c.f, got, c.want)
		}
		if back, err := ParseScore(c.want); err != nil || back != c.f || math.Signbit(back) != math.Signbit(c.f) {
			t.Errorf("ParseScore(%q) = %v, %v", c.want, back, err)
		}
	}
	for _, s := range []string{"nan", "NaN", "", "1e400", "x"} {
		if _, err := ParseScore(s); err == nil {
			t.Errorf("ParseScore(%q) succeeded", s)
		}
	}
}

func TestIDs(t *testing.T) {
	id, err := ParseID("18446744073709551615-7")
	if err != nil || id != (rdb.StreamID{Ms: math.MaxUint64, Seq: 7}) || FormatID(id) != "18446744073709551615-7" {
		t.Errorf("ParseID = %v, %v", id, err)
	}
	for _, s := range []string{"", "1", "1-", "-1", "a-1", "1-2-3", "18446744073709551616-0"} {
		if _, err := ParseID(s); err == nil {
			t.Errorf("ParseID(%q) succeeded", s)
		}
	}
}

func readString(t *testing.T, s string) *Dataset {
	t.Helper()
	d, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Read(%s): %v", s, err)
	}
	return d
}

// Equal compares sets and hashes as sets, scores as numbers, and ignores
// encodings, versions and empty databases.
func TestEqualIgnores(t *testing.T) {
	a := readString(t, `{"redis_version":"7.0.15","dbs":{"0":[
		{"key":"cw==","type":"set","encoding":"intset","expire_at_ms":0,"value":["MQ==","Mg=="]},
		{"key":"aA==","type":"hash","expire_at_ms":0,"value":[["YQ==","MQ=="],["Yg==","Mg=="]]},
		{"key":"eg==","type":"zset","expire_at_ms":0,"value":[["YQ==","1"],["Yg==","inf"]]}]}}`)
	b := readString(t, `{"redis_version":"6.2.0","dbs":{"3":[],"0":[
		{"key":"eg==","type":"zset","encoding":"skiplist","expire_at_ms":0,"value":[["Yg==","+inf"],["YQ==",1.0]]},
		{"key":"aA==","type":"hash","expire_at_ms":0,"value":[["Yg==","Mg=="],["YQ==","MQ=="]]},
		{"key":"cw==","type":"set","expire_at_ms":0,"value":["Mg==","MQ=="]}]}}`)
	if !Equal(a, b) {
		t.Errorf("not Equal:\n%s", Diff(a, b))
	}
	// Unsorted data sets built by hand compare the same way.
	c := &Dataset{DBs: map[int][]rdb.Entry{0: {
		{Key: []byte("s"), Value: rdb.Set{[]byte("2"), []byte("1")}},
		{Key: []byte("h"), Value: rdb.Hash{{Field: []byte("b"), Value: []byte("2")}, {Field: []byte("a"), Value: []byte("1")}}},
		{Key: []byte("z"), Value: rdb.ZSet{{Member: []byte("b"), Score: math.Inf(1)}, {Member: []byte("a"), Score: 1}}},
	}}}
	if !Equal(a, c) || !Equal(c, a) {
		t.Errorf("not Equal to unsorted:\n%s", Diff(a, c))
	}
}

// Diff finds differences planted in a fixture and names them.
func TestDiffPlanted(t *testing.T) {
	// A small data set: one key of each type of the fixture, and its
	// stream with groups.
	full, err := Read(bytes.NewReader(gunzip(t, "testdata/fixtures/redis-7.0.15_rdb-default/expected.json.gz")))
	if err != nil {
		t.Fatal(err)
	}
	var small Builder
	seen := map[rdb.Type]int{}
	for _, e := range full.DBs[0] {
		if seen[e.Value.Type()]++; seen[e.Value.Type()] <= 2 || string(e.Key) == "stream:s1" {
			small.Add(&e)
		}
	}
	sd, err := small.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	data, err := sd.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	base, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	find := func(d *Dataset, typ rdb.Type) *rdb.Entry {
		for _, db := range d.Indexes() {
			for i := range d.DBs[db] {
				e := &d.DBs[db][i]
				if e.Value.Type() != typ {
					continue
				}
				if s, ok := e.Value.(*rdb.Stream); ok && (len(s.Groups) == 0 || len(s.Groups[0].Consumers) == 0) {
					continue
				}
				return e
			}
		}
		t.Fatalf("no %v in the fixture", typ)
		return nil
	}
	for _, c := range []struct {
		name  string
		plant func(d *Dataset)
		want  string // a regexp the diff must match
	}{
		{"missing key", func(d *Dataset) { d.DBs[0] = d.DBs[0][1:] }, `^db 0: key ".*": only in a \(`},
		{"extra db", func(d *Dataset) { d.DBs[7] = []rdb.Entry{{DB: 7, Key: []byte("k"), Value: rdb.String("v")}} }, `^db 7: only in b \(1 keys\)`},
		{"expiry", func(d *Dataset) { find(d, rdb.TypeString).ExpireAt = 42 }, `expire_at_ms 0 in a, 42 in b`},
		{"type", func(d *Dataset) { find(d, rdb.TypeList).Value = rdb.String("x") }, `type list in a, string in b`},
		{"string", func(d *Dataset) { find(d, rdb.TypeString).Value = rdb.String("changed") }, `string: value .* in a, "changed" in b`},
		{"list element", func(d *Dataset) {
			l := find(d, rdb.TypeList).Value.(rdb.List)
			l[1] = []byte("changed")
		}, `list: element 1: .* in a, "changed" in b`},
		{"list length", func(d *Dataset) {
			e := find(d, rdb.TypeList)
			e.Value = append(e.Value.(rdb.List), []byte("more"))
		}, `list: \d+ elements in a, \d+ in b`},
		{"set member", func(d *Dataset) {
			e := find(d, rdb.TypeSet)
			e.Value = append(e.Value.(rdb.Set), []byte("planted"))
		}, `set: member "planted" only in b`},
		{"zset score", func(d *Dataset) {
			z := find(d, rdb.TypeZSet).Value.(rdb.ZSet)
			z[0].Score = 12.5
		}, `zset: member .*: score .* in a, 12.5 in b`},
		{"hash value", func(d *Dataset) {
			h := find(d, rdb.TypeHash).Value.(rdb.Hash)
			h[0].Value = []byte("planted")
		}, `hash: field .*: value .* in a, "planted" in b`},
		{"hash field", func(d *Dataset) {
			e := find(d, rdb.TypeHash)
			e.Value = e.Value.(rdb.Hash)[1:]
		}, `hash: field .* only in a`},
		{"stream last id", func(d *Dataset) {
			find(d, rdb.TypeStream).Value.(*rdb.Stream).LastID.Seq++
		}, `stream: last_id \d+-\d+ in a, \d+-\d+ in b`},
		{"stream entry", func(d *Dataset) {
			find(d, rdb.TypeStream).Value.(*rdb.Stream).Entries[0].Fields[1] = []byte("planted")
		}, `stream: entry \d+-\d+: fields .* in a, .*"planted".* in b`},
		{"stream group", func(d *Dataset) {
			g := &find(d, rdb.TypeStream).Value.(*rdb.Stream).Groups[0]
			g.EntriesRead++
			g.Pending[0].DeliveryCount++
			g.Consumers[0].Pending = g.Consumers[0].Pending[1:]
		}, `(?s)stream: group "g1": entries_read.*stream: group "g1": pending entry .*stream: group "g1": consumer "alice": pending`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Read(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			c.plant(b)
			if Equal(base, b) {
				t.Fatal("Equal after planting a difference")
			}
			diff := Diff(base, b)
			if !regexp.MustCompile(`(?m)` + c.want).MatchString(diff) {
				t.Errorf("Diff =\n%s\nwant a match for %s", diff, c.want)
			}
			if Equal(b, base) {
				t.Error("Equal(b, a) after planting a difference")
			}
		})
	}
}

func TestDiffLimit(t *testing.T) {
	a, b := &Dataset{DBs: map[int][]rdb.Entry{}}, &Dataset{DBs: map[int][]rdb.Entry{}}
	for i := range 200 {
		a.DBs[0] = append(a.DBs[0], rdb.Entry{Key: []byte{byte(i)}, Value: rdb.String("a")})
		b.DBs[0] = append(b.DBs[0], rdb.Entry{Key: []byte{byte(i)}, Value: rdb.String("b")})
	}
	lines := strings.Split(strings.TrimSuffix(Diff(a, b), "\n"), "\n")
	if len(lines) != maxDiffs+1 || lines[maxDiffs] != "... and 150 more differences" {
		t.Errorf("Diff has %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestReadErrors(t *testing.T) {
	entry := func(s string) string { return `{"redis_version":"x","dbs":{"0":[` + s + `]}}` }
	for _, c := range []struct{ name, json string }{
		{"not json", `{`},
		{"trailing data", `{"dbs":{}} {}`},
		{"unknown member", `{"dbs":{},"extra":1}`},
		{"bad db", `{"dbs":{"x":[]}}`},
		{"negative db", `{"dbs":{"-1":[]}}`},
		{"non-canonical db", `{"dbs":{"01":[]}}`},
		{"no key", entry(`{"type":"string","expire_at_ms":0,"value":"YQ=="}`)},
		{"bad base64", entry(`{"key":"!!","type":"string","expire_at_ms":0,"value":"YQ=="}`)},
		{"unknown type", entry(`{"key":"YQ==","type":"rope","expire_at_ms":0,"value":"YQ=="}`)},
		{"no value", entry(`{"key":"YQ==","type":"string","expire_at_ms":0}`)},
		{"negative expiry", entry(`{"key":"YQ==","type":"string","expire_at_ms":-5,"value":"YQ=="}`)},
		{"unknown entry member", entry(`{"key":"YQ==","type":"string","expire_at_ms":0,"value":"YQ==","ttl":1}`)},
		{"list of numbers", entry(`{"key":"YQ==","type":"list","expire_at_ms":0,"value":[1]}`)},
		{"duplicate key", entry(`{"key":"YQ==","type":"string","expire_at_ms":0,"value":"YQ=="},{"key":"YQ==","type":"string","expire_at_ms":0,"value":"Yg=="}`)},
		{"duplicate member", entry(`{"key":"YQ==","type":"set","expire_at_ms":0,"value":["YQ==","YQ=="]}`)},
		{"duplicate field", entry(`{"key":"YQ==","type":"hash","expire_at_ms":0,"value":[["YQ==","YQ=="],["YQ==","Yg=="]]}`)},
		{"duplicate zset member", entry(`{"key":"YQ==","type":"zset","expire_at_ms":0,"value":[["YQ==","1"],["YQ==","2"]]}`)},
		{"nan score", entry(`{"key":"YQ==","type":"zset","expire_at_ms":0,"value":[["YQ==","nan"]]}`)},
		{"short zset pair", entry(`{"key":"YQ==","type":"zset","expire_at_ms":0,"value":[["YQ=="]]}`)},
		{"long hash pair", entry(`{"key":"YQ==","type":"hash","expire_at_ms":0,"value":[["YQ==","YQ==",1,2]]}`)},
		{"stream length", entry(`{"key":"YQ==","type":"stream","expire_at_ms":0,"value":{"entries":[{"fields":["YQ==","YQ=="],"id":"1-0"}],"entries_added":1,"first_id":"1-0","groups":[],"last_id":"1-0","length":0,"max_deleted_id":"0-0"}}`)},
		{"stream id", entry(`{"key":"YQ==","type":"stream","expire_at_ms":0,"value":{"entries":[],"entries_added":0,"first_id":"0-0","groups":[],"last_id":"zero","length":0,"max_deleted_id":"0-0"}}`)},
		{"stream odd fields", entry(`{"key":"YQ==","type":"stream","expire_at_ms":0,"value":{"entries":[{"fields":["YQ=="],"id":"1-0"}],"entries_added":1,"first_id":"1-0","groups":[],"last_id":"1-0","length":1,"max_deleted_id":"0-0"}}`)},
		{"stream order", entry(`{"key":"YQ==","type":"stream","expire_at_ms":0,"value":{"entries":[{"fields":["YQ==","YQ=="],"id":"2-0"},{"fields":["YQ==","YQ=="],"id":"1-0"}],"entries_added":2,"first_id":"1-0","groups":[],"last_id":"2-0","length":2,"max_deleted_id":"0-0"}}`)},
		{"module id", entry(`{"key":"YQ==","type":"module","expire_at_ms":0,"value":{"data":"","id":"x"}}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d, err := Read(strings.NewReader(c.json)); err == nil {
				t.Errorf("Read succeeded: %+v", d)
			}
		})
	}
	_, err := Read(strings.NewReader(entry(`{"key":"YQ==","type":"string","expire_at_ms":0,"value":"YQ=="},{"key":"YQ==","type":"string","expire_at_ms":0,"value":"YQ=="}`)))
	if !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("duplicate key: %v, want ErrDuplicateKey", err)
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	b.RedisVersion = "7.0.15"
	for _, e := range []rdb.Entry{
		{DB: 1, Key: []byte("b"), Value: rdb.String("1")},
		{DB: 1, Key: []byte("a"), ExpireAt: 1, Expired: true, Value: rdb.String("gone")},
		{DB: 1, Key: []byte("empty"), Value: rdb.List{}},
		{DB: 2, Key: []byte("emptyset"), Value: rdb.Set(nil)},
		{DB: 1, Key: []byte("s"), Value: &rdb.Stream{}}, // an empty stream is kept
		{DB: 1, Key: []byte("a2"), ExpireAt: 4102444800000, Value: rdb.Set{[]byte("y"), []byte("x")}},
	} {
		if err := b.Add(&e); err != nil {
			t.Fatal(err)
		}
	}
	if exp, empty := b.Skipped(); exp != 1 || empty != 2 {
		t.Errorf("Skipped = %d, %d", exp, empty)
	}
	d, err := b.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	want := readString(t, `{"redis_version":"7.0.15","dbs":{"1":[
		{"key":"Yg==","type":"string","expire_at_ms":0,"value":"MQ=="},
		{"key":"YTI=","type":"set","expire_at_ms":4102444800000,"value":["eA==","eQ=="]},
		{"key":"cw==","type":"stream","expire_at_ms":0,"value":{"entries":[],"entries_added":0,"first_id":"0-0","groups":[],"last_id":"0-0","length":0,"max_deleted_id":"0-0"}}]}}`)
	if diff := Diff(want, d); diff != "" {
		t.Errorf("built data set differs:\n%s", diff)
	}
	if got := string(d.DBs[1][0].Key); got != "a2" || d.RedisVersion != "7.0.15" {
		t.Errorf("first key %q, version %q", got, d.RedisVersion)
	}

	kb := Builder{KeepExpired: true}
	kb.Add(&rdb.Entry{Key: []byte("a"), Expired: true, Value: rdb.String("kept")})
	kb.Add(&rdb.Entry{Key: []byte("a"), Value: rdb.String("again")})
	if _, err := kb.Dataset(); !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("duplicate key: %v", err)
	}
	for _, e := range []rdb.Entry{{DB: -1, Key: []byte("k"), Value: rdb.String("")}, {Value: rdb.String("")}, {Key: []byte("k")}} {
		if err := kb.Add(&e); err == nil {
			t.Errorf("Add(%+v) succeeded", e)
		}
	}
	var empty Builder
	if d, err := empty.Dataset(); err != nil || d.Len() != 0 || d.DBs == nil {
		t.Errorf("empty Builder: %v, %v", d, err)
	}
}

// Random data sets survive Write and Read.
func TestRandomRoundTrip(t *testing.T) {
	r := testenv.Rand(t)
	bs := func() []byte {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for range 50 {
		d := &Dataset{DBs: map[int][]rdb.Entry{}}
		for db := range r.IntN(4) {
			seen := map[string]bool{}
			for range r.IntN(20) {
				k := bs()
				if seen[string(k)] {
					continue
				}
				seen[string(k)] = true
				e := rdb.Entry{Key: k}
				if r.IntN(3) == 0 {
					e.ExpireAt = r.Int64N(1 << 45)
				}
				mseen := map[string]bool{}
				uniq := func() []byte {
					for {
						if b := bs(); !mseen[string(b)] {
							mseen[string(b)] = true
							return b
						}
					}
				}
				n := 1 + r.IntN(5)
				switch r.IntN(5) {
				case 0:
					e.Value = rdb.String(bs())
				case 1:
					var l rdb.List
					for range n {
						l = append(l, bs())
					}
					e.Value = l
				case 2:
					var s rdb.Set
					for range n {
						s = append(s, uniq())
					}
					e.Value = s
				case 3:
					var z rdb.ZSet
					for range n {
						z = append(z, rdb.ZMember{Member: uniq(), Score: []float64{r.NormFloat64() * 1e6, math.Inf(1), math.Inf(-1), float64(r.Int64()), r.Float64()}[r.IntN(5)]})
					}
					e.Value = z
				case 4:
					var h rdb.Hash
					for range n {
						h = append(h, rdb.HashField{Field: uniq(), Value: bs()})
					}
					e.Value = h
				}
				d.DBs[db*5] = append(d.DBs[db*5], e)
			}
		}
		var buf bytes.Buffer
		if err := d.Write(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.Bytes())
		}
		if diff := Diff(d, back); diff != "" {
			t.Fatalf("round trip differs:\n%s", diff)
		}
		var again bytes.Buffer
		if err := back.Write(&again); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatalf("second write differs (%v)", err)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	for _, v := range []rdb.Value{nil, rdb.ZSet{{Member: []byte("m"), Score: math.NaN()}}} {
		d := &Dataset{DBs: map[int][]rdb.Entry{0: {{Key: []byte("k"), Value: v}}}}
		if err := d.Write(io.Discard); err == nil {
			t.Errorf("Write of %#v succeeded", v)
		}
	}
}

// The fixtures' streams are XINFO STREAM FULL views (at most 10 entries and
// pending entries); a full stream compares equal to its view.
func TestStreamView(t *testing.T) {
	data := gunzip(t, "testdata/fixtures/redis-7.0.15_rdb-default/expected.json.gz")
	view, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	e := view.Lookup(0, []byte("stream:s1"))
	if e == nil {
		t.Fatal("no stream:s1")
	}
	vs := e.Value.(*rdb.Stream)
	if n, ok := ViewLimit(vs); !ok || n != 10 {
		t.Fatalf("ViewLimit = %d, %v; want 10, true", n, ok)
	}
	// Make the full stream the view stands for: 50 entries, a 15-entry PEL.
	full := func() *Dataset {
		d, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		s := d.Lookup(0, []byte("stream:s1")).Value.(*rdb.Stream)
		for id := s.Entries[len(s.Entries)-1].ID; uint64(len(s.Entries)) < s.Length; {
			id.Seq++
			s.Entries = append(s.Entries, rdb.StreamEntry{ID: id, Fields: [][]byte{[]byte("f"), []byte("v")}})
		}
		g := &s.Groups[0]
		for _, c := range g.Consumers {
			for _, id := range c.Pending {
				if !slices.ContainsFunc(g.Pending, func(p rdb.StreamPending) bool { return p.ID == id }) {
					g.Pending = append(g.Pending, rdb.StreamPending{ID: id, Consumer: c.Name, DeliveryTimeMs: 1, DeliveryCount: 1})
				}
			}
		}
		if _, ok := ViewLimit(s); ok {
			t.Fatal("the full stream is still a view")
		}
		return d
	}
	if diff := Diff(view, full()); diff != "" {
		t.Errorf("full stream differs from its view:\n%s", diff)
	}
	f := full()
	s := f.Lookup(0, []byte("stream:s1")).Value.(*rdb.Stream)
	s.Entries[3].Fields[0] = []byte("planted")
	if Equal(f, view) || !strings.Contains(Diff(f, view), "planted") {
		t.Errorf("a difference inside the view is not seen:\n%s", Diff(f, view))
	}
	f = full()
	f.Lookup(0, []byte("stream:s1")).Value.(*rdb.Stream).Length++
	if Equal(f, view) {
		t.Error("a different length is not seen")
	}
}
