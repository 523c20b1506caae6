package keyspace

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// Set commands, as Redis 7.0's t_set.c runs them.

func init() {
	register("sadd", -3, true, 1, 1, 1, saddCommand)
	register("srem", -3, true, 1, 1, 1, sremCommand)
	register("spop", -2, true, 1, 1, 1, spopCommand)
	register("smove", 4, true, 1, 2, 1, smoveCommand)
	register("sinterstore", -3, true, 1, -1, 1, func(x *ctx) { sinterGeneric(x, x.c.Args[2:], x.arg(1), false, 0) })
	register("sunionstore", -3, true, 1, -1, 1, func(x *ctx) { sunionDiffGeneric(x, x.c.Args[2:], x.arg(1), false) })
	register("sdiffstore", -3, true, 1, -1, 1, func(x *ctx) { sunionDiffGeneric(x, x.c.Args[2:], x.arg(1), true) })
	register("smembers", 2, false, 1, 1, 1, func(x *ctx) { sinterGeneric(x, x.c.Args[1:], nil, false, 0) })
	register("sismember", 3, false, 1, 1, 1, sismemberCommand)
	register("smismember", -3, false, 1, 1, 1, smismemberCommand)
	register("scard", 2, false, 1, 1, 1, scardCommand)
	register("sinter", -2, false, 1, -1, 1, func(x *ctx) { sinterGeneric(x, x.c.Args[1:], nil, false, 0) })
	register("sunion", -2, false, 1, -1, 1, func(x *ctx) { sunionDiffGeneric(x, x.c.Args[1:], nil, false) })
	register("sdiff", -2, false, 1, -1, 1, func(x *ctx) { sunionDiffGeneric(x, x.c.Args[1:], nil, true) })
	register("sintercard", -3, false, 0, 0, 0, sintercardCommand)
	register("srandmember", -2, false, 1, 1, 1, srandmemberCommand)
	register("sscan", -3, false, 1, 1, 1, sscanCommand)
}

// set is a set value in one of Redis's two encodings, which decide the
// order Redis replies in:
//
//   - intset (index == nil): every member is an integer in canonical
//     form (string2ll) and there are at most set-max-intset-entries of
//     them; ints holds them ascending, the order of Redis's replies.
//   - hash table (index != nil): Redis's order is its dict's, which is
//     not specified; members holds them in no particular order and index
//     maps each to its position, so that a random member and a removal
//     cost O(1).
//
// An intset becomes a hash table when a member that is not an integer
// arrives or when it outgrows the limit, and a hash table never becomes
// an intset again, as in Redis. A new set starts as an intset: one that
// SADD, SMOVE, SINTERSTORE and the like create by adding members one by
// one, one loaded from a snapshot (newSetFrom), and the set SPOP leaves
// behind when it rebuilds it.
type set struct {
	ints    []int64
	members []string
	index   map[string]int
}

// intsetLimit is the largest intset for a set-max-intset-entries of max
// (Redis caps it at 2^30).
func intsetLimit(max int) int { return min(max, 1<<30) }

// newSetFrom builds a set from the value model as Redis loads one: an
// intset when every member is an integer and there are at most maxIntset
// of them, else a hash table. Duplicates are dropped.
func newSetFrom(v rdb.Set, maxIntset int) *set {
	s := &set{}
	if len(v) > intsetLimit(maxIntset) {
		s.toTable()
	}
	for _, m := range v {
		s.add(m, maxIntset)
	}
	return s
}

// export returns the members in reply order, as new slices.
func (s *set) export() rdb.Value {
	out := make(rdb.Set, s.len())
	for i := range out {
		out[i] = s.member(i)
	}
	return out
}

// view returns the members, sharing their bytes (see aggregate).
func (s *set) view() rdb.Value {
	if !s.isTable() {
		return s.export() // at most set-max-intset-entries integers
	}
	out := make(rdb.Set, len(s.members))
	for i, m := range s.members {
		out[i] = bytesOf(m)
	}
	return out
}

// clone returns a copy sharing no memory that changes (members are
// immutable strings).
func (s *set) clone() aggregate {
	return &set{ints: slices.Clone(s.ints), members: slices.Clone(s.members), index: maps.Clone(s.index)}
}

func (s *set) isTable() bool { return s.index != nil }

func (s *set) len() int {
	if s.isTable() {
		return len(s.members)
	}
	return len(s.ints)
}

// toTable converts an intset to a hash table, keeping the ascending
// order for now.
func (s *set) toTable() {
	s.members = make([]string, len(s.ints))
	s.index = make(map[string]int, len(s.ints))
	for i, n := range s.ints {
		m := strconv.FormatInt(n, 10)
		s.members[i] = m
		s.index[m] = i
	}
	s.ints = nil
}

// find returns the position of m, or -1.
func (s *set) find(m []byte) int {
	if s.isTable() {
		if i, ok := s.index[string(m)]; ok {
			return i
		}
		return -1
	}
	n, ok := parseInt(m)
	if !ok {
		return -1
	}
	if i, found := slices.BinarySearch(s.ints, n); found {
		return i
	}
	return -1
}

func (s *set) has(m []byte) bool { return s.find(m) >= 0 }

// add adds m, reporting whether it was new, converting the intset as
// Redis's setTypeAdd does.
func (s *set) add(m []byte, maxIntset int) bool {
	if !s.isTable() {
		if n, ok := parseInt(m); ok {
			i, found := slices.BinarySearch(s.ints, n)
			if found {
				return false
			}
			s.ints = slices.Insert(s.ints, i, n)
			if len(s.ints) > intsetLimit(maxIntset) {
				s.toTable()
			}
			return true
		}
		s.toTable()
	}
	if _, ok := s.index[string(m)]; ok {
		return false
	}
	k := string(m)
	s.index[k] = len(s.members)
	s.members = append(s.members, k)
	return true
}

// remove removes m, reporting whether it was there.
func (s *set) remove(m []byte) bool {
	i := s.find(m)
	if i < 0 {
		return false
	}
	s.removeAt(i)
	return true
}

// removeAt removes the member at position i: in place in an intset, by
// moving the last member into its place in a hash table.
func (s *set) removeAt(i int) {
	if !s.isTable() {
		s.ints = slices.Delete(s.ints, i, i+1)
		return
	}
	last := len(s.members) - 1
	gone, moved := s.members[i], s.members[last]
	s.members[i] = moved
	s.index[moved] = i
	delete(s.index, gone)
	s.members[last] = ""
	s.members = s.members[:last]
}

// member returns the member at position i as a new slice.
func (s *set) member(i int) []byte {
	if s.isTable() {
		return []byte(s.members[i])
	}
	return strconv.AppendInt(nil, s.ints[i], 10)
}

// replyMember appends the member at position i to r.
func (s *set) replyMember(r *Reply, i int) {
	if s.isTable() {
		r.BulkString(s.members[i])
	} else {
		r.BulkInt(s.ints[i])
	}
}

// reply appends the whole set to r as a set reply, in order.
func (s *set) reply(r *Reply) {
	r.Set(s.len())
	for i := range s.len() {
		s.replyMember(r, i)
	}
}

// maxRandomCount bounds the number of elements SRANDMEMBER and
// HRANDFIELD return for a negative count (repetitions allowed). Redis
// would try to send any number, growing the client's output buffer
// without end; this keyspace, which builds a reply in memory, replies
// errRandomCount instead beyond this many.
const maxRandomCount = 1 << 24

const errRandomCount = "ERR value is out of range"

// randomDistinct returns count distinct positions in [0, n), count < n,
// in random order.
func randomDistinct(n, count int) []int {
	if count*3 > n {
		return rand.Perm(n)[:count]
	}
	picked := make(map[int]bool, count)
	out := make([]int, 0, count)
	for len(out) < count {
		i := rand.IntN(n)
		if !picked[i] {
			picked[i] = true
			out = append(out, i)
		}
	}
	return out
}

// ---- commands ----

func (x *ctx) maxIntset() int { return x.m.opts.SetMaxIntsetEntries }

func newSetObject(s *set) *object { return &object{typ: rdb.TypeSet, v: s} }

func saddCommand(x *ctx) {
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeSet)
	if !ok {
		return
	}
	if o == nil {
		o = newSetObject(&set{})
		x.set(key, o)
	}
	s := o.v.(*set)
	added := 0
	for _, m := range x.c.Args[2:] {
		if s.add(m, x.maxIntset()) {
			added++
		}
	}
	if added > 0 {
		x.changed()
	}
	x.reply().Int(int64(added))
}

func sremCommand(x *ctx) {
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeSet)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Int(0)
		return
	}
	s := o.v.(*set)
	removed := 0
	for _, m := range x.c.Args[2:] {
		if s.remove(m) {
			removed++
			if s.len() == 0 {
				x.delete(key)
				break
			}
		}
	}
	if removed > 0 {
		x.changed()
	}
	x.reply().Int(int64(removed))
}

// spopCommand pops one random member, logged as SREM key member.
func spopCommand(x *ctx) {
	if x.nargs() == 3 {
		spopCountCommand(x)
		return
	}
	if x.nargs() > 3 {
		x.err(errSyntax)
		return
	}
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeSet)
	if !ok {
		return
	}
	if o == nil {
		x.reply().Null()
		return
	}
	s := o.v.(*set)
	i := rand.IntN(s.len())
	m := s.member(i)
	s.removeAt(i)
	x.rewrite([]byte("SREM"), key, m)
	x.reply().Bulk(m)
	if s.len() == 0 {
		x.delete(key)
	}
	x.changed()
}

// spopCountMul is SPOP_MOVE_STRATEGY_MUL: when fewer than count/5
// members remain, SPOP rebuilds the set from the members that stay.
const spopCountMul = 5

// spopCountCommand is SPOP key count, as spopWithCountCommand: popping
// everything replies the set as SUNION would and logs DEL; otherwise each
// popped member is logged as its own SREM, as Redis 7.0 propagates it.
func spopCountCommand(x *ctx) {
	count, ok := parseInt(x.arg(2))
	if !ok || count < 0 {
		x.err("ERR value is out of range, must be positive")
		return
	}
	key := x.arg(1)
	o, ok := x.lookupWriteType(key, rdb.TypeSet)
	if !ok {
		return
	}
	r := x.reply()
	if o == nil || count == 0 {
		r.Set(0)
		return
	}
	s := o.v.(*set)
	size := int64(s.len())
	if count >= size {
		union := &set{}
		for i := range s.len() {
			union.add(s.member(i), x.maxIntset())
		}
		union.reply(r)
		x.delete(key)
		x.rewrite([]byte("DEL"), key)
		return
	}
	r.Set(int(count))
	pop := func(m []byte) {
		r.Bulk(m)
		x.log(x.c.DB, [][]byte{[]byte("SREM"), key, m})
	}
	if remaining := size - count; remaining*spopCountMul > count {
		for range count {
			i := rand.IntN(s.len())
			m := s.member(i)
			s.removeAt(i)
			pop(m)
		}
	} else {
		// Move the members that stay to a new set, then pop what
		// is left of the old one in its order.
		kept := &set{}
		for range remaining {
			i := rand.IntN(s.len())
			kept.add(s.member(i), x.maxIntset())
			s.removeAt(i)
		}
		for i := range s.len() {
			pop(s.member(i))
		}
		o.v = kept
	}
	x.changed()
	x.noPropagate = true
}

func smoveCommand(x *ctx) {
	src, dst, m := x.arg(1), x.arg(2), x.arg(3)
	so := x.lookupWrite(src)
	do := x.lookupWrite(dst)
	if so == nil {
		x.reply().Int(0)
		return
	}
	if so.typ != rdb.TypeSet || do != nil && do.typ != rdb.TypeSet {
		x.err(errWrongType)
		return
	}
	ss := so.v.(*set)
	if so == do {
		x.reply().Bool(ss.has(m))
		return
	}
	if !ss.remove(m) {
		x.reply().Int(0)
		return
	}
	if ss.len() == 0 {
		x.delete(src)
	}
	if do == nil {
		do = newSetObject(&set{})
		x.set(dst, do)
	}
	do.v.(*set).add(m, x.maxIntset())
	x.changed()
	x.reply().Int(1)
}

// readSet looks key up for reading: the set, or nil for a missing key;
// ok is false when it replied WRONGTYPE.
func readSet(x *ctx, key []byte) (*set, bool) {
	o, ok := x.lookupType(key, rdb.TypeSet)
	if o == nil {
		return nil, ok
	}
	return o.v.(*set), true
}

func sismemberCommand(x *ctx) {
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	x.reply().Bool(s != nil && s.has(x.arg(2)))
}

func smismemberCommand(x *ctx) {
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	r.Array(x.nargs() - 2)
	for _, m := range x.c.Args[2:] {
		r.Bool(s != nil && s.has(m))
	}
}

func scardCommand(x *ctx) {
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Int(0)
		return
	}
	x.reply().Int(int64(s.len()))
}

// readSets looks up every key for reading: the sets, nil for missing
// keys; ok is false when it replied WRONGTYPE.
func readSets(x *ctx, keys [][]byte) ([]*set, bool) {
	sets := make([]*set, len(keys))
	for i, k := range keys {
		s, ok := readSet(x, k)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// storeSet stores the result of SINTERSTORE and the like in dst, or
// deletes dst when it is empty, replying its size.
func storeSet(x *ctx, dst []byte, s *set) {
	if s.len() > 0 {
		x.set(dst, newSetObject(s))
	} else {
		x.delete(dst)
	}
	x.reply().Int(int64(s.len()))
}

// sinterGeneric is SINTER, SMEMBERS, SINTERSTORE (dst set) and
// SINTERCARD (cardOnly, stopping at limit when it is not 0). The members
// of the smallest set are tested against the others, in its order.
func sinterGeneric(x *ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, ok := readSets(x, keys)
	if !ok {
		return
	}
	r := x.reply()
	if slices.Contains(sets, nil) {
		switch {
		case dst != nil:
			storeSet(x, dst, &set{})
		case cardOnly:
			r.Int(0)
		default:
			r.Set(0)
		}
		return
	}
	slices.SortStableFunc(sets, func(a, b *set) int { return cmp.Compare(a.len(), b.len()) })
	first := sets[0]
	var in []int // positions in first of the members in every set
	for i := range first.len() {
		m := first.member(i)
		every := true
		for _, t := range sets[1:] {
			if t != first && !t.has(m) {
				every = false
				break
			}
		}
		if !every {
			continue
		}
		in = append(in, i)
		if cardOnly && limit > 0 && int64(len(in)) >= limit {
			break
		}
	}
	switch {
	case cardOnly:
		r.Int(int64(len(in)))
	case dst != nil:
		res := &set{}
		for _, i := range in {
			res.add(first.member(i), x.maxIntset())
		}
		storeSet(x, dst, res)
	default:
		r.Set(len(in))
		for _, i := range in {
			first.replyMember(r, i)
		}
	}
}

// sunionDiffGeneric is SUNION, SDIFF, SUNIONSTORE and SDIFFSTORE (dst
// set). The result is built as a new set, member by member, so its
// encoding (and reply order) is Redis's; SDIFF picks between Redis's two
// algorithms as Redis does, since the second adds members it removes
// later, which can turn the result into a hash table.
func sunionDiffGeneric(x *ctx, keys [][]byte, dst []byte, diff bool) {
	sets, ok := readSets(x, keys)
	if !ok {
		return
	}
	max := x.maxIntset()
	res := &set{}
	switch {
	case !diff:
		for _, s := range sets {
			if s == nil {
				continue
			}
			for i := range s.len() {
				res.add(s.member(i), max)
			}
		}
	case sets[0] == nil || slices.Contains(sets[1:], sets[0]):
		// Empty.
	case diffAlgorithm(sets) == 1:
		for i := range sets[0].len() {
			m := sets[0].member(i)
			if !slices.ContainsFunc(sets[1:], func(t *set) bool { return t != nil && t.has(m) }) {
				res.add(m, max)
			}
		}
	default:
		for j, s := range sets {
			if s == nil {
				continue
			}
			for i := range s.len() {
				if j == 0 {
					res.add(s.member(i), max)
				} else {
					res.remove(s.member(i))
				}
			}
			if res.len() == 0 {
				break
			}
		}
	}
	if dst != nil {
		storeSet(x, dst, res)
		return
	}
	res.reply(x.reply())
}

// diffAlgorithm chooses SDIFF's algorithm as Redis does: 1 tests each
// member of the first set against the others, 2 adds the first set and
// removes the others.
func diffAlgorithm(sets []*set) int {
	one, two := 0, 0
	for _, s := range sets {
		if s != nil {
			one += sets[0].len()
			two += s.len()
		}
	}
	if one/2 <= two {
		return 1
	}
	return 2
}

// sintercardCommand is SINTERCARD numkeys key [key ...] [LIMIT limit].
func sintercardCommand(x *ctx) {
	numkeys, ok := parseInt(x.arg(1))
	if !ok || numkeys < 1 {
		x.err("ERR numkeys should be greater than 0")
		return
	}
	if numkeys > int64(x.nargs()-2) {
		x.err("ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for i := 2 + int(numkeys); i < x.nargs(); i++ {
		if !x.is(i, "limit") || i+1 >= x.nargs() {
			x.err(errSyntax)
			return
		}
		i++
		n, ok := parseInt(x.arg(i))
		if !ok || n < 0 {
			x.err("ERR LIMIT can't be negative")
			return
		}
		limit = n
	}
	sinterGeneric(x, x.c.Args[2:2+numkeys], nil, true, limit)
}

// parseRandomCount parses the count of SRANDMEMBER and HRANDFIELD: any
// integer but math.MinInt64.
func (x *ctx) parseRandomCount(i int) (int64, bool) {
	n, ok := x.argInt(i)
	if !ok {
		return 0, false
	}
	if n == math.MinInt64 {
		x.err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false
	}
	return n, true
}

func srandmemberCommand(x *ctx) {
	if x.nargs() == 3 {
		srandmemberCountCommand(x)
		return
	}
	if x.nargs() > 3 {
		x.err(errSyntax)
		return
	}
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.reply().Null()
		return
	}
	s.replyMember(x.reply(), rand.IntN(s.len()))
}

// srandmemberCountCommand is SRANDMEMBER key count: a negative count
// allows repetitions, a count at least the size replies the whole set in
// order, otherwise distinct members in random order.
func srandmemberCountCommand(x *ctx) {
	count, ok := x.parseRandomCount(2)
	if !ok {
		return
	}
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	r := x.reply()
	if s == nil || count == 0 {
		r.Array(0)
		return
	}
	size := int64(s.len())
	switch {
	case count < 0 || count == 1:
		n := count
		if n < 0 {
			n = -n
		}
		if n > maxRandomCount {
			x.err(errRandomCount)
			return
		}
		r.Array(int(n))
		for range n {
			s.replyMember(r, rand.IntN(s.len()))
		}
	case count >= size:
		r.Array(s.len())
		for i := range s.len() {
			s.replyMember(r, i)
		}
	default:
		r.Array(int(count))
		for _, i := range randomDistinct(s.len(), int(count)) {
			s.replyMember(r, i)
		}
	}
}

// replyEmptyScan replies a finished scan with no elements.
func (x *ctx) replyEmptyScan() {
	r := x.reply()
	r.Array(2)
	r.BulkString("0")
	r.Array(0)
}

// sscanCommand replies every member (that MATCH lets through) at once
// with cursor 0, whatever the cursor and COUNT. Redis does so for an
// intset; for a hash table it walks its buckets COUNT at a time, but any
// client must accept a whole iteration in one reply.
func sscanCommand(x *ctx) {
	if _, ok := x.parseScanCursor(2); !ok {
		return
	}
	s, ok := readSet(x, x.arg(1))
	if !ok {
		return
	}
	if s == nil {
		x.replyEmptyScan()
		return
	}
	a, ok := x.parseScanArgs(3, false)
	if !ok {
		return
	}
	var out [][]byte
	for i := range s.len() {
		m := s.member(i)
		if a.match == nil || matchGlob(a.match, m, false) {
			out = append(out, m)
		}
	}
	r := x.reply()
	r.Array(2)
	r.BulkString("0")
	r.Bulks(out)
}
