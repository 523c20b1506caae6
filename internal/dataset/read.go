package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

// ErrInvalid is returned (wrapped) by Read for JSON that is well formed but
// is not a valid data set.
var ErrInvalid = errors.New("dataset: invalid data set")

// Load reads the data set in the named file of the operating system's file
// system (see Read).
func Load(name string) (*Dataset, error) {
	f, err := vfs.Default.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// Read reads a data set written as the package doc describes and returns it
// in canonical order (see Dataset.Sort). Members it does not know are
// errors, except an entry's "encoding", which it ignores. Data after the
// JSON value, other than white space, is an error.
func Read(r io.Reader) (*Dataset, error) {
	var j jsonDataset
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON value", ErrInvalid)
	}
	return j.dataset()
}

// UnmarshalJSON sets d to the data set in data (see Read).
func (d *Dataset) UnmarshalJSON(data []byte) error {
	x, err := Read(bytes.NewReader(data))
	if err != nil {
		return err
	}
	*d = *x
	return nil
}

type jsonDataset struct {
	RedisVersion string                 `json:"redis_version"`
	DBs          map[string][]jsonEntry `json:"dbs"`
}

type jsonEntry struct {
	Key        []byte          `json:"key"`
	Type       string          `json:"type"`
	Encoding   string          `json:"encoding"` // ignored
	ExpireAtMs int64           `json:"expire_at_ms"`
	Value      json.RawMessage `json:"value"`
}

type jsonStream struct {
	Entries      []jsonStreamEntry `json:"entries"`
	EntriesAdded uint64            `json:"entries_added"`
	FirstID      string            `json:"first_id"`
	Groups       []jsonGroup       `json:"groups"`
	LastID       string            `json:"last_id"`
	Length       uint64            `json:"length"`
	MaxDeletedID string            `json:"max_deleted_id"`
}

type jsonStreamEntry struct {
	Fields [][]byte `json:"fields"`
	ID     string   `json:"id"`
}

type jsonGroup struct {
	Consumers       []jsonConsumer `json:"consumers"`
	EntriesRead     *int64         `json:"entries_read"`
	LastDeliveredID string         `json:"last_delivered_id"`
	Name            []byte         `json:"name"`
	Pending         []jsonPending  `json:"pending"`
}

type jsonPending struct {
	Consumer       []byte `json:"consumer"`
	DeliveryCount  uint64 `json:"delivery_count"`
	DeliveryTimeMs int64  `json:"delivery_time_ms"`
	ID             string `json:"id"`
}

type jsonConsumer struct {
	Name    []byte   `json:"name"`
	Pending []string `json:"pending"`
}

type jsonModule struct {
	Data []byte `json:"data"`
	ID   string `json:"id"`
}

func (j *jsonDataset) dataset() (*Dataset, error) {
	d := &Dataset{RedisVersion: j.RedisVersion, DBs: make(map[int][]rdb.Entry, len(j.DBs))}
	for name, jes := range j.DBs {
		db, err := strconv.Atoi(name)
		if err != nil || db < 0 || strconv.Itoa(db) != name {
			return nil, fmt.Errorf("%w: database %q: not a database index", ErrInvalid, name)
		}
		if len(jes) == 0 {
			continue
		}
		es := make([]rdb.Entry, len(jes))
		for i := range jes {
			if err := jes[i].entry(db, &es[i]); err != nil {
				return nil, fmt.Errorf("%w: db %d: %w", ErrInvalid, db, err)
			}
		}
		d.DBs[db] = es
	}
	d.Sort()
	if err := d.checkDuplicates(); err != nil {
		return nil, err
	}
	for _, es := range d.DBs {
		for _, e := range es {
			if err := checkValue(e.Value); err != nil {
				return nil, fmt.Errorf("%w: db %d: key %s: %w", ErrInvalid, e.DB, quote(e.Key), err)
			}
		}
	}
	return d, nil
}

func (je *jsonEntry) entry(db int, e *rdb.Entry) error {
	if je.Key == nil {
		return errors.New("entry without a key")
	}
	if je.ExpireAtMs < 0 {
		return fmt.Errorf("key %s: negative expire_at_ms %d", quote(je.Key), je.ExpireAtMs)
	}
	if len(je.Value) == 0 || string(je.Value) == "null" {
		return fmt.Errorf("key %s: no value", quote(je.Key))
	}
	v, err := decodeValue(je.Type, je.Value)
	if err != nil {
		return fmt.Errorf("key %s: %s: %w", quote(je.Key), je.Type, err)
	}
	*e = rdb.Entry{DB: db, Key: je.Key, ExpireAt: je.ExpireAtMs, Idle: -1, Freq: -1, Value: v}
	return nil
}

// strict decodes data into v, refusing unknown members (for objects; the
// other values use json.Unmarshal, which is faster).
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func decodeValue(typ string, raw json.RawMessage) (rdb.Value, error) {
	switch typ {
	case "string":
		var s []byte
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return rdb.String(s), nil
	case "list":
		var l [][]byte
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, err
		}
		return rdb.List(l), nil
	case "set":
		var s [][]byte
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return rdb.Set(s), nil
	case "zset":
		var pairs [][]json.RawMessage
		if err := json.Unmarshal(raw, &pairs); err != nil {
			return nil, err
		}
		z := make(rdb.ZSet, len(pairs))
		for i, p := range pairs {
			if len(p) != 2 {
				return nil, fmt.Errorf("member %d: want [member, score], got %d elements", i, len(p))
			}
			if err := json.Unmarshal(p[0], &z[i].Member); err != nil {
				return nil, fmt.Errorf("member %d: %w", i, err)
			}
			f, err := decodeScore(p[1])
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", quote(z[i].Member), err)
			}
			z[i].Score = f
		}
		return z, nil
	case "hash":
		var pairs [][]json.RawMessage
		if err := json.Unmarshal(raw, &pairs); err != nil {
			return nil, err
		}
		h := make(rdb.Hash, len(pairs))
		for i, p := range pairs {
			if len(p) != 2 && len(p) != 3 {
				return nil, fmt.Errorf("field %d: want [field, value] or [field, value, expire_at_ms], got %d elements", i, len(p))
			}
			if err := json.Unmarshal(p[0], &h[i].Field); err != nil {
				return nil, fmt.Errorf("field %d: %w", i, err)
			}
			if err := json.Unmarshal(p[1], &h[i].Value); err != nil {
				return nil, fmt.Errorf("field %s: %w", quote(h[i].Field), err)
			}
			if len(p) == 3 {
				if err := json.Unmarshal(p[2], &h[i].ExpireAt); err != nil || h[i].ExpireAt <= 0 {
					return nil, fmt.Errorf("field %s: invalid field expiry %s", quote(h[i].Field), p[2])
				}
			}
		}
		return h, nil
	case "stream":
		var js jsonStream
		if err := strict(raw, &js); err != nil {
			return nil, err
		}
		return js.stream()
	case "module":
		var jm jsonModule
		if err := strict(raw, &jm); err != nil {
			return nil, err
		}
		id, err := strconv.ParseUint(jm.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid module id %q", jm.ID)
		}
		return &rdb.Module{ID: id, Data: jm.Data}, nil
	}
	return nil, errors.New("unknown type")
}

// decodeScore takes a score as a string (Redis's text) or, for data sets
// written by hand, as a JSON number.
func decodeScore(raw json.RawMessage) (float64, error) {
	var s string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	} else {
		s = string(raw)
	}
	return ParseScore(s)
}

func (js *jsonStream) stream() (*rdb.Stream, error) {
	s := &rdb.Stream{
		Entries:      make([]rdb.StreamEntry, len(js.Entries)),
		Length:       js.Length,
		EntriesAdded: js.EntriesAdded,
		Groups:       make([]rdb.StreamGroup, len(js.Groups)),
	}
	var err error
	if s.LastID, err = ParseID(js.LastID); err != nil {
		return nil, fmt.Errorf("last_id: %w", err)
	}
	if s.FirstID, err = ParseID(js.FirstID); err != nil {
		return nil, fmt.Errorf("first_id: %w", err)
	}
	if s.MaxDeletedID, err = ParseID(js.MaxDeletedID); err != nil {
		return nil, fmt.Errorf("max_deleted_id: %w", err)
	}
	for i, je := range js.Entries {
		if s.Entries[i].ID, err = ParseID(je.ID); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		s.Entries[i].Fields = je.Fields
	}
	for i, jg := range js.Groups {
		g := &s.Groups[i]
		g.Name = jg.Name
		if g.Name == nil {
			return nil, fmt.Errorf("group %d: no name", i)
		}
		if g.LastDeliveredID, err = ParseID(jg.LastDeliveredID); err != nil {
			return nil, fmt.Errorf("group %s: last_delivered_id: %w", quote(g.Name), err)
		}
		g.EntriesRead = -1
		if jg.EntriesRead != nil {
			g.EntriesRead = *jg.EntriesRead
		}
		g.Pending = make([]rdb.StreamPending, len(jg.Pending))
		for k, jp := range jg.Pending {
			p := &g.Pending[k]
			if p.ID, err = ParseID(jp.ID); err != nil {
				return nil, fmt.Errorf("group %s: pending entry %d: %w", quote(g.Name), k, err)
			}
			p.Consumer, p.DeliveryTimeMs, p.DeliveryCount = jp.Consumer, jp.DeliveryTimeMs, jp.DeliveryCount
		}
		g.Consumers = make([]rdb.StreamConsumer, len(jg.Consumers))
		for k, jc := range jg.Consumers {
			c := &g.Consumers[k]
			c.Name = jc.Name
			if c.Name == nil {
				return nil, fmt.Errorf("group %s: consumer %d: no name", quote(g.Name), k)
			}
			c.Pending = make([]rdb.StreamID, len(jc.Pending))
			for m, id := range jc.Pending {
				if c.Pending[m], err = ParseID(id); err != nil {
					return nil, fmt.Errorf("group %s: consumer %s: %w", quote(g.Name), quote(c.Name), err)
				}
			}
		}
	}
	return s, nil
}

// checkValue checks what a sorted value must not hold: duplicates, and a
// stream's inconsistent counts.
func checkValue(v rdb.Value) error {
	switch v := v.(type) {
	case rdb.Set:
		for i := 1; i < len(v); i++ {
			if bytes.Equal(v[i-1], v[i]) {
				return fmt.Errorf("duplicate member %s", quote(v[i]))
			}
		}
	case rdb.ZSet:
		seen := make(map[string]bool, len(v))
		for _, m := range v {
			if seen[string(m.Member)] {
				return fmt.Errorf("duplicate member %s", quote(m.Member))
			}
			seen[string(m.Member)] = true
		}
	case rdb.Hash:
		for i := 1; i < len(v); i++ {
			if bytes.Equal(v[i-1].Field, v[i].Field) {
				return fmt.Errorf("duplicate field %s", quote(v[i].Field))
			}
		}
	case *rdb.Stream:
		if v.Length < uint64(len(v.Entries)) {
			return fmt.Errorf("stream length %d but %d entries", v.Length, len(v.Entries))
		}
		for i, e := range v.Entries {
			if i > 0 && CompareIDs(v.Entries[i-1].ID, e.ID) >= 0 {
				return fmt.Errorf("stream entry %s after %s", FormatID(e.ID), FormatID(v.Entries[i-1].ID))
			}
			if len(e.Fields) == 0 || len(e.Fields)%2 != 0 {
				return fmt.Errorf("stream entry %s: %d fields and values, want a positive even number", FormatID(e.ID), len(e.Fields))
			}
		}
		for _, g := range v.Groups {
			if i := slices.IndexFunc(g.Pending, func(p rdb.StreamPending) bool { return p.Consumer == nil }); i >= 0 {
				return fmt.Errorf("group %s: pending entry %s without a consumer", quote(g.Name), FormatID(g.Pending[i].ID))
			}
		}
		for i := 1; i < len(v.Groups); i++ {
			if bytes.Equal(v.Groups[i-1].Name, v.Groups[i].Name) {
				return fmt.Errorf("duplicate group %s", quote(v.Groups[i].Name))
			}
		}
	}
	return nil
}
