package compact

import (
	"math/rand/v2"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

func newRand(t testing.TB) *rand.Rand {
	t.Helper()
	return testenv.Rand(t)
}
