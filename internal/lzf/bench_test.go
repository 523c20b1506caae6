package lzf

import (
	"bytes"
	"runtime"
	"testing"
)

// The benchmarks run on the corpora of corpus_test.go, block by block, the
// way bench/lzf.sh runs C liblzf on them. Besides MB/s of uncompressed data
// they report the compressed size in bytes ("zbytes") and, on Linux, MB per
// second of the benchmarking thread's CPU time ("cpuMB/s"), which is steadier
// than wall time on a machine shared with other work.

func BenchmarkCompress(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			blocks := c.blocks()
			dst := make([]byte, CompressBound(c.block))
			zbytes := 0
			for _, blk := range blocks {
				zbytes += Compress(dst, blk)
			}
			b.SetBytes(int64(len(c.data)))
			cpu := startCPU()
			n := 0
			for b.Loop() {
				for _, blk := range blocks {
					if Compress(dst, blk) == 0 {
						b.Fatal("Compress failed")
					}
				}
				n++
			}
			cpu.report(b, n*len(c.data))
			b.ReportMetric(float64(zbytes), "zbytes")
		})
	}
}

func BenchmarkDecompress(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			var comp [][]byte
			zbytes := 0
			for _, blk := range c.blocks() {
				z := make([]byte, CompressBound(len(blk)))
				n := Compress(z, blk)
				comp = append(comp, z[:n])
				zbytes += n
			}
			out := make([]byte, len(c.data))
			b.SetBytes(int64(len(c.data)))
			cpu := startCPU()
			n := 0
			for b.Loop() {
				o := 0
				for i, z := range comp {
					m, err := Decompress(out[o:o+min(c.block, len(c.data)-o)], z)
					if err != nil {
						b.Fatalf("block %d: %v", i, err)
					}
					o += m
				}
				n++
			}
			cpu.report(b, n*len(c.data))
			if !bytes.Equal(out, c.data) {
				b.Fatal("round trip mismatch")
			}
			b.ReportMetric(float64(zbytes), "zbytes")
		})
	}
}

// cpuTimer measures the CPU time of the benchmark's goroutine, locked to its
// thread until report.
type cpuTimer struct{ start int64 }

func startCPU() cpuTimer {
	runtime.LockOSThread()
	return cpuTimer{int64(threadCPUTime())}
}

func (c cpuTimer) report(b *testing.B, bytes int) {
	dt := int64(threadCPUTime()) - c.start
	runtime.UnlockOSThread()
	if dt > 0 {
		b.ReportMetric(float64(bytes)/float64(dt)*1e3, "cpuMB/s")
	}
}
