package keyspace

import (
	"bytes"
	"strings"

	"github.com/aofrdb/aofrdb/rdb"
)

// Stream commands, as Redis 7.0's t_stream.c. What they log is what Redis
// propagates: XADD with the ID it generated and an approximate trim
// rewritten as the exact trim it did; XREADGROUP, XCLAIM and XAUTOCLAIM
// as an XCLAIM ... TIME ... RETRYCOUNT ... FORCE JUSTID LASTID per entry
// they delivered or claimed (or found deleted), XGROUP SETID ...
// ENTRIESREAD when the group's last ID moved without one, and XGROUP
// CREATECONSUMER for a consumer XREADGROUP NOACK created.

func init() {
	register("xadd", -5, true, 1, 1, 1, xaddCommand)
	register("xdel", -3, true, 1, 1, 1, xdelCommand)
	register("xtrim", -4, true, 1, 1, 1, xtrimCommand)
	register("xsetid", -3, true, 1, 1, 1, xsetidCommand)
	register("xlen", 2, false, 1, 1, 1, xlenCommand)
	register("xrange", -4, false, 1, 1, 1, func(x *ctx) { xrangeCommand(x, false) })
	register("xrevrange", -4, false, 1, 1, 1, func(x *ctx) { xrangeCommand(x, true) })
	register("xread", -4, false, 0, 0, 0, func(x *ctx) { xreadCommand(x, false) })
	register("xreadgroup", -7, true, 0, 0, 0, func(x *ctx) { xreadCommand(x, true) })
	register("xgroup", -2, true, 0, 0, 0, xgroupCommand)
	register("xack", -4, true, 1, 1, 1, xackCommand)
	register("xpending", -3, false, 1, 1, 1, xpendingCommand)
	register("xclaim", -6, true, 1, 1, 1, xclaimCommand)
	register("xautoclaim", -6, true, 1, 1, 1, xautoclaimCommand)
	register("xinfo", -2, false, 0, 0, 0, xinfoCommand)
}

const (
	errInvalidStreamID = "ERR Invalid stream ID specified as stream command argument"
	errStartInterval   = "ERR invalid start ID for the interval"
	errEndInterval     = "ERR invalid end ID for the interval"
)

// errorf replies an error whose text holds user data, with line breaks
// turned into spaces as addReplyErrorFormat does.
func (x *ctx) errorf(parts ...string) {
	msg := strings.Join(parts, "")
	x.err(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg))
}

// parseUint64C parses s as Redis's string2ull: string2ll for a
// non-negative number, else strtoull's leniency (spaces, a sign, leading
// zeros; a minus negates modulo 2^64).
func parseUint64C(s []byte) (uint64, bool) {
	if v, ok := parseInt(s); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) || s[i] < '0' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if i != len(s) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseStreamID parses a stream ID argument as Redis's
// streamGenericParseIDOrReply: "-" and "+" (refused when strict), <ms>
// (with missingSeq), <ms>-<seq>, and <ms>-* when star is set (seqGiven
// false).
func parseStreamID(b []byte, missingSeq uint64, strict, star bool) (id streamID, seqGiven, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	b = cstr(b)
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return minStreamID, true, true
		}
		return maxStreamID, true, true
	}
	msPart, seqPart, dash := bytes.Cut(b, []byte("-"))
	ms, ok := parseUint64C(msPart)
	if !ok {
		return id, false, false
	}
	seq := missingSeq
	seqGiven = true
	if dash {
		if star && len(seqPart) == 1 && seqPart[0] == '*' {
			seq, seqGiven = 0, false
		} else if seq, ok = parseUint64C(seqPart); !ok {
			return id, false, false
		}
	}
	return streamID{Ms: ms, Seq: seq}, seqGiven, true
}

// argStreamID parses argument i as a strict ID, replying the error.
func (x *ctx) argStreamID(i int, strict bool) (streamID, bool) {
	id, _, ok := parseStreamID(x.arg(i), 0, strict, false)
	if !ok {
		x.err(errInvalidStreamID)
	}
	return id, ok
}

// argInterval parses argument i as a range bound (streamParseIntervalIDOrReply):
// "(" makes it exclusive.
func (x *ctx) argInterval(i int, missingSeq uint64) (id streamID, exclusive, ok bool) {
	b := x.arg(i)
	exclusive = len(b) > 1 && b[0] == '('
	if exclusive {
		id, _, ok = parseStreamID(b[1:], missingSeq, true, false)
	} else {
		id, _, ok = parseStreamID(b, missingSeq, false, false)
	}
	if !ok {
		x.err(errInvalidStreamID)
	}
	return id, exclusive, ok
}

// argStart and argEnd parse range bounds, making exclusive ones
// inclusive.
func (x *ctx) argStart(i int) (streamID, bool) {
	id, ex, ok := x.argInterval(i, 0)
	if ok && ex {
		if id, ok = incrID(id); !ok {
			x.err(errStartInterval)
		}
	}
	return id, ok
}

func (x *ctx) argEnd(i int) (streamID, bool) {
	id, ex, ok := x.argInterval(i, ^uint64(0))
	if ok && ex {
		if id, ok = decrID(id); !ok {
			x.err(errEndInterval)
		}
	}
	return id, ok
}

// argIntMsg parses argument i as an integer, replying msg (with ERR)
// when it is not one.
func (x *ctx) argIntMsg(i int, msg string) (int64, bool) {
	n, ok := parseInt(x.arg(i))
	if !ok {
		x.err("ERR " + msg)
	}
	return n, ok
}

// ---- lookups and replies ----

func (x *ctx) lookupStream(key []byte) (*stream, bool) {
	o, ok := x.lookupType(key, rdb.TypeStream)
	if o == nil {
		return nil, ok
	}
	return o.v.(*stream), true
}

func (x *ctx) lookupWriteStream(key []byte) (*stream, bool) {
	o, ok := x.lookupWriteType(key, rdb.TypeStream)
	if o == nil {
		return nil, ok
	}
	return o.v.(*stream), true
}

func replyStreamID(r *Reply, id streamID) {
	var b [44]byte
	r.Bulk(appendStreamID(b[:0], id))
}

func replyEntry(r *Reply, e rdb.StreamEntry) {
	r.Array(2)
	replyStreamID(r, e.ID)
	r.Bulks(e.Fields)
}

// replyRange replies the entries from start to end, at most count (0:
// all), as an array; it returns the number replied.
func replyRange(r *Reply, s *stream, start, end streamID, count int64, rev bool) {
	var body Reply
	body.RESP3 = r.RESP3
	n := int64(0)
	s.each(start, end, rev, func(e rdb.StreamEntry) bool {
		replyEntry(&body, e)
		n++
		return count == 0 || n < count
	})
	r.Array(int(n))
	r.Buf = append(r.Buf, body.Buf...)
}

// withArgs returns a copy of the command's arguments with the given
// positions replaced, for a rewritten log record.
func (x *ctx) withArgs(repl map[int][]byte) [][]byte {
	args := make([][]byte, len(x.c.Args))
	copy(args, x.c.Args)
	for i, a := range repl {
		args[i] = a
	}
	return args
}

// ---- XADD, XTRIM, XDEL, XSETID ----

// addTrimArgs are the parsed options of XADD and XTRIM.
type addTrimArgs struct {
	trimArgs
	argIdx     int // the MAXLEN or MINID value's position
	idGiven    bool
	seqGiven   bool
	id         streamID
	noMkstream bool
}

// argCount parses argument i as the count of option name (MAXLEN,
// LIMIT), which must not be negative: Redis's "ERR The <name> argument
// must be >= 0." otherwise.
func (x *ctx) argCount(i int, name string) (int64, bool) {
	n, ok := x.argInt(i)
	if ok && n < 0 {
		x.err("ERR The " + name + " argument must be >= 0.")
		return 0, false
	}
	return n, ok
}

// parseAddTrim parses XADD's or XTRIM's options as
// streamParseAddOrTrimArgsOrReply; for XADD it returns the ID's position.
func (x *ctx) parseAddTrim(xadd bool) (a addTrimArgs, pos int, ok bool) {
	limitGiven := false
	i := 2
	for ; i < x.nargs(); i++ {
		more := x.nargs() - 1 - i
		opt := cstr(x.arg(i))
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case equalFold(opt, "maxlen") && more > 0, equalFold(opt, "minid") && more > 0:
			if a.strategy != trimNone {
				x.err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
				return a, 0, false
			}
			a.approx = false
			next := cstr(x.arg(i + 1))
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			if equalFold(opt, "maxlen") {
				n, ok := x.argCount(i+1, "MAXLEN")
				if !ok {
					return a, 0, false
				}
				a.maxlen = n
				a.strategy = trimMaxlen
			} else {
				id, ok := x.argStreamID(i+1, true)
				if !ok {
					return a, 0, false
				}
				a.minID = id
				a.strategy = trimMinID
			}
			i++
			a.argIdx = i
		case equalFold(opt, "limit") && more > 0:
			n, ok := x.argCount(i+1, "LIMIT")
			if !ok {
				return a, 0, false
			}
			a.limit = n
			limitGiven = true
			i++
		case xadd && equalFold(opt, "nomkstream"):
			a.noMkstream = true
		case xadd:
			id, seqGiven, ok := parseStreamID(x.arg(i), 0, true, true)
			if !ok {
				x.err(errInvalidStreamID)
				return a, 0, false
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			goto done
		default:
			x.err(errSyntax)
			return a, 0, false
		}
	}
done:
	if a.limit != 0 && a.strategy == trimNone {
		x.err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return a, 0, false
	}
	if !xadd && a.strategy == trimNone {
		x.err("ERR syntax error, XTRIM must be called with a trimming strategy")
		return a, 0, false
	}
	switch {
	case x.c.Loading:
		// Redis obeys a log without limits: its trims were rewritten.
		a.limit = 0
	case limitGiven:
		if !a.approx {
			x.err("ERR syntax error, LIMIT cannot be used without the special ~ option")
			return a, 0, false
		}
	case a.approx:
		a.limit = 100 * streamNodeMaxEntries
	default:
		a.limit = 0
	}
	return a, i, true
}

// trimRewrite returns the log replacements for an approximate trim: "="
// and the length or first ID the trim left.
func trimRewrite(a *addTrimArgs, s *stream, repl map[int][]byte) {
	repl[a.argIdx-1] = []byte("=")
	if a.strategy == trimMaxlen {
		repl[a.argIdx] = itoa(int64(s.length))
	} else {
		repl[a.argIdx] = formatStreamID(s.firstAny())
	}
}

func xaddCommand(x *ctx) {
	a, idpos, ok := x.parseAddTrim(true)
	if !ok {
		return
	}
	fieldPos := idpos + 1
	if n := x.nargs() - fieldPos; n < 2 || n%2 == 1 {
		x.err("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if a.idGiven && a.seqGiven && a.id == minStreamID {
		x.err("ERR The ID specified in XADD must be greater than 0-0")
		return
	}
	key := x.arg(1)
	s, ok := x.lookupWriteStream(key)
	if !ok {
		return
	}
	if s == nil {
		if a.noMkstream {
			x.reply().Null()
			return
		}
		s = &stream{}
		x.set(key, &object{typ: rdb.TypeStream, v: s})
		// Redis adds the key before it checks the ID; a failed append
		// leaves it empty and unlogged, as there.
		x.dirty = false
	}
	if s.lastID == maxStreamID {
		x.err("ERR The stream has exhausted the last possible ID, unable to add more items")
		return
	}
	var id streamID
	switch {
	case !a.idGiven:
		if ms := uint64(x.now()); ms > s.lastID.Ms {
			id = streamID{Ms: ms}
		} else {
			id, _ = incrID(s.lastID)
		}
	case a.seqGiven:
		id = a.id
	case s.lastID.Ms == a.id.Ms:
		if s.lastID.Seq == ^uint64(0) {
			// Redis fails here without setting errno, and words it as
			// the other failure.
			x.err("ERR Elements are too large to be stored")
			return
		}
		id = streamID{Ms: s.lastID.Ms, Seq: s.lastID.Seq + 1}
	default:
		id = a.id
	}
	if compareStreamID(id, s.lastID) <= 0 {
		x.err("ERR The ID specified in XADD is equal or smaller than the target stream top item")
		return
	}
	total := 0
	for _, f := range x.c.Args[fieldPos:] {
		total += len(f)
	}
	if total > streamListpackMaxSize {
		x.err("ERR Elements are too large to be stored")
		return
	}
	s.appendEntry(id, cloneFields(x.c.Args[fieldPos:]))
	idText := formatStreamID(id)
	x.reply().Bulk(idText)
	x.changed()
	repl := map[int][]byte{}
	if a.strategy != trimNone {
		s.trim(&a.trimArgs)
		if a.approx {
			trimRewrite(&a, s, repl)
		}
	}
	if !a.idGiven || !a.seqGiven {
		repl[idpos] = idText
	}
	if len(repl) > 0 {
		x.rewrite(x.withArgs(repl)...)
	}
}

func xtrimCommand(x *ctx) {
	a, _, ok := x.parseAddTrim(false)
	if !ok {
		return
	}
	s, ok := x.lookupWriteStream(x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Int(0)
		return
	}
	deleted := s.trim(&a.trimArgs)
	if deleted > 0 {
		x.changed()
		if a.approx {
			repl := map[int][]byte{}
			trimRewrite(&a, s, repl)
			x.rewrite(x.withArgs(repl)...)
		}
	}
	x.reply().Int(deleted)
}

func xdelCommand(x *ctx) {
	s, ok := x.lookupWriteStream(x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Int(0)
		return
	}
	ids := make([]streamID, 0, x.nargs()-2)
	for i := 2; i < x.nargs(); i++ {
		id, ok := x.argStreamID(i, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted, first := 0, false
	for _, id := range ids {
		if !s.remove(id) {
			continue
		}
		if id == s.firstID {
			first = true
		}
		if compareStreamID(id, s.maxDeletedID) > 0 {
			s.maxDeletedID = id
		}
		deleted++
	}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = streamID{}
		} else if first {
			s.firstID = s.firstValid()
		}
		x.changed()
	}
	x.reply().Int(int64(deleted))
}

func xsetidCommand(x *ctx) {
	id, ok := x.argStreamID(2, true)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel streamID
	for i := 3; i < x.nargs(); {
		more := x.nargs() - 1 - i
		switch {
		case x.cis(i, "entriesadded") && more > 0:
			n, ok := x.argInt(i + 1)
			if !ok {
				return
			}
			if n < 0 {
				x.err("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
			i += 2
		case x.cis(i, "maxdeletedid") && more > 0:
			if maxDel, ok = x.argStreamID(i+1, true); !ok {
				return
			}
			if compareStreamID(id, maxDel) < 0 {
				x.err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			i += 2
		default:
			x.err(errSyntax)
			return
		}
	}
	s, ok := x.lookupWriteStream(x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.err(errNoKey)
		return
	}
	if s.length > 0 {
		if compareStreamID(id, s.lastValid()) < 0 {
			x.err("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && s.length > uint64(entriesAdded) {
			x.err("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	s.lastID = id
	if entriesAdded != -1 {
		s.entriesAdded = uint64(entriesAdded)
	}
	if maxDel != minStreamID {
		s.maxDeletedID = maxDel
	}
	x.reply().OK()
	x.changed()
}

// ---- reads ----

func xlenCommand(x *ctx) {
	s, ok := x.lookupStream(x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Int(0)
		return
	}
	x.reply().Int(int64(s.length))
}

func xrangeCommand(x *ctx, rev bool) {
	si, ei := 2, 3
	if rev {
		si, ei = 3, 2
	}
	start, ok := x.argStart(si)
	if !ok {
		return
	}
	end, ok := x.argEnd(ei)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < x.nargs(); j++ {
		if x.cis(j, "count") && x.nargs()-j-1 >= 1 {
			n, ok := x.argInt(j + 1)
			if !ok {
				return
			}
			count = max(n, 0)
			j++
		} else {
			x.err(errSyntax)
			return
		}
	}
	s, ok := x.lookupStream(x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Array(0)
		return
	}
	if count == 0 {
		x.reply().NullArray()
		return
	}
	replyRange(x.reply(), s, start, end, max(count, 0), rev)
}

// xreadCommand is XREAD and XREADGROUP. They never block: with BLOCK and
// nothing to serve they reply as Redis does when it cannot block.
func xreadCommand(x *ctx, group bool) {
	var count int64
	streamsArg, nstreams := 0, 0
	noack := false
	var groupName, consumerName []byte
	for i := 1; i < x.nargs(); i++ {
		more := x.nargs() - i - 1
		switch {
		case x.cis(i, "block") && more > 0:
			i++
			t, ok := parseInt(x.arg(i))
			if !ok {
				x.err("ERR timeout is not an integer or out of range")
				return
			}
			if t < 0 {
				x.err("ERR timeout is negative")
				return
			}
		case x.cis(i, "count") && more > 0:
			i++
			n, ok := x.argInt(i)
			if !ok {
				return
			}
			count = max(n, 0)
		case x.cis(i, "streams") && more > 0:
			streamsArg = i + 1
			nstreams = x.nargs() - streamsArg
			if nstreams%2 != 0 {
				x.err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			nstreams /= 2
			i = x.nargs()
		case x.cis(i, "group") && more >= 2:
			if !group {
				x.err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			groupName, consumerName = x.arg(i+1), x.arg(i+2)
			i += 2
		case x.cis(i, "noack"):
			if !group {
				x.err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			noack = true
		default:
			x.err(errSyntax)
			return
		}
	}
	if streamsArg == 0 {
		x.err(errSyntax)
		return
	}
	if group && groupName == nil {
		x.err("ERR Missing GROUP option for XREADGROUP")
		return
	}
	if group {
		// XREADGROUP's effects are logged as what they did.
		x.noPropagate = true
	}
	ids := make([]streamID, nstreams)
	groups := make([]*streamGroup, nstreams)
	for k := range nstreams {
		key := x.arg(streamsArg + k)
		var s *stream
		var ok bool
		if group {
			s, ok = x.lookupWriteStream(key)
		} else {
			s, ok = x.lookupStream(key)
		}
		if !ok {
			return
		}
		if groupName != nil {
			var g *streamGroup
			if s != nil {
				g = s.group(groupName)
			}
			if g == nil {
				x.errorf("NOGROUP No such key '", string(cstr(key)), "' or consumer group '", string(cstr(groupName)), "' in XREADGROUP with GROUP option")
				return
			}
			groups[k] = g
		}
		arg := cstr(x.arg(streamsArg + nstreams + k))
		switch {
		case string(arg) == "$":
			if group {
				x.err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if s != nil {
				ids[k] = s.lastID
			}
		case string(arg) == ">":
			if !group {
				x.err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			ids[k] = maxStreamID
		default:
			id, ok := x.argStreamID(streamsArg+nstreams+k, true)
			if !ok {
				return
			}
			ids[k] = id
		}
	}
	var body Reply
	body.RESP3 = x.c.Reply.RESP3
	served := 0
	for k := range nstreams {
		key := x.arg(streamsArg + k)
		var s *stream
		if group {
			s, _ = x.lookupWriteStream(key)
		} else {
			s, _ = x.lookupStream(key)
		}
		if s == nil {
			continue
		}
		gt := ids[k]
		serve, history := false, false
		g := groups[k]
		switch {
		case g != nil && gt != maxStreamID:
			serve, history = true, true
		case g != nil:
			if s.length > 0 && compareStreamID(s.lastValid(), g.lastID) > 0 {
				serve = true
				gt = g.lastID
			}
		case s.length > 0:
			serve = compareStreamID(s.lastValid(), gt) > 0
		}
		if !serve {
			continue
		}
		served++
		start, _ := incrID(gt)
		if !body.RESP3 {
			body.Array(2)
		}
		body.Bulk(key)
		if g == nil {
			replyRange(&body, s, start, maxStreamID, count, false)
			continue
		}
		c, created := g.seen(consumerName, x.now())
		if created && noack {
			x.log(x.c.DB, [][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), bytes.Clone(key), bytes.Clone(groupName), bytes.Clone(consumerName)})
		}
		if history {
			x.serveHistory(&body, s, g, c, start, count)
		} else {
			x.serveNew(&body, s, key, g, groupName, c, start, count, noack)
		}
	}
	if served == 0 {
		x.reply().NullArray()
		return
	}
	if x.c.Reply.RESP3 {
		x.reply().Map(served)
	} else {
		x.reply().Array(served)
	}
	x.c.Reply.Buf = append(x.c.Reply.Buf, body.Buf...)
}

// serveHistory replies a consumer's pending entries from start
// (streamReplyWithRangeFromConsumerPEL): a deleted one as its ID and a
// null array; the others count a delivery, which Redis does not
// propagate.
func (x *ctx) serveHistory(r *Reply, s *stream, g *streamGroup, c *streamConsumer, start streamID, count int64) {
	var body Reply
	body.RESP3 = r.RESP3
	n := int64(0)
	i, _ := g.pelIndex(start)
	for ; i < len(g.pel) && (count == 0 || n < count); i++ {
		nk := g.pel[i]
		if nk.consumer != c {
			continue
		}
		if e, ok := s.entry(nk.id); ok {
			replyEntry(&body, e)
			nk.deliveryTime = x.now()
			nk.deliveryCount++
		} else {
			body.Array(2)
			replyStreamID(&body, nk.id)
			body.NullArray()
		}
		n++
	}
	r.Array(int(n))
	r.Buf = append(r.Buf, body.Buf...)
}

// serveNew delivers the entries after the group's last ID to consumer c
// (streamReplyWithRange with a group).
func (x *ctx) serveNew(r *Reply, s *stream, key []byte, g *streamGroup, groupName []byte, c *streamConsumer, start streamID, count int64, noack bool) {
	var body Reply
	body.RESP3 = r.RESP3
	n := int64(0)
	moved := false
	var entries []rdb.StreamEntry
	s.each(start, maxStreamID, false, func(e rdb.StreamEntry) bool {
		entries = append(entries, e)
		return count == 0 || int64(len(entries)) < count
	})
	for _, e := range entries {
		if compareStreamID(e.ID, g.lastID) > 0 {
			if g.entriesRead != -1 && !s.hasTombstones(e.ID) {
				g.entriesRead++
			} else if s.entriesAdded != 0 {
				g.entriesRead = s.estimateEntriesRead(e.ID)
			}
			g.lastID = e.ID
			if noack {
				moved = true
			}
		}
		replyEntry(&body, e)
		n++
		if noack {
			continue
		}
		nk := g.nack(e.ID)
		if nk == nil {
			nk = &streamNACK{id: e.ID, consumer: c, deliveryTime: x.now(), deliveryCount: 1}
			g.insertNACK(nk)
		} else {
			nk.setOwner(c)
			nk.deliveryTime = x.now()
			nk.deliveryCount = 1
		}
		x.logXClaim(key, g, groupName, formatStreamID(e.ID), nk)
	}
	if moved {
		x.logGroupID(key, g, groupName)
	}
	r.Array(int(n))
	r.Buf = append(r.Buf, body.Buf...)
}

// logXClaim logs what streamPropagateXCLAIM propagates for a NACK.
func (x *ctx) logXClaim(key []byte, g *streamGroup, groupName, id []byte, n *streamNACK) {
	x.log(x.c.DB, [][]byte{
		[]byte("XCLAIM"), bytes.Clone(key), bytes.Clone(groupName), []byte(n.consumer.name), []byte("0"),
		bytes.Clone(id), []byte("TIME"), itoa(n.deliveryTime), []byte("RETRYCOUNT"), itoa(int64(n.deliveryCount)),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), formatStreamID(g.lastID),
	})
}

// logGroupID logs what streamPropagateGroupID propagates.
func (x *ctx) logGroupID(key []byte, g *streamGroup, groupName []byte) {
	x.log(x.c.DB, [][]byte{
		[]byte("XGROUP"), []byte("SETID"), bytes.Clone(key), bytes.Clone(groupName),
		formatStreamID(g.lastID), []byte("ENTRIESREAD"), itoa(g.entriesRead),
	})
}
