package main

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/resp"
)

// interopCommands write strings, lists, sets, sorted sets, hashes,
// streams with a consumer group, HyperLogLogs, geo sets and expiries, in
// several databases, in and out of MULTI; the keys with
// expiries have long ones, but for "gone", which expires at once.
var interopCommands = [][]string{
	{"SET", "s", "hello"},
	{"SET", "n", "41"},
	{"INCR", "n"},
	{"APPEND", "s", " world"},
	{"SETRANGE", "s", "0", "J"},
	{"SET", "f", "1.5"},
	{"INCRBYFLOAT", "f", "0.25"},
	{"SET", "long", strings.Repeat("abcdefghij", 30)},
	{"SET", "bin", "a\x00b\r\nc\xff"},
	{"SETEX", "ttl", "1000", "x"},
	{"SET", "pttl", "y", "PX", "2000000"},
	{"SET", "gone", "z", "PX", "1"},
	{"RPUSH", "l", "a", "b", "c", "d", "1", "2", "300000"},
	{"LPUSH", "l", "z"},
	{"LINSERT", "l", "BEFORE", "c", "bc"},
	{"LPOP", "l"},
	{"RPUSH", "biglist", "x"},
	{"SADD", "si", "1", "2", "3", "100000", "-5"},
	{"SADD", "ss", "a", "b", "c", "1"},
	{"SREM", "ss", "b"},
	{"SINTERSTORE", "dest", "si", "ss"},
	{"ZADD", "z", "1", "a", "2.5", "b", "-3", "c", "1e10", "d", "inf", "e"},
	{"ZINCRBY", "z", "0.1", "a"},
	{"ZUNIONSTORE", "zu", "1", "z", "WEIGHTS", "2"},
	{"HSET", "h", "f1", "v1", "f2", "v2", "n", "10"},
	{"HINCRBY", "h", "n", "5"},
	{"HSET", "bigh", "f", strings.Repeat("v", 100)},
	{"EXPIRE", "h", "5000"},
	{"PEXPIREAT", "z", "4102444800000"},
	{"SET", "p", "1", "EX", "100"},
	{"PERSIST", "p"},
	{"GETEX", "s", "EX", "7000"},
	{"MULTI"},
	{"SET", "m1", "1"},
	{"RPUSH", "m2", "a", "b"},
	{"EXPIRE", "m2", "9000"},
	{"EXEC"},
	{"SELECT", "3"},
	{"SET", "db3", "three"},
	{"SADD", "db3set", "x"},
	{"COPY", "db3", "db3copy"},
	{"MOVE", "db3set", "4"},
	{"SELECT", "5"},
	{"HSET", "db5h", "a", "1"},
	{"SWAPDB", "5", "6"},
	{"SELECT", "0"},
	{"RENAME", "dest", "inter"},
	{"DEL", "biglist"},
	{"XADD", "x", "1-1", "f", "v"},
	{"XADD", "x", "2-1", "f", "w", "g", "u"},
	{"XADD", "x", "MAXLEN", "=", "5", "3-0", "a", "b"},
	{"XGROUP", "CREATE", "x", "grp", "0"},
	{"XREADGROUP", "GROUP", "grp", "c1", "COUNT", "2", "STREAMS", "x", ">"},
	{"XADD", "x", "4-0", "f", "v"},
	// Not a pending entry: a rewrite to commands (a RESP base) loses
	// pending entries whose stream entry is gone, in Redis as here
	// (XCLAIM skips an ID the stream lacks).
	{"XDEL", "x", "3-0"},
	{"XGROUP", "CREATECONSUMER", "x", "grp", "idle"},
	{"PFADD", "hll", "a", "b", "c"},
	{"PFADD", "hll2", "x"},
	{"PFMERGE", "hllm", "hll", "hll2"},
	{"GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
	{"GEOSEARCHSTORE", "geonear", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"},
}

// moreCommands run after a rewrite or a save, so that the AOF has an
// incr file after its base.
var moreCommands = [][]string{
	{"SET", "after", "rewrite"},
	{"RPUSH", "l", "tail"},
	{"ZADD", "z", "7", "g"},
	{"HSET", "h", "f3", "v3"},
	{"SADD", "si", "42"},
	{"DEL", "n"},
	{"XACK", "x", "grp", "1-1"},
	{"XADD", "x", "5-0", "k", "v"},
	{"PFADD", "hll", "d"},
	{"GEOADD", "geo", "2.35", "48.85", "Paris"},
}

// TestInterop runs the same commands on redis-server and on the server,
// with AOF (RDB or RESP base) and with RDB only; then each one's data
// directory is loaded by the other, and the data, with expiry times,
// must be the same everywhere.
func TestInterop(t *testing.T) {
	testenv.RedisServer(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"aof-rdb-base", []string{"--appendonly", "yes", "--appendfsync", "always"}},
		{"aof-resp-base", []string{"--appendonly", "yes", "--aof-use-rdb-preamble", "no"}},
		{"rdb", []string{"--appendonly", "no", "--save", "3600 1"}},
		{"rdb-uncompressed", []string{"--appendonly", "no", "--save", "3600 1", "--rdbcompression", "no", "--dbfilename", "data.rdb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := redistest.Start(t, "", tc.args...)
			ss := startStore(t, "", tc.args...)
			r, o := rs.Client(), ss.client(t)
			for _, cmd := range interopCommands {
				both(t, r, o, cmd...)
			}
			aofOn := tc.args[1] == "yes"
			if aofOn {
				both(t, r, o, "BGREWRITEAOF")
			} else {
				both(t, r, o, "BGSAVE")
			}
			waitBackground(t, r)
			waitBackground(t, o)
			for _, cmd := range moreCommands {
				both(t, r, o, cmd...)
			}
			// Relative expiries, set a moment apart, may differ by a
			// few milliseconds; what each server loads is exact.
			redisData, ourData := logicalData(t, r), logicalData(t, o)
			if d := dataDiff(redisData, ourData, 1000); d != "" {
				t.Fatalf("the server's data differs from redis-server's:\n%s", d)
			}
			if _, ok := redisData["0/gone"]; ok || len(redisData) < 20 {
				t.Fatalf("unexpected data: %v", redisData)
			}

			// SHUTDOWN, then each directory in the other server.
			shutdownRedis(t, rs.Socket)
			sendNoReply(t, ss.sock, "SHUTDOWN")
			ss.Shutdown()

			// The data is where each mode keeps it: for the AOF, the
			// rewrite's base and the incr file after it.
			files := []string{"appendonlydir/appendonly.aof.manifest", "appendonlydir/appendonly.aof.2.incr.aof"}
			if !aofOn {
				files = []string{tc.args[len(tc.args)-1]}
				if !strings.HasSuffix(files[0], ".rdb") {
					files[0] = "dump.rdb"
				}
			}
			for _, d := range []string{ss.dir, rs.Dir} {
				for _, f := range files {
					if _, err := os.Stat(filepath.Join(d, f)); err != nil {
						t.Errorf("after SHUTDOWN: %v", err)
					}
				}
			}
			r2 := redistest.Start(t, ss.dir, tc.args...).Client()
			if d := dataDiff(ourData, logicalData(t, r2), 0); d != "" {
				t.Errorf("redis-server loading the server's directory:\n%s", d)
			}
			o2 := startStore(t, rs.Dir, tc.args...).client(t)
			if d := dataDiff(redisData, logicalData(t, o2), 0); d != "" {
				t.Errorf("the server loading redis-server's directory:\n%s", d)
			}
		})
	}
}

// shutdownRedis sends SHUTDOWN to a redis-server and waits until it
// has closed the connection, which it does after its final save.
func shutdownRedis(t *testing.T, sock string) {
	t.Helper()
	sendNoReply(t, sock, "SHUTDOWN")
	for i := 0; ; i++ {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return
		}
		c.Close()
		if i == 500 {
			t.Fatal("redis-server still running after SHUTDOWN")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// keyData is a key's type and value in a canonical form (members and
// fields sorted), and its expiry time (PEXPIRETIME).
type keyData struct {
	value  string
	expire int64
}

// logicalData reads every key of the 16 databases, by "db/key".
func logicalData(t *testing.T, c *redistest.Client) map[string]keyData {
	t.Helper()
	data := map[string]keyData{}
	for db := range 16 {
		c.Must("SELECT", strconv.Itoa(db))
		for _, k := range c.Must("KEYS", "*").Elems {
			key := string(k.Str)
			typ := c.Must("TYPE", key).String()
			var v string
			switch typ {
			case "string":
				v = c.Must("GET", key).String()
			case "list":
				v = c.Must("LRANGE", key, "0", "-1").String()
			case "set":
				v = sortedElems(c.Must("SMEMBERS", key), 1)
			case "zset":
				v = c.Must("ZRANGE", key, "0", "-1", "WITHSCORES").String()
			case "hash":
				v = sortedElems(c.Must("HGETALL", key), 2)
			case "stream":
				// Entries, groups and pending entries without the
				// delivery and seen times, which differ between servers.
				v = c.Must("XRANGE", key, "-", "+").String() + " " + c.Must("XINFO", "GROUPS", key).String()
				for _, g := range c.Must("XINFO", "GROUPS", key).Elems {
					v += " " + c.Must("XPENDING", key, string(g.Elems[1].Str)).String()
				}
			default:
				t.Fatalf("db %d key %q: type %s", db, key, typ)
			}
			exp := c.Must("PEXPIRETIME", key).Int
			data[fmt.Sprintf("%d/%s", db, key)] = keyData{typ + " " + v, exp}
		}
	}
	c.Must("SELECT", "0")
	return data
}

// sortedElems renders an array's elements, in groups of n, sorted.
func sortedElems(v resp.Value, n int) string {
	var groups []string
	for i := 0; i+n <= len(v.Elems); i += n {
		var g []string
		for _, e := range v.Elems[i : i+n] {
			g = append(g, e.String())
		}
		groups = append(groups, strings.Join(g, "="))
	}
	sort.Strings(groups)
	return "[" + strings.Join(groups, " ") + "]"
}

// dataDiff describes the keys that differ, with expiry times tol ms
// apart counted as equal; "" when none.
func dataDiff(want, got map[string]keyData, tol int64) string {
	keys := slices.Sorted(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	var b strings.Builder
	for _, k := range keys {
		w, g := want[k], got[k]
		if w.value != g.value || w.expire-g.expire > tol || g.expire-w.expire > tol {
			fmt.Fprintf(&b, "%s:\n  want %+v\n  got  %+v\n", k, w, g)
		}
	}
	return b.String()
}
