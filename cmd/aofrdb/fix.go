package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
)

var fixCommand = &command{
	name:    "fix",
	args:    "[flags] PATH",
	summary: "repair an AOF as redis-check-aof --fix does, keeping a backup of what it cuts",
	help: `PATH is a multi-part AOF directory, its manifest, or a single AOF file, as
for 'aofrdb check'. fix checks it as check does, then:

Without --truncate-to-timestamp, when the last file (the last incr file of
the manifest, or the single file) has a torn tail, it cuts that file after its
last whole command, as redis-check-aof --fix does. A torn tail is the start of
a command, or of a MULTI without its EXEC, cut by the end of the file (what a
crash or a full disk leaves, and what redis-server's aof-load-truncated
loads); zero bytes at the end do not count. An annotation line cut by the
end is torn too, though redis-check-aof calls the file valid: a record
appended after it would join its line. Anything else after the last
whole command is corruption in the middle of the file: cutting there would
lose the valid commands after it, so fix refuses unless --force is given. A
problem in a file other than the last is never cut (exit 1), as with
redis-check-aof: only the last file may be truncated.

With --truncate-to-timestamp T (point-in-time recovery, for AOFs written
with aof-timestamp-enabled), it cuts the AOF before the first "#TS:<t>"
annotation with t > T, across the base and the incr files in order. Unlike
redis-check-aof, which then refuses, when that annotation is in an incr file
before the last, the files after it are removed from the manifest (written
anew, atomically) and renamed aside to <file>.<unix time>.bak.

fix does not prompt, unlike redis-check-aof --fix: it keeps what it cuts
instead. The bytes cut from a file at offset N are first saved, durably, to
<file>.tail-<N>.<unix time>.bak next to it (append it to the file to undo
the cut); then the file is truncated and synced. Stop redis-server before
running fix.

The exit status is 0 when the AOF is valid, or was repaired (or nothing lies
after T), and 1 when it is not valid and was not repaired or an error
occurred, as redis-check-aof's; a bad T or other usage error is 2 (where
redis-check-aof says 1).
`,
	min: 1,
	max: 1,
	setup: func(fs *flag.FlagSet) func(*cli, []string) int {
		force := fs.Bool("force", false, "cut the last file at its last whole command even when what follows is corruption, not a torn tail")
		var ts tsFlag
		fs.Var(&ts, "truncate-to-timestamp", "cut the AOF before the first #TS annotation later than unix time `T`")
		return func(c *cli, ops []string) int {
			opts := &aof.FixOptions{Force: *force}
			if ts.set {
				return c.truncateToTimestamp(ops[0], ts.t, opts)
			}
			return c.fix(ops[0], opts)
		}
	},
}

// tsFlag is the value of --truncate-to-timestamp.
type tsFlag struct {
	t   int64
	set bool
}

func (f *tsFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return strconv.FormatInt(f.t, 10)
}

func (f *tsFlag) Set(s string) error {
	t, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("invalid timestamp: want a unix time in seconds")
	}
	f.t, f.set = t, true
	return nil
}

func (c *cli) fix(path string, opts *aof.FixOptions) int {
	res, err := aof.Fix(vfs.Default, path, opts)
	if res != nil && res.Report != nil {
		printAOFReport(c.stdout, res.Report, reportFix)
	}
	if err != nil {
		if fe, ok := errors.AsType[*aof.FixError](err); ok && errors.Is(err, aof.ErrNotLast) {
			fmt.Fprintf(c.stdout, "Failed to truncate AOF %s because it is not the last file\n", reportName(res.Report, fe.File))
		}
		return c.errorf("fix", "%v", err)
	}
	if res.File == "" {
		if res.Report.Manifest != nil {
			fmt.Fprintln(c.stdout, "All AOF files and manifest are valid")
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes\n", res.Name, res.Size, res.Size-res.At, res.At)
	if !res.Torn {
		fmt.Fprintf(c.stdout, "(forced: what is cut is not a torn tail)\n")
	}
	fmt.Fprintf(c.stdout, "The %d bytes cut are saved in %s\n", res.Size-res.At, res.Backup)
	fmt.Fprintf(c.stdout, "Successfully truncated AOF %s\n", res.Name)
	if res.Report.Manifest != nil {
		fmt.Fprintln(c.stdout, "All AOF files and manifest are valid")
	}
	return exitOK
}

// reportName returns the name in the report of the file at path.
func reportName(r *aof.CheckReport, path string) string {
	if r != nil {
		for _, f := range r.Files {
			if f.Path == path {
				return f.Name
			}
		}
	}
	return path
}

func (c *cli) truncateToTimestamp(path string, t int64, opts *aof.FixOptions) int {
	res, err := aof.TruncateToTimestamp(vfs.Default, path, t, opts)
	if res == nil {
		return c.errorf("fix", "%v", err)
	}
	w := c.stdout
	r := res.Report
	multi := r.Manifest != nil
	if multi {
		fmt.Fprintln(w, "Start checking Multi Part AOF")
	} else {
		fmt.Fprintln(w, "Start checking Old-Style AOF")
	}
	incrs := false
	for i := range r.Files {
		f := &r.Files[i]
		kind := fileHeader(w, multi, f, &incrs)
		if i == len(r.Files)-1 && (err != nil || res.File != "" || len(res.Dropped) > 0) {
			break // the file cut, dropped, or in error: told below
		}
		if f.Size == 0 {
			fmt.Fprintf(w, "%s %s is empty\n", kind, f.Name)
			continue
		}
		if f.Preamble {
			fmt.Fprintln(w, "RDB preamble is OK, proceeding with AOF tail...")
		}
		fmt.Fprintf(w, "Truncate nothing in AOF %s to timestamp %d\n", f.Name, t)
		fmt.Fprintf(w, "%s %s is valid\n", kind, f.Name)
	}
	if err != nil {
		if fe, ok := errors.AsType[*aof.FixError](err); ok {
			name := reportName(r, fe.File)
			switch {
			case errors.Is(err, aof.ErrInvalidTimestamp):
				fmt.Fprintln(w, "Invalid timestamp annotation")
			case errors.Is(err, aof.ErrNothingBefore):
				fmt.Fprintf(w, "AOF %s has nothing before timestamp %d, aborting...\n", name, t)
			case errors.Is(err, aof.ErrInvalid):
				fmt.Fprintf(w, "AOF %s is not valid. Use the --fix option to try fixing it.\n", name)
			}
		}
		return c.errorf("fix", "%v", err)
	}
	if res.File != "" {
		fmt.Fprintf(w, "The %d bytes cut from %s are saved in %s\n", res.Size-res.At, res.Name, res.Backup)
		fmt.Fprintf(w, "Successfully truncated AOF %s to timestamp %d\n", res.Name, t)
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "Dropped INCR AOF %s from the manifest (all after timestamp %d): renamed to %s\n", d.Name, t, d.Backup)
	}
	if multi {
		fmt.Fprintln(w, "All AOF files and manifest are valid")
	}
	return exitOK
}
