package aofrdb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// BackupOptions configure Store.Backup. The zero value (or nil) writes
// a plain RDB file.
type BackupOptions struct {
	// Zstd compresses the backup into one zstd frame (with its content
	// checksum), which `zstd -d` turns back into the RDB file. Restore
	// recognises it by its magic number.
	Zstd bool
	// ZstdLevel is the zstd compression level as the zstd tool numbers
	// them (1 fastest to 22 smallest; the library maps them onto its four
	// speeds); 0 means 3, zstd's default.
	ZstdLevel int
}

// ErrBadBackup matches Restore's errors about its input: not an RDB file
// nor a zstd stream, a corrupt or truncated one, or bytes after the RDB.
var ErrBadBackup = errors.New("aofrdb: bad backup")

// badBackup is an error about Restore's input; it matches ErrBadBackup
// and what it wraps.
type badBackup struct{ err error }

func (e badBackup) Error() string        { return "bad backup: " + e.err.Error() }
func (e badBackup) Unwrap() error        { return e.err }
func (e badBackup) Is(target error) bool { return target == ErrBadBackup }

func badBackupf(format string, args ...any) error {
	return badBackup{fmt.Errorf(format, args...)}
}

// zstdMagic starts every zstd frame (0xFD2FB528, little-endian).
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// Backup writes to w a consistent copy of the data set while writes go
// on: an RDB file of a point-in-time snapshot taken at the call, under
// the write turn, so that it holds every write acknowledged before the
// call and none that started after it. The snapshot is then written out
// without the turn; writers are not held up. The RDB file has the
// Store's RDB version and LZF setting, and always a CRC64 trailer, so
// that Restore (and redis-check-rdb) can verify it. With opts.Zstd it
// is zstd-compressed.
//
// Backup does not close w, nor count as a save (LASTSAVE, the save
// points and the dirty counter are untouched). It stops with ctx's
// error when ctx is done; what was written to w is then not a whole
// backup.
func (s *Store) Backup(ctx context.Context, w io.Writer, opts *BackupOptions) error {
	var o BackupOptions
	if opts != nil {
		o = *opts
	}
	if o.ZstdLevel < 0 || o.ZstdLevel > 22 {
		return fmt.Errorf("aofrdb: backup: zstd level %d (1 to 22, or 0 for the default)", o.ZstdLevel)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.turn.Lock()
	if s.isClosed() {
		s.turn.Unlock()
		return ErrClosed
	}
	snap, err := s.ks.Snapshot()
	s.turn.Unlock()
	if err != nil {
		return fmt.Errorf("aofrdb: backup: %w", err)
	}
	defer snap.Close()

	out := io.Writer(&ctxWriter{ctx: ctx, w: w})
	var enc *zstd.Encoder
	if o.Zstd {
		level := zstd.SpeedDefault
		if o.ZstdLevel > 0 {
			level = zstd.EncoderLevelFromZstd(o.ZstdLevel)
		}
		enc, err = zstd.NewWriter(out, zstd.WithEncoderLevel(level))
		if err != nil {
			return fmt.Errorf("aofrdb: backup: %w", err)
		}
		out = enc
	}
	ro := s.options().rdbOptions(s.now)
	ro.NoChecksum = false
	err = keyspace.WriteRDB(out, snap, &ro, nil)
	if enc != nil {
		if cerr := enc.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
			return cerr
		}
		return fmt.Errorf("aofrdb: backup: %w", err)
	}
	return nil
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Restore makes the data directory dir from a backup that Store.Backup
// wrote (or any RDB file, plain or zstd-compressed, which it tells apart
// by their magic numbers), so that Open(dir, opts) loads it, and so
// does redis-server pointed at dir with the same settings. dir must be
// empty or not exist (a lock file left by a failed Restore is allowed);
// Restore holds its lock meanwhile. A nil opts means DefaultOptions.
//
// The whole backup is read and verified (format, checksums, databases
// within opts.Databases, nothing after the RDB) before the data
// directory is made, and on any error nothing of it is left but the
// lock file. Without AppendOnly the RDB file becomes opts.DBFilename,
// byte for byte. With AppendOnly it becomes a new multi-part AOF
// directory (aof.CreateDir: base 1 in RDB or RESP form by
// AOFUseRDBPreamble, an empty incr 1, and the manifest), since Redis
// with appendonly yes would not read an RDB file. Keys whose time has
// passed are kept, as in an AOF base; loading drops them.
func Restore(dir string, r io.Reader, opts *Options) (err error) {
	if opts == nil {
		opts = DefaultOptions()
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	o := opts
	fsys := o.FS
	if fsys == nil {
		fsys = vfs.Default
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	fail := func(err error) error { return fmt.Errorf("aofrdb: restore into %s: %w", dir, err) }
	if err := vfs.MkdirAllDurable(fsys, dir); err != nil {
		return fail(err)
	}
	if err := checkEmpty(fsys, dir); err != nil {
		return fail(err)
	}
	lock, err := fsys.Lock(filepath.Join(dir, LockFile))
	if errors.Is(err, vfs.ErrLocked) {
		return fmt.Errorf("%w: %s", ErrLocked, dir)
	}
	if err != nil {
		return fail(err)
	}
	defer lock.Close()
	if err := checkEmpty(fsys, dir); err != nil { // another Restore got there first
		return fail(err)
	}

	src, closeSrc, err := openBackup(r)
	if err != nil {
		return fail(err)
	}
	defer closeSrc()
	maxDBs := o.Databases
	if o.Keyspace != nil {
		maxDBs = o.Keyspace.Databases()
	}
	ro := &rdb.ReaderOptions{Now: now(), MaxDatabases: maxDBs}

	if !o.AppendOnly {
		var cerr error
		_, err := vfs.WriteFileSynced(fsys, filepath.Join(dir, o.DBFilename), 0, func(w io.Writer) error {
			_, cerr = copyVerified(w, src, ro)
			return cerr
		})
		if cerr != nil {
			return fail(cerr)
		}
		if err != nil {
			return fail(err)
		}
		return nil
	}

	// AppendOnly: the verified copy goes to a temporary file, which is
	// then read as the snapshot the AOF's base is written from.
	tmp := vfs.TempName(filepath.Join(dir, o.DBFilename))
	f, err := fsys.Create(tmp)
	if err != nil {
		return fail(err)
	}
	defer fsys.Remove(tmp)
	st, err := copyVerified(f, src, ro)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	f, err = fsys.Open(tmp)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	snap := &rdbSnapshot{r: rdb.NewReader(f, ro), sizes: st.sizes}
	bo := o.baseOptions(now)
	bo.Functions = st.functions
	aofDir := filepath.Join(dir, o.AppendDirname)
	if _, err := aof.CreateDir(fsys, aofDir, o.AppendFilename, snap, bo); err != nil {
		fsys.Remove(aofDir) // when empty
		return fail(err)
	}
	return nil
}

// checkEmpty returns an error wrapping fs.ErrExist when dir holds
// anything but the lock file.
func checkEmpty(fsys vfs.FS, dir string) error {
	names, err := fsys.List(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n != LockFile {
			return fmt.Errorf("the directory is not empty (it holds %s): %w", n, fs.ErrExist)
		}
	}
	return nil
}

// openBackup returns the RDB stream of a backup, decompressing a zstd
// one.
func openBackup(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 256<<10)
	head, err := br.Peek(5)
	switch {
	case len(head) == 0 && err != nil && err != io.EOF:
		return nil, nil, fmt.Errorf("reading the backup: %w", err)
	case len(head) == 0:
		return nil, nil, badBackupf("the input is empty")
	case bytes.HasPrefix(head, zstdMagic):
		dec, err := zstd.NewReader(br)
		if err != nil {
			return nil, nil, badBackupf("zstd: %w", err)
		}
		return &zstdReader{d: dec}, dec.Close, nil
	case bytes.Equal(head, []byte("REDIS")):
		return br, func() {}, nil
	case err != nil && err != io.EOF:
		return nil, nil, fmt.Errorf("reading the backup: %w", err)
	}
	return nil, nil, badBackupf("neither an RDB file nor a zstd stream (it starts with %q)", head)
}

// zstdReader reads a zstd stream, keeping the decoder's error: it is
// the input's fault.
type zstdReader struct {
	d   *zstd.Decoder
	n   int64 // bytes decompressed
	err error
}

func (z *zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	z.n += int64(n)
	if err != nil && err != io.EOF {
		z.err = err
	}
	return n, err
}

// backupStats is what copyVerified learns of an RDB stream.
type backupStats struct {
	sizes     []keyspace.DBSize
	functions [][]byte
}

// copyVerified copies the RDB stream src to w while reading it with an
// rdb.Reader, which verifies its format and checksum, and checks that
// nothing follows the RDB.
func copyVerified(w io.Writer, src io.Reader, ro *rdb.ReaderOptions) (backupStats, error) {
	var st backupStats
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	rd := rdb.NewReader(io.TeeReader(src, cw), ro)
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if z, ok := src.(*zstdReader); ok && z.err != nil {
				return st, badBackupf("zstd, after %d bytes: %w", z.n, z.err)
			}
			if isFormatError(err) {
				return st, badBackup{err}
			}
			return st, err
		}
		for len(st.sizes) <= e.DB {
			st.sizes = append(st.sizes, keyspace.DBSize{})
		}
		st.sizes[e.DB].Keys++
		if e.ExpireAt != 0 {
			st.sizes[e.DB].Expires++
		}
	}
	if _, _, ok := rd.Checksum(); !ok {
		return st, badBackupf("the RDB file (version < 5) has no checksum to verify")
	}
	st.functions = rd.Functions()
	end := rd.Offset()
	// Read what is left, through the tee, to count it.
	if _, err := io.Copy(io.Discard, io.TeeReader(src, cw)); err != nil {
		if z, ok := src.(*zstdReader); ok && z.err != nil {
			return st, badBackupf("zstd, after %d bytes: %w", z.n, z.err)
		}
		return st, err
	}
	if cw.n != end {
		return st, badBackupf("%d bytes follow the RDB file, which ends at offset %d", cw.n-end, end)
	}
	return st, bw.Flush()
}

// isFormatError reports whether err is the RDB reader's about the
// input, not a failure to read it.
func isFormatError(err error) bool {
	var ce *rdb.CorruptError
	return errors.As(err, &ce) || errors.Is(err, rdb.ErrModule) || errors.Is(err, rdb.ErrUnsupported)
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// rdbSnapshot is a keyspace.Snapshot over an RDB file already verified,
// with its sizes counted beforehand.
type rdbSnapshot struct {
	r     *rdb.Reader
	sizes []keyspace.DBSize
}

func (s *rdbSnapshot) Sizes() []keyspace.DBSize  { return s.sizes }
func (s *rdbSnapshot) Next() (*rdb.Entry, error) { return s.r.Next() }
func (s *rdbSnapshot) Close() error              { return nil }
