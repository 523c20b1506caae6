package resp

import (
	"io"
	"strings"
)

// writerFlushSize is the buffered size at which a Writer writes to its
// io.Writer; bulks at least this long are written straight through.
const writerFlushSize = 16 << 10

// A Writer writes commands and replies to an io.Writer through a buffer;
// call Flush to send what is buffered. It speaks RESP2 until SetProtocol(3)
// (a server calls it after HELLO 3), and writes each reply in the form the
// client's protocol has, as redis-server does: maps, sets and pushes
// become arrays in RESP2, doubles and big numbers bulk strings, booleans
// the integers 1 and 0, nulls "$-1" or "*-1".
//
// Errors are sticky: after a write to the io.Writer fails, every later
// call returns the same error. A Writer is not safe for concurrent use.
type Writer struct {
	w     io.Writer
	buf   []byte
	err   error
	resp3 bool
}

// NewWriter returns a Writer, speaking RESP2, that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, writerFlushSize+512)}
}

// Reset discards buffered data and any error, and makes the Writer write
// to w, speaking RESP2.
func (w *Writer) Reset(wr io.Writer) {
	w.w = wr
	w.buf = w.buf[:0]
	w.err = nil
	w.resp3 = false
}

// SetProtocol selects RESP3 when v >= 3 and RESP2 otherwise.
func (w *Writer) SetProtocol(v int) { w.resp3 = v >= 3 }

// Protocol returns 2 or 3.
func (w *Writer) Protocol() int {
	if w.resp3 {
		return 3
	}
	return 2
}

// Buffered returns the number of bytes written to w and not yet flushed.
func (w *Writer) Buffered() int { return len(w.buf) }

// Flush writes the buffered bytes to the io.Writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	w.err = w.write(w.buf)
	w.buf = w.buf[:0]
	return w.err
}

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}

// done ends a Write call: it flushes when the buffer is full.
func (w *Writer) done() error {
	if w.err == nil && len(w.buf) >= writerFlushSize {
		return w.Flush()
	}
	return w.err
}

// WriteCommand writes args as a multibulk command (AppendCommand).
func (w *Writer) WriteCommand(args ...[]byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendCommand(w.buf, args...)
	return w.done()
}

// WriteCommandString writes args as a multibulk command.
func (w *Writer) WriteCommandString(args ...string) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendCommandString(w.buf, args...)
	return w.done()
}

// WriteSimpleString writes "+<s>\r\n", with any CR or LF in s replaced by
// a space (a simple string cannot hold them).
func (w *Writer) WriteSimpleString(s string) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendSimpleString(w.buf, oneLine(s))
	return w.done()
}

// WriteError writes the error "-<msg>\r\n", with any CR or LF in msg
// replaced by a space, as Redis does. msg should start with an error code
// such as "ERR " or "WRONGTYPE ".
func (w *Writer) WriteError(msg string) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendError(w.buf, oneLine(msg))
	return w.done()
}

func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, s)
	}
	return s
}

// WriteInt writes the integer ":<n>\r\n".
func (w *Writer) WriteInt(n int64) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendInt(w.buf, n)
	return w.done()
}

// WriteBulk writes b as a bulk string. A long b is written straight to the
// io.Writer after the buffered bytes, without a copy.
func (w *Writer) WriteBulk(b []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(b) < writerFlushSize {
		w.buf = AppendBulk(w.buf, b)
		return w.done()
	}
	w.buf = appendPrefixed(w.buf, '$', int64(len(b)))
	if w.Flush() != nil {
		return w.err
	}
	if w.err = w.write(b); w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, '\r', '\n')
	return nil
}

// WriteBulkString writes s as a bulk string.
func (w *Writer) WriteBulkString(s string) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendBulkString(w.buf, s)
	return w.done()
}

// WriteNull writes a null: "_\r\n" in RESP3, the null bulk "$-1\r\n" in
// RESP2 (Redis's addReplyNull).
func (w *Writer) WriteNull() error {
	if w.err != nil {
		return w.err
	}
	if w.resp3 {
		w.buf = AppendNull(w.buf)
	} else {
		w.buf = AppendNullBulk(w.buf)
	}
	return w.done()
}

// WriteNullArray writes a null where an array was expected: "_\r\n" in
// RESP3, "*-1\r\n" in RESP2 (Redis's addReplyNullArray).
func (w *Writer) WriteNullArray() error {
	if w.err != nil {
		return w.err
	}
	if w.resp3 {
		w.buf = AppendNull(w.buf)
	} else {
		w.buf = AppendNullArray(w.buf)
	}
	return w.done()
}

func (w *Writer) header(prefix byte, n int) error {
	if w.err != nil {
		return w.err
	}
	w.buf = appendPrefixed(w.buf, prefix, int64(n))
	return w.done()
}

// WriteArrayLen writes an array header; n replies follow.
func (w *Writer) WriteArrayLen(n int) error { return w.header('*', n) }

// WriteMapLen writes a map header; n key-value pairs follow. In RESP2 it
// is an array of 2n elements.
func (w *Writer) WriteMapLen(n int) error {
	if w.resp3 {
		return w.header('%', n)
	}
	return w.header('*', 2*n)
}

// WriteSetLen writes a set header; n replies follow. In RESP2 it is an
// array.
func (w *Writer) WriteSetLen(n int) error {
	if w.resp3 {
		return w.header('~', n)
	}
	return w.header('*', n)
}

// WritePushLen writes a push header (out-of-band data such as pub/sub
// messages); n replies follow. In RESP2 it is an array.
func (w *Writer) WritePushLen(n int) error {
	if w.resp3 {
		return w.header('>', n)
	}
	return w.header('*', n)
}

// WriteAttributeLen writes an attribute header: n key-value pairs follow,
// then the reply they describe. RESP2 has no attributes: it returns
// ErrNeedRESP3 (not sticky) and writes nothing.
func (w *Writer) WriteAttributeLen(n int) error {
	if !w.resp3 && w.err == nil {
		return ErrNeedRESP3
	}
	return w.header('|', n)
}

// WriteDouble writes f as a RESP3 double, or in RESP2 as a bulk string of
// the same text (Redis 7.2+'s formatting, see AppendDouble).
func (w *Writer) WriteDouble(f float64) error {
	if w.err != nil {
		return w.err
	}
	if w.resp3 {
		w.buf = AppendDouble(w.buf, f)
	} else {
		var tmp [32]byte
		w.buf = AppendBulk(w.buf, appendDoubleText(tmp[:0], f))
	}
	return w.done()
}

// WriteBool writes a RESP3 boolean, or in RESP2 the integer 1 or 0.
func (w *Writer) WriteBool(b bool) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.resp3:
		w.buf = AppendBool(w.buf, b)
	case b:
		w.buf = AppendInt(w.buf, 1)
	default:
		w.buf = AppendInt(w.buf, 0)
	}
	return w.done()
}

// WriteBigNumber writes a RESP3 big number, or in RESP2 a bulk string of
// the digits.
func (w *Writer) WriteBigNumber(digits string) error {
	if w.err != nil {
		return w.err
	}
	if w.resp3 {
		w.buf = AppendBigNumber(w.buf, digits)
	} else {
		w.buf = AppendBulkString(w.buf, digits)
	}
	return w.done()
}

// WriteVerbatim writes a RESP3 verbatim string with a 3-byte format ("txt"
// or "mkd"), or in RESP2 a bulk string of s.
func (w *Writer) WriteVerbatim(format string, s []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.resp3 {
		w.buf = AppendVerbatim(w.buf, format, s)
	} else {
		w.buf = AppendBulk(w.buf, s)
	}
	return w.done()
}

// WriteValue writes v in the wire form of its Type (AppendValue), whatever
// the protocol.
func (w *Writer) WriteValue(v Value) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendValue(w.buf, v)
	return w.done()
}
