package compact

import (
	"hash/maphash"
	"strconv"
)

// Dups detects repeated element texts, for the rules that a set's members,
// a hash's fields and a zset's members are unique. Texts are compared as
// Redis compares them, by their text (AppendText): the integer 12 and the
// string "12" are the same member.
//
// The zero value is empty and ready to use. Dups copies the texts it is
// given into one reusable buffer and indexes them in an open-addressing
// table, so after Reset it does not allocate again until it holds more
// than it has held before; its memory is proportional to the texts added,
// never to a count read from a blob. A Dups must not be used by several
// goroutines at once.
type Dups struct {
	seed  maphash.Seed
	text  []byte   // all texts added, back to back
	slots []dupRef // len is 0 or a power of 2; a zero end means empty
	n     int
}

type dupRef struct{ start, end int }

// Reset empties d, keeping its memory.
func (d *Dups) Reset() {
	d.text = d.text[:0]
	clear(d.slots)
	d.n = 0
}

// Len returns the number of distinct texts added since the last Reset.
func (d *Dups) Len() int { return d.n }

// Add adds e's text and reports whether it was already present.
func (d *Dups) Add(e Element) (dup bool) {
	if !e.IsInt {
		return d.AddBytes(e.Str)
	}
	var buf [maxIntText]byte
	return d.AddBytes(strconv.AppendInt(buf[:0], e.Int, 10))
}

// AddBytes adds s and reports whether it was already present.
func (d *Dups) AddBytes(s []byte) (dup bool) {
	if d.n >= len(d.slots)/2 {
		d.grow()
	}
	h := maphash.Bytes(d.seed, s)
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		r := d.slots[i]
		if r.end == 0 {
			start := len(d.text)
			d.text = append(d.text, s...)
			// A zero-length text still needs a non-zero end: offset the
			// stored positions by 1.
			d.slots[i] = dupRef{start + 1, len(d.text) + 1}
			d.n++
			return false
		}
		if string(d.text[r.start-1:r.end-1]) == string(s) {
			return true
		}
	}
}

func (d *Dups) grow() {
	if len(d.slots) == 0 {
		d.seed = maphash.MakeSeed()
		d.slots = make([]dupRef, 16)
		return
	}
	old := d.slots
	d.slots = make([]dupRef, 2*len(old))
	mask := uint64(len(d.slots) - 1)
	for _, r := range old {
		if r.end == 0 {
			continue
		}
		i := maphash.Bytes(d.seed, d.text[r.start-1:r.end-1]) & mask
		for d.slots[i].end != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = r
	}
}
