// Package compact reads the compact encodings Redis stores inside RDB
// values and DUMP payloads — listpack, ziplist, intset and zipmap — with
// Redis's deep integrity checks, and writes listpacks byte for byte as
// Redis does.
//
// Each decoder (ListpackEach, ZiplistEach, IntsetEach, ZipmapEach) walks a
// blob once, checks it, and calls a function per element. It accepts
// exactly what Redis's deep validation (lpValidateIntegrity,
// ziplistValidateIntegrity, intsetValidateIntegrity,
// zipmapValidateIntegrity with deep = 1) accepts: where Redis tolerates
// something it never writes (a short string in a long form, a 5-byte
// ziplist prevlen for a small entry, bytes after a zipmap's last pair) so
// does this package, and where it rejects, this package returns a
// *FormatError (which matches ErrFormat) naming the structure, the offset
// and the reason. A test restores damaged blobs into redis-server and
// checks that both sides agree.
//
// Decoders never panic, never read outside the blob, compare every length
// read from a blob with the bytes actually left before using it, never
// allocate according to a length or count from the blob, and do not
// allocate at all unless they fail. Element strings alias the blob.
//
// The rules that sit one level up, in Redis's RDB loader (pairs and triples,
// unique set members, hash fields and zset members, no empty keys), are the
// caller's; Dups is the duplicate detector for them and ParseInt is Redis's
// canonical integer test (string2ll).
//
// # Listpack
//
//	total bytes u32 LE | count u16 LE | entry ... | FF
//	entry: encoding+data | backlen
//
// The count 65535 means "unknown". Encodings (first byte):
//
//	0xxxxxxx                 7-bit unsigned integer 0..127
//	10LLLLLL data            string of up to 63 bytes
//	110xxxxx b               13-bit signed integer -4096..4095
//	1110LLLL L data          string, 12-bit length
//	F0 L L L L data          string, 32-bit LE length
//	F1 / F2 / F3 / F4        int16 / int24 / int32 / int64, LE
//	F5..FE                   invalid
//
// backlen is the size of encoding+data in 1 to 5 bytes of 7 bits, the low
// bits in the last byte, 0x80 set on every byte but the first, so that it
// can be read backwards: 1 byte up to 127, 2 below 16383, 3 below 2097151,
// 4 below 268435455, else 5. For example size 200 is 01 c8.
//
// Checked: len >= 7; total bytes == len; last byte FF; every encoding valid;
// every entry and backlen before the terminator; each backlen, read
// backwards as Redis reads it, equals its entry's encoding+data size; the
// walk ends exactly at the last byte; count == header count unless 65535.
//
// ListpackBuilder and AppendListpack choose encodings as Redis's lpAppend
// does: a canonical int64 decimal (ParseInt) becomes the smallest integer
// form, anything else the shortest string form.
//
// # Ziplist (read only)
//
//	zlbytes u32 LE | zltail u32 LE | zllen u16 LE | entry ... | FF
//	entry: prevlen | encoding [length] | data
//
// prevlen is the previous entry's size: 1 byte below 254, else FE and a u32
// LE (Redis sometimes keeps the 5-byte form for smaller sizes). Encodings:
//
//	00LLLLLL                 string of up to 63 bytes
//	01LLLLLL L               string, 14-bit length, big endian
//	10xxxxxx L L L L         string, 32-bit length, big endian
//	C0 / D0 / E0             int16 / int32 / int64, LE
//	F0 / FE                  int24 / int8
//	F1..FD                   immediate 0..12 (low nibble - 1)
//
// Checked: len >= 11; zlbytes == len; last byte FF; zltail <= len-1;
// every entry within bounds with a valid encoding; each prevlen equals the
// real previous entry size (0 for the first); the walk ends exactly at the
// last byte; zltail is the offset of the last entry if there is one;
// count == zllen unless 65535.
//
// # Intset
//
//	encoding u32 LE (2, 4 or 8) | length u32 LE | length values, LE
//
// Checked: len >= 8; encoding 2, 4 or 8; 8 + length*encoding == len;
// length != 0; values strictly ascending.
//
// # Zipmap (read only)
//
//	zmlen | (len key len free value free-bytes) ... | FF
//
// zmlen is one byte (254: unknown). Each len is 1 byte below 254, else FE
// and a u32 LE; free is one byte counting unused bytes after the value.
// Checked: len >= 2; last byte FF; every length, key, value and free
// space before the last byte; at least one pair; zmlen == pairs unless
// 254. As in Redis the walk stops at the first FF where a key length is
// expected.
//
// # Concurrency
//
// The functions are safe for concurrent use. A ListpackBuilder or a Dups
// must not be used by several goroutines at once.
package compact
