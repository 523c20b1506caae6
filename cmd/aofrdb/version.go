package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/aofrdb/aofrdb/rdb"
)

var versionCommand = &command{
	name:    "version",
	args:    "",
	summary: "print aofrdb's version and the formats it reads and writes",
	setup:   func(*flag.FlagSet) func(*cli, []string) int { return runVersion },
}

func runVersion(c *cli, _ []string) int {
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	fmt.Fprintf(c.stdout, "aofrdb %s %s %s/%s\nreads RDB versions 1 to %d; writes 9 to %d (default %d)\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH, rdb.MaxVersion, rdb.MaxVersion, rdb.DefaultVersion)
	return exitOK
}
