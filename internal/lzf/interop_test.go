package lzf

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// clzf is C liblzf, in testdata/lzfhelper.c compiled at test time and run as
// a child process (see that file for the protocol).
type clzf struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

const installLiblzf = "apt-get install -y gcc liblzf-dev"

// startCLZF compiles and starts the helper, or skips (fails under
// AOFRDB_REQUIRE_REDIS=1) when there is no C compiler or no liblzf.
func startCLZF(t *testing.T) *clzf {
	t.Helper()
	cc := testenv.LookPath(t, "cc", installLiblzf)
	bin := filepath.Join(t.TempDir(), "lzfhelper")
	build := exec.Command(cc, "-O2", "-o", bin, filepath.Join("testdata", "lzfhelper.c"), "-llzf")
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "lzf") {
			testenv.Missing(t, fmt.Sprintf("liblzf (%s: %v: %s)", strings.Join(build.Args, " "), err, bytes.TrimSpace(out)), installLiblzf)
		}
		t.Fatalf("%s: %v\n%s", strings.Join(build.Args, " "), err, out)
	}
	c := &clzf{cmd: exec.Command(bin)}
	var err error
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.out = bufio.NewReader(stdout)
	var stderr bytes.Buffer
	c.cmd.Stderr = &stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.in.Close()
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("lzfhelper: %v\n%s", err, stderr.Bytes())
		}
	})
	return c
}

// call sends one request and returns liblzf's result and its output.
func (c *clzf) call(t testing.TB, op byte, in []byte, outLen int) (int, byte, []byte) {
	t.Helper()
	hdr := make([]byte, 9, 9+len(in))
	hdr[0] = op
	binary.LittleEndian.PutUint32(hdr[1:], uint32(outLen))
	binary.LittleEndian.PutUint32(hdr[5:], uint32(len(in)))
	if _, err := c.in.Write(append(hdr, in...)); err != nil {
		t.Fatalf("lzfhelper: %v", err)
	}
	var resp [5]byte
	if _, err := io.ReadFull(c.out, resp[:]); err != nil {
		t.Fatalf("lzfhelper: %v", err)
	}
	n := int(binary.LittleEndian.Uint32(resp[:]))
	out := make([]byte, n)
	if _, err := io.ReadFull(c.out, out); err != nil {
		t.Fatalf("lzfhelper: %v", err)
	}
	return n, resp[4], out
}

// compress is lzf_compress with an output buffer of outLen bytes; nil when
// it returns 0.
func (c *clzf) compress(t testing.TB, src []byte, outLen int) []byte {
	t.Helper()
	n, _, out := c.call(t, 'c', src, outLen)
	if n == 0 {
		return nil
	}
	return out
}

// decompress is lzf_decompress into outLen bytes, with its errno mapped to
// this package's errors. src must not be empty.
func (c *clzf) decompress(t testing.TB, src []byte, outLen int) ([]byte, error) {
	t.Helper()
	n, status, out := c.call(t, 'd', src, outLen)
	switch {
	case n > 0:
		return out, nil
	case status == 1:
		return nil, ErrShortBuffer
	case status == 2:
		return nil, ErrCorrupt
	}
	return nil, fmt.Errorf("lzf_decompress: status %d", status)
}

// cBound is an output size that lzf_compress always manages with: liblzf
// needs a few bytes to spare beyond its result.
func cBound(n int) int { return CompressBound(n) + 16 }

// TestLiblzf checks internal/lzf against C liblzf (Debian's liblzf-dev):
// each decompresses what the other compresses, they agree on every stream,
// valid or not, and the compression ratios are close.
func TestLiblzf(t *testing.T) {
	c := startCLZF(t)
	r := testRand(t)
	inputs := samples(r)

	// The helper must report liblzf's errors, or the checks below could
	// pass by mistaking them for success.
	t.Run("Harness", func(t *testing.T) {
		if _, err := c.decompress(t, []byte{0x20, 0x00}, 10); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("liblzf on a back reference before the start: %v, want EINVAL", err)
		}
		if _, err := c.decompress(t, []byte{0x02, 'a', 'b', 'c'}, 2); !errors.Is(err, ErrShortBuffer) {
			t.Fatalf("liblzf on a literal too long for dst: %v, want E2BIG", err)
		}
		if out, err := c.decompress(t, []byte{0x01, 0x61, 0x61, 0xe0, 0x1b, 0x00, 0x01, 0x61, 0x61}, 40); err != nil || string(out) != strings.Repeat("a", 40) {
			t.Fatalf("liblzf on Redis's 40 × a: %q, %v", out, err)
		}
	})

	t.Run("GoToC", func(t *testing.T) {
		for name, src := range inputs {
			if len(src) == 0 {
				continue
			}
			z := make([]byte, CompressBound(len(src)))
			z = z[:Compress(z, src)]
			out, err := c.decompress(t, z, len(src))
			if err != nil || !bytes.Equal(out, src) {
				t.Errorf("%s: liblzf cannot decompress what Go compressed: %v", name, err)
			}
		}
	})

	t.Run("CToGo", func(t *testing.T) {
		for name, src := range inputs {
			if len(src) == 0 {
				continue
			}
			z := c.compress(t, src, cBound(len(src)))
			if z == nil {
				t.Fatalf("%s: lzf_compress failed", name)
			}
			out, err := checkDecompress(t, z, len(src))
			if err != nil || !bytes.Equal(out, src) {
				t.Errorf("%s: cannot decompress what liblzf compressed: %v", name, err)
			}
		}
	})

	t.Run("Ratio", func(t *testing.T) {
		// Within 2% of liblzf on realistic data; on random data both
		// store literal runs, and on very redundant data both are tiny.
		for _, co := range corpora() {
			data := co.data[:256<<10]
			var goSize, cSize int
			for p := data; len(p) > 0; p = p[min(len(p), co.block):] {
				blk := p[:min(len(p), co.block)]
				z := make([]byte, CompressBound(len(blk)))
				goSize += Compress(z, blk)
				cSize += len(c.compress(t, blk, cBound(len(blk))))
			}
			ratio := float64(goSize) / float64(cSize)
			t.Logf("%-10s %d bytes: liblzf %d, Go %d (%.2f%%)", co.name, len(data), cSize, goSize, 100*ratio)
			if ratio > 1.02 {
				t.Errorf("%s: Go's output is %.2f%% of liblzf's", co.name, 100*ratio)
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		// Valid, damaged, cut and random streams, into dst sizes around
		// the right one: liblzf and Decompress must give the same
		// output or the same kind of error.
		src := corpora()[1].data[:5000]
		z := make([]byte, CompressBound(len(src)))
		z = z[:Compress(z, src)]
		compare := func(in []byte, size int) {
			t.Helper()
			if len(in) == 0 {
				return
			}
			want, wantErr := c.decompress(t, in, size)
			dst := make([]byte, size)
			n, err := Decompress(dst, in)
			if errClass(err) != wantErr || (err == nil && !bytes.Equal(dst[:n], want)) {
				t.Fatalf("Decompress(%x…, %d) = %d, %v; liblzf gives %d bytes, %v", trim(in), size, n, err, len(want), wantErr)
			}
		}
		for cut := 1; cut <= len(z); cut += 1 + cut/64 {
			compare(z[:cut], len(src))
		}
		for _, size := range []int{0, 1, len(src) - 1, len(src), len(src) + 1} {
			compare(z, size)
		}
		for range 1500 {
			in := bytes.Clone(z[:1+r.IntN(len(z))])
			for range r.IntN(4) {
				in[r.IntN(len(in))] = byte(r.Uint32())
			}
			compare(in, r.IntN(len(src)+100))
			compare(genRandom(1+r.IntN(100), r.Uint64()), r.IntN(1000))
		}
	})
}
