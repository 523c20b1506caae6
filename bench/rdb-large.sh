#!/usr/bin/env bash
# bench/rdb-large.sh: writing large values to an RDB, aofrdb's writer
# against redis-server's SAVE, on the same data, in one run.
#
#   bash bench/rdb-large.sh
#
# redis-server makes the data set itself (a Lua script: KEYS strings of
# SIZE bytes, each byte one of 8 letters at random, so LZF has work to do),
# then SAVEs it RUNS times with rdbcompression yes; the best wall time
# gives its MB/s. The Go benchmark BenchmarkWriterFile then writes the
# same keys, read from that dump.rdb, with the same settings (LZF and
# CRC64 on) to io.Discard. Both compress every value with LZF: that is
# where the time goes, and the ratio compares our LZF and writer with
# Redis's on the same work. With RANDOM_BYTES=1 the values are random bytes,
# which LZF gives up on early, so the writer's own speed shows.
#
# Environment: KEYS (default 256), SIZE (default 65536), RUNS (default 5),
# RANDOM_BYTES (default 0).
set -euo pipefail

cd "$(dirname "$0")/.."
keys=${KEYS:-256}
size=${SIZE:-65536}
runs=${RUNS:-5}
random=${RANDOM_BYTES:-0}

. bench/lib.sh
need redis-server redis-cli

sock=$tmp/redis.sock
redis-server --port 0 --unixsocket "$sock" --dir "$tmp" --dbfilename dump.rdb \
	--save '' --appendonly no --rdbcompression yes --rdbchecksum yes \
	--daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	redis-cli -s "$sock" ping >/dev/null 2>&1 && break
	sleep 0.05
done

alphabet=8
[ "$random" = 1 ] && alphabet=256
redis-cli -s "$sock" eval "
for i = 1, tonumber(ARGV[1]) do
  local t = {}
  for j = 1, tonumber(ARGV[2]) do t[j] = string.char((math.random(0, tonumber(ARGV[3]) - 1) + 97) % 256) end
  redis.call('SET', 'big:' .. i, table.concat(t))
end
return redis.call('DBSIZE')" 0 "$keys" "$size" "$alphabet" >/dev/null

total=$((keys * size))
best=
for _ in $(seq "$runs"); do
	t0=$(date +%s%N)
	redis-cli -s "$sock" save >/dev/null
	t1=$(date +%s%N)
	ns=$((t1 - t0))
	if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
done
redis_mbs=$(awk -v b="$total" -v ns="$best" 'BEGIN { printf "%.0f", b / (ns / 1e9) / 1e6 }')
echo "redis-server SAVE: $keys keys x $size bytes, best of $runs: $((best / 1000000)) ms, $redis_mbs MB/s"

cp "$tmp/dump.rdb" "$tmp/bench.rdb"
out=$(AOFRDB_BENCH_RDB="$tmp/bench.rdb" go test ./rdb -run '^$' -bench '^BenchmarkWriterFile$' -count "$runs" -benchtime 20x)
echo "$out" | grep '^Benchmark'
ours=$(echo "$out" | awk '/^BenchmarkWriterFile/ { for (i = 1; i <= NF; i++) if ($(i+1) == "MB/s" && $i > best) best = $i } END { printf "%.0f", best }')
echo "aofrdb writer: best $ours MB/s"
awk -v a="$ours" -v r="$redis_mbs" 'BEGIN { printf "ratio aofrdb/redis-server: %.2fx\n", a / r }'
