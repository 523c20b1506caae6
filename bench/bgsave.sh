#!/usr/bin/env bash
# bench/bgsave.sh: the memory a BGSAVE costs while its keys are
# overwritten, the example server (examples/server: a Store, forkless
# snapshots) against redis-server (fork and copy-on-write), in one run.
#
#   bash bench/bgsave.sh
#
# Each server (no persistence but the BGSAVE, on a unix socket, with its
# own data directory) is filled with KEYS string keys of SIZE bytes.
# Then, while redis-benchmark overwrites random keys of that set, it
# samples the memory of the server every 20 ms:
#
#   phase A: SECS seconds of writes alone, for the baseline peak;
#   phase B: writes and a BGSAVE, until the save has finished.
#
# Memory is the server's RSS, plus, for redis-server, the private dirty
# memory of its fork child (/proc/PID/smaps_rollup: the pages the child
# copied, which is what the fork costs). It prints the data set's size
# (RSS after the fill minus RSS empty), both peaks, and the BGSAVE's
# extra memory: peak B minus peak A, in MiB and as a percentage of the
# data set. Issue 7's goal for aofrdb is at most 64 MiB + 5 %.
#
# Environment: KEYS (default 1000000), SIZE (default 100), SECS (3).
set -euo pipefail

cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
size=${SIZE:-100}
secs=${SECS:-3}

. bench/lib.sh
need redis-server redis-cli redis-benchmark

go build -o "$tmp/server" ./examples/server

kb() { awk -v k="$1:" '$1 == k { print $2 }' "$2" 2>/dev/null || echo 0; }

# mem PID: the server's RSS plus its fork children's private dirty, kB.
mem() {
	local total child
	total=$(kb VmRSS "/proc/$1/status")
	for child in $(pgrep -P "$1" 2>/dev/null || true); do
		total=$((total + $(awk '/^Private_Dirty:/ { print $2 }' "/proc/$child/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$total"
}

# sample PID SOCK UNTIL: peak of mem every 20 ms; UNTIL is "time" (SECS
# seconds) or "save" (until the BGSAVE is over).
sample() {
	local pid=$1 sock=$2 until=$3 peak=0 m end
	end=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		m=$(mem "$pid")
		((m > peak)) && peak=$m
		if [[ $until == time ]]; then
			(($(date +%s%N) >= end)) && break
		elif redis-cli -s "$sock" info persistence | grep -q '^rdb_bgsave_in_progress:0'; then
			break
		fi
		sleep 0.02
	done
	echo "$peak"
}

# run NAME PID SOCK: fill, then phases A and B; prints one result line.
run() {
	local name=$1 pid=$2 sock=$3 empty full peakA peakB wpid
	for _ in $(seq 200); do
		redis-cli -s "$sock" ping >/dev/null 2>&1 && break
		sleep 0.05
	done
	empty=$(kb VmRSS "/proc/$pid/status")
	awk -v n="$keys" -v size="$size" 'BEGIN {
		v = sprintf("%*s", size, ""); gsub(/ /, "x", v)
		for (i = 0; i < n; i++) {
			k = sprintf("key:%012d", i) # redis-benchmark -r names its keys so
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v
		}
	}' | redis-cli -s "$sock" --pipe >/dev/null
	full=$(kb VmRSS "/proc/$pid/status")
	# Overwrites of random keys of the set.
	redis-benchmark -s "$sock" -t set -r "$keys" -d "$size" -n 1000000000 -c 8 -P 16 -q >/dev/null 2>&1 &
	wpid=$!
	sleep 1
	peakA=$(sample "$pid" "$sock" time)
	redis-cli -s "$sock" bgsave >/dev/null
	peakB=$(sample "$pid" "$sock" save)
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	awk -v name="$name" -v e="$empty" -v f="$full" -v a="$peakA" -v b="$peakB" 'BEGIN {
		data = (f - e) / 1024; extra = (b - a) / 1024
		printf "%-14s %10.0f %12.0f %12.0f %12.0f %9.1f\n", name, data, a / 1024, b / 1024, extra, 100 * extra / data
	}'
}

mkdir "$tmp/ours" "$tmp/theirs"
"$tmp/server" --port 0 --unixsocket "$tmp/ours.sock" --dir "$tmp/ours" --save '' --appendonly no >"$tmp/server.out" 2>"$tmp/server.log" &
pids+=($!)
ourpid=$!
redis-server --port 0 --unixsocket "$tmp/theirs.sock" --dir "$tmp/theirs" --save '' --appendonly no \
	--daemonize no --logfile "$tmp/redis.log" &
pids+=($!)
theirpid=$!

echo "KEYS=$keys SIZE=$size SECS=$secs; $(redis-server --version | cut -d' ' -f1-3); go $(go env GOVERSION); $(nproc) CPUs"
printf '%-14s %10s %12s %12s %12s %9s\n' server "data MiB" "peak A MiB" "peak B MiB" "extra MiB" "extra %"
run redis-server "$theirpid" "$tmp/theirs.sock"
kill "$theirpid"
run aofrdb "$ourpid" "$tmp/ours.sock"
grep -h "Fork CoW" "$tmp/redis.log" | sed 's/^/redis-server log: /' || true
