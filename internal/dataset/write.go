package dataset

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/aofrdb/aofrdb/rdb"
)

// Write writes d to w as canonical JSON (see the package doc), followed by
// a newline. It does not change d: a value that is not in canonical order
// is written from a sorted copy. It fails on a value it cannot write (a
// nil value, an unknown type, a NaN score) and on w's errors.
func (d *Dataset) Write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &encoder{w: bw}
	e.dataset(d)
	e.raw("\n")
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

// MarshalJSON returns d as Write writes it, without the final newline.
func (d *Dataset) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encoder writes JSON indented as Python's json.dumps(indent=1) and Go's
// json.MarshalIndent(v, "", " ") do: one element per line, one space of
// indentation per level, empty containers as [] and {}. Errors are sticky.
type encoder struct {
	w        *bufio.Writer
	err      error
	first    []bool // per open container: nothing written in it yet
	afterKey bool   // the next value is a member's, after its key
	scratch  []byte
}

func (e *encoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *encoder) rawBytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// item starts a value: after a key, nothing; in a container, the separator
// and the new line with its indentation.
func (e *encoder) item() {
	if e.afterKey {
		e.afterKey = false
		return
	}
	n := len(e.first)
	if n == 0 {
		return
	}
	if !e.first[n-1] {
		e.raw(",")
	}
	e.first[n-1] = false
	e.newline(n)
}

func (e *encoder) newline(depth int) {
	if e.err != nil {
		return
	}
	e.err = e.w.WriteByte('\n')
	for range depth {
		if e.err == nil {
			e.err = e.w.WriteByte(' ')
		}
	}
}

func (e *encoder) begin(c string) {
	e.item()
	e.raw(c)
	e.first = append(e.first, true)
}

func (e *encoder) end(c string) {
	n := len(e.first)
	if !e.first[n-1] {
		e.newline(n - 1)
	}
	e.first = e.first[:n-1]
	e.raw(c)
}

func (e *encoder) beginObject() { e.begin("{") }
func (e *encoder) endObject()   { e.end("}") }
func (e *encoder) beginArray()  { e.begin("[") }
func (e *encoder) endArray()    { e.end("]") }

// key starts the member named k of the innermost object. k must not need
// escaping.
func (e *encoder) key(k string) {
	e.item()
	e.raw(`"`)
	e.raw(k)
	e.raw(`": `)
	e.afterKey = true
}

func (e *encoder) b64(b []byte) {
	e.item()
	e.scratch = append(e.scratch[:0], '"')
	e.scratch = base64.StdEncoding.AppendEncode(e.scratch, b)
	e.scratch = append(e.scratch, '"')
	e.rawBytes(e.scratch)
}

// str writes s, which must not need escaping, as a JSON string.
func (e *encoder) str(s string) {
	e.item()
	e.raw(`"`)
	e.raw(s)
	e.raw(`"`)
}

// anyString writes s as a JSON string, escaping what needs it.
func (e *encoder) anyString(s string) {
	e.item()
	b, err := json.Marshal(s)
	if err != nil {
		e.fail(err)
		return
	}
	e.rawBytes(b)
}

func (e *encoder) int(n int64) {
	e.item()
	e.scratch = strconv.AppendInt(e.scratch[:0], n, 10)
	e.rawBytes(e.scratch)
}

func (e *encoder) uint(n uint64) {
	e.item()
	e.scratch = strconv.AppendUint(e.scratch[:0], n, 10)
	e.rawBytes(e.scratch)
}

func (e *encoder) null() {
	e.item()
	e.raw("null")
}

func (e *encoder) id(id rdb.StreamID) {
	e.item()
	e.scratch = append(e.scratch[:0], '"')
	e.scratch = appendID(e.scratch, id)
	e.scratch = append(e.scratch, '"')
	e.rawBytes(e.scratch)
}

func (e *encoder) score(f float64) {
	e.item()
	e.scratch = append(e.scratch[:0], '"')
	e.scratch = AppendScore(e.scratch, f)
	e.scratch = append(e.scratch, '"')
	e.rawBytes(e.scratch)
}

func (e *encoder) dataset(d *Dataset) {
	e.beginObject()
	e.key("redis_version")
	e.anyString(d.RedisVersion)
	e.key("dbs")
	e.beginObject()
	names := make([]string, 0, len(d.DBs))
	for db, es := range d.DBs {
		if len(es) > 0 {
			names = append(names, strconv.Itoa(db))
		}
	}
	slices.Sort(names) // as text: "0", "1", "15", "9"
	for _, name := range names {
		db, _ := strconv.Atoi(name)
		e.key(name)
		e.beginArray()
		es := d.DBs[db]
		if !slices.IsSortedFunc(es, compareEntries) {
			es = slices.Clone(es)
			slices.SortFunc(es, compareEntries)
		}
		for i := range es {
			e.entry(db, &es[i])
			if e.err != nil {
				return
			}
		}
		e.endArray()
	}
	e.endObject()
	e.endObject()
}

func (e *encoder) entry(db int, en *rdb.Entry) {
	if en.Value == nil {
		e.fail(fmt.Errorf("dataset: db %d: key %s: nil value", db, quote(en.Key)))
		return
	}
	e.beginObject()
	e.key("key")
	e.b64(en.Key)
	e.key("type")
	e.str(en.Value.Type().String())
	e.key("expire_at_ms")
	e.int(en.ExpireAt)
	e.key("value")
	switch v := canonicalValue(en.Value).(type) {
	case rdb.String:
		e.b64(v)
	case rdb.List:
		e.b64s(v)
	case rdb.Set:
		e.b64s(v)
	case rdb.ZSet:
		e.beginArray()
		for _, m := range v {
			if math.IsNaN(m.Score) {
				e.fail(fmt.Errorf("dataset: db %d: key %s: member %s: NaN score", db, quote(en.Key), quote(m.Member)))
				return
			}
			e.beginArray()
			e.b64(m.Member)
			e.score(m.Score)
			e.endArray()
		}
		e.endArray()
	case rdb.Hash:
		e.beginArray()
		for _, f := range v {
			e.beginArray()
			e.b64(f.Field)
			e.b64(f.Value)
			if f.ExpireAt != 0 {
				e.int(f.ExpireAt)
			}
			e.endArray()
		}
		e.endArray()
	case *rdb.Stream:
		e.stream(v)
	case *rdb.Module:
		e.beginObject()
		e.key("data")
		e.b64(v.Data)
		e.key("id")
		e.str(strconv.FormatUint(v.ID, 10))
		e.endObject()
	default:
		e.fail(fmt.Errorf("dataset: db %d: key %s: unknown value type %T", db, quote(en.Key), en.Value))
		return
	}
	e.endObject()
}

func (e *encoder) b64s(v [][]byte) {
	e.beginArray()
	for _, b := range v {
		e.b64(b)
	}
	e.endArray()
}

func (e *encoder) stream(s *rdb.Stream) {
	e.beginObject()
	e.key("entries")
	e.beginArray()
	for _, en := range s.Entries {
		e.beginObject()
		e.key("fields")
		e.b64s(en.Fields)
		e.key("id")
		e.id(en.ID)
		e.endObject()
	}
	e.endArray()
	e.key("entries_added")
	e.uint(s.EntriesAdded)
	e.key("first_id")
	e.id(s.FirstID)
	e.key("groups")
	e.beginArray()
	for _, g := range s.Groups {
		e.beginObject()
		e.key("consumers")
		e.beginArray()
		for _, c := range g.Consumers {
			e.beginObject()
			e.key("name")
			e.b64(c.Name)
			e.key("pending")
			e.beginArray()
			for _, id := range c.Pending {
				e.id(id)
			}
			e.endArray()
			e.endObject()
		}
		e.endArray()
		e.key("entries_read")
		if g.EntriesRead == -1 {
			e.null()
		} else {
			e.int(g.EntriesRead)
		}
		e.key("last_delivered_id")
		e.id(g.LastDeliveredID)
		e.key("name")
		e.b64(g.Name)
		e.key("pending")
		e.beginArray()
		for _, p := range g.Pending {
			e.beginObject()
			e.key("consumer")
			e.b64(p.Consumer)
			e.key("delivery_count")
			e.uint(p.DeliveryCount)
			e.key("delivery_time_ms")
			e.int(p.DeliveryTimeMs)
			e.key("id")
			e.id(p.ID)
			e.endObject()
		}
		e.endArray()
		e.endObject()
	}
	e.endArray()
	e.key("last_id")
	e.id(s.LastID)
	e.key("length")
	e.uint(s.Length)
	e.key("max_deleted_id")
	e.id(s.MaxDeletedID)
	e.endObject()
}
