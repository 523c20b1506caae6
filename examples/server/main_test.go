package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/internal/redistest"
)

// syncBuffer is an output the test reads while run writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// program is run started in the background.
type program struct {
	stdout, stderr syncBuffer
	stop           chan os.Signal
	code           chan int
}

// startProgram runs the program with args, and a temporary data
// directory unless args name one.
func startProgram(t *testing.T, args ...string) *program {
	t.Helper()
	if !slices.Contains(args, "--dir") {
		args = append(args, "--dir", t.TempDir())
	}
	p := &program{stop: make(chan os.Signal, 1), code: make(chan int, 1)}
	go func() { p.code <- run(args, &p.stdout, &p.stderr, p.stop) }()
	t.Cleanup(func() {
		p.stop <- syscall.SIGTERM
		select {
		case <-p.code:
		case <-time.After(10 * time.Second):
		}
	})
	return p
}

// ready waits for the ready line naming kind.
func (p *program) ready(t *testing.T, kind string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.stdout.String(), "Ready to accept connections "+kind+"\n") {
		select {
		case code := <-p.code:
			t.Fatalf("exited with %d before ready\nstderr:\n%s", code, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// exit waits for run to return and gives its exit code.
func (p *program) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-p.code:
		p.code <- code // for Cleanup
		return code
	case <-time.After(10 * time.Second):
		t.Fatalf("did not exit\nstderr:\n%s", p.stderr.String())
		return -1
	}
}

func sockPath(t *testing.T) string {
	dir, err := os.MkdirTemp("", "srv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s.sock")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestRunUnixSocket(t *testing.T) {
	sock := sockPath(t)
	p := startProgram(t, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--databases", "4", "--loglevel", "debug")
	p.ready(t, "unix")
	if !strings.Contains(p.stderr.String(), `names=loglevel`) {
		t.Errorf("no warning naming the ignored directives:\n%s", p.stderr.String())
	}
	c := redistest.Dial(t, "unix", sock)
	check(t, c, "PONG", "PING")
	check(t, c, "OK", "SELECT", "3")
	check(t, c, "(error) ERR DB index is out of range", "SELECT", "4")
	check(t, c, `array["databases" "4" "unixsocket" "`+sock+`"]`, "CONFIG", "GET", "databases", "unixsocket")
	p.stop <- syscall.SIGINT
	if code := p.exit(t); code != 0 {
		t.Errorf("exit code %d after SIGINT", code)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
}

func TestRunTCPAndShutdown(t *testing.T) {
	port := strconv.Itoa(freePort(t))
	p := startProgram(t, "--port", port, "--bind", "127.0.0.1")
	p.ready(t, "tcp")
	c := redistest.Dial(t, "tcp", "127.0.0.1:"+port)
	check(t, c, "PONG", "PING")
	nc, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("SHUTDOWN\r\n"))
	if code := p.exit(t); code != 0 {
		t.Errorf("exit code %d after SHUTDOWN", code)
	}
}

func TestRunPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	var stdout, stderr syncBuffer
	code := run([]string{"--port", port, "--bind", "127.0.0.1"}, &stdout, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), "could not create server TCP listening socket") ||
		!strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--port", "0"}, "configured to not listen anywhere"},
		{[]string{"--port", "x"}, "argument couldn't be parsed into an integer"},
		{[]string{"/nonexistent/redis.conf"}, "reading the configuration file"},
		{[]string{"--port", "0", "--unixsocket", "/nonexistent/dir/s.sock"}, "could not create server unix socket"},
	} {
		var stdout, stderr syncBuffer
		if code := run(tc.args, &stdout, &stderr, nil); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit code %d, stderr:\n%s\nwant %q", tc.args, code, stderr.String(), tc.want)
		}
	}
	var stdout, stderr syncBuffer
	if code := run([]string{"--help"}, &stdout, &stderr, nil); code != 0 || !strings.Contains(stdout.String(), "Usage:") {
		t.Errorf("--help: %d\n%s", code, stdout.String())
	}
}

func TestRunConfigFile(t *testing.T) {
	sock := sockPath(t)
	conf := filepath.Join(t.TempDir(), "redis.conf")
	text := "# a comment, don't mind the quote\n" +
		"port 0\n" +
		"unixsocket \"" + sock + "\"\n" +
		"  databases 2\n" +
		"save 900 1\n\n" +
		"appendonly yes\n" +
		"include /some/other.conf\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startProgram(t, conf, "--databases", "3")
	p.ready(t, "unix")
	if !strings.Contains(p.stderr.String(), `names=include`) {
		t.Errorf("no warning naming the ignored directives:\n%s", p.stderr.String())
	}
	c := redistest.Dial(t, "unix", sock)
	check(t, c, `array["databases" "3"]`, "CONFIG", "GET", "databases")
}

func TestParseArgs(t *testing.T) {
	cfg, err := respserver.ParseArgs(nil)
	if err != nil || cfg.Port != 6379 || cfg.Databases != 16 || strings.Join(cfg.Bind, " ") != "127.0.0.1 -::1" {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	addrs, opt := cfg.TCPAddrs()
	if strings.Join(addrs, " ") != "127.0.0.1:6379 [::1]:6379" || opt[0] || !opt[1] {
		t.Errorf("TCPAddrs: %q %v", addrs, opt)
	}
	cfg, err = respserver.ParseArgs([]string{"--bind", "*", "-::*", "--port", "7000", "--loglevel", "debug", "--save", "--appendonly", "no"})
	addrs, opt = cfg.TCPAddrs()
	if err != nil || strings.Join(addrs, " ") != "0.0.0.0:7000 [::]:7000" || opt[0] || !opt[1] ||
		strings.Join(cfg.Ignored, " ") != "loglevel" || len(cfg.Persistence.Save) != 0 || cfg.Persistence.AppendOnly {
		t.Errorf("got %+v %q, %v", cfg, addrs, err)
	}
	for _, bad := range [][]string{
		{"--port", "65536"}, {"--port", "-1"}, {"--port"}, {"--port", "1", "2"}, {"--databases", "0"},
		{"--databases", "100000000"}, {"--bind"}, {"--unixsocket", "a", "b"}, {"--", "x"}, {"-x"},
	} {
		if _, err := respserver.ParseArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	var c respserver.Config
	if err := c.ParseFile([]byte("unixsocket 'a b'\nport \"unterminated\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("unbalanced quotes: %v", err)
	}
	if c.UnixSocket != "a b" {
		t.Errorf("unixsocket %q", c.UnixSocket)
	}
}

// TestRunPersists: the program keeps its data in --dir across a
// SIGTERM and a restart, as redis-server's default shutdown does (the
// final save with save points), and with the AOF.
func TestRunPersists(t *testing.T) {
	for _, args := range [][]string{{"--save", "3600 1"}, {"--appendonly", "yes", "--appendfsync", "always"}} {
		dir := t.TempDir()
		sock := sockPath(t)
		p := startProgram(t, append([]string{"--port", "0", "--unixsocket", sock, "--dir", dir}, args...)...)
		p.ready(t, "unix")
		c := redistest.Dial(t, "unix", sock)
		check(t, c, "OK", "SET", "k", "v")
		check(t, c, "1", "RPUSH", "l", "a")
		p.stop <- syscall.SIGTERM
		if code := p.exit(t); code != 0 {
			t.Fatalf("%q: exit code %d\n%s", args, code, p.stderr.String())
		}
		p = startProgram(t, append([]string{"--port", "0", "--unixsocket", sock, "--dir", dir}, args...)...)
		p.ready(t, "unix")
		c = redistest.Dial(t, "unix", sock)
		check(t, c, `"v"`, "GET", "k")
		check(t, c, `array["a"]`, "LRANGE", "l", "0", "-1")
		// A second server on the same directory is refused.
		var stdout, stderr syncBuffer
		code := run([]string{"--port", "0", "--unixsocket", sock + "2", "--dir", dir}, &stdout, &stderr, nil)
		if code != 1 || !strings.Contains(stderr.String(), "in use") {
			t.Errorf("second server on %s: exit code %d\n%s", dir, code, stderr.String())
		}
	}
}

// TestRunConfigError: a bad directive is redis-server's fatal error,
// naming the line of the configuration assembled from the arguments.
func TestRunConfigError(t *testing.T) {
	var stdout, stderr syncBuffer
	code := run([]string{"--port", "0", "--appendfsync", "sometimes"}, &stdout, &stderr, nil)
	want := "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n" +
		">>> 'appendfsync \"sometimes\"'\nargument(s) must be one of the following: everysec, always, no\n"
	if code != 1 || stderr.String() != want {
		t.Errorf("exit code %d, stderr:\n%q\nwant\n%q", code, stderr.String(), want)
	}
}

// TestRunSignalSaveFails: as redis-server, a SIGTERM whose final save
// fails does not stop the server; one after the cause is gone does.
func TestRunSignalSaveFails(t *testing.T) {
	dir := t.TempDir()
	sock := sockPath(t)
	p := startProgram(t, "--port", "0", "--unixsocket", sock, "--dir", dir, "--save", "3600 1")
	p.ready(t, "unix")
	c := redistest.Dial(t, "unix", sock)
	check(t, c, "OK", "SET", "k", "v")
	if err := os.MkdirAll(filepath.Join(dir, "dump.rdb", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.stop <- syscall.SIGTERM
	for i := 0; !strings.Contains(p.stderr.String(), "errors trying to shut down"); i++ {
		if i == 1000 {
			t.Fatalf("no error logged:\n%s", p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	check(t, c, `"v"`, "GET", "k")
	if err := os.RemoveAll(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	p.stop <- syscall.SIGTERM
	if code := p.exit(t); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Error(err)
	}
}
