package keyspace

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aofrdb/aofrdb/rdb"
	"github.com/cespare/xxhash/v2"
)

// Options configure a Memory keyspace. The zero value is Redis's
// defaults.
type Options struct {
	// Databases is the number of databases; 0 means 16.
	Databases int

	// Clock returns the current time; nil means time.Now. Tests set it
	// to control expiry.
	Clock func() time.Time

	// Thresholds at which compact representations are abandoned, named
	// after redis.conf; 0 means Redis's default. They decide reply order
	// (a small hash replies in insertion order, a small all-integer set
	// in ascending order), as they do in Redis.
	HashMaxListpackEntries int // hash-max-listpack-entries, 512 (redis-server's built-in default; redis.conf says 128)
	HashMaxListpackValue   int // hash-max-listpack-value, 64
	SetMaxIntsetEntries    int // set-max-intset-entries, 512
}

const shardBits = 8

// Memory is the reference keyspace: Redis's databases held in memory,
// changed by Redis's commands with Redis's semantics. Create one with
// NewMemory. It implements Keyspace and ActiveExpirer.
//
// Each database is split into shards by the xxhash of the key; a shard
// is the unit a snapshot captures (see Snapshot).
type Memory struct {
	// mu is held for writing by the call with the write turn while it
	// changes data, and for reading by reads and by snapshots copying a
	// shard. Writes are serialized by the caller, so mu never makes a
	// writer wait for another writer.
	mu  sync.RWMutex
	dbs []*db

	clock func() time.Time
	opts  Options

	wctx ctx // the context of the call with the write turn

	snaps      []*snapshot // open snapshots, under mu
	epoch      uint64      // bumped by each snapshot (see snapshot.go)
	expireNext int         // active expire cursor: db<<shardBits | shard
}

type db struct {
	shards  [1 << shardBits]shard
	keys    int // number of keys
	expires int // number of keys with an expiry
}

type shard struct {
	m       map[string]*object
	expires int // keys with an expiry in this shard
}

// add stores o under key, which shard sh of d does not hold, and counts
// it (and its expiry).
func (d *db) add(sh *shard, key string, o *object) {
	if sh.m == nil {
		sh.m = make(map[string]*object)
	}
	sh.m[key] = o
	d.keys++
	if o.exp != 0 {
		d.expires++
		sh.expires++
	}
}

// object is the value of one key and its expiry.
type object struct {
	exp int64    // unix ms; 0 for none
	typ rdb.Type // TypeString uses str; the others v
	// ver is the epoch the object was created or last handed over in
	// (see snapshot.go). Atomic: a snapshot's walk reads it without a
	// lock.
	ver atomic.Uint64
	str []byte
	v   any // *list, *set, *hash, *zset, *stream, *moduleValue
}

var ctxPool = sync.Pool{New: func() any { return new(ctx) }}

// NewMemory returns an empty keyspace.
func NewMemory(opts *Options) *Memory {
	m := &Memory{}
	if opts != nil {
		m.opts = *opts
	}
	if m.opts.Databases <= 0 {
		m.opts.Databases = 16
	}
	if m.opts.HashMaxListpackEntries <= 0 {
		m.opts.HashMaxListpackEntries = 512
	}
	if m.opts.HashMaxListpackValue <= 0 {
		m.opts.HashMaxListpackValue = 64
	}
	if m.opts.SetMaxIntsetEntries <= 0 {
		m.opts.SetMaxIntsetEntries = 512
	}
	m.clock = m.opts.Clock
	if m.clock == nil {
		m.clock = time.Now
	}
	m.dbs = make([]*db, m.opts.Databases)
	for i := range m.dbs {
		m.dbs[i] = &db{}
	}
	return m
}

// Databases returns the number of databases.
func (m *Memory) Databases() int { return len(m.dbs) }

func shardOf(key []byte) int {
	return int(xxhash.Sum64(key) >> (64 - shardBits))
}

// Exec runs one command; see Keyspace.
func (m *Memory) Exec(c *Call) error {
	if c.Write {
		m.mu.Lock()
		defer m.mu.Unlock()
	} else {
		m.mu.RLock()
		defer m.mu.RUnlock()
	}
	return m.exec(c)
}

// ExecMulti runs calls as one atomic unit; see Keyspace.
func (m *Memory) ExecMulti(calls []Call) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range calls {
		c := &calls[i]
		if i > 0 {
			c.DB = calls[i-1].DB
		}
		c.Write = true
		if err := m.exec(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *Memory) exec(c *Call) error {
	if c.DB < 0 || c.DB >= len(m.dbs) {
		return fmt.Errorf("%w: %d", ErrBadDB, c.DB)
	}
	if len(c.Args) == 0 {
		c.Reply.Error("ERR empty command")
		return nil
	}
	cmd := lookupCommand(c.Args[0])
	if cmd == nil {
		c.Reply.Error(unknownCommand(c.Args))
		return nil
	}
	if !cmd.info.CheckArity(len(c.Args)) {
		c.Reply.Error("ERR wrong number of arguments for '" + cmd.info.Name + "' command")
		return nil
	}
	if cmd.info.Write && !c.Write {
		return ErrWriteNeeded
	}
	// The context escapes through cmd.fn: calls with the write turn,
	// which are serialized, share one; reads take one from a pool.
	var x *ctx
	if c.Write {
		x = &m.wctx
		defer func() { *x = ctx{} }()
	} else {
		x = ctxPool.Get().(*ctx)
		defer func() { *x = ctx{}; ctxPool.Put(x) }()
	}
	*x = ctx{m: m, c: c, cmd: cmd, db: m.dbs[c.DB], logStart: len(c.Log)}
	replyStart := len(c.Reply.Buf)
	cmd.fn(x)
	if x.needWrite {
		c.Reply.Buf = c.Reply.Buf[:replyStart]
		return ErrWriteNeeded
	}
	if x.dirty && !x.noPropagate {
		if x.rewritten != nil {
			c.Log = append(c.Log, Record{DB: c.DB, Args: x.rewritten})
		} else {
			c.Log = append(c.Log, Record{DB: c.DB, Args: c.Args})
		}
	}
	return nil
}

// Command describes the named command; see Keyspace.
func (m *Memory) Command(name []byte) (CommandInfo, bool) {
	cmd := lookupCommand(name)
	if cmd == nil {
		return CommandInfo{}, false
	}
	return cmd.info, true
}

// unknownCommand words the error as Redis 7.0 does: the name cut to 128
// bytes, then arguments while the list is under 128 bytes, the list cut
// at 128, and line breaks turned into spaces.
func unknownCommand(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		list = append(list, '\'')
		list = append(list, a[:min(len(a), 128-len(list)+1)]...)
		list = append(list, '\'', ' ')
	}
	name := args[0][:min(len(args[0]), 128)]
	msg := []byte("ERR unknown command '" + string(name) + "', with args beginning with: " + string(list))
	// Byte by byte, not rune by rune: Redis keeps invalid UTF-8 as it is.
	for i, c := range msg {
		if c == '\r' || c == '\n' {
			msg[i] = ' '
		}
	}
	return string(msg)
}
