package compact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// addTestdata adds the testdata files with the given extension to f's
// corpus.
func addTestdata(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkErr fails unless err is nil, a *FormatError or want.
func checkErr(t *testing.T, err error) {
	var fe *FormatError
	if err != nil && (!errors.As(err, &fe) || !errors.Is(err, ErrFormat)) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
}

// FuzzListpack: ListpackEach never panics; what it accepts, rebuilt by
// ListpackBuilder, is accepted with the same element texts; what
// ListpackBuilder writes is what Redis would (canonical: rebuilding it
// again gives the same bytes).
func FuzzListpack(f *testing.F) {
	for _, c := range lpEncodingCases {
		if len(c.enc) < 1000 {
			f.Add(rawListpack(lpEntry(c.enc)))
		}
	}
	for _, c := range section2Listpacks {
		f.Add(unhex(f, c.blob))
	}
	f.Add(mixedListpack(300))
	addTestdata(f, "listpack")
	f.Fuzz(func(t *testing.T, lp []byte) {
		var texts [][]byte
		var b ListpackBuilder
		n, err := ListpackEach(lp, func(e Element) error {
			texts = append(texts, e.AppendText(nil))
			b.AppendElement(e)
			return nil
		})
		checkErr(t, err)
		if err != nil {
			if len(texts) != n {
				t.Fatalf("n = %d after %d calls", n, len(texts))
			}
			return
		}
		if n != len(texts) {
			t.Fatalf("n = %d, %d elements", n, len(texts))
		}
		rebuilt := slices.Clone(b.Bytes())
		got, err := lpTextsBytes(rebuilt)
		if err != nil {
			t.Fatalf("rebuilt listpack rejected: %v", err)
		}
		if !slices.EqualFunc(got, texts, bytes.Equal) {
			t.Fatalf("rebuilt elements %q, want %q", got, texts)
		}
		if again := AppendListpack(nil, texts...); !bytes.Equal(again, rebuilt) {
			t.Fatalf("AppendListpack of the texts differs from rebuilding the elements")
		}
	})
}

func lpTextsBytes(lp []byte) ([][]byte, error) {
	var out [][]byte
	_, err := ListpackEach(lp, func(e Element) error {
		out = append(out, e.AppendText(nil))
		return nil
	})
	return out, err
}

// FuzzZiplist: ZiplistEach never panics; what it accepts converts to a
// listpack holding the same texts.
func FuzzZiplist(f *testing.F) {
	for _, c := range zlEncodingCases {
		if len(c.enc) < 1000 {
			f.Add(rawZiplist(c.enc))
		}
	}
	f.Add(rawZiplist(zlStr(repeat('p', 251)), []byte{0xF1}, []byte{0xFE, 3}))
	addTestdata(f, "ziplist")
	f.Fuzz(func(t *testing.T, zl []byte) {
		var texts [][]byte
		var b ListpackBuilder
		n, err := ZiplistEach(zl, func(e Element) error {
			texts = append(texts, e.AppendText(nil))
			b.AppendElement(e)
			return nil
		})
		checkErr(t, err)
		if err != nil {
			return
		}
		if n != len(texts) {
			t.Fatalf("n = %d, %d elements", n, len(texts))
		}
		got, err := lpTextsBytes(b.Bytes())
		if err != nil || !slices.EqualFunc(got, texts, bytes.Equal) {
			t.Fatalf("listpack of the ziplist: %q, %v; want %q", got, err, texts)
		}
	})
}

// FuzzIntset: IntsetEach never panics; what it accepts is non-empty and
// strictly ascending and fills the blob.
func FuzzIntset(f *testing.F) {
	f.Add(rawIntset(2, -1, 0, 1))
	f.Add(rawIntset(4, 1<<20))
	f.Add(rawIntset(8, -1<<40, 1<<40))
	addTestdata(f, "intset")
	f.Fuzz(func(t *testing.T, is []byte) {
		var vals []int64
		n, err := IntsetEach(is, func(v int64) error { vals = append(vals, v); return nil })
		checkErr(t, err)
		if err != nil {
			return
		}
		if n == 0 || n != len(vals) || 8+n*int(is[0]) != len(is) {
			t.Fatalf("n = %d, %d values, %d bytes", n, len(vals), len(is))
		}
		for i := 1; i < len(vals); i++ {
			if vals[i] <= vals[i-1] {
				t.Fatalf("not ascending: %v", vals)
			}
		}
	})
}

// FuzzZipmap: ZipmapEach never panics; what it accepts has at least one
// pair and each key and value lies inside the blob.
func FuzzZipmap(f *testing.F) {
	f.Add(rawZipmap(1, 0, "a", "b"))
	f.Add(rawZipmap(2, 3, string(repeat('k', 300)), "v", "", ""))
	f.Add(rawZipmap(254, 0, "a", "b"))
	addTestdata(f, "zipmap")
	f.Fuzz(func(t *testing.T, zm []byte) {
		n, err := ZipmapEach(zm, func(k, v []byte) error {
			if len(k)+len(v) > len(zm) {
				t.Fatal("pair larger than the blob")
			}
			return nil
		})
		checkErr(t, err)
		if err == nil && n < 1 {
			t.Fatalf("accepted with %d pairs", n)
		}
	})
}

// FuzzParseInt: ParseInt accepts exactly the texts strconv formats.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "+1", "-9223372036854775808", "9223372036854775808", " 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		v, ok := ParseInt(s)
		if ok && string(strconvFormat(v)) != string(s) {
			t.Fatalf("ParseInt(%q) = %d", s, v)
		}
		if !ok && len(s) <= 20 {
			if w, err := strconvParse(s); err == nil && string(strconvFormat(w)) == string(s) {
				t.Fatalf("ParseInt(%q) rejects a canonical integer", s)
			}
		}
	})
}

func strconvFormat(v int64) []byte { return strconv.AppendInt(nil, v, 10) }

func strconvParse(s []byte) (int64, error) { return strconv.ParseInt(string(s), 10, 64) }
