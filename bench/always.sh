#!/usr/bin/env bash
# bench/always.sh: group commit under appendfsync always, through the
# example server against redis-server: redis-benchmark SET from 64
# clients, one command at a time (-P 1), the goal of issue 7.
#
#   bash bench/always.sh
#   SYNC_DELAY=3ms bash bench/always.sh
#
# The rate of fsync-bound runs swings with the disk's latency from one
# run to the next, so the script alternates: each of ROUNDS rounds
# starts a fresh redis-server and a fresh example server in turn, each
# with its own empty data directory, runs redis-benchmark once on each,
# and stops them. It prints every run, then the medians and their ratio
# (example server / redis-server).
#
# SYNC_DELAY (a Go duration, such as 700us or 3ms) makes the disk look
# slower to both: each fdatasync is followed by a sleep that long, in
# the example server through a build with the aofrdb_slowsync tag, in
# redis-server through bench/slowsync.c (built with cc) in LD_PRELOAD.
#
# Environment:
#   ROUNDS      rounds (default 9)
#   N           requests per run (default 50000)
#   CLIENTS     redis-benchmark clients (default 64)
#   SYNC_DELAY  extra latency of each fdatasync (default none)
set -euo pipefail

cd "$(dirname "$0")/.."
rounds=${ROUNDS:-9}
n=${N:-50000}
clients=${CLIENTS:-64}
delay=${SYNC_DELAY:-}

. bench/lib.sh
need redis-server redis-cli redis-benchmark

preload=()
if [ -n "$delay" ]; then
	if ! command -v cc >/dev/null 2>&1; then
		echo "always.sh: SYNC_DELAY needs a C compiler, cc (apt-get install -y gcc)" >&2
		exit 1
	fi
	cc -O2 -shared -fPIC -o "$tmp/slowsync.so" bench/slowsync.c -ldl
	ns=$(awk -v d="$delay" 'BEGIN {
		m["ns"] = 1; m["us"] = 1e3; m["ms"] = 1e6; m["s"] = 1e9
		if (!match(d, /^[0-9.]+/)) exit 1
		u = substr(d, RLENGTH + 1)
		if (!(u in m)) exit 1
		printf "%d", substr(d, 1, RLENGTH) * m[u]
	}') || { echo "always.sh: SYNC_DELAY=$delay: want a number and ns, us, ms or s" >&2; exit 1; }
	preload=(env LD_PRELOAD="$tmp/slowsync.so" SLOWSYNC_NS="$ns")
	go build -tags aofrdb_slowsync -o "$tmp/server" ./examples/server
else
	go build -o "$tmp/server" ./examples/server
fi

echo "redis-server: $(redis-server --version | cut -d' ' -f1-3); example server: go $(go env GOVERSION); $(nproc) CPUs"
echo "appendfsync always, redis-benchmark -n $n -c $clients -P 1 -t set; data directories on $(df --output=fstype "$tmp" | tail -1); fdatasync delay: ${delay:-none}"

# run NAME: one run of redis-benchmark against a fresh server; prints
# "NAME RPS".
run() {
	local name=$1 d sock out
	d=$(mktemp -d "$tmp/run.XXXXXX")
	sock=$d/s.sock
	if [ "$name" = redis-server ]; then
		"${preload[@]}" redis-server --port 0 --unixsocket "$sock" --dir "$d" --save '' \
			--appendonly yes --appendfsync always --daemonize no --logfile "$d/log" &
	else
		AOFRDB_SYNC_DELAY=$delay "$tmp/server" --port 0 --unixsocket "$sock" --dir "$d" --save '' \
			--appendonly yes --appendfsync always >"$d/out" 2>"$d/log" &
	fi
	pid=$!
	for _ in $(seq 200); do
		redis-cli -s "$sock" ping >/dev/null 2>&1 && break
		sleep 0.05
	done
	out=$(redis-benchmark -s "$sock" --csv -n "$n" -c "$clients" -P 1 -t set)
	echo "$name $(tail -1 <<<"$out" | cut -d, -f2 | tr -d '"')"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	rm -rf "$d"
}

for r in $(seq "$rounds"); do
	run redis-server
	run example
done | awk '
	{ print; v[$1] = v[$1] " " $2 }
	function median(s,   a, k, i, j, t) {
		k = split(s, a, " ")
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		r = median(v["redis-server"]); e = median(v["example"])
		printf "median requests per second: redis-server %.0f, example %.0f, ratio %.2f\n", r, e, e / r
	}'
