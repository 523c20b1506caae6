// Command storeload times aofrdb.Open on a data directory: what
// bench/store.sh compares with redis-server's load of the same files.
//
//	storeload [-appendonly] [-cpuprofile FILE] DIR
//
// It opens DIR once (with AppendOnly as given, no save points, so that
// nothing is written), and prints one line:
//
//	seconds=<Open's wall time> keys=<keys loaded> maxrss_kb=<peak RSS>
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aofrdb/aofrdb"
)

func main() {
	appendOnly := flag.Bool("appendonly", false, "load the AOF directory (appendonly yes) instead of dump.rdb")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of Open to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: storeload [-appendonly] [-cpuprofile FILE] DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *appendOnly, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "storeload:", err)
		os.Exit(1)
	}
}

func run(dir string, appendOnly bool, cpuprofile string) error {
	o := aofrdb.DefaultOptions()
	o.AppendOnly = appendOnly
	o.Save = nil
	o.AutoAOFRewritePercentage = 0
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start := time.Now()
	s, err := aofrdb.Open(dir, o)
	elapsed := time.Since(start)
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	defer s.Close()
	keys, err := dbKeys(s)
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("seconds=%.3f keys=%d maxrss_kb=%d\n", elapsed.Seconds(), keys, ru.Maxrss)
	return nil
}

// dbKeys returns the number of keys in all databases (DBSIZE).
func dbKeys(s *aofrdb.Store) (int64, error) {
	var n int64
	for db := range s.Keyspace().Databases() {
		r, err := s.Do(context.Background(), db, []byte("DBSIZE"))
		if err != nil {
			return 0, err
		}
		k, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(r), ":")), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("DBSIZE replied %q", r)
		}
		n += k
	}
	return n, nil
}
