// Package rdb reads and writes Redis's RDB snapshot files and DUMP/RESTORE
// payloads, byte for byte in Redis's formats.
//
// # Format
//
// An RDB file (shared/REDIS-FORMATS.md section 1) is a header, a sequence of
// records each introduced by one opcode or object type byte, an EOF opcode
// and, from version 5 on, a CRC64 trailer:
//
//	+-----------+----------------------------------------------+----+---------+
//	| REDIS0010 | records ...                                  | FF | crc64   |
//	+-----------+----------------------------------------------+----+---------+
//	  9 bytes                                                    EOF  8 bytes LE
//
//	record:  FA aux-key aux-value             AUX (redis-ver, ctime, ...)
//	         F5 library-code                  FUNCTION2
//	         F7 len(id) len(2) len(when) ...  MODULE_AUX
//	         FE len(db)                       SELECTDB
//	         FB len(keys) len(expires)        RESIZEDB (a hint)
//	         F4 len(slot) len(keys) len(exp)  SLOT_INFO (a hint)
//	         [FC ms:8 LE | FD s:4 LE] [F8 len(idle) | F9 freq:1]  per-key metadata
//	         type key value                   one key: type 0-7, 9-25
//
//	len(n):  00nnnnnn | 01nnnnnn nnnnnnnn | 80 n:4 BE | 81 n:8 BE
//	string:  len(n) bytes | C0 i8 | C1 i16 LE | C2 i32 LE | C3 len(clen) len(n) lzf-bytes
//
// The CRC64 (Jones polynomial, reflected, initial value 0, as Redis computes
// it) covers every byte from the R of REDIS through the EOF opcode; a zero
// trailer means the file was written with rdbchecksum no and is not checked.
//
// A DUMP payload (section 2) is one value without key or metadata:
//
//	+------+--------------------------+-------------+----------+
//	| type | value as in an RDB file  | version:2LE | crc64:8LE|
//	+------+--------------------------+-------------+----------+
//
// # Reading
//
// A Reader streams a file one key at a time (Next), so a file larger than
// memory can be checked or converted holding one key at a time. It reads
// versions 1 to 12 and every encoding Redis and Valkey have written: strings
// (raw, integer, LZF), lists (linked list 1, ziplist 10, quicklist 14 of
// ziplists, quicklist 18 with packed and plain nodes, LZF-compressed nodes),
// sets (2, intset 11, listpack 20), sorted sets (3 with text scores, 5 with
// binary ones, ziplist 12, listpack 17), hashes (4, zipmap 9, ziplist 13,
// listpack 16, the 7.4 field-TTL types 24 and 25 and their pre-GA forms 22
// and 23), streams (15, 19, 21: node listpacks decoded into entries,
// consumer groups, PELs, consumers), and module values (type 7) kept opaque
// by walking their opcodes. Values are returned in the encoding-free model
// of value.go. Compact encodings get Redis's deep integrity checks, as
// redis-check-rdb does (listpack and ziplist structure, intset order,
// zipmap bounds, stream node structure), plus the duplicate checks of sets,
// hashes and sorted sets. A type-15 stream lacks some metadata; the Reader
// derives it as Redis does (EntriesAdded = Length, MaxDeletedID 0-0,
// FirstID the first entry's, groups' EntriesRead estimated).
//
// Choices where Redis gives several behaviours:
//
//   - Empty aggregates (a list, set, sorted set or hash with no element,
//     which old Redis versions could write) are skipped, as Redis skips
//     them on load; EmptyKeys counts them. Empty intsets and zipmaps are
//     corruption, as in Redis.
//   - Expired keys are returned with Entry.Expired set (relative to
//     ReaderOptions.Now), not dropped: Redis's master drops them when
//     loading an RDB but keeps them when loading an AOF base.
//   - Millisecond times before version 9 were written in host byte order;
//     they are read as little endian, the order of every host Redis files
//     come from in practice.
//   - A length byte of the form 11xxxxxx where a count is expected is
//     corruption (Redis would read the low 6 bits).
//   - The pre-release FUNCTION opcode 246 (Redis 7.0 release candidates) and
//     the pre-release module type 6 are refused with ErrUnsupported and
//     ErrModule, as Redis 7.2+ refuses them.
//   - A stream's Length is reported as the file gives it; it is not checked
//     against the entries (Redis does not check it either).
//   - Field names of stream entries that use the node's master fields share
//     memory between entries.
//
// # Writing
//
// A Writer writes versions 9, 10 (the default, Redis 7.0's, which Redis 7.x
// and Valkey 8 load) and 11, and 12 for hash field expiries: the header, the
// aux fields Redis writes (redis-ver, redis-bits, ctime, used-mem,
// aof-base) and any others, FUNCTION2 records, module aux records,
// SELECTDB, RESIZEDB, EXPIRETIME_MS, IDLE and FREQ, and the plain encodings
// that every Redis since 2.x loads (Redis converts them to its compact
// in-memory encodings on load): strings as Redis writes them (canonical
// integers in int32 range integer-encoded, LZF for strings over 20 bytes
// when it saves at least 4 and compression is on), sets as type 2, sorted
// sets as type 5, hashes as type 4 (24 with field expiries, version 12
// only). Lists are written as Redis 7 writes them, a type-18 quicklist of
// listpack nodes of up to 8 KiB (PLAIN nodes for elements of 1 GiB or
// more), which 7.0 and later load; for version 9 they are written as type 1,
// which Redis 6.2 loads. Streams are type 15, 19 or 21 by version, with
// Redis's node limits (100 entries, 4096 bytes per node). Module values
// and module aux records are written back unchanged. Close writes EOF and
// the CRC64, or 8 zero bytes with NoChecksum.
//
// AppendDump and ParseDump encode and decode DUMP payloads with the same
// encodings and checks.
//
// # Errors
//
// Errors are values to test with errors.Is: input that cannot be read gives
// a *CorruptError carrying the input offset, the key being read (nil
// outside a key) and the reason, matching one sentinel: ErrTruncated (also
// io.ErrUnexpectedEOF; the input ended early: a cut tail, told apart from
// corruption), ErrCorrupt (the format is broken), ErrChecksum (matches
// ErrCorrupt too), ErrVersion, ErrModule, ErrUnsupported, ErrDatabase or
// ErrTooLarge. A clean end is io.EOF from Next. I/O errors of the
// underlying reader are returned wrapped, with the offset. Reader and
// Writer errors are sticky. Nothing in this package panics on bad input.
//
// # Memory
//
// Every length read from the input is bounded before memory is allocated
// for it: a string longer than what is buffered grows as its bytes actually
// arrive (so a corrupt length costs at most about twice the input's size),
// an LZF string's output is allocated only after its compressed bytes have
// arrived and only if they can expand to it (LZF expands at most 88 times),
// and slices for element counts are preallocated to at most 1024 elements.
// ReaderOptions.MaxStringSize bounds single strings further. The Reader
// keeps one 64 KiB buffer and carves small strings from 64 KiB arena chunks
// to keep allocations per key low: the byte slices of the values it
// returns belong to the caller, and an arena chunk lives as long as any of
// them; Entries are likewise carved from slabs of 64.
//
// # Concurrency
//
// A Reader or Writer must be used by one goroutine at a time. AppendDump
// and ParseDump are safe for concurrent use. Values returned by the Reader
// are not referenced by it afterwards.
//
// With ReaderOptions.ReadAhead, the Reader decodes in a goroutine of its
// own, up to 4 batches of 256 keys ahead of Next, so that decoding runs on
// one core while the caller stores keys on another (the Store's loads
// use it). What the caller sees is the same as without it, in the same
// order (TestReadAheadSameAsSync, FuzzReadAhead); a caller that stops
// before Next returns an error calls Close.
package rdb
