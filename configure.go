package aofrdb

// Changing the options of an open Store, as CONFIG SET changes
// redis-server's.

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// ErrImmutable matches Configure's error for a change to an option that
// cannot change while the Store is open.
var ErrImmutable = errors.New("aofrdb: can't change this option while the Store is open")

// options returns the options in force. The Options it points to never
// change: Configure stores a new one.
func (s *Store) options() *Options { return s.cfg.Load() }

// Options returns a copy of the options in force, with the changes
// Configure made.
func (s *Store) Options() *Options { return s.options().clone() }

// clone copies o, with its own Save.
func (o *Options) clone() *Options {
	c := *o
	c.Save = slices.Clone(o.Save)
	return &c
}

// Configure changes options of the open Store, as CONFIG SET changes
// redis-server's: fn receives a copy of the options in force and
// changes it (Options.SetConfig sets one by its redis.conf name); the
// result is validated as Open validates its options
// (Options.Validate), and then takes effect as a whole. When fn returns
// an error, or the result is refused, nothing changes and Configure
// returns that error.
//
// What can change, and when it takes effect:
//
//   - AppendOnly: at once. Off, the AOF is written, synced and closed
//     (its files stay); on, a new base of the data set and a new incr
//     file replace the AOF's files in one manifest update, before
//     Configure returns (writes wait meanwhile), so that records are
//     never appended to files older than the data set.
//   - Save: the save points the background cycle checks from its next
//     run; StopWritesOnBGSaveError: whether writes are refused after a
//     failed background save, from the next write.
//   - AppendFsync: the policy of the AOF's writes, from the next write
//     on (after a switch to always, a write returns once it is synced);
//     AOFTimestampEnabled: the annotations of the next records.
//   - NoAppendFsyncOnRewrite: at once, also for a rewrite or save
//     running.
//   - AutoAOFRewritePercentage, AutoAOFRewriteMinSize: the next checks
//     of the background cycle.
//   - AOFUseRDBPreamble, AOFRewriteIncrementalFsync: the next rewrite's
//     base (.base.rdb or .base.aof).
//   - DBFilename, RDBCompression, RDBSaveIncrementalFsync, RDBVersion:
//     the next save (a save running goes on with what it started with).
//   - AOFLoadTruncated: it is read only when data is loaded, so it is
//     kept, as Redis keeps it, and has no effect until the next Open.
//
// What cannot change returns an error matching ErrImmutable, naming it:
// AppendFilename and AppendDirname (the files in use keep their names), RDBChecksum
// (immutable in Redis too), Databases, Keyspace, FS, Logger, Progress
// and Now (compared by identity; funcs by their code).
//
// Configure holds the write turn: writes wait while it runs, and it must
// not be called from the function given to Write. After Close it
// returns ErrClosed.
func (s *Store) Configure(fn func(o *Options) error) error {
	s.turn.Lock()
	defer s.turn.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	old := s.options()
	o := old.clone()
	if err := fn(o); err != nil {
		return err
	}
	o.defaults = old.defaults
	if err := immutableChange(old, o); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := s.switchAOF(old, o); err != nil {
		return err
	}
	if d := s.aofp.Load(); d != nil {
		d.SetAppendOptions(o.AppendFsync, o.AOFTimestampEnabled)
		d.SetRDBBase(o.AOFUseRDBPreamble)
	}
	s.cfg.Store(o)
	s.mu.Lock()
	s.pauseSyncs() // no-appendfsync-on-rewrite, for a job running
	s.mu.Unlock()
	return nil
}

// switchAOF turns the AOF on or off when AppendOnly changes from old to
// o, with the write turn held, as CONFIG SET appendonly does. Off: a
// rewrite running is waited for, then what is buffered is written and
// synced, and the files are closed and kept.
// On: a new base of the data set at this instant and a new incr file are
// written, and the manifest makes them the AOF with the files it listed
// before as history, deleted after; the old files, older than the data
// set, are never appended to. (Redis writes the base in a background
// rewrite; here writes wait for it.)
func (s *Store) switchAOF(old, o *Options) error {
	switch {
	case o.AppendOnly && !old.AppendOnly:
		d, err := s.openAOF(o, true)
		if err != nil {
			return err
		}
		s.aofp.Store(d)
		s.log.Info("AOF switched on: a new base and incr file hold the data set")
	case !o.AppendOnly && old.AppendOnly:
		// A rewrite running ends first (Redis kills its child): it
		// must not rename its base into a directory a later switch on
		// starts anew.
		s.mu.Lock()
		running, run := s.rewrite.running, s.rewrite.run
		s.mu.Unlock()
		if running {
			<-run.done
		}
		d := s.aofp.Swap(nil)
		if d == nil {
			return nil
		}
		if err := d.Close(); err != nil {
			// The records that could not be written are lost with the
			// AOF; the RDB saves go on.
			s.log.Warn("closing the AOF when switching it off", "err", err)
		}
		s.log.Info("AOF switched off")
	}
	return nil
}

// immutableChange returns an ErrImmutable error naming the first option
// that cannot change and differs between old and o.
func immutableChange(old, o *Options) error {
	for _, f := range []struct {
		name string
		same bool
	}{
		{"appendfilename", old.AppendFilename == o.AppendFilename},
		{"appenddirname", old.AppendDirname == o.AppendDirname},
		{"rdbchecksum", old.RDBChecksum == o.RDBChecksum},
		{"databases", old.Databases == o.Databases},
		{"Keyspace", sameValue(old.Keyspace, o.Keyspace)},
		{"FS", sameValue(old.FS, o.FS)},
		{"Logger", old.Logger == o.Logger},
		{"Progress", sameValue(old.Progress, o.Progress)},
		{"Now", sameValue(old.Now, o.Now)},
	} {
		if !f.same {
			return fmt.Errorf("%w: %s", ErrImmutable, f.name)
		}
	}
	return nil
}

// sameValue reports whether a and b are the same interface value or
// func: equal when comparable, the same pointer (or func code) when not.
func sameValue(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.IsValid() != vb.IsValid() {
		return false
	}
	if !va.IsValid() {
		return true
	}
	if va.Type() != vb.Type() {
		return false
	}
	switch va.Kind() {
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.UnsafePointer:
		return va.IsNil() == vb.IsNil() && va.Pointer() == vb.Pointer()
	}
	if va.Type().Comparable() {
		return va.Equal(vb)
	}
	return false
}
