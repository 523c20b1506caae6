//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package vfs

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Where there is no flock, Lock only excludes other Locks in this process:
// it keeps a table of the locked files' absolute paths. Another process can
// take the same lock.
var processLocks struct {
	sync.Mutex
	held map[string]bool
}

func lockOS(name string) (io.Closer, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, &fs.PathError{Op: "lock", Path: name, Err: err}
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, err
	}
	processLocks.Lock()
	defer processLocks.Unlock()
	if processLocks.held[abs] {
		f.Close()
		return nil, &fs.PathError{Op: "lock", Path: name, Err: ErrLocked}
	}
	if processLocks.held == nil {
		processLocks.held = make(map[string]bool)
	}
	processLocks.held[abs] = true
	return &processLock{f: f, abs: abs}, nil
}

type processLock struct {
	f   *os.File
	abs string
}

func (l *processLock) Close() error {
	err := l.f.Close()
	if err == nil {
		processLocks.Lock()
		delete(processLocks.held, l.abs)
		processLocks.Unlock()
	}
	return err
}
