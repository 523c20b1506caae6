package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// itemsPerCommand is how many elements Redis's rewriter puts in one
// RPUSH, SADD, ZADD or HMSET (AOF_REWRITE_ITEMS_PER_CMD).
const itemsPerCommand = 64

// autosyncBytes is how often an incremental rewrite syncs
// (REDIS_AUTOSYNC_BYTES, aof-rewrite-incremental-fsync).
const autosyncBytes = 4 << 20

// RewriteOptions configure a Rewriter.
type RewriteOptions struct {
	// Timestamp, when not 0, starts the output with a "#TS:<Timestamp>"
	// annotation, as Redis's rewrite does with aof-timestamp-enabled.
	Timestamp int64
	// Sync, when not nil, is called after every SyncEvery bytes written
	// (and the output flushed), as aof-rewrite-incremental-fsync does:
	// typically the file's Sync.
	Sync func() error
	// SyncEvery is the interval in bytes for Sync; 0 means 4 MiB.
	SyncEvery int64
}

// Rewriter writes a data set as the commands Redis's AOF rewriter
// writes (an AOF base without RDB preamble): a SELECT per change of
// database, SET for strings, RPUSH, SADD, ZADD and HMSET of up to 64
// elements per command, streams as XADD, XSETID and consumer group
// commands, and PEXPIREAT after a key with an expiry. Entries of one
// database need not be contiguous.
type Rewriter struct {
	w         *bufio.Writer
	opts      RewriteOptions
	db        int
	buf       []byte
	args      [][]byte
	written   int64 // since the last sync
	err       error
	closed    bool
	timestamp bool // the annotation is still to be written
}

// NewRewriter returns a Rewriter writing to w.
func NewRewriter(w io.Writer, opts *RewriteOptions) *Rewriter {
	r := &Rewriter{w: bufio.NewWriterSize(w, 64<<10), db: -1}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.SyncEvery <= 0 {
		r.opts.SyncEvery = autosyncBytes
	}
	r.timestamp = r.opts.Timestamp != 0
	return r
}

// ErrModuleValue is returned by WriteEntry for a module value, which
// only the module can rewrite as commands: use an RDB preamble.
var ErrModuleValue = errors.New("aof: a module value cannot be rewritten as commands (use an RDB base)")

// WriteFunction writes FUNCTION LOAD for a library's code; Redis writes
// the libraries before the keys.
func (r *Rewriter) WriteFunction(code []byte) error {
	return r.command([]byte("FUNCTION"), []byte("LOAD"), code)
}

// WriteSnapshot writes every entry of s, as a rewrite does with the
// snapshot taken at its start. It does not close s or r.
func (r *Rewriter) WriteSnapshot(s keyspace.Snapshot) error {
	for {
		e, err := s.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.WriteEntry(e); err != nil {
			return err
		}
	}
}

// WriteEntry writes the commands that recreate e.
func (r *Rewriter) WriteEntry(e *rdb.Entry) error {
	if r.err != nil {
		return r.err
	}
	if e.DB != r.db {
		if err := r.command([]byte("SELECT"), strconv.AppendInt(nil, int64(e.DB), 10)); err != nil {
			return err
		}
		r.db = e.DB
	}
	k := e.Key
	var err error
	switch v := rdb.Plain(e.Value).(type) {
	case rdb.String:
		err = r.command([]byte("SET"), k, v)
	case rdb.List:
		err = r.batched("RPUSH", k, len(v), 1, func(dst [][]byte, i int) [][]byte { return append(dst, v[i]) })
	case rdb.Set:
		err = r.batched("SADD", k, len(v), 1, func(dst [][]byte, i int) [][]byte { return append(dst, v[i]) })
	case rdb.ZSet:
		err = r.batched("ZADD", k, len(v), 2, func(dst [][]byte, i int) [][]byte {
			return append(dst, dataset.AppendScore(nil, v[i].Score), v[i].Member)
		})
	case rdb.Hash:
		err = r.hash(k, v)
	case *rdb.Stream:
		err = r.stream(k, v)
	case *rdb.Module:
		return fmt.Errorf("key %q: %w", k, ErrModuleValue)
	default:
		return fmt.Errorf("aof: key %q: cannot rewrite a value of type %T", k, e.Value)
	}
	if err == nil && e.ExpireAt != 0 {
		err = r.command([]byte("PEXPIREAT"), k, strconv.AppendInt(nil, e.ExpireAt, 10))
	}
	return err
}

// batched writes name key item... with up to itemsPerCommand items per
// command; each item is width arguments, appended by add.
func (r *Rewriter) batched(name string, key []byte, n, width int, add func([][]byte, int) [][]byte) error {
	for i := 0; i < n; i += itemsPerCommand {
		args := append(r.args[:0], []byte(name), key)
		for j := i; j < n && j < i+itemsPerCommand; j++ {
			args = add(args, j)
		}
		r.args = args
		if err := r.command(args...); err != nil {
			return err
		}
	}
	return nil
}

func (r *Rewriter) hash(key []byte, h rdb.Hash) error {
	ttl := false
	for _, f := range h {
		ttl = ttl || f.ExpireAt != 0
	}
	if !ttl {
		return r.batched("HMSET", key, len(h), 2, func(dst [][]byte, i int) [][]byte {
			return append(dst, h[i].Field, h[i].Value)
		})
	}
	// Redis 7.4: field by field, each with its expiry.
	for _, f := range h {
		if err := r.command([]byte("HMSET"), key, f.Field, f.Value); err != nil {
			return err
		}
		if f.ExpireAt != 0 {
			err := r.command([]byte("HPEXPIREAT"), key, strconv.AppendInt(nil, f.ExpireAt, 10), []byte("FIELDS"), []byte("1"), f.Field)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func streamID(id rdb.StreamID) []byte {
	b := strconv.AppendUint(nil, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

func (r *Rewriter) stream(key []byte, s *rdb.Stream) error {
	if len(s.Entries) == 0 {
		// Creates the key; the entry is trimmed at once.
		if err := r.command([]byte("XADD"), key, []byte("MAXLEN"), []byte("0"), []byte("0-1"), []byte("x"), []byte("y")); err != nil {
			return err
		}
	}
	for _, e := range s.Entries {
		args := append(r.args[:0], []byte("XADD"), key, streamID(e.ID))
		args = append(args, e.Fields...)
		r.args = args
		if err := r.command(args...); err != nil {
			return err
		}
	}
	err := r.command([]byte("XSETID"), key, streamID(s.LastID),
		[]byte("ENTRIESADDED"), strconv.AppendUint(nil, s.EntriesAdded, 10),
		[]byte("MAXDELETEDID"), streamID(s.MaxDeletedID))
	if err != nil {
		return err
	}
	for _, g := range s.Groups {
		err := r.command([]byte("XGROUP"), []byte("CREATE"), key, g.Name, streamID(g.LastDeliveredID),
			[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10))
		if err != nil {
			return err
		}
		pel := make(map[rdb.StreamID]*rdb.StreamPending, len(g.Pending))
		for i := range g.Pending {
			pel[g.Pending[i].ID] = &g.Pending[i]
		}
		for _, c := range g.Consumers {
			if len(c.Pending) == 0 {
				if err := r.command([]byte("XGROUP"), []byte("CREATECONSUMER"), key, g.Name, c.Name); err != nil {
					return err
				}
				continue
			}
			for _, id := range c.Pending {
				p := pel[id]
				if p == nil {
					return fmt.Errorf("aof: stream %q group %q: consumer %q owns %d-%d, which is not in the group's PEL", key, g.Name, c.Name, id.Ms, id.Seq)
				}
				err := r.command([]byte("XCLAIM"), key, g.Name, c.Name, []byte("0"), streamID(id),
					[]byte("TIME"), strconv.AppendInt(nil, p.DeliveryTimeMs, 10),
					[]byte("RETRYCOUNT"), strconv.AppendUint(nil, p.DeliveryCount, 10),
					[]byte("JUSTID"), []byte("FORCE"))
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// command writes one command, and syncs when due.
func (r *Rewriter) command(args ...[]byte) error {
	if r.err != nil {
		return r.err
	}
	if r.closed {
		return errors.New("aof: rewriter closed")
	}
	r.buf = resp.AppendCommand(r.annotation(r.buf[:0]), args...)
	if _, err := r.w.Write(r.buf); err != nil {
		r.err = err
		return err
	}
	r.written += int64(len(r.buf))
	if r.opts.Sync != nil && r.written >= r.opts.SyncEvery {
		r.written = 0
		if err := r.w.Flush(); err != nil {
			r.err = err
			return err
		}
		if err := r.opts.Sync(); err != nil {
			r.err = err
			return err
		}
	}
	return nil
}

// annotation appends the timestamp annotation to dst if it is still to
// be written.
func (r *Rewriter) annotation(dst []byte) []byte {
	if !r.timestamp {
		return dst
	}
	r.timestamp = false
	return resp.AppendAnnotation(dst, strconv.AppendInt([]byte("TS:"), r.opts.Timestamp, 10))
}

// Close writes the timestamp annotation if nothing else was written
// (Redis's base of an empty data set still has it) and flushes. It does
// not sync or close the underlying writer.
func (r *Rewriter) Close() error {
	if r.err != nil {
		return r.err
	}
	if r.closed {
		return nil
	}
	if r.timestamp {
		if _, err := r.w.Write(r.annotation(nil)); err != nil {
			r.err = err
			return err
		}
	}
	r.closed = true
	if err := r.w.Flush(); err != nil {
		r.err = err
	}
	return r.err
}
