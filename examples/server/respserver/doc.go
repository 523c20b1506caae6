// Package respserver serves Redis's protocol (RESP2) over a
// keyspace.Keyspace, so that redis-cli, redis-benchmark and Redis client
// libraries can talk to the reference keyspace. It is the library behind
// the examples/server program; see that program's README for what it
// supports.
//
// # Connections
//
// Each connection has a goroutine that reads commands with a
// resp.Reader in inline mode (so telnet and redis-cli's inline commands
// work) and writes the replies through a buffer. The buffer is sent when
// the Reader needs more input, that is when no complete command is left
// unread: a pipeline of commands gets its replies in one write. The
// query buffer (input read and not yet executed) is bounded by
// Options.MaxQueryBuffer, 1 GiB by default as Redis's
// client-query-buffer-limit; an argument by Options.MaxBulkLen, 512 MiB
// as proto-max-bulk-len. A client over either is disconnected.
//
// # The write turn
//
// The keyspace's concurrency contract (keyspace.Keyspace) asks its
// caller to serialize the calls that hold the write turn. A server made
// by OpenStore runs them in aofrdb.Store.Write, the Store's write turn:
// write commands, EXEC (Writer.ExecMulti, after WATCH's check in the
// same call), and reads that the keyspace returned
// keyspace.ErrWriteNeeded for (the read met an expired key, which must
// be deleted and the deletion logged). What they log goes to the AOF;
// WATCH sees it first. The Store's own active expire cycle reaches WATCH
// through the keyspace it runs (a wrapper that tells the server). Inside
// the Store's turn the server takes its mutex for WATCH's registry,
// never the reverse. Reads run without either, any number at once.
//
// A server made by New has no persistence: its mutex is the write turn,
// it runs the active expire cycle itself, and what the keyspace logs is
// dropped after WATCH has seen it.
//
// # Server commands
//
// The keyspace runs the data commands, SELECT, PING and ECHO. The
// server handles connection state, introspection and persistence: MULTI, EXEC,
// DISCARD, WATCH, UNWATCH, QUIT, RESET, HELLO (protocol 2 only: HELLO 3
// gets NOPROTO, and clients fall back to RESP2), AUTH (the default user
// without password, as a fresh redis-server), CLIENT ID|GETNAME|SETNAME|
// INFO|HELP, CONFIG GET|SET|RESETSTAT|HELP (GET reports Options.Params
// and the Store's settings as they are now; SET checks as Redis and
// changes the Store's persistence settings through Store.Configure, all
// of one SET or none, appendonly included; dir and the others only to the values
// they have), COMMAND [COUNT|LIST|INFO|DOCS|HELP], INFO
// (persistence and keyspace), DEBUG SLEEP|RELOAD and SHUTDOWN
// [SAVE|NOSAVE|NOW|FORCE]; with a Store, SAVE, BGSAVE, LASTSAVE and
// BGREWRITEAOF. Their replies and errors are Redis 7.0's, MISCONF's
// included.
package respserver
