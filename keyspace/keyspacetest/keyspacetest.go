// Package keyspacetest is a conformance suite for implementations of
// keyspace.Keyspace: Run checks, through the interface alone, the
// command semantics a Store relies on, what is logged, expiry, the
// concurrency contract, Restore, and point-in-time snapshots.
//
// An implementation runs it against itself:
//
//	func TestConformance(t *testing.T) {
//		keyspacetest.Run(t, func(t *testing.T) keyspace.Keyspace { return mykeyspace.New() })
//	}
//
// Cases that need a command the keyspace does not know (Command returns
// false) are skipped with a message naming it, so a keyspace that holds
// only strings can still run the suite. Replies are compared in
// redis-cli's notation (resp.Value.String): OK, "bulk", 3, (nil),
// array["a" "b"], (error) ERR ....
package keyspacetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// NewFunc returns a new, empty keyspace with at least 4 databases.
type NewFunc func(t *testing.T) keyspace.Keyspace

// Run runs the conformance suite.
func Run(t *testing.T, newKeyspace NewFunc) {
	t.Run("Commands", func(t *testing.T) { testCommands(t, newKeyspace) })
	t.Run("Propagation", func(t *testing.T) { testPropagation(t, newKeyspace) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newKeyspace) })
	t.Run("WriteNeeded", func(t *testing.T) { testWriteNeeded(t, newKeyspace) })
	t.Run("Multi", func(t *testing.T) { testMulti(t, newKeyspace) })
	t.Run("Replay", func(t *testing.T) { testReplay(t, newKeyspace) })
	t.Run("RestoreAndSnapshot", func(t *testing.T) { testRestoreSnapshot(t, newKeyspace) })
	t.Run("SnapshotIsolation", func(t *testing.T) { testSnapshotIsolation(t, newKeyspace) })
	t.Run("SnapshotConcurrent", func(t *testing.T) { testSnapshotConcurrent(t, newKeyspace) })
	t.Run("SnapshotModel", func(t *testing.T) { SnapshotModel(t, newKeyspace, ModelOptions{}) })
	t.Run("ConcurrentReads", func(t *testing.T) { testConcurrentReads(t, newKeyspace) })
}

// T0 is the time (unix ms) the suite's commands run at, unless a case
// moves it.
const T0 = int64(1_700_000_000_000)

// Session runs commands against a keyspace as a Store would: a read runs
// without the write turn and again with it when the keyspace asks.
type Session struct {
	T   testing.TB
	KS  keyspace.Keyspace
	DB  int
	Now int64 // Call.Now of the commands; T0 by default

	// Log collects every record logged so far.
	Log []keyspace.Record
}

// NewSession returns a session on ks in database 0 at T0.
func NewSession(t testing.TB, ks keyspace.Keyspace) *Session {
	return &Session{T: t, KS: ks, Now: T0}
}

// Require skips the test unless the keyspace knows every named command.
func (s *Session) Require(names ...string) {
	s.T.Helper()
	for _, n := range names {
		if _, ok := s.KS.Command([]byte(n)); !ok {
			s.T.Skipf("keyspace does not implement %s", strings.ToUpper(n))
		}
	}
}

// Do runs a command and returns its reply in redis-cli notation and the
// records it logged.
func (s *Session) Do(args ...string) (string, []keyspace.Record) {
	s.T.Helper()
	c := &keyspace.Call{DB: s.DB, Now: s.Now}
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	info, ok := s.KS.Command(c.Args[0])
	c.Write = ok && info.Write
	err := s.KS.Exec(c)
	if errors.Is(err, keyspace.ErrWriteNeeded) {
		if c.Write {
			s.T.Fatalf("%q: ErrWriteNeeded with the write turn", args)
		}
		if len(c.Reply.Buf) != 0 || len(c.Log) != 0 {
			s.T.Fatalf("%q: ErrWriteNeeded after replying %q or logging %d records", args, c.Reply.Buf, len(c.Log))
		}
		c.Write = true
		err = s.KS.Exec(c)
	}
	if err != nil {
		s.T.Fatalf("%q: Exec: %v", args, err)
	}
	if !c.Write && len(c.Log) > 0 {
		s.T.Fatalf("%q: a read logged %v", args, c.Log)
	}
	s.DB = c.DB
	s.Log = append(s.Log, c.Log...)
	return ReplyString(s.T, c.Reply.Buf), c.Log
}

// Expect runs a command and checks its reply.
func (s *Session) Expect(want string, args ...string) {
	s.T.Helper()
	if got, _ := s.Do(args...); got != want {
		s.T.Errorf("%q: got %s, want %s", args, got, want)
	}
}

// ReplyString parses one RESP reply and renders it in redis-cli
// notation; anything other than exactly one reply fails the test.
func ReplyString(t testing.TB, b []byte) string {
	t.Helper()
	rd := resp.NewReader(bytes.NewReader(b))
	v, err := rd.ReadReply()
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	if _, err := rd.ReadReply(); err != io.EOF {
		t.Fatalf("reply %q holds more than one reply", b)
	}
	return v.String()
}

// FormatRecords renders records as "db: ARG ARG ..." lines, for
// comparisons.
func FormatRecords(recs []keyspace.Record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%d:", r.DB)
		for _, a := range r.Args {
			b.WriteByte(' ')
			b.Write(a)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Data is a keyspace's content in comparable form: per "db/key", the
// type, a canonical rendering of the value and the expiry.
type Data map[string]string

// SnapshotData reads a whole snapshot of ks.
func SnapshotData(t testing.TB, ks keyspace.Keyspace) Data {
	t.Helper()
	s, err := ks.Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	defer s.Close()
	return ReadSnapshot(t, s)
}

// ReadSnapshot reads s to its end, checking that keys come once each.
func ReadSnapshot(t testing.TB, s keyspace.Snapshot) Data {
	t.Helper()
	d := Data{}
	for {
		e, err := s.Next()
		if err == io.EOF {
			return d
		}
		if err != nil {
			t.Fatalf("Snapshot.Next: %v", err)
		}
		k := fmt.Sprintf("%d/%q", e.DB, e.Key)
		if _, dup := d[k]; dup {
			t.Fatalf("snapshot: key %s twice", k)
		}
		d[k] = fmt.Sprintf("%s %s exp=%d", e.Value.Type(), Canonical(e.Value), e.ExpireAt)
	}
}

// Canonical renders a value with sets, hashes and zsets in sorted order.
func Canonical(v rdb.Value) string {
	q := func(b []byte) string { return strconv.Quote(string(b)) }
	var parts []string
	switch v := rdb.Plain(v).(type) {
	case rdb.String:
		return q(v)
	case rdb.List:
		for _, e := range v {
			parts = append(parts, q(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case rdb.Set:
		for _, e := range v {
			parts = append(parts, q(e))
		}
		sort.Strings(parts)
	case rdb.Hash:
		for _, f := range v {
			parts = append(parts, q(f.Field)+"="+q(f.Value))
		}
		sort.Strings(parts)
	case rdb.ZSet:
		z := slices.Clone(v)
		slices.SortFunc(z, func(a, b rdb.ZMember) int {
			if a.Score != b.Score {
				if a.Score < b.Score {
					return -1
				}
				return 1
			}
			return bytes.Compare(a.Member, b.Member)
		})
		for _, m := range z {
			parts = append(parts, q(m.Member)+"="+strconv.FormatFloat(m.Score, 'g', -1, 64))
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprintf("%v", v)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Diff describes how two data sets differ, or returns "".
func Diff(want, got Data) string {
	var b strings.Builder
	keys := make([]string, 0, len(want)+len(got))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "missing %s: %.200s\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "extra %s: %.200s\n", k, g)
		case w != g:
			fmt.Fprintf(&b, "%s:\n  want %.200s\n  got  %.200s\n", k, w, g)
		}
	}
	return b.String()
}

// Replay executes records into a keyspace as an AOF loader does
// (Loading set, with the write turn), failing on an error reply.
func Replay(t testing.TB, ks keyspace.Keyspace, recs []keyspace.Record, now int64) {
	t.Helper()
	for _, r := range recs {
		c := &keyspace.Call{DB: r.DB, Args: r.Args, Write: true, Loading: true, Now: now}
		if err := ks.Exec(c); err != nil {
			t.Fatalf("replaying %q: %v", r.Args, err)
		}
		if len(c.Reply.Buf) > 0 && c.Reply.Buf[0] == '-' {
			t.Fatalf("replaying %q: %s", r.Args, bytes.TrimSpace(c.Reply.Buf))
		}
	}
}

// rng returns a seeded generator and logs the seed.
func rng(t *testing.T) *rand.Rand {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, 0))
}

// errOnce collects the first error from several goroutines.
type errOnce struct {
	mu  sync.Mutex
	err error
}

func (e *errOnce) set(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}
