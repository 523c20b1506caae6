package keyspace

import (
	"bytes"

	"github.com/aofrdb/aofrdb/rdb"
)

// Lists: the value (a deque in a ring buffer) and the list commands.
//
// Redis deletes a list when its last element goes, so a list held here
// is never empty between commands.

// list is a list value: a deque of elements held in a ring buffer, so
// that pushes and pops at both ends are O(1) amortized and reaching an
// element by index is O(1); inserting or removing in the middle moves
// the elements of the shorter side.
//
// Elements are never changed in place: LSET stores a new slice. The
// representation is private to this file; other code goes through the
// aggregate methods.
type list struct {
	buf  [][]byte // the ring; len(buf) is the capacity: 0 or a power of two
	head int      // index in buf of the first element
	n    int      // number of elements
}

const listMinCap = 8

// newListFrom returns a list holding copies of v's elements.
func newListFrom(v rdb.List) *list {
	l := &list{}
	l.resize(len(v))
	for _, e := range v {
		l.pushBack(bytes.Clone(nonNil(e)))
	}
	return l
}

// export returns the elements, head first, as copies.
func (l *list) export() rdb.Value {
	out := make(rdb.List, l.n)
	for i := range out {
		out[i] = bytes.Clone(nonNil(l.at(i)))
	}
	return out
}

// view returns the elements, head first, shared (see aggregate).
func (l *list) view() rdb.Value {
	out := make(rdb.List, l.n)
	for i := range out {
		out[i] = nonNil(l.at(i))
	}
	return out
}

// clone returns a copy sharing no memory that changes: elements are
// never changed in place (LSET and LINSERT store new slices), so they
// are shared.
func (l *list) clone() aggregate {
	c := &list{}
	c.resize(l.n)
	for i := 0; i < l.n; i++ {
		c.pushBack(l.at(i))
	}
	return c
}

// len returns the number of elements.
func (l *list) len() int { return l.n }

// pos returns the ring index of element i (0 <= i < n).
func (l *list) pos(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// at returns element i (0 <= i < n).
func (l *list) at(i int) []byte { return l.buf[l.pos(i)] }

// setAt replaces element i (0 <= i < n).
func (l *list) setAt(i int, v []byte) { l.buf[l.pos(i)] = v }

// resize moves the elements into a new ring with room for at least
// capacity elements (and at least n).
func (l *list) resize(capacity int) {
	c := listMinCap
	for c < capacity || c < l.n {
		c *= 2
	}
	buf := make([][]byte, c)
	for i := 0; i < l.n; i++ {
		buf[i] = l.at(i)
	}
	l.buf, l.head = buf, 0
}

// grow makes room for one more element.
func (l *list) grow() {
	if l.n == len(l.buf) {
		l.resize(2 * l.n)
	}
}

// shrink gives memory back when the ring is mostly empty.
func (l *list) shrink() {
	if len(l.buf) > listMinCap && l.n < len(l.buf)/4 {
		l.resize(len(l.buf) / 2)
	}
}

func (l *list) pushFront(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
}

func (l *list) pushBack(v []byte) {
	l.grow()
	l.buf[l.pos(l.n)] = v
	l.n++
}

// push adds v at the head (front) or the tail.
func (l *list) push(v []byte, front bool) {
	if front {
		l.pushFront(v)
	} else {
		l.pushBack(v)
	}
}

// pop removes and returns the first (front) or last element; the list
// must not be empty.
func (l *list) pop(front bool) []byte {
	var i int
	if front {
		i = l.head
		l.head = (l.head + 1) & (len(l.buf) - 1)
	} else {
		i = l.pos(l.n - 1)
	}
	v := l.buf[i]
	l.buf[i] = nil
	l.n--
	l.shrink()
	return v
}

// insert inserts v before element i (0 <= i <= n), moving the shorter
// side.
func (l *list) insert(i int, v []byte) {
	if i < l.n/2 {
		l.pushFront(nil)
		for j := 0; j < i; j++ {
			l.setAt(j, l.at(j+1))
		}
	} else {
		l.pushBack(nil)
		for j := l.n - 1; j > i; j-- {
			l.setAt(j, l.at(j-1))
		}
	}
	l.setAt(i, v)
}

// removeEqual removes up to limit elements equal to v (all of them when
// limit is 0), scanning from the head, or from the tail when fromTail is
// set, and returns how many it removed.
func (l *list) removeEqual(v []byte, limit int64, fromTail bool) int64 {
	// Compact the survivors towards the end the scan starts from, then
	// drop what is left at the other end.
	idx := func(k int) int { return k }
	if fromTail {
		idx = func(k int) int { return l.n - 1 - k }
	}
	removed, w := int64(0), 0
	for r := 0; r < l.n; r++ {
		e := l.at(idx(r))
		if (limit == 0 || removed < limit) && bytes.Equal(e, v) {
			removed++
			continue
		}
		l.setAt(idx(w), e)
		w++
	}
	for l.n > w {
		l.pop(fromTail)
	}
	return removed
}

// index converts a LINDEX/LSET index (negative counts from the tail) to
// a position, reporting false when it is out of range.
func (l *list) index(i int64) (int, bool) {
	if i < 0 {
		i += int64(l.n)
	}
	if i < 0 || i >= int64(l.n) {
		return 0, false
	}
	return int(i), true
}

// span converts LRANGE/LTRIM's inclusive start and end (negative count
// from the tail) into the half-open range of positions [from, to),
// empty when they select nothing.
func (l *list) span(start, end int64) (from, to int) {
	n := int64(l.n)
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	if start > end || start >= n {
		return 0, 0
	}
	end = min(end, n-1)
	return int(start), int(end + 1)
}

// ---- commands ----

func init() {
	register("lpush", -3, true, 1, 1, 1, func(x *ctx) { listPushCommand(x, true, false) })
	register("rpush", -3, true, 1, 1, 1, func(x *ctx) { listPushCommand(x, false, false) })
	register("lpushx", -3, true, 1, 1, 1, func(x *ctx) { listPushCommand(x, true, true) })
	register("rpushx", -3, true, 1, 1, 1, func(x *ctx) { listPushCommand(x, false, true) })
	register("lpop", -2, true, 1, 1, 1, func(x *ctx) { listPopCommand(x, true) })
	register("rpop", -2, true, 1, 1, 1, func(x *ctx) { listPopCommand(x, false) })
	register("lset", 4, true, 1, 1, 1, lsetCommand)
	register("linsert", 5, true, 1, 1, 1, linsertCommand)
	register("lrem", 4, true, 1, 1, 1, lremCommand)
	register("ltrim", 4, true, 1, 1, 1, ltrimCommand)
	register("rpoplpush", 3, true, 1, 2, 1, func(x *ctx) { lmoveCommand(x, false, true, nil) })
	register("lmove", 5, true, 1, 2, 1, lmoveArgsCommand)
	register("lmpop", -4, true, 0, 0, 0, func(x *ctx) { lmpopCommand(x, 1, false) })
	register("blpop", -3, true, 1, -2, 1, func(x *ctx) { blpopCommand(x, true) })
	register("brpop", -3, true, 1, -2, 1, func(x *ctx) { blpopCommand(x, false) })
	register("brpoplpush", 4, true, 1, 2, 1, brpoplpushCommand)
	register("blmove", 6, true, 1, 2, 1, blmoveCommand)
	register("blmpop", -5, true, 0, 0, 0, func(x *ctx) { lmpopCommand(x, 2, true) })
	register("lrange", 4, false, 1, 1, 1, lrangeCommand)
	register("llen", 2, false, 1, 1, 1, llenCommand)
	register("lindex", 3, false, 1, 1, 1, lindexCommand)
	register("lpos", -3, false, 1, 1, 1, lposCommand)
}

// Error replies of the list commands.
const (
	errListPopCount  = "ERR value is out of range, must be positive"
	errListNumkeys   = "ERR numkeys should be greater than 0"
	errListMpopCount = "ERR count should be greater than 0"
)

// lookupList finds key for reading as a list: nil, true when it is
// missing; nil, false (WRONGTYPE replied) when it holds another type.
func (x *ctx) lookupList(key []byte) (*list, bool) {
	o, ok := x.lookupType(key, rdb.TypeList)
	if o == nil {
		return nil, ok
	}
	return o.v.(*list), true
}

// lookupWriteList is lookupList for changing the list in place.
func (x *ctx) lookupWriteList(key []byte) (*list, bool) {
	o, ok := x.lookupWriteType(key, rdb.TypeList)
	if o == nil {
		return nil, ok
	}
	return o.v.(*list), true
}

// createList stores a new empty list under key and returns it; the
// caller fills it before the command ends.
func (x *ctx) createList(key []byte) *list {
	l := &list{}
	x.set(key, &object{typ: rdb.TypeList, v: l})
	return l
}

// listChanged marks the command dirty after l, the list under key,
// changed, and deletes the key when the list became empty.
func (x *ctx) listChanged(key []byte, l *list) {
	x.changed()
	if l.len() == 0 {
		x.delete(key)
	}
}

// argListEnd parses argument i as LEFT (the head: true) or RIGHT,
// replying a syntax error when it is neither.
func (x *ctx) argListEnd(i int) (front, ok bool) {
	switch {
	case x.is(i, "left"):
		return true, true
	case x.is(i, "right"):
		return false, true
	}
	x.err(errSyntax)
	return false, false
}

// listPopName is the pop command of an end of a list, as Redis
// propagates it.
func listPopName(front bool) []byte {
	if front {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

// listPushCommand is LPUSH, RPUSH and, with onlyExisting, LPUSHX and RPUSHX.
func listPushCommand(x *ctx, front, onlyExisting bool) {
	key := x.arg(1)
	l, ok := x.lookupWriteList(key)
	if !ok {
		return
	}
	if l == nil {
		if onlyExisting {
			x.reply().Int(0)
			return
		}
		l = x.createList(key)
	}
	for _, e := range x.c.Args[2:] {
		l.push(bytes.Clone(e), front)
	}
	x.changed()
	x.reply().Int(int64(l.len()))
}

// listPopCommand is LPOP and RPOP, with their optional count.
func listPopCommand(x *ctx, front bool) {
	if x.nargs() > 3 {
		x.err("ERR wrong number of arguments for '" + x.cmd.info.Name + "' command")
		return
	}
	withCount := x.nargs() == 3
	var count int64
	if withCount {
		n, ok := parseInt(x.arg(2))
		if !ok || n < 0 {
			x.err(errListPopCount)
			return
		}
		count = n
	}
	key := x.arg(1)
	l, ok := x.lookupWriteList(key)
	if !ok {
		return
	}
	switch {
	case l == nil && withCount:
		x.reply().NullArray()
		return
	case l == nil:
		x.reply().Null()
		return
	case withCount && count == 0:
		x.reply().Array(0)
		return
	}
	if !withCount {
		x.reply().Bulk(l.pop(front))
	} else {
		listPopReply(x, l, front, count)
	}
	x.listChanged(key, l)
}

// listPopReply pops up to count elements from one end of l, replying them
// as an array in the order popped, and returns how many it popped.
func listPopReply(x *ctx, l *list, front bool, count int64) int {
	n := int(min(count, int64(l.len())))
	x.reply().Array(n)
	for range n {
		x.reply().Bulk(l.pop(front))
	}
	return n
}

// lmpopCommand is LMPOP (numkeys at argument 1) and BLMPOP (timeout at
// 1, numkeys at 2): the first non-empty list among the keys gives up
// to COUNT elements, replied with its name; it is propagated as LPOP or
// RPOP with the number of elements popped.
func lmpopCommand(x *ctx, numkeysAt int, blocking bool) {
	numkeys, ok := parseInt(x.arg(numkeysAt))
	if !ok || numkeys < 1 {
		x.err(errListNumkeys)
		return
	}
	if numkeys > int64(x.nargs()-numkeysAt-2) {
		x.err(errSyntax)
		return
	}
	whereAt := numkeysAt + int(numkeys) + 1
	front, ok := x.argListEnd(whereAt)
	if !ok {
		return
	}
	count := int64(-1)
	for i := whereAt + 1; i < x.nargs(); i++ {
		if count == -1 && x.is(i, "count") && i+1 < x.nargs() {
			i++
			n, ok := parseInt(x.arg(i))
			if !ok || n < 1 {
				x.err(errListMpopCount)
				return
			}
			count = n
			continue
		}
		x.err(errSyntax)
		return
	}
	count = max(count, 1)
	if blocking && !x.argTimeout(1) {
		return
	}
	for _, key := range x.c.Args[numkeysAt+1 : whereAt] {
		l, ok := x.lookupWriteList(key)
		if !ok {
			return
		}
		if l == nil {
			continue
		}
		x.reply().Array(2)
		x.reply().Bulk(key)
		n := listPopReply(x, l, front, count)
		x.listChanged(key, l)
		x.rewrite(listPopName(front), key, itoa(int64(n)))
		return
	}
	// Nothing to pop: what Redis replies when it cannot block (in
	// MULTI) or when the timeout expires.
	x.reply().NullArray()
}

// blpopCommand is BLPOP and BRPOP without blocking: the first non-empty
// list among the keys gives one element, replied with its name, and it
// is propagated as LPOP or RPOP of that key.
func blpopCommand(x *ctx, front bool) {
	if !x.argTimeout(x.nargs() - 1) {
		return
	}
	for _, key := range x.c.Args[1 : x.nargs()-1] {
		l, ok := x.lookupWriteList(key)
		if !ok {
			return
		}
		if l == nil {
			continue
		}
		x.reply().Array(2)
		x.reply().Bulk(key)
		x.reply().Bulk(l.pop(front))
		x.listChanged(key, l)
		x.rewrite(listPopName(front), key)
		return
	}
	x.reply().NullArray()
}

func lmoveArgsCommand(x *ctx) {
	from, ok := x.argListEnd(3)
	if !ok {
		return
	}
	to, ok := x.argListEnd(4)
	if !ok {
		return
	}
	lmoveCommand(x, from, to, nil)
}

func brpoplpushCommand(x *ctx) {
	if !x.argTimeout(3) {
		return
	}
	lmoveCommand(x, false, true, [][]byte{[]byte("RPOPLPUSH"), x.arg(1), x.arg(2)})
}

func blmoveCommand(x *ctx) {
	from, ok := x.argListEnd(3)
	if !ok {
		return
	}
	to, ok := x.argListEnd(4)
	if !ok {
		return
	}
	if !x.argTimeout(5) {
		return
	}
	lmoveCommand(x, from, to, [][]byte{[]byte("LMOVE"), x.arg(1), x.arg(2), x.arg(3), x.arg(4)})
}

// lmoveCommand moves an element from one end of the source list to one
// end of the destination (which may be the same list), replying the
// element, or a null bulk when the source is missing (what Redis replies
// to BLMOVE and BRPOPLPUSH when it cannot block). A non-nil propagate is
// logged instead of the command.
func lmoveCommand(x *ctx, from, to bool, propagate [][]byte) {
	src, dst := x.arg(1), x.arg(2)
	sl, ok := x.lookupWriteList(src)
	if !ok {
		return
	}
	if sl == nil {
		x.reply().Null()
		return
	}
	dl, ok := x.lookupWriteList(dst)
	if !ok {
		return
	}
	v := sl.pop(from)
	if dl == nil {
		dl = x.createList(dst)
	}
	dl.push(v, to)
	x.reply().Bulk(v)
	x.listChanged(src, sl)
	if propagate != nil {
		x.rewrite(propagate...)
	}
}

func lsetCommand(x *ctx) {
	key := x.arg(1)
	l, ok := x.lookupWriteList(key)
	if !ok {
		return
	}
	if l == nil {
		x.err(errNoKey)
		return
	}
	n, ok := x.argInt(2)
	if !ok {
		return
	}
	i, ok := l.index(n)
	if !ok {
		x.err(errOutOfRange)
		return
	}
	l.setAt(i, bytes.Clone(x.arg(3)))
	x.changed()
	x.reply().OK()
}

func linsertCommand(x *ctx) {
	var after bool
	switch {
	case x.is(2, "after"):
		after = true
	case x.is(2, "before"):
	default:
		x.err(errSyntax)
		return
	}
	l, ok := x.lookupWriteList(x.arg(1))
	if !ok {
		return
	}
	if l == nil {
		x.reply().Int(0)
		return
	}
	pivot := x.arg(3)
	for i := 0; i < l.len(); i++ {
		if bytes.Equal(l.at(i), pivot) {
			if after {
				i++
			}
			l.insert(i, bytes.Clone(x.arg(4)))
			x.changed()
			x.reply().Int(int64(l.len()))
			return
		}
	}
	x.reply().Int(-1)
}

func lremCommand(x *ctx) {
	count, ok := x.argInt(2)
	if !ok {
		return
	}
	key := x.arg(1)
	l, ok := x.lookupWriteList(key)
	if !ok {
		return
	}
	if l == nil {
		x.reply().Int(0)
		return
	}
	// A count of math.MinInt64 has no opposite: Redis's negation leaves
	// it negative, and it removes every match from the tail.
	fromTail := count < 0
	limit := count
	if fromTail {
		limit = -count
		if limit < 0 {
			limit = 0
		}
	}
	removed := l.removeEqual(x.arg(3), limit, fromTail)
	if removed > 0 {
		x.listChanged(key, l)
	}
	x.reply().Int(removed)
}

func ltrimCommand(x *ctx) {
	start, ok := x.argInt(2)
	if !ok {
		return
	}
	end, ok := x.argInt(3)
	if !ok {
		return
	}
	key := x.arg(1)
	l, ok := x.lookupWriteList(key)
	if !ok {
		return
	}
	if l == nil {
		x.reply().OK()
		return
	}
	from, to := l.span(start, end)
	left, right := from, l.len()-to
	if from == to { // nothing kept
		left, right = l.len(), 0
	}
	for range left {
		l.pop(true)
	}
	for range right {
		l.pop(false)
	}
	if left+right > 0 {
		x.listChanged(key, l)
	}
	x.reply().OK()
}

func lrangeCommand(x *ctx) {
	start, ok := x.argInt(2)
	if !ok {
		return
	}
	end, ok := x.argInt(3)
	if !ok {
		return
	}
	l, ok := x.lookupList(x.arg(1))
	if !ok {
		return
	}
	if l == nil {
		x.reply().Array(0)
		return
	}
	from, to := l.span(start, end)
	x.reply().Array(to - from)
	for i := from; i < to; i++ {
		x.reply().Bulk(l.at(i))
	}
}

func llenCommand(x *ctx) {
	l, ok := x.lookupList(x.arg(1))
	if !ok {
		return
	}
	if l == nil {
		x.reply().Int(0)
		return
	}
	x.reply().Int(int64(l.len()))
}

func lindexCommand(x *ctx) {
	l, ok := x.lookupList(x.arg(1))
	if !ok {
		return
	}
	if l == nil {
		x.reply().Null()
		return
	}
	n, ok := x.argInt(2)
	if !ok {
		return
	}
	if i, ok := l.index(n); ok {
		x.reply().Bulk(l.at(i))
	} else {
		x.reply().Null()
	}
}

// lposCommand is LPOS key element [RANK rank] [COUNT num] [MAXLEN len].
func lposCommand(x *ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for i := 3; i < x.nargs(); i++ {
		more := i+1 < x.nargs()
		switch {
		case x.is(i, "rank") && more:
			i++
			n, ok := x.argInt(i)
			if !ok {
				return
			}
			if n == 0 {
				x.err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return
			}
			rank = n
		case x.is(i, "count") && more:
			i++
			n, ok := parseInt(x.arg(i))
			if !ok || n < 0 {
				x.err("ERR COUNT can't be negative")
				return
			}
			count = n
		case x.is(i, "maxlen") && more:
			i++
			n, ok := parseInt(x.arg(i))
			if !ok || n < 0 {
				x.err("ERR MAXLEN can't be negative")
				return
			}
			maxlen = n
		default:
			x.err(errSyntax)
			return
		}
	}
	// A negative rank searches from the tail. As in Redis, the rank
	// math.MinInt64 stays negative once negated: every match counts.
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	l, ok := x.lookupList(x.arg(1))
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			x.reply().Array(0)
		} else {
			x.reply().Null()
		}
		return
	}
	elem := x.arg(2)
	var found []int64
	matches := int64(0)
	for k := 0; k < l.len() && (maxlen == 0 || int64(k) < maxlen); k++ {
		i := k
		if fromTail {
			i = l.len() - 1 - k
		}
		if !bytes.Equal(l.at(i), elem) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		found = append(found, int64(i))
		if count == -1 || count != 0 && matches-rank+1 >= count {
			break
		}
	}
	if count != -1 {
		x.reply().Array(len(found))
		for _, i := range found {
			x.reply().Int(i)
		}
	} else if len(found) > 0 {
		x.reply().Int(found[0])
	} else {
		x.reply().Null()
	}
}
