package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/resp"
)

// TestFullDisk runs the server, built as a program, with its data
// directory on a small tmpfs, under each fsync policy: it writes until
// the disk is full, checks that writes then get Redis's MISCONF reply
// while reads go on and the server stays up, frees space and checks that
// writes are accepted again without a restart (INFO saying the AOF is
// fine), and after a kill -9 and a restart that every acknowledged write
// is there. It needs root, to mount the tmpfs, and skips otherwise.
func TestFullDisk(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("TestFullDisk mounts a tmpfs: it needs root on Linux")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the server: %v\n%s", err, out)
	}
	for _, policy := range []string{"always", "everysec", "no"} {
		t.Run(policy, func(t *testing.T) { fullDisk(t, bin, policy) })
	}
}

func fullDisk(t *testing.T, bin, policy string) {
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s): skipping the full disk test", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	// The filler leaves the server a few hundred KiB; removing it
	// frees the space again.
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 640<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(mnt, "data")
	sock := filepath.Join(t.TempDir(), "server.sock")
	// The save point is never reached: it makes a failed BGSAVE stop
	// writes.
	args := []string{"--port", "0", "--unixsocket", sock, "--dir", data, "--save", "3600 1",
		"--appendonly", "yes", "--appendfsync", policy}
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}

	srv := startServer(t, bin, sock, args)
	rc := dialRaw(t, sock)
	do := func(args ...string) string {
		t.Helper()
		rc.send(t, string(resp.AppendCommandString(nil, args...)))
		return rc.reply(t)
	}
	// Values that do not compress, so that an RDB file or a base is
	// as big as the AOF.
	rnd := rand.New(rand.NewPCG(1, 2))
	value := func() string {
		b := make([]byte, 1000)
		for i := range b {
			b[i] = 'a' + byte(rnd.IntN(26))
		}
		return string(b)
	}
	acked := map[string]string{}
	var refused string
	for i := 0; refused == ""; i++ {
		if i > 2000 {
			t.Fatalf("no error after %d writes of 1000 bytes on a 1 MiB disk", i)
		}
		key := "k" + strconv.Itoa(i)
		v := value()
		switch r := do("SET", key, v); r {
		case "OK":
			acked[key] = v
		default:
			refused = r
		}
	}
	const misconf = "(error) MISCONF Errors writing to the AOF file: No space left on device"
	if refused != misconf {
		t.Fatalf("write on a full disk: %s, want %s", refused, misconf)
	}
	if r := do("SET", "x", "1"); r != misconf {
		t.Errorf("write after the disk filled up: %s, want %s", r, misconf)
	}
	if r := do("GET", "k0"); r != strconv.Quote(acked["k0"]) {
		t.Errorf("read on a full disk: %.40s", r)
	}
	if r, want := do("EXISTS", "k0", "k1", "x"), "2"; r != want {
		t.Errorf("EXISTS k0 k1 x on a full disk: %s, want %s", r, want)
	}
	if r := do("INFO", "persistence"); !strings.Contains(r, `aof_last_write_status:err`) {
		t.Errorf("INFO on a full disk does not say aof_last_write_status:err")
	}
	select {
	case <-srv.exited:
		t.Fatalf("the server exited on a full disk:\n%s", srv.out.String())
	default:
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The server retries once a second: wait for a write to get in.
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := do("SET", "after", "1")
		if r == "OK" {
			acked["after"] = "1"
			break
		}
		if r != misconf {
			t.Fatalf("write while space comes back: %s", r)
		}
		if time.Now().After(deadline) {
			t.Fatal("writes still refused 20 s after space was freed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := do("INFO", "persistence"); !strings.Contains(r, `aof_last_write_status:ok`) {
		t.Errorf("INFO after the disk has room does not say aof_last_write_status:ok")
	}
	for i := range 20 {
		key := "more" + strconv.Itoa(i)
		v := value()
		if r := do("SET", key, v); r != "OK" {
			t.Fatalf("write after the recovery: %s", r)
		}
		acked[key] = v
	}

	// A rewrite and a save on a disk too full for them fail, leave no
	// temporary file and the previous files in force, and succeed once
	// there is room; the failed save stops writes until then.
	fill(t, filepath.Join(mnt, "filler2"), 16<<10)
	wait := func(field, want string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			info := do("INFO", "persistence")
			if strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "rdb_bgsave_in_progress:0") &&
				strings.Contains(info, field+":"+want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s is not %s after 20 s:\n%s", field, want, info)
			}
		}
	}
	noTemps := func() {
		t.Helper()
		for _, dir := range []string{data, filepath.Join(data, "appendonlydir")} {
			names, _ := filepath.Glob(filepath.Join(dir, "temp-*"))
			if len(names) > 0 {
				t.Errorf("temporary files left: %v", names)
			}
		}
	}
	do("BGREWRITEAOF")
	wait("aof_last_bgrewrite_status", "err")
	do("BGSAVE")
	wait("rdb_last_bgsave_status", "err")
	noTemps()
	const misconfRDB = "(error) MISCONF Redis is configured to save RDB snapshots"
	if r := do("SET", "x", "1"); !strings.HasPrefix(r, misconfRDB) {
		t.Errorf("write after a failed BGSAVE: %s", r)
	}
	if r := do("GET", "k1"); r != strconv.Quote(acked["k1"]) {
		t.Errorf("read after a failed BGSAVE: %.40s", r)
	}
	if err := os.Remove(filepath.Join(mnt, "filler2")); err != nil {
		t.Fatal(err)
	}
	do("BGREWRITEAOF")
	wait("aof_last_bgrewrite_status", "ok")
	do("BGSAVE")
	wait("rdb_last_bgsave_status", "ok")
	noTemps()
	if r := do("SET", "last", "1"); r != "OK" {
		t.Fatalf("write after a successful BGSAVE: %s", r)
	}
	acked["last"] = "1"

	// kill -9, restart: every acknowledged write is there.
	srv.cmd.Process.Kill()
	<-srv.exited
	rc.Close()
	startServer(t, bin, sock, args)
	rc = dialRaw(t, sock)
	for k, v := range acked {
		if r := do("GET", k); r != strconv.Quote(v) {
			t.Fatalf("after a restart, %s = %.40s, want the acknowledged value", k, r)
		}
	}
	t.Logf("%s: %d writes acknowledged, refused: %s", policy, len(acked), refused)
}

// fill writes a file at path that leaves about leave bytes free on its
// file system.
func fill(t *testing.T, path string, leave int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if free > leave {
		if err := os.WriteFile(path, make([]byte, free-leave), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// process is the built server, running.
type process struct {
	cmd    *exec.Cmd
	out    syncBuffer
	exited chan struct{} // closed when it exits
}

// startServer starts the built server with args and waits until it
// listens on sock; a cleanup kills it.
func startServer(t *testing.T, bin, sock string, args []string) *process {
	t.Helper()
	os.Remove(sock) // left by a server killed before
	p := &process{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.out.String(), "Ready to accept connections") {
		select {
		case <-p.exited:
			t.Fatalf("the server exited at start:\n%s", p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", p.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

// TestStoreAOFWriteError: through the server, under always, a write
// whose AOF write fails gets Redis's MISCONF reply, as does an EXEC
// whose commands ran but could not be made durable (not EXECABORT: they
// are applied, and kept for the retry); later writes, PING, and writes
// queued in MULTI are refused as Redis refuses them; reads go on; once
// the disk has room, writes are accepted again without a restart; a
// restart loads every acknowledged write.
// startFaulty starts a server over a Store in dir under appendfsync
// always (unless args, redis-server's arguments, say otherwise), on ffs.
func startFaulty(t *testing.T, dir string, ffs *vfs.Faulty, args ...string) *storeServer {
	t.Helper()
	cfg, err := respserver.ParseArgs(append([]string{"--save", "", "--appendonly", "yes", "--appendfsync", "always"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Persistence.FS = ffs
	s, err := respserver.OpenStore(dir, cfg.Persistence, &respserver.Options{Logger: testLogger(t), Goroutines: goroutines})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	sock := filepath.Join(t.TempDir(), "s.sock")
	if _, err := s.Listen("unix", sock); err != nil {
		t.Fatal(err)
	}
	return &storeServer{Server: s, dir: dir, sock: sock}
}

func TestStoreAOFWriteError(t *testing.T) {
	dir := t.TempDir()
	ffs := vfs.NewFaulty(vfs.Default)
	s := startFaulty(t, dir, ffs)
	c := s.client(t)
	check(t, c, "OK", "SET", "a", "1")
	ffs.FailWhen(func(op vfs.Op, path string) bool {
		return (op == vfs.OpWrite || op == vfs.OpWriteAt) && strings.HasSuffix(path, ".incr.aof")
	}, vfs.NoSpace)
	const misconf = "(error) MISCONF Errors writing to the AOF file: No space left on device"
	check(t, c, "OK", "MULTI")
	check(t, c, "QUEUED", "SET", "b", "2")
	check(t, c, "QUEUED", "INCR", "n")
	check(t, c, misconf, "EXEC")
	check(t, c, misconf, "SET", "c", "3")
	check(t, c, misconf, "PING")
	check(t, c, "OK", "MULTI")
	check(t, c, misconf, "SET", "c", "3")
	check(t, c, "(error) EXECABORT Transaction discarded because of previous errors.", "EXEC")
	check(t, c, `"1"`, "GET", "a")
	check(t, c, `"2"`, "GET", "b")
	check(t, c, "2", "EXISTS", "a", "b", "c")
	if info := c.Do("INFO", "persistence").String(); !strings.Contains(info, "aof_last_write_status:err") {
		t.Errorf("INFO during the failure does not say aof_last_write_status:err")
	}

	ffs.FailWhen(nil, 0)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r := c.Do("SET", "d", "4").String()
		if r == "OK" {
			break
		}
		if r != misconf || time.Now().After(deadline) {
			t.Fatalf("SET once the disk has room: %s", r)
		}
	}
	if info := c.Do("INFO", "persistence").String(); !strings.Contains(info, "aof_last_write_status:ok") {
		t.Errorf("INFO after the retry does not say aof_last_write_status:ok")
	}
	check(t, c, "PONG", "PING")
	s.Shutdown()
	if err := s.Store().Close(); err != nil {
		t.Fatal(err)
	}

	c = startFaulty(t, dir, ffs).client(t)
	// b and n were applied and written by the retry: Redis keeps them
	// too.
	check(t, c, `array["1" "2" "1" "4"]`, "MGET", "a", "b", "n", "d")
}
