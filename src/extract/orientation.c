/*
 * Orientation field by the least-squares estimate of Hong, Wan & Jain (1998):
 * in a window, the dominant gradient direction is half the angle of
 * (Gxx - Gyy, 2 Gxy). The doubled-angle vectors are averaged without
 * normalising, so that high-contrast, coherent areas dominate, and then
 * Gaussian-smoothed over the block grid, which removes the 180-degree ambiguity
 * problem of averaging angles directly.
 */
#include "extract/ext_orientation.h"

#include <math.h>

int ext_ori_index(float grad_dir) {
    float t = grad_dir / EXT_PI; /* in half turns */
    t -= floorf(t);
    int q = (int)(t * EXT_NORI + 0.5f);
    return q >= EXT_NORI ? q - EXT_NORI : q;
}

/* Separable 5-tap Gaussian (sigma ~2 blocks, truncated) over the grid, normalised by the
 * weights that fall inside the grid. */
static void smooth5(const float *in, float *tmp, float *out, int bw, int bh) {
    static const float g[5] = {0.45f, 0.8f, 1.0f, 0.8f, 0.45f};
    for (int y = 0; y < bh; y++) {
        for (int x = 0; x < bw; x++) {
            float s = 0, ws = 0;
            for (int k = -2; k <= 2; k++) {
                int xx = x + k;
                if (xx >= 0 && xx < bw) {
                    s += g[k + 2] * in[y * bw + xx];
                    ws += g[k + 2];
                }
            }
            tmp[y * bw + x] = s / ws;
        }
    }
    for (int y = 0; y < bh; y++) {
        for (int x = 0; x < bw; x++) {
            float s = 0, ws = 0;
            for (int k = -2; k <= 2; k++) {
                int yy = y + k;
                if (yy >= 0 && yy < bh) {
                    s += g[k + 2] * tmp[yy * bw + x];
                    ws += g[k + 2];
                }
            }
            out[y * bw + x] = s / ws;
        }
    }
}

void ext_orientation(ext_work *w) {
    const int bw = w->bw, bh = w->bh;
    float *ax = w->ftmp, *ay = w->ftmp2;
    /* Raw doubled-angle vectors over 3x3-block windows; background blocks count
     * zero so that the print border (a strong, straight edge) does not leak in. */
    for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
            float sx = 0, sy = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = bx + dx, y = by + dy;
                    if (x < 0 || y < 0 || x >= bw || y >= bh) {
                        continue;
                    }
                    int i = y * bw + x;
                    if (!w->mask[i]) {
                        continue;
                    }
                    sx += w->gxx[i] - w->gyy[i];
                    sy += 2 * w->gxy[i];
                }
            }
            ax[by * bw + bx] = sx;
            ay[by * bw + bx] = sy;
        }
    }
    /* vx/vy are used as the temporary of the separable filter, then overwritten. */
    float *tmp = w->vx;
    smooth5(ax, tmp, w->period, bw, bh); /* period is free until ext_frequency */
    smooth5(ay, tmp, w->vy, bw, bh);
    for (int i = 0; i < bw * bh; i++) {
        w->vx[i] = w->period[i];
        float dir = 0.5f * atan2f(w->vy[i], w->vx[i]);
        if (dir < 0) {
            dir += EXT_PI;
        }
        w->grad_dir[i] = dir;
        w->ori_q[i] = (uint8_t)ext_ori_index(dir);
    }
}
