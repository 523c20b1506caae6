package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/resp"
)

// storeServer is a server over a Store on a unix socket.
type storeServer struct {
	*respserver.Server
	dir, sock string
}

// startStore starts a server over a Store in dir (a new temporary one
// when ""), configured by redis-server arguments, as redistest.Start
// configures redis-server: no save points and AOF off unless args say
// otherwise. It is shut down when the test ends.
func startStore(t *testing.T, dir string, args ...string) *storeServer {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	cfg, err := respserver.ParseArgs(append([]string{"--save", "", "--appendonly", "no"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	s, err := respserver.OpenStore(dir, cfg.Persistence, &respserver.Options{Logger: testLogger(t), Goroutines: goroutines})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	sockDir, err := os.MkdirTemp("", "srv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s.sock")
	if _, err := s.Listen("unix", sock); err != nil {
		t.Fatal(err)
	}
	return &storeServer{Server: s, dir: dir, sock: sock}
}

func (s *storeServer) client(t *testing.T) *redistest.Client {
	t.Helper()
	return redistest.Dial(t, "unix", s.sock)
}

// both runs a command on redis-server and on the server, and fails the
// test when their replies differ; it returns the reply.
func both(t *testing.T, redis, ours *redistest.Client, args ...string) resp.Value {
	t.Helper()
	want, got := redis.Do(args...), ours.Do(args...)
	if w, g := want.String(), got.String(); w != g {
		t.Errorf("%q: redis-server %s, server %s", args, w, g)
	}
	return got
}

// waitBackground waits until INFO persistence says no save or rewrite
// runs.
func waitBackground(t *testing.T, c *redistest.Client) {
	t.Helper()
	for i := 0; ; i++ {
		info := string(c.Must("INFO", "persistence").Str)
		if strings.Contains(info, "rdb_bgsave_in_progress:0") && strings.Contains(info, "aof_rewrite_in_progress:0") &&
			!strings.Contains(info, "aof_rewrite_scheduled:1") {
			return
		}
		if i == 1000 {
			t.Fatalf("background job still running:\n%s", info)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// infoFields returns the field names of an INFO reply, in order.
func infoFields(info string) []string {
	var names []string
	for _, line := range strings.Split(info, "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok {
			names = append(names, name)
		} else if line != "" {
			names = append(names, line)
		}
	}
	return names
}

// TestStoreCommands compares the persistence commands' replies with
// redis-server's, with AOF on and off.
func TestStoreCommands(t *testing.T) {
	for _, aofOn := range []string{"no", "yes"} {
		t.Run("appendonly-"+aofOn, func(t *testing.T) {
			args := []string{"--appendonly", aofOn, "--save", "3600 1 300 100", "--enable-debug-command", "yes"}
			r := redistest.Start(t, "", args...).Client()
			o := startStore(t, "", args...).client(t)

			both(t, r, o, "SET", "k", "v")
			both(t, r, o, "SAVE")
			both(t, r, o, "SAVE", "x")
			if rl, ol := r.Must("LASTSAVE").Int, o.Must("LASTSAVE").Int; ol < rl-5 || ol > rl+5 {
				t.Errorf("LASTSAVE %d, redis-server %d", ol, rl)
			}
			both(t, r, o, "LASTSAVE", "x")
			both(t, r, o, "BGSAVE", "x")
			both(t, r, o, "BGSAVE", "SCHEDULE", "x")
			both(t, r, o, "BGSAVE")
			waitBackground(t, r)
			waitBackground(t, o)
			both(t, r, o, "BGSAVE", "SCHEDULE")
			waitBackground(t, r)
			waitBackground(t, o)
			both(t, r, o, "BGREWRITEAOF", "x")
			if aofOn == "yes" {
				both(t, r, o, "BGREWRITEAOF")
				waitBackground(t, r)
				waitBackground(t, o)
			}
			both(t, r, o, "MULTI")
			both(t, r, o, "SAVE")
			both(t, r, o, "EXEC")
			both(t, r, o, "MULTI")
			both(t, r, o, "BGSAVE")
			both(t, r, o, "SET", "k2", "v2")
			both(t, r, o, "EXEC")
			waitBackground(t, r)
			waitBackground(t, o)

			// INFO persistence: the same fields in the same order.
			ri, oi := string(r.Must("INFO", "persistence").Str), string(o.Must("INFO", "persistence").Str)
			if rf, of := infoFields(ri), infoFields(oi); !slices.Equal(rf, of) {
				t.Errorf("INFO persistence fields:\n%q\nredis-server:\n%q", of, rf)
			}
			for _, f := range []string{"rdb_bgsave_in_progress:0", "rdb_last_bgsave_status:ok", "aof_enabled:" + map[string]string{"yes": "1", "no": "0"}[aofOn]} {
				if !strings.Contains(oi, f+"\r\n") {
					t.Errorf("INFO persistence has no %s:\n%s", f, oi)
				}
			}
			ri, oi = string(r.Must("INFO").Str), string(o.Must("INFO", "persistence", "keyspace").Str)
			if !strings.Contains(oi, "\r\n\r\n# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n") || !strings.Contains(ri, "# Keyspace\r\ndb0:keys=2,") {
				t.Errorf("INFO persistence keyspace:\n%s\nredis-server INFO:\n%s", oi, ri)
			}

			// CONFIG GET of the persistence settings.
			for _, name := range []string{"appendonly", "appendfsync", "appendfilename", "appenddirname", "save", "dbfilename",
				"rdbcompression", "rdbchecksum", "auto-aof-rewrite-min-size", "aof-use-rdb-preamble", "databases",
				"stop-writes-on-bgsave-error", "no-appendfsync-on-rewrite", "aof-timestamp-enabled"} {
				both(t, r, o, "CONFIG", "GET", name)
			}
			both(t, r, o, "CONFIG", "SET", "appendfilename", "x")
			both(t, r, o, "CONFIG", "SET", "nosuch", "1")
			both(t, r, o, "CONFIG", "SET", "appendfsync", "sometimes")
			both(t, r, o, "CONFIG", "SET", "save", "1")
			both(t, r, o, "CONFIG", "SET", "appendfsync", "EVERYSEC")
			both(t, r, o, "CONFIG", "SET", "save", "3600 1 300 100")
			both(t, r, o, "CONFIG", "SET", "save")
			both(t, r, o, "CONFIG", "SET", "appendfsync", "always")
			both(t, r, o, "CONFIG", "GET", "appendfsync")

			// DEBUG RELOAD and FLUSHALL.
			both(t, r, o, "SET", "e", "1", "PX", "100000")
			both(t, r, o, "DEBUG", "RELOAD", "x")
			both(t, r, o, "DEBUG", "RELOAD")
			both(t, r, o, "DBSIZE")
			both(t, r, o, "GET", "k2")
			if pt := o.Must("PTTL", "e").Int; pt < 90000 || pt > 100000 {
				t.Errorf("PTTL after DEBUG RELOAD: %d", pt)
			}
			both(t, r, o, "FLUSHALL")
			both(t, r, o, "DBSIZE")
			both(t, r, o, "SHUTDOWN", "FOO")
			both(t, r, o, "SHUTDOWN", "ABORT")
		})
	}
}

// TestStoreShutdown: SHUTDOWN's final save as its arguments say, with
// the data back after a restart.
func TestStoreShutdown(t *testing.T) {
	for _, tc := range []struct {
		args  []string // SHUTDOWN's
		save  string   // --save
		saved bool
	}{
		{nil, "3600 1", true},
		{[]string{"NOSAVE"}, "3600 1", false},
		{nil, "", false},
		{[]string{"SAVE"}, "", true},
	} {
		dir := t.TempDir()
		s := startStore(t, dir, "--save", tc.save)
		c := s.client(t)
		c.Must("SET", "k", "v")
		shutdown := append([]string{"SHUTDOWN"}, tc.args...)
		sendNoReply(t, s.sock, shutdown...)
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: not shut down", shutdown)
		}
		s.Shutdown()
		_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
		if (err == nil) != tc.saved {
			t.Errorf("%q with save %q: dump.rdb %v, want saved %v", shutdown, tc.save, err, tc.saved)
		}
		want := "(nil)"
		if tc.saved {
			want = `"v"`
		}
		check(t, startStore(t, dir).client(t), want, "GET", "k")
	}
}

// sendNoReply sends a command that closes the connection (SHUTDOWN),
// and waits for the close.
func sendNoReply(t *testing.T, sock string, args ...string) {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(resp.AppendCommandString(nil, args...)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(c)
	if len(b) > 0 {
		t.Errorf("%q: reply %q", args, b)
	}
}

// TestStoreMisconf: a failed background save stops writes (and PING)
// with Redis's MISCONF error, in and out of MULTI, until a save
// succeeds; SHUTDOWN refuses to exit without its final save.
func TestStoreMisconf(t *testing.T) {
	args := []string{"--save", "3600 1"}
	rs := redistest.Start(t, "", args...)
	ss := startStore(t, "", args...)
	r, o := rs.Client(), ss.client(t)
	both(t, r, o, "SET", "a", "1")
	for _, dir := range []string{rs.Dir, ss.dir} {
		// dump.rdb a directory that is not empty: the rename fails.
		if err := os.MkdirAll(filepath.Join(dir, "dump.rdb", "x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	both(t, r, o, "BGSAVE")
	waitBackground(t, r)
	waitBackground(t, o)
	both(t, r, o, "SET", "b", "2")
	both(t, r, o, "GET", "a")
	both(t, r, o, "PING")
	both(t, r, o, "MULTI")
	both(t, r, o, "SET", "d", "4")
	both(t, r, o, "EXEC")
	both(t, r, o, "MULTI")
	both(t, r, o, "GET", "a")
	both(t, r, o, "EXEC")
	both(t, r, o, "SAVE")
	both(t, r, o, "FLUSHALL")
	both(t, r, o, "SHUTDOWN")
	both(t, r, o, "SHUTDOWN", "SAVE")
	for _, dir := range []string{rs.Dir, ss.dir} {
		if err := os.RemoveAll(filepath.Join(dir, "dump.rdb")); err != nil {
			t.Fatal(err)
		}
	}
	both(t, r, o, "SAVE")
	both(t, r, o, "SET", "b", "2")
	both(t, r, o, "PING")
}

// TestStoreWatch: WATCH and MULTI through Store.Write, with keys
// deleted by the Store's active expire cycle.
func TestStoreWatch(t *testing.T) {
	s := startStore(t, "", "--appendonly", "yes")
	c, c2 := s.client(t), s.client(t)
	check(t, c, "OK", "SET", "k", "1")
	check(t, c, "OK", "WATCH", "k")
	check(t, c2, "OK", "SET", "k", "2")
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "INCR", "k")
	check(t, c, "(nil)", "EXEC")

	check(t, c, "OK", "WATCH", "k")
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "INCR", "k")
	check(t, c, "QUEUED", "GET", "k")
	check(t, c, `array[3 "3"]`, "EXEC")

	// A watched key the active expire cycle deletes.
	check(t, c, "OK", "SET", "e", "1", "PX", "50")
	check(t, c, "OK", "WATCH", "e")
	for i := 0; c2.Do("EXISTS", "e").Int == 1 || ss(s) < 1; i++ {
		if i == 500 {
			t.Fatal("e not expired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "SET", "e", "2")
	check(t, c, "(nil)", "EXEC")
}

// ss returns the number of keys the active expire cycle has removed
// from the store's keyspace: here, whether it ran once, read from the
// AOF, which logs a DEL for each.
func ss(s *storeServer) int {
	b, _ := os.ReadFile(filepath.Join(s.dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	return strings.Count(string(b), "$3\r\nDEL\r\n")
}

// TestStoreConfigSet: CONFIG SET changes the Store's settings as it
// changes redis-server's (replies, errors, all or none, CONFIG GET
// after), and the changes take effect: the next rewrite's base follows
// aof-use-rdb-preamble, and the data directory loads in redis-server.
func TestStoreConfigSet(t *testing.T) {
	args := []string{"--appendonly", "yes"}
	rs := redistest.Start(t, "", args...)
	os := startStore(t, "", args...)
	r, o := rs.Client(), os.client(t)
	names := []string{"appendfsync", "save", "aof-use-rdb-preamble", "rdbcompression", "auto-aof-rewrite-percentage",
		"auto-aof-rewrite-min-size", "no-appendfsync-on-rewrite", "aof-timestamp-enabled", "aof-rewrite-incremental-fsync",
		"rdb-save-incremental-fsync", "stop-writes-on-bgsave-error", "aof-load-truncated", "dbfilename", "appendonly"}
	get := func() {
		t.Helper()
		for _, n := range names {
			both(t, r, o, "CONFIG", "GET", n)
		}
	}
	both(t, r, o, "CONFIG", "SET", "appendfsync", "ALWAYS")
	both(t, r, o, "CONFIG", "SET", "save", "3600 1 300 100", "aof-use-rdb-preamble", "no", "rdbcompression", "no",
		"auto-aof-rewrite-percentage", "50", "auto-aof-rewrite-min-size", "1mb", "no-appendfsync-on-rewrite", "yes",
		"aof-rewrite-incremental-fsync", "no", "rdb-save-incremental-fsync", "no", "stop-writes-on-bgsave-error", "no",
		"aof-load-truncated", "no")
	get()
	// All or none: an invalid value changes nothing.
	both(t, r, o, "CONFIG", "SET", "rdbcompression", "yes", "appendfsync", "sometimes")
	both(t, r, o, "CONFIG", "SET", "appendfsync", "no", "APPENDFSYNC", "always")
	both(t, r, o, "CONFIG", "SET", "save", "1")
	both(t, r, o, "CONFIG", "SET", "dbfilename", "other.rdb")
	both(t, r, o, "CONFIG", "SET", "rdbchecksum", "no")
	both(t, r, o, "CONFIG", "SET", "appendonly", "yes")
	both(t, r, o, "CONFIG", "SET", "save", "")
	get()
	// The AOF switched off and on: both servers start a new AOF (Redis
	// with a background rewrite, ours before it replies).
	both(t, r, o, "CONFIG", "SET", "appendonly", "no")
	both(t, r, o, "CONFIG", "GET", "appendonly")
	both(t, r, o, "CONFIG", "SET", "appendonly", "yes")
	waitBackground(t, r)
	both(t, r, o, "CONFIG", "GET", "appendonly")
	if got := os.Store().Options().AppendFsync.String(); got != "always" {
		t.Errorf("the Store's appendfsync: %s", got)
	}

	// The next rewrite writes a base of commands.
	for _, c := range []*redistest.Client{r, o} {
		c.Must("SET", "k", "v")
		c.Must("BGREWRITEAOF")
		waitBackground(t, c)
		c.Must("SET", "k2", "v2")
	}
	for _, dir := range []string{rs.Dir, os.dir} {
		if m, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.base.aof")); len(m) != 1 {
			t.Errorf("%s: bases %q after a rewrite with aof-use-rdb-preamble no", dir, m)
		}
	}
	both(t, r, o, "CONFIG", "SET", "aof-use-rdb-preamble", "yes")
	both(t, r, o, "BGREWRITEAOF")
	waitBackground(t, r)
	waitBackground(t, o)
	if m, _ := filepath.Glob(filepath.Join(os.dir, "appendonlydir", "*.base.rdb")); len(m) != 1 {
		t.Errorf("bases %q after a rewrite with aof-use-rdb-preamble yes", m)
	}
	o.Must("SET", "k3", "v3")
	os.Shutdown()

	// redis-server loads the directory the server wrote.
	r2 := redistest.Start(t, os.dir, args...).Client()
	if got := r2.Must("MGET", "k", "k2", "k3").String(); got != `array["v" "v2" "v3"]` {
		t.Errorf("redis-server loaded %s", got)
	}
}
