#!/usr/bin/env bash
# bench/aof.sh: checking and loading a 1M-key multi-part AOF directory
# written by redis-server: aof.CheckFile against redis-check-aof, and
# aof.LoadDir (replay into keyspace.NewMemory) against redis-server's own
# load, in the same run. A manual benchmark, not part of the tests.
#
#   bash bench/aof.sh
#
# Data: bench/aofload (-mode gen) writes the commands an application
# using Redis as a cache and store would send for KEYS keys: 60% strings
# (a quarter with EX), 5% INCRBY counters, and hashes, lists, sets and
# sorted sets of 2 to 24 elements built a few elements per command (a
# fifth with EXPIRE). redis-server (appendonly yes, aof-use-rdb-preamble
# no, no auto rewrite) receives them through redis-cli --pipe, which
# gives two directories, both plain RESP:
#   incr  the raw commands as Redis logged them, in the incr file (the
#         base is the empty one Redis writes at startup);
#   base  the same data after BGREWRITEAOF: a rewrite base (SET, HSET,
#         RPUSH, SADD, ZADD batched, PEXPIREAT) and an empty incr file.
# They are cached in bench/out/aof/ (keyed by KEYS and GEN below), so a
# rerun skips the generation; delete that directory to regenerate.
#
# Then, for each directory, RUNS rounds, the sides taking turns:
#   check  redis-check-aof on the manifest, and bench/aofload -mode check
#          (aof.CheckFile on each file the manifest lists), both timed as
#          whole processes (wall clock); also `aofrdb check MANIFEST` when
#          the CLI built from this tree accepts an AOF manifest.
#   load   redis-server started on a copy of the directory with
#          appendonly yes, its time from the log line "DB loaded from
#          append only file: X seconds"; and bench/aofload -mode load,
#          the time of aof.LoadDir alone, as it reports it.
# It prints the best and median seconds and MB/s of each, and the
# ratios (Redis's time / ours: above 1 means we are faster). The goals
# (issue 6): check >= 1x redis-check-aof, load >= 1.5x redis-server.
#
# Environment:
#   KEYS  keys in the data set (default 1000000)
#   RUNS  rounds per directory (default 5)
#   GOGCS GOGC values (e.g. "400 off") for extra rows of our load with
#         that GOGC, to see what the garbage collector costs (default
#         none: our load runs with the environment's GOGC)
set -euo pipefail

cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
runs=${RUNS:-5}
gen=1 # bump when the generator changes what it writes

. bench/lib.sh
need redis-server redis-cli redis-check-aof

go build -o "$tmp/aofload" ./bench/aofload
go build -o "$tmp/aofrdb" ./cmd/aofrdb

# startredis DIR ARGS...: start redis-server on a unix socket in DIR, in
# the background (pid in $pid), and wait until it answers (it answers
# -LOADING while it loads).
startredis() {
	local dir=$1
	shift
	rm -f "$dir/redis.log"
	redis-server --port 0 --unixsocket "$dir/redis.sock" --dir "$dir" --save '' \
		--appendonly yes --aof-use-rdb-preamble no --auto-aof-rewrite-percentage 0 \
		--daemonize no --logfile "$dir/redis.log" "$@" &
	pid=$!
	for _ in $(seq 400); do
		[ -S "$dir/redis.sock" ] && redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 && return
		sleep 0.05
	done
	redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 || { echo "aof.sh: redis-server does not start in $dir" >&2; exit 1; }
}

# waitloaded DIR: wait until the server of DIR has loaded its data.
waitloaded() {
	for _ in $(seq 3000); do
		redis-cli -s "$1/redis.sock" info persistence 2>/dev/null | grep -q '^loading:0' && return
		sleep 0.1
	done
	echo "aof.sh: redis-server in $1 does not finish loading" >&2
	exit 1
}

stopredis() {
	redis-cli -s "$1/redis.sock" shutdown nosave >/dev/null 2>&1 || true
	wait "$pid" 2>/dev/null || true
	pid=
}

cache=bench/out/aof/keys-$keys-gen-$gen
if [ ! -f "$cache/done" ]; then
	echo "generating $keys keys with redis-server into $cache (once) ..." >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	work=$tmp/gen
	mkdir -p "$work"
	"$tmp/aofload" -mode gen -keys "$keys" >"$work/cmds.resp"
	startredis "$work"
	out=$(redis-cli -s "$work/redis.sock" --pipe <"$work/cmds.resp")
	rm -f "$work/cmds.resp"
	grep -q 'errors: 0,' <<<"$out" || { echo "aof.sh: redis-cli --pipe: $out" >&2; exit 1; }
	# The AOF is written before replies are sent: it holds every command.
	redis-cli -s "$work/redis.sock" dbsize >"$cache/keys"
	cp -r "$work/appendonlydir" "$cache/incr"
	redis-cli -s "$work/redis.sock" bgrewriteaof >/dev/null
	for _ in $(seq 6000); do
		info=$(redis-cli -s "$work/redis.sock" info persistence)
		grep -q '^aof_rewrite_in_progress:0' <<<"$info" && grep -q '^aof_rewrite_scheduled:0' <<<"$info" &&
			grep -q '^aof_last_bgrewrite_status:ok' <<<"$info" &&
			! grep -q 'temp-' <(ls "$work/appendonlydir") && break
		sleep 0.05
	done
	sleep 0.2 # the rewrite's history files are removed in the background
	cp -r "$work/appendonlydir" "$cache/base"
	stopredis "$work"
	touch "$cache/done"
fi
nkeys=$(cat "$cache/keys")

# seconds CMD...: run CMD once, print its wall time in seconds.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "aof.sh: $* failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

# field NAME LINE: the value of NAME=VALUE in LINE.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# stats: best and median of the arguments.
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }

# row NAME MB SECONDS...: a table row, and every run's seconds.
row() {
	local name=$1 mb=$2 b m
	shift 2
	read -r b m <<<"$(stats "$@")"
	printf '%-22s %9.3f %9.3f %9.0f %9.0f  (%s)\n' "$name" "$b" "$m" "$(echo "$mb / $b" | bc -l)" "$(echo "$mb / $m" | bc -l)" \
		"$(printf '%.2f ' "$@" | sed 's/ $//')"
	best=$b median=$m
}

echo "redis: $(redis-server --version | cut -d' ' -f1-3); go $(go env GOVERSION); $(nproc) CPUs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in incr base; do
	src=$cache/$shape/appendonlydir
	[ -d "$src" ] || src=$cache/$shape
	man=$src/appendonly.aof.manifest
	bytes=$(cat "$src"/*.aof | wc -c)
	cat "$src"/*.aof >/dev/null # into the page cache
	mb=$(echo "$bytes / 1000000" | bc -l)
	rdir=$tmp/redis-$shape
	rm -rf "$rdir"
	mkdir -p "$rdir"
	cp -r "$src" "$rdir/appendonlydir"

	cli=false
	"$tmp/aofrdb" check "$man" >/dev/null 2>&1 && cli=true

	ck_ours=() ck_redis=() ck_cli=() ld_ours=() ld_redis=()
	declare -A ld_gogc=()
	heap= rss= rmem= rrss=
	for ((r = 1; r <= runs; r++)); do
		[ -t 2 ] && printf '\r%s: run %d/%d' "$shape" "$r" "$runs" >&2
		ck_ours+=("$(seconds "$tmp/aofload" -mode check "$man")")
		ck_redis+=("$(seconds redis-check-aof "$man")")
		$cli && ck_cli+=("$(seconds "$tmp/aofrdb" check "$man")")

		line=$("$tmp/aofload" -mode load "$src")
		got=$(field keys "$line")
		[ "$got" = "$nkeys" ] || { echo "aof.sh: we loaded $got keys, redis-server had $nkeys" >&2; exit 1; }
		ld_ours+=("$(field seconds "$line")")
		for g in ${GOGCS:-}; do
			ld_gogc[$g]+=" $(field seconds "$(GOGC=$g "$tmp/aofload" -mode load "$src")")"
		done
		heap=$(field peakheapMB "$line") rss=$(field maxrssMB "$line")

		startredis "$rdir"
		waitloaded "$rdir"
		s=$(sed -n 's/.*DB loaded from append only file: \([0-9.]*\) seconds.*/\1/p' "$rdir/redis.log")
		[ -n "$s" ] || { echo "aof.sh: no load time in $rdir/redis.log" >&2; exit 1; }
		got=$(redis-cli -s "$rdir/redis.sock" dbsize)
		[ "$got" = "$nkeys" ] || { echo "aof.sh: redis-server loaded $got keys, not $nkeys" >&2; exit 1; }
		ld_redis+=("$s")
		rmem=$(redis-cli -s "$rdir/redis.sock" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')
		rrss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
		stopredis "$rdir"
	done
	[ -t 2 ] && printf '\r' >&2

	echo
	echo "$shape: $(ls "$src" | grep -v manifest | tr '\n' ' ')— $bytes bytes, $nkeys keys; $runs runs"
	printf '%-22s %9s %9s %9s %9s  %s\n' "" "best s" "median s" "MB/s best" "MB/s med" "(each run, s)"
	row "redis-check-aof" "$mb" "${ck_redis[@]}"
	rb=$best rmed=$median
	row "aofload -mode check" "$mb" "${ck_ours[@]}"
	printf '  check: ours is %.2fx redis-check-aof (best), %.2fx (median); goal >= 1\n' \
		"$(echo "$rb / $best" | bc -l)" "$(echo "$rmed / $median" | bc -l)"
	if $cli; then
		row "aofrdb check" "$mb" "${ck_cli[@]}"
		printf '  check: aofrdb check is %.2fx redis-check-aof (best), %.2fx (median)\n' \
			"$(echo "$rb / $best" | bc -l)" "$(echo "$rmed / $median" | bc -l)"
	else
		echo "  (aofrdb check does not take an AOF manifest in this tree: not timed)"
	fi
	row "redis-server load" "$mb" "${ld_redis[@]}"
	rb=$best rmed=$median
	row "aof.LoadDir" "$mb" "${ld_ours[@]}"
	printf '  load: ours is %.2fx redis-server (best), %.2fx (median); goal >= 1.5\n' \
		"$(echo "$rb / $best" | bc -l)" "$(echo "$rmed / $median" | bc -l)"
	for g in ${GOGCS:-}; do
		# shellcheck disable=SC2086 # the times, split
		row "aof.LoadDir GOGC=$g" "$mb" ${ld_gogc[$g]}
		printf '  load with GOGC=%s: %.2fx redis-server (best), %.2fx (median)\n' "$g" \
			"$(echo "$rb / $best" | bc -l)" "$(echo "$rmed / $median" | bc -l)"
	done
	printf '  memory: redis-server used_memory %.0f MB, peak RSS %.0f MB; ours peak Go heap %s MB, peak RSS %s MB\n' \
		"$(echo "$rmem / 1048576" | bc -l)" "$(echo "$rrss / 1024" | bc -l)" "$heap" "$rss"
done
