package resp

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
)

// benchRead reads all commands of in per iteration and reports bytes/s
// and commands/s.
func benchRead(b *testing.B, in []byte, opts *ReaderOptions) {
	br := bytes.NewReader(in)
	rd := NewReaderOptions(br, opts)
	cmds := 0
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(in)
		rd.Reset(br)
		for {
			_, err := rd.ReadCommand()
			if err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			cmds++
		}
	}
	b.ReportMetric(float64(cmds)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkReadFixture reads AOF files written by redis-server 7.0.15.
func BenchmarkReadFixture(b *testing.B) {
	for _, name := range []string{fixtureAOFs[0], fixtureAOFs[1], fixtureAOFs[3]} {
		in := readFixture(b, name)
		b.Run(strings.ReplaceAll(name, "/", "_"), func(b *testing.B) { benchRead(b, in, nil) })
	}
}

// BenchmarkParseFixture is BenchmarkReadFixture with ParseCommand over
// the file in memory.
func BenchmarkParseFixture(b *testing.B) {
	for _, name := range []string{fixtureAOFs[0], fixtureAOFs[1]} {
		in := readFixture(b, name)
		b.Run(strings.ReplaceAll(name, "/", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			cmds := 0
			for b.Loop() {
				for off := 0; off < len(in); {
					_, n, err := ParseCommand(in[off:])
					if err != nil {
						if err == io.EOF {
							break
						}
						b.Fatal(err)
					}
					off += n
					cmds++
				}
			}
			b.ReportMetric(float64(cmds)/b.Elapsed().Seconds(), "cmds/s")
		})
	}
}

// smallCommands is n SET commands with 10-byte keys and 20-byte values.
func smallCommands(n int) []byte {
	var in []byte
	val := strings.Repeat("v", 20)
	for i := range n {
		in = AppendCommandString(in, "SET", "key:"+strconv.Itoa(100000+i), val)
	}
	return in
}

// BenchmarkReadSmallCommands reads SET k v commands, as an AOF of small
// writes holds.
func BenchmarkReadSmallCommands(b *testing.B) { benchRead(b, smallCommands(10000), nil) }

// BenchmarkReadLargeValues reads SET commands with 1 MiB values, longer
// than the buffer.
func BenchmarkReadLargeValues(b *testing.B) {
	var in []byte
	val := strings.Repeat("v", 1<<20)
	for i := range 16 {
		in = AppendCommandString(in, "SET", "key:"+strconv.Itoa(i), val)
	}
	benchRead(b, in, nil)
}

func BenchmarkParseSmallCommand(b *testing.B) {
	in := AppendCommandString(nil, "SET", "key:100000", strings.Repeat("v", 20))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseCommand(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	args := [][]byte{[]byte("SET"), []byte("key:100000"), bytes.Repeat([]byte("v"), 20)}
	buf := AppendCommand(nil, args...)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommand(buf[:0], args...)
	}
}

func BenchmarkAppendCommandString(b *testing.B) {
	args := []string{"SET", "key:100000", strings.Repeat("v", 20)}
	buf := AppendCommandString(nil, args...)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommandString(buf[:0], args...)
	}
}

// BenchmarkAppendFixture re-encodes every command of an AOF.
func BenchmarkAppendFixture(b *testing.B) {
	in := readFixture(b, fixtureAOFs[1])
	var cmds [][][]byte
	for off := 0; off < len(in); {
		args, n, err := ParseCommand(in[off:])
		if err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, args)
		off += n
	}
	out := make([]byte, 0, len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		out = out[:0]
		for _, c := range cmds {
			out = AppendCommand(out, c...)
		}
	}
}

func BenchmarkWriterReplies(b *testing.B) {
	w := NewWriter(io.Discard)
	val := []byte(strings.Repeat("v", 20))
	b.ReportAllocs()
	for b.Loop() {
		w.WriteSimpleString("OK")
		w.WriteInt(42)
		w.WriteBulk(val)
		w.WriteNull()
	}
	w.Flush()
}

func BenchmarkReadReply(b *testing.B) {
	var in []byte
	in = AppendArrayLen(in, 10)
	for range 10 {
		in = AppendBulkString(in, "member:12345")
	}
	br := bytes.NewReader(in)
	rd := NewReader(br)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(in)
		rd.Reset(br)
		if _, err := rd.ReadReply(); err != nil {
			b.Fatal(err)
		}
	}
}
