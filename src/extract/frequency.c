/*
 * Ridge period per block from the x-signature (Hong, Wan & Jain 1998): the
 * grey levels sampled along the ridge normal through the block centre form a
 * roughly sinusoidal signal whose peak spacing is the ridge period. Sampling
 * the image already smoothed along the ridges (enhancement pass 1) replaces the
 * averaging over an oriented window in the original method.
 */
#include "extract/ext_frequency.h"

#include <math.h>
#include <string.h>

#define SIG_R 20 /* signature half-length, <= EXT_NORM_R */

/* Period from one signature, or 0 when it has no clear periodic structure. */
static float signature_period(const float *raw, int n) {
    float s[2 * SIG_R + 1];
    s[0] = raw[0];
    s[n - 1] = raw[n - 1];
    float lo = 1e30f, hi = -1e30f;
    for (int i = 1; i < n - 1; i++) {
        s[i] = 0.25f * raw[i - 1] + 0.5f * raw[i] + 0.25f * raw[i + 1];
        lo = s[i] < lo ? s[i] : lo;
        hi = s[i] > hi ? s[i] : hi;
    }
    if (hi - lo < 4.0f) {
        return 0.0f;
    }
    /* Extrema that stand out by a fraction of the range (hysteresis), so that
     * ripples on a flank do not count as peaks. */
    const float hyst = 0.15f * (hi - lo);
    int first_max = -1, last_max = -1, nmax = 0;
    int first_min = -1, last_min = -1, nmin = 0;
    int looking_max = s[2] > s[1];
    int ext = 1;
    for (int i = 2; i < n - 1; i++) {
        if (looking_max) {
            if (s[i] >= s[ext]) {
                ext = i;
            } else if (s[ext] - s[i] > hyst) {
                if (ext > 1) {
                    if (first_max < 0) {
                        first_max = ext;
                    }
                    last_max = ext;
                    nmax++;
                }
                looking_max = 0;
                ext = i;
            }
        } else {
            if (s[i] <= s[ext]) {
                ext = i;
            } else if (s[i] - s[ext] > hyst) {
                if (ext > 1) {
                    if (first_min < 0) {
                        first_min = ext;
                    }
                    last_min = ext;
                    nmin++;
                }
                looking_max = 1;
                ext = i;
            }
        }
    }
    float sum = 0;
    int cnt = 0;
    if (nmax >= 2) {
        sum += (float)(last_max - first_max);
        cnt += nmax - 1;
    }
    if (nmin >= 2) {
        sum += (float)(last_min - first_min);
        cnt += nmin - 1;
    }
    if (cnt == 0) {
        return 0.0f;
    }
    float t = sum / (float)cnt;
    return (t >= 3.5f && t <= 18.0f) ? t : 0.0f;
}

void ext_frequency(ext_work *w, const ext_bank *b) {
    const int bw = w->bw, bh = w->bh, nb = bw * bh, pw = w->pw;
    float *per = w->period, *tmp = w->ftmp;
    float sig[2 * SIG_R + 1];
    float vsum = 0;
    int vcnt = 0;
    for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
            int i = by * bw + bx;
            per[i] = 0;
            if (!w->mask[i]) {
                continue;
            }
            int cx = bx * EXT_BS + EXT_BS / 2, cy = by * EXT_BS + EXT_BS / 2;
            cx = cx >= w->w ? w->w - 1 : cx;
            cy = cy >= w->h ? w->h - 1 : cy;
            const float *c = w->smooth + (size_t)(cy + EXT_PAD) * pw + (cx + EXT_PAD);
            int o = w->ori_q[i];
            for (int k = -SIG_R; k <= SIG_R; k++) {
                int j = k + EXT_NORM_R;
                sig[k + SIG_R] = c[b->ndy[o][j] * pw + b->ndx[o][j]];
            }
            float t = signature_period(sig, 2 * SIG_R + 1);
            per[i] = t;
            if (t > 0) {
                vsum += t;
                vcnt++;
            }
        }
    }
    const float fallback = vcnt ? vsum / (float)vcnt : 9.0f;
    /* Fill invalid foreground blocks from valid neighbours, a ring at a time. */
    for (int iter = 0; iter < 8; iter++) {
        int missing = 0;
        memcpy(tmp, per, (size_t)nb * sizeof(float));
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                int i = by * bw + bx;
                if (!w->mask[i] || per[i] > 0) {
                    continue;
                }
                float s = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = bx + dx, y = by + dy;
                        if (x >= 0 && y >= 0 && x < bw && y < bh && per[y * bw + x] > 0) {
                            s += per[y * bw + x];
                            n++;
                        }
                    }
                }
                if (n) {
                    tmp[i] = s / (float)n;
                } else {
                    missing++;
                }
            }
        }
        memcpy(per, tmp, (size_t)nb * sizeof(float));
        if (!missing) {
            break;
        }
    }
    /* Smooth over 5x5 foreground blocks (periods vary slowly), clamp, quantise.
     * Background blocks near the print get the nearest smoothed value through the
     * same average so that the band-pass margin has a sensible period. */
    for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
            float s = 0;
            int n = 0;
            for (int dy = -2; dy <= 2; dy++) {
                for (int dx = -2; dx <= 2; dx++) {
                    int x = bx + dx, y = by + dy;
                    if (x >= 0 && y >= 0 && x < bw && y < bh && per[y * bw + x] > 0) {
                        s += per[y * bw + x];
                        n++;
                    }
                }
            }
            float t = n ? s / (float)n : fallback;
            t = t < EXT_PERIOD_MIN ? EXT_PERIOD_MIN : (t > EXT_PERIOD_MAX ? EXT_PERIOD_MAX : t);
            tmp[by * bw + bx] = t;
            int q = (int)((t - EXT_PERIOD_MIN) / EXT_PERIOD_STEP + 0.5f);
            w->per_q[by * bw + bx] = (uint8_t)(q >= EXT_NPER ? EXT_NPER - 1 : q);
        }
    }
    memcpy(per, tmp, (size_t)nb * sizeof(float));
}
