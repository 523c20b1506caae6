package aof

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
)

// DirOptions configure a Dir.
type DirOptions struct {
	// Prefix is appendfilename, the prefix of every file name and of the
	// manifest's; empty means "appendonly.aof".
	Prefix string
	// Append configures the appender of the incr file.
	Append Options
	// RDBBase names new base files .base.rdb (aof-use-rdb-preamble yes)
	// rather than .base.aof. WriteBase must write the matching format.
	RDBBase bool
	// WriteBase writes a base file of the current data set at path,
	// atomically (a temporary file, synced, renamed to path, the
	// directory synced), and returns its size. OpenDir calls it when the
	// manifest lists neither a base nor an incr file, as Redis writes a
	// base on a start with AOF on; it may be nil when the directory
	// already has files.
	WriteBase func(path string) (int64, error)
	// Fresh starts the AOF anew, as Redis does when the AOF is switched
	// on at runtime: OpenDir writes a new base with WriteBase and a new
	// empty incr file, after the numbers of those the manifest lists,
	// which become history in the same manifest update and are deleted.
	// The files in the directory are then never appended to: they hold
	// an older state than the caller's.
	Fresh bool
	// Logger receives what Redis logs about AOF files; nil discards.
	Logger *slog.Logger
}

// Dir is a Redis 7 multi-part AOF directory open for appending: a base
// file, incr files and the manifest that lists them. Records go to the
// last incr file. A rewrite (BeginRewrite, then Commit or Abort)
// switches the records to a new incr file at the instant the caller
// takes its snapshot, so the new base plus the new incr file hold
// everything, with no record buffered or written twice; then the old
// base and incr files become history and are deleted once the manifest
// that no longer needs them is durable.
//
// Append and BeginRewrite are called by the holder of the write turn;
// the other methods may be called from any goroutine.
type Dir struct {
	fsys   vfs.FS
	dir    string
	opts   DirOptions
	prefix string
	log    *slog.Logger

	mu        sync.Mutex // guards the fields below, and manifest updates
	m         *manifest.Manifest
	cur       *Appender
	baseSize  int64 // size of the base file
	incrSizes int64 // sizes of the incr files before cur
	rewriting *Rewrite
	closed    bool
	paused    bool // PauseSyncs
}

// Errors of a Dir.
var (
	ErrRewriteInProgress = errors.New("aof: a rewrite is already in progress")
	ErrNoBase            = errors.New("aof: the AOF directory has no files and DirOptions.WriteBase is nil")
)

// OpenDir opens the multi-part AOF directory dir for appending, once its
// data has been loaded, following Redis's start with AOF on:
//
//  1. create dir if it does not exist, and remove leftover temporary
//     files (see vfs.IsTemp);
//  2. when the manifest lists neither a base nor an incr file (or does
//     not exist), write a base of the current data set with
//     opts.WriteBase;
//  3. open the last incr file for appending, or create the next one;
//  4. persist the manifest if it changed, then delete the history files.
func OpenDir(fsys vfs.FS, dir string, opts *DirOptions) (*Dir, error) {
	d := &Dir{fsys: fsys, dir: dir}
	if opts != nil {
		d.opts = *opts
	}
	d.prefix = d.opts.Prefix
	if d.prefix == "" {
		d.prefix = "appendonly.aof"
	}
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if err := d.makeDir(); err != nil {
		return nil, err
	}
	m, err := manifest.Read(fsys, dir, d.prefix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		m = &manifest.Manifest{}
	case err != nil:
		return nil, err
	}
	old := m.Format()
	// The numbers of new files follow those of the files listed, so a
	// new file never takes the name of one a manifest in force lists,
	// nor of a history file (which would then be deleted).
	baseSeq, incrSeq := d.nextBaseSeq(m), d.nextIncrSeq(m)
	if d.opts.Fresh {
		if m.Base != nil {
			m.History = append(m.History, manifest.File{Name: m.Base.Name, Seq: m.Base.Seq, Type: manifest.History})
		}
		for _, f := range m.Incr {
			m.History = append(m.History, manifest.File{Name: f.Name, Seq: f.Seq, Type: manifest.History})
		}
		m.Base, m.Incr = nil, nil
	}
	if m.Base == nil && len(m.Incr) == 0 {
		if d.opts.WriteBase == nil {
			return nil, ErrNoBase
		}
		seq := baseSeq
		name := manifest.BaseName(d.prefix, seq, d.opts.RDBBase)
		d.log.Info("creating AOF base file on server start", "file", name)
		size, err := d.opts.WriteBase(d.path(name))
		if err != nil {
			return nil, fmt.Errorf("aof: writing base %s: %w", d.path(name), err)
		}
		m.Base = &manifest.File{Name: name, Seq: seq, Type: manifest.Base}
		d.baseSize = size
	} else if m.Base != nil {
		fi, err := fsys.Stat(d.path(m.Base.Name))
		if err != nil {
			return nil, fmt.Errorf("aof: base file of %s: %w", d.path(manifest.ManifestName(d.prefix)), err)
		}
		d.baseSize = fi.Size()
	}
	var incr string
	if n := len(m.Incr); n > 0 {
		incr = m.Incr[n-1].Name
		for _, f := range m.Incr[:n-1] {
			// Without a pad a crash may have left (see direct.go).
			size, err := recordsSize(fsys, d.path(f.Name))
			if err != nil {
				return nil, fmt.Errorf("aof: incr file of %s: %w", d.path(manifest.ManifestName(d.prefix)), err)
			}
			d.incrSizes += size
		}
		d.log.Info("opening AOF incr file on server start", "file", incr)
	} else {
		seq := incrSeq
		incr = manifest.IncrName(d.prefix, seq)
		m.Incr = append(m.Incr, manifest.File{Name: incr, Seq: seq, Type: manifest.Incr})
		d.log.Info("creating AOF incr file on server start", "file", incr)
		// A file of that name is left from an attempt that crashed
		// before its manifest: empty it, durably, before any manifest
		// lists it.
		if err := createEmpty(fsys, d.path(incr)); err != nil {
			return nil, err
		}
	}
	a, err := OpenAppender(fsys, d.path(incr), &d.opts.Append)
	if err != nil {
		return nil, err
	}
	if string(m.Format()) != string(old) {
		if err := manifest.Write(fsys, dir, d.prefix, m); err != nil {
			a.Close()
			return nil, err
		}
	}
	d.m, d.cur = m, a
	d.deleteHistory()
	return d, nil
}

// nextBaseSeq returns the number of the next base file: Redis's
// (Manifest.NextBaseSeq), or the first after it whose name m does not
// list as history.
func (d *Dir) nextBaseSeq(m *manifest.Manifest) int64 {
	seq := m.NextBaseSeq()
	for inHistory(m, manifest.BaseName(d.prefix, seq, d.opts.RDBBase)) {
		seq++
	}
	return seq
}

// nextIncrSeq is nextBaseSeq for incr files.
func (d *Dir) nextIncrSeq(m *manifest.Manifest) int64 {
	seq := m.NextIncrSeq()
	for inHistory(m, manifest.IncrName(d.prefix, seq)) {
		seq++
	}
	return seq
}

// inHistory reports whether m lists name as a history file.
func inHistory(m *manifest.Manifest, name string) bool {
	for _, f := range m.History {
		if f.Name == name {
			return true
		}
	}
	return false
}

// makeDir creates the directory durably and removes leftover
// temporary files.
func (d *Dir) makeDir() error {
	if err := vfs.MkdirAllDurable(d.fsys, d.dir); err != nil {
		return err
	}
	names, err := d.fsys.List(d.dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		if vfs.IsTemp(name) {
			if err := d.fsys.Remove(d.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func (d *Dir) path(name string) string { return filepath.Join(d.dir, name) }

// Ack is the position of records appended by Append: Wait returns once
// they are as durable as the policy promises.
type Ack struct {
	a   *Appender
	end int64
}

// Wait waits for the records, as Appender.Wait does. The zero Ack is
// already durable.
func (k Ack) Wait(ctx context.Context) error {
	if k.a == nil {
		return nil
	}
	return k.a.Wait(ctx, k.end)
}

// Syncs reports whether Wait will sync the file (appendfsync always,
// syncs not paused) rather than only write it, or find it done.
func (k Ack) Syncs() bool {
	return k.a != nil && !k.a.reached(k.end) && k.a.syncsEach()
}

// Postponed reports whether Wait would now first wait for the
// background sync (Appender.Postponing), the records not yet written.
func (k Ack) Postponed() bool {
	return k.a != nil && !k.a.reached(k.end) && k.a.Postponing()
}

// Append appends recs to the current incr file, as Appender.Append does
// (with a sticky error set, the records are kept for Retry and the error
// returned). The caller holds the write turn.
func (d *Dir) Append(recs []keyspace.Record) (Ack, error) {
	d.mu.Lock()
	a, closed := d.cur, d.closed
	d.mu.Unlock()
	if closed {
		return Ack{}, ErrClosed
	}
	end, err := a.Append(recs)
	if err != nil {
		return Ack{}, err
	}
	return Ack{a: a, end: end}, nil
}

// PauseSyncs pauses or resumes the policy's syncs of the incr files
// (Appender.PauseSyncs), for no-appendfsync-on-rewrite; it holds for
// the incr files BeginRewrite creates.
func (d *Dir) PauseSyncs(pause bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paused = pause
	d.cur.PauseSyncs(pause)
}

// SetAppendOptions changes the fsync policy and the timestamp
// annotations of the current incr file (Appender.SetPolicy and
// SetTimestamps) and of those BeginRewrite creates from now on.
func (d *Dir) SetAppendOptions(policy Policy, timestamps bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opts.Append.Policy, d.opts.Append.Timestamps = policy, timestamps
	d.cur.SetPolicy(policy)
	d.cur.SetTimestamps(timestamps)
}

// SetRDBBase changes the format of the bases of the rewrites begun from
// now on (DirOptions.RDBBase): the caller's WriteBase, and what it
// writes at BasePath, must follow.
func (d *Dir) SetRDBBase(rdb bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opts.RDBBase = rdb
}

// Appender returns the appender of the current incr file, for Retry and
// DelayedFsyncs. It changes with each BeginRewrite.
func (d *Dir) Appender() *Appender {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur
}

// Manifest returns a copy of the manifest in force.
func (d *Dir) Manifest() *manifest.Manifest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return copyManifest(d.m)
}

// Sizes returns the size of the base file and the total size of the
// files (base and incr, with what is appended but not yet written):
// INFO's aof_base_size and aof_current_size after the last rewrite.
func (d *Dir) Sizes() (base, total int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.baseSize, d.baseSize + d.incrSizes + d.cur.Size()
}

// Rewrite is a rewrite in progress: BeginRewrite made a new incr file
// current; the caller writes the new base of its snapshot at BasePath,
// then calls Commit, or Abort if that fails.
type Rewrite struct {
	d    *Dir
	base manifest.File
	incr string // the incr file that became current
	done bool
}

// BasePath returns the path the new base file is to be written at,
// atomically (see DirOptions.WriteBase).
func (r *Rewrite) BasePath() string { return r.d.path(r.base.Name) }

// BeginRewrite starts a rewrite: it writes and syncs the current incr
// file, creates the next incr file, persists a manifest that lists it,
// and makes it current. The caller holds the write turn and takes the
// snapshot of its data set before it releases it, so that the records
// the new incr file gets are exactly those after the snapshot.
//
// If it fails, nothing changed: the records go on to the current file.
// Only one rewrite runs at a time (ErrRewriteInProgress).
func (d *Dir) BeginRewrite(ctx context.Context) (*Rewrite, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	if d.rewriting != nil {
		return nil, ErrRewriteInProgress
	}
	// Every record of the old file is durable before any of the new
	// one can be: a crash never keeps a later record and loses an
	// earlier one.
	if err := d.cur.Sync(ctx); err != nil {
		return nil, err
	}
	seq := d.nextIncrSeq(d.m)
	incr := manifest.IncrName(d.prefix, seq)
	if err := createEmpty(d.fsys, d.path(incr)); err != nil { // see OpenDir
		return nil, err
	}
	a, err := OpenAppender(d.fsys, d.path(incr), &d.opts.Append)
	if err != nil {
		return nil, err
	}
	a.PauseSyncs(d.paused)
	m := copyManifest(d.m)
	m.Incr = append(m.Incr, manifest.File{Name: incr, Seq: seq, Type: manifest.Incr})
	if err := manifest.Write(d.fsys, d.dir, d.prefix, m); err != nil {
		a.Close()
		// The file is empty and no manifest in force lists it, unless
		// only the directory sync failed, in which case a later
		// BeginRewrite appends to it again.
		return nil, err
	}
	old := d.cur
	d.m, d.cur = m, a
	d.incrSizes += old.Size()
	if err := old.Close(); err != nil {
		d.log.Warn("closing the previous AOF incr file", "file", old.f.Name(), "err", err)
	}
	r := &Rewrite{d: d, incr: incr}
	bseq := d.nextBaseSeq(d.m)
	r.base = manifest.File{Name: manifest.BaseName(d.prefix, bseq, d.opts.RDBBase), Seq: bseq, Type: manifest.Base}
	d.rewriting = r
	d.log.Info("creating AOF incr file for rewrite", "file", incr)
	return r, nil
}

// Commit makes the new base file (of size bytes, written at BasePath)
// the base: the old base and every incr file before the current one
// become history in a manifest that is made durable, and are then
// deleted. If the manifest cannot be written, the previous files stay in
// force (the new incr file with them) and the error is returned.
func (r *Rewrite) Commit(size int64) error {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.done {
		return errors.New("aof: rewrite already committed or aborted")
	}
	r.done = true
	d.rewriting = nil
	m := copyManifest(d.m)
	if m.Base != nil {
		m.History = append(m.History, manifest.File{Name: m.Base.Name, Seq: m.Base.Seq, Type: manifest.History})
	}
	base := r.base
	m.Base = &base
	var keep []manifest.File
	for _, f := range m.Incr {
		if f.Name == r.incr {
			keep = append(keep, f)
			continue
		}
		m.History = append(m.History, manifest.File{Name: f.Name, Seq: f.Seq, Type: manifest.History})
	}
	m.Incr = keep
	if err := manifest.Write(d.fsys, d.dir, d.prefix, m); err != nil {
		return fmt.Errorf("aof: rewrite: %w", err)
	}
	d.m = m
	d.baseSize, d.incrSizes = size, 0
	d.log.Info("background AOF rewrite finished successfully", "base", base.Name)
	d.deleteHistory()
	return nil
}

// Abort ends a rewrite that failed before Commit: the new incr file
// stays, after the others, and the base does not change (Redis keeps the
// files of failed rewrites the same way). A file at BasePath, which no
// manifest lists, is removed (a base written whole, but whose directory
// sync after the rename failed, say).
func (r *Rewrite) Abort() {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.done {
		return
	}
	r.done = true
	d.rewriting = nil
	if err := d.fsys.Remove(r.BasePath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.log.Warn("removing the base of a failed AOF rewrite", "file", r.BasePath(), "err", err)
	}
}

// deleteHistory deletes the history files, then persists a manifest
// without them. It is called with a durable manifest that lists them as
// history, so a crash at any point leaves a loadable directory; files it
// fails to delete stay listed and are deleted on a later call.
func (d *Dir) deleteHistory() {
	if len(d.m.History) == 0 {
		return
	}
	var left []manifest.File
	for _, f := range d.m.History {
		err := d.fsys.Remove(d.path(f.Name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.log.Warn("removing AOF history file", "file", f.Name, "err", err)
			left = append(left, f)
			continue
		}
		d.log.Info("removed AOF history file", "file", f.Name)
	}
	if err := d.fsys.SyncDir(d.dir); err != nil {
		d.log.Warn("syncing the AOF directory after removing history files", "dir", d.dir, "err", err)
		return
	}
	m := copyManifest(d.m)
	m.History = left
	if err := manifest.Write(d.fsys, d.dir, d.prefix, m); err != nil {
		d.log.Warn("writing the AOF manifest after removing history files", "err", err)
		return
	}
	d.m = m
}

// Close closes the current incr file, writing and syncing what is
// buffered (Appender.Close). A rewrite in progress can no longer
// commit.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	if d.rewriting != nil {
		d.rewriting.done = true
		d.rewriting = nil
	}
	return d.cur.Close()
}

func copyManifest(m *manifest.Manifest) *manifest.Manifest {
	c := &manifest.Manifest{
		History: append([]manifest.File(nil), m.History...),
		Incr:    append([]manifest.File(nil), m.Incr...),
	}
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	return c
}
