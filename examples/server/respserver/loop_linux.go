package respserver

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/aofrdb/aofrdb/resp"
)

// eventLoop serves connections from one goroutine, as redis-server's
// event loop does: it waits for readable sockets with epoll, runs the
// commands that arrived, waits once for the durability of all the
// writes among them (one fsync under appendfsync always, however many
// clients wrote), and sends the replies. A goroutine per connection
// instead wakes twice per command (for the socket and for the sync),
// which costs more than the command itself when commands are small.
//
// The loop runs the keyspace's commands and the server commands that
// never wait long (see loopable). A connection that sends another (MULTI
// or WATCH, whose EXEC waits for its own sync; SAVE, DEBUG, CONFIG SET,
// SHUTDOWN; FLUSHALL, which may save) leaves the loop for good: it is
// handed, with the command, to a goroutine of its own (conn.serve), so
// that nothing the loop runs waits for long or for another client.
//
// What the loop still waits for: the sync of each round under always
// (as Redis's loop does), and under everysec a write that the Appender
// postpones while the background fsync runs (up to 2 s on a disk that
// slow; Redis's loop instead replies before the write then). Expired
// keys that a read must delete wait for their own sync.
type eventLoop struct {
	s    *Server
	ep   int // the epoll descriptor
	wake int // an eventfd: adopt and stop write it to wake the loop

	mu      sync.Mutex
	adopted []*conn // connections to add, from the accept goroutines
	stopped bool

	conns map[int]*conn // by descriptor; the loop goroutine's alone
	work  []*conn       // connections to serve this round
	spare []*conn       // the last round's work, for reuse
	sent  []*conn       // connections with replies to send this round
	wait  []*conn       // connections whose last command waits for the AOF
}

// loopSupported says whether this platform has the event loop.
const loopSupported = true

// loopBufSize is how much a read takes from a socket at a time.
const loopBufSize = 16 << 10

// newEventLoop makes the event loop of s; s runs it (run) in a goroutine
// of its own.
func newEventLoop(s *Server) (*eventLoop, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wake, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		syscall.Close(ep)
		return nil, os.NewSyscallError("eventfd2", errno)
	}
	l := &eventLoop{s: s, ep: ep, wake: int(wake), conns: map[int]*conn{}}
	if err := l.ctl(syscall.EPOLL_CTL_ADD, l.wake, syscall.EPOLLIN); err != nil {
		syscall.Close(ep)
		syscall.Close(l.wake)
		return nil, err
	}
	return l, nil
}

func (l *eventLoop) ctl(op, fd int, events uint32) error {
	ev := syscall.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(l.ep, op, fd, &ev))
}

// adopt takes c, a new connection, from an accept goroutine: the loop
// serves it from now on, through a duplicate of its socket (the net.Conn
// is closed, so that Go's poller no longer watches the socket). It
// reports false when the loop cannot take c; c is then unchanged.
func (l *eventLoop) adopt(c *conn) bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	cerr := rc.Control(func(s uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if errno != 0 {
			err = errno
			return
		}
		fd = int(r)
	})
	if cerr != nil || err != nil {
		return false
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return false
	}
	s := l.s
	s.mu.Lock() // beginShutdown reads c.nc, and stops the loop holding s.mu
	defer s.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || s.closing {
		syscall.Close(fd)
		return false
	}
	c.nc.Close()
	c.nc, c.loop, c.fd = nil, l, fd
	l.adopted = append(l.adopted, c)
	l.signal()
	s.log.Debug("client connected", "id", c.id, "addr", c.addr())
	return true
}

// signal wakes the loop.
func (l *eventLoop) signal() {
	one := [8]byte{1}
	syscall.Write(l.wake, one[:])
}

// stop makes the loop send what it can of the buffered replies (for up
// to 5 seconds), close its connections and return.
func (l *eventLoop) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	l.signal()
}

// run is the loop goroutine.
func (l *eventLoop) run() {
	defer l.s.wg.Done()
	defer syscall.Close(l.ep)
	defer syscall.Close(l.wake)
	events := make([]syscall.EpollEvent, 256)
	for {
		timeout := -1
		if len(l.work) > 0 {
			timeout = 0 // commands already buffered
		}
		n, err := syscall.EpollWait(l.ep, events, timeout)
		if err != nil && err != syscall.EINTR {
			l.s.log.Error("event loop stopped", "err", os.NewSyscallError("epoll_wait", err))
			l.shutdown()
			return
		}
		for _, ev := range events[:max(n, 0)] {
			if int(ev.Fd) == l.wake {
				if l.takeAdopted() {
					l.shutdown()
					return
				}
				continue
			}
			c := l.conns[int(ev.Fd)]
			if c == nil {
				continue // closed or handed over this round
			}
			if ev.Events&syscall.EPOLLOUT != 0 && c.blocked {
				l.send(c)
			}
			if ev.Events&^syscall.EPOLLOUT != 0 && !c.blocked {
				l.queue(c)
			}
		}
		l.round()
	}
}

// takeAdopted registers the adopted connections; it reports whether the
// loop must stop.
func (l *eventLoop) takeAdopted() (stop bool) {
	var wake [8]byte
	syscall.Read(l.wake, wake[:])
	l.mu.Lock()
	adopted, stop := l.adopted, l.stopped
	l.adopted = nil
	l.mu.Unlock()
	for _, c := range adopted {
		l.conns[c.fd] = c
		if err := l.ctl(syscall.EPOLL_CTL_ADD, c.fd, syscall.EPOLLIN|syscall.EPOLLRDHUP); err != nil {
			l.s.log.Warn("event loop: cannot watch a connection", "id", c.id, "err", err)
			l.close(c)
			continue
		}
		l.queue(c) // bytes may have come before it was watched
	}
	return stop
}

func (l *eventLoop) queue(c *conn) {
	if !c.queued {
		c.queued = true
		l.work = append(l.work, c)
	}
}

// round serves the queued connections: each runs its buffered
// commands; then the loop waits once for all the writes among them,
// puts an error in place of the reply of each that could not be made
// durable (settle), and sends every reply.
func (l *eventLoop) round() {
	work := l.work
	l.work = l.spare[:0]
	defer func() {
		clear(work)
		l.spare = work[:0]
	}()
	waiting := l.wait[:0]
	defer func() {
		clear(waiting)
		l.wait = waiting[:0]
	}()
	for _, c := range work {
		c.queued = false
		if l.conns[c.fd] != c {
			continue // closed or handed over this round
		}
		c.reads = 0
		l.serve(c)
		if len(c.pending) > 0 {
			waiting = append(waiting, c)
		} else if l.conns[c.fd] == c {
			l.sent = append(l.sent, c)
		}
	}
	// One wait for the round: the first Wait syncs what all of them
	// appended; the others find their bytes durable.
	for _, c := range waiting {
		l.settle(c)
		l.sent = append(l.sent, c)
		if c.rd.Buffered() > 0 {
			l.queue(c) // more commands came with them; for later ones, epoll says
		}
	}
	for _, c := range l.sent {
		if l.conns[c.fd] == c && !c.blocked {
			l.send(c)
		}
	}
	clear(l.sent)
	l.sent = l.sent[:0]
}

// settle waits for the writes of c's pending replies, and puts the
// error in place of the reply of each one that could not be made
// durable. (Errors are sticky in the AOF: once one write fails, so do
// the later ones.)
func (l *eventLoop) settle(c *conn) {
	for i := len(c.pending) - 1; i >= 0; i-- {
		p := c.pending[i]
		err := p.commit.Wait(context.Background())
		if err == nil {
			break // and so are the earlier ones
		}
		msg := resp.AppendError(nil, l.s.storeErrorReply(err))
		c.obuf = append(c.obuf[:p.at], append(msg, c.obuf[p.end:]...)...)
	}
	clear(c.pending)
	c.pending = c.pending[:0]
}

// serve runs c's buffered commands until none is left, the connection
// ends, or it leaves the loop.
func (l *eventLoop) serve(c *conn) {
	s := l.s
	for !c.closing {
		if s.stopping.Load() {
			return
		}
		args, err := c.rd.ReadCommand()
		if errors.Is(err, resp.ErrWouldBlock) {
			return
		}
		if err != nil {
			c.readError(err)
			c.closing = true
			return
		}
		if len(args) == 0 {
			continue
		}
		if !c.loopable(args) {
			l.handOver(c, args)
			return
		}
		if !c.run(args) {
			c.closing = true
		}
	}
}

// loopable reports whether the loop runs the command args: outside
// MULTI, a keyspace command other than FLUSHALL (which may save), or a
// server command marked loop (connection state and introspection:
// HELLO, CLIENT, INFO, CONFIG GET, ...), or one whose arguments are
// wrong, which only gets an error.
func (c *conn) loopable(args [][]byte) bool {
	if c.multi || isSecurityAttack(args[0]) {
		return false
	}
	if sc := c.s.lookupServerCommand(args[0]); sc != nil {
		sub, msg := sc.resolve(args)
		return msg != "" || sub.loop
	}
	info, known := c.command(args[0])
	return !known || info.Name != "flushall"
}

// read is connReader's read in the loop: what the socket has now. When
// many replies are waiting, it sends them first, and reads nothing more
// while the client does not take them (as a goroutine's blocking write
// would wait).
func (l *eventLoop) read(c *conn, p []byte) (int, error) {
	if len(c.obuf) >= 4*loopBufSize {
		if len(c.pending) > 0 {
			// Replies wait for durability: this round ends first.
			return 0, resp.ErrWouldBlock
		}
		l.send(c)
		if l.conns[c.fd] != c {
			return 0, io.EOF // closed: the client is gone
		}
		if c.blocked {
			return 0, resp.ErrWouldBlock
		}
	}
	if c.reads > 0 {
		// One read per connection and round, as Redis reads one
		// buffer per event: the others get their turn, and epoll
		// reports the rest next round.
		return 0, resp.ErrWouldBlock
	}
	c.reads++
	p = p[:min(len(p), loopBufSize)]
	for {
		n, err := syscall.Read(c.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, resp.ErrWouldBlock
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// send writes c's replies; what the socket does not take now waits for
// EPOLLOUT, and c's commands wait with it. A connection closing is closed
// once all is sent.
func (l *eventLoop) send(c *conn) {
	for len(c.obuf) > 0 {
		n, err := syscall.Write(c.fd, c.obuf)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			if !c.blocked {
				c.blocked = true
				if err := l.ctl(syscall.EPOLL_CTL_MOD, c.fd, syscall.EPOLLOUT); err != nil {
					l.close(c)
				}
			}
			return
		}
		if err != nil {
			l.close(c) // the client is gone
			return
		}
		c.obuf = c.obuf[n:]
	}
	if cap(c.obuf) > keepReplyCap {
		c.obuf = nil
	} else {
		c.obuf = c.obuf[:0]
	}
	if c.blocked {
		c.blocked = false
		if err := l.ctl(syscall.EPOLL_CTL_MOD, c.fd, syscall.EPOLLIN|syscall.EPOLLRDHUP); err != nil {
			l.close(c)
			return
		}
		l.queue(c) // it may have commands buffered
	}
	if c.closing {
		l.close(c)
	}
}

// close closes a connection of the loop.
func (l *eventLoop) close(c *conn) {
	if l.conns[c.fd] != c {
		return
	}
	delete(l.conns, c.fd)
	syscall.Close(c.fd) // also removes it from the epoll set
	c.cleanup()
	l.s.untrack(c)
}

// handOver gives c, and the command args it just read, to a goroutine of
// its own: the loop no longer serves it.
func (l *eventLoop) handOver(c *conn, args [][]byte) {
	l.settle(c) // its replies go out only once durable
	delete(l.conns, c.fd)
	l.ctl(syscall.EPOLL_CTL_DEL, c.fd, 0)
	f := os.NewFile(uintptr(c.fd), "")
	nc, err := net.FileConn(f) // a duplicate, in Go's poller
	f.Close()
	if err != nil {
		l.s.log.Warn("event loop: cannot hand a connection over", "id", c.id, "err", err)
		c.cleanup()
		l.s.untrack(c)
		return
	}
	out := c.obuf
	l.s.mu.Lock() // beginShutdown reads c.nc
	c.nc, c.loop, c.fd, c.obuf = nc, nil, -1, nil
	l.s.mu.Unlock()
	c.bw.Reset(nc)
	go func() {
		c.bw.Write(out) // the replies not sent yet, first
		c.serveFrom(args)
	}()
}

// shutdown ends the loop: it sends the buffered replies, waiting up to 5
// seconds for clients that do not read, and closes every connection.
func (l *eventLoop) shutdown() {
	for _, c := range l.takeAll() {
		l.conns[c.fd] = c
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range l.conns {
		c.closing = true
		if len(c.obuf) == 0 {
			l.close(c)
		}
	}
	for len(l.conns) > 0 && time.Now().Before(deadline) {
		for _, c := range l.conns {
			c.blocked = false
			l.send(c)
		}
		if len(l.conns) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, c := range l.conns {
		l.close(c)
	}
}

// takeAll returns the connections adopted and not yet registered, and
// makes adopt refuse new ones.
func (l *eventLoop) takeAll() []*conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	a := l.adopted
	l.adopted = nil
	return a
}
