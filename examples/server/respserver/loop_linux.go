package respserver

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

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
// What the loop still waits for: the fsync of each round under always
// (as Redis's loop does; before it, gather may wait a little for more
// writes to share it), and expired keys that a read must delete. Under
// everysec, writes that the Appender postpones while the background
// fsync runs (up to 2 s on a slow disk) do not hold the loop: their
// connections are parked until they are written (park).
type eventLoop struct {
	s    *Server
	ep   int // the epoll descriptor
	wake int // an eventfd: adopt and stop write it to wake the loop

	mu      sync.Mutex
	adopted []*conn // connections to add, from the accept goroutines
	ready   []*conn // parked connections whose writes are done
	stopped bool

	waiting sync.WaitGroup // the goroutines of waitParked

	// The loop goroutine's alone:
	conns    map[int]*conn // by descriptor
	events   []syscall.EpollEvent
	stopping bool    // stop was called: shut down
	work     []*conn // connections to serve this round
	spare    []*conn // the last round's work, for reuse
	served   []*conn // the connections served this round

	// For gather:
	rounds     uint64        // rounds run
	syncRounds uint64        // rounds that could gather
	lastSync   uint64        // the last round that waited for an fsync
	lastGroup  int           // the connections whose writes it carried
	back       int           // how many of them this round served
	writes     int           // the writes this round waits for
	ended      time.Time     // when the last round sent its replies
	syncTime   time.Duration // how long recent fsyncs took (a moving average)
	returnTime time.Duration // how long clients took to come back, as gather saw it
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
	l := &eventLoop{s: s, ep: ep, wake: int(wake), conns: map[int]*conn{},
		events: make([]syscall.EpollEvent, 256), ended: time.Now()}
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
	for !l.stopping {
		timeout := -1
		if len(l.work) > 0 {
			timeout = 0 // commands already buffered
		}
		n, err := syscall.EpollWait(l.ep, l.events, timeout)
		if err != nil && err != syscall.EINTR {
			l.s.log.Error("event loop stopped", "err", os.NewSyscallError("epoll_wait", err))
			break
		}
		l.dispatch(l.events[:max(n, 0)])
		if !l.stopping {
			l.round()
		}
	}
	l.shutdown()
}

// dispatch queues the connections that events say are readable, sends
// to those that events say can take their replies again, and registers
// new connections (setting stopping when the loop must stop).
func (l *eventLoop) dispatch(events []syscall.EpollEvent) {
	for _, ev := range events {
		if int(ev.Fd) == l.wake {
			l.takeAdopted()
			continue
		}
		c := l.conns[int(ev.Fd)]
		if c == nil {
			continue // closed or handed over this round
		}
		if ev.Events&syscall.EPOLLOUT != 0 && c.blocked && len(c.pending) == 0 {
			// (In a gather, replies that wait for the fsync wait.)
			l.send(c)
		}
		if ev.Events&^syscall.EPOLLOUT != 0 && !c.blocked {
			l.queue(c)
		}
	}
}

// takeAdopted registers the adopted connections, sends the replies of
// the parked ones whose writes are done, and sets stopping when the loop
// must stop.
func (l *eventLoop) takeAdopted() {
	var wake [8]byte
	syscall.Read(l.wake, wake[:])
	l.mu.Lock()
	adopted, ready := l.adopted, l.ready
	l.adopted, l.ready = nil, nil
	l.stopping = l.stopped
	l.mu.Unlock()
	for _, c := range ready {
		l.unpark(c)
	}
	for _, c := range adopted {
		l.conns[c.fd] = c
		if err := l.ctl(syscall.EPOLL_CTL_ADD, c.fd, syscall.EPOLLIN|syscall.EPOLLRDHUP); err != nil {
			l.s.log.Warn("event loop: cannot watch a connection", "id", c.id, "err", err)
			l.close(c)
			continue
		}
		l.queue(c) // bytes may have come before it was watched
	}
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
// durable (settle), and sends every reply. When that wait is an fsync,
// it may first wait a little for more writes to share it (gather).
func (l *eventLoop) round() {
	l.rounds++
	served := l.serveQueued(l.served[:0])
	defer func() {
		clear(served)
		l.served = served[:0]
	}()
	syncs := l.syncs(served)
	if syncs && l.back < l.lastGroup {
		l.syncRounds++
		if l.returnTime < l.syncTime || l.syncRounds%probeEvery == 0 {
			served = l.gather(served)
		}
	}
	l.finish(served, syncs)
}

// serveQueued serves the queued connections that this round has not
// served yet, and returns served with them appended; the others stay
// queued for the next round.
func (l *eventLoop) serveQueued(served []*conn) []*conn {
	work := l.work
	l.work = l.spare[:0]
	for _, c := range work {
		if l.conns[c.fd] != c || c.parked {
			c.queued = false
			continue // closed or handed over this round, or parked (unpark queues it)
		}
		if c.round == l.rounds {
			l.work = append(l.work, c)
			continue
		}
		c.queued = false
		c.round = l.rounds
		c.reads = 0
		served = append(served, c)
		if c.synced == l.lastSync {
			l.back++
		}
		before := len(c.pending)
		l.serve(c)
		l.writes += len(c.pending) - before
	}
	clear(work)
	l.spare = work[:0]
	return served
}

// syncs reports whether the replies of served wait for an fsync.
func (l *eventLoop) syncs(served []*conn) bool {
	for _, c := range served {
		for _, p := range c.pending {
			if p.commit.Syncs() {
				return true
			}
		}
	}
	return false
}

// gather, before a round's fsync, waits for the clients whose writes the
// last fsync carried to send their next commands, and serves them, so
// that their writes share this fsync. Without it, clients that write
// one command at a time settle into two groups that take turns: the
// commands of one arrive while the other's fsync runs, and each fsync
// carries half of them, so that each client waits for two.
//
// Gathering pays when the clients come back in less time than an
// fsync takes: a round then costs one wait for them and one fsync,
// against two fsyncs. So the loop gathers while returnTime, how long
// they took to come back the last times (from the end of the round
// that answered them), is shorter than syncTime; and, to see whether
// that changed, every probeEvery-th round it gathers anyway. A gather
// ends when every one of them is back, at syncTime after the last
// round ended (or maxGather after it began), when none came within the
// time per write of the round so far (more waiting would lower the
// round's rate: a client that does not come back costs that much), or
// when the connections that are ready were all served this round.
func (l *eventLoop) gather(served []*conn) []*conn {
	start := time.Now()
	limit := l.ended.Add(l.syncTime)
	if limit.Sub(start) > maxGather {
		limit = start.Add(maxGather)
	}
	last := start
	for l.back < l.lastGroup && !l.stopping {
		gap := (last.Sub(l.ended) + l.syncTime) / time.Duration(max(l.writes, 1))
		deadline := last.Add(gap)
		if limit.Before(deadline) {
			deadline = limit
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		n, err := epollWaitTimeout(l.ep, l.events, wait)
		if err != nil {
			break
		}
		l.dispatch(l.events[:n])
		before := len(served)
		served = l.serveQueued(served)
		if len(served) == before {
			break // nothing new, or only connections served this round
		}
		last = time.Now()
	}
	sample := time.Since(l.ended)
	if l.back < l.lastGroup {
		sample = max(sample, l.syncTime) // not all came back in time
	}
	l.returnTime += (min(sample, 2*l.syncTime) - l.returnTime) / 8
	return served
}

// probeEvery is how often (in rounds that could gather) gather runs
// even though the clients have not come back in time recently.
const probeEvery = 64

// maxGather bounds a gather's wait, however long fsyncs take.
const maxGather = 2 * time.Millisecond

// finish puts each reply of served that waited for a write that could
// not be made durable in place (settle), and sends the replies; synced
// says that their writes wait for an fsync.
func (l *eventLoop) finish(served []*conn, synced bool) {
	start := time.Now()
	group := 0
	postponed := !synced && l.postponed(served)
	var parked []*conn
	for _, c := range served {
		if l.conns[c.fd] != c {
			continue // closed or handed over
		}
		if postponed && len(c.pending) > 0 {
			l.park(c)
			parked = append(parked, c)
			continue
		}
		if len(c.pending) > 0 {
			// One wait for the round: the first Wait syncs what all
			// of them appended; the others find their bytes durable.
			l.settle(c)
			if synced {
				c.synced = l.rounds
				group++
			}
		}
		if c.rd.Buffered() > 0 {
			l.queue(c) // more commands came with them; for later ones, epoll says
		}
	}
	if synced {
		l.lastSync, l.lastGroup = l.rounds, group
		d := time.Since(start)
		if l.syncTime > 0 {
			// A stall of the disk now and then (tens of ms here) is
			// not what the next fsyncs will take.
			d = min(d, 2*l.syncTime)
		}
		l.syncTime += (d - l.syncTime) / 8
	}
	if parked != nil {
		l.waitParked(parked)
	}
	l.back, l.writes = 0, 0
	for _, c := range served {
		if l.conns[c.fd] == c && !c.blocked && !c.parked {
			l.send(c)
		}
	}
	l.ended = time.Now()
}

// postponed reports whether the writes of served wait for the
// background fsync under everysec (Commit.Postponed), which can take up
// to 2 s on a slow disk: their connections are then parked.
func (l *eventLoop) postponed(served []*conn) bool {
	for _, c := range served {
		if n := len(c.pending); n > 0 && c.pending[n-1].commit.Postponed() {
			return true
		}
	}
	return false
}

// park sets c aside while its writes wait for the background fsync:
// the loop neither reads from it nor sends to it (epoll no longer
// watches it) until unpark, and serves the other connections
// meanwhile, as Redis's loop goes on while it postpones a write (Redis
// even replies first; here a reply still waits for its write).
func (l *eventLoop) park(c *conn) {
	c.parked = true
	l.ctl(syscall.EPOLL_CTL_DEL, c.fd, 0)
}

// waitParked waits, in a goroutine of its own, for the writes of the
// parked connections, and then hands them back to the loop (unpark).
func (l *eventLoop) waitParked(parked []*conn) {
	l.waiting.Add(1)
	go func() {
		defer l.waiting.Done()
		for _, c := range parked {
			// An error is the settle's, in unpark.
			c.pending[len(c.pending)-1].commit.Wait(context.Background())
		}
		l.mu.Lock()
		l.ready = append(l.ready, parked...)
		l.mu.Unlock()
		l.signal()
	}()
}

// unpark puts a parked connection, whose writes are done, back in the
// loop: it settles and sends its replies, and serves it again.
func (l *eventLoop) unpark(c *conn) {
	c.parked = false
	if l.conns[c.fd] != c {
		return
	}
	events := uint32(syscall.EPOLLIN | syscall.EPOLLRDHUP)
	if c.blocked {
		events = syscall.EPOLLOUT
	}
	if err := l.ctl(syscall.EPOLL_CTL_ADD, c.fd, events); err != nil {
		l.close(c)
		return
	}
	l.settle(c)
	if !c.blocked {
		l.send(c)
		l.queue(c) // it may have commands buffered, or bytes unread
	}
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
	l.waiting.Wait() // for the parked connections' writes
	l.mu.Lock()
	ready := l.ready
	l.ready = nil
	l.mu.Unlock()
	for _, c := range ready {
		c.parked = false
		l.settle(c)
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

// epollWaitTimeout is epoll_wait with a timeout finer than a
// millisecond (epoll_pwait2, Linux 5.11); where that is missing, it
// rounds the timeout up to a millisecond.
func epollWaitTimeout(ep int, events []syscall.EpollEvent, d time.Duration) (int, error) {
	if !noPwait2.Load() {
		ts := syscall.NsecToTimespec(int64(d))
		n, _, errno := syscall.Syscall6(sysEpollPwait2, uintptr(ep),
			uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case syscall.EINTR:
			return 0, nil
		case syscall.ENOSYS, syscall.EPERM: // EPERM: a seccomp filter that predates it
			noPwait2.Store(true)
		default:
			return 0, os.NewSyscallError("epoll_pwait2", errno)
		}
	}
	n, err := syscall.EpollWait(ep, events, int((d+time.Millisecond-1)/time.Millisecond))
	if err == syscall.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// sysEpollPwait2 is epoll_pwait2's number, the same on every Linux
// architecture (it came after the tables were unified).
const sysEpollPwait2 = 441

// noPwait2 is set once epoll_pwait2 failed with ENOSYS or EPERM.
var noPwait2 atomic.Bool
