package keyspace_test

// The differential harness: commands go to the reference keyspace and to
// a private redis-server; replies must match (after normalizing the
// replies whose order Redis leaves unspecified), and at checkpoints the
// whole data set must match, as must the data set that replaying our
// log gives.

import (
	"bytes"
	stdcmp "cmp"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
	"github.com/google/go-cmp/cmp"
)

// differ runs commands on both sides.
type differ struct {
	t       *testing.T
	ks      *keyspace.Memory // ours
	replica *keyspace.Memory // fed our log, with Loading set
	rc      *redistest.Client
	db      int // our client's database
	call    keyspace.Call
	history []string // recent commands, for failure messages
}

func newDiffer(t *testing.T) *differ {
	t.Helper()
	// redis-server's active expire cycle would remove keys at moments
	// of its choosing; ours runs only when called.
	srv := redistest.Start(t, "", "--enable-debug-command", "yes")
	rc := srv.Client()
	rc.Must("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	return &differ{
		t:       t,
		ks:      keyspace.NewMemory(nil),
		replica: keyspace.NewMemory(nil),
		rc:      rc,
	}
}

// unordered lists the commands whose reply is an array in an order
// Redis does not define (or defines by its hash table): their replies are
// compared sorted. Pairs (HGETALL) are compared as sorted pairs.
var unordered = map[string]int{
	"keys": 1, "smembers": 1, "sinter": 1, "sunion": 1, "sdiff": 1,
	"hkeys": 1, "hvals": 1, "hgetall": 2,
}

// fixups run after a command whose effect is random (SPOP): given both
// replies they return commands that make redis-server's data equal ours.
var fixups = map[string]func(args []string, ours, theirs resp.Value) [][]string{}

// skipReply lists commands whose replies may differ (random choices);
// their reply types must still match.
var skipReply = map[string]bool{"spop": true, "srandmember": true, "randomkey": true}

// replyNormalizers rewrite the replies of commands whose replies hold
// clock readings (XPENDING's idle times) before they are compared.
var replyNormalizers = map[string]func(args []string, v resp.Value) resp.Value{}

func lower(s string) string { return strings.ToLower(s) }

// do runs a command on both sides and compares the replies.
func (d *differ) do(args ...string) resp.Value {
	d.t.Helper()
	d.history = append(d.history, fmt.Sprintf("%q", args))
	if len(d.history) > 30 {
		d.history = d.history[1:]
	}
	// Snapshots taken before the command must not see it, whatever it
	// changes in place: one not yet read, and one read part way (its
	// keys in a shard done, in the shard in flight, or not reached).
	before := snapshotData(d.t, d.ks)
	fresh, err := d.ks.Snapshot()
	if err != nil {
		d.fail("Snapshot: %v", err)
	}
	part, err := d.ks.Snapshot()
	if err != nil {
		d.fail("Snapshot: %v", err)
	}
	partData := readSome(d.t, part, len(d.history)%(len(before)+1))
	ours := d.exec(args)
	if after := readSnapshot(d.t, fresh); !maps.Equal(before, after) {
		d.fail("%q changed a snapshot taken before it:\n%s", args, cmp.Diff(before, after))
	}
	maps.Copy(partData, readSnapshot(d.t, part))
	if !maps.Equal(before, partData) {
		d.fail("%q changed a snapshot taken before it and read part way:\n%s", args, cmp.Diff(before, partData))
	}
	fresh.Close()
	part.Close()
	name := lower(args[0])
	var theirs resp.Value
	if blocking[name] {
		theirs = d.doUnblocked(args)
	} else {
		theirs = d.rc.Do(args...)
	}
	if fix := fixups[name]; fix != nil {
		for _, f := range fix(args, ours, theirs) {
			d.rc.Do(f...)
		}
	}
	if skipReply[name] {
		if ours.Type != theirs.Type {
			d.fail("reply type: ours %s, redis %s", ours, theirs)
		}
		return ours
	}
	o, r := normalize(name, ours), normalize(name, theirs)
	if f := replyNormalizers[name]; f != nil {
		o, r = f(args, o), f(args, r)
	}
	if !bytes.Equal(resp.AppendValue(nil, o), resp.AppendValue(nil, r)) {
		d.fail("reply differs:\n ours  %s\n redis %s", ours, theirs)
	}
	return ours
}

// blocking lists the commands that block in Redis when there is nothing
// to serve: the keyspace replies at once as Redis does when it cannot
// block, inside MULTI, so they are sent to redis-server in MULTI/EXEC.
var blocking = map[string]bool{
	"blpop": true, "brpop": true, "brpoplpush": true, "blmove": true, "blmpop": true,
	"bzpopmin": true, "bzpopmax": true, "bzmpop": true,
}

// doUnblocked sends a command to redis-server inside MULTI/EXEC and
// returns its reply (or the error it got when queued).
func (d *differ) doUnblocked(args []string) resp.Value {
	d.t.Helper()
	d.rc.Must("MULTI")
	if q := d.rc.Do(args...); q.Type == resp.TypeSimpleError {
		d.rc.Do("DISCARD")
		return q
	}
	v := d.rc.Do("EXEC")
	if v.Type != resp.TypeArray || len(v.Elems) != 1 {
		d.fail("EXEC of %q replied %s", args, v)
	}
	return v.Elems[0]
}

func (d *differ) fail(format string, args ...any) {
	d.t.Helper()
	d.t.Fatalf("%s\nlast commands:\n  %s", fmt.Sprintf(format, args...), strings.Join(d.history, "\n  "))
}

// exec runs args on our keyspace (retrying a read with the write turn as
// a Store does) and replays what it logged into the replica.
func (d *differ) exec(args []string) resp.Value {
	d.t.Helper()
	c := &d.call
	c.Reset()
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	c.DB = d.db
	info, ok := d.ks.Command(c.Args[0])
	c.Write = ok && info.Write
	err := d.ks.Exec(c)
	if err == keyspace.ErrWriteNeeded {
		c.Reply.Buf = c.Reply.Buf[:0]
		c.Write = true
		err = d.ks.Exec(c)
	}
	if err != nil {
		d.fail("Exec %q: %v", args, err)
	}
	d.db = c.DB
	for _, rec := range c.Log {
		rc := keyspace.Call{DB: rec.DB, Args: rec.Args, Write: true, Loading: true}
		if err := d.replica.Exec(&rc); err != nil {
			d.fail("replaying %q: %v", rec.Args, err)
		}
		if bytes.HasPrefix(rc.Reply.Buf, []byte("-")) {
			d.fail("replaying %q of %q: %s", rec.Args, args, rc.Reply.Buf)
		}
	}
	v, err := resp.NewReader(bytes.NewReader(c.Reply.Buf)).ReadReply()
	if err != nil {
		d.fail("our reply to %q does not parse: %v (%q)", args, err, c.Reply.Buf)
	}
	return v
}

func normalize(name string, v resp.Value) resp.Value {
	k := unordered[name]
	if k == 0 || v.Type != resp.TypeArray || len(v.Elems)%k != 0 {
		return v
	}
	groups := make([][]resp.Value, 0, len(v.Elems)/k)
	for i := 0; i < len(v.Elems); i += k {
		groups = append(groups, v.Elems[i:i+k])
	}
	slices.SortFunc(groups, func(a, b []resp.Value) int {
		for i := range a {
			if c := stdcmp.Compare(a[i].String(), b[i].String()); c != 0 {
				return c
			}
		}
		return 0
	})
	out := v
	out.Elems = nil
	for _, g := range groups {
		out.Elems = append(out.Elems, g...)
	}
	return out
}

// keyData is a key's value and expiry, comparable across sides.
type keyData struct {
	Type     string
	Value    string
	ExpireAt int64
}

// check compares the whole data set of both sides and of the replica.
func (d *differ) check() {
	d.t.Helper()
	ours := snapshotData(d.t, d.ks)
	theirs := redisData(d.t, d.rc, d.ks.Databases())
	if diff := cmp.Diff(theirs, ours); diff != "" {
		d.fail("data differs (-redis +ours):\n%s", diff)
	}
	if diff := cmp.Diff(relaxAll(ours), relaxAll(snapshotData(d.t, d.replica))); diff != "" {
		d.fail("replaying our log gives other data (-ours +replayed):\n%s", diff)
	}
	d.rc.Do("SELECT", strconv.Itoa(d.db))
}

// replayRelax, when set, maps a key's data before ours and the data
// replaying our log gave are compared: what Redis propagates does not
// carry everything (a stream group's entries-read counter after
// XREADGROUP, a consumer XREADGROUP created without delivering).
var replayRelax func(keyData) keyData

func relaxAll(m map[string]keyData) map[string]keyData {
	if replayRelax == nil {
		return m
	}
	out := make(map[string]keyData, len(m))
	for k, v := range m {
		out[k] = replayRelax(v)
	}
	return out
}

func snapshotData(t *testing.T, ks keyspace.Keyspace) map[string]keyData {
	t.Helper()
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return readSnapshot(t, s)
}

func readSnapshot(t *testing.T, s keyspace.Snapshot) map[string]keyData {
	t.Helper()
	return readSome(t, s, -1)
}

// readSome reads n entries of s, or all when n < 0.
func readSome(t *testing.T, s keyspace.Snapshot, n int) map[string]keyData {
	t.Helper()
	out := map[string]keyData{}
	for ; n != 0; n-- {
		e, err := s.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%d/%q", e.DB, e.Key)] = keyData{e.Value.Type().String(), canon(e.Value), e.ExpireAt}
	}
	return out
}

func redisData(t *testing.T, rc *redistest.Client, dbs int) map[string]keyData {
	t.Helper()
	out := map[string]keyData{}
	for db := 0; db < dbs; db++ {
		rc.Do("SELECT", strconv.Itoa(db))
		for _, k := range rc.Do("KEYS", "*").Elems {
			payload := rc.DoBytes([]byte("DUMP"), k.Str)
			if payload.IsNull() {
				continue // expired meanwhile
			}
			v, err := rdb.ParseDump(payload.Str)
			if err != nil {
				t.Fatalf("DUMP %q: %v", k.Str, err)
			}
			exp := rc.DoBytes([]byte("PEXPIRETIME"), k.Str).Int
			if exp < 0 {
				exp = 0
			}
			out[fmt.Sprintf("%d/%q", db, k.Str)] = keyData{v.Type().String(), canon(v), exp}
		}
	}
	return out
}

// canon is a canonical text of a value: sets and hashes sorted.
func canon(v rdb.Value) string {
	switch v := rdb.Plain(v).(type) {
	case rdb.String:
		return string(v) // not quoted: cheap for big values, and cmp.Diff quotes what it prints
	case rdb.List:
		return quoteAll(v)
	case rdb.Set:
		s := slices.Clone(v)
		slices.SortFunc(s, bytes.Compare)
		return quoteAll(s)
	case rdb.ZSet:
		z := slices.Clone(v)
		slices.SortFunc(z, func(a, b rdb.ZMember) int {
			if c := stdcmp.Compare(a.Score, b.Score); c != 0 {
				return c
			}
			return bytes.Compare(a.Member, b.Member)
		})
		var b strings.Builder
		for _, m := range z {
			fmt.Fprintf(&b, "%q=%v ", m.Member, m.Score)
		}
		return b.String()
	case rdb.Hash:
		h := slices.Clone(v)
		slices.SortFunc(h, func(a, b rdb.HashField) int { return bytes.Compare(a.Field, b.Field) })
		var b strings.Builder
		for _, f := range h {
			fmt.Fprintf(&b, "%q=%q ", f.Field, f.Value)
		}
		return b.String()
	case *rdb.Stream:
		return canonStream(v)
	}
	return fmt.Sprintf("%#v", v)
}

func quoteAll(s [][]byte) string {
	var b strings.Builder
	for _, e := range s {
		b.WriteString(strconv.Quote(string(e)))
		b.WriteByte(' ')
	}
	return b.String()
}

// gen is a generator of random commands for the differential test;
// each type's test file adds its own from init. keys is a small pool of
// key names shared by all generators so commands collide.
type gen struct {
	group string // "generic", "strings", "lists", "sets", "hashes", "zsets"
	fn    func(r *rand.Rand, keys []string) []string
}

var gens []gen

// diffKeys is the key pool of the random differential test.
var diffKeys = []string{"a", "b", "c", "d", "{t}x", "{t}y", "n", "k:1", "k:2", ""}

// randKey picks a key from the pool.
func randKey(r *rand.Rand, keys []string) string { return keys[r.IntN(len(keys))] }

// TestDifferential sends seeded random sequences of every generator's
// commands to both sides.
func TestDifferential(t *testing.T) { runDifferential(t) }

// runDifferential sends a seeded random sequence of the commands of the
// given generator groups (all groups when none is given) to both sides,
// checking the replies, and the whole data set every 200 commands.
func runDifferential(t *testing.T, groups ...string) {
	t.Parallel() // each has its own redis-server
	var pool []gen
	for _, g := range gens {
		if len(groups) == 0 || slices.Contains(groups, g.group) {
			pool = append(pool, g)
		}
	}
	if len(pool) == 0 {
		t.Fatalf("no generators for %q", groups)
	}
	r := testenv.Rand(t)
	d := newDiffer(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		g := pool[r.IntN(len(pool))]
		d.do(g.fn(r, diffKeys)...)
		if i%200 == 199 {
			d.check()
		}
	}
	d.check()
}
