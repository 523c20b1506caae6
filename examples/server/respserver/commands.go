package respserver

import (
	"strconv"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
)

// redisVersion is the version HELLO reports: the keyspace replies as
// Redis 7.0.15 does.
const redisVersion = "7.0.15"

// action tells the connection what to do after a server command.
type action int

const (
	actContinue action = iota
	actClose           // send the buffered replies and close
)

// serverCommand is a command the server handles itself: connection
// state (MULTI, WATCH, HELLO, CLIENT, ...) and introspection, which the
// keyspace knows nothing of.
type serverCommand struct {
	name      string // lower case; "client|setname" for a subcommand
	arity     int    // Redis's arity
	flags     []string
	firstKey  int
	lastKey   int
	immediate bool // runs at once inside MULTI instead of being queued
	noMulti   bool // refused inside MULTI
	store     bool // only with a Store (OpenStore)
	loop      bool // the event loop runs it: it never waits long (see eventLoop)
	subs      map[string]*serverCommand
	fn        func(c *conn, args [][]byte, r *keyspace.Reply) action
}

var (
	fastConn   = []string{"noscript", "loading", "stale", "fast", "allow_busy"}
	fastNoAuth = []string{"noscript", "loading", "stale", "fast", "no_auth", "allow_busy"}
)

// serverCommands is the table of server commands, by lower-case name.
var serverCommands map[string]*serverCommand

func init() {
	cmds := []*serverCommand{
		{name: "multi", arity: 1, flags: fastConn, immediate: true, fn: multiCommand},
		{name: "exec", arity: 1, flags: []string{"noscript", "loading", "stale", "skip_slowlog"}, immediate: true, fn: execCommand},
		{name: "discard", arity: 1, flags: fastConn, immediate: true, fn: discardCommand},
		{name: "watch", arity: -2, flags: fastConn, firstKey: 1, lastKey: -1, immediate: true, fn: watchCommand},
		{name: "unwatch", loop: true, arity: 1, flags: fastConn, fn: unwatchCommand},
		{name: "quit", loop: true, arity: -1, flags: fastNoAuth, immediate: true, fn: quitCommand},
		{name: "reset", loop: true, arity: 1, flags: fastNoAuth, immediate: true, fn: resetCommand},
		{name: "hello", loop: true, arity: -1, flags: fastNoAuth, fn: helloCommand},
		{name: "auth", loop: true, arity: -2, flags: fastNoAuth, fn: authCommand},
		{name: "client", arity: -2, subs: subcommands("client",
			&serverCommand{loop: true, name: "id", arity: 2, fn: clientIDCommand},
			&serverCommand{loop: true, name: "getname", arity: 2, fn: clientGetnameCommand},
			&serverCommand{loop: true, name: "setname", arity: 3, fn: clientSetnameCommand},
			&serverCommand{loop: true, name: "info", arity: 2, fn: clientInfoCommand},
			&serverCommand{loop: true, name: "help", arity: 2, fn: clientHelpCommand},
		)},
		{name: "config", arity: -2, subs: subcommands("config",
			&serverCommand{loop: true, name: "get", arity: -3, fn: configGetCommand},
			&serverCommand{name: "set", arity: -4, fn: configSetCommand},
			&serverCommand{loop: true, name: "resetstat", arity: 2, fn: okCommand},
			&serverCommand{loop: true, name: "help", arity: 2, fn: configHelpCommand},
		)},
		{name: "command", loop: true, arity: -1, flags: []string{"loading", "stale"}, fn: commandCommand, subs: subcommands("command",
			&serverCommand{loop: true, name: "count", arity: 2, fn: commandCountCommand},
			&serverCommand{loop: true, name: "list", arity: -2, fn: commandListCommand},
			&serverCommand{loop: true, name: "info", arity: -2, fn: commandInfoCommand},
			&serverCommand{loop: true, name: "docs", arity: -2, fn: commandDocsCommand},
			&serverCommand{loop: true, name: "help", arity: 2, fn: commandHelpCommand},
		)},
		{name: "debug", arity: -2, flags: []string{"admin", "noscript", "loading", "stale"}, fn: debugCommand},
		{name: "save", arity: 1, flags: []string{"admin", "noscript", "no_async_loading", "no_multi"}, noMulti: true, store: true, fn: saveCommand},
		{name: "bgsave", arity: -1, flags: []string{"admin", "noscript", "no_async_loading"}, store: true, fn: bgsaveCommand},
		{name: "lastsave", loop: true, arity: 1, flags: []string{"loading", "stale", "fast"}, store: true, fn: lastsaveCommand},
		{name: "bgrewriteaof", arity: 1, flags: []string{"admin", "noscript", "no_async_loading"}, store: true, fn: bgrewriteaofCommand},
		{name: "info", loop: true, arity: -1, flags: []string{"loading", "stale"}, fn: infoCommand},
		{name: "shutdown", arity: -1, flags: []string{"admin", "noscript", "loading", "stale", "no_multi", "allow_busy"}, noMulti: true, fn: shutdownCommand},
	}
	serverCommands = map[string]*serverCommand{}
	for _, sc := range cmds {
		serverCommands[sc.name] = sc
	}
}

func subcommands(container string, subs ...*serverCommand) map[string]*serverCommand {
	m := map[string]*serverCommand{}
	for _, sc := range subs {
		m[sc.name] = sc
		sc.name = container + "|" + sc.name
	}
	return m
}

// lookupServerCommand finds a server command by name, in any case:
// those of a Store only when the server has one.
func (s *Server) lookupServerCommand(name []byte) *serverCommand {
	var buf [16]byte
	if len(name) > len(buf) {
		return nil
	}
	sc := serverCommands[string(lower(buf[:0], name))]
	if sc != nil && sc.store && s.st == nil {
		return nil
	}
	return sc
}

func lower(dst, b []byte) []byte {
	for _, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

func checkArity(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

// resolve checks args against sc, and finds the subcommand of a
// container. It returns the command to run, or an error message worded
// as Redis words it.
func (sc *serverCommand) resolve(args [][]byte) (*serverCommand, string) {
	if !checkArity(sc.arity, len(args)) {
		return nil, "ERR wrong number of arguments for '" + sc.name + "' command"
	}
	if sc.subs == nil || len(args) < 2 {
		return sc, ""
	}
	sub := sc.subs[string(lower(nil, args[1]))]
	if sub == nil {
		return nil, "ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try " +
			strings.ToUpper(string(args[0])) + " HELP."
	}
	if !checkArity(sub.arity, len(args)) {
		return nil, "ERR wrong number of arguments for '" + sub.name + "' command"
	}
	return sub, ""
}

// runServer runs a server command, replying to r.
func (c *conn) runServer(sc *serverCommand, args [][]byte, r *keyspace.Reply) action {
	sub, msg := sc.resolve(args)
	if msg != "" {
		if c.multi {
			c.execAbort = true
		}
		r.Error(oneLine(msg))
		return actContinue
	}
	return sub.fn(c, args, r)
}

func trunc(b []byte, n int) string { return string(b[:min(len(b), n)]) }

// oneLine replaces CR and LF, which an error reply cannot hold.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func okCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.OK()
	return actContinue
}

// help replies a HELP text as Redis does: a status line per line.
func help(r *keyspace.Reply, cmd string, lines ...string) {
	lines = append(lines, "HELP", "    Print this help.")
	r.Array(len(lines) + 1)
	r.Simple(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		r.Simple(l)
	}
}

// ---- transactions ----

func multiCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if c.multi {
		r.Error("ERR MULTI calls can not be nested")
		return actContinue
	}
	c.multi = true
	r.OK()
	return actContinue
}

func execCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	c.execMulti(r)
	return actContinue
}

func discardCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if !c.multi {
		r.Error("ERR DISCARD without MULTI")
		return actContinue
	}
	c.discardMulti()
	c.unwatch()
	r.OK()
	return actContinue
}

func watchCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if c.multi {
		r.Error("ERR WATCH inside MULTI is not allowed")
		return actContinue
	}
	s := c.s
	s.wmu.Lock()
	if !c.dirtyCAS { // no point in watching once dirty
		for _, k := range args[1:] {
			s.watch.watch(c, c.db, k)
		}
	}
	s.wmu.Unlock()
	r.OK()
	return actContinue
}

func unwatchCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if !c.inExec { // EXEC has unwatched already, holding the lock
		c.unwatch()
	}
	r.OK()
	return actContinue
}

// unwatch drops c's watched keys and its dirty flag.
func (c *conn) unwatch() {
	c.s.wmu.Lock()
	c.s.watch.unwatchAll(c)
	c.dirtyCAS = false
	c.s.wmu.Unlock()
}

// ---- connection ----

func quitCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.OK()
	return actClose
}

func resetCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	c.discardMulti()
	c.unwatch()
	c.db = 0
	c.name = nil
	r.Simple("RESET")
	return actContinue
}

func helloCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if len(args) >= 2 {
		ver, ok := parseInt(args[1])
		if !ok {
			r.Error("ERR Protocol version is not an integer or out of range")
			return actContinue
		}
		if ver != 2 { // RESP3 is not supported: clients fall back to RESP2
			r.Error("NOPROTO unsupported protocol version")
			return actContinue
		}
	}
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := string(args[j])
		switch {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			if !authenticate(args[j+1], args[j+2]) {
				r.Error("WRONGPASS invalid username-password pair or user is disabled.")
				return actContinue
			}
			j += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			if !c.setName(args[j+1], r) {
				return actContinue
			}
			j++
		default:
			r.Error(oneLine("ERR Syntax error in HELLO option '" + opt + "'"))
			return actContinue
		}
	}
	r.Array(14)
	r.BulkString("server")
	r.BulkString("redis")
	r.BulkString("version")
	r.BulkString(redisVersion)
	r.BulkString("proto")
	r.Int(2)
	r.BulkString("id")
	r.Int(c.id)
	r.BulkString("mode")
	r.BulkString("standalone")
	r.BulkString("role")
	r.BulkString("master")
	r.BulkString("modules")
	r.Array(0)
	return actContinue
}

// parseInt parses an integer as Redis's string2ll does: no '+', no
// spaces, no leading zeros.
func parseInt(b []byte) (int64, bool) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != string(b) {
		return 0, false
	}
	return n, true
}

// authenticate checks a user and password as Redis's default
// configuration does: the only user is "default", with no password, so
// any password authenticates it.
func authenticate(user, pass []byte) bool { return string(user) == "default" }

func authCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	switch {
	case len(args) > 3:
		r.Error("ERR syntax error")
	case len(args) == 2:
		r.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
	case authenticate(args[1], args[2]):
		r.OK()
	default:
		r.Error("WRONGPASS invalid username-password pair or user is disabled.")
	}
	return actContinue
}

func clientIDCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	r.Int(c.id)
	return actContinue
}

func clientGetnameCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if c.name == nil {
		r.Null()
	} else {
		r.Bulk(c.name)
	}
	return actContinue
}

func clientSetnameCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	if c.setName(args[2], r) {
		r.OK()
	}
	return actContinue
}

// setName sets the client's name (an empty name clears it), or replies
// Redis's error for a name with spaces or special characters.
func (c *conn) setName(name []byte, r *keyspace.Reply) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			r.Error("ERR Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	if len(name) == 0 {
		c.name = nil
	} else {
		c.name = []byte(string(name))
	}
	return true
}

func clientInfoCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	flags := ""
	if c.multi {
		flags += "x"
	}
	if c.unix {
		flags += "U"
	}
	if flags == "" {
		flags = "N"
	}
	multi := -1
	if c.multi {
		multi = len(c.queue)
	}
	line := "id=" + itoa(c.id) + " addr=" + c.addr() + " laddr=" + c.laddr() +
		" fd=-1 name=" + string(c.name) +
		" age=" + itoa(int64(time.Since(c.created)/time.Second)) + " idle=0 flags=" + flags +
		" db=" + itoa(int64(c.db)) + " sub=0 psub=0 ssub=0 multi=" + itoa(int64(multi)) +
		" qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=" + itoa(c.queuedBytes) +
		" rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=client|info user=default redir=-1 resp=2\n"
	r.BulkString(line)
	return actContinue
}

func clientHelpCommand(c *conn, args [][]byte, r *keyspace.Reply) action {
	help(r, "CLIENT",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.")
	return actContinue
}
