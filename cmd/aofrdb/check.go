package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aofrdb/aofrdb/rdb"
)

var checkCommand = &command{
	name:    "check",
	args:    "[flags] FILE.rdb",
	summary: "verify an RDB file as redis-check-rdb does, and summarize it",
	help: `check reads every key of the file, checking every encoding with Redis's
integrity rules, and the CRC64 trailer (a zero trailer means the file was
saved without a checksum, as Redis takes it). It prints the RDB version, the
aux fields, the keys per database and per type, how many have an expiry and
how many have already expired, the size and the checksum. The exit status is
0 when the file is sound and 1 when it is not, with the file, the offset and
the reason on stderr, as redis-check-rdb.
`,
	min: 1,
	max: 1,
	setup: func(fs *flag.FlagSet) func(*cli, []string) int {
		databases := fs.Int("databases", 0, "refuse a database index `N` or above, as a redis-server with `databases N` does (0: no limit, as redis-check-rdb)")
		return func(c *cli, ops []string) int { return c.check(ops[0], *databases) }
	},
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
