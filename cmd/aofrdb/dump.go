package main

import (
	"flag"
	"fmt"
)

var dumpCommand = &command{
	name:    "dump",
	args:    "FILE.rdb",
	summary: "print the data set an RDB file loads to, as canonical JSON",
	help: `The JSON is the schema of the fixtures' expected.json files: databases,
keys sorted by their raw bytes, every byte string in base64. Keys whose
expiry has passed are left out, as Redis leaves them out when it loads the
file. FILE may be "-" for stdin, and may also be a JSON data set, which is
printed in canonical form.
`,
	min:   1,
	max:   1,
	setup: func(*flag.FlagSet) func(*cli, []string) int { return runDump },
}

func runDump(c *cli, ops []string) int {
	in, err := openInput(ops[0])
	if err != nil {
		return c.errorf("dump", "%v", err)
	}
	defer in.Close()
	d, res, err := c.readDataset(in)
	if err != nil {
		return c.errorf("dump", "%s: %v", in.name, err)
	}
	if res != nil {
		c.notes("dump", in.name, res)
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
		fmt.Fprintf(c.stderr, "aofrdb %s: warning: %s: data follows the end of the RDB (an AOF with an RDB preamble?); it was not read\n", cmd, name)
	}
}
