package resp

import (
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Type is the type of a reply: its RESP type byte.
type Type byte

// Reply types. RESP2 has the first five; RESP3 adds the rest.
const (
	TypeSimpleString Type = '+'
	TypeSimpleError  Type = '-'
	TypeInteger      Type = ':'
	TypeBulkString   Type = '$' // Null: the RESP2 null bulk, "$-1"
	TypeArray        Type = '*' // Null: the RESP2 null array, "*-1"
	TypeNull         Type = '_'
	TypeDouble       Type = ','
	TypeBoolean      Type = '#'
	TypeBlobError    Type = '!'
	TypeVerbatim     Type = '='
	TypeBigNumber    Type = '('
	TypeMap          Type = '%'
	TypeSet          Type = '~'
	TypePush         Type = '>'
)

func (t Type) String() string {
	switch t {
	case TypeSimpleString:
		return "simple-string"
	case TypeSimpleError:
		return "simple-error"
	case TypeInteger:
		return "integer"
	case TypeBulkString:
		return "bulk-string"
	case TypeArray:
		return "array"
	case TypeNull:
		return "null"
	case TypeDouble:
		return "double"
	case TypeBoolean:
		return "boolean"
	case TypeBlobError:
		return "blob-error"
	case TypeVerbatim:
		return "verbatim-string"
	case TypeBigNumber:
		return "big-number"
	case TypeMap:
		return "map"
	case TypeSet:
		return "set"
	case TypePush:
		return "push"
	}
	return "type(" + strconv.Quote(string(rune(t))) + ")"
}

// Value is one reply. Which fields are set depends on Type:
//
//	TypeSimpleString, TypeSimpleError, TypeBlobError, TypeBulkString: Str
//	TypeBigNumber: Str, the digits with an optional leading '-'
//	TypeVerbatim: Format (3 bytes, e.g. "txt") and Str
//	TypeInteger: Int
//	TypeDouble: Float
//	TypeBoolean: Bool
//	TypeArray, TypeSet, TypePush: Elems
//	TypeMap: Elems as key, value, key, value, ...
//	TypeBulkString, TypeArray: Null for RESP2's "$-1" and "*-1"
//	TypeNull: nothing
//
// Attrs holds the RESP3 attribute ("|") that preceded the value, as key,
// value, ...; nil when there was none.
type Value struct {
	Type   Type
	Null   bool
	Str    []byte
	Int    int64
	Float  float64
	Bool   bool
	Format string
	Elems  []Value
	Attrs  []Value
}

// IsNull reports whether v is a null of RESP3 or of RESP2.
func (v Value) IsNull() bool { return v.Type == TypeNull || v.Null }

// String renders v for humans (tests, logs), in the spirit of redis-cli.
func (v Value) String() string {
	var b strings.Builder
	v.format(&b)
	return b.String()
}

func (v Value) format(b *strings.Builder) {
	if len(v.Attrs) > 0 {
		b.WriteString("|")
		formatElems(b, v.Attrs)
	}
	switch {
	case v.IsNull():
		b.WriteString("(nil)")
		return
	}
	switch v.Type {
	case TypeSimpleString, TypeBigNumber:
		b.Write(v.Str)
	case TypeSimpleError, TypeBlobError:
		b.WriteString("(error) ")
		b.Write(v.Str)
	case TypeBulkString:
		b.WriteString(strconv.Quote(string(v.Str)))
	case TypeVerbatim:
		b.WriteString(v.Format + ":" + strconv.Quote(string(v.Str)))
	case TypeInteger:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case TypeDouble:
		b.Write(appendDoubleText(nil, v.Float))
	case TypeBoolean:
		b.WriteString(strconv.FormatBool(v.Bool))
	case TypeArray, TypeSet, TypePush, TypeMap:
		b.WriteString(v.Type.String())
		formatElems(b, v.Elems)
	default:
		b.WriteString(v.Type.String())
	}
}

func formatElems(b *strings.Builder, elems []Value) {
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(' ')
		}
		e.format(b)
	}
	b.WriteByte(']')
}

// maxReplyDepth bounds the nesting of aggregates in a reply (Redis's own
// replies nest a few levels).
const maxReplyDepth = 512

// replyState is the progress of ReadReply on the reply it is reading,
// kept in the Reader so that a reply cut by ErrWouldBlock resumes where
// it stopped. What it holds is consumed input: the aggregates being read
// and the data of a bulk being read.
type replyState struct {
	stack []replyFrame // aggregates being read, outermost first

	// The bulk string, blob error or verbatim string being read (inBulk):
	// its type, the offset of its header, its length, and its data so far.
	inBulk  bool
	bulkT   Type
	bulkOff int64
	bulkN   int
	bulk    []byte
}

// replyFrame is an aggregate being read: its Value with the elements
// read so far in Elems, and the number of elements it has in all. An
// attribute ('|') of n pairs has 2n+1: its pairs, then the value they
// describe.
type replyFrame struct {
	v    Value
	want int64
}

// reset drops the reply being read.
func (s *replyState) reset() {
	clear(s.stack[:cap(s.stack)])
	s.stack = s.stack[:0]
	s.inBulk = false
	s.bulk = nil
}

// ReadReply reads one reply of any RESP2 or RESP3 type. The Value and
// everything it holds are newly allocated and belong to the caller (unlike
// ReadCommand's arguments). Errors are as for Next, ErrWouldBlock
// included: after it, the next call of ReadReply (not Next or
// ReadCommand) resumes the reply. Streamed RESP3 aggregates ("$?", "*?")
// are not supported: Redis never sends them.
func (r *Reader) ReadReply() (Value, error) {
	if r.err != nil {
		return Value{}, r.err
	}
	switch r.pend {
	case pendNone:
		r.beginItem()
	case pendReply:
		r.pend = pendNone
	default:
		r.err = errSwitched
		return Value{}, r.err
	}
	v, err := r.readReply()
	if err != nil {
		if err == ErrWouldBlock {
			r.pend = pendReply
			return Value{}, err
		}
		if err == io.EOF {
			if r.off == r.start && r.r == r.w {
				err = io.EOF
			} else {
				err = ErrTruncated
			}
		}
		r.rs.reset()
		r.err = err
		r.end = r.start
		return Value{}, err
	}
	r.end = r.off
	return v, nil
}

// consume moves past n buffered bytes.
func (r *Reader) consume(n int) {
	r.r += n
	r.off += int64(n)
}

// need makes at least n bytes available in buf[r:w].
func (r *Reader) need(n int) error {
	for r.w-r.r < n {
		if err := r.fill(); err != nil {
			return err
		}
	}
	return nil
}

// replyLine reads a line (after the type byte), returning its content
// without the CRLF; valid until the buffer changes. Where the search for
// the LF resumes is kept in r.p.scan.
func (r *Reader) replyLine() ([]byte, error) {
	lim := r.p.lim.maxLine
	scan := max(r.p.scan, 1)
	for {
		b := r.buf[r.r:r.w]
		hi := min(len(b), lim)
		if scan < hi {
			for i, c := range b[scan:hi] {
				if c == '\n' {
					nl := scan + i
					if nl < 2 || b[nl-1] != '\r' {
						return nil, r.replyErr(nl, "line not terminated by CRLF")
					}
					line := b[1 : nl-1]
					r.consume(nl + 1)
					r.p.scan = 0
					return line, nil
				}
			}
			scan = hi
		}
		if len(b) >= lim {
			return nil, &ProtocolError{Offset: r.off, Reason: "line longer than limit", Err: ErrLimit}
		}
		if err := r.fill(); err != nil {
			r.p.scan = scan
			return nil, err
		}
	}
}

func (r *Reader) replyErr(i int, reason string) error {
	return &ProtocolError{Offset: r.off + int64(i), Reason: reason}
}

// replyLen reads the number after a type byte, as string2ll.
func (r *Reader) replyLen() (int64, error) {
	for {
		n, next, st := parseLen(r.buf[r.r:r.w], 1)
		switch st {
		case lenOK:
			r.consume(next)
			return n, nil
		case lenBad:
			return 0, r.replyErr(0, "invalid number")
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
}

// replyBulk reads the rest of the n bytes whose first ones are dst, and
// the CRLF after them. dst grows as the bytes arrive; it is returned with
// what was read also on error.
func (r *Reader) replyBulk(dst []byte, n int) ([]byte, error) {
	for len(dst) < n {
		if r.r == r.w {
			if n-len(dst) >= len(r.buf) { // read straight into dst
				if len(dst) == cap(dst) { // double, up to n
					dst = slices.Grow(dst, min(n-len(dst), max(len(dst), 512)))
				}
				m, err := r.read(dst[len(dst):min(n, cap(dst))])
				dst = dst[:len(dst)+m]
				r.off += int64(m)
				if err != nil {
					return dst, err
				}
				continue
			}
			if err := r.fill(); err != nil {
				return dst, err
			}
		}
		m := min(n-len(dst), r.w-r.r)
		dst = append(dst, r.buf[r.r:r.r+m]...)
		r.consume(m)
	}
	if err := r.need(2); err != nil {
		return dst, err
	}
	if r.buf[r.r] != '\r' || r.buf[r.r+1] != '\n' {
		return dst, r.replyErr(0, "bulk data not followed by CRLF")
	}
	r.consume(2)
	return dst, nil
}

// readReply reads a reply, or resumes the one in r.rs. It reads a value
// at a time (replyValue); a complete value becomes an element of the
// innermost aggregate being read, which may complete it in turn.
func (r *Reader) readReply() (Value, error) {
	s := &r.rs
	for {
		var v Value
		if s.inBulk {
			if err := r.replyBulkValue(&v); err != nil {
				return Value{}, err
			}
		} else if agg, err := r.replyValue(&v); err != nil {
			return Value{}, err
		} else if agg {
			continue
		}
		for {
			k := len(s.stack)
			if k == 0 {
				return v, nil
			}
			f := &s.stack[k-1]
			f.v.Elems = append(f.v.Elems, v)
			if int64(len(f.v.Elems)) < f.want {
				break
			}
			v = f.v
			f.v = Value{}
			s.stack = s.stack[:k-1]
			if v.Type == '|' {
				// An attribute describes the value that follows it.
				n := len(v.Elems) - 1
				next := v.Elems[n]
				next.Attrs = append(v.Elems[:n], next.Attrs...)
				v = next
			}
		}
	}
}

// replyValue reads the value that starts at buf[r] into v, which is
// zero. A bulk is read by replyBulkValue. For an aggregate with elements
// it pushes a frame and reports agg: its elements come next.
func (r *Reader) replyValue(v *Value) (agg bool, err error) {
	s := &r.rs
	if len(s.stack) > maxReplyDepth {
		return false, r.replyErr(0, "replies nested too deep")
	}
	if err := r.need(1); err != nil {
		return false, err
	}
	t := Type(r.buf[r.r])
	v.Type = t
	switch t {
	case TypeSimpleString, TypeSimpleError, TypeBigNumber, TypeDouble, TypeBoolean, TypeNull:
		lineOff := r.off
		line, err := r.replyLine()
		if err != nil {
			return false, err
		}
		bad := func(what string) error {
			return &ProtocolError{Offset: lineOff, Reason: "invalid " + what}
		}
		switch t {
		case TypeSimpleString, TypeSimpleError:
			v.Str = append([]byte{}, line...)
		case TypeBigNumber:
			if !isBigNumber(line) {
				return false, bad("big number")
			}
			v.Str = append([]byte{}, line...)
		case TypeDouble:
			f, ok := parseDouble(line)
			if !ok {
				return false, bad("double")
			}
			v.Float = f
		case TypeBoolean:
			if len(line) != 1 || (line[0] != 't' && line[0] != 'f') {
				return false, bad("boolean")
			}
			v.Bool = line[0] == 't'
		case TypeNull:
			if len(line) != 0 {
				return false, bad("null")
			}
		}
		return false, nil

	case TypeInteger:
		n, err := r.replyLen()
		v.Int = n
		return false, err

	case TypeBulkString, TypeBlobError, TypeVerbatim:
		lineOff := r.off
		n, err := r.replyLen()
		if err != nil {
			return false, err
		}
		if n == -1 && t == TypeBulkString {
			v.Null = true
			return false, nil
		}
		if n < 0 {
			return false, &ProtocolError{Offset: lineOff, Reason: "invalid bulk length"}
		}
		if n > int64(r.p.lim.maxBulk) {
			return false, &ProtocolError{Offset: lineOff, Reason: "bulk length over limit", Err: ErrLimit}
		}
		if t == TypeVerbatim && n < 4 {
			return false, &ProtocolError{Offset: lineOff, Reason: "invalid verbatim string"}
		}
		s.inBulk, s.bulkT, s.bulkOff, s.bulkN = true, t, lineOff, int(n)
		s.bulk = make([]byte, 0, min(int(n), max(r.w-r.r, 512)))
		return false, r.replyBulkValue(v)

	case TypeArray, TypeSet, TypePush, TypeMap, '|':
		lineOff := r.off
		n, err := r.replyLen()
		if err != nil {
			return false, err
		}
		if n == -1 && t == TypeArray {
			v.Null = true
			return false, nil
		}
		if n < 0 {
			return false, &ProtocolError{Offset: lineOff, Reason: "invalid aggregate length"}
		}
		if n > int64(r.p.lim.maxArgs) {
			return false, &ProtocolError{Offset: lineOff, Reason: "aggregate length over limit", Err: ErrLimit}
		}
		if t == TypeMap || t == '|' {
			n *= 2
		}
		// Allocate for what can have arrived (an element takes 3 bytes
		// at least); append grows the rest as elements arrive.
		v.Elems = make([]Value, 0, min(n, int64(1+(r.w-r.r)/3)))
		if t == '|' {
			n++ // the value the attribute describes
		}
		if n == 0 {
			return false, nil
		}
		s.stack = append(s.stack, replyFrame{v: *v, want: n})
		return true, nil
	}
	return false, r.replyErr(0, "unknown reply type "+quoteByte(byte(t)))
}

// replyBulkValue reads the rest of the bulk in r.rs into v.
func (r *Reader) replyBulkValue(v *Value) error {
	s := &r.rs
	data, err := r.replyBulk(s.bulk, s.bulkN)
	s.bulk = data
	if err != nil {
		return err
	}
	s.inBulk, s.bulk = false, nil
	v.Type = s.bulkT
	if v.Type == TypeVerbatim {
		if data[3] != ':' {
			return &ProtocolError{Offset: s.bulkOff, Reason: "invalid verbatim string"}
		}
		v.Format = string(data[:3])
		data = data[4:]
	}
	v.Str = data
	return nil
}

// isBigNumber reports whether b is an optional '-' and one or more digits.
func isBigNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseDouble parses a RESP3 double: "inf", "-inf", "nan", or
// [+-]digits[.digits][(e|E)[+-]digits]. Out-of-range values become ±Inf.
func parseDouble(b []byte) (float64, bool) {
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), true
	case "-inf":
		return math.Inf(-1), true
	case "nan", "-nan":
		return math.NaN(), true
	}
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := func() int {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - s
	}
	if digits() == 0 {
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != len(b) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
