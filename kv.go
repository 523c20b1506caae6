package aofrdb

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

// The typed helpers below use a Store as a durable map of byte strings
// in database 0, through the same commands a Redis client would send
// (SET, GET, DEL, ...), so what they write is what Redis would log.

// ReplyError is a command's error reply, such as WRONGTYPE.
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// Do runs the command args in database db (see Exec) and returns its
// reply in RESP2 form. A command's error reply is returned as the reply,
// not as an error.
func (s *Store) Do(ctx context.Context, db int, args ...[]byte) ([]byte, error) {
	c := keyspace.Call{DB: db, Args: args}
	if err := s.Exec(ctx, &c); err != nil {
		return nil, err
	}
	return c.Reply.Buf, nil
}

// do runs a command in database 0 and returns its reply, an error reply
// turned into a ReplyError.
func (s *Store) do(ctx context.Context, args ...[]byte) (resp.Value, error) {
	b, err := s.Do(ctx, 0, args...)
	if err != nil {
		return resp.Value{}, err
	}
	r, err := resp.NewReader(bytes.NewReader(b)).ReadReply()
	if err != nil {
		return resp.Value{}, fmt.Errorf("aofrdb: reading the reply of %s: %w", args[0], err)
	}
	if r.Type == resp.TypeSimpleError {
		return r, ReplyError(r.Str)
	}
	return r, nil
}

// Set sets key to value; a ttl above zero gives it that time to live (SET
// key value PX ttl), rounded down to the millisecond.
func (s *Store) Set(ctx context.Context, key, value []byte, ttl time.Duration) error {
	args := [][]byte{[]byte("SET"), key, value}
	if ttl > 0 {
		args = append(args, []byte("PX"), strconv.AppendInt(nil, max(ttl.Milliseconds(), 1), 10))
	}
	_, err := s.do(ctx, args...)
	return err
}

// Get returns key's value, and false when it does not exist.
func (s *Store) Get(ctx context.Context, key []byte) ([]byte, bool, error) {
	r, err := s.do(ctx, []byte("GET"), key)
	if err != nil || r.Null {
		return nil, false, err
	}
	return r.Str, true, nil
}

// Del deletes keys and returns how many existed.
func (s *Store) Del(ctx context.Context, keys ...[]byte) (int, error) {
	r, err := s.do(ctx, append([][]byte{[]byte("DEL")}, keys...)...)
	return int(r.Int), err
}

// Exists returns how many of keys exist (a key named twice counts twice).
func (s *Store) Exists(ctx context.Context, keys ...[]byte) (int, error) {
	r, err := s.do(ctx, append([][]byte{[]byte("EXISTS")}, keys...)...)
	return int(r.Int), err
}

// Expire gives key ttl to live (PEXPIRE), rounded down to the
// millisecond (a ttl under one is one), and reports whether it exists.
// A ttl of zero or less deletes it.
func (s *Store) Expire(ctx context.Context, key []byte, ttl time.Duration) (bool, error) {
	ms := ttl.Milliseconds()
	if ttl > 0 {
		ms = max(ms, 1)
	}
	r, err := s.do(ctx, []byte("PEXPIRE"), key, strconv.AppendInt(nil, ms, 10))
	return r.Int == 1, err
}

// TTL returns key's time to live: -1 when it has none, and -2 (and no
// error) when it does not exist, as PTTL replies.
func (s *Store) TTL(ctx context.Context, key []byte) (time.Duration, error) {
	r, err := s.do(ctx, []byte("PTTL"), key)
	if err != nil {
		return 0, err
	}
	if r.Int < 0 {
		return time.Duration(r.Int), nil
	}
	return time.Duration(r.Int) * time.Millisecond, nil
}

// Keys iterates over the keys of database 0 matching the glob pattern
// ("*" for all) with SCAN: every key present during the whole iteration
// comes once; keys added or deleted meanwhile may come or not. Writes may
// go on while it runs.
func (s *Store) Keys(ctx context.Context, pattern string) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		cursor := "0"
		for {
			r, err := s.do(ctx, []byte("SCAN"), []byte(cursor), []byte("MATCH"), []byte(pattern), []byte("COUNT"), []byte("1000"))
			if err != nil {
				yield(nil, err)
				return
			}
			if len(r.Elems) != 2 {
				yield(nil, fmt.Errorf("aofrdb: unexpected SCAN reply"))
				return
			}
			for _, k := range r.Elems[1].Elems {
				if !yield(k.Str, nil) {
					return
				}
			}
			cursor = string(r.Elems[0].Str)
			if cursor == "0" {
				return
			}
		}
	}
}
