//go:build unix

package aofrdb

// kill -9 tests: the test binary runs itself as a child that writes
// under appendfsync always from many goroutines, printing each
// acknowledged write; the parent kills it with SIGKILL at a random
// moment (while a rewrite or a BGSAVE runs, for those variants),
// reopens the directory and checks every acknowledged write is there.

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/keyspace"
)

const (
	killModeEnv     = "AOFRDB_KILL_CHILD" // writes, rewrite or bgsave
	killDirEnv      = "AOFRDB_KILL_DIR"
	killPreambleEnv = "AOFRDB_KILL_PREAMBLE"
	killWriters     = 16
	// killPreload keys are written before the writers start, so that
	// rewrites and saves take long enough to be killed in.
	killPreload = 30000
)

// killValue is the value written at key: derived from it, so the parent
// can check it.
func killValue(key string) string {
	return strings.Repeat(key+";", 64/(len(key)+1)+1)
}

func killOptions(dir string, preamble bool) *Options {
	o := DefaultOptions()
	o.AppendOnly = true
	o.AppendFsync = aof.Always
	o.AOFUseRDBPreamble = preamble
	o.Save = nil
	o.AutoAOFRewritePercentage = 0
	o.RDBCompression = false // LZF is slow under the race detector
	return o
}

// TestKillChild is the child: it runs only when TestKill9 runs it.
func TestKillChild(t *testing.T) {
	mode := os.Getenv(killModeEnv)
	if mode == "" {
		t.Skip("the child of TestKill9")
	}
	out := func(format string, args ...any) {
		// One write per line: lines of concurrent writers do not mix.
		os.Stdout.Write(fmt.Appendf(nil, format+"\n", args...))
	}
	s, err := Open(os.Getenv(killDirEnv), killOptions(os.Getenv(killDirEnv), os.Getenv(killPreambleEnv) == "1"))
	if err != nil {
		out("error open: %v", err)
		os.Exit(2)
	}
	for b := 0; b < killPreload; b += 1000 {
		err := s.Write(ctx, func(w *Writer) error {
			for i := b; i < b+1000; i++ {
				k := fmt.Sprintf("p%06d", i)
				if err := w.Exec(&keyspace.Call{Args: toArgs([]string{"SET", k, killValue(k)})}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			out("error preload: %v", err)
			os.Exit(2)
		}
	}
	out("ready")
	for g := range killWriters {
		go func() {
			for n := 0; ; n++ {
				k := fmt.Sprintf("w%02d-%07d", g, n)
				if err := s.Set(ctx, []byte(k), []byte(killValue(k)), 0); err != nil {
					out("error write: %v", err)
					return
				}
				out("ack %s", k)
			}
		}()
	}
	for {
		start := time.Now()
		switch mode {
		case "rewrite":
			err = s.BGRewriteAOF(ctx)
			if err == nil && s.Info().AOFRewriteInProgress {
				out("in progress")
			}
		case "bgsave":
			err = s.BGSave(ctx)
			if err == nil && s.Info().RDBBGSaveInProgress {
				out("in progress")
			}
		default:
			select {}
		}
		if err != nil {
			out("error %s: %v", mode, err)
			os.Exit(2)
		}
		if err := s.WaitBackground(ctx); err != nil {
			out("error %s: %v", mode, err)
			os.Exit(2)
		}
		out("done in %v", time.Since(start))
	}
}

// TestKill9 kills the child with SIGKILL while it writes, while it
// rewrites the AOF and while it saves, and checks every write it
// acknowledged is back.
func TestKill9(t *testing.T) {
	if os.Getenv(killModeEnv) != "" {
		t.Skip("in the child")
	}
	for _, tc := range []struct {
		mode     string
		preamble bool
	}{
		{"writes", true},
		{"rewrite", true},
		{"rewrite", false},
		{"bgsave", true},
	} {
		t.Run(fmt.Sprintf("%s/preamble=%v", tc.mode, tc.preamble), func(t *testing.T) {
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 0))
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			pre := "0"
			if tc.preamble {
				pre = "1"
			}
			cmd.Env = append(os.Environ(), killModeEnv+"="+tc.mode, killDirEnv+"="+dir, killPreambleEnv+"="+pre)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var (
				mu      sync.Mutex
				acked   []string
				lines   []string // the others
				ready   = make(chan struct{})
				running = make(chan struct{}, 1000)
				eof     = make(chan struct{})
			)
			go func() {
				defer close(eof)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					line := sc.Text()
					mu.Lock()
					if k, ok := strings.CutPrefix(line, "ack "); ok {
						acked = append(acked, k)
					} else {
						lines = append(lines, line)
					}
					mu.Unlock()
					switch {
					case line == "ready":
						close(ready)
					case line == "in progress":
						running <- struct{}{}
					}
				}
			}()
			kill := func() {
				cmd.Process.Kill()
				<-eof
				cmd.Wait()
			}
			timeout := time.After(2 * time.Minute)
			select {
			case <-ready:
			case <-eof:
				cmd.Wait()
				t.Fatalf("the child ended before it was ready: %q\n%s", lines, stderr.Bytes())
			case <-timeout:
				kill()
				t.Fatalf("the child was not ready in time: %q\n%s", lines, stderr.Bytes())
			}
			if tc.mode != "writes" {
				// Let a few jobs run, then kill during one.
				for range 2 + rng.IntN(2) {
					select {
					case <-running:
					case <-eof:
						cmd.Wait()
						t.Fatalf("the child ended: %q\n%s", lines, stderr.Bytes())
					case <-timeout:
						kill()
						t.Fatalf("no rewrite or save started: %q\n%s", lines, stderr.Bytes())
					}
				}
				time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			} else {
				time.Sleep(time.Duration(50+rng.IntN(300)) * time.Millisecond)
			}
			kill()
			mu.Lock()
			defer mu.Unlock()
			for _, l := range lines {
				if strings.HasPrefix(l, "error") {
					t.Fatalf("the child: %s\n%s", l, stderr.Bytes())
				}
			}
			if len(acked) == 0 {
				t.Fatalf("killed before any write was acknowledged: %q", lines)
			}
			// Was a job running when it was killed?
			if tc.mode != "writes" {
				last := lines[len(lines)-1]
				t.Logf("%d writes acknowledged; killed %s; the child said %q", len(acked),
					map[bool]string{true: "during a " + tc.mode, false: "between jobs"}[last == "in progress"], lines)
			} else {
				t.Logf("%d writes acknowledged", len(acked))
			}
			checkKilled(t, dir, tc.preamble, acked, tc.mode == "bgsave")
		})
	}
}

// checkKilled opens dir as the child left it and checks the preloaded
// keys and every acknowledged write are there, each write of a writer
// before its acknowledged ones too; with rdb, dump.rdb (if any) loads
// with keys of the right values.
func checkKilled(t *testing.T, dir string, preamble bool, acked []string, rdb bool) {
	t.Helper()
	if rdb {
		o := killOptions(dir, preamble)
		o.AppendOnly = false
		s, err := Open(dir, o)
		if err != nil {
			t.Fatalf("open dump.rdb: %v", err)
		}
		n := 0
		for k, err := range s.Keys(ctx, "*") {
			if err != nil {
				t.Fatal(err)
			}
			if v, _, err := s.Get(ctx, k); err != nil || string(v) != killValue(string(k)) {
				t.Fatalf("dump.rdb: %s = %q, %v", k, v, err)
			}
			n++
		}
		if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil && n < killPreload {
			t.Errorf("dump.rdb holds %d keys, fewer than the %d preloaded", n, killPreload)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir, killOptions(dir, preamble))
	if err != nil {
		t.Fatalf("open after kill -9: %v", err)
	}
	defer s.Close()
	for i := range killPreload {
		k := fmt.Sprintf("p%06d", i)
		if v, _, err := s.Get(ctx, []byte(k)); err != nil || string(v) != killValue(k) {
			t.Fatalf("preloaded %s = %q, %v", k, v, err)
		}
	}
	last := map[int]int{} // writer: last acknowledged
	for _, k := range acked {
		g, _ := strconv.Atoi(k[1:3])
		n, _ := strconv.Atoi(k[4:])
		last[g] = max(last[g], n)
	}
	for g, m := range last {
		for n := 0; n <= m; n++ {
			k := fmt.Sprintf("w%02d-%07d", g, n)
			v, ok, err := s.Get(ctx, []byte(k))
			if err != nil || !ok || string(v) != killValue(k) {
				t.Fatalf("acknowledged write %s after kill -9: %q, %v, %v", k, v, ok, err)
			}
		}
	}
	// The directory takes writes again.
	if err := s.Set(ctx, []byte("after"), []byte("kill"), 0); err != nil {
		t.Fatal(err)
	}
}
