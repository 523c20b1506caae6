package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

// BaseOptions configure the writing of an AOF base file.
type BaseOptions struct {
	// RDBPreamble writes the base as an RDB file with the aux field
	// aof-base set to 1, as Redis 7 writes a <prefix>.<seq>.base.rdb
	// with aof-use-rdb-preamble yes (its default). Otherwise the base is
	// RESP commands, as the Rewriter writes them (a .base.aof).
	RDBPreamble bool

	// RDB configures the RDB writer for an RDB base; AOFBase is set
	// whatever it says. A hash with field expiries needs Version 12.
	RDB rdb.WriterOptions

	// Timestamp, when not 0, starts a RESP base with a "#TS:<Timestamp>"
	// annotation (aof-timestamp-enabled). Redis writes none in an RDB
	// base, and neither does WriteBase.
	Timestamp int64

	// Functions are the code of the function libraries, written before
	// the keys: FUNCTION2 records in an RDB base, FUNCTION LOAD commands
	// in a RESP one. A Snapshot carries none.
	Functions [][]byte

	// Sync, when not nil, is called after every SyncEvery bytes written,
	// with everything before written out, as aof-rewrite-incremental-fsync
	// does (typically the file's Sync). WriteBaseFile sets it to the
	// temporary file's Sync.
	Sync func() error
	// SyncEvery is the interval in bytes for Sync; 0 means 4 MiB
	// (REDIS_AUTOSYNC_BYTES).
	SyncEvery int64
}

// WriteBase writes every entry of s to w as an AOF base: an RDB file
// (opts.RDBPreamble) or RESP commands. In an RDB base each database
// starts with SELECTDB and a RESIZEDB hint from s.Sizes(); since a
// snapshot may interleave databases, a database met again gets a
// SELECTDB alone. A nil opts writes a RESP base without syncing.
// WriteBase does not close s, nor sync or close w.
func WriteBase(w io.Writer, s keyspace.Snapshot, opts *BaseOptions) error {
	var o BaseOptions
	if opts != nil {
		o = *opts
	}
	if !o.RDBPreamble {
		rw := NewRewriter(w, &RewriteOptions{Timestamp: o.Timestamp, Sync: o.Sync, SyncEvery: o.SyncEvery})
		for _, code := range o.Functions {
			if err := rw.WriteFunction(code); err != nil {
				return err
			}
		}
		if err := rw.WriteSnapshot(s); err != nil {
			return err
		}
		return rw.Close()
	}

	if o.Sync != nil {
		every := o.SyncEvery
		if every <= 0 {
			every = autosyncBytes
		}
		w = &syncWriter{w: w, sync: o.Sync, every: every}
	}
	ro := o.RDB
	ro.AOFBase = true
	return keyspace.WriteRDB(w, s, &ro, o.Functions)
}

// syncWriter calls sync after every every bytes written through it: the
// RDB writer writes straight through (it buffers itself), so what it
// wrote is in the file when sync is called.
type syncWriter struct {
	w       io.Writer
	sync    func() error
	every   int64
	written int64
}

func (s *syncWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.written += int64(n)
	if err == nil && s.written >= s.every {
		s.written = 0
		err = s.sync()
	}
	return n, err
}

// WriteBaseFile writes the base file path from s, as Redis writes a base
// (REDIS-FORMATS 7.2): into a temporary file in the same directory
// (named as vfs.IsTemp recognises), synced every opts.SyncEvery bytes
// and at the end, closed, renamed over path, and the directory synced.
// opts.Sync is ignored: the temporary file's Sync is used. It returns
// the file's size.
//
// On an error before the rename the temporary file is removed and path
// is untouched; the error names path. If only the last step (syncing the
// directory) fails, the new file is in place but may not survive a
// crash: the caller must treat the write as failed.
func WriteBaseFile(fsys vfs.FS, path string, s keyspace.Snapshot, opts *BaseOptions) (size int64, err error) {
	var o BaseOptions
	if opts != nil {
		o = *opts
	}
	o.Sync = nil // WriteFileSynced syncs
	size, err = vfs.WriteFileSynced(fsys, path, o.SyncEvery, func(w io.Writer) error {
		return WriteBase(w, s, &o)
	})
	if err != nil {
		return size, fmt.Errorf("aof: write base %s: %w", path, err)
	}
	return size, nil
}

// CreateDir makes a new multi-part AOF directory dir holding s, as
// Redis does when it starts with appendonly yes and no AOF, through
// OpenDir: base 1 (<prefix>.1.base.rdb or .base.aof, by
// opts.RDBPreamble) written with WriteBaseFile, an empty incr 1
// (<prefix>.1.incr.aof), created and synced, the directory (and any
// parent it creates) synced, and last the manifest listing both,
// written atomically, so that a crash at any point leaves either no
// manifest, which loads as nothing, or the whole directory. It refuses,
// with an error wrapping fs.ErrExist, a directory that already has a
// manifest; base or incr files left there by an interrupted CreateDir
// are replaced.
//
// On an error that leaves no manifest, CreateDir removes the base and
// incr files (not durably: without a manifest they are not part of
// anything). It returns the manifest written.
func CreateDir(fsys vfs.FS, dir, prefix string, s keyspace.Snapshot, opts *BaseOptions) (*manifest.Manifest, error) {
	if prefix == "" {
		return nil, fmt.Errorf("aof: create %s: empty prefix (appendfilename)", dir)
	}
	rdbPreamble := opts != nil && opts.RDBPreamble
	base, incr := manifest.BaseName(prefix, 1, rdbPreamble), manifest.IncrName(prefix, 1)
	m := &manifest.Manifest{
		Base: &manifest.File{Name: base, Seq: 1, Type: manifest.Base},
		Incr: []manifest.File{{Name: incr, Seq: 1, Type: manifest.Incr}},
	}
	if err := m.Validate(); err != nil { // a bad prefix
		return nil, err
	}
	mpath := filepath.Join(dir, manifest.ManifestName(prefix))
	switch _, err := fsys.Stat(mpath); {
	case err == nil:
		return nil, fmt.Errorf("aof: create %s: it already has a manifest, %s: %w", dir, mpath, fs.ErrExist)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("aof: create %s: %w", dir, err)
	}
	d, err := OpenDir(fsys, dir, &DirOptions{
		Prefix:    prefix,
		RDBBase:   rdbPreamble,
		WriteBase: func(path string) (int64, error) { return WriteBaseFile(fsys, path, s, opts) },
	})
	if err != nil {
		if _, serr := fsys.Stat(mpath); errors.Is(serr, fs.ErrNotExist) {
			fsys.Remove(filepath.Join(dir, base))
			fsys.Remove(filepath.Join(dir, incr))
		}
		return nil, fmt.Errorf("aof: create %s: %w", dir, err)
	}
	m = d.Manifest()
	if err := d.Close(); err != nil {
		return nil, fmt.Errorf("aof: create %s: %w", dir, err)
	}
	return m, nil
}

// createEmpty creates (or empties) the file name and syncs it.
func createEmpty(fsys vfs.FS, name string) error {
	f, err := fsys.Create(name)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
