package compact

import (
	"strconv"
	"testing"
)

func TestDups(t *testing.T) {
	var d Dups
	steps := []struct {
		e   Element
		dup bool
	}{
		{strElem("a"), false},
		{strElem("b"), false},
		{strElem("a"), true},
		{strElem(""), false},
		{strElem(""), true},
		{intElem(12), false},
		{strElem("12"), true}, // same text as the integer 12
		{intElem(12), true},
		{strElem("012"), false},
		{intElem(-12), false},
	}
	for i, s := range steps {
		if got := d.Add(s.e); got != s.dup {
			t.Fatalf("step %d: Add(%v) = %v, want %v", i, s.e, got, s.dup)
		}
	}
	if d.Len() != 6 {
		t.Fatalf("Len = %d, want 6", d.Len())
	}
	d.Reset()
	if d.Len() != 0 || d.AddBytes([]byte("a")) {
		t.Fatal("Reset did not empty")
	}
}

// TestDupsRandom checks Dups against a map over many growths and resets.
func TestDupsRandom(t *testing.T) {
	r := newRand(t)
	var d Dups
	for round := range 20 {
		d.Reset()
		seen := map[string]bool{}
		n := r.IntN(5000)
		for range n {
			s := strconv.Itoa(r.IntN(n + 1))
			if round%2 == 1 {
				s = string(randElement(r))
			}
			if got := d.AddBytes([]byte(s)); got != seen[s] {
				t.Fatalf("round %d: AddBytes(%q) = %v, want %v", round, s, got, seen[s])
			}
			seen[s] = true
		}
		if d.Len() != len(seen) {
			t.Fatalf("Len = %d, want %d", d.Len(), len(seen))
		}
	}
}

func TestDupsAllocs(t *testing.T) {
	lp := mixedListpack(4096)
	var d Dups
	run := func() {
		d.Reset()
		ListpackEach(lp, func(e Element) error { d.Add(e); return nil })
	}
	run()
	if a := testing.AllocsPerRun(10, run); a != 0 {
		t.Fatalf("%v allocations per run after warm-up, want 0", a)
	}
}

func TestEachAllocs(t *testing.T) {
	lp := mixedListpack(4096)
	var b ListpackBuilder
	sum := 0
	if a := testing.AllocsPerRun(10, func() {
		ListpackEach(lp, func(e Element) error { sum += len(e.Str); return nil })
	}); a != 0 {
		t.Fatalf("ListpackEach: %v allocations per run, want 0", a)
	}
	zl := rawZiplist(zlStr([]byte("abc")), []byte{0xC0, 1, 2}, zlStr(repeat('x', 300)))
	if a := testing.AllocsPerRun(10, func() {
		ZiplistEach(zl, func(e Element) error { sum += len(e.Str); return nil })
		IntsetEach(rawIntsetFixed, func(v int64) error { sum += int(v); return nil })
		ZipmapEach(rawZipmapFixed, func(k, v []byte) error { sum += len(k); return nil })
	}); a != 0 {
		t.Fatalf("ZiplistEach/IntsetEach/ZipmapEach: %v allocations per run, want 0", a)
	}
	b.AppendString([]byte("x"))
	if a := testing.AllocsPerRun(10, func() {
		b.Reset()
		ListpackEach(lp, func(e Element) error { b.AppendElement(e); return nil })
		b.Bytes()
	}); a != 0 {
		t.Fatalf("ListpackBuilder: %v allocations per run after warm-up, want 0", a)
	}
}

var (
	rawIntsetFixed = rawIntset(8, -3, 5, 1<<40)
	rawZipmapFixed = rawZipmap(2, 1, "k", "v", "key2", "value2")
)
