// Package vfs is the file system layer of aofrdb: every file that aofrdb
// reads or writes goes through an FS, so that tests can replace the disk
// with one that fails (ENOSPC, EIO, short writes) or crashes (dropping what
// was not synced), and check that no acknowledged write is lost.
//
// # Interfaces
//
// FS has the few operations a Redis-style data directory needs: Create,
// Open, OpenAppend (the AOF appender), Rename, Remove, MkdirAll, List, Stat,
// Truncate (the AOF loader cuts a torn tail), SyncDir and Lock (one process
// per data directory). File is what they open: Read, ReadAt, Write, Sync,
// Stat, Truncate, Close, Name. OpenDirect, where an FS has it (DirectFS:
// the OS on Linux, MemFS, and the wrappers over them), opens a file for
// direct, durable writes by whole aligned blocks (O_DIRECT|O_DSYNC), as
// the AOF appender writes under always. Errors are those of package os,
// so code checks them with errors.Is(err, fs.ErrNotExist),
// errors.Is(err, syscall.ENOSPC) and so on, whatever the FS.
//
// The implementations:
//
//   - Default, the operating system. On Linux, File.Sync is fdatasync(2), as
//     Redis's redis_fsync: it writes the data and the file size but not the
//     timestamps, which is all that a reader after a crash needs. SyncDir
//     opens the directory and fsyncs it. Lock takes flock(LOCK_EX|LOCK_NB),
//     which also conflicts with a second Lock of the same file in the same
//     process, because flock locks belong to open file descriptions; where
//     there is no flock, Lock only excludes other Locks in the same process.
//     aofrdb targets Unix; elsewhere Default builds but is untested
//     (Windows, for one, may refuse to flush a directory in SyncDir).
//   - MemFS (NewMem), strict and in memory, with crash simulation.
//   - Faulty (NewFaulty), which wraps an FS and fails chosen operations.
//   - NewLogging, which wraps an FS and logs the steps that matter to
//     durability, for golden files.
//
// # What survives a crash
//
// Durability follows POSIX, taken strictly:
//
//   - A file's contents (and size) are durable as of its last File.Sync.
//   - A directory's entries are durable as of its last SyncDir. A file
//     created, renamed or removed is so on disk only after its parent
//     directory is synced, whatever was done to the file itself; a rename
//     between two directories needs both synced. Synced data in a file
//     whose name was never made durable is lost with the name.
//
// MemFS keeps both the current and the durable state of every file and
// directory. MemFS.CrashClone returns the state after a power loss: the
// durable entries of each directory, from the root, and the durable contents
// of each file; with CrashOptions.KeepUnsynced, also a random, seeded share
// of the rest: a file keeps a random prefix of its unsynced tail (real file
// systems lose tails, they do not make holes), a directory a random prefix
// of its unsynced creates, removes and renames, as journaling file systems
// commit metadata in order (so a rename within a directory leaves the old
// name or the new one, never neither). Files are inodes: a
// name whose durable entry still points to the file that an unsynced
// rename replaced finds that old file's durable contents. The same seed
// gives the same clone, so a failing crash test can be replayed.
//
// MemFS also fails where the OS fails, with the same errors: writing a file
// opened by Open gives EBADF, any use of a closed file fs.ErrClosed,
// renaming onto a directory EEXIST, removing a non-empty directory
// ENOTEMPTY, and so on; the tests run one table of cases on both.
// MemFS.OpenFiles lists the files and locks still open, for leak checks.
//
// # Fault injection
//
// Faulty counts every operation (each FS call and each File Read, Write,
// Sync, Close, ...) and fails the operation with a given index, or those
// that a predicate on the kind of operation and the name picks, with
// ENOSPC, EIO, or a short write (part of the buffer is written, then
// ENOSPC). A test runs its workload failing operation 0, 1, 2, ... until
// the workload no longer reaches the failing index, and checks each time
// that the error surfaced and that what is on disk still loads.
//
// # Replacing a file
//
// Every file that replaces another (RDB snapshot, AOF base, manifest) is
// written by WriteFileAtomic: create temp-<base>-<random>.tmp in the same
// directory, write, Sync, Close, Rename over the target, SyncDir. A crash at
// any point leaves the target wholly old or wholly new; a failure removes
// the temporary file. testdata/writefileatomic.golden pins these steps.
//
// # Concurrency
//
// Every FS is safe for concurrent use. A File may have Sync, Stat and ReadAt
// called from any goroutine while one other goroutine calls Read, Write or
// Truncate: the AOF appender writes from one goroutine while another
// fsyncs. Close must not overlap any other call on the same File.
package vfs
