package respserver

// CONFIG, COMMAND, DEBUG and SHUTDOWN: the server's introspection and
// administration commands.

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
)

// ---- CONFIG ----

func configGetCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	params := c.s.opts.Params
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

func configSetCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Error("ERR CONFIG SET is not supported by this server")
	return actContinue
}

func configHelpCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	help(r, "CONFIG",
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
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
	if sc := lookupServerCommand(name); sc != nil {
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
// write turn (writes wait; reads go on), and is cut short by shutdown.
func debugCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "sleep" && len(args) == 3:
		secs, _ := strconv.ParseFloat(string(args[2]), 64)
		d := time.Duration(secs * float64(time.Second))
		if !c.inExec {
			c.s.wmu.Lock()
			defer c.s.wmu.Unlock()
		}
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-c.s.done:
				t.Stop()
			}
		}
		r.OK()
	case sub == "help" && len(args) == 2:
		r.Array(4)
		r.Simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
		r.Simple("SLEEP <seconds>")
		r.Simple("    Stop the server for <seconds>. Decimals allowed.")
		r.Simple("HELP")
	default:
		r.Error(oneLine("ERR unknown subcommand or wrong number of arguments for '" +
			trunc(args[1], 128) + "'. Try DEBUG HELP."))
	}
	return actContinue
}

// shutdownCommand stops the server. As in Redis, a successful SHUTDOWN
// gets no reply: the connection closes.
func shutdownCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	var save, nosave, abort, other bool
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
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
	c.s.log.Info("user requested shutdown", "id", c.id, "addr", c.addr())
	c.s.beginShutdown()
	return actClose
}
