package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// watchStep is a command sent by one of a case's clients; a step with
// no args sleeps.
type watchStep struct {
	client int
	args   []string
	sleep  time.Duration
}

// watchCase is a WATCH scenario: the keys that exist first ("key" or
// "db:key"), live, already expired or expiring in 300ms; the steps; and
// the reply the last step must get.
type watchCase struct {
	name                string
	live, expired, soon []string
	steps               []watchStep
	want                string
}

func s(client int, args ...string) watchStep { return watchStep{client: client, args: args} }

func sleep(d time.Duration) watchStep { return watchStep{sleep: d} }

// tx is client 0's MULTI, PING, EXEC.
var tx = []watchStep{s(0, "MULTI"), s(0, "PING"), s(0, "EXEC")}

func steps(parts ...[]watchStep) []watchStep {
	var all []watchStep
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func one(st ...watchStep) []watchStep { return st }

const (
	aborted   = "(nil)"
	committed = "array[PONG]"
)

var watchCases = []watchCase{
	{name: "del", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "DEL", "a")), tx), want: aborted},
	{name: "del other key", live: []string{"a", "b"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "DEL", "b")), tx), want: committed},
	{name: "multi-key del of a missing watched key", live: []string{"b"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "DEL", "x", "b")), tx), want: committed},
	{name: "multi-key del", live: []string{"a", "b"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "UNLINK", "b", "a")), tx), want: aborted},
	{name: "own write", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(0, "DEL", "a")), tx), want: aborted},
	{name: "reads", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "EXISTS", "a"), s(1, "TTL", "a"), s(1, "TYPE", "a")), tx), want: committed},
	{name: "other database", live: []string{"a", "1:a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "SELECT", "1"), s(1, "DEL", "a")), tx), want: committed},
	{name: "watch in database 1", live: []string{"1:a"}, steps: steps(one(s(0, "SELECT", "1"), s(0, "WATCH", "a"), s(1, "SELECT", "1"), s(1, "DEL", "a")), tx), want: aborted},
	{name: "flushdb", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "FLUSHDB")), tx), want: aborted},
	{name: "flushdb, watched key missing", live: []string{"b"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "FLUSHDB")), tx), want: committed},
	{name: "flushdb of another database", live: []string{"a", "1:b"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "SELECT", "1"), s(1, "FLUSHDB")), tx), want: committed},
	{name: "flushall", live: []string{"1:a"}, steps: steps(one(s(0, "SELECT", "1"), s(0, "WATCH", "a"), s(1, "FLUSHALL")), tx), want: aborted},
	{name: "flushall, watched key missing", live: []string{"b"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "FLUSHALL", "ASYNC")), tx), want: committed},
	{name: "swapdb", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "SWAPDB", "0", "1")), tx), want: aborted},
	{name: "swapdb brings the key", live: []string{"1:x"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "SWAPDB", "1", "0")), tx), want: aborted},
	{name: "swapdb, key in neither", live: []string{"b", "1:c"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "SWAPDB", "0", "1")), tx), want: committed},
	{name: "swapdb with itself", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "SWAPDB", "0", "0")), tx), want: committed},
	{name: "swapdb brings an expired key", expired: []string{"1:x"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "SWAPDB", "0", "1")), tx), want: committed},
	{name: "expire", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "EXPIRE", "a", "100")), tx), want: aborted},
	{name: "expire in the past", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "PEXPIREAT", "a", "1")), tx), want: aborted},
	{name: "persist without ttl", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "PERSIST", "a")), tx), want: committed},
	{name: "expired since watch", soon: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), sleep(400*time.Millisecond)), tx), want: aborted},
	{name: "expired since watch and deleted", soon: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), sleep(400*time.Millisecond), s(1, "EXISTS", "a")), tx), want: aborted},
	{name: "watch an expired key", expired: []string{"x"}, steps: steps(one(s(0, "WATCH", "x")), tx), want: committed},
	{name: "watch an expired key, deleted by a read", expired: []string{"x"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "EXISTS", "x")), tx), want: committed},
	{name: "watch an expired key, recreated", expired: []string{"x"}, live: []string{"a"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "COPY", "a", "x")), tx), want: aborted},
	{name: "watch an expired key, flushdb", expired: []string{"x"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "FLUSHDB")), tx), want: committed},
	{name: "watch an expired key, multi-key del", expired: []string{"x"}, live: []string{"b"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "DEL", "x", "b")), tx), want: committed},
	{name: "watch an expired key, swapdb with a live one", expired: []string{"x"}, live: []string{"1:x"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "SWAPDB", "0", "1")), tx), want: aborted},
	{name: "rename to the watched key", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "b"), s(1, "RENAME", "a", "b")), tx), want: aborted},
	{name: "rename the watched key", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "RENAME", "a", "b")), tx), want: aborted},
	{name: "renamenx refused", live: []string{"a", "b"}, steps: steps(one(s(0, "WATCH", "b"), s(1, "RENAMENX", "a", "b")), tx), want: committed},
	{name: "move into the watched database", live: []string{"a"}, steps: steps(one(s(0, "SELECT", "1"), s(0, "WATCH", "a"), s(1, "MOVE", "a", "1")), tx), want: aborted},
	{name: "copy source is not touched", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "COPY", "a", "b")), tx), want: committed},
	{name: "copy into another database", live: []string{"a"}, steps: steps(one(s(0, "SELECT", "2"), s(0, "WATCH", "b"), s(1, "COPY", "a", "b", "DB", "2")), tx), want: aborted},
	{name: "unwatch", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(0, "UNWATCH"), s(1, "DEL", "a")), tx), want: committed},
	{name: "discard unwatches", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(0, "MULTI"), s(0, "DISCARD"), s(1, "DEL", "a")), tx), want: committed},
	{name: "exec unwatches", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a")), tx, one(s(1, "DEL", "a")), tx), want: committed},
	{name: "transaction of another client", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "MULTI"), s(1, "DEL", "a"), s(1, "EXEC")), tx), want: aborted},
	{name: "select in another client's transaction", live: []string{"1:a"}, steps: steps(one(s(0, "SELECT", "1"), s(0, "WATCH", "a"), s(1, "MULTI"), s(1, "SELECT", "1"), s(1, "DEL", "a"), s(1, "EXEC")), tx), want: aborted},
	{name: "watch once dirty", live: []string{"a", "b"}, steps: steps(one(s(0, "WATCH", "a"), s(1, "DEL", "a"), s(0, "WATCH", "b")), tx), want: aborted},
	{name: "execabort before dirty", live: []string{"a"}, steps: one(s(0, "WATCH", "a"), s(1, "DEL", "a"), s(0, "MULTI"), s(0, "NOPE"), s(0, "EXEC")), want: "(error) EXECABORT Transaction discarded because of previous errors."},
	{name: "several keys", live: []string{"a", "b"}, steps: steps(one(s(0, "WATCH", "a", "b", "c"), s(1, "DEL", "b")), tx), want: aborted},
	{name: "flushdb after copy in a transaction", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "MULTI"), s(1, "COPY", "a", "x"), s(1, "FLUSHDB"), s(1, "EXEC")), tx), want: aborted},
	{name: "flushdb after del in a transaction", live: []string{"a"}, steps: steps(one(s(0, "WATCH", "x"), s(1, "MULTI"), s(1, "DEL", "a"), s(1, "FLUSHDB"), s(1, "EXEC")), tx), want: committed},
	{name: "two watchers", live: []string{"a"}, steps: one(s(0, "WATCH", "a"), s(2, "WATCH", "a"), s(1, "DEL", "a"), s(2, "MULTI"), s(2, "EXEC"), s(0, "MULTI"), s(0, "PING"), s(0, "EXEC")), want: aborted},
}

// dbKey splits "db:key".
func dbKey(k string) (int, string) {
	if len(k) > 2 && k[1] == ':' {
		return int(k[0] - '0'), k[2:]
	}
	return 0, k
}

// runWatchCase runs a case on fresh connections and returns the replies.
func runWatchCase(t *testing.T, dial func() *redistest.Client, wc watchCase) []string {
	t.Helper()
	var clients [3]*redistest.Client
	var replies []string
	for _, st := range wc.steps {
		if st.args == nil {
			time.Sleep(st.sleep)
			continue
		}
		if clients[st.client] == nil {
			clients[st.client] = dial()
		}
		replies = append(replies, clients[st.client].Do(st.args...).String())
	}
	for _, c := range clients {
		if c != nil {
			c.Close()
		}
	}
	return replies
}

// ourWatchCase runs a case on a new server.
func ourWatchCase(t *testing.T, wc watchCase) []string {
	m := keyspace.NewMemory(nil)
	now := time.Now().UnixMilli()
	for _, set := range []struct {
		keys []string
		exp  int64
	}{{wc.live, 0}, {wc.expired, now - 1000}, {wc.soon, now + 300}} {
		for _, k := range set.keys {
			db, key := dbKey(k)
			e := &rdb.Entry{DB: db, Key: []byte(key), ExpireAt: set.exp, Value: rdb.String("v")}
			if err := m.Restore(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	ts := start(t, m, nil)
	defer ts.Shutdown()
	return runWatchCase(t, func() *redistest.Client { return ts.client(t) }, wc)
}

func TestWatch(t *testing.T) {
	for _, wc := range watchCases {
		t.Run(strings.ReplaceAll(wc.name, " ", "_"), func(t *testing.T) {
			got := ourWatchCase(t, wc)
			if last := got[len(got)-1]; last != wc.want {
				t.Errorf("replies %q; want the last %s", got, wc.want)
			}
		})
	}
}

// TestWatchAsRedis runs the cases on redis-server too and compares every
// reply.
func TestWatchAsRedis(t *testing.T) {
	real := redistest.Start(t, "", "--enable-debug-command", "yes")
	admin := real.Client()
	// Keys expire only when touched, as in the reference keyspace.
	admin.Must("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	for _, wc := range watchCases {
		t.Run(strings.ReplaceAll(wc.name, " ", "_"), func(t *testing.T) {
			admin.Must("FLUSHALL")
			for _, k := range wc.live {
				db, key := dbKey(k)
				admin.Must("SELECT", string(rune('0'+db)))
				admin.Must("SET", key, "v")
			}
			for _, k := range wc.expired {
				db, key := dbKey(k)
				admin.Must("SELECT", string(rune('0'+db)))
				admin.Must("SET", key, "v", "PX", "1")
			}
			for _, k := range wc.soon {
				db, key := dbKey(k)
				admin.Must("SELECT", string(rune('0'+db)))
				admin.Must("SET", key, "v", "PX", "300")
			}
			time.Sleep(5 * time.Millisecond)
			want := runWatchCase(t, real.Client, wc)
			got := ourWatchCase(t, wc)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("replies differ\n got: %q\nredis: %q", got, want)
			}
		})
	}
}
