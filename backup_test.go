package aofrdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
)

// storeData returns the data set of s's keyspace now.
func storeData(t *testing.T, s *Store) *dataset.Dataset {
	t.Helper()
	snap, err := s.Keyspace().Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	d, err := dataset.FromEntries(snap.Next)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// backupData reads a backup (plain or zstd) as a data set.
func backupData(t *testing.T, b []byte) *dataset.Dataset {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	if bytes.HasPrefix(b, zstdMagic) {
		dec, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		r = dec
	}
	rd := rdb.NewReader(r, nil)
	d, err := dataset.FromEntries(rd.Next)
	if err != nil {
		t.Fatalf("reading the backup: %v", err)
	}
	return d
}

func do(t *testing.T, s *Store, db int, args ...string) {
	t.Helper()
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	r, err := s.Do(ctx, db, bs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) > 0 && r[0] == '-' {
		t.Fatalf("%q: %s", args, r)
	}
}

// fill writes keys of every type, some with a TTL, in two databases.
func fill(t *testing.T, s *Store) {
	t.Helper()
	for i := range 200 {
		do(t, s, 0, "SET", fmt.Sprintf("str:%d", i), fmt.Sprintf("value %d %s", i, bytes.Repeat([]byte("x"), i)))
	}
	do(t, s, 0, "SET", "ttl", "v", "PX", "3600000")
	do(t, s, 0, "RPUSH", "list", "a", "b", "c", "1", "2")
	do(t, s, 0, "HSET", "hash", "f1", "v1", "f2", "v2")
	do(t, s, 0, "SADD", "set", "m1", "m2", "3")
	do(t, s, 0, "ZADD", "zset", "1.5", "a", "-2", "b")
	do(t, s, 3, "SET", "other-db", "yes")
	do(t, s, 3, "PEXPIRE", "other-db", "7200000")
}

func TestBackupRestore(t *testing.T) {
	now := time.Now()
	for _, z := range []bool{false, true} {
		for _, tc := range []struct {
			name string
			set  func(o *Options)
			want []string // files in the restored directory, besides the lock
		}{
			{"rdb", func(o *Options) {}, []string{"dump.rdb"}},
			{"aof", func(o *Options) { o.AppendOnly = true }, []string{"appendonlydir"}},
			{"aof-resp", func(o *Options) { o.AppendOnly, o.AOFUseRDBPreamble = true, false }, []string{"appendonlydir"}},
		} {
			t.Run(fmt.Sprintf("zstd=%v/%s", z, tc.name), func(t *testing.T) {
				mem := vfs.NewMem()
				o := memOptions(mem)
				o.Now = func() time.Time { return now }
				s := mustOpen(t, "data", o)
				defer s.Close()
				fill(t, s)
				want := storeData(t, s)
				var buf bytes.Buffer
				if err := s.Backup(ctx, &buf, &BackupOptions{Zstd: z}); err != nil {
					t.Fatal(err)
				}
				if got := bytes.HasPrefix(buf.Bytes(), zstdMagic); got != z {
					t.Fatalf("zstd magic: %v", got)
				}
				if got := backupData(t, buf.Bytes()); !dataset.Equal(got, want) {
					t.Fatalf("backup differs:\n%s", dataset.Diff(got, want))
				}

				ro := memOptions(mem)
				ro.Now = o.Now
				tc.set(ro)
				if err := Restore("restored", bytes.NewReader(buf.Bytes()), ro); err != nil {
					t.Fatal(err)
				}
				names, _ := mem.List("restored")
				if w := append([]string{LockFile}, tc.want...); fmt.Sprint(names) != fmt.Sprint(sorted(w)) {
					t.Errorf("restored directory holds %v, want %v", names, sorted(w))
				}
				if ro.AppendOnly {
					aofNames, _ := mem.List("restored/appendonlydir")
					base := "appendonly.aof.1.base.rdb"
					if !ro.AOFUseRDBPreamble {
						base = "appendonly.aof.1.base.aof"
					}
					if w := sorted([]string{base, "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"}); fmt.Sprint(aofNames) != fmt.Sprint(w) {
						t.Errorf("AOF directory holds %v, want %v", aofNames, w)
					}
				}
				r := mustOpen(t, "restored", ro)
				defer r.Close()
				if got := storeData(t, r); !dataset.Equal(got, want) {
					t.Errorf("restored data differs:\n%s", dataset.Diff(got, want))
				}
				// A plain RDB restore is the backup byte for byte.
				if !z && !ro.AppendOnly {
					b, err := vfs.ReadFile(mem, "restored/dump.rdb")
					if err != nil || !bytes.Equal(b, buf.Bytes()) {
						t.Errorf("dump.rdb is not the backup (%v)", err)
					}
				}
			})
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestBackupConsistentCut: while writers go on, every backup is the data
// set after some number m of writes, never a mix: each write (a unit of
// two commands) records its sequence number in key n:<seq> and sets or
// deletes one of a few shared keys, so the backup's n keys give m and
// the shared keys must be what the first m writes left.
func TestBackupConsistentCut(t *testing.T) {
	mem := vfs.NewMem()
	o := memOptions(mem)
	o.AppendOnly = true
	o.Save = nil
	s := mustOpen(t, "data", o)
	defer s.Close()

	const writers, perWriter = 4, 1500
	seq := 0 // guarded by the write turn
	op := func(seq int) (key string, del bool) {
		return "k:" + strconv.Itoa(seq%31), seq%4 == 0
	}
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for range perWriter {
				err := s.Write(ctx, func(w *Writer) error {
					seq++
					n := strconv.Itoa(seq)
					if err := w.Exec(&keyspace.Call{Args: [][]byte{[]byte("SET"), []byte("n:" + n), []byte(n)}}); err != nil {
						return err
					}
					k, del := op(seq)
					args := [][]byte{[]byte("SET"), []byte(k), []byte(n)}
					if del {
						args = [][]byte{[]byte("DEL"), []byte(k)}
					}
					return w.Exec(&keyspace.Call{Args: args})
				})
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	check := func(b []byte) int {
		t.Helper()
		got := backupData(t, b)
		data := map[string]string{}
		m := 0
		for _, e := range got.DBs[0] {
			data[string(e.Key)] = string(e.Value.(rdb.String))
		}
		for m < writers*perWriter && data["n:"+strconv.Itoa(m+1)] != "" {
			m++
		}
		want := map[string]string{}
		for i := 1; i <= m; i++ {
			n := strconv.Itoa(i)
			want["n:"+n] = n
			if k, del := op(i); del {
				delete(want, k)
			} else {
				want[k] = n
			}
		}
		var diffs []string
		for k, v := range want {
			if data[k] != v {
				diffs = append(diffs, fmt.Sprintf("%s = %q, want %q", k, data[k], v))
			}
		}
		for k, v := range data {
			if _, ok := want[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s = %q, want none", k, v))
			}
		}
		if len(diffs) > 0 {
			slices.Sort(diffs)
			t.Fatalf("backup after %d writes is not the data set of that instant: %s", m, diffs)
		}
		return m
	}
	for i := 0; ; i++ {
		var buf bytes.Buffer
		if err := s.Backup(ctx, &buf, &BackupOptions{Zstd: i%2 == 1, ZstdLevel: 1}); err != nil {
			t.Fatal(err)
		}
		m := check(buf.Bytes())
		if m == writers*perWriter {
			t.Logf("%d backups", i+1)
			break
		}
		if i > 10000 {
			t.Fatal("the writers do not finish")
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

func TestRestoreBadInput(t *testing.T) {
	mem := vfs.NewMem()
	s := mustOpen(t, "data", memOptions(mem))
	fill(t, s)
	var plain, zst bytes.Buffer
	if err := s.Backup(ctx, &plain, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, &zst, &BackupOptions{Zstd: true}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	p, z := plain.Bytes(), zst.Bytes()
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x40
		return b
	}
	i := 0
	for _, tc := range []struct {
		name string
		in   []byte
		msg  string // in the error
	}{
		{"empty", nil, "empty"},
		{"not a backup", []byte("hello, world"), "neither an RDB file nor a zstd stream"},
		{"truncated", p[:len(p)/2], "unexpected end"},
		{"no trailer", p[:len(p)-3], "unexpected end"},
		{"flipped byte", flip(p, len(p)-20), "checksum"},
		{"trailing bytes", append(bytes.Clone(p), "more"...), "4 bytes follow the RDB file"},
		{"zstd truncated", z[:len(z)/2], "zstd"},
		// Caught by the RDB reader or by zstd's checksum, by where it falls.
		{"zstd flipped byte", flip(z, len(z)/2), ""},
		{"zstd of garbage", zstdOf(t, []byte("not an RDB file at all")), "wrong signature"},
	} {
		for _, aofOn := range []bool{false, true} {
			i++
			t.Run(fmt.Sprintf("%s/aof=%v", tc.name, aofOn), func(t *testing.T) {
				o := memOptions(mem)
				o.AppendOnly = aofOn
				dir := "r" + strconv.Itoa(i)
				err := Restore(dir, bytes.NewReader(tc.in), o)
				if !errors.Is(err, ErrBadBackup) || !bytes.Contains([]byte(err.Error()), []byte(tc.msg)) {
					t.Fatalf("error %v, want ErrBadBackup saying %q", err, tc.msg)
				}
				t.Log(err)
				if names, _ := mem.List(dir); len(names) != 1 || names[0] != LockFile {
					t.Errorf("after the error the directory holds %v", names)
				}
				// The directory can be restored into again.
				if err := Restore(dir, bytes.NewReader(p), o); err != nil {
					t.Fatalf("a good backup after a bad one: %v", err)
				}
			})
		}
	}
}

func zstdOf(t *testing.T, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(b, nil)
}

func TestRestoreRefuses(t *testing.T) {
	mem := vfs.NewMem()
	s := mustOpen(t, "data", memOptions(mem))
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf, nil); err != nil {
		t.Fatal(err)
	}
	// Into a directory in use (it holds only the lock file yet), or
	// holding anything.
	if err := Restore("data", bytes.NewReader(buf.Bytes()), memOptions(mem)); !errors.Is(err, ErrLocked) {
		t.Errorf("into the open store's directory: %v", err)
	}
	s.Close()
	if err := Restore("data", bytes.NewReader(buf.Bytes()), memOptions(mem)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("into a data directory: %v", err)
	}
	// A database the options do not have.
	s = mustOpen(t, "data2", memOptions(mem))
	do(t, s, 15, "SET", "k", "v")
	buf.Reset()
	if err := s.Backup(ctx, &buf, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	o := memOptions(mem)
	o.Databases = 8
	if err := Restore("r", bytes.NewReader(buf.Bytes()), o); !errors.Is(err, ErrBadBackup) || !errors.Is(err, rdb.ErrDatabase) {
		t.Errorf("database 15 with 8 databases: %v", err)
	}
	// Bad options.
	if err := Restore("r2", bytes.NewReader(buf.Bytes()), &Options{}); !errors.Is(err, ErrOptions) {
		t.Errorf("Options{}: %v", err)
	}
}

func TestBackupErrors(t *testing.T) {
	mem := vfs.NewMem()
	s := mustOpen(t, "data", memOptions(mem))
	fill(t, s)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Backup(cctx, io.Discard, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	if err := s.Backup(ctx, io.Discard, &BackupOptions{Zstd: true, ZstdLevel: 23}); err == nil {
		t.Error("zstd level 23 accepted")
	}
	wantErr := errors.New("disk full")
	if err := s.Backup(ctx, failWriter{wantErr}, nil); !errors.Is(err, wantErr) {
		t.Errorf("failing writer: %v", err)
	}
	// Backup does not count as a save.
	if info := s.Info(); info.RDBSaves != 0 || info.RDBChangesSinceLastSave == 0 {
		t.Errorf("after backups: saves %d, changes %d", info.RDBSaves, info.RDBChangesSinceLastSave)
	}
	s.Close()
	if err := s.Backup(ctx, io.Discard, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// TestRestoreRedisServer: redis-server loads what Restore makes, with
// AOF on (the multi-part directory) and off (dump.rdb), and Restore
// reads redis-server's own dump.rdb.
func TestRestoreRedisServer(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, filepath.Join(dir, "src"), nil)
	fill(t, s)
	want := storeData(t, s)
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf, &BackupOptions{Zstd: true}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, aofOn := range []bool{false, true} {
		o := DefaultOptions()
		o.AppendOnly = aofOn
		rdir := filepath.Join(dir, "aof-"+strconv.FormatBool(aofOn))
		if err := Restore(rdir, bytes.NewReader(buf.Bytes()), o); err != nil {
			t.Fatal(err)
		}
		yn := map[bool]string{false: "no", true: "yes"}[aofOn]
		srv := redistest.Start(t, rdir, "--appendonly", yn)
		c := srv.Client()
		if v := c.Must("DBSIZE"); v.Int != int64(len(want.DBs[0])) {
			t.Errorf("appendonly %s: DBSIZE %d, want %d", yn, v.Int, len(want.DBs[0]))
		}
		if v := c.Must("LRANGE", "list", "0", "-1"); len(v.Elems) != 5 {
			t.Errorf("appendonly %s: LRANGE list: %+v", yn, v)
		}
		c.Must("SELECT", "3")
		if v := c.Must("GET", "other-db"); string(v.Str) != "yes" {
			t.Errorf("appendonly %s: GET other-db in db 3: %+v", yn, v)
		}
		if yn == "no" {
			// redis-server's own RDB file restores as a backup.
			c.Must("SAVE")
			b, err := vfs.ReadFile(vfs.Default, filepath.Join(rdir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			o := DefaultOptions()
			o.AppendOnly = true
			if err := Restore(filepath.Join(dir, "from-redis"), bytes.NewReader(b), o); err != nil {
				t.Fatal(err)
			}
			r := mustOpen(t, filepath.Join(dir, "from-redis"), o)
			if got := storeData(t, r); !dataset.Equal(got, want) {
				t.Errorf("redis-server's dump.rdb restored differs:\n%s", dataset.Diff(got, want))
			}
			r.Close()
		}
	}
}
