package rdb

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// transcript is everything a caller of a Reader sees, in order: each
// entry or RESIZEDB hint with the offset after it, then the final error
// and offset, and what the Reader kept.
type transcript struct {
	Events    []string
	Entries   []*Entry
	End       string
	Aux       []Aux
	Functions [][]byte
	ModuleAux []ModuleAux
	Empty     int64
	Stored    uint64
	Computed  uint64
	Checked   bool
}

func readTranscript(data []byte, ahead, lend bool) transcript {
	var tr transcript
	rd := NewReader(bytes.NewReader(data), &ReaderOptions{
		Now:         time.UnixMilli(1),
		ReadAhead:   ahead,
		LendEntries: lend,
		OnResizeDB: func(db int, keys, expires uint64) {
			tr.Events = append(tr.Events, fmt.Sprintf("hint db=%d keys=%d expires=%d", db, keys, expires))
		},
	})
	defer rd.Close()
	for {
		e, err := rd.Next()
		if err != nil {
			tr.End = fmt.Sprintf("%v at %d", err, rd.Offset())
			break
		}
		tr.Entries = append(tr.Entries, e.Clone()) // lent entries are reused
		tr.Events = append(tr.Events, fmt.Sprintf("entry %q at %d", e.Key, rd.Offset()))
	}
	tr.Aux, tr.Functions, tr.ModuleAux, tr.Empty = rd.Aux(), rd.Functions(), rd.ModuleAux(), rd.EmptyKeys()
	tr.Stored, tr.Computed, tr.Checked = rd.Checksum()
	return tr
}

// bigRDB writes n string keys per database in 3 databases, with
// RESIZEDB records, so that a read spans many read-ahead batches.
func bigRDB(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, nil)
	for db := range 3 {
		must(t, w.SelectDB(db*2, uint64(n), 0))
		for i := range n {
			s := strconv.Itoa(i)
			must(t, w.WriteEntry(&Entry{Key: []byte("key:" + s), Value: String("value:" + s)}))
		}
	}
	must(t, w.Close())
	return buf.Bytes()
}

// TestReadAheadSameAsSync reads every fixture, a file of many keys, and
// truncated and corrupted copies of them, with and without ReadAhead and
// LendEntries: the caller must see the same entries, hints, offsets,
// errors and records.
func TestReadAheadSameAsSync(t *testing.T) {
	inputs := map[string][]byte{"big": bigRDB(t, 3*aheadBatch+17)}
	for name, path := range fixtureFiles(t) {
		inputs[name] = readFile(t, path)
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for name, data := range inputs {
		check := func(what string, data []byte) {
			t.Helper()
			want := readTranscript(data, false, false)
			for _, mode := range []struct{ ahead, lend bool }{{true, false}, {false, true}, {true, true}} {
				got := readTranscript(data, mode.ahead, mode.lend)
				if !reflect.DeepEqual(want, got) {
					// cmp.Diff of whole transcripts is slow: show the events.
					t.Fatalf("%s %s: ReadAhead %v LendEntries %v differs; events and end (-plain +got):\n%s",
						name, what, mode.ahead, mode.lend,
						cmp.Diff(append(want.Events, want.End), append(got.Events, got.End)))
				}
			}
		}
		check("whole", data)
		for range 8 {
			n := r.IntN(len(data))
			check(fmt.Sprintf("cut at %d", n), data[:n])
			bad := bytes.Clone(data)
			i := r.IntN(len(bad))
			bad[i] ^= byte(1 + r.IntN(255))
			check(fmt.Sprintf("byte %d changed", i), bad)
		}
	}
}

// TestReadAheadClose stops reading early: Close returns once the
// producer has, and is idempotent.
func TestReadAheadClose(t *testing.T) {
	data := bigRDB(t, 4*aheadBatch*aheadBatches)
	for _, stopAfter := range []int{0, 1, aheadBatch, 3 * aheadBatch} {
		rd := NewReader(bytes.NewReader(data), &ReaderOptions{ReadAhead: true})
		for range stopAfter {
			if _, err := rd.Next(); err != nil {
				t.Fatal(err)
			}
		}
		must(t, rd.Close())
		must(t, rd.Close())
		if rd.ahead != nil {
			select {
			case <-rd.ahead.done:
			default:
				t.Fatalf("after %d entries: the producer is still running after Close", stopAfter)
			}
		}
	}
	// Without read-ahead, and after io.EOF, Close does nothing.
	rd := NewReader(bytes.NewReader(data), nil)
	must(t, rd.Close())
	rd = NewReader(bytes.NewReader(data), &ReaderOptions{ReadAhead: true})
	for {
		if _, err := rd.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	must(t, rd.Close())
}

// FuzzReadAhead checks that any input reads the same with and without
// ReadAhead (and LendEntries): entries, hints, offsets, the error and
// what is kept.
func FuzzReadAhead(f *testing.F) {
	f.Add(bigRDB(f, aheadBatch+3))
	for _, path := range fixtureFiles(f) {
		if data := readFile(f, path); len(data) <= 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := readTranscript(data, false, false)
		for _, mode := range []struct{ ahead, lend bool }{{true, false}, {true, true}} {
			if got := readTranscript(data, mode.ahead, mode.lend); !reflect.DeepEqual(want, got) {
				t.Fatalf("ReadAhead %v LendEntries %v differs; events and end (-plain +got):\n%s", mode.ahead, mode.lend,
					cmp.Diff(append(want.Events, want.End), append(got.Events, got.End)))
			}
		}
	})
}
