package resp

import (
	"errors"
	"io"
)

// ReaderOptions configures a Reader. The zero value, or a nil
// *ReaderOptions, gives the defaults; a field <= 0 means its default.
type ReaderOptions struct {
	// MaxBulkLen is the longest bulk string accepted, in bytes. Default
	// DefaultMaxBulkLen (512 MiB, Redis's proto-max-bulk-len). An AOF
	// loader should use the server's proto-max-bulk-len. Longer bulks are
	// a *ProtocolError wrapping ErrLimit.
	MaxBulkLen int64

	// MaxArgs is the largest argument count of a command, and the largest
	// element count of a reply aggregate. Default DefaultMaxArgs (INT_MAX,
	// as redis-server). Larger counts are a *ProtocolError wrapping
	// ErrLimit.
	MaxArgs int

	// MaxLineLen is the longest annotation, inline command, or simple reply
	// line, in bytes, CRLF included. Default DefaultMaxLineLen (64 KiB).
	MaxLineLen int

	// BufferSize is the initial size of the read buffer, in bytes. Default
	// DefaultBufferSize (64 KiB); values below 16 are raised to 16.
	BufferSize int

	// Inline makes the Reader read what redis-server reads from a client:
	// a line that does not start with '*' is an inline command (KindInline),
	// and blank lines, "*0" and "*-1" are skipped. '#' lines are then inline
	// commands, not annotations. Leave it off for AOF files: Redis's loader
	// calls all of these a bad file format.
	Inline bool
}

const (
	// bigRetain is the total capacity of big-argument buffers a Reader
	// keeps for reuse between commands.
	bigRetain = 16 << 20
	// bigFirstChunk is the first allocation for a big argument whose bytes
	// have not arrived yet; it doubles as they arrive, up to the length.
	bigFirstChunk = 64 << 10
	// maxEmptyReads is how many (0, nil) reads in a row make
	// io.ErrNoProgress, as in bufio.
	maxEmptyReads = 100
	// minBufferSize is the smallest buffer (tests use it to exercise the
	// paths taken by long commands).
	minBufferSize = 16
)

// A Reader reads RESP commands, annotations and replies from an
// io.Reader, through its own buffer. See the package documentation for
// the grammar, the limits, and how long returned slices stay valid.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	rd    io.Reader
	buf   []byte // buffered input is buf[r:w]
	r, w  int    // r: start of the current item; w: end of buffered data
	off   int64  // input offset of buf[r]
	rerr  error  // error from rd, returned once buffered bytes are used
	err   error  // sticky error returned by every later call
	rdOff int64  // input offset just past the last byte read from rd

	// pend is the kind of item left partly read by ErrWouldBlock, which
	// the next call resumes instead of starting a new item.
	pend pending

	p   parser
	ext int // bytes of the current item read outside buf (big arguments)

	// Big arguments: bulks that do not fit in buf are read into their own
	// buffers. bigs[k] is kept for the k-th big argument of later commands
	// while the total stays under bigRetain.
	bigs    [][]byte
	bigsCap int
	bigIdx  []int // indexes in p.args of the current command's big arguments

	// The big argument being read (parser state stBig): its buffer, the
	// bytes of it read so far, and whether the buffer is bigs[k] reused.
	big       []byte
	bigN      int
	bigReused bool

	rs replyState // the reply being read (value.go)

	start, end int64 // offsets of the last item
	bufSize    int
	bigMin     int
}

// NewReader returns a Reader with the default options.
func NewReader(rd io.Reader) *Reader { return NewReaderOptions(rd, nil) }

// NewReaderOptions returns a Reader configured by o (nil means defaults).
func NewReaderOptions(rd io.Reader, o *ReaderOptions) *Reader {
	r := &Reader{p: parser{lim: defaultLimits}, bufSize: DefaultBufferSize}
	if o != nil {
		if o.MaxBulkLen > 0 {
			// A bulk and its CRLF must fit in an int.
			r.p.lim.maxBulk = int(min(o.MaxBulkLen, int64(maxInt-2)))
		}
		if o.MaxArgs > 0 {
			r.p.lim.maxArgs = o.MaxArgs
		}
		if o.MaxLineLen > 0 {
			r.p.lim.maxLine = o.MaxLineLen
		}
		if o.BufferSize > 0 {
			r.bufSize = max(o.BufferSize, minBufferSize)
		}
		r.p.lim.inline = o.Inline
	}
	// A bulk of at least bigMin bytes that does not fit in the buffer is
	// read into its own buffer; shorter ones grow the buffer.
	r.bigMin = min(16<<10, r.bufSize/4)
	r.Reset(rd)
	return r
}

const maxInt = int(^uint(0) >> 1)

// pending tells which kind of item ErrWouldBlock left partly read.
type pending uint8

const (
	pendNone  pending = iota
	pendCmd           // a command or annotation (Next, ReadCommand)
	pendReply         // a reply (ReadReply)
)

// Reset discards all state and buffered input and makes r read from rd,
// as if new, keeping its options and its buffers for reuse. Offsets start
// at 0.
func (r *Reader) Reset(rd io.Reader) { r.ResetAt(rd, 0) }

// ResetAt is Reset with offsets starting at off: the first byte read from
// rd is reported at offset off. An AOF loader that has read an RDB
// preamble of n bytes continues with ResetAt(f, n) to get file offsets.
func (r *Reader) ResetAt(rd io.Reader, off int64) {
	if len(r.buf) < r.bufSize || len(r.buf) > max(4*r.bufSize, 1<<20) {
		r.buf = make([]byte, r.bufSize)
	}
	r.rd = rd
	r.r, r.w = 0, 0
	r.off = off
	r.rdOff = off
	r.rerr, r.err = nil, nil
	r.pend = pendNone
	clear(r.p.args[:cap(r.p.args)])
	r.p.reset()
	r.ext = 0
	r.bigIdx = r.bigIdx[:0]
	r.big, r.bigN, r.bigReused = nil, 0, false
	r.rs.reset()
	r.start, r.end = off, off
}

// Offset returns the input offset of the first byte of the last item
// returned (a command for ReadCommand, an item for Next, a reply for
// ReadReply). After an error it returns the offset where the failed item
// starts, which is also the end of the last complete item; after
// ErrWouldBlock, the offset where the partly read item starts.
func (r *Reader) Offset() int64 { return r.start }

// End returns the input offset just past the last item returned: where
// the next item starts. After an error (ErrWouldBlock included) it equals
// Offset. An AOF loader records End after each command it applies and
// truncates a file with a truncated tail there.
func (r *Reader) End() int64 { return r.end }

// Buffered returns the number of bytes read from the underlying reader
// and not yet returned as part of an item: those of an item partly read
// (after ErrWouldBlock, say) and those after it. It is the offset of the
// last byte read plus one, minus End. A server reading clients with
// ErrWouldBlock can bound a client's query buffer with it. Like Offset
// and End, it leaves the last item's arguments valid.
func (r *Reader) Buffered() int { return int(r.rdOff - r.end) }

// Next reads the next command or annotation and reports its kind; Args or
// Annotation then return it. At a clean end of input (no byte of a new
// item) it returns io.EOF; when the input ends inside an item,
// ErrTruncated; for malformed input, a *ProtocolError; an error from the
// underlying reader other than io.EOF and ErrWouldBlock is returned
// unchanged. Errors are sticky: every later call returns the same error
// until Reset.
//
// ErrWouldBlock is not an error in that sense: when the underlying reader
// returns it, so does Next, keeping what it has read of the item, and a
// later call of Next or ReadCommand (not ReadReply) resumes that item.
func (r *Reader) Next() (Kind, error) {
	if r.err != nil {
		return 0, r.err
	}
	for {
		k, err := r.next()
		if err != nil {
			if err == ErrWouldBlock {
				return 0, err
			}
			r.err = err
			r.p.kind = kindEmpty // Args and Annotation return nil
			return 0, err
		}
		if k != kindEmpty {
			return k, nil
		}
	}
}

// Args returns the arguments of the command last read by Next or
// ReadCommand, or nil if the last call read none. They are valid until
// the next call of a method of r.
func (r *Reader) Args() [][]byte {
	if (r.p.kind != KindCommand && r.p.kind != KindInline) || r.pend != pendNone {
		return nil
	}
	return r.p.args
}

// Annotation returns the text of the annotation last read by Next, without
// the leading '#' and the CRLF: "TS:1700000000" for Redis's timestamps. It
// is valid until the next call of a method of r.
func (r *Reader) Annotation() []byte {
	if r.p.kind != KindAnnotation || r.pend != pendNone {
		return nil
	}
	return r.p.line
}

// ReadCommand reads the next command, skipping annotations, and returns
// its arguments, valid until the next call of a method of r. Errors,
// ErrWouldBlock included, are as for Next.
func (r *Reader) ReadCommand() ([][]byte, error) {
	for {
		k, err := r.Next()
		if err != nil {
			return nil, err
		}
		if k != KindAnnotation {
			return r.p.args, nil
		}
	}
}

// next reads one item, which may be empty (kindEmpty), or resumes the
// item ErrWouldBlock left partly read.
func (r *Reader) next() (Kind, error) {
	if r.pend == pendNone {
		r.beginItem()
	} else if r.pend == pendCmd {
		r.pend = pendNone
	} else {
		return 0, errSwitched
	}
	p := &r.p
	for {
		done, err := p.parse(r.buf[r.r:r.w])
		if err != nil {
			pe := err.(*ProtocolError)
			pe.Offset += r.start + int64(r.ext)
			return 0, pe
		}
		if done {
			n := p.pos + r.ext
			r.r += p.pos
			r.off += int64(n)
			r.end = r.off
			return p.kind, nil
		}
		if p.st == stBig || (p.st == stBulk && p.bulk >= r.bigMin && r.w-r.r-p.pos < p.bulk && p.bulk+2 > len(r.buf)-p.pos) {
			err = r.readBig()
		} else {
			err = r.fill()
		}
		if err != nil {
			if err == ErrWouldBlock {
				r.pend = pendCmd
				return 0, err
			}
			if err == io.EOF {
				if p.st == stStart {
					return 0, io.EOF
				}
				return 0, ErrTruncated
			}
			return 0, err
		}
	}
}

// beginItem starts a new item at buf[r]: resets the parser and the
// offsets, and gives back memory a huge item made the buffer grow to.
func (r *Reader) beginItem() {
	if len(r.bigIdx) > 0 {
		// The last command's big arguments may be in buffers not kept
		// for reuse: do not keep them alive.
		clear(r.p.args)
	}
	r.p.reset()
	r.ext = 0
	r.bigIdx = r.bigIdx[:0]
	r.start, r.end = r.off, r.off
	if len(r.buf) > max(4*r.bufSize, 1<<20) && r.w-r.r <= r.bufSize/2 {
		r.move(make([]byte, r.bufSize))
	}
}

// move copies the current item's bytes, buf[r:w], to the start of nb
// (which may be buf itself) and makes nb the buffer. The arguments parsed
// so far that lie in buf are moved along: their positions are found again
// by walking the item's length headers, which are all in buf (a big
// argument's data is not, its header and CRLF are). An item moves at most
// once per fill that compacts or grows the buffer, which is rare.
func (r *Reader) move(nb []byte) {
	old := r.buf[r.r:r.w]
	n := copy(nb, old)
	if len(nb) != len(r.buf) {
		// Stale arguments of earlier commands must not keep the old
		// buffer (or an unretained big one) alive.
		clear(r.p.args[len(r.p.args):cap(r.p.args)])
	}
	if args := r.p.args; len(args) > 0 && r.p.kind == KindCommand {
		b := nb[:n]
		_, pos, _ := parseLen(b, 1)
		j := 0 // next big argument in bigIdx
		for i, a := range args {
			_, next, _ := parseLen(b, pos+1)
			if j < len(r.bigIdx) && r.bigIdx[j] == i {
				j++
				pos = next + 2
				continue
			}
			args[i] = b[next : next+len(a) : next+len(a)]
			pos = next + len(a) + 2
		}
	}
	r.buf = nb
	r.r, r.w = 0, n
}

// fill reads more input into buf, keeping buf[r:w]: it moves that to the
// start of buf, or to a buffer twice as large when buf is full of it.
func (r *Reader) fill() error {
	if r.rerr != nil {
		return r.takeErr()
	}
	if r.r > 0 {
		r.move(r.buf)
	}
	if r.w == len(r.buf) {
		r.move(make([]byte, 2*len(r.buf)))
	}
	n, err := r.read(r.buf[r.w:])
	r.w += n
	return err
}

// read reads into p from the underlying reader, at least one byte unless
// it fails. An error is remembered in rerr; it is returned at once only
// when no byte was read. ErrWouldBlock, wrapped or not, becomes
// ErrWouldBlock, and is remembered only until it is returned.
func (r *Reader) read(p []byte) (int, error) {
	if r.rerr != nil {
		return 0, r.takeErr()
	}
	for range maxEmptyReads {
		n, err := r.rd.Read(p)
		if n < 0 || n > len(p) {
			r.rerr = errBadRead
			return 0, r.rerr
		}
		r.rdOff += int64(n)
		if err != nil {
			if err == ErrWouldBlock || errors.Is(err, ErrWouldBlock) {
				if n == 0 {
					return 0, ErrWouldBlock
				}
				err = ErrWouldBlock
			}
			r.rerr = err
			if n > 0 {
				err = nil
			}
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
	r.rerr = io.ErrNoProgress
	return 0, r.rerr
}

// takeErr returns rerr, forgetting it if it is ErrWouldBlock: that one
// is returned once.
func (r *Reader) takeErr() error {
	err := r.rerr
	if err == ErrWouldBlock {
		r.rerr = nil
	}
	return err
}

// readBig reads the bulk the parser waits for (p.bulk bytes) into a
// buffer of its own, when it does not fit in buf. The buffer is reused
// from an earlier command when one is large enough; otherwise it is
// allocated as the bytes arrive, doubling from what is buffered (at
// least bigFirstChunk) up to the bulk length, so a length header that
// lies costs memory in proportion to the bytes that did arrive.
//
// The parser is in state stBig while the bulk is read, with its progress
// in r.big and r.bigN: after ErrWouldBlock, the next call resumes it.
func (r *Reader) readBig() error {
	p := &r.p
	size := p.bulk
	k := len(r.bigIdx)
	if p.st == stBulk {
		at := r.r + p.pos // first byte of the bulk in buf
		have := r.w - at  // < size
		var dst []byte
		reused := k < len(r.bigs) && cap(r.bigs[k]) >= size
		if reused {
			dst = r.bigs[k][:size]
		} else {
			dst = make([]byte, min(size, max(have, bigFirstChunk)))
		}
		r.bigN = copy(dst, r.buf[at:r.w])
		r.big, r.bigReused = dst, reused
		r.w = at // the bulk's bytes now live in dst
		p.st = stBig
	}
	dst, n := r.big, r.bigN
	for n < size {
		if n == len(dst) {
			nd := make([]byte, min(size, 2*len(dst)))
			copy(nd, dst[:n])
			dst = nd
			r.big = dst
		}
		m, err := r.read(dst[n:])
		n += m
		if err != nil {
			r.bigN = n
			return err
		}
	}
	if !r.bigReused {
		if k >= len(r.bigs) {
			r.bigs = append(r.bigs, nil)
		}
		r.bigsCap -= cap(r.bigs[k])
		r.bigs[k] = nil
		if r.bigsCap+cap(dst) <= bigRetain {
			r.bigs[k] = dst
			r.bigsCap += cap(dst)
		}
	}
	r.big, r.bigN = nil, 0
	r.bigIdx = append(r.bigIdx, len(p.args))
	p.args = append(p.args, dst[:size:size])
	r.ext += size
	p.st = stBulkCRLF
	return nil
}
