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
