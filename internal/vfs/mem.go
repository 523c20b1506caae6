package vfs

import (
	"bytes"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MemFS is a strict in-memory FS that remembers what is durable, for tests.
//
// It keeps, for each file, its current contents and its contents as of the
// last File.Sync, and for each directory, its current entries and its entries
// as of the last SyncDir. CrashClone returns the state a power loss would
// leave. It fails where the OS fails, with the same errors (see FS), so that
// code tested on a MemFS behaves the same on disk.
//
// Names are cleaned and taken from the root: "a/b", "/a/b" and "./a/b" are
// the same file. There are no symbolic links, permissions or owners. A file
// holds at most 1 GiB: writing or truncating beyond fails with EFBIG rather
// than exhausting memory on a bogus size.
//
// A MemFS is safe for concurrent use; every operation holds one mutex.
type MemFS struct {
	mu   sync.Mutex
	root *memNode
	open map[io.Closer]string // open files and locks, for OpenFiles
}

// NewMem returns an empty MemFS: a root directory with nothing in it.
func NewMem() *MemFS {
	return &MemFS{root: newMemDir(), open: make(map[io.Closer]string)}
}

// memNode is an inode: a file or a directory. Several names may refer to
// one node, for example the old and the new name of a renamed file after a
// crash that kept only one directory's changes.
type memNode struct {
	dir     bool
	modTime time.Time

	// A regular file.
	data   []byte // current contents
	synced []byte // contents as of the last Sync: what a crash keeps
	locked bool   // by FS.Lock

	// A directory. Applying pending to synced gives entries.
	entries       map[string]*memNode // current entries
	syncedEntries map[string]*memNode // entries as of the last SyncDir
	pending       []dirChange         // changes since the last SyncDir, in order
}

// dirChange is one operation on a directory's entries: a create or remove
// sets one entry, a rename within the directory two. A crash keeps a
// directory's synced entries and, optionally, a prefix of its changes.
type dirChange []dirEntry

// dirEntry sets name to node, or removes name if node is nil.
type dirEntry struct {
	name string
	node *memNode
}

func newMemDir() *memNode {
	return &memNode{
		dir:           true,
		modTime:       time.Now(),
		entries:       make(map[string]*memNode),
		syncedEntries: make(map[string]*memNode),
	}
}

func newMemFile() *memNode { return &memNode{modTime: time.Now()} }

// change applies a change to directory d and records it as pending.
func (d *memNode) change(c ...dirEntry) {
	for _, e := range c {
		if e.node == nil {
			delete(d.entries, e.name)
		} else {
			d.entries[e.name] = e.node
		}
	}
	d.pending = append(d.pending, c)
	d.modTime = time.Now()
}

// sync makes node n durable: a file's contents or a directory's entries.
func (n *memNode) sync() {
	if n.dir {
		n.syncedEntries = maps.Clone(n.entries)
		n.pending = nil
		return
	}
	n.synced = bytes.Clone(n.data)
}

func (n *memNode) info(name string) fs.FileInfo {
	fi := &memInfo{name: filepath.Base(name), size: int64(len(n.data)), mode: filePerm, modTime: n.modTime}
	if n.dir {
		fi.size = 0
		fi.mode = fs.ModeDir | dirPerm
	}
	return fi
}

// memMaxSize is the largest size of a MemFS file.
const memMaxSize = 1 << 30

// resize returns d cut or extended with zeros to size bytes.
func resize(d []byte, size int64) []byte {
	if size <= int64(len(d)) {
		return d[:size]
	}
	old := len(d)
	d = slices.Grow(d, int(size)-old)[:size]
	clear(d[old:]) // the array may hold bytes of an earlier truncation
	return d
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// split returns the components of name from the root; none for the root.
func split(name string) []string {
	p := path.Clean("/" + filepath.ToSlash(name))
	if p == "/" {
		return nil
	}
	return strings.Split(p[1:], "/")
}

// walk returns the node at the path made of parts. Errors are PathErrors
// for op and name.
func (m *MemFS) walk(op, name string, parts []string) (*memNode, error) {
	if name == "" {
		return nil, pathErr(op, name, syscall.ENOENT)
	}
	n := m.root
	for _, p := range parts {
		if !n.dir {
			return nil, pathErr(op, name, syscall.ENOTDIR)
		}
		if n = n.entries[p]; n == nil {
			return nil, pathErr(op, name, syscall.ENOENT)
		}
	}
	return n, nil
}

// parent returns the directory that holds the last of parts, which must not
// be empty.
func (m *MemFS) parent(op, name string, parts []string) (*memNode, error) {
	d, err := m.walk(op, name, parts[:len(parts)-1])
	if err != nil {
		return nil, err
	}
	if !d.dir {
		return nil, pathErr(op, name, syscall.ENOTDIR)
	}
	return d, nil
}

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	return m.openFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
}

// Open implements FS.
func (m *MemFS) Open(name string) (File, error) {
	return m.openFile(name, os.O_RDONLY)
}

// OpenAppend implements FS.
func (m *MemFS) OpenAppend(name string) (File, error) {
	return m.openFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
}

// OpenDirect implements DirectFS. Each WriteAt of the file is synced
// before it returns, and fails with EINVAL unless it is aligned as
// OpenDirect says.
func (m *MemFS) OpenDirect(name string) (File, error) {
	f, err := m.openFile(name, os.O_RDWR)
	if err != nil {
		return nil, err
	}
	f.(*memFile).direct = true
	return f, nil
}

func (m *MemFS) openFile(name string, flag int) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupOrCreate(name, flag)
	if err != nil {
		return nil, err
	}
	f := &memFile{
		fs:       m,
		node:     n,
		name:     name,
		readable: flag&(os.O_WRONLY|os.O_RDWR) != os.O_WRONLY,
		writable: flag&(os.O_WRONLY|os.O_RDWR) != 0,
		append:   flag&os.O_APPEND != 0,
	}
	m.open[f] = name
	return f, nil
}

// lookupOrCreate returns the node to open for name with flag, as open(2).
func (m *MemFS) lookupOrCreate(name string, flag int) (*memNode, error) {
	parts := split(name)
	var n *memNode
	if len(parts) == 0 {
		var err error
		if n, err = m.walk("open", name, nil); err != nil {
			return nil, err
		}
	} else {
		d, err := m.parent("open", name, parts)
		if err != nil {
			return nil, err
		}
		base := parts[len(parts)-1]
		if n = d.entries[base]; n == nil {
			if flag&os.O_CREATE == 0 {
				return nil, pathErr("open", name, syscall.ENOENT)
			}
			n = newMemFile()
			d.change(dirEntry{base, n})
		}
	}
	if n.dir && flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, pathErr("open", name, syscall.EISDIR)
	}
	if flag&os.O_TRUNC != 0 && len(n.data) > 0 {
		n.data = nil
		n.modTime = time.Now()
	}
	return n, nil
}

// Rename implements FS, with os.Rename's errors.
func (m *MemFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	linkErr := func(err error) error {
		if pe, ok := err.(*fs.PathError); ok {
			err = pe.Err
		}
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	op, np := split(oldname), split(newname)
	if oldname == "" || newname == "" {
		return linkErr(syscall.ENOENT)
	}
	if len(op) == 0 || len(np) == 0 {
		return linkErr(syscall.EBUSY)
	}
	od, err := m.parent("rename", oldname, op)
	if err != nil {
		return linkErr(err)
	}
	obase := op[len(op)-1]
	n := od.entries[obase]
	if n == nil {
		return linkErr(syscall.ENOENT)
	}
	nd, err := m.parent("rename", newname, np)
	if err != nil {
		return linkErr(err)
	}
	nbase := np[len(np)-1]
	target := nd.entries[nbase]
	switch {
	case target != nil && target.dir && (target != n || oldname == newname):
		// os.Rename refuses to replace a directory.
		return linkErr(syscall.EEXIST)
	case target == n:
		return nil // rename(2) of a file onto itself does nothing
	case n.dir && target != nil:
		return linkErr(syscall.ENOTDIR)
	case n.dir && len(np) > len(op) && slices.Equal(np[:len(op)], op):
		return linkErr(syscall.EINVAL) // into its own subdirectory
	}
	if od == nd {
		od.change(dirEntry{obase, nil}, dirEntry{nbase, n})
	} else {
		od.change(dirEntry{obase, nil})
		nd.change(dirEntry{nbase, n})
	}
	return nil
}

// Remove implements FS.
func (m *MemFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	parts := split(name)
	if name == "" {
		return pathErr("remove", name, syscall.ENOENT)
	}
	if len(parts) == 0 {
		return pathErr("remove", name, syscall.EBUSY)
	}
	d, err := m.parent("remove", name, parts)
	if err != nil {
		return err
	}
	base := parts[len(parts)-1]
	n := d.entries[base]
	switch {
	case n == nil:
		return pathErr("remove", name, syscall.ENOENT)
	case n.dir && len(n.entries) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	d.change(dirEntry{base, nil})
	return nil
}

// MkdirAll implements FS.
func (m *MemFS) MkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if dir == "" {
		return pathErr("mkdir", dir, syscall.ENOENT)
	}
	n := m.root
	for _, p := range split(dir) {
		c := n.entries[p]
		switch {
		case c == nil:
			c = newMemDir()
			n.change(dirEntry{p, c})
		case !c.dir:
			return pathErr("mkdir", dir, syscall.ENOTDIR)
		}
		n = c
	}
	return nil
}

// List implements FS.
func (m *MemFS) List(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.walk("open", dir, split(dir))
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, pathErr("readdirent", dir, syscall.ENOTDIR)
	}
	return slices.Sorted(maps.Keys(n.entries)), nil
}

// Stat implements FS.
func (m *MemFS) Stat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.walk("stat", name, split(name))
	if err != nil {
		return nil, err
	}
	return n.info(name), nil
}

// Truncate implements FS.
func (m *MemFS) Truncate(name string, size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.walk("truncate", name, split(name))
	if err != nil {
		return err
	}
	return n.truncate(name, size)
}

func (n *memNode) truncate(name string, size int64) error {
	switch {
	case n.dir:
		return pathErr("truncate", name, syscall.EISDIR)
	case size < 0:
		return pathErr("truncate", name, syscall.EINVAL)
	case size > memMaxSize:
		return pathErr("truncate", name, syscall.EFBIG)
	}
	n.data = resize(n.data, size)
	n.modTime = time.Now()
	return nil
}

// SyncDir implements FS.
func (m *MemFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.walk("open", dir, split(dir))
	if err != nil {
		return err
	}
	if !n.dir {
		return pathErr("syncdir", dir, syscall.ENOTDIR)
	}
	n.sync()
	return nil
}

// Lock implements FS. Locks are per file (inode), as flock: a renamed lock
// file stays locked. A CrashClone has no locks, as a restarted process.
func (m *MemFS) Lock(name string) (io.Closer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupOrCreate(name, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	if n.locked {
		return nil, pathErr("lock", name, ErrLocked)
	}
	n.locked = true
	l := &memLock{fs: m, node: n, name: name}
	m.open[l] = name
	return l, nil
}

type memLock struct {
	fs     *MemFS
	node   *memNode
	name   string
	closed bool
}

func (l *memLock) Close() error {
	l.fs.mu.Lock()
	defer l.fs.mu.Unlock()
	if l.closed {
		return pathErr("close", l.name, fs.ErrClosed)
	}
	l.closed = true
	l.node.locked = false
	delete(l.fs.open, l)
	return nil
}

// OpenFiles returns the names of the files and locks that are open, sorted,
// so that a test can check that nothing leaked.
func (m *MemFS) OpenFiles() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Values(m.open))
}

// memFile is an open file of a MemFS. Its methods hold the MemFS's mutex.
type memFile struct {
	fs       *MemFS
	node     *memNode
	name     string
	readable bool
	writable bool
	append   bool
	direct   bool // OpenDirect
	pos      int64
	closed   bool
}

// check returns the error of operation op on f, if f is closed or opened
// without the access op needs.
func (f *memFile) check(op string, read, write bool) error {
	switch {
	case f.closed:
		return pathErr(op, f.name, fs.ErrClosed)
	case read && !f.readable, write && !f.writable:
		return pathErr(op, f.name, syscall.EBADF)
	case read && f.node.dir:
		return pathErr(op, f.name, syscall.EISDIR)
	}
	return nil
}

func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read", true, false); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.pos >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[f.pos:])
	f.pos += int64(n)
	return n, nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read", true, false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, syscall.EINVAL)
	}
	n := 0
	if off < int64(len(f.node.data)) {
		n = copy(p, f.node.data[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("write", false, true); err != nil {
		return 0, err
	}
	if f.direct {
		return 0, pathErr("write", f.name, syscall.EINVAL)
	}
	d := f.node.data
	if f.append {
		f.pos = int64(len(d))
	}
	end := f.pos + int64(len(p))
	if end > memMaxSize {
		return 0, pathErr("write", f.name, syscall.EFBIG)
	}
	if end > int64(len(d)) {
		d = resize(d, end)
	}
	copy(d[f.pos:], p)
	f.node.data = d
	f.node.modTime = time.Now()
	f.pos = end
	return len(p), nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("writeat", false, true); err != nil {
		return 0, err
	}
	if off < 0 || f.direct && !aligned(p, off) {
		return 0, pathErr("writeat", f.name, syscall.EINVAL)
	}
	end := off + int64(len(p))
	if end > memMaxSize {
		return 0, pathErr("writeat", f.name, syscall.EFBIG)
	}
	d := f.node.data
	if end > int64(len(d)) {
		d = resize(d, end)
	}
	copy(d[off:], p)
	f.node.data = d
	f.node.modTime = time.Now()
	if f.direct {
		f.node.sync()
	}
	return len(p), nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("sync", false, false); err != nil {
		return err
	}
	f.node.sync()
	return nil
}

func (f *memFile) Stat() (fs.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("stat", false, false); err != nil {
		return nil, err
	}
	return f.node.info(f.name), nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("truncate", false, false); err != nil {
		return err
	}
	if !f.writable {
		// ftruncate(2) of a descriptor not open for writing.
		return pathErr("truncate", f.name, syscall.EINVAL)
	}
	return f.node.truncate(f.name, size)
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return pathErr("close", f.name, fs.ErrClosed)
	}
	f.closed = true
	delete(f.fs.open, f)
	return nil
}

func (f *memFile) Name() string { return f.name }

type memInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (fi *memInfo) Name() string       { return fi.name }
func (fi *memInfo) Size() int64        { return fi.size }
func (fi *memInfo) Mode() fs.FileMode  { return fi.mode }
func (fi *memInfo) ModTime() time.Time { return fi.modTime }
func (fi *memInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi *memInfo) Sys() any           { return nil }
