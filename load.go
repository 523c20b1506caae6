package aofrdb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

// load loads the data directory as the load plan says, then opens the
// AOF for appending when AppendOnly is on.
func (s *Store) load() error {
	o := s.options()
	s.removeTempRDB()
	plan, err := manifest.MakePlan(s.fsys, s.dir, &manifest.PlanOptions{
		AppendOnly:     o.AppendOnly,
		AppendFilename: o.AppendFilename,
		AppendDirname:  o.AppendDirname,
		DBFilename:     o.DBFilename,
	})
	if err != nil {
		return fmt.Errorf("aofrdb: %w", err)
	}
	if plan.Source == manifest.Legacy {
		s.log.Info("upgrading the legacy AOF to a multi-part AOF directory", "file", plan.Files[0], "dir", plan.Dir)
		if err := manifest.Upgrade(s.fsys, plan, o.AppendFilename); err != nil {
			return fmt.Errorf("aofrdb: upgrading %s: %w", plan.Files[0], err)
		}
	}
	p := &progress{fn: o.Progress}
	for _, f := range plan.Files {
		if fi, err := s.fsys.Stat(f); err == nil {
			p.total += fi.Size()
		}
	}
	fsys := vfs.FS(s.fsys)
	if p.fn != nil {
		fsys = &progressFS{FS: s.fsys, p: p}
	}
	start := s.now()
	defer loadBallast(p.total)()
	switch plan.Source {
	case manifest.MultiPart, manifest.Legacy:
		t := &countTarget{Target: &aof.KeyspaceTarget{KS: s.ks}, p: p}
		results, err := aof.LoadFiles(fsys, plan.Files, t, &aof.LoadOptions{
			AllowTruncated: o.AOFLoadTruncated,
			RDB:            s.readerOptions(p.total),
		})
		for i, r := range results {
			if r.Truncated {
				s.log.Warn("short read while loading the AOF file: loaded up to the last whole command and truncated the file there",
					"file", plan.Files[i], "size", r.Size, "offset", r.End)
			}
		}
		if err != nil {
			return fmt.Errorf("aofrdb: loading the AOF: %w", err)
		}
		s.log.Info("DB loaded from append only file", "seconds", s.now().Sub(start).Seconds(), "keys+commands", p.keys.Load())
	case manifest.RDB:
		if err := s.loadRDB(fsys, plan.Files[0], p); err != nil {
			return err
		}
		s.log.Info("DB loaded from disk", "file", plan.Files[0], "seconds", s.now().Sub(start).Seconds(), "keys", p.keys.Load())
	}
	p.report()
	if !o.AppendOnly {
		return nil
	}
	if plan.RDBBecomesBase {
		s.log.Warn("AOF is on and there is no AOF: the data loaded from the RDB file becomes the AOF's base",
			"file", plan.Files[0])
	}
	d, err := s.openAOF(o, false)
	if err != nil {
		return err
	}
	s.aofp.Store(d)
	return nil
}

// openAOF opens the AOF directory for appending under the options o,
// with the write turn held (or before the Store is in use): a base of
// the keyspace is written when the directory has none, or, with fresh,
// in any case, with a new incr file, the files listed before becoming
// history (the AOF switched on at runtime).
func (s *Store) openAOF(o *Options, fresh bool) (*aof.Dir, error) {
	d, err := aof.OpenDir(s.fsys, filepath.Join(s.dir, o.AppendDirname), &aof.DirOptions{
		Prefix:  o.AppendFilename,
		Append:  aof.Options{Policy: o.AppendFsync, Timestamps: o.AOFTimestampEnabled, Now: s.now, Buffered: o.AlwaysBuffered},
		RDBBase: o.AOFUseRDBPreamble,
		Fresh:   fresh,
		WriteBase: func(path string) (int64, error) {
			snap, err := s.ks.Snapshot()
			if err != nil {
				return 0, err
			}
			defer snap.Close()
			return aof.WriteBaseFile(s.fsys, path, snap, o.baseOptions(s.now))
		},
		Logger: s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("aofrdb: opening the AOF: %w", err)
	}
	return d, nil
}

// removeTempRDB removes the temporary files of RDB saves that a crash
// left in the data directory (temp-dump.rdb-<random>.tmp, see
// vfs.TempName). One it cannot remove is only logged: it is in nobody's
// way.
func (s *Store) removeTempRDB() {
	names, err := s.fsys.List(s.dir)
	if err != nil {
		s.log.Warn("listing the data directory for temporary files", "err", err)
		return
	}
	prefix := "temp-" + s.options().DBFilename + "-"
	for _, name := range names {
		if !vfs.IsTemp(name) || !strings.HasPrefix(name, prefix) {
			continue
		}
		s.log.Info("removing a temporary RDB file left by an interrupted save", "file", name)
		if err := s.fsys.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("removing a temporary RDB file", "file", name, "err", err)
		}
	}
}

// loadRDB restores the keys of the RDB file name, leaving out those
// whose time has passed, as Redis does.
func (s *Store) loadRDB(fsys vfs.FS, name string, p *progress) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("aofrdb: %w", err)
	}
	defer f.Close()
	r := rdb.NewReader(f, s.readerOptions(p.total))
	defer r.Close()
	expired := 0
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("aofrdb: loading %s at offset %d: %w", name, r.Offset(), err)
		}
		if e.Expired {
			expired++
			continue
		}
		if err := s.ks.Restore(e); err != nil {
			return fmt.Errorf("aofrdb: loading %s at offset %d: %w", name, r.Offset(), err)
		}
		p.keys.Add(1)
	}
	if expired > 0 {
		s.log.Info("keys expired while loading the RDB file were left out", "keys", expired)
	}
	return nil
}

// readerOptions are the options of the RDB files the Store loads, of
// size bytes in all: RESIZEDB hints make room in the keyspace, bounded
// by what size bytes can hold (a key takes at least 4 bytes in an RDB
// file), so that a corrupt hint cannot make it allocate without bound.
// The files are decoded ahead, on another core, while the keyspace
// stores the keys, and the entries are lent: Restore does not keep them
// (see keyspace.Keyspace).
func (s *Store) readerOptions(size int64) *rdb.ReaderOptions {
	ro := &rdb.ReaderOptions{Now: s.now(), MaxDatabases: s.ks.Databases(), ReadAhead: true, LendEntries: true}
	if r, ok := s.ks.(keyspace.Reserver); ok {
		ro.OnResizeDB = func(db int, keys, _ uint64) {
			r.Reserve(db, int(min(keys, uint64(size/4))))
		}
	}
	return ro
}

// baseOptions are the options of the AOF bases written under o, with
// the clock now.
func (o *Options) baseOptions(now func() time.Time) *aof.BaseOptions {
	bo := &aof.BaseOptions{
		RDBPreamble: o.AOFUseRDBPreamble,
		RDB:         o.rdbOptions(now),
	}
	if o.AOFTimestampEnabled {
		bo.Timestamp = now().Unix()
	}
	if !o.AOFRewriteIncrementalFsync {
		bo.SyncEvery = 1 << 62
	}
	return bo
}

// rdbOptions are the options of the RDB files written under o, with
// the clock now.
func (o *Options) rdbOptions(now func() time.Time) rdb.WriterOptions {
	return rdb.WriterOptions{
		Version:       o.RDBVersion,
		NoCompression: !o.RDBCompression,
		NoChecksum:    !o.RDBChecksum,
		Now:           now,
	}
}

// progress counts what is loaded and reports it.
type progress struct {
	fn       func(LoadProgress)
	total    int64
	loaded   atomic.Int64
	keys     atomic.Int64
	mu       sync.Mutex
	reported int64
	file     string // the file being loaded
}

// add counts n bytes read, reporting every 4 MiB.
func (p *progress) add(n int) {
	if p.loaded.Add(int64(n))-p.reportedBytes() >= 4<<20 {
		p.report()
	}
}

func (p *progress) reportedBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reported
}

func (p *progress) report() {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reported = p.loaded.Load()
	// Bytes read twice (the loader peeks) could take the count past
	// the total.
	p.fn(LoadProgress{File: p.file, LoadedBytes: min(p.reported, p.total), TotalBytes: p.total, Keys: p.keys.Load()})
}

// progressFS counts the bytes read from the files it opens.
type progressFS struct {
	vfs.FS
	p *progress
}

func (f *progressFS) Open(name string) (vfs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	f.p.mu.Lock()
	f.p.file = name
	f.p.mu.Unlock()
	return &progressFile{File: file, p: f.p}, nil
}

type progressFile struct {
	vfs.File
	p *progress
}

func (f *progressFile) Read(b []byte) (int, error) {
	n, err := f.File.Read(b)
	f.p.add(n)
	return n, err
}

func (f *progressFile) ReadAt(b []byte, off int64) (int, error) {
	n, err := f.File.ReadAt(b, off)
	f.p.add(n)
	return n, err
}

// countTarget counts the keys and commands loaded.
type countTarget struct {
	aof.Target
	p *progress
}

func (t *countTarget) Restore(e *rdb.Entry) error {
	t.p.keys.Add(1)
	return t.Target.Restore(e)
}

func (t *countTarget) Exec(db int, args [][]byte) (int, error) {
	t.p.keys.Add(1)
	return t.Target.Exec(db, args)
}

func (t *countTarget) ExecMulti(db int, cmds [][][]byte) (int, error) {
	t.p.keys.Add(int64(len(cmds)))
	return t.Target.ExecMulti(db, cmds)
}
