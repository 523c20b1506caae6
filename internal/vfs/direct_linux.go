package vfs

import (
	"io/fs"
	"os"
	"syscall"
)

// OpenDirect implements DirectFS: O_RDWR|O_DIRECT|O_DSYNC.
func (osFS) OpenDirect(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|syscall.O_DIRECT|syscall.O_DSYNC, 0)
	if err != nil {
		return nil, err
	}
	return directFile{osFile{f: f}}, nil
}

// directFile is an osFile opened with O_DIRECT: its Write fails, as
// the doc of OpenDirect says (the OS would take an aligned one).
type directFile struct{ osFile }

func (f directFile) Write(p []byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: f.f.Name(), Err: syscall.EINVAL}
}

// WriteAt checks the alignment itself, so that a misaligned write fails
// with EINVAL on every file system, as it does on a MemFS.
func (f directFile) WriteAt(p []byte, off int64) (int, error) {
	if !aligned(p, off) {
		return 0, &fs.PathError{Op: "writeat", Path: f.f.Name(), Err: syscall.EINVAL}
	}
	n, err := f.f.WriteAt(p, off)
	if syncDelay > 0 { // a durable write is a sync too (see datasync)
		ts := syscall.NsecToTimespec(int64(syncDelay))
		syscall.Nanosleep(&ts, nil)
	}
	return n, err
}
