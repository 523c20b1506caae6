package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

// NewLogging returns an FS that passes every operation to fsys and writes
// one line to w for each that matters to durability, once it has returned:
//
//	create NAME
//	openappend NAME
//	opendirect NAME
//	write NAME N          N is the number of bytes written
//	writeat NAME OFF N
//	sync NAME
//	ftruncate NAME SIZE   File.Truncate
//	close NAME
//	rename OLD NEW
//	remove NAME
//	mkdirall DIR
//	truncate NAME SIZE
//	syncdir DIR
//
// A failed operation's line ends with ": " and the error's reason, as in
// "sync a/b: no space left on device". Reads, listings, stats, locks and
// files opened by Open are not logged. Tests pin the order of durability
// steps by comparing the output to a golden file. Lines are written whole,
// one at a time; errors writing to w are ignored.
func NewLogging(fsys FS, w io.Writer) FS {
	return &loggingFS{fs: fsys, w: w}
}

type loggingFS struct {
	fs FS
	mu sync.Mutex
	w  io.Writer
}

func (l *loggingFS) log(err error, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if err != nil {
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			err = pe.Err
		case errors.As(err, &le):
			err = le.Err
		}
		line += ": " + err.Error()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, line+"\n")
}

func (l *loggingFS) Create(name string) (File, error) {
	f, err := l.fs.Create(name)
	l.log(err, "create %s", name)
	return l.wrap(f, err)
}

func (l *loggingFS) Open(name string) (File, error) { return l.fs.Open(name) }

func (l *loggingFS) OpenAppend(name string) (File, error) {
	f, err := l.fs.OpenAppend(name)
	l.log(err, "openappend %s", name)
	return l.wrap(f, err)
}

// OpenDirect implements DirectFS when the FS it wraps does; it logs
// "opendirect NAME", and the file's writes as "writeat NAME OFF N".
func (l *loggingFS) OpenDirect(name string) (File, error) {
	f, err := OpenDirect(l.fs, name)
	l.log(err, "opendirect %s", name)
	return l.wrap(f, err)
}

func (l *loggingFS) wrap(f File, err error) (File, error) {
	if err != nil {
		return nil, err
	}
	return &loggingFile{file: f, fs: l}, nil
}

func (l *loggingFS) Rename(oldname, newname string) error {
	err := l.fs.Rename(oldname, newname)
	l.log(err, "rename %s %s", oldname, newname)
	return err
}

func (l *loggingFS) Remove(name string) error {
	err := l.fs.Remove(name)
	l.log(err, "remove %s", name)
	return err
}

func (l *loggingFS) MkdirAll(dir string) error {
	err := l.fs.MkdirAll(dir)
	l.log(err, "mkdirall %s", dir)
	return err
}

func (l *loggingFS) List(dir string) ([]string, error)     { return l.fs.List(dir) }
func (l *loggingFS) Stat(name string) (fs.FileInfo, error) { return l.fs.Stat(name) }

func (l *loggingFS) Truncate(name string, size int64) error {
	err := l.fs.Truncate(name, size)
	l.log(err, "truncate %s %d", name, size)
	return err
}

func (l *loggingFS) SyncDir(dir string) error {
	err := l.fs.SyncDir(dir)
	l.log(err, "syncdir %s", dir)
	return err
}

func (l *loggingFS) Lock(name string) (io.Closer, error) { return l.fs.Lock(name) }

type loggingFile struct {
	file File
	fs   *loggingFS
}

func (f *loggingFile) Read(p []byte) (int, error)              { return f.file.Read(p) }
func (f *loggingFile) ReadAt(p []byte, off int64) (int, error) { return f.file.ReadAt(p, off) }
func (f *loggingFile) Stat() (fs.FileInfo, error)              { return f.file.Stat() }
func (f *loggingFile) Name() string                            { return f.file.Name() }

func (f *loggingFile) Write(p []byte) (int, error) {
	n, err := f.file.Write(p)
	f.fs.log(err, "write %s %d", f.file.Name(), n)
	return n, err
}

func (f *loggingFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.file.WriteAt(p, off)
	f.fs.log(err, "writeat %s %d %d", f.file.Name(), off, n)
	return n, err
}

func (f *loggingFile) Sync() error {
	err := f.file.Sync()
	f.fs.log(err, "sync %s", f.file.Name())
	return err
}

func (f *loggingFile) Truncate(size int64) error {
	err := f.file.Truncate(size)
	f.fs.log(err, "ftruncate %s %d", f.file.Name(), size)
	return err
}

func (f *loggingFile) Close() error {
	err := f.file.Close()
	f.fs.log(err, "close %s", f.file.Name())
	return err
}
