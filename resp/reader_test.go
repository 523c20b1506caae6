package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// item is one thing a Reader returned, copied.
type item struct {
	kind       Kind
	args       []string
	ann        string
	start, end int64
}

func (it item) String() string {
	if it.kind == KindAnnotation {
		return "#" + it.ann
	}
	return it.kind.String() + "[" + strings.Join(it.args, "|") + "]"
}

func strs(args [][]byte) []string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	return s
}

// readItems reads every item with Next and returns them with the error
// that ended the input.
func readItems(rd *Reader) ([]item, error) {
	var items []item
	for {
		k, err := rd.Next()
		if err != nil {
			return items, err
		}
		it := item{kind: k, start: rd.Offset(), end: rd.End()}
		if k == KindAnnotation {
			it.ann = string(rd.Annotation())
		} else {
			it.args = strs(rd.Args())
		}
		items = append(items, it)
	}
}

// errClass names an error for tables: "eof", "trunc", "proto", "limit",
// or the message of another error.
func errClass(err error) string {
	switch {
	case err == nil:
		return "nil"
	case err == io.EOF:
		return "eof"
	case err == ErrTruncated:
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			return "trunc-not-unexpected-eof"
		}
		return "trunc"
	case errors.Is(err, ErrLimit):
		if !errors.Is(err, ErrProtocol) {
			return "limit-not-protocol"
		}
		return "limit"
	case errors.Is(err, ErrProtocol):
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			return "protocol-not-ProtocolError"
		}
		return "proto"
	}
	return err.Error()
}

func errOffset(err error) int64 {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Offset
	}
	return -1
}

type cmdCase struct {
	name string
	in   string
	want []string // items, as item.String()
	err  string   // errClass of the final error
	off  int64    // ProtocolError offset, when err is proto or limit
}

var cmdCases = []cmdCase{
	// valid
	{name: "empty", in: "", err: "eof"},
	{name: "ping", in: "*1\r\n$4\r\nPING\r\n", want: []string{"command[PING]"}, err: "eof"},
	{name: "set", in: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", want: []string{"command[SET|k|hello]"}, err: "eof"},
	{name: "empty arg", in: "*2\r\n$3\r\nGET\r\n$0\r\n\r\n", want: []string{"command[GET|]"}, err: "eof"},
	{name: "binary arg", in: "*1\r\n$6\r\n\r\n\x00*$\n\r\n", want: []string{"command[\r\n\x00*$\n]"}, err: "eof"},
	{name: "two", in: "*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n", want: []string{"command[MULTI]", "command[EXEC]"}, err: "eof"},
	{name: "annotation", in: "#TS:1700000000\r\n*1\r\n$4\r\nPING\r\n", want: []string{"#TS:1700000000", "command[PING]"}, err: "eof"},
	{name: "empty annotation", in: "#\r\n", want: []string{"#"}, err: "eof"},
	{name: "annotation with CR", in: "#a\rb\r\n", want: []string{"#a\rb"}, err: "eof"},
	{name: "ten args", in: "*10\r\n" + strings.Repeat("$1\r\nx\r\n", 10), want: []string{"command[x|x|x|x|x|x|x|x|x|x]"}, err: "eof"},

	// truncated
	{name: "star", in: "*", err: "trunc"},
	{name: "argc", in: "*1", err: "trunc"},
	{name: "argc CR", in: "*1\r", err: "trunc"},
	{name: "after argc", in: "*1\r\n", err: "trunc"},
	{name: "dollar", in: "*1\r\n$", err: "trunc"},
	{name: "len CR", in: "*1\r\n$3\r", err: "trunc"},
	{name: "part of bulk", in: "*1\r\n$3\r\nfo", err: "trunc"},
	{name: "bulk no CRLF", in: "*1\r\n$3\r\nfoo", err: "trunc"},
	{name: "bulk CR", in: "*1\r\n$3\r\nfoo\r", err: "trunc"},
	{name: "second arg missing", in: "*2\r\n$3\r\nfoo\r\n", err: "trunc"},
	{name: "after a command", in: "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI", want: []string{"command[PING]"}, err: "trunc"},
	{name: "annotation", in: "#TS:17", err: "trunc"},
	{name: "annotation CR", in: "#TS:17\r", err: "trunc"},
	{name: "huge bulk then EOF", in: "*1\r\n$536870000\r\n", err: "trunc"},
	{name: "max digits", in: "*1\r\n$5368709", err: "trunc"},
	{name: "minus", in: "*-", err: "trunc"},

	// malformed
	{name: "inline in AOF", in: "PING\r\n", err: "proto", off: 0},
	{name: "blank line", in: "\r\n", err: "proto", off: 0},
	{name: "argc 0", in: "*0\r\n", err: "proto", off: 0},
	{name: "argc -1", in: "*-1\r\n", err: "proto", off: 0},
	{name: "argc -0", in: "*-0\r\n", err: "proto", off: 0},
	{name: "argc empty", in: "*\r\n", err: "proto", off: 0},
	{name: "argc plus", in: "*+1\r\n$1\r\na\r\n", err: "proto", off: 0},
	{name: "argc space", in: "* 1\r\n", err: "proto", off: 0},
	{name: "argc trailing space", in: "*1 \r\n", err: "proto", off: 0},
	{name: "argc leading zero", in: "*01\r\n", err: "proto", off: 0},
	{name: "argc letters", in: "*a\r\n", err: "proto", off: 0},
	{name: "argc LF only", in: "*1\n$1\r\na\r\n", err: "proto", off: 0},
	{name: "argc CR CR", in: "*1\r\r\n", err: "proto", off: 0},
	{name: "argc over INT_MAX", in: "*2147483648\r\n", err: "proto", off: 0},
	{name: "argc over int64", in: "*9223372036854775808\r\n", err: "proto", off: 0},
	{name: "argc 20 digits", in: "*10000000000000000000\r\n", err: "proto", off: 0},
	{name: "not dollar", in: "*1\r\n:1\r\n", err: "proto", off: 4},
	{name: "short argc", in: "*1\r\n$1\r\na\r\n$1\r\nb\r\n", want: []string{"command[a]"}, err: "proto", off: 11},
	{name: "command too short", in: "*2\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n", err: "proto", off: 11},
	{name: "negative len", in: "*1\r\n$-1\r\n", err: "proto", off: 4},
	{name: "len plus", in: "*1\r\n$+3\r\nfoo\r\n", err: "proto", off: 4},
	{name: "len space", in: "*1\r\n$ 3\r\nfoo\r\n", err: "proto", off: 4},
	{name: "len trailing space", in: "*1\r\n$3 \r\nfoo\r\n", err: "proto", off: 4},
	{name: "len leading zero", in: "*1\r\n$03\r\nfoo\r\n", err: "proto", off: 4},
	{name: "len hex", in: "*1\r\n$0x3\r\nfoo\r\n", err: "proto", off: 4},
	{name: "len empty", in: "*1\r\n$\r\n", err: "proto", off: 4},
	{name: "len LF only", in: "*1\r\n$3\nfoo\r\n", err: "proto", off: 4},
	{name: "len over int64", in: "*1\r\n$9223372036854775808\r\n", err: "proto", off: 4},
	{name: "len over limit", in: "*1\r\n$536870913\r\n", err: "limit", off: 4},
	{name: "bulk then XY", in: "*1\r\n$3\r\nfooXY", err: "proto", off: 11},
	{name: "bulk then LF", in: "*1\r\n$3\r\nfoo\n\r", err: "proto", off: 11},
	{name: "bulk then CR X", in: "*1\r\n$3\r\nfoo\rX", err: "proto", off: 11},
	{name: "bulk too long", in: "*1\r\n$3\r\nfoobar\r\n", err: "proto", off: 11},
	{name: "annotation LF only", in: "#TS:1\n", err: "proto", off: 5},
	{name: "annotation bare LF", in: "#TS\n", err: "proto", off: 3},
	{name: "pad line", in: "#\n", want: []string{"#"}, err: "eof"},
	{name: "pad lines", in: "##\n#\n*1\r\n$4\r\nPING\r\n###\n", want: []string{"##", "#", "command[PING]", "###"}, err: "eof"},
	{name: "pad line cut", in: "*1\r\n$4\r\nPING\r\n###", want: []string{"command[PING]"}, err: "trunc"},
	{name: "garbage after command", in: "*1\r\n$4\r\nPING\r\nxyz", want: []string{"command[PING]"}, err: "proto", off: 14},
	{name: "RESP reply", in: "+OK\r\n", err: "proto", off: 0},
}

func TestReaderTable(t *testing.T) {
	for _, tc := range cmdCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rc := range readerConfigs {
				rd := NewReaderOptions(rc.wrap(strings.NewReader(tc.in)), rc.opts)
				items, err := readItems(rd)
				var got []string
				for _, it := range items {
					got = append(got, it.String())
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: items = %q, want %q", rc.name, got, tc.want)
				}
				if c := errClass(err); c != tc.err {
					t.Errorf("%s: error %v (%s), want %s", rc.name, err, c, tc.err)
				} else if (c == "proto" || c == "limit") && errOffset(err) != tc.off {
					t.Errorf("%s: error offset %d, want %d (%v)", rc.name, errOffset(err), tc.off, err)
				}
				// Sticky.
				if _, err2 := rd.Next(); err2 != err {
					t.Errorf("%s: second Next = %v, want the same %v", rc.name, err2, err)
				}
			}
		})
	}
}

// readerConfigs are the ways every decoding test reads its input.
var readerConfigs = []struct {
	name string
	opts *ReaderOptions
	wrap func(io.Reader) io.Reader
}{
	{"default", nil, func(r io.Reader) io.Reader { return r }},
	{"one-byte", nil, iotest.OneByteReader},
	{"half", nil, iotest.HalfReader},
	{"data-err", nil, iotest.DataErrReader},
	{"buf16", &ReaderOptions{BufferSize: 16}, func(r io.Reader) io.Reader { return r }},
	{"buf16-one-byte", &ReaderOptions{BufferSize: 16}, iotest.OneByteReader},
	{"buf64-data-err", &ReaderOptions{BufferSize: 64}, iotest.DataErrReader},
}

func TestParseCommandTable(t *testing.T) {
	for _, tc := range cmdCases {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.in)
			var got []string
			var err error
			off := 0
			for {
				var args [][]byte
				var n int
				args, n, err = ParseCommand(buf[off:])
				if err != nil {
					if c := errClass(err); c == "proto" || c == "limit" {
						err.(*ProtocolError).Offset += int64(off)
					}
					break
				}
				got = append(got, "command["+strings.Join(strs(args), "|")+"]")
				off += n
			}
			var want []string
			for _, w := range tc.want {
				if !strings.HasPrefix(w, "#") {
					want = append(want, w)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("commands = %q, want %q", got, want)
			}
			if c := errClass(err); c != tc.err {
				t.Errorf("error %v (%s), want %s", err, c, tc.err)
			} else if (c == "proto" || c == "limit") && errOffset(err) != tc.off {
				t.Errorf("error offset %d, want %d", errOffset(err), tc.off)
			}
		})
	}
}

// cutInput is a valid AOF with annotations, empty, binary and long
// arguments.
func cutInput() []byte {
	var b []byte
	b = AppendAnnotation(b, []byte("TS:1700000000"))
	b = AppendCommandString(b, "SELECT", "0")
	b = AppendCommandString(b, "set", "k", "")
	b = AppendCommand(b, []byte("SET"), []byte("bin\r\n\x00\xff"), bytes.Repeat([]byte("v"), 40))
	b = AppendAnnotation(b, []byte("TS:1700000001"))
	b = AppendCommandString(b, "MULTI")
	b = AppendCommandString(b, "RPUSH", "list", "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh", "iiiiiiiii", "jjjjjjjjjj")
	b = AppendCommandString(b, "EXEC")
	return b
}

// TestCutEveryOffset cuts a valid input at every byte offset and checks
// which error each prefix gives: io.EOF exactly at item boundaries,
// ErrTruncated elsewhere, with the items before the cut and the offset of
// the failed item.
func TestCutEveryOffset(t *testing.T) {
	full := cutInput()
	all, err := readItems(NewReader(bytes.NewReader(full)))
	if err != io.EOF {
		t.Fatalf("full input: %v", err)
	}
	boundaries := map[int64]bool{0: true}
	for _, it := range all {
		boundaries[it.end] = true
	}
	for cut := 0; cut <= len(full); cut++ {
		prefix := full[:cut]
		var want []item
		var last int64
		for _, it := range all {
			if it.end <= int64(cut) {
				want = append(want, it)
				last = it.end
			}
		}
		wantErr := "trunc"
		if boundaries[int64(cut)] {
			wantErr = "eof"
		}
		for _, rc := range readerConfigs {
			rd := NewReaderOptions(rc.wrap(bytes.NewReader(prefix)), rc.opts)
			items, err := readItems(rd)
			if c := errClass(err); c != wantErr {
				t.Fatalf("cut %d, %s: error %v, want %s", cut, rc.name, err, wantErr)
			}
			if !slices.EqualFunc(items, want, itemEqual) {
				t.Fatalf("cut %d, %s: items %v, want %v", cut, rc.name, items, want)
			}
			if rd.Offset() != last || rd.End() != last {
				t.Fatalf("cut %d, %s: Offset %d End %d after error, want %d", cut, rc.name, rd.Offset(), rd.End(), last)
			}
		}
		// ParseCommand agrees.
		off := 0
		for {
			_, n, err := ParseCommand(prefix[off:])
			if err != nil {
				if c := errClass(err); c != wantErr {
					t.Fatalf("cut %d: ParseCommand error %v, want %s", cut, err, wantErr)
				}
				break
			}
			off += n
		}
	}
}

func itemEqual(a, b item) bool {
	return a.kind == b.kind && slices.Equal(a.args, b.args) && a.ann == b.ann && a.start == b.start && a.end == b.end
}

func TestOffsets(t *testing.T) {
	in := cutInput()
	rd := NewReader(bytes.NewReader(in))
	items, err := readItems(rd)
	if err != io.EOF {
		t.Fatal(err)
	}
	var pos int64
	for _, it := range items {
		if it.start != pos {
			t.Fatalf("%v starts at %d, want %d", it, it.start, pos)
		}
		var enc []byte
		if it.kind == KindAnnotation {
			enc = AppendAnnotation(nil, []byte(it.ann))
		} else {
			enc = AppendCommandString(nil, it.args...)
		}
		if it.end-it.start != int64(len(enc)) || !bytes.Equal(in[it.start:it.end], enc) {
			t.Fatalf("%v: bytes [%d,%d) differ from its encoding", it, it.start, it.end)
		}
		pos = it.end
	}

	// ResetAt shifts every offset, including a ProtocolError's.
	const base = 1000
	rd.ResetAt(io.MultiReader(bytes.NewReader(in), strings.NewReader("*1\r\n$x")), base)
	items2, err := readItems(rd)
	if errClass(err) != "proto" || errOffset(err) != base+int64(len(in))+4 {
		t.Fatalf("error %v, want a protocol error at %d", err, base+len(in)+4)
	}
	for i := range items {
		if items2[i].start != items[i].start+base || items2[i].end != items[i].end+base {
			t.Fatalf("ResetAt: item %d at [%d,%d), want [%d,%d)", i, items2[i].start, items2[i].end, items[i].start+base, items[i].end+base)
		}
	}
	// ReadCommand skips annotations; Offset is the command's own.
	rd.Reset(bytes.NewReader(in))
	args, err := rd.ReadCommand()
	if err != nil || strings.Join(strs(args), " ") != "SELECT 0" || rd.Offset() != items[1].start || rd.End() != items[1].end {
		t.Fatalf("ReadCommand = %q, %v at [%d,%d)", args, err, rd.Offset(), rd.End())
	}
}

// errReader returns data, then err.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestIOErrorsPassThrough(t *testing.T) {
	errBoom := errors.New("boom")
	in := cutInput()
	for _, cut := range []int{0, 1, 17, len(in) / 2, len(in)} {
		for _, bs := range []int{0, 16} {
			rd := NewReaderOptions(&errReader{data: in[:cut], err: errBoom}, &ReaderOptions{BufferSize: bs})
			_, err := readItems(rd)
			if err != errBoom {
				t.Errorf("cut %d: error %v, want boom unchanged", cut, err)
			}
			if _, err := rd.ReadCommand(); err != errBoom {
				t.Errorf("cut %d: not sticky: %v", cut, err)
			}
		}
	}
	// An io.ErrUnexpectedEOF from below is not turned into ErrTruncated.
	rd := NewReader(&errReader{data: []byte("*1\r\n"), err: io.ErrUnexpectedEOF})
	if _, err := rd.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Errorf("got %v, want io.ErrUnexpectedEOF unchanged", err)
	}
	// A reader that never makes progress.
	rd = NewReader(zeroReader{})
	if _, err := rd.ReadCommand(); err != io.ErrNoProgress {
		t.Errorf("got %v, want io.ErrNoProgress", err)
	}
	// A reader returning a bad count.
	rd = NewReader(badReader{})
	if _, err := rd.ReadCommand(); err == nil || errClass(err) == "eof" {
		t.Errorf("got %v, want an error", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// TestLongArguments reads arguments longer than the buffer (read into
// their own buffers) and commands longer than the buffer (which grows),
// under readers of every shape.
func TestLongArguments(t *testing.T) {
	var in []byte
	var want [][]string
	add := func(args ...string) {
		in = AppendCommandString(in, args...)
		want = append(want, args)
	}
	long := func(n int, c byte) string { return strings.Repeat(string(c), n) }
	add("SET", "k", long(100, 'a'))
	add("SET", long(70, 'k'), long(200<<10, 'b')) // longer than the default buffer
	add("MSET", long(30, 'x'), long(30, 'y'), long(30, 'z'), long(300, 'w'), long(5, 'v'))
	add("SET", "k", long(100, 'a'))
	add("SET", long(70, 'k'), long(200<<10, 'c')) // reuses the big buffer
	add("SET", long(70, 'k'), long(300<<10, 'd')) // needs a larger one
	many := []string{"RPUSH", "l"}
	for i := range 3000 {
		many = append(many, long(i%7, 'm'))
	}
	add(many...) // grows the buffer with short arguments
	add("PING")
	for _, rc := range readerConfigs {
		for _, bs := range []int{0, 16, 100, 1000} {
			opts := &ReaderOptions{BufferSize: bs}
			rd := NewReaderOptions(rc.wrap(bytes.NewReader(in)), opts)
			for i, w := range want {
				args, err := rd.ReadCommand()
				if err != nil {
					t.Fatalf("%s buf %d: command %d: %v", rc.name, bs, i, err)
				}
				if !slices.Equal(strs(args), w) {
					t.Fatalf("%s buf %d: command %d differs", rc.name, bs, i)
				}
				for _, a := range args {
					if cap(a) != len(a) {
						t.Fatalf("%s buf %d: command %d: argument capacity %d > length %d", rc.name, bs, i, cap(a), len(a))
					}
				}
			}
			if _, err := rd.ReadCommand(); err != io.EOF {
				t.Fatalf("%s buf %d: end: %v", rc.name, bs, err)
			}
			if rd.End() != int64(len(in)) {
				t.Fatalf("%s buf %d: End %d, want %d", rc.name, bs, rd.End(), len(in))
			}
		}
	}
}

// TestArgsAppendSafe checks that appending to an argument cannot change
// the next one.
func TestArgsAppendSafe(t *testing.T) {
	in := AppendCommandString(nil, "SET", "k", "v")
	args, _, err := ParseCommand(in)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(args[0], "XXXX"...)
	if string(args[1]) != "k" || string(in) != string(AppendCommandString(nil, "SET", "k", "v")) {
		t.Fatal("append to an argument overwrote the input")
	}
}

func TestMaxArgsAndBulkOptions(t *testing.T) {
	in := AppendCommandString(nil, "SET", "key", "value")
	cases := []struct {
		opts ReaderOptions
		err  string
		off  int64
	}{
		{ReaderOptions{MaxArgs: 3}, "eof", 0},
		{ReaderOptions{MaxArgs: 2}, "limit", 0},
		{ReaderOptions{MaxBulkLen: 5}, "eof", 0},
		{ReaderOptions{MaxBulkLen: 4}, "limit", 22},
	}
	for _, tc := range cases {
		rd := NewReaderOptions(bytes.NewReader(in), &tc.opts)
		_, err := readItems(rd)
		if c := errClass(err); c != tc.err || (c == "limit" && errOffset(err) != tc.off) {
			t.Errorf("%+v: %v, want %s at %d", tc.opts, err, tc.err, tc.off)
		}
	}
	// MaxLineLen bounds annotations, CRLF included.
	ann := []byte("#TS:1700000000\r\n")
	for _, lim := range []int{len(ann), len(ann) - 1} {
		rd := NewReaderOptions(bytes.NewReader(ann), &ReaderOptions{MaxLineLen: lim})
		_, err := readItems(rd)
		want := "eof"
		if lim < len(ann) {
			want = "limit"
		}
		if errClass(err) != want {
			t.Errorf("MaxLineLen %d: %v, want %s", lim, err, want)
		}
	}
	// An endless annotation stops at the limit, not at the end of memory.
	rd := NewReader(io.MultiReader(strings.NewReader("#"), neverEnding('x')))
	if _, err := rd.Next(); errClass(err) != "limit" {
		t.Errorf("endless annotation: %v", err)
	}
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// TestLyingHeadersAllocateLittle feeds headers that claim huge sizes,
// then ends the input: memory allocated must stay proportional to the
// bytes that arrived, not to the claims.
func TestLyingHeadersAllocateLittle(t *testing.T) {
	cases := []string{
		"*1\r\n$536870000\r\n",
		"*1\r\n$536870000\r\n" + strings.Repeat("x", 100<<10),
		"*2147483647\r\n",
		"*2147483647\r\n" + strings.Repeat("$1\r\nx\r\n", 1000),
		"*3\r\n$1\r\na\r\n$536870000\r\nabc",
	}
	for _, in := range cases {
		for _, bs := range []int{0, 16} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rd := NewReaderOptions(iotest.HalfReader(strings.NewReader(in)), &ReaderOptions{BufferSize: bs})
			_, err := rd.ReadCommand()
			runtime.ReadMemStats(&after)
			if err != ErrTruncated {
				t.Errorf("%.20q: %v, want ErrTruncated", in, err)
			}
			// The buffer (64 KiB) plus a big-argument chunk of at most
			// twice what arrived, plus slack.
			limit := uint64(DefaultBufferSize + 3*len(in) + 256<<10)
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("%.20q (buffer %d): allocated %d bytes, want <= %d", in, bs, got, limit)
			}
		}
	}
	// With no bulk limit at all, a length near MaxInt64 neither overflows
	// nor allocates.
	for _, in := range []string{"*1\r\n$9223372036854775805\r\nabc", "*2\r\n$1\r\na\r\n$9223372036854775805\r\n"} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		rd := NewReaderOptions(strings.NewReader(in), &ReaderOptions{MaxBulkLen: math.MaxInt64})
		_, err := rd.ReadCommand()
		runtime.ReadMemStats(&after)
		if err != ErrTruncated || after.TotalAlloc-before.TotalAlloc > 1<<20 {
			t.Errorf("%q: %v, allocated %d", in, err, after.TotalAlloc-before.TotalAlloc)
		}
	}
	// ParseCommand too.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := ParseCommand([]byte("*2147483647\r\n$1\r\nx\r\n"))
	runtime.ReadMemStats(&after)
	if err != ErrTruncated || after.TotalAlloc-before.TotalAlloc > 64<<10 {
		t.Errorf("ParseCommand: %v, allocated %d", err, after.TotalAlloc-before.TotalAlloc)
	}
}

// TestSteadyStateAllocs checks that reading commands allocates nothing
// once the Reader is warm, also with arguments longer than its buffer.
func TestSteadyStateAllocs(t *testing.T) {
	var in []byte
	in = AppendAnnotation(in, []byte("TS:1700000000"))
	for i := range 50 {
		in = AppendCommandString(in, "SET", "key:"+strings.Repeat("x", i%9), strings.Repeat("v", i*3))
	}
	in = AppendCommandString(in, "SET", "big", strings.Repeat("b", 100<<10))
	for _, bs := range []int{0, 64} {
		br := bytes.NewReader(in)
		rd := NewReaderOptions(br, &ReaderOptions{BufferSize: bs})
		readAll := func() {
			br.Reset(in)
			rd.Reset(br)
			for {
				if _, err := rd.ReadCommand(); err != nil {
					if err != io.EOF {
						t.Fatal(err)
					}
					return
				}
			}
		}
		readAll()
		if n := testing.AllocsPerRun(20, readAll); n != 0 {
			t.Errorf("buffer %d: %v allocations per pass over %d commands, want 0", bs, n, 51)
		}
	}
}

func TestInline(t *testing.T) {
	cases := []struct {
		line string
		want []string // nil: no command; "ERR" first: protocol error
	}{
		{"PING\r\n", []string{"PING"}},
		{"PING\n", []string{"PING"}},
		{"set k v\r\n", []string{"set", "k", "v"}},
		{"  set   k\t\tv  \r\n", []string{"set", "k", "v"}},
		{"\v\fset\r\n", []string{"set"}},
		{"a\vb\r\n", []string{"a\vb"}},
		{"set k \"hello world\"\r\n", []string{"set", "k", "hello world"}},
		{"set k 'hello world'\r\n", []string{"set", "k", "hello world"}},
		{"echo \"\\x41\\x4a\\xff\\x00z\"\r\n", []string{"echo", "AJ\xff\x00z"}},
		{"echo \"\\xZZ\"\r\n", []string{"echo", "xZZ"}},
		{"echo \"\\n\\r\\t\\b\\a\\q\\\\\\\"\"\r\n", []string{"echo", "\n\r\t\b\aq\\\""}},
		{"echo 'it\\'s' 'a\\nb'\r\n", []string{"echo", "it's", "a\\nb"}},
		{"echo foo\"bar baz\"\r\n", []string{"echo", "foobar baz"}},
		{"echo \"\"\r\n", []string{"echo", ""}},
		{"echo ''\r\n", []string{"echo", ""}},
		{"echo \"a\"b\r\n", []string{"ERR"}},
		{"echo 'a'b\r\n", []string{"ERR"}},
		{"echo \"abc\r\n", []string{"ERR"}},
		{"echo 'abc\r\n", []string{"ERR"}},
		{"echo \"abc\\\"\r\n", []string{"ERR"}},
		{"echo a\x00b\r\n", []string{"ERR"}},
		{"echo \"a\"\tb\r\n", []string{"echo", "a", "b"}},
		{"#TS:1\r\n", []string{"#TS:1"}},
		{"\r\n", nil},
		{"\n", nil},
		{"   \r\n", nil},
		{"*0\r\n", nil},
		{"*-1\r\n", nil},
	}
	for _, tc := range cases {
		in := tc.line + "*1\r\n$4\r\nPING\r\n"
		rd := NewReaderOptions(strings.NewReader(in), &ReaderOptions{Inline: true})
		items, err := readItems(rd)
		if len(tc.want) > 0 && tc.want[0] == "ERR" {
			if errClass(err) != "proto" || len(items) != 0 {
				t.Errorf("%q: %v %v, want a protocol error", tc.line, items, err)
			}
			continue
		}
		var want []string
		if tc.want != nil {
			want = append(want, item{kind: KindInline, args: tc.want}.String())
		}
		want = append(want, "command[PING]")
		var got []string
		for _, it := range items {
			got = append(got, it.String())
		}
		if err != io.EOF || !slices.Equal(got, want) {
			t.Errorf("%q: %q %v, want %q", tc.line, got, err, want)
		}
	}
	// Inline lines are bounded too.
	rd := NewReaderOptions(neverEnding('x'), &ReaderOptions{Inline: true})
	if _, err := rd.ReadCommand(); errClass(err) != "limit" {
		t.Errorf("endless inline line: %v", err)
	}
	// A truncated inline line.
	rd = NewReaderOptions(strings.NewReader("PING"), &ReaderOptions{Inline: true})
	if _, err := rd.ReadCommand(); err != ErrTruncated {
		t.Errorf("unterminated inline line: %v", err)
	}
}

func TestKindString(t *testing.T) {
	for k, s := range map[Kind]string{KindCommand: "command", KindInline: "inline", KindAnnotation: "annotation", kindEmpty: "empty"} {
		if k.String() != s {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}

func TestProtocolErrorMessage(t *testing.T) {
	_, _, err := ParseCommand([]byte("*1\r\n$x\r\n"))
	if got, want := err.Error(), "resp: protocol error at offset 4: invalid bulk length"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	_, _, err = ParseCommand([]byte("*1\r\n$999999999\r\n"))
	if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrProtocol) {
		t.Errorf("%v: want ErrLimit and ErrProtocol", err)
	}
}

// TestBufferShrinks checks that a buffer grown for one huge command of
// short arguments is given back afterwards.
func TestBufferShrinks(t *testing.T) {
	args := []string{"SADD", "s"}
	for i := range 300000 {
		args = append(args, strconv.Itoa(i%10))
	}
	in := AppendCommandString(nil, args...)
	in = AppendCommandString(in, "PING")
	rd := NewReader(bytes.NewReader(in))
	got, err := rd.ReadCommand()
	if err != nil || len(got) != len(args) {
		t.Fatalf("%d args, %v", len(got), err)
	}
	if len(rd.buf) <= 1<<20 {
		t.Fatalf("buffer %d: the test expects it to grow past 1 MiB", len(rd.buf))
	}
	if got, err := rd.ReadCommand(); err != nil || string(got[0]) != "PING" {
		t.Fatalf("%q %v", got, err)
	}
	if len(rd.buf) != DefaultBufferSize {
		t.Errorf("buffer %d after the huge command, want %d", len(rd.buf), DefaultBufferSize)
	}
}
