#!/usr/bin/env bash
# bench/server.sh: the example server (examples/server, the reference
# keyspace behind a RESP server) against redis-server, with the same
# redis-benchmark runs in one go.
#
#   bash bench/server.sh
#
# It builds examples/server, starts it and redis-server (from PATH, no
# persistence) on unix sockets in a temp directory, and runs
# redis-benchmark -q on each, one after the other, for every test in
# TESTS: pipelined (-P 16, 50 clients) and not (-P 1, 50 clients). It
# prints requests per second for both and the ratio (example server /
# redis-server). Both servers are flushed between runs.
#
# Environment:
#   N        requests per test (default 200000)
#   TESTS    redis-benchmark tests (default set,get,lpush,hset,zadd)
#   MODES    redis-benchmark options per round, separated by ';'
#            (default "-P 16 -c 50;-P 1 -c 50")
#   PERSIST  persistence arguments given to both servers, each with its
#            own data directory under the temp directory (default none:
#            no persistence). For appendfsync always, whose rate
#            swings with the disk's latency from run to run, see
#            bench/always.sh, which alternates many runs.
set -euo pipefail

cd "$(dirname "$0")/.."
n=${N:-200000}
tests=${TESTS:-set,get,lpush,hset,zadd}
modes=${MODES:--P 16 -c 50;-P 1 -c 50}
persist=${PERSIST:-}

. bench/lib.sh
need redis-server redis-cli redis-benchmark

go build -o "$tmp/server" ./examples/server
ours=$tmp/aofrdb.sock
theirs=$tmp/redis.sock
mkdir "$tmp/ours" "$tmp/theirs"
# shellcheck disable=SC2086
"$tmp/server" --port 0 --unixsocket "$ours" --dir "$tmp/ours" --save '' --appendonly no \
	$persist >"$tmp/server.out" 2>"$tmp/server.log" &
pids+=($!)
# shellcheck disable=SC2086
redis-server --port 0 --unixsocket "$theirs" --dir "$tmp/theirs" --save '' --appendonly no \
	$persist --daemonize no --logfile "$tmp/redis.log" &
pids+=($!)
for sock in "$ours" "$theirs"; do
	for _ in $(seq 200); do
		redis-cli -s "$sock" ping >/dev/null 2>&1 && break
		sleep 0.05
	done
	redis-cli -s "$sock" ping >/dev/null || { echo "server.sh: no server on $sock" >&2; exit 1; }
done
echo "redis-server: $(redis-server --version | cut -d' ' -f1-3); example server: go $(go env GOVERSION); $(nproc) CPUs"
echo "persistence: ${persist:-none}; data directories on $(df --output=fstype "$tmp" | tail -1)"

# rps SOCK ARGS...: "TEST RPS" lines, one per test (a test whose
# commands fail reports "TEST error").
rps() {
	local sock=$1 t out
	shift
	for t in ${tests//,/ }; do
		redis-cli -s "$sock" flushall >/dev/null
		if out=$(redis-benchmark -s "$sock" --csv -n "$n" -t "$t" "$@" 2>&1) &&
			! grep -q 'ERR' <<<"$out"; then
			tail -n +2 <<<"$out" | tr -d '"' | cut -d, -f1,2 | tr ',' ' '
		else
			echo "${t^^} error"
		fi
	done
}

IFS=';' read -ra modelist <<<"$modes"
for mode in "${modelist[@]}"; do
	echo
	echo "redis-benchmark -n $n $mode (requests per second)"
	printf '%-12s %14s %14s %8s\n' test redis-server example ratio
	# shellcheck disable=SC2086
	r=$(rps "$theirs" $mode)
	# shellcheck disable=SC2086
	o=$(rps "$ours" $mode)
	awk -v fmt='%-12s %14s %14s %8s\n' '
		NR == FNR { r[$1] = $2; order[++n] = $1; next }
		{ o[$1] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				t = order[i]; a = o[t]; b = r[t]
				ratio = (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-"
				printf fmt, t, b, (a == "" ? "-" : a), ratio
			}
		}' <(echo "$r") <(echo "$o")
done
