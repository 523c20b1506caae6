#!/usr/bin/env bash
# bench/store.sh: startup load, aofrdb.Open against redis-server, on the
# same files, written by redis-server in this run.
#
#   bash bench/store.sh
#
# It starts redis-server on a unix socket, fills it with DEBUG POPULATE
# (KEYS string keys, default 1000000; values of SIZE bytes if SIZE is set),
# and keeps three data directories: dump.rdb (SAVE), an AOF directory with
# a RESP base (BGREWRITEAOF with aof-use-rdb-preamble no: one SET per key),
# and one with an RDB base (aof-use-rdb-preamble yes, Redis's default).
# Then, for each, alternating, RUNS times each (default 5):
#
#   redis-server --dir D --appendonly yes|no: the load time it logs ("DB
#     loaded from disk: X seconds", "DB loaded from append only file: X
#     seconds"), and its peak RSS (VmHWM) once loaded;
#   bench/storeload D: the wall time of aofrdb.Open (which also takes the
#     lock and, with the AOF, opens it for appending), and its peak RSS.
#
# It prints best and median seconds, keys/s, and the ratio of medians
# (redis-server's time over aofrdb's: above 1 means aofrdb loads faster),
# then the top of a CPU profile of one aofrdb.Open of each.
#
# Environment:
#   KEYS  keys to populate (default 1000000)
#   SIZE  value size in bytes for DEBUG POPULATE (default: its own, ~10)
#   RUNS  runs per loader and data set (default 5)
#   TOP   lines of each profile to print (default 15; 0 skips profiling)
#   DATA  keep the data sets in this directory and reuse them on later runs
#         with the same KEYS and SIZE (default: a temporary directory)
set -euo pipefail

cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
runs=${RUNS:-5}
top=${TOP:-15}

. bench/lib.sh
need redis-server redis-cli bc

go build -o "$tmp/storeload" ./bench/storeload
sock=$tmp/redis.sock
data=${DATA:-$tmp/data}
mkdir -p "$data"
data=$(cd "$data" && pwd)

# start DIR ARGS...: start redis-server on DIR in the background (pid in
# $pid) and wait until it accepts connections (after loading).
start() {
	local dir=$1
	shift
	: >"$tmp/redis.log"
	redis-server --port 0 --unixsocket "$sock" --dir "$dir" --save '' \
		--logfile "$tmp/redis.log" --daemonize no "$@" &
	pid=$!
	for _ in $(seq 2000); do
		grep -qi 'ready to accept connections' "$tmp/redis.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	echo "store.sh: redis-server did not start:" >&2
	cat "$tmp/redis.log" >&2
	exit 1
}

stop() {
	redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || true
	wait "$pid" 2>/dev/null || true
	pid=
}

# rewrite: BGREWRITEAOF and wait for it to end.
rewrite() {
	redis-cli -s "$sock" bgrewriteaof >/dev/null
	sleep 0.2
	while redis-cli -s "$sock" info persistence | grep -Eq '^aof_rewrite_(in_progress|scheduled):1'; do
		sleep 0.1
	done
}

stamp="keys=$keys size=${SIZE:-} $(redis-server --version | cut -d' ' -f1-3)"
if [ "$(cat "$data/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "reusing the data set in $data: $stamp"
else
	echo "making the data set: $keys keys with $(redis-server --version | cut -d' ' -f1-3)"
	rm -rf "$data/src" "$data/rdb" "$data/aof-resp" "$data/aof-rdb" "$data/stamp"
	mkdir -p "$data/src" "$data/rdb" "$data/aof-resp" "$data/aof-rdb"
	start "$data/src" --appendonly yes --aof-use-rdb-preamble no --enable-debug-command yes
	redis-cli -s "$sock" debug populate "$keys" key ${SIZE:+"$SIZE"} >/dev/null
	redis-cli -s "$sock" save >/dev/null
	rewrite
	cp -r "$data/src/appendonlydir" "$data/aof-resp/"
	redis-cli -s "$sock" config set aof-use-rdb-preamble yes >/dev/null
	rewrite
	cp -r "$data/src/appendonlydir" "$data/aof-rdb/"
	stop
	mv "$data/src/dump.rdb" "$data/rdb/"
	rm -rf "$data/src"
	echo "$stamp" >"$data/stamp"
fi
for d in rdb aof-resp aof-rdb; do
	printf '  %-9s %s\n' "$d:" "$(cd "$data/$d" && find . -type f -name '*.rdb' -printf '%P %s B  ' -o -type f -name '*.aof' -printf '%P %s B  ' | sed 's/  $//')"
done

# redis_load DIR APPENDONLY: load DIR in redis-server; print "seconds
# peak_rss_kb".
redis_load() {
	local dir=$1 ao=$2 secs rss
	start "$dir" --appendonly "$ao"
	rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
	secs=$(grep -oE 'DB loaded from (disk|append only file): [0-9.]+ seconds' "$tmp/redis.log" | grep -oE '[0-9.]+ seconds' | cut -d' ' -f1)
	stop
	if [ -z "$secs" ]; then
		echo "store.sh: no load time in redis-server's log:" >&2
		cat "$tmp/redis.log" >&2
		exit 1
	fi
	echo "$secs $rss"
}

# ours_load DIR APPENDONLY: aofrdb.Open of DIR; print "seconds
# peak_rss_kb", checking the key count.
ours_load() {
	local dir=$1 ao=$2 out
	flag=()
	[ "$ao" = yes ] && flag=(-appendonly)
	out=$("$tmp/storeload" "${flag[@]}" "$dir")
	case $out in
	*" keys=$keys "*) ;;
	*)
		echo "store.sh: storeload loaded the wrong number of keys: $out" >&2
		exit 1
		;;
	esac
	echo "$out" | sed -E 's/seconds=([0-9.]+) keys=[0-9]+ maxrss_kb=([0-9]+)/\1 \2/'
}

# stats: best and median of the arguments.
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

summary=()
for set in rdb aof-resp aof-rdb; do
	ao=yes
	[ "$set" = rdb ] && ao=no
	ot=() orss=() tt=() trss=()
	for _ in $(seq "$runs"); do
		read -r s r <<<"$(ours_load "$data/$set" "$ao")"
		ot+=("$s") orss+=("$r")
		read -r s r <<<"$(redis_load "$data/$set" "$ao")"
		tt+=("$s") trss+=("$r")
	done
	read -r ob om <<<"$(stats "${ot[@]}")"
	read -r tb tm <<<"$(stats "${tt[@]}")"
	ratio=$(echo "$tm / $om" | bc -l)
	printf '\n%s (appendonly %s), %d runs each\n' "$set" "$ao" "$runs"
	printf '%-14s %8s %9s %13s %13s\n' loader "best s" "median s" "keys/s (med)" "peak RSS MiB"
	printf '%-14s %8.3f %9.3f %13.0f %13.0f\n' "aofrdb.Open" "$ob" "$om" "$(echo "$keys / $om" | bc -l)" "$(echo "$(median "${orss[@]}") / 1024" | bc -l)"
	printf '%-14s %8.3f %9.3f %13.0f %13.0f\n' "redis-server" "$tb" "$tm" "$(echo "$keys / $tm" | bc -l)" "$(echo "$(median "${trss[@]}") / 1024" | bc -l)"
	printf 'aofrdb/redis-server rate: %.2fx (medians), %.2fx (best)\n' "$ratio" "$(echo "$tb / $ob" | bc -l)"
	summary+=("$(printf '%-9s %.2fx' "$set" "$ratio")")
done

printf '\nrate ratios (redis-server median time / aofrdb median time; goal >= 1.5x):\n'
printf '  %s\n' "${summary[@]}"

if [ "$top" -gt 0 ]; then
	for set in rdb aof-resp aof-rdb; do
		flag=()
		[ "$set" = rdb ] || flag=(-appendonly)
		"$tmp/storeload" "${flag[@]}" -cpuprofile "$tmp/$set.prof" "$data/$set" >/dev/null
		printf '\nCPU profile of aofrdb.Open, %s (top %d by flat time):\n' "$set" "$top"
		go tool pprof -top -nodecount="$top" "$tmp/storeload" "$tmp/$set.prof" 2>/dev/null | sed -n '/flat%/,$p'
	done
fi
