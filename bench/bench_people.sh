#!/bin/sh
# Population acceptance benchmark (issue 3): 10 million person records streamed
# in at most 2 minutes on one core, and no duplicate PNC IDs or CRO numbers.
#
# usage: sh bench/bench_people.sh MID_BINARY [COUNT] [SEED]
#
#   1. mid synth people --count COUNT to /dev/null, CSV and JSON lines, one core
#      (taskset -c 0 when taskset exists): wall, user and system seconds.
#   2. The same CSV to a file in a scratch directory (removed at the end; needs
#      about 136 bytes per record of free space there, TMPDIR or /tmp).
#   3. Distinct PNC IDs (column 2) and repeated CRO numbers (column 3) in it.
# COUNT defaults to 10000000, SEED to 1. Prints a Markdown table.
set -eu

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: sh bench/bench_people.sh MID_BINARY [COUNT] [SEED]" >&2
    exit 2
fi
mid=$1
count=${2:-10000000}
seed=${3:-1}
if [ ! -x "$mid" ]; then
    echo "bench_people: '$mid' is not an executable mid binary" >&2
    exit 2
fi
pin=""
if command -v taskset >/dev/null 2>&1; then
    pin="taskset -c 0"
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench_people.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

# Runs a command under time(1)-like measurement; prints "wall user sys".
measure() {
    /usr/bin/time -f "%e %U %S" -o "$scratch/time" "$@"
    cat "$scratch/time"
}

echo "| command | wall s | user s | sys s |"
echo "|---|---:|---:|---:|"
for format in csv jsonl; do
    # shellcheck disable=SC2086 # $pin is empty or "taskset -c 0"
    t=$(measure $pin "$mid" synth people --seed "$seed" --count "$count" --format "$format" \
        -o /dev/null)
    echo "| mid synth people --count $count --format $format -o /dev/null | $(echo "$t" | sed 's/ / | /g') |"
done
out="$scratch/people.csv"
# shellcheck disable=SC2086
t=$(measure $pin "$mid" synth people --seed "$seed" --count "$count" --format csv -o "$out")
echo "| mid synth people --count $count --format csv -o FILE | $(echo "$t" | sed 's/ / | /g') |"

bytes=$(wc -c <"$out")
lines=$(wc -l <"$out")
pnc=$(tail -n +2 "$out" | cut -d, -f2 | LC_ALL=C sort -u | wc -l)
cro_dup=$(tail -n +2 "$out" | cut -d, -f3 | grep -v '^$' | LC_ALL=C sort | uniq -d | wc -l)
echo
echo "file: $bytes bytes, $lines lines; distinct PNC IDs: $pnc of $count; repeated CRO numbers: $cro_dup"
if [ "$pnc" -ne "$count" ] || [ "$cro_dup" -ne 0 ]; then
    echo "bench_people: duplicate identifiers" >&2
    exit 1
fi
