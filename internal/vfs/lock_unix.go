//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package vfs

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// lockOS takes flock(LOCK_EX|LOCK_NB) on the named file. flock locks belong
// to the open file description, so a second Lock of the same file conflicts
// even within one process, which is what Lock promises. The lock goes with
// the file descriptor: it is released by Close or when the process dies,
// so a crash never leaves a stale lock.
func lockOS(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "lock", Path: name, Err: err}
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if lerr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		lerr = err
	}
	if lerr != nil {
		f.Close()
		if lerr == syscall.EWOULDBLOCK {
			lerr = ErrLocked
		}
		return nil, &fs.PathError{Op: "lock", Path: name, Err: lerr}
	}
	return osLock{f}, nil
}

// osLock hides the lock file: its only use is Close.
type osLock struct{ f *os.File }

func (l osLock) Close() error { return l.f.Close() }
