package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

type replyCase struct {
	in   string
	want string // Value.String(), or "eof", "trunc", "proto", "limit"
}

var replyCases = []replyCase{
	{"+OK\r\n", "OK"},
	{"+\r\n", ""},
	{"-ERR unknown command\r\n", "(error) ERR unknown command"},
	{":0\r\n", "0"},
	{":-42\r\n", "-42"},
	{":9223372036854775807\r\n", "9223372036854775807"},
	{":-9223372036854775808\r\n", "-9223372036854775808"},
	{"$5\r\nhello\r\n", `"hello"`},
	{"$0\r\n\r\n", `""`},
	{"$-1\r\n", "(nil)"},
	{"*-1\r\n", "(nil)"},
	{"*0\r\n", "array[]"},
	{"*2\r\n$1\r\na\r\n:1\r\n", `array["a" 1]`},
	{"*2\r\n*1\r\n+x\r\n*0\r\n", "array[array[x] array[]]"},
	{"_\r\n", "(nil)"},
	{",1.5\r\n", "1.5"},
	{",-0.25\r\n", "-0.25"},
	{",10\r\n", "10"},
	{",1e300\r\n", "1e+300"},
	{",1E-5\r\n", "0.00001"},
	{",inf\r\n", "inf"},
	{",-inf\r\n", "-inf"},
	{",nan\r\n", "nan"},
	{",1e999\r\n", "inf"},
	{"#t\r\n", "true"},
	{"#f\r\n", "false"},
	{"(3492890328409238509324850943850943825024385\r\n", "3492890328409238509324850943850943825024385"},
	{"(-1\r\n", "-1"},
	{"=15\r\ntxt:Some string\r\n", `txt:"Some string"`},
	{"=4\r\nmkd:\r\n", `mkd:""`},
	{"!21\r\nSYNTAX invalid syntax\r\n", "(error) SYNTAX invalid syntax"},
	{"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "map[first 1 second 2]"},
	{"~2\r\n+a\r\n+b\r\n", "set[a b]"},
	{">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n", `push[message chan "hi"]`},
	{"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*1\r\n:2039123\r\n", `|[key-popularity map["a" 0.1923]]array[2039123]`},

	{"", "eof"},
	{"+OK", "trunc"},
	{"+OK\r", "trunc"},
	{"$5\r\nhel", "trunc"},
	{"$5\r\nhello\r", "trunc"},
	{"*2\r\n:1\r\n", "trunc"},
	{"%1\r\n+a\r\n", "trunc"},
	{"|1\r\n+a\r\n+b\r\n", "trunc"},
	{"=15\r\ntxt:Some", "trunc"},
	{":12", "trunc"},

	{"?\r\n", "proto"},
	{"+OK\n", "proto"},
	{":\r\n", "proto"},
	{":+1\r\n", "proto"},
	{":01\r\n", "proto"},
	{":1.5\r\n", "proto"},
	{":9223372036854775808\r\n", "proto"},
	{"$-2\r\n", "proto"},
	{"$3\r\nabcde", "proto"},
	{"*-2\r\n", "proto"},
	{"%-1\r\n", "proto"},
	{"~-1\r\n", "proto"},
	{"_x\r\n", "proto"},
	{",\r\n", "proto"},
	{",1.\r\n", "proto"},
	{",.5\r\n", "proto"},
	{",1e\r\n", "proto"},
	{",0x10\r\n", "proto"},
	{",1_0\r\n", "proto"},
	{",Inf\r\n", "proto"},
	{"#x\r\n", "proto"},
	{"#tt\r\n", "proto"},
	{"(\r\n", "proto"},
	{"(12a\r\n", "proto"},
	{"=3\r\ntxt\r\n", "proto"},
	{"=5\r\ntxt-x\r\n", "proto"},
	{"$?\r\n", "proto"},
	{"*?\r\n", "proto"},
	{"$536870913\r\n", "limit"},
}

func TestReadReply(t *testing.T) {
	for _, tc := range replyCases {
		for _, rc := range readerConfigs {
			rd := NewReaderOptions(rc.wrap(strings.NewReader(tc.in)), rc.opts)
			v, err := rd.ReadReply()
			got := errClass(err)
			if err == nil {
				got = v.String()
			}
			if got != tc.want {
				t.Errorf("%q, %s: %s, want %s", tc.in, rc.name, got, tc.want)
				continue
			}
			if err != nil {
				if _, err2 := rd.ReadReply(); err2 != err {
					t.Errorf("%q: not sticky: %v then %v", tc.in, err, err2)
				}
				continue
			}
			if rd.Offset() != 0 || rd.End() != int64(len(tc.in)) {
				t.Errorf("%q, %s: at [%d,%d), want [0,%d)", tc.in, rc.name, rd.Offset(), rd.End(), len(tc.in))
			}
			if _, err := rd.ReadReply(); err != io.EOF {
				t.Errorf("%q, %s: then %v, want io.EOF", tc.in, rc.name, err)
			}
		}
	}
}

func TestReplyTypeFields(t *testing.T) {
	rd := NewReader(strings.NewReader("=8\r\ntxt:abcd\r\n%1\r\n+k\r\n$-1\r\n:7\r\n"))
	v, err := rd.ReadReply()
	if err != nil || v.Type != TypeVerbatim || v.Format != "txt" || string(v.Str) != "abcd" {
		t.Fatalf("%#v %v", v, err)
	}
	v, err = rd.ReadReply()
	if err != nil || v.Type != TypeMap || len(v.Elems) != 2 || !v.Elems[1].IsNull() || v.Elems[1].Type != TypeBulkString {
		t.Fatalf("%#v %v", v, err)
	}
	v, err = rd.ReadReply()
	if err != nil || v.Type != TypeInteger || v.Int != 7 || rd.Offset() != 27 || rd.End() != 31 {
		t.Fatalf("%#v %v [%d,%d)", v, err, rd.Offset(), rd.End())
	}
}

func TestReplyLongBulkAndDepth(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	in := string(AppendBulkString(nil, long)) + ":1\r\n"
	for _, rc := range readerConfigs {
		rd := NewReaderOptions(rc.wrap(strings.NewReader(in)), rc.opts)
		v, err := rd.ReadReply()
		if err != nil || string(v.Str) != long {
			t.Fatalf("%s: %v", rc.name, err)
		}
		if v, err := rd.ReadReply(); err != nil || v.Int != 1 {
			t.Fatalf("%s: after the long bulk: %v %v", rc.name, v, err)
		}
	}
	deep := strings.Repeat("*1\r\n", maxReplyDepth+2) + ":1\r\n"
	if _, err := NewReader(strings.NewReader(deep)).ReadReply(); errClass(err) != "proto" {
		t.Errorf("deep nesting: %v", err)
	}
	ok := strings.Repeat("*1\r\n", maxReplyDepth) + ":1\r\n"
	if _, err := NewReader(strings.NewReader(ok)).ReadReply(); err != nil {
		t.Errorf("nesting %d: %v", maxReplyDepth, err)
	}
	// A lying aggregate header allocates in proportion to what arrived.
	if _, err := NewReader(strings.NewReader("*2147483647\r\n:1\r\n")).ReadReply(); err != ErrTruncated {
		t.Errorf("lying array: %v", err)
	}
	if _, err := NewReaderOptions(strings.NewReader("*3\r\n"), &ReaderOptions{MaxArgs: 2}).ReadReply(); errClass(err) != "limit" {
		t.Errorf("MaxArgs on replies: %v", err)
	}
}

// TestAppendValueRoundTrip re-encodes every valid reply of the table and
// parses it again.
func TestAppendValueRoundTrip(t *testing.T) {
	for _, tc := range replyCases {
		v, err := NewReader(strings.NewReader(tc.in)).ReadReply()
		if err != nil {
			continue
		}
		enc := AppendValue(nil, v)
		v2, err := NewReader(bytes.NewReader(enc)).ReadReply()
		if err != nil || v2.String() != v.String() || !bytes.Equal(AppendValue(nil, v2), enc) {
			t.Errorf("%q: re-encoded %q: %v, %v", tc.in, enc, v2, err)
		}
	}
	// Exact bytes for the canonical forms.
	for _, in := range []string{"+OK\r\n", "-ERR x\r\n", ":-1\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n", "_\r\n", ",1.5\r\n", "#t\r\n", "(123\r\n", "=7\r\ntxt:abc\r\n", "!3\r\nERR\r\n", "%1\r\n+a\r\n+b\r\n", "~1\r\n+a\r\n", ">1\r\n+a\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n"} {
		v, err := NewReader(strings.NewReader(in)).ReadReply()
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := string(AppendValue(nil, v)); got != in {
			t.Errorf("AppendValue(%q) = %q", in, got)
		}
	}
	if got := AppendValue(nil, Value{Type: 'x'}); len(got) != 0 {
		t.Errorf("unknown type appended %q", got)
	}
}

func TestWriterRESP2AndRESP3(t *testing.T) {
	write := func(w *Writer) {
		w.WriteSimpleString("OK\r\nX")
		w.WriteError("ERR bad\nthing")
		w.WriteInt(-5)
		w.WriteBulk([]byte("ab"))
		w.WriteBulkString("")
		w.WriteNull()
		w.WriteNullArray()
		w.WriteArrayLen(1)
		w.WriteMapLen(1)
		w.WriteSetLen(2)
		w.WritePushLen(1)
		w.WriteDouble(1.5)
		w.WriteDouble(math.Inf(-1))
		w.WriteBool(true)
		w.WriteBool(false)
		w.WriteBigNumber("-123")
		w.WriteVerbatim("txt", []byte("hi"))
		w.WriteCommandString("GET", "k")
		w.WriteCommand([]byte("PING"))
		w.WriteValue(Value{Type: TypeBlobError, Str: []byte("E")})
	}
	var b2, b3 bytes.Buffer
	w := NewWriter(&b2)
	write(w)
	if err := w.WriteAttributeLen(1); err != ErrNeedRESP3 {
		t.Errorf("RESP2 attribute: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want2 := "+OK  X\r\n-ERR bad thing\r\n:-5\r\n$2\r\nab\r\n$0\r\n\r\n$-1\r\n*-1\r\n*1\r\n*2\r\n*2\r\n*1\r\n" +
		"$3\r\n1.5\r\n$4\r\n-inf\r\n:1\r\n:0\r\n$4\r\n-123\r\n$2\r\nhi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n!1\r\nE\r\n"
	if b2.String() != want2 {
		t.Errorf("RESP2:\n%q\nwant\n%q", b2.String(), want2)
	}
	w.Reset(&b3)
	if w.Protocol() != 2 {
		t.Error("Reset keeps the protocol")
	}
	w.SetProtocol(3)
	if w.Protocol() != 3 {
		t.Error("SetProtocol(3)")
	}
	write(w)
	if err := w.WriteAttributeLen(1); err != nil {
		t.Error(err)
	}
	w.Flush()
	want3 := "+OK  X\r\n-ERR bad thing\r\n:-5\r\n$2\r\nab\r\n$0\r\n\r\n_\r\n_\r\n*1\r\n%1\r\n~2\r\n>1\r\n" +
		",1.5\r\n,-inf\r\n#t\r\n#f\r\n(-123\r\n=6\r\ntxt:hi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n!1\r\nE\r\n|1\r\n"
	if b3.String() != want3 {
		t.Errorf("RESP3:\n%q\nwant\n%q", b3.String(), want3)
	}
}

type failWriter struct {
	n   int // bytes accepted before failing
	got bytes.Buffer
}

var errDiskFull = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.got.Len()+len(p) > f.n {
		k := f.n - f.got.Len()
		f.got.Write(p[:k])
		return k, errDiskFull
	}
	return f.got.Write(p)
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriterErrorsAreSticky(t *testing.T) {
	fw := &failWriter{n: 10}
	w := NewWriter(fw)
	big := bytes.Repeat([]byte("x"), writerFlushSize)
	if err := w.WriteBulk(big); err != errDiskFull {
		t.Fatalf("got %v", err)
	}
	for i, err := range []error{w.WriteInt(1), w.WriteBulkString("x"), w.Flush(), w.WriteCommandString("x"), w.WriteAttributeLen(1), w.WriteDouble(1), w.WriteValue(Value{Type: TypeNull})} {
		if err != errDiskFull {
			t.Errorf("call %d after failure: %v", i, err)
		}
	}
	w.Reset(shortWriter{})
	w.WriteInt(1)
	if err := w.Flush(); err != io.ErrShortWrite {
		t.Errorf("short write: %v", err)
	}
	// Long bulks go straight through, in order.
	var out bytes.Buffer
	w.Reset(&out)
	w.WriteInt(1)
	w.WriteBulk(big)
	w.WriteInt(2)
	w.Flush()
	want := string(AppendInt(AppendBulk(AppendInt(nil, 1), big), 2))
	if out.String() != want {
		t.Error("long bulk out of order")
	}
	// Flushing happens when the buffer fills.
	out.Reset()
	w.Reset(&out)
	for range 2000 {
		w.WriteBulkString("0123456789")
	}
	if out.Len() == 0 || w.Buffered() >= writerFlushSize {
		t.Errorf("written %d, buffered %d", out.Len(), w.Buffered())
	}
}

func TestDoubleText(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "-0"}, {1, "1"}, {-3, "-3"}, {1.5, "1.5"},
		{0.1, "0.1"}, {3.14159, "3.14159"}, {1e15, "1000000000000000"},
		{1 << 62, "4611686018427387904"}, {1e20, "1e+20"}, {1e21, "1e+21"},
		{1e22, "1e+22"}, {1.5e300, "1.5e+300"}, {123456789012345680000, "123456789012345680000"},
		{0.0001, "0.0001"}, {1e-7, "1e-7"}, {1.25e-7, "1.25e-7"}, {0.000001, "0.000001"},
		{1.5e-6, "1.5e-6"}, {123.456e-6, "1.23456e-4"}, {0.00123, "0.00123"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {-2.5e-10, "-2.5e-10"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	}
	for _, tc := range cases {
		got := string(appendDoubleText(nil, tc.f))
		if got != tc.want {
			t.Errorf("%v: %q, want %q", tc.f, got, tc.want)
		}
		f, ok := parseDouble([]byte(got))
		if !ok || (f != tc.f && !(math.IsNaN(f) && math.IsNaN(tc.f))) || math.Signbit(f) != math.Signbit(tc.f) {
			t.Errorf("%q parses back as %v, %v", got, f, ok)
		}
	}
}

func TestTypeString(t *testing.T) {
	for _, ty := range []Type{TypeSimpleString, TypeSimpleError, TypeInteger, TypeBulkString, TypeArray, TypeNull, TypeDouble, TypeBoolean, TypeBlobError, TypeVerbatim, TypeBigNumber, TypeMap, TypeSet, TypePush, 'x'} {
		if s := ty.String(); s == "" || (ty != 'x' && strings.HasPrefix(s, "type(")) {
			t.Errorf("%c: %q", ty, s)
		}
	}
	if s := (Value{Type: 'x'}).String(); s != "type("+strconv.Quote("x")+")" {
		t.Errorf("%q", s)
	}
}

func TestAppendReplies(t *testing.T) {
	var b []byte
	b = AppendArrayLen(b, 3)
	b = AppendMapLen(b, 1)
	b = AppendSetLen(b, 2)
	b = AppendPushLen(b, 12)
	b = AppendAttributeLen(b, 0)
	b = AppendSimpleString(b, "OK")
	b = AppendError(b, "ERR x")
	b = AppendInt(b, -12345)
	b = AppendBulk(b, []byte("a\r\nb"))
	b = AppendBulkString(b, "")
	b = AppendNullBulk(b)
	b = AppendNullArray(b)
	b = AppendNull(b)
	b = AppendDouble(b, -0.5)
	b = AppendBool(b, false)
	b = AppendBigNumber(b, "-99999999999999999999")
	b = AppendVerbatim(b, "mkd", []byte("# t"))
	b = AppendBlobError(b, []byte("ERR\r\nx"))
	want := "*3\r\n%1\r\n~2\r\n>12\r\n|0\r\n+OK\r\n-ERR x\r\n:-12345\r\n$4\r\na\r\nb\r\n$0\r\n\r\n$-1\r\n*-1\r\n_\r\n" +
		",-0.5\r\n#f\r\n(-99999999999999999999\r\n=7\r\nmkd:# t\r\n!6\r\nERR\r\nx\r\n"
	if string(b) != want {
		t.Errorf("got\n%q\nwant\n%q", b, want)
	}
}
