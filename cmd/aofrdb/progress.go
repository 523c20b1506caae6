package main

import (
	"fmt"
	"io"
	"time"
)

// progress shows how far a long read has got, on one line of a terminal
// rewritten a few times a second ("\r" and an erase to the end of the
// line). Nothing is written when it is disabled (stderr is not a terminal)
// or before the first interval has passed, so short runs print nothing.
type progress struct {
	w       io.Writer
	enabled bool
	label   string
	total   int64 // bytes, 0 when unknown
	start   time.Time
	last    time.Time
	calls   int
	shown   bool
}

const progressInterval = 250 * time.Millisecond

func (c *cli) newProgress(label string, total int64) *progress {
	now := time.Now()
	return &progress{w: c.stderr, enabled: c.progress, label: label, total: total, start: now, last: now}
}

// update reports that offset bytes and keys keys have been read. It is
// cheap enough to call for every key.
func (p *progress) update(offset, keys int64) {
	if !p.enabled {
		return
	}
	if p.calls++; p.calls%256 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < progressInterval {
		return
	}
	p.last = now
	p.shown = true
	rate := float64(keys) / now.Sub(p.start).Seconds()
	if p.total > 0 {
		fmt.Fprintf(p.w, "\r%s: %5.1f%% of %s, %d keys (%.0f keys/s)\x1b[K",
			p.label, 100*float64(offset)/float64(p.total), formatBytes(p.total), keys, rate)
	} else {
		fmt.Fprintf(p.w, "\r%s: %s, %d keys (%.0f keys/s)\x1b[K", p.label, formatBytes(offset), keys, rate)
	}
}

// done erases the progress line, if one was shown.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
