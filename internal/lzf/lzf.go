package lzf

import (
	"errors"
	"strconv"
)

// The limits of the format. They are fixed by the token layout (see the
// package documentation) and shared by every LZF implementation.
const (
	maxLit = 1 << 5      // longest literal run: 32 bytes
	maxOff = 1 << 13     // farthest back reference: 8192 bytes back
	minRef = 3           // shortest back reference
	maxRef = 1<<8 + 1<<3 // longest back reference: 264 bytes (7+255+2)
	refExt = 7           // length code that announces an extension byte
	tagLen = 5           // a control byte's length field starts at bit 5
)

// Errors returned by Decompress. Test for them with errors.Is: corrupt input
// is reported as a *CorruptError, which matches ErrCorrupt.
var (
	// ErrCorrupt means the input is not a valid LZF stream: a token runs
	// past the end of the input, or a back reference points before the
	// start of the output. liblzf reports this as EINVAL.
	ErrCorrupt = errors.New("lzf: corrupt input")

	// ErrShortBuffer means the output does not fit in dst. liblzf reports
	// this as E2BIG.
	ErrShortBuffer = errors.New("lzf: output buffer too small")
)

// CorruptError describes corrupt input: where the offending token starts in
// the input and what is wrong with it. errors.Is(err, ErrCorrupt) is true for
// every *CorruptError.
type CorruptError struct {
	Offset int    // offset in the compressed input of the bad token's control byte
	Reason string // what is wrong with it
}

// Reasons given by CorruptError.
const (
	reasonLiteral = "literal run past end of input"
	reasonRef     = "back reference past end of input"
	reasonBefore  = "back reference before start of output"
)

func (e *CorruptError) Error() string {
	return ErrCorrupt.Error() + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// CompressBound returns the largest number of bytes Compress can produce from
// n input bytes: n plus one control byte per 32 bytes, when nothing repeats.
// A dst of that length never makes Compress return 0 for a non-empty src.
func CompressBound(n int) int { return n + (n+maxLit-1)/maxLit }
