#!/bin/sh
# Load benchmark of the gateway on the demo world (10,000 people in IDENT1, about
# 1,000 in IABS): builds the world, enrols 16 devices and 16 officers, starts
# `mid serve` on loopback and runs bench_gateway at 1, 4 and 16 concurrent
# devices, N identification requests per device (the scenario captures: three
# hits and a no-hit, JSON encoding, IDENT1 and IABS).
#
# usage: sh bench/run-gateway.sh BUILD_DIR [REQUESTS_PER_DEVICE]
#   BUILD_DIR  a CMake build folder holding tools/mid/mid and bench/bench_gateway
# Environment: BENCH_LEVELS (default 1,4,16), DEMO_PEOPLE (default 10000),
# BENCH_SERVE_ARGS (extra `mid serve` options, e.g. "--threads 2").
# Output: the table on stdout, and build/bench-gateway/ (data, gateway log,
# results.json).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: sh bench/run-gateway.sh BUILD_DIR [REQUESTS_PER_DEVICE]" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
requests=${2:-10}
levels=${BENCH_LEVELS:-1,4,16}
mid=$build/tools/mid/mid
bench=$build/bench/bench_gateway
for b in "$mid" "$bench"; do
    if [ ! -x "$b" ]; then
        echo "run-gateway: $b is missing (cmake --build $1)" >&2
        exit 2
    fi
done
out=$root/build/bench-gateway
data=$out/data
rm -rf "$out"
mkdir -p "$out"
. "$root/scripts/gateway-lib.sh"
probes=$(gw_capture_dir mid-bench)
server_pid=""
trap gw_cleanup EXIT
trap 'exit 130' INT TERM

pin=24681357
sh "$root/scripts/demo-world.sh" "$mid" "$data" "$probes"
"$mid" ca init --data "$data" >/dev/null
for k in $(seq -w 1 16); do
    "$mid" device enrol "bench-$k" --data "$data" >/dev/null
    "$mid" officer add "B$k" --role officer --pin "$pin" --data "$data" >/dev/null
done
list=$probes/list
for c in s1 s2a s2b nohit; do
    printf '%s %s\n' "$probes/$c/2.wsq" "$probes/$c/7.wsq" >>"$list"
done

# shellcheck disable=SC2086
"$mid" serve --data "$data" --listen 127.0.0.1:0 --port-file "$out/port" --log "$out/gateway.log" \
    --rate 1000000 ${BENCH_SERVE_ARGS:-} 2>"$out/gateway.stderr" &
server_pid=$!
gw_wait_port "$out/port" "$out/gateway.stderr" || exit 1
sleep 1 # the galleries load before the port is published; give TLS a moment too

echo "gateway: $(nproc) cores, $(uname -m), $("$mid" version 2>/dev/null | head -1)"
echo "gallery: ${DEMO_PEOPLE:-10000} persons x 10 fingers in IDENT1; $requests requests per device"
rc=0
"$bench" --url "https://127.0.0.1:$port" --data "$data" --probes "$list" --levels "$levels" \
    --requests "$requests" --pin "$pin" --device-prefix bench- --officer-prefix B \
    --json "$out/results.json" || rc=$?

kill -TERM "$server_pid"
wait "$server_pid" || rc=$?
server_pid=""
exit "$rc"
