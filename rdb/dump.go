package rdb

import (
	"encoding/binary"
	"fmt"

	"github.com/aofrdb/aofrdb/internal/crc64"
)

// AppendDump appends to dst the DUMP payload of v, as Redis's DUMP returns
// it: the RDB type byte, the value encoded as in an RDB file of the given
// version (9 to 12; the encodings are the Writer's), the version as 2
// bytes little endian, and the CRC64 of all that, 8 bytes little endian.
// compress turns on LZF as rdbcompression does. RESTORE on a server whose
// RDB version is at least version accepts the payload.
func AppendDump(dst []byte, v Value, version int, compress bool) ([]byte, error) {
	if version < 9 || version > MaxVersion {
		return dst, fmt.Errorf("%w: cannot write DUMP payloads of version %d (9 to %d)", ErrVersion, version, MaxVersion)
	}
	if v == nil {
		return dst, invalid("nil value")
	}
	e := encoder{version: version, compress: compress}
	t, err := e.objectType(v)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	out, err := e.appendObject(append(dst, t), t, v)
	if err != nil {
		return dst, err
	}
	out = binary.LittleEndian.AppendUint16(out, uint16(version))
	return binary.LittleEndian.AppendUint64(out, crc64.Checksum(out[start:])), nil
}

// ParseDump decodes a DUMP payload. It checks what RESTORE checks — the
// footer's version (at most MaxVersion) and the CRC64 — and then reads the
// value with the Reader's deep validation. An empty aggregate is an error,
// as RESTORE refuses it. Bytes between the value and the footer are
// ignored, as Redis ignores them. The returned value does not alias
// payload.
func ParseDump(payload []byte) (Value, error) {
	var d decoder
	if len(payload) < 10 {
		return nil, d.errAt(0, ErrCorrupt, "DUMP payload of %d bytes is shorter than its 10-byte footer", len(payload))
	}
	body := len(payload) - 10
	if v := binary.LittleEndian.Uint16(payload[body:]); v > MaxVersion {
		return nil, d.errAt(int64(body), ErrVersion, "DUMP payload version %d is newer than %d", v, MaxVersion)
	}
	stored := binary.LittleEndian.Uint64(payload[body+2:])
	if sum := crc64.Checksum(payload[:body+2]); sum != stored {
		return nil, d.errAt(int64(body+2), ErrChecksum, "DUMP payload checksum: stored %016x, computed %016x", stored, sum)
	}
	d.initBytes(payload[:body])
	t, err := d.readByte()
	if err != nil {
		return nil, err
	}
	if !isObjectType(t) {
		return nil, d.errAt(0, ErrCorrupt, "unknown object type %d", t)
	}
	v, err := d.readObject(t)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, d.errAt(0, ErrCorrupt, "empty aggregate")
	}
	return v, nil
}
