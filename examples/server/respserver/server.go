package respserver

import (
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/keyspace"
)

// Options configure a Server. The zero value, or nil, gives the
// defaults; a field <= 0 means its default.
type Options struct {
	// Logger receives the server's log; nil means slog.Default().
	Logger *slog.Logger

	// Params are the values CONFIG GET reports, by lower-case name.
	// "save" (""), "appendonly" ("no") and "databases" (the keyspace's)
	// are reported unless Params sets them.
	Params map[string]string

	// MaxQueryBuffer bounds a client's input not yet executed, and the
	// commands it has queued in a transaction, in bytes: a client over
	// it is disconnected, as Redis's client-query-buffer-limit does.
	// Default 1 GiB.
	MaxQueryBuffer int64

	// MaxBulkLen is the longest argument accepted (Redis's
	// proto-max-bulk-len). Default 512 MiB.
	MaxBulkLen int64

	// ExpireInterval is the period of the active expire cycle, when the
	// keyspace implements keyspace.ActiveExpirer. Default 100ms (Redis's
	// hz 10).
	ExpireInterval time.Duration

	// ExpireBudget is the budget passed to ActiveExpire. Default 200.
	ExpireBudget int

	// Goroutines serves every connection with a goroutine of its own.
	// By default, on Linux, an event loop serves the connections that
	// send only the keyspace's commands (see eventLoop), and a
	// connection gets its own goroutine from its first other command.
	Goroutines bool
}

// Server serves the RESP2 protocol over a keyspace. Create it with New,
// add listeners with Listen or Serve, stop it with Shutdown.
//
// Concurrency: each connection has its own goroutine. Commands that do
// not need the write turn run concurrently; commands that do (the
// keyspace's write commands, reads that met an expired key, EXEC, the
// active expire cycle, WATCH bookkeeping) hold the server's write mutex
// one at a time, which is the keyspace's write turn.
type Server struct {
	ks    keyspace.Keyspace
	st    *aofrdb.Store // nil: no persistence (New)
	log   *slog.Logger
	opts  Options
	names []string // the Redis commands known here, for COMMAND

	// wmu is the write turn. watch, probe and every conn's watch state
	// are guarded by it.
	wmu   sync.Mutex
	watch watchReg
	probe keyspace.Call

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   bool
	done      chan struct{} // closed when shutdown starts
	wg        sync.WaitGroup

	stopping atomic.Bool // mirrors closing, read without mu
	nextID   atomic.Int64

	loop *eventLoop // nil: a goroutine per connection
}

// New returns a server over ks. It starts the active expire cycle when
// ks implements keyspace.ActiveExpirer; it serves nothing until Listen
// or Serve.
func New(ks keyspace.Keyspace, opts *Options) *Server {
	return newServer(ks, nil, opts)
}

func newServer(ks keyspace.Keyspace, st *aofrdb.Store, opts *Options) *Server {
	s := &Server{
		ks:        ks,
		st:        st,
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		done:      make(chan struct{}),
	}
	if opts != nil {
		s.opts = *opts
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.opts.MaxQueryBuffer <= 0 {
		s.opts.MaxQueryBuffer = 1 << 30
	}
	if s.opts.MaxBulkLen <= 0 {
		s.opts.MaxBulkLen = 512 << 20
	}
	if s.opts.ExpireInterval <= 0 {
		s.opts.ExpireInterval = 100 * time.Millisecond
	}
	if s.opts.ExpireBudget <= 0 {
		s.opts.ExpireBudget = 200
	}
	params := map[string]string{
		"save":       "",
		"appendonly": "no",
		"databases":  itoa(int64(ks.Databases())),
	}
	for k, v := range s.opts.Params {
		params[k] = v
	}
	s.opts.Params = params
	s.watch.s = s
	s.watch.keys = map[watchKey][]*watchEntry{}
	for _, name := range redisCommands {
		if sc := serverCommands[name]; sc != nil && (st != nil || !sc.store) {
			s.names = append(s.names, name)
		} else if _, ok := ks.Command([]byte(name)); ok {
			s.names = append(s.names, name)
		}
	}
	if ae, ok := ks.(keyspace.ActiveExpirer); ok && st == nil { // a Store runs its own
		s.wg.Add(1)
		go s.expireLoop(ae)
	}
	if !s.opts.Goroutines && loopSupported {
		l, err := newEventLoop(s)
		if err != nil {
			s.log.Warn("no event loop: serving each connection with its own goroutine", "err", err)
		} else {
			s.loop = l
			s.wg.Add(1)
			go l.run()
		}
	}
	return s
}

// Listen listens on network ("tcp", "tcp4", "tcp6" or "unix") at addr
// and serves the listener in the background. A unix socket file left
// at addr by an earlier run is removed first, as redis-server does.
func (s *Server) Listen(network, addr string) (net.Listener, error) {
	if network == "unix" {
		if fi, err := os.Lstat(addr); err == nil && fi.Mode()&fs.ModeSocket != 0 {
			os.Remove(addr)
		}
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	if err := s.Serve(l); err != nil {
		return nil, err
	}
	return l, nil
}

// ErrClosed is returned by Serve and Listen after Shutdown.
var ErrClosed = errors.New("respserver: server closed")

// Serve accepts connections on l in the background until Shutdown,
// which closes l.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		l.Close()
		return ErrClosed
	}
	s.listeners[l] = struct{}{}
	s.wg.Add(1)
	go s.acceptLoop(l)
	return nil
}

func (s *Server) acceptLoop(l net.Listener) {
	defer s.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.stopping.Load() {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				s.log.Warn("accept failed, retrying", "addr", l.Addr().String(), "err", err)
				time.Sleep(backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			s.log.Error("accept failed, listener stopped", "addr", l.Addr().String(), "err", err)
			return
		}
		backoff = 5 * time.Millisecond
		c := newConn(s, nc)
		if !s.track(c) {
			nc.Close()
			return
		}
		if s.loop != nil && s.loop.adopt(c) {
			continue
		}
		go c.serve()
	}
}

// isTemporary reports errors worth retrying an Accept after, such as
// running out of file descriptors.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// track registers c, unless the server is shutting down.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Done returns a channel closed when the server starts shutting down:
// after Shutdown is called or a client sent SHUTDOWN.
func (s *Server) Done() <-chan struct{} { return s.done }

// Addrs returns the addresses of the listeners.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	var a []net.Addr
	for l := range s.listeners {
		a = append(a, l.Addr())
	}
	return a
}

// Shutdown stops the server: it closes the listeners, lets each
// connection finish the command it is running (and send its reply,
// waiting up to 5 seconds for a client that does not read), closes the
// connections, stops the active expire cycle, closes the Store (with
// the final save when save points are set, unless SHUTDOWN closed it
// already) and returns when all of that is done. It is idempotent and
// safe to call from any goroutine. Store().Close() then returns the
// Store's close result.
func (s *Server) Shutdown() {
	s.beginShutdown()
	s.wg.Wait()
	if s.st != nil {
		if err := s.st.Close(); err != nil {
			s.log.Error("closing the store", "err", err)
		}
	}
}

func (s *Server) beginShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.closing = true
	s.stopping.Store(true)
	close(s.done)
	for l := range s.listeners {
		l.Close()
	}
	now := time.Now()
	for c := range s.conns {
		if c.nc == nil {
			continue // the event loop's: it closes them as it stops
		}
		// A connection blocked reading wakes up and ends; one running
		// a command ends after it (see conn.serve).
		c.nc.SetReadDeadline(now)
		c.nc.SetWriteDeadline(now.Add(5 * time.Second))
	}
	if s.loop != nil {
		s.loop.stop()
	}
}

// expireLoop runs the active expire cycle: ActiveExpire with the write
// turn every ExpireInterval, and again at once while it reports that
// more keys are likely to have expired.
func (s *Server) expireLoop(ae keyspace.ActiveExpirer) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.ExpireInterval)
	defer t.Stop()
	var recs []keyspace.Record
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		for more := true; more && !s.stopping.Load(); {
			s.wmu.Lock()
			recs, more = ae.ActiveExpire(time.Now().UnixMilli(), s.opts.ExpireBudget, recs[:0])
			// A Store would append recs to its log here; this server has
			// no log, but WATCH must see the deletions.
			s.watch.apply(recs, nil)
			s.wmu.Unlock()
			clear(recs)
		}
	}
}

// execWrite runs call with the write turn and lets WATCH see what it
// changed.
func (s *Server) execWrite(call *keyspace.Call) error {
	if s.st != nil {
		return s.storeWrite(call, false)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var st keyStates
	if s.watch.needStates(call.Args) {
		st = s.watch.snapshot(call.Args)
	}
	call.Write = true
	err := s.ks.Exec(call)
	s.watch.apply(call.Log, st)
	return err
}
