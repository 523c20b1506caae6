// Package dataset is the canonical model of a Redis data set: what a file
// or data directory loads to, as the fixtures' expected.json files and
// `aofrdb dump` write it. Tests across the project (rdb, aof, keyspace)
// compare what they load with a Dataset, and the command-line tool prints
// and reads one.
//
// # Model
//
// A Dataset is a map from database index to the keys of that database, as
// rdb.Entry values, so that what the RDB reader yields and the writer takes
// goes in and out unchanged. Only the key, its expiry (Entry.ExpireAt) and
// its value are part of the data set; Entry.Idle and Entry.Freq are
// carried but never written or compared, and Entry.DB repeats the map's
// index.
//
// Build one from a stream of entries with a Builder, which does what
// Redis's loaders do: it leaves out keys the reader marked Expired (Redis's
// master drops them when it loads an RDB; set Builder.KeepExpired to keep
// them, as an AOF base load does) and empty lists, sets, sorted sets and
// hashes (Redis skips them with "skipping empty key"), and it refuses a key
// that appears twice in a database ("Duplicated key found in RDB file").
//
// # JSON
//
// Read and Write use the schema of the fixtures' README:
//
//	{
//	 "redis_version": "7.0.15",
//	 "dbs": {
//	  "0": [
//	   {
//	    "key": B64,
//	    "type": "string" | "list" | "set" | "zset" | "hash" | "stream",
//	    "expire_at_ms": 0,
//	    "value": ...
//	   }
//	  ]
//	 }
//	}
//
// Every byte string is standard base64. Values: a string is B64; a list
// [B64, ...] in order; a set [B64, ...] sorted by raw bytes; a sorted set
// [[B64 member, score], ...] by score then member, the score as the text
// Redis gives a double ("inf", "-inf" or C's %.17g, see FormatScore); a hash
// [[B64 field, B64 value], ...] sorted by field; a stream an object with
// the fields of rdb.Stream (entries, groups with their pending entries and
// consumers; consumers' seen and active times are left out, because
// replaying an AOF cannot reproduce them, and a group's unknown
// entries_read is null).
//
// The output is canonical, so that two dumps of the same data are the same
// bytes: one space of indentation per level, the members of an entry in
// the order above, the members of a stream's objects in alphabetical order,
// keys sorted by raw bytes, stream groups and consumers by name, pending
// entries by ID, and databases in the order of their index as text ("0",
// "1", "15", "9"), as any JSON tool that sorts object members prints them.
// This is byte for byte the layout of the fixtures' expected.json files,
// less their "encoding" members: the encoding Redis held a value in is not
// part of the data, so Read accepts and ignores it and Write leaves it out.
//
// Two extensions carry what the fixtures' schema has no place for, so that
// converting an RDB file to JSON and back loses nothing: a hash field with a
// TTL (Redis 7.4) is written [B64 field, B64 value, expire-at-ms], and a
// module value (type 7, kept opaque) as the type "module" with the value
// {"data": B64, "id": "<module type ID in decimal>"}.
//
// Read checks what it reads (known types, valid base64 and stream IDs, no
// NaN scores, no duplicate keys, members or fields, stream entries in ID
// order and no more of them than the stream's length) and returns the data
// set in canonical order.
// The whole data set is held in memory: canonical order needs every key.
//
// # Equality
//
// Equal and Diff compare as the README says: the same databases (an empty
// database is an absent one) hold the same keys with the same types,
// expiries and values; sets and hashes are compared as sets, sorted sets as
// maps from member to score with scores compared as numbers, lists and
// stream entries in order. Redis versions, idle times and LFU counters are
// not compared. Neither function needs its arguments in canonical order.
//
// The fixtures' streams were read with XINFO STREAM FULL, which lists at
// most COUNT (10) entries, and at most COUNT pending entries per group and
// per consumer: their stream:s1 has length 50 and 10 entries. Such a stream
// is a view (see ViewLimit), and a stream compared with a view is compared
// as the same view of it: its first COUNT entries and pending entries, and
// its length and other fields in full. A view cannot be written to an RDB
// file.
//
// # Concurrency
//
// A Dataset is a plain value: concurrent reads are safe, a write needs
// exclusive access. Write, MarshalJSON, Equal and Diff only read their
// arguments. A Builder is for one goroutine.
package dataset
