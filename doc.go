// Package aofrdb gives a Go program Redis's persistence, with Redis's own file
// formats: an append-only file (AOF) of RESP commands with Redis's fsync
// policies, AOF rewrites into Redis 7's multi-part layout (a base file, incr
// files and a manifest), and RDB snapshots with LZF compression and a CRC64
// trailer. A data directory written by aofrdb loads in redis-server, and one
// written by redis-server (2.x to 7.4, and Valkey 8) loads in aofrdb.
//
// # Where things are
//
// The root package holds the Store: a durable keyspace persisted the way
// redis-server persists it (Open, Exec and Write, the typed helpers, Save,
// BGSave, BGRewriteAOF, Info, Backup and Restore). It is built on packages
// that each do one thing and that are useful on their own:
//
//	resp/          RESP codec: commands as they appear in an AOF, replies for servers
//	rdb/           RDB encoder and decoder, DUMP/RESTORE payloads
//	aof/           AOF appender (fsync policies, group commit), loader, rewriter
//	manifest/      Redis 7 multi-part AOF manifest and the startup load plan
//	keyspace/      the Keyspace interface and a reference in-memory keyspace
//	internal/crc64 Redis's CRC-64/Jones checksum
//	internal/lzf   liblzf 3.6's compression format
//	internal/vfs   all file access: OS and in-memory filesystems, crash
//	               simulation, fault injection, atomic file replace
//	cmd/aofrdb     check, fix, dump, convert and inspect files
//
// README.md has a tour of them, and the durability each fsync policy gives.
//
// # How a write becomes durable
//
// A write command is applied to the keyspace and appended to the AOF under
// one lock, so the log order is the apply order. The AOF's fsync policy then
// decides when the write is acknowledged, with Redis's meaning:
//
//	always    after its bytes are fdatasync'ed; concurrent writers share one
//	          sync (group commit)
//	everysec  once its bytes are in the kernel; a background sync runs once a
//	          second, postponed up to 2 s while the previous one still runs
//	no        once its bytes are in the kernel; syncing is left to the OS
//
// What is logged is what Redis propagates: relative expiries become absolute
// (PEXPIREAT, SET ... PXAT), SPOP becomes SREM, INCRBYFLOAT becomes SET ...
// KEEPTTL, multi-record units are wrapped in MULTI/EXEC, and expired keys log
// a DEL, so replaying the log reaches the same state at any later time.
//
// # Snapshots without fork
//
// Redis forks for BGSAVE and BGREWRITEAOF and relies on copy-on-write. Go
// cannot fork, so the reference keyspace gives a point-in-time view instead:
// starting one is O(1), and a writer about to change data the snapshot has
// not read yet first hands the old contents to the snapshot. Extra memory is
// bounded by what the snapshot has not consumed, not by the write rate. A
// rewrite opens a new incr file and writes a new base from such a view, so
// there is no rewrite buffer and nothing is written twice.
//
// # Startup
//
// With appendonly on, the manifest's base and incr files are loaded; without
// a manifest a legacy appendonly.aof is upgraded, and without any AOF the
// dump.rdb is loaded and becomes the new AOF's base, so switching AOF on
// never loses an RDB's data (Redis 7 starts empty in that case). With
// appendonly off, dump.rdb is loaded if present.
//
// While it loads more than 8 MiB of files, Open holds a ballast: an
// allocation of 8 times their size (at most 1 GiB) that it never
// touches, so that the garbage collector, which would otherwise mark
// the growing data set again at each doubling, runs once or not at all.
// It costs address space, not resident memory; afterwards a collection
// runs in the background. There is none with GOGC=off, with a memory
// limit (GOMEMLIMIT), under Linux's strict overcommit, or on 32-bit
// platforms.
//
// # Errors
//
// Bad input is an error naming the file and the offset, never a panic and
// never silent data loss; every length read from a file is bounded before
// anything is allocated. A clean end, a truncated tail (loadable, as Redis's
// aof-load-truncated allows) and corruption in the middle are different
// errors. Every file that replaces another is written to a temp file,
// fsynced, renamed, and its directory fsynced.
package aofrdb
