package goredis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aofrdb/aofrdb/examples/server/respserver"
	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/rdb"
	"github.com/redis/go-redis/v9"
)

// start serves ks on a TCP port of 127.0.0.1 and returns the address.
func start(t *testing.T, ks keyspace.Keyspace) string {
	t.Helper()
	s := respserver.New(ks, nil)
	t.Cleanup(s.Shutdown)
	l, err := s.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l.Addr().String()
}

// newMemory returns a keyspace with the string keys given in database db.
func newMemory(t *testing.T, db int, keys ...string) *keyspace.Memory {
	t.Helper()
	m := keyspace.NewMemory(nil)
	for _, k := range keys {
		if err := m.Restore(&rdb.Entry{DB: db, Key: []byte(k), Value: rdb.String("v")}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func client(t *testing.T, addr string, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	ks := newMemory(t, 0, "a", "b", "c")
	c := client(t, start(t, ks), 0)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Exists(ctx, "a", "b", "x").Result(); n != 2 || err != nil {
		t.Errorf("Exists: %d, %v", n, err)
	}
	if ok, err := c.Expire(ctx, "a", time.Minute).Result(); !ok || err != nil {
		t.Errorf("Expire: %v, %v", ok, err)
	}
	if d, err := c.TTL(ctx, "a").Result(); d != time.Minute || err != nil {
		t.Errorf("TTL: %v, %v", d, err)
	}
	if n, err := c.Del(ctx, "a", "x").Result(); n != 1 || err != nil {
		t.Errorf("Del: %d, %v", n, err)
	}
	if s, err := c.Echo(ctx, "hi").Result(); s != "hi" || err != nil {
		t.Errorf("Echo: %q, %v", s, err)
	}
	err := c.Do(ctx, "NOPE").Err()
	if err == nil || err.Error() != "ERR unknown command 'NOPE', with args beginning with: " {
		t.Errorf("unknown command: %v", err)
	}
	if name, err := c.ClientGetName(ctx).Result(); name != "" || err != redis.Nil {
		t.Errorf("ClientGetName: %q, %v", name, err)
	}

	// SET and GET come with the string commands.
	if _, ok := ks.Command([]byte("set")); ok {
		if err := c.Set(ctx, "s", "value", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, "s").Result(); v != "value" || err != nil {
			t.Errorf("Get: %q, %v", v, err)
		}
		if _, err := c.Get(ctx, "nope").Result(); err != redis.Nil {
			t.Errorf("Get of a missing key: %v", err)
		}
	}
}

func TestSelect(t *testing.T) {
	ctx := context.Background()
	addr := start(t, newMemory(t, 3, "a"))
	c0, c3 := client(t, addr, 0), client(t, addr, 3)
	if n, err := c3.Exists(ctx, "a").Result(); n != 1 || err != nil {
		t.Errorf("Exists in DB 3: %d, %v", n, err)
	}
	if n, err := c0.Exists(ctx, "a").Result(); n != 0 || err != nil {
		t.Errorf("Exists in DB 0: %d, %v", n, err)
	}
	if n, err := c3.DBSize(ctx).Result(); n != 1 || err != nil {
		t.Errorf("DBSize in DB 3: %d, %v", n, err)
	}
}

func TestPipeline(t *testing.T) {
	ctx := context.Background()
	c := client(t, start(t, newMemory(t, 0, "a", "b")), 0)
	pipe := c.Pipeline()
	ping := pipe.Ping(ctx)
	exists := pipe.Exists(ctx, "a", "b")
	del := pipe.Del(ctx, "a")
	after := pipe.Exists(ctx, "a", "b")
	bad := pipe.Do(ctx, "EXISTS")
	if _, err := pipe.Exec(ctx); err == nil {
		t.Error("Exec: no error, want the EXISTS arity error")
	}
	if ping.Val() != "PONG" || exists.Val() != 2 || del.Val() != 1 || after.Val() != 1 {
		t.Errorf("pipeline: %v %v %v %v", ping, exists, del, after)
	}
	if err := bad.Err(); err == nil || err.Error() != "ERR wrong number of arguments for 'exists' command" {
		t.Errorf("pipelined error: %v", err)
	}

	// A long pipeline.
	pipe = c.Pipeline()
	var cmds []*redis.IntCmd
	for range 10000 {
		cmds = append(cmds, pipe.Exists(ctx, "b"))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if cmd.Val() != 1 {
			t.Fatalf("command %d: %v", i, cmd)
		}
	}
}

func TestTxPipeline(t *testing.T) {
	ctx := context.Background()
	c := client(t, start(t, newMemory(t, 0, "a", "b")), 0)
	var del, exists *redis.IntCmd
	_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		del = p.Del(ctx, "a")
		exists = p.Exists(ctx, "a", "b")
		return nil
	})
	if err != nil || del.Val() != 1 || exists.Val() != 1 {
		t.Errorf("TxPipelined: %v; %v %v", err, del, exists)
	}

	// An error while queuing aborts the transaction.
	_, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, "b")
		p.Do(ctx, "NOPE")
		return nil
	})
	if err == nil {
		t.Error("TxPipelined with an unknown command: no error")
	}
	if n := c.Exists(ctx, "b").Val(); n != 1 {
		t.Errorf("b deleted by an aborted transaction")
	}
}

func TestWatch(t *testing.T) {
	ctx := context.Background()
	addr := start(t, newMemory(t, 0, "a", "b"))
	c, other := client(t, addr, 0), client(t, addr, 0)

	// Nobody else touches a: the transaction runs.
	err := c.Watch(ctx, func(tx *redis.Tx) error {
		if n, err := tx.Exists(ctx, "a").Result(); err != nil || n != 1 {
			return errors.Join(err, errors.New("a is missing"))
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Expire(ctx, "a", time.Hour)
			return nil
		})
		return err
	}, "a")
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}

	// Another client deletes b between WATCH and EXEC: the transaction
	// fails.
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := other.Del(ctx, "b").Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Expire(ctx, "b", time.Hour)
			return nil
		})
		return err
	}, "b")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Errorf("Watch with a conflicting write: %v, want redis.TxFailedErr", err)
	}
}
