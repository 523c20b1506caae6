package aofrdb

// The Store's state-machine test: random commands, units, restarts,
// saves, rewrites, option changes and crashes on the crash-simulating
// MemFS, checked against a plain model of the data and of what each
// file holds. The model accounts exactly for what a crash may lose:
// under always nothing acknowledged; under everysec and no what was not
// synced yet (the test watches every Sync the Store makes through the
// file system it gives it); with RDB only, what came after the last
// save.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"pgregory.net/rapid"
)

// The model: databases of typed values with absolute expiry times,
// expired lazily exactly as Redis does (a key is gone once now > exp).

type mkind byte

const (
	kString mkind = iota + 1
	kList
	kSet
	kHash
	kZSet
)

type mval struct {
	kind mkind
	str  string
	list []string
	set  map[string]bool
	hash map[string]string
	zset map[string]float64
	exp  int64 // unix ms, 0 for none
}

func (v *mval) clone() *mval {
	c := *v
	c.list = slices.Clone(v.list)
	c.set = maps.Clone(v.set)
	c.hash = maps.Clone(v.hash)
	c.zset = maps.Clone(v.zset)
	return &c
}

type model struct{ dbs []map[string]*mval }

func newModel(dbs int) *model {
	m := &model{dbs: make([]map[string]*mval, dbs)}
	for i := range m.dbs {
		m.dbs[i] = map[string]*mval{}
	}
	return m
}

func (m *model) clone() *model {
	c := newModel(len(m.dbs))
	for i, db := range m.dbs {
		for k, v := range db {
			c.dbs[i][k] = v.clone()
		}
	}
	return c
}

// get returns the live value of key, deleting it if its time passed.
func (m *model) get(db int, key string, now int64) *mval {
	v := m.dbs[db][key]
	if v != nil && v.exp != 0 && now > v.exp {
		delete(m.dbs[db], key)
		return nil
	}
	return v
}

const wrongType = "-WRONGTYPE"

// isInt reports whether s is an integer as Redis's string2ll reads one.
func isInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

func intReply(n int) string { return ":" + strconv.Itoa(n) + "\r\n" }

func bulkReply(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// apply runs args in db at now and returns the expected RESP2 reply
// (for an error reply, only its code).
func (m *model) apply(db int, args []string, now int64) string {
	name, key := strings.ToUpper(args[0]), ""
	if len(args) > 1 {
		key = args[1]
	}
	d := m.dbs[db]
	// typed returns the live value of key when it is of kind k (nil
	// when absent), or false for another kind.
	typed := func(k mkind) (*mval, bool) {
		v := m.get(db, key, now)
		if v != nil && v.kind != k {
			return nil, false
		}
		return v, true
	}
	switch name {
	case "SET":
		v := &mval{kind: kString, str: args[2]}
		if len(args) == 5 { // PX ms
			ms, _ := strconv.ParseInt(args[4], 10, 64)
			v.exp = now + ms
		}
		d[key] = v
		return "+OK\r\n"
	case "DEL":
		if m.get(db, key, now) == nil {
			return intReply(0)
		}
		delete(d, key)
		return intReply(1)
	case "INCR":
		v, ok := typed(kString)
		if !ok {
			return wrongType
		}
		if v == nil {
			d[key] = &mval{kind: kString, str: "1"}
			return intReply(1)
		}
		n, ok := isInt(v.str)
		if !ok {
			return "-ERR"
		}
		v.str = strconv.FormatInt(n+1, 10)
		return ":" + v.str + "\r\n"
	case "RPUSH":
		v, ok := typed(kList)
		if !ok {
			return wrongType
		}
		if v == nil {
			v = &mval{kind: kList}
			d[key] = v
		}
		v.list = append(v.list, args[2:]...)
		return intReply(len(v.list))
	case "LPOP":
		v, ok := typed(kList)
		if !ok {
			return wrongType
		}
		if v == nil {
			return "$-1\r\n"
		}
		e := v.list[0]
		if v.list = v.list[1:]; len(v.list) == 0 {
			delete(d, key)
		}
		return bulkReply(e)
	case "SADD":
		v, ok := typed(kSet)
		if !ok {
			return wrongType
		}
		if v == nil {
			v = &mval{kind: kSet, set: map[string]bool{}}
			d[key] = v
		}
		n := 0
		for _, e := range args[2:] {
			if !v.set[e] {
				v.set[e] = true
				n++
			}
		}
		return intReply(n)
	case "SREM":
		v, ok := typed(kSet)
		if !ok {
			return wrongType
		}
		n := 0
		if v != nil {
			for _, e := range args[2:] {
				if v.set[e] {
					delete(v.set, e)
					n++
				}
			}
			if len(v.set) == 0 {
				delete(d, key)
			}
		}
		return intReply(n)
	case "HSET":
		v, ok := typed(kHash)
		if !ok {
			return wrongType
		}
		if v == nil {
			v = &mval{kind: kHash, hash: map[string]string{}}
			d[key] = v
		}
		_, had := v.hash[args[2]]
		v.hash[args[2]] = args[3]
		if had {
			return intReply(0)
		}
		return intReply(1)
	case "ZADD":
		v, ok := typed(kZSet)
		if !ok {
			return wrongType
		}
		if v == nil {
			v = &mval{kind: kZSet, zset: map[string]float64{}}
			d[key] = v
		}
		score, _ := strconv.ParseFloat(args[2], 64)
		_, had := v.zset[args[3]]
		v.zset[args[3]] = score
		if had {
			return intReply(0)
		}
		return intReply(1)
	case "PEXPIRE":
		v := m.get(db, key, now)
		if v == nil {
			return intReply(0)
		}
		ms, _ := strconv.ParseInt(args[2], 10, 64)
		if ms <= 0 {
			delete(d, key)
		} else {
			v.exp = now + ms
		}
		return intReply(1)
	case "FLUSHDB":
		clear(d)
		return "+OK\r\n"
	}
	panic("model: unknown command " + name)
}

// render returns the live data at now, one line per key, sorted.
func (m *model) render(now int64) string {
	var lines []string
	for db, d := range m.dbs {
		for k, v := range d {
			if v.exp != 0 && now > v.exp {
				continue
			}
			var val string
			switch v.kind {
			case kString:
				val = "string " + strconv.Quote(v.str)
			case kList:
				val = fmt.Sprintf("list %q", v.list)
			case kSet:
				val = fmt.Sprintf("set %q", slices.Sorted(maps.Keys(v.set)))
			case kHash:
				val = "hash"
				for _, f := range slices.Sorted(maps.Keys(v.hash)) {
					val += fmt.Sprintf(" %q=%q", f, v.hash[f])
				}
			case kZSet:
				val = "zset"
				for _, e := range slices.Sorted(maps.Keys(v.zset)) {
					val += fmt.Sprintf(" %q=%s", e, strconv.FormatFloat(v.zset[e], 'g', -1, 64))
				}
			}
			lines = append(lines, fmt.Sprintf("%d %q exp=%d %s", db, k, v.exp, val))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// renderEntries renders what next returns as model.render renders a
// model: the keys live at now.
func renderEntries(next func() (*rdb.Entry, error), now int64) (string, error) {
	var lines []string
	for {
		e, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if e.ExpireAt != 0 && now > e.ExpireAt {
			continue
		}
		var val string
		switch v := rdb.Plain(e.Value).(type) {
		case rdb.String:
			val = "string " + strconv.Quote(string(v))
		case rdb.List:
			l := make([]string, len(v))
			for i, x := range v {
				l[i] = string(x)
			}
			val = fmt.Sprintf("list %q", l)
		case rdb.Set:
			l := make([]string, len(v))
			for i, x := range v {
				l[i] = string(x)
			}
			slices.Sort(l)
			val = fmt.Sprintf("set %q", l)
		case rdb.Hash:
			h := map[string]string{}
			for _, f := range v {
				h[string(f.Field)] = string(f.Value)
			}
			val = "hash"
			for _, f := range slices.Sorted(maps.Keys(h)) {
				val += fmt.Sprintf(" %q=%q", f, h[f])
			}
		case rdb.ZSet:
			z := map[string]float64{}
			for _, x := range v {
				z[string(x.Member)] = x.Score
			}
			val = "zset"
			for _, m := range slices.Sorted(maps.Keys(z)) {
				val += fmt.Sprintf(" %q=%s", m, strconv.FormatFloat(z[m], 'g', -1, 64))
			}
		default:
			val = fmt.Sprintf("%T", v)
		}
		lines = append(lines, fmt.Sprintf("%d %q exp=%d %s", e.DB, e.Key, e.ExpireAt, val))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

// renderStore renders the Store's data at now, from a snapshot taken
// with the write turn.
func renderStore(s *Store, now int64) (string, error) {
	s.turn.Lock()
	snap, err := s.ks.Snapshot()
	s.turn.Unlock()
	if err != nil {
		return "", err
	}
	defer snap.Close()
	return renderEntries(snap.Next, now)
}

// renderRDBFile renders the RDB file name, "" (and no error) when it
// does not exist.
func renderRDBFile(fsys vfs.FS, name string, now int64) (string, bool, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	r := rdb.NewReader(f, &rdb.ReaderOptions{Now: time.UnixMilli(now)})
	s, err := renderEntries(r.Next, now)
	return s, true, err
}

// syncTracker is an FS that records, per file name, the size each
// file had when its last successful Sync started: a Sync makes durable
// every write that returned before it started, so these are the sizes
// a crash keeps at least.
type syncTracker struct {
	vfs.FS
	mu     sync.Mutex
	synced map[string]int64 // by base name
}

func newSyncTracker(fsys vfs.FS) *syncTracker {
	return &syncTracker{FS: fsys, synced: map[string]int64{}}
}

func (t *syncTracker) OpenAppend(name string) (vfs.File, error) {
	f, err := t.FS.OpenAppend(name)
	if err != nil {
		return nil, err
	}
	return &trackedFile{File: f, t: t}, nil
}

// syncedSize returns the size of file name (a base name) that is
// durable by the Syncs seen.
func (t *syncTracker) syncedSize(name string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.synced[name]
}

type trackedFile struct {
	vfs.File
	t *syncTracker
}

func (f *trackedFile) Sync() error {
	fi, err := f.File.Stat()
	if err != nil {
		return err
	}
	if err := f.File.Sync(); err != nil {
		return err
	}
	name := filepath.Base(f.Name())
	f.t.mu.Lock()
	f.t.synced[name] = max(f.t.synced[name], fi.Size())
	f.t.mu.Unlock()
	return nil
}

// rig runs a Store against the model.
type rig struct {
	t      *rapid.T
	clock  atomic.Int64 // unix ms
	mem    *vfs.MemFS
	tr     *syncTracker
	opts   Options
	s      *Store
	closed bool // s is closed (or crashed)

	cur *model // the data the Store must have
	// hist are the states since Open, hist[0] the one Open loaded;
	// pos[i] is where hist[i]'s records end in the AOF (AOF on).
	hist []*model
	pos  []aofPos
	// mark is the last index of hist known durable by the calls the
	// test made that sync the AOF (Sync, BGREWRITEAOF).
	mark int

	rdb        *model // what dump.rdb holds, nil when none
	rdbPending *model // the snapshot of a BGSAVE not waited for
	aofState   *model // what the AOF directory holds while AOF is off
	aofExists  bool
}

type aofPos struct {
	file string
	end  int64
}

const (
	rigDir = "data"
	rigDBs = 3
)

func (r *rig) now() int64 { return r.clock.Load() }

func (r *rig) fatalf(format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf(format, args...)
}

// open opens the Store and checks it holds want (any of wants).
func (r *rig) open() {
	r.t.Helper()
	o := r.opts
	r.tr = newSyncTracker(r.mem)
	o.FS = r.tr
	s, err := Open(rigDir, &o)
	if err != nil {
		r.fatalf("open: %v", err)
	}
	r.s, r.closed = s, false
	r.started()
	r.check("after open")
}

// started starts the history of a session: what Open loaded, all of it
// durable (a clean Close syncs everything, and a crash image holds only
// what is durable).
func (r *rig) started() {
	p := r.aofPos()
	if p.file != "" {
		r.tr.mu.Lock()
		r.tr.synced[p.file] = max(r.tr.synced[p.file], p.end)
		r.tr.mu.Unlock()
	}
	r.hist, r.pos, r.mark = []*model{r.cur.clone()}, []aofPos{p}, 0
}

// aofPos returns where the AOF ends now, with AOF on.
func (r *rig) aofPos() aofPos {
	if r.s.aofp.Load() == nil {
		return aofPos{}
	}
	m := r.s.aofp.Load().Manifest()
	return aofPos{file: m.Incr[len(m.Incr)-1].Name, end: r.s.aofp.Load().Appender().Size()}
}

func (r *rig) check(what string) {
	r.t.Helper()
	got, err := renderStore(r.s, r.now())
	if err != nil {
		r.fatalf("%s: snapshot: %v", what, err)
	}
	if want := r.cur.render(r.now()); got != want {
		r.fatalf("%s: the Store holds\n%s\nthe model\n%s", what, got, want)
	}
}

// done records the state after a write unit.
func (r *rig) done() {
	r.hist = append(r.hist, r.cur.clone())
	r.pos = append(r.pos, r.aofPos())
}

// durable returns the last index of hist whose records are all durable
// by the Syncs the tracker saw.
func (r *rig) durable() int {
	if r.s.aofp.Load() == nil {
		return 0
	}
	n := 0
	for i := 1; i < len(r.pos); i++ {
		if r.tr.syncedSize(r.pos[i].file) < r.pos[i].end {
			break
		}
		n = i
	}
	return n
}

// close closes the Store cleanly and updates what the files hold.
func (r *rig) close() {
	r.t.Helper()
	if err := r.s.Close(); err != nil {
		r.fatalf("close: %v", err)
	}
	r.closed = true
	if len(r.opts.Save) > 0 {
		// The final save, after the BGSAVE in flight.
		r.rdb, r.rdbPending = r.cur.clone(), nil
	}
	r.resolveRDB(r.mem, "close")
	if r.s.aofp.Load() != nil {
		r.aofState, r.aofExists = r.cur.clone(), true
	}
}

// resolveRDB settles which of the last save and the BGSAVE in flight
// dump.rdb holds in fsys.
func (r *rig) resolveRDB(fsys vfs.FS, what string) {
	r.t.Helper()
	if r.rdbPending == nil {
		return
	}
	got, ok, err := renderRDBFile(fsys, filepath.Join(rigDir, r.opts.DBFilename), r.now())
	if err != nil {
		r.fatalf("%s: reading dump.rdb: %v", what, err)
	}
	switch {
	case ok && got == r.rdbPending.render(r.now()):
		r.rdb = r.rdbPending
	case !ok && r.rdb == nil, ok && r.rdb != nil && got == r.rdb.render(r.now()):
	default:
		r.fatalf("%s: dump.rdb holds neither the last save nor the BGSAVE's snapshot:\n%s", what, got)
	}
	r.rdbPending = nil
}

// loaded sets the model to what Open loads with r.opts.
func (r *rig) loaded() {
	switch {
	case r.opts.AppendOnly && r.aofExists:
		r.cur = r.aofState.clone()
	case r.rdb != nil:
		r.cur = r.rdb.clone()
		r.aofExists = r.aofExists || r.opts.AppendOnly
	default:
		r.cur = newModel(rigDBs)
		r.aofExists = r.aofExists || r.opts.AppendOnly
	}
}

// crash simulates a power loss now and reopens what it leaves.
func (r *rig) crash(keep float64, seed uint64) {
	r.t.Helper()
	aofOn := r.s.aofp.Load() != nil
	min := r.durable()
	img := r.mem.CrashClone(vfs.CrashOptions{KeepUnsynced: keep, Seed: seed})
	max := r.durable()
	if aofOn && r.opts.AppendFsync == aof.Always && min != len(r.hist)-1 {
		r.fatalf("always: %d write units acknowledged, only %d durable", len(r.hist)-1, min)
	}
	if aofOn && min < r.mark {
		r.fatalf("%d write units were synced by the calls made, only %d durable", r.mark, min)
	}
	r.s.Close() // the crashed process's files are gone with it
	r.closed = true
	r.mem = img
	r.resolveRDB(img, "crash")
	if !aofOn {
		r.loaded()
		r.open()
		return
	}
	// The data loaded is the state after some unit from min on (at
	// exactly max with nothing unsynced kept).
	o := r.opts
	r.tr = newSyncTracker(r.mem)
	o.FS = r.tr
	s, err := Open(rigDir, &o)
	if err != nil {
		r.fatalf("open after a crash: %v", err)
	}
	r.s, r.closed = s, false
	got, err := renderStore(s, r.now())
	if err != nil {
		r.fatalf("snapshot after a crash: %v", err)
	}
	hi := len(r.hist) - 1
	if keep == 0 {
		hi = max
	}
	j := -1
	for i := hi; i >= min; i-- {
		if r.hist[i].render(r.now()) == got {
			j = i
			break
		}
	}
	if j < 0 {
		r.fatalf("after a crash (keep %v): the Store holds\n%s\nnot the state after any of units %d..%d of %d; after %d:\n%s",
			keep, got, min, hi, len(r.hist)-1, min, r.hist[min].render(r.now()))
	}
	r.cur = r.hist[j].clone()
	r.aofState = r.cur.clone()
	r.started()
	r.check("after a crash")
}

// Random commands.

var (
	rKeys    = []string{"a", "b", "c", "d"}
	rValues  = []string{"v", "5", "-17", "", "hello world", "x\r\ny"}
	rMembers = []string{"m1", "m2", "m3"}
	rScores  = []string{"1", "2.5", "-3", "0"}
)

func drawCommand(t *rapid.T) (int, []string) {
	db := rapid.IntRange(0, rigDBs-1).Draw(t, "db")
	key := rapid.SampledFrom(rKeys).Draw(t, "key")
	val := func() string { return rapid.SampledFrom(rValues).Draw(t, "value") }
	mem := func() string { return rapid.SampledFrom(rMembers).Draw(t, "member") }
	ms := func() string { return strconv.Itoa(rapid.IntRange(1, 5000).Draw(t, "ms")) }
	switch rapid.IntRange(0, 12).Draw(t, "cmd") {
	case 0:
		return db, []string{"SET", key, val()}
	case 1:
		return db, []string{"SET", key, val(), "PX", ms()}
	case 2:
		return db, []string{"DEL", key}
	case 3, 4:
		return db, []string{"INCR", key}
	case 5:
		return db, []string{"RPUSH", key, val(), val()}
	case 6:
		return db, []string{"LPOP", key}
	case 7:
		return db, []string{"SADD", key, mem(), mem()}
	case 8:
		return db, []string{"SREM", key, mem()}
	case 9:
		return db, []string{"HSET", key, mem(), val()}
	case 10:
		return db, []string{"ZADD", key, rapid.SampledFrom(rScores).Draw(t, "score"), mem()}
	case 11:
		ttl := rapid.IntRange(-1, 5000).Draw(t, "ttl")
		return db, []string{"PEXPIRE", key, strconv.Itoa(ttl)}
	default:
		if rapid.IntRange(0, 5).Draw(t, "flush") == 0 {
			return db, []string{"FLUSHDB"}
		}
		return db, []string{"SET", key, val()}
	}
}

func toArgs(args []string) [][]byte {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return b
}

func sameReply(got []byte, want string) bool {
	if strings.HasPrefix(want, "-") {
		return strings.HasPrefix(string(got), want)
	}
	return string(got) == want
}

// drawOptions draws the persistence options of a run.
func drawOptions(t *rapid.T, o *Options) {
	o.AppendOnly = rapid.Bool().Draw(t, "appendonly")
	o.AppendFsync = rapid.SampledFrom([]aof.Policy{aof.Always, aof.EverySec, aof.No}).Draw(t, "appendfsync")
	o.AOFUseRDBPreamble = rapid.Bool().Draw(t, "aof-use-rdb-preamble")
	o.AOFTimestampEnabled = rapid.Bool().Draw(t, "aof-timestamp-enabled")
	o.Save = nil
	if rapid.Bool().Draw(t, "save-at-close") {
		// A save point the clock never reaches: Close saves.
		o.Save = []SavePoint{{Seconds: 1 << 30, Changes: 1}}
	}
}

func TestStoreRapid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := &rig{t: t, mem: vfs.NewMem()}
		r.clock.Store(1_700_000_000_000)
		r.opts = *DefaultOptions()
		r.opts.Databases = rigDBs
		r.opts.Now = func() time.Time { return time.UnixMilli(r.clock.Load()) }
		drawOptions(t, &r.opts)
		r.cur = newModel(rigDBs)
		r.aofExists = false
		r.open()
		defer func() {
			if !r.closed {
				r.s.Close()
			}
		}()
		write := func(t *rapid.T) {
			db, args := drawCommand(t)
			b, err := r.s.Do(ctx, db, toArgs(args)...)
			if err != nil {
				t.Fatalf("%q in db %d: %v", args, db, err)
			}
			if want := r.cur.apply(db, args, r.now()); !sameReply(b, want) {
				t.Fatalf("%q in db %d: reply %q, the model's %q", args, db, b, want)
			}
			r.done()
		}
		t.Repeat(map[string]func(*rapid.T){
			"write":  write,
			"write2": write,
			"write3": write,
			"unit": func(t *rapid.T) {
				n := rapid.IntRange(2, 4).Draw(t, "unit size")
				type cmd struct {
					db   int
					args []string
				}
				var cmds []cmd
				for range n {
					db, args := drawCommand(t)
					cmds = append(cmds, cmd{db, args})
				}
				err := r.s.Write(ctx, func(w *Writer) error {
					for _, c := range cmds {
						call := keyspace.Call{DB: c.db, Args: toArgs(c.args)}
						if err := w.Exec(&call); err != nil {
							return err
						}
						if want := r.cur.apply(c.db, c.args, r.now()); !sameReply(call.Reply.Buf, want) {
							return fmt.Errorf("%q in db %d: reply %q, the model's %q", c.args, c.db, call.Reply.Buf, want)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("unit: %v", err)
				}
				r.done()
			},
			"tick": func(t *rapid.T) {
				r.clock.Add(int64(rapid.IntRange(0, 3000).Draw(t, "advance ms")))
			},
			"save": func(t *rapid.T) {
				err := r.s.Save()
				if errors.Is(err, ErrSaveInProgress) {
					return
				}
				if err != nil {
					t.Fatalf("save: %v", err)
				}
				r.rdb, r.rdbPending = r.cur.clone(), nil
			},
			"bgsave": func(t *rapid.T) {
				err := r.s.BGSave(ctx)
				if errors.Is(err, ErrSaveInProgress) {
					return
				}
				if err != nil {
					t.Fatalf("bgsave: %v", err)
				}
				if r.rdbPending != nil { // the one before ended, and saved
					r.rdb = r.rdbPending
				}
				r.rdbPending = r.cur.clone()
			},
			"wait": func(t *rapid.T) {
				if err := r.s.WaitBackground(ctx); err != nil {
					t.Fatalf("wait: %v", err)
				}
				if r.rdbPending != nil {
					r.rdb, r.rdbPending = r.rdbPending, nil
				}
			},
			"bgrewriteaof": func(t *rapid.T) {
				err := r.s.BGRewriteAOF(ctx)
				switch {
				case r.s.aofp.Load() == nil:
					if !errors.Is(err, ErrAOFOff) {
						t.Fatalf("bgrewriteaof with AOF off: %v", err)
					}
				case errors.Is(err, ErrRewriteInProgress):
				case err != nil:
					t.Fatalf("bgrewriteaof: %v", err)
				default:
					r.mark = len(r.hist) - 1
				}
			},
			"rewriteaof": func(t *rapid.T) {
				if r.s.aofp.Load() == nil {
					return
				}
				if err := r.s.WaitBackground(ctx); err != nil {
					t.Fatalf("wait: %v", err)
				}
				if r.rdbPending != nil {
					r.rdb, r.rdbPending = r.rdbPending, nil
				}
				if err := r.s.RewriteAOF(ctx); err != nil {
					t.Fatalf("rewriteaof: %v", err)
				}
				r.mark = len(r.hist) - 1
			},
			"sync": func(t *rapid.T) {
				if r.s.aofp.Load() == nil {
					return
				}
				if err := r.s.aofp.Load().Appender().Sync(ctx); err != nil {
					t.Fatalf("sync: %v", err)
				}
				r.mark = len(r.hist) - 1
			},
			"restart": func(t *rapid.T) {
				r.close()
				if rapid.IntRange(0, 2).Draw(t, "change options") == 0 {
					drawOptions(t, &r.opts)
				}
				r.loaded()
				r.open()
			},
			"crash": func(t *rapid.T) {
				keep := rapid.SampledFrom([]float64{0, 0.5, 1}).Draw(t, "keep unsynced")
				r.crash(keep, rapid.Uint64().Draw(t, "crash seed"))
			},
			"": func(t *rapid.T) { r.check("check") },
		})
	})
}

// TestExpireUnderAMillisecond: a positive TTL under a millisecond is a
// millisecond, for Expire as for Set, not a deletion.
func TestExpireUnderAMillisecond(t *testing.T) {
	o := memOptions(vfs.NewMem())
	o.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000) }
	s := mustOpen(t, rigDir, o)
	defer s.Close()
	for _, k := range []string{"a", "b"} {
		if err := s.Set(ctx, []byte(k), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.Expire(ctx, []byte("a"), time.Microsecond); err != nil || !ok {
		t.Fatalf("Expire(1µs): %v, %v", ok, err)
	}
	if ttl, err := s.TTL(ctx, []byte("a")); err != nil || ttl != time.Millisecond {
		t.Errorf("TTL after Expire(1µs): %v, %v", ttl, err)
	}
	if ok, err := s.Expire(ctx, []byte("b"), 0); err != nil || !ok {
		t.Fatalf("Expire(0): %v, %v", ok, err)
	}
	if got := mustGet(t, s, "b"); got != "<none>" {
		t.Errorf("b = %s after Expire(0)", got)
	}
}
