/*
 * Padded float image, block gradient moments and foreground segmentation.
 *
 * Segmentation follows the idea of Bazen & Gerez (2002): foreground blocks have
 * a high gradient energy and a coherent orientation; background (the sensor's
 * white or grey surface, smudges) has little energy or an incoherent one. The
 * threshold adapts to the image (a fraction of a high percentile of the block
 * energy) because the sensors here differ in contrast by a factor of ten.
 */
#include "extract/ext_segment.h"

#include <math.h>
#include <string.h>

void ext_gradients(ext_work *w) {
    const int W = w->w, H = w->h, pw = w->pw;
    float *img = w->img;
    /* Copy with edge replication into the padded buffer. */
    for (int y = 0; y < w->ph; y++) {
        int sy = y - EXT_PAD;
        sy = sy < 0 ? 0 : (sy >= H ? H - 1 : sy);
        const uint8_t *src = w->pix + (size_t)sy * W;
        float *dst = img + (size_t)y * pw;
        float left = src[0], right = src[W - 1];
        for (int x = 0; x < EXT_PAD; x++) {
            dst[x] = left;
            dst[EXT_PAD + W + x] = right;
        }
        for (int x = 0; x < W; x++) {
            dst[EXT_PAD + x] = src[x];
        }
    }
    const size_t nb = (size_t)w->bw * w->bh;
    memset(w->gxx, 0, nb * sizeof(float));
    memset(w->gyy, 0, nb * sizeof(float));
    memset(w->gxy, 0, nb * sizeof(float));
    for (int y = 0; y < H; y++) {
        const float *r0 = img + (size_t)(y + EXT_PAD - 1) * pw + EXT_PAD;
        const float *r1 = r0 + pw;
        const float *r2 = r1 + pw;
        float *bxx = w->gxx + (size_t)(y / EXT_BS) * w->bw;
        float *byy = w->gyy + (size_t)(y / EXT_BS) * w->bw;
        float *bxy = w->gxy + (size_t)(y / EXT_BS) * w->bw;
        for (int bx = 0; bx < w->bw; bx++) {
            int x0 = bx * EXT_BS, x1 = x0 + EXT_BS < W ? x0 + EXT_BS : W;
            float sxx = 0, syy = 0, sxy = 0;
            for (int x = x0; x < x1; x++) {
                float gx = (r0[x + 1] + 2 * r1[x + 1] + r2[x + 1]) -
                           (r0[x - 1] + 2 * r1[x - 1] + r2[x - 1]);
                float gy =
                    (r2[x - 1] + 2 * r2[x] + r2[x + 1]) - (r0[x - 1] + 2 * r0[x] + r0[x + 1]);
                sxx += gx * gx;
                syy += gy * gy;
                sxy += gx * gy;
            }
            bxx[bx] += sxx;
            byy[bx] += syy;
            bxy[bx] += sxy;
        }
    }
}

/* 3x3 morphology on the block grid; outside the grid counts as background. */
static void morph(const uint8_t *in, uint8_t *out, int bw, int bh, int dilate) {
    for (int y = 0; y < bh; y++) {
        for (int x = 0; x < bw; x++) {
            int any = 0, all = 1;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    int v = (xx >= 0 && yy >= 0 && xx < bw && yy < bh) ? in[yy * bw + xx] : 0;
                    any |= v;
                    all &= v;
                }
            }
            out[y * bw + x] = (uint8_t)(dilate ? any : all);
        }
    }
}

/* Labels 4-connected components of value `val` with flood fill using `stack`
 * (bw*bh ints). Components not touching the grid border (when val == 0: holes)
 * or smaller than min_size (when val == 1) are flipped. */
static void components(uint8_t *m, int bw, int bh, int val, int32_t *stack, uint8_t *seen) {
    const int n = bw * bh;
    memset(seen, 0, (size_t)n);
    int largest = 0;
    /* Two passes for foreground: first find the largest size. */
    for (int pass = 0; pass < 2; pass++) {
        memset(seen, 0, (size_t)n);
        for (int s = 0; s < n; s++) {
            if (m[s] != val || seen[s]) {
                continue;
            }
            int top = 0, size = 0, border = 0, head = 0;
            stack[top++] = s;
            seen[s] = 1;
            while (head < top) {
                int i = stack[head++];
                int x = i % bw, y = i / bw;
                size++;
                if (x == 0 || y == 0 || x == bw - 1 || y == bh - 1) {
                    border = 1;
                }
                const int nx[4] = {x - 1, x + 1, x, x};
                const int ny[4] = {y, y, y - 1, y + 1};
                for (int k = 0; k < 4; k++) {
                    if (nx[k] < 0 || ny[k] < 0 || nx[k] >= bw || ny[k] >= bh) {
                        continue;
                    }
                    int j = ny[k] * bw + nx[k];
                    if (m[j] == val && !seen[j]) {
                        seen[j] = 1;
                        stack[top++] = j;
                    }
                }
            }
            int flip;
            if (val == 0) {
                flip = !border && pass == 1; /* a hole inside the print */
            } else if (pass == 0) {
                largest = size > largest ? size : largest;
                flip = 0;
            } else {
                /* Keep the main print and other large parts (split dry prints). */
                flip = size * 4 < largest || size < 6;
            }
            if (flip) {
                for (int k = 0; k < top; k++) {
                    m[stack[k]] = (uint8_t)!val;
                }
            }
        }
    }
}

int ext_segment(ext_work *w) {
    const int bw = w->bw, bh = w->bh, nb = bw * bh;
    float *e = w->energy, *c = w->coh;
    /* Energy and coherence over 3x3-block windows (24 x 24 pixels). */
    float emax = 0;
    for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
            float sxx = 0, syy = 0, sxy = 0;
            int cnt = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = bx + dx, y = by + dy;
                    if (x < 0 || y < 0 || x >= bw || y >= bh) {
                        continue;
                    }
                    int i = y * bw + x;
                    sxx += w->gxx[i];
                    syy += w->gyy[i];
                    sxy += w->gxy[i];
                    cnt++;
                }
            }
            int i = by * bw + bx;
            float tot = sxx + syy;
            e[i] = tot / (float)(cnt * EXT_BS * EXT_BS);
            float d = sxx - syy;
            c[i] = tot > 1e-6f ? sqrtf(d * d + 4 * sxy * sxy) / tot : 0.0f;
            emax = e[i] > emax ? e[i] : emax;
        }
    }
    /* 90th percentile of the energy by a 64-bin histogram. */
    int hist[64] = {0};
    for (int i = 0; i < nb; i++) {
        int k = emax > 0 ? (int)(e[i] / emax * 63.999f) : 0;
        hist[k]++;
    }
    int acc = 0, k90 = 63;
    for (int k = 63; k >= 0; k--) {
        acc += hist[k];
        if (acc * 10 >= nb) {
            k90 = k;
            break;
        }
    }
    float p90 = emax * (float)(k90 + 1) / 64.0f;
    float thr = 0.12f * p90;
    const float abs_min = 400.0f; /* Sobel energy of sensor noise is ~100 */
    thr = thr < abs_min ? abs_min : thr;
    uint8_t *m = w->mask, *t = w->btmp;
    for (int i = 0; i < nb; i++) {
        m[i] = e[i] > thr && c[i] > 0.08f;
    }
    /* Clean-up: closing, opening, holes, small parts. */
    morph(m, t, bw, bh, 1);
    morph(t, m, bw, bh, 0);
    morph(m, t, bw, bh, 0);
    morph(t, m, bw, bh, 1);
    int32_t *stack = w->list;
    components(m, bw, bh, 1, stack, t);
    components(m, bw, bh, 0, stack, t);
    /* Chessboard distance to background, outside the grid being background. */
    uint8_t *d = w->dist;
    for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
            int i = by * bw + bx;
            if (!m[i]) {
                d[i] = 0;
                continue;
            }
            int v = 1;
            if (bx > 0 && by > 0 && bx < bw - 1 && by < bh - 1) {
                int a = d[i - 1], b = d[i - bw - 1], cc = d[i - bw], dd = d[i - bw + 1];
                int mn = a < b ? a : b;
                mn = cc < mn ? cc : mn;
                mn = dd < mn ? dd : mn;
                v = mn + 1;
            }
            d[i] = (uint8_t)(v > 250 ? 250 : v);
        }
    }
    for (int by = bh - 1; by >= 0; by--) {
        for (int bx = bw - 1; bx >= 0; bx--) {
            int i = by * bw + bx;
            if (!m[i]) {
                continue;
            }
            int v = d[i];
            if (bx < bw - 1 && d[i + 1] + 1 < v) {
                v = d[i + 1] + 1;
            }
            if (by < bh - 1) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = bx + dx;
                    if (x >= 0 && x < bw && d[i + bw + dx] + 1 < v) {
                        v = d[i + bw + dx] + 1;
                    }
                }
            }
            if (bx == bw - 1 || by == bh - 1) {
                v = 1;
            }
            d[i] = (uint8_t)v;
        }
    }
    int n = 0;
    float cs = 0;
    for (int i = 0; i < nb; i++) {
        if (m[i]) {
            n++;
            cs += c[i];
        }
    }
    w->n_fg = n;
    w->mean_coh = n ? cs / (float)n : 0.0f;
    return n;
}
