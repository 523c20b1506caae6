package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, and that a manifest it
// accepts, when Validate accepts it too, formats to bytes that parse back
// to the same manifest and format again to the same bytes.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.manifest")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"# only a comment\n",
		"file a seq 1 type b\n\n",
		"file a seq 1 type b",
		"FILE a Seq 1 TYPE incr\r\n",
		"file a seq 1 type b size 10 \"k y\" 'v'\n",
		`file " file seq \n\n.aof .2.base.rdb" seq 2 type b` + "\n",
		`file "\x00\xff\a\b\\" seq -9 type h` + "\n",
		"file a seq 2 type i\nfile b seq 1 type i\n",
		"file a seq 1 type b\nfile b seq 1 type b\n",
		"file a/b seq 1 type b\n",
		"file a seq 99999999999999999999 type h\n",
		"#" + strings.Repeat("x", 1023) + "file a seq 1 type b\n",
		"file " + strings.Repeat("a", 1005) + " seq 1 type b\n",
		"file 'it\\'s' seq 1 type b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Parse(bytes.NewReader(in))
		if err != nil {
			if m != nil {
				t.Fatal("a manifest with an error")
			}
			return
		}
		if m.Validate() != nil {
			return // Redis too would write a line it cannot read (quoting made it too long)
		}
		out := m.Format()
		if len(out) == 0 {
			return // comments only
		}
		back, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = %v; formatted %q", in, err, out)
		}
		if diff := cmp.Diff(m, back, equateEmpty); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", in, diff)
		}
		if out2 := back.Format(); !bytes.Equal(out, out2) {
			t.Fatalf("Format not stable: %q then %q", out, out2)
		}
	})
}
