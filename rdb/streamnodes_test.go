package rdb

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
)

// TestStreamNodesRedis writes random streams whose entries cross node
// boundaries by count and by bytes, and checks that redis-server, given
// them as DUMP payloads, holds them in as many nodes (XINFO STREAM's
// radix-tree-keys) as when the same entries are added with XADD: the
// writer splits nodes exactly as Redis's streamAppendItem does.
func TestStreamNodesRedis(t *testing.T) {
	rc := redistest.Start(t, "").Client()
	r := testenv.Rand(t)
	nodes := func(key string) string {
		v := rc.Do("XINFO", "STREAM", key)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if string(v.Elems[i].Str) == "radix-tree-keys" {
				return strconv.FormatInt(v.Elems[i+1].Int, 10)
			}
		}
		t.Fatalf("XINFO STREAM %s: no radix-tree-keys in %v", key, v)
		return ""
	}
	for round := range 12 {
		s := &Stream{}
		n := 1 + r.IntN(700)
		maxValue := []int{8, 60, 300, 1500}[r.IntN(4)]
		ms := uint64(1)
		for i := range n {
			ms += uint64(r.IntN(2))
			id := StreamID{Ms: ms, Seq: uint64(i)} // increasing, with ID differences of every size
			var fields [][]byte
			if r.IntN(3) > 0 {
				fields = append(fields, []byte("f"), bytes.Repeat([]byte("v"), r.IntN(maxValue)))
			} else {
				for k := range 1 + r.IntN(4) {
					fields = append(fields, []byte("g"+strconv.Itoa(k)), []byte(strconv.Itoa(r.IntN(1<<20))))
				}
			}
			s.Entries = append(s.Entries, StreamEntry{ID: id, Fields: fields})
		}
		s.Length, s.EntriesAdded = uint64(n), uint64(n)
		s.LastID, s.FirstID = s.Entries[n-1].ID, s.Entries[0].ID
		added, restored := fmt.Sprintf("added:%d", round), fmt.Sprintf("restored:%d", round)
		for _, e := range s.Entries {
			args := [][]byte{[]byte("XADD"), []byte(added), []byte(fmt.Sprintf("%d-%d", e.ID.Ms, e.ID.Seq))}
			if v := rc.DoBytes(append(args, e.Fields...)...); v.Type == '-' {
				t.Fatalf("XADD: %s", v.Str)
			}
		}
		payload, err := AppendDump(nil, s, 10, false)
		must(t, err)
		if v := rc.DoBytes([]byte("RESTORE"), []byte(restored), []byte("0"), payload); v.Type == '-' {
			t.Fatalf("RESTORE: %s", v.Str)
		}
		if want, got := nodes(added), nodes(restored); want != got {
			t.Errorf("round %d, %d entries, values up to %d bytes: %s nodes after XADD, %s after RESTORE of our payload", round, n, maxValue, want, got)
		}
	}
}
