package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/aofrdb/aofrdb/internal/vfs"
)

// PlanOptions are the settings that decide what a data directory loads
// from, named after redis.conf. Empty names mean Redis's defaults.
type PlanOptions struct {
	AppendOnly     bool   // appendonly
	AppendFilename string // appendfilename, "appendonly.aof"
	AppendDirname  string // appenddirname, "appendonlydir"
	DBFilename     string // dbfilename, "dump.rdb"
}

func (o *PlanOptions) defaults() {
	if o.AppendFilename == "" {
		o.AppendFilename = "appendonly.aof"
	}
	if o.AppendDirname == "" {
		o.AppendDirname = "appendonlydir"
	}
	if o.DBFilename == "" {
		o.DBFilename = "dump.rdb"
	}
}

// Source is what a plan loads from.
type Source int

const (
	// Empty: nothing to load.
	Empty Source = iota
	// MultiPart: the base and incr files of the AOF directory.
	MultiPart
	// Legacy: a single appendonly.aof in the data directory, as Redis
	// kept it before 7.0, to be moved into the AOF directory as its base
	// (Upgrade) and loaded.
	Legacy
	// RDB: the RDB file of the data directory.
	RDB
)

func (s Source) String() string {
	return [...]string{"empty", "multi-part AOF", "legacy AOF", "RDB"}[s]
}

// Plan is what to load at startup, and in which order.
type Plan struct {
	Source Source
	// Dir is the AOF directory (<data>/<appenddirname>).
	Dir string
	// Manifest is the AOF directory's manifest, nil when there is none.
	Manifest *Manifest
	// Files are the paths to load, in order: the base then the incr
	// files (MultiPart), the legacy file (Legacy, before Upgrade moves
	// it), or the RDB file (RDB).
	Files []string
	// RDBBecomesBase is set when AOF is on but there is no AOF, and an
	// RDB file holds the data: it is loaded, and the caller writes it as
	// the new AOF's base. (Redis 7.0 to 7.4 start empty instead, and a
	// later save overwrites the RDB with the emptiness.)
	RDBBecomesBase bool
}

// MakePlan decides what the data directory data loads from, as Redis 7
// does (REDIS-FORMATS sections 5.5 and 6), except that with AOF on and
// no AOF, an RDB file is loaded rather than ignored:
//
//   - The manifest is read whenever it exists, even with AOF off, and a
//     bad one is an error, as in Redis.
//   - AOF on: a legacy <data>/<appendfilename> is upgraded when the AOF
//     directory does not exist, or its manifest lists no base and no
//     incr, or lists only a base of that name which is not in the
//     directory (an interrupted upgrade). Otherwise the manifest's base
//     and incr files, each of which must exist. Otherwise the RDB file
//     if it exists. Otherwise nothing.
//   - AOF off: the RDB file if it exists, otherwise nothing.
func MakePlan(fsys vfs.FS, data string, opts *PlanOptions) (*Plan, error) {
	var o PlanOptions
	if opts != nil {
		o = *opts
	}
	o.defaults()
	for _, n := range []string{o.AppendFilename, o.AppendDirname, o.DBFilename} {
		if err := checkPrefix(n); err != nil {
			return nil, err
		}
	}
	p := &Plan{Dir: filepath.Join(data, o.AppendDirname)}
	m, err := Read(fsys, p.Dir, o.AppendFilename)
	switch {
	case err == nil:
		p.Manifest = m
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	rdbPath := filepath.Join(data, o.DBFilename)
	if !o.AppendOnly {
		return p.orRDB(fsys, rdbPath, false)
	}

	legacy := filepath.Join(data, o.AppendFilename)
	legacyExists, err := exists(fsys, legacy)
	if err != nil {
		return nil, err
	}
	if legacyExists {
		upgrade := m == nil || m.Base == nil && len(m.Incr) == 0
		if !upgrade && len(m.Incr) == 0 && m.Base.Name == o.AppendFilename {
			inDir, err := exists(fsys, filepath.Join(p.Dir, o.AppendFilename))
			if err != nil {
				return nil, err
			}
			upgrade = !inDir
		}
		if upgrade {
			p.Source, p.Files = Legacy, []string{legacy}
			return p, nil
		}
	}
	if m != nil && (m.Base != nil || len(m.Incr) > 0) {
		if p.Files, err = m.LoadPaths(fsys, p.Dir); err != nil {
			return nil, err
		}
		p.Source = MultiPart
		return p, nil
	}
	return p.orRDB(fsys, rdbPath, true)
}

// LoadPaths returns the paths, in dir, of the files to load in order:
// the base, then the incr files. Every one must exist, as Redis refuses
// to start when one is missing.
func (m *Manifest) LoadPaths(fsys vfs.FS, dir string) ([]string, error) {
	var paths []string
	if m.Base != nil {
		paths = append(paths, filepath.Join(dir, m.Base.Name))
	}
	for _, f := range m.Incr {
		paths = append(paths, filepath.Join(dir, f.Name))
	}
	for _, p := range paths {
		if _, err := fsys.Stat(p); err != nil {
			return nil, fmt.Errorf("manifest: a file the manifest lists: %w", err)
		}
	}
	return paths, nil
}

// orRDB plans to load the RDB file when it exists, else nothing.
func (p *Plan) orRDB(fsys vfs.FS, path string, becomesBase bool) (*Plan, error) {
	ok, err := exists(fsys, path)
	if err != nil {
		return nil, err
	}
	if ok {
		p.Source, p.Files, p.RDBBecomesBase = RDB, []string{path}, becomesBase
	}
	return p, nil
}

func exists(fsys vfs.FS, name string) (bool, error) {
	_, err := fsys.Stat(name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

// Upgrade moves a Legacy plan's file into the AOF directory as its base,
// as Redis 7 does: it creates the directory, writes a manifest listing
// the file as base 1 (durably), then moves the file (durably in both
// directories). Every step can be run again after a crash: an
// interrupted upgrade is planned and finished again. Afterwards p is a
// MultiPart plan.
func Upgrade(fsys vfs.FS, p *Plan, prefix string) error {
	if p.Source != Legacy || len(p.Files) != 1 {
		return fmt.Errorf("manifest: Upgrade of a %v plan", p.Source)
	}
	legacy := p.Files[0]
	name := filepath.Base(legacy)
	if err := fsys.MkdirAll(p.Dir); err != nil {
		return err
	}
	if err := fsys.SyncDir(filepath.Dir(p.Dir)); err != nil {
		return err
	}
	m := &Manifest{Base: &File{Name: name, Seq: 1, Type: Base}}
	if err := Write(fsys, p.Dir, prefix, m); err != nil {
		return err
	}
	moved := filepath.Join(p.Dir, name)
	if err := fsys.Rename(legacy, moved); err != nil {
		return err
	}
	if err := fsys.SyncDir(p.Dir); err != nil {
		return err
	}
	if err := fsys.SyncDir(filepath.Dir(legacy)); err != nil {
		return err
	}
	p.Source, p.Manifest, p.Files = MultiPart, m, []string{moved}
	return nil
}
