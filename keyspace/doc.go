// Package keyspace is what a Store persists: Redis's numbered databases of
// keys and values, changed by Redis's commands.
//
// # The interface
//
// Keyspace is small: Exec runs one command and reports, as Records, what
// must be logged for it (Redis's propagated form: nothing for a write
// that changed nothing); ExecMulti runs a MULTI/EXEC block atomically;
// Restore adds a key read from an RDB file; Snapshot returns a
// point-in-time view that is read as a stream of rdb.Entry values while
// writes go on. Command describes a command (arity, whether it writes),
// so a caller can check a queued command and route a write to the write
// turn. Optional capabilities are separate interfaces found by type
// assertion: ActiveExpirer for a background expire cycle.
//
// The concurrency contract is in Keyspace's doc comment: calls that hold
// the write turn are serialized by the caller, in log order; reads run
// concurrently with them and with each other; a read that would have to
// change data (it met a key whose time has passed) returns
// ErrWriteNeeded and is run again with the write turn.
//
// Package keyspacetest holds a conformance suite that any implementation
// runs against itself.
//
// # The reference keyspace
//
// Memory holds strings, lists, sets, sorted sets, hashes and streams,
// applies every write command Redis 7.0 can put in an AOF for them with
// Redis's semantics, replies and error messages (checked by differential
// tests against redis-server), and logs what Redis propagates: relative
// expiries as absolute PXAT and PEXPIREAT, SPOP as SREM, INCRBYFLOAT as
// SET … KEEPTTL, the blocking and multi-key pops as the plain pops they
// performed, a key found expired as DEL. Replaying the log, at any later
// time, with Call.Loading set, gives the same data, up to what Redis
// itself leaves out of its AOF (below, for streams).
//
// Streams have their commands too, and what they log is what Redis
// propagates: XADD with the ID it generated and a ~ trim rewritten as
// the exact trim it did; XREADGROUP, XCLAIM and XAUTOCLAIM as one
// XCLAIM … TIME … RETRYCOUNT … FORCE JUSTID LASTID per entry delivered
// or claimed; XGROUP SETID … ENTRIESREAD and XGROUP CREATECONSUMER where
// Redis propagates them. A stream keeps Redis's node layout (a new
// listpack node at stream-node-max-entries 100 or stream-node-max-bytes
// 4096), so approximate trims and XINFO STREAM match Redis; the layout
// does not survive an RDB or AOF, which hold no nodes. Module values
// loaded from an RDB are held and written back unchanged.
//
// HyperLogLogs are strings, as in Redis: PFADD, PFMERGE, PFCOUNT and
// PFDEBUG change their bytes exactly as redis-server does (sparse and
// dense encodings, the cached cardinality, promotion to dense). PFCOUNT
// is a read that asks for the write turn when it writes the cached
// cardinality back, and is then logged as Redis propagates it.
//
// Geo commands (GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
// GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms) work
// on sorted sets whose scores are Redis's 52-bit geohashes, encoded and
// decoded as Redis does, with its search boxes and their scan order (so
// COUNT ANY and unsorted results come in Redis's order), its sorts and
// its reply formats. GEOADD is logged as the ZADD it runs as (lowercase
// "zadd", as Redis propagates it); the STORE forms are logged as called.
//
// Values are kept in representations whose observable order is Redis's
// where Redis defines one: a set of at most set-max-intset-entries
// integers replies in ascending order (an intset), a hash within
// hash-max-listpack-entries and hash-max-listpack-value in insertion
// order (a listpack), and both turn into hash tables at Redis's
// thresholds. INCRBYFLOAT and HINCRBYFLOAT compute in x87 80-bit long
// double, as Redis does on x86-64 (see longdouble.go).
//
// Expiry is Redis's: a read of a key whose time has passed finds nothing
// and deletes it (logging DEL); ActiveExpire removes expired keys in
// bounded steps; nothing expires while Call.Loading is set; Restore drops
// keys marked expired.
//
// Where it differs from Redis, on purpose:
//
//   - Blocking commands (BLPOP, BZPOPMIN, XREAD and XREADGROUP with
//     BLOCK, ...) never block: they serve what is there, or reply as
//     Redis does when it cannot block (inside MULTI). Blocking belongs
//     to a server, over this package.
//   - SCAN's cursor is a shard index: each reply holds whole shards, so
//     COUNT is a hint (as in Redis) and every key present throughout an
//     iteration is returned exactly once. SSCAN, HSCAN and ZSCAN reply
//     everything at once with cursor 0, as Redis does for small values.
//   - Hash field TTLs (Redis 7.4) read from an RDB are kept and written
//     back, but not enforced.
//   - Replaying the log of XREADGROUP gives what Redis's own AOF gives:
//     the group's entries-read counter, consumers XREADGROUP created
//     while serving history, and history reads' delivery counts and
//     times are not propagated (as in Redis 7.0).
//   - Distances use sin, cos and asin correctly rounded; glibc's, which
//     Redis uses, are an ulp off in rare cases (which ones depends on the
//     CPU), so a distance stored by STOREDIST can differ from Redis's in
//     its last bit (about 0.4% of them).
//   - On corrupt HyperLogLog values: a PFADD that fails part way changes
//     nothing, and a byte past the end of a value reads as NUL (see
//     hll.go).
//   - The 512 MB limits on string growth (SETRANGE, APPEND, SETBIT,
//     BITFIELD) also hold while loading, so a corrupt log cannot make the
//     keyspace allocate without bound.
//
// # Layout and snapshots
//
// Each database is split into 256 shards by the xxhash of the key; a
// shard is a Go map from key to object. One sync.RWMutex guards the
// keyspace: the call with the write turn holds it for writing while it
// runs (never while the caller waits for an fsync), reads hold it for
// reading.
//
// Snapshots neither fork nor copy (snapshot.go has the details).
// Taking one bumps an epoch and records the databases and key counts:
// O(databases), a few microseconds. Every object records the epoch it
// was created or last handed over in, in 8 bytes that fill the size
// class objects are allocated in anyway, so versioning adds no memory
// per key; a snapshot adds one bit per shard.
// The snapshot walks the shards, noting one shard's keys at a time under
// the read lock and returning them without a copy while writes go on. A
// writer about to change or delete a key that an open snapshot has not
// reached hands its value to the snapshot first (a string copied into a
// reused buffer, an aggregate as a view: a container of references to
// its immutable elements), and the snapshot returns what it was handed
// before it walks on. Its memory is therefore what writers handed it and
// the consumer has not taken yet, whatever the write rate; a big value
// costs a writer one view, never an encoding, which only the consumer
// does. FLUSHDB and FLUSHALL replace a database and leave the old one to
// the open snapshots. Several snapshots may be open at once; Close
// releases what one holds.
//
// Figures (BenchmarkSnapshotUnderWrites, 1M keys of 32-byte strings, 4
// writers overwriting random keys, 2 cores): extra heap about 2% of the
// data set, start 4-8 us, writers at 80-95% of their rate without a
// snapshot. BenchmarkSnapshotBigValue: a write to an aggregate of 1M
// elements that a snapshot has not read stalls 3-12 ms (list, set, hash,
// zset) where encoding it takes 40-650 ms.
package keyspace
