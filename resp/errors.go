package resp

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

var (
	// ErrTruncated is returned when the input ends inside a command, an
	// annotation or a reply: some of its bytes arrived, the rest did not.
	// errors.Is(ErrTruncated, io.ErrUnexpectedEOF) is true. A clean end,
	// with no byte of a new item, is io.EOF instead.
	ErrTruncated = fmt.Errorf("resp: input ends inside an item: %w", io.ErrUnexpectedEOF)

	// ErrProtocol matches every *ProtocolError under errors.Is.
	ErrProtocol = errors.New("resp: protocol error")

	// ErrLimit is wrapped by a *ProtocolError whose cause is a length over
	// a configured limit (ReaderOptions) rather than bytes that no RESP
	// writer could have produced: errors.Is(err, ErrLimit) tells "raise the
	// limit" from "the input is corrupt".
	ErrLimit = errors.New("resp: length over limit")

	// ErrNeedRESP3 is returned by the Writer when asked to write an
	// attribute, which has no RESP2 form, while speaking RESP2.
	ErrNeedRESP3 = errors.New("resp: attributes need RESP3")

	// ErrWouldBlock is what an io.Reader given to a Reader returns
	// (alone or wrapped) when it has no input now but may have more
	// later, as a non-blocking socket's EAGAIN. The Reader then returns
	// ErrWouldBlock from Next, ReadCommand or ReadReply without consuming
	// anything: the item it was reading stays partly read, and the next
	// call resumes it with the bytes that came meanwhile. It is not
	// sticky.
	//
	// A Read that returns n > 0 bytes with ErrWouldBlock gives n bytes,
	// then ErrWouldBlock: the Reader uses the bytes, and reports
	// ErrWouldBlock instead of calling Read again the next time it needs
	// more input.
	//
	// The call that resumes a partly read item must be of the same kind:
	// Next or ReadCommand after either of them, ReadReply after
	// ReadReply. Anything else is a sticky error.
	ErrWouldBlock = errors.New("resp: no input available yet")

	// errSwitched is the sticky error of a call of Next or ReadCommand
	// while ReadReply has a reply partly read, or the reverse.
	errSwitched = errors.New("resp: reading commands and replies mixed while an item is partly read")

	// errBadRead is returned when the underlying io.Reader reports a byte
	// count outside [0, len(p)] (bufio panics there; a library must not).
	errBadRead = errors.New("resp: underlying reader returned an invalid count")
)

// ProtocolError reports malformed input: bytes that are not the RESP the
// reader was asked to read. Offset is the input offset of the offending
// byte or of the start of the offending line, counted from the start of
// the input (plus the base given to Reader.ResetAt), or from the start of
// buf for the Parse functions.
type ProtocolError struct {
	Offset int64
	Reason string
	// Err is ErrLimit when a configured limit was exceeded, else nil.
	Err error
}

func (e *ProtocolError) Error() string {
	return "resp: protocol error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Reason
}

// Is reports whether target is ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }

// Unwrap returns ErrLimit for limit violations, else nil.
func (e *ProtocolError) Unwrap() error { return e.Err }

func protoErr(off int, reason string) *ProtocolError {
	return &ProtocolError{Offset: int64(off), Reason: reason}
}

func limitErr(off int, reason string) *ProtocolError {
	return &ProtocolError{Offset: int64(off), Reason: reason, Err: ErrLimit}
}

// quoteByte renders c for an error message.
func quoteByte(c byte) string {
	return strconv.Quote(string([]byte{c}))
}
