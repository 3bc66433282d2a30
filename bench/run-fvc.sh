#!/bin/sh
# Accuracy and speed benchmark over the FVC2000/2002 B sets and the veridicom set.
#
# usage: sh bench/run-fvc.sh MID_BINARY
#
# Per set, with the reference data in ../shared/data (relative to the repo root):
#   1. mid eval --all-impostors --json: the FVC protocol with every cross-finger
#      pair as an impostor pair (280 genuine / 2,880 impostor pairs per FVC set);
#      EER (FVC2000 definition), FNMR@FMR 1e-2 and 1e-3, ZeroFMR, failures to
#      extract, median time in mid_extract per image.
#   2. mid extract --list, then mid compare --pairs --bench over all pairs
#      (genuine + all impostors): comparisons per second = pairs / time spent in
#      mid_matcher_compare (templates loaded and prepared beforehand); best of
#      three runs, since the machine may be shared.
# Timed commands run on one core (taskset -c 0) when taskset exists.
# Results go under build/bench/; a Markdown table for docs/BENCHMARKS.md is
# printed at the end (and saved as build/bench/table.md).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh bench/run-fvc.sh MID_BINARY" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mid=$1
case $mid in /*) ;; *) mid=$(pwd)/$mid ;; esac
if [ ! -x "$mid" ]; then
    echo "run-fvc: '$1' is not an executable mid binary (build it first: make build)" >&2
    exit 2
fi
data=${MID_SHARED_DATA:-$root/../shared/data}
if [ -d "$data" ]; then data=$(cd "$data" && pwd); fi
out=$root/build/bench
if [ ! -d "$data" ]; then
    echo "run-fvc: reference data not found at $data: nothing to measure (skipped)."
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "run-fvc: python3 is needed to build the pair lists and the table" >&2
    exit 2
fi
one_core=""
if command -v taskset >/dev/null 2>&1; then
    one_core="taskset -c 0"
else
    echo "run-fvc: taskset not found: timings are NOT pinned to one core" >&2
fi
mkdir -p "$out"
"$mid" version >"$out/version.txt"

# set name, then the mid options for it (ppi from ../shared/data/README.md).
sets="fvc2000-db1-b:--ppi 500
fvc2000-db2-b:--ppi 500
fvc2000-db3-b:--ppi 500
fvc2000-db4-b:--ppi 500
fvc2002-db1-b:--ppi 500
fvc2002-db2-b:--ppi 569
fvc2002-db3-b:--ppi 500
fvc2002-db4-b:--ppi 500
veridicom-fps110-rindex28:--ppi 500 --size 300x300"
veridicom_regex='^f([0-9]+)R([0-9]+)\.raw$'
fvc_regex='^([0-9]+)_([0-9]+)\.[A-Za-z0-9]+$'

echo "$sets" | while IFS=: read -r name opts; do
    dir=$data/$name
    if [ ! -d "$dir" ]; then
        echo "run-fvc: $name: not found in $data, skipped"
        continue
    fi
    regex=$fvc_regex
    case $name in veridicom-*) regex=$veridicom_regex ;; esac
    echo "== $name"
    # 1. accuracy, extraction time, FTE. $opts is split on purpose.
    # shellcheck disable=SC2086
    $one_core "$mid" eval "$dir" $opts --name-regex "$regex" --all-impostors \
        --json "$out/$name.json" --det "$out/$name-det.png" >"$out/$name.txt"
    cat "$out/$name.txt"
    # 2. templates and the list of all pairs (genuine + all impostors), i < j.
    tdir=$out/templates/$name
    rm -rf "$tdir"
    mkdir -p "$tdir"
    python3 - "$dir" "$tdir" "$regex" "$out/$name.extract" "$out/$name.pairs" <<'EOF'
import os, re, sys
src, tdir, regex, extract_list, pair_list = sys.argv[1:]
pat = re.compile(regex)
names = sorted(n for n in os.listdir(src) if pat.search(n))
tmpl = [os.path.join(tdir, os.path.splitext(n)[0] + ".mid") for n in names]
with open(extract_list, "w") as f:
    for n, t in zip(names, tmpl):
        f.write(f"{os.path.join(src, n)}\t{t}\n")
with open(pair_list, "w") as f:
    for i in range(len(tmpl)):
        for j in range(i + 1, len(tmpl)):
            f.write(f"{tmpl[i]}\t{tmpl[j]}\n")
EOF
    # Failures to extract leave no template: their pairs score -1 and are not timed.
    # shellcheck disable=SC2086
    "$mid" extract --list "$out/$name.extract" $opts >"$out/$name.extract.log" 2>&1 || true
    # Three runs; the table keeps the fastest (the least disturbed by other load).
    : >"$out/$name.bench"
    for _ in 1 2 3; do
        $one_core "$mid" compare --pairs "$out/$name.pairs" --bench >"$out/$name.scores" \
            2>>"$out/$name.bench" || true
    done
    grep '^BENCH' "$out/$name.bench" || {
        echo "run-fvc: $name: no BENCH line, see $out/$name.bench" >&2
        exit 1
    }
done

python3 - "$out" <<'EOF' | tee "$out/table.md"
import json, os, re, sys
out = sys.argv[1]
fvc = [f"fvc{y}-db{d}-b" for y in (2000, 2002) for d in (1, 2, 3, 4)]
rows = []
for name in fvc + ["veridicom-fps110-rindex28"]:
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        continue
    j = json.load(open(path))
    cps = None
    bench = os.path.join(out, name + ".bench")
    if os.path.exists(bench):
        runs = re.findall(r"BENCH pairs=(\d+) load_s=([\d.]+) match_s=([\d.]+)", open(bench).read())
        speeds = [int(n) / float(t) for n, _, t in runs if float(t) > 0]
        cps = max(speeds) if speeds else None
    rows.append(dict(name=name, eer=100 * j["eer"], f2=100 * j["fnmr_at_fmr_1e2"],
                     f3=100 * j["fnmr_at_fmr_1e3"], z=100 * j["zero_fmr"],
                     fte=j["fte"], images=j["images"], ms=j["extract_ms_median"], cps=cps,
                     gen=j["genuine_pairs"], imp=j["impostor_pairs"]))
version = open(os.path.join(out, "version.txt")).read().strip()
print(f"Measured with `{version}`: `mid eval --all-impostors` (FVC protocol, all cross-finger "
      "impostor pairs), EER by the FVC2000 definition; extraction ms = median time in mid_extract "
      "per image; comparisons/s = all pairs through `mid compare --pairs --bench` on one core "
      "(time in mid_matcher_compare only, best of 3 runs).\n")
print("| set | genuine / impostor pairs | EER % | FNMR@FMR1e-2 % | FNMR@FMR1e-3 % | ZeroFMR % "
      "| FTE | extraction ms/image | comparisons/s |")
print("|---|---|---|---|---|---|---|---|---|")
def fmt(r, bold=False):
    b = "**" if bold else ""
    cps = f"{r['cps']:,.0f}" if r["cps"] is not None else "-"
    fte = r["fte"] if isinstance(r["fte"], str) else f"{r['fte']}/{r['images']}"
    pairs = r["pairs"] if "pairs" in r else f"{r['gen']} / {r['imp']}"
    print(f"| {b}{r['name']}{b} | {pairs} | {b}{r['eer']:.2f}{b} | {b}{r['f2']:.2f}{b} "
          f"| {b}{r['f3']:.2f}{b} | {r['z']:.2f} | {fte} | {r['ms']:.2f} | {cps} |")
def mean(sel, label):
    if not sel:
        return
    cpss = [r["cps"] for r in sel if r["cps"] is not None]
    fmt(dict(name=label, pairs="", eer=sum(r["eer"] for r in sel) / len(sel),
             f2=sum(r["f2"] for r in sel) / len(sel), f3=sum(r["f3"] for r in sel) / len(sel),
             z=sum(r["z"] for r in sel) / len(sel),
             fte=f"{sum(r['fte'] for r in sel)}/{sum(r['images'] for r in sel)}",
             ms=sum(r["ms"] for r in sel) / len(sel),
             cps=sum(cpss) / len(cpss) if cpss else None), bold=True)
fvc_rows = [r for r in rows if r["name"] in fvc]
for r in fvc_rows:
    fmt(r)
if len(fvc_rows) == len(fvc):
    mean(fvc_rows, "mean of the 8 FVC sets")
    mean([r for r in fvc_rows if not r["name"].endswith("db4-b")],
         "mean of the 6 real FVC sets (DB4 is synthetic)")
else:
    print(f"\n(only {len(fvc_rows)} of the 8 FVC sets were found: no mean)")
for r in rows:
    if r["name"] not in fvc:
        fmt(r)
EOF
