package aof

// This file holds the Appender, which writes the records of a keyspace
// to the AOF file being appended to, under Redis's fsync policies.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

// Policy is an fsync policy, as redis.conf's appendfsync names it.
type Policy int

const (
	// EverySec writes each record to the file before the writer is
	// answered and syncs the file once a second in the background: a
	// crash of the machine loses at most about the last two seconds.
	// While a background sync runs, writes wait for it, up to 2 s, as
	// Redis's do (see DelayedFsyncs). It is Redis's default.
	EverySec Policy = iota
	// Always answers a writer only once its records are written and
	// synced. Concurrent writers share one sync (group commit).
	Always
	// No writes each record before the writer is answered and leaves
	// syncing to the operating system.
	No
)

// ParsePolicy parses appendfsync's values: always, everysec, no.
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "always":
		return Always, nil
	case "everysec":
		return EverySec, nil
	case "no":
		return No, nil
	}
	return 0, fmt.Errorf("aof: unknown appendfsync policy %q (always, everysec or no)", s)
}

func (p Policy) String() string {
	switch p {
	case Always:
		return "always"
	case EverySec:
		return "everysec"
	case No:
		return "no"
	}
	return "Policy(" + strconv.Itoa(int(p)) + ")"
}

// Options configure an Appender.
type Options struct {
	Policy Policy
	// Timestamps writes a "#TS:<unix seconds>" annotation before the
	// first record of each new second (aof-timestamp-enabled).
	Timestamps bool
	// Now returns the time for annotations; nil means time.Now.
	Now func() time.Time
	// Buffered makes Always write through the page cache and fdatasync,
	// as Redis does, instead of writing directly over a pad (see
	// direct.go), which it does where the file system can.
	Buffered bool
}

// Appender appends records to one AOF file.
//
// Append, called by the holder of the write turn in log order, encodes
// records into a buffer and returns the offset their end will have in
// the file. Wait, called by any number of goroutines after they release
// the write turn, returns once the bytes up to an offset are as durable
// as the policy promises: one of the waiters writes what is buffered,
// and syncs it under Always, for all of them at once.
//
// A failed write or sync is sticky: every waiting and later writer gets
// the error (wrapped in a *WriteError), and Append refuses new records
// (Redis's MISCONF), until Retry succeeds. Reads of the keyspace are not
// affected. What could not be written stays buffered; a short write is
// cut from the file (Truncate back to the last whole write) before
// anything else is written, as Redis does, so the file never holds a
// torn record followed by more records.
//
// A failed sync is not trusted to be retried by syncing again: on Linux,
// a failed fsync may leave the pages it could not write marked clean,
// so that the next fsync succeeds while the file on disk lacks them (or
// holds stale blocks in their place). So the Appender keeps a copy of
// the bytes written since the last good sync, and after a failed sync
// Retry writes them again where they are (WriteAt), which dirties those
// pages again, before it syncs; the file holds them all along, so a
// crash of the process in between loses nothing the page cache kept.
// The copy is bounded: once it reaches maxUnsynced bytes, the writer
// that grows it past that syncs, whatever the policy (it grows that far
// under No, with PauseSyncs, or under EverySec when more is written in a
// second; it costs one fsync per maxUnsynced bytes).
type Appender struct {
	fsys vfs.FS
	f    vfs.File
	opts Options // Policy and Timestamps are not read: see policy and ts

	// policy is the fsync policy (a Policy), and ts the timestamp
	// annotations switch, which SetPolicy and SetTimestamps change
	// while the Appender is in use.
	policy atomic.Int32
	ts     atomic.Bool

	mu     sync.Mutex // guards the fields below
	buf    []byte     // encoded, not yet written
	spare  []byte     // the buffer being written, for reuse
	end    int64      // offset after buf
	db     int        // database of the last record, -1 to SELECT
	lastTS int64      // second of the last annotation
	err    error      // sticky: a write or sync failed
	// tail is a copy of the file's bytes from tailAt to written: those
	// written since the last good sync (tailAt is at most synced).
	tail   []byte
	tailAt int64
	// lost is set by a failed sync: the file's bytes after tailAt are
	// unknown until Retry has written tail again and synced.
	lost bool

	// syncMu keeps the everysec syncer out while Retry or Close
	// writes the tail again.
	syncMu sync.Mutex

	// Direct writes (direct.go), under the flushing token: dio is set
	// while the records go direct; noDirect once the file system said
	// it has none; directAt, after a failed start, is where the records
	// must reach before the next try.
	dio      *directWriter
	noDirect bool
	directAt int64

	flushing chan struct{} // a token: held by the goroutine writing and syncing
	written  atomic.Int64  // offset up to which the file holds the records
	synced   atomic.Int64  // offset up to which they are durable

	// everysec: the background sync in flight (closed when it ends),
	// when writes started to wait for it, and how often they stopped
	// waiting after 2 s (INFO's aof_delayed_fsync).
	syncing   atomic.Pointer[chan struct{}]
	postponed time.Time // under the flushing token
	delayed   atomic.Int64
	paused    atomic.Bool // PauseSyncs

	stop chan struct{} // closes the everysec syncer
	done chan struct{}
	once sync.Once
	cerr error
}

// WriteError is the sticky error of an Appender.
type WriteError struct {
	Op   string // "write" or "sync"
	File string
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("aof: %s %s: %v", e.Op, e.File, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// ErrClosed is returned after Close.
var ErrClosed = errors.New("aof: appender closed")

// OpenAppender opens the file name for appending (creating it if
// needed) and returns an Appender writing at its end. The first record
// is preceded by a SELECT, as Redis's first record of a file is. A pad
// that direct writes left after the records (a crash does) is cut
// first.
func OpenAppender(fsys vfs.FS, name string, opts *Options) (*Appender, error) {
	a := &Appender{fsys: fsys, db: -1, flushing: make(chan struct{}, 1)}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.Now == nil {
		a.opts.Now = time.Now
	}
	f, err := fsys.OpenAppend(name)
	if err != nil {
		return nil, err
	}
	end, err := cutPad(fsys, f)
	if err == nil {
		// The file may be new: make its directory entry durable, or a
		// crash could lose the whole file after records were synced.
		err = fsys.SyncDir(filepath.Dir(name))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	a.f = f
	a.end = end
	a.written.Store(a.end)
	a.synced.Store(a.end) // what was there before is as durable as it is
	a.tailAt = a.end
	a.policy.Store(int32(a.opts.Policy))
	a.ts.Store(a.opts.Timestamps)
	// The syncer runs under every policy, so that SetPolicy can switch
	// to everysec; it syncs only while the policy is everysec.
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go a.syncer()
	return a, nil
}

// Append encodes recs, with a SELECT whenever the database changes (not
// for MULTI and EXEC, which belong to no database) and timestamp
// annotations when enabled, and returns the offset the records end at,
// for Wait.
//
// While a sticky write error is set, it still buffers the records, for
// Retry to write (the caller has applied them: dropping them would make
// the file disagree with memory), and returns the offset with the error:
// the records cannot be acknowledged now. A caller should refuse new
// writes before applying them while Err is set, as Redis's MISCONF
// does. After Close it returns ErrClosed and buffers nothing.
func (a *Appender) Append(recs []keyspace.Record) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == ErrClosed {
		return 0, a.err
	}
	start := len(a.buf)
	if a.ts.Load() && len(recs) > 0 {
		if now := a.opts.Now().Unix(); now > a.lastTS {
			a.lastTS = now
			a.buf = resp.AppendAnnotation(a.buf, strconv.AppendInt([]byte("TS:"), now, 10))
		}
	}
	for _, r := range recs {
		if len(r.Args) == 0 {
			continue
		}
		if r.DB != a.db && !isUnitMarker(r.Args[0]) {
			a.buf = resp.AppendCommand(a.buf, []byte("SELECT"), strconv.AppendInt(nil, int64(r.DB), 10))
			a.db = r.DB
		}
		a.buf = resp.AppendCommand(a.buf, r.Args...)
	}
	a.end += int64(len(a.buf) - start)
	return a.end, a.err
}

// isUnitMarker reports whether name is MULTI or EXEC.
func isUnitMarker(name []byte) bool {
	return equalFold(name, "multi") || equalFold(name, "exec")
}

// equalFold reports whether b is s, ignoring the case of b's ASCII
// letters; s is lower case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// Wait returns once the bytes up to end (from Append) are written to the
// file, and under Always synced too, or with the sticky error, or with
// ctx's error if ctx is done first (the records stay buffered and are
// written by a later Wait). Under EverySec it may wait up to 2 s for a
// background sync in flight.
func (a *Appender) Wait(ctx context.Context, end int64) error {
	for {
		if a.reached(end) {
			return nil
		}
		if err := a.stickyErr(); err != nil {
			// The error may have been set after the bytes were
			// written (Close writes them, then sets ErrClosed).
			if a.reached(end) {
				return nil
			}
			return err
		}
		select {
		case a.flushing <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		if wait := a.postpone(); wait != nil {
			<-a.flushing
			select {
			case <-wait.done:
			case <-wait.timer.C:
			case <-ctx.Done():
				wait.timer.Stop()
				return ctx.Err()
			}
			wait.timer.Stop()
			continue
		}
		if !a.reached(end) {
			a.flush(a.syncsEach())
		}
		<-a.flushing
	}
}

// maxPostpone is how long everysec writes wait for a background sync,
// as Redis's flushAppendOnlyFile does.
const maxPostpone = 2 * time.Second

type postponement struct {
	done  chan struct{}
	timer *time.Timer
}

// postpone, under everysec while a background sync runs, tells the
// caller (which holds the flushing token) to wait for the sync, up to 2
// s from the first write that waited: Redis does not write to a file
// being fsynced, since the write would block behind the sync. After
// 2 s it writes anyway and counts a delayed fsync.
func (a *Appender) postpone() *postponement {
	if a.Policy() != EverySec {
		return nil
	}
	ch := a.syncing.Load()
	if ch == nil {
		a.postponed = time.Time{}
		return nil
	}
	now := time.Now()
	if a.postponed.IsZero() {
		a.postponed = now
	}
	if left := maxPostpone - now.Sub(a.postponed); left > 0 {
		return &postponement{done: *ch, timer: time.NewTimer(left)}
	}
	a.postponed = time.Time{}
	a.delayed.Add(1)
	return nil
}

// Postponing reports whether a Wait now would first wait for the
// background sync (see postpone): under everysec while it runs. A caller
// that serves others meanwhile can wait somewhere else.
func (a *Appender) Postponing() bool {
	return a.Policy() == EverySec && a.syncing.Load() != nil
}

// Err returns the sticky error: the failed write or sync (a
// *WriteError) that makes Append refuse records until Retry succeeds,
// ErrClosed after Close, or nil.
func (a *Appender) Err() error { return a.stickyErr() }

// DelayedFsyncs returns how many times everysec writes stopped waiting
// for a background sync after 2 s (INFO's aof_delayed_fsync).
func (a *Appender) DelayedFsyncs() int64 { return a.delayed.Load() }

// syncsEach reports whether Wait syncs: under Always, unless syncs are
// paused.
func (a *Appender) syncsEach() bool {
	return a.Policy() == Always && !a.paused.Load()
}

// Policy returns the fsync policy in force.
func (a *Appender) Policy() Policy { return Policy(a.policy.Load()) }

// SetPolicy changes the fsync policy while the Appender is in use (as
// CONFIG SET appendfsync does). Records appended before are waited for
// under the policy in force when their Wait checks; after the switch to
// Always, a Wait returns only once its records are synced, and after
// the switch to EverySec the background sync starts with the next
// second.
func (a *Appender) SetPolicy(p Policy) { a.policy.Store(int32(p)) }

// SetTimestamps turns the timestamp annotations on or off (as CONFIG
// SET aof-timestamp-enabled does), from the next Append on.
func (a *Appender) SetTimestamps(on bool) { a.ts.Store(on) }

// PauseSyncs pauses (or resumes) the syncs of the policy, as Redis's
// no-appendfsync-on-rewrite does while a rewrite or a save runs: Wait
// then returns once the bytes are written, under every policy, and the
// everysec background sync is skipped. Close, Sync and Retry still sync.
func (a *Appender) PauseSyncs(pause bool) { a.paused.Store(pause) }

func (a *Appender) reached(end int64) bool {
	if a.syncsEach() {
		return a.synced.Load() >= end
	}
	return a.written.Load() >= end
}

func (a *Appender) stickyErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// maxUnsynced bounds the copy of the bytes written since the last good
// sync (see Appender): a write that takes it past this syncs. Tests
// lower it.
var maxUnsynced = 32 << 20

// flush writes what is buffered, and syncs when sync is set (or when
// the unsynced bytes reach maxUnsynced); the caller holds the flushing
// token. A failure sets the sticky error.
func (a *Appender) flush(sync bool) {
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	data := a.buf
	a.buf, a.spare = a.spare[:0], nil
	a.mu.Unlock()

	if !a.pickWriter() {
		a.unflush(data)
		return
	}
	if a.dio != nil {
		a.writeDirect(data)
		return
	}
	if len(data) > 0 {
		at := a.written.Load()
		n, err := a.f.Write(data)
		if err != nil {
			a.failWrite(data, at, n, err)
			return
		}
		a.keep(data)
		a.written.Store(at + int64(n))
	}
	a.mu.Lock()
	a.spare = data[:0]
	big := len(a.tail) >= maxUnsynced
	a.mu.Unlock()
	if sync || big {
		a.sync()
	}
}

// unflush puts data, taken from the buffer by a flush that could not
// write it, back in front of the buffer.
func (a *Appender) unflush(data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf = append(append([]byte(nil), data...), a.buf...)
}

// pickWriter starts or stops the direct writes as the policy says: they
// are for Always (whose writes they make durable one by one), where the
// file system has them. It reports false when it set the sticky error.
func (a *Appender) pickWriter() bool {
	want := a.Policy() == Always && !a.opts.Buffered && !a.noDirect && a.written.Load() >= a.directAt
	switch {
	case want && a.dio == nil:
		return a.startDirect()
	case !want && a.dio != nil:
		a.stopDirect() // if the pad cannot be cut, writes go on direct
	}
	return true
}

// startDirect starts the direct writes: it syncs what was written
// through the page cache, opens the file for direct writes, and writes
// the pad after the records. When the file system has no direct writes,
// or they fail, writes go on through the page cache. It reports false
// when it set the sticky error.
func (a *Appender) startDirect() bool {
	w := a.written.Load()
	if a.synced.Load() < w {
		// Direct writes claim what is before them as durable.
		a.sync()
		if a.stickyErr() != nil {
			return false
		}
	}
	head := make([]byte, w-alignDown(w))
	err := a.readAt(head, alignDown(w))
	var f vfs.File
	if err == nil {
		f, err = vfs.OpenDirect(a.fsys, a.f.Name())
	}
	if err == nil {
		d := &directWriter{f: f, phys: w, head: head}
		if err = d.write(nil, w); err == nil {
			a.dio = d
			return true
		}
		f.Close()
		// The pad may be partly written: cut it, or appends would go
		// after it.
		if terr := a.f.Truncate(w); terr != nil {
			a.fail("write", terr)
			return false
		}
	}
	if noDirect(err) {
		a.noDirect = true
	} else {
		a.directAt = w + padChunk // try again later
	}
	return true
}

// stopDirect cuts the pad and closes the file opened for direct writes,
// so that writes go through the page cache again. If the cut fails, the
// direct writes go on (and the cut is tried at the next flush).
func (a *Appender) stopDirect() {
	if err := a.f.Truncate(a.written.Load()); err != nil {
		return
	}
	a.dio.f.Close()
	a.dio = nil
}

// writeDirect writes data after the records, durably (see direct.go).
func (a *Appender) writeDirect(data []byte) {
	if len(data) > 0 {
		at := a.written.Load()
		if err := a.dio.write(data, at); err != nil {
			a.failWrite(data, at, 0, err) // nothing to cut: the pad is after the records
			return
		}
		a.written.Store(at + int64(len(data)))
		a.syncedTo(at + int64(len(data)))
	}
	a.mu.Lock()
	a.spare = data[:0]
	a.mu.Unlock()
}

// readAt reads the file's bytes at off, through a descriptor of its own
// (the Appender's is write-only).
func (a *Appender) readAt(p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	r, err := a.fsys.Open(a.f.Name())
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = r.ReadAt(p, off)
	return err
}

// cutPad cuts a pad that direct writes left after the records of f (see
// direct.go), durably, and returns f's size.
func cutPad(fsys vfs.FS, f vfs.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	end, err := recordsSize(fsys, f.Name())
	if err != nil || end == fi.Size() {
		return end, err
	}
	if err := f.Truncate(end); err != nil {
		return 0, err
	}
	return end, f.Sync()
}

// keep adds b, just written at the end of the file, to the tail.
func (a *Appender) keep(b []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tail = append(a.tail, b...)
}

// syncedTo records a good sync of the bytes up to w: they leave the tail.
func (a *Appender) syncedTo(w int64) {
	for {
		s := a.synced.Load()
		if s >= w || a.synced.CompareAndSwap(s, w) {
			break
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if d := w - a.tailAt; d > 0 {
		n := copy(a.tail, a.tail[min(d, int64(len(a.tail))):])
		a.tail = a.tail[:n]
		a.tailAt = w
	}
}

// failWrite handles a write of data at offset at that wrote n bytes and
// failed: the partial write is cut from the file if it can be, and what
// was not written goes back in front of the buffer.
func (a *Appender) failWrite(data []byte, at int64, n int, err error) {
	werr := &WriteError{Op: "write", File: a.f.Name(), Err: err}
	if n > 0 {
		if terr := a.f.Truncate(at); terr != nil {
			// The partial record stays in the file; keep the rest, as
			// Redis does, so that the next write completes it.
			a.keep(data[:n])
			a.written.Store(at + int64(n))
			data = data[n:]
		}
	}
	a.unflush(data)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = werr
}

// sync syncs the file; the caller holds the flushing token.
func (a *Appender) sync() {
	w := a.written.Load()
	if a.synced.Load() >= w {
		return
	}
	if err := a.f.Sync(); err != nil {
		a.failSync(err)
		return
	}
	a.syncedTo(w)
}

// fail sets the sticky error, unless one is set.
func (a *Appender) fail(op string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = &WriteError{Op: op, File: a.f.Name(), Err: err}
	}
}

// failSync sets the sticky error of a failed sync, and marks the bytes
// since the last good sync lost.
func (a *Appender) failSync(err error) {
	a.fail("sync", err)
	a.mu.Lock()
	a.lost = true
	a.mu.Unlock()
}

// recover clears the sticky error and writes and syncs what is buffered,
// after a failed sync first writing the tail again where it is; the
// caller holds the flushing token. It returns the new sticky error.
func (a *Appender) recover() error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	a.mu.Lock()
	a.err = nil
	lost, at, tail := a.lost, a.tailAt, a.tail
	a.mu.Unlock()
	if lost {
		// The tail is not changed meanwhile: only the holder of the
		// flushing token adds to it, and a sync trims it. It is
		// written again where it is, so that the file holds it at
		// every moment: a crash of the process while this fails
		// loses nothing the page cache still has.
		if n, err := a.f.WriteAt(tail, at); err != nil {
			// lost stays set: the next try writes it all again.
			a.fail("write", err)
			return a.stickyErr()
		} else if n < len(tail) {
			a.fail("write", io.ErrShortWrite)
			return a.stickyErr()
		}
		if err := a.f.Sync(); err != nil {
			a.fail("sync", err)
			return a.stickyErr()
		}
		a.mu.Lock()
		a.lost = false
		a.mu.Unlock()
		a.syncedTo(at + int64(len(tail)))
	}
	a.flush(true)
	return a.stickyErr()
}

// Retry clears the sticky error and writes, and syncs, what is
// buffered: it is the one way back after a failure (a Store calls it
// periodically, as Redis's cron retries). After a failed sync, it first
// writes again, in place, what was written since the last good sync (see
// Appender). It returns the new error if that fails again.
func (a *Appender) Retry(ctx context.Context) error {
	select {
	case a.flushing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.flushing }()
	a.mu.Lock()
	closed := a.err == ErrClosed
	a.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return a.recover()
}

// Sync writes what is buffered and syncs the file, whatever the policy:
// afterwards every record appended so far is durable. A Dir calls it
// before it switches to a new incr file, so that no record of the old
// file can be lost while a later one, in the new file, survives.
func (a *Appender) Sync(ctx context.Context) error {
	select {
	case a.flushing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.flushing }()
	a.flush(true)
	return a.stickyErr()
}

// syncer syncs written data once a second while the policy is
// everysec.
func (a *Appender) syncer() {
	defer close(a.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		if a.Policy() != EverySec || a.paused.Load() || a.synced.Load() >= a.written.Load() {
			continue
		}
		a.backgroundSync()
	}
}

// backgroundSync is the everysec sync. It runs without the flushing
// token, so that a write that cannot wait any more (see postpone) can go
// on meanwhile; the sync covers what was written before it started.
// After a failed write it goes on syncing what was written, so that the
// records acknowledged before the failure become durable; after a failed
// sync it does nothing: Retry writes the tail again and syncs.
func (a *Appender) backgroundSync() {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	a.mu.Lock()
	lost := a.lost
	a.mu.Unlock()
	if lost {
		return
	}
	w := a.written.Load()
	done := make(chan struct{})
	a.syncing.Store(&done)
	err := a.f.Sync()
	a.syncing.Store(nil)
	close(done)
	if err != nil {
		a.failSync(err)
		return
	}
	a.syncedTo(w)
}

// Size returns the offset after the last appended record: the file's
// size once everything is written.
func (a *Appender) Size() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.end
}

// Close writes and syncs what is buffered, whatever the policy, as
// Redis does at shutdown, and closes the file; with the sticky error
// set, it tries once more as Retry does. It returns the error of that
// try: the records it could not write are lost with the Appender.
// Calling it again returns the first call's result.
func (a *Appender) Close() error {
	a.once.Do(func() {
		close(a.stop)
		<-a.done
		a.flushing <- struct{}{}
		err := a.recover()
		if a.dio != nil {
			// Cut the pad, so that the file ends with its records. If
			// that fails, the pad stays, which loads as well.
			if a.f.Truncate(a.written.Load()) == nil {
				a.f.Sync()
			}
			a.dio.f.Close()
			a.dio = nil
		}
		if cerr := a.f.Close(); err == nil {
			err = cerr
		}
		a.mu.Lock()
		if a.err == nil {
			a.err = ErrClosed
		}
		a.mu.Unlock()
		<-a.flushing // waiters blocked on the token now see ErrClosed
		a.cerr = err
	})
	return a.cerr
}
