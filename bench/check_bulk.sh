#!/usr/bin/env bash
# Bulk checks: `hops check -P 50 --per-host 50` on a map of ROWS 3-redirect chains on loopback,
# against `curl -Z --parallel-max 50 -L` fetching the same URLs from a config file, timed alternately in
# one run, then the same with 20 ms of server latency per response, then hops' peak memory for a
# small and a large URL list. Prints wall time, peak resident memory and CPU time of every run
# (from /usr/bin/time), the ratio hops/curl of the median wall times, rows per second, and how
# busy the server was (its CPU time and the connections and requests it saw). A report, not a test: only a broken build, server or client fails it.
#
# The server is `hops serve` (the release build under test), httpbin's endpoints on 127.0.0.1.
# A row is three nested `/redirect-to?url=<next URL, percent-encoded>&status_code=301` ending
# at `/get?row=N`; in the latency case each of the four URLs also carries `&delay=LATENCY_MS`,
# the knob that makes hops serve answer that much later (a timer: other connections are served
# meanwhile). httpbin's redirect endpoints drop the query from the Location they send, hence
# nested URLs rather than `/redirect/3?delay=`. The first case uses it too: the Python server
# used before (bench/bulk_server.py, since removed) spent 35 to 90 us of CPU a request and
# saturated its core at about 3,000 rows/s, so it set the pace of that case rather than the
# clients; hops serve spends 10 to 20 us a request, which leaves the clients as the limit. The
# server logs each request to a JSON file (`--log-json`, at no measurable cost), from which the
# requests and distinct connections of every run are counted.
#
# Usage: bench/check_bulk.sh     (ROWS=10000 RUNS=3 LATENCY_MS=20 SCALE_ROWS="10000 200000")
set -euo pipefail

ROWS=${ROWS:-10000}                # rows of the map (cases 1 and 2)
RUNS=${RUNS:-3}                    # timed runs of each tool per case, alternating
PARALLEL=50                        # -P, --per-host and --parallel-max: every transfer goes to one host
LATENCY_MS=${LATENCY_MS:-20}       # server latency per response in case 2
LATENCY_ROWS=${LATENCY_ROWS:-$ROWS} # rows in case 2
SCALE_ROWS=${SCALE_ROWS:-"10000 200000"} # URL-list sizes for the memory case
CHAIN=3                            # redirects per row: CHAIN + 1 requests
CURL=${CURL:-curl}

die() {
    echo "bench: error: $*" >&2
    exit 1
}

for v in ROWS RUNS LATENCY_MS LATENCY_ROWS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
for n in $SCALE_ROWS; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "SCALE_ROWS must be positive integers (got '$SCALE_ROWS')"
done
command -v "$CURL" >/dev/null || die "curl not found ('$CURL')"
command -v cargo >/dev/null || die "cargo not found"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Neither client may go through a proxy or read a user config file.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

echo "bench: building hops (release)" >&2
cargo build --release --quiet --bin hops
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
HOPS=$target_dir/release/hops
[[ -x $HOPS ]] || die "built hops not found under $target_dir/release"

work=$(mktemp -d "${TMPDIR:-/tmp}/hops-bulk.XXXXXX")
server_pid=
port=
log_seen=0 # bytes of the request log already counted
counts=    # "connections=C requests=R", set by stats
stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
    rm -f "$work/requests.ndjson"
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server: starts `hops serve` on free ports, logging each request to
# $work/requests.ndjson; sets $port (its http port) and $server_pid once it answers.
start_server() {
    stop_server
    port=
    log_seen=0
    : >"$work/server.out"
    "$HOPS" serve --port 0 --https-port 0 --quiet --log-json "$work/requests.ndjson" \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    # The banner's first line: "hops serve: http on 127.0.0.1:PORT, https on 127.0.0.1:PORT".
    local i
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n '1s/^hops serve: http on [^ ]*:\([0-9][0-9]*\), https on .*/\1/p' \
            "$work/server.out")
        [[ -n $port ]] && break
        kill -0 "$server_pid" 2>/dev/null ||
            die "hops serve exited at start: $(cat "$work/server.err")"
        sleep 0.1
    done
    [[ $port =~ ^[0-9]+$ ]] ||
        die "hops serve printed no port in 10 s: '$(head -1 "$work/server.out")' $(cat "$work/server.err")"
    for ((i = 0; i < 50; i++)); do
        "$CURL" -q -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/get" && break
        sleep 0.1
    done
    ((i < 50)) || die "hops serve does not answer on port $port"
    stats
}

# stats: sets $counts to "connections=C requests=R", the distinct connections and the requests
# in the server's log since the previous call. Not to be called in a subshell: it moves
# $log_seen on.
stats() {
    kill -0 "$server_pid" 2>/dev/null || die "the server is gone: $(cat "$work/server.err")"
    local size
    size=$(stat -c %s "$work/requests.ndjson")
    counts=$(tail -c +$((log_seen + 1)) "$work/requests.ndjson" | head -c $((size - log_seen)) |
        awk -F'"connection":' '!(($2 + 0) in seen) { seen[$2 + 0]; c++ }
            END { printf "connections=%d requests=%d\n", c, NR }')
    log_seen=$size
}

# server_cpu: CPU seconds (user + system) the server has used so far.
server_cpu() {
    awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / tck }' \
        "/proc/$server_pid/stat"
}

# make_inputs N DELAY_MS: $work/map.N.csv (source,target,status), $work/list.N (one URL a line)
# and $work/curl.N (a curl config: url and output lines). Row i is CHAIN nested 301s from
# /redirect-to?row=i&url=... to its own target /get?row=i, each URL with &delay=DELAY_MS unless
# DELAY_MS is 0. The row number makes every source distinct (hops check traces a source that
# appears on several rows once).
make_inputs() {
    local n=$1 delay=$2 base=http://127.0.0.1:$port
    awk -v n="$n" -v base="$base" -v chain="$CHAIN" -v delay="$delay" -v dir="$work" '
    # A URL as a query value, as urllib.parse.quote(url, safe="") writes these URLs.
    function encode(url) {
        gsub(/%/, "%25", url); gsub(/:/, "%3A", url); gsub(/\//, "%2F", url)
        gsub(/\?/, "%3F", url); gsub(/=/, "%3D", url); gsub(/&/, "%26", url)
        return url
    }
    BEGIN {
        map = dir "/map." n ".csv"; list = dir "/list." n; cfg = dir "/curl." n
        knob = (delay > 0) ? "&delay=" delay : ""
        print "source,target,status" > map
        for (i = 1; i <= n; i++) {
            target = base "/get?row=" i knob
            src = target
            for (h = 1; h < chain; h++)
                src = base "/redirect-to?url=" encode(src) "&status_code=301" knob
            src = base "/redirect-to?row=" i "&url=" encode(src) "&status_code=301" knob
            print src "," target ",301" > map
            print src > list
            print "url = \"" src "\"\noutput = \"/dev/null\"" > cfg
        }
    }'
}

# timed NAME CMD...: runs CMD with stdout to /dev/null under /usr/bin/time; appends
# "wall_s rss_kb server_cpu_s requests connections client_cpu_s" to $work/NAME.
timed() {
    local name=$1 cpu0 cpu1 wall kb user sys
    shift
    stats
    cpu0=$(server_cpu)
    /usr/bin/time -f "%e %M %U %S" -o "$work/time.out" "$@" >/dev/null 2>"$work/err.out" ||
        die "$name failed (exit $?): $(tail -3 "$work/err.out")"
    cpu1=$(server_cpu)
    stats
    read -r wall kb user sys <"$work/time.out"
    [[ $counts =~ ^connections=([0-9]+)\ requests=([0-9]+)$ ]] || die "bad stats '$counts'"
    echo "$wall $kb $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') \
${BASH_REMATCH[2]} ${BASH_REMATCH[1]} $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$work/$name"
    printf '  %-5s %7.2f s %6.1f MB  CPU %5.1f s  server CPU %5.1f s (%3.0f%% of a core)  %7d requests %6d connections\n' \
        "$name" "$wall" "$(echo "$kb / 1024" | bc -l)" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
        "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" \
        "$(awk -v a="$cpu0" -v b="$cpu1" -v w="$wall" 'BEGIN { print (w > 0) ? 100 * (b - a) / w : 0 }')" \
        "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
}

# median FILE COLUMN
median() {
    awk -v c="$2" '{ print $c }' "$1" | sort -g |
        awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

hops_run=("$HOPS" check -P "$PARALLEL" --per-host "$PARALLEL" --format csv)   # then the map
curl_run=("$CURL" -q -Z --parallel-max "$PARALLEL" -L -s -K) # then the config

# compare CASE N DELAY_MS: RUNS alternating runs of each tool on the N-row map; prints the
# medians.
compare() {
    local case=$1 n=$2 delay=$3 i
    make_inputs "$n" "$delay"
    rm -f "$work/hops" "$work/curl"
    # Row 1 once by curl: 3 redirects to the row's target, taking at least CHAIN + 1 delays.
    local first got want took
    first=$(sed -n 2p "$work/map.$n.csv")
    want=$(cut -d, -f2 <<<"$first")
    got=$("$CURL" -q -sS -L --max-time 60 -o /dev/null \
        -w '%{http_code} %{num_redirects} %{url_effective} %{time_total}' "${first%%,*}") ||
        die "curl could not follow row 1"
    took=${got##* }
    [[ ${got% *} == "200 $CHAIN $want" ]] || die "row 1 by curl: '$got', not '200 $CHAIN $want ...'"
    awk -v t="$took" -v min="$(((CHAIN + 1) * delay))" 'BEGIN { exit !(t * 1000 >= min) }' ||
        die "row 1 took $took s, under $((CHAIN + 1)) x $delay ms: was the delay applied?"
    echo "  row 1 by curl: $CHAIN redirects to its target in $took s ($((CHAIN + 1)) requests x $delay ms of delay)"
    # Once, untimed: every row recorded, and every chain as expected.
    "${hops_run[@]}" "$work/map.$n.csv" >"$work/check.csv" 2>"$work/err.out" ||
        die "hops check failed (exit $?): $(tail -3 "$work/err.out")"
    local rows
    rows=$(($(wc -l <"$work/check.csv") - 1))
    ((rows == n)) || die "hops check reported $rows rows, not $n"
    local ok
    ok=$(awk -F, 'NR > 1 && $8 == "ok" && $6 == "301>301>301>200"' "$work/check.csv" | wc -l)
    ((ok == n)) || die "hops check found $ok of $n rows ok (see a failing one: $(awk -F, 'NR > 1 && $8 != "ok"' "$work/check.csv" | head -1))"
    echo "  untimed check run: $n rows reported, all ok (301>301>301>200, the expected target)"
    stats
    for ((i = 1; i <= RUNS; i++)); do
        if ((i % 2)); then
            timed hops "${hops_run[@]}" "$work/map.$n.csv"
            timed curl "${curl_run[@]}" "$work/curl.$n"
        else
            timed curl "${curl_run[@]}" "$work/curl.$n"
            timed hops "${hops_run[@]}" "$work/map.$n.csv"
        fi
    done
    local h c hk ck hr cr
    h=$(median "$work/hops" 1) c=$(median "$work/curl" 1)
    hk=$(sort -g "$work/hops" -k2 | tail -1 | awk '{ print $2 }')
    ck=$(sort -g "$work/curl" -k2 | tail -1 | awk '{ print $2 }')
    hr=$(median "$work/hops" 4) cr=$(median "$work/curl" 4)
    local hc cc
    hc=$(median "$work/hops" 6) cc=$(median "$work/curl" 6)
    ((${hr%.*} == n * (CHAIN + 1))) || echo "  warning: hops made ${hr%.*} requests, not $((n * (CHAIN + 1)))"
    ((${cr%.*} == n * (CHAIN + 1))) || echo "  warning: curl made ${cr%.*} requests, not $((n * (CHAIN + 1)))"
    awk -v h="$h" -v c="$c" -v n="$n" -v hk="$hk" -v ck="$ck" -v hc="$hc" -v cc="$cc" 'BEGIN {
        printf "  median wall: hops %.2f s (%.0f rows/s), curl %.2f s (%.0f rows/s); ratio hops/curl %.3f\n",
            h, n / h, c, n / c, h / c
        printf "  peak RSS (largest run): hops %.1f MB, curl %.1f MB\n", hk / 1024, ck / 1024
        printf "  median CPU (user + system): hops %.2f s, curl %.2f s\n", hc, cc
    }'
    printf '%s %s %s\n' "$case" "$h" "$c" >>"$work/summary"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "bench: $("$HOPS" --version | head -1), $("$CURL" --version | head -1 | cut -d' ' -f1-2), $(nproc) cores, load $(load), $(date -u +%F)"
echo "bench: -P $PARALLEL --per-host $PARALLEL, $CHAIN redirects per row ($((CHAIN + 1)) requests), $RUNS runs each"

echo
start_server
echo "case 1: $ROWS rows, no server latency (hops serve on 127.0.0.1:$port)"
compare nolatency "$ROWS" 0

echo
start_server
ideal=$(awk -v p="$PARALLEL" -v r=$((CHAIN + 1)) -v l="$LATENCY_MS" 'BEGIN { printf "%.0f", p / (r * l / 1000) }')
echo "case 2: $LATENCY_ROWS rows, $LATENCY_MS ms per response from ?delay=$LATENCY_MS (ideal $PARALLEL / ($((CHAIN + 1)) x $LATENCY_MS ms) = $ideal rows/s)"
compare latency "$LATENCY_ROWS" "$LATENCY_MS"
read -r _ h c < <(grep '^latency ' "$work/summary")
awk -v h="$h" -v c="$c" -v n="$LATENCY_ROWS" -v i="$ideal" 'BEGIN {
    printf "  of the ideal %d rows/s: hops %.0f%%, curl %.0f%%\n", i, 100 * n / h / i, 100 * n / c / i
}'

echo
start_server
echo "case 3: hops check peak memory by rows (URL list, $CHAIN redirects per row, -P $PARALLEL)"
first_kb=
for n in $SCALE_ROWS; do
    make_inputs "$n" 0
    rm -f "$work/hops"
    timed hops "${hops_run[@]}" "$work/list.$n"
    read -r wall kb _ <"$work/hops"
    [[ -n $first_kb ]] || first_kb=$kb
    awk -v n="$n" -v kb="$kb" -v f="$first_kb" -v w="$wall" 'BEGIN {
        printf "    %d rows: %.0f rows/s, peak RSS %.1f MB (%.2f x the first size)\n", n, n / w, kb / 1024, kb / f
    }'
done
