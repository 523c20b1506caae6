//go:build !linux

package lzf

import "time"

// threadCPUTime is not implemented on this system: see cputime_linux_test.go.
func threadCPUTime() time.Duration { return 0 }
