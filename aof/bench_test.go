package aof

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

// BenchmarkAppender: acknowledged writes per second (a SET of a 16-byte
// value each) for 1 to 256 concurrent writers under each policy, on a
// real file in the benchmark's temporary directory (set TMPDIR to put
// it on the disk to measure). Each writer takes the write turn to
// Append, then Waits without it, as a Store's writers do. It also
// reports fsyncs/s: 1 / the latency of one fdatasync of a small append
// on the same file system, measured in the same run, the ceiling of a
// policy that syncs each write alone. "always" writes direct where the
// file system can; "always-buffered" writes and syncs as Redis does.
func BenchmarkAppender(b *testing.B) {
	fsyncRate := measureFsync(b)
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"always", Options{Policy: Always}},
		{"always-buffered", Options{Policy: Always, Buffered: true}}, // as Redis writes
		{"everysec", Options{Policy: EverySec}},
		{"no", Options{Policy: No}},
	} {
		for _, writers := range []int{1, 16, 64, 256} {
			b.Run(c.name+"/writers="+strconv.Itoa(writers), func(b *testing.B) {
				dir := b.TempDir()
				a, err := OpenAppender(vfs.Default, filepath.Join(dir, "a.aof"), &c.opts)
				if err != nil {
					b.Fatal(err)
				}
				defer a.Close()
				var turn sync.Mutex
				var wg sync.WaitGroup
				per := b.N/writers + 1
				b.ResetTimer()
				start := time.Now()
				for w := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						rec := []keyspace.Record{{Args: [][]byte{[]byte("SET"), []byte("key:" + strconv.Itoa(w)), []byte("0123456789abcdef")}}}
						for range per {
							turn.Lock()
							end, err := a.Append(rec)
							turn.Unlock()
							if err == nil {
								err = a.Wait(context.Background(), end)
							}
							if err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				rate := float64(per*writers) / time.Since(start).Seconds()
				b.ReportMetric(rate, "writes/s")
				b.ReportMetric(fsyncRate, "fsyncs/s")
				b.ReportMetric(rate/fsyncRate, "x-fsync-rate")
			})
		}
	}
}

// measureFsync returns 1 / the mean latency of appending a few bytes and
// fdatasyncing them, over about half a second.
func measureFsync(b *testing.B) float64 {
	f, err := vfs.Default.OpenAppend(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	n := 0
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
		if _, err := f.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds()
}
