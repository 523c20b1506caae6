package rdb

import "io"

// Read-ahead (ReaderOptions.ReadAhead): a producer goroutine decodes the
// file and hands the caller batches of what it read, so that decoding
// runs on one core while the caller stores the keys on another. Entries
// already belong to the caller, so they cross goroutines as they are.
// Everything else the caller sees (RESIZEDB hints, offsets, errors) comes
// through the batches in file order, and the records kept for after the
// load (Aux, Functions, ...) are published by the last batch.

// aheadBatch is how many items the producer hands over at once, and
// aheadBatches how many batches may wait for the caller: together they
// bound what the producer reads ahead.
const (
	aheadBatch   = 256
	aheadBatches = 4
)

// aheadItem is an entry, or a RESIZEDB hint when e is nil, and the input
// offset after it.
type aheadItem struct {
	e     *Entry
	off   int64
	db    int
	keys  uint64
	exprs uint64
}

// batch is a run of items, ending with err (io.EOF or the read error)
// at offset errOff when the producer stopped.
type batch struct {
	items  []aheadItem
	ents   []Entry  // with LendEntries, where the batch's entries live
	strs   []String // and its string values
	err    error
	errOff int64
}

// ahead is the caller's side of read-ahead.
type ahead struct {
	full chan *batch   // batches for the caller, in file order
	free chan *batch   // batches the caller is done with
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the producer has returned
	cur  *batch
	i    int
	off  int64 // offset after the last item returned
	end  bool  // the last batch was received: the producer sends no more
}

// startAhead reads the header on the caller's goroutine, then starts the
// producer.
func (r *Reader) startAhead() error {
	if r.version == 0 {
		if err := r.readHeader(); err != nil {
			return err
		}
	}
	a := &ahead{
		full: make(chan *batch, aheadBatches),
		free: make(chan *batch, aheadBatches+2),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		off:  r.d.offset(),
	}
	r.ahead = a
	r.hintFn = r.opts.OnResizeDB
	go r.produce(a, r.hintFn != nil)
	return nil
}

// produce decodes the file into batches until an error, io.EOF or Close.
func (r *Reader) produce(a *ahead, hints bool) {
	defer close(a.done)
	var b *batch
	if hints {
		// The caller's hint runs on the caller's goroutine, in order.
		r.opts.OnResizeDB = func(db int, keys, expires uint64) {
			b.items = append(b.items, aheadItem{off: r.d.offset(), db: db, keys: keys, exprs: expires})
		}
	}
	for {
		select {
		case b = <-a.free:
			b.items, b.err = b.items[:0], nil
		default:
			b = &batch{items: make([]aheadItem, 0, aheadBatch+8)}
			if r.opts.LendEntries {
				b.ents, b.strs = make([]Entry, aheadBatch), make([]String, aheadBatch)
			}
		}
		if r.opts.LendEntries {
			// At most aheadBatch entries per batch: next takes them
			// from here, and they are reused with the batch.
			r.slab, r.strs = b.ents, b.strs
		}
		for len(b.items) < aheadBatch && b.err == nil {
			e, err := r.next()
			if err != nil {
				b.err, b.errOff = err, r.d.offset()
				break
			}
			b.items = append(b.items, aheadItem{e: e, off: r.d.offset()})
		}
		select {
		case a.full <- b:
		case <-a.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// nextAhead is Next with read-ahead.
func (r *Reader) nextAhead() (*Entry, error) {
	a := r.ahead
	for {
		if a.cur != nil && a.i < len(a.cur.items) {
			it := &a.cur.items[a.i]
			a.i++
			a.off = it.off
			if it.e == nil {
				r.hint(it.db, it.keys, it.exprs)
				continue
			}
			e := it.e
			it.e = nil
			return e, nil
		}
		if a.cur != nil {
			if err := a.cur.err; err != nil {
				a.off = a.cur.errOff
				return nil, err
			}
			a.free <- a.cur
		}
		a.cur, a.i = <-a.full, 0
		if a.cur.err != nil {
			a.end = true // the producer returns right after the last batch
		}
	}
}

// hint passes a RESIZEDB record to the caller's OnResizeDB, kept in
// hintFn: the producer replaced r.opts.OnResizeDB with its own.
func (r *Reader) hint(db int, keys, expires uint64) {
	if r.hintFn != nil {
		r.hintFn(db, keys, expires)
	}
}

// Close stops a Reader with ReadAhead and waits for its goroutine to
// return; a caller that stops reading before Next has returned an error
// (io.EOF included) must call it. Without ReadAhead it does nothing. It
// is idempotent and returns nil.
func (r *Reader) Close() error {
	a := r.ahead
	if a == nil {
		return nil
	}
	if !a.end {
		select {
		case <-a.stop:
		default:
			close(a.stop)
		}
	}
	<-a.done
	return nil
}

// settled reports whether what the producer writes (aux fields,
// functions, counters, the checksum) may be read by the caller: always
// without read-ahead, once the last batch is in with it.
func (r *Reader) settled() bool { return r.ahead == nil || r.ahead.end }

var _ io.Closer = (*Reader)(nil)
