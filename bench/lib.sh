# bench/lib.sh: what the scripts that run redis-server share. A script
# sources it from the repository's root, after set -euo pipefail:
#
#   . bench/lib.sh
#   need redis-server redis-cli ...
#
# It makes a temporary directory, $tmp, and at exit kills the process
# whose id is in $pid and those in the array $pids (servers the script
# started in the background), waits for them, and removes $tmp.

# need TOOL...: exits, with the package to install, unless every TOOL is
# on PATH.
need() {
	local tool pkg
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			pkg="redis-server redis-tools"
			[ "$tool" = bc ] && pkg=bc
			echo "$(basename "$0"): $tool not found (apt-get install -y $pkg)" >&2
			exit 1
		fi
	done
}

tmp=$(mktemp -d)
pid=
pids=()
cleanup() {
	local p
	for p in $pid "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
