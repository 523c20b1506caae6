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
// caller to serialize the calls that hold the write turn. The server
// holds one mutex for that: write commands, EXEC (keyspace.ExecMulti),
// the active expire cycle and WATCH's bookkeeping take it; reads run
// without it, any number at once, and run again holding it when the
// keyspace returns keyspace.ErrWriteNeeded (the read met an expired key,
// which must be deleted). What the keyspace logs is dropped (there is no
// AOF here), after WATCH has seen it.
//
// # Server commands
//
// The keyspace runs the data commands, SELECT, PING, ECHO and INFO. The
// server handles connection state and introspection: MULTI, EXEC,
// DISCARD, WATCH, UNWATCH, QUIT, RESET, HELLO (protocol 2 only: HELLO 3
// gets NOPROTO, and clients fall back to RESP2), AUTH (the default user
// without password, as a fresh redis-server), CLIENT ID|GETNAME|SETNAME|
// INFO|HELP, CONFIG GET|SET|RESETSTAT|HELP (GET reports Options.Params;
// SET is refused), COMMAND [COUNT|LIST|INFO|DOCS|HELP], DEBUG SLEEP and
// SHUTDOWN. Their replies and errors are Redis 7.0's.
package respserver
