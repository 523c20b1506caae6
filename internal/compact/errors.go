package compact

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrFormat is matched (with errors.Is) by every *FormatError.
var ErrFormat = errors.New("compact: corrupt data")

// FormatError is corrupt compact data: which structure, the offset inside
// the blob where the problem was found, and why.
type FormatError struct {
	Kind   string // "listpack", "ziplist", "intset" or "zipmap"
	Offset int    // byte offset inside the blob
	Reason string
}

// Error returns e.g. "listpack: offset 17: backlen 3 does not match entry size 5".
func (e *FormatError) Error() string {
	return e.Kind + ": offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is reports whether target is ErrFormat.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// corrupt builds a *FormatError; it is only called on the error path.
func corrupt(kind string, off int, format string, args ...any) error {
	return &FormatError{Kind: kind, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
