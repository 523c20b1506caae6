package keyspace_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

const wrongTypeErr = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

func TestHashesSetGet(t *testing.T) {
	shRun(t, shMemory(), []shStep{
		{"HSET h a 1 b 2 a 3", shInt(2), []string{"HSET h a 1 b 2 a 3"}},
		// Logged even when nothing changes, as Redis does.
		{"HSET h a 3", shInt(0), []string{"HSET h a 3"}},
		{"HMSET h c 4", shOK, []string{"HMSET h c 4"}},
		{"HSET h c", shErr("ERR wrong number of arguments for 'hset' command"), nil},
		{"HSET h c 1 d", shErr("ERR wrong number of arguments for 'hset' command"), nil},
		{"HMSET h c 1 d", shErr("ERR wrong number of arguments for 'hmset' command"), nil},
		{"HSETNX h a 9", shInt(0), nil},
		{"HSETNX h z 9", shInt(1), []string{"HSETNX h z 9"}},
		{"HSETNX new z 9", shInt(1), []string{"HSETNX new z 9"}},
		{"HGET h a", shBulk("3"), nil},
		{"HGET h x", shNull, nil},
		{"HGET none a", shNull, nil},
		{"HMGET h a x b", shArr(shBulk("3"), shNull, shBulk("2")), nil},
		{"HMGET none a", shArr(shNull), nil},
		{"HLEN h", shInt(4), nil},
		{"HLEN none", shInt(0), nil},
		{"HEXISTS h a", shInt(1), nil},
		{"HEXISTS h x", shInt(0), nil},
		{"HEXISTS none a", shInt(0), nil},
		{"HSTRLEN h z", shInt(1), nil},
		{"HSTRLEN h x", shInt(0), nil},
		{"HSTRLEN none x", shInt(0), nil},
		{"HGETALL h", shBulks("a", "3", "b", "2", "c", "4", "z", "9"), nil},
		{"HKEYS h", shBulks("a", "b", "c", "z"), nil},
		{"HVALS h", shBulks("3", "2", "4", "9"), nil},
		{"HGETALL none", shArr(), nil},
		{"HKEYS none", shArr(), nil},
		{"HVALS none", shArr(), nil},
		{"HDEL h x", shInt(0), nil},
		{"HDEL none x", shInt(0), nil},
		{"HDEL h b x", shInt(1), []string{"HDEL h b x"}},
		{"HKEYS h", shBulks("a", "c", "z"), nil},
		// The hash empties at z: the rest is not looked at.
		{"HDEL h a c z a", shInt(3), []string{"HDEL h a c z a"}},
		{"EXISTS h", shInt(0), nil},
		{"SADD s 1", "", []string{"SADD s 1"}},
		{"HSET s a 1", wrongTypeErr, nil},
		{"HMSET s a 1", wrongTypeErr, nil},
		{"HSETNX s a 1", wrongTypeErr, nil},
		{"HDEL s a", wrongTypeErr, nil},
		{"HGET s a", wrongTypeErr, nil},
		{"HMGET s a", wrongTypeErr, nil},
		{"HLEN s", wrongTypeErr, nil},
		{"HEXISTS s a", wrongTypeErr, nil},
		{"HSTRLEN s a", wrongTypeErr, nil},
		{"HGETALL s", wrongTypeErr, nil},
		{"HKEYS s", wrongTypeErr, nil},
		{"HVALS s", wrongTypeErr, nil},
		{"HSCAN s 0", wrongTypeErr, nil},
		{"HINCRBY s a 1", wrongTypeErr, nil},
		{"HINCRBYFLOAT s a 1", wrongTypeErr, nil},
		{"HRANDFIELD s", wrongTypeErr, nil},
		{"HRANDFIELD s 1", wrongTypeErr, nil},
	})
}

func TestHashesIncr(t *testing.T) {
	shRun(t, shMemory(), []shStep{
		{"HINCRBY h n 5", shInt(5), []string{"HINCRBY h n 5"}},
		{"HINCRBY h n -7", shInt(-2), []string{"HINCRBY h n -7"}},
		{"HINCRBY h n x", shErr("ERR value is not an integer or out of range"), nil},
		{"HINCRBY none n x", shErr("ERR value is not an integer or out of range"), nil},
		{"HSET h s abc big 9223372036854775807 small -9223372036854775808 fl 1.5", "", []string{"HSET h s abc big 9223372036854775807 small -9223372036854775808 fl 1.5"}},
		{"HINCRBY h s 1", shErr("ERR hash value is not an integer"), nil},
		{"HINCRBY h fl 1", shErr("ERR hash value is not an integer"), nil},
		{"HINCRBYFLOAT h fl 1", shBulk("2.5"), []string{"HSET h fl 2.5"}},
		{"HINCRBY h big 1", shErr("ERR increment or decrement would overflow"), nil},
		{"HINCRBY h big 0", shInt(9223372036854775807), []string{"HINCRBY h big 0"}},
		{"HINCRBY h small -1", shErr("ERR increment or decrement would overflow"), nil},
		{"HINCRBY h small 9223372036854775807", shInt(-1), []string{"HINCRBY h small 9223372036854775807"}},
		{"HINCRBYFLOAT h f 0.1", shBulk("0.1"), []string{"HSET h f 0.1"}},
		{"HINCRBYFLOAT h f 0.2", shBulk("0.3"), []string{"HSET h f 0.3"}},
		{"HINCRBYFLOAT h n 1.5e3", shBulk("1498"), []string{"HSET h n 1498"}},
		{"HINCRBYFLOAT h f x", shErr("ERR value is not a valid float"), nil},
		{"HINCRBYFLOAT h f nan", shErr("ERR value is not a valid float"), nil},
		{"HINCRBYFLOAT h f inf", shErr("ERR value is NaN or Infinity"), nil},
		{"HINCRBYFLOAT h f -Infinity", shErr("ERR value is NaN or Infinity"), nil},
		{"HINCRBYFLOAT none f inf", shErr("ERR value is NaN or Infinity"), nil},
		{"HINCRBYFLOAT h s 1", shErr("ERR hash value is not a float"), nil},
		{"HSET h i inf", "", []string{"HSET h i inf"}},
		{"HINCRBYFLOAT h i 1", shErr("ERR increment would produce NaN or Infinity"), nil},
		{"HINCRBYFLOAT new f -5", shBulk("-5"), []string{"HSET new f -5"}},
		{"HGETALL new", shBulks("f", "-5"), nil},
		{"EXISTS none", shInt(0), nil},
	})
}

// TestHashesListpackOrder checks the listpack (insertion order, kept by
// updates and deletions) and its conversion to a hash table, where a
// deletion moves the last field into the hole.
func TestHashesListpackOrder(t *testing.T) {
	ks := keyspace.NewMemory(&keyspace.Options{Clock: func() time.Time { return shNow }, HashMaxListpackEntries: 128})
	keys := func(key string) []string {
		t.Helper()
		reply, _ := shExec(t, ks, "HKEYS", key)
		return shStrings(shReply(t, reply))
	}
	fields := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, "f"+strconv.Itoa(i), "v")
		}
		return out
	}
	names := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, "f"+strconv.Itoa(i))
		}
		return out
	}

	shExec(t, ks, append([]string{"HSET", "h"}, fields(1, 128)...)...)
	shExec(t, ks, "HSET", "h", "f1", "again")
	shExec(t, ks, "HDEL", "h", "f2")
	if got := keys("h"); !slices.Equal(got, append([]string{"f1"}, names(3, 128)...)) {
		t.Errorf("128 fields, a listpack: %q", got[:3])
	}
	shExec(t, ks, "HSET", "h", "f2", "v", "f129", "v")
	shExec(t, ks, "HDEL", "h", "f1")
	if got := keys("h"); !slices.Equal(got[:2], []string{"f129", "f3"}) || len(got) != 128 {
		t.Errorf("129 fields, a hash table: %q", got[:3])
	}

	long := strings.Repeat("x", 65)
	for _, c := range []struct {
		name string
		cmd  []string
		want []string // HKEYS after the command and HDEL a
	}{
		{"64-byte value", []string{"HSET", "k", "d", long[:64]}, []string{"b", "c", "d"}},
		{"65-byte value", []string{"HSET", "k", "d", long}, []string{"d", "b", "c"}},
		{"65-byte field", []string{"HSET", "k", long, "v"}, []string{long, "b", "c"}},
		// HSET converts for a long value of an existing field too.
		{"65-byte value, existing field", []string{"HSET", "k", "b", long}, []string{"c", "b"}},
		{"HMSET", []string{"HMSET", "k", "d", long}, []string{"d", "b", "c"}},
		{"HSETNX", []string{"HSETNX", "k", "d", long}, []string{"d", "b", "c"}},
		// HSETNX does not when the field exists.
		{"HSETNX, existing field", []string{"HSETNX", "k", "b", long}, []string{"b", "c"}},
		{"HINCRBY, long field", []string{"HINCRBY", "k", long, "1"}, []string{long, "b", "c"}},
		{"HINCRBYFLOAT, long result", []string{"HINCRBYFLOAT", "k", "d", "1e100"}, []string{"d", "b", "c"}},
		{"HINCRBYFLOAT, short result", []string{"HINCRBYFLOAT", "k", "d", "1e20"}, []string{"b", "c", "d"}},
	} {
		shExec(t, ks, "DEL", "k")
		shExec(t, ks, "HSET", "k", "a", "1", "b", "2", "c", "3")
		shExec(t, ks, c.cmd...)
		shExec(t, ks, "HDEL", "k", "a")
		if got := keys("k"); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestHashesOptions checks that the listpack thresholds are obeyed.
func TestHashesOptions(t *testing.T) {
	ks := keyspace.NewMemory(&keyspace.Options{HashMaxListpackEntries: 2, HashMaxListpackValue: 3})
	shRun(t, ks, []shStep{
		{"HSET h a 1 b 2", shInt(2), []string{"HSET h a 1 b 2"}},
		{"HDEL h a", shInt(1), []string{"HDEL h a"}},
		{"HSET h a 1 c 3", shInt(2), []string{"HSET h a 1 c 3"}},
		{"HDEL h b", shInt(1), []string{"HDEL h b"}},
		{"HKEYS h", shBulks("c", "a"), nil},
		{"HSET g a 123", shInt(1), []string{"HSET g a 123"}},
		{"HSET g b 1234", shInt(1), []string{"HSET g b 1234"}},
		{"HSET g c 1", shInt(1), []string{"HSET g c 1"}},
		{"HDEL g a", shInt(1), []string{"HDEL g a"}},
		{"HKEYS g", shBulks("c", "b"), nil},
	})
}

// TestHashesRestore checks the encoding a loaded hash gets, field
// expiries, and export.
func TestHashesRestore(t *testing.T) {
	ks := shMemory()
	restore := func(key string, fields ...rdb.HashField) {
		t.Helper()
		if err := ks.Restore(&rdb.Entry{Key: []byte(key), Value: rdb.Hash(fields)}); err != nil {
			t.Fatal(err)
		}
	}
	f := func(name, value string, exp int64) rdb.HashField {
		return rdb.HashField{Field: []byte(name), Value: []byte(value), ExpireAt: exp}
	}
	restore("lp", f("z", "1", 0), f("a", "2", 1800000000000), f("m", "3", 1900000000000))
	restore("ht", f("z", "1", 0), f("a", strings.Repeat("v", 65), 0), f("m", "3", 0))
	shRun(t, ks, []shStep{
		{"HDEL lp z", shInt(1), []string{"HDEL lp z"}},
		{"HKEYS lp", shBulks("a", "m"), nil},
		{"HDEL ht z", shInt(1), []string{"HDEL ht z"}},
		{"HKEYS ht", shBulks("m", "a"), nil},
		// HINCRBY keeps a field's expiry, HSET drops it (as in 7.4).
		{"HINCRBY lp a 1", shInt(3), []string{"HINCRBY lp a 1"}},
		{"HSET lp m 4", shInt(0), []string{"HSET lp m 4"}},
		{"COPY lp cp", shInt(1), []string{"COPY lp cp"}},
		{"HSET cp a x", shInt(0), []string{"HSET cp a x"}},
	})
	snap, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	shExec(t, ks, "HSET", "lp", "a", "changed")
	got := map[string]string{}
	for {
		e, err := snap.Next()
		if err != nil {
			break
		}
		var b strings.Builder
		for _, f := range e.Value.(rdb.Hash) {
			fmt.Fprintf(&b, "%s=%s@%d ", f.Field, f.Value, f.ExpireAt)
		}
		got[string(e.Key)] = b.String()
	}
	want := map[string]string{
		"lp": "a=3@1800000000000 m=4@0 ",
		"cp": "a=x@0 m=4@0 ",
		"ht": "m=3@0 a=" + strings.Repeat("v", 65) + "@0 ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("exported:\n %v\nwant\n %v", got, want)
	}
}

func TestHashesScan(t *testing.T) {
	shRun(t, shMemory(), []shStep{
		{"HSCAN none 0", shArr(shBulk("0"), shArr()), nil},
		{"HSCAN none 0 BAD", shArr(shBulk("0"), shArr()), nil},
		{"HSET h b 1 a 2 ab 3", "", []string{"HSET h b 1 a 2 ab 3"}},
		{"HSCAN h 0", shArr(shBulk("0"), shBulks("b", "1", "a", "2", "ab", "3")), nil},
		{"HSCAN h 99 COUNT 1", shArr(shBulk("0"), shBulks("b", "1", "a", "2", "ab", "3")), nil},
		{"HSCAN h 0 MATCH a*", shArr(shBulk("0"), shBulks("a", "2", "ab", "3")), nil},
		{"HSCAN h 0 MATCH 1", shArr(shBulk("0"), shArr()), nil},
		{"HSCAN h 0 COUNT 0", shErr("ERR syntax error"), nil},
		{"HSCAN h 0 COUNT x", shErr("ERR value is not an integer or out of range"), nil},
		{"HSCAN h 0 TYPE hash", shErr("ERR syntax error"), nil},
		{"HSCAN h 0 MATCH", shErr("ERR syntax error"), nil},
		{"HSCAN h x", shErr("ERR invalid cursor"), nil},
	})
}

func TestHashesRandField(t *testing.T) {
	ks := shMemory()
	shRun(t, ks, []shStep{
		{"HRANDFIELD none", shNull, nil},
		{"HRANDFIELD none 3", shArr(), nil},
		{"HRANDFIELD none -3 WITHVALUES", shArr(), nil},
		{"HSET h a 1 b 2 c 3", "", []string{"HSET h a 1 b 2 c 3"}},
		{"HRANDFIELD h 0", shArr(), nil},
		{"HRANDFIELD h 3", shBulks("a", "b", "c"), nil},
		{"HRANDFIELD h 10 WITHVALUES", shBulks("a", "1", "b", "2", "c", "3"), nil},
		{"HRANDFIELD h x", shErr("ERR value is not an integer or out of range"), nil},
		{"HRANDFIELD h -9223372036854775808", shErr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"), nil},
		{"HRANDFIELD h 1 WITHVALUES x", shErr("ERR syntax error"), nil},
		{"HRANDFIELD h 1 BAD", shErr("ERR syntax error"), nil},
		{"HRANDFIELD h x BAD", shErr("ERR value is not an integer or out of range"), nil},
		{"HRANDFIELD h 4611686018427387904 WITHVALUES", shErr("ERR value is out of range"), nil},
		{"HRANDFIELD none -4611686018427387904 WITHVALUES", shErr("ERR value is out of range"), nil},
		{"HRANDFIELD none -4611686018427387903 WITHVALUES", shArr(), nil},
		{"HRANDFIELD h -4611686018427387903 WITHVALUES", shErr("ERR value is out of range"), nil},
	})
	var fields []string
	for i := range 100 {
		fields = append(fields, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	shExec(t, ks, append([]string{"HSET", "big"}, fields...)...)
	for _, count := range []int{1, 2, 40, 99, -1, -7, -300} {
		for _, wv := range []bool{false, true} {
			args := []string{"HRANDFIELD", "big", strconv.Itoa(count)}
			if wv {
				args = append(args, "WITHVALUES")
			}
			reply, _ := shExec(t, ks, args...)
			got := shStrings(shReply(t, reply))
			n := max(count, -count)
			if wv {
				n *= 2
			}
			if len(got) != n {
				t.Errorf("%q: %d elements", args, len(got))
				continue
			}
			seen := map[string]bool{}
			for i := 0; i < len(got); {
				f := got[i]
				if seen[f] && count > 0 {
					t.Errorf("%q: %s twice", args, f)
				}
				seen[f] = true
				i++
				if wv {
					if "v"+f[1:] != got[i] {
						t.Errorf("%q: %s=%s", args, f, got[i])
					}
					i++
				}
			}
		}
	}
	if reply, _ := shExec(t, ks, "HRANDFIELD", "big"); !strings.HasPrefix(reply, "$2\r\nf") && !strings.HasPrefix(reply, "$3\r\nf") {
		t.Errorf("HRANDFIELD big: %q", reply)
	}
}

// TestHashesRESP3 checks the RESP3 forms: HGETALL a map, HRANDFIELD
// WITHVALUES pairs.
func TestHashesRESP3(t *testing.T) {
	ks := shMemory()
	shExec(t, ks, "HSET", "h", "a", "1", "b", "2")
	for _, c := range []struct{ cmd, want string }{
		{"HGETALL h", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HGETALL none", "%0\r\n"},
		{"HRANDFIELD h 5 WITHVALUES", "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HGET h x", "_\r\n"},
	} {
		call := &keyspace.Call{Write: true, Reply: keyspace.Reply{RESP3: true}}
		for _, a := range strings.Split(c.cmd, " ") {
			call.Args = append(call.Args, []byte(a))
		}
		if err := ks.Exec(call); err != nil {
			t.Fatal(err)
		}
		if string(call.Reply.Buf) != c.want {
			t.Errorf("%s: %q, want %q", c.cmd, call.Reply.Buf, c.want)
		}
	}
	call := &keyspace.Call{Write: true, Reply: keyspace.Reply{RESP3: true}, Args: [][]byte{[]byte("HRANDFIELD"), []byte("h"), []byte("-3"), []byte("WITHVALUES")}}
	if err := ks.Exec(call); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(call.Reply.Buf), "*3\r\n*2\r\n") {
		t.Errorf("HRANDFIELD h -3 WITHVALUES: %q", call.Reply.Buf)
	}
}

// ---- differential test ----

var (
	hashFields = []string{"f", "g", "h", "1", "", "\x00", "field:2", "ab", "abc"}
	hashValues = []string{
		"v", "", "1", "-5", "10", "1.5", "abc", " 1", "1e3", "inf", "-0",
		"9223372036854775807", "-9223372036854775808", "0.1", ".5", "5.",
	}
	incrs      = []string{"1", "-1", "0", "100", "9223372036854775807", "-9223372036854775808", "x", "1.5", "", " 1"}
	floatIncrs = []string{
		"1", "-1.5", "0.1", "1e3", "-1e-5", "3.0", "+2", ".5", "5.", "1e100", "-1e100", "1e308", "1e4000",
		"abc", "inf", "-inf", "nan", "", " 1", "1 ", "1e", "1e99999",
	}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// randFieldValues returns n field-value pairs: mostly short, now and
// then a field or value of 65 bytes (which makes a hash table).
func randFieldValues(r *rand.Rand, n int) []string {
	var out []string
	for range n {
		f, v := pick(r, hashFields), pick(r, hashValues)
		switch r.IntN(30) {
		case 0:
			f = strings.Repeat("F", 64+r.IntN(2))
		case 1:
			v = strings.Repeat("V", 64+r.IntN(2))
		}
		out = append(out, f, v)
	}
	return out
}

// manyFields returns n field-value pairs with distinct numbered fields,
// to grow hashes past a listpack's 128.
func manyFields(r *rand.Rand, n int) []string {
	var out []string
	for _, i := range r.Perm(200)[:n] {
		out = append(out, "m"+strconv.Itoa(i), strconv.Itoa(i))
	}
	return out
}

// listpackKey is a key outside the pool that only ever holds a hash of
// at most 9 short fields with short values, a listpack: its HSCAN
// replies are ordered, so they are compared with any cursor, COUNT and
// MATCH.
const listpackKey = "hashes:listpack"

func init() {
	gens = append(gens,
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			cmd := []string{"HSET", "HMSET"}[r.IntN(2)]
			switch r.IntN(15) {
			case 0:
				return append([]string{cmd, randKey(r, k)}, manyFields(r, 1+r.IntN(150))...)
			case 1:
				return []string{cmd, randKey(r, k), pick(r, hashFields), "v", pick(r, hashFields)}
			}
			return append([]string{cmd, randKey(r, k)}, randFieldValues(r, 1+r.IntN(3))...)
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			return append([]string{"HSETNX", randKey(r, k)}, randFieldValues(r, 1)...)
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			if r.IntN(10) == 0 {
				args := []string{"HDEL", randKey(r, k)}
				for i, f := range manyFields(r, 1+r.IntN(150)) {
					if i%2 == 0 {
						args = append(args, f)
					}
				}
				return args
			}
			args := []string{"HDEL", randKey(r, k)}
			for range 1 + r.IntN(3) {
				args = append(args, pick(r, hashFields))
			}
			return args
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			if r.IntN(2) == 0 {
				return []string{"HINCRBY", randKey(r, k), pick(r, hashFields), pick(r, incrs)}
			}
			return []string{"HINCRBYFLOAT", randKey(r, k), pick(r, hashFields), pick(r, floatIncrs)}
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			key := randKey(r, k)
			switch r.IntN(9) {
			case 0:
				return []string{"HGET", key, pick(r, hashFields)}
			case 1:
				return []string{"HMGET", key, pick(r, hashFields), pick(r, hashFields)}
			case 2:
				return []string{"HLEN", key}
			case 3:
				return []string{"HEXISTS", key, pick(r, hashFields)}
			case 4:
				return []string{"HSTRLEN", key, pick(r, hashFields)}
			case 5:
				return []string{"HGETALL", key}
			case 6:
				return []string{"HKEYS", key}
			case 7:
				return []string{"HVALS", key}
			}
			return []string{"HGET", key}
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			// A pool key may be a hash table, whose HSCAN order is
			// Redis's: scan it all at once and match one field.
			args := []string{"HSCAN", randKey(r, k), "0", "COUNT", "1000", "MATCH", pick(r, hashFields)}
			switch r.IntN(8) {
			case 0:
				args = []string{"HSCAN", randKey(r, k), "0", []string{"COUNT", "MATCH", "TYPE"}[r.IntN(3)]}
			case 1:
				args = []string{"HSCAN", randKey(r, k), "0", "COUNT", []string{"0", "-1", "x"}[r.IntN(3)]}
			case 2:
				args = []string{"HSCAN", randKey(r, k), []string{"x", "18446744073709551616", "1.5"}[r.IntN(3)]}
			}
			return args
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			// The listpack key: changed by HSET, HDEL, HSETNX and
			// HINCRBY, scanned with any options.
			switch r.IntN(6) {
			case 0:
				return []string{"HSET", listpackKey, pick(r, hashFields), pick(r, hashValues)}
			case 1:
				return []string{"HDEL", listpackKey, pick(r, hashFields), pick(r, hashFields)}
			case 2:
				return []string{"HSETNX", listpackKey, pick(r, hashFields), pick(r, hashValues)}
			case 3:
				return []string{"HINCRBY", listpackKey, pick(r, hashFields), strconv.Itoa(r.IntN(100))}
			}
			args := []string{"HSCAN", listpackKey, strconv.Itoa(r.IntN(3) * r.IntN(1000))}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(1+r.IntN(20)))
			}
			if r.IntN(2) == 0 {
				args = append(args, "MATCH", []string{"f*", "?", "*b*", "[a-g]", "*"}[r.IntN(5)])
			}
			return args
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			switch r.IntN(6) {
			case 0:
				return []string{"HRANDFIELD", randKey(r, k)}
			case 1:
				return []string{"HRANDFIELD", randKey(r, k), "1", []string{"WITHVALUES", "BAD"}[r.IntN(2)], "x"}
			case 2:
				return []string{"HRANDFIELD", randKey(r, k), []string{"x", "-9223372036854775808", "0", "4611686018427387904"}[r.IntN(4)], "WITHVALUES"}
			}
			args := []string{"HRANDFIELD", randKey(r, k), strconv.Itoa(r.IntN(30) - 10)}
			if r.IntN(2) == 0 {
				args = append(args, "withvalues")
			}
			return args
		}},
		gen{"hashes", func(r *rand.Rand, k []string) []string {
			// Sets in the pool, for WRONGTYPE.
			return []string{"SADD", randKey(r, k), pick(r, setMembers)}
		}},
	)
}

func TestDifferentialHashes(t *testing.T) { runDifferential(t, "hashes", "generic") }

// TestHashesOrderLikeRedis runs commands on both sides and compares their
// replies exactly, without sorting, where Redis keeps a listpack; and
// the errors of HRANDFIELD, whose other replies are random.
//
// Both sides use hash-max-listpack-entries 128, the value of redis.conf
// (without a configuration file Redis 7.0 uses 512, as Options does), so
// that conversions happen at a size the test reaches quickly.
func TestHashesOrderLikeRedis(t *testing.T) {
	srv := redistest.Start(t, "", "--hash-max-listpack-entries", "128")
	opts := &keyspace.Options{HashMaxListpackEntries: 128}
	d := &differ{t: t, ks: keyspace.NewMemory(opts), replica: keyspace.NewMemory(opts), rc: srv.Client()}
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
	var fields []string
	for i := 128; i >= 1; i-- {
		fields = append(fields, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	exact(append([]string{"HSET", "h"}, fields...)...)
	exact("HSET", "h", "f7", "again", "f128", "x")
	exact("HDEL", "h", "f100", "f1")
	exact("HINCRBY", "h", "f3", "5")
	exact("HINCRBYFLOAT", "h", "f4", "0.5")
	exact("HSETNX", "h", "f1", "back")
	encoding("h", "listpack")
	for _, cmd := range []string{"HGETALL", "HKEYS", "HVALS"} {
		exact(cmd, "h")
	}
	exact("HSCAN", "h", "0", "COUNT", "3")
	exact("HSCAN", "h", "0", "MATCH", "f1*")
	exact("HRANDFIELD", "h", "128", "WITHVALUES")
	exact("HSET", "h", "f129", "v", "f130", "v")
	encoding("h", "hashtable")
	for _, args := range [][]string{
		{"HSET", "v", "a", strings.Repeat("x", 64)},
		{"HSET", "v", strings.Repeat("y", 64), "b"},
		{"HINCRBYFLOAT", "v", "c", "1e50"},
	} {
		exact(args...)
		encoding("v", "listpack")
	}
	exact("HKEYS", "v")
	exact("HSETNX", "v", "a", strings.Repeat("x", 65))
	encoding("v", "listpack")
	exact("HINCRBYFLOAT", "v", "c", "1e70")
	encoding("v", "hashtable")
	exact("SADD", "s", "1")
	for _, args := range [][]string{
		{"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "1"}, {"HRANDFIELD", "h", "x"}, {"HRANDFIELD", "h", "1", "BAD"},
		{"HRANDFIELD", "h", "1", "WITHVALUES", "x"}, {"HRANDFIELD", "h", "-9223372036854775808"},
		{"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}, {"HRANDFIELD", "none", "-9223372036854775807"},
		{"HRANDFIELD", "none", "-4611686018427387903", "WITHVALUES"},
	} {
		exact(args...)
	}
	d.check()
}
