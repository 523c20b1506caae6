package respserver

import (
	"slices"
	"strings"

	"github.com/aofrdb/aofrdb/keyspace"
)

// WATCH, as Redis 7.0 does it (multi.c), driven by what the keyspace
// logs.
//
// Redis marks a watching client dirty when a command modifies a watched
// key (signalModifiedKey), when a key is deleted because its time passed,
// and when FLUSHDB, FLUSHALL or SWAPDB empties or replaces a database in
// which a watched key exists. EXEC also fails when a watched key, alive
// at WATCH, has expired since. A key already expired at WATCH is flagged:
// its deletion by expiry is no change.
//
// Here every change the keyspace makes is in the records it logs, in
// order, with their database. The registry reads each record for the
// keys it modified:
//
//   - DEL and UNLINK delete their keys: a watched key is touched if it
//     existed at that point of the sequence (a multi-key DEL logs keys
//     that did not exist; the lazy expiry of a key logs DEL of it).
//   - FLUSHDB, FLUSHALL and SWAPDB touch the watched keys of the
//     databases, with Redis's rules on existence and expiry.
//   - MOVE and COPY touch the key in the other database too.
//   - Commands that store a result (SINTERSTORE, ZUNIONSTORE, BITOP,
//     SORT ... STORE, ...) modify only the destination.
//   - Any other command modifies its keys, located by the keyspace's
//     CommandInfo; a record whose keys cannot be located touches every
//     watched key of its database.
//
// Existence before a write is probed (with PTTL) only when a watched key
// may be affected by a record whose effect depends on it (multi-key DEL,
// FLUSHDB, FLUSHALL, SWAPDB); the states are then followed record by
// record. All of it runs under the write turn, so a transaction's
// check and its execution are one step.

// watchKey is a key of a database.
type watchKey struct {
	db  int
	key string
}

// watchEntry is one client watching one key.
type watchEntry struct {
	c       *conn
	k       watchKey
	expired bool // the key had expired (and was not yet deleted) at WATCH
}

// watchReg is the server's registry of watched keys, guarded by the
// server's write mutex.
type watchReg struct {
	s    *Server
	keys map[watchKey][]*watchEntry
}

// keyState is what a probe tells of a key. The zero value, live, is the
// conservative assumption for a key not probed.
type keyState uint8

const (
	keyLive keyState = iota
	keyAbsent
	keyExpired // present, but its time has passed
)

// keyStates follows the existence of watched keys through the records
// of one write. A nil keyStates takes every key as live.
type keyStates map[watchKey]keyState

func (st keyStates) get(k watchKey) keyState { return st[k] }

func (st keyStates) set(k watchKey, v keyState) {
	if st != nil {
		st[k] = v
	}
}

// emptyDB marks every key of db absent.
func (st keyStates) emptyDB(db int) {
	for k := range st {
		if k.db == db {
			st[k] = keyAbsent
		}
	}
}

// swap exchanges the states of databases a and b.
func (st keyStates) swap(a, b int) {
	moved := keyStates{}
	for k, v := range st {
		switch k.db {
		case a:
			moved[watchKey{b, k.key}] = v
			delete(st, k)
		case b:
			moved[watchKey{a, k.key}] = v
			delete(st, k)
		}
	}
	for k, v := range moved {
		st[k] = v
	}
}

// probeKey reports whether key exists in db, and whether its time has
// passed. It runs PTTL as a read: a read that meets an expired key
// returns ErrWriteNeeded. The caller holds the write mutex.
func (s *Server) probeKey(db int, key string) keyState {
	c := &s.probe
	c.Reset()
	c.DB = db
	c.Args = append(c.Args, []byte("PTTL"), []byte(key))
	err := s.ks.Exec(c)
	switch {
	case err == keyspace.ErrWriteNeeded:
		return keyExpired
	case err != nil:
		return keyLive
	case string(c.Reply.Buf) == ":-2\r\n":
		return keyAbsent
	}
	return keyLive
}

// watch adds key of db to c's watched keys.
func (w *watchReg) watch(c *conn, db int, key []byte) {
	k := watchKey{db, string(key)}
	for _, e := range c.watched {
		if e.k == k {
			return
		}
	}
	e := &watchEntry{c: c, k: k, expired: w.s.probeKey(db, k.key) == keyExpired}
	c.watched = append(c.watched, e)
	w.keys[k] = append(w.keys[k], e)
}

// unwatchAll removes all of c's watched keys.
func (w *watchReg) unwatchAll(c *conn) {
	for _, e := range c.watched {
		list := slices.DeleteFunc(w.keys[e.k], func(x *watchEntry) bool { return x == e })
		if len(list) == 0 {
			delete(w.keys, e.k)
		} else {
			w.keys[e.k] = list
		}
	}
	clear(c.watched)
	c.watched = c.watched[:0]
}

// expiredSince reports whether a key c watches has expired since WATCH.
func (w *watchReg) expiredSince(c *conn) bool {
	for _, e := range c.watched {
		if !e.expired && w.s.probeKey(e.k.db, e.k.key) == keyExpired {
			return true
		}
	}
	return false
}

// dirty makes c's next EXEC fail.
func (w *watchReg) dirty(c *conn) {
	c.dirtyCAS = true
	w.unwatchAll(c)
}

// touch reports a change of k to its watchers; deleted says the key no
// longer exists after the change.
func (w *watchReg) touch(k watchKey, deleted bool) {
	for _, e := range slices.Clone(w.keys[k]) {
		if e.expired && deleted {
			e.expired = false // an expired key deleted: no logical change
			continue
		}
		w.dirty(e.c)
	}
}

// touchDB reports that db is emptied (other < 0) or swapped with
// database other, as Redis's touchAllWatchedKeysInDb does.
func (w *watchReg) touchDB(db, other int, st keyStates) {
	var hit []watchKey
	for k := range w.keys {
		if k.db == db {
			hit = append(hit, k)
		}
	}
	for _, k := range hit {
		inDB := st.get(k)
		inOther := keyAbsent
		if other >= 0 {
			inOther = st.get(watchKey{other, k.key})
		}
		if inDB == keyAbsent && inOther == keyAbsent {
			continue
		}
		for _, e := range slices.Clone(w.keys[k]) {
			if e.expired {
				if inOther == keyAbsent {
					e.expired = false // expired key now deleted: no change
					continue
				}
				if inOther == keyExpired {
					continue // still an expired key
				}
			} else if inDB == keyAbsent && inOther == keyExpired {
				e.expired = true // a missing key replaced by an expired one
				continue
			}
			w.dirty(e.c)
		}
	}
}

// needStates reports whether the commands about to run may log records
// whose effect on watched keys depends on which keys exist.
func (w *watchReg) needStates(cmds ...[][]byte) bool {
	if len(w.keys) == 0 {
		return false
	}
	for _, args := range cmds {
		switch strings.ToLower(string(args[0])) {
		case "flushdb", "flushall", "swapdb":
			return true
		case "del", "unlink":
			if len(args) > 2 {
				return true
			}
		}
	}
	return false
}

// snapshot probes the watched keys before the commands run: in their
// database, or in every database when one of the commands is SWAPDB.
func (w *watchReg) snapshot(cmds ...[][]byte) keyStates {
	all := slices.ContainsFunc(cmds, func(args [][]byte) bool {
		return strings.EqualFold(string(args[0]), "swapdb")
	})
	st := keyStates{}
	for k := range w.keys {
		if !all {
			st[k] = w.s.probeKey(k.db, k.key)
			continue
		}
		for db := range w.s.ks.Databases() {
			k := watchKey{db, k.key}
			if _, done := st[k]; !done {
				st[k] = w.s.probeKey(db, k.key)
			}
		}
	}
	return st
}

// apply reports the changes recs made to the watchers, following st.
func (w *watchReg) apply(recs []keyspace.Record, st keyStates) {
	for _, rec := range recs {
		if len(w.keys) == 0 {
			return
		}
		if len(rec.Args) == 0 {
			continue
		}
		args := rec.Args
		switch name := strings.ToLower(string(args[0])); name {
		case "del", "unlink":
			for _, k := range args[1:] {
				w.deleted(watchKey{rec.DB, string(k)}, st)
			}
		case "flushdb":
			w.touchDB(rec.DB, -1, st)
			st.emptyDB(rec.DB)
		case "flushall":
			for db := range w.s.ks.Databases() {
				w.touchDB(db, -1, st)
				st.emptyDB(db)
			}
		case "swapdb":
			a, ok1 := dbArg(args, 1)
			b, ok2 := dbArg(args, 2)
			if ok1 && ok2 && a != b {
				w.touchDB(a, b, st)
				w.touchDB(b, a, st)
				st.swap(a, b)
			}
		case "move":
			if len(args) == 3 {
				w.deleted(watchKey{rec.DB, string(args[1])}, st)
				if db, ok := dbArg(args, 2); ok {
					w.modified(watchKey{db, string(args[1])}, st)
				}
			}
		case "copy":
			if len(args) >= 3 {
				db := rec.DB
				for i := 3; i+1 < len(args); i++ {
					if strings.EqualFold(string(args[i]), "db") {
						if n, ok := dbArg(args, i+1); ok {
							db = n
						}
					}
				}
				w.modified(watchKey{db, string(args[2])}, st)
			}
		default:
			w.modifiedKeys(rec, name, st)
		}
	}
}

func dbArg(args [][]byte, i int) (int, bool) {
	n, ok := parseInt(args[i])
	return int(n), ok && n >= 0 && n < 1<<31
}

func (w *watchReg) deleted(k watchKey, st keyStates) {
	if st.get(k) != keyAbsent {
		w.touch(k, true)
	}
	st.set(k, keyAbsent)
}

func (w *watchReg) modified(k watchKey, st keyStates) {
	w.touch(k, false)
	st.set(k, keyLive)
}

// modifiedKeys touches the keys a record of any other command modified.
func (w *watchReg) modifiedKeys(rec keyspace.Record, name string, st keyStates) {
	args := rec.Args
	key := func(i int) {
		if i < len(args) {
			w.modified(watchKey{rec.DB, string(args[i])}, st)
		}
	}
	switch name {
	case "sinterstore", "sunionstore", "sdiffstore", "zunionstore", "zinterstore",
		"zdiffstore", "zrangestore", "geosearchstore", "pfmerge":
		key(1)
		return
	case "bitop":
		key(2)
		return
	case "sort":
		key(storeArg(args, 2, map[string]int{"by": 1, "limit": 2, "get": 1}))
		return
	case "georadius":
		key(storeArg(args, 6, map[string]int{"count": 1}))
		return
	case "georadiusbymember":
		key(storeArg(args, 5, map[string]int{"count": 1}))
		return
	}
	info, ok := w.s.ks.Command(args[0])
	if !ok || info.FirstKey <= 0 {
		for k := range w.keys {
			if k.db == rec.DB {
				w.touch(k, false)
			}
		}
		for k := range st {
			if k.db == rec.DB {
				st[k] = keyLive
			}
		}
		return
	}
	last := info.LastKey
	if last < 0 {
		last += len(args)
	}
	for i := info.FirstKey; i <= last && i < len(args); i += max(info.Step, 1) {
		key(i)
	}
}

// storeArg finds the destination of a STORE or STOREDIST option among
// the options from index from, skipping the arguments of the options
// in skip; it returns len(args) when there is none.
func storeArg(args [][]byte, from int, skip map[string]int) int {
	for i := from; i < len(args); i++ {
		opt := strings.ToLower(string(args[i]))
		if opt == "store" || opt == "storedist" {
			return i + 1
		}
		i += skip[opt]
	}
	return len(args)
}
