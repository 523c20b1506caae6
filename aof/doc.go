// Package aof reads and writes Redis's append-only files: single files
// of every Redis version (with or without an RDB preamble) and Redis 7's
// multi-part directories, byte for byte as redis-server does.
//
// # Writing
//
// An Appender appends the records a keyspace logs to one file, with a
// SELECT whenever the database changes and, optionally, "#TS:<unix>"
// annotations. Its policies are Redis's appendfsync: Always returns
// from Wait only once the bytes are synced, one sync serving every
// writer waiting (group commit); EverySec once they are written, a
// background sync running once a second and postponing writes up to
// 2 s while it is slow; No once they are written. A failed write or sync
// is sticky until Retry succeeds.
//
// Under Always, where the file system has direct writes (vfs.OpenDirect),
// the Appender writes the records with O_DIRECT|O_DSYNC over a pad of
// '#' lines that it writes ahead of them, rather than write(2) and
// fdatasync: one durable write with no metadata to commit, about half
// the time of an append and its fdatasync. Redis reads the pad as
// annotations. Close cuts it, and OpenAppender cuts the one a crash
// left; the loader stops at it. Options.Buffered turns this off. See
// direct.go for the format and the README for what it changes.
//
// A Dir is a multi-part directory open for appending, as redis-server
// keeps it: OpenDir (after loading) writes a base when there is none,
// opens the last incr file or creates one, and deletes history files.
// A rewrite needs no fork and no rewrite buffer: BeginRewrite, called
// with the write turn at the instant of the caller's snapshot, syncs the
// current incr file and switches the records to a new one; the caller
// writes the snapshot as the new base (WriteBaseFile, in RDB or RESP
// form) while writes go on; Commit makes a manifest that lists the new
// base and the new incr file durable, and only then deletes the old
// files. A crash at any point leaves a directory that loads a prefix of
// the records, with every record the policy promised durable.
//
// # Reading
//
// LoadFile, LoadFiles and LoadDir replay files into a Target (a
// keyspace, through KeyspaceTarget): an RDB part first, then the
// commands, skipping annotations, running MULTI/EXEC units whole. A
// tail cut inside a command (or an open MULTI) at the end of the last
// file loads up to the last whole command with AllowTruncated, and is
// cut on disk as Redis does, unless ReadOnly; corruption before the end
// is always a *LoadError naming the file and offset.
//
// CheckFile, CheckPath and its directory and manifest forms check files
// as redis-check-aof does; Fix cuts a torn tail of the last file
// (keeping the bytes cut in a backup) and TruncateToTimestamp cuts an
// annotated AOF at a point in time.
package aof
