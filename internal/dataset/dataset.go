package dataset

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aofrdb/aofrdb/rdb"
)

// Dataset is a data set: the keys of each database.
type Dataset struct {
	// RedisVersion is the version of the Redis that held the data, as the
	// JSON's "redis_version" says; informative only.
	RedisVersion string

	// DBs holds the keys of each database by index. Read, Builder.Dataset
	// and Sort leave them sorted by raw key bytes, with Entry.DB equal to
	// the index and canonical values (see Sort).
	DBs map[int][]rdb.Entry
}

// Len returns the number of keys in all databases.
func (d *Dataset) Len() int {
	n := 0
	for _, es := range d.DBs {
		n += len(es)
	}
	return n
}

// Indexes returns the indexes of the non-empty databases, in increasing
// order.
func (d *Dataset) Indexes() []int {
	idx := make([]int, 0, len(d.DBs))
	for db, es := range d.DBs {
		if len(es) > 0 {
			idx = append(idx, db)
		}
	}
	slices.Sort(idx)
	return idx
}

// Lookup returns the entry of key in database db, or nil. d must be sorted.
func (d *Dataset) Lookup(db int, key []byte) *rdb.Entry {
	es := d.DBs[db]
	i, ok := slices.BinarySearchFunc(es, key, func(e rdb.Entry, k []byte) int { return bytes.Compare(e.Key, k) })
	if !ok {
		return nil
	}
	return &es[i]
}

// Sort puts d in canonical order, in place: it removes empty databases,
// sets each Entry.DB to its database's index, sorts each database's keys by
// raw bytes, and sorts the contents of each value: set members and hash
// fields by raw bytes, sorted-set members by score then member, stream
// groups and consumers by name, and pending entries by ID. Lists and
// stream entries keep their order. Sort does not look for duplicates.
func (d *Dataset) Sort() {
	for db, es := range d.DBs {
		if len(es) == 0 {
			delete(d.DBs, db)
			continue
		}
		for i := range es {
			es[i].DB = db
			sortValue(es[i].Value)
		}
		slices.SortFunc(es, compareEntries)
	}
}

func compareEntries(a, b rdb.Entry) int { return bytes.Compare(a.Key, b.Key) }

// sortValue sorts v's contents in place into canonical order.
func sortValue(v rdb.Value) {
	switch v := v.(type) {
	case rdb.Set:
		slices.SortFunc(v, bytes.Compare)
	case rdb.ZSet:
		slices.SortFunc(v, CompareZMembers)
	case rdb.Hash:
		slices.SortFunc(v, compareFields)
	case *rdb.Stream:
		sortStream(v)
	}
}

func sortStream(s *rdb.Stream) {
	slices.SortFunc(s.Groups, func(a, b rdb.StreamGroup) int { return bytes.Compare(a.Name, b.Name) })
	for i := range s.Groups {
		g := &s.Groups[i]
		slices.SortFunc(g.Pending, func(a, b rdb.StreamPending) int { return CompareIDs(a.ID, b.ID) })
		slices.SortFunc(g.Consumers, func(a, b rdb.StreamConsumer) int { return bytes.Compare(a.Name, b.Name) })
		for j := range g.Consumers {
			slices.SortFunc(g.Consumers[j].Pending, CompareIDs)
		}
	}
}

// canonicalValue returns v in canonical order without changing v: v itself
// when it is already canonical, else a sorted copy.
func canonicalValue(v rdb.Value) rdb.Value {
	v = rdb.Plain(v)
	switch x := v.(type) {
	case rdb.Set:
		if !slices.IsSortedFunc(x, bytes.Compare) {
			x = slices.Clone(x)
			slices.SortFunc(x, bytes.Compare)
		}
		return x
	case rdb.ZSet:
		if !slices.IsSortedFunc(x, CompareZMembers) {
			x = slices.Clone(x)
			slices.SortFunc(x, CompareZMembers)
		}
		return x
	case rdb.Hash:
		if !slices.IsSortedFunc(x, compareFields) {
			x = slices.Clone(x)
			slices.SortFunc(x, compareFields)
		}
		return x
	case *rdb.Stream:
		if !streamSorted(x) {
			c := *x
			c.Groups = slices.Clone(x.Groups)
			for i := range c.Groups {
				g := &c.Groups[i]
				g.Pending = slices.Clone(g.Pending)
				g.Consumers = slices.Clone(g.Consumers)
				for j := range g.Consumers {
					g.Consumers[j].Pending = slices.Clone(g.Consumers[j].Pending)
				}
			}
			sortStream(&c)
			return &c
		}
		return x
	}
	return v
}

func streamSorted(s *rdb.Stream) bool {
	if !slices.IsSortedFunc(s.Groups, func(a, b rdb.StreamGroup) int { return bytes.Compare(a.Name, b.Name) }) {
		return false
	}
	for _, g := range s.Groups {
		if !slices.IsSortedFunc(g.Pending, func(a, b rdb.StreamPending) int { return CompareIDs(a.ID, b.ID) }) ||
			!slices.IsSortedFunc(g.Consumers, func(a, b rdb.StreamConsumer) int { return bytes.Compare(a.Name, b.Name) }) {
			return false
		}
		for _, c := range g.Consumers {
			if !slices.IsSortedFunc(c.Pending, CompareIDs) {
				return false
			}
		}
	}
	return true
}

// CompareZMembers orders sorted-set members as Redis does: by score, then
// by member bytes.
func CompareZMembers(a, b rdb.ZMember) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return bytes.Compare(a.Member, b.Member)
}

func compareFields(a, b rdb.HashField) int { return bytes.Compare(a.Field, b.Field) }

// CompareIDs orders stream IDs.
func CompareIDs(a, b rdb.StreamID) int {
	if c := cmp.Compare(a.Ms, b.Ms); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// FormatScore returns the text Redis gives a sorted-set score: "inf",
// "-inf", or C's %.17g (Go's 'g' format with precision 17 is the same).
func FormatScore(f float64) string {
	return string(AppendScore(nil, f))
}

// AppendScore appends FormatScore(f) to dst.
func AppendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// ParseScore parses a score as FormatScore writes it; it also takes
// "+inf" and any other decimal text strconv.ParseFloat takes, but not NaN
// or a number out of range.
func ParseScore(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("invalid score %q", s)
	}
	return f, nil
}

// FormatID returns a stream ID as <ms>-<seq>.
func FormatID(id rdb.StreamID) string { return string(appendID(nil, id)) }

func appendID(dst []byte, id rdb.StreamID) []byte {
	dst = strconv.AppendUint(dst, id.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

// ParseID parses a stream ID written <ms>-<seq>.
func ParseID(s string) (rdb.StreamID, error) {
	ms, seq, ok := strings.Cut(s, "-")
	if ok {
		m, err1 := strconv.ParseUint(ms, 10, 64)
		q, err2 := strconv.ParseUint(seq, 10, 64)
		if err1 == nil && err2 == nil {
			return rdb.StreamID{Ms: m, Seq: q}, nil
		}
	}
	return rdb.StreamID{}, fmt.Errorf("invalid stream ID %q", s)
}

// Builder builds a Dataset from a stream of entries, as a loader does. The
// zero Builder is ready to use; it is for one goroutine.
type Builder struct {
	// RedisVersion becomes the Dataset's RedisVersion.
	RedisVersion string

	// KeepExpired keeps entries whose Expired flag is set. By default they
	// are left out, as Redis's master leaves them out when it loads an
	// RDB file; an AOF base (or preamble) load keeps them.
	KeepExpired bool

	dbs            map[int][]rdb.Entry
	expired, empty int
}

// Add adds e, unless it is expired (see KeepExpired) or an empty list,
// set, sorted set or hash, which Redis skips when it loads a file. Add
// keeps e's value: it does not copy the bytes. It returns an error for an
// entry that no data set can hold: a negative database, a nil key or a nil
// value.
func (b *Builder) Add(e *rdb.Entry) error {
	switch {
	case e.DB < 0:
		return fmt.Errorf("dataset: key %s: negative database %d", quote(e.Key), e.DB)
	case e.Key == nil:
		return fmt.Errorf("dataset: db %d: nil key", e.DB)
	case e.Value == nil:
		return fmt.Errorf("dataset: db %d: key %s: nil value", e.DB, quote(e.Key))
	}
	if e.Expired && !b.KeepExpired {
		b.expired++
		return nil
	}
	if rdb.IsEmptyAggregate(e.Value) {
		b.empty++
		return nil
	}
	if b.dbs == nil {
		b.dbs = make(map[int][]rdb.Entry)
	}
	b.dbs[e.DB] = append(b.dbs[e.DB], *e)
	return nil
}

// FromEntries builds the data set of the entries next returns until
// io.EOF (an rdb.Reader's or a keyspace snapshot's Next), copying each,
// since such entries may be lent.
func FromEntries(next func() (*rdb.Entry, error)) (*Dataset, error) {
	var b Builder
	for {
		e, err := next()
		if err == io.EOF {
			return b.Dataset()
		}
		if err != nil {
			return nil, err
		}
		if err := b.Add(e.Clone()); err != nil {
			return nil, err
		}
	}
}

// Skipped returns how many entries Add left out because they were expired
// and because they were empty.
func (b *Builder) Skipped() (expired, empty int) { return b.expired, b.empty }

// ErrDuplicateKey is returned (wrapped) by Builder.Dataset and Read for a
// key that appears twice in one database.
var ErrDuplicateKey = errors.New("dataset: duplicate key")

// Dataset returns the data set built so far, sorted (see Dataset.Sort).
// It fails with ErrDuplicateKey if a key was added twice to one database.
// The Builder must not be used afterwards.
func (b *Builder) Dataset() (*Dataset, error) {
	d := &Dataset{RedisVersion: b.RedisVersion, DBs: b.dbs}
	if d.DBs == nil {
		d.DBs = make(map[int][]rdb.Entry)
	}
	b.dbs = nil
	d.Sort()
	if err := d.checkDuplicates(); err != nil {
		return nil, err
	}
	return d, nil
}

// checkDuplicates reports a key that appears twice in a sorted database.
func (d *Dataset) checkDuplicates() error {
	for _, db := range d.Indexes() {
		es := d.DBs[db]
		for i := 1; i < len(es); i++ {
			if bytes.Equal(es[i-1].Key, es[i].Key) {
				return fmt.Errorf("%w: db %d: key %s", ErrDuplicateKey, db, quote(es[i].Key))
			}
		}
	}
	return nil
}

// quote returns b as a Go string literal, shortened when long, for
// messages.
func quote(b []byte) string {
	const max = 64
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + fmt.Sprintf("…(%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}
