package vfs

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
)

// CrashOptions say what survives a simulated crash besides the synced state.
type CrashOptions struct {
	// KeepUnsynced is the probability, from 0 to 1, that a file or
	// directory with unsynced changes keeps some of them. Zero, the default,
	// keeps exactly the synced state.
	//
	// A file that keeps some has its current contents cut at a random
	// length between its common prefix with the synced contents and its
	// current size: for a file that was only appended to, the synced
	// contents and a random prefix of the unsynced tail, as a real file
	// system loses the tail. A directory that keeps some has its synced
	// entries with a random non-empty prefix of its unsynced changes
	// (creates, removes, renames) applied in order.
	KeepUnsynced float64

	// Seed seeds the random choices: the same MemFS state, options and seed
	// give the same clone.
	Seed uint64
}

// CrashClone returns a new MemFS holding what a power loss would leave of
// m: the entries of each directory as of its last SyncDir, reached from the
// root through such entries, and the contents of each file as of its last
// Sync, plus what opts keeps of the rest. Everything in the clone is
// synced, nothing in it is open or locked, and m is unchanged.
func (m *MemFS) CrashClone(opts CrashOptions) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := crasher{
		keep:   opts.KeepUnsynced,
		rng:    rand.New(rand.NewPCG(opts.Seed, 0x766673)),
		copies: make(map[*memNode]*memNode),
	}
	clone := NewMem()
	clone.root = c.clone(m.root)
	return clone
}

type crasher struct {
	keep   float64
	rng    *rand.Rand
	copies map[*memNode]*memNode // original to clone, to keep links linked
}

// keepSome reports whether a node with unsynced changes keeps some.
func (c *crasher) keepSome() bool {
	return c.keep > 0 && c.rng.Float64() < c.keep
}

// clone returns the crash survivor of n, or nil for a directory reached a
// second time: a crash between the SyncDirs of a directory's old and new
// parent can leave it in both, and a directory can have only one.
func (c *crasher) clone(n *memNode) *memNode {
	if cp, ok := c.copies[n]; ok {
		if n.dir {
			return nil
		}
		return cp
	}
	if !n.dir {
		cp := newMemFile()
		cp.modTime = n.modTime
		cp.data = c.contents(n)
		cp.synced = bytes.Clone(cp.data)
		c.copies[n] = cp
		return cp
	}
	cp := newMemDir()
	cp.modTime = n.modTime
	c.copies[n] = cp
	entries := c.entries(n)
	for _, name := range slices.Sorted(maps.Keys(entries)) { // sorted: reproducible
		if child := c.clone(entries[name]); child != nil {
			cp.entries[name] = child
		}
	}
	cp.syncedEntries = maps.Clone(cp.entries)
	return cp
}

// contents returns what a crash leaves of file n's contents.
func (c *crasher) contents(n *memNode) []byte {
	syn, cur := n.synced, n.data
	if bytes.Equal(syn, cur) || !c.keepSome() {
		return bytes.Clone(syn)
	}
	common := 0
	for common < min(len(syn), len(cur)) && syn[common] == cur[common] {
		common++
	}
	size := common + c.rng.IntN(len(cur)-common+1)
	return bytes.Clone(cur[:size])
}

// entries returns what a crash leaves of directory n's entries.
func (c *crasher) entries(n *memNode) map[string]*memNode {
	e := maps.Clone(n.syncedEntries)
	if len(n.pending) == 0 || !c.keepSome() {
		return e
	}
	for _, ch := range n.pending[:1+c.rng.IntN(len(n.pending))] {
		for _, de := range ch {
			if de.node == nil {
				delete(e, de.name)
			} else {
				e[de.name] = de.node
			}
		}
	}
	return e
}
