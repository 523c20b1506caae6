package respserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aofrdb/aofrdb"
	"github.com/aofrdb/aofrdb/resp"
)

// Config is what a redis-server style command line and config file set.
// The zero value listens nowhere; DefaultConfig gives redis-server's
// defaults for the directives kept.
type Config struct {
	// Port is the TCP port; 0 means no TCP listener, as in redis-server.
	// Default 6379.
	Port int

	// Bind is the addresses the TCP listener binds. An address with a
	// leading '-' is optional: failing to bind it is not an error (as in
	// redis.conf's "bind 127.0.0.1 -::1"). "*" means every IPv4
	// address and "::*" every IPv6 one. Default 127.0.0.1 and -::1.
	Bind []string

	// UnixSocket is the path of a unix socket to listen on; "" for none.
	UnixSocket string

	// Databases is the number of databases. Default 16.
	Databases int

	// Persistence are the Store's options, from the persistence
	// directives (appendonly, save, dbfilename, ...; see
	// aofrdb.ParseConfig). ParseArgs sets it; nil means the defaults.
	Persistence *aofrdb.Options

	// Dir is the data directory (dir); "" means the working directory,
	// as in redis-server.
	Dir string

	// Ignored lists, once each in the order first met, the directives
	// that were read and ignored (this server has no replication, ACL,
	// memory limits, ...).
	Ignored []string
}

// MaxDatabases bounds the databases directive (each database costs a
// few kilobytes even when empty).
const MaxDatabases = 1 << 16

// DefaultConfig returns the defaults: port 6379 on 127.0.0.1 (and ::1
// where available), 16 databases.
func DefaultConfig() Config {
	return Config{Port: 6379, Bind: []string{"127.0.0.1", "-::1"}, Databases: 16}
}

// ErrHelp is returned by ParseArgs for -h and --help, ErrVersion for -v
// and --version.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// ParseArgs reads a redis-server command line (without the program
// name): an optional config file first ("-" reads it from stdin), then
// "--name value..." options. As redis-server does, it appends the
// options to the file's text as lines "name value...", the values
// quoted, and reads the whole: a directive's last value wins, and an
// error names the line of that text (a *aofrdb.ConfigError, whose
// Banner is redis-server's message). "--save" followed by another
// option or at the end means save "".
func ParseArgs(args []string) (Config, error) {
	return parseArgs(args, os.Stdin)
}

func parseArgs(args []string, stdin io.Reader) (Config, error) {
	cfg := DefaultConfig()
	if len(args) == 1 {
		switch args[0] {
		case "-h", "--help":
			return cfg, ErrHelp
		case "-v", "--version":
			return cfg, ErrVersion
		}
	}
	var text []byte
	if len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-") {
		var err error
		if args[0] == "-" {
			text, err = io.ReadAll(stdin)
		} else {
			text, err = os.ReadFile(args[0])
		}
		if err != nil {
			return cfg, fmt.Errorf("reading the configuration file: %w", err)
		}
		args = args[1:]
	}
	opts, err := optionLines(args)
	if err != nil {
		return cfg, err
	}
	if opts != "" {
		text = append(append(text, '\n'), opts...)
	}
	return cfg, cfg.parse(text)
}

// optionLines turns "--name value..." arguments into configuration
// lines as redis-server does: each value quoted (so that it reads back
// as it was), a name with its value in one argument ("--port 6380")
// taken as it is, and a bare "--save" before another option or at the
// end taken as save "".
func optionLines(args []string) (string, error) {
	var b strings.Builder
	named := true // the last option had a value: "--x" starts a new one
	for j, a := range args {
		if !named || !strings.HasPrefix(a, "--") {
			if j == 0 {
				return "", fmt.Errorf("invalid argument %q (options are --name value)", a)
			}
			b.WriteString(quoteArg(a))
			b.WriteByte(' ')
			named = true
			continue
		}
		name := a[2:]
		if name == "" || strings.HasPrefix(name, "-") {
			return "", fmt.Errorf("invalid option %q (options are --name value)", a)
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteByte(' ')
		if len(strings.Fields(a)) == 1 {
			named = false
			save := strings.EqualFold(a, "--save")
			if save && (j == len(args)-1 || strings.HasPrefix(args[j+1], "--")) {
				b.WriteString(`""`)
				named = true
			}
		}
	}
	return b.String(), nil
}

// quoteArg quotes a as Redis's sdscatrepr does.
func quoteArg(a string) string {
	b := []byte{'"'}
	for i := 0; i < len(a); i++ {
		switch c := a[i]; c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if c < ' ' || c > '~' {
				b = fmt.Appendf(b, "\\x%02x", c)
			} else {
				b = append(b, c)
			}
		}
	}
	return string(append(b, '"'))
}

// parse reads a whole configuration: the persistence directives with
// aofrdb.ParseConfig, then the others with Set.
func (c *Config) parse(text []byte) error {
	pc, err := aofrdb.ParseConfig(bytes.NewReader(text))
	if err != nil {
		return err
	}
	c.Persistence = pc.Options
	c.Dir = pc.Dir
	c.Databases = pc.Options.Databases
	for _, d := range pc.Ignored {
		if err := c.Set(d.Name, d.Args); err != nil {
			return &aofrdb.ConfigError{Line: d.Line, Text: d.Text, Reason: err.Error()}
		}
	}
	return nil
}

// errBadDirective is Redis's reason for a directive it does not know,
// worded as Redis words it.
var errBadDirective error = redisReason("Bad directive or wrong number of arguments")

// redisReason is an error worded by Redis.
type redisReason string

func (r redisReason) Error() string { return string(r) }

// ParseFile applies the directives of a redis.conf-style text: one
// directive a line, "name arg...", with arguments split and unquoted as
// redis-server splits them ("double quotes" with escapes, 'single
// quotes'); blank lines and lines starting with '#' are skipped.
func (c *Config) ParseFile(text []byte) error {
	for i, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		words, err := splitLine(line)
		if err != nil {
			return fmt.Errorf("line %d: %q: %w", i+1, line, err)
		}
		if len(words) == 0 {
			continue
		}
		if err := c.Set(words[0], words[1:]); err != nil {
			return fmt.Errorf("line %d: %q: %w", i+1, line, err)
		}
	}
	return nil
}

// splitLine splits a config line as an inline command is split.
func splitLine(line []byte) ([]string, error) {
	text := append(bytes.Clone(line), '\r', '\n')
	rd := resp.NewReaderOptions(bytes.NewReader(text), &resp.ReaderOptions{Inline: true})
	args, err := rd.ReadCommand()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var pe *resp.ProtocolError
		if errors.As(err, &pe) {
			return nil, errors.New(pe.Reason)
		}
		return nil, err
	}
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = string(a)
	}
	return words, nil
}

// Set applies one directive. The directives port, bind, unixsocket and
// databases are kept; any other name is recorded in Ignored.
func (c *Config) Set(name string, values []string) error {
	name = strings.ToLower(name)
	switch name {
	case "port":
		n, err := oneInt(values, 0, 65535)
		if err != nil {
			return err
		}
		c.Port = n
	case "databases":
		n, err := oneInt(values, 1, MaxDatabases)
		if err != nil {
			return err
		}
		c.Databases = n
	case "unixsocket":
		if len(values) != 1 {
			return errors.New("wrong number of arguments")
		}
		c.UnixSocket = values[0]
	case "bind":
		if len(values) == 0 || len(values) > 16 {
			return errors.New("wrong number of arguments")
		}
		c.Bind = slices.Clone(values)
	default:
		if name == "" || name[0] == '-' {
			return errBadDirective
		}
		if !slices.Contains(c.Ignored, name) {
			c.Ignored = append(c.Ignored, name)
		}
	}
	return nil
}

func oneInt(values []string, lo, hi int) (int, error) {
	if len(values) != 1 {
		return 0, errors.New("wrong number of arguments")
	}
	n, err := strconv.Atoi(values[0])
	if err != nil {
		return 0, errors.New("argument couldn't be parsed into an integer")
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
	}
	return n, nil
}

// TCPAddrs returns the addresses the TCP listeners bind, as host:port,
// each with whether it is optional; none when Port is 0.
func (c *Config) TCPAddrs() (addrs []string, optional []bool) {
	if c.Port == 0 {
		return nil, nil
	}
	port := strconv.Itoa(c.Port)
	for _, b := range c.Bind {
		opt := strings.HasPrefix(b, "-")
		b = strings.TrimPrefix(b, "-")
		switch b {
		case "*":
			b = "0.0.0.0"
		case "::*":
			b = "::"
		}
		addrs = append(addrs, joinHostPort(b, port))
		optional = append(optional, opt)
	}
	return addrs, optional
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}
