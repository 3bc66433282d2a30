#!/bin/sh
# The `make demo` job: the Mobile ID system end to end, on the embedded store.
#
# usage: sh scripts/demo.sh MID_BINARY
#
#  1. a synthetic world (scripts/demo-world.sh): 10,000 person records, IDENT1
#     with everyone's ten fingers, IABS with about a thousand people, and the
#     officers' roadside captures in a RAM folder (/dev/shm when there is one);
#  2. the force CA, two patrol devices and officers (officer, supervisor,
#     auditor);
#  3. the gateway (`mid serve`) on a free loopback port, HTTPS with TLS 1.3;
#  4. the report's two scenarios, a no-hit and a refused consent, each through
#     `mid identify` as an officer would run it;
#  5. `mid audit verify` over the log of everything that happened;
#  6. a clean stop (SIGTERM) and a summary.
# Everything goes to build/demo-gateway/ (replaced on each run); the captures are
# deleted at the end. The fingerprint-engine demo is `make demo-engine`.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh scripts/demo.sh MID_BINARY" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mid=$1
case $mid in /*) ;; *) mid=$(pwd)/$mid ;; esac
if [ ! -x "$mid" ]; then
    echo "demo: '$1' is not an executable mid binary (build it first: make build)" >&2
    exit 2
fi
out=$root/build/demo-gateway
data=$out/data
rm -rf "$out"
mkdir -p "$out"
. "$root/scripts/gateway-lib.sh"
probes=$(gw_capture_dir mid-capture)
server_pid=""
trap gw_cleanup EXIT
trap 'exit 130' INT TERM

t_start=$(date +%s)
elapsed() {
    echo "$(($(date +%s) - t_start))"
}
say() {
    printf '\n== %s\n' "$*"
}
run() {
    printf '$ %s\n' "$*"
    "$@"
}

# Demo credentials. PINs are given as flags here only because this is a demo;
# an officer types theirs.
pin_pc=418207
pin_sgt=530126
pin_aud=771904

say "1. A synthetic world (seed 1; nobody in it is real)"
sh "$root/scripts/demo-world.sh" "$mid" "$data" "$probes"
echo "Person records, IDENT1 and IABS are in $data/mid.db; the captures are in $probes."

say "2. The force CA, two patrol devices, three officers"
run "$mid" ca init --data "$data"
run "$mid" device enrol PATROL-01 --data "$data"
run "$mid" device enrol PATROL-02 --data "$data"
run "$mid" officer add 4127 --role officer --pin "$pin_pc" --data "$data"
run "$mid" officer add 2290 --role supervisor --pin "$pin_sgt" --data "$data"
run "$mid" officer add 7781 --role auditor --pin "$pin_aud" --data "$data"

say "3. The gateway on loopback (HTTPS, TLS 1.3 only)"
printf '$ %s\n' "$mid serve --data $data --listen 127.0.0.1:0 --log $out/gateway.log &"
"$mid" serve --data "$data" --listen 127.0.0.1:0 --port-file "$out/port" \
    --log "$out/gateway.log" 2>"$out/gateway.stderr" &
server_pid=$!
echo "(it loads both galleries into memory before it listens: about a minute here)"
gw_wait_port "$out/port" "$out/gateway.stderr" || exit 1
url=https://127.0.0.1:$port
echo "listening on $url"

# One identification as the officer runs it: prints the answer, keeps going
# whatever the grade (the exit status says the grade).
identify() {
    device=$1
    collar=$2
    pin=$3
    case_dir=$4
    shift 4
    printf '$ mid identify --url %s --data %s --device %s --officer %s --pin **** %s\n' \
        "$url" "$data" "$device" "$collar" "$*"
    rc=0
    "$mid" identify --url "$url" --data "$data" --device "$device" --officer "$collar" \
        --pin "$pin" --finger "2=$probes/$case_dir/2.wsq" --finger "7=$probes/$case_dir/7.wsq" \
        "$@" || rc=$?
    case $rc in
    0) grade=green ;;
    10) grade=amber ;;
    11) grade=red ;;
    12) grade=not-searched ;;
    *) grade="failed($rc)" ;;
    esac
    echo "(exit status $rc: $grade)"
    statuses="$statuses $grade"
}
statuses=""

say "4a. Scenario 1: a driver gives a false name"
echo "PC 4127 stops a car on the A1. The driver says he is 'Daniel Hartley', born 13/12/2003,"
echo "but the vehicle keeper's details do not fit and he cannot say his own postcode. The"
echo "officer doubts the name and uses the PACE s.61(6A) power; the driver is told why"
echo "and that his prints will be searched speculatively."
identify PATROL-01 4127 "$pin_pc" s1 --tcn PATROL01-20261124-0001 \
    --basis pace-61-6a --offence "Driving otherwise than in accordance with a licence" \
    --name-doubt "Name given does not match the keeper or licence records; no ID" \
    --told-reason --told-speculative --reason "Driver's identity in doubt after a traffic stop" \
    --incident "NB-20261124-0187" --location "55.3790,-1.6826" \
    --ethnicity IC1 --age-band 18-24 --gender M --databases IDENT1,IABS

say "4b. Scenario 2: two occupants, two identities other than the ones they gave"
echo "A second car. PC 4127 asks both occupants to consent to a fingerprint check; they agree."
echo "Occupant A gives the name 'Ravi Sharma':"
identify PATROL-01 4127 "$pin_pc" s2a --tcn PATROL01-20261124-0002 \
    --basis consent --told-reason --told-speculative \
    --reason "Occupant of a vehicle linked to handling stolen goods; identity unverified" \
    --incident "NB-20261124-0193" --location "54.9783,-1.6178" \
    --ethnicity IC4 --age-band 25-34 --gender M --databases IDENT1,IABS
echo
echo "Occupant B gives the name 'Ricky Ashton'; Sergeant 2290 runs this one on the second device:"
identify PATROL-02 2290 "$pin_sgt" s2b --tcn PATROL02-20261124-0001 \
    --basis consent --told-reason --told-speculative \
    --reason "Occupant of a vehicle linked to handling stolen goods; identity unverified" \
    --incident "NB-20261124-0193" --location "54.9783,-1.6178" \
    --ethnicity IC1 --age-band 35-44 --gender M --databases IDENT1,IABS

say "4c. No hit: a person with no record anywhere"
identify PATROL-02 2290 "$pin_sgt" nohit --tcn PATROL02-20261124-0002 \
    --basis consent --told-reason --told-speculative \
    --reason "Pedestrian matching a description; identity unverified" \
    --incident "NB-20261124-0201" --ethnicity IC1 --age-band 45-54 --gender F \
    --databases IDENT1,IABS

say "4d. Refused consent: nothing is searched, the refusal is audited"
identify PATROL-01 4127 "$pin_pc" nohit --tcn PATROL01-20261124-0003 \
    --basis consent-refused \
    --reason "Passenger asked to confirm identity; declined" \
    --incident "NB-20261124-0205" --ethnicity IC9 --age-band 25-34 --gender U \
    --databases IDENT1

say "5. The audit log: hash-chained, verified end to end"
run "$mid" audit verify --data "$data"
entries=$(wc -l <"$data/audit.log")

say "6. Stop the gateway (SIGTERM)"
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
echo "mid serve exited with status $rc"
rm -rf "$probes"
echo "The roadside captures ($probes) are deleted; the gateway never wrote them anywhere."

say "Summary"
echo "answers (scenario 1, 2A, 2B, no hit, refused consent):$statuses"
echo "audit log: $entries entries in $data/audit.log, verified"
echo "gateway log: $out/gateway.log"
echo "total time: $(elapsed) s"
if [ "$rc" -ne 0 ]; then
    exit 1
fi
