//go:build aofrdb_slowsync

package vfs

import (
	"fmt"
	"os"
	"time"
)

// A build with the aofrdb_slowsync tag sleeps AOFRDB_SYNC_DELAY (a
// time.ParseDuration string) after each fdatasync, as bench/always.sh
// asks, to measure group commit on a disk slower than the one at hand.
func init() {
	v := os.Getenv("AOFRDB_SYNC_DELAY")
	if v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		fmt.Fprintf(os.Stderr, "AOFRDB_SYNC_DELAY=%q: not a duration\n", v)
		os.Exit(2)
	}
	syncDelay = d
}
