// Command aofload measures aof.CheckFile and aof.LoadDir on a multi-part
// AOF directory, for bench/aof.sh, and generates the commands that
// script feeds redis-server.
//
//	aofload -mode check PATH   check every file the manifest lists
//	aofload -mode load PATH    replay the directory into keyspace.NewMemory
//	aofload -mode gen -keys N  write N keys' worth of RESP commands to stdout
//
// PATH is an appendonlydir or its manifest. check and load print one
// line of "name=value" fields: seconds (of the checking or loading
// alone, not of the process), bytes, MB/s (10^6 bytes of AOF per
// second), and for load the keys loaded, the commands replayed, the
// peak and the final live Go heap (sampled every millisecond, and after
// a GC) and the peak RSS. The exit status is 1 when the check finds a
// problem or the load fails.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/internal/workload"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/resp"
)

func main() {
	mode := flag.String("mode", "load", "check, load or gen")
	keys := flag.Int("keys", 1000000, "gen: number of keys")
	seed := flag.Uint64("seed", 1, "gen: random seed")
	cpuprofile := flag.String("cpuprofile", "", "check, load: write a CPU profile of the run to this file")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: aofload -mode check|load PATH | aofload -mode gen [-keys N] [-seed S]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	var err error
	switch *mode {
	case "gen":
		err = gen(os.Stdout, *keys, *seed)
	case "check", "load":
		if flag.NArg() != 1 {
			flag.Usage()
			os.Exit(2)
		}
		dir, prefix := splitPath(flag.Arg(0))
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				fmt.Fprintln(os.Stderr, "aofload:", err)
				os.Exit(1)
			}
			pprof.StartCPUProfile(f)
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
		if *mode == "check" {
			err = check(dir, prefix)
		} else {
			err = load(dir, prefix)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "aofload:", err)
		os.Exit(1)
	}
}

// splitPath returns the directory and the manifest prefix of a
// directory or a manifest path.
func splitPath(p string) (dir, prefix string) {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return p, "appendonly.aof"
	}
	return filepath.Dir(p), strings.TrimSuffix(filepath.Base(p), ".manifest")
}

func files(dir, prefix string) ([]string, error) {
	m, err := manifest.Read(vfs.Default, dir, prefix)
	if err != nil {
		return nil, err
	}
	return m.LoadPaths(vfs.Default, dir)
}

func check(dir, prefix string) error {
	start := time.Now()
	paths, err := files(dir, prefix)
	if err != nil {
		return err
	}
	var size int64
	var problems []string
	for _, p := range paths {
		c, err := aof.CheckFile(vfs.Default, p)
		if err != nil {
			return err
		}
		size += c.Size
		if !c.Valid() {
			problems = append(problems, fmt.Sprintf("%s: %s at offset %d", p, c.Problem, c.At))
		}
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("seconds=%.4f bytes=%d MB/s=%.1f files=%d valid=%t\n", secs, size, float64(size)/secs/1e6, len(paths), len(problems) == 0)
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func load(dir, prefix string) error {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // samples the live heap
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	ks := keyspace.NewMemory(nil)
	start := time.Now()
	_, results, err := aof.LoadDir(vfs.Default, dir, prefix, &aof.KeyspaceTarget{KS: ks}, &aof.LoadOptions{AllowTruncated: true})
	secs := time.Since(start).Seconds()
	close(stop)
	<-done
	if err != nil {
		return err
	}
	var size, cmds, restored int64
	for _, r := range results {
		size += r.Size
		cmds += r.Commands
		restored += r.Keys
	}
	snap, err := ks.Snapshot()
	if err != nil {
		return err
	}
	var keys uint64
	for _, s := range snap.Sizes() {
		keys += s.Keys
	}
	snap.Close()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("seconds=%.4f bytes=%d MB/s=%.1f keys=%d commands=%d rdbkeys=%d peakheapMB=%.0f liveheapMB=%.0f maxrssMB=%.0f\n",
		secs, size, float64(size)/secs/1e6, keys, cmds, restored,
		float64(peak.Load())/(1<<20), float64(ms.HeapAlloc)/(1<<20), float64(ru.Maxrss)/(1<<10))
	runtime.KeepAlive(ks)
	return nil
}

// gen writes the RESP commands of workload.Mixed for n keys.
func gen(out *os.File, n int, seed uint64) error {
	w := bufio.NewWriterSize(out, 1<<20)
	var buf []byte
	workload.Mixed(n, seed, func(args ...string) {
		buf = resp.AppendCommandString(buf[:0], args...)
		w.Write(buf)
	})
	return w.Flush()
}
