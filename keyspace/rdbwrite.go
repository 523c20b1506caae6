package keyspace

import (
	"io"

	"github.com/aofrdb/aofrdb/rdb"
)

// WriteRDB writes every entry of s to w as an RDB file, with opts (nil
// means rdb's defaults) and the function libraries' code first. Each
// database starts with SELECTDB and a RESIZEDB hint from s.Sizes();
// since a snapshot may interleave databases, a database met again gets
// a SELECTDB alone. It does not close s.
func WriteRDB(w io.Writer, s Snapshot, opts *rdb.WriterOptions, functions [][]byte) error {
	rw := rdb.NewWriter(w, opts)
	for _, code := range functions {
		if err := rw.WriteFunction(code); err != nil {
			return err
		}
	}
	sizes := s.Sizes()
	seen := make(map[int]bool)
	for {
		e, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !seen[e.DB] && e.DB >= 0 {
			var size DBSize
			if e.DB < len(sizes) {
				size = sizes[e.DB]
			}
			if err := rw.SelectDB(e.DB, size.Keys, size.Expires); err != nil {
				return err
			}
			seen[e.DB] = true
		}
		if err := rw.WriteEntry(e); err != nil { // SELECTDB when back to a database
			return err
		}
	}
	return rw.Close()
}
