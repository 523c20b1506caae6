package lzf

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// The benchmark corpora. They are generated, deterministically, so that the
// Go benchmarks and bench/lzf.sh (which has TestWriteCorpora write them to
// files for the C benchmark) measure exactly the same bytes, and so that
// the ratio test can compare with liblzf on realistic data without keeping
// megabytes in testdata.
//
// Each corpus is compressed in independent blocks of block bytes, the way
// Redis compresses each string value on its own.
type corpus struct {
	name  string
	block int
	data  []byte
}

const corpusSize = 1 << 20

var corporaOnce = sync.OnceValue(func() []corpus {
	json := genJSON(corpusSize, 3)
	return []corpus{
		{"text", 64 << 10, genText(corpusSize, 1)},
		{"rdbmix", 64 << 10, genRDBMix(corpusSize, 2)},
		{"json256", 256, json},
		{"random", 64 << 10, genRandom(corpusSize, 4)},
		{"repetitive", 64 << 10, genRepetitive(corpusSize, 5)},
	}
})

// corpora returns the benchmark corpora. Callers must not modify them.
func corpora() []corpus { return corporaOnce() }

// blocks splits c.data into its blocks.
func (c corpus) blocks() [][]byte {
	var bs [][]byte
	for p := c.data; len(p) > 0; {
		n := min(len(p), c.block)
		bs = append(bs, p[:n:n])
		p = p[n:]
	}
	return bs
}

// words is a vocabulary of pseudo-English words, most frequent first.
func words(r *rand.Rand, n int) []string {
	common := []string{"the", "of", "and", "to", "a", "in", "is", "that", "for", "it",
		"as", "was", "with", "be", "by", "on", "not", "he", "this", "are", "or", "his",
		"from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their",
		"one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when",
		"will", "would", "who", "so", "no", "data", "server", "file", "write", "read"}
	onsets := []string{"b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w",
		"br", "ch", "cl", "cr", "dr", "fl", "gr", "pl", "pr", "sh", "sl", "st", "str", "th", "tr"}
	vowels := []string{"a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "oo"}
	codas := []string{"", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "rt", "ll", "m"}
	suffixes := []string{"", "", "", "s", "ed", "ing", "ly", "tion", "er", "ment", "ness", "able"}
	seen := map[string]bool{}
	out := append([]string(nil), common...)
	for _, w := range common {
		seen[w] = true
	}
	for len(out) < n {
		var b []byte
		for range 1 + r.IntN(3) {
			b = append(b, onsets[r.IntN(len(onsets))]...)
			b = append(b, vowels[r.IntN(len(vowels))]...)
			b = append(b, codas[r.IntN(len(codas))]...)
		}
		b = append(b, suffixes[r.IntN(len(suffixes))]...)
		if w := string(b); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// zipf picks indexes in [0, n) with probability about proportional to 1/(i+1).
type zipf struct{ z *rand.Zipf }

func newZipf(r *rand.Rand, n int) zipf { return zipf{rand.NewZipf(r, 1.1, 2, uint64(n-1))} }
func (z zipf) next() int               { return int(z.z.Uint64()) }

// genText is prose: Zipf-distributed words in sentences and paragraphs.
func genText(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x74657874))
	vocab := words(r, 8000)
	z := newZipf(r, len(vocab))
	var b bytes.Buffer
	for b.Len() < size {
		for range 3 + r.IntN(6) { // sentences per paragraph
			for i := range 6 + r.IntN(18) {
				w := vocab[z.next()]
				switch {
				case i == 0:
					b.WriteString(string(w[0]-'a'+'A') + w[1:])
				case r.IntN(12) == 0:
					b.WriteString(", " + w)
				default:
					b.WriteString(" " + w)
				}
			}
			b.WriteString(". ")
		}
		b.WriteString("\n\n")
	}
	return b.Bytes()[:size]
}

// genJSON is JSON lines: records with the same keys, ids, timestamps, short
// strings, numbers and random tokens, like values an application stores in
// Redis.
func genJSON(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6a736f6e))
	vocab := words(r, 3000)
	z := newZipf(r, len(vocab))
	cities := []string{"Berlin", "Paris", "Palermo", "Catania", "Lisbon", "Oslo", "Austin", "Osaka"}
	var b bytes.Buffer
	ts := int64(1700000000000)
	for id := 100000; b.Len() < size; id++ {
		ts += int64(r.IntN(5000))
		fmt.Fprintf(&b, `{"id":%d,"user":"user:%d","name":"%s %s","email":"%s.%d@example.com",`,
			id, r.IntN(50000), vocab[z.next()], vocab[z.next()], vocab[z.next()], r.IntN(1000))
		fmt.Fprintf(&b, `"created_at":%d,"city":"%s","score":%.2f,"active":%t,"token":"%016x%08x",`,
			ts, cities[r.IntN(len(cities))], r.Float64()*1000, r.IntN(3) > 0, r.Uint64(), r.Uint32())
		b.WriteString(`"tags":[`)
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(vocab[z.next()]))
		}
		fmt.Fprintf(&b, `],"visits":%d}`+"\n", r.IntN(100000))
	}
	return b.Bytes()[:size]
}

// genRDBMix looks like the body of an RDB file: key/value records with
// type bytes, RDB length prefixes, structured key names, integers in binary,
// JSON values, short strings and random binary blobs.
func genRDBMix(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x726462))
	json := genJSON(size, seed+100)
	vocab := words(r, 2000)
	z := newZipf(r, len(vocab))
	str := func(b *bytes.Buffer, s []byte) {
		if len(s) < 64 {
			b.WriteByte(byte(len(s)))
		} else {
			b.WriteByte(0x40 | byte(len(s)>>8))
			b.WriteByte(byte(len(s)))
		}
		b.Write(s)
	}
	var b bytes.Buffer
	jp := 0
	for b.Len() < size {
		switch k := r.IntN(10); {
		case k < 4: // a JSON document value
			b.WriteByte(0)
			str(&b, fmt.Appendf(nil, "doc:%s:%d", vocab[z.next()], r.IntN(100000)))
			n := 40 + r.IntN(300)
			if jp+n > len(json) {
				jp = 0
			}
			str(&b, json[jp:jp+n])
			jp += n
		case k < 6: // an integer value
			b.WriteByte(0)
			str(&b, fmt.Appendf(nil, "counter:%s:%d", vocab[z.next()], r.IntN(1000)))
			b.Write([]byte{0xc2, byte(r.Uint32()), byte(r.Uint32()), 0, 0})
		case k < 8: // a small hash of short strings
			b.WriteByte(4)
			str(&b, fmt.Appendf(nil, "user:%d", r.IntN(1000000)))
			n := 2 + r.IntN(6)
			b.WriteByte(byte(n))
			for range n {
				str(&b, []byte(vocab[z.next()]))
				str(&b, []byte(vocab[z.next()]+" "+vocab[z.next()]))
			}
		default: // a binary blob: session token, hash, random bytes
			b.WriteByte(0)
			str(&b, fmt.Appendf(nil, "session:%08x", r.Uint32()))
			blob := make([]byte, 16+r.IntN(48))
			for i := range blob {
				blob[i] = byte(r.Uint32())
			}
			str(&b, blob)
		}
		if r.IntN(4) == 0 { // an expiry
			b.WriteByte(0xfc)
			var t [8]byte
			v := uint64(1700000000000 + r.IntN(1<<30))
			for i := range t {
				t[i] = byte(v >> (8 * i))
			}
			b.Write(t[:])
		}
	}
	return b.Bytes()[:size]
}

// genRandom is incompressible.
func genRandom(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x72616e64))
	b := make([]byte, size)
	for i := 0; i < size; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < size; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// genRepetitive is highly redundant: sparse bitmaps (long runs of zeros),
// runs of one byte, and log lines that differ in a few characters.
func genRepetitive(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x726570))
	var b bytes.Buffer
	for b.Len() < size {
		switch r.IntN(3) {
		case 0: // a sparse bitmap
			bm := make([]byte, 1000+r.IntN(4000))
			for range len(bm) / 200 {
				bm[r.IntN(len(bm))] |= 1 << r.IntN(8)
			}
			b.Write(bm)
		case 1: // a run
			b.Write(bytes.Repeat([]byte{byte(r.IntN(256))}, 100+r.IntN(2000)))
		default: // near-identical log lines
			for range 20 + r.IntN(40) {
				fmt.Fprintf(&b, "2024-05-01T12:00:%02d.%03dZ INFO request served path=/api/v1/items status=200 bytes=%d\n",
					r.IntN(60), r.IntN(1000), 100+r.IntN(20))
			}
		}
	}
	return b.Bytes()[:size]
}

var corpusDir = flag.String("lzf.corpusdir", "", "TestWriteCorpora writes the benchmark corpora to this directory (for bench/lzf.sh)")

// TestWriteCorpora writes the benchmark corpora, and a list of their names and
// block sizes, into -lzf.corpusdir, for bench/lzf.sh. Without the flag it
// does nothing.
func TestWriteCorpora(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -lzf.corpusdir")
	}
	var list bytes.Buffer
	for _, c := range corpora() {
		if err := os.WriteFile(filepath.Join(*corpusDir, c.name), c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&list, "%s %d\n", c.name, c.block)
	}
	if err := os.WriteFile(filepath.Join(*corpusDir, "corpora.txt"), list.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
