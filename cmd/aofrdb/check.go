package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

var checkCommand = &command{
	name:    "check",
	args:    "[flags] PATH",
	summary: "verify an RDB file as redis-check-rdb does, or an AOF as redis-check-aof does",
	help: `PATH is an RDB file, or an AOF: a multi-part AOF directory (appendonlydir,
or a data directory holding one), its manifest, or a single AOF file (legacy
appendonly.aof, with or without an RDB preamble). A directory is an AOF; a
file is an RDB file when its name ends in .rdb, or when it starts with
"REDIS" and its name does not end in .aof; any other file is an AOF.

For an RDB file, check reads every key of the file, checking every encoding
with Redis's integrity rules, and the CRC64 trailer (a zero trailer means the
file was saved without a checksum, as Redis takes it). It prints the RDB
version, the aux fields, the keys per database and per type, how many have an
expiry and how many have already expired, the size and the checksum. The exit
status is 0 when the file is sound and 1 when it is not, with the file, the
offset and the reason on stderr, as redis-check-rdb.

For an AOF, check reads the manifest with redis-server's rules, then the base
and the incr files in order, as redis-check-aof does, and prints its lines:
"AOF analyzed: filename=..., size=..., ok_up_to=..., ok_up_to_line=...,
diff=..." per file (ok_up_to is where the last whole command ends; the AOF is
valid up to there), then "... is valid" or "... is not valid". Unlike
redis-check-aof, it goes on with the files after an invalid one; it does not
print the RDB report of an RDB part (only whether it is sane); and it names
what is wrong with the offset where its check stopped, where redis-check-aof
prints the offset of the last item it began to read. The exit status is 0
when every file is valid and 1 otherwise, as redis-check-aof's; to repair,
see 'aofrdb help fix'.
`,
	min: 1,
	max: 1,
	setup: func(fs *flag.FlagSet) func(*cli, []string) int {
		databases := fs.Int("databases", 0, "RDB: refuse a database index `N` or above, as a redis-server with `databases N` does (0: no limit, as redis-check-rdb)")
		return func(c *cli, ops []string) int {
			if isAOF(ops[0]) {
				return c.checkAOF(ops[0])
			}
			return c.check(ops[0], *databases)
		}
	},
}

// isAOF tells whether the check of path is an AOF check (see the help).
func isAOF(path string) bool {
	if path == "-" {
		return false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false // the RDB check reports it
	}
	if fi.IsDir() {
		return true
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".rdb" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [5]byte
	n, _ := io.ReadFull(f, magic[:])
	return string(magic[:n]) != "REDIS" || ext == ".aof"
}

// checkAOF checks the AOF at path and prints what redis-check-aof
// prints.
func (c *cli) checkAOF(path string) int {
	r, err := aof.CheckPath(vfs.Default, path)
	if r != nil {
		printAOFReport(c.stdout, r, reportCheck)
	}
	if err != nil {
		return c.errorf("check", "%v", err)
	}
	if !r.Valid() {
		return exitFail
	}
	return exitOK
}

// reportMode says what printAOFReport prints after an invalid file.
type reportMode int

const (
	reportCheck reportMode = iota // that it is not valid
	reportFix                     // nothing: the fix says what it does
)

// printAOFReport prints the check of an AOF as redis-check-aof does.
func printAOFReport(w io.Writer, r *aof.CheckReport, mode reportMode) {
	multi := r.Manifest != nil
	if multi {
		fmt.Fprintln(w, "Start checking Multi Part AOF")
	} else {
		fmt.Fprintln(w, "Start checking Old-Style AOF")
	}
	line := int64(1) // redis-check-aof counts lines across the files
	incrs := false
	for i := range r.Files {
		f := &r.Files[i]
		kind := fileHeader(w, multi, f, &incrs)
		if f.Size == 0 {
			fmt.Fprintf(w, "%s %s is empty\n", kind, f.Name)
			continue
		}
		if f.Preamble {
			fmt.Fprintf(w, "The RDB preamble is bytes 0 to %d; the %d bytes after the RDB's end are RESP commands\n", f.RDBEnd, f.Size-f.RDBEnd)
			fmt.Fprintln(w, "RDB preamble is OK, proceeding with AOF tail...")
		}
		switch {
		case f.Valid(), f.Problem == "EOF": // redis-check-aof prints nothing for the latter
		case f.Problem == "AOF format error":
			fmt.Fprintf(w, "AOF %s format error (at offset %d)\n", f.Name, f.At)
		case strings.HasPrefix(f.Problem, "Unexpected "):
			fmt.Fprintf(w, "%s in AOF %s (at offset %d)\n", f.Problem, f.Path, f.At)
		default:
			fmt.Fprintf(w, "%s (at offset %d)\n", f.Problem, f.At)
		}
		line += f.OKUpToLine - 1
		fmt.Fprintf(w, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=%d, diff=%d\n",
			f.Name, f.Size, f.OKUpTo, line, f.Size-f.OKUpTo)
		switch {
		case f.Valid():
			fmt.Fprintf(w, "%s %s is valid\n", kind, f.Name)
		case mode == reportCheck:
			fmt.Fprintf(w, "AOF %s is not valid. Use the --fix option to try fixing it.\n", f.Name)
			in := f.Path
			if multi {
				in = r.ManifestPath
			}
			fmt.Fprintf(w, "(With aofrdb: 'aofrdb fix %s' cuts a torn tail of the last file; see 'aofrdb help fix'.)\n", in)
		}
	}
	if multi && mode == reportCheck && r.Valid() {
		fmt.Fprintln(w, "All AOF files and manifest are valid")
	}
}

// dbStats counts the keys of one database.
type dbStats struct {
	keys, expires, expired int64
	types                  [rdb.TypeModule + 1]int64 // by rdb.Type
}

func (s *dbStats) add(e *rdb.Entry) {
	s.keys++
	if e.ExpireAt != 0 {
		s.expires++
	}
	if e.Expired {
		s.expired++
	}
	if t := e.Value.Type(); int(t) < len(s.types) {
		s.types[t]++
	}
}

func (s *dbStats) typesString() string {
	var parts []string
	for t, n := range s.types {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", rdb.Type(t), n))
		}
	}
	return strings.Join(parts, ", ")
}

func (c *cli) check(name string, databases int) int {
	in, err := openInput(name)
	if err != nil {
		return c.errorf("check", "%v", err)
	}
	defer in.Close()

	// check keeps nothing of the keys it reads, so the live heap stays at a
	// few MB: collecting a quarter as often costs some MB and saves about a
	// third of the time on files of small keys. GOGC, when set, wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}

	out := c.stdout
	fmt.Fprintf(out, "Checking RDB file %s\n", in.name)
	r := rdb.NewReader(in.r, &rdb.ReaderOptions{MaxDatabases: databases})
	p := c.newProgress("checking "+in.name, in.size)
	total := &dbStats{}
	dbs := map[int]*dbStats{}
	var readErr error
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		total.add(e)
		s := dbs[e.DB]
		if s == nil {
			s = &dbStats{}
			dbs[e.DB] = s
		}
		s.add(e)
		p.update(r.Offset(), total.keys)
	}
	p.done()

	if v, _ := r.Version(); v > 0 { // known even after an error
		fmt.Fprintf(out, "RDB version:       %d\n", v)
	}
	for _, a := range r.Aux() {
		key := printable(a.Key)
		if plain(a.Key) && !strings.ContainsAny(string(a.Key), " =") {
			key = string(a.Key)
		}
		fmt.Fprintf(out, "AUX field:         %s = %s\n", key, printable(a.Value))
	}
	for _, m := range r.ModuleAux() {
		fmt.Fprintf(out, "module aux:        %s (when %d, %d bytes)\n", rdb.ModuleName(m.ModuleID), m.When, len(m.Data))
	}
	if n := len(r.Functions()); n > 0 {
		fmt.Fprintf(out, "functions:         %d libraries\n", n)
	}
	idx := make([]int, 0, len(dbs))
	for db := range dbs {
		idx = append(idx, db)
	}
	slices.Sort(idx)
	for _, db := range idx {
		s := dbs[db]
		fmt.Fprintf(out, "%-19s%d keys (%s), %d with expiry, %d already expired\n",
			fmt.Sprintf("db %d:", db), s.keys, s.typesString(), s.expires, s.expired)
	}
	fmt.Fprintf(out, "keys:              %d", total.keys)
	if total.keys > 0 {
		fmt.Fprintf(out, " (%s)", total.typesString())
	}
	fmt.Fprintf(out, "\nwith expiry:       %d\nalready expired:   %d\n", total.expires, total.expired)
	if n := r.EmptyKeys(); n > 0 {
		fmt.Fprintf(out, "empty keys:        %d (skipped, as Redis skips them)\n", n)
	}

	if readErr != nil {
		fmt.Fprintf(out, "bytes read:        %d\n", r.Offset())
		fmt.Fprintf(out, "--- RDB ERROR DETECTED ---\n")
		var ce *rdb.CorruptError
		if errors.As(readErr, &ce) {
			fmt.Fprintf(c.stderr, "aofrdb check: %s: %v\n", in.name, readErr)
		} else {
			fmt.Fprintf(c.stderr, "aofrdb check: %s: at offset %d: %v\n", in.name, r.Offset(), readErr)
		}
		return exitFail
	}

	fmt.Fprintf(out, "bytes:             %d", r.Offset())
	if in.size > r.Offset() { // the Reader reads ahead: only the size tells
		fmt.Fprintf(out, " (and %d bytes after the RDB's end, not checked, as Redis does not read them)", in.size-r.Offset())
	}
	fmt.Fprintln(out)
	stored, computed, ok := r.Checksum()
	switch {
	case !ok:
		fmt.Fprintf(out, "checksum:          none (RDB version before 5)\n")
	case stored == 0:
		fmt.Fprintf(out, "checksum:          saved with checksum disabled: no check performed\n")
	default:
		fmt.Fprintf(out, "checksum:          OK (%#016x)\n", computed)
	}
	fmt.Fprintf(out, "RDB looks OK\n")
	return exitOK
}

// printable returns b in single quotes when it is plain text, as
// redis-check-rdb prints it, else as a Go string literal.
func printable(b []byte) string {
	if plain(b) {
		return "'" + string(b) + "'"
	}
	return strconv.Quote(string(b))
}

// plain reports whether b is printable text without quotes.
func plain(b []byte) bool {
	return utf8.Valid(b) && !strings.ContainsFunc(string(b), func(r rune) bool {
		return r < ' ' || r == 0x7f || r == '\'' || r == '"' || !unicode.IsPrint(r) && r != ' '
	})
}

// fileHeader prints what redis-check-aof prints before checking f, and
// returns the kind of file to name it with: "BASE AOF", "INCR AOF", or
// "AOF" for a single file. incrs says whether the INCR files' header was
// printed.
func fileHeader(w io.Writer, multi bool, f *aof.FileReport, incrs *bool) string {
	if !multi {
		return "AOF"
	}
	switch f.Type {
	case manifest.Base:
		if f.Preamble {
			fmt.Fprintln(w, "Start to check BASE AOF (RDB format).")
		} else {
			fmt.Fprintln(w, "Start to check BASE AOF (RESP format).")
		}
		return "BASE AOF"
	case manifest.Incr:
		if !*incrs {
			fmt.Fprintln(w, "Start to check INCR files.")
			*incrs = true
		}
		return "INCR AOF"
	}
	return "AOF"
}
