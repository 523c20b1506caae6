package keyspace

import "testing"

// The expected values are redis-server 7.0.15's INCRBYFLOAT replies.
func TestIncrLongDouble(t *testing.T) {
	for _, c := range []struct{ cur, incr, want, err string }{
		{"0", "0.1", "0.1", ""},
		{"10.5", "0.1", "10.6", ""},
		{"5.0e3", "2.0e2", "5200", ""},
		{"1e300", "1", "1000000000000000000008997324079559193870", ""}, // prefix checked below
		{"0", "0x10", "16", ""},
		{"0x1p3", "1", "9", ""},
		{"0", "1e-4940", "0", ""},
		{"-0.5", "0.5", "0", ""},
		{"0", "0b1", "", errNotFloat},
		{"0", "1_0", "", errNotFloat},
		{"0", "1e-5000", "", errNotFloat},
		{"0", "1e4933", "", errNotFloat},
		{"0", " 1", "", errNotFloat},
		{"0", "nan", "", errNotFloat},
		{"0", "inf", "", errFloatOverflow},
		{"abc", "1", "", errNotFloat},
	} {
		got, err := incrLongDouble([]byte(c.cur), []byte(c.incr))
		if err != c.err || len(got) < len(c.want) || string(got[:len(c.want)]) != c.want {
			t.Errorf("%s + %s = %.40s %q, want %s %q", c.cur, c.incr, got, err, c.want, c.err)
		}
	}
	v := []byte("0")
	for range 10 {
		v, _ = incrLongDouble(v, []byte("0.1"))
	}
	if string(v) != "1" { // float64 would give 0.99999999999999989
		t.Errorf("0.1 added ten times: %s, want 1", v)
	}
}
