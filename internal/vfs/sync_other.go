//go:build !linux

package vfs

import "os"

// datasync is (*os.File).Sync where there is no fdatasync: fsync(2), or
// fcntl(F_FULLFSYNC) on Darwin.
func datasync(f *os.File) error { return f.Sync() }
