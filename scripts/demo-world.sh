#!/bin/sh
# Builds the demo's synthetic world into a gateway data directory, and the
# officers' roadside captures (probes) into a separate folder.
#
# usage: sh scripts/demo-world.sh MID_BINARY DATA_DIR PROBE_DIR
#
#   DATA_DIR   the gateway's data directory (created): person records and the
#              IDENT1 and IABS galleries in DATA_DIR/mid.db
#   PROBE_DIR  the "device capture" folder (created; put it on a RAM file system
#              such as /dev/shm): PROBE_DIR/<case>/2.wsq and 7.wsq, the right and
#              left index fingers, for the cases s1, s2a, s2b and nohit
#
# The world (synthetic seed 1; nobody in it is real):
#   - DEMO_PEOPLE (default 10,000) person records, persons 0..N-1, from
#     `mid synth people`, with three of them replaced by the scenario records of
#     scripts/demo/scenario-records.jsonl:
#       S1  person 1234: the driver, wanted by Sussex Police for a courier fraud
#           against an 85-year-old victim;
#       S2a person 305: the first occupant, wanted for breaching a deportation
#           order, with an immigration interest (also enrolled in IABS);
#       S2b person 5679: the second occupant, wanted for other offences;
#   - IDENT1: every person's ten fingers (direct templates, `mid synth gallery`);
#   - IABS: persons 9000..N-1 (ten fingers each) and S2a;
#   - the scenario persons' custody prints are rendered tenprint impressions
#     (impression 1, extracted by `mid enrol`), because the roadside probes are
#     rendered impressions of the same fingers (impression 2, the mobile FAP 45
#     profile, WSQ), and direct templates are not prints of the rendered masters
#     (docs/synth-templates.md);
#   - the no-hit case is person 10007, in no gallery.
# Prints timings of each step on stderr.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: sh scripts/demo-world.sh MID_BINARY DATA_DIR PROBE_DIR" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mid=$1
data=$2
probes=$3
people=${DEMO_PEOPLE:-10000}
iabs_start=${DEMO_IABS_START:-9000}
seed=1
s1=1234
s2a=305
s2b=5679
nohit=10007
all_fingers=1,2,3,4,5,6,7,8,9,10

mkdir -p "$data" "$probes"
work=$(mktemp -d "${TMPDIR:-/tmp}/mid-world.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

t_start=$(date +%s)
step() {
    printf 'world: %-58s (%3ss)\n' "$*" "$(($(date +%s) - t_start))" >&2
}

step "person records: $people from seed $seed, 3 scenario records"
"$mid" synth people --seed $seed --count "$people" --format jsonl -o "$work/people-base.jsonl"
# Replace the scenario persons' lines by the committed scenario records.
awk 'NR == FNR { id = $0; sub(/^\{"person":/, "", id); sub(/,.*/, "", id); repl[id] = $0; next }
     { id = $0; sub(/^\{"person":/, "", id); sub(/,.*/, "", id);
       if (id in repl) { print repl[id]; n++ } else print }
     END { if (n != 3) exit 1 }' \
    "$root/scripts/demo/scenario-records.jsonl" "$work/people-base.jsonl" >"$work/people.jsonl"
"$mid" records import "$work/people.jsonl" --data "$data" >/dev/null

step "IDENT1 gallery: $people persons x 10 fingers"
"$mid" synth gallery --seed $seed --people "$people" --fingers $all_fingers \
    -o "$work/ident1.midg" >/dev/null
"$mid" enrol --data "$data" --db IDENT1 --gallery "$work/ident1.midg" >/dev/null

if [ "$people" -gt "$iabs_start" ]; then
    step "IABS gallery: persons $iabs_start..$((people - 1)) x 10 fingers"
    "$mid" synth gallery --seed $seed --start "$iabs_start" --people "$((people - iabs_start))" \
        --fingers $all_fingers -o "$work/iabs.midg" >/dev/null
    "$mid" enrol --data "$data" --db IABS --gallery "$work/iabs.midg" >/dev/null
fi

step "custody tenprints of the scenario persons (rendered, extracted)"
for p in $s1 $s2a $s2b; do
    mkdir -p "$work/custody/$p"
    for f in 1 2 3 4 5 6 7 8 9 10; do
        "$mid" synth impressions --seed $seed --person $p --finger $f --count 1 --first 1 \
            --out "$work/custody/$p/$f" >/dev/null
    done
    set --
    for f in 1 2 3 4 5 6 7 8 9 10; do
        set -- "$@" --finger "$f=$work/custody/$p/$f/1.png"
    done
    "$mid" enrol --data "$data" --db IDENT1 --person $p "$@" >/dev/null
    if [ $p -eq $s2a ]; then
        "$mid" enrol --data "$data" --db IABS --person $p "$@" >/dev/null
    fi
done

step "roadside captures (fingers 2 and 7, mobile FAP 45, WSQ) in $probes"
capture() {
    case_name=$1
    person=$2
    for f in 2 7; do
        # Rendered straight into the RAM folder; the generator's ground-truth
        # minutiae (2.tmpl) are dropped there too and never touch the disk.
        "$mid" synth impressions --seed $seed --person "$person" --finger $f --count 1 --first 2 \
            --profile mobile-fap45 --condition normal --format wsq --out "$probes/.render" >/dev/null
        mkdir -p "$probes/$case_name"
        mv "$probes/.render/2.wsq" "$probes/$case_name/$f.wsq"
        rm -rf "$probes/.render"
    done
}
capture s1 $s1
capture s2a $s2a
capture s2b $s2b
capture nohit $nohit
step "done"
