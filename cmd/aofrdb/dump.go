package main

import (
	"flag"
	"fmt"
)

var dumpCommand = &command{
	name:    "dump",
	args:    "FILE.rdb|FILE.aof|DIR",
	summary: "print the data set an RDB file or an AOF loads to, as canonical JSON",
	help: `The JSON is the schema of the fixtures' expected.json files: databases,
keys sorted by their raw bytes, every byte string in base64. Keys whose
expiry has passed are left out, as Redis leaves them out when it loads the
file (or, from an AOF, expires them once loaded).

The operand may be:
  - an RDB file (it starts with "REDIS");
  - an AOF file: RESP commands (it starts with '*' or '#'), or an RDB
    preamble and commands (it starts with "REDIS" and its name ends in
    .aof), such as a legacy single appendonly.aof or one file of a
    multi-part AOF;
  - the manifest of a multi-part AOF (a name ending in .manifest): its
    base and incr files are loaded in order, as Redis 7 loads them;
  - a directory holding a manifest (an appendonlydir): the same;
  - a Redis data directory: what Redis 7 with appendonly yes and the
    default names loads, AOF before RDB: appendonlydir's multi-part AOF
    if its appendonly.aof.manifest lists files, else a legacy
    appendonly.aof, else dump.rdb (a note on stderr says which);
  - a JSON data set, printed in canonical form;
  - "-" for stdin: an RDB file, an AOF or a JSON data set.

An AOF is replayed into an in-memory keyspace, as Redis replays it. If the
last file ends inside a command, it is loaded up to the last whole command,
as Redis does with aof-load-truncated yes (its default), with a warning on
stderr naming the file and the offset; unlike Redis, dump never changes a
file (the tail is not cut). Corruption before the end, an unknown command,
or a truncated file that is not the last is an error naming the file and
the offset. Function libraries (in an RDB or from FUNCTION LOAD) are noted
on stderr: the JSON has no place for them.
`,
	min:   1,
	max:   1,
	setup: func(*flag.FlagSet) func(*cli, []string) int { return runDump },
}

func runDump(c *cli, ops []string) int {
	src, err := openSource(ops[0])
	if err != nil {
		return c.errorf("dump", "%v", err)
	}
	defer src.Close()
	d, res, err := c.read("dump", src)
	if err != nil {
		return c.errorf("dump", "%s: %v", src.name, err)
	}
	if res != nil {
		c.notes("dump", src.name, res)
	}
	if err := d.Write(c.stdout); err != nil {
		return c.errorf("dump", "%v", err)
	}
	return exitOK
}

// notes tells on stderr what an RDB file held that the JSON has no place
// for.
func (c *cli) notes(cmd, name string, res *rdbResult) {
	if n := len(res.functions); n > 0 {
		fmt.Fprintf(c.stderr, "aofrdb %s: note: %s: %d function libraries are not part of the data set and were left out\n", cmd, name, n)
	}
	if n := len(res.moduleAux); n > 0 {
		fmt.Fprintf(c.stderr, "aofrdb %s: note: %s: %d module aux records are not part of the data set and were left out\n", cmd, name, n)
	}
	if res.trailing {
		fmt.Fprintf(c.stderr, "aofrdb %s: warning: %s: data follows the end of the RDB (an AOF with an RDB preamble? a name ending in .aof loads it as one); it was not read\n", cmd, name)
	}
}
