package keyspace

import (
	"errors"

	"github.com/aofrdb/aofrdb/rdb"
)

// Keyspace is what a Store persists: Redis's databases of keys and values,
// changed by commands.
//
// Concurrency contract:
//
//   - Calls with the write turn (Call.Write set, ExecMulti, Restore,
//     Snapshot, and the optional ActiveExpire) are made one at a time by
//     the caller, in log order: the caller serializes them, typically
//     under the lock it also holds while appending to the AOF, so the
//     order of the log is the order of application.
//   - Exec without the write turn (a read) may be called from any number
//     of goroutines at once, concurrently with one call that holds the
//     write turn. A read never changes data; a read that would have to
//     (it met a key whose time has passed, which Redis deletes and logs
//     as DEL) changes nothing and returns ErrWriteNeeded, and the caller
//     runs it again with the write turn.
//   - A Snapshot may be iterated and closed from any goroutine while
//     writes go on; it sees the data as it was when Snapshot returned.
//     Every Snapshot must be closed; Close releases what it holds.
//
// Commands report errors the way Redis does, as an error reply in
// Call.Reply ("WRONGTYPE ...", "ERR syntax error"); the error results of
// the methods are for misuse and for input that cannot be loaded.
type Keyspace interface {
	// Databases returns the number of databases, numbered from 0.
	Databases() int

	// Command describes the named command (any case), or returns false
	// when the keyspace does not know it.
	Command(name []byte) (CommandInfo, bool)

	// Exec runs one command. It appends the reply to c.Reply, and when
	// the command changed data (only possible with c.Write), appends to
	// c.Log what must be logged for it: nothing for a command that
	// changed nothing, otherwise what Redis propagates.
	Exec(c *Call) error

	// ExecMulti runs calls in order as one atomic unit (MULTI/EXEC): no
	// concurrent read observes a state between two of them. It holds the
	// write turn for all of them, whatever their Write fields say. A
	// SELECT among them changes the database of the calls after it: each
	// call's DB is set from the one before. The caller has checked each
	// call's name and arity (Command) before, as Redis does when it
	// queues a command; a call's runtime error does not stop the others.
	ExecMulti(calls []Call) error

	// Restore adds a key read from a snapshot (an RDB file or an AOF's
	// RDB base). A key with e.Expired set is dropped, as Redis's master
	// drops keys whose time passed when it loads an RDB; a caller that
	// loads an AOF base, which Redis keeps whole, clears Expired first.
	// A key that already exists is an error, as Redis's loader refuses
	// duplicate keys. Restore holds the write turn. It may keep e.Key
	// and e.Value's slices but not e itself, nor a *rdb.String value
	// (a string value may be one: see rdb.Value): a loader reuses them
	// for the next key (rdb.ReaderOptions.LendEntries).
	Restore(e *rdb.Entry) error

	// Snapshot returns a point-in-time view of all databases, taken at
	// the instant of the call (which holds the write turn, so the view
	// lines up with a position in the log). It can be iterated while
	// writes go on and must be closed.
	Snapshot() (Snapshot, error)
}

// Snapshot is a point-in-time view of a keyspace's data, consumed as a
// stream of entries.
type Snapshot interface {
	// Sizes returns, per database, the number of keys and of keys with
	// an expiry at the snapshot's instant (what RDB's RESIZEDB records).
	Sizes() []DBSize

	// Next returns the next key. Every key of the snapshot comes once,
	// in no particular order; keys of different databases may come
	// interleaved (each entry carries its database), since values that
	// writers hand to a snapshot are returned first. It returns io.EOF
	// after the last.
	//
	// The entry and the memory it refers to are lent, not given: they
	// are valid until the next call to Next or Close and must not be
	// changed. A string value may be a *rdb.String (see rdb.Value).
	// Entry.Clone keeps an entry.
	Next() (*rdb.Entry, error)

	// Close releases the snapshot. It is idempotent and may be called
	// before Next has returned io.EOF, from any goroutine.
	Close() error
}

// DBSize is a database's key counts.
type DBSize struct {
	Keys    uint64
	Expires uint64
}

// Reserver is implemented by keyspaces that can make room for keys
// before a load (an RDB file's RESIZEDB records say how many keys each
// database will get). Reserve is a hint, called with the write turn; the
// caller bounds keys (by the file's size, say) before calling it.
type Reserver interface {
	Reserve(db int, keys int)
}

// ActiveExpirer is implemented by keyspaces that remove expired keys
// in the background, as Redis's active expire cycle does. The caller
// calls ActiveExpire periodically with the write turn and logs what it
// returns.
type ActiveExpirer interface {
	// ActiveExpire removes up to about budget keys whose time has
	// passed at now (unix ms), examining a bounded number of keys, and
	// appends a DEL record per removed key to log. It returns the
	// records and whether more expired keys are likely to remain (the
	// caller may call again soon).
	ActiveExpire(now int64, budget int, log []Record) ([]Record, bool)
}

// Call is one command: its input, its reply and what it logs.
type Call struct {
	// DB is the database the command runs in. SELECT and SWAPDB check
	// their arguments; SELECT sets DB to the new database.
	DB int

	// Args is the command name and its arguments. The keyspace does not
	// keep Args or its elements after Exec returns, except through Log.
	Args [][]byte

	// Now is the command's time in unix milliseconds, used for expiry
	// and for relative times. Zero means the keyspace's clock.
	Now int64

	// Write is set when the caller holds the write turn.
	Write bool

	// Loading is set while replaying a log: keys never expire (Redis
	// expires nothing while loading), and an expiry time in the past
	// sets the expiry instead of deleting the key.
	Loading bool

	// Reply receives the command's reply.
	Reply Reply

	// Log receives, appended, the records to log for this call. A record
	// may share Args's elements.
	Log []Record
}

// Reset clears c for reuse, keeping its buffers.
func (c *Call) Reset() {
	c.DB, c.Args, c.Now, c.Write, c.Loading = 0, c.Args[:0], 0, false, false
	c.Reply.Buf = c.Reply.Buf[:0]
	clear(c.Log)
	c.Log = c.Log[:0]
}

// Record is a command to log, in database DB. Name and arguments are as
// Redis writes them to an AOF.
type Record struct {
	DB   int
	Args [][]byte
}

// CommandInfo describes a command.
type CommandInfo struct {
	Name string // lower case, as COMMAND INFO reports it
	// Arity is Redis's arity: the exact number of arguments including
	// the name when positive, the minimum when negative.
	Arity int
	// Write is set for commands that may change data; they need the
	// write turn.
	Write bool
	// FirstKey, LastKey and Step locate the key arguments, as in
	// Redis's command table (LastKey -1 means the last argument).
	FirstKey, LastKey, Step int
}

// CheckArity reports whether n arguments (including the name) suit the
// command's arity.
func (ci CommandInfo) CheckArity(n int) bool {
	if ci.Arity >= 0 {
		return n == ci.Arity
	}
	return n >= -ci.Arity
}

// Errors.
var (
	// ErrWriteNeeded is returned by Exec without the write turn when the
	// command needs it; nothing was changed or replied.
	ErrWriteNeeded = errors.New("keyspace: command needs the write turn")

	// ErrDuplicateKey is returned by Restore for a key that exists.
	ErrDuplicateKey = errors.New("keyspace: duplicate key")

	// ErrBadDB is returned for a database number out of range.
	ErrBadDB = errors.New("keyspace: database index out of range")
)
