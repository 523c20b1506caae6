package rdb

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aofrdb/aofrdb/internal/crc64"
)

func crcOf(b []byte) uint64 { return crc64.Checksum(b) }

func FuzzReader(f *testing.F) {
	for name, path := range fixtureFiles(f) {
		data := readFile(f, path)
		if len(data) <= 64<<10 || name == "rdb-default" {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), &ReaderOptions{SkipChecksum: true, MaxStringSize: 1 << 20})
		for {
			e, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Fatalf("error is not a *CorruptError: %v", err)
				}
				return
			}
			if e.Value == nil {
				t.Fatal("entry without value")
			}
			// What was read can be written and read back.
			var buf bytes.Buffer
			w := NewWriter(&buf, nil)
			if err := w.WriteEntry(e); err != nil {
				if errors.Is(err, ErrInvalidValue) {
					continue // e.g. a stream whose nodes hold unordered IDs
				}
				t.Fatalf("WriteEntry: %v", err)
			}
			must(t, w.Close())
			got, _, err := readAll(&buf, nil)
			if err != nil || len(got) != 1 {
				t.Fatalf("rewritten entry does not read back: %v", err)
			}
		}
	})
}

func FuzzParseDump(f *testing.F) {
	var payloads []struct{ Key, Payload string }
	must(f, json.Unmarshal(readFile(f, "testdata/redis-7.0.15/dump-payloads/payloads.json"), &payloads))
	for _, p := range payloads {
		raw, err := base64.StdEncoding.DecodeString(p.Payload)
		must(f, err)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		// Test the decoder, not the CRC: fix the checksum up.
		if len(payload) >= 10 {
			payload = bytes.Clone(payload)
			body := payload[:len(payload)-8]
			sum := crcOf(body)
			for i := range 8 {
				payload[len(payload)-8+i] = byte(sum >> (8 * i))
			}
		}
		v, err := ParseDump(payload)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a *CorruptError: %v", err)
			}
			return
		}
		if _, err := AppendDump(nil, v, 11, true); err != nil && !errors.Is(err, ErrInvalidValue) {
			t.Fatalf("AppendDump of a parsed value: %v", err)
		}
	})
}
