package aof

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/internal/workload"
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

// genCommands returns the RESP commands of workload.Mixed for n keys.
func genCommands(n int, seed uint64) []byte {
	var out []byte
	workload.Mixed(n, seed, func(args ...string) { out = resp.AppendCommandString(out, args...) })
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
