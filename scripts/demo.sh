#!/bin/sh
# The `make demo` job: shows what mobileid does, step by step.
#
# usage: sh scripts/demo.sh MID_BINARY
#
# With the reference data (../shared/data beside the checkout) it uses real FVC
# images; without it, it draws synthetic ridge patterns with python3 (stdlib
# only) so the demo still runs. Outputs go to build/demo/. MID_SHARED_DATA
# overrides the data location.
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
    say "Done. Outputs are in $out"
    exit 0
fi

say "Reference data not found at $data"
echo "The real-image demo needs the FVC images there. Running a self-contained demo on"
echo "synthetic ridge patterns instead (drawn here, not real fingerprints)."
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is not available to draw the synthetic images either: the demo needs"
    echo "either $data/fvc2002-db1-b or python3. Stopping here (nothing failed)."
    exit 0
fi

say "0. Draw synthetic prints (PGM, 300x300, 500 ppi): fingers 101 and 102, 3 impressions each"
mkdir -p "$out/synthetic"
python3 - "$out/synthetic" <<'EOF'
# Parallel ridges (period 9 px) bent slowly across the print, with phase
# dislocations (ridge endings / bifurcations) that depend on the finger, in an
# elliptic print area; impressions differ by a small shift and rotation.
import math, random, sys
out = sys.argv[1]
W = H = 300
for finger in (101, 102):
    rng = random.Random(finger)
    dis = [(rng.uniform(-80, 80), rng.uniform(-100, 100), 1 if k % 2 else -1) for k in range(6)]
    theta0 = 0.3 * (finger - 100)
    for imp in (1, 2, 3):
        a, sx, sy = 0.04 * (imp - 2), 5.0 * (imp - 2), -4.0 * (imp - 2)
        px = bytearray(W * H)
        for y in range(H):
            for x in range(W):
                dx, dy = x - 150 - sx, y - 150 - sy
                u = math.cos(a) * dx + math.sin(a) * dy
                v = -math.sin(a) * dx + math.cos(a) * dy
                e = (u / 115) ** 2 + (v / 135) ** 2
                if e >= 1:
                    px[y * W + x] = 255
                    continue
                ph = (2 * math.pi / 9 * (u * math.cos(theta0) + v * math.sin(theta0))
                      + 4 * math.sin(v / 70) + 3 * math.cos(u / 90))
                for du, dv, s in dis:
                    ph += s * math.atan2(v - dv, u - du)
                g = 128 + 100 * math.cos(ph)
                if e > 0.85:
                    g += (255 - g) * (e - 0.85) / 0.15
                px[y * W + x] = int(g)
        with open(f"{out}/{finger}_{imp}.pgm", "wb") as f:
            f.write(b"P5\n%d %d\n255\n" % (W, H) + bytes(px))
EOF
ls "$out/synthetic"

say "1. Extract a minutiae template from each of three images"
for img in 101_1 101_2 102_1; do
    run "$mid" extract --ppi 500 "$out/synthetic/$img.pgm" -o "$out/$img.mid"
done

say "2. Compare: same synthetic finger (genuine) and different ones (impostor)"
run "$mid" compare "$out/101_1.mid" "$out/101_2.mid"
run "$mid" compare "$out/101_1.mid" "$out/102_1.mid"
explain_scores "$(score_of "$out/101_1.mid" "$out/101_2.mid")" \
    "$(score_of "$out/101_1.mid" "$out/102_1.mid")"

say "3. Template round trip: native and ISO/IEC 19794-2 records of one image"
run "$mid" extract --ppi 500 --format iso "$out/synthetic/101_1.pgm" -o "$out/101_1.iso"
run "$mid" compare "$out/101_1.mid" "$out/101_1.iso"

say "4. The evaluation protocol on the synthetic folder (tiny: 6 images)"
run "$mid" eval "$out/synthetic" --ppi 500 --det "$out/synthetic-det.png"
say "Done. Outputs are in $out"
