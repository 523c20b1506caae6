package aofrdb

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/aofrdb/aofrdb/keyspace"
)

// ShutdownOptions are SHUTDOWN's arguments.
type ShutdownOptions struct {
	// Save makes a final save even without save points (SHUTDOWN SAVE).
	Save bool
	// NoSave skips the final save even with save points (SHUTDOWN
	// NOSAVE).
	NoSave bool
	// Force closes the Store even when the final save fails (SHUTDOWN
	// FORCE).
	Force bool
}

// Shutdown closes the Store as Redis's SHUTDOWN does: the final save
// is made when save points are set, unless NoSave, or with Save; and
// when it fails, Shutdown returns its error and the Store stays open
// (Redis's "Errors trying to SHUTDOWN"), unless Force. A background
// save or rewrite running is waited for (Redis kills its child). Close
// is Shutdown with no options and Force. After a successful Shutdown,
// as after Close, calls return ErrClosed; a later Close or Shutdown
// returns the first close's result.
func (s *Store) Shutdown(o ShutdownOptions) error {
	save := o.Save || !o.NoSave && len(s.options().Save) > 0
	if save && !o.Force {
		if err := s.saveBeforeClose(); err != nil {
			return err
		}
		// Saved: the close saves again only if writes came since.
		s.closeOnce.Do(func() { s.closeErr = s.close(func() bool { return s.dirty.Load() > 0 }) })
		return s.closeErr
	}
	s.closeOnce.Do(func() { s.closeErr = s.close(func() bool { return save }) })
	return s.closeErr
}

// saveBeforeClose saves the data set once no background save runs.
func (s *Store) saveBeforeClose() error {
	for {
		s.WaitBackground(context.Background()) // its result is not ours
		err := s.Save()
		if !errors.Is(err, ErrSaveInProgress) { // one the cron started
			return err
		}
	}
}

// Reload saves the data set to the RDB file and loads it back, as
// DEBUG RELOAD does: the keyspace is emptied and filled from the file
// it just wrote, holding the write turn. The AOF is left as it is: it
// holds the same data. A background save running is waited for first.
func (s *Store) Reload() error {
	s.turn.Lock()
	defer s.turn.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	for { // a running save's older snapshot must not replace the file
		s.mu.Lock()
		running, run := s.bgsave.running, s.bgsave.run
		s.mu.Unlock()
		if !running {
			break
		}
		<-run.done
	}
	if err := s.saveLocked(); err != nil {
		return err
	}
	flush := keyspace.Call{Args: [][]byte{[]byte("FLUSHALL")}, Write: true}
	if err := s.ks.Exec(&flush); err != nil {
		return err
	}
	return s.loadRDB(s.fsys, filepath.Join(s.dir, s.options().DBFilename), &progress{})
}

// Writable returns nil when the Store accepts writes, or the ErrMisconf
// error they get (see ErrMisconf), so that a server can refuse a write
// before it runs, as Redis refuses one it queues in MULTI, and PING.
func (s *Store) Writable() error { return s.writable() }
