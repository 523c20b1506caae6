package vfs

import (
	"errors"
	"io"
	"io/fs"
)

// ErrLocked is the error, wrapped in an *fs.PathError, that FS.Lock returns
// when the file is already locked, by another process or by an earlier Lock
// in this one that has not been closed.
var ErrLocked = errors.New("vfs: already locked")

// FS is the file system that aofrdb reads and writes through.
//
// Names are paths in the host's syntax (filepath), relative to the working
// directory for the OS file system and to the root for a MemFS. Files are
// created with mode 0644 and directories with 0755.
//
// Errors are those of package os: an *fs.PathError (an *os.LinkError for
// Rename) wrapping a syscall.Errno, so errors.Is(err, fs.ErrNotExist),
// errors.Is(err, syscall.ENOSPC) and the like work the same for every
// implementation.
//
// An FS is safe for concurrent use by multiple goroutines.
type FS interface {
	// Create creates the named file, or truncates it if it exists, and opens
	// it for reading and writing at offset 0 (O_RDWR|O_CREATE|O_TRUNC).
	// The new directory entry is durable only after SyncDir of its parent.
	Create(name string) (File, error)

	// Open opens the named file for reading (O_RDONLY). As on Unix, a
	// directory can be opened; reading it fails with EISDIR.
	Open(name string) (File, error)

	// OpenAppend opens the named file for appending, creating it if it does
	// not exist (O_WRONLY|O_APPEND|O_CREATE): every Write goes to the end of
	// the file, whatever Truncate did before. This is how the AOF is written.
	OpenAppend(name string) (File, error)

	// Rename renames oldname to newname, atomically replacing newname if it
	// is a file. It fails with EEXIST if newname is a directory. The change
	// is durable only after SyncDir of both parents.
	Rename(oldname, newname string) error

	// Remove removes the named file or empty directory. Open files stay
	// usable. The removal is durable only after SyncDir of the parent.
	Remove(name string) error

	// MkdirAll creates the directory dir and any missing parents, and does
	// nothing if dir already exists. The new entries are durable only after
	// SyncDir of each new directory's parent.
	MkdirAll(dir string) error

	// List returns the names of the entries of dir, sorted, without "." and
	// "..".
	List(dir string) ([]string, error)

	// Stat returns the FileInfo of the named file or directory.
	Stat(name string) (fs.FileInfo, error)

	// Truncate changes the size of the named file, cutting its tail or
	// extending it with zeros. Like any change to a file's contents it is
	// durable only after a File.Sync of that file.
	Truncate(name string, size int64) error

	// SyncDir makes the entries of directory dir durable: the files created
	// in it, renamed into or out of it, and removed from it.
	SyncDir(dir string) error

	// Lock locks the named file, creating it if needed, so that one process
	// at a time uses a data directory. If the file is already locked, by
	// another process or by an unclosed Lock in this process, it fails at
	// once with an *fs.PathError wrapping ErrLocked. Closing the returned
	// io.Closer releases the lock; the lock is also released when the
	// process exits. The file itself is not removed.
	Lock(name string) (io.Closer, error)
}

// File is an open file of an FS.
//
// Errors are *fs.PathError values as those of *os.File. Every method of a
// closed file fails with an error wrapping fs.ErrClosed. A file opened by
// FS.Open is read-only: Write fails with EBADF and Truncate with EINVAL. A
// file opened by FS.OpenAppend is write-only: Read and ReadAt fail with EBADF.
//
// Concurrency: Sync, Stat and ReadAt may be called at any time from any
// goroutine, including while another goroutine is in Write: one goroutine
// appends while another syncs, as the AOF appender does. A Sync makes durable
// at least every Write that returned before the Sync started. Read, Write,
// WriteAt and Truncate change the file or its offset and must be called by
// one goroutine at a time. Close must be the last call: it must not overlap any other.
type File interface {
	// Read reads from the current offset and advances it, as io.Reader; at
	// the end of the file it returns 0, io.EOF.
	io.Reader

	// ReadAt reads at off without using or changing the offset, as
	// io.ReaderAt: if it reads fewer than len(p) bytes the error says why
	// (io.EOF at the end of the file).
	io.ReaderAt

	// Write writes at the current offset, or at the end of the file for
	// OpenAppend, and advances the offset. As write(2) on a full disk, it
	// may write part of p and fail: n bytes are then in the file.
	io.Writer

	// WriteAt writes p at off without using or changing the offset, as
	// io.WriterAt, extending the file if it ends before off+len(p). It
	// writes in place in a file opened by OpenAppend too, where pwrite(2)
	// would append on Linux: the AOF appender rewrites the bytes a failed
	// sync may have lost where they are. Like Write, it may write part of
	// p and fail.
	io.WriterAt

	// Close closes the file. It does not sync it.
	io.Closer

	// Sync makes the file's contents and size durable. It does not make the
	// file's directory entry durable: see FS.SyncDir.
	Sync() error

	// Stat returns the file's FileInfo.
	Stat() (fs.FileInfo, error)

	// Truncate changes the size of the file, as FS.Truncate. It does not
	// move the offset.
	Truncate(size int64) error

	// Name returns the name the file was opened with.
	Name() string
}

// ReadFile reads the whole named file.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

var (
	_ FS = osFS{}
	_ FS = (*MemFS)(nil)
	_ FS = (*Faulty)(nil)
	_ FS = (*loggingFS)(nil)
)
