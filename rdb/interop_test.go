package rdb

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
)

// TestInterop writes random data sets, checks them with redis-check-rdb,
// loads them in redis-server, reads every key back (DUMP and PEXPIRETIME)
// and compares; then has redis-server SAVE and reads its file back.
func TestInterop(t *testing.T) {
	checker := testenv.LookPath(t, "redis-check-rdb", "apt-get install -y redis-tools")
	testenv.RedisServer(t)
	r := testenv.Rand(t)
	for _, opts := range []WriterOptions{
		{Version: 10},
		{Version: 10, NoCompression: true, NoChecksum: true},
		{Version: 9},
	} {
		t.Run(fmt.Sprintf("v%d-nocompress=%v", opts.Version, opts.NoCompression), func(t *testing.T) {
			var entries []*Entry
			for _, e := range randDataset(r, opts.Version) {
				if _, ok := e.Value.(*Module); !ok { // no module is loaded
					entries = append(entries, e)
				}
			}
			// Databases interleaved, as a keyspace snapshot may give them
			// (a SELECTDB at each change): Redis loads that too.
			r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
			dir := t.TempDir()
			path := filepath.Join(dir, "dump.rdb")
			must(t, os.WriteFile(path, writeAll(t, entries, &opts), 0o644))
			if out, err := exec.Command(checker, path).CombinedOutput(); err != nil {
				t.Fatalf("redis-check-rdb: %v\n%s", err, out)
			}
			// redis-server loads dir/dump.rdb.
			rc := redistest.Start(t, dir, "--dbfilename", "dump.rdb").Client()
			perDB := map[int]int{}
			for _, e := range entries {
				perDB[e.DB]++
			}
			for db, n := range perDB {
				rc.Must("SELECT", strconv.Itoa(db))
				if got := rc.Must("DBSIZE").Int; got != int64(n) {
					t.Errorf("db %d: DBSIZE %d, wrote %d keys", db, got, n)
				}
			}
			for _, e := range entries {
				rc.Must("SELECT", strconv.Itoa(e.DB))
				payload := rc.Must("DUMP", string(e.Key))
				if payload.IsNull() {
					t.Fatalf("key %q missing", e.Key)
				}
				v, err := ParseDump(payload.Str)
				must(t, err)
				if got, want := toJSON(canonValue(v)), normalize(e.Value, opts.Version); got != want {
					t.Fatalf("key %q (%s):\n got %.500s\nwant %.500s", e.Key, e.Value.Type(), got, want)
				}
				exp := rc.Must("PEXPIRETIME", string(e.Key)).Int
				if exp == -1 {
					exp = 0
				}
				if exp != e.ExpireAt {
					t.Errorf("key %q: PEXPIRETIME %d, wrote %d", e.Key, exp, e.ExpireAt)
				}
			}
			// Redis's own file of the same data reads back equal.
			rc.Must("SAVE")
			got, _, err := readAll(bytes.NewReader(readFile(t, path)), nil)
			must(t, err)
			byKey := map[string]*Entry{}
			for _, g := range got {
				byKey[strconv.Itoa(g.DB)+"/"+string(g.Key)] = g
			}
			for _, e := range entries {
				g := byKey[strconv.Itoa(e.DB)+"/"+string(e.Key)]
				if g == nil {
					t.Fatalf("key %q missing from redis-server's save", e.Key)
				}
				if a, b := toJSON(canonValue(g.Value)), normalize(e.Value, opts.Version); a != b || g.ExpireAt != e.ExpireAt {
					t.Fatalf("key %q differs in redis-server's save", e.Key)
				}
			}
		})
	}
}
