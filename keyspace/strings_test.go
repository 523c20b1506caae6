package keyspace_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/google/go-cmp/cmp"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// Unit tests of the string and bit commands: scripts of commands with
// the reply each must give (Redis 7.0.15's, taken from the real server)
// and the records it must log.
//
// A script line is "command => reply -> log":
//   - command: arguments separated by spaces; an argument written in
//     double quotes is a Go string literal ("" is empty, "a\x00b").
//   - reply: the reply as resp.Value's String prints it.
//   - log: the records logged, separated by "; ", each as arguments
//     separated by spaces (quoted as above when needed); empty when the
//     command logs nothing.
//
// Lines starting with # are comments.
//
// Every script runs on a new keyspace whose clock stands at strNow and
// which holds a list under the key "l" (for WRONGTYPE).

// strNow is the clock of the scripts: 2023-11-14T22:13:20Z.
const strNow = 1700000000000

var strScripts = map[string]string{
	"set": `
SET k v => OK -> SET k v
GET k => "v" ->
SET k v2 EX 100 => OK -> SET k v2 PXAT 1700000100000
PTTL k => 100000 ->
SET k v3 KEEPTTL => OK -> SET k v3 KEEPTTL
PTTL k => 100000 ->
GET k => "v3" ->
SET k v4 => OK -> SET k v4
PTTL k => -1 ->
SET k v NX => (nil) ->
SET k v5 XX => OK -> SET k v5 XX
SET nk v XX => (nil) ->
EXISTS nk => 0 ->
SET k new GET => "v5" -> SET k new
SET k x get GET NX => "new" ->
SET k x get XX Get => "new" -> SET k x XX
SET k get GET => "x" -> SET k get
GET k => "get" ->
SET k v nx xx => (error) ERR syntax error ->
SET k v xx nx => (error) ERR syntax error ->
SET k v nx nx => (nil) ->
SET k v EX 10 PX 10 => (error) ERR syntax error ->
SET k v EX 10 EXAT 10 => (error) ERR syntax error ->
SET k v PXAT 10 EX 10 => (error) ERR syntax error ->
SET k v EX 10 KEEPTTL => (error) ERR syntax error ->
SET k v KEEPTTL EX 10 => (error) ERR syntax error ->
SET k v KEEPTTL KEEPTTL => OK -> SET k v KEEPTTL KEEPTTL
SET k v EX => (error) ERR syntax error ->
SET k v PERSIST => (error) ERR syntax error ->
SET k v BAD => (error) ERR syntax error ->
SET k v EX 0 => (error) ERR invalid expire time in 'set' command ->
SET k v EX -1 => (error) ERR invalid expire time in 'set' command ->
SET k v PX 0 => (error) ERR invalid expire time in 'set' command ->
SET k v EXAT 0 => (error) ERR invalid expire time in 'set' command ->
SET k v EX abc => (error) ERR value is not an integer or out of range ->
SET k v EX 9223372036854775 => (error) ERR invalid expire time in 'set' command ->
SET k v EX 9223372036854776 => (error) ERR invalid expire time in 'set' command ->
SET k v PX 9223372036854775000 => (error) ERR invalid expire time in 'set' command ->
SET k v PXAT 9223372036854775807 => OK -> SET k v PXAT 9223372036854775807
SET k v EX 10 EX 20 => OK -> SET k v PXAT 1700000020000
SET k v px 5 PX 7000 => OK -> SET k v PXAT 1700000007000
SET k v2 EXAT 1800000000 GET => "v" -> SET k v2 PXAT 1800000000000
PEXPIRETIME k => 1800000000000 ->
SET k v NX EX 100 GET => "v2" ->
SET k v XX EX 100 GET => "v2" -> SET k v PXAT 1700000100000
SET k v "nx\x00junk" => (nil) ->
SET l v GET => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET l v EX 0 GET => (error) ERR invalid expire time in 'set' command ->
TYPE l => list ->
SET l v NX => (nil) ->
SET l v => OK -> SET l v
GET l => "v" ->
SET e "" => OK -> SET e ""
GET e => "" ->
SET bin "a\x00\r\nb" => OK -> SET bin "a\x00\r\nb"
GET bin => "a\x00\r\nb" ->
`,
	"set past expiry": `
SET k v PXAT 1 => OK -> SET k v PXAT 1
DBSIZE => 2 ->
GET k => (nil) -> DEL k
DBSIZE => 1 ->
SET k v EXAT 1600000000 => OK -> SET k v PXAT 1600000000000
SET k w GET => (nil) -> DEL k; SET k w
SET k x EXAT 1600000001 GET => "w" -> SET k x PXAT 1600000001000
EXISTS k => 0 -> DEL k
`,
	"setnx setex psetex": `
SETNX k v => 1 -> SETNX k v
SETNX k w => 0 ->
GET k => "v" ->
SETNX l v => 0 ->
SETEX k 10 v2 => OK -> SET k v2 PXAT 1700000010000
SETEX k 0 v => (error) ERR invalid expire time in 'setex' command ->
SETEX k -5 v => (error) ERR invalid expire time in 'setex' command ->
SETEX k x v => (error) ERR value is not an integer or out of range ->
PSETEX k 10 v3 => OK -> SET k v3 PXAT 1700000000010
PSETEX k 0 v => (error) ERR invalid expire time in 'psetex' command ->
SETEX l 10 s => OK -> SET l s PXAT 1700000010000
SETEX k 10 => (error) ERR wrong number of arguments for 'setex' command ->
`,
	"mset msetnx mget": `
MSET a 1 b 2 => OK -> MSET a 1 b 2
MGET a b c l => array["1" "2" (nil) (nil)] ->
MSET a 1 b => (error) ERR wrong number of arguments for 'mset' command ->
MSET a => (error) ERR wrong number of arguments for 'mset' command ->
MSET a x a y => OK -> MSET a x a y
GET a => "y" ->
MSETNX a 1 c 3 => 0 ->
MSETNX c 3 d 4 => 1 -> MSETNX c 3 d 4
MSETNX e 1 e 2 => 1 -> MSETNX e 1 e 2
GET e => "2" ->
MSETNX x 1 y => (error) ERR wrong number of arguments for 'msetnx' command ->
MSETNX l 1 => 0 ->
SET t v EX 100 => OK -> SET t v PXAT 1700000100000
MSET t w => OK -> MSET t w
PTTL t => -1 ->
MSET l s => OK -> MSET l s
MGET l => array["s"] ->
`,
	"getset getdel": `
GETSET k v => (nil) -> SET k v
GETSET k w => "v" -> SET k w
SET k v EX 100 => OK -> SET k v PXAT 1700000100000
GETSET k x => "v" -> SET k x
PTTL k => -1 ->
GETSET l x => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
GETDEL k => "x" -> DEL k
GETDEL k => (nil) ->
EXISTS k => 0 ->
GETDEL l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
`,
	"getex": `
SET k v => OK -> SET k v
GETEX k => "v" ->
GETEX k EX 100 => "v" -> PEXPIREAT k 1700000100000
PTTL k => 100000 ->
GETEX k PX 100 => "v" -> PEXPIREAT k 1700000000100
GETEX k EXAT 1800000000 => "v" -> PEXPIREAT k 1800000000000
GETEX k PXAT 1800000000001 => "v" -> PEXPIREAT k 1800000000001
GETEX k PERSIST => "v" -> PERSIST k
GETEX k PERSIST => "v" ->
PTTL k => -1 ->
GETEX k EX 0 => (error) ERR invalid expire time in 'getex' command ->
GETEX k EX x => (error) ERR value is not an integer or out of range ->
GETEX nk EX 0 => (nil) ->
GETEX k NX => (error) ERR syntax error ->
GETEX k GET => (error) ERR syntax error ->
GETEX k KEEPTTL => (error) ERR syntax error ->
GETEX k EX => (error) ERR syntax error ->
GETEX k PERSIST EX 10 => (error) ERR syntax error ->
GETEX k EX 10 PERSIST => (error) ERR syntax error ->
GETEX k EX 10 EX 20 => "v" -> PEXPIREAT k 1700000020000
GETEX l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
GETEX l EX 0 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
GETEX k EXAT 1 => "v" -> DEL k
EXISTS k => 0 ->
SET k v => OK -> SET k v
GETEX k PXAT 1700000000000 => "v" -> DEL k
`,
	"strlen append": `
STRLEN k => 0 ->
APPEND k abc => 3 -> APPEND k abc
APPEND k de => 5 -> APPEND k de
GET k => "abcde" ->
STRLEN k => 5 ->
APPEND k "" => 5 -> APPEND k ""
APPEND e "" => 0 -> APPEND e ""
EXISTS e => 1 ->
APPEND l x => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
STRLEN l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET n 12 EX 100 => OK -> SET n 12 PXAT 1700000100000
APPEND n 3 => 3 -> APPEND n 3
INCR n => 124 -> INCR n
PTTL n => 100000 ->
`,
	"setrange getrange": `
SET k "Hello\x20World" => OK -> SET k "Hello World"
SETRANGE k 6 Redis => 11 -> SETRANGE k 6 Redis
GET k => "Hello Redis" ->
SETRANGE k 20 x => 21 -> SETRANGE k 20 x
GET k => "Hello Redis\x00\x00\x00\x00\x00\x00\x00\x00\x00x" ->
SETRANGE nk 3 ab => 5 -> SETRANGE nk 3 ab
GET nk => "\x00\x00\x00ab" ->
SETRANGE nk2 5 "" => 0 ->
EXISTS nk2 => 0 ->
SETRANGE k 100 "" => 21 ->
SETRANGE k 0 H => 21 -> SETRANGE k 0 H
SETRANGE k -1 x => (error) ERR offset is out of range ->
SETRANGE k abc x => (error) ERR value is not an integer or out of range ->
SETRANGE k 536870912 x => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len) ->
SETRANGE k 536870911 xy => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len) ->
SETRANGE nk3 536870912 x => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len) ->
SETRANGE k 9223372036854775807 x => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len) ->
SETRANGE k 536870912 "" => 21 ->
SETRANGE l 0 x => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SETRANGE l 0 "" => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SET s This_is_a_string => OK -> SET s This_is_a_string
GETRANGE s 0 3 => "This" ->
GETRANGE s -3 -1 => "ing" ->
GETRANGE s 0 -1 => "This_is_a_string" ->
GETRANGE s 10 100 => "string" ->
GETRANGE s -1 -5 => "" ->
GETRANGE s 5 3 => "" ->
GETRANGE s -100 2 => "Thi" ->
GETRANGE s 100 200 => "" ->
GETRANGE s -9223372036854775808 9223372036854775807 => "This_is_a_string" ->
GETRANGE s x 1 => (error) ERR value is not an integer or out of range ->
GETRANGE s 1 x => (error) ERR value is not an integer or out of range ->
GETRANGE nk9 0 -1 => "" ->
GETRANGE nk9 x 1 => (error) ERR value is not an integer or out of range ->
GETRANGE l 0 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
SUBSTR s 0 3 => "This" ->
SET e "" => OK -> SET e ""
GETRANGE e 0 -1 => "" ->
GETRANGE e -1 0 => "" ->
`,
	"incr decr": `
INCR n => 1 -> INCR n
INCRBY n 10 => 11 -> INCRBY n 10
DECR n => 10 -> DECR n
DECRBY n 3 => 7 -> DECRBY n 3
INCRBY n -20 => -13 -> INCRBY n -20
GET n => "-13" ->
INCRBY n abc => (error) ERR value is not an integer or out of range ->
INCRBY n 9223372036854775807 => 9223372036854775794 -> INCRBY n 9223372036854775807
INCR n => 9223372036854775795 -> INCR n
INCRBY n 100 => (error) ERR increment or decrement would overflow ->
SET n -9223372036854775808 => OK -> SET n -9223372036854775808
DECR n => (error) ERR increment or decrement would overflow ->
DECRBY n -9223372036854775808 => (error) ERR decrement would overflow ->
DECRBY x -9223372036854775807 => 9223372036854775807 -> DECRBY x -9223372036854775807
INCRBY y -9223372036854775808 => -9223372036854775808 -> INCRBY y -9223372036854775808
SET s abc => OK -> SET s abc
INCR s => (error) ERR value is not an integer or out of range ->
SET s "\x201" => OK -> SET s " 1"
INCR s => (error) ERR value is not an integer or out of range ->
SET s 01 => OK -> SET s 01
INCR s => (error) ERR value is not an integer or out of range ->
SET s +1 => OK -> SET s +1
INCR s => (error) ERR value is not an integer or out of range ->
SET s 99999999999999999999 => OK -> SET s 99999999999999999999
INCR s => (error) ERR value is not an integer or out of range ->
INCR l => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
INCRBY l x => (error) ERR value is not an integer or out of range ->
SET t 5 PX 100000 => OK -> SET t 5 PXAT 1700000100000
INCR t => 6 -> INCR t
PTTL t => 100000 ->
SET big 1234567890123456789012345678901234567890 => OK -> SET big 1234567890123456789012345678901234567890
SETRANGE big 0 1 => 40 -> SETRANGE big 0 1
SET big 7 => OK -> SET big 7
INCR big => 8 -> INCR big
`,
	"incrbyfloat": `
INCRBYFLOAT f 10.5 => "10.5" -> SET f 10.5 KEEPTTL
INCRBYFLOAT f 0.1 => "10.6" -> SET f 10.6 KEEPTTL
INCRBYFLOAT f -5 => "5.6" -> SET f 5.6 KEEPTTL
INCRBYFLOAT f 5.0e3 => "5005.60000000000000009" -> SET f 5005.60000000000000009 KEEPTTL
INCRBYFLOAT f abc => (error) ERR value is not a valid float ->
INCRBYFLOAT f inf => (error) ERR increment would produce NaN or Infinity ->
INCRBYFLOAT f "" => (error) ERR value is not a valid float ->
SET s abc => OK -> SET s abc
INCRBYFLOAT s 1 => (error) ERR value is not a valid float ->
SET t 3 EX 100 => OK -> SET t 3 PXAT 1700000100000
INCRBYFLOAT t 1.5 => "4.5" -> SET t 4.5 KEEPTTL
PTTL t => 100000 ->
INCRBYFLOAT l 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value ->
INCRBYFLOAT z 0 => "0" -> SET z 0 KEEPTTL
INCRBYFLOAT z -0.0 => "0" -> SET z 0 KEEPTTL
INCRBYFLOAT z 1e-5 => "0.00001" -> SET z 0.00001 KEEPTTL
`,
	"lcs": `
MSET a ohmytext b mynewtext => OK -> MSET a ohmytext b mynewtext
LCS a b => "mytext" ->
LCS a b LEN => 6 ->
LCS a b IDX => array["matches" array[array[array[4 7] array[5 8]] array[array[2 3] array[0 1]]] "len" 6] ->
LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN => array["matches" array[array[array[4 7] array[5 8] 4]] "len" 6] ->
LCS a b IDX WITHMATCHLEN => array["matches" array[array[array[4 7] array[5 8] 4] array[array[2 3] array[0 1] 2]] "len" 6] ->
LCS a b LEN IDX => (error) ERR If you want both the length and indexes, please just use IDX. ->
LCS a b MINMATCHLEN => (error) ERR syntax error ->
LCS a b MINMATCHLEN x => (error) ERR value is not an integer or out of range ->
LCS a b BAD => (error) ERR syntax error ->
LCS a nk => "" ->
LCS nk nk2 LEN => 0 ->
LCS a l => (error) ERR The specified keys must contain string values ->
`,
}

// strKeyspace returns a keyspace for a script: clock at strNow, a list
// under "l".
func strKeyspace(t testing.TB) *keyspace.Memory {
	t.Helper()
	ks := keyspace.NewMemory(&keyspace.Options{Clock: func() time.Time { return time.UnixMilli(strNow) }})
	if err := ks.Restore(&rdb.Entry{Key: []byte("l"), Value: rdb.List{[]byte("a")}, Idle: -1, Freq: -1}); err != nil {
		t.Fatal(err)
	}
	return ks
}

// strStep is one line of a script.
type strStep struct {
	line  int
	args  []string
	reply string
	log   string
}

// parseStrScript parses a script's lines.
func parseStrScript(t testing.TB, script string) []strStep {
	t.Helper()
	var steps []strStep
	sc := bufio.NewScanner(strings.NewReader(script))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, rest, ok1 := strings.Cut(line, " => ")
		reply, log, ok2 := strings.Cut(rest, " ->")
		if !ok1 || !ok2 {
			t.Fatalf("line %d: bad script line %q", n, line)
		}
		steps = append(steps, strStep{n, strWords(t, cmd), reply, strings.TrimPrefix(log, " ")})
	}
	return steps
}

// strWords splits a command into arguments; quoted ones are Go string
// literals.
func strWords(t testing.TB, s string) []string {
	t.Helper()
	var out []string
	for _, w := range strings.Split(s, " ") {
		if strings.HasPrefix(w, `"`) {
			u, err := strconv.Unquote(w)
			if err != nil {
				t.Fatalf("bad quoted argument %s in %q", w, s)
			}
			w = u
		}
		out = append(out, w)
	}
	return out
}

// strFormatLog writes records as scripts write them.
func strFormatLog(recs []keyspace.Record) string {
	var b strings.Builder
	for i, r := range recs {
		if i > 0 {
			b.WriteString("; ")
		}
		if r.DB != 0 {
			fmt.Fprintf(&b, "db%d:", r.DB)
		}
		for j, a := range r.Args {
			if j > 0 {
				b.WriteByte(' ')
			}
			s := string(a)
			if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' }) {
				s = strconv.Quote(s)
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// strExec runs args as a Store would (a read first, with the write turn
// when needed) and returns the reply and the records logged.
func strExec(t testing.TB, ks *keyspace.Memory, c *keyspace.Call, args ...string) (resp.Value, []keyspace.Record) {
	t.Helper()
	c.Reset()
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	info, ok := ks.Command(c.Args[0])
	c.Write = ok && info.Write
	err := ks.Exec(c)
	if err == keyspace.ErrWriteNeeded {
		c.Reply.Buf = c.Reply.Buf[:0]
		c.Write = true
		err = ks.Exec(c)
	}
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	v, err := resp.NewReader(bytes.NewReader(c.Reply.Buf)).ReadReply()
	if err != nil {
		t.Fatalf("%q: reply %q does not parse: %v", args, c.Reply.Buf, err)
	}
	return v, c.Log
}

// TestStringScripts runs the scripts and checks every reply and every
// logged record; the log, replayed with Loading into a second keyspace,
// must give the same data.
func TestStringScripts(t *testing.T) {
	for name, script := range strScripts {
		t.Run(name, func(t *testing.T) {
			ks, replica := strKeyspace(t), strKeyspace(t)
			var c keyspace.Call
			for _, s := range parseStrScript(t, script) {
				v, log := strExec(t, ks, &c, s.args...)
				if got := v.String(); got != s.reply {
					t.Errorf("line %d: %q replied %s, want %s", s.line, s.args, got, s.reply)
				}
				if got := strFormatLog(log); got != s.log {
					t.Errorf("line %d: %q logged %q, want %q", s.line, s.args, got, s.log)
				}
				for _, rec := range log {
					rc := keyspace.Call{DB: rec.DB, Args: rec.Args, Write: true, Loading: true}
					if err := replica.Exec(&rc); err != nil || bytes.HasPrefix(rc.Reply.Buf, []byte("-")) {
						t.Fatalf("line %d: replaying %q: %v %s", s.line, rec.Args, err, rc.Reply.Buf)
					}
				}
			}
			a, b := snapshotData(t, ks), snapshotData(t, replica)
			for k, v := range a {
				if b[k] != v {
					t.Errorf("replayed log: key %s is %v, want %v", k, b[k], v)
				}
			}
			for k := range b {
				if _, ok := a[k]; !ok {
					t.Errorf("replayed log: extra key %s", k)
				}
			}
		})
	}
}

// TestStringScriptsRedis checks the scripts' replies against
// redis-server, except those that depend on the clock (a positive PTTL)
// or on Redis's background expiry (DBSIZE).
func TestStringScriptsRedis(t *testing.T) {
	rc := redistest.Start(t, "").Client()
	for name, script := range strScripts {
		t.Run(name, func(t *testing.T) {
			rc.Must("FLUSHALL")
			rc.Must("RPUSH", "l", "a")
			for _, s := range parseStrScript(t, script) {
				v := rc.Do(s.args...)
				name := strings.ToUpper(s.args[0])
				if name == "DBSIZE" || name == "PTTL" && !strings.HasPrefix(s.reply, "-") {
					continue
				}
				if got := v.String(); got != s.reply {
					t.Errorf("line %d: %q: redis replied %s, script says %s", s.line, s.args, got, s.reply)
				}
			}
		})
	}
}

// ---- differential generators ----

// strValues are values the generators store: numbers at the edges,
// floats, binary data, text.
var strValues = []string{
	"", "0", "1", "-1", "7", "10", "007", "+1", " 1", "abc", "hello world",
	"3.5", "-0.25", "1e3", "1.5e-3", "9223372036854775807", "-9223372036854775808",
	"9223372036854775806", "99999999999999999999", "\x00\xff\x0f", "a\r\nb",
	"foobar", "\xff\xf0\x00", "\x00\x00\x01", "ohmytext", "mynewtext",
}

// strValue picks a value: from strValues, or random bytes.
func strValue(r *rand.Rand) string {
	if r.IntN(5) == 0 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	return strValues[r.IntN(len(strValues))]
}

// strPick picks one of words.
func strPick(r *rand.Rand, words ...string) string { return words[r.IntN(len(words))] }

// strInt picks an integer argument: small, negative, at the edges, or
// not an integer.
func strInt(r *rand.Rand, small int) string {
	switch r.IntN(12) {
	case 0:
		return strPick(r, "9223372036854775807", "-9223372036854775808", "9223372036854775808")
	case 1:
		return strPick(r, "x", "", "1.5", " 1", "+1")
	case 2, 3:
		return strconv.Itoa(-r.IntN(small + 1))
	}
	return strconv.Itoa(r.IntN(small + 1))
}

// strAbsTime picks an absolute expire option and its time: far in the
// future (both sides agree on it), or invalid. With past set, a past
// time too (which leaves an expired key: see strings-time).
func strAbsTime(r *rand.Rand, past bool) []string {
	opt := strPick(r, "EXAT", "PXAT", "exat", "pxat")
	sec := 4102444800 + r.IntN(1000) // 2100
	switch n := r.IntN(10); {
	case n == 0:
		return []string{opt, strPick(r, "0", "-5", "x", "9223372036854776")}
	case n == 1 && past:
		sec = 1 + r.IntN(1000)
	}
	if opt[0] == 'P' || opt[0] == 'p' {
		return []string{opt, strconv.Itoa(sec*1000 + r.IntN(1000))}
	}
	return []string{opt, strconv.Itoa(sec)}
}

// strRelTime picks a relative expire option: long enough that no key
// expires during a test.
func strRelTime(r *rand.Rand) []string {
	if r.IntN(2) == 0 {
		return []string{strPick(r, "EX", "ex"), strconv.Itoa(100000 + r.IntN(100000))}
	}
	return []string{strPick(r, "PX", "px"), strconv.Itoa(100000000 + r.IntN(100000000))}
}

// strSetArgs builds a SET with random options; times come from timeFn.
func strSetArgs(r *rand.Rand, k []string, timeFn func(*rand.Rand) []string) []string {
	args := []string{strPick(r, "SET", "set"), randKey(r, k), strValue(r)}
	for n := r.IntN(4); n > 0; n-- {
		switch r.IntN(9) {
		case 0, 1:
			args = append(args, timeFn(r)...)
		case 2:
			args = append(args, strPick(r, "NX", "nx"))
		case 3:
			args = append(args, strPick(r, "XX", "xx"))
		case 4, 5:
			args = append(args, strPick(r, "GET", "get"))
		case 6:
			args = append(args, strPick(r, "KEEPTTL", "keepttl"))
		case 7:
			args = append(args, strPick(r, "BAD", "EX", "PERSIST", "nx\x00"))
		case 8:
			args = append(args, strPick(r, "EX", "PX")+"AT") // at the end: no time
		}
	}
	return args
}

func init() {
	gens = append(gens,
		gen{"strings", func(r *rand.Rand, k []string) []string {
			return strSetArgs(r, k, func(r *rand.Rand) []string { return strAbsTime(r, false) })
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			switch r.IntN(4) {
			case 0:
				return []string{"SETNX", randKey(r, k), strValue(r)}
			case 1:
				// Invalid times only: a valid one is relative.
				return []string{strPick(r, "SETEX", "PSETEX"), randKey(r, k), strPick(r, "0", "-1", "x", "9223372036854775807"), strValue(r)}
			case 2:
				return []string{"GETSET", randKey(r, k), strValue(r)}
			}
			return []string{"GETDEL", randKey(r, k)}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			args := []string{strPick(r, "MSET", "MSETNX")}
			for n := 1 + r.IntN(3); n > 0; n-- {
				args = append(args, randKey(r, k), strValue(r))
			}
			if r.IntN(10) == 0 {
				args = args[:len(args)-1]
			}
			return args
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			switch r.IntN(3) {
			case 0:
				return []string{"GET", randKey(r, k)}
			case 1:
				return []string{"STRLEN", randKey(r, k)}
			}
			return []string{"MGET", randKey(r, k), randKey(r, k), randKey(r, k)}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			args := []string{"GETEX", randKey(r, k)}
			switch r.IntN(6) {
			case 0:
			case 1:
				args = append(args, strPick(r, "PERSIST", "persist"))
			case 2:
				// Invalid options only: a valid EX or PX is relative.
				bad := [][]string{{"NX"}, {"KEEPTTL"}, {"GET"}, {"EX"}, {"EX", "PERSIST"}, {"PERSIST", "EX", "5"},
					{"EX", "0"}, {"PX", "-1"}, {"EX", "x"}, {"persist", "persist"}, {"EX", "9223372036854775807"}}
				args = append(args, bad[r.IntN(len(bad))]...)
			default:
				args = append(args, strAbsTime(r, true)...)
			}
			return args
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			return []string{"APPEND", randKey(r, k), strValue(r)}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			off := strInt(r, 20)
			if r.IntN(20) == 0 {
				off = strPick(r, "536870912", "4294967296", "9223372036854775807")
			}
			return []string{"SETRANGE", randKey(r, k), off, strValue(r)}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			return []string{strPick(r, "GETRANGE", "SUBSTR"), randKey(r, k), strInt(r, 20), strInt(r, 20)}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			switch r.IntN(4) {
			case 0:
				return []string{strPick(r, "INCR", "DECR"), randKey(r, k)}
			case 1:
				return []string{strPick(r, "INCRBY", "DECRBY"), randKey(r, k), strInt(r, 100)}
			}
			by := strPick(r, "1", "0.1", "-1.5", "1e3", "5.0e-3", "abc", "inf", "-inf", "nan", "",
				"1.23456789012345678", "1e300", "-1e300", "3", "-0", " 1", "1 ", "0.30000000000000004")
			return []string{"INCRBYFLOAT", randKey(r, k), by}
		}},
		gen{"strings", func(r *rand.Rand, k []string) []string {
			args := []string{"LCS", randKey(r, k), randKey(r, k)}
			for n := r.IntN(3); n > 0; n-- {
				switch r.IntN(5) {
				case 0:
					args = append(args, "LEN")
				case 1:
					args = append(args, "IDX")
				case 2:
					args = append(args, "WITHMATCHLEN")
				case 3:
					args = append(args, "MINMATCHLEN", strInt(r, 3))
				case 4:
					args = append(args, strPick(r, "BAD", "MINMATCHLEN"))
				}
			}
			return args
		}},
	)
}

// strTimeGens make commands with relative expiry times and past ones,
// which only TestDifferentialStringsTime sends (they are not in gens,
// which every differential test may draw from).
var strTimeGens = []gen{
	{"strings-time", func(r *rand.Rand, k []string) []string {
		return strSetArgs(r, k, func(r *rand.Rand) []string {
			if r.IntN(2) == 0 {
				return strRelTime(r)
			}
			return strAbsTime(r, true)
		})
	}},
	{"strings-time", func(r *rand.Rand, k []string) []string {
		t := strRelTime(r)
		name := "SETEX"
		if t[0] == "PX" || t[0] == "px" {
			name = "PSETEX"
		}
		return []string{name, randKey(r, k), t[1], strValue(r)}
	}},
	{"strings-time", func(r *rand.Rand, k []string) []string {
		return append([]string{"GETEX", randKey(r, k)}, strRelTime(r)...)
	}},
}

// TestDifferentialStrings runs random string and bit commands, with the
// generic commands, on both sides.
func TestDifferentialStrings(t *testing.T) { runDifferential(t, "strings", "generic") }

// TestDifferentialStringsTime adds commands with relative expiry times
// and past ones to TestDifferentialStrings. A relative time makes an
// expiry neither side can predict to the millisecond, and a past one
// leaves an expired key that Redis's background expiry may remove at
// any moment, so the replies that show either (TTL, PTTL, EXPIRETIME,
// PEXPIRETIME, DBSIZE) are not sent, and every key is made persistent
// before the data sets are compared.
func TestDifferentialStringsTime(t *testing.T) {
	pool := slices.Clone(strTimeGens)
	for _, g := range gens {
		if g.group == "strings" || g.group == "generic" {
			pool = append(pool, g)
		}
	}
	timed := map[string]bool{"ttl": true, "pttl": true, "expiretime": true, "pexpiretime": true, "dbsize": true}
	r := testenv.Rand(t)
	d := newDiffer(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		args := pool[r.IntN(len(pool))].fn(r, diffKeys)
		if timed[strings.ToLower(args[0])] {
			continue
		}
		d.do(args...)
		if i%200 == 199 || i == n-1 {
			db := d.db
			for j := 0; j < 3; j++ {
				d.do("SELECT", strconv.Itoa(j))
				for _, k := range diffKeys {
					d.do("PERSIST", k)
				}
			}
			d.do("SELECT", strconv.Itoa(db))
			d.check()
		}
	}
}

// ---- benchmarks ----

// strBenchKeys returns n key names.
func strBenchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	return keys
}

// BenchmarkSet measures SET of a small value on existing keys (the
// object is reused), and on new keys, through Memory.Exec with a reused
// Call, as a Store drives it.
func BenchmarkSet(b *testing.B) {
	const n = 1 << 16
	val := []byte("a-small-value-16")
	set := []byte("SET")
	b.Run("existing", func(b *testing.B) {
		keys := strBenchKeys(n)
		ks := keyspace.NewMemory(nil)
		var c keyspace.Call
		for _, k := range keys {
			strExec(b, ks, &c, "SET", string(k), string(val))
		}
		c = keyspace.Call{Args: make([][]byte, 3), Write: true}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			c.Args[0], c.Args[1], c.Args[2] = set, keys[i%n], val
			c.Reply.Buf = c.Reply.Buf[:0]
			c.Log = c.Log[:0]
			if err := ks.Exec(&c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
	})
	b.Run("new", func(b *testing.B) {
		// Every iteration adds a key: the keyspace grows.
		ks := keyspace.NewMemory(nil)
		c := keyspace.Call{Args: make([][]byte, 3), Write: true}
		key := []byte("key:")
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			key = strconv.AppendInt(key[:4], int64(i), 10)
			c.Args[0], c.Args[1], c.Args[2] = set, key, val
			c.Reply.Buf = c.Reply.Buf[:0]
			c.Log = c.Log[:0]
			if err := ks.Exec(&c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
	})
}

// BenchmarkGet measures GET of a small value through Memory.Exec with a
// reused Call, without the write turn (a read).
func BenchmarkGet(b *testing.B) {
	const n = 1 << 16
	keys := strBenchKeys(n)
	ks := keyspace.NewMemory(nil)
	var c keyspace.Call
	for _, k := range keys {
		strExec(b, ks, &c, "SET", string(k), "a-small-value-16")
	}
	c = keyspace.Call{Args: make([][]byte, 2)}
	get := []byte("GET")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Args[0], c.Args[1] = get, keys[i%n]
		c.Reply.Buf = c.Reply.Buf[:0]
		if err := ks.Exec(&c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// TestSetAllocs checks that SET of a small value on an existing string
// key reuses its object and buffer: it allocates nothing of its own
// (the one allocation allowed is the core's execution context).
func TestSetAllocs(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	var c keyspace.Call
	strExec(t, ks, &c, "SET", "k", "first value")
	c = keyspace.Call{Args: make([][]byte, 3), Write: true}
	set, key, val := []byte("SET"), []byte("k"), []byte("other value")
	allocs := testing.AllocsPerRun(1000, func() {
		c.Args[0], c.Args[1], c.Args[2] = set, key, val
		c.Reply.Buf = c.Reply.Buf[:0]
		c.Log = c.Log[:0]
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("SET of an existing key: %v allocations, want at most 1", allocs)
	}
	get := []byte("GET")
	c = keyspace.Call{Args: make([][]byte, 2)}
	allocs = testing.AllocsPerRun(1000, func() {
		c.Args[0], c.Args[1] = get, key
		c.Reply.Buf = c.Reply.Buf[:0]
		if err := ks.Exec(&c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("GET: %v allocations, want at most 1", allocs)
	}
}

// TestStringSnapshotIsolation checks that the commands that change a
// string in place leave an open snapshot with the value it had.
func TestStringSnapshotIsolation(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	var c keyspace.Call
	keys := []string{"set", "mset", "append", "setrange", "incr", "incrbyfloat", "setbit", "bitfield", "getset", "getex"}
	for _, k := range keys {
		strExec(t, ks, &c, "SET", k, "10")
	}
	before := snapshotData(t, ks)
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, cmd := range [][]string{
		{"SET", "set", "20"}, {"MSET", "mset", "20"}, {"APPEND", "append", "0"},
		{"SETRANGE", "setrange", "0", "2"}, {"INCR", "incr"}, {"INCRBYFLOAT", "incrbyfloat", "1.5"},
		{"SETBIT", "setbit", "0", "1"}, {"BITFIELD", "bitfield", "SET", "u8", "0", "65"},
		{"GETSET", "getset", "x"}, {"GETEX", "getex", "EXAT", "4102444800"},
	} {
		strExec(t, ks, &c, cmd...)
	}
	got := map[string]keyData{}
	for {
		e, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprintf("%d/%q", e.DB, e.Key)] = keyData{e.Value.Type().String(), canon(e.Value), e.ExpireAt}
	}
	if diff := cmp.Diff(before, got); diff != "" {
		t.Errorf("snapshot changed (-before +snapshot):\n%s", diff)
	}
	after := snapshotData(t, ks)
	for _, k := range keys {
		if after[fmt.Sprintf("0/%q", k)] == before[fmt.Sprintf("0/%q", k)] {
			t.Errorf("key %s did not change", k)
		}
	}
}
