package dataset

import (
	"io"
	"slices"
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

func TestSnapshot(t *testing.T) {
	d := &Dataset{DBs: map[int][]rdb.Entry{
		0: {{Key: []byte("a"), Value: rdb.String("1")}, {Key: []byte("b"), Value: rdb.String("2"), ExpireAt: 9}, {Key: []byte("c"), Value: rdb.String("3")}},
		2: {{Key: []byte("x"), Value: rdb.String("4")}},
	}}
	for _, tc := range []struct {
		interleave bool
		want       []string
	}{
		{false, []string{"0/a", "0/b", "0/c", "2/x"}},
		{true, []string{"0/a", "2/x", "0/b", "0/c"}},
	} {
		s := d.Snapshot(tc.interleave)
		want := []keyspace.DBSize{{Keys: 3, Expires: 1}, {}, {Keys: 1}}
		if got := s.Sizes(); !slices.Equal(got, want) {
			t.Errorf("Sizes = %v, want %v", got, want)
		}
		var got []string
		for {
			e, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(rune('0'+e.DB))+"/"+string(e.Key))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("interleave %v: %v, want %v", tc.interleave, got, tc.want)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (&Dataset{}).Snapshot(false).Next(); err != io.EOF {
		t.Errorf("empty data set: %v", err)
	}
}
