package compact

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// mixedListpack returns a listpack of about size bytes holding a fixed mix
// of elements: small and large integers, short and medium strings.
func mixedListpack(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b ListpackBuilder
	for b.Size() < size {
		switch r.IntN(6) {
		case 0:
			b.AppendInt(int64(r.IntN(128)))
		case 1:
			b.AppendInt(r.Int64N(1<<20) - 1<<19)
		case 2:
			b.AppendInt(r.Int64())
		case 3:
			b.AppendString([]byte("field:" + strconv.Itoa(r.IntN(100000))))
		case 4:
			s := make([]byte, 64+r.IntN(100))
			for i := range s {
				s[i] = 'a' + byte(r.IntN(26))
			}
			b.AppendString(s)
		default:
			b.AppendString([]byte("v"))
		}
	}
	return b.Bytes()
}

func BenchmarkListpackEach(b *testing.B) {
	lp := mixedListpack(4096)
	b.SetBytes(int64(len(lp)))
	n := 0
	for b.Loop() {
		ListpackEach(lp, func(e Element) error {
			n += len(e.Str)
			return nil
		})
	}
}

func BenchmarkListpackBuilder(b *testing.B) {
	lp := mixedListpack(4096)
	var elems []Element
	ListpackEach(lp, func(e Element) error { elems = append(elems, e); return nil })
	texts := make([][]byte, len(elems))
	for i, e := range elems {
		texts[i] = e.AppendText(nil)
	}
	b.SetBytes(int64(len(lp)))
	var lb ListpackBuilder
	b.Run("strings", func(b *testing.B) {
		b.SetBytes(int64(len(lp)))
		for b.Loop() {
			lb.Reset()
			for _, t := range texts {
				lb.AppendString(t)
			}
			lb.Bytes()
		}
	})
	b.Run("elements", func(b *testing.B) {
		b.SetBytes(int64(len(lp)))
		for b.Loop() {
			lb.Reset()
			for _, e := range elems {
				lb.AppendElement(e)
			}
			lb.Bytes()
		}
	})
}

func BenchmarkZiplistEach(b *testing.B) {
	var encs [][]byte
	for i := range 200 {
		if i%2 == 0 {
			encs = append(encs, zlStr([]byte("member:"+strconv.Itoa(i))))
		} else {
			encs = append(encs, append([]byte{0xD0}, le32(i*1000)...))
		}
	}
	zl := rawZiplist(encs...)
	b.SetBytes(int64(len(zl)))
	n := 0
	for b.Loop() {
		ZiplistEach(zl, func(e Element) error {
			n += len(e.Str)
			return nil
		})
	}
}

func BenchmarkDups(b *testing.B) {
	lp := mixedListpack(4096)
	b.SetBytes(int64(len(lp)))
	var d Dups
	for b.Loop() {
		d.Reset()
		ListpackEach(lp, func(e Element) error {
			d.Add(e)
			return nil
		})
	}
}
