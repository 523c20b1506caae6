package keyspacetest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// A script is a list of steps: the expected reply, then the command.
type script struct {
	name  string
	needs []string
	steps [][]string
}

const wrongType = "(error) WRONGTYPE Operation against a key holding the wrong kind of value"

var scripts = []script{
	{"strings", []string{"set", "get", "del", "exists", "incr", "append", "strlen"}, [][]string{
		{"(nil)", "GET", "k"},
		{"OK", "SET", "k", "v"},
		{`"v"`, "GET", "k"},
		{"2", "APPEND", "k", "w"},
		{"2", "STRLEN", "k"},
		{"1", "EXISTS", "k"},
		{"(error) ERR value is not an integer or out of range", "INCR", "k"},
		{"1", "INCR", "n"},
		{"1", "DEL", "k"},
		{"0", "DEL", "k"},
		{"OK", "SET", "bin\x00key", "\x00\xff"},
		{`"\x00\xff"`, "GET", "bin\x00key"},
		{"(error) ERR wrong number of arguments for 'get' command", "GET"},
	}},
	{"set-options", []string{"set", "get"}, [][]string{
		{"(nil)", "SET", "k", "v", "XX"},
		{"OK", "SET", "k", "v", "NX"},
		{"(nil)", "SET", "k", "w", "NX"},
		{`"v"`, "SET", "k", "w", "GET"},
		{"(error) ERR syntax error", "SET", "k", "v", "NX", "XX"},
		{"(error) ERR invalid expire time in 'set' command", "SET", "k", "v", "EX", "0"},
	}},
	{"lists", []string{"rpush", "lpush", "lrange", "lpop", "rpop", "llen", "set"}, [][]string{
		{"2", "RPUSH", "l", "a", "b"},
		{"3", "LPUSH", "l", "z"},
		{`array["z" "a" "b"]`, "LRANGE", "l", "0", "-1"},
		{`"z"`, "LPOP", "l"},
		{`"b"`, "RPOP", "l"},
		{"1", "LLEN", "l"},
		{`"a"`, "RPOP", "l"},
		{"0", "LLEN", "l"},
		{"OK", "SET", "s", "x"},
		{wrongType, "LPUSH", "s", "a"},
	}},
	{"sets", []string{"sadd", "srem", "sismember", "scard", "smembers"}, [][]string{
		{"3", "SADD", "s", "3", "1", "2"},
		{"0", "SADD", "s", "1"},
		{"array[\"1\" \"2\" \"3\"]", "SMEMBERS", "s"},
		{"1", "SISMEMBER", "s", "2"},
		{"1", "SREM", "s", "2"},
		{"2", "SCARD", "s"},
	}},
	{"hashes", []string{"hset", "hget", "hdel", "hgetall", "hincrby"}, [][]string{
		{"2", "HSET", "h", "f", "1", "g", "2"},
		{`"1"`, "HGET", "h", "f"},
		{"11", "HINCRBY", "h", "f", "10"},
		{`array["f" "11" "g" "2"]`, "HGETALL", "h"},
		{"1", "HDEL", "h", "f", "x"},
		{`array["g" "2"]`, "HGETALL", "h"},
	}},
	{"zsets", []string{"zadd", "zrange", "zscore", "zincrby", "zrem"}, [][]string{
		{"3", "ZADD", "z", "1", "a", "2", "b", "1", "c"},
		{`array["a" "c" "b"]`, "ZRANGE", "z", "0", "-1"},
		{`array["a" "1" "c" "1" "b" "2"]`, "ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{`"3.5"`, "ZINCRBY", "z", "1.5", "b"},
		{`array["b"]`, "ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV"},
		{`array["b" "c" "a"]`, "ZRANGE", "z", "+inf", "1", "BYSCORE", "REV"},
		{"1", "ZREM", "z", "a"},
		{`"1"`, "ZSCORE", "z", "c"},
	}},
	{"databases", []string{"set", "get", "select", "move", "swapdb", "flushdb", "dbsize", "rename", "copy"}, [][]string{
		{"OK", "SET", "k", "0"},
		{"OK", "SELECT", "1"},
		{"(nil)", "GET", "k"},
		{"OK", "SET", "k", "1"},
		{"OK", "SWAPDB", "0", "1"},
		{`"0"`, "GET", "k"},
		{"1", "MOVE", "k", "2"},
		{"0", "DBSIZE"},
		{"OK", "SELECT", "2"},
		{"OK", "RENAME", "k", "j"},
		{"0", "COPY", "j", "k", "DB", "0"}, // database 0 has k (from the SWAPDB)
		{"1", "COPY", "j", "k2", "DB", "0"},
		{"(error) ERR DB index is out of range", "SELECT", "100000"},
		{"OK", "FLUSHDB"},
		{"0", "DBSIZE"},
		{"OK", "SELECT", "0"},
		{`"1"`, "GET", "k"},
		{`"0"`, "GET", "k2"},
		{"(error) ERR no such key", "RENAME", "nokey", "x"},
	}},
}

func testCommands(t *testing.T, newKeyspace NewFunc) {
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			s := NewSession(t, newKeyspace(t))
			s.Require(sc.needs...)
			for _, st := range sc.steps {
				s.Expect(st[0], st[1:]...)
			}
		})
	}
}

// A propagation case: commands run first (setup), then one command and
// the records it must log, as "db: ARGS" lines; "" means nothing.
type propCase struct {
	needs []string
	setup [][]string
	cmd   []string
	want  string
}

// T0 + 10 s, the absolute forms of relative expiries of 10 s.
var t10s = strconv.FormatInt(T0+10_000, 10)

var propCases = []propCase{
	{[]string{"set"}, nil, []string{"SET", "k", "v"}, "0: SET k v\n"},
	{[]string{"set"}, nil, []string{"SET", "k", "v", "EX", "10"}, "0: SET k v PXAT " + t10s + "\n"},
	{[]string{"set"}, nil, []string{"SET", "k", "v", "PX", "10000", "NX"}, "0: SET k v PXAT " + t10s + "\n"},
	{[]string{"set"}, [][]string{{"SET", "k", "a"}}, []string{"SET", "k", "v", "NX"}, ""},
	{[]string{"setex"}, nil, []string{"SETEX", "k", "10", "v"}, "0: SET k v PXAT " + t10s + "\n"},
	{[]string{"set", "expire"}, [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "10"}, "0: PEXPIREAT k " + t10s + "\n"},
	{[]string{"expire"}, nil, []string{"EXPIRE", "missing", "10"}, ""},
	{[]string{"set", "expire"}, [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "-1"}, "0: DEL k\n"},
	{[]string{"set", "expire"}, [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "10", "XX"}, ""},
	{[]string{"del"}, nil, []string{"DEL", "missing"}, ""},
	{[]string{"set", "getdel"}, [][]string{{"SET", "k", "v"}}, []string{"GETDEL", "k"}, "0: DEL k\n"},
	{[]string{"set", "getex"}, [][]string{{"SET", "k", "v"}}, []string{"GETEX", "k"}, ""},
	{[]string{"set", "getex"}, [][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "EX", "10"}, "0: PEXPIREAT k " + t10s + "\n"},
	{[]string{"set", "getset"}, nil, []string{"GETSET", "k", "v"}, "0: SET k v\n"},
	{[]string{"incrbyfloat"}, nil, []string{"INCRBYFLOAT", "f", "1.5"}, "0: SET f 1.5 KEEPTTL\n"},
	{[]string{"hincrbyfloat"}, nil, []string{"HINCRBYFLOAT", "h", "f", "1.5"}, "0: HSET h f 1.5\n"},
	{[]string{"sadd", "spop"}, [][]string{{"SADD", "s", "m"}}, []string{"SPOP", "s"}, "0: SREM s m\n"},
	{[]string{"rpush", "blpop"}, [][]string{{"RPUSH", "l", "a", "b"}}, []string{"BLPOP", "l", "0"}, "0: LPOP l\n"},
	{[]string{"rpush", "lmpop"}, [][]string{{"RPUSH", "l", "a", "b"}}, []string{"LMPOP", "1", "l", "RIGHT", "COUNT", "5"}, "0: RPOP l 2\n"},
	{[]string{"flushdb"}, nil, []string{"FLUSHDB"}, "0: FLUSHDB\n"},
	{[]string{"select", "set"}, [][]string{{"SELECT", "3"}}, []string{"SET", "k", "v"}, "3: SET k v\n"},
}

func testPropagation(t *testing.T, newKeyspace NewFunc) {
	for _, pc := range propCases {
		t.Run(fmt.Sprint(pc.cmd), func(t *testing.T) {
			s := NewSession(t, newKeyspace(t))
			s.Require(pc.needs...)
			for _, c := range pc.setup {
				s.Do(c...)
			}
			_, recs := s.Do(pc.cmd...)
			if got := FormatRecords(recs); got != pc.want {
				t.Errorf("%q logged:\n%s\nwant:\n%s", pc.cmd, got, pc.want)
			}
		})
	}
}

func testExpiry(t *testing.T, newKeyspace NewFunc) {
	s := NewSession(t, newKeyspace(t))
	s.Require("set", "get", "pttl", "ttl", "persist", "dbsize")
	s.Expect("OK", "SET", "k", "v", "PX", "100")
	s.Expect("100", "PTTL", "k")
	s.Expect("-2", "TTL", "nokey")
	s.Now += 50
	s.Expect(`"v"`, "GET", "k")
	s.Expect("50", "PTTL", "k")
	s.Now += 51
	s.Log = nil
	s.Expect("(nil)", "GET", "k")
	if got := FormatRecords(s.Log); got != "0: DEL k\n" {
		t.Errorf("reading an expired key logged %q, want a DEL", got)
	}
	s.Expect("-2", "PTTL", "k")
	s.Expect("0", "DBSIZE")
	s.Expect("OK", "SET", "p", "v", "EX", "1")
	s.Expect("1", "PERSIST", "p")
	s.Now += 10_000
	s.Expect(`"v"`, "GET", "p")

	// While loading, nothing expires.
	ks := newKeyspace(t)
	Replay(t, ks, []keyspace.Record{{DB: 0, Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v"), []byte("PXAT"), []byte("1")}}}, T0)
	if d := SnapshotData(t, ks); len(d) != 0 {
		t.Errorf("snapshot holds a key expired at its instant: %v", d)
	}
	c := &keyspace.Call{Args: [][]byte{[]byte("GET"), []byte("k")}, Loading: true, Write: true, Now: T0}
	if err := ks.Exec(c); err != nil {
		t.Fatal(err)
	}
	if got := ReplyString(t, c.Reply.Buf); got != `"v"` {
		t.Errorf("GET while loading a key past its time: %s, want \"v\"", got)
	}

	// ActiveExpire removes expired keys and logs DEL.
	if ae, ok := ks.(keyspace.ActiveExpirer); ok {
		s := NewSession(t, ks)
		s.Require("set", "dbsize")
		for i := 0; i < 100; i++ {
			s.Do("SET", "e"+strconv.Itoa(i), "v", "PXAT", strconv.FormatInt(T0+1, 10))
		}
		s.Do("SET", "keep", "v")
		// Call until a call finds nothing and says so; each call is
		// bounded, so this takes a few rounds.
		var log []keyspace.Record
		for i := 0; i < 10000; i++ {
			n := len(log)
			var more bool
			log, more = ae.ActiveExpire(T0+2, 50, log)
			if !more && len(log) == n && i > 100 {
				break
			}
		}
		if len(log) != 101 { // 100 plus "k" from the replay above
			t.Errorf("ActiveExpire logged %d records, want 101:\n%s", len(log), FormatRecords(log))
		}
		s.Now = T0 + 2
		s.Expect("1", "DBSIZE")
	}
}

func testWriteNeeded(t *testing.T, newKeyspace NewFunc) {
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set", "get")
	s.Expect("OK", "SET", "k", "v", "PXAT", strconv.FormatInt(T0+1, 10))
	// A write without the write turn.
	c := &keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("x"), []byte("y")}, Now: T0}
	if err := ks.Exec(c); !errors.Is(err, keyspace.ErrWriteNeeded) {
		t.Errorf("SET without the write turn: %v, want ErrWriteNeeded", err)
	}
	// A read that meets an expired key.
	c = &keyspace.Call{Args: [][]byte{[]byte("GET"), []byte("k")}, Now: T0 + 2}
	if err := ks.Exec(c); !errors.Is(err, keyspace.ErrWriteNeeded) {
		t.Errorf("GET of an expired key without the write turn: %v, want ErrWriteNeeded", err)
	}
	if len(c.Reply.Buf) != 0 || len(c.Log) != 0 {
		t.Errorf("ErrWriteNeeded with a reply %q or records %v", c.Reply.Buf, c.Log)
	}
	s.Now = T0
	s.Expect(`"v"`, "GET", "k") // still there at T0
	s.Expect("(nil)", "GET", "x")
}

func testMulti(t *testing.T, newKeyspace NewFunc) {
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set", "get", "select", "incr", "mget")
	calls := []keyspace.Call{
		{Args: args("SET", "a", "1"), Now: T0},
		{Args: args("SELECT", "2"), Now: T0},
		{Args: args("SET", "a", "2"), Now: T0},
		{Args: args("INCR", "a"), Now: T0},
		{Args: args("GET", "a"), Now: T0},
	}
	if err := ks.ExecMulti(calls); err != nil {
		t.Fatal(err)
	}
	var recs []keyspace.Record
	for _, c := range calls {
		recs = append(recs, c.Log...)
	}
	if got, want := FormatRecords(recs), "0: SET a 1\n2: SET a 2\n2: INCR a\n"; got != want {
		t.Errorf("MULTI logged:\n%s\nwant:\n%s", got, want)
	}
	if got := ReplyString(t, calls[4].Reply.Buf); got != `"3"` {
		t.Errorf("GET inside MULTI after SELECT: %s", got)
	}
	if calls[4].DB != 2 {
		t.Errorf("DB after SELECT inside MULTI: %d", calls[4].DB)
	}

	// Readers never see half a transaction.
	s.Expect("OK", "SET", "x", "0")
	s.Expect("OK", "SET", "y", "0")
	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad errOnce
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				c := &keyspace.Call{Args: args("MGET", "x", "y"), Now: T0}
				if err := ks.Exec(c); err != nil {
					bad.set(err)
					return
				}
				v, err := resp.NewReader(bytes.NewReader(c.Reply.Buf)).ReadReply()
				if err != nil || len(v.Elems) != 2 {
					bad.set(fmt.Errorf("MGET replied %q (%v)", c.Reply.Buf, err))
					return
				}
				if x, y := v.Elems[0].Str, v.Elems[1].Str; !bytes.Equal(x, y) {
					bad.set(fmt.Errorf("MGET saw half a transaction: x=%s y=%s", x, y))
					return
				}
			}
		}()
	}
	for i := 1; i <= 300; i++ {
		v := strconv.Itoa(i)
		if err := ks.ExecMulti([]keyspace.Call{{Args: args("SET", "x", v), Now: T0}, {Args: args("SET", "y", v), Now: T0}}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.err != nil {
		t.Error(bad.err)
	}
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// randomCommands returns a random workload over the commands ks knows.
func randomCommands(ks keyspace.Keyspace, n int, seedRand func(int) int) [][]string {
	pool := [][]string{
		{"SET", "K", "V"}, {"SET", "K", "V", "EX", "5"}, {"SET", "K", "V", "PXAT", strconv.FormatInt(T0-1, 10)},
		{"DEL", "K"}, {"INCR", "K"}, {"APPEND", "K", "V"}, {"EXPIRE", "K", "3"}, {"PERSIST", "K"},
		{"RPUSH", "K", "V"}, {"LPOP", "K"}, {"SADD", "K", "V"}, {"SREM", "K", "V"}, {"SPOP", "K"},
		{"HSET", "K", "V", "V"}, {"HDEL", "K", "V"}, {"HINCRBYFLOAT", "K", "V", "0.1"}, {"INCRBYFLOAT", "K", "0.1"},
		{"ZADD", "K", "1", "V"}, {"ZINCRBY", "K", "2", "V"}, {"ZPOPMIN", "K"},
		{"RENAME", "K", "K"}, {"MOVE", "K", "1"}, {"COPY", "K", "K", "REPLACE"}, {"SELECT", "1"}, {"SELECT", "0"},
		{"GET", "K"}, {"SWAPDB", "0", "1"},
	}
	var out [][]string
	for len(out) < n {
		c := pool[seedRand(len(pool))]
		if _, ok := ks.Command([]byte(c[0])); !ok {
			continue
		}
		cmd := make([]string, len(c))
		for i, a := range c {
			switch a {
			case "K":
				a = "k" + strconv.Itoa(seedRand(8))
			case "V":
				a = strconv.Itoa(seedRand(5))
			}
			cmd[i] = a
		}
		out = append(out, cmd)
	}
	return out
}

func testReplay(t *testing.T, newKeyspace NewFunc) {
	r := rng(t)
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set")
	for i, c := range randomCommands(ks, 3000, r.IntN) {
		s.Now = T0 + int64(i)*7 // time passes: some keys expire
		s.Do(c...)
	}
	// Replayed much later, with nothing expiring while loading, and then
	// compared at the same instant as the original.
	replica := newKeyspace(t)
	Replay(t, replica, s.Log, T0+10_000_000)
	if d := Diff(SnapshotData(t, ks), SnapshotData(t, replica)); d != "" {
		t.Errorf("replaying the log gives other data:\n%s", d)
	}
}

// sampleEntries is one key of every type the value model has, except
// modules.
func sampleEntries() []*rdb.Entry {
	far := int64(4_102_444_800_000) // 2100: not expired at the snapshot's real-time instant
	return []*rdb.Entry{
		{DB: 0, Key: []byte("str"), Value: rdb.String("hello")},
		{DB: 0, Key: []byte("exp"), ExpireAt: far, Value: rdb.String("x")},
		{DB: 1, Key: []byte("list"), Value: rdb.List{[]byte("a"), []byte("b")}},
		{DB: 1, Key: []byte("set"), Value: rdb.Set{[]byte("1"), []byte("x")}},
		{DB: 2, Key: []byte("zset"), Value: rdb.ZSet{{Member: []byte("a"), Score: 1.5}, {Member: []byte("b"), Score: -2}}},
		{DB: 2, Key: []byte("hash"), Value: rdb.Hash{{Field: []byte("f"), Value: []byte("v")}}},
		{DB: 3, Key: []byte("stream"), Value: &rdb.Stream{
			Entries: []rdb.StreamEntry{{ID: rdb.StreamID{Ms: 1, Seq: 0}, Fields: [][]byte{[]byte("f"), []byte("v")}}},
			Length:  1, LastID: rdb.StreamID{Ms: 1}, FirstID: rdb.StreamID{Ms: 1}, EntriesAdded: 1,
		}},
	}
}

func testRestoreSnapshot(t *testing.T, newKeyspace NewFunc) {
	ks := newKeyspace(t)
	want := Data{}
	for _, e := range sampleEntries() {
		if err := ks.Restore(e); err != nil {
			t.Fatalf("Restore %q: %v", e.Key, err)
		}
		want[fmt.Sprintf("%d/%q", e.DB, e.Key)] = fmt.Sprintf("%s %s exp=%d", e.Value.Type(), Canonical(e.Value), e.ExpireAt)
	}
	// A lent entry, as an RDB reader with LendEntries gives: a string
	// value may be a *rdb.String, and the entry and that String are
	// reused for the next key once Restore returns.
	lent := rdb.String("lent value")
	e := &rdb.Entry{DB: 0, Key: []byte("lent"), Value: &lent}
	if err := ks.Restore(e); err != nil {
		t.Fatalf("Restore of a *rdb.String: %v", err)
	}
	want[`0/"lent"`] = `string "lent value" exp=0`
	*e = rdb.Entry{DB: 0, Key: []byte("other"), Value: &lent}
	lent = rdb.String("changed")
	if err := ks.Restore(&rdb.Entry{Key: []byte("gone"), ExpireAt: 1, Expired: true, Value: rdb.String("x")}); err != nil {
		t.Fatalf("Restore of an expired key: %v", err)
	}
	if err := ks.Restore(&rdb.Entry{Key: []byte("str"), Value: rdb.String("again")}); err == nil {
		t.Errorf("Restore of a duplicate key: no error")
	}
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sizes := s.Sizes()
	if len(sizes) < 4 || sizes[0] != (keyspace.DBSize{Keys: 3, Expires: 1}) || sizes[1].Keys != 2 {
		t.Errorf("Sizes: %v", sizes)
	}
	if d := Diff(want, ReadSnapshot(t, s)); d != "" {
		t.Errorf("snapshot after Restore:\n%s", d)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func testSnapshotIsolation(t *testing.T, newKeyspace NewFunc) {
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set", "del", "rename", "move", "swapdb", "flushall", "select")
	for i := 0; i < 500; i++ {
		s.Do("SET", "k"+strconv.Itoa(i), strconv.Itoa(i))
	}
	s.Do("SELECT", "1")
	s.Do("SET", "one", "1")
	s.Do("SELECT", "0")
	before := SnapshotData(t, ks)

	snap, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	half, err := ks.Snapshot() // abandoned half way
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := half.Next(); err != nil {
			t.Fatal(err)
		}
	}
	got := Data{}
	// Read a little, change everything, read the rest.
	for i := 0; i < 100; i++ {
		e, err := snap.Next()
		if err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprintf("%d/%q", e.DB, e.Key)] = fmt.Sprintf("%s %s exp=%d", e.Value.Type(), Canonical(e.Value), e.ExpireAt)
	}
	for i := 0; i < 500; i += 3 {
		k := "k" + strconv.Itoa(i)
		s.Do("SET", k, "changed")
		s.Do("DEL", "k"+strconv.Itoa(i+1))
		s.Do("RENAME", "k"+strconv.Itoa(i+2), "r"+strconv.Itoa(i))
	}
	s.Do("MOVE", "k0", "2")
	s.Do("SWAPDB", "0", "1")
	s.Do("FLUSHALL")
	s.Do("SET", "new", "x")
	for k, v := range ReadSnapshot(t, snap) {
		got[k] = v
	}
	if d := Diff(before, got); d != "" {
		t.Errorf("snapshot changed by later writes:\n%s", d)
	}
	if err := half.Close(); err != nil {
		t.Fatal(err)
	}
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := half.Next(); err == nil {
		t.Errorf("Next after Close: no error")
	}
}

func testSnapshotConcurrent(t *testing.T, newKeyspace NewFunc) {
	r := rng(t)
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set")
	for _, c := range randomCommands(ks, 2000, r.IntN) {
		s.Do(c...)
	}
	for round := 0; round < 5; round++ {
		before := SnapshotData(t, ks)
		snap, err := ks.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var got Data
		done := make(chan struct{})
		go func() {
			defer close(done)
			got = ReadSnapshot(t, snap)
		}()
		for _, c := range randomCommands(ks, 500, r.IntN) {
			s.Do(c...)
		}
		<-done
		snap.Close()
		if d := Diff(before, got); d != "" {
			t.Fatalf("round %d: snapshot taken while writing differs:\n%s", round, d)
		}
	}
}

func testConcurrentReads(t *testing.T, newKeyspace NewFunc) {
	r := rng(t)
	ks := newKeyspace(t)
	s := NewSession(t, ks)
	s.Require("set", "get")
	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad errOnce
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				c := &keyspace.Call{Args: args("GET", "k"+strconv.Itoa(i%8)), Now: T0}
				err := ks.Exec(c)
				if err != nil && !errors.Is(err, keyspace.ErrWriteNeeded) {
					bad.set(err)
					return
				}
			}
		}()
	}
	for _, c := range randomCommands(ks, 3000, r.IntN) {
		s.Do(c...)
	}
	stop.Store(true)
	wg.Wait()
	if bad.err != nil {
		t.Error(bad.err)
	}
}
