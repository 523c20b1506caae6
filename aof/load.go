package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/aofrdb/aofrdb/resp"
)

// Target is what a loader replays an AOF into.
type Target interface {
	// Restore adds a key read from an RDB base or preamble. Keys whose
	// time has passed are passed too (Redis keeps an AOF base whole).
	// Restore may keep e.Key and e.Value's slices but not e itself, nor
	// a *rdb.String value, which the RDB reader may reuse
	// (rdb.ReaderOptions.LendEntries).
	Restore(e *rdb.Entry) error
	// Exec runs one command in database db and returns the database the
	// next command runs in (SELECT changes it). An unknown command is an
	// error wrapping ErrUnknownCommand.
	Exec(db int, args [][]byte) (int, error)
	// ExecMulti runs the commands of a MULTI/EXEC unit, the first in
	// database db, and returns the database after them.
	ExecMulti(db int, cmds [][][]byte) (int, error)
}

// Errors of loading, wrapped in a *LoadError.
var (
	// ErrTruncated: the file ends inside a command (or inside a MULTI
	// without its EXEC).
	ErrTruncated = errors.New("unexpected end of file")
	// ErrFormat: the file is not a sequence of RESP commands.
	ErrFormat = errors.New("bad file format")
	// ErrUnknownCommand: the file holds a command the target does not
	// know.
	ErrUnknownCommand = errors.New("unknown command")
)

// LoadError is an error of loading an AOF file, with the offset it is
// at: for ErrTruncated, the end of the last whole command (where
// aof-load-truncated cuts the file); otherwise where the bad command
// starts.
type LoadError struct {
	File   string
	Offset int64
	Err    error
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("aof: %s at offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// LoadOptions configure LoadFile.
type LoadOptions struct {
	// AllowTruncated loads a file whose end is cut inside a command up
	// to its last whole command, and cuts the file there on disk, as
	// Redis's aof-load-truncated (on by default in Redis) does. LoadFile
	// then reports Truncated. Without it, such a file is an ErrTruncated
	// error. Either way, corruption before the end is an error.
	AllowTruncated bool
	// ReadOnly leaves the files as they are: with AllowTruncated, a
	// truncated tail is loaded up to the last whole command and reported
	// (Truncated, End) but not cut on disk. For tools that inspect files
	// without repairing them, as aofrdb dump does.
	ReadOnly bool
	// RDB configures the reading of an RDB preamble or base.
	RDB *rdb.ReaderOptions
	// ReadOptions configures the reading of commands; nil means Redis's
	// limits.
	ReadOptions *resp.ReaderOptions
}

// FileResult describes a loaded file.
type FileResult struct {
	Size      int64 // bytes in the file when it was opened
	Preamble  bool  // it starts with an RDB (a base or a legacy preamble)
	Keys      int64 // keys restored from the RDB part
	Commands  int64 // commands replayed, MULTI units counted by command
	Truncated bool  // an incomplete tail was cut, or skipped with ReadOnly (AllowTruncated)
	End       int64 // offset after the last whole command: the file's size now, unless ReadOnly or a pad follows (see OpenAppender)
}

// LoadFile replays one AOF file into t: an RDB part first when the file
// starts with "REDIS" (an RDB base, or a legacy preamble), then RESP
// commands, skipping '#' annotations, and MULTI/EXEC units as one
// ExecMulti each. Every file starts in database 0, as in Redis. A MULTI
// whose EXEC never comes counts as a truncation just before the MULTI.
func LoadFile(fsys vfs.FS, name string, t Target, opts *LoadOptions) (FileResult, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	var res FileResult
	f, err := fsys.Open(name)
	if err != nil {
		return res, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, err
	}
	res.Size = fi.Size()
	if res.Size == 0 {
		return res, nil
	}
	var magic [5]byte
	n, err := f.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		return res, err
	}
	var start int64
	if n == 5 && string(magic[:]) == "REDIS" {
		res.Preamble = true
		rd := rdb.NewReader(io.NewSectionReader(f, 0, res.Size), o.RDB)
		defer rd.Close()
		for {
			e, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return res, &LoadError{File: name, Offset: rd.Offset(), Err: err}
			}
			e.Expired = false
			if err := t.Restore(e); err != nil {
				return res, &LoadError{File: name, Offset: rd.Offset(), Err: err}
			}
			res.Keys++
		}
		start = rd.Offset()
	}
	res.End = start
	// A pad after the commands (see direct.go) is not read: a command
	// cut before it is a truncated tail, as at the end of the file.
	end, err := recordsEnd(f, res.Size)
	if err != nil {
		return res, err
	}
	if end < start {
		end = res.Size // no commands after the RDB, whose last bytes may look like a pad
	}
	l := loader{name: name, t: t, f: f}
	err = l.replay(io.NewSectionReader(f, start, end-start), start, &o, &res)
	if err == nil {
		return res, nil
	}
	var le *LoadError
	if !o.AllowTruncated || !errors.As(err, &le) || !errors.Is(le.Err, ErrTruncated) {
		return res, err
	}
	// Cut the incomplete tail, as Redis does, and make the cut durable.
	if !o.ReadOnly {
		if err := truncateSync(fsys, name, le.Offset); err != nil {
			return res, err
		}
	}
	res.Truncated, res.End = true, le.Offset
	return res, nil
}

type loader struct {
	name string
	t    Target
	f    vfs.File
}

// replay replays the commands of r, which starts at offset base of the
// file.
func (l *loader) replay(r io.Reader, base int64, o *LoadOptions, res *FileResult) error {
	rd := resp.NewReaderOptions(r, o.ReadOptions)
	rd.ResetAt(r, base)
	db := 0
	var multi [][][]byte // the commands of an open MULTI
	inMulti := false
	var multiAt int64 // where the open MULTI starts
	for {
		k, err := rd.Next()
		switch {
		case err == io.EOF:
			if inMulti {
				return &LoadError{File: l.name, Offset: multiAt, Err: fmt.Errorf("%w: MULTI without EXEC", ErrTruncated)}
			}
			return nil
		case errors.Is(err, resp.ErrTruncated):
			// A '#' line cut by the end is a truncation too, though
			// Redis skips it: the next record appended would join its
			// line and be skipped with it.
			at := rd.Offset()
			if inMulti {
				at = multiAt
			}
			return &LoadError{File: l.name, Offset: at, Err: ErrTruncated}
		case err != nil:
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				return &LoadError{File: l.name, Offset: rd.Offset(), Err: fmt.Errorf("%w: %v", ErrFormat, err)}
			}
			return &LoadError{File: l.name, Offset: rd.Offset(), Err: err}
		}
		if k == resp.KindAnnotation {
			if !inMulti {
				res.End = rd.End()
			}
			continue
		}
		args := rd.Args()
		switch {
		case isCommand(args[0], "multi"):
			if !inMulti { // a nested MULTI is refused by Redis and changes nothing
				inMulti, multiAt, multi = true, rd.Offset(), multi[:0]
			}
		case isCommand(args[0], "exec"):
			if inMulti {
				if db, err = l.t.ExecMulti(db, multi); err != nil {
					return &LoadError{File: l.name, Offset: multiAt, Err: err}
				}
				res.Commands += int64(len(multi))
				inMulti = false
				res.End = rd.End()
			} // EXEC without MULTI is refused by Redis and changes nothing
		case inMulti:
			multi = append(multi, cloneArgs(args))
		default:
			if db, err = l.t.Exec(db, args); err != nil {
				return &LoadError{File: l.name, Offset: rd.Offset(), Err: err}
			}
			res.Commands++
			res.End = rd.End()
		}
	}
}

func isCommand(name []byte, lower string) bool {
	return equalFold(name, lower)
}

func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// KeyspaceTarget replays into a keyspace, with the write turn and
// Loading set (nothing expires while loading, as in Redis). Error
// replies are ignored, as Redis's loader ignores its fake client's.
//
// A KeyspaceTarget serves one load at a time: it runs every command in
// one Call, whose reply and log buffers are reused from one command to
// the next, and checks a command's name only when it differs from the
// last one's (an AOF runs the same command many times in a row).
type KeyspaceTarget struct {
	KS keyspace.Keyspace
	// Now is Call.Now of the commands (unix ms); 0 means the keyspace's
	// clock.
	Now int64

	call  keyspace.Call
	known []byte // the name of the last command KS knew
}

func (k *KeyspaceTarget) Restore(e *rdb.Entry) error { return k.KS.Restore(e) }

func (k *KeyspaceTarget) check(args [][]byte) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: empty command", ErrFormat)
	}
	if _, ok := k.KS.Command(args[0]); !ok {
		return fmt.Errorf("%w '%s'", ErrUnknownCommand, bytes.ToLower(args[0]))
	}
	return nil
}

func (k *KeyspaceTarget) Exec(db int, args [][]byte) (int, error) {
	if len(args) == 0 || !bytes.Equal(args[0], k.known) {
		if err := k.check(args); err != nil {
			return db, err
		}
		k.known = append(k.known[:0], args[0]...)
	}
	c := &k.call
	c.Reset()
	c.DB, c.Args, c.Now, c.Write, c.Loading = db, args, k.Now, true, true
	err := k.KS.Exec(c)
	return c.DB, err
}

func (k *KeyspaceTarget) ExecMulti(db int, cmds [][][]byte) (int, error) {
	if len(cmds) == 0 {
		return db, nil
	}
	calls := make([]keyspace.Call, len(cmds))
	for i, args := range cmds {
		if err := k.check(args); err != nil {
			return db, err
		}
		calls[i] = keyspace.Call{Args: args, Now: k.Now, Write: true, Loading: true}
	}
	calls[0].DB = db
	err := k.KS.ExecMulti(calls)
	return calls[len(calls)-1].DB, err
}

// LoadFiles replays files in order, as Redis loads a base and its incr
// files: each file starts in database 0, and a truncated tail is
// allowed (with AllowTruncated) only in the last file; in an earlier one
// it is an error whatever the option says, since what follows depends
// on it.
func LoadFiles(fsys vfs.FS, files []string, t Target, opts *LoadOptions) ([]FileResult, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	results := make([]FileResult, 0, len(files))
	for i, name := range files {
		fo := o
		fo.AllowTruncated = o.AllowTruncated && i == len(files)-1
		res, err := LoadFile(fsys, name, t, &fo)
		results = append(results, res)
		if err != nil {
			var le *LoadError
			if o.AllowTruncated && errors.As(err, &le) && errors.Is(err, ErrTruncated) {
				return results, fmt.Errorf("%w (the truncated file is not the last file)", err)
			}
			return results, err
		}
	}
	return results, nil
}

// LoadDir loads the multi-part AOF of directory dir, whose manifest is
// <prefix>.manifest: its base, then its incr files in order, with
// LoadFiles's rules. A file the manifest lists that does not exist is
// an error, as in Redis. It returns the manifest and a result per file.
func LoadDir(fsys vfs.FS, dir, prefix string, t Target, opts *LoadOptions) (*manifest.Manifest, []FileResult, error) {
	m, err := manifest.Read(fsys, dir, prefix)
	if err != nil {
		return nil, nil, err
	}
	files, err := m.LoadPaths(fsys, dir)
	if err != nil {
		return m, nil, err
	}
	results, err := LoadFiles(fsys, files, t, opts)
	return m, results, err
}
