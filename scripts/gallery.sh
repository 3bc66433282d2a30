#!/bin/sh
# The gallery of synthetic fingerprints shown in docs/gallery.md.
#
# usage: sh scripts/gallery.sh MID_BINARY
#
# Writes generated impressions (several pattern classes, skin conditions and
# scanner profiles) to docs/gallery/ (small PNGs, committed; regenerating them
# gives the same bytes). When the reference data is present (../shared/data
# beside the checkout, or MID_SHARED_DATA), also converts a few real FVC2002
# images to PNG under build/gallery/ for a side-by-side look; those are never
# committed (python3 is needed for that conversion, standard library only).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh scripts/gallery.sh MID_BINARY" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mid=$1
case $mid in /*) ;; *) mid=$(pwd)/$mid ;; esac
if [ ! -x "$mid" ]; then
    echo "gallery: '$1' is not an executable mid binary" >&2
    exit 2
fi
out=$root/docs/gallery
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name seed person finger impression profile condition
shoot() {
    "$mid" synth impressions --seed "$2" --person "$3" --finger "$4" --first "$5" --count 1 \
        --profile "$6" --condition "$7" --out "$tmp/$1" >/dev/null
    cp "$tmp/$1/$5.png" "$out/$1.png"
    class=$("$mid" synth master --seed "$2" --person "$3" --finger "$4" -o "$tmp/m.png" |
        sed -n 's/.*class \([a-z-]*\),.*/\1/p')
    printf '%-28s %-12s %-12s %s\n' "$1.png" "$6" "$7" "$class"
}

echo "synthetic impressions -> $out"
shoot optical-normal-1 1 0 2 1 optical normal
shoot optical-normal-2 1 0 2 2 optical normal
shoot optical-left-loop 1 0 7 1 optical normal
shoot optical-arch 1 6 7 1 optical normal
shoot optical-dry 1 9 7 1 optical dry
shoot optical-wet 1 2 2 1 optical wet
shoot optical-distorted 1 5 7 1 optical distorted
shoot optical-small-area 1 7 2 1 optical small-area
shoot small-sensor 1 1 2 1 small-sensor normal
shoot mobile-fap45 1 6 2 1 mobile-fap45 normal
"$mid" synth master --seed 1 --person 0 --finger 2 -o "$out/master-1-0-2.png" >/dev/null
echo "master-1-0-2.png (the master of the first two impressions)"

data=${MID_SHARED_DATA:-$root/../shared/data}
if [ ! -d "$data/fvc2002-db1-b" ]; then
    echo "reference data not found at $data: no real images for comparison"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 not found: cannot convert the real FVC TIFFs for comparison"
    exit 0
fi
real=$root/build/gallery
mkdir -p "$real"
echo "real FVC2002 images (not committed) -> $real"
for set in fvc2002-db1-b fvc2002-db2-b fvc2002-db3-b fvc2002-db4-b; do
    for img in 101_1 101_2 105_1; do
        python3 - "$data/$set/$img.tif" "$real/$set-$img.png" <<'EOF'
# Uncompressed 8-bit grey TIFF (the FVC files) to PNG, standard library only.
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
e = '<' if d[:2] == b'II' else '>'
ifd = struct.unpack(e + 'I', d[4:8])[0]
tags = {}
for i in range(struct.unpack(e + 'H', d[ifd:ifd + 2])[0]):
    tag, typ, cnt = struct.unpack(e + 'HHI', d[ifd + 2 + 12 * i:ifd + 10 + 12 * i])
    raw = d[ifd + 10 + 12 * i:ifd + 14 + 12 * i]
    size = 2 if typ == 3 else 4
    if cnt * size > 4:
        raw = d[struct.unpack(e + 'I', raw)[0]:][:cnt * size]
    tags[tag] = struct.unpack(e + ('H' if typ == 3 else 'I') * cnt, raw[:cnt * size])
w, h = tags[256][0], tags[257][0]
if tags.get(259, (1,))[0] != 1 or tags.get(258, (8,))[0] != 8:
    sys.exit('not an uncompressed 8-bit TIFF: ' + sys.argv[1])
px = b''.join(d[o:o + n] for o, n in zip(tags[273], tags[279]))[:w * h]
rows = b''.join(b'\0' + px[y * w:(y + 1) * w] for y in range(h))
def chunk(t, b):
    return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b) & 0xffffffff)
open(sys.argv[2], 'wb').write(b'\x89PNG\r\n\x1a\n' +
    chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) +
    chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))
EOF
        echo "$set-$img.png"
    done
done
