package rdb

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Errors returned by the Reader, the Writer and the DUMP functions. Test
// for them with errors.Is. Input that cannot be read is reported as a
// *CorruptError, which names the offset and the key, and matches one of
// these sentinels.
var (
	// ErrCorrupt means the input breaks the format: a bad signature, an
	// unknown type or opcode, an invalid length or string encoding, or
	// compact contents (listpack, ziplist, intset, zipmap, stream node)
	// that fail Redis's integrity rules. Checksum mismatches match it too.
	ErrCorrupt = errors.New("rdb: corrupt input")

	// ErrChecksum means the CRC64 trailer (or a DUMP payload's CRC) does
	// not match the data. It is reported as a *CorruptError that matches
	// both ErrChecksum and ErrCorrupt.
	ErrChecksum = errors.New("rdb: checksum mismatch")

	// ErrTruncated means the input ended in the middle of the file. It
	// matches io.ErrUnexpectedEOF, and does not match ErrCorrupt: a cut
	// tail and corruption in the middle are told apart.
	ErrTruncated = fmt.Errorf("rdb: truncated input: %w", io.ErrUnexpectedEOF)

	// ErrVersion means the RDB version (of a file header or a DUMP
	// payload footer) is one this package cannot read or write.
	ErrVersion = errors.New("rdb: unsupported RDB version")

	// ErrModule means a module value or module aux record cannot be
	// read: the pre-release module type 6, or (for the Writer) a module
	// value whose data does not parse.
	ErrModule = errors.New("rdb: unsupported module data")

	// ErrUnsupported means well-formed input this package does not read:
	// the pre-release FUNCTION opcode (246) of Redis 7.0 release
	// candidates.
	ErrUnsupported = errors.New("rdb: unsupported feature")

	// ErrDatabase means a SELECTDB index is not below
	// ReaderOptions.MaxDatabases (Redis refuses such files), or the Writer
	// was given a negative database.
	ErrDatabase = errors.New("rdb: database index out of range")

	// ErrTooLarge means a string or element count exceeds the limit set
	// in ReaderOptions.MaxStringSize.
	ErrTooLarge = errors.New("rdb: value exceeds the size limit")

	// ErrInvalidValue means the Writer or AppendDump was given a value it
	// cannot encode: a nil or unknown Value, an empty aggregate, a NaN
	// score, a duplicate member or field, a stream whose entries are out
	// of order.
	ErrInvalidValue = errors.New("rdb: invalid value")

	// ErrClosed means the Writer was used after Close.
	ErrClosed = errors.New("rdb: writer closed")
)

// CorruptError describes input that cannot be read: where, in which key,
// and why. errors.Is(err, ErrCorrupt) is true unless the input was merely
// truncated (then errors.Is(err, ErrTruncated) and
// errors.Is(err, io.ErrUnexpectedEOF) are); errors.Is also matches the
// specific sentinel in Err.
type CorruptError struct {
	Offset int64  // byte offset in the input where the problem was found
	Key    []byte // key being read, nil outside a key
	Reason string // what is wrong
	Err    error  // ErrCorrupt, ErrChecksum, ErrTruncated, ErrVersion, ErrModule, ...
}

func (e *CorruptError) Error() string {
	msg := "rdb: "
	switch e.Err {
	case ErrTruncated:
		msg += "truncated input"
	case ErrChecksum:
		msg += "checksum mismatch"
	case ErrVersion:
		msg += "unsupported RDB version"
	case ErrModule:
		msg += "unsupported module data"
	case ErrUnsupported:
		msg += "unsupported feature"
	case ErrDatabase:
		msg += "database index out of range"
	case ErrTooLarge:
		msg += "value exceeds the size limit"
	default:
		msg += "corrupt input"
	}
	msg += " at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Key != nil {
		msg += " in key " + strconv.Quote(truncKey(e.Key))
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

func truncKey(k []byte) string {
	if len(k) > 64 {
		return string(k[:64]) + "..."
	}
	return string(k)
}

// Is reports whether target is ErrCorrupt (for every error except a
// truncation).
func (e *CorruptError) Is(target error) bool {
	return target == ErrCorrupt && e.Err != ErrTruncated
}

// Unwrap returns the specific sentinel.
func (e *CorruptError) Unwrap() error { return e.Err }
