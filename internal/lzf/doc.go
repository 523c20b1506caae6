// Package lzf implements the compression format of liblzf 3.6, the one
// Redis uses for strings in RDB files and DUMP payloads and for compressed
// quicklist nodes.
//
// # Format
//
// A compressed stream is a sequence of tokens with no header, no end marker
// and no checksum: the lengths of the stream and of its decompressed form
// must be known from elsewhere (Redis writes both before the stream). Each
// token starts with a control byte whose top three bits say what it is:
//
//	000LLLLL  b1 … b(L+1)        literal run: the next L+1 bytes (1 to 32)
//	                             are copied to the output
//	LLLooooo  oooooooo           back reference, L = 1 to 6: copy L+2 bytes
//	                             (3 to 8)
//	111ooooo  LLLLLLLL oooooooo  back reference with a length byte: copy
//	                             L+9 bytes (9 to 264)
//
// A back reference's 13 offset bits o (the control byte's low 5 bits are the
// high ones) give the distance back from the end of the output: the copy
// starts o+1 bytes (1 to 8192) before it. The copy goes one byte at a time,
// so a distance shorter than the length repeats the last bytes: distance 1
// and length 40 make 40 copies of the last byte.
//
// For example, Redis stores 40 × "a" as the 9 bytes
//
//	01 61 61     literal run of 2: "aa"
//	e0 1b 00     back reference: length 0x1b+9 = 36, distance 0+1 = 1
//	01 61 61     literal run of 2: "aa"
//
// # Compression
//
// Compress finds matches the way liblzf does: a hash table remembers the
// last position of each 3-byte prefix, each position's prefix is looked up,
// a match is taken greedily when it is close enough, and after a match only
// its last two positions are entered (liblzf's VERY_FAST mode, the default
// in Debian's build). Any LZF decoder, liblzf and Redis included, decodes
// the output, but it is not byte for byte liblzf's:
//
//   - The table has 1<<14 slots that hold a position and the 4 bytes found
//     there (128 KiB), where liblzf has 1<<16 slots of positions (256 KiB).
//     The smaller table is faster, and the stored bytes let a candidate be
//     tested without reading the input at a position that would need a
//     bounds check. It costs about 1% of size: on the benchmark corpora the
//     output is 101.2% of liblzf's on text, 101.0% on a mix of RDB-like
//     records, 99.4% on small JSON values (the tests check 102% against the
//     C library).
//   - In incompressible data the search takes growing steps as the literal
//     run grows, which makes such data tens of times faster to compress than
//     with liblzf for a negligible loss (0.02% on random bytes).
//   - A match may refer back to the first byte of the input and extend to
//     its last byte, which liblzf does not allow.
//
// Compress returns 0 when the result does not fit in dst, as lzf_compress
// does, and for an empty input; callers store such data uncompressed.
// Unlike lzf_compress, whether Compress succeeds depends only on the size
// of its result, so a dst exactly that long works (lzf_compress may fail
// when its result would have fit with up to 4 bytes to spare).
// CompressBound gives a dst length that always suffices.
//
// # Decompression
//
// Decompress checks everything lzf_decompress checks, in the same order,
// and reports the same two kinds of failure as errors: ErrShortBuffer when
// the output does not fit in dst (liblzf's E2BIG), and a *CorruptError,
// which matches ErrCorrupt, when a token runs past the end of the input or
// refers to data before the start of the output (EINVAL). It never reads
// outside src or writes outside dst. Decompress does not require the output
// to fill dst; Redis additionally requires it to be exactly the stored
// length, and so should callers that know the length.
//
// # Concurrency
//
// Compress and Decompress are safe to call from any number of goroutines at
// once. Neither allocates: Compress borrows its hash table (128 KiB) from a
// sync.Pool and, rather than clearing it, numbers positions past anything a
// previous call left in it, so its output does not depend on earlier calls.
package lzf
