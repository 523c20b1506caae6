package vfs

import (
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// Op is a kind of operation, as Faulty counts and matches them and the
// logging FS prints them.
type Op uint8

// The operations of FS, then those of File, then the Close of a Lock.
const (
	OpCreate Op = iota
	OpOpen
	OpOpenAppend
	OpRename
	OpRemove
	OpMkdirAll
	OpList
	OpStat
	OpTruncate
	OpSyncDir
	OpLock
	OpOpenDirect
	OpRead
	OpReadAt
	OpWrite
	OpWriteAt
	OpSync
	OpFileStat
	OpFileTruncate
	OpClose
	OpUnlock
)

var opNames = [...]string{
	OpCreate:       "create",
	OpOpen:         "open",
	OpOpenAppend:   "openappend",
	OpRename:       "rename",
	OpRemove:       "remove",
	OpMkdirAll:     "mkdirall",
	OpList:         "list",
	OpStat:         "stat",
	OpTruncate:     "truncate",
	OpSyncDir:      "syncdir",
	OpLock:         "lock",
	OpOpenDirect:   "opendirect",
	OpRead:         "read",
	OpReadAt:       "readat",
	OpWrite:        "write",
	OpWriteAt:      "writeat",
	OpSync:         "sync",
	OpFileStat:     "fstat",
	OpFileTruncate: "ftruncate",
	OpClose:        "close",
	OpUnlock:       "unlock",
}

// String returns the operation's name in lower case: "create", "sync",
// "syncdir", "ftruncate" (File.Truncate) and so on.
func (op Op) String() string {
	if int(op) < len(opNames) {
		return opNames[op]
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// Fault is how Faulty fails an operation.
type Fault uint8

const (
	// NoSpace fails the operation with ENOSPC.
	NoSpace Fault = iota + 1
	// IOError fails the operation with EIO.
	IOError
	// ShortWrite makes a Write or WriteAt write the first half of its
	// buffer, then fail with ENOSPC, as write(2) ends when it fills the
	// disk; the half stays in the file. Any other operation fails with
	// ENOSPC.
	ShortWrite
)

// String returns "ENOSPC", "EIO" or "short write".
func (f Fault) String() string {
	switch f {
	case NoSpace:
		return "ENOSPC"
	case IOError:
		return "EIO"
	case ShortWrite:
		return "short write"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

func (f Fault) errno() syscall.Errno {
	if f == IOError {
		return syscall.EIO
	}
	return syscall.ENOSPC
}

// Faulty is an FS that wraps another and makes chosen operations fail, for
// tests of error handling. It counts every operation of the FS and of the
// Files and locks it opened; an operation that it fails does nothing (but
// see ShortWrite and Close) and returns the fault's errno in an
// *fs.PathError (an *os.LinkError for Rename), so that
// errors.Is(err, syscall.ENOSPC) holds. A failed Close still closes the
// file, as close(2) does.
//
// The usual loop fails operation i of a workload for i = 0, 1, 2, ... until
// the workload runs without reaching operation i:
//
//	for i := int64(0); ; i++ {
//		ffs := vfs.NewFaulty(vfs.NewMem())
//		ffs.FailAt(i, vfs.IOError)
//		err := workload(ffs)
//		if ffs.Injected() == 0 {
//			break // i ops were enough: the workload is done
//		}
//		// check that err reports the fault and that the state is sound
//	}
//
// A Faulty is safe for concurrent use; the numbering of operations that
// start concurrently is their order of arrival.
type Faulty struct {
	fs FS

	mu         sync.Mutex
	disabled   bool
	ops        int64
	injected   int64
	at         int64 // index of the operation to fail, or -1
	atFault    Fault
	match      func(op Op, path string) bool
	matchFault Fault
}

// NewFaulty returns a Faulty wrapping fsys. It is enabled and fails
// nothing until FailAt or FailWhen says what to fail.
func NewFaulty(fsys FS) *Faulty {
	return &Faulty{fs: fsys, at: -1}
}

// FailAt makes operation n fail with fault. Operations are numbered from 0
// in the order they start while the Faulty is enabled, counting those
// before the call. A negative n cancels it.
func (f *Faulty) FailAt(n int64, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at, f.atFault = n, fault
}

// FailWhen makes every operation for which match returns true fail with
// fault, while the Faulty is enabled. match is called for every operation,
// even one that FailAt fails (so that it can also record them), with the
// operation and the name it acts on: the old name for Rename, the file's
// name for a File's methods. It may be called from several goroutines at
// once and must not call the Faulty's methods. A nil match cancels it.
func (f *Faulty) FailWhen(match func(op Op, path string) bool, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.match, f.matchFault = match, fault
}

// SetEnabled turns the Faulty on or off. While it is off, operations pass
// through: they are neither counted nor failed.
func (f *Faulty) SetEnabled(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disabled = !on
}

// Ops returns the number of operations that started while the Faulty was
// enabled.
func (f *Faulty) Ops() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// Injected returns the number of operations that the Faulty failed.
func (f *Faulty) Injected() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// next counts operation op on path and returns the fault to inject, or 0.
func (f *Faulty) next(op Op, path string) Fault {
	f.mu.Lock()
	if f.disabled {
		f.mu.Unlock()
		return 0
	}
	i := f.ops
	f.ops++
	var fault Fault
	if i == f.at {
		fault = f.atFault
	}
	match, matchFault := f.match, f.matchFault
	f.mu.Unlock()

	if match != nil && match(op, path) && fault == 0 {
		fault = matchFault
	}
	if fault != 0 {
		f.mu.Lock()
		f.injected++
		f.mu.Unlock()
	}
	return fault
}

// fail returns the error of an operation failed with fault, or nil.
func (f *Faulty) fail(op Op, path string) error {
	if fault := f.next(op, path); fault != 0 {
		return &fs.PathError{Op: op.String(), Path: path, Err: fault.errno()}
	}
	return nil
}

// Create implements FS.
func (f *Faulty) Create(name string) (File, error) {
	return f.open(OpCreate, name, f.fs.Create)
}

// Open implements FS.
func (f *Faulty) Open(name string) (File, error) {
	return f.open(OpOpen, name, f.fs.Open)
}

// OpenAppend implements FS.
func (f *Faulty) OpenAppend(name string) (File, error) {
	return f.open(OpOpenAppend, name, f.fs.OpenAppend)
}

// OpenDirect implements DirectFS when the FS it wraps does (see
// vfs.OpenDirect). A ShortWrite of the file's WriteAt writes the first
// half of its buffer rounded down to DirectAlign.
func (f *Faulty) OpenDirect(name string) (File, error) {
	file, err := f.open(OpOpenDirect, name, func(name string) (File, error) { return OpenDirect(f.fs, name) })
	if err != nil {
		return nil, err
	}
	file.(*faultyFile).direct = true
	return file, nil
}

func (f *Faulty) open(op Op, name string, open func(string) (File, error)) (File, error) {
	if err := f.fail(op, name); err != nil {
		return nil, err
	}
	file, err := open(name)
	if err != nil {
		return nil, err
	}
	return &faultyFile{file: file, fs: f}, nil
}

// Rename implements FS.
func (f *Faulty) Rename(oldname, newname string) error {
	if fault := f.next(OpRename, oldname); fault != 0 {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fault.errno()}
	}
	return f.fs.Rename(oldname, newname)
}

// Remove implements FS.
func (f *Faulty) Remove(name string) error {
	if err := f.fail(OpRemove, name); err != nil {
		return err
	}
	return f.fs.Remove(name)
}

// MkdirAll implements FS.
func (f *Faulty) MkdirAll(dir string) error {
	if err := f.fail(OpMkdirAll, dir); err != nil {
		return err
	}
	return f.fs.MkdirAll(dir)
}

// List implements FS.
func (f *Faulty) List(dir string) ([]string, error) {
	if err := f.fail(OpList, dir); err != nil {
		return nil, err
	}
	return f.fs.List(dir)
}

// Stat implements FS.
func (f *Faulty) Stat(name string) (fs.FileInfo, error) {
	if err := f.fail(OpStat, name); err != nil {
		return nil, err
	}
	return f.fs.Stat(name)
}

// Truncate implements FS.
func (f *Faulty) Truncate(name string, size int64) error {
	if err := f.fail(OpTruncate, name); err != nil {
		return err
	}
	return f.fs.Truncate(name, size)
}

// SyncDir implements FS.
func (f *Faulty) SyncDir(dir string) error {
	if err := f.fail(OpSyncDir, dir); err != nil {
		return err
	}
	return f.fs.SyncDir(dir)
}

// Lock implements FS.
func (f *Faulty) Lock(name string) (io.Closer, error) {
	if err := f.fail(OpLock, name); err != nil {
		return nil, err
	}
	l, err := f.fs.Lock(name)
	if err != nil {
		return nil, err
	}
	return &faultyLock{lock: l, fs: f, name: name}, nil
}

type faultyLock struct {
	lock io.Closer
	fs   *Faulty
	name string
}

func (l *faultyLock) Close() error {
	ferr := l.fs.fail(OpUnlock, l.name)
	if err := l.lock.Close(); err != nil {
		return err
	}
	return ferr
}

type faultyFile struct {
	file   File
	fs     *Faulty
	direct bool // OpenDirect
}

func (f *faultyFile) Read(p []byte) (int, error) {
	if err := f.fs.fail(OpRead, f.file.Name()); err != nil {
		return 0, err
	}
	return f.file.Read(p)
}

func (f *faultyFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.fail(OpReadAt, f.file.Name()); err != nil {
		return 0, err
	}
	return f.file.ReadAt(p, off)
}

func (f *faultyFile) Write(p []byte) (int, error) {
	return f.write(OpWrite, p, f.file.Write)
}

func (f *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	return f.write(OpWriteAt, p, func(p []byte) (int, error) { return f.file.WriteAt(p, off) })
}

// write runs a Write or WriteAt (op), failing it as the fault injected
// says.
func (f *faultyFile) write(op Op, p []byte, write func([]byte) (int, error)) (int, error) {
	fault := f.fs.next(op, f.file.Name())
	if fault == 0 {
		return write(p)
	}
	n := 0
	if fault == ShortWrite {
		half := len(p) / 2
		if f.direct {
			half &^= DirectAlign - 1
		}
		var err error
		if n, err = write(p[:half]); err != nil {
			return n, err
		}
	}
	return n, &fs.PathError{Op: op.String(), Path: f.file.Name(), Err: fault.errno()}
}

func (f *faultyFile) Sync() error {
	if err := f.fs.fail(OpSync, f.file.Name()); err != nil {
		return err
	}
	return f.file.Sync()
}

func (f *faultyFile) Stat() (fs.FileInfo, error) {
	if err := f.fs.fail(OpFileStat, f.file.Name()); err != nil {
		return nil, err
	}
	return f.file.Stat()
}

func (f *faultyFile) Truncate(size int64) error {
	if err := f.fs.fail(OpFileTruncate, f.file.Name()); err != nil {
		return err
	}
	return f.file.Truncate(size)
}

func (f *faultyFile) Close() error {
	ferr := f.fs.fail(OpClose, f.file.Name())
	if err := f.file.Close(); err != nil {
		return err
	}
	return ferr
}

func (f *faultyFile) Name() string { return f.file.Name() }
