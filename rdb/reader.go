package rdb

import (
	"encoding/binary"
	"io"
	"math"
	"time"
)

// Opcodes: bytes read where a type byte is expected (section 1.3).
const (
	opSlotInfo      = 0xF4
	opFunction2     = 0xF5
	opFunctionPreGA = 0xF6
	opModuleAux     = 0xF7
	opIdle          = 0xF8
	opFreq          = 0xF9
	opAux           = 0xFA
	opResizeDB      = 0xFB
	opExpireTimeMs  = 0xFC
	opExpireTime    = 0xFD
	opSelectDB      = 0xFE
	opEOF           = 0xFF
)

// Object type ids (section 1.7).
const (
	typeString            = 0
	typeList              = 1
	typeSet               = 2
	typeZSet              = 3
	typeHash              = 4
	typeZSet2             = 5
	typeModulePreGA       = 6
	typeModule2           = 7
	typeHashZipmap        = 9
	typeListZiplist       = 10
	typeSetIntset         = 11
	typeZSetZiplist       = 12
	typeHashZiplist       = 13
	typeListQuicklist     = 14
	typeStreamListpacks   = 15
	typeHashListpack      = 16
	typeZSetListpack      = 17
	typeListQuicklist2    = 18
	typeStreamListpacks2  = 19
	typeSetListpack       = 20
	typeStreamListpacks3  = 21
	typeHashMetadataPreGA = 22
	typeHashListpackExPre = 23
	typeHashMetadata      = 24
	typeHashListpackEx    = 25
)

// MaxVersion is the newest RDB version the Reader reads (Redis 7.4).
const MaxVersion = 12

// entrySlab is how many Entries the Reader allocates at once.
const entrySlab = 64

// DefaultMaxDatabases is the default of ReaderOptions.MaxDatabases: the
// largest `databases` setting Redis accepts.
const DefaultMaxDatabases = math.MaxInt32

// ReaderOptions configures a Reader. The zero value (or nil) gives the
// defaults.
type ReaderOptions struct {
	// Now is the load time against which Entry.Expired is computed. Zero
	// means time.Now() when NewReader is called.
	Now time.Time

	// MaxDatabases bounds SELECTDB: an index >= MaxDatabases is an error
	// matching ErrDatabase, as Redis refuses a file with more databases
	// than its `databases` setting. Zero means DefaultMaxDatabases; set 16
	// to refuse what a default redis-server refuses.
	MaxDatabases int

	// SkipChecksum disables verification of the CRC64 trailer (Redis's
	// rdbchecksum no). The trailer is still read.
	SkipChecksum bool

	// MaxStringSize, when positive, bounds the length in bytes of any one
	// string in the file (keys, values, elements, compact blobs, before
	// and after LZF decompression); longer ones give an error matching
	// ErrTooLarge. Zero means no limit beyond the input itself: memory is
	// never allocated ahead of the data that justifies it.
	MaxStringSize int64

	// OnResizeDB, when set, is called with each RESIZEDB record: the
	// database selected and the key and expiry counts the writer
	// recorded. They are hints read from the file, unchecked: a caller
	// that sizes anything by them bounds them first (by the file's size,
	// say).
	OnResizeDB func(db int, keys, expires uint64)

	// ReadAhead decodes the file in a second goroutine, ahead of Next,
	// so that decoding overlaps with what the caller does with each
	// entry (a load into memory runs on two cores). Next, Offset and
	// OnResizeDB behave as without it: entries, hints and errors come in
	// file order, OnResizeDB is called from Next, and Offset is the
	// offset after the last entry Next returned. Aux, Functions,
	// ModuleAux, EmptyKeys and Checksum are empty until Next has
	// returned an error (io.EOF included). A caller that stops reading
	// before then must call Close.
	ReadAhead bool

	// LendEntries makes the Entry that Next returns valid only until the
	// next call to Next, which may reuse it, and gives string values as
	// a *String valid as long (see Value); the byte slices still belong
	// to the caller. A load that copies what it keeps then leaves
	// nothing behind per key for the garbage collector but the bytes.
	LendEntries bool
}

// Aux is an AUX field (opcode 250), such as redis-ver or ctime.
type Aux struct {
	Key, Value []byte
}

// ModuleAux is a module aux record (opcode 247), kept opaque: the module
// type ID, when it was written (1 before the keys, 2 after), and the raw
// module opcode stream up to and including its EOF opcode.
type ModuleAux struct {
	ModuleID uint64
	When     int
	Data     []byte
}

// Reader reads an RDB file one key at a time. It buffers its input
// internally, so it may read past the end of the RDB (the 8-byte checksum
// trailer, or the EOF opcode before version 5); after io.EOF, Offset is
// where the RDB ended, and a caller that goes on with what follows (the
// RESP tail of an AOF with an RDB preamble) reads again from there.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	d       decoder
	opts    ReaderOptions
	now     int64
	version int
	err     error
	done    bool
	db      int

	slab      []Entry // Entries are carved from it
	aux       []Aux
	functions [][]byte
	moduleAux []ModuleAux
	empty     int64

	stored, computed uint64
	checked          bool

	strs    []String                           // with LendEntries, lent string values are carved from it
	lent    [1]Entry                           // with LendEntries and without ReadAhead
	lentStr [1]String                          // likewise
	ahead   *ahead                             // with ReadAhead, once started
	hintFn  func(db int, keys, expires uint64) // the caller's OnResizeDB, with ReadAhead
}

// NewReader returns a Reader of r. A nil opts means the defaults.
func NewReader(r io.Reader, opts *ReaderOptions) *Reader {
	rd := &Reader{}
	if opts != nil {
		rd.opts = *opts
	}
	if rd.opts.Now.IsZero() {
		rd.opts.Now = time.Now()
	}
	if rd.opts.MaxDatabases <= 0 {
		rd.opts.MaxDatabases = DefaultMaxDatabases
	}
	rd.now = rd.opts.Now.UnixMilli()
	rd.d.init(r)
	rd.d.sum = !rd.opts.SkipChecksum
	if rd.opts.MaxStringSize > 0 {
		rd.d.maxStr = uint64(rd.opts.MaxStringSize)
	}
	return rd
}

// Version returns the file's RDB version, reading the header if it has not
// been read yet.
func (r *Reader) Version() (int, error) {
	if r.version == 0 && r.err == nil {
		r.err = r.readHeader()
	}
	return r.version, r.err
}

func (r *Reader) readHeader() error {
	p, err := r.d.next(9)
	if err != nil {
		return err
	}
	if string(p[:5]) != "REDIS" {
		return r.d.errAt(0, ErrCorrupt, "wrong signature %q: not an RDB file", p[:5])
	}
	v := 0
	for _, c := range p[5:9] {
		if c < '0' || c > '9' {
			return r.d.errAt(5, ErrVersion, "version %q is not 4 digits", p[5:9])
		}
		v = v*10 + int(c-'0')
	}
	if v < 1 || v > MaxVersion {
		return r.d.errAt(5, ErrVersion, "can't handle RDB format version %d", v)
	}
	r.version = v
	return nil
}

// Aux returns the aux fields read so far, in file order (with
// ReadAhead, once Next has returned an error).
func (r *Reader) Aux() []Aux {
	if !r.settled() {
		return nil
	}
	return r.aux
}

// Functions returns the function library codes (FUNCTION2 records) read so
// far, in file order (with ReadAhead, once Next has returned an error).
func (r *Reader) Functions() [][]byte {
	if !r.settled() {
		return nil
	}
	return r.functions
}

// ModuleAux returns the module aux records read so far, in file order
// (with ReadAhead, once Next has returned an error).
func (r *Reader) ModuleAux() []ModuleAux {
	if !r.settled() {
		return nil
	}
	return r.moduleAux
}

// Offset returns the number of input bytes consumed so far; with
// ReadAhead, up to the end of the last entry Next returned, or where the
// error it returned was met.
func (r *Reader) Offset() int64 {
	if r.ahead != nil {
		return r.ahead.off
	}
	return r.d.offset()
}

// EmptyKeys returns how many empty aggregates (lists, sets, sorted sets and
// hashes without elements) were skipped so far (with ReadAhead, once Next
// has returned an error). Redis skips them on load ("empty keys
// skipped"); so does the Reader: Next never returns them.
func (r *Reader) EmptyKeys() int64 {
	if !r.settled() {
		return 0
	}
	return r.empty
}

// Checksum returns, after Next has returned io.EOF, the CRC64 stored in
// the trailer and the one computed over the file; ok is false before
// then, or when the file has no trailer (version < 5). A stored value of
// 0 means the file was written without a checksum, and was not checked.
// With SkipChecksum, computed is 0.
func (r *Reader) Checksum() (stored, computed uint64, ok bool) {
	if !r.settled() {
		return 0, 0, false
	}
	return r.stored, r.computed, r.checked
}

// Next returns the next key. It returns io.EOF after the EOF opcode and a
// verified trailer. Any other error is sticky. The returned Entry and every
// byte slice in it belong to the caller.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	var e *Entry
	var err error
	if r.opts.ReadAhead {
		if r.ahead == nil {
			if r.err = r.startAhead(); r.err != nil {
				return nil, r.err
			}
		}
		e, err = r.nextAhead()
	} else {
		if r.version == 0 {
			if r.err = r.readHeader(); r.err != nil {
				return nil, r.err
			}
		}
		if r.opts.LendEntries {
			r.slab, r.strs = r.lent[:], r.lentStr[:]
		}
		e, err = r.next()
	}
	if err != nil {
		if err == io.EOF {
			r.done = true
		} else {
			r.err = err
		}
		return nil, err
	}
	return e, nil
}

func (r *Reader) next() (*Entry, error) {
	d := &r.d
	var expire int64
	hasExpire := false
	idle := int64(-1)
	freq := -1
	for {
		d.key = nil
		start := d.offset()
		t, err := d.readByte()
		if err != nil {
			return nil, err
		}
		switch t {
		case opEOF:
			return nil, r.finish()
		case opSelectDB:
			n, err := d.readLen()
			if err != nil {
				return nil, err
			}
			if n >= uint64(r.opts.MaxDatabases) {
				return nil, d.errAt(start, ErrDatabase, "SELECTDB %d: more than %d databases", n, r.opts.MaxDatabases)
			}
			r.db = int(n)
		case opResizeDB:
			keys, err := d.readLen()
			if err != nil {
				return nil, err
			}
			expires, err := d.readLen()
			if err != nil {
				return nil, err
			}
			if r.opts.OnResizeDB != nil {
				r.opts.OnResizeDB(r.db, keys, expires)
			}
		case opSlotInfo:
			if err := r.skipLens(3); err != nil {
				return nil, err
			}
		case opExpireTimeMs:
			// Host order before version 9: little endian on every
			// machine Redis files come from in practice.
			if expire, err = d.readMillis(); err != nil {
				return nil, err
			}
			hasExpire = true
		case opExpireTime:
			p, err := d.next(4)
			if err != nil {
				return nil, err
			}
			expire = int64(int32(binary.LittleEndian.Uint32(p))) * 1000
			hasExpire = true
		case opIdle:
			n, err := d.readLen()
			if err != nil {
				return nil, err
			}
			idle = int64(min(n, math.MaxInt64))
		case opFreq:
			b, err := d.readByte()
			if err != nil {
				return nil, err
			}
			freq = int(b)
		case opAux:
			k, err := d.readString()
			if err != nil {
				return nil, err
			}
			v, err := d.readString()
			if err != nil {
				return nil, err
			}
			r.aux = append(r.aux, Aux{Key: k, Value: v})
		case opFunction2:
			code, err := d.readString()
			if err != nil {
				return nil, err
			}
			r.functions = append(r.functions, code)
		case opFunctionPreGA:
			return nil, d.errAt(start, ErrUnsupported, "pre-release function format (opcode 246) of Redis 7.0 release candidates")
		case opModuleAux:
			ma, err := r.readModuleAux(start)
			if err != nil {
				return nil, err
			}
			r.moduleAux = append(r.moduleAux, ma)
		default:
			if !isObjectType(t) {
				return nil, d.errAt(start, ErrCorrupt, "unknown object type or opcode %d", t)
			}
			key, err := d.readString()
			if err != nil {
				return nil, err
			}
			d.key = key
			var v Value
			if t == typeString && r.opts.LendEntries {
				// A lent *String: boxing a String would allocate.
				b, err := d.readString()
				if err != nil {
					return nil, err
				}
				if len(r.strs) == 0 {
					r.strs = make([]String, entrySlab)
				}
				p := &r.strs[0]
				r.strs = r.strs[1:]
				*p, v = b, p
			} else if v, err = d.readObject(t); err != nil {
				return nil, err
			}
			d.key = nil
			if v == nil {
				r.empty++
				expire, hasExpire, idle, freq = 0, false, -1, -1
				continue
			}
			if len(r.slab) == 0 {
				r.slab = make([]Entry, entrySlab)
			}
			e := &r.slab[0]
			r.slab = r.slab[1:]
			*e = Entry{DB: r.db, Key: key, Idle: idle, Freq: freq, Value: v}
			if hasExpire {
				e.ExpireAt = expire
				e.Expired = expire < r.now
			}
			return e, nil
		}
	}
}

func (r *Reader) skipLens(n int) error {
	for range n {
		if _, err := r.d.readLen(); err != nil {
			return err
		}
	}
	return nil
}

// finish reads and verifies the trailer after the EOF opcode.
func (r *Reader) finish() error {
	d := &r.d
	if r.version < 5 {
		return io.EOF
	}
	var computed uint64
	if d.sum {
		computed = d.checksum()
	}
	off := d.offset()
	stored, err := d.readUint64LE()
	if err != nil {
		return err
	}
	r.stored, r.computed, r.checked = stored, computed, true
	if d.sum && stored != 0 && stored != computed {
		return d.errAt(off, ErrChecksum, "wrong RDB checksum: stored %016x, computed %016x", stored, computed)
	}
	return io.EOF
}

func isObjectType(t byte) bool {
	return t <= typeModule2 || (t >= typeHashZipmap && t <= typeHashListpackEx)
}

// Module value opcodes (section 1.9).
const (
	moduleEOF    = 0
	moduleSInt   = 1
	moduleUInt   = 2
	moduleFloat  = 3
	moduleDouble = 4
	moduleString = 5
)

func (r *Reader) readModuleAux(start int64) (ModuleAux, error) {
	d := &r.d
	id, err := d.readLen()
	if err != nil {
		return ModuleAux{}, err
	}
	whenOp, err := d.readLen()
	if err != nil {
		return ModuleAux{}, err
	}
	if whenOp != moduleUInt {
		return ModuleAux{}, d.errAt(start, ErrModule, "module aux record for %s: bad when opcode %d", ModuleName(id), whenOp)
	}
	when, err := d.readLen()
	if err != nil {
		return ModuleAux{}, err
	}
	data, err := d.readModuleData(nil, id)
	if err != nil {
		return ModuleAux{}, err
	}
	return ModuleAux{ModuleID: id, When: int(min(when, math.MaxInt32)), Data: data}, nil
}

// readModuleData walks a module opcode stream up to and including its EOF
// opcode, appending its raw bytes to dst.
func (d *decoder) readModuleData(dst []byte, id uint64) ([]byte, error) {
	for {
		start := d.offset()
		op, raw, err := d.rawLen(dst)
		if err != nil {
			return nil, err
		}
		dst = raw
		switch op {
		case moduleEOF:
			return dst, nil
		case moduleSInt, moduleUInt:
			_, dst, err = d.rawLen(dst)
		case moduleFloat:
			dst, err = d.rawBytes(dst, 4)
		case moduleDouble:
			dst, err = d.rawBytes(dst, 8)
		case moduleString:
			dst, err = d.rawString(dst)
		default:
			return nil, d.errAt(start, ErrModule, "module %s value: unknown opcode %d", ModuleName(id), op)
		}
		if err != nil {
			return nil, err
		}
	}
}

// rawLen reads a length and appends its encoded bytes to dst.
func (d *decoder) rawLen(dst []byte) (uint64, []byte, error) {
	from := d.offset()
	n, err := d.readLen()
	if err != nil {
		return 0, nil, err
	}
	// The length's bytes are still in the buffer: nothing was refilled
	// after they were read, or they are re-encoded.
	k := int(d.offset() - from)
	if k <= d.pos {
		return n, append(dst, d.buf[d.pos-k:d.pos]...), nil
	}
	return n, appendLenBytes(dst, n, k), nil
}

func appendLenBytes(dst []byte, n uint64, k int) []byte {
	switch k {
	case 1:
		return append(dst, byte(n))
	case 2:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case 5:
		return binary.BigEndian.AppendUint32(append(dst, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0x81), n)
}

func (d *decoder) rawBytes(dst []byte, n int) ([]byte, error) {
	p, err := d.next(n)
	if err != nil {
		return nil, err
	}
	return append(dst, p...), nil
}

// rawString reads an RDB string, appending its encoded bytes to dst.
func (d *decoder) rawString(dst []byte) ([]byte, error) {
	start := d.offset()
	b, err := d.readByte()
	if err != nil {
		return nil, err
	}
	d.pos-- // re-read it as a length
	if b>>6 != 3 {
		n, out, err := d.rawLen(dst)
		if err != nil {
			return nil, err
		}
		if err := d.checkSize(n, start); err != nil {
			return nil, err
		}
		return d.readRawInto(out, int(n))
	}
	d.pos++
	dst = append(dst, b)
	switch b & 0x3F {
	case 0:
		return d.rawBytes(dst, 1)
	case 1:
		return d.rawBytes(dst, 2)
	case 2:
		return d.rawBytes(dst, 4)
	case 3:
		clen, out, err := d.rawLen(dst)
		if err != nil {
			return nil, err
		}
		ulen, out, err := d.rawLen(out)
		if err != nil {
			return nil, err
		}
		if clen == 0 || ulen == 0 || ulen/maxLZFRatio > clen {
			return nil, d.errAt(start, ErrCorrupt, "LZF string with compressed length %d and length %d", clen, ulen)
		}
		if err := d.checkSize(clen, start); err != nil {
			return nil, err
		}
		return d.readRawInto(out, int(clen))
	}
	return nil, d.errAt(start, ErrCorrupt, "unknown string encoding 0x%02x", b)
}

// ModuleName returns the 9-character name in a module type ID (its top 54
// bits, 6 bits a character from A–Z, a–z, 0–9, '-', '_').
func ModuleName(id uint64) string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	for i := range name {
		name[i] = set[(id>>(64-6*(i+1)))&63]
	}
	return string(name[:])
}
