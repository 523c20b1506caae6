package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aofrdb/aofrdb/internal/sds"
)

// Redis's messages, which ParseError.Msg holds.
const (
	msgTooLong       = "The AOF manifest file contains too long line"
	msgInvalid       = "Invalid AOF manifest file format"
	msgPath          = "File can't be a path, just a filename"
	msgDuplicateBase = "Found duplicate base file information"
	msgUnknownType   = "Unknown AOF file type"
	msgNonMonotonic  = "Found a non-monotonic sequence number"
	msgEmpty         = "Found an empty AOF manifest"
)

const (
	// MaxLines is the most lines Parse reads (comments included) before it
	// gives up; Redis has no such limit.
	MaxLines = 1 << 20

	// maxLineLen is the longest line Redis reads, without its '\n': it
	// reads lines with fgets into a buffer of 1025 bytes.
	maxLineLen = 1023

	keyFile = "file"
	keySeq  = "seq"
	keyType = "type"
)

// ParseError reports a manifest that Redis would refuse, or that this
// package refuses (see the package doc). It wraps ErrInvalid.
type ParseError struct {
	Path string // the manifest's name, when known (Read sets it)
	Line int    // 1-based line number, 0 when the error is not about a line
	Text string // the line, without its '\n', as read
	Msg  string // the reason: Redis's message where Redis has one
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("manifest: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Line > 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Text))
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ParseError) Unwrap() error { return ErrInvalid }

// Parse reads a manifest with the rules of redis-server 7 (see the package
// doc). A manifest with comments only is valid and empty. Malformed input
// gives a *ParseError; a read error is returned wrapped.
func Parse(r io.Reader) (*Manifest, error) {
	m, err := parse(r)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			err = fmt.Errorf("manifest: read: %w", err)
		}
		return nil, err
	}
	return m, nil
}

// parse is Parse without wrapping read errors.
func parse(r io.Reader) (*Manifest, error) {
	br := bufio.NewReader(r)
	m := new(Manifest)
	var buf [maxLineLen + 1]byte
	var maxSeq int64
	for line := 1; ; line++ {
		chunk, err := readChunk(br, buf[:])
		if len(chunk) == 0 {
			if err == io.EOF {
				if line == 1 {
					return nil, &ParseError{Msg: msgEmpty}
				}
				return m, nil
			}
			return nil, err
		}
		if err != nil && err != io.EOF {
			return nil, err // fgets returns NULL on an error, whatever it read
		}
		if line > MaxLines {
			return nil, &ParseError{Line: line, Text: string(chunk),
				Msg: fmt.Sprintf("The AOF manifest file has more than %d lines", MaxLines)}
		}
		text := string(bytes.TrimSuffix(chunk, []byte{'\n'}))
		fail := func(msg string) (*Manifest, error) {
			return nil, &ParseError{Line: line, Text: text, Msg: msg}
		}
		// Redis reads a line as a C string: fgets reads at most 1024 bytes,
		// then '#' marks a comment, then the line must hold its '\n' before
		// any NUL.
		if chunk[0] == '#' {
			continue
		}
		nl := bytes.IndexByte(chunk, '\n')
		if nl < 0 {
			return fail(msgTooLong)
		}
		if z := bytes.IndexByte(chunk, 0); z >= 0 && z < nl {
			return fail(msgTooLong + " (a NUL byte ends the line for Redis)")
		}
		args, ok := sds.SplitArgs(strings.Trim(string(chunk), " \t\r\n"))
		if len(args) == 0 || !ok || len(args) < 6 || len(args)%2 != 0 {
			return fail(msgInvalid)
		}
		var f File
		var hasName bool
		for i := 0; i < len(args); i += 2 {
			k, v := args[i], args[i+1]
			switch strings.ToLower(k) {
			case keyFile:
				if cstr := v[:cLen(v)]; strings.ContainsAny(cstr, `/\`) {
					return fail(msgPath)
				}
				f.Name, hasName = v, true
			case keySeq:
				f.Seq = atoll(v)
			case keyType:
				f.Type = 0
				if v != "" {
					f.Type = FileType(v[0])
				}
			default:
				f.Extra = append(f.Extra, [2]string{k, v})
			}
		}
		if !hasName || f.Seq == 0 || f.Type == 0 {
			return fail(msgInvalid)
		}
		if msg := checkName(f.Name); msg != "" {
			return fail(msg)
		}
		switch f.Type {
		case Base:
			if m.Base != nil {
				return fail(msgDuplicateBase)
			}
			m.Base = &f
		case History:
			m.History = append(m.History, f)
		case Incr:
			if f.Seq <= maxSeq {
				return fail(msgNonMonotonic)
			}
			maxSeq = f.Seq
			m.Incr = append(m.Incr, f)
		default:
			return fail(msgUnknownType)
		}
	}
}

// readChunk reads as fgets(buf, len(buf)+1) does: up to and including the
// next '\n', or len(buf) bytes, or to the end of the input.
func readChunk(br *bufio.Reader, buf []byte) ([]byte, error) {
	n := 0
	for n < len(buf) {
		c, err := br.ReadByte()
		if err != nil {
			return buf[:n], err
		}
		buf[n] = c
		n++
		if c == '\n' {
			break
		}
	}
	return buf[:n], nil
}

// cLen returns the length of s as a C string: up to its first NUL.
func cLen(s string) int {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return i
	}
	return len(s)
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// atoll parses s as glibc's atoll (strtoll base 10): leading whitespace, an
// optional sign, then digits up to the first other byte; 0 when there are
// none; saturated at the int64 limits.
func atoll(s string) int64 {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	var n uint64
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (limit-d)/10 {
			n = limit
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				i++
			}
			break
		}
		n = n*10 + d
	}
	if neg {
		return int64(-n) // -(1<<63) wraps to itself
	}
	return int64(n)
}
