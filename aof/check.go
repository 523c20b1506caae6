package aof

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

// FileCheck is what CheckFile finds in one AOF file, in redis-check-aof's
// terms.
type FileCheck struct {
	Size     int64 // the file's size
	Preamble bool  // it starts with an RDB part, which was read whole
	// OKUpTo is where the last complete command outside a MULTI ends
	// (ok_up_to): the file is valid when OKUpTo == Size.
	OKUpTo int64
	// OKUpToLine is redis-check-aof's ok_up_to_line: the 1-based number
	// of the protocol line the check stopped at (annotation lines do not
	// count), which may be past OKUpTo. (After a corrupted byte it has
	// been seen one line off redis-check-aof's, in a rare case.)
	OKUpToLine int64
	// Problem says what stopped the check before the end ("" when the
	// file is valid), at offset At, in redis-check-aof's words.
	Problem string
	At      int64
}

// Valid reports whether the whole file is sound.
func (c *FileCheck) Valid() bool { return c.OKUpTo == c.Size }

// CheckFile checks one AOF file as redis-check-aof does: an RDB part must
// read whole; then every line is an annotation ('#') or a command whose
// protocol is exact (CRLF after each line, '$' lengths, whole payloads),
// MULTI and EXEC pair up, and the file does not end inside a MULTI.
// Command names are not checked. A problem is not an error: it is
// reported in the FileCheck, with the offset up to which the file is
// sound. The error is for a file that cannot be read (also when a read
// fails midway), or an RDB part that is not sane.
func CheckFile(fsys vfs.FS, name string) (*FileCheck, error) {
	c, _, err := checkFile(fsys, name, nil)
	return c, err
}

// checkFile is CheckFile with the checker's annotation hook, returning
// the checker too (for its eof flag).
func checkFile(fsys vfs.FS, name string, annotation func(c *FileCheck, at int64, line []byte, inMulti bool) bool) (*FileCheck, *checker, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	c := &FileCheck{Size: fi.Size()}
	var magic [5]byte
	n, err := f.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		return nil, nil, err
	}
	if n == 5 && string(magic[:]) == "REDIS" {
		c.Preamble = true
		rd := rdb.NewReader(io.NewSectionReader(f, 0, c.Size), &rdb.ReaderOptions{})
		for {
			if _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil {
				return c, nil, fmt.Errorf("aof: %s: the RDB part is not sane at offset %d: %w", name, rd.Offset(), err)
			}
		}
		c.OKUpTo = rd.Offset()
	}
	er := &errReader{r: io.NewSectionReader(f, c.OKUpTo, c.Size-c.OKUpTo)}
	ck := &checker{r: bufio.NewReaderSize(er, 64<<10), start: c.OKUpTo, pos: c.OKUpTo, annotation: annotation}
	ck.run(c)
	c.OKUpToLine = ck.lines + 1
	if er.err != nil {
		// Not a problem of the file: it could not be read.
		return c, ck, fmt.Errorf("aof: %s: reading at offset %d: %w", name, ck.pos, er.err)
	}
	return c, ck, nil
}

// errReader keeps the first error of r other than io.EOF, which a
// bufio.Reader returns only once.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

type checker struct {
	r     *bufio.Reader
	start int64 // offset of the first byte of r: the end of an RDB part
	pos   int64 // offset of the next byte of r
	lines int64
	// eof is set when the problem found is the end of the data: what
	// was read is the start of a valid file cut short (a torn tail).
	eof bool
	// annotation, when set, is called at each annotation line (at is
	// its offset, line its first bytes, up to 1023, through its '\n'
	// if that comes first), before it is skipped; returning true stops
	// the check there. inMulti says whether it is inside a MULTI (which
	// starts at c.OKUpTo then).
	annotation func(c *FileCheck, at int64, line []byte, inMulti bool) (stop bool)
	name       []byte // the name of the last command read
}

func (k *checker) run(c *FileCheck) {
	inMulti := false
	fail := func(at int64, format string, args ...any) {
		c.Problem, c.At = fmt.Sprintf(format, args...), at
	}
	for {
		start := k.pos
		b, err := k.r.Peek(1)
		if err == io.EOF {
			if inMulti {
				fail(start, "Reached EOF before reading EXEC for MULTI")
				k.eof = true
			}
			return
		}
		if err != nil {
			fail(start, "%v", err)
			return
		}
		switch b[0] {
		case '#':
			if k.annotation != nil {
				line, _ := k.r.Peek(1023) // fgets with redis-check-aof's 1024-byte buffer
				if i := bytes.IndexByte(line, '\n'); i >= 0 {
					line = line[:i+1]
				}
				if k.annotation(c, start, line, inMulti) {
					return
				}
			}
			// Skipped whole, of any length, CRLF or not (an annotation
			// cut at the end of the file is fine), and not counted as a
			// line, as redis-check-aof does.
			if err := k.skipLine(); err != nil {
				fail(start, "%v", err)
				return
			}
			if !inMulti {
				c.OKUpTo = k.pos
			}
			continue
		case '*':
		default:
			fail(start, "AOF format error")
			return
		}
		name, problem := k.command()
		if problem != "" {
			fail(k.pos, "%s", problem)
			return
		}
		switch {
		case equalFold(name, "multi"):
			if inMulti {
				fail(start, "Unexpected MULTI")
				return
			}
			inMulti = true
		case equalFold(name, "exec"):
			if !inMulti {
				fail(start, "Unexpected EXEC")
				return
			}
			inMulti = false
		}
		if !inMulti {
			c.OKUpTo = k.pos
		}
	}
}

// skipLine consumes the rest of the line, through its '\n' or to the
// end of the file.
func (k *checker) skipLine() error {
	for {
		l, err := k.r.ReadSlice('\n')
		k.pos += int64(len(l))
		switch err {
		case nil, io.EOF:
			return nil
		case bufio.ErrBufferFull:
			continue
		}
		return err
	}
}

// fgets reads as C's fgets with a 128-byte buffer: through the next
// '\n', but at most 127 bytes; the rest of a longer line is read next.
func (k *checker) fgets() []byte {
	b, _ := k.r.Peek(127)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	k.r.Discard(len(b))
	k.pos += int64(len(b))
	return b
}

// newline checks that b starts with CRLF, as redis-check-aof's
// consumeNewline, which counts a line when it does.
func (k *checker) newline(b []byte) string {
	if len(b) < 2 || b[0] != '\r' || b[1] != '\n' {
		var x [2]byte
		copy(x[:], b)
		return fmt.Sprintf("Expected \\r\\n, got: %02x%02x", x[0], x[1])
	}
	k.lines++
	return ""
}

// number reads a "<prefix><n>\r\n" line as redis-check-aof's readLong:
// up to 127 bytes of the line, the prefix, strtol's digits, then CRLF.
func (k *checker) number(prefix byte) (int64, string) {
	l := k.fgets()
	if len(l) == 0 {
		k.eof = true
		return 0, "EOF"
	}
	if l[0] != prefix {
		return 0, fmt.Sprintf("Expected prefix '%c', got: '%c'", prefix, l[0])
	}
	n, rest := strtol(l[1:])
	if p := k.newline(rest); p != "" {
		// A line cut by the end of the data after its digits.
		if _, err := k.r.Peek(1); err == io.EOF && (len(rest) == 0 || string(rest) == "\r") {
			k.eof = true
		}
		return 0, p
	}
	return n, ""
}

// strtol parses a decimal as C's strtol: leading spaces, a sign, digits
// (saturating); it returns the value and what follows the digits.
func strtol(b []byte) (int64, []byte) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var n uint64
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		if n <= math.MaxInt64/10 {
			n = n*10 + uint64(b[i]-'0')
		} else {
			n = math.MaxInt64 + 1
		}
		i++
	}
	if i == start {
		return 0, b // no digits: strtol leaves the pointer at the start
	}
	if !neg && n > math.MaxInt64 {
		n = math.MaxInt64
	}
	v := int64(n)
	if neg {
		v = -int64(min(n, math.MaxInt64+1))
	}
	return v, b[i:]
}

// command reads one command and returns its name (valid until the next
// read), or what is wrong.
func (k *checker) command() ([]byte, string) {
	argc, problem := k.number('*')
	if problem != "" {
		return nil, problem
	}
	name := k.name[:0]
	for i := int64(0); i < argc; i++ {
		n, problem := k.number('$')
		if problem != "" {
			return nil, problem
		}
		if n < 0 || n > math.MaxInt64-2 {
			return nil, fmt.Sprintf("Expected to read string of %d bytes, which is not in the suitable range", n)
		}
		// The payload and its CRLF: read whole, then the CRLF checked.
		want, skipped := n+2, int64(0)
		if n > 64 {
			got, err := k.r.Discard(int(min(n, math.MaxInt)))
			k.pos += int64(got)
			if err != nil {
				k.eof = err == io.EOF
				return nil, fmt.Sprintf("Expected to read %d bytes, got %d bytes", want, got)
			}
			skipped, n = int64(got), 0
		}
		b, err := k.r.Peek(int(n) + 2)
		if err != nil {
			k.pos += int64(len(b))
			k.eof = err == io.EOF
			return nil, fmt.Sprintf("Expected to read %d bytes, got %d bytes", want, skipped+int64(len(b)))
		}
		if i == 0 {
			name = append(name[:0], b[:n]...)
			k.name = name
		}
		k.r.Discard(int(n) + 2)
		k.pos += n + 2
		if p := k.newline(b[n:]); p != "" {
			return nil, p
		}
	}
	return name, ""
}
