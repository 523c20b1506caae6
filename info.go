package aofrdb

import (
	"fmt"
	"strings"
	"time"
)

// Info is the persistence state of a Store, with the fields of Redis's
// INFO persistence section.
type Info struct {
	Loading                   bool
	RDBChangesSinceLastSave   int64
	RDBBGSaveInProgress       bool
	RDBLastSaveTime           int64 // unix seconds
	RDBLastBGSaveStatus       string
	RDBLastBGSaveTimeSec      int64
	RDBCurrentBGSaveTimeSec   int64
	RDBSaves                  int64
	AOFEnabled                bool
	AOFRewriteInProgress      bool
	AOFRewriteScheduled       bool
	AOFLastRewriteTimeSec     int64
	AOFCurrentRewriteTimeSec  int64
	AOFLastBGRewriteStatus    string
	AOFRewrites               int64
	AOFRewritesConsecFailures int64
	AOFLastWriteStatus        string
	// Only with AOF on:
	AOFCurrentSize    int64
	AOFBaseSize       int64
	AOFDelayedFsync   int64
	AOFPendingRewrite bool
}

// Info returns the persistence state.
func (s *Store) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.aofp.Load()
	now := s.now()
	status := func(err error) string {
		if err != nil {
			return "err"
		}
		return "ok"
	}
	secs := func(d time.Duration) int64 {
		if d < 0 {
			return -1
		}
		return int64(d / time.Second)
	}
	current := func(j *jobState) int64 {
		if !j.running {
			return -1
		}
		return int64(now.Sub(j.started) / time.Second)
	}
	i := Info{
		RDBChangesSinceLastSave:   s.dirty.Load(),
		RDBBGSaveInProgress:       s.bgsave.running,
		RDBLastSaveTime:           s.lastSave.Unix(),
		RDBLastBGSaveStatus:       status(s.bgsave.lastErr),
		RDBLastBGSaveTimeSec:      secs(s.bgsave.lastDuration),
		RDBCurrentBGSaveTimeSec:   current(&s.bgsave),
		RDBSaves:                  s.bgsave.count,
		AOFEnabled:                d != nil,
		AOFRewriteInProgress:      s.rewrite.running,
		AOFLastRewriteTimeSec:     secs(s.rewrite.lastDuration),
		AOFCurrentRewriteTimeSec:  current(&s.rewrite),
		AOFLastBGRewriteStatus:    status(s.rewrite.lastErr),
		AOFRewrites:               s.rewrite.count,
		AOFRewritesConsecFailures: int64(s.rewrite.failures),
		AOFLastWriteStatus:        "ok",
	}
	if d != nil {
		a := d.Appender()
		if err := a.Err(); err != nil && !s.closed {
			i.AOFLastWriteStatus = "err"
		}
		i.AOFBaseSize, i.AOFCurrentSize = d.Sizes()
		i.AOFDelayedFsync = a.DelayedFsyncs()
	}
	return i
}

// String formats i as Redis's INFO persistence section.
func (i Info) String() string {
	var b strings.Builder
	b01 := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	line := func(name string, v any) { fmt.Fprintf(&b, "%s:%v\r\n", name, v) }
	b.WriteString("# Persistence\r\n")
	line("loading", b01(i.Loading))
	line("async_loading", 0)
	line("current_cow_peak", 0)
	line("current_cow_size", 0)
	line("current_cow_size_age", 0)
	line("current_fork_perc", "0.00")
	line("current_save_keys_processed", 0)
	line("current_save_keys_total", 0)
	line("rdb_changes_since_last_save", i.RDBChangesSinceLastSave)
	line("rdb_bgsave_in_progress", b01(i.RDBBGSaveInProgress))
	line("rdb_last_save_time", i.RDBLastSaveTime)
	line("rdb_last_bgsave_status", i.RDBLastBGSaveStatus)
	line("rdb_last_bgsave_time_sec", i.RDBLastBGSaveTimeSec)
	line("rdb_current_bgsave_time_sec", i.RDBCurrentBGSaveTimeSec)
	line("rdb_saves", i.RDBSaves)
	line("rdb_last_cow_size", 0)
	line("rdb_last_load_keys_expired", 0)
	line("rdb_last_load_keys_loaded", 0)
	line("aof_enabled", b01(i.AOFEnabled))
	line("aof_rewrite_in_progress", b01(i.AOFRewriteInProgress))
	line("aof_rewrite_scheduled", b01(i.AOFRewriteScheduled))
	line("aof_last_rewrite_time_sec", i.AOFLastRewriteTimeSec)
	line("aof_current_rewrite_time_sec", i.AOFCurrentRewriteTimeSec)
	line("aof_last_bgrewrite_status", i.AOFLastBGRewriteStatus)
	line("aof_rewrites", i.AOFRewrites)
	line("aof_rewrites_consecutive_failures", i.AOFRewritesConsecFailures)
	line("aof_last_write_status", i.AOFLastWriteStatus)
	line("aof_last_cow_size", 0)
	line("module_fork_in_progress", 0)
	line("module_fork_last_cow_size", 0)
	if i.AOFEnabled {
		line("aof_current_size", i.AOFCurrentSize)
		line("aof_base_size", i.AOFBaseSize)
		line("aof_pending_rewrite", b01(i.AOFPendingRewrite))
		line("aof_buffer_length", 0)
		line("aof_pending_bio_fsync", 0)
		line("aof_delayed_fsync", i.AOFDelayedFsync)
	}
	return b.String()
}
