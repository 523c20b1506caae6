package keyspace

import "math/rand/v2"

// A skiplist with spans orders a sorted set's members by (score, member
// bytes) and answers rank queries in O(log n): each forward link records
// how many nodes it jumps over, so summing spans along a search path
// gives a node's 1-based rank. This is the structure Redis uses for large
// sorted sets (W. Pugh's skiplist, with a backward link at level 0 for
// reverse walks and a level chosen with probability 1/4 per extra level).

const (
	skiplistMaxLevel = 32
	skiplistP        = 0.25
)

// zslNode is a member of a sorted set. Its member string is also the key
// of the sorted set's map, so both share the bytes.
type zslNode struct {
	member   string
	score    float64
	backward *zslNode   // previous node at level 0; nil for the first
	level    []zslLevel // forward links, 1 to skiplistMaxLevel of them
	one      [1]zslLevel
}

// zslLevel is one forward link of a node and the number of nodes it
// advances by (the distance in rank).
type zslLevel struct {
	forward *zslNode
	span    int
}

// next returns the node after n in order, or nil.
func (n *zslNode) next() *zslNode { return n.level[0].forward }

// skiplist is an ordered sequence of nodes. The zero value is not ready:
// use newSkiplist.
type skiplist struct {
	head   *zslNode // a sentinel with skiplistMaxLevel links, not a member
	tail   *zslNode // the last node, or nil
	length int
	levels int // number of levels in use, at least 1
}

func newSkiplist() *skiplist {
	head := &zslNode{level: make([]zslLevel, skiplistMaxLevel)}
	return &skiplist{head: head, levels: 1}
}

func newZslNode(levels int, score float64, member string) *zslNode {
	n := &zslNode{member: member, score: score}
	if levels == 1 {
		n.level = n.one[:] // most nodes: no second allocation
	} else {
		n.level = make([]zslLevel, levels)
	}
	return n
}

// randomLevel returns a level between 1 and skiplistMaxLevel, each level
// above the first taken with probability skiplistP.
func randomLevel() int {
	level := 1
	for level < skiplistMaxLevel && rand.Float64() < skiplistP {
		level++
	}
	return level
}

// before reports whether n orders before (score, member): by score, then
// by member bytes. Scores compare as numbers, so -0 and 0 tie.
func (n *zslNode) before(score float64, member string) bool {
	return n.score < score || n.score == score && n.member < member
}

// first returns the first node, or nil.
func (l *skiplist) first() *zslNode { return l.head.level[0].forward }

// insert adds a node for member, which must not be in the list, and
// returns it.
// clone returns a copy of l with the same shape (each node as many
// levels, so the same spans), in O(n) without a search; each new node is
// passed to added.
func (l *skiplist) clone(added func(*zslNode)) *skiplist {
	c := newSkiplist()
	c.length, c.levels = l.length, l.levels
	var last [skiplistMaxLevel]*zslNode
	for i := range last {
		last[i] = c.head
		c.head.level[i].span = l.head.level[i].span
	}
	var prev *zslNode
	for s := l.first(); s != nil; s = s.next() {
		n := newZslNode(len(s.level), s.score, s.member)
		n.backward = prev
		for i := range s.level {
			last[i].level[i].forward = n
			n.level[i].span = s.level[i].span
			last[i] = n
		}
		added(n)
		prev = n
	}
	c.tail = prev
	return c
}

func (l *skiplist) insert(score float64, member string) *zslNode {
	n := newZslNode(randomLevel(), score, member)
	l.link(n)
	return n
}

// link puts node n, with its levels allocated and its score and member
// set, in its place.
func (l *skiplist) link(n *zslNode) {
	var update [skiplistMaxLevel]*zslNode
	var rank [skiplistMaxLevel]int // rank of update[i]
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		if i < l.levels-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && x.level[i].forward.before(n.score, n.member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	levels := len(n.level)
	if levels > l.levels {
		for i := l.levels; i < levels; i++ {
			rank[i] = 0
			update[i] = l.head
			update[i].level[i].span = l.length
		}
		l.levels = levels
	}
	for i := 0; i < levels; i++ {
		// n goes right after update[i], which is rank[0]-rank[i] nodes
		// before n's predecessor at level 0.
		n.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = n
		n.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := levels; i < l.levels; i++ {
		update[i].level[i].span++ // links that now jump over n
	}
	n.backward = nil
	if update[0] != l.head {
		n.backward = update[0]
	}
	if n.level[0].forward != nil {
		n.level[0].forward.backward = n
	} else {
		l.tail = n
	}
	l.length++
}

// updateScore gives node n a new score: in place when it keeps its
// position, otherwise by moving the node.
func (l *skiplist) updateScore(n *zslNode, score float64) {
	prev, next := n.backward, n.level[0].forward
	if (prev == nil || prev.before(score, n.member)) && (next == nil || !next.before(score, n.member)) {
		n.score = score
		return
	}
	l.delete(n.score, n.member)
	n.score = score
	l.link(n)
}

// unlink removes node n, given update, the last node before n at each
// level.
func (l *skiplist) unlink(n *zslNode, update *[skiplistMaxLevel]*zslNode) {
	for i := 0; i < l.levels; i++ {
		if update[i].level[i].forward == n {
			update[i].level[i].span += n.level[i].span - 1
			update[i].level[i].forward = n.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if f := n.level[0].forward; f != nil {
		f.backward = n.backward
	} else {
		l.tail = n.backward
	}
	for l.levels > 1 && l.head.level[l.levels-1].forward == nil {
		l.levels--
	}
	l.length--
}

// delete removes the node of (score, member), reporting whether it was
// there.
func (l *skiplist) delete(score float64, member string) bool {
	var update [skiplistMaxLevel]*zslNode
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for x.level[i].forward != nil && x.level[i].forward.before(score, member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	n := x.level[0].forward
	if n == nil || n.score != score || n.member != member {
		return false
	}
	l.unlink(n, &update)
	return true
}

// rank returns the 1-based rank of (score, member), or 0 when it is not
// in the list.
func (l *skiplist) rank(score float64, member string) int {
	rank := 0
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (f.before(score, member) || f.score == score && f.member == member); f = x.level[i].forward {
			rank += x.level[i].span
			x = f
		}
		if x != l.head && x.score == score && x.member == member {
			return rank
		}
	}
	return 0
}

// byRank returns the node of 1-based rank r, or nil when r is out of
// range.
func (l *skiplist) byRank(r int) *zslNode {
	if r < 1 || r > l.length {
		return nil
	}
	traversed := 0
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == r {
			return x
		}
	}
	return nil
}

// firstNotBefore returns the first node for which before is false, and
// its 1-based rank, or nil and 0. before must be true for a prefix of
// the list (a monotone condition, such as "score below the minimum").
func (l *skiplist) firstNotBefore(before func(*zslNode) bool) (*zslNode, int) {
	rank := 0
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for x.level[i].forward != nil && before(x.level[i].forward) {
			rank += x.level[i].span
			x = x.level[i].forward
		}
	}
	if x.level[0].forward == nil {
		return nil, 0
	}
	return x.level[0].forward, rank + 1
}

// lastWithin returns the last node for which within is true, and its
// 1-based rank, or nil and 0. within must be true for a prefix of the
// list (such as "score at most the maximum").
func (l *skiplist) lastWithin(within func(*zslNode) bool) (*zslNode, int) {
	rank := 0
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for x.level[i].forward != nil && within(x.level[i].forward) {
			rank += x.level[i].span
			x = x.level[i].forward
		}
	}
	if x == l.head {
		return nil, 0
	}
	return x, rank
}

// deleteFrom removes nodes from 1-based rank start on, while more(n)
// holds for the next node n, calling removed for each. It returns the
// number removed.
func (l *skiplist) deleteFrom(start int, more func(*zslNode) bool, removed func(*zslNode)) int {
	var update [skiplistMaxLevel]*zslNode
	traversed := 0
	x := l.head
	for i := l.levels - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span < start {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	n := x.level[0].forward
	count := 0
	for n != nil && more(n) {
		next := n.level[0].forward
		l.unlink(n, &update)
		removed(n)
		count++
		n = next
	}
	return count
}
