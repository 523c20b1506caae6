package keyspace_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// ---- unit tests: replies and logged records ----

// Expected RESP2 replies.
func lsInt(n int64) string { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func lsBulk(s string) string {
	return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n"
}
func lsArr(elems ...string) string {
	return "*" + strconv.Itoa(len(elems)) + "\r\n" + strings.Join(elems, "")
}
func lsBulks(elems ...string) string {
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = lsBulk(e)
	}
	return lsArr(out...)
}
func lsErr(msg string) string { return "-" + msg + "\r\n" }

const (
	lsOK        = "+OK\r\n"
	lsNull      = "$-1\r\n"
	lsNullArray = "*-1\r\n"
	lsWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
)

// listStep is a command, its expected reply and its expected log: each
// record's arguments joined by spaces (nil: nothing logged).
type listStep struct {
	cmd   string
	reply string
	log   []string
}

// listRun runs args with the write turn on ks and returns the reply and
// the records logged, each as its arguments joined by spaces.
func listRun(t *testing.T, ks *keyspace.Memory, args ...[]byte) (string, []string) {
	t.Helper()
	c := keyspace.Call{Args: args, Write: true}
	if err := ks.Exec(&c); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	var log []string
	for _, r := range c.Log {
		log = append(log, string(bytes.Join(r.Args, []byte(" "))))
	}
	return string(c.Reply.Buf), log
}

// listSteps runs steps in order on ks, checking replies and logs.
func listSteps(t *testing.T, ks *keyspace.Memory, steps []listStep) {
	t.Helper()
	for _, s := range steps {
		var args [][]byte
		for _, a := range strings.Fields(s.cmd) {
			args = append(args, []byte(a))
		}
		reply, log := listRun(t, ks, args...)
		if reply != s.reply {
			t.Errorf("%s: reply %q, want %q", s.cmd, reply, s.reply)
		}
		if !slices.Equal(log, s.log) {
			t.Errorf("%s: logged %q, want %q", s.cmd, log, s.log)
		}
	}
}

// newListKeyspace returns a keyspace holding the string key "str" (to
// test WRONGTYPE without the string commands).
func newListKeyspace(t *testing.T) *keyspace.Memory {
	t.Helper()
	ks := keyspace.NewMemory(nil)
	if err := ks.Restore(&rdb.Entry{Key: []byte("str"), Value: rdb.String("x")}); err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestListPush(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LPUSHX l a", lsInt(0), nil},
		{"RPUSHX l a", lsInt(0), nil},
		{"LPUSH l a b c", lsInt(3), []string{"LPUSH l a b c"}},
		{"RPUSH l d e", lsInt(5), []string{"RPUSH l d e"}},
		{"lpushx l z", lsInt(6), []string{"lpushx l z"}},
		{"rpushx l y", lsInt(7), []string{"rpushx l y"}},
		{"LRANGE l 0 -1", lsBulks("z", "c", "b", "a", "d", "e", "y"), nil},
		{"LPUSH str a", lsWrongType, nil},
		{"RPUSH str a", lsWrongType, nil},
		{"LPUSHX str a", lsWrongType, nil},
		{"RPUSHX str a", lsWrongType, nil},
		{"LPUSH l", lsErr("ERR wrong number of arguments for 'lpush' command"), nil},
	})
}

func TestListPop(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LPOP l", lsNull, nil},
		{"LPOP l 2", lsNullArray, nil},
		{"LPOP l 0", lsNullArray, nil},
		{"LPOP l -1", lsErr("ERR value is out of range, must be positive"), nil},
		{"RPOP l abc", lsErr("ERR value is out of range, must be positive"), nil},
		{"LPOP l 1 2", lsErr("ERR wrong number of arguments for 'lpop' command"), nil},
		{"RPOP l 1 2", lsErr("ERR wrong number of arguments for 'rpop' command"), nil},
		{"RPUSH l a b c d e f", lsInt(6), []string{"RPUSH l a b c d e f"}},
		{"LPOP l 0", lsArr(), nil},
		{"LPOP l", lsBulk("a"), []string{"LPOP l"}},
		{"RPOP l", lsBulk("f"), []string{"RPOP l"}},
		{"LPOP l 2", lsBulks("b", "c"), []string{"LPOP l 2"}},
		{"RPOP l 9223372036854775807", lsBulks("e", "d"), []string{"RPOP l 9223372036854775807"}},
		{"LLEN l", lsInt(0), nil},
		{"EXISTS l", lsInt(0), nil},
		{"LPOP str", lsWrongType, nil},
		{"RPOP str 0", lsWrongType, nil},
		{"LPOP str -1", lsErr("ERR value is out of range, must be positive"), nil},
	})
}

func TestListSetInsertRem(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LSET l 0 x", lsErr("ERR no such key"), nil},
		{"LSET l abc x", lsErr("ERR no such key"), nil},
		{"LSET str abc x", lsWrongType, nil},
		{"RPUSH l a b c", lsInt(3), []string{"RPUSH l a b c"}},
		{"LSET l abc x", lsErr("ERR value is not an integer or out of range"), nil},
		{"LSET l 3 x", lsErr("ERR index out of range"), nil},
		{"LSET l -4 x", lsErr("ERR index out of range"), nil},
		{"LSET l -9223372036854775808 x", lsErr("ERR index out of range"), nil},
		{"LSET l -3 x", lsOK, []string{"LSET l -3 x"}},
		{"LSET l 2 z", lsOK, []string{"LSET l 2 z"}},
		{"LRANGE l 0 -1", lsBulks("x", "b", "z"), nil},

		{"LINSERT l middle b y", lsErr("ERR syntax error"), nil},
		{"LINSERT nokey middle b y", lsErr("ERR syntax error"), nil},
		{"LINSERT nokey before b y", lsInt(0), nil},
		{"LINSERT str before b y", lsWrongType, nil},
		{"LINSERT l BEFORE nope y", lsInt(-1), nil},
		{"LINSERT l BEFORE b y", lsInt(4), []string{"LINSERT l BEFORE b y"}},
		{"LINSERT l after b w", lsInt(5), []string{"LINSERT l after b w"}},
		{"LINSERT l after z end", lsInt(6), []string{"LINSERT l after z end"}},
		{"LINSERT l before x start", lsInt(7), []string{"LINSERT l before x start"}},
		{"LRANGE l 0 -1", lsBulks("start", "x", "y", "b", "w", "z", "end"), nil},

		{"DEL l", lsInt(1), []string{"DEL l"}},
		{"RPUSH l a b a c a b a", lsInt(7), []string{"RPUSH l a b a c a b a"}},
		{"LREM nokey 0 a", lsInt(0), nil},
		{"LREM nokey abc a", lsErr("ERR value is not an integer or out of range"), nil},
		{"LREM str 0 a", lsWrongType, nil},
		{"LREM l 0 nope", lsInt(0), nil},
		{"LREM l 1 a", lsInt(1), []string{"LREM l 1 a"}},
		{"LRANGE l 0 -1", lsBulks("b", "a", "c", "a", "b", "a"), nil},
		{"LREM l -2 a", lsInt(2), []string{"LREM l -2 a"}},
		{"LRANGE l 0 -1", lsBulks("b", "a", "c", "b"), nil},
		{"LREM l 0 b", lsInt(2), []string{"LREM l 0 b"}},
		{"LREM l -9223372036854775808 a", lsInt(1), []string{"LREM l -9223372036854775808 a"}},
		{"LREM l 9223372036854775807 c", lsInt(1), []string{"LREM l 9223372036854775807 c"}},
		{"EXISTS l", lsInt(0), nil},
	})
}

func TestListTrimRangeIndex(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LTRIM l 0 1", lsOK, nil},
		{"LTRIM l abc 1", lsErr("ERR value is not an integer or out of range"), nil},
		{"LTRIM str 0 1", lsWrongType, nil},
		{"LTRIM str abc 1", lsErr("ERR value is not an integer or out of range"), nil},
		{"LRANGE l 0 -1", lsArr(), nil},
		{"LRANGE l x -1", lsErr("ERR value is not an integer or out of range"), nil},
		{"LRANGE str 0 -1", lsWrongType, nil},
		{"LLEN l", lsInt(0), nil},
		{"LLEN str", lsWrongType, nil},
		{"LINDEX l 0", lsNull, nil},
		{"LINDEX l abc", lsNull, nil},
		{"LINDEX str 0", lsWrongType, nil},
		{"RPUSH l a b c d e f", lsInt(6), []string{"RPUSH l a b c d e f"}},
		{"LINDEX l abc", lsErr("ERR value is not an integer or out of range"), nil},
		{"LINDEX l 0", lsBulk("a"), nil},
		{"LINDEX l -1", lsBulk("f"), nil},
		{"LINDEX l -6", lsBulk("a"), nil},
		{"LINDEX l -7", lsNull, nil},
		{"LINDEX l 6", lsNull, nil},
		{"LINDEX l -9223372036854775808", lsNull, nil},
		{"LLEN l", lsInt(6), nil},
		{"LRANGE l 1 2", lsBulks("b", "c"), nil},
		{"LRANGE l -2 100", lsBulks("e", "f"), nil},
		{"LRANGE l -100 0", lsBulks("a"), nil},
		{"LRANGE l 3 2", lsArr(), nil},
		{"LRANGE l 6 10", lsArr(), nil},
		{"LRANGE l -9223372036854775808 9223372036854775807", lsBulks("a", "b", "c", "d", "e", "f"), nil},
		{"LTRIM l 0 -1", lsOK, nil},
		{"LTRIM l -100 100", lsOK, nil},
		{"LTRIM l 1 -2", lsOK, []string{"LTRIM l 1 -2"}},
		{"LRANGE l 0 -1", lsBulks("b", "c", "d", "e"), nil},
		{"LTRIM l 2 1", lsOK, []string{"LTRIM l 2 1"}},
		{"EXISTS l", lsInt(0), nil},
	})
}

func TestListMove(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"RPOPLPUSH s d", lsNull, nil},
		{"RPOPLPUSH s str", lsNull, nil},
		{"LMOVE s d LEFT RIGHT", lsNull, nil},
		{"LMOVE s d middle RIGHT", lsErr("ERR syntax error"), nil},
		{"LMOVE s d LEFT middle", lsErr("ERR syntax error"), nil},
		{"LMOVE str d LEFT RIGHT", lsWrongType, nil},
		{"RPUSH s a b c", lsInt(3), []string{"RPUSH s a b c"}},
		{"LMOVE s str LEFT RIGHT", lsWrongType, nil},
		{"RPOPLPUSH s str", lsWrongType, nil},
		{"RPOPLPUSH s d", lsBulk("c"), []string{"RPOPLPUSH s d"}},
		{"LMOVE s d left right", lsBulk("a"), []string{"LMOVE s d left right"}},
		{"LRANGE d 0 -1", lsBulks("c", "a"), nil},
		{"LMOVE s s LEFT RIGHT", lsBulk("b"), []string{"LMOVE s s LEFT RIGHT"}},
		{"LMOVE s d RIGHT LEFT", lsBulk("b"), []string{"LMOVE s d RIGHT LEFT"}},
		{"EXISTS s", lsInt(0), nil},
		{"LRANGE d 0 -1", lsBulks("b", "c", "a"), nil},
		{"LMOVE d d RIGHT LEFT", lsBulk("a"), []string{"LMOVE d d RIGHT LEFT"}},
		{"RPOPLPUSH d d", lsBulk("c"), []string{"RPOPLPUSH d d"}},
		{"LRANGE d 0 -1", lsBulks("c", "a", "b"), nil},
	})
}

func TestListMPop(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LMPOP 0 k LEFT", lsErr("ERR numkeys should be greater than 0"), nil},
		{"LMPOP -1 k LEFT", lsErr("ERR numkeys should be greater than 0"), nil},
		{"LMPOP abc k LEFT", lsErr("ERR numkeys should be greater than 0"), nil},
		{"LMPOP 2 k LEFT", lsErr("ERR syntax error"), nil},
		{"LMPOP 9223372036854775807 k LEFT", lsErr("ERR syntax error"), nil},
		{"LMPOP 1 k MIDDLE", lsErr("ERR syntax error"), nil},
		{"LMPOP 1 k LEFT COUNT", lsErr("ERR syntax error"), nil},
		{"LMPOP 1 k LEFT FOO", lsErr("ERR syntax error"), nil},
		{"LMPOP 1 k LEFT COUNT 0", lsErr("ERR count should be greater than 0"), nil},
		{"LMPOP 1 k LEFT COUNT abc", lsErr("ERR count should be greater than 0"), nil},
		{"LMPOP 1 k LEFT COUNT 1 COUNT 1", lsErr("ERR syntax error"), nil},
		{"LMPOP 2 k j LEFT", lsNullArray, nil},
		{"LMPOP 2 k str LEFT", lsWrongType, nil},
		{"RPUSH j a b c d", lsInt(4), []string{"RPUSH j a b c d"}},
		{"LMPOP 3 k j str LEFT", lsArr(lsBulk("j"), lsBulks("a")), []string{"LPOP j 1"}},
		{"LMPOP 2 j k right count 2", lsArr(lsBulk("j"), lsBulks("d", "c")), []string{"RPOP j 2"}},
		{"LMPOP 1 j LEFT COUNT 10", lsArr(lsBulk("j"), lsBulks("b")), []string{"LPOP j 1"}},
		{"EXISTS j", lsInt(0), nil},
	})
}

func TestListBlocking(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		// Nothing to serve: what Redis replies when it cannot block.
		{"BLPOP a b 0", lsNullArray, nil},
		{"BRPOP a 1.5", lsNullArray, nil},
		{"BLMPOP 0 2 a b LEFT", lsNullArray, nil},
		{"BRPOPLPUSH a b 0", lsNull, nil},
		{"BLMOVE a b LEFT RIGHT 0", lsNull, nil},
		// Errors.
		{"BLPOP a abc", lsErr("ERR timeout is not a float or out of range"), nil},
		{"BLPOP a -1", lsErr("ERR timeout is negative"), nil},
		{"BLPOP str 0", lsWrongType, nil},
		{"BLPOP a str 0", lsWrongType, nil},
		{"BLMOVE str b LEFT RIGHT 0", lsWrongType, nil},
		{"BLMOVE a b LEFT MIDDLE abc", lsErr("ERR syntax error"), nil},
		{"BLMOVE a b LEFT LEFT abc", lsErr("ERR timeout is not a float or out of range"), nil},
		{"BRPOPLPUSH str b abc", lsErr("ERR timeout is not a float or out of range"), nil},
		{"BLMPOP abc 1 a LEFT", lsErr("ERR timeout is not a float or out of range"), nil},
		{"BLMPOP abc 1 a MIDDLE", lsErr("ERR syntax error"), nil},
		{"BLMPOP abc 0 a LEFT", lsErr("ERR numkeys should be greater than 0"), nil},
		{"BLMPOP -1 1 a LEFT", lsErr("ERR timeout is negative"), nil},
		// Served at once, propagated as the non-blocking forms.
		{"RPUSH b 1 2 3 4 5 6", lsInt(6), []string{"RPUSH b 1 2 3 4 5 6"}},
		{"BLPOP a b 0", lsArr(lsBulk("b"), lsBulk("1")), []string{"LPOP b"}},
		{"BRPOP a b 0", lsArr(lsBulk("b"), lsBulk("6")), []string{"RPOP b"}},
		{"BLMPOP 0 2 a b RIGHT COUNT 2", lsArr(lsBulk("b"), lsBulks("5", "4")), []string{"RPOP b 2"}},
		{"BRPOPLPUSH b a 0", lsBulk("3"), []string{"RPOPLPUSH b a"}},
		{"BLMOVE b a left right 0", lsBulk("2"), []string{"LMOVE b a left right"}},
		{"EXISTS b", lsInt(0), nil},
		{"BLMPOP 0.5 1 a left", lsArr(lsBulk("a"), lsBulks("3")), []string{"LPOP a 1"}},
		{"BLPOP a 0", lsArr(lsBulk("a"), lsBulk("2")), []string{"LPOP a"}},
		{"EXISTS a", lsInt(0), nil},
	})
}

// TestListTimeouts checks the timeouts Redis 7.0.15 accepts and refuses
// (replies recorded from redis-server).
func TestListTimeouts(t *testing.T) {
	const notFloat, negative = "ERR timeout is not a float or out of range", "ERR timeout is negative"
	cases := map[string]string{
		"0": "", "1.5": "", "0x10": "", "0X1.8p3": "", "1e-4940": "", "-0.0001": "", "-0.999999": negative,
		"-0": "", "+1": "", ".5": "", "5.": "", "1.5e3": "", "9223372036854775": "",
		"9223372036854775.807": "", "9223372036854775.808": negative, "9223372036854776": negative,
		"1e20": negative, "inf": negative, "-inf": negative, "Infinity": negative, "-1": negative,
		"-1.0000": negative, "-1e5000": notFloat, "1e5000": notFloat, "1e-5000": notFloat,
		" 1": notFloat, "1 ": notFloat, "1_0": notFloat, "0x1_0": notFloat, "0b1": notFloat,
		"nan": notFloat, "": notFloat, "abc": notFloat, "1e": notFloat, "0x": notFloat,
		"+-1": notFloat, "1p5": notFloat, strings.Repeat("1", 5120): notFloat,
		"0x.8": "", "0x1.": "", "0x1p": notFloat, "1e+5": "", "1E5": "", "1.e5": "", ".e5": notFloat,
		"0x1P-2": "", "-.5": negative, "00012": "", "-0x1p-20": "", "-0x1p20": negative, "0x1.8e": "",
		"infinit": notFloat, "+inf": negative, "nan(123)": notFloat, "1e-4950": "", "1e-4951": notFloat,
		"3.6e-4951": "", "3.7e-4951": "",
	}
	for timeout, msg := range cases {
		ks := newListKeyspace(t)
		listRun(t, ks, []byte("RPUSH"), []byte("l"), []byte("a"))
		reply, _ := listRun(t, ks, []byte("BLPOP"), []byte("l"), []byte(timeout))
		want := lsArr(lsBulk("l"), lsBulk("a"))
		if msg != "" {
			want = lsErr(msg)
		}
		if reply != want {
			t.Errorf("BLPOP l %q: %q, want %q", timeout, reply, want)
		}
	}
}

func TestListPos(t *testing.T) {
	listSteps(t, newListKeyspace(t), []listStep{
		{"LPOS l a", lsNull, nil},
		{"LPOS l a COUNT 1", lsArr(), nil},
		{"LPOS l a RANK 0", lsErr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"), nil},
		{"LPOS str a", lsWrongType, nil},
		{"RPUSH l a b a c a", lsInt(5), []string{"RPUSH l a b a c a"}},
		{"LPOS l a", lsInt(0), nil},
		{"LPOS l c", lsInt(3), nil},
		{"LPOS l z", lsNull, nil},
		{"LPOS l a RANK 2", lsInt(2), nil},
		{"LPOS l a RANK -1", lsInt(4), nil},
		{"LPOS l a RANK -3", lsInt(0), nil},
		{"LPOS l a RANK 4", lsNull, nil},
		{"LPOS l a COUNT 0", lsArr(lsInt(0), lsInt(2), lsInt(4)), nil},
		{"LPOS l a COUNT 2", lsArr(lsInt(0), lsInt(2)), nil},
		{"LPOS l a RANK -1 COUNT 2", lsArr(lsInt(4), lsInt(2)), nil},
		{"LPOS l a RANK 2 COUNT 1", lsArr(lsInt(2)), nil},
		{"LPOS l a MAXLEN 2", lsInt(0), nil},
		{"LPOS l a RANK 2 MAXLEN 2", lsNull, nil},
		{"LPOS l a COUNT 0 MAXLEN 3", lsArr(lsInt(0), lsInt(2)), nil},
		{"LPOS l a RANK -9223372036854775808 COUNT 1", lsArr(lsInt(4), lsInt(2), lsInt(0)), nil},
		{"LPOS l a RANK 9223372036854775807", lsNull, nil},
		{"LPOS l a RANK abc", lsErr("ERR value is not an integer or out of range"), nil},
		{"LPOS l a COUNT -1", lsErr("ERR COUNT can't be negative"), nil},
		{"LPOS l a COUNT abc", lsErr("ERR COUNT can't be negative"), nil},
		{"LPOS l a MAXLEN -1", lsErr("ERR MAXLEN can't be negative"), nil},
		{"LPOS l a RANK", lsErr("ERR syntax error"), nil},
		{"LPOS l a FOO 1", lsErr("ERR syntax error"), nil},
	})
}

func TestListBinary(t *testing.T) {
	ks := newListKeyspace(t)
	key, v1, v2 := []byte("k\x00\r\n"), []byte("\x00\xff\r\n"), []byte{}
	reply, log := listRun(t, ks, []byte("RPUSH"), key, v1, v2)
	if reply != lsInt(2) || len(log) != 1 {
		t.Fatalf("RPUSH: %q %q", reply, log)
	}
	reply, _ = listRun(t, ks, []byte("LRANGE"), key, []byte("0"), []byte("-1"))
	if want := lsBulks(string(v1), ""); reply != want {
		t.Fatalf("LRANGE: %q, want %q", reply, want)
	}
	reply, _ = listRun(t, ks, []byte("LPOS"), key, v2)
	if reply != lsInt(1) {
		t.Fatalf("LPOS: %q", reply)
	}
}

// TestListArgsNotKept checks that the keyspace copies what it stores:
// changing the arguments after the call changes nothing.
func TestListArgsNotKept(t *testing.T) {
	ks := newListKeyspace(t)
	args := [][]byte{[]byte("RPUSH"), []byte("l"), []byte("a"), []byte("b")}
	listRun(t, ks, args...)
	args = [][]byte{[]byte("LINSERT"), []byte("l"), []byte("BEFORE"), []byte("b"), []byte("c")}
	listRun(t, ks, args...)
	args2 := [][]byte{[]byte("LSET"), []byte("l"), []byte("0"), []byte("d")}
	listRun(t, ks, args2...)
	args[4][0], args2[3][0] = 'X', 'Y'
	reply, _ := listRun(t, ks, []byte("LRANGE"), []byte("l"), []byte("0"), []byte("-1"))
	if want := lsBulks("d", "c", "b"); reply != want {
		t.Fatalf("LRANGE: %q, want %q", reply, want)
	}
}

// TestListSnapshotCopy checks that a value exported by a snapshot and a
// COPY are not changed by later commands.
func TestListSnapshotCopy(t *testing.T) {
	ks := newListKeyspace(t)
	listRun(t, ks, []byte("RPUSH"), []byte("l"), []byte("a"), []byte("b"))
	listRun(t, ks, []byte("COPY"), []byte("l"), []byte("c"))
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	listRun(t, ks, []byte("LSET"), []byte("l"), []byte("0"), []byte("x"))
	listRun(t, ks, []byte("RPUSH"), []byte("l"), []byte("y"))
	listRun(t, ks, []byte("LPOP"), []byte("c"))
	got := map[string]string{}
	for {
		e, err := s.Next()
		if err != nil {
			break
		}
		got[string(e.Key)] = canon(e.Value)
	}
	if got["l"] != `"a" "b" ` || got["c"] != `"a" "b" ` {
		t.Fatalf("snapshot: %q", got)
	}
	reply, _ := listRun(t, ks, []byte("LRANGE"), []byte("c"), []byte("0"), []byte("-1"))
	if reply != lsBulks("b") {
		t.Fatalf("copy: %q", reply)
	}
}

// TestListModel runs long random sequences of list commands against a
// plain slice model, to exercise the ring buffer (growth, shrinking,
// wrap-around, inserts and removals in the middle) on large lists.
func TestListModel(t *testing.T) {
	r := testenv.Rand(t)
	ks := keyspace.NewMemory(nil)
	var model []string
	val := func() string { return strconv.Itoa(r.IntN(8)) }
	b := func(ss ...string) [][]byte {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	for i := 0; i < 5000; i++ {
		var args []string
		op := r.IntN(10)
		if len(model) > 300 && op < 4 {
			op += 4 // pop instead of pushing: stay around a few hundred
		}
		switch op {
		case 0, 1:
			n := 1 + r.IntN(1+r.IntN(100))
			args = []string{"LPUSH", "l"}
			for range n {
				v := val()
				args = append(args, v)
				model = append([]string{v}, model...)
			}
		case 2, 3:
			n := 1 + r.IntN(1+r.IntN(100))
			args = []string{"RPUSH", "l"}
			for range n {
				v := val()
				args = append(args, v)
				model = append(model, v)
			}
		case 4:
			n := r.IntN(1 + r.IntN(100))
			args = []string{"LPOP", "l", strconv.Itoa(n)}
			n = min(n, len(model))
			model = model[n:]
		case 5:
			n := r.IntN(1 + r.IntN(100))
			args = []string{"RPOP", "l", strconv.Itoa(n)}
			n = min(n, len(model))
			model = model[:len(model)-n]
		case 6:
			pivot, v := val(), val()
			args = []string{"LINSERT", "l", "BEFORE", pivot, v}
			if r.IntN(2) == 0 {
				args[2] = "AFTER"
			}
			if j := slices.Index(model, pivot); j >= 0 {
				if args[2] == "AFTER" {
					j++
				}
				model = slices.Insert(model, j, v)
			}
		case 7:
			v, count := val(), r.IntN(5)-2
			args = []string{"LREM", "l", strconv.Itoa(count), v}
			model = listModelRem(model, v, count)
		case 8:
			if len(model) == 0 {
				continue
			}
			j, v := r.IntN(len(model)), val()
			args = []string{"LSET", "l", strconv.Itoa(j - len(model)*r.IntN(2)), v}
			model[j] = v
		case 9:
			if r.IntN(4) != 0 {
				continue
			}
			start, end := r.IntN(20), len(model)-r.IntN(20)
			args = []string{"LTRIM", "l", strconv.Itoa(start), strconv.Itoa(end)}
			if end < 0 { // counts from the tail, as in Redis
				end += len(model)
			}
			if start > end || start >= len(model) || end < 0 {
				model = nil
			} else {
				model = model[start:min(end+1, len(model))]
			}
		}
		listRun(t, ks, b(args...)...)
		reply, _ := listRun(t, ks, b("LRANGE", "l", "0", "-1")...)
		if want := lsBulks(model...); reply != want {
			t.Fatalf("after %d: %q\ngot  %q\nwant %q", i, args, reply, want)
		}
	}
}

// listModelRem is LREM on a slice.
func listModelRem(model []string, v string, count int) []string {
	var out []string
	removed := 0
	if count >= 0 {
		for _, e := range model {
			if e == v && (count == 0 || removed < count) {
				removed++
				continue
			}
			out = append(out, e)
		}
		return out
	}
	for i := len(model) - 1; i >= 0; i-- {
		if model[i] == v && removed < -count {
			removed++
			continue
		}
		out = append(out, model[i])
	}
	slices.Reverse(out)
	return out
}

// ---- differential generators ----

// listValues are element values: short ones that repeat (so LREM, LPOS
// and LINSERT find them), integers as Redis encodes them compactly, and
// binary ones.
var listValues = []string{"a", "b", "c", "a", "b", "1", "-1", "007", "-0", "-9223372036854775808", "12345678901234567890", "", "\x00", "\xff\xfe\r\n", strings.Repeat("x", 70)}

func listValue(r *rand.Rand) string { return listValues[r.IntN(len(listValues))] }

// listIndex picks an index: small ones either side of zero, and extremes.
func listIndex(r *rand.Rand) string {
	switch r.IntN(12) {
	case 0:
		return []string{"9223372036854775807", "-9223372036854775808", "abc", "1.5", " 1", "9223372036854775808"}[r.IntN(6)]
	case 1:
		return strconv.Itoa(r.IntN(200) - 100)
	}
	return strconv.Itoa(r.IntN(13) - 6)
}

// listCount picks a count for LPOP/RPOP/LMPOP/LREM.
func listCount(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		return []string{"-1", "abc", "9223372036854775807", "-9223372036854775808", "0", "1.0"}[r.IntN(6)]
	}
	return strconv.Itoa(r.IntN(6))
}

func listEnd(r *rand.Rand) string {
	if r.IntN(15) == 0 {
		return "middle"
	}
	return []string{"LEFT", "RIGHT", "left", "Right"}[r.IntN(4)]
}

// listLPosArg picks a COUNT or MAXLEN for LPOS.
func listLPosArg(r *rand.Rand) string {
	if r.IntN(10) == 0 {
		return []string{"-1", "abc", "9223372036854775807"}[r.IntN(3)]
	}
	return strconv.Itoa(r.IntN(5))
}

// listBadTimeout picks a timeout Redis refuses, so that a blocking
// command never blocks on redis-server in the differential test.
func listBadTimeout(r *rand.Rand) string {
	return []string{"-1", "abc", "nan", "inf", "-inf", "1e20", "9223372036854776", "1_0", " 1", "", "-1.0000", "-0.999999", "1e5000"}[r.IntN(13)]
}

// listMpopArgs builds LMPOP's arguments after the name (or BLMPOP's
// after the timeout), sometimes malformed.
func listMpopArgs(r *rand.Rand, k []string) []string {
	n := 1 + r.IntN(3)
	numkeys := strconv.Itoa(n)
	switch r.IntN(15) {
	case 0:
		numkeys = []string{"0", "-1", "abc", "9223372036854775807", "4"}[r.IntN(5)]
	}
	args := []string{numkeys}
	for range n {
		args = append(args, randKey(r, k))
	}
	args = append(args, listEnd(r))
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		args = append(args, "COUNT", listCount(r))
	case 4:
		args = append(args, [][]string{{"COUNT"}, {"count", "2", "count", "2"}, {"FOO"}}[r.IntN(3)]...)
	}
	return args
}

func init() {
	gens = append(gens,
		gen{"lists", func(r *rand.Rand, k []string) []string {
			args := []string{[]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}[r.IntN(4)], randKey(r, k)}
			for range 1 + r.IntN(4) {
				args = append(args, listValue(r))
			}
			return args
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			// A long list now and then, to go past small sizes.
			args := []string{"RPUSH", randKey(r, k)}
			for range 10 + r.IntN(60) {
				args = append(args, listValue(r))
			}
			return args
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			args := []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], randKey(r, k)}
			switch r.IntN(8) {
			case 0, 1, 2:
				args = append(args, listCount(r))
			case 3:
				args = append(args, "1", "2")
			}
			return args
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			return []string{"LSET", randKey(r, k), listIndex(r), listValue(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			where := []string{"BEFORE", "AFTER", "before", "After", "BEFORE", "AFTER", "BEFORE", "AFTER", "middle"}[r.IntN(9)]
			return []string{"LINSERT", randKey(r, k), where, listValue(r), listValue(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			count := strconv.Itoa(r.IntN(7) - 3)
			if r.IntN(8) == 0 {
				count = listCount(r)
			}
			return []string{"LREM", randKey(r, k), count, listValue(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			return []string{"LTRIM", randKey(r, k), listIndex(r), listIndex(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			if r.IntN(3) == 0 {
				return []string{"RPOPLPUSH", randKey(r, k), randKey(r, k)}
			}
			return []string{"LMOVE", randKey(r, k), randKey(r, k), listEnd(r), listEnd(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			return append([]string{"LMPOP"}, listMpopArgs(r, k)...)
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			if r.IntN(3) == 0 {
				return []string{"LRANGE", randKey(r, k), "0", "-1"}
			}
			return []string{"LRANGE", randKey(r, k), listIndex(r), listIndex(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			if r.IntN(2) == 0 {
				return []string{"LLEN", randKey(r, k)}
			}
			return []string{"LINDEX", randKey(r, k), listIndex(r)}
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			args := []string{"LPOS", randKey(r, k), listValue(r)}
			for range r.IntN(4) {
				switch r.IntN(10) {
				case 0, 1, 2:
					rank := strconv.Itoa(r.IntN(7) - 3)
					if r.IntN(6) == 0 {
						rank = []string{"-9223372036854775808", "9223372036854775807", "abc"}[r.IntN(3)]
					}
					args = append(args, "RANK", rank)
				case 3, 4, 5:
					args = append(args, "COUNT", listLPosArg(r))
				case 6, 7, 8:
					args = append(args, "MAXLEN", listLPosArg(r))
				default:
					args = append(args, []string{"RANK", "FOO", "count"}[r.IntN(3)])
				}
			}
			return args
		}},
		gen{"lists", func(r *rand.Rand, k []string) []string {
			// Blocking commands with arguments Redis refuses before it
			// could block (served and empty cases: TestListsBlockingDiff).
			switch r.IntN(5) {
			case 0:
				return []string{[]string{"BLPOP", "BRPOP"}[r.IntN(2)], randKey(r, k), randKey(r, k), listBadTimeout(r)}
			case 1:
				return []string{"BRPOPLPUSH", randKey(r, k), randKey(r, k), listBadTimeout(r)}
			case 2:
				return []string{"BLMOVE", randKey(r, k), randKey(r, k), listEnd(r), listEnd(r), listBadTimeout(r)}
			case 3:
				return append([]string{"BLMPOP", listBadTimeout(r)}, listMpopArgs(r, k)...)
			}
			return []string{"BLMPOP", "0", "0", randKey(r, k), "LEFT"}
		}},
	)
}

func TestDifferentialLists(t *testing.T) { runDifferential(t, "lists", "generic") }

// listBlockingGen generates blocking commands that may block on
// redis-server: TestListsBlockingDiff sends them inside MULTI, where
// Redis does not block but replies at once, as the keyspace does.
func listBlockingGen(r *rand.Rand, k []string) []string {
	timeout := []string{"0", "0.5", "1", "-0.5", "0x10", "1e-4940"}[r.IntN(6)]
	if r.IntN(10) == 0 {
		timeout = listBadTimeout(r)
	}
	switch r.IntN(5) {
	case 0:
		return []string{"BLPOP", randKey(r, k), randKey(r, k), timeout}
	case 1:
		return []string{"BRPOP", randKey(r, k), timeout}
	case 2:
		return []string{"BRPOPLPUSH", randKey(r, k), randKey(r, k), timeout}
	case 3:
		return []string{"BLMOVE", randKey(r, k), randKey(r, k), listEnd(r), listEnd(r), timeout}
	}
	return append([]string{"BLMPOP", timeout}, listMpopArgs(r, k)...)
}

// listDoMulti runs a command on both sides, inside MULTI/EXEC on
// redis-server (where blocking commands do not block), comparing the
// replies. It returns our reply.
func listDoMulti(d *differ, args ...string) resp.Value {
	d.t.Helper()
	d.history = append(d.history, fmt.Sprintf("%q (in MULTI)", args))
	ours := d.exec(args)
	if v := d.rc.Do("MULTI"); v.Type == resp.TypeSimpleError {
		d.fail("MULTI: %s", v)
	}
	var theirs resp.Value
	if q := d.rc.Do(args...); q.Type == resp.TypeSimpleError {
		theirs = q // refused when queued (arity)
		d.rc.Do("DISCARD")
	} else {
		ex := d.rc.Do("EXEC")
		if ex.Type != resp.TypeArray || len(ex.Elems) != 1 {
			d.fail("EXEC: %s", ex)
		}
		theirs = ex.Elems[0]
	}
	if ours.String() != theirs.String() || ours.Type != theirs.Type {
		d.fail("reply differs:\n ours  %s\n redis %s", ours, theirs)
	}
	return ours
}

// listMakeString turns a key into a string, on both sides (the string
// commands are not in this package's list group): DEL it, then SET it on
// redis-server and restore it on ours and on the replica.
func listMakeString(d *differ, key string) {
	d.t.Helper()
	d.do("DEL", key)
	d.history = append(d.history, fmt.Sprintf("SET %q str (restored)", key))
	d.rc.Do("SET", key, "str")
	for _, ks := range []*keyspace.Memory{d.ks, d.replica} {
		if err := ks.Restore(&rdb.Entry{DB: d.db, Key: []byte(key), Value: rdb.String("str")}); err != nil {
			d.fail("restore: %v", err)
		}
	}
}

// TestListsBlockingDiff is a differential test of the list commands
// with the blocking commands in every case (served at once, or with
// nothing to serve, which redis-server answers at once inside MULTI), and
// with keys of the wrong type.
func TestListsBlockingDiff(t *testing.T) {
	var pool []gen
	for _, g := range gens {
		if g.group == "lists" || g.group == "generic" {
			pool = append(pool, g)
		}
	}
	r := testenv.Rand(t)
	d := newDiffer(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		switch x := r.IntN(20); {
		case x < 5:
			listDoMulti(d, listBlockingGen(r, diffKeys)...)
		case x == 5 && r.IntN(3) == 0:
			listMakeString(d, randKey(r, diffKeys))
		default:
			d.do(pool[r.IntN(len(pool))].fn(r, diffKeys)...)
		}
		if i%200 == 199 {
			d.check()
		}
	}
	d.check()
}

// TestListRestore checks that a list loaded from a snapshot is a copy.
func TestListRestore(t *testing.T) {
	ks := keyspace.NewMemory(nil)
	v := rdb.List{[]byte("a"), nil, []byte("c")}
	if err := ks.Restore(&rdb.Entry{Key: []byte("l"), Value: v}); err != nil {
		t.Fatal(err)
	}
	v[0][0] = 'X'
	reply, _ := listRun(t, ks, []byte("LRANGE"), []byte("l"), []byte("0"), []byte("-1"))
	if want := lsBulks("a", "", "c"); reply != want {
		t.Fatalf("LRANGE: %q, want %q", reply, want)
	}
	reply, _ = listRun(t, ks, []byte("TYPE"), []byte("l"))
	if reply != "+list\r\n" {
		t.Fatalf("TYPE: %q", reply)
	}
}
