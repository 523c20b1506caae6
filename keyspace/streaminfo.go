package keyspace

// XINFO.

import "github.com/aofrdb/aofrdb/rdb"

// ---- XINFO ----

var xinfoSubcommands map[string]subcommand

func init() {
	xinfoSubcommands = map[string]subcommand{
		"stream":    {-3, xinfoGeneric},
		"groups":    {3, xinfoGeneric},
		"consumers": {4, xinfoGeneric},
		"help":      {2, xinfoGeneric},
	}
}

func xinfoCommand(x *ctx) { x.runSubcommand(xinfoSubcommands) }

func xinfoGeneric(x *ctx) {
	if x.cis(1, "help") {
		if x.nargs() != 2 {
			x.subcommandSyntaxError()
			return
		}
		x.replyHelp([]string{
			"CONSUMERS <key> <groupname>",
			"    Show consumers of <groupname>.",
			"GROUPS <key>",
			"    Show the stream consumer groups.",
			"STREAM <key> [FULL [COUNT <count>]",
			"    Show information about the stream.",
		})
		return
	} else if x.nargs() < 3 {
		x.subcommandSyntaxError()
		return
	}
	key := x.arg(2)
	s, ok := x.lookupStream(key)
	if !ok {
		return
	}
	if s == nil {
		x.err(errNoKey)
		return
	}
	r := x.reply()
	switch {
	case x.cis(1, "consumers") && x.nargs() == 4:
		g := s.group(x.arg(3))
		if g == nil {
			x.errorf("NOGROUP No such consumer group '", string(cstr(x.arg(3))), "' for key name '", string(cstr(key)), "'")
			return
		}
		now := x.now()
		r.Array(len(g.consumers))
		for _, c := range g.consumers {
			r.Map(3)
			r.BulkString("name")
			r.BulkString(c.name)
			r.BulkString("pending")
			r.Int(int64(c.pending))
			r.BulkString("idle")
			r.Int(max(now-c.seenTime, 0))
		}
	case x.cis(1, "groups") && x.nargs() == 3:
		r.Array(len(s.groups))
		for _, g := range s.groups {
			r.Map(6)
			r.BulkString("name")
			r.BulkString(g.name)
			r.BulkString("consumers")
			r.Int(int64(len(g.consumers)))
			r.BulkString("pending")
			r.Int(int64(len(g.pel)))
			r.BulkString("last-delivered-id")
			replyStreamID(r, g.lastID)
			replyGroupCounters(r, s, g)
		}
	case x.cis(1, "stream"):
		xinfoStream(x, s)
	default:
		x.subcommandSyntaxError()
	}
}

// replyGroupCounters replies a group's entries-read and lag fields.
func replyGroupCounters(r *Reply, s *stream, g *streamGroup) {
	r.BulkString("entries-read")
	if g.entriesRead != -1 {
		r.Int(g.entriesRead)
	} else {
		r.Null()
	}
	r.BulkString("lag")
	if lag, ok := s.lag(g); ok {
		r.Int(lag)
	} else {
		r.Null()
	}
}

func xinfoStream(x *ctx, s *stream) {
	full := false
	count := int64(10)
	switch optc := x.nargs() - 3; {
	case optc == 0:
	case optc != 1 && optc != 3, !x.cis(3, "full"):
		x.subcommandSyntaxError()
		return
	default:
		full = true
		if optc == 3 {
			if !x.cis(4, "count") {
				x.subcommandSyntaxError()
				return
			}
			n, ok := x.argInt(5)
			if !ok {
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
	}
	r := x.reply()
	if full {
		r.Map(9)
	} else {
		r.Map(10)
	}
	r.BulkString("length")
	r.Int(int64(s.length))
	r.BulkString("radix-tree-keys")
	r.Int(int64(len(s.nodes)))
	r.BulkString("radix-tree-nodes")
	r.Int(int64(s.raxNodes()))
	r.BulkString("last-generated-id")
	replyStreamID(r, s.lastID)
	r.BulkString("max-deleted-entry-id")
	replyStreamID(r, s.maxDeletedID)
	r.BulkString("entries-added")
	r.Int(int64(s.entriesAdded))
	r.BulkString("recorded-first-entry-id")
	replyStreamID(r, s.firstID)
	if !full {
		r.BulkString("groups")
		r.Int(int64(len(s.groups)))
		r.BulkString("first-entry")
		found := false
		s.each(minStreamID, maxStreamID, false, func(e rdb.StreamEntry) bool { replyEntry(r, e); found = true; return false })
		if !found {
			r.Null()
		}
		r.BulkString("last-entry")
		found = false
		s.each(minStreamID, maxStreamID, true, func(e rdb.StreamEntry) bool { replyEntry(r, e); found = true; return false })
		if !found {
			r.Null()
		}
		return
	}
	r.BulkString("entries")
	replyRange(r, s, minStreamID, maxStreamID, count, false)
	r.BulkString("groups")
	r.Array(len(s.groups))
	for _, g := range s.groups {
		r.Map(7)
		r.BulkString("name")
		r.BulkString(g.name)
		r.BulkString("last-delivered-id")
		replyStreamID(r, g.lastID)
		replyGroupCounters(r, s, g)
		r.BulkString("pel-count")
		r.Int(int64(len(g.pel)))
		r.BulkString("pending")
		k := len(g.pel)
		if count != 0 {
			k = min(k, int(count))
		}
		r.Array(k)
		for _, nk := range g.pel[:k] {
			r.Array(4)
			replyStreamID(r, nk.id)
			r.BulkString(nk.consumer.name)
			r.Int(nk.deliveryTime)
			r.Int(int64(nk.deliveryCount))
		}
		r.BulkString("consumers")
		r.Array(len(g.consumers))
		for _, c := range g.consumers {
			r.Map(4)
			r.BulkString("name")
			r.BulkString(c.name)
			r.BulkString("seen-time")
			r.Int(c.seenTime)
			r.BulkString("pel-count")
			r.Int(int64(c.pending))
			r.BulkString("pending")
			k := c.pending
			if count != 0 {
				k = min(k, int(count))
			}
			r.Array(k)
			for _, nk := range g.pel {
				if k == 0 {
					break
				}
				if nk.consumer != c {
					continue
				}
				k--
				r.Array(3)
				replyStreamID(r, nk.id)
				r.Int(nk.deliveryTime)
				r.Int(int64(nk.deliveryCount))
			}
		}
	}
}
