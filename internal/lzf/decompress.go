package lzf

import "encoding/binary"

// Decompress decompresses the LZF stream src into dst and returns the number
// of bytes written. An empty src decompresses to nothing.
//
// It returns 0 and an error when src is not a valid stream (an error for
// which errors.Is(err, ErrCorrupt) holds: a token runs past the end of src,
// or a back reference points before the start of the output) or when the
// output does not fit in dst (ErrShortBuffer). When both apply to the same
// token the error is liblzf's: output overflow is reported before a
// reference before the start, and a truncated token before either.
//
// The stream itself does not record its decompressed length: callers that
// know it (Redis stores it beside the stream) should pass a dst of exactly
// that length and check the returned count.
//
// On success Decompress writes only dst[:n]; on error the contents of dst
// are unspecified, but nothing past len(dst) is written. dst and src must
// not overlap. Decompress is safe for concurrent use and does not allocate,
// except for the *CorruptError it returns on corrupt input.
func Decompress(dst, src []byte) (int, error) {
	d, s := decompressFast(dst, src)
	return decompressSafe(dst, src, d, s)
}

// decompressFast decodes the tokens that are not near the end of src or dst
// and returns where it stopped, at a token boundary; decompressSafe decodes
// the rest. decompressFast leaves every error, and every check that could
// fail on valid input, to decompressSafe: when a token does not fit its fast
// path it stops before it.
//
// It copies in whole 8- and 16-byte moves (literal runs as 32 bytes), and so
// may write up to 31 bytes past the end of a token. That is harmless: the
// bytes are in dst, and later tokens overwrite them when the stream is valid
// (when it is not, dst's contents are unspecified anyway). Every token turns
// at most 2 input bytes into at least 1 output byte (a literal run of n
// bytes takes n+1, a back reference of 3 to 264 bytes takes 2 or 3), so k
// bytes of input after a token give at least k/2 more bytes of output: a
// token may write w bytes past its end if 2*w input bytes follow it.
func decompressFast(dst, src []byte) (d, s int) {
	for s < len(src)-(1+maxLit) {
		start := s
		ctrl := int(src[s])
		if ctrl < maxLit {
			// A literal run of n = ctrl+1 bytes, copied as 32: 32-n bytes
			// too many, which need 64-2n bytes of input after the run's
			// 1+n. (len(src) >= s+33 reads src[s+1:s+33].)
			if s+65-ctrl > len(src) || d > len(dst)-maxLit {
				return d, start
			}
			in, out := src[s+1:s+1+maxLit], dst[d:d+maxLit]
			*(*[16]byte)(out) = *(*[16]byte)(in)
			*(*[16]byte)(out[16:]) = *(*[16]byte)(in[16:])
			d += ctrl + 1
			s += ctrl + 2
			continue
		}
		// A back reference: copied in steps of 8 or 16 bytes, at most 15
		// too many, which the 30 or more input bytes after it cover.
		length := ctrl >> tagLen
		if length == refExt {
			length += int(src[s+1])
			s++
		}
		dist := ((ctrl&0x1F)<<8 | int(src[s+1])) + 1
		s += 2
		length += 2
		ref := d - dist
		if ref < 0 || d > len(dst)-length-16 {
			return d, start
		}
		switch {
		case length <= 8 && dist >= 8:
			// Most references are short: one 8-byte move, which, unlike
			// a 16-byte one, is likely to fall within a single earlier
			// store and so be forwarded from it.
			binary.LittleEndian.PutUint64(dst[d:d+8], binary.LittleEndian.Uint64(dst[ref:ref+8]))
		case dist >= 16:
			// Each 16-byte load reads bytes written before it.
			for i := 0; i < length; i += 16 {
				*(*[16]byte)(dst[d+i : d+i+16]) = *(*[16]byte)(dst[ref+i : ref+i+16])
			}
		case dist >= 8:
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(dst[d+i:d+i+8], binary.LittleEndian.Uint64(dst[ref+i:ref+i+8]))
			}
		case dist == 1:
			v := uint64(dst[ref]) * 0x0101010101010101
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(dst[d+i:d+i+8], v)
			}
		default:
			// A repeating pattern of 2 to 7 bytes: copy the first 8
			// bytes one at a time, then go on in 8-byte steps from a
			// multiple of dist that is at least 8 bytes back, which
			// holds the same bytes.
			for i := range 8 {
				dst[d+i] = dst[ref+i]
			}
			step := patternStep[dist&7]
			for i := 8; i < length; i += 8 {
				binary.LittleEndian.PutUint64(dst[d+i:d+i+8], binary.LittleEndian.Uint64(dst[d+i-step:d+i-step+8]))
			}
		}
		d += length
	}
	return d, s
}

// patternStep[dist] is the smallest multiple of dist that is at least 8.
var patternStep = [8]int{0, 8, 8, 9, 8, 10, 12, 14}

// decompressSafe decodes src[s:] into dst[d:] with every check, in liblzf's
// order, and returns the total output length.
func decompressSafe(dst, src []byte, d, s int) (int, error) {
	for s < len(src) {
		start := s
		ctrl := int(src[s])
		s++
		if ctrl < maxLit {
			n := ctrl + 1
			if n > len(dst)-d {
				return 0, ErrShortBuffer
			}
			if n > len(src)-s {
				return 0, &CorruptError{Offset: start, Reason: reasonLiteral}
			}
			copy(dst[d:d+n], src[s:s+n])
			d += n
			s += n
			continue
		}
		length := ctrl >> tagLen
		if s >= len(src) {
			return 0, &CorruptError{Offset: start, Reason: reasonRef}
		}
		if length == refExt {
			length += int(src[s])
			s++
			if s >= len(src) {
				return 0, &CorruptError{Offset: start, Reason: reasonRef}
			}
		}
		dist := ((ctrl&0x1F)<<8 | int(src[s])) + 1
		s++
		length += 2
		if length > len(dst)-d {
			return 0, ErrShortBuffer
		}
		if dist > d {
			return 0, &CorruptError{Offset: start, Reason: reasonBefore}
		}
		ref := d - dist
		if dist >= length {
			copy(dst[d:d+length], dst[ref:ref+length])
		} else {
			out := dst[d : d+length]
			for i := range out {
				out[i] = dst[ref+i]
			}
		}
		d += length
	}
	return d, nil
}
