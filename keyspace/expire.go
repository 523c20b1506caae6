package keyspace

// ActiveExpire removes keys whose time has passed, as Redis's active
// expire cycle does, without scanning everything at once: it visits the
// shards round robin from where the last call stopped, skips shards
// that hold no key with an expiry, and stops once it has examined about
// budget keys. Each removed key is logged as DEL in its database. It
// reports whether it stopped early with expired keys found, so that the
// caller may call again soon. The caller holds the write turn.
func (m *Memory) ActiveExpire(now int64, budget int, log []Record) ([]Record, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	x := ctx{m: m, c: &Call{Write: true, Now: now}, nowMs: now}
	total := len(m.dbs) << shardBits
	examined, removed := 0, 0
	var keys []string
	for visited := 0; visited < total; visited++ {
		if examined >= budget {
			return log, removed > 0
		}
		idx := m.expireNext
		m.expireNext = (idx + 1) % total
		dbi, si := idx>>shardBits, idx&(1<<shardBits-1)
		sh := &m.dbs[dbi].shards[si]
		if sh.expires == 0 {
			continue
		}
		keys = keys[:0]
		for k, o := range sh.m {
			examined++
			if o.exp != 0 && now > o.exp {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			key := []byte(k)
			x.removeIn(dbi, key)
			log = append(log, Record{DB: dbi, Args: [][]byte{[]byte("DEL"), key}})
			removed++
		}
	}
	return log, false
}
