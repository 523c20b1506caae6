package keyspace

import (
	"math"
	"strconv"

	"github.com/aofrdb/aofrdb/resp"
)

// Reply accumulates a command's reply in RESP wire form. Commands write
// RESP2 unless RESP3 is set, in which case nulls, maps, sets and doubles
// take their RESP3 forms, as Redis does for a client that said HELLO 3.
type Reply struct {
	Buf   []byte
	RESP3 bool
}

// OK appends +OK.
func (r *Reply) OK() { r.Buf = append(r.Buf, "+OK\r\n"...) }

// Simple appends a simple string.
func (r *Reply) Simple(s string) { r.Buf = resp.AppendSimpleString(r.Buf, s) }

// Error appends an error reply; msg starts with its code ("ERR ...",
// "WRONGTYPE ...").
func (r *Reply) Error(msg string) { r.Buf = resp.AppendError(r.Buf, msg) }

// Int appends an integer.
func (r *Reply) Int(n int64) { r.Buf = resp.AppendInt(r.Buf, n) }

// Bool appends 1 or 0 (RESP2) as Redis replies to SISMEMBER and the like.
func (r *Reply) Bool(b bool) {
	if b {
		r.Buf = append(r.Buf, ":1\r\n"...)
	} else {
		r.Buf = append(r.Buf, ":0\r\n"...)
	}
}

// Bulk appends a bulk string.
func (r *Reply) Bulk(b []byte) { r.Buf = resp.AppendBulk(r.Buf, b) }

// BulkString appends a bulk string.
func (r *Reply) BulkString(s string) { r.Buf = resp.AppendBulkString(r.Buf, s) }

// BulkInt appends n as a bulk string of its decimal form.
func (r *Reply) BulkInt(n int64) {
	var b [20]byte
	r.Buf = resp.AppendBulk(r.Buf, strconv.AppendInt(b[:0], n, 10))
}

// Null appends a null bulk string ($-1 in RESP2, _ in RESP3).
func (r *Reply) Null() {
	if r.RESP3 {
		r.Buf = resp.AppendNull(r.Buf)
	} else {
		r.Buf = resp.AppendNullBulk(r.Buf)
	}
}

// NullArray appends a null array (*-1 in RESP2, _ in RESP3).
func (r *Reply) NullArray() {
	if r.RESP3 {
		r.Buf = resp.AppendNull(r.Buf)
	} else {
		r.Buf = resp.AppendNullArray(r.Buf)
	}
}

// Array appends an array header for n elements.
func (r *Reply) Array(n int) { r.Buf = resp.AppendArrayLen(r.Buf, n) }

// Map appends a map header for n key-value pairs (an array of 2n in RESP2).
func (r *Reply) Map(n int) {
	if r.RESP3 {
		r.Buf = resp.AppendMapLen(r.Buf, n)
	} else {
		r.Buf = resp.AppendArrayLen(r.Buf, 2*n)
	}
}

// Set appends a set header for n elements (an array in RESP2).
func (r *Reply) Set(n int) {
	if r.RESP3 {
		r.Buf = resp.AppendSetLen(r.Buf, n)
	} else {
		r.Buf = resp.AppendArrayLen(r.Buf, n)
	}
}

// Double appends a double: in RESP2 a bulk string formatted as Redis 7.0
// formats it ("%.17g", "inf", "-inf"), in RESP3 a double.
func (r *Reply) Double(f float64) {
	if r.RESP3 {
		// Redis 7.0 writes "%.17g" here too (7.2 writes the shortest
		// form that reads back).
		r.Buf = append(r.Buf, ',')
		r.Buf = AppendDouble(r.Buf, f)
		r.Buf = append(r.Buf, '\r', '\n')
		return
	}
	var b [32]byte
	r.Buf = resp.AppendBulk(r.Buf, AppendDouble(b[:0], f))
}

// Bulks appends an array of bulk strings.
func (r *Reply) Bulks(elems [][]byte) {
	r.Array(len(elems))
	for _, e := range elems {
		r.Bulk(e)
	}
}

// AppendDouble appends f as Redis 7.0 writes a double in a reply and in
// ZSCORE-like output: "inf", "-inf", or printf's "%.17g".
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
