#!/bin/sh
# The `make demo-engine` job: the fingerprint engine, step by step.
#
# usage: sh scripts/demo-engine.sh MID_BINARY
#
# With the reference data (../shared/data beside the checkout) it uses real FVC
# images; without it, it generates a synthetic FVC-shaped set with `mid synth
# set`, so the demo is self-contained on a fresh machine. Outputs go to
# build/demo/. MID_SHARED_DATA overrides the data location.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh scripts/demo-engine.sh MID_BINARY" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mid=$1
case $mid in /*) ;; *) mid=$(pwd)/$mid ;; esac
if [ ! -x "$mid" ]; then
    echo "demo: '$1' is not an executable mid binary (build it first: make build)" >&2
    exit 2
fi
data=${MID_SHARED_DATA:-$root/../shared/data}
if [ -d "$data" ]; then data=$(cd "$data" && pwd); fi
out=$root/build/demo
mkdir -p "$out"

say() {
    printf '\n== %s\n' "$*"
}
run() {
    printf '$ %s\n' "$*"
    "$@"
}

say "The tool and its version"
run "$mid" version

score_of() {
    # `mid compare` prints "score S"; keep S.
    "$mid" compare "$1" "$2" | sed -n 's/^score //p'
}

explain_scores() {
    genuine=$1
    impostor=$2
    cat <<EOF

Scores are calibrated: score = -10 * log10(FMR), so a threshold of 30 accepts
about 1 impostor in 1,000 and 40 about 1 in 10,000.
  genuine  (same finger):      $genuine
  impostor (different finger): $impostor
EOF
}

people_sample() {
    say "Synthetic population: the person records behind the synthetic prints (PNC-style)"
    echo "Person p's record goes with person p's finger masters; nobody here is real."
    run "$mid" synth people --seed 1 --count 3 --format csv
}

if [ -d "$data/fvc2002-db1-b" ]; then
    set_dir=$data/fvc2002-db1-b
    say "Reference data found at $data: using real FVC2002 DB1 images (500 ppi optical)"
    echo "Two impressions of finger 101 and one of finger 102:"
    echo "  $set_dir/101_1.tif, 101_2.tif, 102_1.tif"

    say "1. Extract a minutiae template from each image (native format)"
    for img in 101_1 101_2 102_1; do
        run "$mid" extract --ppi 500 "$set_dir/$img.tif" -o "$out/$img.mid"
    done
    ls -l "$out"/*.mid

    say "2. Compare: same finger (genuine) and different fingers (impostor)"
    run "$mid" compare "$out/101_1.mid" "$out/101_2.mid"
    run "$mid" compare "$out/101_1.mid" "$out/102_1.mid"
    explain_scores "$(score_of "$out/101_1.mid" "$out/101_2.mid")" \
        "$(score_of "$out/101_1.mid" "$out/102_1.mid")"

    say "3. Interchange: the same template as ISO/IEC 19794-2 compares like the native one"
    run "$mid" extract --ppi 500 --format iso "$set_dir/101_1.tif" -o "$out/101_1.iso"
    run "$mid" compare "$out/101_1.iso" "$out/101_2.mid"

    say "4. Accuracy over the whole set (FVC protocol: 280 genuine pairs, all 2,880 impostor pairs)"
    echo "Every image is extracted once and every pair compared; the DET curve (FNMR against"
    echo "FMR, log scales) goes to $out/fvc2002-db1-b-det.png."
    run "$mid" eval "$set_dir" --ppi 500 --all-impostors --json "$out/fvc2002-db1-b.json" \
        --det "$out/fvc2002-db1-b-det.png"

    say "5. The same test on synthetic prints from mobileid's own generator (no real person's)"
    rm -rf "$out/synthetic"
    run "$mid" synth set --seed 1 --fingers 10 --impressions 8 --out "$out/synthetic"
    run "$mid" eval "$out/synthetic" --all-impostors --json "$out/synthetic.json" \
        --det "$out/synthetic-det.png"
    people_sample
    say "Done. Outputs are in $out"
    exit 0
fi

say "Reference data not found at $data"
echo "The real-image demo needs the FVC images there. Running the same demo on synthetic"
echo "fingerprints made by mobileid's own generator instead (no real person's prints)."

say "0. Generate an FVC-shaped synthetic set: 10 fingers x 8 impressions, 500 ppi optical"
echo "Finger 101 is person 0's right index, 102 their left index, 103 person 1's right index..."
rm -rf "$out/synthetic"
run "$mid" synth set --seed 1 --fingers 10 --impressions 8 --out "$out/synthetic"
set_dir=$out/synthetic

say "1. Extract a minutiae template from each of three images (native format)"
for img in 101_1 101_2 102_1; do
    run "$mid" extract "$set_dir/$img.png" -o "$out/$img.mid"
done
ls -l "$out"/*.mid

say "2. Compare: same finger (genuine) and different fingers (impostor)"
run "$mid" compare "$out/101_1.mid" "$out/101_2.mid"
run "$mid" compare "$out/101_1.mid" "$out/102_1.mid"
explain_scores "$(score_of "$out/101_1.mid" "$out/101_2.mid")" \
    "$(score_of "$out/101_1.mid" "$out/102_1.mid")"

say "3. Interchange: the same template as ISO/IEC 19794-2 compares like the native one"
run "$mid" extract --format iso "$set_dir/101_1.png" -o "$out/101_1.iso"
run "$mid" compare "$out/101_1.iso" "$out/101_2.mid"

say "4. Accuracy over the whole set (FVC protocol: 280 genuine pairs, all 2,880 impostor pairs)"
echo "The generator also wrote the true minutiae of every impression under"
echo "$set_dir/truth/ (ignored by mid eval). The DET curve goes to $out/synthetic-det.png."
run "$mid" eval "$set_dir" --all-impostors --json "$out/synthetic.json" \
    --det "$out/synthetic-det.png"
people_sample
say "Done. Outputs are in $out"
