package resp

// Inline commands: one line of words, split the way Redis's sdssplitargs
// splits them (processInlineBuffer in networking.c):
//
//   - Words are separated by runs of white space; leading white space is
//     C's isspace (space, \t, \n, \v, \f, \r), a word ends at space, \t,
//     \n, \r or the end of the line.
//   - "double quotes" take the escapes \xHH (two hex digits), \n \r \t \b
//     \a, and \<any other byte> for that byte.
//   - 'single quotes' take only \' as an escape.
//   - A quote opened inside a word continues the same word (foo"bar baz" is
//     one argument, `foobar baz`); a closing quote must be followed by white
//     space or the end of the line; an unterminated quote is an error.
//
// Redis reads an inline line as a C string, so a NUL byte hides the rest
// of the line (and redis-server waits for a newline it never finds); this
// Reader calls a NUL byte in an inline line a protocol error instead.

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// splitInline splits line into p.args, unquoting into p.inl. The
// arguments alias p.inl, which is reused by the next inline command.
func (p *parser) splitInline(line []byte) error {
	for i, c := range line {
		if c == 0 {
			return protoErr(i, "NUL byte in inline command")
		}
	}
	// Unquoting never makes a word longer, so p.inl never grows below and
	// the argument slices taken from it stay valid.
	if cap(p.inl) < len(line) {
		p.inl = make([]byte, 0, max(len(line), 256))
	}
	out := p.inl[:0]
	n := len(line)
	at := func(i int) byte { // the byte at i, or 0 at the end, as in C
		if i < n {
			return line[i]
		}
		return 0
	}
	i := 0
	for {
		for i < n && isSpace(line[i]) {
			i++
		}
		if i == n {
			break
		}
		start := len(out)
		inq, insq := false, false
		for done := false; !done; {
			c := at(i)
			switch {
			case inq:
				if c == '\\' && at(i+1) == 'x' {
					hi, ok1 := unhex(at(i + 2))
					lo, ok2 := unhex(at(i + 3))
					if ok1 && ok2 {
						out = append(out, hi<<4|lo)
						i += 3
						break
					}
				}
				switch {
				case c == '\\' && i+1 < n:
					i++
					switch e := line[i]; e {
					case 'n':
						out = append(out, '\n')
					case 'r':
						out = append(out, '\r')
					case 't':
						out = append(out, '\t')
					case 'b':
						out = append(out, '\b')
					case 'a':
						out = append(out, '\a')
					default:
						out = append(out, e)
					}
				case c == '"':
					if i+1 < n && !isSpace(line[i+1]) {
						return protoErr(i, "unbalanced quotes in inline command")
					}
					done = true
				case i == n:
					return protoErr(i, "unbalanced quotes in inline command")
				default:
					out = append(out, c)
				}
			case insq:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					out = append(out, '\'')
				case c == '\'':
					if i+1 < n && !isSpace(line[i+1]) {
						return protoErr(i, "unbalanced quotes in inline command")
					}
					done = true
				case i == n:
					return protoErr(i, "unbalanced quotes in inline command")
				default:
					out = append(out, c)
				}
			default:
				switch {
				case i == n || c == ' ' || c == '\n' || c == '\r' || c == '\t':
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					out = append(out, c)
				}
			}
			if i < n {
				i++
			}
		}
		p.args = append(p.args, out[start:len(out):len(out)])
	}
	p.inl = out
	return nil
}
