package keyspace_test

import (
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// BenchmarkSnapshotUnderWrites: 1M keys of 32-byte strings; writers
// overwrite random existing keys from several goroutines (serialized by
// a mutex, the write turn) while one snapshot is taken and consumed
// through the RDB writer into io.Discard. Run it with -benchtime=1x.
//
//	extra-heap-%         peak heap during the snapshot above the peak of
//	                     the same load without one, in % of the data
//	                     set's heap
//	start-pause-us       how long Snapshot() took
//	writer-throughput-%  writes/s during the snapshot, in % of writes/s
//	                     without one
func BenchmarkSnapshotUnderWrites(b *testing.B) {
	const nkeys, writers = 1_000_000, 4
	keys := make([][]byte, nkeys)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	value := []byte("0123456789abcdef0123456789abcdef")

	runtime.GC()
	heap0 := heapBytes()
	ks := keyspace.NewMemory(nil)
	for _, k := range keys {
		ks.Exec(&keyspace.Call{Args: [][]byte{[]byte("SET"), k, value}, Write: true})
	}
	runtime.GC()
	dataHeap := heapBytes() - heap0

	var turn sync.Mutex // the write turn
	// load runs the writers until stop is closed and returns writes/s
	// and the peak heap seen meanwhile.
	load := func(during func()) (rate float64, peak uint64) {
		var stop atomic.Bool
		var writes atomic.Int64
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 1))
				c := keyspace.Call{Write: true}
				set := []byte("SET")
				n := int64(0)
				for !stop.Load() {
					c.Reset()
					c.Write = true
					c.Args = append(c.Args, set, keys[r.IntN(nkeys)], value)
					turn.Lock()
					ks.Exec(&c)
					turn.Unlock()
					n++
				}
				writes.Add(n)
			}()
		}
		var peakv atomic.Uint64
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for !stop.Load() {
				if h := heapBytes(); h > peakv.Load() {
					peakv.Store(h)
				}
				time.Sleep(time.Millisecond)
			}
		}()
		start := time.Now()
		during()
		stop.Store(true)
		wg.Wait()
		<-sampled
		return float64(writes.Load()) / time.Since(start).Seconds(), peakv.Load()
	}

	var pause time.Duration
	var snapDur time.Duration
	snapshot := func() {
		turn.Lock()
		t0 := time.Now()
		s, err := ks.Snapshot()
		pause = time.Since(t0)
		turn.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if _, err := writeRDB(s); err != nil {
			b.Fatal(err)
		}
		snapDur = time.Since(t0)
	}

	// The figures vary from run to run (the machine's caches, the
	// scheduling of the writers), so each is the median of rounds, each
	// round a snapshot and the same time without one, in alternate order.
	const rounds = 3
	for b.Loop() {
		var extras, pauses, ratios, durs []float64
		for r := range rounds {
			var withRate, baseRate float64
			var withPeak, basePeak uint64
			for i := range 2 {
				runtime.GC()
				if (r+i)%2 == 0 {
					withRate, withPeak = load(snapshot)
				} else {
					wait := snapDur
					if wait == 0 {
						wait = time.Second
					}
					baseRate, basePeak = load(func() { time.Sleep(wait) })
				}
			}
			extra := 0.0
			if withPeak > basePeak {
				extra = float64(withPeak-basePeak) / float64(dataHeap) * 100
			}
			extras = append(extras, extra)
			pauses = append(pauses, float64(pause.Microseconds()))
			ratios = append(ratios, withRate/baseRate*100)
			durs = append(durs, snapDur.Seconds()*1000)
		}
		b.ReportMetric(median(extras), "extra-heap-%")
		b.ReportMetric(median(pauses), "start-pause-us")
		b.ReportMetric(median(ratios), "writer-throughput-%")
		b.ReportMetric(median(durs), "snapshot-ms")
		b.ReportMetric(float64(dataHeap)/(1<<20), "data-MiB")
		b.Logf("per round: extra-heap-%% %.2f, start-pause-us %.0f, writer-throughput-%% %.1f", extras, pauses, ratios)
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// BenchmarkSnapshotRDB: a snapshot of 1M keys of 32-byte strings, with
// no writers, written through the RDB writer to io.Discard; ns/key is
// the time per key.
func BenchmarkSnapshotRDB(b *testing.B) {
	const nkeys = 1_000_000
	ks := keyspace.NewMemory(nil)
	value := []byte("0123456789abcdef0123456789abcdef")
	for i := range nkeys {
		ks.Exec(&keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("key:" + strconv.Itoa(i)), value}, Write: true})
	}
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		s, err := ks.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		k, err := writeRDB(s)
		if err != nil {
			b.Fatal(err)
		}
		total += k
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/key")
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// heapBytes returns the bytes of heap objects, live or not yet swept.
func heapBytes() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

// BenchmarkSnapshotBigValue: one aggregate of 1M elements; a snapshot
// starts, a writer changes the value before the snapshot has read it,
// then the snapshot is written through the RDB writer to io.Discard.
//
//	writer-stall-ms  how long that one write took (the writer takes a
//	                 view of the value: its container, sharing the
//	                 elements)
//	write-alone-ms   how long the same write takes without a snapshot
//	encode-ms        how long the snapshot took to encode the value
func BenchmarkSnapshotBigValue(b *testing.B) {
	const n = 1_000_000
	elem := func(i int) []byte { return []byte("element:" + strconv.Itoa(i)) }
	cases := []struct {
		name  string
		value func() rdb.Value
		write []string
	}{
		{"list", func() rdb.Value {
			v := make(rdb.List, n)
			for i := range v {
				v[i] = elem(i)
			}
			return v
		}, []string{"LPUSH", "big", "x"}},
		{"set", func() rdb.Value {
			v := make(rdb.Set, n)
			for i := range v {
				v[i] = elem(i)
			}
			return v
		}, []string{"SADD", "big", "x"}},
		{"hash", func() rdb.Value {
			v := make(rdb.Hash, n)
			for i := range v {
				v[i] = rdb.HashField{Field: elem(i), Value: []byte("v")}
			}
			return v
		}, []string{"HSET", "big", "x", "y"}},
		{"zset", func() rdb.Value {
			v := make(rdb.ZSet, n)
			for i := range v {
				v[i] = rdb.ZMember{Member: elem(i), Score: float64(i)}
			}
			return v
		}, []string{"ZADD", "big", "1.5", "x"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var args [][]byte
			for _, a := range c.write {
				args = append(args, []byte(a))
			}
			load := func() *keyspace.Memory {
				ks := keyspace.NewMemory(nil)
				if err := ks.Restore(&rdb.Entry{Key: []byte("big"), Value: c.value(), Idle: -1, Freq: -1}); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				return ks
			}
			ks := load()
			t0 := time.Now()
			ks.Exec(&keyspace.Call{Args: args, Write: true})
			alone := time.Since(t0)
			ks = load()
			for b.Loop() {
				s, err := ks.Snapshot()
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				ks.Exec(&keyspace.Call{Args: args, Write: true})
				stall := time.Since(t0)
				t0 = time.Now()
				if _, err := writeRDB(s); err != nil {
					b.Fatal(err)
				}
				encode := time.Since(t0)
				s.Close()
				b.ReportMetric(float64(stall.Microseconds())/1000, "writer-stall-ms")
				b.ReportMetric(float64(alone.Microseconds())/1000, "write-alone-ms")
				b.ReportMetric(float64(encode.Microseconds())/1000, "encode-ms")
			}
		})
	}
}

// writeRDB writes a snapshot through the RDB writer to io.Discard, as a
// background save writes it to its file, and returns the number of keys.
func writeRDB(s keyspace.Snapshot) (int, error) {
	sizes := s.Sizes()
	w := rdb.NewWriter(io.Discard, nil)
	db, n := -1, 0
	for {
		e, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if e.DB != db {
			db = e.DB
			if err := w.SelectDB(db, sizes[db].Keys, sizes[db].Expires); err != nil {
				return n, err
			}
		}
		if err := w.WriteEntry(e); err != nil {
			return n, err
		}
		n++
	}
	return n, w.Close()
}
