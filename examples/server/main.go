// Command server is a RESP2 server over aofrdb's reference keyspace,
// started like redis-server, so that redis-cli, redis-benchmark and
// Redis clients can use it:
//
//	server [config-file] [--port N] [--bind ADDR ...] [--unixsocket PATH] [--databases N] [--name value ...]
//
// It keeps its data in memory only (no AOF or RDB yet). See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/keyspace"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, sig))
}

const usage = `Usage: server [/path/to/redis.conf] [options]
       server - (read config from stdin)
       server -v or --version
       server -h or --help

Options are --name value..., as in redis-server. Kept: port (0: no TCP
listener), bind, unixsocket, databases; any other is ignored with a warning.

Examples:
       server --port 6380
       server --port 0 --unixsocket /tmp/server.sock
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
		fmt.Fprintf(stderr, "*** FATAL CONFIG ERROR ***\n%v\n", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if len(cfg.Ignored) > 0 {
		log.Warn("ignoring unsupported config directives", "names", strings.Join(cfg.Ignored, " "))
	}

	ks := keyspace.NewMemory(&keyspace.Options{Databases: cfg.Databases})
	srv := respserver.New(ks, &respserver.Options{
		Logger: log,
		Params: map[string]string{
			"port":       fmt.Sprint(cfg.Port),
			"bind":       strings.Join(cfg.Bind, " "),
			"unixsocket": cfg.UnixSocket,
		},
	})
	defer srv.Shutdown()

	var kinds []string
	addrs, optional := cfg.TCPAddrs()
	tcp := false
	for i, addr := range addrs {
		l, err := srv.Listen("tcp", addr)
		if err != nil {
			if optional[i] {
				log.Warn("optional bind address not available", "addr", addr, "err", err)
				continue
			}
			log.Error("could not create server TCP listening socket", "addr", addr, "err", err)
			return 1
		}
		log.Info("listening", "addr", l.Addr().String())
		tcp = true
	}
	if tcp {
		kinds = append(kinds, "tcp")
	}
	if cfg.UnixSocket != "" {
		if _, err := srv.Listen("unix", cfg.UnixSocket); err != nil {
			log.Error("could not create server unix socket", "path", cfg.UnixSocket, "err", err)
			return 1
		}
		log.Info("listening", "unixsocket", cfg.UnixSocket)
		kinds = append(kinds, "unix")
	}
	if len(kinds) == 0 {
		log.Error("configured to not listen anywhere, exiting")
		return 1
	}
	for _, k := range kinds {
		fmt.Fprintln(stdout, "Ready to accept connections", k)
	}

	select {
	case s := <-stop:
		log.Info("received signal, shutting down", "signal", s.String())
	case <-srv.Done():
	}
	srv.Shutdown()
	log.Info("server is now ready to exit, bye bye")
	return 0
}
