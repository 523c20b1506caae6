package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/rdb"
)

// kind is the format of a file.
type kind int

const (
	kindUnknown kind = iota
	kindRDB
	kindJSON
)

func (k kind) String() string {
	switch k {
	case kindRDB:
		return "RDB"
	case kindJSON:
		return "JSON"
	}
	return "unknown"
}

// input is an opened input file ("-" is stdin), buffered so that its
// format can be sniffed.
type input struct {
	name string
	r    *bufio.Reader
	size int64 // 0 when unknown
	c    io.Closer
}

func openInput(name string) (*input, error) {
	if name == "-" {
		return &input{name: "stdin", r: bufio.NewReaderSize(os.Stdin, 256<<10), c: io.NopCloser(nil)}, nil
	}
	f, err := vfs.Default.Open(name)
	if err != nil {
		return nil, err
	}
	in := &input{name: name, r: bufio.NewReaderSize(f, 256<<10), c: f}
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s is a directory (data directories are not supported yet: name the RDB file)", name)
		}
		in.size = fi.Size()
	}
	return in, nil
}

func (in *input) Close() error { return in.c.Close() }

// kind sniffs the format: an RDB file starts with "REDIS", a JSON data set
// with "{" (after white space); otherwise the extension decides.
func (in *input) kind() kind {
	head, _ := in.r.Peek(512)
	if bytes.HasPrefix(head, []byte("REDIS")) {
		return kindRDB
	}
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return kindJSON
	}
	return kindByName(in.name)
}

// kindByName guesses a file's format from its extension.
func kindByName(name string) kind {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".rdb":
		return kindRDB
	case ".json":
		return kindJSON
	}
	return kindUnknown
}

// rdbResult is what reading a whole RDB file gives besides the data set.
type rdbResult struct {
	version   int
	functions [][]byte
	moduleAux []rdb.ModuleAux
	expired   int
	trailing  bool // bytes follow the RDB's end (known for regular files only)
}

// readRDB reads the RDB file in into a data set, leaving out expired keys
// as Redis does when it loads an RDB file.
func (c *cli) readRDB(in *input) (*dataset.Dataset, *rdbResult, error) {
	r := rdb.NewReader(in.r, nil)
	p := c.newProgress("reading "+in.name, in.size)
	defer p.done()
	var b dataset.Builder
	var keys int64
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, readError(r, err)
		}
		keys++
		p.update(r.Offset(), keys)
		if err := b.Add(e); err != nil {
			return nil, nil, err
		}
	}
	b.RedisVersion = redisVersion(r.Aux())
	d, err := b.Dataset()
	if err != nil {
		return nil, nil, err
	}
	res := &rdbResult{functions: r.Functions(), moduleAux: r.ModuleAux()}
	res.version, _ = r.Version()
	res.expired, _ = b.Skipped()
	// The Reader reads ahead into its own buffer, so what follows the RDB
	// is told by the file's size (unknown for stdin).
	res.trailing = in.size > r.Offset()
	return d, res, nil
}

// readError adds the offset to an error that does not give it.
func readError(r *rdb.Reader, err error) error {
	var ce *rdb.CorruptError
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("at offset %d: %w", r.Offset(), err)
}

// redisVersion returns the version in the redis-ver (or valkey-ver) aux
// field, or "".
func redisVersion(aux []rdb.Aux) string {
	for _, a := range aux {
		switch strings.ToLower(string(a.Key)) {
		case "redis-ver", "valkey-ver":
			return string(a.Value)
		}
	}
	return ""
}

// readDataset reads the data set in in, whatever its format.
func (c *cli) readDataset(in *input) (*dataset.Dataset, *rdbResult, error) {
	switch in.kind() {
	case kindRDB:
		return c.readRDB(in)
	case kindJSON:
		d, err := dataset.Read(in.r)
		return d, nil, err
	}
	return nil, nil, errors.New("not an RDB file (no REDIS signature) nor a JSON data set")
}
