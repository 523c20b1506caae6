package compact

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestRedisBlobs decodes the blobs cut out of Redis's test RDB files (see
// testdata/README.md) and compares them with what redis-server reports
// for those keys.
func TestRedisBlobs(t *testing.T) {
	cases := []struct {
		file string
		want []string // elements (ints as #n), pairs for zipmaps, values for intsets
		bad  string   // reason of the expected error
	}{
		{file: "hash-zipmap.zipmap", want: []string{"f1", "v1", "f2", "v2"}},
		{file: "hash-ziplist.ziplist", want: []string{"f1", "v1", "f2", "v2"}},
		{file: "zset-ziplist.ziplist", want: []string{"one", "#1", "two", "#2"}},
		{file: "list-quicklist-node0.ziplist", want: []string{"#7"}},
		{file: "encodings-list_zipped.ziplist", want: []string{"#1", "#2", "#3", "a", "b", "c", "#100000", "#6000000000"}},
		{file: "encodings-hash_zipped.ziplist", want: []string{"a", "#1", "b", "#2", "c", "#3"}},
		{file: "encodings-zset_zipped.ziplist", want: []string{"a", "#1", "b", "#2", "c", "#3"}},
		{file: "encodings-set_zipped_1.intset", want: []string{"1", "2", "3", "4"}},
		{file: "encodings-set_zipped_2.intset", want: []string{"100000", "200000", "300000", "400000"}},
		{file: "encodings-set_zipped_3.intset", want: []string{"1000000000", "2000000000", "3000000000", "4000000000", "5000000000", "6000000000"}},
		{file: "corrupt_ziplist-mylist-node0.ziplist", want: []string{"xxxxx", "xxxxx", "xxxxx", "xxxxx", "xxxxx"}},
		{file: "corrupt_ziplist-key91.ziplist", bad: "shorter than the 11-byte minimum"},
		{file: "corrupt_empty_keys-list_ziplist.ziplist", want: nil},
		{file: "corrupt_empty_keys-zset_listpack.listpack", want: nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			blob, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var n int
			kind := filepath.Ext(c.file)[1:]
			switch kind {
			case "listpack":
				got, err = lpTexts(blob)
			case "ziplist":
				got, err = zlTexts(blob)
			case "intset":
				n, err = IntsetEach(blob, func(v int64) error {
					got = append(got, strconv.FormatInt(v, 10))
					return nil
				})
				_ = n
			case "zipmap":
				got, err = zmPairs(blob)
			}
			if c.bad != "" {
				wantFormatError(t, err, kind, c.bad)
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
