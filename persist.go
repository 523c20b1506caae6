package aofrdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/vfs"
	"github.com/aofrdb/aofrdb/keyspace"
)

// Errors of the persistence calls, worded as Redis's replies.
var (
	ErrRewriteInProgress = errors.New("aofrdb: background append only file rewriting already in progress")
	ErrSaveInProgress    = errors.New("aofrdb: background save already in progress")
	ErrAOFOff            = errors.New("aofrdb: the AOF is off (appendonly no)")
)

// cronInterval is how often the Store's background cycle runs (Redis's
// serverCron at hz 10).
const cronInterval = 100 * time.Millisecond

// BGRewriteAOF starts a rewrite of the AOF in the background
// (BGREWRITEAOF): at this instant, records switch to a new incr file
// and a snapshot is taken; the snapshot is written as the new base while
// writes go on, then the manifest makes it the base and the old files
// are deleted. WaitBackground waits for it.
func (s *Store) BGRewriteAOF(ctx context.Context) error {
	_, err := s.bgRewrite(ctx)
	return err
}

// bgRewrite starts a rewrite and returns its run.
func (s *Store) bgRewrite(ctx context.Context) (*jobRun, error) {
	s.turn.Lock()
	defer s.turn.Unlock()
	if s.isClosed() {
		return nil, ErrClosed
	}
	d := s.aofp.Load()
	if d == nil {
		return nil, ErrAOFOff
	}
	s.mu.Lock()
	running := s.rewrite.running
	s.mu.Unlock()
	if running {
		return nil, ErrRewriteInProgress
	}
	r, err := d.BeginRewrite(ctx)
	if err != nil {
		s.endJob(&s.rewrite, s.startJob(&s.rewrite), err)
		return nil, fmt.Errorf("aofrdb: can't start the AOF rewrite: %w", err)
	}
	snap, err := s.ks.Snapshot()
	if err != nil {
		r.Abort()
		return nil, err
	}
	// The base's format follows the name BeginRewrite gave it: both
	// are taken under the write turn, which Configure holds.
	bo := s.options().baseOptions(s.now)
	run := s.startJob(&s.rewrite)
	s.log.Info("background append only file rewriting started", "base", filepath.Base(r.BasePath()))
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		size, err := aof.WriteBaseFile(s.fsys, r.BasePath(), snap, bo)
		snap.Close()
		if err != nil {
			// Its temporary file is gone, and Abort removes the base
			// when only the directory sync after its rename failed. (A
			// base that Commit failed to list stays: the manifest may
			// have reached the disk. The next rewrite writes its name
			// again.)
			r.Abort()
		} else {
			err = r.Commit(size)
		}
		if err != nil {
			s.log.Warn("background AOF rewrite failed", "err", err)
		}
		s.endJob(&s.rewrite, run, err)
	}()
	return run, nil
}

// RewriteAOF rewrites the AOF and waits for the rewrite to end,
// returning its error.
func (s *Store) RewriteAOF(ctx context.Context) error {
	run, err := s.bgRewrite(ctx)
	if err != nil {
		return err
	}
	select {
	case <-run.done:
		return run.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Save writes an RDB file of the data set now (SAVE), holding the write
// turn: writes wait until it is done.
func (s *Store) Save() error {
	s.turn.Lock()
	defer s.turn.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	s.mu.Lock()
	running := s.bgsave.running
	s.mu.Unlock()
	if running {
		return ErrSaveInProgress
	}
	return s.saveLocked()
}

// saveLocked saves with the write turn held.
func (s *Store) saveLocked() error {
	snap, err := s.ks.Snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	dirty := s.dirty.Load()
	if _, err := s.writeRDB(snap); err != nil {
		s.log.Warn("error saving the DB to disk", "err", err)
		return err
	}
	s.saved(dirty, nil)
	s.log.Info("DB saved on disk")
	return nil
}

// saved records the end of a save of the data set as it was after dirty
// changes: on success they are no longer changes since the last save.
func (s *Store) saved(dirty int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saveErr = err
	if err == nil {
		s.dirty.Add(-dirty)
		s.lastSave = s.now()
	}
}

// BGSave writes an RDB file of the data set at this instant in the
// background (BGSAVE), while writes go on. WaitBackground waits for it.
func (s *Store) BGSave(ctx context.Context) error {
	s.turn.Lock()
	defer s.turn.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	s.mu.Lock()
	running := s.bgsave.running
	s.mu.Unlock()
	if running {
		return ErrSaveInProgress
	}
	snap, err := s.ks.Snapshot()
	if err != nil {
		return err
	}
	dirty := s.dirty.Load()
	run := s.startJob(&s.bgsave)
	s.log.Info("background saving started")
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		_, err := s.writeRDB(snap)
		snap.Close()
		s.saved(dirty, err)
		if err != nil {
			s.log.Warn("background saving error", "err", err)
		} else {
			s.log.Info("background saving terminated with success")
		}
		s.endJob(&s.bgsave, run, err)
	}()
	return nil
}

// writeRDB writes snap to the RDB file, atomically.
func (s *Store) writeRDB(snap keyspace.Snapshot) (int64, error) {
	o := s.options()
	every := int64(0)
	if !o.RDBSaveIncrementalFsync {
		every = -1
	}
	ro := o.rdbOptions(s.now)
	path := filepath.Join(s.dir, o.DBFilename)
	return vfs.WriteFileSynced(s.fsys, path, every, func(w io.Writer) error {
		return keyspace.WriteRDB(w, snap, &ro, nil)
	})
}

// LastSave returns the time of the last successful save (LASTSAVE), or
// of Open when none succeeded since.
func (s *Store) LastSave() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSave
}

// jobRun is one run of a background job.
type jobRun struct {
	done chan struct{} // closed when it ends
	err  error         // its error, set before done is closed
}

// startJob marks a job of kind j running and returns its run.
func (s *Store) startJob(j *jobState) *jobRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	run := &jobRun{done: make(chan struct{})}
	j.running, j.started, j.run = true, s.now(), run
	j.count++
	s.pauseSyncs()
	return run
}

// pauseSyncs pauses the AOF's syncs while a rewrite or a save runs,
// with no-appendfsync-on-rewrite, and resumes them after; s.mu is held.
func (s *Store) pauseSyncs() {
	if d := s.aofp.Load(); d != nil {
		d.PauseSyncs(s.options().NoAppendFsyncOnRewrite && (s.rewrite.running || s.bgsave.running))
	}
}

// endJob records the end of run, a job of kind j.
func (s *Store) endJob(j *jobState, run *jobRun, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j.running = false
	s.pauseSyncs()
	j.lastDuration = s.now().Sub(j.started)
	j.lastErr = err
	if err == nil {
		j.failures = 0
		j.nextTry = time.Time{}
	} else {
		j.failures++
		j.nextTry = s.now().Add(backoff(j.failures))
	}
	run.err = err
	close(run.done)
}

// backoff is how long automatic rewrites wait after failures in a row,
// as Redis's: nothing for the first two, then 1, 2, 4, ... minutes up to
// an hour.
func backoff(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	return min(time.Minute<<min(failures-3, 6), time.Hour)
}

// WaitBackground waits for the background rewrite and save running
// when it is called, and returns their errors.
func (s *Store) WaitBackground(ctx context.Context) error {
	s.mu.Lock()
	var runs []*jobRun
	for _, j := range []*jobState{&s.rewrite, &s.bgsave} {
		if j.running {
			runs = append(runs, j.run)
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, r := range runs {
		select {
		case <-r.done:
			errs = append(errs, r.err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// cron is the background cycle: active expiry, failed AOF writes
// retried, save points and automatic rewrites.
func (s *Store) cron() {
	defer close(s.done)
	t := time.NewTicker(cronInterval)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	var lastRetry time.Time
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.expire(ctx)
		now := s.now()
		if now.Sub(lastRetry) >= time.Second && s.retryAOF(ctx) {
			lastRetry = now
		}
		s.savePoints(ctx, now)
		s.autoRewrite(ctx, now)
	}
}

// retryAOF retries the AOF's failed write or sync, if there is one
// (Appender.Retry), and reports whether it tried. Once it succeeds,
// writes are accepted again.
func (s *Store) retryAOF(ctx context.Context) bool {
	d := s.aofp.Load()
	if d == nil {
		return false
	}
	a := d.Appender()
	if err := a.Err(); err == nil || errors.Is(err, aof.ErrClosed) {
		return false
	}
	if err := a.Retry(ctx); err != nil {
		s.log.Warn("error writing to the AOF file", "err", err)
	} else {
		s.log.Info("AOF write error looks solved, writes are accepted again")
	}
	return true
}

// expire runs one active expire step and logs what it removed.
func (s *Store) expire(ctx context.Context) {
	ae, ok := s.ks.(keyspace.ActiveExpirer)
	if !ok {
		return
	}
	for range 16 { // at most 16 steps per cycle
		s.turn.Lock()
		recs, more := ae.ActiveExpire(s.now().UnixMilli(), 200, nil)
		var ack aof.Ack
		var err error
		if len(recs) > 0 {
			s.dirty.Add(int64(len(recs)))
			if d := s.aofp.Load(); d != nil {
				ack, err = d.Append(recs)
			}
		}
		s.turn.Unlock()
		if err == nil {
			err = ack.Wait(ctx)
		}
		if err != nil || !more {
			return
		}
	}
}

// savePoints starts a background save when a save point is reached, as
// Redis's serverCron does: enough changes, more seconds than the point's
// since the last save, and the last attempt succeeded or was 5 s ago.
func (s *Store) savePoints(ctx context.Context, now time.Time) {
	points := s.options().Save
	if len(points) == 0 {
		return
	}
	s.mu.Lock()
	busy := s.bgsave.running || s.rewrite.running
	lastSave, failed, lastTry := s.lastSave, s.saveErr != nil, s.bgsave.started
	s.mu.Unlock()
	if busy || failed && now.Sub(lastTry) < 5*time.Second {
		return
	}
	dirty := s.dirty.Load()
	for _, p := range points {
		if dirty >= int64(p.Changes) && now.Sub(lastSave) > time.Duration(p.Seconds)*time.Second {
			s.log.Info(fmt.Sprintf("%d changes in %d seconds. Saving...", p.Changes, p.Seconds))
			if err := s.BGSave(ctx); err != nil && !errors.Is(err, ErrClosed) {
				s.log.Warn("can't start the background save", "err", err)
			}
			return
		}
	}
}

// autoRewrite starts a rewrite when the AOF has grown by
// AutoAOFRewritePercentage over the size of its base file and is over
// AutoAOFRewriteMinSize. (Redis measures growth from the size of the
// whole AOF after the last rewrite or at start; the base file's size
// is that figure's lasting part, so that a restart does not reset it.)
func (s *Store) autoRewrite(ctx context.Context, now time.Time) {
	o := s.options()
	d := s.aofp.Load()
	if d == nil || o.AutoAOFRewritePercentage == 0 {
		return
	}
	s.mu.Lock()
	busy := s.bgsave.running || s.rewrite.running
	wait := now.Before(s.rewrite.nextTry)
	s.mu.Unlock()
	if busy || wait {
		return
	}
	base, total := d.Sizes()
	if total <= o.AutoAOFRewriteMinSize {
		return
	}
	growth := total*100/max(base, 1) - 100
	if growth < int64(o.AutoAOFRewritePercentage) {
		return
	}
	s.log.Info(fmt.Sprintf("Starting automatic rewriting of AOF on %d%% growth", growth))
	if err := s.BGRewriteAOF(ctx); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("can't start the automatic AOF rewrite", "err", err)
	}
}
