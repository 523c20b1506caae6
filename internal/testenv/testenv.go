// Package testenv lets tests find the external programs and libraries they
// check aofrdb against (redis-server, redis-cli, a C compiler with liblzf) and
// decide what to do when one is missing.
//
// On a developer's machine a missing tool skips the test with a message that
// says how to install it. In CI, .ci/run exports AOFRDB_REQUIRE_REDIS=1 and
// installs every tool, so a missing one fails the test instead: a test that
// silently skips in CI proves nothing.
package testenv

import (
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the environment variable that turns missing tools from skips
// into failures.
const RequireEnv = "AOFRDB_REQUIRE_REDIS"

// Required reports whether missing external tools must fail tests.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing skips the test, or fails it when Required, saying what is missing
// and how to get it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is not available and %s=1 requires it (install: %s)", what, RequireEnv, install)
	}
	t.Skipf("skipping: %s is not available (install: %s; set %s=1 to make this a failure)", what, install, RequireEnv)
}

// LookPath returns the path of the named program, or skips or fails the
// test through Missing when it is not on PATH.
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, install)
	}
	return p
}

// RedisServer returns the path of redis-server (see LookPath).
func RedisServer(t testing.TB) string {
	t.Helper()
	return LookPath(t, "redis-server", "apt-get install -y redis-server")
}

// RedisCLI returns the path of redis-cli (see LookPath).
func RedisCLI(t testing.TB) string {
	t.Helper()
	return LookPath(t, "redis-cli", "apt-get install -y redis-tools")
}

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0: pick a new one and log it)")

// Seed returns the seed of a randomized test: the -seed flag's value when
// set, or a fresh one. It logs the seed with the command that replays it.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()>>1 | 1
	}
	t.Logf("random seed %d (replay: go test -run '^%s$' -seed=%d)", seed, t.Name(), seed)
	return seed
}

// Rand returns a generator seeded by Seed.
func Rand(t testing.TB) *rand.Rand {
	t.Helper()
	return rand.New(rand.NewPCG(Seed(t), 0x9e3779b97f4a7c15))
}
