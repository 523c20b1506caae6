package respserver

// CONFIG, COMMAND, DEBUG and SHUTDOWN: the server's introspection and
// administration commands.

import (
	"context"
	"errors"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/keyspace"
)

// ---- CONFIG ----

func configGetCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	params := c.s.configParams()
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	var found []string
	for _, p := range args[2:] {
		pat := strings.ToLower(string(p))
		for _, n := range names {
			if ok, _ := path.Match(pat, n); (ok || pat == n) && !slices.Contains(found, n) {
				found = append(found, n)
			}
		}
	}
	r.Array(2 * len(found))
	for _, n := range found {
		r.BulkString(n)
		r.BulkString(params[n])
	}
	return actContinue
}

// configParams returns the values CONFIG GET reports: Options.Params,
// with the Store's persistence settings as they are now (CONFIG SET
// changes them).
func (s *Server) configParams() map[string]string {
	if s.st == nil {
		return s.opts.Params
	}
	params := maps.Clone(s.opts.Params)
	maps.Copy(params, s.st.Options().ConfigValues())
	return params
}

// immutableParams are the parameters Redis refuses to CONFIG SET.
var immutableParams = map[string]bool{
	"appendfilename": true, "appenddirname": true, "rdbchecksum": true,
	"databases": true, "unixsocket": true,
}

// protectedParams are those Redis 7.0 refuses to CONFIG SET unless
// enable-protected-configs is set, which this server does not read.
// (Store.Configure changes DBFilename.)
var protectedParams = map[string]bool{"dir": true, "dbfilename": true}

// configSetCommand sets parameters as Redis does: every name is checked
// first (a known name, not immutable or protected, not twice), then the
// values; the Store's persistence settings change together through
// Store.Configure, all or none (appendonly yes writes a new base of the
// data set before it replies, where Redis rewrites in the background).
// The other parameters are accepted only when set to the value they
// have, else refused with an error naming them.
func configSetCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if len(args)%2 != 0 {
		r.Error("ERR wrong number of arguments for 'config|set' command")
		return actContinue
	}
	params := c.s.configParams()
	// name is the argument as given for the checks of names, the
	// lower-case name for those of values, as in Redis.
	fail := func(name, why string) action {
		r.Error(oneLine("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why))
		return actContinue
	}
	var names []string
	for i := 2; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		if _, known := params[name]; !known {
			r.Error(oneLine("ERR Unknown option or number of arguments for CONFIG SET - '" + string(args[i]) + "'"))
			return actContinue
		}
		if immutableParams[name] {
			return fail(string(args[i]), "can't set immutable config")
		}
		if protectedParams[name] {
			return fail(string(args[i]), "can't set protected config")
		}
		if slices.Contains(names, name) {
			return fail(string(args[i]), "duplicate parameter")
		}
		names = append(names, name)
	}
	var store [][2]string // the Store's settings to change
	for i, name := range names {
		value := string(args[3+2*i])
		if c.s.st != nil {
			if isStoreParam(name) {
				store = append(store, [2]string{name, value})
				continue
			}
		}
		if value == params[name] {
			continue
		}
		return fail(name, "can't change it at runtime in this server (restart it with --"+name+")")
	}
	if len(store) > 0 {
		failed := ""
		err := c.s.st.Configure(func(o *aofrdb.Options) error {
			for _, p := range store {
				if err := o.SetConfig(p[0], p[1]); err != nil {
					failed = p[0]
					return err
				}
			}
			return nil
		})
		var ce *aofrdb.ConfigError
		switch {
		case err == nil:
		case errors.As(err, &ce):
			return fail(failed, ce.Reason)
		case errors.Is(err, aofrdb.ErrClosed):
			r.Error("ERR the server is shutting down")
			return actContinue
		default:
			return fail(store[0][0], err.Error())
		}
	}
	r.OK()
	return actContinue
}

// isStoreParam reports whether name is one of the Store's persistence
// settings (aofrdb.Options.ConfigValues).
func isStoreParam(name string) bool {
	_, ok := storeParams[name]
	return ok
}

var storeParams = aofrdb.DefaultOptions().ConfigValues()

func configHelpCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	help(r, "CONFIG",
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value> [<directive> <value> ...]", "    Set the configuration <directive> to <value>.",
		"RESETSTAT", "    Reset statistics (there are none).")
	return actContinue
}

// ---- COMMAND ----

func commandCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Array(len(c.s.names))
	for _, n := range c.s.names {
		c.s.commandInfo(r, []byte(n))
	}
	return actContinue
}

func commandCountCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Int(int64(len(c.s.names)))
	return actContinue
}

func commandListCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if len(args) > 2 {
		r.Error("ERR syntax error")
		return actContinue
	}
	r.Array(len(c.s.names))
	for _, n := range c.s.names {
		r.BulkString(n)
	}
	return actContinue
}

func commandInfoCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Array(len(args) - 2)
	for _, n := range args[2:] {
		c.s.commandInfo(r, n)
	}
	return actContinue
}

// commandDocsCommand replies no documentation: redis-cli asks for it
// when it starts and does without.
func commandDocsCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Array(0)
	return actContinue
}

func commandHelpCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	help(r, "COMMAND",
		"(no subcommand)", "    Return details about all commands.",
		"COUNT", "    Return the total number of commands in this server.",
		"LIST", "    Return a list of all commands in this server.",
		"INFO [<command-name> ...]", "    Return details about the given commands.",
		"DOCS [<command-name> ...]", "    Return documentation (none here).")
	return actContinue
}

// commandInfo replies COMMAND INFO's description of a command, reduced
// to what is known here: name, arity, flags, key positions; empty ACL
// categories, tips, key specs and subcommands. An unknown name gets a
// null.
func (s *Server) commandInfo(r *keyspace.Reply, name []byte) {
	var (
		n                  string
		arity, first, last int
		step               int
		flags              []string
	)
	if sc := s.lookupServerCommand(name); sc != nil {
		n, arity, flags, first, last = sc.name, sc.arity, sc.flags, sc.firstKey, sc.lastKey
		if first != 0 {
			step = 1
		}
	} else if info, ok := s.ks.Command(name); ok {
		n, arity, first, last, step = info.Name, info.Arity, info.FirstKey, info.LastKey, info.Step
		flags = []string{"readonly"}
		if info.Write {
			flags = []string{"write"}
		}
	} else {
		r.Null()
		return
	}
	r.Array(10)
	r.BulkString(n)
	r.Int(int64(arity))
	r.Array(len(flags))
	for _, f := range flags {
		r.Simple(f)
	}
	r.Int(int64(first))
	r.Int(int64(last))
	r.Int(int64(step))
	r.Array(0)
	r.Array(0)
	r.Array(0)
	r.Array(0)
}

// ---- DEBUG, SHUTDOWN ----

// debugCommand supports DEBUG SLEEP <seconds>, which sleeps holding the
// write turn (writes wait; reads go on), and is cut short by shutdown;
// and, with a Store, DEBUG RELOAD [NOSAVE|NOFLUSH|MERGE] (save, then
// load the RDB file back; only the plain form).
func debugCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "sleep" && len(args) == 3:
		secs, _ := strconv.ParseFloat(string(args[2]), 64)
		d := time.Duration(secs * float64(time.Second))
		sleep := func() {
			if d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-c.s.done:
					t.Stop()
				}
			}
		}
		switch {
		case c.inExec:
			sleep()
		case c.s.st != nil:
			c.s.st.Write(context.Background(), func(*aofrdb.Writer) error { sleep(); return nil })
		default:
			c.s.wmu.Lock()
			sleep()
			c.s.wmu.Unlock()
		}
		r.OK()
	case sub == "reload" && c.s.st != nil:
		debugReload(c, args, r)
	case sub == "help" && len(args) == 2:
		lines := []string{"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."}
		if c.s.st != nil {
			lines = append(lines, "RELOAD", "    Save the RDB on disk and reload it back to memory.")
		}
		r.Array(len(lines) + 2)
		r.Simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
		for _, l := range lines {
			r.Simple(l)
		}
		r.Simple("HELP")
	default:
		r.Error(oneLine("ERR unknown subcommand or wrong number of arguments for '" +
			trunc(args[1], 128) + "'. Try DEBUG HELP."))
	}
	return actContinue
}

// debugReload is DEBUG RELOAD: the Store saves and loads its RDB file
// back. As Redis's emptying of the data set, it makes the watchers of
// existing keys fail their EXEC.
func debugReload(c *conn, args [][]byte, r *keyspace.Reply) {
	s := c.s
	for _, a := range args[2:] {
		switch strings.ToLower(string(a)) {
		case "merge", "noflush", "nosave":
			r.Error("ERR DEBUG RELOAD " + strings.ToUpper(string(a)) + " is not supported by this server")
			return
		default:
			r.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	s.st.Write(context.Background(), func(*aofrdb.Writer) error {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		flush := [][]byte{[]byte("FLUSHALL")}
		var st keyStates
		if s.watch.needStates(flush) {
			st = s.watch.snapshot(flush)
		}
		s.watch.apply([]keyspace.Record{{Args: flush}}, st)
		return nil
	})
	if err := s.st.Reload(); err != nil {
		s.log.Warn("DEBUG RELOAD failed", "err", err)
		if errors.Is(err, aofrdb.ErrClosed) {
			r.Error(s.storeErrorReply(err))
		} else {
			r.Error("ERR")
		}
		return
	}
	r.OK()
}

// shutdownCommand stops the server. As in Redis, a successful SHUTDOWN
// gets no reply: the connection closes.
func shutdownCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	var save, nosave, abort, other, force bool
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now":
			other = true
		case "force":
			other, force = true, true
		case "abort":
			abort = true
		default:
			r.Error("ERR syntax error")
			return actContinue
		}
	}
	if abort && (save || nosave || other) || save && nosave {
		r.Error("ERR syntax error")
		return actContinue
	}
	if abort {
		r.Error("ERR No shutdown in progress.")
		return actContinue
	}
	if st := c.s.st; st != nil {
		err := st.Shutdown(aofrdb.ShutdownOptions{Save: save, NoSave: nosave, Force: force})
		if err != nil && !force {
			c.s.log.Warn("errors trying to shut down the server", "err", err)
			r.Error("ERR Errors trying to SHUTDOWN. Check logs.")
			return actContinue
		}
		if err != nil {
			c.s.log.Warn("shutting down despite errors", "err", err)
		}
	}
	c.s.log.Info("user requested shutdown", "id", c.id, "addr", c.addr())
	c.s.beginShutdown()
	return actClose
}
