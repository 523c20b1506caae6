// Command quickstart is the first program to run: it opens a Store with
// the AOF on, writes a few keys, closes it, opens it again, shows that
// the data came back and which files hold it, and says how to load the
// same directory in redis-server.
//
//	go run ./examples/quickstart               # in a temporary directory, removed at the end
//	go run ./examples/quickstart -dir ./data   # in ./data, kept (run it twice: runs goes up)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb"
)

func main() {
	dir := flag.String("dir", "", "data directory (default: a temporary one, removed at the end)")
	verbose := flag.Bool("v", false, "show the Store's log (what Redis would log)")
	flag.Parse()
	var log io.Writer
	if *verbose {
		log = os.Stderr
	}
	if err := run(os.Stdout, log, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the program, writing to out (and the Store's log to log, if
// not nil), in data directory dir ("" for a temporary one).
func run(out, log io.Writer, dir string) error {
	ctx := context.Background()
	keep := dir != ""
	if !keep {
		tmp, err := os.MkdirTemp("", "aofrdb-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}

	// redis.conf's defaults, with "appendonly yes". The fsync policy is
	// everysec, as in Redis: an acknowledged write is in the kernel at
	// once and on disk within about a second; aof.Always makes every
	// acknowledged write durable before Set returns.
	opts := aofrdb.DefaultOptions()
	opts.AppendOnly = true
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	}

	fmt.Fprintf(out, "1. Open %s (appendonly yes, appendfsync %v) and write\n", dir, opts.AppendFsync)
	s, err := aofrdb.Open(dir, opts)
	if err != nil {
		return err
	}
	set := func(k, v string, ttl time.Duration) {
		if err == nil {
			err = s.Set(ctx, []byte(k), []byte(v), ttl)
		}
	}
	set("greeting", "hello, world", 0)
	set("user:1:name", "Ada", 0)
	set("session:abc", "expires in an hour", time.Hour)
	if err == nil {
		// Any command the keyspace knows, as a Redis client sends it, in
		// database 0; the reply comes in RESP.
		var reply []byte
		reply, err = s.Do(ctx, 0, []byte("INCR"), []byte("runs"))
		fmt.Fprintf(out, "   INCR runs -> %q\n", reply)
	}
	if err != nil {
		s.Close()
		return err
	}
	// Close writes and syncs the AOF, and does the final RDB save that
	// redis-server does at shutdown when save points are set.
	if err := s.Close(); err != nil {
		return err
	}

	fmt.Fprintln(out, "2. Close, open again, and read back")
	s, err = aofrdb.Open(dir, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, k := range []string{"greeting", "user:1:name", "session:abc", "runs"} {
		v, ok, err := s.Get(ctx, []byte(k))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s is missing after the reopen", k)
		}
		ttl, err := s.TTL(ctx, []byte(k))
		if err != nil {
			return err
		}
		line := fmt.Sprintf("   %-12s = %q", k, v)
		if ttl > 0 {
			line += fmt.Sprintf("  (TTL %v)", ttl.Round(time.Second))
		}
		fmt.Fprintln(out, line)
	}

	fmt.Fprintln(out, "3. The files that hold it")
	if err := listFiles(out, dir, opts); err != nil {
		return err
	}

	fmt.Fprintln(out, "4. Load it in redis-server (7.0 or newer), from the same files:")
	if !keep {
		fmt.Fprintln(out, "   (this directory is removed when the program ends: run it with -dir ./data to keep one)")
	}
	fmt.Fprintf(out, "   redis-server --dir %s --appendonly yes --port 6390\n", shellQuote(dir))
	fmt.Fprintln(out, "   redis-cli -p 6390 get greeting")
	fmt.Fprintln(out, "   (stop it before opening the directory here again: one process at a time)")
	return nil
}

// listFiles prints the data directory's files, what each is, and the
// manifest's lines.
func listFiles(out io.Writer, dir string, opts *aofrdb.Options) error {
	what := func(name string) string {
		switch {
		case name == opts.DBFilename:
			return "RDB snapshot (the final save of Close; not read while appendonly is yes)"
		case name == aofrdb.LockFile:
			return "lock: one Store per directory"
		case strings.HasSuffix(name, ".manifest"):
			return "manifest: which files make the AOF, in load order"
		case strings.Contains(name, ".base."):
			return "base: the data set at the last rewrite (RDB form with aof-use-rdb-preamble)"
		case strings.Contains(name, ".incr."):
			return "incr: the commands written since the base, in RESP"
		}
		return ""
	}
	var manifest string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			fmt.Fprintf(out, "   %-52s%s\n", rel+"/", "the multi-part AOF directory (appenddirname)")
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "   %-42s %5d B  %s\n", rel, fi.Size(), what(d.Name()))
		if strings.HasSuffix(d.Name(), ".manifest") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			manifest = string(b)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "   The writes are commands in the incr file; a rewrite (Store.BGRewriteAOF, or an")
	fmt.Fprintln(out, "   automatic one as the AOF grows) writes a new base and starts a new incr file.")
	fmt.Fprintln(out, "   The manifest reads:")
	for line := range strings.Lines(manifest) {
		fmt.Fprintf(out, "     %s", line)
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
