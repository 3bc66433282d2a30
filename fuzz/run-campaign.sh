#!/bin/sh
# Runs every libFuzzer target of a fuzz build in parallel for a fixed time and
# summarises the result. Usage:
#   fuzz/run-campaign.sh FUZZ_BIN_DIR SECONDS WORK_DIR
# FUZZ_BIN_DIR holds the fuzz_* binaries (build/fuzz/fuzz after `make fuzz`).
# Each target starts from its committed seed corpus (fuzz/corpus/<name>) plus
# WORK_DIR/corpus/<name> (kept between runs, so campaigns can be resumed), and
# writes new inputs only to WORK_DIR. Crash reproducers go to WORK_DIR/crashes/.
# Exit status is non-zero when any target found a crash, leak or timeout.
set -u
bin_dir=$1
seconds=$2
work=$3
root=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/corpus" "$work/crashes" "$work/logs"
pids=""
for exe in "$bin_dir"/fuzz_*; do
    [ -x "$exe" ] || continue
    name=$(basename "$exe" | sed 's/^fuzz_//')
    mkdir -p "$work/corpus/$name" "$work/crashes/$name"
    # ${FUZZ_RUNNER:-} lets a caller run the binaries through a bundled loader.
    ${FUZZ_RUNNER:-} "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/crashes/$name/" \
        "$work/corpus/$name" "$root/corpus/$name" >"$work/logs/$name.log" 2>&1 &
    pids="$pids $!"
done
status=0
for p in $pids; do
    wait "$p" || status=1
done
printf '%-14s %12s %10s %8s %s\n' target runs exec/s corpus result
for log in "$work"/logs/*.log; do
    name=$(basename "$log" .log)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    n=$(find "$work/corpus/$name" -type f | wc -l)
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$log"; then
        result=FAIL
        status=1
    else
        result=clean
    fi
    printf '%-14s %12s %10s %8s %s\n' "$name" "${runs:-?}" "${rate:-?}" "$n" "$result"
done
exit $status
