package keyspace_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// ---- helpers shared by sets_test.go and hashes_test.go ----

// shStep is one command of a unit test: its reply in RESP2 wire form,
// and what it must log, each record as its arguments joined by spaces
// (nil: nothing). A reply of "" is not checked.
type shStep struct {
	cmd   string // split on spaces
	reply string
	log   []string
}

const (
	shOK   = "+OK\r\n"
	shNull = "$-1\r\n"
)

func shInt(n int64) string    { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func shErr(msg string) string { return "-" + msg + "\r\n" }
func shBulk(s string) string {
	return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n"
}
func shArr(elems ...string) string {
	return "*" + strconv.Itoa(len(elems)) + "\r\n" + strings.Join(elems, "")
}
func shBulks(s ...string) string {
	elems := make([]string, len(s))
	for i, e := range s {
		elems[i] = shBulk(e)
	}
	return shArr(elems...)
}

// shNow is the fixed clock of the unit tests.
var shNow = time.UnixMilli(1_700_000_000_000)

func shMemory() *keyspace.Memory {
	return keyspace.NewMemory(&keyspace.Options{Clock: func() time.Time { return shNow }})
}

// shExec runs args with the write turn and returns the reply and the log.
func shExec(t *testing.T, ks *keyspace.Memory, args ...string) (string, []string) {
	t.Helper()
	c := &keyspace.Call{Write: true}
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	if err := ks.Exec(c); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	var log []string
	for _, r := range c.Log {
		log = append(log, string(bytes.Join(r.Args, []byte(" "))))
	}
	return string(c.Reply.Buf), log
}

// shRun runs steps in order, checking replies and logs.
func shRun(t *testing.T, ks *keyspace.Memory, steps []shStep) {
	t.Helper()
	for _, s := range steps {
		reply, log := shExec(t, ks, strings.Split(s.cmd, " ")...)
		if s.reply != "" && reply != s.reply {
			t.Errorf("%s:\n got  %q\n want %q", s.cmd, reply, s.reply)
		}
		if !slices.Equal(log, s.log) {
			t.Errorf("%s: logged %q, want %q", s.cmd, log, s.log)
		}
	}
}

// shReply parses a RESP reply.
func shReply(t *testing.T, reply string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(reply)).ReadReply()
	if err != nil {
		t.Fatalf("reply %q: %v", reply, err)
	}
	return v
}

// shStrings returns the bulk strings of an array reply.
func shStrings(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		out = append(out, string(e.Str))
	}
	return out
}

func shRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// ---- unit tests ----

func TestSetsAddRem(t *testing.T) {
	shRun(t, shMemory(), []shStep{
		{"SADD s 3 1 2 1", shInt(3), []string{"SADD s 3 1 2 1"}},
		{"SADD s 1 2", shInt(0), nil},
		{"SMEMBERS s", shBulks("1", "2", "3"), nil},
		{"SCARD s", shInt(3), nil},
		{"SCARD none", shInt(0), nil},
		{"SISMEMBER s 2", shInt(1), nil},
		{"SISMEMBER s 02", shInt(0), nil},
		{"SISMEMBER none 2", shInt(0), nil},
		{"SMISMEMBER s 1 x 3", shArr(shInt(1), shInt(0), shInt(1)), nil},
		{"SMISMEMBER none 1", shArr(shInt(0)), nil},
		{"SREM s 9", shInt(0), nil},
		{"SREM none 9", shInt(0), nil},
		{"SREM s 1 9", shInt(1), []string{"SREM s 1 9"}},
		// The set empties at 3: the rest is not looked at.
		{"SREM s 2 3 2", shInt(2), []string{"SREM s 2 3 2"}},
		{"EXISTS s", shInt(0), nil},
		{"SMEMBERS s", shArr(), nil},
		{"HSET h f v", shInt(1), []string{"HSET h f v"}},
		{"SADD h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SREM h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SCARD h", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SISMEMBER h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SMISMEMBER h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SMEMBERS h", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SADD s", shErr("ERR wrong number of arguments for 'sadd' command"), nil},
	})
}

// TestSetsIntsetOrder checks the intset and its conversion to a hash
// table: ascending order while every member is an integer and there are
// at most 512, the hash table's own order (here insertion order) after.
func TestSetsIntsetOrder(t *testing.T) {
	ks := shMemory()
	ints := shRange(1, 512)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(ints), func(i, j int) { ints[i], ints[j] = ints[j], ints[i] })
	shExec(t, ks, append([]string{"SADD", "s"}, ints...)...)
	reply, _ := shExec(t, ks, "SMEMBERS", "s")
	if got := shStrings(shReply(t, reply)); !slices.Equal(got, shRange(1, 512)) {
		t.Fatalf("512 integers: not ascending: %q", got)
	}
	// The 513th member makes it a hash table (which starts in the
	// intset's order): -1 then goes last.
	shExec(t, ks, "SADD", "s", "0")
	shExec(t, ks, "SADD", "s", "-1")
	reply, _ = shExec(t, ks, "SMEMBERS", "s")
	if got := shStrings(shReply(t, reply)); !slices.Equal(got, append(shRange(0, 512), "-1")) {
		t.Fatalf("514 integers: %q", got[len(got)-3:])
	}
	// It stays one when it shrinks (a removal moves the last member
	// into the hole).
	shExec(t, ks, append([]string{"SREM", "s"}, shRange(10, 512)...)...)
	shExec(t, ks, "SADD", "s", "-2")
	reply, _ = shExec(t, ks, "SMEMBERS", "s")
	if got := shStrings(shReply(t, reply)); !slices.Equal(got, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-1", "-2"}) {
		t.Fatalf("after shrinking: %q", got)
	}

	shRun(t, ks, []shStep{
		// A member that is not a canonical integer converts at once.
		{"SADD n 3 1 2", shInt(3), []string{"SADD n 3 1 2"}},
		{"SMEMBERS n", shBulks("1", "2", "3"), nil},
		{"SADD n 01 0", shInt(2), []string{"SADD n 01 0"}},
		{"SMEMBERS n", shBulks("1", "2", "3", "01", "0"), nil},
		{"SREM n 01", shInt(1), []string{"SREM n 01"}},
		{"SADD n -5", shInt(1), []string{"SADD n -5"}},
		{"SMEMBERS n", shBulks("1", "2", "3", "0", "-5"), nil},
		// Integers at the limits of int64 stay in an intset.
		{"SADD m 9223372036854775807 -9223372036854775808 0", shInt(3), []string{"SADD m 9223372036854775807 -9223372036854775808 0"}},
		{"SMEMBERS m", shBulks("-9223372036854775808", "0", "9223372036854775807"), nil},
		{"SADD m 9223372036854775808", shInt(1), []string{"SADD m 9223372036854775808"}},
		{"SMEMBERS m", shBulks("-9223372036854775808", "0", "9223372036854775807", "9223372036854775808"), nil},
	})
}

// TestSetsOptions checks that SetMaxIntsetEntries is obeyed.
func TestSetsOptions(t *testing.T) {
	ks := keyspace.NewMemory(&keyspace.Options{SetMaxIntsetEntries: 3})
	shRun(t, ks, []shStep{
		{"SADD s 3 2 1", shInt(3), []string{"SADD s 3 2 1"}},
		{"SMEMBERS s", shBulks("1", "2", "3"), nil},
		{"SADD s 0", shInt(1), []string{"SADD s 0"}},
		{"SADD s -1", shInt(1), []string{"SADD s -1"}},
		{"SMEMBERS s", shBulks("0", "1", "2", "3", "-1"), nil},
	})
}

// TestSetsRestore checks the encoding a loaded set gets, and export.
func TestSetsRestore(t *testing.T) {
	ks := shMemory()
	restore := func(key string, members ...string) {
		t.Helper()
		var v rdb.Set
		for _, m := range members {
			v = append(v, []byte(m))
		}
		if err := ks.Restore(&rdb.Entry{Key: []byte(key), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	members := func(key string) []string {
		t.Helper()
		reply, _ := shExec(t, ks, "SMEMBERS", key)
		return shStrings(shReply(t, reply))
	}
	restore("small", "5", "-1", "3")
	if got := members("small"); !slices.Equal(got, []string{"-1", "3", "5"}) {
		t.Errorf("512 integers or fewer load as an intset: %q", got)
	}
	big := append(shRange(2, 513), "1")
	restore("big", big...)
	if got := members("big"); !slices.Equal(got, big) {
		t.Errorf("513 integers load as a hash table: %q...", got[:3])
	}
	restore("mixed", "5", "x", "3")
	if got := members("mixed"); !slices.Equal(got, []string{"5", "x", "3"}) {
		t.Errorf("a non-integer loads as a hash table: %q", got)
	}
	// Snapshot exports in reply order, and a COPY is independent.
	shExec(t, ks, "COPY", "small", "copy")
	shExec(t, ks, "SADD", "copy", "x")
	if got := members("small"); !slices.Equal(got, []string{"-1", "3", "5"}) {
		t.Errorf("COPY shares memory: %q", got)
	}
	snap, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	shExec(t, ks, "SADD", "mixed", "y")
	for {
		e, err := snap.Next()
		if err != nil {
			break
		}
		if string(e.Key) == "mixed" {
			var got []string
			for _, m := range e.Value.(rdb.Set) {
				got = append(got, string(m))
			}
			if !slices.Equal(got, []string{"5", "x", "3"}) {
				t.Errorf("exported %q", got)
			}
		}
	}
}

func TestSetsPop(t *testing.T) {
	ks := shMemory()
	shRun(t, ks, []shStep{
		{"SPOP none", shNull, nil},
		{"SPOP none 3", "*0\r\n", nil},
		{"SADD s 1", shInt(1), []string{"SADD s 1"}},
		{"SPOP s", shBulk("1"), []string{"SREM s 1"}},
		{"EXISTS s", shInt(0), nil},
		{"SADD s 1 2 3", "", []string{"SADD s 1 2 3"}},
		{"SPOP s 0", "*0\r\n", nil},
		{"SPOP s -1", shErr("ERR value is out of range, must be positive"), nil},
		{"SPOP s x", shErr("ERR value is out of range, must be positive"), nil},
		{"SPOP s 1 2", shErr("ERR syntax error"), nil},
		// Everything: the set as SUNION replies it, logged as DEL.
		{"SPOP s 3", shBulks("1", "2", "3"), []string{"DEL s"}},
		{"EXISTS s", shInt(0), nil},
		{"SADD s c a b", "", []string{"SADD s c a b"}},
		{"SPOP s 10", "", []string{"DEL s"}},
		{"HSET h f v", "", []string{"HSET h f v"}},
		{"SPOP h", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SPOP h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
	})

	// A few members: one SREM per member popped.
	shExec(t, ks, append([]string{"SADD", "s"}, shRange(1, 10)...)...)
	reply, log := shExec(t, ks, "SPOP", "s", "3")
	popped := shStrings(shReply(t, reply))
	if len(popped) != 3 || len(log) != 3 {
		t.Fatalf("SPOP s 3: %q, logged %q", popped, log)
	}
	for i, m := range popped {
		if log[i] != "SREM s "+m {
			t.Errorf("popped %s, logged %q", m, log[i])
		}
	}
	if reply, _ := shExec(t, ks, "SCARD", "s"); reply != shInt(7) {
		t.Errorf("SCARD after SPOP 3: %q", reply)
	}

	// Most members: the set is rebuilt from the one that stays, which
	// makes a hash table of integers an intset again, as in Redis.
	shExec(t, ks, "DEL", "s")
	shExec(t, ks, append([]string{"SADD", "s", "x"}, shRange(1, 10)...)...)
	shExec(t, ks, "SREM", "s", "x")
	reply, log = shExec(t, ks, "SPOP", "s", "9")
	if popped := shStrings(shReply(t, reply)); len(popped) != 9 || len(log) != 9 {
		t.Fatalf("SPOP s 9: %q, logged %q", popped, log)
	}
	shExec(t, ks, "SADD", "s", "100", "50")
	reply, _ = shExec(t, ks, "SMEMBERS", "s")
	if got := shStrings(shReply(t, reply)); len(got) != 3 || got[1] != "50" || got[2] != "100" {
		t.Errorf("after SPOP rebuilt the set, not an intset: %q", got)
	}
}

func TestSetsMove(t *testing.T) {
	const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	shRun(t, shMemory(), []shStep{
		{"SADD a 1 2", "", []string{"SADD a 1 2"}},
		{"HSET h f v", "", []string{"HSET h f v"}},
		{"SMOVE none h 1", shInt(0), nil},
		{"SMOVE a h 1", shErr(wrongType), nil},
		{"SMOVE h a 1", shErr(wrongType), nil},
		{"SMOVE a a 1", shInt(1), nil},
		{"SMOVE a a 3", shInt(0), nil},
		{"SMOVE a b 3", shInt(0), nil},
		{"SMOVE a b 1", shInt(1), []string{"SMOVE a b 1"}},
		{"SADD b 2", "", []string{"SADD b 2"}},
		// Already in the destination: still removed from the source,
		// which empties and goes.
		{"SMOVE a b 2", shInt(1), []string{"SMOVE a b 2"}},
		{"EXISTS a", shInt(0), nil},
		{"SMEMBERS b", shBulks("1", "2"), nil},
		{"SMOVE b c x", shInt(0), nil},
	})
}

func TestSetsAlgebra(t *testing.T) {
	const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ks := shMemory()
	shRun(t, ks, []shStep{
		{"SADD a 5 3 x 1", "", []string{"SADD a 5 3 x 1"}},
		{"SADD b 7 5 3 1", "", []string{"SADD b 7 5 3 1"}},
		{"SADD c x", "", []string{"SADD c x"}},
		{"HSET h f v", "", []string{"HSET h f v"}},
		// The smallest set's order (b is an intset).
		{"SINTER c a", shBulks("x"), nil},
		{"SINTER b a", shBulks("1", "3", "5"), nil},
		{"SINTER a b none", shArr(), nil},
		{"SINTER none h", shErr(wrongType), nil},
		{"SINTER a", shBulks("3", "5", "x", "1"), nil},
		// Equal sizes: the first given (a, a hash table) leads.
		{"SINTER a b", shBulks("3", "5", "1"), nil},
		// A result of integers is an intset, whatever the sources.
		{"SINTERSTORE d a b", shInt(3), []string{"SINTERSTORE d a b"}},
		{"SMEMBERS d", shBulks("1", "3", "5"), nil},
		{"SINTERSTORE d a c b", shInt(0), []string{"SINTERSTORE d a c b"}},
		{"EXISTS d", shInt(0), nil},
		{"SINTERSTORE d a c b", shInt(0), nil},
		{"SINTERSTORE d a none", shInt(0), nil},
		{"SINTERSTORE h a h", shErr(wrongType), nil},
		{"SINTERCARD 2 a b", shInt(3), nil},
		{"SINTERCARD 2 a b LIMIT 2", shInt(2), nil},
		{"SINTERCARD 2 a b limit 0", shInt(3), nil},
		{"SINTERCARD 1 a", shInt(4), nil},
		{"SINTERCARD 2 a none", shInt(0), nil},
		{"SINTERCARD 2 none h", shErr(wrongType), nil},
		{"SINTERCARD 0 a", shErr("ERR numkeys should be greater than 0"), nil},
		{"SINTERCARD x a", shErr("ERR numkeys should be greater than 0"), nil},
		{"SINTERCARD 3 a b", shErr("ERR Number of keys can't be greater than number of args"), nil},
		{"SINTERCARD 1 a LIMIT -1", shErr("ERR LIMIT can't be negative"), nil},
		{"SINTERCARD 1 a LIMIT x", shErr("ERR LIMIT can't be negative"), nil},
		{"SINTERCARD 1 a LIMIT", shErr("ERR syntax error"), nil},
		{"SINTERCARD 1 a FOO 1", shErr("ERR syntax error"), nil},
		// SUNION and SDIFF build an intset when they can.
		{"SUNION b none c", shBulks("1", "3", "5", "7", "x"), nil},
		{"SUNION b none", shBulks("1", "3", "5", "7"), nil},
		{"SUNION none", shArr(), nil},
		{"SUNION a h", shErr(wrongType), nil},
		{"SDIFF a c", shBulks("1", "3", "5"), nil},
		{"SDIFF a a", shArr(), nil},
		{"SDIFF none a", shArr(), nil},
		{"SDIFF a none b", shBulks("x"), nil},
		{"SDIFF b h", shErr(wrongType), nil},
		// With enough sets to subtract, SDIFF adds the whole first set
		// and removes the others: x made the result a hash table.
		{"SDIFF a c c c c c", shBulks("3", "5", "1"), nil},
		{"SDIFFSTORE d a c", shInt(3), []string{"SDIFFSTORE d a c"}},
		{"SMEMBERS d", shBulks("1", "3", "5"), nil},
		{"SDIFFSTORE d a c c c c c", shInt(3), []string{"SDIFFSTORE d a c c c c c"}},
		{"SMEMBERS d", shBulks("3", "5", "1"), nil},
		{"SDIFFSTORE d a a", shInt(0), []string{"SDIFFSTORE d a a"}},
		{"SDIFFSTORE d a a", shInt(0), nil},
		// The second algorithm, ending early when nothing is left.
		{"SADD p 1 2 3", "", []string{"SADD p 1 2 3"}},
		{"SADD q1 1", "", []string{"SADD q1 1"}},
		{"SADD q2 2", "", []string{"SADD q2 2"}},
		{"SADD q3 3", "", []string{"SADD q3 3"}},
		{"SDIFF p q1 q2 none q3 q1 q2", shArr(), nil},
		{"SDIFF p q1 q2 none q1 q1 q2", shBulks("3"), nil},
		// A store replaces any value and its expiry.
		{"PEXPIREAT h 1800000000000", shInt(1), []string{"PEXPIREAT h 1800000000000"}},
		{"SUNIONSTORE h c b", shInt(5), []string{"SUNIONSTORE h c b"}},
		{"PTTL h", shInt(-1), nil},
		{"SMEMBERS h", shBulks("x", "1", "3", "5", "7"), nil},
		{"SUNIONSTORE h none", shInt(0), []string{"SUNIONSTORE h none"}},
		{"EXISTS h", shInt(0), nil},
	})
}

func TestSetsRandMember(t *testing.T) {
	ks := shMemory()
	shRun(t, ks, []shStep{
		{"SRANDMEMBER none", shNull, nil},
		{"SRANDMEMBER none 5", shArr(), nil},
		{"SRANDMEMBER none -5", shArr(), nil},
		{"SADD s 3 1 2", "", []string{"SADD s 3 1 2"}},
		{"SRANDMEMBER s 0", shArr(), nil},
		{"SRANDMEMBER s 3", shBulks("1", "2", "3"), nil},
		{"SRANDMEMBER s 30", shBulks("1", "2", "3"), nil},
		{"SRANDMEMBER s x", shErr("ERR value is not an integer or out of range"), nil},
		{"SRANDMEMBER s -9223372036854775808", shErr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"), nil},
		{"SRANDMEMBER s -9223372036854775807", shErr("ERR value is out of range"), nil},
		{"SRANDMEMBER s 1 2", shErr("ERR syntax error"), nil},
		{"HSET h f v", "", []string{"HSET h f v"}},
		{"SRANDMEMBER h", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
		{"SRANDMEMBER h 1", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
	})
	shExec(t, ks, append([]string{"SADD", "s"}, shRange(1, 100)...)...)
	for _, count := range []int{1, 2, 40, 99, -1, -7, -300} {
		reply, _ := shExec(t, ks, "SRANDMEMBER", "s", strconv.Itoa(count))
		got := shStrings(shReply(t, reply))
		if len(got) != max(count, -count) {
			t.Errorf("SRANDMEMBER s %d: %d members", count, len(got))
		}
		seen := map[string]bool{}
		for _, m := range got {
			if n, err := strconv.Atoi(m); err != nil || n < 1 || n > 100 {
				t.Errorf("SRANDMEMBER s %d: %q", count, m)
			}
			if seen[m] && count > 0 {
				t.Errorf("SRANDMEMBER s %d: %s twice", count, m)
			}
			seen[m] = true
		}
	}
	if reply, _ := shExec(t, ks, "SRANDMEMBER", "s"); len(reply) < 5 || reply[0] != '$' {
		t.Errorf("SRANDMEMBER s: %q", reply)
	}
}

func TestSetsScan(t *testing.T) {
	ks := shMemory()
	shRun(t, ks, []shStep{
		{"SSCAN none 0", shArr(shBulk("0"), shArr()), nil},
		{"SSCAN none 0 BAD", shArr(shBulk("0"), shArr()), nil},
		{"SADD s 30 10 20 11", "", []string{"SADD s 30 10 20 11"}},
		{"SSCAN s 0", shArr(shBulk("0"), shBulks("10", "11", "20", "30")), nil},
		{"SSCAN s 7 COUNT 1", shArr(shBulk("0"), shBulks("10", "11", "20", "30")), nil},
		{"SSCAN s 0 MATCH 1* COUNT 2", shArr(shBulk("0"), shBulks("10", "11")), nil},
		{"SSCAN s 0 match * count 100", shArr(shBulk("0"), shBulks("10", "11", "20", "30")), nil},
		{"SSCAN s 0 COUNT 0", shErr("ERR syntax error"), nil},
		{"SSCAN s 0 COUNT x", shErr("ERR value is not an integer or out of range"), nil},
		{"SSCAN s 0 MATCH", shErr("ERR syntax error"), nil},
		{"SSCAN s 0 TYPE set", shErr("ERR syntax error"), nil},
		{"SSCAN s x", shErr("ERR invalid cursor"), nil},
		{"SADD t b a", "", []string{"SADD t b a"}},
		{"SSCAN t 0 MATCH a", shArr(shBulk("0"), shBulks("a")), nil},
		{"SSCAN t 0", shArr(shBulk("0"), shBulks("b", "a")), nil},
		{"HSET h f v", "", []string{"HSET h f v"}},
		{"SSCAN h 0", shErr("WRONGTYPE Operation against a key holding the wrong kind of value"), nil},
	})
}

// TestSetsLoading checks that what SPOP logs replays to the same set.
func TestSetsLoading(t *testing.T) {
	ks, replica := shMemory(), shMemory()
	run := func(args ...string) {
		c := &keyspace.Call{Write: true}
		for _, a := range args {
			c.Args = append(c.Args, []byte(a))
		}
		if err := ks.Exec(c); err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Log {
			rc := &keyspace.Call{Write: true, Loading: true, Args: r.Args, DB: r.DB}
			if err := replica.Exec(rc); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(append([]string{"SADD", "s", "x"}, shRange(1, 40)...)...)
	for _, n := range []string{"1", "2", "30", "3", "1", "10"} {
		run("SPOP", "s", n)
		run("SPOP", "s")
	}
	ours, theirs := snapshotData(t, ks), snapshotData(t, replica)
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		t.Errorf("replica differs:\n%v\n%v", ours, theirs)
	}
}

// ---- differential test ----

// setMembers are the members the generators use: integers in and out of
// an intset's domain, and strings (no glob characters, so that a member
// is also a pattern that matches only itself).
var setMembers = []string{
	"0", "1", "2", "3", "7", "10", "-1", "-42", "01", "+1", "1.0", " 1",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"a", "b", "c", "hello", "", "\x00\xff", "k:1",
}

func randMembers(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = setMembers[r.IntN(len(setMembers))]
	}
	return out
}

// randInts returns n distinct integers of [0, 700), to grow sets past an
// intset.
func randInts(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i, v := range r.Perm(700)[:n] {
		out[i] = strconv.Itoa(v)
	}
	return out
}

// randKeys returns 1 to 4 keys of the pool, or now and then a key and
// another repeated, which makes SDIFF take its second algorithm.
func randKeys(r *rand.Rand, keys []string) []string {
	if r.IntN(5) == 0 {
		out := []string{randKey(r, keys)}
		other := randKey(r, keys)
		for range 2 + r.IntN(8) {
			out = append(out, other)
		}
		return out
	}
	out := make([]string, 1+r.IntN(4))
	for i := range out {
		out[i] = randKey(r, keys)
	}
	return out
}

// intsetKey is a key outside the pool that only ever holds a set of at
// most 100 integers, an intset: its SSCAN replies are ordered, so they
// are compared with any cursor, COUNT and MATCH.
const intsetKey = "sets:intset"

// popped returns the members an SPOP reply holds.
func popped(v resp.Value) []string {
	switch {
	case v.Type == resp.TypeBulkString && !v.Null:
		return []string{string(v.Str)}
	case v.Type == resp.TypeArray || v.Type == resp.TypeSet:
		out := shStrings(v)
		slices.Sort(out)
		return out
	}
	return nil
}

func init() {
	skipReply["hrandfield"] = true
	// SPOP pops other members on each side: give redis-server back what
	// it popped and take what we popped.
	fixups["spop"] = func(args []string, ours, theirs resp.Value) [][]string {
		o, t := popped(ours), popped(theirs)
		if slices.Equal(o, t) {
			return nil
		}
		var fix [][]string
		if len(t) > 0 {
			fix = append(fix, append([]string{"SADD", args[1]}, t...))
		}
		if len(o) > 0 {
			fix = append(fix, append([]string{"SREM", args[1]}, o...))
		}
		return fix
	}

	gens = append(gens,
		gen{"sets", func(r *rand.Rand, k []string) []string {
			if r.IntN(10) == 0 {
				return append([]string{"SADD", randKey(r, k)}, randInts(r, 1+r.IntN(600))...)
			}
			return append([]string{"SADD", randKey(r, k)}, randMembers(r, 1+r.IntN(4))...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			if r.IntN(10) == 0 {
				return append([]string{"SREM", randKey(r, k)}, randInts(r, 1+r.IntN(150))...)
			}
			return append([]string{"SREM", randKey(r, k)}, randMembers(r, 1+r.IntN(3))...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			switch r.IntN(8) {
			case 0:
				return []string{"SPOP", randKey(r, k)}
			case 1:
				return []string{"SPOP", randKey(r, k), "1", "2"}
			case 2:
				return []string{"SPOP", randKey(r, k), []string{"-1", "x", "0", "1000"}[r.IntN(4)]}
			}
			if r.IntN(3) == 0 {
				return []string{"SPOP", randKey(r, k), []string{"20", "50", "100", "300", "600"}[r.IntN(5)]}
			}
			return []string{"SPOP", randKey(r, k), strconv.Itoa(r.IntN(30))}
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			return []string{"SMOVE", randKey(r, k), randKey(r, k), randMembers(r, 1)[0]}
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			cmd := []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[r.IntN(3)]
			return append([]string{cmd, randKey(r, k)}, randKeys(r, k)...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			cmd := []string{"SINTER", "SUNION", "SDIFF", "SMEMBERS", "SCARD"}[r.IntN(5)]
			if cmd == "SMEMBERS" || cmd == "SCARD" {
				return []string{cmd, randKey(r, k)}
			}
			return append([]string{cmd}, randKeys(r, k)...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			if r.IntN(2) == 0 {
				return []string{"SISMEMBER", randKey(r, k), randMembers(r, 1)[0]}
			}
			return append([]string{"SMISMEMBER", randKey(r, k)}, randMembers(r, 1+r.IntN(3))...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			keys := randKeys(r, k)
			numkeys := strconv.Itoa(len(keys))
			switch r.IntN(10) {
			case 0:
				numkeys = []string{"0", "-1", "x", "9"}[r.IntN(4)]
			case 1:
				keys = append(keys, "LIMIT")
			case 2:
				keys = append(keys, "LIMIT", []string{"-1", "x", "0"}[r.IntN(3)])
			case 3, 4, 5:
				keys = append(keys, "limit", strconv.Itoa(r.IntN(4)))
			case 6:
				keys = append(keys, "BAD", "1")
			}
			return append([]string{"SINTERCARD", numkeys}, keys...)
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			switch r.IntN(6) {
			case 0:
				return []string{"SRANDMEMBER", randKey(r, k)}
			case 1:
				return []string{"SRANDMEMBER", randKey(r, k), "1", "2"}
			case 2:
				return []string{"SRANDMEMBER", randKey(r, k), []string{"x", "-9223372036854775808", "0"}[r.IntN(3)]}
			}
			return []string{"SRANDMEMBER", randKey(r, k), strconv.Itoa(r.IntN(30) - 10)}
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			// A pool key may be a hash table, whose SSCAN order is
			// Redis's: scan it all at once and match one member.
			args := []string{"SSCAN", randKey(r, k), "0", "COUNT", "1000", "MATCH", randMembers(r, 1)[0]}
			switch r.IntN(8) {
			case 0:
				args = []string{"SSCAN", randKey(r, k), "0", []string{"COUNT", "MATCH", "TYPE"}[r.IntN(3)]}
			case 1:
				args = []string{"SSCAN", randKey(r, k), "0", "COUNT", []string{"0", "-1", "x"}[r.IntN(3)]}
			case 2:
				args = []string{"SSCAN", randKey(r, k), []string{"x", "18446744073709551616", "1.5"}[r.IntN(3)]}
			}
			return args
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			// The intset key: changed by SADD, SREM and SPOP, scanned
			// with any options.
			switch r.IntN(6) {
			case 0:
				return append([]string{"SADD", intsetKey}, shRandInts(r, 1+r.IntN(20), 100)...)
			case 1:
				return append([]string{"SREM", intsetKey}, shRandInts(r, 1+r.IntN(20), 100)...)
			case 2:
				return []string{"SPOP", intsetKey, strconv.Itoa(r.IntN(5))}
			}
			args := []string{"SSCAN", intsetKey, strconv.Itoa(r.IntN(3) * r.IntN(1000))}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(1+r.IntN(20)))
			}
			if r.IntN(2) == 0 {
				args = append(args, "MATCH", []string{"1*", "*5", "?", "[1-3]?", "*"}[r.IntN(5)])
			}
			return args
		}},
		gen{"sets", func(r *rand.Rand, k []string) []string {
			// Hashes in the pool, for WRONGTYPE.
			return []string{"HSET", randKey(r, k), "f", "v"}
		}},
	)
}

// shRandInts returns n integers of [0, limit).
func shRandInts(r *rand.Rand, n, limit int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(r.IntN(limit))
	}
	return out
}

func TestDifferentialSets(t *testing.T) { runDifferential(t, "sets", "generic") }

// TestSetsOrderLikeRedis runs commands on both sides and compares their
// replies exactly, without sorting: where Redis keeps an intset, its
// order is defined, and SMEMBERS, SINTER, SUNION, SDIFF and SPOP of
// everything must list members as Redis does; it also compares error
// replies of commands whose other replies are random.
func TestSetsOrderLikeRedis(t *testing.T) {
	d := newDiffer(t)
	exact := func(args ...string) {
		t.Helper()
		ours, theirs := d.exec(args), d.rc.Do(args...)
		if ours.String() != theirs.String() || ours.Type != theirs.Type {
			t.Errorf("%q:\n ours  %s\n redis %s", args, ours, theirs)
		}
	}
	encoding := func(key, want string) {
		t.Helper()
		if got := d.rc.Do("OBJECT", "ENCODING", key); string(got.Str) != want {
			t.Errorf("redis: %s is %s, want %s", key, got.Str, want)
		}
	}
	ints := shRange(1, 512)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(ints), func(i, j int) { ints[i], ints[j] = ints[j], ints[i] })
	exact(append([]string{"SADD", "big"}, ints...)...)
	encoding("big", "intset")
	exact("SMEMBERS", "big")
	exact("SSCAN", "big", "0", "COUNT", "5")
	exact("SADD", "a", "5", "3", "x", "1")
	exact("SADD", "b", "7", "5", "3", "1", "-1")
	exact("SADD", "c", "x")
	exact("SINTER", "big", "b")
	exact("SINTERSTORE", "d", "a", "b")
	encoding("d", "intset")
	exact("SMEMBERS", "d")
	exact("SUNION", "b", "d")
	exact("SDIFF", "b", "d")
	exact("SDIFF", "a", "c")
	exact("SDIFFSTORE", "d", "a", "c")
	encoding("d", "intset")
	exact("SMEMBERS", "d")
	exact("SDIFFSTORE", "d", "a", "c", "c", "c", "c", "c")
	encoding("d", "hashtable")
	exact("SUNIONSTORE", "d", "b", "big")
	encoding("d", "hashtable")
	exact("SUNIONSTORE", "d", "b", "c")
	encoding("d", "hashtable")
	exact("SPOP", "b", "5")
	exact("SADD", "b", "7", "5", "3", "1", "-1")
	exact("SRANDMEMBER", "b", "5")
	exact("SRANDMEMBER", "b", "50")
	// Errors of random commands, which the random test does not compare.
	exact("HSET", "h", "f", "v")
	for _, args := range [][]string{
		{"SPOP", "h"}, {"SPOP", "h", "1"}, {"SPOP", "b", "-1"}, {"SPOP", "b", "x"}, {"SPOP", "b", "1", "2"},
		{"SRANDMEMBER", "h"}, {"SRANDMEMBER", "h", "1"}, {"SRANDMEMBER", "b", "x"}, {"SRANDMEMBER", "b", "1", "2"},
		{"SRANDMEMBER", "b", "-9223372036854775808"}, {"SRANDMEMBER", "none", "-9223372036854775807"},
	} {
		exact(args...)
	}
	d.check()
}
