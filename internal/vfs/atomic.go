package vfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// WriteFileAtomic replaces the named file, or creates it, with what write
// writes, so that after a crash at any point the file is either wholly old
// (or absent, if it did not exist) or wholly new. The steps are those of
// Redis's manifest and RDB saves:
//
//  1. create a temporary file, temp-<base>-<random>.tmp (see IsTemp), in the
//     same directory, so that the rename stays within one file system;
//  2. call write with a buffered writer on it and flush;
//  3. Sync the temporary file, so that its contents are durable before
//     its name is;
//  4. Close it;
//  5. Rename it over name;
//  6. SyncDir the directory, so that the rename is durable.
//
// If any step up to the rename fails, or write returns an error or panics,
// WriteFileAtomic removes the temporary file and leaves name untouched.
// Errors are wrapped with the name ("vfs: write NAME: ..."); errors.Is sees
// the cause. If only the last step fails, the new contents are in place but
// may not survive a crash: the caller must treat the write as failed.
//
// A crash can leave a temporary file behind: remove those that IsTemp
// recognises when opening the directory.
func WriteFileAtomic(fsys FS, name string, write func(w io.Writer) error) error {
	_, err := WriteFileSynced(fsys, name, -1, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	return err
}

const (
	tempPrefix = "temp-"
	tempSuffix = ".tmp"
	tempRandom = 8 // hex digits
)

// tempName returns a fresh temporary name for a file named base.
func tempName(base string) string {
	return fmt.Sprintf("%s%s-%0*x%s", tempPrefix, base, tempRandom, rand.Uint32(), tempSuffix)
}

// IsTemp reports whether the last element of name has the form of
// WriteFileAtomic's temporary files, temp-<base>-<8 hex digits>.tmp.
func IsTemp(name string) bool {
	s := filepath.Base(name)
	if !strings.HasPrefix(s, tempPrefix) || !strings.HasSuffix(s, tempSuffix) {
		return false
	}
	s = s[len(tempPrefix) : len(s)-len(tempSuffix)] // <base>-<random>
	i := len(s) - tempRandom - 1
	if i < 1 || s[i] != '-' {
		return false
	}
	for _, c := range s[i+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// TempName returns a fresh name for a temporary file that is to replace
// the named file: in the same directory, of the form IsTemp recognises.
// It is for writers that cannot use WriteFileAtomic (one that syncs as
// it goes, say) and follow its steps themselves.
func TempName(name string) string {
	return filepath.Join(filepath.Dir(name), tempName(filepath.Base(name)))
}

// MkdirAllDurable creates dir and any missing parents, and syncs the
// parent of each directory it creates, so that they survive a crash;
// when dir exists it syncs dir's parent, since a run that created dir
// may have failed before it could.
func MkdirAllDurable(fsys FS, dir string) error {
	var missing []string
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		_, err := fsys.Stat(p)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	if len(missing) == 0 {
		return fsys.SyncDir(filepath.Dir(filepath.Clean(dir)))
	}
	if err := fsys.MkdirAll(dir); err != nil {
		return err
	}
	for i := len(missing) - 1; i >= 0; i-- { // top down
		if err := fsys.SyncDir(filepath.Dir(missing[i])); err != nil {
			return err
		}
	}
	return nil
}

// WriteFileSynced replaces the named file as WriteFileAtomic does, for
// large files written by writers that buffer themselves (an RDB file, an
// AOF base): write gets the temporary file unbuffered, which is synced
// each time syncEvery more bytes have reached it (0 means 4 MiB, as
// Redis's rdb-save-incremental-fsync and aof-rewrite-incremental-fsync;
// negative means never before the end), so that the final sync does not
// stall on the whole file. It returns the file's size.
func WriteFileSynced(fsys FS, name string, syncEvery int64, write func(w io.Writer) error) (size int64, err error) {
	if syncEvery == 0 {
		syncEvery = 4 << 20
	}
	dir := filepath.Dir(name)
	tmp := filepath.Join(dir, tempName(filepath.Base(name)))
	f, err := fsys.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	open, renamed := true, false
	defer func() { // also on a panic in write
		if open {
			f.Close()
		}
		if !renamed {
			fsys.Remove(tmp)
		}
	}()
	sw := &syncingWriter{f: f, every: syncEvery}
	if err := write(sw); err != nil {
		return 0, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	open = false
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return 0, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	renamed = true
	if err := fsys.SyncDir(dir); err != nil {
		return sw.n, fmt.Errorf("vfs: write %s: %w", name, err)
	}
	return sw.n, nil
}

// syncingWriter writes to f and syncs it every every bytes.
type syncingWriter struct {
	f        File
	every    int64
	n        int64 // bytes written
	unsynced int64
}

func (w *syncingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.n += int64(n)
	w.unsynced += int64(n)
	if err == nil && w.every > 0 && w.unsynced >= w.every {
		w.unsynced = 0
		err = w.f.Sync()
	}
	return n, err
}
