package resp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// startRedis runs redis-server on a Unix socket in a temporary directory
// and returns the socket's path. The server is stopped at cleanup.
func startRedis(t *testing.T) string {
	t.Helper()
	bin := testenv.RedisServer(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "",
		"--appendonly", "no", "--enable-debug-command", "yes", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// client is a test client made of this package's Writer and Reader.
type client struct {
	t    *testing.T
	conn net.Conn
	w    *Writer
	rd   *Reader
}

func dial(t *testing.T, sock string) *client {
	t.Helper()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return &client{t: t, conn: conn, w: NewWriter(conn), rd: NewReader(conn)}
}

func (c *client) do(args ...string) Value {
	c.t.Helper()
	c.w.WriteCommandString(args...)
	if err := c.w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	return c.reply()
}

func (c *client) reply() Value {
	c.t.Helper()
	v, err := c.rd.ReadReply()
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return v
}

// sendRaw writes raw bytes and reads one reply.
func (c *client) sendRaw(raw string) (Value, error) {
	if _, err := c.conn.Write([]byte(raw)); err != nil {
		return Value{}, err
	}
	return c.rd.ReadReply()
}

// TestRedisInlineSplitting sends inline commands to redis-server and
// compares how it split them with how the Reader (Inline) splits them.
func TestRedisInlineSplitting(t *testing.T) {
	sock := startRedis(t)
	lines := []string{
		`a b c`,
		`  a   b  `,
		"a\tb\tc",
		"a\vb",
		"\v\fa",
		`"hello world" 'single quoted'`,
		`"\x41\x4a\xff\x00z" "\xZZ" "\x4"`,
		`"\n\r\t\b\a\q\\\""`,
		`'it\'s' 'a\nb' 'x\\y'`,
		`foo"bar baz" qux'a b'`,
		`"" '' ""`,
		`"a"` + "\t" + `b`,
		`#TS:1 *1 $3`,
		"\xff\xfe binary",
		`"a"b`,
		`'a'b`,
		`"abc`,
		`'abc`,
		`"abc\"`,
	}
	for _, line := range lines {
		ours, ourErr := NewReaderOptions(strings.NewReader("RPUSH l "+line+"\r\n"), &ReaderOptions{Inline: true}).ReadCommand()

		c := dial(t, sock)
		c.do("DEL", "l")
		v, err := c.sendRaw("RPUSH l " + line + "\r\n")
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if v.Type == TypeSimpleError {
			if !strings.Contains(string(v.Str), "Protocol error") || !errorsIsProtocol(ourErr) {
				t.Errorf("%q: redis says %s, we say %q %v", line, v, ours, ourErr)
			}
			continue
		}
		if ourErr != nil {
			t.Errorf("%q: redis accepts it (%s), we say %v", line, v, ourErr)
			continue
		}
		got := c.do("LRANGE", "l", "0", "-1")
		var theirs []string
		for _, e := range got.Elems {
			theirs = append(theirs, string(e.Str))
		}
		if want := strs(ours)[2:]; !slices.Equal(theirs, want) {
			t.Errorf("%q: redis split %q, we split %q", line, theirs, want)
		}
	}
}

func errorsIsProtocol(err error) bool {
	_, ok := err.(*ProtocolError)
	return ok
}

// TestRedisProtocolErrors sends malformed multibulk requests: where the
// Reader (Inline, as a server reads) says protocol error, redis-server
// must say so too, and where it accepts, redis-server must run the command.
func TestRedisProtocolErrors(t *testing.T) {
	sock := startRedis(t)
	cases := []string{
		"*1\r\n$4\r\nPING\r\n",
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
		"*0\r\n*1\r\n$4\r\nPING\r\n",
		"*-1\r\n*1\r\n$4\r\nPING\r\n",
		"\r\n*1\r\n$4\r\nPING\r\n",
		"*a\r\n",
		"*+1\r\n",
		"* 1\r\n",
		"*1 \r\n",
		"*-0\r\n",
		"*2147483648\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$+4\r\nPING\r\n",
		"*1\r\n$04\r\nPING\r\n",
		"*1\r\n$ 4\r\nPING\r\n",
		"*1\r\n$4 \r\nPING\r\n",
		"*1\r\n:4\r\nPING\r\n",
		"*1\r\n$536870913\r\n",
		"*1\r\n$9223372036854775808\r\n",
		"PING \"unbalanced\r\n",
	}
	for _, raw := range cases {
		rd := NewReaderOptions(strings.NewReader(raw), &ReaderOptions{Inline: true})
		_, ourErr := rd.ReadCommand()
		c := dial(t, sock)
		v, err := c.sendRaw(raw)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		redisErr := v.Type == TypeSimpleError && strings.HasPrefix(string(v.Str), "ERR Protocol error")
		if redisErr != (ourErr != nil) {
			t.Errorf("%q: redis replied %s; we say %v", raw, v, ourErr)
		}
	}
}

// TestRedisReplies reads every reply type redis-server can send, in RESP2
// and RESP3, with ReadReply, and checks what the Writer would send for the
// same values.
func TestRedisReplies(t *testing.T) {
	sock := startRedis(t)
	c := dial(t, sock)
	want2 := map[string]string{
		"string":   `"Hello World"`,
		"integer":  "12345",
		"double":   `"3.141"`,
		"bignum":   `"1234567999999999999999999999999999999"`,
		"null":     "(nil)",
		"array":    "array[0 1 2]",
		"set":      "array[0 1 2]",
		"map":      "array[0 0 1 1 2 0]",
		"attrib":   `"Some real reply following the attribute"`,
		"verbatim": `"This is a verbatim\nstring"`,
		"true":     "1",
		"false":    "0",
	}
	want3 := map[string]string{
		"string":   `"Hello World"`,
		"integer":  "12345",
		"double":   "3.141",
		"bignum":   "1234567999999999999999999999999999999",
		"null":     "(nil)",
		"array":    "array[0 1 2]",
		"set":      "set[0 1 2]",
		"map":      "map[0 false 1 true 2 false]",
		"attrib":   `|["key-popularity" array["key:123" 90]]"Some real reply following the attribute"`,
		"verbatim": `txt:"This is a verbatim\nstring"`,
		"true":     "true",
		"false":    "false",
	}
	for _, proto := range []string{"2", "3"} {
		if v := c.do("HELLO", proto); v.Type != TypeMap && v.Type != TypeArray {
			t.Fatalf("HELLO %s: %s", proto, v)
		}
		want := want2
		if proto == "3" {
			want = want3
		}
		for typ, w := range want {
			v := c.do("DEBUG", "PROTOCOL", typ)
			if got := v.String(); got != w {
				t.Errorf("RESP%s %s: %s, want %s", proto, typ, got, w)
			}
		}
	}
	// A push: RESP3 pub/sub message.
	sub := dial(t, sock)
	sub.do("HELLO", "3")
	if v := sub.do("SUBSCRIBE", "ch"); v.Type != TypePush {
		t.Fatalf("SUBSCRIBE in RESP3: %s", v)
	}
	c.do("PUBLISH", "ch", "hi")
	if v := sub.reply(); v.String() != `push["message" "ch" "hi"]` {
		t.Errorf("pushed message: %s", v)
	}
	// Errors and long bulks.
	if v := c.do("NOSUCHCOMMAND"); v.Type != TypeSimpleError || !strings.HasPrefix(string(v.Str), "ERR unknown command") {
		t.Errorf("unknown command: %s", v)
	}
	long := strings.Repeat("x", 1<<20)
	c.do("SET", "big", long)
	if v := c.do("GET", "big"); string(v.Str) != long {
		t.Errorf("long GET: %d bytes", len(v.Str))
	}
	if v := c.do("GET", "missing"); !v.IsNull() {
		t.Errorf("GET missing: %s", v)
	}
}

// TestRedisEchoesOurReplies checks that the Writer's RESP3 output is what
// redis-server sends for the same data, by comparing raw bytes of a few
// replies.
func TestRedisEchoesOurReplies(t *testing.T) {
	sock := startRedis(t)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	send := func(args ...string) []byte {
		conn.Write(AppendCommandString(nil, args...))
		// Read exactly one reply's bytes using our own reader on a tee.
		var raw bytes.Buffer
		rd := NewReader(teeReader{br, &raw})
		if _, err := rd.ReadReply(); err != nil {
			t.Fatal(err)
		}
		return raw.Bytes()[:rd.End()]
	}
	send("HELLO", "3")
	send("RPUSH", "l", "a", "bb")
	send("HSET", "h", "f", "v")
	cases := []struct {
		args  []string
		write func(w *Writer)
	}{
		{[]string{"LRANGE", "l", "0", "-1"}, func(w *Writer) { w.WriteArrayLen(2); w.WriteBulkString("a"); w.WriteBulkString("bb") }},
		{[]string{"HGETALL", "h"}, func(w *Writer) { w.WriteMapLen(1); w.WriteBulkString("f"); w.WriteBulkString("v") }},
		{[]string{"GET", "nope"}, func(w *Writer) { w.WriteNull() }},
		{[]string{"LLEN", "l"}, func(w *Writer) { w.WriteInt(2) }},
		{[]string{"SET", "k", "v"}, func(w *Writer) { w.WriteSimpleString("OK") }},
		{[]string{"EXISTS", "k"}, func(w *Writer) { w.WriteInt(1) }},
	}
	for _, tc := range cases {
		got := send(tc.args...)
		var ours bytes.Buffer
		w := NewWriter(&ours)
		w.SetProtocol(3)
		tc.write(w)
		w.Flush()
		if !bytes.Equal(got, ours.Bytes()) {
			t.Errorf("%v: redis sent %q, Writer writes %q", tc.args, got, ours.Bytes())
		}
	}
}

// teeReader reads one byte at a time from r (so nothing past a reply is
// consumed) and copies what it reads to w.
type teeReader struct {
	r *bufio.Reader
	w *bytes.Buffer
}

func (t teeReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := t.r.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	t.w.WriteByte(c)
	return 1, nil
}

// TestRedisCheckAOF runs redis-check-aof on every table input and on
// prefixes of a valid AOF. It must call an input valid exactly when the
// Reader reaches a clean end outside a MULTI, and its ok_up_to must be
// where the Reader's last complete item ends (or where the open MULTI
// starts) -- except where the Reader is stricter by design (doc.go):
// numbers that string2ll refuses, argc < 1 (which Redis's loader refuses
// but redis-check-aof lets pass), and annotation lines not ended by CRLF.
func TestRedisCheckAOF(t *testing.T) {
	bin := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	stricter := map[string]bool{
		"argc 0": true, "argc -1": true, "argc -0": true, "argc empty": true, "argc plus": true,
		"len plus": true, "len space": true, "len leading zero": true,
		"annotation LF only": true, "annotation bare LF": true,
	}
	dir := t.TempDir()
	type input struct{ name, in string }
	var inputs []input
	for _, tc := range cmdCases {
		inputs = append(inputs, input{tc.name, tc.in})
	}
	full := cutInput()
	for cut := 0; cut <= len(full); cut += 5 {
		inputs = append(inputs, input{"cut " + strconv.Itoa(cut), string(full[:cut])})
	}
	for _, tc := range inputs {
		rd := NewReader(strings.NewReader(tc.in))
		items, err := readItems(rd)
		okUpTo, inMulti := int64(0), false
		for _, it := range items {
			if it.kind == KindCommand && len(it.args) == 1 && strings.EqualFold(it.args[0], "MULTI") {
				inMulti, okUpTo = true, it.start
			}
			if !inMulti {
				okUpTo = it.end
			}
			if it.kind == KindCommand && len(it.args) == 1 && strings.EqualFold(it.args[0], "EXEC") {
				inMulti, okUpTo = false, it.end
			}
		}
		if !inMulti {
			okUpTo = rd.Offset()
		}
		path := filepath.Join(dir, "x.aof")
		if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
			t.Fatal(err)
		}
		out, runErr := exec.Command(bin, path).CombinedOutput()
		valid := runErr == nil
		inAnnotation := err == ErrTruncated && tc.in[rd.Offset()] == '#'
		if stricter[tc.name] || inAnnotation {
			if !valid || err == io.EOF {
				t.Errorf("%s %q: expected redis-check-aof to accept what the Reader refuses; valid=%v, Reader: %v", tc.name, tc.in, valid, err)
			}
			continue
		}
		if valid != (err == io.EOF && !inMulti) {
			t.Errorf("%s %q: redis-check-aof valid=%v, Reader: %v\n%s", tc.name, tc.in, valid, err, out)
			continue
		}
		if valid {
			continue
		}
		m := regexp.MustCompile(`ok_up_to=(\d+)`).FindSubmatch(out)
		if m == nil {
			t.Errorf("%s: no ok_up_to in\n%s", tc.name, out)
			continue
		}
		if got, _ := strconv.ParseInt(string(m[1]), 10, 64); got != okUpTo {
			t.Errorf("%s %q: redis-check-aof ok_up_to=%d, want %d (%v)\n%s", tc.name, tc.in, got, okUpTo, err, out)
		}
	}
}
