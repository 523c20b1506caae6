package manifest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FileType is the type of a file listed in a manifest, the byte written
// after "type".
type FileType byte

// The file types, as Redis writes them.
const (
	Base    FileType = 'b' // the snapshot the AOF starts from
	History FileType = 'h' // a file no longer used, to be deleted
	Incr    FileType = 'i' // commands logged after the base
)

// String returns the type's name: "base", "history", "incr", or the byte
// quoted for other values.
func (t FileType) String() string {
	switch t {
	case Base:
		return "base"
	case History:
		return "history"
	case Incr:
		return "incr"
	}
	return strconv.QuoteRune(rune(t))
}

// File is one line of a manifest.
type File struct {
	Name string   // a bare file name in the AOF directory
	Seq  int64    // its sequence number, never 0
	Type FileType // Base, History or Incr

	// Extra holds the key/value pairs of the line other than file, seq and
	// type, in the order they appear, so that keys added by newer versions
	// of Redis survive a round trip. Format writes them after type.
	Extra [][2]string
}

// Manifest is the list of files of a multi-part AOF, in the order Redis
// writes them.
type Manifest struct {
	Base    *File  // the base file, or nil
	History []File // history files, in the order listed
	Incr    []File // incr files, in ascending Seq
}

// NextBaseSeq returns the sequence number of the next base file, as Redis
// counts: the seq of the base entry plus one, or 1 without a base.
// History entries do not count.
func (m *Manifest) NextBaseSeq() int64 {
	if m.Base == nil {
		return 1
	}
	return m.Base.Seq + 1
}

// NextIncrSeq returns the sequence number of the next incr file, as Redis
// counts: the seq of the last incr entry plus one, or 1 without incr
// entries. History entries do not count, so once every incr file has gone
// to history the numbering starts again at 1.
func (m *Manifest) NextIncrSeq() int64 {
	if len(m.Incr) == 0 {
		return 1
	}
	return m.Incr[len(m.Incr)-1].Seq + 1
}

// BaseName returns the name of base file seq: <prefix>.<seq>.base.rdb with
// an RDB preamble, <prefix>.<seq>.base.aof without.
func BaseName(prefix string, seq int64, rdbPreamble bool) string {
	ext := ".base.aof"
	if rdbPreamble {
		ext = ".base.rdb"
	}
	return prefix + "." + strconv.FormatInt(seq, 10) + ext
}

// IncrName returns the name of incr file seq: <prefix>.<seq>.incr.aof.
func IncrName(prefix string, seq int64) string {
	return prefix + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}

// ManifestName returns the name of the manifest: <prefix>.manifest.
func ManifestName(prefix string) string { return prefix + ".manifest" }

// TempManifestName returns the name Redis gives the manifest while it
// writes it: temp-<prefix>.manifest. (Write uses vfs.WriteFileAtomic's
// temporary names instead.)
func TempManifestName(prefix string) string { return "temp-" + prefix + ".manifest" }

// Format returns the manifest as Redis writes it: one line per file,
// "file <name> seq <n> type <t>" followed by the Extra pairs, base first,
// then history, then incr. It does not check m: see Validate.
func (m *Manifest) Format() []byte { return m.AppendFormat(nil) }

// AppendFormat appends the formatted manifest to dst and returns the
// extended buffer.
func (m *Manifest) AppendFormat(dst []byte) []byte {
	if m.Base != nil {
		dst = appendLine(dst, m.Base)
	}
	for i := range m.History {
		dst = appendLine(dst, &m.History[i])
	}
	for i := range m.Incr {
		dst = appendLine(dst, &m.Incr[i])
	}
	return dst
}

func appendLine(dst []byte, f *File) []byte {
	dst = append(dst, "file "...)
	dst = appendRepr(dst, f.Name)
	dst = append(dst, " seq "...)
	dst = strconv.AppendInt(dst, f.Seq, 10)
	dst = append(dst, " type "...)
	dst = append(dst, byte(f.Type))
	for _, kv := range f.Extra {
		dst = append(dst, ' ')
		dst = appendRepr(dst, kv[0])
		dst = append(dst, ' ')
		dst = appendRepr(dst, kv[1])
	}
	return append(dst, '\n')
}

// needsRepr reports whether s must be quoted: Redis's sdsneedsrepr (a
// backslash, a double quote, whitespace, a byte that is not printable
// ASCII), plus a single quote, which sdssplitargs would take for the
// start of a quoted string, and the empty string.
func needsRepr(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '"' || c == '\'' {
			return true
		}
	}
	return false
}

// appendRepr appends s, quoted as Redis's sdscatrepr when needsRepr.
func appendRepr(dst []byte, s string) []byte {
	if !needsRepr(s) {
		return append(dst, s...)
	}
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\a':
			dst = append(dst, `\a`...)
		case '\b':
			dst = append(dst, `\b`...)
		default:
			if ' ' <= c && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

// Validate reports whether m can be written as a manifest that Parse and
// redis-server read back as m: every file has a valid bare name (see
// checkName), a seq other than 0 and the type of its place (Base,
// History, Incr); incr seqs are positive and strictly increasing; no Extra
// key is file, seq or type in any case; every formatted line fits Redis's
// 1023-byte limit; and there are at most MaxLines files. The error wraps
// ErrInvalid.
func (m *Manifest) Validate() error {
	n := len(m.History) + len(m.Incr)
	if m.Base != nil {
		n++
		if err := validateFile(m.Base, Base); err != nil {
			return err
		}
	}
	if n > MaxLines {
		return fmt.Errorf("%w: %d files, more than %d", ErrInvalid, n, MaxLines)
	}
	for i := range m.History {
		if err := validateFile(&m.History[i], History); err != nil {
			return err
		}
	}
	var last int64
	for i := range m.Incr {
		f := &m.Incr[i]
		if err := validateFile(f, Incr); err != nil {
			return err
		}
		if f.Seq <= last {
			return fmt.Errorf("%w: incr file %q: seq %d is not above %d", ErrInvalid, f.Name, f.Seq, last)
		}
		last = f.Seq
	}
	return nil
}

func validateFile(f *File, want FileType) error {
	if f.Type != want {
		return fmt.Errorf("%w: file %q: type %v listed as %v", ErrInvalid, f.Name, f.Type, want)
	}
	if msg := checkName(f.Name); msg != "" {
		return fmt.Errorf("%w: file %q: %s", ErrInvalid, f.Name, msg)
	}
	if f.Seq == 0 {
		return fmt.Errorf("%w: file %q: seq 0", ErrInvalid, f.Name)
	}
	for _, kv := range f.Extra {
		switch strings.ToLower(kv[0]) {
		case keyFile, keySeq, keyType:
			return fmt.Errorf("%w: file %q: extra key %q is reserved", ErrInvalid, f.Name, kv[0])
		}
	}
	if n := len(appendLine(nil, f)) - 1; n > maxLineLen {
		return fmt.Errorf("%w: file %q: line of %d bytes, more than %d", ErrInvalid, f.Name, n, maxLineLen)
	}
	return nil
}

// checkName returns why name cannot be a file name in a manifest, or "".
func checkName(name string) string {
	switch {
	case strings.ContainsAny(name, `/\`):
		return msgPath
	case name == "":
		return "File name can't be empty"
	case name == "." || name == "..":
		return `File name can't be "." or ".."`
	case strings.IndexByte(name, 0) >= 0:
		return "File name can't contain a NUL byte (Redis would cut the name there)"
	}
	return ""
}

// Errors.
var (
	// ErrInvalid matches every *ParseError and every error of Validate
	// under errors.Is.
	ErrInvalid = errors.New("manifest: invalid AOF manifest")
)
