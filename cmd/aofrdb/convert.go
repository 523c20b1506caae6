package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

var convertCommand = &command{
	name:    "convert",
	args:    "[flags] IN OUT",
	summary: "convert between RDB files, JSON data sets and AOFs (a multi-part AOF directory out)",
	help: `IN is an RDB file, a JSON data set or an AOF, taken as dump takes it (see
'aofrdb help dump'): by content, an RDB file if it starts with "REDIS", an AOF
if it starts with '*' or '#' or its name ends in .aof, a JSON data set if it
starts with "{"; an AOF can also be a manifest, an AOF directory or a data
directory. An AOF is loaded as Redis loads it (a truncated last command is
left out, with a warning; no file is changed).

OUT is, in this order:
  - "-": stdout, an RDB file if IN is JSON, else JSON;
  - a name ending in .json: a JSON data set; in .rdb: an RDB file;
  - an existing directory, a name ending in "/", or any OUT with --base: a
    multi-part AOF directory (OUT is the appendonlydir itself), made as
    Redis 7 makes it when it starts with appendonly yes: the base
    appendonly.aof.1.base.rdb (an RDB with aof-base 1, --base rdb, the
    default as aof-use-rdb-preamble yes) or appendonly.aof.1.base.aof
    (commands, --base aof), an empty appendonly.aof.1.incr.aof, and the
    manifest appendonly.aof.manifest, written last; a directory that
    already has a manifest is refused;
  - any other name: the other format than IN's, as before: JSON from an
    RDB file, an RDB file from JSON, and an AOF directory from an AOF.
A name ending in .aof or .manifest is refused: a single-file AOF is not
written, name a directory.

A file OUT is written atomically (a temporary file, fsynced, renamed over
OUT, and the directory fsynced); so is each file of a directory, the base
with an fsync every 4 MiB. RDB to RDB rewrites a file with other settings,
JSON to JSON canonicalizes one, and AOF to AOF rewrites an AOF into a base.

Keys whose expiry has passed are left out, as Redis leaves them out when it
loads an RDB file. Function libraries and module aux records are kept from
RDB to RDB; function libraries are kept from an RDB file or an AOF into an
RDB file or an AOF directory; the JSON has no place for them, nor for aux
fields.
`,
	min: 2,
	max: 2,
	setup: func(fs *flag.FlagSet) func(*cli, []string) int {
		o := &convertOptions{}
		fs.IntVar(&o.version, "rdb-version", 0, "RDB `version` to write (an RDB file or an RDB base): 9 (Redis 5.0-6.2), 10 (7.0), 11 (7.2), 12 (7.4); 0 means 10, or 12 when a hash field has a TTL")
		fs.BoolVar(&o.noCompression, "no-compression", false, "write strings uncompressed (rdbcompression no)")
		fs.BoolVar(&o.noChecksum, "no-checksum", false, "write a zero CRC64 trailer (rdbchecksum no)")
		fs.StringVar(&o.base, "base", "", "write OUT as a multi-part AOF directory whose base is `rdb|aof`: an RDB (aof-use-rdb-preamble yes, the default for a directory) or commands (no)")
		return func(c *cli, ops []string) int { return c.convert(o, ops[0], ops[1]) }
	},
}

type convertOptions struct {
	version       int
	noCompression bool
	noChecksum    bool
	base          string // "", "rdb" or "aof"
}

func (o *convertOptions) rdbFlagsSet() bool {
	return o.version != 0 || o.noCompression || o.noChecksum
}

// output formats of convert.
type outKind int

const (
	outJSON outKind = iota
	outRDB
	outDir
)

// outputKind decides what OUT is, by the rules of the help.
func outputKind(out string, in kind, o *convertOptions) (outKind, error) {
	other := func() outKind {
		switch in {
		case kindJSON:
			return outRDB
		case kindAOF:
			return outDir
		}
		return outJSON
	}
	if out == "-" {
		if o.base != "" {
			return 0, errors.New("--base applies only when OUT is a directory")
		}
		if in == kindAOF {
			return outJSON, nil
		}
		return other(), nil
	}
	switch kindByName(out) {
	case kindJSON, kindRDB:
		if o.base != "" {
			return 0, errors.New("--base applies only when OUT is a directory")
		}
		if kindByName(out) == kindJSON {
			return outJSON, nil
		}
		return outRDB, nil
	case kindAOF, kindManifest:
		return 0, fmt.Errorf("OUT %s: a single-file AOF or a manifest is not written: name a directory, for a multi-part AOF", out)
	}
	if o.base != "" || strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		return outDir, nil
	}
	if fi, err := vfs.Default.Stat(out); err == nil && fi.IsDir() {
		return outDir, nil
	}
	return other(), nil
}

func (c *cli) convert(o *convertOptions, inName, outName string) int {
	usage := func(format string, args ...any) int {
		fmt.Fprintf(c.stderr, "aofrdb convert: "+format+"\n", args...)
		return exitUsage
	}
	switch o.base {
	case "", "rdb", "aof":
	default:
		return usage("--base %q: want rdb or aof", o.base)
	}
	src, err := openSource(inName)
	if err != nil {
		return c.errorf("convert", "%v", err)
	}
	defer src.Close()
	outKind, err := outputKind(outName, src.kind, o)
	if err != nil {
		return usage("%v", err)
	}
	rdbBase := outKind == outDir && o.base != "aof"
	if o.rdbFlagsSet() && outKind != outRDB && !rdbBase {
		return usage("--rdb-version, --no-compression and --no-checksum apply only when OUT is an RDB file (or an AOF directory with an RDB base)")
	}

	d, res, err := c.read("convert", src)
	if err != nil {
		return c.errorf("convert", "%s: %v", src.name, err)
	}
	if res == nil {
		res = &rdbResult{}
	}
	var write func(w io.Writer) error
	switch outKind {
	case outJSON:
		c.notes("convert", src.name, res)
		write = d.Write
	case outRDB:
		if err := writable(d); err != nil {
			return c.errorf("convert", "%s: %v", src.name, err)
		}
		write = func(w io.Writer) error { return writeRDB(w, d, res, o) }
	case outDir:
		if err := writable(d); err != nil {
			return c.errorf("convert", "%s: %v", src.name, err)
		}
		if n := len(res.moduleAux); n > 0 {
			fmt.Fprintf(c.stderr, "aofrdb convert: note: %s: %d module aux records are not written to an AOF base and were left out\n", src.name, n)
		}
		if err := writeDir(outName, d, res, o, rdbBase); err != nil {
			return c.errorf("convert", "%v", err)
		}
		return exitOK
	}
	if outName == "-" {
		err = write(c.stdout)
	} else {
		err = vfs.WriteFileAtomic(vfs.Default, outName, write)
	}
	if err != nil {
		return c.errorf("convert", "%v", err)
	}
	return exitOK
}

// aofPrefix is the prefix (appendfilename) of the AOF directories
// convert writes: Redis's default.
const aofPrefix = "appendonly.aof"

// writeDir writes d, and the function libraries it came with, as a new
// multi-part AOF directory dir.
func writeDir(dir string, d *dataset.Dataset, from *rdbResult, o *convertOptions, rdbBase bool) error {
	version := o.version
	if version == 0 && rdbBase && hasFieldTTLs(d) {
		version = 12
	}
	opts := &aof.BaseOptions{
		RDBPreamble: rdbBase,
		RDB: rdb.WriterOptions{
			Version:       version,
			NoCompression: o.noCompression,
			NoChecksum:    o.noChecksum,
		},
		Functions: from.functions,
	}
	_, err := aof.CreateDir(vfs.Default, dir, aofPrefix, d.Snapshot(false), opts)
	return err
}

// writable checks that d can be written to an RDB file: its streams are
// whole streams, not views.
func writable(d *dataset.Dataset) error {
	for _, db := range d.Indexes() {
		for _, e := range d.DBs[db] {
			s, ok := e.Value.(*rdb.Stream)
			if !ok {
				continue
			}
			if n, view := dataset.ViewLimit(s); view {
				return fmt.Errorf("db %d: stream %q is a partial view (as XINFO STREAM FULL COUNT %d shows it: %d of %d entries listed, or a group's pending entries cut): it cannot be written to an RDB file",
					db, e.Key, n, len(s.Entries), s.Length)
			}
		}
	}
	return nil
}

// writeRDB writes d, and the function libraries and module aux records of
// the RDB file it came from, as an RDB file.
func writeRDB(w io.Writer, d *dataset.Dataset, from *rdbResult, o *convertOptions) error {
	version := o.version
	if version == 0 && hasFieldTTLs(d) {
		version = 12
	}
	rw := rdb.NewWriter(w, &rdb.WriterOptions{
		Version:       version,
		NoCompression: o.noCompression,
		NoChecksum:    o.noChecksum,
	})
	for _, f := range from.functions {
		if err := rw.WriteFunction(f); err != nil {
			return err
		}
	}
	moduleAux := func(when int) error {
		for _, m := range from.moduleAux {
			if m.When == when {
				if err := rw.WriteModuleAux(m); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := moduleAux(1); err != nil { // before the keys
		return err
	}
	for _, db := range d.Indexes() {
		es := d.DBs[db]
		var expires uint64
		for i := range es {
			if es[i].ExpireAt != 0 {
				expires++
			}
		}
		if err := rw.SelectDB(db, uint64(len(es)), expires); err != nil {
			return err
		}
		for i := range es {
			e := es[i]
			e.DB = db
			if err := rw.WriteEntry(&e); err != nil {
				return fmt.Errorf("db %d: %w", db, err)
			}
		}
	}
	if err := moduleAux(2); err != nil { // after the keys
		return err
	}
	return rw.Close()
}

func hasFieldTTLs(d *dataset.Dataset) bool {
	for _, es := range d.DBs {
		for _, e := range es {
			if h, ok := e.Value.(rdb.Hash); ok {
				for _, f := range h {
					if f.ExpireAt != 0 {
						return true
					}
				}
			}
		}
	}
	return false
}
