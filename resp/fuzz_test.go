package resp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/iotest"
)

// outcome is everything a pass over an input produced, comparable.
type outcome struct {
	items []item
	err   string
	off   int64 // ProtocolError offset, or Offset() after the error
}

func runReader(data []byte, opts *ReaderOptions, wrap func(io.Reader) io.Reader) outcome {
	rd := NewReaderOptions(wrap(bytes.NewReader(data)), opts)
	items, err := readItems(rd)
	o := outcome{items: items, err: errClass(err), off: errOffset(err)}
	if o.off < 0 {
		o.off = rd.Offset()
	}
	return o
}

func sameOutcome(a, b outcome) bool {
	return a.err == b.err && a.off == b.off && slices.EqualFunc(a.items, b.items, itemEqual)
}

func addFixtureSeeds(f *testing.F) {
	for _, name := range fixtureAOFs {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, n := range []int{0, len(b) / 3, len(b) / 2} {
			chunk := b[n:min(len(b), n+2048)]
			f.Add(chunk)
		}
	}
}

// FuzzReadCommand checks that the streaming Reader never panics, reads
// the same items with any buffer size and read pattern (ErrWouldBlock
// between chunks included), agrees with ParseCommand, and that what it
// parses re-encodes to exactly the bytes it came from and parses again
// equal.
func FuzzReadCommand(f *testing.F) {
	addFixtureSeeds(f)
	f.Add(cutInput())
	for _, tc := range cmdCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte("set k \"a\\x41\" 'b'\r\n*0\r\n\r\nPING\n"))
	id := func(r io.Reader) io.Reader { return r }
	f.Fuzz(func(t *testing.T, data []byte) {
		base := runReader(data, nil, id)
		for _, alt := range []outcome{
			runReader(data, &ReaderOptions{BufferSize: 16}, iotest.OneByteReader),
			runReader(data, &ReaderOptions{BufferSize: 32}, iotest.HalfReader),
		} {
			if !sameOutcome(base, alt) {
				t.Fatalf("readers disagree:\n%+v\n%+v", base, alt)
			}
		}

		// The valid prefix re-encodes to the same bytes.
		var enc []byte
		for _, it := range base.items {
			if it.kind == KindAnnotation {
				if data[it.end-2] != '\r' { // a pad line
					enc = append(append(append(enc, '#'), it.ann...), '\n')
					continue
				}
				enc = AppendAnnotation(enc, []byte(it.ann))
				continue
			}
			cmd := AppendCommandString(nil, it.args...)
			args, n, err := ParseCommand(cmd)
			if err != nil || n != len(cmd) || !slices.Equal(strs(args), it.args) {
				t.Fatalf("%q: re-encoded command does not parse back: %v", it.args, err)
			}
			enc = append(enc, cmd...)
		}
		end := int64(0)
		if len(base.items) > 0 {
			end = base.items[len(base.items)-1].end
		}
		if !bytes.Equal(enc, data[:end]) {
			t.Fatalf("re-encoding differs from the input")
		}

		// ParseCommand agrees.
		var cmds []item
		var err error
		off := 0
		for {
			var args [][]byte
			var n int
			args, n, err = ParseCommand(data[off:])
			if err != nil {
				if pe, ok := err.(*ProtocolError); ok {
					pe.Offset += int64(off)
				}
				off += n
				break
			}
			cmds = append(cmds, item{kind: KindCommand, args: strs(args)})
			off += n
		}
		var want []item
		for _, it := range base.items {
			if it.kind == KindCommand {
				want = append(want, item{kind: KindCommand, args: it.args})
			}
		}
		if !slices.EqualFunc(cmds, want, itemEqual) {
			t.Fatalf("ParseCommand read %v, Reader %v", cmds, want)
		}
		if c := errClass(err); c != base.err || (errOffset(err) >= 0 && errOffset(err) != base.off) {
			t.Fatalf("ParseCommand ends with %v, Reader with %s at %d", err, base.err, base.off)
		}

		// Inline mode: never panics, and agrees across read patterns.
		in1 := runReader(data, &ReaderOptions{Inline: true}, id)
		in2 := runReader(data, &ReaderOptions{Inline: true, BufferSize: 16}, iotest.OneByteReader)
		if !sameOutcome(in1, in2) {
			t.Fatalf("inline readers disagree:\n%+v\n%+v", in1, in2)
		}

		// Fed in chunks with ErrWouldBlock between them, it reads the
		// same.
		checkWouldBlock(t, data, hashSeed(data), modeNext, modeCommand)
	})
}

type replyOutcome struct {
	vals []string
	err  string
	off  int64
}

func runReplies(data []byte, opts *ReaderOptions, wrap func(io.Reader) io.Reader) (replyOutcome, []Value) {
	rd := NewReaderOptions(wrap(bytes.NewReader(data)), opts)
	var o replyOutcome
	var vals []Value
	for {
		v, err := rd.ReadReply()
		if err != nil {
			o.err, o.off = errClass(err), errOffset(err)
			return o, vals
		}
		vals = append(vals, v)
		o.vals = append(o.vals, v.String())
	}
}

// FuzzReplyReader checks that ReadReply never panics, reads the same with
// any buffer size and read pattern (ErrWouldBlock between chunks
// included), and that what it reads re-encodes
// (AppendValue) to bytes that read back to the same value and encoding.
func FuzzReplyReader(f *testing.F) {
	for _, tc := range replyCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, vals := runReplies(data, nil, func(r io.Reader) io.Reader { return r })
		b, _ := runReplies(data, &ReaderOptions{BufferSize: 16}, iotest.OneByteReader)
		if a.err != b.err || a.off != b.off || !slices.Equal(a.vals, b.vals) {
			t.Fatalf("readers disagree:\n%+v\n%+v", a, b)
		}
		checkWouldBlock(t, data, hashSeed(data), modeReply)
		for _, v := range vals {
			enc := AppendValue(nil, v)
			v2, err := NewReader(bytes.NewReader(enc)).ReadReply()
			if err != nil {
				t.Fatalf("%v: re-encoded %q does not read back: %v", v, enc, err)
			}
			if v2.String() != v.String() || !bytes.Equal(AppendValue(nil, v2), enc) {
				t.Fatalf("%v: round trip gives %v", v, v2)
			}
		}
	})
}
