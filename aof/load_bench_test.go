package aof

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

// benchKeys is the size of the generated data set of BenchmarkLoadFile
// and BenchmarkCheckFile: about 27 MB of raw commands.
const benchKeys = 100000

// benchAOF is the generated data set in two shapes, as files of fs.
type benchAOF struct {
	fs           *vfs.MemFS
	raw, rewrite string // names
	keys         uint64
}

var (
	benchOnce sync.Once
	benchData benchAOF
	benchErr  error
)

// loadBenchAOF writes, once per process, the two AOF files of the
// benchmarks, in memory: raw, the commands an application sends to
// build benchKeys keys of a cache/store mix (the shape of an incr file,
// as bench/aofload -mode gen); and rewrite, the same data as Redis's
// rewriter writes it (the shape of a base).
func loadBenchAOF(b *testing.B) benchAOF {
	benchOnce.Do(func() {
		d := benchAOF{fs: vfs.NewMem(), raw: "raw.aof", rewrite: "rewrite.aof"}
		if benchErr = writeBenchFile(d.fs, d.raw, genCommands(benchKeys, 1)); benchErr != nil {
			return
		}
		ks := keyspace.NewMemory(nil)
		if _, benchErr = LoadFile(d.fs, d.raw, &KeyspaceTarget{KS: ks}, nil); benchErr != nil {
			return
		}
		var snap keyspace.Snapshot
		if snap, benchErr = ks.Snapshot(); benchErr != nil {
			return
		}
		defer snap.Close()
		for _, s := range snap.Sizes() {
			d.keys += s.Keys
		}
		var buf bytes.Buffer
		rw := NewRewriter(&buf, nil)
		if benchErr = rw.WriteSnapshot(snap); benchErr != nil {
			return
		}
		if benchErr = rw.Close(); benchErr != nil {
			return
		}
		benchErr = writeBenchFile(d.fs, d.rewrite, buf.Bytes())
		benchData = d
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
}

func writeBenchFile(fsys vfs.FS, name string, data []byte) error {
	f, err := fsys.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// genCommands returns the RESP commands that build n keys: 60% strings
// (a quarter with EX), 5% counters (INCRBY a few times), and hashes,
// lists, sets and sorted sets of 2 to 24 elements added a few per
// command, a fifth with an EXPIRE.
func genCommands(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	var out []byte
	var args [][]byte
	arg := func(s string) { args = append(args, []byte(s)) }
	flush := func() {
		out = resp.AppendCommand(out, args...)
		args = args[:0]
	}
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:"
	str := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	ttl := func() string { return strconv.Itoa(30*86400 + rng.IntN(30*86400)) }
	for i := range n {
		id := strconv.Itoa(i)
		p := rng.IntN(100)
		switch {
		case p < 60:
			if rng.IntN(4) == 0 {
				arg("SET")
				arg("session:" + id)
				arg(str(16, 160))
				arg("EX")
				arg(ttl())
			} else {
				arg("SET")
				arg("user:" + id + ":name")
				arg(str(8, 120))
			}
			flush()
			continue
		case p < 65:
			for range 1 + rng.IntN(5) {
				arg("INCRBY")
				arg("counter:" + id)
				arg(strconv.Itoa(1 + rng.IntN(1000)))
				flush()
			}
			continue
		}
		var key, verb string
		switch {
		case p < 75:
			key, verb = "profile:"+id, "HSET"
		case p < 83:
			key, verb = "queue:"+id, "RPUSH"
		case p < 91:
			key, verb = "tags:"+id, "SADD"
		default:
			key, verb = "rank:"+id, "ZADD"
		}
		ints := verb == "SADD" && rng.IntN(2) == 0
		elems := 2 + rng.IntN(23)
		for j := 0; j < elems; {
			arg(verb)
			arg(key)
			for m := min(1+rng.IntN(8), elems-j); m > 0; m-- {
				switch verb {
				case "HSET":
					arg("field" + strconv.Itoa(j))
					arg(str(4, 32))
				case "RPUSH":
					arg(str(8, 48))
				case "SADD":
					if ints {
						arg(strconv.Itoa(rng.IntN(1000000)))
					} else {
						arg("member:" + strconv.Itoa(j) + ":" + str(4, 16))
					}
				case "ZADD":
					if rng.IntN(2) == 0 {
						arg(strconv.Itoa(rng.IntN(100000)))
					} else {
						arg(strconv.FormatFloat(rng.Float64()*1000, 'f', 2, 64))
					}
					arg("player:" + strconv.Itoa(j) + ":" + str(4, 12))
				}
				j++
			}
			flush()
		}
		if rng.IntN(5) == 0 {
			arg("EXPIRE")
			arg(key)
			arg(ttl())
			flush()
		}
	}
	return out
}

func benchShapes(b *testing.B, f func(b *testing.B, fsys vfs.FS, name string, keys uint64)) {
	d := loadBenchAOF(b)
	for _, name := range []string{d.raw, d.rewrite} {
		b.Run(strings.TrimSuffix(name, ".aof"), func(b *testing.B) {
			fi, err := d.fs.Stat(name)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			f(b, d.fs, name, d.keys)
		})
	}
}

// BenchmarkLoadFile: LoadFile replaying a generated AOF of benchKeys keys
// into a new keyspace.NewMemory, in the shape of raw commands (an incr
// file) and of a rewrite (a base). MB/s is of the file's bytes.
func BenchmarkLoadFile(b *testing.B) {
	benchShapes(b, func(b *testing.B, fsys vfs.FS, name string, keys uint64) {
		for b.Loop() {
			ks := keyspace.NewMemory(nil)
			if _, err := LoadFile(fsys, name, &KeyspaceTarget{KS: ks}, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(keys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
	})
}

// BenchmarkCheckFile: CheckFile on the files of BenchmarkLoadFile.
func BenchmarkCheckFile(b *testing.B) {
	benchShapes(b, func(b *testing.B, fsys vfs.FS, name string, _ uint64) {
		for b.Loop() {
			c, err := CheckFile(fsys, name)
			if err != nil {
				b.Fatal(err)
			}
			if !c.Valid() {
				b.Fatalf("%s: %s at %d", name, c.Problem, c.At)
			}
		}
	})
}
