package vfs

import (
	"io/fs"
	"os"
	"syscall"
	"time"
)

// datasync is fdatasync(2), as Redis's redis_fsync on Linux. It is enough
// for files that grow by appending: fdatasync flushes the data and the
// metadata needed to read it back, which includes the file size when it
// changed (fdatasync(2): "for example, changes to st_atime or st_mtime ...
// do not require flushing because they are not necessary for a subsequent
// data read to be handled correctly. On the other hand, a change to the file
// size (st_size, as made by say ftruncate(2)), would require a metadata
// flush."). It skips only the timestamps, which aofrdb never reads. The
// directory entry is a different matter: FS.SyncDir.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: err}
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		for {
			serr = syscall.Fdatasync(int(fd))
			if serr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		// Control fails only when the file is closed or being closed.
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: fs.ErrClosed}
	}
	if syncDelay > 0 {
		ts := syscall.NsecToTimespec(int64(syncDelay))
		syscall.Nanosleep(&ts, nil) // the thread waits, as in fdatasync
	}
	if serr != nil {
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: serr}
	}
	return nil
}

// syncDelay is how long datasync sleeps after each fdatasync, to make
// the disk look slower: zero, except in a build with the
// aofrdb_slowsync tag, which takes it from AOFRDB_SYNC_DELAY (see
// bench/always.sh).
var syncDelay time.Duration
