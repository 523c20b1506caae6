package keyspace

import (
	"math"
	"math/big"
	"sync"
)

// Redis computes distances with the C library's sin, cos and asin.
// glibc's are almost always correctly rounded (about one result in a
// thousand is an ulp off, and which one depends on the CPU: glibc picks
// an FMA build where the CPU has FMA); Go's math package is an ulp off
// in about one result in four, and a distance stored by STOREDIST shows
// every bit. So cSin, cCos and cAsin return the correctly rounded
// result: computed in double-double arithmetic (about 100 bits) when
// that decides the rounding, which is nearly always, and otherwise in
// big.Float arithmetic.

// mathPrec is the working precision: far more than a double's 53 bits,
// so that rounding the result once is almost never off.
const mathPrec = 128

// piPrec is the precision of π used to reduce arguments: an argument
// can be as large as 2^1024, and its remainder must keep mathPrec bits.
const piPrec = 1024 + 2*mathPrec + 64

var (
	piOnce     sync.Once
	halfPiBig  *big.Float // π/2 at piPrec
	twoOverPi  *big.Float // 2/π at piPrec
	halfPiWork *big.Float // π/2 at mathPrec
)

func initPi() {
	piOnce.Do(func() {
		// Machin: π = 16 atan(1/5) - 4 atan(1/239).
		p := uint(piPrec + 32)
		a := atanInv(5, p)
		b := atanInv(239, p)
		pi := new(big.Float).SetPrec(p).Mul(a, big.NewFloat(16))
		pi.Sub(pi, new(big.Float).SetPrec(p).Mul(b, big.NewFloat(4)))
		halfPiBig = new(big.Float).SetPrec(piPrec).Quo(pi, big.NewFloat(2))
		twoOverPi = new(big.Float).SetPrec(piPrec).Quo(big.NewFloat(2), pi)
		halfPiWork = new(big.Float).SetPrec(mathPrec).Set(halfPiBig)
	})
}

// atanInv returns atan(1/n) at precision p by its series.
func atanInv(n int64, p uint) *big.Float {
	nf := new(big.Float).SetPrec(p).SetInt64(n)
	n2 := new(big.Float).SetPrec(p).Mul(nf, nf)
	term := new(big.Float).SetPrec(p).Quo(big.NewFloat(1), nf) // 1/n^(2k+1)
	sum := new(big.Float).SetPrec(p).Set(term)
	limit := new(big.Float).SetMantExp(big.NewFloat(1), -int(p)-8)
	t := new(big.Float).SetPrec(p)
	for k := int64(1); ; k++ {
		term.Quo(term, n2)
		if term.Cmp(limit) < 0 {
			break
		}
		t.Quo(term, new(big.Float).SetPrec(p).SetInt64(2*k+1))
		if k%2 == 1 {
			sum.Sub(sum, t)
		} else {
			sum.Add(sum, t)
		}
	}
	return sum
}

// reduce returns r and the quadrant q with x = q*π/2 + r, |r| <= π/4.
// The product with π keeps mathPrec bits of r even when x is next to a
// multiple of π/2 (a double is never closer than about 2^-62 to one).
func reduce(x float64) (*big.Float, int) {
	if math.Abs(x) <= math.Pi/4 {
		return new(big.Float).SetPrec(mathPrec).SetFloat64(x), 0
	}
	initPi()
	_, e := math.Frexp(x)
	prec := uint(max(e, 0)) + mathPrec + 96
	xb := new(big.Float).SetPrec(prec).SetFloat64(x)
	k := new(big.Float).SetPrec(prec).Mul(xb, twoOverPi)
	// k rounded to the nearest integer.
	ki, _ := k.Int(nil)
	frac := new(big.Float).SetPrec(prec).Sub(k, new(big.Float).SetInt(ki))
	half := big.NewFloat(0.5)
	if frac.Cmp(half) > 0 {
		ki.Add(ki, big.NewInt(1))
	} else if frac.Cmp(new(big.Float).Neg(half)) < 0 {
		ki.Sub(ki, big.NewInt(1))
	}
	r := new(big.Float).SetPrec(prec).SetInt(ki)
	r.Mul(r, halfPiBig)
	r.Sub(xb, r)
	r.SetPrec(mathPrec)
	q := int(new(big.Int).And(ki, big.NewInt(3)).Int64())
	return r, q
}

// sinSeries returns sin(r) for |r| <= π/4 by its Taylor series.
func sinSeries(r *big.Float) *big.Float {
	return series(r, new(big.Float).SetPrec(mathPrec).Set(r), 1)
}

// cosSeries returns cos(r) for |r| <= π/4 by its Taylor series.
func cosSeries(r *big.Float) *big.Float {
	return series(r, new(big.Float).SetPrec(mathPrec).SetInt64(1), 0)
}

// series sums first - first*r^2/((k+1)(k+2)) + ..., k starting at k0:
// sin's series from r and 1, cos's from 1 and 0.
func series(r, first *big.Float, k0 int64) *big.Float {
	r2 := new(big.Float).SetPrec(mathPrec).Mul(r, r)
	limit := new(big.Float).SetMantExp(big.NewFloat(1), -mathPrec-8)
	sum := new(big.Float).SetPrec(mathPrec).Set(first)
	term := first
	div := new(big.Float).SetPrec(64)
	abs := new(big.Float).SetPrec(mathPrec)
	for k := k0; ; k += 2 {
		term.Mul(term, r2)
		term.Quo(term, div.SetInt64((k+1)*(k+2)))
		term.Neg(term)
		sum.Add(sum, term)
		if term.Sign() == 0 || abs.Abs(term).Cmp(limit) < 0 {
			return sum
		}
	}
}

// bigSin is sin in big.Float arithmetic, rounded once.
func bigSin(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN()
	case x == 0 || math.Abs(x) < 0x1p-26:
		return x // sin x = x - x^3/6 rounds to x
	}
	r, q := reduce(x)
	return sinQuarters(r, q)
}

// bigCos is cos in big.Float arithmetic, rounded once.
func bigCos(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN()
	case math.Abs(x) < 0x1p-27:
		return 1
	}
	r, q := reduce(x)
	return sinQuarters(r, q+1) // cos x = sin(x + π/2)
}

// sinQuarters returns sin(r + q·π/2), rounded once, for |r| <= π/4:
// ±sin r or ±cos r by the quadrant.
func sinQuarters(r *big.Float, q int) float64 {
	var v *big.Float
	if q%2 == 0 {
		v = sinSeries(r)
	} else {
		v = cosSeries(r)
	}
	if q%4 >= 2 {
		v.Neg(v)
	}
	f, _ := v.Float64()
	return f
}

// bigAsin is asin in big.Float arithmetic, rounded once.
func bigAsin(y float64) float64 {
	switch {
	case math.IsNaN(y) || y > 1 || y < -1:
		return math.NaN()
	case y == 0 || math.Abs(y) < 0x1p-26:
		return y
	}
	initPi()
	neg := y < 0
	yb := new(big.Float).SetPrec(mathPrec).SetFloat64(math.Abs(y))
	// asin y = atan(y / sqrt(1 - y^2)); y^2 is exact at mathPrec.
	c := new(big.Float).SetPrec(mathPrec).Mul(yb, yb)
	c.Sub(big.NewFloat(1), c)
	var v *big.Float
	if c.Sign() == 0 {
		v = new(big.Float).SetPrec(mathPrec).Set(halfPiWork)
	} else {
		c.Sqrt(c)
		// atan(y/c): for y > c use π/2 - atan(c/y).
		if yb.Cmp(c) > 0 {
			t := new(big.Float).SetPrec(mathPrec).Quo(c, yb)
			v = new(big.Float).SetPrec(mathPrec).Sub(halfPiWork, atanSmall(t))
		} else {
			t := new(big.Float).SetPrec(mathPrec).Quo(yb, c)
			v = atanSmall(t)
		}
	}
	f, _ := v.Float64()
	if neg {
		f = -f
	}
	return f
}

// atanSmall returns atan(t) for 0 <= t <= 1: halving the angle
// (t / (1 + sqrt(1 + t^2))) until t is small, then the series.
func atanSmall(t *big.Float) *big.Float {
	t = new(big.Float).SetPrec(mathPrec).Set(t)
	small := big.NewFloat(0x1p-12)
	one := big.NewFloat(1)
	halvings := 0
	for t.Cmp(small) > 0 {
		s := new(big.Float).SetPrec(mathPrec).Mul(t, t)
		s.Add(s, one)
		s.Sqrt(s)
		s.Add(s, one)
		t.Quo(t, s)
		halvings++
	}
	t2 := new(big.Float).SetPrec(mathPrec).Mul(t, t)
	sum := new(big.Float).SetPrec(mathPrec).Set(t)
	term := new(big.Float).SetPrec(mathPrec).Set(t)
	limit := new(big.Float).SetMantExp(big.NewFloat(1), -mathPrec-8)
	for n := int64(1); ; n++ {
		term.Mul(term, t2)
		term.Neg(term)
		q := new(big.Float).SetPrec(mathPrec).Quo(term, new(big.Float).SetInt64(2*n+1))
		sum.Add(sum, q)
		if q.Sign() == 0 || new(big.Float).Abs(q).Cmp(limit) < 0 {
			break
		}
	}
	return sum.SetMantExp(sum, halvings)
}

// cSin is the C library's sin, correctly rounded.
func cSin(x float64) float64 {
	if v, ok := ddSinCos(x, false); ok {
		return v
	}
	return bigSin(x)
}

// cCos is the C library's cos, correctly rounded.
func cCos(x float64) float64 {
	if v, ok := ddSinCos(x, true); ok {
		return v
	}
	return bigCos(x)
}

// cAsin is the C library's asin, correctly rounded.
func cAsin(y float64) float64 {
	if v, ok := ddAsin(y); ok {
		return v
	}
	return bigAsin(y)
}

// ---- double-double arithmetic ----

// dd is the unevaluated sum hi + lo, |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func ddAdd(x, y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddMul(x, y dd) dd {
	p := x.hi * y.hi
	e := math.FMA(x.hi, y.hi, -p)
	e += float64(x.hi*y.lo) + float64(x.lo*y.hi)
	return quickTwoSum(p, e)
}

// ddDiv divides x by a small integer n (exact as a double).
func ddDiv(x dd, n float64) dd {
	q := x.hi / n
	p := q * n
	e := math.FMA(q, n, -p)
	r := ((x.hi - p) - e + x.lo) / n
	return quickTwoSum(q, r)
}

// round returns the double nearest v, and whether every value within
// err of v rounds to it (so that v's error cannot change the result).
func (v dd) round(err float64) (float64, bool) {
	lo, hi := v.hi+(v.lo-err), v.hi+(v.lo+err)
	return v.hi + v.lo, lo == hi
}

// halfPiParts are π/2 split into parts of 30 significant bits, so that
// k times a part is exact for k < 2^23 (Cody and Waite's reduction).
var halfPiParts = func() [4]float64 {
	initPi()
	var p [4]float64
	rest := new(big.Float).SetPrec(piPrec).Set(halfPiBig)
	for i := range p {
		part := new(big.Float).SetPrec(30).Set(rest)
		p[i], _ = part.Float64()
		rest.Sub(rest, part)
	}
	return p
}()

// ddSinCos is sin (or cos) of x in double-double arithmetic, rounded,
// ok false when the rounding is in doubt or |x| is too large for the
// quick reduction.
func ddSinCos(x float64, cos bool) (float64, bool) {
	ax := math.Abs(x)
	switch {
	case math.IsNaN(x) || ax >= 0x1p20:
		return 0, false
	case !cos && ax < 0x1p-26:
		return x, true
	case cos && ax < 0x1p-27:
		return 1, true
	}
	r := dd{x, 0}
	q := 0
	absErr := 0.0
	if ax > math.Pi/4 {
		k := math.RoundToEven(x * (2 / math.Pi))
		r = dd{x - k*halfPiParts[0], 0} // exact: Sterbenz
		for _, p := range halfPiParts[1:] {
			r = ddAdd(r, dd{-k * p, 0})
		}
		q = int(int64(k) & 3)
		absErr = 0x1p-96
		if math.Abs(r.hi) > math.Pi/4*1.0001 {
			return 0, false
		}
	}
	if cos {
		q++
	}
	var v dd
	if q&1 == 0 {
		v = ddSeries(r, r, 1)
	} else {
		v = ddSeries(r, dd{1, 0}, 0)
	}
	if q&2 != 0 {
		v = dd{-v.hi, -v.lo}
	}
	return v.round(absErr + math.Abs(v.hi)*0x1p-92)
}

// ddSeries sums first - first*r^2/((k+1)(k+2)) + ... for |r| <= π/4:
// sin's series from r and 1, cos's from 1 and 0.
func ddSeries(r, first dd, k0 int) dd {
	r2 := ddMul(r, r)
	sum, term := first, first
	for k := k0; ; k += 2 {
		term = ddMul(term, r2)
		term = ddDiv(term, float64((k+1)*(k+2)))
		term = dd{-term.hi, -term.lo}
		sum = ddAdd(sum, term)
		if math.Abs(term.hi) < math.Abs(sum.hi)*0x1p-110 {
			return sum
		}
	}
}

// ddAsin is asin(y) by one Newton step from Go's math.Asin, with sin in
// double-double arithmetic; ok false when the rounding is in doubt or
// |y| is close to 1 (where the step converges slowly).
func ddAsin(y float64) (float64, bool) {
	ay := math.Abs(y)
	switch {
	case math.IsNaN(y) || ay > 0.99:
		return 0, false
	case ay < 0x1p-26:
		return y, true
	}
	z0 := math.Asin(y)
	r := dd{z0, 0}
	var s dd
	if math.Abs(z0) <= math.Pi/4 {
		s = ddSeries(r, r, 1)
	} else {
		// sin z0 = ±cos(|z0| - π/2), |z0| < π/2.
		a := math.Abs(z0)
		d := dd{a - halfPiParts[0], 0}
		for _, p := range halfPiParts[1:] {
			d = ddAdd(d, dd{-p, 0})
		}
		s = ddSeries(d, dd{1, 0}, 0)
		if z0 < 0 {
			s = dd{-s.hi, -s.lo}
		}
	}
	// z = z0 + (y - sin z0)/cos z0; y - s.hi is exact (Sterbenz).
	corr := ((y - s.hi) - s.lo) / math.Cos(z0)
	z := quickTwoSum(z0, corr)
	return z.round(math.Abs(z0)*0x1p-88 + 0x1p-100)
}
