package resp

import (
	"bytes"
	"io"
	"math"
)

// Kind tells what Reader.Next read.
type Kind uint8

const (
	// kindEmpty is an item that carries no command (only with Inline: a
	// blank line, "*0" or "*-1"); Next skips it, as redis-server does.
	kindEmpty Kind = iota
	// KindCommand is a multibulk command; see Reader.Args.
	KindCommand
	// KindInline is an inline command (ReaderOptions.Inline only); see
	// Reader.Args.
	KindInline
	// KindAnnotation is a '#' line such as Redis's "#TS:<unix>"; see
	// Reader.Annotation. Never returned with ReaderOptions.Inline.
	KindAnnotation
)

func (k Kind) String() string {
	switch k {
	case KindCommand:
		return "command"
	case KindInline:
		return "inline"
	case KindAnnotation:
		return "annotation"
	}
	return "empty"
}

// Defaults of ReaderOptions.
const (
	// DefaultMaxBulkLen is Redis's proto-max-bulk-len default, 512 MiB.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxArgs is INT_MAX, the largest argument count redis-server
	// accepts. Memory stays bounded by the input read (see doc.go).
	DefaultMaxArgs = math.MaxInt32
	// DefaultMaxLineLen is Redis's PROTO_INLINE_MAX_SIZE, 64 KiB: the
	// longest annotation, inline command or simple reply line, CRLF
	// included.
	DefaultMaxLineLen = 64 << 10
	// DefaultBufferSize is the Reader's initial buffer size, 64 KiB.
	DefaultBufferSize = 64 << 10
)

type limits struct {
	maxBulk int
	maxArgs int
	maxLine int
	inline  bool
}

var defaultLimits = limits{
	maxBulk: DefaultMaxBulkLen,
	maxArgs: DefaultMaxArgs,
	maxLine: DefaultMaxLineLen,
}

// parseLen result states.
const (
	lenOK = iota
	lenMore
	lenBad
)

// parseLen parses the number starting at b[i] and the CRLF after it, with
// the rules of Redis's string2ll: an optional '-', then "0" or a digit 1-9
// followed by digits, no '+', no spaces, no leading zeros, no "-0", within
// int64. It returns the value, the index just past the CRLF, and lenOK, or
// lenMore when b ends before the CRLF and nothing seen so far is wrong, or
// lenBad. A valid number line is at most 23 bytes ('*', '-', 19 digits,
// CRLF), so lenMore never waits for more than that.
func parseLen(b []byte, i int) (int64, int, int) {
	if i >= len(b) {
		return 0, 0, lenMore
	}
	neg := false
	if b[i] == '-' {
		neg = true
		i++
		if i >= len(b) {
			return 0, 0, lenMore
		}
	}
	var v uint64
	switch c := b[i]; {
	case c == '0':
		if neg {
			return 0, 0, lenBad
		}
		i++
	case c >= '1' && c <= '9':
		v = uint64(c - '0')
		i++
		for nd := 1; i < len(b); i++ {
			c = b[i]
			if c < '0' || c > '9' {
				break
			}
			if nd == 19 {
				return 0, 0, lenBad
			}
			v = v*10 + uint64(c-'0')
			nd++
		}
	default:
		return 0, 0, lenBad
	}
	if i >= len(b) {
		return 0, 0, lenMore
	}
	if b[i] != '\r' {
		return 0, 0, lenBad
	}
	if i+1 >= len(b) {
		return 0, 0, lenMore
	}
	if b[i+1] != '\n' {
		return 0, 0, lenBad
	}
	if neg {
		if v > 1<<63 {
			return 0, 0, lenBad
		}
		return int64(-v), i + 2, lenOK
	}
	if v > math.MaxInt64 {
		return 0, 0, lenBad
	}
	return int64(v), i + 2, lenOK
}

// parser states.
type pstate uint8

const (
	stStart    pstate = iota // expecting the first byte of an item
	stArgc                   // in "*<argc>\r\n"
	stBulkLen                // expecting "$<len>\r\n" or the end of the command
	stBulk                   // expecting <bulk> bytes and CRLF
	stBulkCRLF               // expecting the CRLF of a bulk the Reader read itself
	stLine                   // in an annotation or inline line
	stBig                    // the Reader is reading a bulk into its own buffer (readBig)
)

// parser is a resumable parser of one item (command, annotation or inline
// command). It is given the item's bytes from its first byte, and called
// again with the same bytes plus more when it asks for more: it resumes
// where it stopped, so an item arriving byte by byte is scanned once.
//
// Arguments are appended to args as slices of b whose capacity is their
// length, so that a caller's append cannot overwrite the bytes after one.
type parser struct {
	lim  limits
	st   pstate
	kind Kind
	pos  int // next byte to parse, relative to the item start
	scan int // where the search for '\n' resumes (stLine)
	argc int
	bulk int
	args [][]byte
	line []byte // annotation text
	inl  []byte // inline scratch: unquoted arguments
}

func (p *parser) reset() {
	p.st = stStart
	p.kind = kindEmpty
	p.pos = 0
	p.scan = 0
	p.argc = 0
	p.bulk = 0
	p.args = p.args[:0]
	p.line = nil
}

// parse continues parsing the item b. It returns done when the item is
// complete (p.pos is then its length), or !done and a nil error when b
// ends before the item does. Error offsets are relative to b.
func (p *parser) parse(b []byte) (done bool, err error) {
	for {
		switch p.st {
		case stStart:
			if len(b) == 0 {
				return false, nil
			}
			switch c := b[0]; {
			case c == '*':
				p.st = stArgc
			case c == '#' && !p.lim.inline:
				p.st, p.kind, p.scan = stLine, KindAnnotation, 1
			case p.lim.inline:
				p.st, p.kind, p.scan = stLine, KindInline, 0
			default:
				return false, protoErr(0, "expected '*' or '#', got "+quoteByte(c))
			}

		case stArgc:
			n, next, st := parseLen(b, 1)
			if st == lenMore {
				return false, nil
			}
			if st == lenBad || n > math.MaxInt32 {
				return false, protoErr(0, "invalid multibulk length")
			}
			p.pos = next
			if n <= 0 {
				if p.lim.inline { // redis-server skips "*0" and "*-1"
					p.kind = kindEmpty
					return true, nil
				}
				return false, protoErr(0, "invalid multibulk length")
			}
			if n > int64(p.lim.maxArgs) {
				return false, limitErr(0, "argument count over limit")
			}
			p.kind = KindCommand
			p.argc = int(n)
			// Preallocate no more than the bytes present can hold: every
			// argument takes at least 6 bytes ("$0\r\n\r\n"). append grows
			// the rest as arguments arrive.
			if want := min(p.argc, 1+(len(b)-next)/6); cap(p.args) < want {
				p.args = make([][]byte, 0, want)
			}
			p.st = stBulkLen

		case stBulkLen:
			// The hot loop: arguments whose bytes are all here are taken
			// without going round the state machine.
			pos, args := p.pos, p.args
			for len(args) < p.argc {
				if pos >= len(b) {
					p.pos, p.args = pos, args
					return false, nil
				}
				if c := b[pos]; c != '$' {
					p.args = args
					return false, protoErr(pos, "expected '$', got "+quoteByte(c))
				}
				n, next, st := parseLen(b, pos+1)
				if st != lenOK || n < 0 || n > int64(p.lim.maxBulk) {
					p.args = args
					switch {
					case st == lenMore:
						p.pos = pos
						return false, nil
					case st == lenBad || n < 0:
						return false, protoErr(pos, "invalid bulk length")
					}
					return false, limitErr(pos, "bulk length over limit")
				}
				end := next + int(n) // n+2 <= maxBulk+2 cannot overflow
				if len(b)-next < int(n)+2 {
					p.pos, p.args, p.bulk, p.st = next, args, int(n), stBulk
					return false, nil
				}
				if b[end] != '\r' || b[end+1] != '\n' {
					p.args = args
					return false, protoErr(end, "bulk data not followed by CRLF")
				}
				args = append(args, b[next:end:end])
				pos = end + 2
			}
			p.pos, p.args = pos, args
			return true, nil

		case stBulk:
			end := p.pos + p.bulk
			if len(b)-p.pos < p.bulk+2 {
				return false, nil
			}
			if b[end] != '\r' || b[end+1] != '\n' {
				return false, protoErr(end, "bulk data not followed by CRLF")
			}
			p.args = append(p.args, b[p.pos:end:end])
			p.pos = end + 2
			p.st = stBulkLen

		case stBulkCRLF:
			if len(b)-p.pos < 2 {
				return false, nil
			}
			if b[p.pos] != '\r' || b[p.pos+1] != '\n' {
				return false, protoErr(p.pos, "bulk data not followed by CRLF")
			}
			p.pos += 2
			p.st = stBulkLen

		case stLine:
			hi := min(len(b), p.lim.maxLine)
			i := -1
			if p.scan < hi {
				i = bytes.IndexByte(b[p.scan:hi], '\n')
			}
			if i < 0 {
				if len(b) >= p.lim.maxLine {
					return false, limitErr(0, "line longer than limit")
				}
				p.scan = max(p.scan, hi)
				return false, nil
			}
			nl := p.scan + i
			p.pos = nl + 1
			if p.kind == KindAnnotation {
				if padLine(b[:nl]) {
					p.line = b[1:nl:nl]
					return true, nil
				}
				if nl < 2 || b[nl-1] != '\r' {
					return false, protoErr(nl, "annotation not terminated by CRLF")
				}
				p.line = b[1 : nl-1 : nl-1]
				return true, nil
			}
			line := b[:nl]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			if err := p.splitInline(line); err != nil {
				return false, err
			}
			if len(p.args) == 0 {
				p.kind = kindEmpty
			}
			return true, nil

		case stBig:
			return false, nil
		}
	}
}

// ParseCommand parses the first command in buf, skipping '#' annotation
// lines before it, with the Reader's default limits and rules (no inline
// commands). It returns the arguments, which alias buf, and n, the number
// of bytes consumed (annotations included). On error n is the length of
// the annotations skipped before the failing item.
//
// When buf holds no bytes of a command (it is empty or holds only
// annotations) the error is io.EOF; when it ends inside a command or an
// annotation the error is ErrTruncated; when it is malformed, a
// *ProtocolError with Offset relative to buf. One allocation per call:
// the argument slice.
func ParseCommand(buf []byte) (args [][]byte, n int, err error) {
	p := parser{lim: defaultLimits}
	for {
		done, err := p.parse(buf[n:])
		if err != nil {
			pe := err.(*ProtocolError)
			pe.Offset += int64(n)
			return nil, n, pe
		}
		if !done {
			if n == len(buf) {
				return nil, n, io.EOF
			}
			return nil, n, ErrTruncated
		}
		if p.kind == KindAnnotation {
			n += p.pos
			p.reset()
			continue
		}
		return p.args, n + p.pos, nil
	}
}

// padLine reports whether line, without its LF, is all '#': a line of
// the pad that aofrdb's AOF appender writes after its records (see
// package aof), which may end with a bare LF.
func padLine(line []byte) bool {
	for _, c := range line {
		if c != '#' {
			return false
		}
	}
	return true
}
