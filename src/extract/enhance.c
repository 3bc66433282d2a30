/*
 * Contextual enhancement. An oriented Gabor filter (Hong, Wan & Jain 1998) is,
 * in its own frame, a Gaussian along the ridge times an even Gabor across it,
 * so it can be applied as two 1-D filters: first along the ridge direction,
 * then across it. Each 1-D filter follows a digital line (rounded offsets) for
 * the block's quantised orientation; within a block all pixels share the
 * offsets, so the inner loops run over contiguous pixels and vectorise. Cost:
 * about 25 + 2*R taps per pixel instead of (2R+1)^2.
 */
#include "extract/ext_enhance.h"

#include <math.h>
#include <string.h>

void ext_bank_init(ext_bank *b) {
    memset(b, 0, sizeof(*b));
    for (int o = 0; o < EXT_NORI; o++) {
        float phi = (float)o * EXT_PI / EXT_NORI; /* gradient (ridge normal) direction */
        float c = cosf(phi), s = sinf(phi);
        for (int k = -EXT_RIDGE_R; k <= EXT_RIDGE_R; k++) {
            b->rdx[o][k + EXT_RIDGE_R] = (int8_t)lrintf(-(float)k * s);
            b->rdy[o][k + EXT_RIDGE_R] = (int8_t)lrintf((float)k * c);
        }
        for (int k = -EXT_NORM_R; k <= EXT_NORM_R; k++) {
            b->ndx[o][k + EXT_NORM_R] = (int8_t)lrintf((float)k * c);
            b->ndy[o][k + EXT_NORM_R] = (int8_t)lrintf((float)k * s);
        }
    }
    /* Along the ridge: Gaussian, sigma 4 px (Hong et al. use 4 at 500 ppi). */
    float sum = 0;
    for (int k = -EXT_RIDGE_R; k <= EXT_RIDGE_R; k++) {
        float v = expf(-(float)(k * k) / (2.0f * 4.0f * 4.0f));
        b->rw[k + EXT_RIDGE_R] = v;
        sum += v;
    }
    for (int k = 0; k < 2 * EXT_RIDGE_R + 1; k++) {
        b->rw[k] /= sum;
    }
    /* Across: cos(2 pi k / T) * Gaussian(sigma = 0.55 T), zero mean. */
    for (int p = 0; p < EXT_NPER; p++) {
        float t = EXT_PERIOD_MIN + EXT_PERIOD_STEP * (float)p;
        float sigma = 0.55f * t;
        int r = (int)ceilf(2.5f * sigma);
        r = r > EXT_NORM_R ? EXT_NORM_R : r;
        b->nr[p] = r;
        float mean = 0;
        for (int k = -r; k <= r; k++) {
            float v = expf(-(float)(k * k) / (2 * sigma * sigma)) * cosf(2 * EXT_PI * (float)k / t);
            b->nw[p][k + EXT_NORM_R] = v;
            mean += v;
        }
        mean /= (float)(2 * r + 1);
        float norm = 0;
        for (int k = -r; k <= r; k++) {
            b->nw[p][k + EXT_NORM_R] -= mean;
            norm += fabsf(b->nw[p][k + EXT_NORM_R]);
        }
        for (int k = -r; k <= r; k++) {
            b->nw[p][k + EXT_NORM_R] /= norm;
        }
    }
}

/* Blocks within 3 blocks of the foreground (the band-pass reach is <= 20 px). */
static int near_fg(const ext_work *w, int bx, int by) {
    for (int dy = -3; dy <= 3; dy++) {
        int y = by + dy;
        if (y < 0 || y >= w->bh) {
            continue;
        }
        for (int dx = -3; dx <= 3; dx++) {
            int x = bx + dx;
            if (x >= 0 && x < w->bw && w->mask[y * w->bw + x]) {
                return 1;
            }
        }
    }
    return 0;
}

void ext_smooth_along(ext_work *w, const ext_bank *b) {
    const int pw = w->pw;
    int off[EXT_NORI][2 * EXT_RIDGE_R + 1];
    for (int o = 0; o < EXT_NORI; o++) {
        for (int k = 0; k < 2 * EXT_RIDGE_R + 1; k++) {
            off[o][k] = b->rdy[o][k] * pw + b->rdx[o][k];
        }
    }
    memset(w->smooth, 0, (size_t)pw * w->ph * sizeof(float));
    for (int by = 0; by < w->bh; by++) {
        for (int bx = 0; bx < w->bw; bx++) {
            if (!near_fg(w, bx, by)) {
                continue;
            }
            const int *of = off[w->ori_q[by * w->bw + bx]];
            int x0 = bx * EXT_BS, y0 = by * EXT_BS;
            int nx = w->w - x0 < EXT_BS ? w->w - x0 : EXT_BS;
            int ny = w->h - y0 < EXT_BS ? w->h - y0 : EXT_BS;
            for (int y = y0; y < y0 + ny; y++) {
                size_t base = (size_t)(y + EXT_PAD) * pw + (size_t)(x0 + EXT_PAD);
                const float *src = w->img + base;
                float acc[EXT_BS] = {0};
                for (int k = 0; k < 2 * EXT_RIDGE_R + 1; k++) {
                    const float *s = src + of[k];
                    const float g = b->rw[k];
                    for (int x = 0; x < EXT_BS; x++) {
                        acc[x] += g * s[x];
                    }
                }
                memcpy(w->smooth + base, acc, (size_t)nx * sizeof(float));
            }
        }
    }
}

void ext_bandpass(ext_work *w, const ext_bank *b) {
    const int pw = w->pw, rs = w->w + 2;
    int off[2 * EXT_NORM_R + 1];
    memset(w->ridge, 0, (size_t)rs * (w->h + 2));
    for (int by = 0; by < w->bh; by++) {
        for (int bx = 0; bx < w->bw; bx++) {
            int bi = by * w->bw + bx;
            if (!w->mask[bi]) {
                continue;
            }
            int o = w->ori_q[bi], p = w->per_q[bi], r = b->nr[p];
            const float *wt = b->nw[p] + EXT_NORM_R;
            for (int k = -r; k <= r; k++) {
                off[k + EXT_NORM_R] = b->ndy[o][k + EXT_NORM_R] * pw + b->ndx[o][k + EXT_NORM_R];
            }
            int x0 = bx * EXT_BS, y0 = by * EXT_BS;
            int nx = w->w - x0 < EXT_BS ? w->w - x0 : EXT_BS;
            int ny = w->h - y0 < EXT_BS ? w->h - y0 : EXT_BS;
            for (int y = y0; y < y0 + ny; y++) {
                const float *src = w->smooth + (size_t)(y + EXT_PAD) * pw + (size_t)(x0 + EXT_PAD);
                float acc[EXT_BS] = {0};
                for (int k = -r; k <= r; k++) {
                    const float *s = src + off[k + EXT_NORM_R];
                    const float g = wt[k];
                    for (int x = 0; x < EXT_BS; x++) {
                        acc[x] += g * s[x];
                    }
                }
                uint8_t *dst = w->ridge + (size_t)(y + 1) * rs + (x0 + 1);
                for (int x = 0; x < nx; x++) {
                    dst[x] = acc[x] < 0.0f; /* ridges are dark: negative response */
                }
            }
        }
    }
}
