package keyspacetest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
)

// ModelOptions configure SnapshotModel.
type ModelOptions struct {
	// Seeds is the number of rounds, each with its own seed; 0 means 4.
	Seeds int

	// Commands is the number of commands each round writes; 0 means 2000.
	Commands int

	// SetClock, when not nil, sets the time (unix ms) the keyspace's
	// clock reads, which snapshots take their instant from. The model
	// then moves time forward as it writes, so that keys expire before,
	// at and after snapshot instants. Without it, the keyspace's clock
	// is taken to be the real one, and commands run a day ahead of it:
	// keys that the writes see expire (and delete) are still live at the
	// snapshots' instants.
	SetClock func(ms int64)
}

// SnapshotModel checks that snapshots hold exactly the data of their
// instant while writes go on: per round, a writer runs random commands
// (single and multi-key, MULTI units, expirations, FLUSHDB, SWAPDB, and
// ActiveExpire when the keyspace has it) and at random points takes a
// snapshot right after a quiescent copy of the data; each snapshot is
// read by its own goroutine, with pauses, while the writes and the other
// snapshots go on, and must equal its copy. Some snapshots are abandoned
// half way. Each round logs its seed.
func SnapshotModel(t *testing.T, newKeyspace NewFunc, o ModelOptions) {
	if o.Seeds == 0 {
		o.Seeds = 4
	}
	if o.Commands == 0 {
		o.Commands = 2000
	}
	for i := range o.Seeds {
		seed := rand.Uint64()
		if env := os.Getenv("KEYSPACETEST_SEED"); env != "" {
			// Run one seed again: KEYSPACETEST_SEED=n go test -run ...
			if i > 0 {
				return
			}
			var err error
			if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
				t.Fatalf("KEYSPACETEST_SEED: %v", err)
			}
		}
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			modelRound(t, newKeyspace(t), seed, o)
		})
		if !ok {
			return
		}
	}
}

func modelRound(t *testing.T, ks keyspace.Keyspace, seed uint64, o ModelOptions) {
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	s := NewSession(t, ks)
	s.Require("set", "del", "select")
	now := time.Now().UnixMilli()
	s.Now = now + 24*3600*1000
	if o.SetClock != nil {
		s.Now = now
		o.SetClock(now)
	}
	expirer, _ := ks.(keyspace.ActiveExpirer)
	gen := newModelGen(ks, r)
	gen.now = s.Now

	type reading struct {
		want Data
		got  Data
		err  error
		done chan struct{}
	}
	var readings []*reading
	var wg sync.WaitGroup
	read := func(snap keyspace.Snapshot, rd *reading, abandon int, pause *rand.Rand) {
		defer wg.Done()
		defer close(rd.done)
		defer snap.Close()
		rd.got = Data{}
		for n := 0; ; n++ {
			if abandon >= 0 && n == abandon {
				return
			}
			e, err := snap.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				rd.err = err
				return
			}
			k := fmt.Sprintf("%d/%q", e.DB, e.Key)
			if _, dup := rd.got[k]; dup {
				rd.err = fmt.Errorf("key %s twice", k)
				return
			}
			rd.got[k] = fmt.Sprintf("%s %s exp=%d", e.Value.Type(), Canonical(e.Value), e.ExpireAt)
			// Pause often, so that writes land while the snapshot is
			// part read (between the entries of one shard, too).
			if pause.IntN(3) == 0 {
				time.Sleep(time.Duration(pause.IntN(100)) * time.Microsecond)
			} else {
				runtime.Gosched()
			}
		}
	}

	for i := range o.Commands {
		switch p := r.IntN(1000); {
		case p < 4: // a snapshot, read concurrently
			want := SnapshotData(t, ks)
			snap, err := ks.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			rd := &reading{want: want, done: make(chan struct{})}
			abandon := -1
			if r.IntN(4) == 0 {
				abandon = r.IntN(len(want) + 1)
				rd.want = nil
			}
			readings = append(readings, rd)
			wg.Add(1)
			go read(snap, rd, abandon, rand.New(rand.NewPCG(seed, uint64(i))))
		case p < 14 && expirer != nil:
			var recs []keyspace.Record
			recs, _ = expirer.ActiveExpire(s.Now, 1+r.IntN(50), recs)
			s.Log = append(s.Log, recs...)
		case p < 40: // a MULTI unit
			n := 2 + r.IntN(3)
			calls := make([]keyspace.Call, n)
			for j := range calls {
				calls[j] = keyspace.Call{DB: s.DB, Now: s.Now, Args: args(gen.command()...)}
			}
			if err := ks.ExecMulti(calls); err != nil {
				t.Fatal(err)
			}
			s.DB = calls[n-1].DB
		default:
			s.Do(gen.command()...)
		}
		if step := r.IntN(20); step == 0 {
			s.Now += int64(r.IntN(400))
			if o.SetClock != nil {
				o.SetClock(s.Now)
			}
		}
		gen.now = s.Now
	}
	wg.Wait()
	for i, rd := range readings {
		if rd.err != nil {
			t.Fatalf("snapshot %d: %v", i, rd.err)
		}
		if rd.want == nil {
			continue // abandoned
		}
		if d := Diff(rd.want, rd.got); d != "" {
			t.Fatalf("snapshot %d differs from the data at its instant:\n%s", i, d)
		}
	}
	if len(readings) == 0 {
		t.Logf("no snapshot taken")
	}
}

// modelGen makes random commands over a small set of keys, so that
// commands meet each other's keys.
type modelGen struct {
	r    *rand.Rand
	ks   keyspace.Keyspace
	now  int64
	keys int
	pool [][]string
}

func newModelGen(ks keyspace.Keyspace, r *rand.Rand) *modelGen {
	// Few keys, so that commands meet each other's keys, or more, so
	// that shards hold several.
	g := &modelGen{r: r, ks: ks, keys: []int{24, 24, 500}[r.IntN(3)]}
	all := [][]string{
		{"SET", "K", "V"}, {"SET", "K", "V", "PX", "T"}, {"SET", "K", "V", "PXAT", "A"},
		{"MSET", "K", "V", "K", "V"}, {"APPEND", "K", "V"}, {"INCR", "K"}, {"SETRANGE", "K", "3", "V"},
		{"GETDEL", "K"}, {"GETEX", "K", "PX", "T"}, {"INCRBYFLOAT", "K", "1.5"},
		{"DEL", "K", "K"}, {"UNLINK", "K"}, {"EXPIRE", "K", "S"}, {"PEXPIREAT", "K", "A"}, {"PERSIST", "K"},
		{"RENAME", "K", "K"}, {"RENAMENX", "K", "K"}, {"MOVE", "K", "D"}, {"COPY", "K", "K", "DB", "D", "REPLACE"},
		{"RPUSH", "K", "V", "V", "V"}, {"LPUSH", "K", "V"}, {"LPOP", "K"}, {"RPOP", "K", "2"}, {"LSET", "K", "0", "V"},
		{"LMOVE", "K", "K", "LEFT", "RIGHT"}, {"LTRIM", "K", "1", "-2"}, {"LREM", "K", "0", "V"},
		{"SADD", "K", "V", "V"}, {"SREM", "K", "V"}, {"SPOP", "K"}, {"SMOVE", "K", "K", "V"},
		{"SUNIONSTORE", "K", "K", "K"}, {"SINTERSTORE", "K", "K", "K"}, {"SDIFFSTORE", "K", "K", "K"},
		{"HSET", "K", "V", "V", "V", "V"}, {"HDEL", "K", "V"}, {"HINCRBY", "K", "V", "2"}, {"HINCRBYFLOAT", "K", "V", "0.5"},
		{"ZADD", "K", "N", "V", "N", "V"}, {"ZINCRBY", "K", "N", "V"}, {"ZREM", "K", "V"}, {"ZPOPMIN", "K"},
		{"ZUNIONSTORE", "K", "2", "K", "K"}, {"ZINTERSTORE", "K", "2", "K", "K"}, {"ZREMRANGEBYRANK", "K", "0", "1"},
		{"SETBIT", "K", "B", "1"}, {"BITOP", "OR", "K", "K", "K"},
		{"RPUSH", "big", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V"},
		{"LPOP", "big"}, {"SADD", "bigset", "N", "N", "N", "N", "N", "N", "N", "N"},
		{"SELECT", "D"}, {"SELECT", "0"}, {"SWAPDB", "D", "D"}, {"FLUSHDB"},
		{"GET", "K"}, {"LRANGE", "K", "0", "-1"}, {"SMEMBERS", "K"}, {"EXISTS", "K"}, {"TTL", "K"},
	}
	for _, c := range all {
		if _, ok := ks.Command([]byte(c[0])); ok {
			g.pool = append(g.pool, c)
		}
	}
	return g
}

func (g *modelGen) command() []string {
	r := g.r
	for {
		c := g.pool[r.IntN(len(g.pool))]
		if c[0] == "FLUSHDB" && r.IntN(20) != 0 {
			continue // rare: it empties the database the others build
		}
		out := make([]string, len(c))
		for i, a := range c {
			switch a {
			case "K":
				a = "k" + strconv.Itoa(r.IntN(g.keys))
			case "V":
				a = "v" + strconv.Itoa(r.IntN(12))
			case "N":
				a = strconv.Itoa(r.IntN(100))
			case "B":
				a = strconv.Itoa(r.IntN(64))
			case "D":
				a = strconv.Itoa(r.IntN(3))
			case "T": // a few ms to a few s
				a = strconv.Itoa(1 + r.IntN(3000))
			case "S":
				a = strconv.Itoa(r.IntN(3))
			case "A": // an absolute time around now
				a = strconv.FormatInt(g.now-1000+int64(r.IntN(4000)), 10)
			}
			out[i] = a
		}
		return out
	}
}
