package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

var convertCommand = &command{
	name:    "convert",
	args:    "[flags] IN OUT",
	summary: "convert an RDB file to a JSON data set, or a JSON data set to an RDB file",
	help: `The direction is decided by content: IN is an RDB file if it starts with
"REDIS", a JSON data set if it starts with "{" (else its extension, .rdb or
.json, decides). OUT is JSON if its name ends in .json, an RDB file if it
ends in .rdb, and otherwise the other format than IN's; so RDB to RDB
rewrites a file with other settings, and JSON to JSON canonicalizes one.
OUT is written atomically (a temporary file, fsynced, renamed over OUT, and
the directory fsynced); "-" is stdout, and IN "-" is stdin.

Keys whose expiry has passed are left out, as Redis leaves them out when it
loads an RDB file. Function libraries and module aux records are kept from
RDB to RDB; the JSON has no place for them, nor for aux fields.
`,
	min: 2,
	max: 2,
	setup: func(fs *flag.FlagSet) func(*cli, []string) int {
		o := &convertOptions{}
		fs.IntVar(&o.version, "rdb-version", 0, "RDB `version` to write: 9 (Redis 5.0-6.2), 10 (7.0), 11 (7.2), 12 (7.4); 0 means 10, or 12 when a hash field has a TTL")
		fs.BoolVar(&o.noCompression, "no-compression", false, "write strings uncompressed (rdbcompression no)")
		fs.BoolVar(&o.noChecksum, "no-checksum", false, "write a zero CRC64 trailer (rdbchecksum no)")
		return func(c *cli, ops []string) int { return c.convert(o, ops[0], ops[1]) }
	},
}

type convertOptions struct {
	version       int
	noCompression bool
	noChecksum    bool
}

func (o *convertOptions) rdbFlagsSet() bool {
	return o.version != 0 || o.noCompression || o.noChecksum
}

func (c *cli) convert(o *convertOptions, inName, outName string) int {
	in, err := openInput(inName)
	if err != nil {
		return c.errorf("convert", "%v", err)
	}
	defer in.Close()
	inKind := in.kind()
	if inKind == kindUnknown {
		return c.errorf("convert", "%s: not an RDB file (no REDIS signature) nor a JSON data set", in.name)
	}
	outKind := kindByName(outName)
	if outKind == kindUnknown {
		outKind = kindJSON
		if inKind == kindJSON {
			outKind = kindRDB
		}
	}
	if outKind == kindJSON && o.rdbFlagsSet() {
		fmt.Fprintf(c.stderr, "aofrdb convert: --rdb-version, --no-compression and --no-checksum apply only when OUT is an RDB file\n")
		return exitUsage
	}

	d, res, err := c.readDataset(in)
	if err != nil {
		return c.errorf("convert", "%s: %v", in.name, err)
	}
	var write func(w io.Writer) error
	if outKind == kindJSON {
		if res != nil {
			c.notes("convert", in.name, res)
		}
		write = d.Write
	} else {
		if err := writable(d); err != nil {
			return c.errorf("convert", "%s: %v", in.name, err)
		}
		if res == nil {
			res = &rdbResult{}
		}
		write = func(w io.Writer) error { return writeRDB(w, d, res, o) }
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
