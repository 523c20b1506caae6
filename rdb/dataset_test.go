package rdb

// A minimal form of the fixtures' canonical JSON (shared/fixtures/README.md),
// enough to compare what the Reader yields with expected.json. The
// internal/dataset package is the full implementation; this one stays small
// on purpose.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
)

type jsonDataset struct {
	DBs map[string][]jsonKey `json:"dbs"`
}

type jsonKey struct {
	Key      string          `json:"key"`
	Type     string          `json:"type"`
	ExpireAt int64           `json:"expire_at_ms"`
	Value    json.RawMessage `json:"value"`
}

type jsonStream struct {
	Length       uint64      `json:"length"`
	LastID       string      `json:"last_id"`
	MaxDeletedID string      `json:"max_deleted_id"`
	EntriesAdded uint64      `json:"entries_added"`
	FirstID      string      `json:"first_id"`
	Entries      []jsonEntry `json:"entries"`
	Groups       []jsonGroup `json:"groups"`
}

type jsonEntry struct {
	ID     string   `json:"id"`
	Fields []string `json:"fields"`
}

type jsonGroup struct {
	Name            string         `json:"name"`
	LastDeliveredID string         `json:"last_delivered_id"`
	EntriesRead     int64          `json:"entries_read"`
	Pending         []jsonPending  `json:"pending"`
	Consumers       []jsonConsumer `json:"consumers"`
}

type jsonPending struct {
	ID             string `json:"id"`
	Consumer       string `json:"consumer"`
	DeliveryTimeMs int64  `json:"delivery_time_ms"`
	DeliveryCount  uint64 `json:"delivery_count"`
}

type jsonConsumer struct {
	Name    string   `json:"name"`
	Pending []string `json:"pending"`
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func idText(id StreamID) string { return fmt.Sprintf("%d-%d", id.Ms, id.Seq) }

// canonValue turns a value into the JSON of the fixtures, with sets and
// hashes sorted and zset scores as float64 so that equal data gives equal
// JSON.
func canonValue(v Value) any {
	switch v := v.(type) {
	case String:
		return b64(v)
	case List:
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = b64(e)
		}
		return out
	case Set:
		s := slices.Clone(v)
		slices.SortFunc(s, bytes.Compare)
		out := make([]string, len(s))
		for i, e := range s {
			out[i] = b64(e)
		}
		return out
	case ZSet:
		z := slices.Clone(v)
		sort.SliceStable(z, func(i, j int) bool {
			if z[i].Score != z[j].Score {
				return z[i].Score < z[j].Score
			}
			return bytes.Compare(z[i].Member, z[j].Member) < 0
		})
		out := make([][2]any, len(z))
		for i, m := range z {
			out[i] = [2]any{b64(m.Member), m.Score}
		}
		return out
	case Hash:
		h := slices.Clone(v)
		slices.SortFunc(h, func(a, b HashField) int { return bytes.Compare(a.Field, b.Field) })
		out := make([][]any, len(h))
		for i, f := range h {
			out[i] = []any{b64(f.Field), b64(f.Value)}
			if f.ExpireAt != 0 {
				out[i] = append(out[i], f.ExpireAt)
			}
		}
		return out
	case *Stream:
		js := jsonStream{
			Length: v.Length, LastID: idText(v.LastID), MaxDeletedID: idText(v.MaxDeletedID),
			EntriesAdded: v.EntriesAdded, FirstID: idText(v.FirstID),
			Entries: []jsonEntry{}, Groups: []jsonGroup{},
		}
		for _, e := range v.Entries {
			je := jsonEntry{ID: idText(e.ID)}
			for _, f := range e.Fields {
				je.Fields = append(je.Fields, b64(f))
			}
			js.Entries = append(js.Entries, je)
		}
		for _, g := range v.Groups {
			// The fixtures write an unknown entries-read (-1, which XINFO
			// reports as nil) as 0.
			jg := jsonGroup{Name: b64(g.Name), LastDeliveredID: idText(g.LastDeliveredID), EntriesRead: max(g.EntriesRead, 0),
				Pending: []jsonPending{}, Consumers: []jsonConsumer{}}
			for _, p := range g.Pending {
				jg.Pending = append(jg.Pending, jsonPending{idText(p.ID), b64(p.Consumer), p.DeliveryTimeMs, p.DeliveryCount})
			}
			for _, c := range g.Consumers {
				jc := jsonConsumer{Name: b64(c.Name), Pending: []string{}}
				for _, id := range c.Pending {
					jc.Pending = append(jc.Pending, idText(id))
				}
				jg.Consumers = append(jg.Consumers, jc)
			}
			slices.SortFunc(jg.Consumers, func(a, b jsonConsumer) int { return cmpB64(a.Name, b.Name) })
			js.Groups = append(js.Groups, jg)
		}
		slices.SortFunc(js.Groups, func(a, b jsonGroup) int { return cmpB64(a.Name, b.Name) })
		return js
	case *Module:
		return map[string]any{"module": ModuleName(v.ID), "data": b64(v.Data)}
	}
	return fmt.Sprintf("unknown value %T", v)
}

func cmpB64(a, b string) int {
	x, _ := base64.StdEncoding.DecodeString(a)
	y, _ := base64.StdEncoding.DecodeString(b)
	return bytes.Compare(x, y)
}

// canonExpected re-encodes an expected.json value the way canonValue
// encodes ours.
func canonExpected(t testing.TB, typ string, raw json.RawMessage) any {
	t.Helper()
	switch typ {
	case "string":
		var s string
		must(t, json.Unmarshal(raw, &s))
		return s
	case "list":
		var l []string
		must(t, json.Unmarshal(raw, &l))
		return l
	case "set":
		var l []string
		must(t, json.Unmarshal(raw, &l))
		slices.SortFunc(l, cmpB64)
		return l
	case "zset":
		var z [][2]string
		must(t, json.Unmarshal(raw, &z))
		var v ZSet
		for _, m := range z {
			mem, _ := base64.StdEncoding.DecodeString(m[0])
			f, err := strconv.ParseFloat(m[1], 64)
			must(t, err)
			v = append(v, ZMember{mem, f})
		}
		return canonValue(v)
	case "hash":
		var h [][]string
		must(t, json.Unmarshal(raw, &h))
		var v Hash
		for _, p := range h {
			f, _ := base64.StdEncoding.DecodeString(p[0])
			x, _ := base64.StdEncoding.DecodeString(p[1])
			v = append(v, HashField{Field: f, Value: x})
		}
		return canonValue(v)
	case "stream":
		var js jsonStream
		must(t, json.Unmarshal(raw, &js))
		if js.Entries == nil {
			js.Entries = []jsonEntry{}
		}
		if js.Groups == nil {
			js.Groups = []jsonGroup{}
		}
		for i := range js.Groups {
			g := &js.Groups[i]
			if g.Pending == nil {
				g.Pending = []jsonPending{}
			}
			if g.Consumers == nil {
				g.Consumers = []jsonConsumer{}
			}
			for j := range g.Consumers {
				if g.Consumers[j].Pending == nil {
					g.Consumers[j].Pending = []string{}
				}
			}
			slices.SortFunc(g.Consumers, func(a, b jsonConsumer) int { return cmpB64(a.Name, b.Name) })
		}
		slices.SortFunc(js.Groups, func(a, b jsonGroup) int { return cmpB64(a.Name, b.Name) })
		return js
	}
	t.Fatalf("unknown type %q in expected.json", typ)
	return nil
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// entryJSON is one key's canonical form, for comparing.
func entryJSON(e *Entry) string {
	return toJSON([]any{e.Value.Type().String(), e.ExpireAt, canonValue(e.Value)})
}

// compareExpected checks that entries (the Reader's non-expired keys) hold
// exactly the data of the expected.json at path.
func compareExpected(t *testing.T, path string, entries []*Entry) {
	t.Helper()
	raw, err := os.ReadFile(path)
	must(t, err)
	var ds jsonDataset
	must(t, json.Unmarshal(raw, &ds))
	want := map[string]string{}
	wantStreams := map[string]jsonStream{}
	for db, keys := range ds.DBs {
		for _, k := range keys {
			key, _ := base64.StdEncoding.DecodeString(k.Key)
			v := canonExpected(t, k.Type, k.Value)
			if js, ok := v.(jsonStream); ok {
				wantStreams[db+"/"+string(key)] = js
			}
			want[db+"/"+string(key)] = toJSON([]any{k.Type, k.ExpireAt, v})
		}
	}
	got := map[string]string{}
	for _, e := range entries {
		id := strconv.Itoa(e.DB) + "/" + string(e.Key)
		if _, dup := got[id]; dup {
			t.Errorf("duplicate key %q", id)
		}
		got[id] = entryJSON(e)
		if ws, ok := wantStreams[id]; ok && e.Value.Type() == TypeStream {
			// The fixtures list at most 10 entries and 10 pending
			// entries per group and consumer (the tool that made them
			// read streams with COUNT 10): compare that prefix.
			gs := canonValue(e.Value).(jsonStream)
			gs.Entries = gs.Entries[:min(len(gs.Entries), max(len(ws.Entries), 10))]
			for i := range gs.Groups {
				g := &gs.Groups[i]
				g.Pending = g.Pending[:min(len(g.Pending), 10)]
				for j := range g.Consumers {
					g.Consumers[j].Pending = g.Consumers[j].Pending[:min(len(g.Consumers[j].Pending), 10)]
				}
			}
			got[id] = toJSON([]any{"stream", e.ExpireAt, gs})
		}
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("key %q missing", k)
			continue
		}
		if g != w {
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			from := max(0, i-200)
			t.Errorf("key %q differs at byte %d:\n got ...%.400s\nwant ...%.400s", k, i, g[from:], w[from:])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %q", k)
		}
	}
}
