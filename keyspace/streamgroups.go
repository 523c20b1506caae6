package keyspace

// Stream consumer groups: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.

import (
	"strings"

	"github.com/aofrdb/aofrdb/rdb"
)

// ---- XGROUP ----

// subcommand is an entry of a container command's table (XGROUP, XINFO).
type subcommand struct {
	arity int
	fn    func(*ctx)
}

// runSubcommand dispatches a container command as Redis's processCommand
// does: an unknown subcommand and a wrong arity are errors.
func (x *ctx) runSubcommand(table map[string]subcommand) {
	sub := strings.ToLower(string(x.arg(1)))
	sc, ok := table[sub]
	if !ok {
		arg := cstr(x.arg(1))
		x.errorf("ERR unknown subcommand '", string(arg[:min(len(arg), 128)]), "'. Try ", strings.ToUpper(string(x.arg(0))), " HELP.")
		return
	}
	if (sc.arity >= 0 && x.nargs() != sc.arity) || (sc.arity < 0 && x.nargs() < -sc.arity) {
		x.err("ERR wrong number of arguments for '" + x.cmd.info.Name + "|" + sub + "' command")
		return
	}
	sc.fn(x)
}

// subcommandSyntaxError replies as addReplySubcommandSyntaxError.
func (x *ctx) subcommandSyntaxError() {
	arg := cstr(x.arg(1))
	x.errorf("ERR unknown subcommand or wrong number of arguments for '", string(arg[:min(len(arg), 128)]), "'. Try ", strings.ToUpper(string(cstr(x.arg(0)))), " HELP.")
}

// replyHelp replies as addReplyHelp.
func (x *ctx) replyHelp(lines []string) {
	r := x.reply()
	r.Array(len(lines) + 3)
	r.Simple(strings.ToUpper(string(x.arg(0))) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		r.Simple(l)
	}
	r.Simple("HELP")
	r.Simple("    Prints this help.")
}

var xgroupSubcommands map[string]subcommand

func init() {
	xgroupSubcommands = map[string]subcommand{
		"create":         {-5, xgroupGeneric},
		"setid":          {-5, xgroupGeneric},
		"destroy":        {4, xgroupGeneric},
		"createconsumer": {5, xgroupGeneric},
		"delconsumer":    {5, xgroupGeneric},
		"help":           {2, xgroupGeneric},
	}
}

func xgroupCommand(x *ctx) { x.runSubcommand(xgroupSubcommands) }

// xgroupGeneric is xgroupCommand of Redis, run once the subcommand and
// its arity are known good.
func xgroupGeneric(x *ctx) {
	var s *stream
	var g *streamGroup
	mkstream := false
	entriesRead := int64(-1)
	create, setid := x.cis(1, "create"), x.cis(1, "setid")
	var name []byte
	if x.nargs() >= 4 {
		for i := 5; i < x.nargs(); {
			switch {
			case create && x.cis(i, "mkstream"):
				mkstream = true
				i++
			case (create || setid) && x.cis(i, "entriesread") && i+1 < x.nargs():
				n, ok := x.argInt(i + 1)
				if !ok {
					return
				}
				if n < 0 && n != -1 {
					x.err("ERR value for ENTRIESREAD must be positive or -1")
					return
				}
				entriesRead = n
				i += 2
			default:
				x.subcommandSyntaxError()
				return
			}
		}
		var ok bool
		if s, ok = x.lookupWriteStream(x.arg(2)); !ok {
			return
		}
		name = x.arg(3)
	}
	if x.nargs() >= 4 && !mkstream {
		if s == nil {
			x.err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
			return
		}
		g = s.group(name)
		if g == nil && (setid || x.cis(1, "createconsumer") || x.cis(1, "delconsumer")) {
			x.errorf("NOGROUP No such consumer group '", string(cstr(name)), "' for key name '", string(cstr(x.arg(2))), "'")
			return
		}
	}
	switch {
	case x.nargs() == 2 && x.cis(1, "help"):
		x.replyHelp([]string{
			"CREATE <key> <groupname> <id|$> [option]",
			"    Create a new consumer group. Options are:",
			"    * MKSTREAM",
			"      Create the empty stream if it does not exist.",
			"    * ENTRIESREAD entries_read",
			"      Set the group's entries_read counter (internal use).",
			"CREATECONSUMER <key> <groupname> <consumer>",
			"    Create a new consumer in the specified group.",
			"DELCONSUMER <key> <groupname> <consumer>",
			"    Remove the specified consumer.",
			"DESTROY <key> <groupname>",
			"    Remove the specified group.",
			"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
			"    Set the current group ID and entries_read counter.",
		})
	case create && x.nargs() >= 5 && x.nargs() <= 8:
		var id streamID
		if string(cstr(x.arg(4))) == "$" {
			if s != nil {
				id = s.lastID
			}
		} else {
			var ok bool
			if id, ok = x.argStreamID(4, true); !ok {
				return
			}
		}
		if s == nil {
			s = &stream{}
			x.set(x.arg(2), &object{typ: rdb.TypeStream, v: s})
		}
		if s.addGroup(name, id, entriesRead) == nil {
			x.err("BUSYGROUP Consumer Group name already exists")
			return
		}
		x.reply().OK()
		x.changed()
	case setid && (x.nargs() == 5 || x.nargs() == 7):
		var id streamID
		if string(cstr(x.arg(4))) == "$" {
			id = s.lastID
		} else {
			var ok bool
			if id, ok = x.argStreamID(4, false); !ok {
				return
			}
		}
		g.lastID = id
		g.entriesRead = entriesRead
		x.reply().OK()
		x.changed()
	case x.cis(1, "destroy") && x.nargs() == 4:
		if g == nil {
			x.reply().Int(0)
			return
		}
		s.deleteGroup(name)
		x.reply().Int(1)
		x.changed()
	case x.cis(1, "createconsumer") && x.nargs() == 5:
		if g.addConsumer(x.arg(4), x.now()) == nil {
			x.reply().Int(0)
			return
		}
		x.reply().Int(1)
		x.changed()
	case x.cis(1, "delconsumer") && x.nargs() == 5:
		c := g.consumer(x.arg(4))
		if c == nil {
			x.reply().Int(0)
			return
		}
		pending := c.pending
		g.deleteConsumer(c)
		x.reply().Int(int64(pending))
		x.changed()
	default:
		x.subcommandSyntaxError()
	}
}

// ---- XACK, XPENDING, XCLAIM, XAUTOCLAIM ----

func xackCommand(x *ctx) {
	s, ok := x.lookupWriteStream(x.arg(1))
	if !ok {
		return
	}
	var g *streamGroup
	if s != nil {
		g = s.group(x.arg(2))
	}
	if g == nil {
		x.reply().Int(0)
		return
	}
	ids := make([]streamID, 0, x.nargs()-3)
	for i := 3; i < x.nargs(); i++ {
		id, ok := x.argStreamID(i, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := 0
	for _, id := range ids {
		if g.removeNACK(id) {
			acked++
		}
	}
	if acked > 0 {
		x.changed()
	}
	x.reply().Int(int64(acked))
}

func xpendingCommand(x *ctx) {
	n := x.nargs()
	summary := n == 3
	if n != 3 && (n < 6 || n > 9) {
		x.err(errSyntax)
		return
	}
	var start, end streamID
	var count, minIdle int64
	var consumerName []byte
	if n >= 6 {
		si := 3
		if x.cis(3, "idle") {
			var ok bool
			if minIdle, ok = x.argInt(4); !ok {
				return
			}
			if n < 8 {
				x.err(errSyntax)
				return
			}
			si += 2
		}
		var ok bool
		if count, ok = x.argInt(si + 2); !ok {
			return
		}
		count = max(count, 0)
		if start, ok = x.argStart(si); !ok {
			return
		}
		if end, ok = x.argEnd(si + 1); !ok {
			return
		}
		if si+3 < n {
			consumerName = x.arg(si + 3)
		}
	}
	s, ok := x.lookupStream(x.arg(1))
	if !ok {
		return
	}
	g := x.groupOf(s, x.arg(1), x.arg(2))
	if g == nil {
		return
	}
	r := x.reply()
	if summary {
		r.Array(4)
		r.Int(int64(len(g.pel)))
		if len(g.pel) == 0 {
			r.Null()
			r.Null()
			r.NullArray()
			return
		}
		replyStreamID(r, g.pel[0].id)
		replyStreamID(r, g.pel[len(g.pel)-1].id)
		k := 0
		for _, c := range g.consumers {
			if c.pending > 0 {
				k++
			}
		}
		r.Array(k)
		for _, c := range g.consumers {
			if c.pending > 0 {
				r.Array(2)
				r.BulkString(c.name)
				r.BulkInt(int64(c.pending))
			}
		}
		return
	}
	var c *streamConsumer
	if consumerName != nil {
		if c = g.consumer(consumerName); c == nil {
			r.Array(0)
			return
		}
	}
	now := x.now()
	var body Reply
	body.RESP3 = r.RESP3
	k := 0
	i, _ := g.pelIndex(start)
	for ; count > 0 && i < len(g.pel) && compareStreamID(g.pel[i].id, end) <= 0; i++ {
		nk := g.pel[i]
		if c != nil && nk.consumer != c {
			continue
		}
		if minIdle != 0 && now-nk.deliveryTime < minIdle {
			continue
		}
		k++
		count--
		body.Array(4)
		replyStreamID(&body, nk.id)
		body.BulkString(nk.consumer.name)
		body.Int(max(now-nk.deliveryTime, 0))
		body.Int(int64(nk.deliveryCount))
	}
	r.Array(k)
	r.Buf = append(r.Buf, body.Buf...)
}

func xclaimCommand(x *ctx) {
	x.noPropagate = true
	key, groupName := x.arg(1), x.arg(2)
	s, ok := x.lookupWriteStream(key)
	if !ok {
		return
	}
	g := x.groupOf(s, key, groupName)
	if g == nil {
		return
	}
	minIdle, ok := x.argIntMsg(4, "Invalid min-idle-time argument for XCLAIM")
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	var ids []streamID
	j := 5
	for ; j < x.nargs(); j++ {
		id, _, ok := parseStreamID(x.arg(j), 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := x.now()
	retry, delivery := int64(-1), int64(-1)
	force, justid := false, false
	var lastID streamID
	for ; j < x.nargs(); j++ {
		more := x.nargs() - 1 - j
		switch {
		case x.cis(j, "force"):
			force = true
		case x.cis(j, "justid"):
			justid = true
		case x.cis(j, "idle") && more > 0:
			j++
			v, ok := x.argIntMsg(j, "Invalid IDLE option argument for XCLAIM")
			if !ok {
				return
			}
			delivery = now - v
		case x.cis(j, "time") && more > 0:
			j++
			v, ok := x.argIntMsg(j, "Invalid TIME option argument for XCLAIM")
			if !ok {
				return
			}
			delivery = v
		case x.cis(j, "retrycount") && more > 0:
			j++
			v, ok := x.argIntMsg(j, "Invalid RETRYCOUNT option argument for XCLAIM")
			if !ok {
				return
			}
			retry = v
		case x.cis(j, "lastid") && more > 0:
			j++
			if lastID, ok = x.argStreamID(j, true); !ok {
				return
			}
		default:
			x.errorf("ERR Unrecognized XCLAIM option '", string(cstr(x.arg(j))), "'")
			return
		}
	}
	propagateLastID := false
	if compareStreamID(lastID, g.lastID) > 0 {
		g.lastID = lastID
		propagateLastID = true
	}
	if delivery != -1 {
		if delivery < 0 || delivery > now {
			delivery = now
		}
	} else {
		delivery = now
	}
	var c *streamConsumer
	var body Reply
	body.RESP3 = x.c.Reply.RESP3
	n := 0
	for k, id := range ids {
		arg := x.arg(5 + k)
		nk := g.nack(id)
		e, exists := s.entry(id)
		if !exists {
			if nk != nil {
				x.logXClaim(key, g, groupName, arg, nk)
				propagateLastID = false
				g.removeNACK(id)
			}
			continue
		}
		if force && nk == nil {
			nk = &streamNACK{id: id, deliveryTime: now, deliveryCount: 1}
			g.insertNACK(nk)
		}
		if nk == nil {
			continue
		}
		if nk.consumer != nil && minIdle != 0 && now-nk.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c, _ = g.seen(x.arg(3), now)
		}
		nk.setOwner(c)
		nk.deliveryTime = delivery
		if retry >= 0 {
			nk.deliveryCount = uint64(retry)
		} else if !justid {
			nk.deliveryCount++
		}
		if justid {
			replyStreamID(&body, id)
		} else {
			replyEntry(&body, e)
		}
		n++
		x.logXClaim(key, g, groupName, arg, nk)
		propagateLastID = false
	}
	if propagateLastID {
		x.logGroupID(key, g, groupName)
	}
	x.reply().Array(n)
	x.c.Reply.Buf = append(x.c.Reply.Buf, body.Buf...)
}

func xautoclaimCommand(x *ctx) {
	x.noPropagate = true
	key, groupName := x.arg(1), x.arg(2)
	minIdle, ok := x.argIntMsg(4, "Invalid min-idle-time argument for XAUTOCLAIM")
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := x.argStart(5)
	if !ok {
		return
	}
	count := int64(100)
	justid := false
	const maxCount = (1<<63 - 1) / 16
	for j := 6; j < x.nargs(); j++ {
		more := x.nargs() - 1 - j
		switch {
		case x.cis(j, "count") && more > 0:
			v, ok := parseInt(x.arg(j + 1))
			if !ok || v < 1 || v > maxCount {
				x.err("ERR COUNT must be > 0")
				return
			}
			count = v
			j++
		case x.cis(j, "justid"):
			justid = true
		default:
			x.err(errSyntax)
			return
		}
	}
	s, ok := x.lookupWriteStream(key)
	if !ok {
		return
	}
	g := x.groupOf(s, key, groupName)
	if g == nil {
		return
	}
	attempts := count * 10
	now := x.now()
	var c *streamConsumer
	var body Reply
	body.RESP3 = x.c.Reply.RESP3
	var deleted []streamID
	n := 0
	i, _ := g.pelIndex(start)
	for {
		if attempts <= 0 {
			break
		}
		attempts--
		if count == 0 || i >= len(g.pel) {
			break
		}
		nk := g.pel[i]
		e, exists := s.entry(nk.id)
		if !exists {
			x.logXClaim(key, g, groupName, formatStreamID(nk.id), nk)
			g.removeNACK(nk.id)
			deleted = append(deleted, nk.id)
			count--
			continue
		}
		i++
		if minIdle != 0 && now-nk.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c, _ = g.seen(x.arg(3), now)
		}
		nk.setOwner(c)
		nk.deliveryTime = now
		if !justid {
			nk.deliveryCount++
		}
		if justid {
			replyStreamID(&body, nk.id)
		} else {
			replyEntry(&body, e)
		}
		n++
		count--
		x.logXClaim(key, g, groupName, formatStreamID(nk.id), nk)
	}
	var next streamID
	if i < len(g.pel) {
		next = g.pel[i].id
	}
	r := x.reply()
	r.Array(3)
	replyStreamID(r, next)
	r.Array(n)
	r.Buf = append(r.Buf, body.Buf...)
	r.Array(len(deleted))
	for _, id := range deleted {
		replyStreamID(r, id)
	}
}

// groupOf returns the group name of the stream s (nil when key holds
// none), or replies NOGROUP, as Redis words it, and returns nil.
func (x *ctx) groupOf(s *stream, key, name []byte) *streamGroup {
	var g *streamGroup
	if s != nil {
		g = s.group(name)
	}
	if g == nil {
		x.errorf("NOGROUP No such key '", string(cstr(key)), "' or consumer group '", string(cstr(name)), "'")
	}
	return g
}
