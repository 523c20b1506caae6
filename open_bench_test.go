package aofrdb

import (
	"os"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/aof"
)

// benchKeys is the number of keys of BenchmarkOpen's data sets:
// AOFRDB_BENCH_KEYS, or 100000.
func benchKeys(b *testing.B) int {
	if s := os.Getenv("AOFRDB_BENCH_KEYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("AOFRDB_BENCH_KEYS=%q", s)
		}
		return n
	}
	return 100000
}

// BenchmarkOpen times Open of a data directory holding N string keys
// (key:<i> = value:<i>, as redis-server's DEBUG POPULATE makes them;
// N from AOFRDB_BENCH_KEYS, default 100000), from each thing Open loads:
//
//	rdb        dump.rdb (appendonly no)
//	aof-rdb    an AOF directory whose base is an RDB file (aof-use-rdb-preamble yes)
//	aof-resp   an AOF directory whose base is commands (aof-use-rdb-preamble no)
//	aof-incr   an AOF directory with an empty base and one SET per key in the incr file
//
// The keys/s metric is the load rate. bench/store.sh compares the same
// loads with redis-server's, on files redis-server writes.
func BenchmarkOpen(b *testing.B) {
	n := benchKeys(b)
	root := b.TempDir()
	for _, tc := range []struct {
		name string
		// rewrite: rewrite the AOF after the writes (with this preamble
		// setting), or save an RDB file when the AOF is off.
		aof, rewrite, preamble bool
	}{
		{"rdb", false, false, false},
		{"aof-rdb", true, true, true},
		{"aof-resp", true, true, false},
		{"aof-incr", true, false, false},
	} {
		dir := root + "/" + tc.name
		o := DefaultOptions()
		o.AppendOnly = tc.aof
		o.AppendFsync = aof.No
		o.AOFUseRDBPreamble = tc.preamble
		o.Save = nil
		o.AutoAOFRewritePercentage = 0
		made := false
		b.Run(tc.name, func(b *testing.B) {
			if !made {
				makeBenchDir(b, dir, o, n, tc.aof && tc.rewrite)
				made = true
			}
			for b.Loop() {
				s, err := Open(dir, o)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// makeBenchDir writes n keys into a Store in dir, then saves an RDB file
// (AOF off) or rewrites the AOF (rewrite).
func makeBenchDir(b *testing.B, dir string, o *Options, n int, rewrite bool) {
	s, err := Open(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		k := strconv.AppendInt([]byte("key:"), int64(i), 10)
		v := strconv.AppendInt([]byte("value:"), int64(i), 10)
		if err := s.Set(ctx, k, v, 0); err != nil {
			b.Fatal(err)
		}
	}
	switch {
	case !o.AppendOnly:
		err = s.Save()
	case rewrite:
		err = s.RewriteAOF(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}
