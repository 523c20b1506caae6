package manifest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		m    *Manifest
		want string
	}{
		{"empty", &Manifest{}, ""},
		{"redis", &Manifest{Base: base("appendonly.aof.2.base.rdb", 2), Incr: []File{incr("appendonly.aof.2.incr.aof", 2)}},
			"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"},
		{"order", &Manifest{Incr: []File{incr("i1", 1), incr("i3", 3)}, History: []File{hist("h9", 9), hist("h1", 1)}, Base: base("b", 4)},
			"file b seq 4 type b\nfile h9 seq 9 type h\nfile h1 seq 1 type h\nfile i1 seq 1 type i\nfile i3 seq 3 type i\n"},
		{"spec quoting example", &Manifest{Base: base(" file seq \n\n.aof .2.base.rdb", 2)},
			`file " file seq \n\n.aof .2.base.rdb" seq 2 type b` + "\n"},
		{"escapes", &Manifest{Base: base("q\"\r\t\a\b\x00\x7f\xff\v\f~ '", 1)},
			`file "q\"\r\t\a\b\x00\x7f\xff\x0b\x0c~ '" seq 1 type b` + "\n"},
		{"single quote", &Manifest{Base: base("it's", 1)}, `file "it's" seq 1 type b` + "\n"},
		{"negative seq", &Manifest{Base: base("a", -3)}, "file a seq -3 type b\n"},
		{"extra", &Manifest{Base: &File{Name: "a", Seq: 1, Type: Base, Extra: [][2]string{{"size", "10"}, {"k y", ""}, {"x", "a\\b"}}}},
			`file a seq 1 type b size 10 "k y" "" x "a\\b"` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.m.Format())
			if got != tt.want {
				t.Errorf("Format:\n got %q\nwant %q", got, tt.want)
			}
			if tt.want == "" {
				return
			}
			back, err := Parse(strings.NewReader(got))
			if err != nil {
				if !errors.Is(err, ErrInvalid) || tt.m.Validate() == nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(tt.m, back, equateEmpty); diff != "" {
				t.Errorf("Parse(Format) (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 1024)
	bad := []*Manifest{
		{Base: &File{Name: "a", Seq: 1, Type: Incr}},
		{History: []File{incr("a", 1)}},
		{Incr: []File{hist("a", 1)}},
		{Base: base("a/b", 1)},
		{Base: base(`a\b`, 1)},
		{Base: base("", 1)},
		{Base: base(".", 1)},
		{Base: base("..", 1)},
		{Base: base("a\x00", 1)},
		{Base: base("a", 0)},
		{Incr: []File{incr("a", 2), incr("b", 2)}},
		{Incr: []File{incr("a", -1)}},
		{Base: base(long, 1)},
		{Base: base(strings.Repeat("\x01", 300), 1)}, // fits raw, not quoted
		{Base: &File{Name: "a", Seq: 1, Type: Base, Extra: [][2]string{{"SEQ", "2"}}}},
		{Base: &File{Name: "a", Seq: 1, Type: Base, Extra: [][2]string{{"Type", "i"}}}},
		{Base: &File{Name: "a", Seq: 1, Type: Base, Extra: [][2]string{{"file", "b"}}}},
	}
	for _, m := range bad {
		if err := m.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalid", m, err)
		}
	}
	good := []*Manifest{
		{},
		{Base: base(strings.Repeat("a", 1023-len("file  seq 1 type b")), 1)},
		{History: []File{hist("a", 3), hist("a", 3), hist("b", -1)}},
		{Incr: []File{incr("a", 1), incr("b", 7)}},
	}
	for _, m := range good {
		if err := m.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", m, err)
		}
	}
}

func TestNames(t *testing.T) {
	m := &Manifest{}
	if m.NextBaseSeq() != 1 || m.NextIncrSeq() != 1 {
		t.Errorf("empty: next %d %d", m.NextBaseSeq(), m.NextIncrSeq())
	}
	// aof-multi-part.tcl: base 5 with history incr files, numbering restarts.
	m = &Manifest{Base: base("x.5.base.rdb", 5), History: []File{hist("x.9.incr.aof", 9)}, Incr: []File{incr("x.1.incr.aof", 1), incr("x.4.incr.aof", 4)}}
	if m.NextBaseSeq() != 6 || m.NextIncrSeq() != 5 {
		t.Errorf("next %d %d, want 6 5", m.NextBaseSeq(), m.NextIncrSeq())
	}
	for got, want := range map[string]string{
		BaseName("appendonly.aof", 2, true):  "appendonly.aof.2.base.rdb",
		BaseName("appendonly.aof", 2, false): "appendonly.aof.2.base.aof",
		IncrName("appendonly.aof", 13):       "appendonly.aof.13.incr.aof",
		ManifestName("appendonly.aof"):       "appendonly.aof.manifest",
		TempManifestName("appendonly.aof"):   "temp-appendonly.aof.manifest",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestFixtures parses the manifests redis-server wrote and checks that
// Format gives back the same bytes.
func TestFixtures(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.manifest")
	if len(paths) == 0 {
		t.Fatal("no manifests in testdata")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if m.Base == nil || len(m.Incr) != 1 {
			t.Errorf("%s: %+v, want a base and an incr", p, m)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if got := m.Format(); !bytes.Equal(got, data) {
			t.Errorf("%s: Format:\n%s\nwant\n%s", p, got, data)
		}
	}
}

// randString returns a string of random bytes, biased towards the ones
// that quoting treats specially.
func randString(r *rand.Rand, maxLen int) string {
	const special = " \t\r\n\v\f\a\b\"'\\#\x00\x7f\xff.x"
	b := make([]byte, r.IntN(maxLen+1))
	for i := range b {
		switch r.IntN(3) {
		case 0:
			b[i] = special[r.IntN(len(special))]
		case 1:
			b[i] = byte(r.IntN(256))
		default:
			b[i] = byte('a' + r.IntN(26))
		}
	}
	return string(b)
}

func randName(r *rand.Rand) string {
	for {
		s := randString(r, 30)
		s = strings.NewReplacer("/", "", "\\", "", "\x00", "").Replace(s)
		if checkName(s) == "" {
			return s
		}
	}
}

func randFile(r *rand.Rand, t FileType, seq int64) File {
	f := File{Name: randName(r), Seq: seq, Type: t}
	for range r.IntN(3) {
		k := randString(r, 8)
		switch strings.ToLower(k) {
		case keyFile, keySeq, keyType:
			k += "x"
		}
		f.Extra = append(f.Extra, [2]string{k, randString(r, 8)})
	}
	return f
}

func randSeq(r *rand.Rand) int64 {
	switch r.IntN(4) {
	case 0:
		return int64(r.Uint64()) | 1
	case 1:
		return -1 - r.Int64N(100)
	}
	return 1 + r.Int64N(1000)
}

func randManifest(r *rand.Rand) *Manifest {
	m := &Manifest{}
	if r.IntN(4) != 0 {
		f := randFile(r, Base, randSeq(r))
		m.Base = &f
	}
	for range r.IntN(4) {
		m.History = append(m.History, randFile(r, History, randSeq(r)))
	}
	seq := int64(0)
	for range r.IntN(5) {
		seq += 1 + r.Int64N(5)
		m.Incr = append(m.Incr, randFile(r, Incr, seq))
	}
	return m
}

// TestRoundTrip checks that random valid manifests survive Format and
// Parse.
func TestRoundTrip(t *testing.T) {
	r := testenv.Rand(t)
	for i := range 1000 {
		m := randManifest(r)
		if err := m.Validate(); err != nil {
			t.Fatalf("%d: Validate(%+v) = %v", i, m, err)
		}
		data := m.Format()
		back, err := Parse(bytes.NewReader(data))
		if len(data) == 0 {
			if err == nil {
				t.Fatalf("%d: Parse(\"\") = nil error", i)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d: Parse(%q) = %v", i, data, err)
		}
		if diff := cmp.Diff(m, back, equateEmpty); diff != "" {
			t.Fatalf("%d: Parse(%q) (-want +got):\n%s", i, data, diff)
		}
	}
}
