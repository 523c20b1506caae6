package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// testServer is a server on a unix socket over a Memory keyspace.
type testServer struct {
	*respserver.Server
	ks   *keyspace.Memory
	sock string
}

// start starts a server over ks (a new Memory when nil) on a unix
// socket, stopped when the test ends. Keys to create can be put in ks
// before: the generic commands cannot create keys.
func start(t *testing.T, ks keyspace.Keyspace, opts *respserver.Options) *testServer {
	t.Helper()
	if ks == nil {
		ks = keyspace.NewMemory(nil)
	}
	if opts == nil {
		opts = &respserver.Options{}
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	opts.Goroutines = goroutines
	s := respserver.New(ks, opts)
	t.Cleanup(s.Shutdown)
	// A unix socket path is limited to about 100 bytes: t.TempDir's can
	// be longer.
	dir, err := os.MkdirTemp("", "srv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s.sock")
	if _, err := s.Listen("unix", sock); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: s, sock: sock}
	ts.ks, _ = ks.(*keyspace.Memory)
	return ts
}

func (ts *testServer) client(t *testing.T) *redistest.Client {
	t.Helper()
	return redistest.Dial(t, "unix", ts.sock)
}

// newMemory returns a keyspace holding the string keys given, as "db:key"
// or "key" (database 0), each with the value "v".
func newMemory(t testing.TB, keys ...string) *keyspace.Memory {
	t.Helper()
	m := keyspace.NewMemory(nil)
	for _, k := range keys {
		db := 0
		if i := strings.IndexByte(k, ':'); i == 1 {
			db = int(k[0] - '0')
			k = k[2:]
		}
		if err := m.Restore(&rdb.Entry{DB: db, Key: []byte(k), Value: rdb.String("v")}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// check sends args and compares the reply, rendered by resp.Value.String.
func check(t *testing.T, c *redistest.Client, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...).String(); got != want {
		t.Errorf("%q: got %s, want %s", args, got, want)
	}
}

func TestGenericCommands(t *testing.T) {
	ts := start(t, newMemory(t, "a", "b", "1:c"), nil)
	c := ts.client(t)
	check(t, c, "PONG", "PING")
	check(t, c, `"hi"`, "PING", "hi")
	check(t, c, `"x y"`, "ECHO", "x y")
	check(t, c, "2", "EXISTS", "a", "b", "nope")
	check(t, c, "2", "DBSIZE")
	check(t, c, "1", "EXPIRE", "a", "100")
	check(t, c, "100", "TTL", "a")
	check(t, c, "OK", "RENAME", "a", "z")
	check(t, c, "(error) ERR no such key", "RENAME", "a", "y")
	check(t, c, "1", "DEL", "z")
	check(t, c, "0", "DEL", "z")
	check(t, c, "(error) ERR unknown command 'NOPE', with args beginning with: 'x' ", "NOPE", "x")
	check(t, c, "(error) ERR wrong number of arguments for 'exists' command", "EXISTS")
	check(t, c, "(error) ERR DB index is out of range", "SELECT", "16")
	check(t, c, "OK", "FLUSHDB")
	check(t, c, "0", "DBSIZE")
}

func TestSelectPerConnection(t *testing.T) {
	ts := start(t, newMemory(t, "a", "1:b", "1:c"), nil)
	c1, c2 := ts.client(t), ts.client(t)
	check(t, c1, "OK", "SELECT", "1")
	check(t, c1, "2", "DBSIZE")
	check(t, c2, "1", "DBSIZE")
	check(t, c2, "0", "EXISTS", "b")
	check(t, c1, "1", "EXISTS", "b")
	check(t, c1, "OK", "FLUSHDB")
	check(t, c2, "1", "DBSIZE")
}

func TestTCP(t *testing.T) {
	s := respserver.New(newMemory(t, "a"), &respserver.Options{Logger: testLogger(t), Goroutines: goroutines})
	t.Cleanup(s.Shutdown)
	l, err := s.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := redistest.Dial(t, "tcp", l.Addr().String())
	check(t, c, "PONG", "PING")
	check(t, c, "1", "EXISTS", "a")
	if got := c.Do("CLIENT", "INFO").String(); !strings.Contains(got, "flags=N db=0") {
		t.Errorf("CLIENT INFO: %s", got)
	}
}

func TestMulti(t *testing.T) {
	ts := start(t, newMemory(t, "a", "b", "3:c"), nil)
	c := ts.client(t)
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "EXISTS", "a")
	check(t, c, "QUEUED", "DEL", "a")
	check(t, c, "QUEUED", "EXISTS", "a")
	check(t, c, "QUEUED", "PING")
	check(t, c, "array[1 1 0 PONG]", "EXEC")
	check(t, c, "(error) ERR EXEC without MULTI", "EXEC")
	check(t, c, "(error) ERR DISCARD without MULTI", "DISCARD")

	// DISCARD drops the queue.
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "DEL", "b")
	check(t, c, "OK", "DISCARD")
	check(t, c, "1", "EXISTS", "b")

	// Errors while queuing abort EXEC; a nested MULTI or a WATCH inside
	// MULTI does not.
	for _, bad := range [][]string{{"NOPE"}, {"EXISTS"}, {"CLIENT", "NOPE"}, {"CLIENT", "GETNAME", "x"}, {"SHUTDOWN"}, {"EXEC", "x"}} {
		check(t, c, "OK", "MULTI")
		check(t, c, "QUEUED", "DEL", "b")
		if v := c.Do(bad...); v.Type != resp.TypeSimpleError {
			t.Errorf("%q in MULTI: %s, want an error", bad, v)
		}
		check(t, c, "(error) EXECABORT Transaction discarded because of previous errors.", "EXEC")
		check(t, c, "1", "EXISTS", "b")
	}
	check(t, c, "OK", "MULTI")
	check(t, c, "(error) ERR MULTI calls can not be nested", "MULTI")
	check(t, c, "(error) ERR WATCH inside MULTI is not allowed", "WATCH", "b")
	check(t, c, "QUEUED", "EXISTS", "b")
	check(t, c, "array[1]", "EXEC")

	// SELECT in a transaction applies to the commands after it and to
	// the connection after EXEC; server commands are queued too.
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "SELECT", "3")
	check(t, c, "QUEUED", "CLIENT", "SETNAME", "tx")
	check(t, c, "QUEUED", "EXISTS", "c")
	check(t, c, "QUEUED", "CLIENT", "GETNAME")
	check(t, c, "QUEUED", "UNWATCH")
	check(t, c, `array[OK OK 1 "tx" OK]`, "EXEC")
	check(t, c, "1", "DBSIZE")
	check(t, c, "OK", "MULTI")
	check(t, c, "array[]", "EXEC")
}

// rawConn is a connection for tests that write bytes of their own.
type rawConn struct {
	net.Conn
	rd *resp.Reader
}

func dialRaw(t *testing.T, sock string) *rawConn {
	t.Helper()
	nc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawConn{Conn: nc, rd: resp.NewReader(nc)}
}

func (rc *rawConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(rc, s); err != nil {
		t.Fatal(err)
	}
}

// reply reads one reply, rendered by resp.Value.String.
func (rc *rawConn) reply(t *testing.T) string {
	t.Helper()
	v, err := rc.rd.ReadReply()
	if err != nil {
		t.Fatalf("reading a reply: %v", err)
	}
	return v.String()
}

// closed checks that the server closed the connection.
func (rc *rawConn) closed(t *testing.T) {
	t.Helper()
	if v, err := rc.rd.ReadReply(); err != io.EOF {
		t.Fatalf("got %v, %v; want the connection closed", v, err)
	}
}

func TestPipelining(t *testing.T) {
	ts := start(t, newMemory(t, "a"), nil)
	rc := dialRaw(t, ts.sock)
	const n = 20000
	var b []byte
	for i := range n {
		switch i % 3 {
		case 0:
			b = resp.AppendCommandString(b, "PING")
		case 1:
			b = resp.AppendCommandString(b, "ECHO", strings.Repeat("x", i%100))
		case 2:
			b = resp.AppendCommandString(b, "EXISTS", "a")
		}
	}
	// Write and read at once: the replies outgrow the socket buffers.
	errc := make(chan error, 1)
	go func() {
		_, err := rc.Write(b)
		errc <- err
	}()
	for i := range n {
		v, err := rc.rd.ReadReply()
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		var want string
		switch i % 3 {
		case 0:
			want = "PONG"
		case 1:
			want = `"` + strings.Repeat("x", i%100) + `"`
		case 2:
			want = "1"
		}
		if v.String() != want {
			t.Fatalf("reply %d: %s, want %s", i, v, want)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestRepliesFlushed checks that replies are sent when the input
// pauses, even in the middle of a command.
func TestRepliesFlushed(t *testing.T) {
	ts := start(t, nil, nil)
	rc := dialRaw(t, ts.sock)
	rc.send(t, "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nab")
	if got := rc.reply(t); got != "PONG" {
		t.Fatalf("got %s", got)
	}
	rc.send(t, "c\r\n")
	if got := rc.reply(t); got != `"abc"` {
		t.Fatalf("got %s", got)
	}
}

func TestInline(t *testing.T) {
	ts := start(t, newMemory(t, "a b"), nil)
	rc := dialRaw(t, ts.sock)
	rc.send(t, "PING\r\n\r\nECHO \"x y\"\nEXISTS 'a b' nope\r\n")
	for _, want := range []string{"PONG", `"x y"`, "1"} {
		if got := rc.reply(t); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	rc.send(t, "ECHO \"unbalanced\r\n")
	if got := rc.reply(t); got != "(error) ERR Protocol error: unbalanced quotes in request" {
		t.Errorf("got %s", got)
	}
	rc.closed(t)
}

func TestProtocolErrors(t *testing.T) {
	ts := start(t, nil, nil)
	for _, tc := range []struct{ in, want string }{
		{"*1\r\n$x\r\n", "invalid bulk length"},
		{"*1\r\nPING\r\n", "expected '$', got 'P'"},
		{"*x\r\n", "invalid multibulk length"},
		{"*1\r\n$600000000\r\n", "invalid bulk length"},
		{"PING\r\n*1\r\n$-5\r\n", "invalid bulk length"},
	} {
		rc := dialRaw(t, ts.sock)
		rc.send(t, tc.in)
		if strings.HasPrefix(tc.in, "PING") {
			rc.reply(t)
		}
		if got, want := rc.reply(t), "(error) ERR Protocol error: "+tc.want; got != want {
			t.Errorf("%q: got %s, want %s", tc.in, got, want)
		}
		rc.closed(t)
	}
}

func TestSecurityAttack(t *testing.T) {
	ts := start(t, nil, nil)
	rc := dialRaw(t, ts.sock)
	rc.send(t, "POST / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	rc.closed(t)
}

func TestQueryBufferLimit(t *testing.T) {
	ts := start(t, nil, &respserver.Options{MaxQueryBuffer: 64 << 10})
	rc := dialRaw(t, ts.sock)
	// A command of 100 KiB is over the limit: the client is dropped.
	go rc.Write([]byte("*2\r\n$4\r\nECHO\r\n$102400\r\n" + strings.Repeat("x", 102400) + "\r\n"))
	if _, err := rc.rd.ReadReply(); err == nil {
		t.Fatal("a reply; want the connection closed")
	}
	// Many small commands are not, whatever their total.
	c := ts.client(t)
	for range 10 {
		check(t, c, `"`+strings.Repeat("y", 30000)+`"`, "ECHO", strings.Repeat("y", 30000))
	}
	// Nor is a transaction, until what it queued is over the limit.
	rc = dialRaw(t, ts.sock)
	rc.send(t, "MULTI\r\n")
	rc.reply(t)
	for range 2 {
		rc.send(t, "ECHO "+strings.Repeat("y", 30000)+"\r\n")
		if got := rc.reply(t); got != "QUEUED" {
			t.Fatal(got)
		}
	}
	rc.send(t, "ECHO "+strings.Repeat("y", 30000)+"\r\n")
	rc.closed(t)
	check(t, c, "PONG", "PING")
}

func TestBigReply(t *testing.T) {
	ts := start(t, nil, nil)
	c := ts.client(t)
	big := strings.Repeat("z", 3<<20)
	for range 3 {
		if v := c.Do("ECHO", big); string(v.Str) != big {
			t.Fatalf("ECHO of %d bytes: got %d bytes", len(big), len(v.Str))
		}
	}
	check(t, c, "PONG", "PING")
}

func TestServerCommands(t *testing.T) {
	ts := start(t, nil, &respserver.Options{Params: map[string]string{"port": "0"}})
	c := ts.client(t)
	id := c.Do("CLIENT", "ID").Int
	check(t, c, `array["server" "redis" "version" "7.0.15" "proto" 2 "id" `+strconv.FormatInt(id, 10)+` "mode" "standalone" "role" "master" "modules" array[]]`, "HELLO", "2")
	check(t, c, "(error) NOPROTO unsupported protocol version", "HELLO", "3")
	check(t, c, `array["server" "redis" "version" "7.0.15" "proto" 2 "id" `+strconv.FormatInt(id, 10)+` "mode" "standalone" "role" "master" "modules" array[]]`, "HELLO", "2", "AUTH", "default", "pw", "SETNAME", "me")
	check(t, c, `"me"`, "CLIENT", "GETNAME")
	check(t, c, "OK", "CLIENT", "SETNAME", "")
	check(t, c, "(nil)", "CLIENT", "GETNAME")
	check(t, c, `array["appendonly" "no" "port" "0"]`, "CONFIG", "GET", "appendonly", "po*")
	check(t, c, `array["databases" "16"]`, "CONFIG", "GET", "DATABASES")
	check(t, c, "array[]", "CONFIG", "GET", "nope")
	check(t, c, "OK", "CONFIG", "RESETSTAT")
	if n := c.Do("COMMAND", "COUNT").Int; n < 40 {
		t.Errorf("COMMAND COUNT: %d", n)
	}
	check(t, c, `array[array["exists" -2 array[readonly] 1 -1 1 array[] array[] array[] array[]] (nil) array["watch" -2 array[noscript loading stale fast allow_busy] 1 -1 1 array[] array[] array[] array[]]]`,
		"COMMAND", "INFO", "exists", "nope", "WATCH")
	check(t, c, "array[]", "COMMAND", "DOCS")
	check(t, c, "OK", "DEBUG", "SLEEP", "0")
	check(t, c, "(error) ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP.", "DEBUG", "nope")
	check(t, c, "(error) ERR No shutdown in progress.", "SHUTDOWN", "ABORT")
	check(t, c, "(error) ERR syntax error", "SHUTDOWN", "SAVE", "NOSAVE")
	check(t, c, "OK", "CONFIG", "SET", "save", "")
	check(t, c, "(error) ERR CONFIG SET failed (possibly related to argument 'save') - can't change it at runtime in this server (restart it with --save)", "CONFIG", "SET", "save", "1 1")
	check(t, c, "(error) ERR Unknown option or number of arguments for CONFIG SET - 'nope'", "CONFIG", "SET", "nope", "1")
	check(t, c, "(error) ERR unknown command 'SAVE', with args beginning with: ", "SAVE")
	check(t, c, "OK", "SELECT", "2")
	check(t, c, "OK", "MULTI")
	check(t, c, "RESET", "RESET")
	if got := c.Do("CLIENT", "INFO").String(); !strings.Contains(got, " name= ") || !strings.Contains(got, " db=0 ") {
		t.Errorf("CLIENT INFO after RESET: %s", got)
	}
	check(t, c, "(error) ERR EXEC without MULTI", "EXEC")
	check(t, c, "OK", "QUIT")
}

// TestServerCommandsAsRedis sends the same commands to redis-server and
// compares the replies, for the server's own commands whose replies do
// not depend on the server.
func TestServerCommandsAsRedis(t *testing.T) {
	real := redistest.Start(t, "")
	ts := start(t, nil, nil)
	cmds := [][]string{
		{"AUTH", "x"}, {"AUTH", "default", "x"}, {"AUTH", "nobody", "x"}, {"AUTH", "a", "b", "c"},
		{"HELLO", "x"}, {"HELLO", "4"}, {"HELLO", "-1"}, {"HELLO", "2", "FOO"}, {"HELLO", "2", "AUTH"},
		{"HELLO", "2", "AUTH", "x", "y"}, {"HELLO", "2", "SETNAME", "a b"}, {"HELLO", "02"},
		{"CLIENT"}, {"CLIENT", "nope"}, {"CLIENT", "GETNAME"}, {"CLIENT", "GETNAME", "x"},
		{"CLIENT", "SETNAME"}, {"CLIENT", "SETNAME", "a\nb"}, {"CLIENT", "SETNAME", "\xff"},
		{"CLIENT", "SETNAME", "ok"}, {"CLIENT", "GETNAME"}, {"CLIENT", "ID", "x"},
		{"CONFIG"}, {"CONFIG", "nope"}, {"CONFIG", "GET"}, {"CONFIG", "GET", "save"},
		{"CONFIG", "GET", "appendonly", "appendonly"}, {"CONFIG", "GET", "nope"},
		{"CONFIG", "SET", "x"}, {"CONFIG", "RESETSTAT", "x"},
		{"COMMAND", "nope"}, {"COMMAND", "COUNT", "x"}, {"COMMAND", "INFO", "nope"},
		{"EXEC"}, {"DISCARD"}, {"UNWATCH"}, {"WATCH"}, {"MULTI", "x"},
		{"SHUTDOWN", "nope"}, {"SHUTDOWN", "ABORT"}, {"SHUTDOWN", "NOW", "ABORT"}, {"SHUTDOWN", "SAVE", "NOSAVE"},
		{"DEBUG"},
		{"MULTI"}, {"MULTI"}, {"WATCH", "x"}, {"PING"}, {"NOPE"}, {"CLIENT", "ID", "x"}, {"EXEC"},
		{"MULTI"}, {"PING"}, {"CLIENT", "SETNAME", "tx"}, {"CONFIG", "GET", "appendonly"}, {"UNWATCH"}, {"EXEC"},
		{"RESET"}, {"CLIENT", "GETNAME"}, {"QUIT", "x", "y"},
	}
	rc, oc := real.Client(), ts.client(t)
	for _, cmd := range cmds {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		want, got := rc.DoBytes(args...).String(), oc.DoBytes(args...).String()
		if got != want {
			t.Errorf("%q: got %s, redis-server %s", cmd, got, want)
		}
	}
}

// execSignal is a keyspace that tells when ExecMulti is called.
type execSignal struct {
	*keyspace.Memory
	called chan struct{}
}

func (e *execSignal) ExecMulti(calls []keyspace.Call) error {
	err := e.Memory.ExecMulti(calls)
	e.called <- struct{}{}
	return err
}

func TestShutdown(t *testing.T) {
	ks := &execSignal{Memory: keyspace.NewMemory(nil), called: make(chan struct{}, 1)}
	ts := start(t, ks, nil)
	c := ts.client(t)
	check(t, c, "PONG", "PING")

	// A command running at shutdown finishes and gets its reply: EXEC
	// runs its keyspace commands, then DEBUG SLEEP, cut short.
	rc := dialRaw(t, ts.sock)
	rc.send(t, "MULTI\r\nPING\r\nDEBUG SLEEP 100\r\nEXEC\r\n")
	<-ks.called

	rc2 := dialRaw(t, ts.sock)
	rc2.send(t, "SHUTDOWN NOSAVE\r\n")
	rc2.closed(t)
	select {
	case <-ts.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SHUTDOWN did not stop the server")
	}
	for _, want := range []string{"OK", "QUEUED", "QUEUED", "array[PONG OK]"} {
		if got := rc.reply(t); got != want {
			t.Errorf("transaction running at shutdown: %s, want %s", got, want)
		}
	}
	rc.closed(t)
	ts.Shutdown()
	if _, err := net.Dial("unix", ts.sock); err == nil {
		t.Error("the server still accepts connections")
	}
}

// expirer is a keyspace whose ActiveExpire deletes the keys it is told
// to, a few at a time, and reports more while some are left.
type expirer struct {
	*keyspace.Memory
	mu      sync.Mutex
	pending []string
	calls   int
}

func (e *expirer) ActiveExpire(now int64, budget int, log []keyspace.Record) ([]keyspace.Record, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	if len(e.pending) == 0 {
		return log, false
	}
	k := e.pending[0]
	e.pending = e.pending[1:]
	c := keyspace.Call{Args: [][]byte{[]byte("DEL"), []byte(k)}, Write: true}
	if err := e.Memory.Exec(&c); err != nil {
		panic(err)
	}
	return append(log, c.Log...), len(e.pending) > 0
}

func TestActiveExpire(t *testing.T) {
	ks := &expirer{Memory: newMemory(t, "a", "b", "c", "d")}
	ts := start(t, ks, &respserver.Options{ExpireInterval: 20 * time.Millisecond})
	c := ts.client(t)
	check(t, c, "OK", "WATCH", "c")
	ks.mu.Lock()
	ks.pending = []string{"a", "b", "c"}
	ks.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for c.Do("DBSIZE").Int != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the active expire cycle did not run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The keys went in one cycle (ActiveExpire reported more), and WATCH
	// saw the deletion.
	check(t, c, "OK", "MULTI")
	check(t, c, "(nil)", "EXEC")
	ks.mu.Lock()
	calls := ks.calls
	ks.mu.Unlock()
	if calls > 20 {
		t.Errorf("%d calls of ActiveExpire", calls)
	}
}

// TestExpiredKeyRead checks that a read meeting an expired key runs
// again with the write turn, which deletes the key.
func TestExpiredKeyRead(t *testing.T) {
	m := newMemory(t, "a")
	past := time.Now().Add(-time.Hour).UnixMilli()
	if err := m.Restore(&rdb.Entry{Key: []byte("x"), ExpireAt: past, Value: rdb.String("v")}); err != nil {
		t.Fatal(err)
	}
	c := start(t, m, nil).client(t)
	check(t, c, "2", "DBSIZE")
	check(t, c, "1", "EXISTS", "a", "x")
	check(t, c, "1", "DBSIZE")
}

// TestTransactionsAtomic runs transactions that create and delete two
// keys together while other clients read both: no reader may see one
// without the other.
func TestTransactionsAtomic(t *testing.T) {
	ts := start(t, newMemory(t, "a"), nil)
	const writers, readers, rounds = 3, 3, 200
	var wg sync.WaitGroup
	errc := make(chan string, writers+readers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ts.client(t)
			k1, k2 := "x"+strconv.Itoa(w), "y"+strconv.Itoa(w)
			for range rounds {
				for _, cmd := range [][]string{{"MULTI"}, {"COPY", "a", k1}, {"COPY", "a", k2}, {"EXEC"},
					{"MULTI"}, {"DEL", k1}, {"PING"}, {"DEL", k2}, {"EXEC"}} {
					if v := c.Do(cmd...); v.Type == resp.TypeSimpleError {
						errc <- v.String()
						return
					}
				}
			}
		}()
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for range readers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			c := ts.client(t)
			for {
				select {
				case <-stop:
					return
				default:
				}
				for w := range writers {
					n := c.Do("EXISTS", "x"+strconv.Itoa(w), "y"+strconv.Itoa(w)).Int
					if n == 1 {
						errc <- "a reader saw half a transaction"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errc)
	for e := range errc {
		t.Error(e)
	}
	check(t, ts.client(t), "1", "DBSIZE")
}
