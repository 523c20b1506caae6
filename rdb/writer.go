package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aofrdb/aofrdb/internal/crc64"
)

// DefaultVersion is the RDB version the Writer writes by default: Redis
// 7.0's, which 7.0, 7.2, 7.4 and Valkey 8 load.
const DefaultVersion = 10

// WriterOptions configures a Writer. The zero value (or nil) gives the
// defaults.
type WriterOptions struct {
	// Version is the RDB version to write: 9 (Redis 5.0–6.2), 10 (7.0,
	// the default), 11 (7.2) or 12 (7.4, needed only for hash field
	// expiries).
	Version int

	// NoCompression turns LZF compression of strings off (Redis's
	// rdbcompression no).
	NoCompression bool

	// NoChecksum writes a trailer of 8 zero bytes instead of the CRC64
	// (Redis's rdbchecksum no).
	NoChecksum bool

	// RedisVersion is the redis-ver aux field. Redis only logs it. Empty
	// means the release that introduced Version: "6.2.14" for 9,
	// "7.0.15" for 10, "7.2.6" for 11, "7.4.1" for 12.
	RedisVersion string

	// AOFBase sets the aof-base aux field to 1, marking the file as the
	// base of a multi-part AOF (Redis then keeps expired keys on load).
	AOFBase bool

	// Aux are extra aux fields, written after Redis's own.
	Aux []Aux

	// Now gives the ctime aux field. Nil means time.Now.
	Now func() time.Time
}

// Writer writes an RDB file. Errors are sticky: after one, every call
// returns it. Close writes the EOF opcode and the trailer; it does not
// close the underlying writer.
//
// The Writer writes plain encodings that every Redis since 2.x loads:
// strings (integer-encoded or LZF-compressed as Redis does), sets as type
// 2, sorted sets as type 5, hashes as type 4 (type 24 for field expiries,
// version 12 only), lists as quicklist 2 (type 18) of listpack nodes for
// version 10 and later and as type 1 for version 9, streams as type 15,
// 19 or 21 by version, modules as type 7 with their data unchanged.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w          io.Writer
	opts       WriterOptions
	enc        encoder
	buf        []byte
	crc        uint64
	err        error
	headerDone bool
	closed     bool
	db         int
}

// NewWriter returns a Writer to w. A nil opts means the defaults. An
// unsupported Version makes every call return an error matching
// ErrVersion.
func NewWriter(w io.Writer, opts *WriterOptions) *Writer {
	wr := &Writer{w: w, db: -1, buf: make([]byte, 0, flushSize+4096)}
	if opts != nil {
		wr.opts = *opts
	}
	if wr.opts.Version == 0 {
		wr.opts.Version = DefaultVersion
	}
	if v := wr.opts.Version; v < 9 || v > MaxVersion {
		wr.err = fmt.Errorf("%w: cannot write version %d (9 to %d)", ErrVersion, v, MaxVersion)
	}
	if wr.opts.RedisVersion == "" {
		wr.opts.RedisVersion = map[int]string{9: "6.2.14", 10: "7.0.15", 11: "7.2.6", 12: "7.4.1"}[wr.opts.Version]
	}
	if wr.opts.Now == nil {
		wr.opts.Now = time.Now
	}
	wr.enc = encoder{version: wr.opts.Version, compress: !wr.opts.NoCompression}
	return wr
}

// flush writes the buffer out when it is full, or always with force.
func (w *Writer) flush(force bool) error {
	if len(w.buf) < flushSize && !force || len(w.buf) == 0 {
		return nil
	}
	if !w.opts.NoChecksum {
		w.crc = crc64.Update(w.crc, w.buf)
	}
	_, err := w.w.Write(w.buf)
	if cap(w.buf) > 4*flushSize {
		w.buf = make([]byte, 0, flushSize+4096) // drop a buffer grown by a huge value
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		w.err = fmt.Errorf("rdb: write: %w", err)
	}
	return w.err
}

func (w *Writer) begin() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if !w.headerDone {
		w.headerDone = true
		w.writeHeader()
	}
	return nil
}

func (w *Writer) writeHeader() {
	b := fmt.Appendf(w.buf, "REDIS%04d", w.opts.Version)
	aux := func(k, v string) {
		b = append(b, opAux)
		b = w.enc.appendString(b, []byte(k))
		b = w.enc.appendString(b, []byte(v))
	}
	aux("redis-ver", w.opts.RedisVersion)
	aux("redis-bits", "64")
	aux("ctime", strconv.FormatInt(w.opts.Now().Unix(), 10))
	aux("used-mem", "0")
	base := "0"
	if w.opts.AOFBase {
		base = "1"
	}
	aux("aof-base", base)
	for _, a := range w.opts.Aux {
		b = append(b, opAux)
		b = w.enc.appendString(b, a.Key)
		b = w.enc.appendString(b, a.Value)
	}
	w.buf = b
}

// WriteFunction writes a FUNCTION2 record holding a function library's
// code. Redis writes them before the first database.
func (w *Writer) WriteFunction(code []byte) error {
	if err := w.begin(); err != nil {
		return err
	}
	w.buf = append(w.buf, opFunction2)
	w.buf = w.enc.appendString(w.buf, code)
	return w.flush(false)
}

// WriteModuleAux writes a module aux record, as read by Reader.ModuleAux.
func (w *Writer) WriteModuleAux(m ModuleAux) error {
	if err := w.begin(); err != nil {
		return err
	}
	var d decoder
	d.initBytes(m.Data)
	if _, err := d.readModuleData(nil, m.ModuleID); err != nil || d.pos != len(m.Data) {
		return fmt.Errorf("%w: module %s aux data is not one opcode stream ending in EOF", ErrModule, ModuleName(m.ModuleID))
	}
	w.buf = append(w.buf, opModuleAux)
	w.buf = appendLen(w.buf, m.ModuleID)
	w.buf = appendLen(w.buf, moduleUInt)
	w.buf = appendLen(w.buf, uint64(m.When))
	w.buf = append(w.buf, m.Data...)
	return w.flush(false)
}

// SelectDB writes SELECTDB db and a RESIZEDB hint of keys keys, expires
// of them with an expiry. Keys written next belong to db whatever their
// Entry.DB says.
func (w *Writer) SelectDB(db int, keys, expires uint64) error {
	if err := w.begin(); err != nil {
		return err
	}
	if db < 0 {
		return fmt.Errorf("%w: %d", ErrDatabase, db)
	}
	w.buf = append(w.buf, opSelectDB)
	w.buf = appendLen(w.buf, uint64(db))
	w.buf = append(w.buf, opResizeDB)
	w.buf = appendLen(w.buf, keys)
	w.buf = appendLen(w.buf, expires)
	w.db = db
	return w.flush(false)
}

// WriteEntry writes a key: SELECTDB when e.DB is not the current
// database (without RESIZEDB; call SelectDB first to give the hint),
// EXPIRETIME_MS when e.ExpireAt is not 0, IDLE when e.Idle > 0, FREQ when
// e.Freq > 0, then the type, key and value. An invalid value (see
// ErrInvalidValue) is not written and does not make the error sticky.
func (w *Writer) WriteEntry(e *Entry) error {
	if err := w.begin(); err != nil {
		return err
	}
	if e.Value == nil {
		return invalid("key %q has no value", truncKey(e.Key))
	}
	t, err := w.enc.objectType(e.Value)
	if err != nil {
		return err
	}
	if e.Freq > 255 {
		return invalid("key %q: LFU counter %d out of range", truncKey(e.Key), e.Freq)
	}
	if e.DB != w.db {
		if e.DB < 0 {
			return fmt.Errorf("%w: %d", ErrDatabase, e.DB)
		}
		w.buf = append(w.buf, opSelectDB)
		w.buf = appendLen(w.buf, uint64(e.DB))
		w.db = e.DB
	}
	mark := len(w.buf)
	if e.ExpireAt != 0 {
		w.buf = binary.LittleEndian.AppendUint64(append(w.buf, opExpireTimeMs), uint64(e.ExpireAt))
	}
	if e.Idle > 0 {
		w.buf = appendLen(append(w.buf, opIdle), uint64(e.Idle))
	}
	if e.Freq > 0 {
		w.buf = append(w.buf, opFreq, byte(e.Freq))
	}
	w.buf = append(w.buf, t)
	w.buf = w.enc.appendString(w.buf, e.Key)
	out, err := w.enc.appendObject(w.buf, t, e.Value)
	if err != nil {
		w.buf = w.buf[:mark]
		return fmt.Errorf("key %q: %w", truncKey(e.Key), err)
	}
	w.buf = out
	return w.flush(false)
}

// Close writes the EOF opcode and the trailer (the CRC64, or zeros with
// NoChecksum) and flushes. It does not close the underlying writer.
// Calling Close again returns the first call's result.
func (w *Writer) Close() error {
	if w.closed || w.err != nil {
		return w.err
	}
	if err := w.begin(); err != nil {
		return err
	}
	w.closed = true
	w.buf = append(w.buf, opEOF)
	// flush sums the CRC up to and including EOF; the trailer is not
	// part of it.
	if err := w.flush(true); err != nil {
		return err
	}
	var sum uint64
	if !w.opts.NoChecksum {
		sum = w.crc
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf[:0], sum)
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("rdb: write: %w", err)
	}
	return w.err
}
