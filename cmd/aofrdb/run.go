package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // an unsound file or a failed command, as redis-check-rdb
	exitUsage = 2
)

// command is a subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	help    string // more, after the synopsis
	// min and max bound the number of operands.
	min, max int
	// setup defines the command's flags on fs and returns the function
	// that runs the command with its operands.
	setup func(fs *flag.FlagSet) func(c *cli, operands []string) int
}

// newFlags returns cmd's flag set, printing errors and usage to c.stderr,
// and the function that runs cmd.
func (c *cli) newFlags(cmd *command) (*flag.FlagSet, func(*cli, []string) int) {
	fs := flag.NewFlagSet("aofrdb "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {} // parse prints the usage, to stdout for -h
	var runner func(*cli, []string) int
	if cmd.setup != nil {
		runner = cmd.setup(fs)
	}
	return fs, runner
}

var commands []*command

func init() {
	commands = []*command{dumpCommand, convertCommand, checkCommand, fixCommand, versionCommand, helpCommand}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// cli is one run of the tool: its output streams.
type cli struct {
	stdout, stderr io.Writer
	// progress says whether to show progress on stderr: only when it is a
	// terminal.
	progress bool
}

// run runs the tool with args (without the program name) and returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr, progress: isTerminal(stderr)}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		c.usage(stdout)
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "aofrdb: unknown command %q\n\n", args[0])
		c.usage(stderr)
		return exitUsage
	}
	if cmd == helpCommand {
		return c.help(args[1:])
	}
	fs, runner := c.newFlags(cmd)
	operands, status, ok := c.parse(cmd, fs, args[1:])
	if !ok {
		return status
	}
	return runner(c, operands)
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, "aofrdb: Redis persistence files (RDB and AOF), checked, dumped and converted.\n\nUsage:\n\n")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-40s %s\n", "aofrdb "+cmd.name+" "+cmd.args, cmd.summary)
	}
	fmt.Fprint(w, "\nRun 'aofrdb help COMMAND' for a command's flags. Exit status: 0 on success,\n1 when a file is unsound or a command fails, 2 on a usage error.\n")
}

func (c *cli) commandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: aofrdb %s %s\n\n%s.\n", cmd.name, cmd.args, cmd.summary)
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s", cmd.help)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		out := fs.Output()
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
}

// parse parses args with fs, taking flags before and after the operands
// (up to a "--"), and checks the number of operands is between min and
// max. It returns the operands, or an exit status (exitOK for -h) and
// false.
func (c *cli) parse(cmd *command, fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var rest []string
	if i := indexOf(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.commandUsage(c.stdout, cmd, fs)
				return nil, exitOK, false
			}
			c.commandUsage(c.stderr, cmd, fs) // after the flag package's error
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		operands = append(operands, args[0])
		args = args[1:]
	}
	operands = append(operands, rest...)
	if len(operands) < cmd.min || len(operands) > cmd.max {
		if len(operands) < cmd.min {
			fmt.Fprintf(c.stderr, "aofrdb %s: missing operand\n", cmd.name)
		} else {
			fmt.Fprintf(c.stderr, "aofrdb %s: too many operands: %s\n", cmd.name, strings.Join(operands[cmd.max:], " "))
		}
		c.commandUsage(c.stderr, cmd, fs)
		return nil, exitUsage, false
	}
	return operands, 0, true
}

func indexOf(args []string, s string) int {
	for i, a := range args {
		if a == s {
			return i
		}
	}
	return -1
}

// errorf reports an error of command name on stderr and returns exitFail.
func (c *cli) errorf(name, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "aofrdb %s: %s\n", name, fmt.Sprintf(format, args...))
	return exitFail
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

var helpCommand = &command{
	name:    "help",
	args:    "[COMMAND]",
	summary: "print the usage of aofrdb or of a command",
}

func (c *cli) help(args []string) int {
	switch len(args) {
	case 0:
		c.usage(c.stdout)
		return exitOK
	case 1:
		if cmd := lookup(args[0]); cmd != nil && cmd != helpCommand {
			fs, _ := c.newFlags(cmd)
			c.commandUsage(c.stdout, cmd, fs)
			return exitOK
		}
		if args[0] == "help" {
			c.usage(c.stdout)
			return exitOK
		}
		fmt.Fprintf(c.stderr, "aofrdb help: unknown command %q\n\n", args[0])
	}
	c.usage(c.stderr)
	return exitUsage
}
