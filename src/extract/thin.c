/*
 * Thinning. Zhang & Suen (1984) parallel thinning, with both sub-iteration
 * rules folded into 256-entry tables indexed by the 8-neighbourhood, applied to
 * a shrinking list of candidate pixels. Zhang-Suen leaves 2-pixel "staircase"
 * corners on diagonal lines; a final sequential pass deletes every pixel that
 * is simple in the 8-connected sense (Yokoi connectivity number 1) and is not
 * an end point, which yields a minimal 8-connected skeleton on which the
 * crossing number classifies pixels exactly.
 *
 * Neighbour bit order: bit 0 = N, 1 = NE, 2 = E, 3 = SE, 4 = S, 5 = SW, 6 = W,
 * 7 = NW (clockwise on the image, y down).
 */
#include "extract/ext_thin.h"

#include <string.h>

static inline int nbits(const uint8_t *p, int s) {
    return (p[-s] != 0) | (p[-s + 1] != 0) << 1 | (p[1] != 0) << 2 | (p[s + 1] != 0) << 3 |
           (p[s] != 0) << 4 | (p[s - 1] != 0) << 5 | (p[-1] != 0) << 6 | (p[-s - 1] != 0) << 7;
}

static int bit(int v, int k) {
    return (v >> (k & 7)) & 1;
}

static int popcount8(int v) {
    int n = 0;
    for (int k = 0; k < 8; k++) {
        n += bit(v, k);
    }
    return n;
}

/* 0 -> 1 transitions around the neighbourhood. */
static int transitions(int v) {
    int a = 0;
    for (int k = 0; k < 8; k++) {
        a += !bit(v, k) && bit(v, k + 1);
    }
    return a;
}

/* Yokoi connectivity number for 8-connectivity (4-neighbours at even bits). */
static int yokoi8(int v) {
    int n = 0;
    for (int k = 0; k < 8; k += 2) {
        int a = !bit(v, k), b = !bit(v, k + 1), c = !bit(v, k + 2);
        n += a - a * b * c;
    }
    return n;
}

int ext_crossing_number(const uint8_t *img, int stride, int i) {
    int v = nbits(img + i, stride);
    int t = 0;
    for (int k = 0; k < 8; k++) {
        t += bit(v, k) != bit(v, k + 1);
    }
    return t / 2;
}

void ext_thin(uint8_t *img, int width, int height, int32_t *scratch) {
    if (width < 3 || height < 3) {
        memset(img, 0, (size_t)width * (size_t)height);
        return;
    }
    uint8_t del[2][256], simple[256];
    for (int v = 0; v < 256; v++) {
        int b = popcount8(v), a = transitions(v);
        int n = bit(v, 0), e = bit(v, 2), s = bit(v, 4), w = bit(v, 6);
        int base = b >= 2 && b <= 6 && a == 1;
        del[0][v] = (uint8_t)(base && !(n && e && s) && !(e && s && w));
        del[1][v] = (uint8_t)(base && !(n && e && w) && !(n && s && w));
        simple[v] = (uint8_t)(b >= 2 && yokoi8(v) == 1);
    }
    const int st = width;
    memset(img, 0, (size_t)width);
    memset(img + (size_t)(height - 1) * width, 0, (size_t)width);
    int n = 0;
    for (int y = 1; y < height - 1; y++) {
        uint8_t *row = img + (size_t)y * width;
        row[0] = 0;
        row[width - 1] = 0;
        for (int x = 1; x < width - 1; x++) {
            if (row[x]) {
                row[x] = 1;
                scratch[n++] = y * width + x;
            }
        }
    }
    /* Parallel sub-iterations: mark (value 2) then delete, keep the list of
     * pixels that remain. Pixels with all four 4-neighbours set are interior
     * and are kept in the list without testing. */
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int sub = 0; sub < 2; sub++) {
            int marked = 0;
            for (int k = 0; k < n; k++) {
                int i = scratch[k];
                if (del[sub][nbits(img + i, st)]) {
                    scratch[k] = -i - 1; /* remember for deletion */
                    marked++;
                }
            }
            if (!marked) {
                continue;
            }
            changed = 1;
            int m = 0;
            for (int k = 0; k < n; k++) {
                int i = scratch[k];
                if (i < 0) {
                    img[-i - 1] = 0;
                } else {
                    scratch[m++] = i;
                }
            }
            n = m;
        }
    }
    /* Sequential removal of staircase corners. */
    for (int k = 0; k < n; k++) {
        int i = scratch[k];
        if (simple[nbits(img + i, st)]) {
            img[i] = 0;
        }
    }
}
