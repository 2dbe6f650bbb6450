#!/usr/bin/env bash
# Per-hop cost on a very long chain: /hop/1 → /hop/2 → … → /hop/N (200) on loopback, followed
# with --max-redirs -1 by hops and by `curl -L --max-redirs -1`, in one run. Reports each tool's
# wall time and peak memory, and for hops the hops per second over its first and its last 1,000
# hops (from the HAR file's start times): a per-hop cost that grows with the chain shows as a
# lower rate at the end. A report, not a test: only a broken build, server or client fails it.
#
# Usage: bench/long_chain.sh            (LENGTH=100000 by default; CURL=path picks another curl)
set -euo pipefail

LENGTH=${LENGTH:-100000}
CURL=${CURL:-curl}

die() {
    echo "bench: error: $*" >&2
    exit 1
}

[[ $LENGTH =~ ^[0-9]+$ ]] && ((LENGTH >= 2000)) || die "LENGTH must be 2000 or more (got '$LENGTH')"
command -v python3 >/dev/null || die "python3 not found (it serves the chain)"
command -v "$CURL" >/dev/null || die "curl not found ('$CURL')"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

echo "bench: building hops (release)" >&2
cargo build --release --quiet --bin hops
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
HOPS=$target_dir/release/hops

work=$(mktemp -d "${TMPDIR:-/tmp}/hops-long.XXXXXX")
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 bench/chain_server.py "$LENGTH" >"$work/port" 2>/dev/null &
server_pid=$!
for _ in $(seq 50); do [[ -s $work/port ]] && break; sleep 0.1; done
port=$(head -1 "$work/port")
[[ $port =~ ^[0-9]+$ ]] || die "the chain server did not start"
url=http://127.0.0.1:$port/hop/1

# One run each: wall seconds and peak resident memory (KB) from /usr/bin/time.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" ||
        die "$name failed: $(tail -3 "$work/$name.err")"
    read -r seconds kb <"$work/$name.time"
    printf '%-28s %8.2f s  %7.1f MB\n' "$name" "$seconds" "$(echo "$kb / 1024" | bc -l)"
}

echo "bench: a chain of $LENGTH requests on 127.0.0.1:$port"
measure "hops (text, -s)" "$HOPS" -s --max-redirs -1 "$url"
measure "hops (text)" "$HOPS" --max-redirs -1 "$url"
measure "hops (text, --har)" "$HOPS" -s --max-redirs -1 --har "$work/chain.har" "$url"
# curl may give up on a chain this long (it has, here, after a few thousand hops): say so and go on.
if /usr/bin/time -f "%e %M" -o "$work/curl.time" "$CURL" -s -L --max-redirs -1 -o /dev/null \
    -w '%{num_redirects}' "$url" >"$work/curl.out" 2>/dev/null; then
    read -r seconds kb <"$work/curl.time"
    printf '%-28s %8.2f s  %7.1f MB\n' "curl -L" "$seconds" "$(echo "$kb / 1024" | bc -l)"
else
    status=$?
    read -r seconds kb < <(tail -1 "$work/curl.time")
    printf '%-28s %8.2f s  %7.1f MB  (failed with exit %s after %s redirects)\n' "curl -L" \
        "$seconds" "$(echo "$kb / 1024" | bc -l)" "$status" "$(cat "$work/curl.out")"
fi

python3 - "$work/chain.har" <<'PY'
import json, sys
from datetime import datetime
entries = json.load(open(sys.argv[1]))["log"]["entries"]
times = [datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00")) for e in entries]
def rate(first, last):
    return (last - first) / (times[last] - times[first]).total_seconds()
early, late = rate(0, 999), rate(len(times) - 1000, len(times) - 1)
print(f"hops per second: first 1,000 hops {early:,.0f}, last 1,000 hops {late:,.0f} "
      f"(last/first {late / early:.2f})")
PY
