// Package manifest reads and writes the manifest of a Redis 7 multi-part
// AOF, byte for byte as redis-server does.
//
// A multi-part AOF lives in a directory (appendonlydir by default) that
// holds one BASE file (an RDB or a RESP snapshot), INCR files (the commands
// logged since), HISTORY files waiting to be deleted, and the manifest,
// <prefix>.manifest, that lists them. The prefix is Redis's appendfilename,
// appendonly.aof by default:
//
//	file appendonly.aof.2.base.rdb seq 2 type b
//	file appendonly.aof.1.incr.aof seq 1 type h
//	file appendonly.aof.2.incr.aof seq 2 type i
//
// One line per file, '\n' terminated, of space separated key/value pairs:
// the file name, its sequence number and its type, b (base), h (history)
// or i (incr). Redis writes the base first, then the history entries, then
// the incr entries in ascending seq. Names that hold a backslash, a quote,
// whitespace or a byte that is not printable ASCII are written in double
// quotes with C-like escapes (\\ \" \n \r \t \a \b \xHH).
//
// # Reading
//
// Parse applies the rules of Redis's aofLoadManifestFromFile (shared by
// redis-check-aof), with the same messages, so a manifest Parse accepts is
// one redis-server accepts and the other way round, with these exceptions,
// all of them manifests that Redis would misread:
//
//   - a file name that is empty, "." or "..", or that holds a NUL byte
//     (Redis cuts the name at the NUL) is refused;
//   - Parse refuses more than MaxLines lines, to bound what it reads.
//
// Keys other than file, seq and type, which newer versions of Redis may
// add, are kept in File.Extra, so that they survive a Parse and Format
// round trip; Redis itself ignores and drops them.
//
// # Writing
//
// Format returns the bytes Redis writes for a manifest. It differs from
// Redis in one case only: Redis writes a name holding a single quote
// unquoted, which it then cannot read back; Format quotes it. Write
// replaces a manifest atomically with vfs.WriteFileAtomic, which follows
// Redis's steps (write a temporary file, sync it, rename it over the
// manifest, sync the directory) but names the temporary file
// temp-<prefix>.manifest-<random>.tmp where Redis uses
// temp-<prefix>.manifest.
//
// # Concurrency
//
// A Manifest is a plain value: it may be read by several goroutines at
// once but must not be changed while it is read.
package manifest
