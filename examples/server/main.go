// Command server is a RESP2 server over aofrdb's reference keyspace,
// persisted by an aofrdb.Store as redis-server persists its data (AOF,
// RDB, the same files), started like redis-server, so that redis-cli,
// redis-benchmark and Redis clients can use it:
//
//	server [config-file] [--port N] [--dir DIR] [--appendonly yes|no] [--save "SECS CHANGES ..."] [--name value ...]
//
// See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/examples/server/respserver"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	// AOFRDB_CPUPROFILE names a file for a CPU profile of the whole run,
	// for benchmarks (bench/server.sh); redis-server has no such option.
	if name := os.Getenv("AOFRDB_CPUPROFILE"); name != "" {
		f, err := os.Create(name)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "AOFRDB_CPUPROFILE:", err)
			os.Exit(1)
		}
		code := run(os.Args[1:], os.Stdout, os.Stderr, sig)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, sig))
}

const usage = `Usage: server [/path/to/redis.conf] [options]
       server - (read config from stdin)
       server -v or --version
       server -h or --help

Options are --name value..., as in redis-server, read as lines appended
to the config file. Kept: port (0: no TCP listener), bind, unixsocket,
databases, dir (the data directory, default the working directory), and
the persistence directives: appendonly, appendfilename, appenddirname,
appendfsync, no-appendfsync-on-rewrite, auto-aof-rewrite-percentage,
auto-aof-rewrite-min-size, aof-load-truncated, aof-use-rdb-preamble,
aof-timestamp-enabled, aof-rewrite-incremental-fsync, save, dbfilename,
rdbcompression, rdbchecksum, rdb-save-incremental-fsync,
stop-writes-on-bgsave-error. Any other is ignored with a warning.

Examples:
       server --port 6380 --dir /var/lib/aofrdb --appendonly yes
       server --port 0 --unixsocket /tmp/server.sock --save ""
       server /etc/redis/6379.conf --port 7777
`

// run is the program: it serves until a signal arrives on stop or a
// client sends SHUTDOWN, and returns the exit code.
func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	cfg, err := respserver.ParseArgs(args)
	switch {
	case errors.Is(err, respserver.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, respserver.ErrVersion):
		fmt.Fprintln(stdout, "aofrdb example server (replies as Redis 7.0.15)")
		return 0
	case err != nil:
		var ce *aofrdb.ConfigError
		if errors.As(err, &ce) {
			fmt.Fprint(stderr, ce.Banner())
		} else {
			fmt.Fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n%v\n", err)
		}
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if len(cfg.Ignored) > 0 {
		log.Warn("ignoring unsupported config directives", "names", strings.Join(cfg.Ignored, " "))
	}

	// Listen first, as redis-server binds before it loads: a taken
	// port leaves the data directory alone.
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	var kinds []string
	addrs, optional := cfg.TCPAddrs()
	tcp := false
	for i, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if optional[i] {
				log.Warn("optional bind address not available", "addr", addr, "err", err)
				continue
			}
			log.Error("could not create server TCP listening socket", "addr", addr, "err", err)
			return 1
		}
		log.Info("listening", "addr", l.Addr().String())
		listeners = append(listeners, l)
		tcp = true
	}
	if tcp {
		kinds = append(kinds, "tcp")
	}
	if cfg.UnixSocket != "" {
		// A socket file left by an earlier run is removed first.
		if fi, err := os.Lstat(cfg.UnixSocket); err == nil && fi.Mode()&fs.ModeSocket != 0 {
			os.Remove(cfg.UnixSocket)
		}
		l, err := net.Listen("unix", cfg.UnixSocket)
		if err != nil {
			log.Error("could not create server unix socket", "path", cfg.UnixSocket, "err", err)
			return 1
		}
		log.Info("listening", "unixsocket", cfg.UnixSocket)
		listeners = append(listeners, l)
		kinds = append(kinds, "unix")
	}
	if len(kinds) == 0 {
		log.Error("configured to not listen anywhere, exiting")
		return 1
	}

	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	so := cfg.Persistence
	so.Logger = log
	start := time.Now()
	srv, err := respserver.OpenStore(dir, so, &respserver.Options{
		Logger: log,
		// AOFRDB_SERVER_GOROUTINES=1 serves each connection with its
		// own goroutine instead of the event loop (see
		// respserver.Options.Goroutines), to compare the two.
		Goroutines: os.Getenv("AOFRDB_SERVER_GOROUTINES") != "",
		Params: map[string]string{
			"port":       fmt.Sprint(cfg.Port),
			"bind":       strings.Join(cfg.Bind, " "),
			"unixsocket": cfg.UnixSocket,
		},
	})
	if err != nil {
		log.Error("fatal error loading the DB, exiting", "dir", dir, "err", err)
		return 1
	}
	log.Info("data loaded", "dir", dir, "appendonly", so.AppendOnly, "seconds", time.Since(start).Seconds())
	defer srv.Shutdown()
	for _, l := range listeners {
		srv.Serve(l) // the server closes it
	}
	listeners = nil
	for _, k := range kinds {
		fmt.Fprintln(stdout, "Ready to accept connections", k)
	}

	// As redis-server on SIGTERM: a final save that fails keeps it
	// running (SHUTDOWN's path is the same, in the command).
	for done := false; !done; {
		select {
		case s := <-stop:
			log.Info("received signal, shutting down", "signal", s.String())
			if err := srv.Store().Shutdown(aofrdb.ShutdownOptions{}); err != nil {
				log.Error("received "+s.String()+" but errors trying to shut down the server, check the logs for more information", "err", err)
				continue
			}
			done = true
		case <-srv.Done():
			done = true
		}
	}
	srv.Shutdown()
	if err := srv.Store().Close(); err != nil {
		log.Error("errors closing the data directory", "err", err)
		return 1
	}
	log.Info("server is now ready to exit, bye bye")
	return 0
}
