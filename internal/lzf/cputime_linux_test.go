package lzf

import (
	"syscall"
	"time"
)

// threadCPUTime returns the CPU time the calling OS thread has used, or 0 if
// it cannot tell. Benchmarks lock their goroutine to a thread and report
// speeds per CPU second besides the usual per wall second, which on a
// shared machine also counts the time other processes held the CPU.
func threadCPUTime() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
