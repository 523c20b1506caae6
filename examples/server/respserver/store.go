package respserver

// A server over an aofrdb.Store: writes go through Store.Write, and the
// persistence commands (SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, INFO
// persistence, SHUTDOWN's SAVE and NOSAVE, DEBUG RELOAD, the save after
// FLUSHALL) call the Store.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/keyspace"
)

// OpenStore opens an aofrdb.Store in data directory dir with the
// options so (nil: the defaults; so.Keyspace nil: a new
// keyspace.NewMemory) and returns a server over it. The server owns the
// Store: Shutdown closes it, with the final save when save points are
// set, and SHUTDOWN closes it as its arguments say. CONFIG GET reports
// so's settings and dir.
func OpenStore(dir string, so *aofrdb.Options, opts *Options) (*Server, error) {
	if so == nil {
		so = aofrdb.DefaultOptions()
	}
	o := *so
	ks := o.Keyspace
	if ks == nil {
		ks = keyspace.NewMemory(&keyspace.Options{Databases: o.Databases, Clock: o.Now})
	}
	// WATCH must see the keys the Store's active expire cycle deletes:
	// the server hears of them through the keyspace the Store calls.
	var tap *expiryTap
	if ae, ok := ks.(keyspace.ActiveExpirer); ok {
		tap = &expiryTap{Keyspace: ks, ae: ae}
		o.Keyspace = tap
	} else {
		o.Keyspace = ks
	}
	st, err := aofrdb.Open(dir, &o)
	if err != nil {
		return nil, err
	}
	var so2 Options
	if opts != nil {
		so2 = *opts
	}
	params := so.ConfigValues()
	if abs, err := filepath.Abs(dir); err == nil {
		params["dir"] = abs
	}
	for k, v := range so2.Params {
		params[k] = v
	}
	so2.Params = params
	s := newServer(o.Keyspace, st, &so2)
	if tap != nil {
		tap.srv.Store(s)
	}
	return s, nil
}

// Store returns the Store the server runs, nil for a server made by New.
func (s *Server) Store() *aofrdb.Store { return s.st }

// expiryTap is the keyspace the Store runs: it passes everything on,
// and tells the server's WATCH registry what the active expire cycle
// deleted. The Store calls ActiveExpire holding its write turn, and the
// server takes its own mutex only inside the turn, never the reverse.
type expiryTap struct {
	keyspace.Keyspace
	ae  keyspace.ActiveExpirer
	srv atomic.Pointer[Server]
}

func (t *expiryTap) ActiveExpire(now int64, budget int, log []keyspace.Record) ([]keyspace.Record, bool) {
	n := len(log)
	log, more := t.ae.ActiveExpire(now, budget, log)
	if s := t.srv.Load(); s != nil && len(log) > n {
		s.wmu.Lock()
		s.watch.apply(log[n:], nil)
		s.wmu.Unlock()
	}
	return log, more
}

// storeWrite runs call with the Store's write turn (as a read that
// must delete an expired key when read is set), letting WATCH see what
// it changed.
func (s *Server) storeWrite(call *keyspace.Call, read bool) error {
	commit, err := s.storeApply(call, read)
	if err == nil {
		err = commit.Wait(context.Background())
	}
	if read && errors.Is(err, aofrdb.ErrMisconf) && len(call.Reply.Buf) > 0 {
		// A read that deleted an expired key the AOF could not log:
		// Redis keeps the deletion for its next write and replies.
		err = nil
	}
	return err
}

// storeApply is storeWrite without the wait for durability: it returns
// the Commit to wait for (see aofrdb.Store.Apply).
func (s *Server) storeApply(call *keyspace.Call, read bool) (aofrdb.Commit, error) {
	return s.st.Apply(func(w *aofrdb.Writer) error {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		var st keyStates
		if s.watch.needStates(call.Args) {
			st = s.watch.snapshot(call.Args)
		}
		var err error
		if read {
			err = w.Read(call)
		} else {
			err = w.Exec(call)
		}
		s.watch.apply(call.Log, st)
		return err
	})
}

// storeErrorReply words a Store's error as Redis's reply for it.
func (s *Server) storeErrorReply(err error) string {
	switch {
	case errors.Is(err, aofrdb.ErrMisconf):
		return s.misconf(err)
	case errors.Is(err, aofrdb.ErrClosed):
		return "ERR the server is shutting down"
	}
	return "ERR internal error"
}

// Redis's MISCONF replies.
const misconfRDB = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
	"Commands that may modify the data set are disabled, because this instance is configured to report errors " +
	"during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). " +
	"Please check the Redis logs for details about the RDB error."

// misconf words an ErrMisconf error as Redis: "Errors writing to the
// AOF file: <strerror>" when the AOF failed (the error says so, whatever
// the AOF's state by now), or else a failed background save's text.
func (s *Server) misconf(err error) string {
	if werr := (*aof.WriteError)(nil); !errors.As(err, &werr) {
		return misconfRDB
	}
	return "MISCONF Errors writing to the AOF file: " + strerror(err)
}

// strerror words err's errno as C's strerror does (Go's text,
// capitalized), or gives the innermost error's text.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:]
		}
		return msg
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return oneLine(err.Error())
		}
		err = u
	}
}

// refuseWrite reports the MISCONF reply a write gets now, or "".
func (s *Server) refuseWrite() string {
	if s.st == nil {
		return ""
	}
	if err := s.st.Writable(); err != nil {
		return s.misconf(err)
	}
	return ""
}

// saveNow makes a synchronous save once no background save runs, as
// FLUSHALL does with save points (Redis kills the background save).
func (s *Server) saveNow() error {
	for {
		s.st.WaitBackground(context.Background())
		err := s.st.Save()
		if !errors.Is(err, aofrdb.ErrSaveInProgress) {
			return err
		}
	}
}

// afterFlushAll saves after a FLUSHALL when save points are set.
func (s *Server) afterFlushAll() {
	if s.st == nil || len(s.st.Options().Save) == 0 {
		return
	}
	if err := s.saveNow(); err != nil {
		s.log.Warn("saving after FLUSHALL", "err", err)
	}
}

// isFlushAll reports a FLUSHALL that succeeded.
func isFlushAll(args [][]byte, reply []byte) bool {
	return strings.EqualFold(string(args[0]), "flushall") && string(reply) == "+OK\r\n"
}

// ---- persistence commands ----

func saveCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	switch err := c.s.st.Save(); {
	case err == nil:
		r.OK()
	case errors.Is(err, aofrdb.ErrSaveInProgress):
		r.Error("ERR Background save already in progress")
	default:
		c.s.log.Warn("SAVE failed", "err", err)
		r.Error("ERR")
	}
	return actContinue
}

func bgsaveCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if len(args) > 2 || len(args) == 2 && !strings.EqualFold(string(args[1]), "schedule") {
		r.Error("ERR syntax error")
		return actContinue
	}
	switch err := c.s.st.BGSave(context.Background()); {
	case err == nil && c.inExec:
		r.Simple("Background saving scheduled")
	case err == nil:
		r.Simple("Background saving started")
	case errors.Is(err, aofrdb.ErrSaveInProgress):
		r.Error("ERR Background save already in progress")
	default:
		c.s.log.Warn("BGSAVE failed", "err", err)
		r.Error("ERR")
	}
	return actContinue
}

func lastsaveCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Int(c.s.st.LastSave().Unix())
	return actContinue
}

func bgrewriteaofCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	switch err := c.s.st.BGRewriteAOF(context.Background()); {
	case err == nil && c.inExec:
		r.Simple("Background append only file rewriting scheduled")
	case err == nil:
		r.Simple("Background append only file rewriting started")
	case errors.Is(err, aofrdb.ErrRewriteInProgress):
		r.Error("ERR Background append only file rewriting already in progress")
	default:
		// ErrAOFOff among them: Redis rewrites with AOF off too, the
		// Store does not.
		c.s.log.Warn("BGREWRITEAOF failed", "err", err)
		r.Error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
	return actContinue
}

// infoCommand replies INFO's sections known here: persistence (with a
// Store) and keyspace, for "default", "all", "everything" or their
// names, any number of them.
func infoCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	persistence, keys := len(args) == 1, len(args) == 1
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "default", "all", "everything":
			persistence, keys = true, true
		case "persistence":
			persistence = true
		case "keyspace":
			keys = true
		}
	}
	var sections []string
	if persistence && c.s.st != nil {
		sections = append(sections, c.s.st.Info().String())
	}
	if keys {
		call := keyspace.Call{Args: [][]byte{[]byte("INFO"), []byte("keyspace")}}
		if err := c.s.ks.Exec(&call); err == nil {
			if b := call.Reply.Buf; len(b) > 0 && b[0] == '$' {
				if i := strings.Index(string(b), "\r\n"); i > 0 && len(b) >= i+4 {
					sections = append(sections, string(b[i+2:len(b)-2]))
				}
			}
		}
	}
	r.BulkString(strings.Join(sections, "\r\n"))
	return actContinue
}
