package keyspace

import (
	"math/big"
	"strconv"
	"strings"
)

// INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, which on the
// x86-64 machines Redis runs on is the x87 80-bit format: a 64-bit
// mantissa. big.Float with 64 bits of precision and round-to-nearest-even
// gives the same sums, so the values stored here are the bytes Redis
// stores (0.1 added ten times is "1", where float64 would give
// "0.99999999999999989").

const (
	ldPrec   = 64    // mantissa bits of an x87 long double
	ldMaxExp = 16384 // |x| >= 2^16384 overflows to infinity
	// Below about half the smallest denormal (2^-16445) strtold
	// underflows to zero, which Redis refuses (big.Float's MantExp of x
	// is e with 2^(e-1) <= |x| < 2^e); denormals are accepted.
	ldMinDenormExp   = -16445
	errFloatOverflow = "ERR increment would produce NaN or Infinity"
)

// parseLongDouble parses b as Redis's string2ld does with strtold (read
// by cscan): the whole string, no leading space, not NaN, not out of
// range (overflow, or underflow to zero; denormals are fine). It
// reports infinity separately: strtold accepts "inf", and Redis refuses
// it later, each command in its own words.
func parseLongDouble(b []byte) (f *big.Float, inf, ok bool) {
	if len(b) == 0 || len(b) >= 5*1024 || isSpace(b[0]) {
		return nil, false, false
	}
	c := cscan(b)
	switch {
	case c.n != len(b) || c.nan:
		return nil, false, false
	case c.inf:
		return nil, true, true
	}
	f = new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven)
	if len(c.digits) == 0 {
		return f, false, true // zero
	}
	if c.hex {
		m, _ := new(big.Int).SetString(string(c.digits), 16)
		f.SetInt(m)
		f.SetMantExp(f, int(c.exp))
	} else {
		var err error
		f, _, err = big.ParseFloat(string(c.digits)+"e"+strconv.FormatInt(c.exp, 10), 10, ldPrec, big.ToNearestEven)
		if err != nil {
			return nil, false, false
		}
	}
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinDenormExp {
		return nil, false, false // ERANGE: overflow, or underflow to zero
	}
	if c.neg {
		f.Neg(f)
	}
	return f, false, true
}

// formatLongDouble appends f as Redis's ld2string in LD_STR_HUMAN mode:
// printf's "%.17Lf" with trailing zeros (and a trailing '.') removed, and
// "-0" written "0".
func formatLongDouble(dst []byte, f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return append(dst, s...)
}

// incrLongDouble returns cur + incr as INCRBYFLOAT computes and formats
// it, or the error reply: errNotFloat when either does not parse,
// errFloatOverflow when the sum is infinite.
func incrLongDouble(cur, incr []byte) ([]byte, string) {
	a, ainf, ok := parseLongDouble(cur)
	if !ok {
		return nil, errNotFloat
	}
	b, binf, ok := parseLongDouble(incr)
	if !ok {
		return nil, errNotFloat
	}
	if ainf || binf {
		return nil, errFloatOverflow
	}
	sum := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(a, b)
	if e := sum.MantExp(nil); sum.Sign() != 0 && e > ldMaxExp {
		return nil, errFloatOverflow
	}
	return formatLongDouble(nil, sum), ""
}
