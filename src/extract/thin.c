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
    const int off[8] = {-st, -st + 1, 1, st + 1, st, st - 1, -1, -st - 1};
    memset(img, 0, (size_t)width);
    memset(img + (size_t)(height - 1) * width, 0, (size_t)width);
    for (int y = 1; y < height - 1; y++) {
        uint8_t *row = img + (size_t)y * width;
        row[0] = 0;
        row[width - 1] = 0;
        for (int x = 1; x < width - 1; x++) {
            row[x] = row[x] != 0;
        }
    }
    /*
     * Parallel sub-iterations over a work list instead of every ridge pixel, so
     * that the cost is linear in the image area whatever the ridge thickness (a
     * blob 200 px thick once took 200 full passes). A pixel's fate depends only
     * on its 8-neighbourhood, so a pixel needs testing only while it has not yet
     * been tested under both sub-iteration rules since its neighbourhood last
     * changed. Ridge pixel values: 1 = not on the list, PENDING(p) = on the list
     * with p (1 or 2) tests to go. Interior pixels (no background neighbour)
     * cannot be deleted and start off the list. The result is exactly that of
     * testing every pixel in every sub-iteration.
     */
#define PENDING(p) ((uint8_t)(1 + (p)))
#define GONE INT32_MIN
    int n = 0;
    for (int i = st + 1; i < (height - 1) * st - 1; i++) {
        if (img[i] && nbits(img + i, st) != 0xFF) {
            img[i] = PENDING(2);
            scratch[n++] = i;
        }
    }
    for (int sub = 0; n > 0; sub ^= 1) {
        for (int k = 0; k < n; k++) { /* decide on the state before this sub-iteration */
            int i = scratch[k];
            if (del[sub][nbits(img + i, st)]) {
                scratch[k] = -i - 1;
            }
        }
        for (int k = 0; k < n; k++) { /* delete; retire pixels tested under both rules */
            int i = scratch[k];
            if (i < 0) {
                img[-i - 1] = 0;
            } else if (--img[i] == 1) {
                scratch[k] = GONE;
            }
        }
        int end = n;
        for (int k = 0; k < n; k++) { /* neighbours of deleted pixels need two more tests */
            if (scratch[k] < 0 && scratch[k] != GONE) {
                int i = -scratch[k] - 1;
                for (int d = 0; d < 8; d++) {
                    uint8_t *q = img + i + off[d];
                    if (*q == 1) {
                        scratch[end++] = i + off[d];
                    }
                    if (*q) {
                        *q = PENDING(2);
                    }
                }
            }
        }
        int m = 0;
        for (int k = 0; k < end; k++) {
            if (scratch[k] >= 0) {
                scratch[m++] = scratch[k];
            }
        }
        n = m;
    }
#undef PENDING
#undef GONE
    /* Every remaining pixel, in raster order, for the final pass. */
    for (int i = st + 1; i < (height - 1) * st - 1; i++) {
        if (img[i]) {
            img[i] = 1;
            scratch[n++] = i;
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
