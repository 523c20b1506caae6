package dataset

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/aofrdb/aofrdb/rdb"
)

// maxDiffs is how many differences Diff lists before it only counts.
const maxDiffs = 50

// Equal reports whether a and b hold the same data (see the package doc).
func Equal(a, b *Dataset) bool {
	d := differ{limit: 1}
	d.datasets(a, b)
	return d.n == 0
}

// Diff describes how a and b differ, one difference a line, naming the
// database, the key and what differs ("a" is the first argument, "b" the
// second); it returns "" when Equal(a, b). After 50 differences it only
// counts the rest.
func Diff(a, b *Dataset) string {
	d := differ{limit: -1}
	d.datasets(a, b)
	if d.n > len(d.lines) {
		d.lines = append(d.lines, fmt.Sprintf("... and %d more differences", d.n-len(d.lines)))
	}
	if len(d.lines) == 0 {
		return ""
	}
	return strings.Join(d.lines, "\n") + "\n"
}

// differ collects differences. With a limit > 0 it stops looking once it
// has found that many.
type differ struct {
	limit  int
	n      int
	lines  []string
	prefix string // "db N: key K (type): "
}

func (d *differ) done() bool { return d.limit > 0 && d.n >= d.limit }

func (d *differ) add(format string, args ...any) {
	d.n++
	if d.limit < 0 && len(d.lines) < maxDiffs {
		d.lines = append(d.lines, d.prefix+fmt.Sprintf(format, args...))
	}
}

func (d *differ) datasets(a, b *Dataset) {
	dbs := map[int]bool{}
	for db, es := range a.DBs {
		if len(es) > 0 {
			dbs[db] = true
		}
	}
	for db, es := range b.DBs {
		if len(es) > 0 {
			dbs[db] = true
		}
	}
	idx := make([]int, 0, len(dbs))
	for db := range dbs {
		idx = append(idx, db)
	}
	slices.Sort(idx)
	for _, db := range idx {
		if d.done() {
			return
		}
		d.db(db, sortedEntries(a.DBs[db]), sortedEntries(b.DBs[db]))
	}
}

func sortedEntries(es []rdb.Entry) []rdb.Entry {
	if slices.IsSortedFunc(es, compareEntries) {
		return es
	}
	es = slices.Clone(es)
	slices.SortFunc(es, compareEntries)
	return es
}

func (d *differ) db(db int, a, b []rdb.Entry) {
	d.prefix = fmt.Sprintf("db %d: ", db)
	switch {
	case len(a) == 0:
		d.add("only in b (%d keys)", len(b))
		return
	case len(b) == 0:
		d.add("only in a (%d keys)", len(a))
		return
	}
	i, j := 0, 0
	for (i < len(a) || j < len(b)) && !d.done() {
		var c int
		switch {
		case i == len(a):
			c = 1
		case j == len(b):
			c = -1
		default:
			c = bytes.Compare(a[i].Key, b[j].Key)
		}
		switch {
		case c < 0:
			d.prefix = fmt.Sprintf("db %d: key %s: ", db, quote(a[i].Key))
			d.add("only in a (%s)", typeName(a[i].Value))
			i++
		case c > 0:
			d.prefix = fmt.Sprintf("db %d: key %s: ", db, quote(b[j].Key))
			d.add("only in b (%s)", typeName(b[j].Value))
			j++
		default:
			d.prefix = fmt.Sprintf("db %d: key %s: ", db, quote(a[i].Key))
			d.entry(&a[i], &b[j])
			i++
			j++
		}
	}
}

// typeName names v's type for comparison: the Redis type, or the Go type
// for a value of no type this package knows.
func typeName(v rdb.Value) string {
	switch v := v.(type) {
	case rdb.String, rdb.List, rdb.Set, rdb.ZSet, rdb.Hash:
		return v.Type().String()
	case *rdb.Stream:
		if v != nil {
			return v.Type().String()
		}
	case *rdb.Module:
		if v != nil {
			return v.Type().String()
		}
	}
	return fmt.Sprintf("%T", v)
}

func (d *differ) entry(a, b *rdb.Entry) {
	if _, ok := a.Value.(*rdb.String); ok {
		a = a.Clone()
	}
	if _, ok := b.Value.(*rdb.String); ok {
		b = b.Clone()
	}
	if a.ExpireAt != b.ExpireAt {
		d.add("expire_at_ms %d in a, %d in b", a.ExpireAt, b.ExpireAt)
	}
	ta, tb := typeName(a.Value), typeName(b.Value)
	if ta != tb {
		d.add("type %s in a, %s in b", ta, tb)
		return
	}
	d.prefix += ta + ": "
	switch va := a.Value.(type) {
	case rdb.String:
		if vb := b.Value.(rdb.String); !bytes.Equal(va, vb) {
			d.add("value %s in a, %s in b", quote(va), quote(vb))
		}
	case rdb.List:
		d.sequence("element", va, b.Value.(rdb.List))
	case rdb.Set:
		d.set("member", va, b.Value.(rdb.Set))
	case rdb.ZSet:
		d.zset(va, b.Value.(rdb.ZSet))
	case rdb.Hash:
		d.hash(va, b.Value.(rdb.Hash))
	case *rdb.Stream:
		d.stream(va, b.Value.(*rdb.Stream))
	case *rdb.Module:
		vb := b.Value.(*rdb.Module)
		if va.ID != vb.ID {
			d.add("module type ID %d in a, %d in b", va.ID, vb.ID)
		}
		if !bytes.Equal(va.Data, vb.Data) {
			d.add("module data of %d bytes in a and %d bytes in b differ", len(va.Data), len(vb.Data))
		}
	}
}

// sequence compares two ordered lists of byte strings.
func (d *differ) sequence(what string, a, b [][]byte) {
	if len(a) != len(b) {
		d.add("%d %ss in a, %d in b", len(a), what, len(b))
	}
	for i := range min(len(a), len(b)) {
		if !bytes.Equal(a[i], b[i]) {
			d.add("%s %d: %s in a, %s in b", what, i, quote(a[i]), quote(b[i]))
			return // the rest is likely shifted
		}
	}
}

// merge walks two lists sorted by cmp, calling onlyA, onlyB and both.
func merge[T any](a, b []T, cmp func(T, T) int, onlyA, onlyB func(T), both func(T, T)) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var c int
		switch {
		case i == len(a):
			c = 1
		case j == len(b):
			c = -1
		default:
			c = cmp(a[i], b[j])
		}
		switch {
		case c < 0:
			onlyA(a[i])
			i++
		case c > 0:
			onlyB(b[j])
			j++
		default:
			both(a[i], b[j])
			i++
			j++
		}
	}
}

func sortedClone[T any](s []T, cmp func(T, T) int) []T {
	if slices.IsSortedFunc(s, cmp) {
		return s
	}
	s = slices.Clone(s)
	slices.SortFunc(s, cmp)
	return s
}

func (d *differ) set(what string, a, b [][]byte) {
	merge(sortedClone(a, bytes.Compare), sortedClone(b, bytes.Compare), bytes.Compare,
		func(m []byte) { d.add("%s %s only in a", what, quote(m)) },
		func(m []byte) { d.add("%s %s only in b", what, quote(m)) },
		func(_, _ []byte) {})
}

func (d *differ) zset(a, b rdb.ZSet) {
	byMember := func(x, y rdb.ZMember) int { return bytes.Compare(x.Member, y.Member) }
	merge(sortedClone(a, byMember), sortedClone(b, byMember), byMember,
		func(m rdb.ZMember) { d.add("member %s only in a (score %s)", quote(m.Member), FormatScore(m.Score)) },
		func(m rdb.ZMember) { d.add("member %s only in b (score %s)", quote(m.Member), FormatScore(m.Score)) },
		func(x, y rdb.ZMember) {
			if x.Score != y.Score {
				d.add("member %s: score %s in a, %s in b", quote(x.Member), FormatScore(x.Score), FormatScore(y.Score))
			}
		})
}

func (d *differ) hash(a, b rdb.Hash) {
	merge(sortedClone(a, compareFields), sortedClone(b, compareFields), compareFields,
		func(f rdb.HashField) { d.add("field %s only in a", quote(f.Field)) },
		func(f rdb.HashField) { d.add("field %s only in b", quote(f.Field)) },
		func(x, y rdb.HashField) {
			if !bytes.Equal(x.Value, y.Value) {
				d.add("field %s: value %s in a, %s in b", quote(x.Field), quote(x.Value), quote(y.Value))
			}
			if x.ExpireAt != y.ExpireAt {
				d.add("field %s: expire_at_ms %d in a, %d in b", quote(x.Field), x.ExpireAt, y.ExpireAt)
			}
		})
}

// ViewLimit reports whether s is a partial view of a stream, as XINFO
// STREAM FULL gives one (and as the fixtures' expected.json files hold
// their streams): at most COUNT (10 by default) entries, and at most COUNT
// pending entries per group and per consumer. It returns that COUNT: the
// number of entries listed when fewer than Length are, else the length of a
// group's PEL that is shorter than the PELs of its consumers together.
// A stream that rdb reads or that Builder builds is never a view.
func ViewLimit(s *rdb.Stream) (count int, ok bool) {
	if uint64(len(s.Entries)) < s.Length {
		return len(s.Entries), true
	}
	for _, g := range s.Groups {
		n := 0
		for _, c := range g.Consumers {
			n += len(c.Pending)
		}
		if len(g.Pending) < n {
			return len(g.Pending), true
		}
	}
	return 0, false
}

// viewOf returns s cut to the first count entries and pending entries, as
// XINFO STREAM FULL COUNT count shows it.
func viewOf(s *rdb.Stream, count int) *rdb.Stream {
	v := *s
	v.Entries = s.Entries[:min(count, len(s.Entries))]
	v.Groups = slices.Clone(s.Groups)
	for i := range v.Groups {
		g := &v.Groups[i]
		g.Pending = sortedClone(g.Pending, func(x, y rdb.StreamPending) int { return CompareIDs(x.ID, y.ID) })
		g.Pending = g.Pending[:min(count, len(g.Pending))]
		g.Consumers = slices.Clone(g.Consumers)
		for j := range g.Consumers {
			c := &g.Consumers[j]
			c.Pending = sortedClone(c.Pending, CompareIDs)
			c.Pending = c.Pending[:min(count, len(c.Pending))]
		}
	}
	return &v
}

// stream compares two streams. When one is a view (see ViewLimit), the
// other is compared as the same view of it.
func (d *differ) stream(a, b *rdb.Stream) {
	na, va := ViewLimit(a)
	nb, vb := ViewLimit(b)
	if va || vb {
		n := na
		if !va || (vb && nb < na) {
			n = nb
		}
		a, b = viewOf(a, n), viewOf(b, n)
	}
	ids := func(name string, x, y rdb.StreamID) {
		if x != y {
			d.add("%s %s in a, %s in b", name, FormatID(x), FormatID(y))
		}
	}
	nums := func(name string, x, y uint64) {
		if x != y {
			d.add("%s %d in a, %d in b", name, x, y)
		}
	}
	nums("length", a.Length, b.Length)
	ids("last_id", a.LastID, b.LastID)
	ids("first_id", a.FirstID, b.FirstID)
	ids("max_deleted_id", a.MaxDeletedID, b.MaxDeletedID)
	nums("entries_added", a.EntriesAdded, b.EntriesAdded)
	if len(a.Entries) != len(b.Entries) {
		d.add("%d entries in a, %d in b", len(a.Entries), len(b.Entries))
	}
	for i := range min(len(a.Entries), len(b.Entries)) {
		ea, eb := a.Entries[i], b.Entries[i]
		if ea.ID != eb.ID {
			d.add("entry %d: ID %s in a, %s in b", i, FormatID(ea.ID), FormatID(eb.ID))
			break
		}
		if !slices.EqualFunc(ea.Fields, eb.Fields, bytes.Equal) {
			d.add("entry %s: fields %s in a, %s in b", FormatID(ea.ID), quoteAll(ea.Fields), quoteAll(eb.Fields))
		}
	}
	byName := func(x, y rdb.StreamGroup) int { return bytes.Compare(x.Name, y.Name) }
	merge(sortedClone(a.Groups, byName), sortedClone(b.Groups, byName), byName,
		func(g rdb.StreamGroup) { d.add("group %s only in a", quote(g.Name)) },
		func(g rdb.StreamGroup) { d.add("group %s only in b", quote(g.Name)) },
		d.group)
}

func (d *differ) group(a, b rdb.StreamGroup) {
	g := "group " + quote(a.Name) + ": "
	if a.LastDeliveredID != b.LastDeliveredID {
		d.add("%slast_delivered_id %s in a, %s in b", g, FormatID(a.LastDeliveredID), FormatID(b.LastDeliveredID))
	}
	if a.EntriesRead != b.EntriesRead {
		d.add("%sentries_read %d in a, %d in b", g, a.EntriesRead, b.EntriesRead)
	}
	byID := func(x, y rdb.StreamPending) int { return CompareIDs(x.ID, y.ID) }
	merge(sortedClone(a.Pending, byID), sortedClone(b.Pending, byID), byID,
		func(p rdb.StreamPending) { d.add("%spending entry %s only in a", g, FormatID(p.ID)) },
		func(p rdb.StreamPending) { d.add("%spending entry %s only in b", g, FormatID(p.ID)) },
		func(x, y rdb.StreamPending) {
			if !bytes.Equal(x.Consumer, y.Consumer) || x.DeliveryTimeMs != y.DeliveryTimeMs || x.DeliveryCount != y.DeliveryCount {
				d.add("%spending entry %s: consumer %s, delivered at %d, %d times in a; consumer %s, delivered at %d, %d times in b",
					g, FormatID(x.ID), quote(x.Consumer), x.DeliveryTimeMs, x.DeliveryCount, quote(y.Consumer), y.DeliveryTimeMs, y.DeliveryCount)
			}
		})
	byName := func(x, y rdb.StreamConsumer) int { return bytes.Compare(x.Name, y.Name) }
	merge(sortedClone(a.Consumers, byName), sortedClone(b.Consumers, byName), byName,
		func(c rdb.StreamConsumer) { d.add("%sconsumer %s only in a", g, quote(c.Name)) },
		func(c rdb.StreamConsumer) { d.add("%sconsumer %s only in b", g, quote(c.Name)) },
		func(x, y rdb.StreamConsumer) {
			px, py := sortedClone(x.Pending, CompareIDs), sortedClone(y.Pending, CompareIDs)
			if !slices.Equal(px, py) {
				d.add("%sconsumer %s: pending %s in a, %s in b", g, quote(x.Name), formatIDs(px), formatIDs(py))
			}
		})
}

func quoteAll(bs [][]byte) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = quote(b)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func formatIDs(ids []rdb.StreamID) string {
	const max = 8
	s := make([]string, 0, min(len(ids), max)+1)
	for i, id := range ids {
		if i == max {
			s = append(s, fmt.Sprintf("…(%d IDs)", len(ids)))
			break
		}
		s = append(s, FormatID(id))
	}
	return "[" + strings.Join(s, " ") + "]"
}
