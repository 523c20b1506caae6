package respserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

const (
	// writeBufferSize is the reply buffer of a connection: replies are
	// gathered there and sent when the client has no more commands
	// waiting (or it fills); a reply larger than what is left of it goes
	// straight to the socket.
	writeBufferSize = 16 << 10
	// keepReplyCap is the largest reply buffer kept between commands;
	// a larger one, grown for a big reply, is dropped.
	keepReplyCap = 1 << 20
)

// conn is one client connection, served by the event loop or by a
// goroutine of its own.
type conn struct {
	s       *Server
	nc      net.Conn // nil while the event loop serves the connection
	id      int64
	created time.Time
	unix    bool
	// The addresses CLIENT INFO and the log show: raddr is the peer's
	// (the socket's path and ":0" for a unix socket, as Redis shows),
	// laddrS the local one.
	raddr, laddrS string

	// The event loop's state (see eventLoop); loop is nil for a
	// connection served by its own goroutine.
	loop    *eventLoop
	fd      int
	obuf    []byte         // replies not yet sent
	pending []pendingReply // replies in obuf that wait for durability
	closing bool           // close once obuf is sent
	queued  bool           // in the loop's list of connections to serve this round
	reads   int            // reads from the socket this round
	blocked bool           // obuf could not all be sent: wait for EPOLLOUT
	parked  bool           // its writes wait for the background fsync (eventLoop.park)
	round   uint64         // the last round that served it
	synced  uint64         // the last round whose fsync its writes waited for

	rd *resp.Reader
	in connReader
	bw *bufio.Writer

	db   int
	name []byte

	call keyspace.Call  // the keyspace command being run
	out  keyspace.Reply // a server command's reply

	// The last keyspace command's name as sent, and what the keyspace
	// said of it: a pipeline repeats the same command.
	lastName  []byte
	lastInfo  keyspace.CommandInfo
	lastKnown bool

	// MULTI state.
	multi       bool
	execAbort   bool // a command failed to queue: EXEC will abort
	queue       []queued
	queuedBytes int64
	inExec      bool // running a queued server command in EXEC

	// WATCH state, guarded by s.wmu.
	watched  []*watchEntry
	dirtyCAS bool // a watched key was touched: EXEC will fail
}

// pendingReply is the reply of a write the event loop ran, at
// obuf[at:end], waiting for the write to be durable.
type pendingReply struct {
	commit  aofrdb.Commit
	at, end int
}

// queued is a command queued by MULTI: its arguments (owned) and, for a
// command the server handles, its entry.
type queued struct {
	args [][]byte
	sc   *serverCommand
}

// connReader is the connection's input as the resp.Reader sees it. It
// sends the buffered replies before it reads, so that replies go out
// exactly when the Reader has no complete command left to return
// (pipelined commands get their replies in one write), and it enforces
// the query buffer limit.
type connReader struct {
	c    *conn
	read int64 // bytes read from the socket
}

var errQueryLimit = errors.New("query buffer limit reached")

func (r *connReader) Read(p []byte) (int, error) {
	c := r.c
	if c.loop == nil && c.bw.Buffered() > 0 {
		if err := c.bw.Flush(); err != nil {
			return 0, err
		}
	}
	// The Reader's End is where its current item starts: what was read
	// beyond it is the query buffer.
	avail := c.s.opts.MaxQueryBuffer - (r.read - c.rd.End())
	if avail <= 0 {
		return 0, errQueryLimit
	}
	if int64(len(p)) > avail {
		p = p[:avail]
	}
	var n int
	var err error
	if c.loop != nil {
		n, err = c.loop.read(c, p)
	} else {
		n, err = c.nc.Read(p)
	}
	r.read += int64(n)
	return n, err
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{s: s, nc: nc, id: s.nextID.Add(1), created: time.Now()}
	_, c.unix = nc.(*net.UnixConn)
	c.raddr, c.laddrS = addrs(nc, c.unix)
	c.in.c = c
	c.bw = bufio.NewWriterSize(nc, writeBufferSize)
	c.rd = resp.NewReaderOptions(&c.in, &resp.ReaderOptions{
		Inline:     true,
		MaxBulkLen: s.opts.MaxBulkLen,
	})
	return c
}

// serve reads and runs commands until the client leaves, an error, or
// shutdown.
func (c *conn) serve() {
	c.s.log.Debug("client connected", "id", c.id, "addr", c.addr())
	c.serveFrom(nil)
}

// serveFrom is serve, starting with the command first (already read)
// unless it is nil: the event loop hands a connection over with the
// first command it does not run.
func (c *conn) serveFrom(first [][]byte) {
	s := c.s
	defer s.untrack(c)
	defer c.nc.Close()
	defer c.cleanup()
	if first != nil && (!c.run(first) || s.stopping.Load()) {
		c.bw.Flush()
		return
	}
	for {
		args, err := c.rd.ReadCommand()
		if err != nil {
			c.readError(err)
			return
		}
		if len(args) == 0 {
			continue
		}
		if !c.run(args) || s.stopping.Load() {
			break
		}
	}
	c.bw.Flush()
}

// cleanup drops the connection's watches.
func (c *conn) cleanup() {
	c.s.wmu.Lock()
	c.s.watch.unwatchAll(c)
	c.s.wmu.Unlock()
	c.s.log.Debug("client closed", "id", c.id)
}

// readError ends the connection after a read error: a protocol error
// gets Redis's error reply first.
func (c *conn) readError(err error) {
	s := c.s
	var pe *resp.ProtocolError
	switch {
	case errors.As(err, &pe):
		s.log.Debug("protocol error", "id", c.id, "addr", c.addr(), "err", err)
		c.write([]byte("-ERR Protocol error: " + protocolReason(pe) + "\r\n"))
		if c.loop == nil {
			c.bw.Flush()
		}
	case errors.Is(err, errQueryLimit):
		s.log.Warn("closing client that reached max query buffer length",
			"id", c.id, "addr", c.addr(), "limit", s.opts.MaxQueryBuffer)
	case err == io.EOF, errors.Is(err, resp.ErrTruncated), errors.Is(err, net.ErrClosed),
		errors.Is(err, os.ErrDeadlineExceeded):
	default:
		s.log.Debug("client read error", "id", c.id, "err", err)
	}
}

// protocolReason words a protocol error as Redis does.
func protocolReason(pe *resp.ProtocolError) string {
	r := pe.Reason
	switch {
	case r == "invalid multibulk length", r == "argument count over limit":
		return "invalid multibulk length"
	case r == "invalid bulk length", r == "bulk length over limit":
		return "invalid bulk length"
	case strings.HasPrefix(r, "expected '$', got "):
		got, err := strconv.Unquote(strings.TrimPrefix(r, "expected '$', got "))
		if err == nil {
			return "expected '$', got '" + got + "'"
		}
	case strings.HasPrefix(r, "unbalanced quotes"):
		return "unbalanced quotes in request"
	case r == "line longer than limit":
		return "too big inline request"
	}
	return r
}

func (c *conn) addr() string { return c.raddr }

func (c *conn) laddr() string { return c.laddrS }

// addrs returns what addr and laddr return, from nc.
func addrs(nc net.Conn, unix bool) (raddr, laddr string) {
	if unix {
		l := nc.LocalAddr().String()
		return l + ":0", l + ":0"
	}
	return nc.RemoteAddr().String(), nc.LocalAddr().String()
}

// run runs one command and buffers its reply. It returns false when
// the connection must close (after the buffered replies are sent).
func (c *conn) run(args [][]byte) bool {
	sc := c.s.lookupServerCommand(args[0])
	if sc == nil && isSecurityAttack(args[0]) {
		c.s.log.Warn("possible SECURITY ATTACK detected: a client sent an HTTP request; connection aborted",
			"id", c.id, "addr", c.addr())
		return false
	}
	if c.multi && (sc == nil || !sc.immediate) {
		return c.enqueue(args, sc)
	}
	if sc != nil {
		c.out.Buf = c.out.Buf[:0]
		act := c.runServer(sc, args, &c.out)
		c.write(c.out.Buf)
		if cap(c.out.Buf) > keepReplyCap {
			c.out.Buf = nil
		}
		return act == actContinue && c.writeErr() == nil
	}
	c.runKeyspace(args)
	return c.writeErr() == nil
}

// isSecurityAttack reports the commands Redis takes for an HTTP request
// sent to its port ("POST", "Host:").
func isSecurityAttack(name []byte) bool {
	switch len(name) {
	case 4:
		return strings.EqualFold(string(name), "post")
	case 5:
		return strings.EqualFold(string(name), "host:")
	}
	return false
}

// runKeyspace runs a keyspace command: as a read when the command does
// not write, again with the write turn if the read met an expired key.
func (c *conn) runKeyspace(args [][]byte) {
	s := c.s
	call := &c.call
	call.Reset()
	call.DB = c.db
	call.Args = args
	info, known := c.command(args[0])
	if known && (info.Write || info.Name == "ping") {
		if msg := s.refuseWrite(); msg != "" {
			c.write(resp.AppendError(nil, msg))
			return
		}
	}
	var err error
	var commit aofrdb.Commit
	if known && info.Write && c.loop != nil && s.st != nil {
		// The event loop waits for durability once for all the writes
		// of a round (see eventLoop): the reply goes out after that,
		// replaced by the error if the write could not be made durable.
		commit, err = s.storeApply(call, false)
	} else if known && info.Write {
		err = s.execWrite(call)
	} else {
		err = s.ks.Exec(call)
		if err == keyspace.ErrWriteNeeded {
			call.Reply.Buf = call.Reply.Buf[:0]
			clear(call.Log)
			call.Log = call.Log[:0]
			if s.st != nil {
				err = s.storeWrite(call, true)
			} else {
				err = s.execWrite(call)
			}
		}
	}
	if err != nil {
		msg := "ERR internal error"
		if s.st != nil {
			msg = s.storeErrorReply(err)
		}
		if msg == "ERR internal error" {
			s.log.Error("keyspace error", "id", c.id, "command", string(args[0]), "err", err)
		}
		call.Reply.Buf = resp.AppendError(call.Reply.Buf[:0], msg)
	} else if known && info.Write && isFlushAll(args, call.Reply.Buf) {
		s.afterFlushAll()
	}
	c.db = call.DB
	if err == nil && !commit.Done() {
		at := len(c.obuf)
		c.write(call.Reply.Buf)
		c.pending = append(c.pending, pendingReply{commit, at, len(c.obuf)})
	} else {
		c.write(call.Reply.Buf)
	}
	if cap(call.Reply.Buf) > keepReplyCap {
		call.Reply.Buf = nil
	}
	call.Args = nil
	clear(call.Log)
}

// command returns the keyspace's description of the named command.
func (c *conn) command(name []byte) (keyspace.CommandInfo, bool) {
	if !bytes.Equal(name, c.lastName) {
		c.lastInfo, c.lastKnown = c.s.ks.Command(name)
		c.lastName = append(c.lastName[:0], name...)
	}
	return c.lastInfo, c.lastKnown
}

// write buffers a reply; bufio writes a reply larger than its free
// space straight to the socket. In the event loop, replies gather in
// obuf until the round ends.
func (c *conn) write(b []byte) {
	if c.loop != nil {
		c.obuf = append(c.obuf, b...)
		return
	}
	c.bw.Write(b)
}

// writeErr returns the sticky error of the reply writer.
func (c *conn) writeErr() error {
	if c.loop != nil {
		return nil // the loop closes the connection when a write fails
	}
	_, err := c.bw.Write(nil)
	return err
}

// enqueue queues a command inside MULTI, after checking it as Redis
// does when it queues: an unknown command, a wrong argument count or a
// command not allowed in a transaction gets its error now and makes
// EXEC abort.
func (c *conn) enqueue(args [][]byte, sc *serverCommand) bool {
	s := c.s
	if sc != nil {
		sub, msg := sc.resolve(args)
		if msg == "" && sub.noMulti {
			msg = "ERR Command not allowed inside a transaction"
		}
		if msg != "" {
			c.execAbort = true
			c.write(resp.AppendError(nil, oneLine(msg)))
			return true
		}
	} else {
		info, ok := c.command(args[0])
		if !ok {
			// The keyspace words the unknown-command error; running an
			// unknown command changes nothing.
			c.execAbort = true
			c.runKeyspace(args)
			return true
		}
		if !info.CheckArity(len(args)) {
			c.execAbort = true
			c.write(resp.AppendError(nil, "ERR wrong number of arguments for '"+info.Name+"' command"))
			return true
		}
		if info.Write || info.Name == "ping" {
			if msg := s.refuseWrite(); msg != "" {
				c.execAbort = true
				c.write(resp.AppendError(nil, msg))
				return true
			}
		}
	}
	owned := make([][]byte, len(args))
	for i, a := range args {
		owned[i] = []byte(string(a))
		c.queuedBytes += int64(len(a))
	}
	if c.queuedBytes > s.opts.MaxQueryBuffer {
		s.log.Warn("closing client whose transaction reached max query buffer length",
			"id", c.id, "addr", c.addr(), "limit", s.opts.MaxQueryBuffer)
		return false
	}
	c.queue = append(c.queue, queued{args: owned, sc: sc})
	c.write([]byte("+QUEUED\r\n"))
	return true
}

// discardMulti leaves MULTI state, dropping the queue.
func (c *conn) discardMulti() {
	c.multi, c.execAbort = false, false
	clear(c.queue)
	c.queue = c.queue[:0]
	c.queuedBytes = 0
}

// execMulti runs the queued commands (EXEC), with the write turn held
// throughout: the keyspace commands as one ExecMulti, so no reader sees
// a state between two of them. With a Store, the write turn is the
// Store's (Store.Write), and the server's own commands run after it.
func (c *conn) execMulti(r *keyspace.Reply) {
	s := c.s
	if !c.multi {
		r.Error("ERR EXEC without MULTI")
		return
	}
	queue := c.queue
	abort := c.execAbort
	defer c.discardMulti()

	var calls []keyspace.Call
	var failed bool // the reply is already in r
	// run checks and runs the transaction; the caller holds wmu.
	run := func(exec func(calls []keyspace.Call) error) error {
		if abort {
			s.watch.unwatchAll(c)
			c.dirtyCAS = false
			r.Error("EXECABORT Transaction discarded because of previous errors.")
			failed = true
			return nil
		}
		if c.dirtyCAS || s.watch.expiredSince(c) {
			s.watch.unwatchAll(c)
			c.dirtyCAS = false
			r.NullArray()
			failed = true
			return nil
		}
		s.watch.unwatchAll(c)

		// The keyspace commands, in order, as one atomic unit.
		var argsList [][][]byte
		for _, q := range queue {
			if q.sc == nil {
				argsList = append(argsList, q.args)
			}
		}
		calls = make([]keyspace.Call, len(argsList))
		for i := range calls {
			calls[i].DB = c.db
			calls[i].Args = argsList[i]
		}
		if len(calls) == 0 {
			return nil
		}
		var st keyStates
		if s.watch.needStates(argsList...) {
			st = s.watch.snapshot(argsList...)
		}
		err := exec(calls)
		for i := range calls {
			s.watch.apply(calls[i].Log, st)
		}
		if err == nil {
			c.db = calls[len(calls)-1].DB
		}
		return err
	}

	if s.st == nil {
		s.wmu.Lock() // the server's commands too run under the write turn
		defer s.wmu.Unlock()
		if err := run(s.ks.ExecMulti); err != nil {
			s.log.Error("keyspace error in EXEC", "id", c.id, "err", err)
			r.Error("ERR internal error")
			return
		}
		if !failed {
			c.execReplies(queue, calls, r)
		}
		return
	}

	err := s.st.Write(context.Background(), func(w *aofrdb.Writer) error {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		return run(func(calls []keyspace.Call) error {
			if c.writes(calls) {
				return w.ExecMulti(calls)
			}
			// Only reads: they run under MISCONF too, one after the
			// other with the write turn.
			for i := range calls {
				if i > 0 {
					calls[i].DB = calls[i-1].DB
				}
				if err := w.Read(&calls[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if failed {
		return
	}
	if err != nil && (c.writes(calls) || !errors.Is(err, aofrdb.ErrMisconf)) {
		msg := s.storeErrorReply(err)
		// Refused before it ran, it is discarded; run, its writes
		// could not be made durable (they are kept for the retry):
		// the error is MISCONF's alone.
		ran := len(calls) > 0 && len(calls[0].Reply.Buf) > 0
		if errors.Is(err, aofrdb.ErrMisconf) && !ran {
			r.Error("EXECABORT Transaction discarded because of: " + msg)
			return
		}
		if msg == "ERR internal error" {
			s.log.Error("keyspace error in EXEC", "id", c.id, "err", err)
		}
		r.Error(msg)
		return
	}
	c.execReplies(queue, calls, r)
	for i := range calls {
		if isFlushAll(calls[i].Args, calls[i].Reply.Buf) {
			s.afterFlushAll()
			break
		}
	}
}

// writes reports whether any of calls is a write command.
func (c *conn) writes(calls []keyspace.Call) bool {
	for i := range calls {
		if info, ok := c.command(calls[i].Args[0]); ok && info.Write {
			return true
		}
	}
	return false
}

// execReplies replies EXEC's array: the keyspace commands' replies and
// the server's commands, run now (they touch no data, so their place
// among the others does not matter), in the order queued.
func (c *conn) execReplies(queue []queued, calls []keyspace.Call, r *keyspace.Reply) {
	r.Array(len(queue))
	c.inExec = true
	k := 0
	for _, q := range queue {
		if q.sc == nil {
			r.Buf = append(r.Buf, calls[k].Reply.Buf...)
			k++
			continue
		}
		c.runServer(q.sc, q.args, r)
	}
	c.inExec = false
}
