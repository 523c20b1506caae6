package manifest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/aofrdb/aofrdb/internal/vfs"
)

// Read reads and parses the manifest <dir>/<prefix>.manifest. When it does
// not exist the error wraps fs.ErrNotExist; a *ParseError names the file
// in its Path.
func Read(fsys vfs.FS, dir, prefix string) (*Manifest, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	name := filepath.Join(dir, ManifestName(prefix))
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	m, err := parse(f)
	if err != nil {
		if pe, ok := errors.AsType[*ParseError](err); ok {
			pe.Path = name
			return nil, pe
		}
		return nil, fmt.Errorf("manifest: read %s: %w", name, err)
	}
	return m, nil
}

// Write replaces, or creates, the manifest <dir>/<prefix>.manifest with m,
// atomically: after a crash the file holds either its old contents or m.
// It refuses an m that fails Validate. The steps are Redis's (write a
// temporary file, sync it, rename it over the manifest, sync dir) through
// vfs.WriteFileAtomic, whose temporary file is named
// temp-<prefix>.manifest-<random>.tmp rather than Redis's
// temp-<prefix>.manifest: a leftover one is recognised by vfs.IsTemp.
func Write(fsys vfs.FS, dir, prefix string, m *Manifest) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	data := m.Format()
	return vfs.WriteFileAtomic(fsys, filepath.Join(dir, ManifestName(prefix)), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// checkPrefix checks that prefix is a bare file name, as Redis requires of
// appendfilename.
func checkPrefix(prefix string) error {
	if prefix == "" || prefix == "." || prefix == ".." || strings.ContainsAny(prefix, "/\\\x00") {
		return fmt.Errorf("manifest: prefix %q is not a bare file name", prefix)
	}
	return nil
}
