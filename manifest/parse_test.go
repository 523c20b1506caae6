package manifest

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func base(name string, seq int64) *File { return &File{Name: name, Seq: seq, Type: Base} }
func hist(name string, seq int64) File  { return File{Name: name, Seq: seq, Type: History} }
func incr(name string, seq int64) File  { return File{Name: name, Seq: seq, Type: Incr} }

var equateEmpty = cmpopts.EquateEmpty()

func TestParse(t *testing.T) {
	long := func(n int) string {
		return "file " + strings.Repeat("a", n-len("file  seq 1 type b")) + " seq 1 type b"
	}
	tests := []struct {
		name, in string
		want     *Manifest
	}{
		{"redis", "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
			&Manifest{Base: base("appendonly.aof.2.base.rdb", 2), Incr: []File{incr("appendonly.aof.2.incr.aof", 2)}}},
		{"spec example", "file appendonly.aof.7.base.rdb seq 7 type b\nfile appendonly.aof.2.incr.aof seq 2 type h\n" +
			"file appendonly.aof.6.base.rdb seq 6 type h\nfile appendonly.aof.1.incr.aof seq 1 type h\n" +
			"file appendonly.aof.5.base.rdb seq 5 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n",
			&Manifest{Base: base("appendonly.aof.7.base.rdb", 7),
				History: []File{hist("appendonly.aof.2.incr.aof", 2), hist("appendonly.aof.6.base.rdb", 6),
					hist("appendonly.aof.1.incr.aof", 1), hist("appendonly.aof.5.base.rdb", 5)},
				Incr: []File{incr("appendonly.aof.3.incr.aof", 3)}}},
		{"comments only", "# a comment\n#another\n", &Manifest{}},
		{"comment without newline", "file a seq 1 type i\n# last", &Manifest{Incr: []File{incr("a", 1)}}},
		{"comments between", "#x\nfile a seq 1 type b\n#y\n", &Manifest{Base: base("a", 1)}},
		{"CRLF", "file a seq 1 type b\r\nfile b seq 1 type i\r\n", &Manifest{Base: base("a", 1), Incr: []File{incr("b", 1)}}},
		{"blanks around", " \t file a seq 1 type b \t\r\n", &Manifest{Base: base("a", 1)}},
		{"upper-case keys", "FILE a Seq 1 TyPe b\n", &Manifest{Base: base("a", 1)}},
		{"type incr", "file a seq 1 type incr\n", &Manifest{Incr: []File{incr("a", 1)}}},
		{"type base history", "file a seq 1 type base\nfile h seq 9 type history\n",
			&Manifest{Base: base("a", 1), History: []File{hist("h", 9)}}},
		{"keys in any order", "type b seq 3 file a\n", &Manifest{Base: base("a", 3)}},
		{"unknown keys", "file a seq 1 type b size 10 Foo \"x y\"\n",
			&Manifest{Base: &File{Name: "a", Seq: 1, Type: Base, Extra: [][2]string{{"size", "10"}, {"Foo", "x y"}}}}},
		{"repeated key overwrites", "file a seq 1 type i file b seq 2 type b\n", &Manifest{Base: base("b", 2)}},
		{"gaps in incr", "file a seq 1 type i\nfile b seq 5 type i\nfile c seq 100 type i\n",
			&Manifest{Incr: []File{incr("a", 1), incr("b", 5), incr("c", 100)}}},
		{"history anywhere", "file h1 seq 1 type h\nfile i seq 1 type i\nfile h2 seq 7 type h\nfile b seq 2 type b\nfile h3 seq 3 type h\n",
			&Manifest{Base: base("b", 2), History: []File{hist("h1", 1), hist("h2", 7), hist("h3", 3)}, Incr: []File{incr("i", 1)}}},
		{"history seqs unordered", "file a seq 5 type h\nfile b seq 5 type h\nfile c seq 1 type h\n",
			&Manifest{History: []File{hist("a", 5), hist("b", 5), hist("c", 1)}}},
		{"quoted name", `file " file seq \n\n.aof .2.base.rdb" seq 2 type b` + "\n",
			&Manifest{Base: base(" file seq \n\n.aof .2.base.rdb", 2)}},
		{"escapes", `file "a\\b\"c\r\t\a\b\x41\xfF\q" seq 1 type b` + "\n", nil}, // '\\' makes it a path
		{"escapes no backslash", `file "a\"c\r\t\a\b\x41\xfF\q'" seq 1 type b` + "\n",
			&Manifest{Base: base("a\"c\r\t\a\bA\xffq'", 1)}},
		{"single quotes", `file 'it\'s "x"' seq 1 type b` + "\n", &Manifest{Base: base(`it's "x"`, 1)}},
		{"quote inside token", `file ab"c d"e seq 1 type b` + "\n", nil},
		{"quote joins token", `file ab"c d" seq 1 type b` + "\n", &Manifest{Base: base("abc d", 1)}},
		{"seq atoll", "file a seq 12abc type b\nfile b seq +3 type i\nfile c seq \" 4\" type i\n",
			&Manifest{Base: base("a", 12), Incr: []File{incr("b", 3), incr("c", 4)}}},
		{"seq negative base", "file a seq -5 type b\n", &Manifest{Base: base("a", -5)}},
		{"seq saturates", "file a seq 99999999999999999999 type b\nfile b seq -99999999999999999999 type h\n",
			&Manifest{Base: base("a", 1<<63-1), History: []File{hist("b", -1<<63)}}},
		{"high bytes bare", "file \xe9t\xe9 seq 1 type b\n", &Manifest{Base: base("\xe9t\xe9", 1)}},
		{"vertical tab separates at start only", "\vfile a\vb seq 1 type b\n", &Manifest{Base: base("a\vb", 1)}},
		{"1023-byte line", long(1023) + "\n", &Manifest{Base: base(strings.Repeat("a", 1023-len("file  seq 1 type b")), 1)}},
		{"1023-byte line CRLF too long", long(1023) + "\r\n", nil},
		{"1022-byte line CRLF", long(1022) + "\r\n", &Manifest{Base: base(strings.Repeat("a", 1022-len("file  seq 1 type b")), 1)}},
		{"long comment", "#" + strings.Repeat("x", 5000) + "\nfile a seq 1 type b\n", nil},
		{"long comment of 1024-byte chunks", "#" + strings.Repeat("x", 1023) + "#" + strings.Repeat("x", 1023) + "#\nfile a seq 1 type b\n",
			&Manifest{Base: base("a", 1)}},
		{"long comment tail parsed as a line", "#" + strings.Repeat("x", 1023) + "file a seq 1 type b\n", &Manifest{Base: base("a", 1)}},
		{"NUL in comment", "#\x00\nfile a seq 1 type b\n", &Manifest{Base: base("a", 1)}},
		{"NUL after newline is next line", "file a seq 1 type b\n#\x00", &Manifest{Base: base("a", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Parse = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, equateEmpty); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			// One byte at a time gives the same.
			got2, err := Parse(iotest.OneByteReader(strings.NewReader(tt.in)))
			if err != nil || !cmp.Equal(got, got2, equateEmpty) {
				t.Errorf("Parse(OneByteReader) = %+v, %v", got2, err)
			}
		})
	}
}

var tooLong = strings.Repeat("a", 1024)

// parseErrorTests are malformed manifests and the error Parse gives.
var parseErrorTests = []struct {
	name, in string
	line     int
	msg      string
}{
	{"empty", "", 0, "Found an empty AOF manifest"},
	{"blank line", "file a seq 1 type b\n\nfile b seq 1 type i\n", 2, "Invalid AOF manifest file format"},
	{"whitespace line", "file a seq 1 type b\n \t\r\n", 2, "Invalid AOF manifest file format"},
	{"only newline", "\n", 1, "Invalid AOF manifest file format"},
	{"last line without newline", "file a seq 1 type b\nfile b seq 1 type i", 2, "The AOF manifest file contains too long line"},
	{"only line without newline", "file a seq 1 type b", 1, "The AOF manifest file contains too long line"},
	{"1024-byte line", "file " + tooLong[:1024-len("file  seq 1 type b")] + " seq 1 type b\n", 1, "The AOF manifest file contains too long line"},
	{"very long line", "#c\n" + tooLong + tooLong + "\n", 2, "The AOF manifest file contains too long line"},
	{"long comment tail", "#" + strings.Repeat("x", 1023) + "yyy\n", 2, "Invalid AOF manifest file format"},
	{"NUL in line", "file a\x00 seq 1 type b\n", 1, "The AOF manifest file contains too long line (a NUL byte ends the line for Redis)"},
	{"too few tokens", "file a seq 1\n", 1, "Invalid AOF manifest file format"},
	{"odd tokens", "file a seq 1 type b x\n", 1, "Invalid AOF manifest file format"},
	{"unterminated double quote", "file \"a seq 1 type b\n", 1, "Invalid AOF manifest file format"},
	{"unterminated single quote", "file 'a seq 1 type b\n", 1, "Invalid AOF manifest file format"},
	{"closing quote followed", "file \"a\"b seq 1 type b\n", 1, "Invalid AOF manifest file format"},
	{"closing single quote followed", "file 'a'b seq 1 type b\n", 1, "Invalid AOF manifest file format"},
	{"backslash at end in quotes", "file a seq 1 type \"b\\\n", 1, "Invalid AOF manifest file format"},
	{"missing file", "seq 1 type b x y\n", 1, "Invalid AOF manifest file format"},
	{"missing seq", "file a type b x y\n", 1, "Invalid AOF manifest file format"},
	{"missing type", "file a seq 1 x y\n", 1, "Invalid AOF manifest file format"},
	{"seq 0", "file a seq 0 type b\n", 1, "Invalid AOF manifest file format"},
	{"seq unparsable", "file a seq x1 type b\n", 1, "Invalid AOF manifest file format"},
	{"empty type", "file a seq 1 type \"\"\n", 1, "Invalid AOF manifest file format"},
	{"NUL type", "file a seq 1 type \"\\x00i\"\n", 1, "Invalid AOF manifest file format"},
	{"path slash", "file dir/a seq 1 type b\n", 1, "File can't be a path, just a filename"},
	{"path backslash", "file \"a\\\\b\" seq 1 type b\n", 1, "File can't be a path, just a filename"},
	{"path then overwritten", "file a/b file c seq 1 type b\n", 1, "File can't be a path, just a filename"},
	{"dot", "file . seq 1 type b\n", 1, `File name can't be "." or ".."`},
	{"dotdot", "file .. seq 1 type b\n", 1, `File name can't be "." or ".."`},
	{"empty name", "file \"\" seq 1 type b\n", 1, "File name can't be empty"},
	{"NUL name", "file \"a\\x00b\" seq 1 type b\n", 1, "File name can't contain a NUL byte (Redis would cut the name there)"},
	{"duplicate base", "file a seq 1 type b\nfile b seq 2 type b\n", 2, "Found duplicate base file information"},
	{"unknown type", "file a seq 1 type x\n", 1, "Unknown AOF file type"},
	{"upper-case type", "file a seq 1 type B\n", 1, "Unknown AOF file type"},
	{"non-monotonic", "file a seq 2 type i\nfile b seq 2 type i\n", 2, "Found a non-monotonic sequence number"},
	{"decreasing", "file a seq 3 type i\nfile h seq 9 type h\nfile b seq 1 type i\n", 3, "Found a non-monotonic sequence number"},
	{"negative incr", "file a seq -1 type i\n", 1, "Found a non-monotonic sequence number"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %+v, %v; want a *ParseError", m, err)
			}
			if pe.Line != tt.line || pe.Msg != tt.msg {
				t.Errorf("Parse: line %d %q, want line %d %q", pe.Line, pe.Msg, tt.line, tt.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			if m != nil {
				t.Errorf("Parse returned a manifest with an error")
			}
		})
	}
}

func TestParseErrorText(t *testing.T) {
	_, err := Parse(strings.NewReader("# c\nfile a seq 1 type b\nfile b seq 2 type b\n"))
	want := `manifest: line 3: Found duplicate base file information: "file b seq 2 type b"`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	_, err = Parse(strings.NewReader(""))
	if want := "manifest: Found an empty AOF manifest"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Parse(iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
		t.Errorf("Parse(ErrReader) = %v", err)
	}
	// An error after some bytes fails too, as fgets does.
	_, err = Parse(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("file a seq 1 type b\n"))))
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("Parse(TimeoutReader) = %v", err)
	}
}

func TestParseTooManyLines(t *testing.T) {
	in := strings.Repeat("#\n", MaxLines) + "file a seq 1 type b\n"
	_, err := Parse(strings.NewReader(in))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != MaxLines+1 || !strings.Contains(pe.Msg, "more than") {
		t.Errorf("Parse(%d lines) = %v", MaxLines+1, err)
	}
	if _, err := Parse(strings.NewReader(in[:2*MaxLines])); err != nil {
		t.Errorf("Parse(%d lines) = %v", MaxLines, err)
	}
}

func TestAtoll(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "x": 0, "0": 0, "7": 7, "-7": -7, "+7": 7, " \t\v\f\r\n8": 8, "9x9": 9, "- 1": 0,
		"9223372036854775807": 1<<63 - 1, "9223372036854775808": 1<<63 - 1, "-9223372036854775808": -1 << 63,
		"-9223372036854775809": -1 << 63, "123456789012345678901234567890": 1<<63 - 1, "00012": 12,
	} {
		if got := atoll(in); got != want {
			t.Errorf("atoll(%q) = %d, want %d", in, got, want)
		}
	}
}
