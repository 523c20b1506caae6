package aofrdb

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// TestBallastSafe: no ballast with GOGC off or a memory limit, which it
// would count against.
func TestBallastSafe(t *testing.T) {
	if mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err == nil && strings.TrimSpace(string(mode)) == "2" {
		if ballastSafe() {
			t.Error("ballastSafe under strict overcommit")
		}
		t.Skip("strict overcommit: never safe")
	}
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set in the environment")
	}
	if !ballastSafe() {
		t.Error("ballastSafe with the defaults = false")
	}
	old := debug.SetGCPercent(-1)
	if ballastSafe() {
		t.Error("ballastSafe with GOGC off")
	}
	debug.SetGCPercent(old)
	limit := debug.SetMemoryLimit(1 << 40)
	if ballastSafe() {
		t.Error("ballastSafe with a memory limit")
	}
	debug.SetMemoryLimit(limit)
	if !ballastSafe() {
		t.Error("ballastSafe after restoring the defaults = false")
	}
}
