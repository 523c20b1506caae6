package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/dataset"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/manifest"
	"github.com/aofrdb/aofrdb/rdb"
)

// kind is the format of a file.
type kind int

const (
	kindUnknown kind = iota
	kindRDB
	kindJSON
	kindAOF      // an AOF file: RESP commands, an RDB preamble and commands, or an RDB base
	kindManifest // the manifest of a multi-part AOF
)

func (k kind) String() string {
	switch k {
	case kindRDB:
		return "RDB"
	case kindJSON:
		return "JSON"
	case kindAOF:
		return "AOF"
	case kindManifest:
		return "AOF manifest"
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

// kind sniffs the format: a name ending in .manifest is a manifest; a
// file starting with "REDIS" is an RDB file, or an AOF with an RDB
// preamble (or an RDB base) if its name ends in .aof; one starting with
// '*' or '#' is an AOF (a command or an annotation); one starting with
// "{" (after white space) a JSON data set; otherwise the extension
// decides.
func (in *input) kind() kind {
	if kindByName(in.name) == kindManifest {
		return kindManifest
	}
	head, _ := in.r.Peek(512)
	switch {
	case bytes.HasPrefix(head, []byte("REDIS")):
		if kindByName(in.name) == kindAOF {
			return kindAOF
		}
		return kindRDB
	case len(head) > 0 && (head[0] == '*' || head[0] == '#'):
		return kindAOF
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
	case ".aof":
		return kindAOF
	case ".manifest":
		return kindManifest
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

// readDataset reads the data set in in, an RDB file or a JSON data set.
func (c *cli) readDataset(in *input) (*dataset.Dataset, *rdbResult, error) {
	switch in.kind() {
	case kindRDB:
		return c.readRDB(in)
	case kindJSON:
		d, err := dataset.Read(in.r)
		return d, nil, err
	}
	return nil, nil, errors.New(errUnknownFormat)
}

const errUnknownFormat = "not an RDB file (no REDIS signature), an AOF (no '*' or '#' first, no .aof or .manifest name) nor a JSON data set"

// source is an input of dump or convert resolved to what it loads: an
// RDB file or a JSON data set (in), or AOF files to replay in order (a
// single file, or the base and incr files of a multi-part AOF).
type source struct {
	name  string // as given, for messages
	kind  kind   // kindRDB, kindJSON or kindAOF
	in    *input // kindRDB, kindJSON
	fsys  vfs.FS // kindAOF: where files are
	files []string
	// how tells how a directory was resolved, for a note on stderr; ""
	// for a file.
	how string
}

func (s *source) Close() error {
	if s.in != nil {
		return s.in.Close()
	}
	return nil
}

// openSource resolves name, as dump and convert take it:
//
//   - "-": stdin, an RDB file, a JSON data set or an AOF (by content);
//   - a file: by kind (the manifest of a multi-part AOF: its base and
//     incr files);
//   - a directory holding a manifest (<prefix>.manifest): that
//     multi-part AOF (appendonly.aof.manifest if there are several);
//   - another directory: a Redis data directory, resolved as Redis 7
//     with appendonly yes and the default names does (manifest.MakePlan):
//     appendonlydir's multi-part AOF, else a legacy appendonly.aof,
//     else dump.rdb. The files are only read (a legacy file is not
//     moved into appendonlydir).
func openSource(name string) (*source, error) {
	s := &source{name: name}
	if name != "-" {
		fi, err := vfs.Default.Stat(name)
		if err != nil {
			return nil, err
		}
		if fi.IsDir() {
			return openDir(name)
		}
	}
	in, err := openInput(name)
	if err != nil {
		return nil, err
	}
	s.name = in.name
	switch s.kind = in.kind(); s.kind {
	case kindRDB, kindJSON:
		s.in = in
		return s, nil
	case kindManifest:
		in.Close()
		return openManifest(name, filepath.Dir(name), strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)))
	case kindAOF:
		if name != "-" {
			in.Close()
			s.fsys, s.files = vfs.Default, []string{name}
			return s, nil
		}
		// The loader reads at offsets: stdin is read into memory.
		defer in.Close()
		mem := vfs.NewMem()
		f, err := mem.Create("stdin")
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(f, in.r); err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		f.Close()
		s.fsys, s.files = mem, []string{"stdin"}
		return s, nil
	}
	in.Close()
	return nil, fmt.Errorf("%s: %s", s.name, errUnknownFormat)
}

// openManifest resolves the multi-part AOF of dir whose manifest is
// <prefix>.manifest.
func openManifest(name, dir, prefix string) (*source, error) {
	m, err := manifest.Read(vfs.Default, dir, prefix)
	if err != nil {
		return nil, err
	}
	files, err := m.LoadPaths(vfs.Default, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: the manifest lists no base and no incr file: nothing to load", name)
	}
	return &source{name: name, kind: kindAOF, fsys: vfs.Default, files: files}, nil
}

// openDir resolves a directory: a multi-part AOF directory if it holds
// a manifest, else a data directory.
func openDir(dir string) (*source, error) {
	names, err := vfs.Default.List(dir)
	if err != nil {
		return nil, err
	}
	var manifests []string
	for _, n := range names {
		if strings.HasSuffix(n, ".manifest") && !strings.HasPrefix(n, "temp-") && !vfs.IsTemp(n) {
			manifests = append(manifests, n)
		}
	}
	if len(manifests) > 1 && slices.Contains(manifests, "appendonly.aof.manifest") {
		manifests = []string{"appendonly.aof.manifest"}
	}
	switch len(manifests) {
	case 1:
		return openManifest(filepath.Join(dir, manifests[0]), dir, strings.TrimSuffix(manifests[0], ".manifest"))
	case 0:
	default:
		return nil, fmt.Errorf("%s: several manifests (%s): name the one to load", dir, strings.Join(manifests, ", "))
	}
	p, err := manifest.MakePlan(vfs.Default, dir, &manifest.PlanOptions{AppendOnly: true})
	if err != nil {
		return nil, err
	}
	s := &source{name: dir, kind: kindAOF, fsys: vfs.Default, files: p.Files}
	switch p.Source {
	case manifest.MultiPart:
		s.how = "the multi-part AOF " + filepath.Join(p.Dir, "appendonly.aof.manifest")
	case manifest.Legacy:
		s.how = "the single-file AOF " + p.Files[0]
	case manifest.RDB:
		s.how = "the RDB file " + p.Files[0] + " (no AOF)"
		in, err := openInput(p.Files[0])
		if err != nil {
			return nil, err
		}
		s.kind, s.in, s.files = kindRDB, in, nil
	default:
		return nil, fmt.Errorf("%s: no AOF (appendonlydir with a manifest, or appendonly.aof) and no dump.rdb: nothing to load", dir)
	}
	return s, nil
}

// read reads the data set of s. An AOF is replayed into an in-memory
// keyspace, as Redis loads it, and the data set is the keyspace's; a
// truncated tail of the last file is loaded up to the last whole
// command, as with Redis's default aof-load-truncated yes, with a
// warning, but the file is not cut.
func (c *cli) read(cmd string, s *source) (*dataset.Dataset, *rdbResult, error) {
	if s.how != "" {
		fmt.Fprintf(c.stderr, "aofrdb %s: note: %s: loading %s\n", cmd, s.name, s.how)
	}
	if s.kind != kindAOF {
		return c.readDataset(s.in)
	}
	return c.loadAOF(cmd, s.fsys, s.files)
}

// loadAOF replays files in order (a base and its incr files, or one
// file) into a new keyspace and returns its data set, with the function
// libraries loaded (from RDB parts and FUNCTION commands).
func (c *cli) loadAOF(cmd string, fsys vfs.FS, files []string) (*dataset.Dataset, *rdbResult, error) {
	ks := keyspace.NewMemory(nil)
	t := &loadTarget{KeyspaceTarget: &aof.KeyspaceTarget{KS: ks}}
	for i, name := range files {
		if err := t.functions.addRDB(fsys, name); err != nil {
			return nil, nil, err
		}
		last := i == len(files)-1
		res, err := aof.LoadFile(fsys, name, t, &aof.LoadOptions{AllowTruncated: last, ReadOnly: true})
		if err != nil {
			if !last && errors.Is(err, aof.ErrTruncated) {
				err = fmt.Errorf("%w (the truncated file is not the last file: Redis refuses to load it)", err)
			}
			return nil, nil, err
		}
		if res.Truncated {
			fmt.Fprintf(c.stderr, "aofrdb %s: warning: %s: the file ends inside a command: loaded up to offset %d of %d bytes, as Redis does with aof-load-truncated yes (Redis would cut the file there; it was left as it is)\n",
				cmd, name, res.End, res.Size)
		}
	}
	snap, err := ks.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	defer snap.Close()
	d, err := dataset.FromEntries(snap.Next)
	if err != nil {
		return nil, nil, err
	}
	return d, &rdbResult{functions: t.functions.code()}, nil
}

// loadTarget replays an AOF into a keyspace, keeping the function
// libraries (FUNCTION LOAD, DELETE and FLUSH, which the keyspace does not
// know) aside.
type loadTarget struct {
	*aof.KeyspaceTarget
	functions libraries
}

func (t *loadTarget) Exec(db int, args [][]byte) (int, error) {
	if t.functions.exec(args) {
		return db, nil
	}
	return t.KeyspaceTarget.Exec(db, args)
}

func (t *loadTarget) ExecMulti(db int, cmds [][][]byte) (int, error) {
	var rest [][][]byte
	for _, args := range cmds {
		if !t.functions.exec(args) {
			rest = append(rest, args)
		}
	}
	return t.KeyspaceTarget.ExecMulti(db, rest)
}

// libraries are function libraries by name, in the order they were
// loaded, as Redis's function registry holds them.
type libraries struct {
	names  []string
	byName map[string][]byte
}

// libraryName returns the name a library's code gives on its first line,
// "#!<engine> name=<name>", or "".
func libraryName(code []byte) string {
	line, _, _ := bytes.Cut(code, []byte("\n"))
	rest, ok := bytes.CutPrefix(line, []byte("#!"))
	if !ok {
		return ""
	}
	for _, f := range bytes.Fields(rest) {
		if name, ok := bytes.CutPrefix(f, []byte("name=")); ok {
			return string(name)
		}
	}
	return ""
}

// load adds a library, replacing one of the same name only with
// replace (Redis refuses the load otherwise, and its loader ignores the
// error). Code without a name is kept under the code itself.
func (l *libraries) load(code []byte, replace bool) {
	name := libraryName(code)
	if name == "" {
		name = string(code)
	}
	if l.byName == nil {
		l.byName = make(map[string][]byte)
	}
	if _, ok := l.byName[name]; ok {
		if !replace {
			return
		}
	} else {
		l.names = append(l.names, name)
	}
	l.byName[name] = bytes.Clone(code)
}

// exec runs args if it is FUNCTION LOAD, DELETE or FLUSH, and reports
// whether it was.
func (l *libraries) exec(args [][]byte) bool {
	if len(args) < 2 || !strings.EqualFold(string(args[0]), "function") {
		return false
	}
	switch strings.ToLower(string(args[1])) {
	case "load": // FUNCTION LOAD [REPLACE] code
		rest, replace := args[2:], false
		if len(rest) == 2 && strings.EqualFold(string(rest[0]), "replace") {
			rest, replace = rest[1:], true
		}
		if len(rest) == 1 && libraryName(rest[0]) != "" {
			l.load(rest[0], replace)
		}
	case "delete": // FUNCTION DELETE name
		if len(args) == 3 {
			name := string(args[2])
			if _, ok := l.byName[name]; ok {
				delete(l.byName, name)
				l.names = slices.DeleteFunc(l.names, func(n string) bool { return n == name })
			}
		}
	case "flush": // FUNCTION FLUSH [ASYNC|SYNC]
		l.names, l.byName = nil, nil
	default:
		return false
	}
	return true
}

// code returns the libraries' code, in load order.
func (l *libraries) code() [][]byte {
	var out [][]byte
	for _, n := range l.names {
		out = append(out, l.byName[n])
	}
	return out
}

// addRDB loads the function libraries of the RDB part of file name, if
// it starts with one: Redis writes them before the first key. Errors
// are left to the loader, which reports them with the offset.
func (l *libraries) addRDB(fsys vfs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	var magic [5]byte
	if n, _ := f.ReadAt(magic[:], 0); n < len(magic) || string(magic[:]) != "REDIS" {
		return nil
	}
	rd := rdb.NewReader(f, nil)
	_, _ = rd.Next() // reads the functions, written before the first key
	for _, code := range rd.Functions() {
		l.load(code, false)
	}
	return nil
}
