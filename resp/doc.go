// Package resp is the RESP (REdis Serialization Protocol) codec of aofrdb:
// it reads and writes the commands an AOF file is made of, byte for byte as
// Redis writes them, and the commands and replies a RESP server and its
// clients exchange.
//
// Like the standard library's codecs it never opens files: a streaming
// Reader over an io.Reader and a Writer over an io.Writer, each with
// Reset, and block functions beside them with the destination first
// (AppendCommand, ParseCommand, AppendBulk, ...).
//
// # Commands
//
// An AOF file is a sequence of items, each a multibulk command or an
// annotation line:
//
//	command     '*' argc CRLF  { '$' len CRLF  <len bytes>  CRLF }   (argc times)
//	annotation  '#' <bytes other than LF> CRLF         e.g. "#TS:1700000000\r\n"
//
//	*3\r\n $3\r\n SET\r\n $1\r\n k\r\n $5\r\n hello\r\n
//	└┬─┘   └┬─┘   └┬──┘   └┬─┘   └┬┘    └┬─┘   └─┬───┘
//	argc   len    arg     len    arg    len     arg
//
// argc and len are decimal numbers as Redis's string2ll accepts them: "0",
// or a digit 1-9 and more digits, within int64 (argc may carry a '-'); no
// '+', no spaces, no leading zeros. argc is at least 1 and at most
// MaxArgs; len is 0 to MaxBulkLen.
//
// The Reader is stricter than Redis's AOF loader (loadSingleAppendOnlyFile
// reads numbers with atoi/strtol, skips the two bytes after a bulk
// unchecked, and reads '#' lines with fgets) and than redis-check-aof, and
// as strict as redis-server reading a client (string2ll):
//
//   - The two bytes after a bulk's data must be CRLF, and every number is
//     followed by CRLF; else *ProtocolError. Redis always writes them so:
//     a file where they are not is corrupt, and reading it leniently would
//     hide where.
//   - Numbers are canonical: "+3", " 3", "03", "-0" are refused.
//   - argc < 1 is refused, as Redis's loader does (redis-check-aof lets
//     "*0" pass).
//   - An annotation ends with CRLF, except a line of '#' alone, which may
//     end with a bare LF: the pad that package aof's direct writes leave
//     after the records of a file, which Redis may have appended after.
//     Redis's loader also skips any other '#' line ended by a bare LF, or
//     cut by the end of the file; here those are a *ProtocolError and
//     ErrTruncated. Redis writes "#TS:" lines and the
//     command after them in one write, so a crash can leave a partial
//     annotation at the tail, which Redis loads as a clean end even with
//     aof-load-truncated off. A loader that must do the same checks, on
//     ErrTruncated, whether the bytes from End() start with '#' and hold
//     no LF.
//
// All of these are pinned by a test against redis-check-aof, which agrees
// with the Reader on everything else, including the offset of the end of
// the last complete item.
//
// Reader.Next returns each item and its Kind: an AOF loader that honours
// --truncate-to-timestamp sees every annotation with its offset.
// Reader.ReadCommand skips annotations, as Redis's loader does.
//
// With ReaderOptions.Inline the Reader reads what redis-server reads from
// a client: any line not starting with '*' is an inline command, split as
// Redis's sdssplitargs splits it (words, "double quotes" with \xHH and \n
// escapes, 'single quotes'; see inline.go), and blank lines, "*0" and
// "*-1" are skipped. Off by default: in an AOF they are a bad format.
//
// # Errors
//
// Reading tells three ends apart. A clean end, where the input stops
// between items, is io.EOF. An end inside an item is ErrTruncated, which
// also matches io.ErrUnexpectedEOF under errors.Is: a loader with
// aof-load-truncated truncates the file at Reader.End of the last command
// it applied. Malformed input is a *ProtocolError carrying the input
// offset and the reason; it matches ErrProtocol, and ErrLimit when a limit
// was exceeded. Other errors of the underlying io.Reader are returned
// unchanged. A Reader's errors are sticky until Reset, except
// ErrWouldBlock (below). Offsets start at 0, or at the base given to
// ResetAt (for the RESP tail after an RDB preamble).
//
// # Non-blocking input
//
// An event-loop server can give a Reader a non-blocking socket: an
// io.Reader that returns ErrWouldBlock (alone or wrapped, for EAGAIN)
// when no input has arrived. Next, ReadCommand and ReadReply then return
// ErrWouldBlock and keep the item they were reading partly read; the same
// call, made again when the socket is readable, resumes it with the new
// bytes. Whatever chunks the input arrives in, the Reader returns the
// same items, offsets and errors (limits included) as from the whole
// input at once. ErrWouldBlock is never sticky; a Read returning bytes
// together with it gives the bytes first. Reader.Buffered tells how many
// bytes were read and not yet returned in an item, for a query-buffer
// limit.
//
// # Limits and memory
//
// MaxBulkLen (default 512 MiB, Redis's proto-max-bulk-len), MaxArgs
// (default INT_MAX, as redis-server) and MaxLineLen (default 64 KiB, for
// annotations, inline commands and simple reply lines) are set by
// ReaderOptions. A length header is never trusted for an allocation: the
// argument slice is preallocated for no more arguments than the bytes
// already buffered can hold and grows as arguments arrive, and a bulk
// longer than the buffer is read into a buffer that starts at 64 KiB and
// doubles as its bytes arrive. A header claiming 512 MiB followed by the
// end of input costs 64 KiB.
//
// # Lifetime of returned slices and allocation
//
// The arguments returned by ReadCommand and Args, and the text returned by
// Annotation, alias the Reader's buffers: they are valid until the next
// call of any method of the Reader (Next, ReadCommand, ReadReply, Reset),
// which may overwrite them. Copy what must outlive that. Their capacity is
// their length, so appending to one cannot clobber its neighbours. In
// steady state reading commands allocates nothing: the buffer, the
// argument slice, and the buffers of arguments longer than the buffer
// (up to 16 MiB of them in total) are reused from one command to the next.
// A buffer that grew past max(4×BufferSize, 1 MiB) for one huge command is
// given back at the next one.
//
// ParseCommand's arguments alias buf. ReadReply's Values are allocated
// for the caller and stay valid; replies are for clients and tests, not a
// hot path.
//
// # Replies
//
// The Append functions and the Writer write RESP2 replies (simple string,
// error, integer, bulk, null bulk, array, null array) and RESP3 ones
// (null, double, boolean, big number, verbatim string, blob error, map,
// set, push, attribute). The Writer, told the client's protocol with
// SetProtocol, writes RESP2 forms for RESP3 types as redis-server does.
// Reader.ReadReply parses any reply into a Value. Doubles are written as
// Redis 7.2+ writes them (shortest round-trip digits; "inf", "-inf",
// "nan").
//
// # Concurrency
//
// A Reader or a Writer is not safe for concurrent use: one goroutine at a
// time, as with bufio. The block functions are safe for concurrent use on
// distinct destinations.
package resp
