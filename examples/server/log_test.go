package main

import (
	"log/slog"
	"os"
	"testing"
)

// testLogger logs to the test's log, at debug level.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// goroutines is set by AOFRDB_SERVER_GOROUTINES=1: the servers the tests
// start (in process, and the binary, which reads the same variable)
// serve each connection with its own goroutine instead of the event
// loop. CI runs this package's tests both ways.
var goroutines = os.Getenv("AOFRDB_SERVER_GOROUTINES") != ""
