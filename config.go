package aofrdb

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/sds"
)

// Config is what ParseConfig reads from a redis.conf.
type Config struct {
	// Options are DefaultOptions changed by the file's persistence
	// directives.
	Options *Options
	// Dir is what the file's dir directives name, "" when there is
	// none. Redis changes its working directory at each dir line, so a
	// relative one is taken from the one before: "dir /data" then
	// "dir 6379" give /data/6379. A relative Dir is relative to the
	// caller's working directory. It is not an Option: it is Open's
	// first argument.
	Dir string
	// Ignored are the other directives (port, maxmemory, include, ...),
	// in the order of the file, for the caller to apply or warn about.
	Ignored []Directive
}

// Directive is one directive of a redis.conf: a line's words, unquoted.
type Directive struct {
	Line int    // the line's number, from 1
	Text string // the line, trimmed
	Name string // lower case
	Args []string
}

// ConfigError is ParseConfig's error for a directive it refuses: the
// line's number, its text (trimmed) and why, as Redis reports a fatal
// configuration error.
type ConfigError struct {
	Line   int // 0 for Options.SetConfig's
	Text   string
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Line == 0 { // Options.SetConfig's
		return fmt.Sprintf("aofrdb: '%s': %s", e.Text, e.Reason)
	}
	return fmt.Sprintf("aofrdb: configuration line %d: '%s': %s", e.Line, e.Text, e.Reason)
}

// Banner returns the error as redis-server prints it before it exits.
func (e *ConfigError) Banner() string {
	return fmt.Sprintf("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"+
		"Reading the configuration file, at line %d\n>>> '%s'\n%s\n", e.Line, e.Text, e.Reason)
}

// ParseConfig reads a redis.conf (or the configuration redis-server
// assembles from a file and its --name value arguments) into Options,
// starting from DefaultOptions, as redis-server 7.0 reads it:
//
//   - one directive a line, its words split and unquoted as Redis's
//     sdssplitargs splits them ("double quotes" with \n, \xHH and the
//     like, 'single quotes'); blank lines and lines starting with '#'
//     are skipped; names are case-insensitive;
//   - yes/no and enums (appendfsync) in any case; sizes with Redis's
//     units (1k = 1000, 1kb = 1024, m, mb, g, gb);
//   - the first save line replaces the default save points and later
//     ones add to them; save "" removes them all; a line may hold
//     several pairs, also as one quoted argument ("900 1 300 10");
//   - a repeated directive's last value wins.
//
// The directives read are appendonly, appendfilename, appenddirname,
// appendfsync, no-appendfsync-on-rewrite, auto-aof-rewrite-percentage,
// auto-aof-rewrite-min-size, aof-load-truncated, aof-use-rdb-preamble,
// aof-timestamp-enabled, aof-rewrite-incremental-fsync, save,
// dbfilename, rdbcompression, rdbchecksum, rdb-save-incremental-fsync,
// stop-writes-on-bgsave-error and databases, plus dir (Config.Dir).
// The others are returned in Config.Ignored, unchecked.
//
// A directive ParseConfig refuses is a *ConfigError naming the line,
// with Redis's reason ("argument must be 'yes' or 'no'", "Invalid save
// parameters", ...), or, for what Redis accepts and a Store cannot use
// (dbfilename "" or "."), a reason of its own. The Options returned
// pass Validate.
func ParseConfig(r io.Reader) (*Config, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("aofrdb: reading the configuration: %w", err)
	}
	p := configParser{cfg: &Config{Options: DefaultOptions()}}
	for i, line := range bytes.Split(text, []byte("\n")) {
		if err := p.line(i+1, line); err != nil {
			return nil, err
		}
	}
	if err := p.cfg.Options.Validate(); err != nil {
		return nil, err // not reached: each directive was checked
	}
	return p.cfg, nil
}

type configParser struct {
	cfg        *Config
	saveLoaded bool // a save directive was read: the defaults are gone
}

func (p *configParser) line(n int, raw []byte) error {
	// Redis trims " \t\r\n", skips comments and blank lines, and reads
	// the line as a C string (up to a NUL).
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	text := strings.Trim(string(raw), " \t\r\n")
	if text == "" || text[0] == '#' {
		return nil
	}
	fail := func(reason string) error { return &ConfigError{Line: n, Text: text, Reason: reason} }
	words, ok := sds.SplitArgs(text)
	if !ok {
		return fail("Unbalanced quotes in configuration line")
	}
	if len(words) == 0 {
		return nil
	}
	name := strings.ToLower(words[0])
	args := words[1:]
	set, known := configSetters[name]
	if !known {
		p.cfg.Ignored = append(p.cfg.Ignored, Directive{Line: n, Text: text, Name: name, Args: args})
		return nil
	}
	if name == "save" {
		return p.save(args, fail)
	}
	if len(args) != 1 {
		return fail("wrong number of arguments")
	}
	if reason := set(p.cfg, args[0]); reason != "" {
		return fail(reason)
	}
	return nil
}

// save applies a save directive as Redis's setConfigSaveOption does
// while reading the configuration.
func (p *configParser) save(args []string, fail func(string) error) error {
	o := p.cfg.Options
	if len(args) == 1 && args[0] != "" {
		// One argument holding several words ("900 1 300 10"); Redis
		// reads a split failure as no words.
		args, _ = sds.SplitArgs(args[0])
	}
	if len(args) == 1 && args[0] == "" {
		o.Save = nil
		args = nil
	}
	if len(args)%2 != 0 {
		return fail("Invalid save parameters")
	}
	points := make([]SavePoint, 0, len(args)/2)
	for j := 0; j < len(args); j += 2 {
		secs, ok1 := strtoll(args[j])
		changes, ok2 := strtoll(args[j+1])
		if !ok1 || !ok2 || secs < 1 || changes < 0 || changes > math.MaxInt32 {
			return fail("Invalid save parameters")
		}
		points = append(points, SavePoint{Seconds: int(secs), Changes: int(changes)})
	}
	if !p.saveLoaded {
		p.saveLoaded = true
		o.Save = nil
	}
	o.Save = append(o.Save, points...)
	return nil
}

// configSetters apply a one-argument directive, returning why they
// refuse it ("" when they don't). save is handled apart.
var configSetters = map[string]func(c *Config, v string) string{
	"appendonly":                    boolSetter(func(o *Options) *bool { return &o.AppendOnly }),
	"no-appendfsync-on-rewrite":     boolSetter(func(o *Options) *bool { return &o.NoAppendFsyncOnRewrite }),
	"aof-load-truncated":            boolSetter(func(o *Options) *bool { return &o.AOFLoadTruncated }),
	"aof-use-rdb-preamble":          boolSetter(func(o *Options) *bool { return &o.AOFUseRDBPreamble }),
	"aof-timestamp-enabled":         boolSetter(func(o *Options) *bool { return &o.AOFTimestampEnabled }),
	"aof-rewrite-incremental-fsync": boolSetter(func(o *Options) *bool { return &o.AOFRewriteIncrementalFsync }),
	"rdbcompression":                boolSetter(func(o *Options) *bool { return &o.RDBCompression }),
	"rdbchecksum":                   boolSetter(func(o *Options) *bool { return &o.RDBChecksum }),
	"rdb-save-incremental-fsync":    boolSetter(func(o *Options) *bool { return &o.RDBSaveIncrementalFsync }),
	"stop-writes-on-bgsave-error":   boolSetter(func(o *Options) *bool { return &o.StopWritesOnBGSaveError }),
	"appendfsync": func(c *Config, v string) string {
		switch strings.ToLower(v) {
		case "everysec":
			c.Options.AppendFsync = aof.EverySec
		case "always":
			c.Options.AppendFsync = aof.Always
		case "no":
			c.Options.AppendFsync = aof.No
		default:
			return "argument(s) must be one of the following: everysec, always, no"
		}
		return ""
	},
	"auto-aof-rewrite-percentage": func(c *Config, v string) string {
		n, reason := intArg(v, 0, math.MaxInt32)
		if reason == "" {
			c.Options.AutoAOFRewritePercentage = int(n)
		}
		return reason
	},
	"auto-aof-rewrite-min-size": func(c *Config, v string) string {
		n, ok := memtoull(v)
		if !ok {
			return "argument must be a memory value"
		}
		if int64(n) < 0 {
			return "argument must be between 0 and 9223372036854775807 inclusive"
		}
		c.Options.AutoAOFRewriteMinSize = int64(n)
		return ""
	},
	"databases": func(c *Config, v string) string {
		n, reason := intArg(v, 1, math.MaxInt32)
		if reason == "" && n > maxDatabases {
			reason = fmt.Sprintf("at most %d databases here", maxDatabases)
		}
		if reason == "" {
			c.Options.Databases = int(n)
		}
		return reason
	},
	"appendfilename": func(c *Config, v string) string {
		if reason := fileNameArg("appendfilename", v); reason != "" {
			return reason
		}
		c.Options.AppendFilename = v
		return ""
	},
	"appenddirname": func(c *Config, v string) string {
		if reason := fileNameArg("appenddirname", v); reason != "" {
			return reason
		}
		c.Options.AppendDirname = v
		return ""
	},
	"dbfilename": func(c *Config, v string) string {
		if reason := fileNameArg("dbfilename", v); reason != "" {
			return reason
		}
		c.Options.DBFilename = v
		return ""
	},
	"dir": func(c *Config, v string) string {
		if v == "" {
			return "No such file or directory"
		}
		if c.Dir != "" && !filepath.IsAbs(v) {
			v = filepath.Join(c.Dir, v)
		}
		c.Dir = v
		return ""
	},
	"save": nil, // configParser.save
}

// maxDatabases is Validate's bound on the databases directive.
const maxDatabases = 1 << 20

func boolSetter(field func(o *Options) *bool) func(c *Config, v string) string {
	return func(c *Config, v string) string {
		switch strings.ToLower(v) {
		case "yes":
			*field(c.Options) = true
		case "no":
			*field(c.Options) = false
		default:
			return "argument must be 'yes' or 'no'"
		}
		return ""
	}
}

// fileNameArg checks a file name directive as Redis does, then as the
// Store needs (Redis takes "" and "." for dbfilename).
func fileNameArg(directive, v string) string {
	if v == "" && directive != "dbfilename" {
		return directive + " can't be empty"
	}
	if strings.ContainsAny(v, "/\\") {
		return directive + " can't be a path, just a filename"
	}
	if err := bareName(v); err != nil {
		return fmt.Sprintf("%s %q: %v (a Store needs a file name)", directive, v, err)
	}
	return ""
}

// intArg parses an integer directive as Redis's numeric configs do
// (string2ll: no sign but '-', no spaces, no leading zeros) and checks
// its bounds.
func intArg(v string, lo, hi int64) (int64, string) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != v {
		return 0, "argument couldn't be parsed into an integer"
	}
	if n < lo || n > hi {
		return 0, fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi)
	}
	return n, ""
}

// memtoull parses a memory value as Redis's memtoull: digits and an
// optional unit (b, k, kb, m, mb, g, gb, any case), no sign. As in
// Redis, no digits reads as 0 and an overflow wraps around.
func memtoull(v string) (uint64, bool) {
	i := 0
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(v[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var n uint64
	if i > 0 {
		var err error
		n, err = strconv.ParseUint(v[:i], 10, 64)
		if err != nil {
			n = math.MaxUint64 // strtoull saturates
		}
	}
	return n * mul, true
}

// strtoll parses a whole string as C's strtoll in base 10: leading
// white space, an optional sign, digits; no digits reads as 0;
// saturated at the int64 limits. It fails when anything follows.
func strtoll(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var n uint64
	over := false
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			over = true
		} else {
			n = n*10 + d
		}
		i++
	}
	if i == start {
		// No digits: strtoll reads nothing and points at the start.
		return 0, s == ""
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case !neg && (over || n > math.MaxInt64):
		return math.MaxInt64, true
	case neg && (over || n > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(n), true
	}
	return int64(n), true
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// ConfigValues returns the persistence settings of o as CONFIG GET
// reports them, by directive name (dir excepted: it is not an Option).
func (o *Options) ConfigValues() map[string]string {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	var save []string
	for _, p := range o.Save {
		save = append(save, strconv.Itoa(p.Seconds), strconv.Itoa(p.Changes))
	}
	return map[string]string{
		"appendonly":                    yn(o.AppendOnly),
		"appendfilename":                o.AppendFilename,
		"appenddirname":                 o.AppendDirname,
		"appendfsync":                   o.AppendFsync.String(),
		"no-appendfsync-on-rewrite":     yn(o.NoAppendFsyncOnRewrite),
		"auto-aof-rewrite-percentage":   strconv.Itoa(o.AutoAOFRewritePercentage),
		"auto-aof-rewrite-min-size":     strconv.FormatInt(o.AutoAOFRewriteMinSize, 10),
		"aof-load-truncated":            yn(o.AOFLoadTruncated),
		"aof-use-rdb-preamble":          yn(o.AOFUseRDBPreamble),
		"aof-timestamp-enabled":         yn(o.AOFTimestampEnabled),
		"aof-rewrite-incremental-fsync": yn(o.AOFRewriteIncrementalFsync),
		"save":                          strings.Join(save, " "),
		"dbfilename":                    o.DBFilename,
		"rdbcompression":                yn(o.RDBCompression),
		"rdbchecksum":                   yn(o.RDBChecksum),
		"rdb-save-incremental-fsync":    yn(o.RDBSaveIncrementalFsync),
		"stop-writes-on-bgsave-error":   yn(o.StopWritesOnBGSaveError),
		"databases":                     strconv.Itoa(o.Databases),
	}
}

// SetConfig sets the persistence directive name (any case) to value as
// CONFIG SET sets it: the value is checked as ParseConfig checks it
// (yes/no and enums in any case, sizes with units, save as one argument
// of pairs replacing every save point, "" removing them). A value it
// refuses returns a *ConfigError whose Reason is Redis's, and o does not
// change. dir, not an Option, and the directives ParseConfig does not
// read are refused too. It changes o only: Store.Configure applies it
// to an open Store, which refuses what cannot change while it is open.
func (o *Options) SetConfig(name, value string) error {
	name = strings.ToLower(name)
	text := name + " " + value
	fail := func(reason string) error { return &ConfigError{Text: text, Reason: reason} }
	set, known := configSetters[name]
	if !known || name == "dir" {
		return fail("not a persistence directive of aofrdb.Options")
	}
	c := &Config{Options: o.clone()}
	if name == "save" {
		p := configParser{cfg: c}
		if err := p.save([]string{value}, fail); err != nil {
			return err
		}
	} else if reason := set(c, value); reason != "" {
		return fail(reason)
	}
	*o = *c.Options
	return nil
}
