package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// TestRedisCLI drives the server with redis-cli: commands on its command
// line, and inline commands on its standard input (which makes it ask
// COMMAND DOCS first, as it does at an interactive start).
func TestRedisCLI(t *testing.T) {
	cli := testenv.RedisCLI(t)
	ts := start(t, newMemory(t, "a", "b", "1:c"), nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG"},
		{[]string{"EXISTS", "a", "b", "x"}, "2"},
		{[]string{"-n", "1", "DBSIZE"}, "1"},
		{[]string{"ECHO", "hello world"}, "hello world"},
		{[]string{"NOPE"}, "ERR unknown command 'NOPE', with args beginning with:"},
		{[]string{"CLIENT", "SETNAME", "cli"}, "OK"},
		{[]string{"--no-raw", "EXPIRE", "a", "100"}, "(integer) 1"},
	} {
		args := append([]string{"-s", ts.sock}, tc.args...)
		out, err := exec.Command(cli, args...).CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
			t.Errorf("redis-cli %q: %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}

	cmd := exec.Command(cli, "-s", ts.sock)
	cmd.Stdin = strings.NewReader("PING\nMULTI\nEXISTS a\nDEL b\nEXEC\nSELECT 1\nDBSIZE\n")
	out, err := cmd.CombinedOutput()
	want := "PONG\nOK\nQUEUED\nQUEUED\n1\n1\nOK\n1"
	if got := strings.TrimSpace(string(out)); err != nil || got != want {
		t.Errorf("redis-cli < commands: %q, %v; want %q", got, err, want)
	}
}

// TestRedisBenchmark runs redis-benchmark against the server, plain and
// pipelined.
func TestRedisBenchmark(t *testing.T) {
	bench := testenv.LookPath(t, "redis-benchmark", "apt-get install -y redis-tools")
	ts := start(t, nil, nil)
	for _, extra := range [][]string{nil, {"-P", "16", "-c", "4"}} {
		args := append([]string{"-s", ts.sock, "-n", "2000", "-t", "ping", "-q"}, extra...)
		out, err := exec.Command(bench, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-benchmark %q: %v\n%s", args, err, out)
		}
		if !strings.Contains(string(out), "PING_MBULK") || !strings.Contains(string(out), "requests per second") {
			t.Errorf("redis-benchmark %q:\n%s", args, out)
		}
	}
}
