package aofrdb

import (
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
)

// A load builds the whole data set, and all of it stays live. With the
// default GOGC, the collector runs each time the heap doubles, and each
// cycle marks everything loaded so far, on the core that could decode
// the file, for a data set that has no garbage to give back. So a load
// holds a ballast, an allocation about the size of the data set it will
// build that it never touches: the heap goal (twice the live heap with
// GOGC=100) then starts above the whole data set, and the load runs with
// one collection or none. Untouched pages cost address space, not memory
// (RSS).
//
// The size is ballastFactor times the size of the files: the data set
// of small keys and values is 6 to 8 times its RDB file, and that of
// large values about its size. It is capped at maxBallast, and loads of
// less than minBallastInput bytes do without. There is no ballast when it
// could hurt: with GOGC off, with a memory limit (GOMEMLIMIT or
// debug.SetMemoryLimit: the ballast would count against it), under
// Linux's strict overcommit, where untouched memory is still charged, or
// in a 32-bit address space.
const (
	ballastFactor   = 8
	maxBallast      = 1 << 30
	minBallastInput = 8 << 20
)

// loadBallast allocates the ballast for a load of input bytes and
// returns the function that drops it. If a collection ran during the
// load, its heap goal counted the ballast; the drop then starts a
// collection in the background, so that garbage made after the load is
// collected at twice the data set, not at twice data set and ballast.
func loadBallast(input int64) (drop func()) {
	if input < minBallastInput || !ballastSafe() {
		return func() {}
	}
	size := int64(maxBallast)
	if input < maxBallast/ballastFactor {
		size = input * ballastFactor
	}
	cycles := gcCycles()
	b := make([]byte, size)
	return func() {
		runtime.KeepAlive(b)
		if gcCycles() != cycles {
			go runtime.GC()
		}
	}
}

// ballastSafe reports whether a ballast can only help (see loadBallast).
func ballastSafe() bool {
	if math.MaxInt == math.MaxInt32 {
		return false // 1 GiB of a 32-bit address space is too much to ask
	}
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || int64(s[0].Value.Uint64()) <= 0 {
		return false // GOGC=off (-1), or unknown
	}
	if s[1].Value.Kind() != metrics.KindUint64 || s[1].Value.Uint64() != math.MaxInt64 {
		return false // a memory limit
	}
	if runtime.GOOS == "linux" {
		mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
		if err == nil && strings.TrimSpace(string(mode)) == "2" {
			return false
		}
	}
	return true
}

// gcCycles returns the number of completed collections.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
