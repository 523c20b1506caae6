package vfs

import (
	"errors"
	"io/fs"
	"unsafe"
)

// DirectAlign is the alignment of direct writes (see OpenDirect): the
// offset, the length and the buffer's address of each WriteAt are
// multiples of it. It is the largest logical block size of common
// disks, so that it suits those with 512-byte blocks too.
const DirectAlign = 4096

// DirectFS is implemented by the file systems that can open a file for
// direct, durable writes: the OS on Linux, MemFS, and Faulty and the
// logging FS when the FS they wrap can. Use OpenDirect.
type DirectFS interface {
	OpenDirect(name string) (File, error)
}

// OpenDirect opens the named file, which must exist, for direct,
// durable writes (O_RDWR|O_DIRECT|O_DSYNC on Linux): each WriteAt
// returns once its bytes are on stable storage, as a WriteAt followed by
// a Sync would, without passing through the page cache. Writing over
// blocks that the file already holds, and that were synced, changes no
// metadata, so such a write costs one write to the disk and its cache
// flush, where an append and fdatasync cost a journal commit too.
//
// The offset, the length and the buffer's address of each WriteAt must
// be multiples of DirectAlign (AlignedBuffer gives such buffers), or it
// fails with EINVAL. Write and Read are not for such files: Write fails
// with EINVAL. Stat, Sync, Truncate and Close work as for any File.
//
// It fails with an error wrapping errors.ErrUnsupported when fsys has no
// direct writes, and with the OS's error (EINVAL for one) when the file
// system of the file has none.
func OpenDirect(fsys FS, name string) (File, error) {
	d, ok := fsys.(DirectFS)
	if !ok {
		return nil, &fs.PathError{Op: "opendirect", Path: name, Err: errors.ErrUnsupported}
	}
	return d.OpenDirect(name)
}

// AlignedBuffer returns a zeroed buffer of n bytes whose address is a
// multiple of DirectAlign, for the WriteAt of a file opened by
// OpenDirect.
func AlignedBuffer(n int) []byte {
	b := make([]byte, n+DirectAlign)
	skip := 0
	if r := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % DirectAlign); r != 0 {
		skip = DirectAlign - r
	}
	return b[skip : skip+n : skip+n]
}

// aligned reports whether p at off suits a direct write.
func aligned(p []byte, off int64) bool {
	return off%DirectAlign == 0 && len(p)%DirectAlign == 0 &&
		(len(p) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(p)))%DirectAlign == 0)
}
