package vfs

import (
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
)

// Default is the FS of the operating system. It is stateless: code under
// test gets a MemFS, a Faulty or a logging FS passed in instead.
var Default FS = osFS{}

const (
	filePerm = 0o644
	dirPerm  = 0o755
)

type osFS struct{}

func (osFS) Create(name string) (File, error) {
	return openOS(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
}

func (osFS) Open(name string) (File, error) {
	return openOS(name, os.O_RDONLY)
}

func (osFS) OpenAppend(name string) (File, error) {
	return openOS(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
}

func openOS(name string, flag int) (File, error) {
	f, err := os.OpenFile(name, flag, filePerm)
	if err != nil {
		return nil, err
	}
	return osFile{f, flag&os.O_APPEND != 0}, nil
}

func (osFS) Rename(oldname, newname string) error   { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error               { return os.Remove(name) }
func (osFS) MkdirAll(dir string) error              { return os.MkdirAll(dir, dirPerm) }
func (osFS) Stat(name string) (fs.FileInfo, error)  { return os.Stat(name) }
func (osFS) Truncate(name string, size int64) error { return os.Truncate(name, size) }
func (osFS) Lock(name string) (io.Closer, error)    { return lockOS(name) }

func (osFS) List(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// SyncDir opens dir and fsyncs it, which makes its entries durable (Linux
// fsync(2): "calling fsync() on a file descriptor for the directory is also
// needed").
func (osFS) SyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && !fi.IsDir() {
		err = &fs.PathError{Op: "syncdir", Path: dir, Err: syscall.ENOTDIR}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// osFile is an *os.File whose Sync is fdatasync where the OS has it, and
// whose WriteAt writes in place when it was opened for appending.
type osFile struct {
	f      *os.File
	append bool
}

// WriteAt writes at off. In a file opened with O_APPEND, where pwrite(2)
// appends on Linux (and os.File refuses WriteAt), it writes through a
// second descriptor, opened by name without O_APPEND for the call: a sync
// of either descriptor syncs the file. (The name must still be the
// file's, as it is for the AOF appender, the one user.)
func (f osFile) WriteAt(p []byte, off int64) (int, error) {
	if !f.append {
		return f.f.WriteAt(p, off)
	}
	if _, err := f.f.Stat(); err != nil { // closed
		return 0, err
	}
	w, err := os.OpenFile(f.f.Name(), os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	n, err := w.WriteAt(p, off)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func (f osFile) Read(p []byte) (int, error)              { return f.f.Read(p) }
func (f osFile) ReadAt(p []byte, off int64) (int, error) { return f.f.ReadAt(p, off) }
func (f osFile) Write(p []byte) (int, error)             { return f.f.Write(p) }
func (f osFile) Close() error                            { return f.f.Close() }
func (f osFile) Sync() error                             { return datasync(f.f) }
func (f osFile) Stat() (fs.FileInfo, error)              { return f.f.Stat() }
func (f osFile) Truncate(size int64) error               { return f.f.Truncate(size) }
func (f osFile) Name() string                            { return f.f.Name() }
