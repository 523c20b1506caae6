// Package redistest starts a private redis-server for a test and talks to
// it: the oracle that differential and interop tests compare aofrdb with.
//
// Start skips the test when redis-server is missing, or fails it when
// AOFRDB_REQUIRE_REDIS=1 (see internal/testenv). The server listens on a
// unix socket in a temporary directory, persists nothing unless asked,
// and is stopped when the test ends.
package redistest

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/resp"
)

// Server is a running redis-server.
type Server struct {
	Dir    string // its working directory (--dir)
	Socket string // its unix socket
	t      testing.TB
}

// Start starts redis-server with its data directory dir ("" for a new
// temporary one), no save points and AOF off, plus the extra
// configuration arguments given ("--appendonly", "yes", ...).
func Start(t testing.TB, dir string, extra ...string) *Server {
	t.Helper()
	bin := testenv.RedisServer(t)
	if dir == "" {
		dir = t.TempDir()
	}
	// A unix socket path is limited to about 100 bytes; t.TempDir's can
	// be longer, so the socket lives in a short directory of its own.
	sockDir, err := os.MkdirTemp("", "redistest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "redis.sock")
	logf := filepath.Join(sockDir, "redis.log")
	args := append([]string{"--port", "0", "--unixsocket", sock, "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", logf}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("redistest: starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	// Cleanups run last first: this one, while the server still runs.
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logf)
			t.Logf("redistest: redis-server log:\n%s", log)
		}
	})
	s := &Server{Dir: dir, Socket: sock, t: t}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			// Wait for the data set to load: PING answers LOADING
			// until it has.
			cl := s.Client()
			for {
				v := cl.Do("PING")
				if v.Type != resp.TypeSimpleError {
					cl.Close()
					return s
				}
				if time.Now().After(deadline) {
					t.Fatalf("redistest: redis-server still loading: %s", v.Str)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf)
			t.Fatalf("redistest: redis-server did not start: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client opens a new connection, closed when the test ends.
func (s *Server) Client() *Client {
	s.t.Helper()
	return Dial(s.t, "unix", s.Socket)
}

// Client is a minimal RESP2 client for tests. Errors in the connection
// fail the test; error replies are returned as values.
type Client struct {
	t    testing.TB
	c    net.Conn
	rd   *resp.Reader
	wb   []byte
	wire *bytes.Buffer // what rd read since the last command was sent
}

// Dial connects to a RESP server (redis-server or one of ours).
func Dial(t testing.TB, network, addr string) *Client {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	wire := new(bytes.Buffer)
	return &Client{t: t, c: c, rd: resp.NewReader(io.TeeReader(c, wire)), wire: wire}
}

// Close closes the connection.
func (c *Client) Close() error { return c.c.Close() }

// Do sends a command and returns its reply.
func (c *Client) Do(args ...string) resp.Value {
	c.t.Helper()
	c.wb = resp.AppendCommandString(c.wb[:0], args...)
	return c.send()
}

// DoBytes sends a command of byte-slice arguments and returns its reply.
func (c *Client) DoBytes(args ...[]byte) resp.Value {
	c.t.Helper()
	c.wb = resp.AppendCommand(c.wb[:0], args...)
	return c.send()
}

// Raw sends a command and returns its reply's wire bytes, as the server
// wrote them.
func (c *Client) Raw(args ...[]byte) []byte {
	c.t.Helper()
	c.DoBytes(args...)
	return bytes.Clone(c.wire.Bytes())
}

func (c *Client) send() resp.Value {
	c.t.Helper()
	c.wire.Reset() // the server has nothing else to send: one command at a time
	if _, err := c.c.Write(c.wb); err != nil {
		c.t.Fatalf("redistest: %v", err)
	}
	v, err := c.rd.ReadReply()
	if err != nil {
		c.t.Fatalf("redistest: reading reply: %v", err)
	}
	return v
}

// Must is Do that fails the test on an error reply.
func (c *Client) Must(args ...string) resp.Value {
	c.t.Helper()
	v := c.Do(args...)
	if v.Type == resp.TypeSimpleError {
		c.t.Fatalf("redistest: %q: %s", args, v.Str)
	}
	return v
}
