package aofrdb

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

// Options configure a Store. The fields are named after redis.conf's
// persistence directives, and DefaultOptions gives redis.conf's
// defaults; ParseConfig reads a redis.conf's lines into Options.
//
// Start from DefaultOptions (or ParseConfig) and change what you need:
// Open refuses an Options made otherwise, since its zero values are not
// Redis's defaults (rdbcompression yes, auto-aof-rewrite-percentage 100,
// and so on).
type Options struct {
	// AppendOnly turns the AOF on (appendonly, default no).
	AppendOnly bool
	// AppendFilename is the prefix of the AOF's file names
	// (appendfilename, "appendonly.aof").
	AppendFilename string
	// AppendDirname is the AOF directory, in the data directory
	// (appenddirname, "appendonlydir").
	AppendDirname string
	// AppendFsync is the fsync policy (appendfsync, everysec).
	AppendFsync aof.Policy
	// NoAppendFsyncOnRewrite skips the fsyncs of everysec while a
	// rewrite or a background save runs (no-appendfsync-on-rewrite, no).
	NoAppendFsyncOnRewrite bool
	// AutoAOFRewritePercentage starts a rewrite when the AOF has grown
	// by this percentage over its size after the last rewrite (or at
	// start); 0 turns automatic rewrites off
	// (auto-aof-rewrite-percentage, 100).
	AutoAOFRewritePercentage int
	// AutoAOFRewriteMinSize is the size under which the AOF is not
	// rewritten automatically (auto-aof-rewrite-min-size, 64 MiB).
	AutoAOFRewriteMinSize int64
	// AOFLoadTruncated loads an AOF whose last file ends inside a command
	// up to its last whole command, and cuts the tail on disk
	// (aof-load-truncated, yes); otherwise such an AOF is an error.
	AOFLoadTruncated bool
	// AOFUseRDBPreamble writes the bases of rewrites as RDB files
	// (aof-use-rdb-preamble, yes); otherwise as commands.
	AOFUseRDBPreamble bool
	// AOFTimestampEnabled writes "#TS:<unix>" annotations into the AOF
	// (aof-timestamp-enabled, no).
	AOFTimestampEnabled bool
	// AOFRewriteIncrementalFsync syncs a base being written every 4 MiB
	// (aof-rewrite-incremental-fsync, yes).
	AOFRewriteIncrementalFsync bool

	// Save are the save points: a background save starts when at least
	// Changes writes were made and Seconds have passed since the last
	// save (save, "3600 1 300 100 60 10000"). Empty turns saving off.
	Save []SavePoint
	// DBFilename is the RDB file's name in the data directory
	// (dbfilename, "dump.rdb").
	DBFilename string
	// RDBCompression compresses strings with LZF in RDB files
	// (rdbcompression, yes).
	RDBCompression bool
	// RDBChecksum writes the CRC64 trailer (rdbchecksum, yes); without
	// it the trailer is zero.
	RDBChecksum bool
	// RDBVersion is the RDB version written: 9, 10 (Redis 7.0, the
	// default), 11 or 12. Not a redis.conf directive: redis-server
	// writes its own version.
	RDBVersion int
	// RDBSaveIncrementalFsync syncs an RDB file being written every 4 MiB
	// (rdb-save-incremental-fsync, yes).
	RDBSaveIncrementalFsync bool
	// StopWritesOnBGSaveError refuses writes after a failed background
	// save, while save points are set, until a save succeeds
	// (stop-writes-on-bgsave-error, yes).
	StopWritesOnBGSaveError bool
	// Databases is the number of databases (databases, 16). It is used
	// when the Store makes its keyspace.
	Databases int

	// Keyspace is the keyspace to persist; nil means a new
	// keyspace.NewMemory with Databases databases. It must be empty.
	Keyspace keyspace.Keyspace
	// Logger receives what Redis logs about persistence; nil discards.
	Logger *slog.Logger
	// Progress, when not nil, is called from time to time while the
	// data is loaded at Open.
	Progress func(LoadProgress)
	// AlwaysBuffered makes appendfsync always write and fdatasync the
	// AOF as Redis does, instead of writing it directly, durably, over
	// a pad, where the file system can (see aof.Options.Buffered and
	// the README's "How always writes").
	AlwaysBuffered bool
	// FS is the file system; nil means the operating system's. Tests
	// pass an in-memory one that can crash or fail.
	FS vfs.FS
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	defaults bool // made by DefaultOptions or ParseConfig
}

// SavePoint is one "save <seconds> <changes>" point.
type SavePoint struct {
	Seconds int
	Changes int
}

// LoadProgress is what Options.Progress receives while loading.
type LoadProgress struct {
	File        string // the file being loaded
	LoadedBytes int64  // bytes loaded so far, over all files
	TotalBytes  int64  // bytes of all the files to load
	Keys        int64  // keys restored and commands replayed so far
}

// DefaultOptions returns redis.conf's defaults.
func DefaultOptions() *Options {
	return &Options{
		AppendFilename:             "appendonly.aof",
		AppendDirname:              "appendonlydir",
		AppendFsync:                aof.EverySec,
		AutoAOFRewritePercentage:   100,
		AutoAOFRewriteMinSize:      64 << 20,
		AOFLoadTruncated:           true,
		AOFUseRDBPreamble:          true,
		AOFRewriteIncrementalFsync: true,
		Save:                       []SavePoint{{3600, 1}, {300, 100}, {60, 10000}},
		DBFilename:                 "dump.rdb",
		RDBCompression:             true,
		RDBChecksum:                true,
		RDBVersion:                 10,
		RDBSaveIncrementalFsync:    true,
		StopWritesOnBGSaveError:    true,
		Databases:                  16,
		defaults:                   true,
	}
}

// ErrOptions matches every error of Options.Validate.
var ErrOptions = errors.New("aofrdb: invalid options")

// Validate checks the options as redis-server checks its configuration,
// before anything touches the disk.
func (o *Options) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrOptions, fmt.Sprintf(format, args...))
	}
	if !o.defaults {
		return bad("Options must come from DefaultOptions or ParseConfig (their zero values are not Redis's defaults)")
	}
	for _, n := range []struct{ directive, name string }{
		{"appendfilename", o.AppendFilename},
		{"appenddirname", o.AppendDirname},
		{"dbfilename", o.DBFilename},
	} {
		if err := bareName(n.name); err != nil {
			return bad("%s %q: %v", n.directive, n.name, err)
		}
	}
	switch o.AppendFsync {
	case aof.Always, aof.EverySec, aof.No:
	default:
		return bad("appendfsync %v", o.AppendFsync)
	}
	if o.AutoAOFRewritePercentage < 0 {
		return bad("auto-aof-rewrite-percentage %d is negative", o.AutoAOFRewritePercentage)
	}
	if o.AutoAOFRewriteMinSize < 0 {
		return bad("auto-aof-rewrite-min-size %d is negative", o.AutoAOFRewriteMinSize)
	}
	for _, p := range o.Save {
		if p.Seconds < 1 || p.Changes < 0 {
			return bad("save %d %d: seconds must be at least 1 and changes not negative", p.Seconds, p.Changes)
		}
	}
	switch o.RDBVersion {
	case 9, 10, 11, 12:
	default:
		return bad("RDB version %d (9, 10, 11 or 12)", o.RDBVersion)
	}
	if o.Keyspace == nil && (o.Databases < 1 || o.Databases > 1<<20) {
		return bad("databases %d", o.Databases)
	}
	return nil
}

// bareName checks a file name that must not be a path, as Redis checks
// dbfilename, appendfilename and appenddirname.
func bareName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case name == "." || name == "..":
		return errors.New("not a file name")
	case strings.ContainsAny(name, "/\\\x00") || filepath.Base(name) != name:
		return errors.New("can't be a path, just a filename")
	}
	return nil
}
