#!/usr/bin/env bash
# bench/rdb.sh: `aofrdb check` against redis-check-rdb on the same RDB file,
# written by redis-server in this run.
#
#   bash bench/rdb.sh
#
# It starts redis-server on a unix socket in a temp directory, fills it with
# DEBUG POPULATE (KEYS small string keys, default 1000000), SAVEs, stops it,
# then times both checkers on the dump.rdb, alternating, RUNS times each
# (both verify the CRC64 trailer and decode every key). It prints the best
# and median wall time of each, keys/s, and the ratio. It also runs the Go
# reader benchmark (BenchmarkReaderFile) on the same file.
#
# Environment:
#   KEYS  keys to populate (default 1000000)
#   RUNS  runs per checker (default 5)
set -euo pipefail

cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
runs=${RUNS:-5}

. bench/lib.sh
need redis-server redis-cli redis-check-rdb

go build -o "$tmp/aofrdb" ./cmd/aofrdb

sock=$tmp/redis.sock
redis-server --port 0 --unixsocket "$sock" --dir "$tmp" --dbfilename dump.rdb \
	--save '' --appendonly no --enable-debug-command yes --daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	redis-cli -s "$sock" ping >/dev/null 2>&1 && break
	sleep 0.05
done
redis-cli -s "$sock" debug populate "$keys" >/dev/null
redis-cli -s "$sock" save >/dev/null
redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || true
wait "$pid" 2>/dev/null || true
pid=
rdb=$tmp/dump.rdb
echo "file: $(stat -c %s "$rdb") bytes, $keys keys, written by $(redis-server --version | cut -d' ' -f1-3)"

# seconds NAME CMD...: run CMD once, print its wall time in seconds.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "rdb.sh: $* failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

ours=() theirs=()
for _ in $(seq "$runs"); do
	ours+=("$(seconds "$tmp/aofrdb" check "$rdb")")
	theirs+=("$(seconds redis-check-rdb "$rdb")")
done

# stats: best and median of the arguments.
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
read -r ob om <<<"$(stats "${ours[@]}")"
read -r tb tm <<<"$(stats "${theirs[@]}")"
printf '\n%-18s %10s %10s %14s\n' checker "best s" "median s" "keys/s (best)"
printf '%-18s %10.3f %10.3f %14.0f\n' "aofrdb check" "$ob" "$om" "$(echo "$keys / $ob" | bc -l)"
printf '%-18s %10.3f %10.3f %14.0f\n' "redis-check-rdb" "$tb" "$tm" "$(echo "$keys / $tb" | bc -l)"
printf 'aofrdb is %.2fx faster (best), %.2fx (median)\n\n' "$(echo "$tb / $ob" | bc -l)" "$(echo "$tm / $om" | bc -l)"

AOFRDB_BENCH_RDB=$rdb go test -run '^$' -bench '^BenchmarkReaderFile$' -benchtime 5x ./rdb | grep -E '^Benchmark|^ok'
