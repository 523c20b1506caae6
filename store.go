package aofrdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

// Errors of a Store.
var (
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("aofrdb: store closed")
	// ErrLocked is returned by Open when another Store, in this process
	// or another, has the data directory open.
	ErrLocked = errors.New("aofrdb: the data directory is in use by another Store")
	// ErrMisconf is returned for writes while the Store cannot persist
	// them (Redis's MISCONF): the AOF could not be written or synced, or
	// the last background save failed with StopWritesOnBGSaveError. The
	// error wraps it and says why; reads go on.
	ErrMisconf = errors.New("aofrdb: writes are refused while persistence fails")
)

// LockFile is the name of the lock file in the data directory.
const LockFile = "aofrdb.lock"

// Store is a keyspace persisted as redis-server persists it: an AOF
// (a multi-part directory) under its fsync policy, with rewrites, and RDB
// saves, loaded at Open in Redis's order. It is safe for concurrent use.
type Store struct {
	// cfg is the options in force: an Options never changed once
	// stored, replaced as a whole by Configure (under the write turn).
	cfg  atomic.Pointer[Options]
	dir  string
	fsys vfs.FS
	ks   keyspace.Keyspace
	log  *slog.Logger
	lock io.Closer
	now  func() time.Time

	// turn is the write turn: writes are applied and appended to the
	// AOF under it, so the log's order is the order of application.
	turn sync.Mutex
	// aofp is the AOF directory, nil while the AOF is off. It changes
	// (Configure) with the write turn held.
	aofp atomic.Pointer[aof.Dir]
	// dirty counts the changes since the last successful save.
	dirty atomic.Int64

	mu       sync.Mutex // guards the fields below
	closed   bool
	bg       sync.WaitGroup // background jobs
	rewrite  jobState
	bgsave   jobState
	lastSave time.Time
	// saveErr is the last background save's error, nil when it
	// succeeded or none ran.
	saveErr error

	stop chan struct{} // closes the cron
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// jobState is the state of a kind of background job.
type jobState struct {
	running      bool
	started      time.Time
	lastDuration time.Duration // -1 before the first
	lastErr      error
	count        int64 // started since Open
	failures     int   // in a row
	nextTry      time.Time
	run          *jobRun // the running job, or the last
}

// Open opens the Store of data directory dir, creating dir if needed,
// and loads its data: with AppendOnly, the AOF directory's base and incr
// files (a legacy appendonly.aof is upgraded first), or else dump.rdb,
// which then becomes the new AOF's base; without AppendOnly, dump.rdb.
// A nil opts means DefaultOptions.
func Open(dir string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = DefaultOptions()
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Store{dir: dir, fsys: opts.FS, log: opts.Logger, now: opts.Now}
	s.cfg.Store(opts.clone())
	if s.fsys == nil {
		s.fsys = vfs.Default
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ks = opts.Keyspace
	if s.ks == nil {
		s.ks = keyspace.NewMemory(&keyspace.Options{Databases: opts.Databases, Clock: s.now})
	}
	s.rewrite.lastDuration, s.bgsave.lastDuration = -1, -1
	if err := vfs.MkdirAllDurable(s.fsys, dir); err != nil {
		return nil, fmt.Errorf("aofrdb: data directory %s: %w", dir, err)
	}
	lock, err := s.fsys.Lock(filepath.Join(dir, LockFile))
	if errors.Is(err, vfs.ErrLocked) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("aofrdb: locking %s: %w", dir, err)
	}
	s.lock = lock
	if err := s.load(); err != nil {
		lock.Close()
		return nil, err
	}
	s.lastSave = s.now()
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.cron()
	return s, nil
}

// Keyspace returns the keyspace the Store persists. Use it for what
// the Store does not offer, never to write: writes that bypass the
// Store are not persisted.
func (s *Store) Keyspace() keyspace.Keyspace { return s.ks }

// Exec runs one command in database c.DB: a read without the write
// turn, a write (or a read that must delete an expired key) with it,
// appended to the AOF and waited for as the fsync policy says. The
// reply is appended to c.Reply; SELECT changes c.DB. An error is not a
// command's error (those are error replies) but the Store's: closed,
// MISCONF, or a write that could not be made durable, or ctx's.
func (s *Store) Exec(ctx context.Context, c *keyspace.Call) error {
	if len(c.Args) == 0 {
		return errors.New("aofrdb: empty command")
	}
	info, known := s.ks.Command(c.Args[0])
	if !known || !info.Write {
		if s.isClosed() {
			return ErrClosed
		}
		c.Write = false
		err := s.ks.Exec(c)
		if !errors.Is(err, keyspace.ErrWriteNeeded) {
			return err
		}
		// A read that deletes a key whose time has passed: it goes on
		// while writes are refused. If its DEL cannot be logged, nothing
		// is lost: the key's time has passed in the log too.
		err = s.Write(ctx, func(w *Writer) error { return w.Read(c) })
		if werr := (*aof.WriteError)(nil); errors.Is(err, ErrMisconf) || errors.As(err, &werr) {
			return nil
		}
		return err
	}
	return s.Write(ctx, func(w *Writer) error { return w.Exec(c) })
}

// Writer holds the write turn, in Store.Write's function.
type Writer struct {
	s    *Store
	recs []keyspace.Record // what its calls logged
}

// Exec runs c with the write turn. What it logs is appended to the AOF
// when the function given to Store.Write returns.
func (w *Writer) Exec(c *keyspace.Call) error {
	if len(c.Args) == 0 {
		return errors.New("aofrdb: empty command")
	}
	if info, ok := w.s.ks.Command(c.Args[0]); ok && info.Write {
		if err := w.s.writable(); err != nil {
			return err
		}
	}
	return w.Read(c)
}

// ExecMulti runs calls as one MULTI/EXEC unit (keyspace.ExecMulti).
func (w *Writer) ExecMulti(calls []keyspace.Call) error {
	if err := w.s.writable(); err != nil {
		return err
	}
	ns := make([]int, len(calls))
	for i := range calls {
		calls[i].Write = true
		ns[i] = len(calls[i].Log)
	}
	if err := w.s.ks.ExecMulti(calls); err != nil {
		return err
	}
	for i := range calls {
		w.recs = append(w.recs, calls[i].Log[ns[i]:]...)
	}
	return nil
}

// Read runs c with the write turn, as Exec does, without refusing it
// while persistence fails: for a read that must see no write between
// the others of the function (WATCH checks), or delete an expired key.
func (w *Writer) Read(c *keyspace.Call) error {
	c.Write = true
	n := len(c.Log)
	if err := w.s.ks.Exec(c); err != nil {
		return err
	}
	w.recs = append(w.recs, c.Log[n:]...)
	return nil
}

// Write runs fn with the write turn: what the Writer's calls log is
// appended to the AOF as one unit (in MULTI/EXEC when it has more than
// one record), then Write waits, without the turn, until it is as
// durable as the policy promises. If the AOF cannot be written (or, under
// always, synced), it returns an ErrMisconf error wrapping the
// *aof.WriteError: the write was applied and is kept for the background
// retry, but it is not acknowledged.
//
// Write is Apply followed by Commit.Wait.
func (s *Store) Write(ctx context.Context, fn func(w *Writer) error) error {
	c, err := s.Apply(fn)
	if err != nil {
		return err
	}
	return c.Wait(ctx)
}

// Apply runs fn with the write turn and appends what it logged, as Write
// does, and returns without waiting for durability: the write is applied
// and visible, and Commit.Wait says when it is as durable as the policy
// promises. An error from fn, or from the append, is returned at once.
//
// Apply is for callers that gather writes and wait once for all of them,
// as an event-loop server does (Redis's own loop syncs once per round
// of clients): under always, the Waits of writes appended before the
// same sync share it, and a Wait for the last of them covers the rest.
func (s *Store) Apply(fn func(w *Writer) error) (Commit, error) {
	s.turn.Lock()
	if s.isClosed() {
		s.turn.Unlock()
		return Commit{}, ErrClosed
	}
	w := &Writer{s: s}
	err := fn(w)
	ack, aerr := s.appendUnit(w.recs)
	s.turn.Unlock()
	if err == nil {
		err = aerr
	}
	if err != nil {
		return Commit{}, err
	}
	return Commit{ack: ack}, nil
}

// Commit is the durability of a write that Apply applied. The zero
// Commit, of a write that logged nothing or ran without the AOF, is
// durable at once.
type Commit struct {
	ack aof.Ack
}

// Done reports whether Wait would return nil at once: the write logged
// nothing, or the AOF is off.
func (c Commit) Done() bool { return c.ack == aof.Ack{} }

// Syncs reports whether Wait will wait for an fsync (appendfsync
// always, syncs not paused by no-appendfsync-on-rewrite, and the write
// not yet synced). A server that runs many clients' writes before it
// waits can use it to gather more writes into the sync.
func (c Commit) Syncs() bool { return c.ack.Syncs() }

// Postponed reports whether Wait would now wait for the background fsync
// before it writes: under appendfsync everysec, while the fsync of the
// last second runs, Redis postpones writes to the file (for up to 2 s).
// A server that runs many clients' commands can meanwhile serve the
// others, and wait for this write elsewhere.
func (c Commit) Postponed() bool { return c.ack.Postponed() }

// Wait returns once the write is as durable as the policy promises, or
// with ctx's error. If the AOF cannot be written (or, under always,
// synced), it returns an ErrMisconf error wrapping the *aof.WriteError:
// the write stays applied and is kept for the background retry, but it
// is not acknowledged.
func (c Commit) Wait(ctx context.Context) error {
	if err := c.ack.Wait(ctx); err != nil {
		if werr := (*aof.WriteError)(nil); errors.As(err, &werr) {
			// Applied, and kept for the retry, but not durable as the
			// policy promises: the writer is not acknowledged.
			return fmt.Errorf("%w: errors writing to the AOF file: %w", ErrMisconf, err)
		}
		return err
	}
	return nil
}

// appendUnit appends recs as one unit, under the write turn.
func (s *Store) appendUnit(recs []keyspace.Record) (aof.Ack, error) {
	if len(recs) == 0 {
		return aof.Ack{}, nil
	}
	s.dirty.Add(int64(len(recs)))
	d := s.aofp.Load()
	if d == nil {
		return aof.Ack{}, nil
	}
	if len(recs) > 1 {
		unit := make([]keyspace.Record, 0, len(recs)+2)
		unit = append(unit, keyspace.Record{DB: recs[0].DB, Args: [][]byte{[]byte("MULTI")}})
		unit = append(unit, recs...)
		recs = append(unit, keyspace.Record{DB: recs[0].DB, Args: [][]byte{[]byte("EXEC")}})
	}
	ack, err := d.Append(recs)
	if err != nil {
		return ack, fmt.Errorf("%w: %w", ErrMisconf, err)
	}
	return ack, nil
}

// writable returns ErrMisconf, wrapped with the reason, when writes are
// refused: a failed background save first, as Redis's
// writeCommandsDeniedByDiskError checks, then the AOF.
func (s *Store) writable() error {
	s.mu.Lock()
	o, saveErr := s.options(), s.saveErr
	s.mu.Unlock()
	if saveErr != nil && o.StopWritesOnBGSaveError && len(o.Save) > 0 {
		return fmt.Errorf("%w: the last background save failed: %w", ErrMisconf, saveErr)
	}
	if d := s.aofp.Load(); d != nil {
		if a := d.Appender(); a != nil {
			if err := a.Err(); err != nil {
				return fmt.Errorf("%w: errors writing to the AOF file: %w", ErrMisconf, err)
			}
		}
	}
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops the background jobs (waiting for those running), writes
// and syncs the AOF, does the final save when save points are set, as
// Redis's shutdown does, and releases the directory. Calling it again
// returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close(func() bool { return len(s.options().Save) > 0 }) })
	return s.closeErr
}

// close closes the Store, with a final save when save, called with the
// write turn held, says so.
func (s *Store) close(save func() bool) error {
	s.mu.Lock()
	s.closed = true // new writes and jobs are refused from here on
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.bg.Wait()
	s.turn.Lock()
	defer s.turn.Unlock()
	var errs []error
	if save() {
		s.log.Info("saving the final RDB snapshot before exiting")
		if err := s.saveLocked(); err != nil {
			errs = append(errs, err)
		}
	}
	if d := s.aofp.Load(); d != nil {
		s.log.Info("calling fsync() on the AOF file")
		errs = append(errs, d.Close())
	}
	errs = append(errs, s.lock.Close())
	return errors.Join(errs...)
}
