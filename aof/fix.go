package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

// This file checks and repairs a whole AOF as redis-check-aof does: a
// multi-part directory through its manifest (the base, then the incr
// files), or a single legacy file.
//
// # Torn tail or corruption
//
// A file has a torn tail when everything after its last whole command
// (FileCheck.OKUpTo) is the start of a valid AOF cut by the end of the
// file: a command missing its last bytes, or a MULTI whose EXEC never
// came. That is what a crash or a full disk leaves, and what Redis's
// loader calls an unexpected end of file (aof-load-truncated). Zero bytes
// at the very end are ignored when deciding this, since a file system
// that crashed after growing a file but before writing its blocks
// leaves them (Redis calls them a bad format). Anything else after
// OKUpTo, such as a byte that is not RESP, a bad length, an EXEC
// without MULTI, or whole commands after a bad one, is corruption: cutting
// there would throw away the valid commands that follow, so Fix refuses
// unless FixOptions.Force is set. An annotation line cut by the end of
// the last file is a torn tail too, although redis-check-aof calls the
// file valid: Redis's loader skips it, but the next record appended
// would join its line, and our loader cuts it (aof-load-truncated) or
// refuses it.
//
// # Backups
//
// Fix and TruncateToTimestamp never destroy bytes. Before a file is cut
// at offset N, the bytes cut go to <file>.tail-<N>.<unix>.bak next to it
// (<unix> the time in seconds; -1, -2... is added before .bak if the name
// is taken), written as vfs.WriteFileAtomic writes (temporary file,
// sync, rename, sync of the directory), so the backup is durable before
// the file is cut. To undo the cut, append the backup to the file. An
// incr file that TruncateToTimestamp drops from the manifest is renamed
// whole to <file>.<unix>.bak: it must not keep its name, which Redis
// would reuse, truncating it, for its next incr file. Redis ignores files
// that its manifest does not list; these backups are never deleted.

// Errors of Fix and TruncateToTimestamp, wrapped in a *FixError.
var (
	// ErrNotLast: a file other than the last one listed would have to be
	// cut, which would lose the commands of the files after it.
	ErrNotLast = errors.New("only the last file may be truncated, and this is not the last file")
	// ErrCorrupt: the file is corrupt before its end (not a torn tail);
	// Fix cuts it only with FixOptions.Force.
	ErrCorrupt = errors.New("corrupt before its end, not a torn tail (cutting it would lose the commands after the corruption)")
	// ErrInvalid: TruncateToTimestamp met a file that is not valid before
	// it found where to cut.
	ErrInvalid = errors.New("the AOF is not valid (fix it first)")
	// ErrInvalidTimestamp: a #TS: annotation that redis-check-aof does
	// not read as a timestamp.
	ErrInvalidTimestamp = errors.New("invalid timestamp annotation")
	// ErrNothingBefore: the first annotation later than the timestamp is
	// at the very start of the AOF, so nothing would remain.
	ErrNothingBefore = errors.New("nothing before the timestamp")
	// ErrChanged: the file changed between its check and its cut (is a
	// server writing it?).
	ErrChanged = errors.New("the file changed while it was being fixed")
)

// FixError is an error of Fix or TruncateToTimestamp about one file, at
// an offset.
type FixError struct {
	File   string // the file's path
	Offset int64  // where it is, or would be, cut
	Err    error
}

func (e *FixError) Error() string {
	return fmt.Sprintf("aof: %s at offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *FixError) Unwrap() error { return e.Err }

// FileReport is the check of one file of an AOF.
type FileReport struct {
	Path string            // the path it was opened with
	Name string            // the name the manifest lists; Path for a single file
	Type manifest.FileType // manifest.Base or manifest.Incr; 0 for a single file
	// RDBEnd is where the RDB part ends, with Preamble: the RESP tail
	// starts there.
	RDBEnd int64
	FileCheck
}

// CheckReport is the check of a whole AOF.
type CheckReport struct {
	// ManifestPath and Manifest are those of a multi-part AOF; "" and nil
	// for a single file.
	ManifestPath string
	Manifest     *manifest.Manifest
	// Files are the files checked, in load order: the base, then the
	// incr files; a single file alone.
	Files []FileReport
}

// Valid reports whether every file is valid.
func (r *CheckReport) Valid() bool {
	for i := range r.Files {
		if !r.Files[i].Valid() {
			return false
		}
	}
	return true
}

// CheckPath checks the AOF at path as redis-check-aof does: path is a
// manifest (told by its contents: its first line that is not a comment
// starts with "file"), a directory holding one manifest (or holding an
// appendonlydir that does), or a single AOF file, with or without an
// RDB preamble. The manifest is parsed with redis-server's rules (a
// *manifest.ParseError), then every file it lists is checked with
// CheckFile, the base first. A file that cannot be read, or whose RDB
// part is not sane, is an error, returned with the report of the files
// before it.
func CheckPath(fsys vfs.FS, path string) (*CheckReport, error) {
	r, err := resolve(fsys, path)
	if err != nil {
		return nil, err
	}
	return r, r.check(fsys)
}

// CheckManifest checks the multi-part AOF whose manifest is the file at
// path, whatever its contents, as CheckPath does.
func CheckManifest(fsys vfs.FS, path string) (*CheckReport, error) {
	r, err := readManifest(fsys, path)
	if err != nil {
		return nil, err
	}
	return r, r.check(fsys)
}

// CheckDir checks the multi-part AOF of directory dir, whose manifest is
// <prefix>.manifest, as CheckPath does.
func CheckDir(fsys vfs.FS, dir, prefix string) (*CheckReport, error) {
	return CheckManifest(fsys, filepath.Join(dir, manifest.ManifestName(prefix)))
}

func (r *CheckReport) check(fsys vfs.FS) error {
	for i := range r.Files {
		f := &r.Files[i]
		c, ck, err := checkFile(fsys, f.Path, nil)
		if c != nil {
			f.FileCheck = *c
		}
		if ck != nil && c.Preamble {
			f.RDBEnd = ck.start
		}
		if err != nil {
			r.Files = r.Files[:i]
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("aof: %s: a file the manifest lists does not exist: %w", f.Path, err)
			}
			return err
		}
	}
	return nil
}

// resolve returns the report, not yet checked, of the AOF at path.
func resolve(fsys vfs.FS, path string) (*CheckReport, error) {
	fi, err := fsys.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("aof: %w", err)
	}
	if fi.IsDir() {
		m, err := findManifest(fsys, path)
		if err != nil {
			return nil, err
		}
		return readManifest(fsys, m)
	}
	isManifest, err := sniffManifest(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("aof: %w", err)
	}
	if isManifest {
		return readManifest(fsys, path)
	}
	return &CheckReport{Files: []FileReport{{Path: path, Name: path}}}, nil
}

// findManifest returns the manifest of directory dir: its only
// *.manifest file (temporary ones aside), or that of dir/appendonlydir.
func findManifest(fsys vfs.FS, dir string) (string, error) {
	names, err := fsys.List(dir)
	if err != nil {
		return "", fmt.Errorf("aof: %w", err)
	}
	var found []string
	for _, n := range names {
		if strings.HasSuffix(n, ".manifest") && !strings.HasPrefix(n, "temp-") && !vfs.IsTemp(n) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return filepath.Join(dir, found[0]), nil
	case 0:
		sub := filepath.Join(dir, "appendonlydir")
		if fi, err := fsys.Stat(sub); err == nil && fi.IsDir() {
			return findManifest(fsys, sub)
		}
		return "", fmt.Errorf("aof: %s: no AOF manifest (*.manifest) in the directory", dir)
	}
	return "", fmt.Errorf("aof: %s: several AOF manifests in the directory (%s): name one", dir, strings.Join(found, ", "))
}

// sniffManifest reports whether the file at path is a manifest, as
// redis-check-aof tells: its first line that is not a comment starts
// with "file".
func sniffManifest(fsys vfs.FS, path string) (bool, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, 1<<20))
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && line[0] == '#' {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
		}
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return false, err
		}
		return bytes.HasPrefix(line, []byte("file")), nil
	}
}

// readManifest parses the manifest at path and lists its files.
func readManifest(fsys vfs.FS, path string) (*CheckReport, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aof: %w", err)
	}
	m, err := manifest.Parse(f)
	f.Close()
	if err != nil {
		if pe, ok := errors.AsType[*manifest.ParseError](err); ok {
			pe.Path = path
			return nil, pe
		}
		return nil, fmt.Errorf("aof: %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	r := &CheckReport{ManifestPath: path, Manifest: m}
	if m.Base != nil {
		r.Files = append(r.Files, FileReport{Path: filepath.Join(dir, m.Base.Name), Name: m.Base.Name, Type: manifest.Base})
	}
	for _, f := range m.Incr {
		r.Files = append(r.Files, FileReport{Path: filepath.Join(dir, f.Name), Name: f.Name, Type: manifest.Incr})
	}
	return r, nil
}

// FixOptions configure Fix and TruncateToTimestamp.
type FixOptions struct {
	// Force makes Fix cut the last file at its last whole command even
	// when what follows is corruption rather than a torn tail (what
	// redis-check-aof --fix does, after asking).
	Force bool
	// Now gives the time in the backups' names; nil means time.Now.
	Now func() time.Time
}

func (o *FixOptions) now() time.Time {
	if o != nil && o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// FixResult says what Fix found and did.
type FixResult struct {
	Report *CheckReport // the check made before fixing
	// File is the path of the file cut, "" when nothing was cut (the AOF
	// was valid).
	File string
	Name string // its name in the report
	Size int64  // its size before the cut
	At   int64  // where it was cut: its size now
	// Torn says the bytes cut were a torn tail; false when they were cut
	// by FixOptions.Force.
	Torn   bool
	Backup string // the file holding the bytes cut
}

// Fix checks the AOF at path as CheckPath does and, when the only
// problem is in the last file (of the manifest, or the single file),
// cuts that file at its last whole command, as redis-check-aof --fix
// does, but without asking: the bytes cut are kept in a backup file (see
// the comment at the top of fix.go), and a file that is corrupt before
// its end rather than torn is left alone (ErrCorrupt) unless
// opts.Force. A problem in another file is ErrNotLast: only the last
// file may be truncated. The cut is durable when Fix returns: the
// backup is synced, then the file truncated and synced. The result
// holds the report even with an error.
func Fix(fsys vfs.FS, path string, opts *FixOptions) (*FixResult, error) {
	r, err := CheckPath(fsys, path)
	res := &FixResult{Report: r}
	if err != nil {
		return res, err
	}
	for i := range r.Files {
		f := &r.Files[i]
		if f.Valid() {
			continue
		}
		if i != len(r.Files)-1 {
			return res, &FixError{File: f.Path, Offset: f.OKUpTo, Err: fmt.Errorf("%w (%s at offset %d)", ErrNotLast, f.Problem, f.At)}
		}
		torn, err := tornTail(fsys, f.Path, f.OKUpTo, f.Size)
		if err != nil {
			return res, &FixError{File: f.Path, Offset: f.OKUpTo, Err: err}
		}
		if !torn && (opts == nil || !opts.Force) {
			return res, &FixError{File: f.Path, Offset: f.OKUpTo, Err: fmt.Errorf("%w: %s at offset %d", ErrCorrupt, f.Problem, f.At)}
		}
		res.File, res.Name, res.Size, res.At, res.Torn = f.Path, f.Name, f.Size, f.OKUpTo, torn
		res.Backup, err = cut(fsys, f.Path, f.OKUpTo, f.Size, opts.now())
		return res, err
	}
	// Valid for redis-check-aof, which skips an annotation cut by the
	// end of the last file; but the loader (and the next record
	// appended, which would join its line) takes it for a torn tail.
	if n := len(r.Files); n > 0 {
		f := &r.Files[n-1]
		at, ok, err := partialAnnotation(fsys, f.Path, f.RDBEnd, f.Size)
		if err != nil {
			return res, &FixError{File: f.Path, Offset: f.Size, Err: err}
		}
		if ok {
			res.File, res.Name, res.Size, res.At, res.Torn = f.Path, f.Name, f.Size, at, true
			res.Backup, err = cut(fsys, f.Path, at, f.Size, opts.now())
			return res, err
		}
	}
	return res, nil
}

// partialAnnotation reports whether the file of size bytes ends with an
// annotation line cut before its '\n' (after start, where its RESP part
// begins), and where that line starts.
func partialAnnotation(fsys vfs.FS, path string, start, size int64) (int64, bool, error) {
	if size <= start {
		return 0, false, nil
	}
	f, err := fsys.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	var buf [4096]byte
	line := start // where the last line starts
	for end := size; end > start; {
		n := min(int64(len(buf)), end-start)
		b := buf[:n]
		if _, err := f.ReadAt(b, end-n); err != nil {
			return 0, false, err
		}
		if end == size && b[n-1] == '\n' {
			return 0, false, nil // the file ends with a whole line
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			line = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	var c [1]byte
	if _, err := f.ReadAt(c[:], line); err != nil {
		return 0, false, err
	}
	return line, c[0] == '#', nil
}

// tornTail reports whether the bytes of the file from off (where its
// last whole command ends) to size, zero bytes at the end aside, are the
// start of an AOF cut short (see the comment at the top): the check
// meets the end of the data in a command or an open MULTI, and Redis's
// loader, and ours, read an unexpected end of file (not a count it
// refuses, say, which redis-check-aof's looser reading may take).
func tornTail(fsys vfs.FS, path string, off, size int64) (bool, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	end, err := trimZeros(f, off, size)
	if err != nil {
		return false, err
	}
	c := &FileCheck{Size: end, OKUpTo: off}
	er := &errReader{r: io.NewSectionReader(f, off, end-off)}
	k := &checker{r: bufio.NewReaderSize(er, 64<<10), pos: off}
	k.run(c)
	if er.err != nil {
		return false, er.err
	}
	if c.Valid() {
		return true, nil // zero bytes only
	}
	if !k.eof {
		return false, nil
	}
	l := loader{name: path, t: discardTarget{}, f: f}
	err = l.replay(io.NewSectionReader(f, off, end-off), off, &LoadOptions{}, &FileResult{})
	var le *LoadError
	switch {
	case errors.As(err, &le) && errors.Is(le.Err, ErrTruncated):
		return true, nil
	case err == nil || errors.As(err, &le) && errors.Is(le.Err, ErrFormat):
		return false, nil
	}
	return false, err
}

// discardTarget takes every command and does nothing.
type discardTarget struct{}

func (discardTarget) Restore(*rdb.Entry) error                    { return nil }
func (discardTarget) Exec(db int, _ [][]byte) (int, error)        { return db, nil }
func (discardTarget) ExecMulti(db int, _ [][][]byte) (int, error) { return db, nil }

// trimZeros returns the end of the file's bytes [off, size) without the
// zero bytes at their end.
func trimZeros(f vfs.File, off, size int64) (int64, error) {
	var buf [4096]byte
	for size > off {
		n := min(int64(len(buf)), size-off)
		b := buf[:n]
		if _, err := f.ReadAt(b, size-n); err != nil {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return size - n + int64(i) + 1, nil
			}
		}
		size -= n
	}
	return off, nil
}

// cut saves the bytes [at, size) of the file to a backup, durably, then
// truncates the file at at and syncs it. It returns the backup's path.
func cut(fsys vfs.FS, path string, at, size int64, now time.Time) (string, error) {
	backup, err := saveTail(fsys, path, at, size, now)
	if err != nil {
		return "", err
	}
	if err := truncateSync(fsys, path, at); err != nil {
		return backup, &FixError{File: path, Offset: at, Err: fmt.Errorf("truncating (the bytes to cut are saved in %s): %w", backup, err)}
	}
	return backup, nil
}

// truncateSync truncates the file to size and syncs it.
func truncateSync(fsys vfs.FS, path string, size int64) error {
	f, err := fsys.OpenAppend(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freeName returns base+ext, or base-1+ext, base-2+ext... the first that
// does not exist.
func freeName(fsys vfs.FS, base, ext string) (string, error) {
	for i := 0; ; i++ {
		name := base + ext
		if i > 0 {
			name = base + "-" + strconv.Itoa(i) + ext
		}
		_, err := fsys.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// DroppedFile is an incr file that TruncateToTimestamp removed from the
// manifest.
type DroppedFile struct {
	Path   string // its path in the manifest
	Name   string // its name in the manifest
	Backup string // its path now
}

// TruncateResult says what TruncateToTimestamp did.
type TruncateResult struct {
	Report *CheckReport // the files, checked up to the cut
	// File is the path of the file cut, "" when no annotation is later
	// than the timestamp (nothing was done), or when the cut fell at the
	// start of an incr file (which is then dropped).
	File   string
	Name   string // its name in the report
	Size   int64  // its size before the cut
	At     int64  // where it was cut: its size now
	Backup string // the file holding the bytes cut
	// Dropped are the incr files after the cut, removed from the
	// manifest and renamed aside.
	Dropped []DroppedFile
}

// TruncateToTimestamp cuts the AOF at path (as CheckPath resolves it)
// before the first "#TS:<t>" annotation with t > ts, for point-in-time
// recovery, as redis-check-aof --truncate-to-timestamp does: the files
// are read in load order (the base, then the incr files), each checked as
// CheckFile does up to that annotation, and the file that holds it is cut
// at the start of its line (at the start of the MULTI, when it is
// inside one, so that no transaction is left open), keeping the bytes
// cut in a backup.
//
// Unlike redis-check-aof, which refuses when the cut is not in the last
// file, TruncateToTimestamp then drops the incr files after it from the
// manifest (written anew atomically) and renames them aside as backups
// (see the comment at the top); when the annotation starts an incr file,
// that file is dropped too, rather than cut to nothing. The steps are
// ordered so that a crash between two of them leaves a manifest that
// loads a prefix of the AOF, never one with a hole: the backup of the
// bytes cut, the new manifest, the renames (then a sync of the
// directory), the cut (then a sync of the file). After a crash, run it
// again; files dropped from the manifest but not yet renamed are then
// left under their names, for the user to move.
//
// Errors, in a *FixError, are Redis's: ErrInvalidTimestamp for an
// annotation redis-check-aof does not read as a timestamp (digits, then
// CR), ErrNothingBefore when the annotation starts the AOF (nothing
// would remain), ErrInvalid when a file is not valid before the
// annotation. When no annotation is later than ts, nothing is done and
// the result's File is "".
func TruncateToTimestamp(fsys vfs.FS, path string, ts int64, opts *FixOptions) (*TruncateResult, error) {
	r, err := resolve(fsys, path)
	if err != nil {
		return nil, err
	}
	res := &TruncateResult{Report: r}
	var before int64 // bytes in the files before the current one
	for i := range r.Files {
		f := &r.Files[i]
		at := int64(-1)
		var annErr error
		c, _, err := checkFile(fsys, f.Path, func(c *FileCheck, off int64, line []byte, inMulti bool) bool {
			if !bytes.HasPrefix(line, []byte("#TS:")) {
				return false
			}
			t, ok := parseTimestamp(line[4:])
			if !ok {
				annErr = &FixError{File: f.Path, Offset: off, Err: fmt.Errorf("%w: %q", ErrInvalidTimestamp, line)}
				return true
			}
			if t <= ts {
				return false
			}
			at = off
			if inMulti {
				at = c.OKUpTo // the start of the MULTI
			}
			return true
		})
		if c != nil {
			f.FileCheck = *c
		}
		if err != nil {
			r.Files = r.Files[:i]
			return res, err
		}
		if annErr != nil {
			r.Files = r.Files[:i+1]
			return res, annErr
		}
		if at < 0 {
			if !c.Valid() {
				r.Files = r.Files[:i+1]
				return res, &FixError{File: f.Path, Offset: c.OKUpTo, Err: fmt.Errorf("%w: %s at offset %d", ErrInvalid, c.Problem, c.At)}
			}
			before += c.Size
			continue
		}
		all := r.Files
		r.Files = r.Files[:i+1]
		if at == 0 && before == 0 {
			return res, &FixError{File: f.Path, Offset: 0, Err: fmt.Errorf("%w: the first annotation after %d starts the AOF", ErrNothingBefore, ts)}
		}
		return res, res.apply(fsys, r, all, i, at, opts.now())
	}
	return res, nil
}

// apply cuts file i of all, the files of r, at at and drops the incr
// files after it (and file i itself when at is 0) from the manifest.
func (res *TruncateResult) apply(fsys vfs.FS, r *CheckReport, all []FileReport, i int, at int64, now time.Time) error {
	f := &all[i]
	first := i + 1 // the first file dropped
	if at == 0 {
		first = i
	} else {
		res.File, res.Name, res.Size, res.At = f.Path, f.Name, f.Size, at
	}
	var dropped []FileReport
	for _, d := range all[first:] {
		if d.Type == manifest.Incr { // always, but the base is never dropped
			dropped = append(dropped, d)
		}
	}
	// 1. The bytes to cut, saved.
	var backup string
	if at > 0 {
		var err error
		if backup, err = saveTail(fsys, f.Path, at, f.Size, now); err != nil {
			return err
		}
		res.Backup = backup
	}
	if len(dropped) > 0 {
		// 2. The manifest without the dropped files.
		m := *r.Manifest
		m.Incr = m.Incr[:len(m.Incr)-len(dropped)]
		if err := writeManifest(fsys, r.ManifestPath, &m); err != nil {
			return &FixError{File: dropped[0].Path, Offset: 0, Err: fmt.Errorf("dropping the files from %s: %w", r.ManifestPath, err)}
		}
		// 3. The dropped files renamed aside.
		for _, d := range dropped {
			name, err := freeName(fsys, fmt.Sprintf("%s.%d", d.Path, now.Unix()), ".bak")
			if err == nil {
				err = fsys.Rename(d.Path, name)
			}
			if err != nil {
				return &FixError{File: d.Path, Offset: 0, Err: fmt.Errorf("dropped from the manifest, but renaming it aside: %w", err)}
			}
			res.Dropped = append(res.Dropped, DroppedFile{Path: d.Path, Name: d.Name, Backup: name})
		}
		if err := fsys.SyncDir(filepath.Dir(r.ManifestPath)); err != nil {
			return &FixError{File: dropped[0].Path, Offset: 0, Err: fmt.Errorf("syncing the directory after renaming the dropped files: %w", err)}
		}
	}
	// 4. The cut.
	if at > 0 {
		if err := truncateSync(fsys, f.Path, at); err != nil {
			return &FixError{File: f.Path, Offset: at, Err: fmt.Errorf("truncating (the bytes to cut are saved in %s): %w", backup, err)}
		}
	}
	return nil
}

// saveTail saves the bytes [at, size) of the file to a backup, durably,
// and returns its path.
func saveTail(fsys vfs.FS, path string, at, size int64, now time.Time) (string, error) {
	fail := func(err error) (string, error) {
		return "", &FixError{File: path, Offset: at, Err: err}
	}
	f, err := fsys.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if fi.Size() != size {
		return fail(fmt.Errorf("%w: %d bytes, %d when checked", ErrChanged, fi.Size(), size))
	}
	backup, err := freeName(fsys, fmt.Sprintf("%s.tail-%d.%d", path, at, now.Unix()), ".bak")
	if err != nil {
		return fail(err)
	}
	err = vfs.WriteFileAtomic(fsys, backup, func(w io.Writer) error {
		n, err := io.Copy(w, io.NewSectionReader(f, at, size-at))
		if err == nil && n != size-at {
			err = fmt.Errorf("%w: read %d bytes of %d", ErrChanged, n, size-at)
		}
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("saving the bytes to cut: %w", err))
	}
	return backup, nil
}

// writeManifest replaces the manifest at path with m, atomically.
func writeManifest(fsys vfs.FS, path string, m *manifest.Manifest) error {
	dir, base := filepath.Split(path)
	if prefix, ok := strings.CutSuffix(base, ".manifest"); ok && prefix != "" {
		return manifest.Write(fsys, filepath.Clean(dir), prefix, m)
	}
	// A manifest named otherwise (redis-check-aof takes any name).
	if err := m.Validate(); err != nil {
		return err
	}
	return vfs.WriteFileAtomic(fsys, path, func(w io.Writer) error {
		_, err := w.Write(m.Format())
		return err
	})
}

// parseTimestamp reads the t of "#TS:<t>" as redis-check-aof does:
// strtol's syntax (leading white space, a sign, digits, no overflow),
// then a CR.
func parseTimestamp(b []byte) (int64, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || '\t' <= b[i] && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var n uint64
	const limit = uint64(math.MaxInt64) + 1
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		d := uint64(b[i] - '0')
		if n > (limit-d)/10 {
			return 0, false // ERANGE
		}
		n = n*10 + d
		i++
	}
	if i == start {
		// No digits: strtol's end pointer is where it started.
		return 0, len(b) > 0 && b[0] == '\r'
	}
	if !neg && n > math.MaxInt64 {
		return 0, false
	}
	if i >= len(b) || b[i] != '\r' {
		return 0, false
	}
	if neg {
		return -int64(n), true // n == MaxInt64+1 gives MinInt64
	}
	return int64(n), true
}
