package resp

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
)

// wbStep is one thing a wbReader does: give the next n bytes (over as
// many reads as the caller's buffer needs), or return ErrWouldBlock
// (block). With withErr the last read of the n bytes returns
// ErrWouldBlock along with them.
type wbStep struct {
	n       int
	block   bool
	withErr bool
}

// wbReader is a non-blocking source that follows a script of steps, then
// returns io.EOF.
type wbReader struct {
	data   []byte
	steps  []wbStep
	wrap   bool // return ErrWouldBlock wrapped
	got    int  // bytes given so far
	blocks int  // ErrWouldBlock returned so far
}

func (w *wbReader) wouldBlock() error {
	w.blocks++
	if w.wrap {
		return fmt.Errorf("read fd 7: %w", ErrWouldBlock)
	}
	return ErrWouldBlock
}

func (w *wbReader) Read(p []byte) (int, error) {
	for len(w.steps) > 0 {
		s := &w.steps[0]
		if s.block {
			w.steps = w.steps[1:]
			return 0, w.wouldBlock()
		}
		if s.n == 0 {
			w.steps = w.steps[1:]
			continue
		}
		m := copy(p, w.data[w.got:w.got+s.n])
		w.got += m
		s.n -= m
		if s.n == 0 {
			w.steps = w.steps[1:]
			if s.withErr {
				return m, w.wouldBlock()
			}
		}
		return m, nil
	}
	return 0, io.EOF
}

// chunkSteps splits n bytes into chunks ending at cuts (increasing, at
// most n; a last chunk ends at n), with blocks would-blocks before each
// chunk, and each chunk's bytes returned with ErrWouldBlock when withErr.
func chunkSteps(n int, cuts []int, blocks int, withErr bool) []wbStep {
	var steps []wbStep
	prev := 0
	for _, c := range append(slices.Clip(cuts), n) {
		for range blocks {
			steps = append(steps, wbStep{block: true})
		}
		steps = append(steps, wbStep{n: c - prev, withErr: withErr})
		prev = c
	}
	return steps
}

// randomSteps splits n bytes into random chunks with random runs of
// would-blocks between them.
func randomSteps(rng *rand.Rand, n int) []wbStep {
	var steps []wbStep
	maxChunk := 1 + rng.IntN(max(1, n/2+1))
	for left := n; ; {
		for range rng.IntN(3) {
			steps = append(steps, wbStep{block: true})
		}
		if left == 0 {
			return steps
		}
		c := 1 + rng.IntN(min(left, maxChunk))
		steps = append(steps, wbStep{n: c, withErr: rng.IntN(4) == 0})
		left -= c
	}
}

// readMode is how a pass reads its input.
type readMode int

const (
	modeNext readMode = iota
	modeCommand
	modeReply
)

// pass is everything a Reader returned over an input, comparable.
type pass struct {
	items    []string // each item with its Offset and End
	err      error
	off, end int64 // Offset and End after err
}

func (p pass) String() string {
	return fmt.Sprintf("items %q, error %v, at [%d,%d)", p.items, p.err, p.off, p.end)
}

// samePass reports whether a and b are equal: the same items, and the same
// final error (the same *ProtocolError Offset, Reason and cause).
func samePass(a, b pass) bool {
	if !slices.Equal(a.items, b.items) || a.off != b.off || a.end != b.end {
		return false
	}
	var pa, pb *ProtocolError
	if errors.As(a.err, &pa) && errors.As(b.err, &pb) {
		return *pa == *pb
	}
	return a.err == b.err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// readPass reads everything from rd by mode. src is the wbReader or the
// countReader under rd: Buffered is checked against the bytes it gave,
// and each ErrWouldBlock to come from it, with nothing returned.
func readPass(t testing.TB, rd *Reader, mode readMode, src io.Reader) pass {
	var p pass
	wb, _ := src.(*wbReader)
	got := func() int64 {
		if wb != nil {
			return int64(wb.got)
		}
		return int64(src.(*countReader).n)
	}
	blocks := 0
	for {
		var s string
		var err error
		switch mode {
		case modeNext:
			var k Kind
			k, err = rd.Next()
			if err == nil {
				if k == KindAnnotation {
					s = "#" + string(rd.Annotation())
				} else {
					s = item{kind: k, args: strs(rd.Args())}.String()
				}
			}
		case modeCommand:
			var args [][]byte
			args, err = rd.ReadCommand()
			if err == nil {
				s = "command[" + strings.Join(strs(args), "|") + "]"
			}
		case modeReply:
			var v Value
			v, err = rd.ReadReply()
			if err == nil {
				s = replyText(v)
			}
		}
		if err == ErrWouldBlock {
			blocks++
			if wb == nil || blocks > wb.blocks {
				t.Fatalf("ErrWouldBlock not from the source (%d returned)", blocks)
			}
			if rd.Args() != nil || rd.Annotation() != nil {
				t.Fatalf("Args or Annotation not nil after ErrWouldBlock")
			}
			if rd.Offset() != rd.End() || int64(rd.Buffered()) != got()-rd.End() {
				t.Fatalf("after ErrWouldBlock: Offset %d End %d Buffered %d, source gave %d", rd.Offset(), rd.End(), rd.Buffered(), got())
			}
			continue
		}
		if err != nil {
			p.err, p.off, p.end = err, rd.Offset(), rd.End()
			return p
		}
		if int64(rd.Buffered()) != got()-rd.End() {
			t.Fatalf("Buffered %d, want %d - %d", rd.Buffered(), got(), rd.End())
		}
		p.items = append(p.items, fmt.Sprintf("%s @[%d,%d)", s, rd.Offset(), rd.End()))
	}
}

// replyText renders v with every field, also those String leaves out
// (the kind of null, NaN payloads, nil versus empty).
func replyText(v Value) string {
	var b strings.Builder
	var walk func(v Value)
	list := func(name string, vs []Value) {
		if vs == nil {
			return
		}
		fmt.Fprintf(&b, " %s(", name)
		for _, e := range vs {
			walk(e)
		}
		b.WriteString(")")
	}
	walk = func(v Value) {
		fmt.Fprintf(&b, "{%c null=%t str=%q nil=%t int=%d float=%x bool=%t fmt=%q", byte(v.Type), v.Null, v.Str, v.Str == nil, v.Int, math.Float64bits(v.Float), v.Bool, v.Format)
		list("elems", v.Elems)
		list("attrs", v.Attrs)
		b.WriteString("}")
	}
	walk(v)
	return b.String()
}

// oneShot reads data from a bytes.Reader.
func oneShot(t testing.TB, data []byte, opts *ReaderOptions, mode readMode) pass {
	src := &countReader{r: bytes.NewReader(data)}
	return readPass(t, NewReaderOptions(src, opts), mode, src)
}

// chunked reads data from a wbReader following steps.
func chunked(t testing.TB, data []byte, opts *ReaderOptions, mode readMode, steps []wbStep, wrap bool) pass {
	src := &wbReader{data: data, steps: slices.Clone(steps), wrap: wrap}
	return readPass(t, NewReaderOptions(src, opts), mode, src)
}

// nbCase is an input for the chunking tests, read by mode with opts.
type nbCase struct {
	name string
	in   string
	mode readMode
	opts *ReaderOptions
}

func nbCases() []nbCase {
	small := &ReaderOptions{BufferSize: 16}
	inline := &ReaderOptions{Inline: true}
	var cases []nbCase
	add := func(name, in string, mode readMode, opts *ReaderOptions) {
		cases = append(cases, nbCase{name, in, mode, opts})
	}
	cut := string(cutInput())
	add("commands", cut, modeNext, nil)
	add("commands buf16", cut, modeNext, small)
	add("commands ReadCommand", cut, modeCommand, nil)
	add("truncated tail", cut[:len(cut)-5], modeNext, nil)
	add("truncated annotation", "#TS:1\r\n#TS:2", modeNext, nil)
	add("protocol error in the middle", "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nkX\r\n*1\r\n$4\r\nPING\r\n", modeNext, nil)
	add("bad length", "#TS:1\r\n*1\r\n$4\r\nPING\r\n*1\r\n$04\r\nPING\r\n", modeNext, small)
	add("argc limit", "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", modeNext, &ReaderOptions{MaxArgs: 2})
	add("bulk limit", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$6\r\nkkkkkk\r\n", modeNext, &ReaderOptions{MaxBulkLen: 5})
	add("line limit", "#TS:1\r\n#TS:12345678\r\n", modeNext, &ReaderOptions{MaxLineLen: 12})
	big := strings.Repeat("b", 45)
	add("big arguments", string(AppendCommandString(nil, "SET", "k", big))+
		string(AppendCommandString(nil, "MSET", big, "x", big+big, "y"))+
		string(AppendCommandString(nil, "SET", big[:20], big)), modeNext, small)
	add("big argument truncated", string(AppendCommandString(nil, "SET", "k", big))[:40], modeNext, small)
	add("big argument bad CRLF", "*1\r\n$20\r\n"+strings.Repeat("x", 20)+"XY", modeNext, small)
	add("inline", "PING\r\nset k \"a b\\x41\"\r\n\r\n*0\r\n*1\r\n$4\r\nPING\r\n  echo 'x y'\n#TS:1\r\n", modeNext, inline)
	add("inline error", "PING\r\necho \"abc\r\nPING\r\n", modeNext, inline)
	add("inline truncated", "PING\r\nECHO a", modeNext, &ReaderOptions{Inline: true, BufferSize: 16})
	add("inline line limit", "PING\r\nECHO aaaaaaaaaaaa\r\n", modeNext, &ReaderOptions{Inline: true, MaxLineLen: 10})

	var replies strings.Builder
	for _, tc := range replyCases {
		if !strings.Contains("eof trunc proto limit", tc.want) {
			replies.WriteString(tc.in)
		}
	}
	replies.WriteString("*3\r\n%1\r\n+k\r\n*2\r\n~1\r\n,1.5\r\n>0\r\n|1\r\n+a\r\n|0\r\n:1\r\n$-1\r\n")
	replies.WriteString("$45\r\n" + big + "\r\n=49\r\ntxt:" + big + "\r\n!3\r\nERR\r\n")
	all := replies.String()
	add("replies", all, modeReply, nil)
	add("replies buf16", all, modeReply, small)
	add("replies truncated", all[:len(all)-3], modeReply, small)
	add("reply error in the middle", "*2\r\n:1\r\n+OK\r\n*2\r\n:1\r\n:x\r\n", modeReply, nil)
	add("reply bad verbatim", ":1\r\n=5\r\ntxt-x\r\n", modeReply, small)
	add("reply too deep", ":1\r\n"+strings.Repeat("*1\r\n", maxReplyDepth+1)+":1\r\n", modeReply, nil)
	add("reply limits", ":1\r\n*2\r\n:1\r\n:2\r\n*3\r\n", modeReply, &ReaderOptions{MaxArgs: 2})
	return cases
}

// TestWouldBlockEveryBoundary cuts each input at every byte boundary,
// with one or two would-blocks there (and at the start), and also feeds
// it byte by byte with a would-block before every byte: every way reads
// what a bytes.Reader reads.
func TestWouldBlockEveryBoundary(t *testing.T) {
	for _, tc := range nbCases() {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			want := oneShot(t, data, tc.opts, tc.mode)
			check := func(how string, steps []wbStep, wrap bool) {
				t.Helper()
				if got := chunked(t, data, tc.opts, tc.mode, steps, wrap); !samePass(got, want) {
					t.Fatalf("%s:\n got %v\nwant %v", how, got, want)
				}
			}
			for c := 0; c <= len(data); c++ {
				for blocks := 1; blocks <= 2; blocks++ {
					check(fmt.Sprintf("cut at %d, %d blocks", c, blocks), chunkSteps(len(data), []int{c}, blocks, false), blocks == 2)
				}
				check(fmt.Sprintf("cut at %d, with data", c), chunkSteps(len(data), []int{c}, 0, true), false)
			}
			var every []int
			for c := 1; c < len(data); c++ {
				every = append(every, c)
			}
			check("byte by byte", chunkSteps(len(data), every, 1, false), false)
			check("byte by byte with data", chunkSteps(len(data), every, 0, true), true)
		})
	}
}

// TestWouldBlockBigArgument reads arguments longer than the default
// buffer (read into their own buffers) and a long reply in random chunks.
func TestWouldBlockBigArgument(t *testing.T) {
	rng := testenv.Rand(t)
	long := strings.Repeat("v", 200<<10)
	var cmds []byte
	cmds = AppendCommandString(cmds, "SET", "k", long)
	cmds = AppendCommandString(cmds, "SET", "k", long+long)
	cmds = AppendCommandString(cmds, "PING")
	cmds = AppendCommandString(cmds, "SET", "k", long)
	replies := AppendBulkString(nil, long+long)
	replies = AppendArrayLen(replies, 2)
	replies = AppendBulkString(replies, long)
	replies = AppendInt(replies, 7)
	for _, tc := range []nbCase{
		{"commands", string(cmds), modeNext, nil},
		{"commands truncated", string(cmds[:len(cmds)-100]), modeNext, nil},
		{"replies", string(replies), modeReply, nil},
		{"replies truncated", string(replies[:len(replies)-100]), modeReply, nil},
	} {
		data := []byte(tc.in)
		want := oneShot(t, data, tc.opts, tc.mode)
		for i := range 20 {
			steps := randomSteps(rng, len(data))
			if i < 2 { // small chunks, then one at every 1000th byte
				var cuts []int
				for c := 1000 * (i + 1); c < len(data); c += 1000 {
					cuts = append(cuts, c)
				}
				steps = chunkSteps(len(data), cuts, 1, i == 1)
			}
			if got := chunked(t, data, tc.opts, tc.mode, steps, i%2 == 0); !samePass(got, want) {
				t.Fatalf("%s, run %d:\n got %v\nwant %v", tc.name, i, got, want)
			}
		}
	}
}

// randomStream is a random stream of commands and annotations (as an
// AOF), of inline and multibulk commands (as a client sends), of replies,
// or of all of them mixed, valid or damaged.
func randomStream(rng *rand.Rand) []byte {
	word := func() string {
		const chars = "ab \r\n\"'\\x0$*#"
		b := make([]byte, rng.IntN(8))
		if rng.IntN(10) == 0 {
			b = make([]byte, 20+rng.IntN(60)) // a big argument with small buffers
		}
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		return string(b)
	}
	command := func(b []byte) []byte {
		args := make([]string, 1+rng.IntN(4))
		for i := range args {
			args[i] = word()
		}
		return AppendCommandString(b, args...)
	}
	reply := func(b []byte) []byte {
		switch rng.IntN(4) {
		case 0:
			b = AppendArrayLen(b, 2)
			b = AppendBulkString(b, word())
			b = AppendMapLen(b, 1)
			b = AppendSimpleString(b, "k")
			return AppendDouble(b, rng.Float64())
		case 1:
			b = AppendAttributeLen(b, 1)
			b = AppendBulkString(b, word())
			b = AppendSetLen(b, 1)
			b = AppendVerbatim(b, "txt", []byte(word()))
			return AppendPushLen(b, 0)
		}
		return append(b, replyCases[rng.IntN(len(replyCases))].in...)
	}
	flavor := rng.IntN(4)
	var b []byte
	for range rng.IntN(12) {
		switch k := rng.IntN(10); {
		case flavor == 2 || flavor == 3 && k < 3:
			b = reply(b)
		case k < 7:
			b = command(b)
		case flavor == 0 || k == 7:
			b = AppendAnnotation(b, []byte("TS:"+word()))
		case k == 8:
			b = append(b, "set k 'v w' \"x\\x41\"\r\n"...)
		default:
			b = append(b, "*0\r\n\r\n"...)
		}
	}
	// Damage a third of the streams.
	for len(b) > 0 && rng.IntN(3) == 0 {
		switch rng.IntN(3) {
		case 0:
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		case 1:
			b = b[:rng.IntN(len(b))]
		case 2:
			i := rng.IntN(len(b))
			b = slices.Insert(b, i, "\r\n*$#"[rng.IntN(5)])
		}
	}
	return b
}

// randomOptions are the Reader configurations of the randomized tests.
var randomOptions = []*ReaderOptions{
	nil,
	{BufferSize: 16},
	{BufferSize: 64, MaxArgs: 3, MaxBulkLen: 30, MaxLineLen: 20},
	{Inline: true},
	{Inline: true, BufferSize: 16},
}

// TestWouldBlockRandom reads random streams, valid and invalid, in random
// chunks with would-blocks between them, and compares with one-shot reads.
func TestWouldBlockRandom(t *testing.T) {
	rng := testenv.Rand(t)
	n := 10000
	if testing.Short() {
		n = 1000
	}
	for i := range n {
		data := randomStream(rng)
		opts := randomOptions[rng.IntN(len(randomOptions))]
		for _, mode := range []readMode{modeNext, modeCommand, modeReply} {
			want := oneShot(t, data, opts, mode)
			steps := randomSteps(rng, len(data))
			if got := chunked(t, data, opts, mode, steps, rng.IntN(2) == 0); !samePass(got, want) {
				t.Fatalf("stream %d %q, options %+v, mode %d, steps %v:\n got %v\nwant %v", i, data, opts, mode, steps, got, want)
			}
		}
	}
}

// checkWouldBlock reads data with each of randomOptions and modes,
// one-shot and in chunks chosen from seed with would-blocks between them,
// and fails if they differ.
func checkWouldBlock(t *testing.T, data []byte, seed uint64, modes ...readMode) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, opts := range randomOptions {
		for _, mode := range modes {
			want := oneShot(t, data, opts, mode)
			steps := randomSteps(rng, len(data))
			if got := chunked(t, data, opts, mode, steps, seed%2 == 0); !samePass(got, want) {
				t.Fatalf("options %+v, mode %d, steps %v:\n got %v\nwant %v", opts, mode, steps, got, want)
			}
		}
	}
}

// hashSeed derives a chunking seed from a fuzz input.
func hashSeed(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

// FuzzWouldBlock checks that commands, annotations and replies read the
// same from a non-blocking source, in chunks chosen from seed, as from a
// bytes.Reader.
func FuzzWouldBlock(f *testing.F) {
	for _, tc := range nbCases() {
		f.Add([]byte(tc.in), uint64(len(tc.in)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		checkWouldBlock(t, data, seed, modeNext, modeCommand, modeReply)
	})
}

// TestWouldBlockNotSticky checks that ErrWouldBlock never sticks, that
// other errors still do, and that Next and ReadReply cannot be mixed
// inside an item.
func TestWouldBlockNotSticky(t *testing.T) {
	data := []byte("*1\r\n$4\r\nPING\r\n")
	src := &wbReader{data: data, steps: []wbStep{{block: true}, {n: 5}, {block: true}, {block: true}, {n: len(data) - 5}}}
	rd := NewReader(src)
	for i := range 3 {
		if _, err := rd.ReadCommand(); err != ErrWouldBlock {
			t.Fatalf("read %d: %v, want ErrWouldBlock", i, err)
		}
	}
	if args, err := rd.ReadCommand(); err != nil || len(args) != 1 || string(args[0]) != "PING" {
		t.Fatalf("%q %v", args, err)
	}
	if _, err := rd.ReadCommand(); err != io.EOF {
		t.Fatalf("%v, want io.EOF", err)
	}
	if _, err := rd.ReadCommand(); err != io.EOF {
		t.Fatalf("%v, want io.EOF again", err)
	}

	// A protocol error after a would-block sticks.
	src = &wbReader{data: []byte("*1\r\nX"), steps: []wbStep{{n: 2}, {block: true}, {n: 3}}}
	rd = NewReader(src)
	if _, err := rd.Next(); err != ErrWouldBlock {
		t.Fatalf("%v, want ErrWouldBlock", err)
	}
	_, err := rd.Next()
	if errClass(err) != "proto" || errOffset(err) != 4 {
		t.Fatalf("%v, want a protocol error at 4", err)
	}
	if _, err2 := rd.Next(); err2 != err {
		t.Fatalf("%v, want the same %v", err2, err)
	}

	// Reading a reply while a command is partly read, or the reverse.
	for _, first := range []readMode{modeNext, modeReply} {
		src = &wbReader{data: data, steps: []wbStep{{n: 5}, {block: true}, {n: len(data) - 5}}}
		rd = NewReader(src)
		var err error
		if first == modeNext {
			_, err = rd.Next()
		} else {
			_, err = rd.ReadReply()
		}
		if err != ErrWouldBlock {
			t.Fatalf("%v, want ErrWouldBlock", err)
		}
		if first == modeNext {
			_, err = rd.ReadReply()
		} else {
			_, err = rd.Next()
		}
		if err != errSwitched {
			t.Fatalf("mode %d then the other: %v", first, err)
		}
	}

	// Reset forgets a partly read item.
	src = &wbReader{data: data, steps: []wbStep{{n: 5}, {block: true}}}
	rd = NewReader(src)
	if _, err := rd.Next(); err != ErrWouldBlock {
		t.Fatalf("%v, want ErrWouldBlock", err)
	}
	rd.Reset(bytes.NewReader(data))
	if rd.Buffered() != 0 {
		t.Fatalf("Buffered %d after Reset", rd.Buffered())
	}
	if args, err := rd.ReadCommand(); err != nil || string(args[0]) != "PING" || rd.Offset() != 0 {
		t.Fatalf("after Reset: %q %v at %d", args, err, rd.Offset())
	}
}

// TestBuffered checks Buffered with a pipeline and a would-block.
func TestBuffered(t *testing.T) {
	one := AppendCommandString(nil, "PING")
	data := append(slices.Clone(one), one...)
	data = append(data, one[:5]...)
	src := &wbReader{data: data, steps: []wbStep{{n: len(data)}, {block: true}}}
	rd := NewReader(src)
	for i, want := range []int{len(data) - len(one), 5, 5} {
		_, err := rd.ReadCommand()
		if (i < 2) != (err == nil) || i == 2 && err != ErrWouldBlock {
			t.Fatalf("command %d: %v", i, err)
		}
		if rd.Buffered() != want {
			t.Fatalf("command %d: Buffered %d, want %d", i, rd.Buffered(), want)
		}
	}
}
