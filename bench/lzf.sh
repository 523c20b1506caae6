#!/usr/bin/env bash
# bench/lzf.sh: compression and decompression speed of internal/lzf against C
# liblzf (Debian's liblzf-dev, linked with -llzf), on the same inputs.
#
#   bash bench/lzf.sh
#
# The inputs are the benchmark corpora of internal/lzf/corpus_test.go (text,
# an RDB-like mix, small JSON values, random bytes, highly repetitive data),
# which TestWriteCorpora writes to a temporary directory. bench/lzfbench.c,
# built with -O2, measures liblzf on those files, and the Go benchmarks
# BenchmarkCompress and BenchmarkDecompress measure internal/lzf on the same
# bytes, block by block in the same way. C and Go take turns, RUNS times, so
# that a change in the machine's load hits both. The tables give the
# compressed sizes, and the best and the median MB/s of each side (1 MB =
# 10^6 bytes of uncompressed data), both per second of the measuring
# thread's CPU time, which other processes running on the machine do not
# disturb much, and per second of wall-clock time, which they do.
#
# Environment:
#   RUNS  measurements per side and corpus (default 5)
#   SECS  length of one measurement in seconds (default 0.5)
#   CC    C compiler (default cc)
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-5}
secs=${SECS:-0.5}
cc=${CC:-cc}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/lzf.test" ./internal/lzf
"$tmp/lzf.test" -test.run '^TestWriteCorpora$' -lzf.corpusdir="$tmp" >/dev/null
if ! "$cc" -O2 -o "$tmp/lzfbench" bench/lzfbench.c -llzf; then
	echo "lzf.sh: cannot build bench/lzfbench.c against liblzf (apt-get install -y gcc liblzf-dev)" >&2
	exit 1
fi

args=()
while read -r name block; do
	args+=("$name:$block:$tmp/$name")
done <"$tmp/corpora.txt"

echo "liblzf (C, -O2) vs internal/lzf (Go $(go env GOVERSION)), $runs runs of ${secs}s each, $(nproc) CPUs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= runs; r++)); do
	[ -t 2 ] && printf '\rrun %d/%d' "$r" "$runs" >&2
	"$tmp/lzfbench" 1 "$secs" "${args[@]}" >>"$tmp/c.txt"
	"$tmp/lzf.test" -test.run '^$' -test.bench '^Benchmark(Compress|Decompress)$' \
		-test.benchtime "${secs}s" -test.count 1 >>"$tmp/go.txt"
done
[ -t 2 ] && printf '\r' >&2

# c.txt:  NAME SIZE COMPRESSED COMP_WALL COMP_CPU DECOMP_WALL DECOMP_CPU  (a line per run)
# go.txt: BenchmarkCompress/NAME-P  N  T ns/op  X MB/s  Y cpuMB/s  Z zbytes
awk -v corpora="$tmp/corpora.txt" -v runs="$runs" '
function stats(key,   n, i, j, t, v) {
	n = cnt[key]
	for (i = 1; i <= n; i++) v[i] = val[key, i]
	for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
	best = v[n]
	median = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function add(key, x) { val[key, ++cnt[key]] = x }
function row(name, clock,   cb, cm, gb, gm, db, dm, hb, hm) {
	stats("c/comp/" clock "/" name); cb = best; cm = median
	stats("go/comp/" clock "/" name); gb = best; gm = median
	stats("c/decomp/" clock "/" name); db = best; dm = median
	stats("go/decomp/" clock "/" name); hb = best; hm = median
	printf "%-11s %6.0f /%6.0f %6.0f /%6.0f %5.2fx %5.2fx   %6.0f /%6.0f %6.0f /%6.0f %5.2fx %5.2fx\n",
		name, cb, cm, gb, gm, gb / cb, gm / cm, db, dm, hb, hm, hb / db, hm / dm
}
function header(what) {
	printf "\n%s, MB/s of uncompressed data (best / median of %d runs):\n", what, runs
	printf "%-11s %-43s   %-43s\n", "", "compress", "decompress"
	printf "%-11s %14s %14s %13s   %14s %14s %13s\n", "corpus", "C", "Go", "Go/C best med", "C", "Go", "Go/C best med"
}
FNR == 1 { file++ }
file == 1 {
	size[$1] = $2; zc[$1] = $3
	add("c/comp/wall/" $1, $4); add("c/comp/cpu/" $1, $5)
	add("c/decomp/wall/" $1, $6); add("c/decomp/cpu/" $1, $7)
	next
}
file == 2 && /^Benchmark/ {
	split($1, parts, "/"); name = parts[2]; sub(/-[0-9]+$/, "", name)
	op = parts[1] == "BenchmarkCompress" ? "comp" : "decomp"
	for (i = 2; i < NF; i++) {
		if ($(i + 1) == "MB/s") add("go/" op "/wall/" name, $i)
		if ($(i + 1) == "cpuMB/s") add("go/" op "/cpu/" name, $i)
		if ($(i + 1) == "zbytes") zgo[name] = $i
	}
}
END {
	while ((getline line < corpora) > 0) { split(line, f, " "); names[++nn] = f[1]; block[f[1]] = f[2] }
	printf "\ncompressed size in bytes:\n"
	printf "%-11s %8s %9s %9s %9s %8s\n", "corpus", "block", "input", "C", "Go", "Go/C"
	for (k = 1; k <= nn; k++) {
		n = names[k]
		printf "%-11s %8d %9d %9d %9d %7.2f%%\n", n, block[n], size[n], zc[n], zgo[n], 100 * zgo[n] / zc[n]
	}
	header("speed per second of the measuring thread'"'"'s CPU time")
	for (k = 1; k <= nn; k++) row(names[k], "cpu")
	header("speed per second of wall-clock time (also counts time other processes held the CPU)")
	for (k = 1; k <= nn; k++) row(names[k], "wall")
}' "$tmp/c.txt" "$tmp/go.txt"
