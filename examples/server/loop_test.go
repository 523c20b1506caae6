package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/resp"
)

// TestPipelines sends pipelines of writes, reads and server commands
// in one packet, on many connections at once, to a server over a Store
// under appendfsync always: every reply comes back, in order, whichever
// of the event loop and a connection's own goroutine runs the command
// (the loop hands a connection over at its first server command, with
// a write's reply still waiting for the AOF before it).
//
// It runs on the disk, and with fsyncs slowed down to 5 ms, under which
// the loop gathers writes (eventLoop.gather) in most rounds, handovers
// among them.
func TestPipelines(t *testing.T) {
	t.Run("disk", func(t *testing.T) {
		testPipelines(t, startStore(t, "", "--appendonly", "yes", "--appendfsync", "always"))
	})
	t.Run("slow fsync", func(t *testing.T) {
		testPipelines(t, startFaulty(t, t.TempDir(), slowSyncs(5*time.Millisecond, nil)))
	})
}

// slowSyncs returns a Faulty FS whose syncs of AOF incr files sleep d
// first, and count in n (unless nil).
func slowSyncs(d time.Duration, n *atomic.Int64) *vfs.Faulty {
	ffs := vfs.NewFaulty(vfs.Default)
	ffs.FailWhen(func(op vfs.Op, path string) bool {
		if op == vfs.OpSync && strings.HasSuffix(path, ".incr.aof") {
			if n != nil {
				n.Add(1)
			}
			time.Sleep(d)
		}
		return false
	}, vfs.IOError)
	return ffs
}

func testPipelines(t *testing.T, s *storeServer) {
	const conns, rounds = 16, 20
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("unix", s.sock)
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			r := resp.NewReader(bufio.NewReader(nc))
			for j := range rounds {
				k := fmt.Sprintf("k%d", i)
				var cmds [][]string
				var want []string
				add := func(reply string, args ...string) {
					cmds = append(cmds, args)
					want = append(want, reply)
				}
				add("OK", "SET", k, fmt.Sprint(j))
				add(fmt.Sprint(j+1), "INCR", k)
				add(fmt.Sprint(j+1), "GET", k)
				add(fmt.Sprint(j+1), "RPUSH", "l"+k, "x")
				if j == rounds/2 {
					// From here on, the connection's own goroutine.
					add("OK", "CLIENT", "SETNAME", "c")
					add("OK", "MULTI")
					add("QUEUED", "SET", k, "m")
					add("[OK]", "EXEC")
					add("OK", "SET", k, fmt.Sprint(j))
				}
				var b bytes.Buffer
				for _, c := range cmds {
					b.Write(resp.AppendCommandString(nil, c...))
				}
				if _, err := nc.Write(b.Bytes()); err != nil {
					t.Error(err)
					return
				}
				for n, w := range want {
					v, err := r.ReadReply()
					if err != nil {
						t.Errorf("conn %d round %d: reply %d of %v: %v", i, j, n, cmds, err)
						return
					}
					if got := replyString(v); got != w {
						t.Errorf("conn %d round %d: %v: got %q, want %q", i, j, cmds[n], got, w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	c := s.client(t)
	for i := range conns {
		if n := c.Do("LLEN", fmt.Sprintf("lk%d", i)).Int; n != rounds {
			t.Errorf("LLEN lk%d = %d, want %d", i, n, rounds)
		}
	}
}

// replyString is a reply as TestPipelines writes them: the text of a
// simple string, bulk or integer, and arrays in brackets.
func replyString(v resp.Value) string {
	switch v.Type {
	case resp.TypeArray:
		var parts []string
		for _, e := range v.Elems {
			parts = append(parts, replyString(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case resp.TypeInteger:
		return fmt.Sprint(v.Int)
	}
	return string(v.Str)
}

// TestSlowReader: a client that sends many commands and does not read
// the replies does not hold up the others; once it reads, it gets every
// reply.
func TestSlowReader(t *testing.T) {
	s := startStore(t, "")
	c := s.client(t)
	c.Must("SET", "big", strings.Repeat("v", 1<<20))
	slow, err := net.Dial("unix", s.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	const n = 64 // 64 MiB of replies
	go func() {
		var b []byte
		for range n {
			b = resp.AppendCommandString(b, "GET", "big")
		}
		slow.Write(b)
	}()
	for i := range 100 {
		check(t, c, "OK", "SET", "k", fmt.Sprint(i))
	}
	r := resp.NewReader(bufio.NewReader(slow))
	for i := range n {
		v, err := r.ReadReply()
		if err != nil || len(v.Str) != 1<<20 {
			t.Fatalf("reply %d to the slow reader: %d bytes, %v", i, len(v.Str), err)
		}
	}
}

// TestPipelineWriteError: writes pipelined in one packet while the AOF
// cannot be written get MISCONF, each in its place among the other
// replies, whether the event loop applied them all and waited once
// (they are then kept for the retry) or a goroutine waited for each
// (the first fails, and refuses the others). (A PING in the same
// pipeline gets MISCONF only from the goroutine, as it runs after the
// failure; the loop runs it before the round's sync fails, as Redis's
// loop would.)
func TestPipelineWriteError(t *testing.T) {
	ffs := vfs.NewFaulty(vfs.Default)
	s := startFaulty(t, t.TempDir(), ffs)
	nc, err := net.Dial("unix", s.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := resp.NewReader(bufio.NewReader(nc))
	pipeline := func(cmds ...[]string) []string {
		t.Helper()
		var b []byte
		for _, c := range cmds {
			b = resp.AppendCommandString(b, c...)
		}
		if _, err := nc.Write(b); err != nil {
			t.Fatal(err)
		}
		var got []string
		for range cmds {
			v, err := r.ReadReply()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, replyString(v))
		}
		return got
	}
	if got := pipeline([]string{"SET", "p", "1"}, []string{"GET", "p"}); fmt.Sprint(got) != "[OK 1]" {
		t.Fatalf("replies before the fault: %q", got)
	}
	ffs.FailWhen(func(op vfs.Op, path string) bool {
		return (op == vfs.OpWrite || op == vfs.OpWriteAt) && strings.HasSuffix(path, ".incr.aof")
	}, vfs.NoSpace)
	const misconf = "MISCONF Errors writing to the AOF file: No space left on device"
	got := pipeline([]string{"SET", "p", "2"}, []string{"STRLEN", "p"}, []string{"SET", "q", "2"}, []string{"INCR", "n"})
	want := []string{misconf, "1", misconf, misconf}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("replies during the fault:\n%q\nwant\n%q", got, want)
	}
	ffs.FailWhen(nil, 0)
}

// TestGroupCommit: under appendfsync always, clients that each send one
// write at a time share fsyncs, and each gets its reply once its write
// is synced. The fsyncs of the AOF take 20 ms here, far longer than a
// client takes to send its next write, so that the event loop gathers
// every client's next write into one fsync (see eventLoop.gather):
// about one fsync per write of each client, where two groups taking
// turns would need two.
func TestGroupCommit(t *testing.T) {
	var syncs atomic.Int64
	s := startFaulty(t, t.TempDir(), slowSyncs(20*time.Millisecond, &syncs))
	const clients, writes = 16, 10
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.client(t)
			for j := range writes {
				if got := replyString(c.Do("SET", fmt.Sprint("k", i), fmt.Sprint(j))); got != "OK" {
					t.Errorf("client %d: SET: %q", i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	n := syncs.Load()
	t.Logf("%d writes in %d fsyncs", clients*writes, n)
	if !goroutines && runtime.GOOS == "linux" && n > writes*3/2 {
		// Two groups taking turns take about 2*writes fsyncs.
		t.Errorf("%d fsyncs for %d writes of each of %d clients, want at most %d", n, writes, clients, writes*3/2)
	}
	c := s.client(t)
	for i := range clients {
		if got := replyString(c.Do("GET", fmt.Sprint("k", i))); got != fmt.Sprint(writes-1) {
			t.Errorf("GET k%d = %q, want %d", i, got, writes-1)
		}
	}
}

// TestEverysecPostponed: under appendfsync everysec, a write that comes
// while the background fsync runs waits for it (Redis postpones the
// write, for up to 2 s), and its reply with it; the other clients are
// served meanwhile. The test holds the fsync until the other client has
// its reply.
func TestEverysecPostponed(t *testing.T) {
	var hold atomic.Bool
	var once sync.Once
	started, release := make(chan struct{}), make(chan struct{})
	ffs := vfs.NewFaulty(vfs.Default)
	ffs.FailWhen(func(op vfs.Op, path string) bool {
		if op == vfs.OpSync && strings.HasSuffix(path, ".incr.aof") && hold.Load() {
			once.Do(func() {
				close(started)
				<-release
			})
		}
		return false
	}, vfs.IOError)
	s := startFaulty(t, t.TempDir(), ffs, "--appendfsync", "everysec")
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	b := s.client(t)
	check(t, b, "OK", "SET", "k", "1")
	hold.Store(true)
	check(t, b, "OK", "SET", "k", "2") // for the next background fsync
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no background fsync in 10 s")
	}

	// The background fsync runs (held): a's write waits for it.
	a, err := net.Dial("unix", s.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Write(resp.AppendCommandString(nil, "SET", "k", "3")); err != nil {
		t.Fatal(err)
	}
	ar := resp.NewReader(bufio.NewReader(a))
	// b's commands are served meanwhile, before a has its reply: once
	// a's SET has run, b sees its value.
	check(t, b, "PONG", "PING")
	for deadline := time.Now().Add(10 * time.Second); replyString(b.Do("GET", "k")) != "3"; {
		if time.Now().After(deadline) {
			t.Fatal("a's SET did not run in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	a.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if v, err := ar.ReadReply(); err == nil {
		t.Fatalf("SET answered (%q) before its write was done: it did not wait for the background fsync, or the loop waited for it instead of serving the other client", replyString(v))
	}
	close(release)
	a.SetReadDeadline(time.Now().Add(10 * time.Second))
	ar = resp.NewReader(bufio.NewReader(a)) // the timeout stays in a Reader
	if v, err := ar.ReadReply(); err != nil || replyString(v) != "OK" {
		t.Fatalf("SET: %v %v, want OK", replyString(v), err)
	}
}
