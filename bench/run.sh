#!/usr/bin/env bash
# Speed benchmark: hops against `curl -L` on a 50-hop same-host redirect chain on loopback,
# over http and https, timed alternately in one run. Prints median and mean wall time of each
# tool and the ratio hops/curl (medians). It is a report: a ratio above 1.0 does not fail it;
# only a broken build, server or client does (exit 1). See bench/README.md.
#
# Usage: bench/run.sh            (ROUNDS=30 WARMUP=3 by default; CURL=path picks another curl)
set -euo pipefail

ROUNDS=${ROUNDS:-30}
WARMUP=${WARMUP:-3}
CURL=${CURL:-curl}
MAX_REDIRS=60
# The chain: /hop/1 → /hop/2 → … → /hop/50 (200): 50 requests, 49 redirects.
FIRST_PATH=/hop/1
LAST_PATH=/hop/50
REQUESTS=50

die() {
    echo "bench: error: $*" >&2
    exit 1
}

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer (got '$ROUNDS')"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"
((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME)"
command -v "$CURL" >/dev/null || die "curl not found ('$CURL')"
command -v cargo >/dev/null || die "cargo not found"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Neither client may go through a proxy or read a user config file.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

echo "bench: building hops and the scenario crate's bench_server example (release)" >&2
# Two builds, so hops is built with exactly the features a user's `cargo build --release` gives.
cargo build --release --quiet --bin hops
cargo build --release --quiet -p hops-scenario --example bench_server
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
HOPS=$target_dir/release/hops
SERVER=$target_dir/release/examples/bench_server
[[ -x $HOPS && -x $SERVER ]] || die "built binaries not found under $target_dir/release"

declare -A ratio=() # scheme → hops/curl median ratio

work=$(mktemp -d "${TMPDIR:-/tmp}/hops-bench.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server: starts the server as a coprocess (its stdin and stdout are ours to talk to) and
# reads its first line: sets $http_port, $https_port and $ca_file.
start_server() {
    # Its CA file goes under $work, so it is removed with it even when the server is killed.
    coproc SERVER {
        export TMPDIR=$work
        exec "$SERVER" 2>"$work/server.err"
    }
    server_pid=$SERVER_PID
    read -r -t 10 http_port https_port ca_file <&"${SERVER[0]}" ||
        die "the server did not print its ports within 10 s: $(cat "$work/server.err")"
    [[ $http_port =~ ^[0-9]+$ && $https_port =~ ^[0-9]+$ && -s $ca_file ]] ||
        die "the server printed '$http_port $https_port $ca_file' instead of two ports and its CA"
}

# stats: reads the server's counters since the last call into $conns and $reqs.
stats() {
    local line
    echo >&"${SERVER[1]}" || die "the server is gone: $(cat "$work/server.err")"
    read -r -t 10 line <&"${SERVER[0]}" || die "the server did not answer a stats query"
    [[ $line =~ ^connections=([0-9]+)\ requests=([0-9]+)$ ]] ||
        die "unexpected stats line from the server: '$line'"
    conns=${BASH_REMATCH[1]} reqs=${BASH_REMATCH[2]}
}

run_hops() {
    "$HOPS" "${hops_tls[@]}" --max-redirs "$MAX_REDIRS" -s "$base$FIRST_PATH" >/dev/null ||
        die "hops failed on $base$FIRST_PATH"
}

run_curl() {
    "$CURL" -q "${curl_tls[@]}" -sL --max-redirs "$MAX_REDIRS" -o /dev/null "$base$FIRST_PATH" ||
        die "curl failed on $base$FIRST_PATH"
}

# time_run TOOL: runs it once, appends the wall time in microseconds to TOOL's list.
time_run() {
    local tool=$1 start end
    start=$EPOCHREALTIME
    "run_$tool"
    end=$EPOCHREALTIME
    local elapsed=$((10#${end/[.,]/} - 10#${start/[.,]/}))
    echo "$elapsed" >>"$work/$scheme.$tool"
}

# summary FILE: "median mean min" in milliseconds.
summary() {
    sort -n "$1" | awk '
        { v[NR] = $1; sum += $1 }
        END {
            median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f\n", median / 1000, sum / NR / 1000, v[1] / 1000
        }'
}

# check_chain: both tools reach the last hop through the whole chain (same -w format for both),
# and each uses one connection for it; sets hops_conns and curl_conns.
check_chain() {
    local format='%{http_code} %{num_redirects} %{url_effective}'
    local want="200 $((REQUESTS - 1)) $base$LAST_PATH" got
    got=$("$CURL" -q "${curl_tls[@]}" -sL --max-redirs "$MAX_REDIRS" -o /dev/null -w "$format" \
        "$base$FIRST_PATH") || die "curl failed on $base$FIRST_PATH"
    [[ $got == "$want" ]] || die "curl: expected '$want', got '$got'"
    got=$("$HOPS" "${hops_tls[@]}" --max-redirs "$MAX_REDIRS" -s -w "$format" \
        "$base$FIRST_PATH") || die "hops failed on $base$FIRST_PATH"
    [[ $got == "$want" ]] || die "hops: expected '$want', got '$got'"

    local hops_reqs curl_reqs
    stats
    run_hops
    stats
    hops_conns=$conns hops_reqs=$reqs
    run_curl
    stats
    curl_conns=$conns curl_reqs=$reqs
    ((hops_reqs == REQUESTS && curl_reqs == REQUESTS)) ||
        die "expected $REQUESTS requests per run, the server saw hops $hops_reqs, curl $curl_reqs"
}

# bench SCHEME: warm-up, then ROUNDS rounds, alternating which tool goes first.
bench() {
    scheme=$1
    : >"$work/$scheme.hops"
    : >"$work/$scheme.curl"
    check_chain
    local i
    for ((i = 0; i < WARMUP; i++)); do
        run_hops
        run_curl
    done
    for ((i = 1; i <= ROUNDS; i++)); do
        if ((i % 2)); then
            time_run hops
            time_run curl
        else
            time_run curl
            time_run hops
        fi
    done

    local hops_median hops_mean hops_min curl_median curl_mean curl_min
    read -r hops_median hops_mean hops_min < <(summary "$work/$scheme.hops")
    read -r curl_median curl_mean curl_min < <(summary "$work/$scheme.curl")
    ratio[$scheme]=$(awk -v h="$hops_median" -v c="$curl_median" 'BEGIN { printf "%.3f", h / c }')
    printf '%s: %d requests (%d redirects) per run, %d rounds\n' "$scheme" "$REQUESTS" \
        "$((REQUESTS - 1))" "$ROUNDS"
    printf '  %-5s median %7.2f ms   mean %7.2f ms   min %7.2f ms   connections/run %d\n' \
        hops "$hops_median" "$hops_mean" "$hops_min" "$hops_conns" \
        curl "$curl_median" "$curl_mean" "$curl_min" "$curl_conns"
    printf '  ratio hops/curl (median): %s\n\n' "${ratio[$scheme]}"
}

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "bench: $("$HOPS" --version), $("$CURL" --version | head -n 1 | cut -d' ' -f1-5)," \
    "$(nproc 2>/dev/null || echo '?') cores, load $load, $(date -u +%Y-%m-%d)"
echo

# One server for both schemes: its http and https listeners serve the same chain.
start_server
base=http://127.0.0.1:$http_port
hops_tls=()
curl_tls=()
bench http

base=https://127.0.0.1:$https_port
hops_tls=(--cacert "$ca_file")
curl_tls=(--cacert "$ca_file")
bench https

slower=()
for scheme in http https; do
    if awk -v r="${ratio[$scheme]}" 'BEGIN { exit !(r > 1.0) }'; then
        slower+=("$scheme (${ratio[$scheme]})")
    fi
done
if ((${#slower[@]} == 0)); then
    echo "result: hops <= curl over http (${ratio[http]}) and https (${ratio[https]}): requirement met"
else
    echo "result: hops is slower than curl over ${slower[*]}: requirement NOT met"
fi
