package rdb

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/resp"
)

// redisConn is a minimal RESP client for the interop test.
type redisConn struct {
	t  *testing.T
	c  net.Conn
	rd *resp.Reader
}

func (r *redisConn) do(args ...string) resp.Value {
	r.t.Helper()
	if _, err := r.c.Write(resp.AppendCommandString(nil, args...)); err != nil {
		r.t.Fatal(err)
	}
	v, err := r.rd.ReadReply()
	if err != nil {
		r.t.Fatal(err)
	}
	if v.Type == resp.TypeSimpleError {
		r.t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

// startRedis starts redis-server on a unix socket in dir, loading
// dir/dump.rdb, and returns a client.
func startRedis(t *testing.T, dir string) *redisConn {
	t.Helper()
	server := testenv.RedisServer(t)
	sock := filepath.Join(dir, "redis.sock")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, server, "--port", "0", "--unixsocket", sock, "--dir", dir,
		"--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--logfile", filepath.Join(dir, "redis.log"))
	must(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			rc := &redisConn{t: t, c: c, rd: resp.NewReader(c)}
			t.Cleanup(func() { c.Close() })
			for {
				if _, err := c.Write(resp.AppendCommandString(nil, "PING")); err != nil {
					t.Fatal(err)
				}
				v, err := rc.rd.ReadReply()
				must(t, err)
				if v.Type != resp.TypeSimpleError {
					return rc
				}
				if time.Now().After(deadline) {
					t.Fatalf("redis-server still loading: %s", v.Str)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInterop writes random data sets, checks them with redis-check-rdb,
// loads them in redis-server, reads every key back (DUMP and PEXPIRETIME)
// and compares; then has redis-server SAVE and reads its file back.
func TestInterop(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-rdb", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	r := testenv.Rand(t)
	for _, opts := range []WriterOptions{
		{Version: 10},
		{Version: 10, NoCompression: true, NoChecksum: true},
		{Version: 9},
	} {
		t.Run(fmt.Sprintf("v%d-nocompress=%v", opts.Version, opts.NoCompression), func(t *testing.T) {
			var entries []*Entry
			for _, e := range randDataset(r, opts.Version) {
				if _, ok := e.Value.(*Module); !ok { // no module is loaded
					entries = append(entries, e)
				}
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "dump.rdb")
			must(t, os.WriteFile(path, writeAll(t, entries, &opts), 0o644))
			if out, err := exec.Command(checker, path).CombinedOutput(); err != nil {
				t.Fatalf("redis-check-rdb: %v\n%s", err, out)
			}
			rc := startRedis(t, dir)
			perDB := map[int]int{}
			for _, e := range entries {
				perDB[e.DB]++
			}
			for db, n := range perDB {
				rc.do("SELECT", strconv.Itoa(db))
				if got := rc.do("DBSIZE").Int; got != int64(n) {
					t.Errorf("db %d: DBSIZE %d, wrote %d keys", db, got, n)
				}
			}
			for _, e := range entries {
				rc.do("SELECT", strconv.Itoa(e.DB))
				payload := rc.do("DUMP", string(e.Key))
				if payload.IsNull() {
					t.Fatalf("key %q missing", e.Key)
				}
				v, err := ParseDump(payload.Str)
				must(t, err)
				if got, want := toJSON(canonValue(v)), normalize(e.Value, opts.Version); got != want {
					t.Fatalf("key %q (%s):\n got %.500s\nwant %.500s", e.Key, e.Value.Type(), got, want)
				}
				exp := rc.do("PEXPIRETIME", string(e.Key)).Int
				if exp == -1 {
					exp = 0
				}
				if exp != e.ExpireAt {
					t.Errorf("key %q: PEXPIRETIME %d, wrote %d", e.Key, exp, e.ExpireAt)
				}
			}
			// Redis's own file of the same data reads back equal.
			rc.do("SAVE")
			got, _, err := readAll(bytes.NewReader(readFile(t, path)), nil)
			must(t, err)
			byKey := map[string]*Entry{}
			for _, g := range got {
				byKey[strconv.Itoa(g.DB)+"/"+string(g.Key)] = g
			}
			for _, e := range entries {
				g := byKey[strconv.Itoa(e.DB)+"/"+string(e.Key)]
				if g == nil {
					t.Fatalf("key %q missing from redis-server's save", e.Key)
				}
				if a, b := toJSON(canonValue(g.Value)), normalize(e.Value, opts.Version); a != b || g.ExpireAt != e.ExpireAt {
					t.Fatalf("key %q differs in redis-server's save", e.Key)
				}
			}
		})
	}
}
