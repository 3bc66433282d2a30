/*
 * WSQ subband layout and the two-channel wavelet filter bank.
 *
 * The decomposition (spec Annex A, "wavelet transform tree") is twenty 2-D splits.
 * Each split filters the rows and the columns of a rectangle with the analysis
 * lowpass h0 and highpass h1 and decimates by two: the lowpass keeps the samples
 * at even positions (ceil(n/2) of them), the highpass those at odd positions
 * (floor(n/2)). The signal is extended by whole-sample symmetric reflection, as the
 * odd-length symmetric filters require. A rectangle that lies in the highpass half
 * of its parent is spectrally inverted in that direction, so its split puts the
 * highpass output first (left or top) and the lowpass output second.
 */
#include "wsq/wsq_internal.h"

#include <math.h>
#include <string.h>

const double wsq_std_lo[5] = {0.85269867900940, 0.37740285561265, -0.11062440441842,
                              -0.02384946501938, 0.03782845550700};
const double wsq_std_hi[4] = {0.78848561640566, -0.41809227322221, -0.04068941760956,
                              0.06453888262894};

static void split4(const wsq_rect *r, bool inv_x, bool inv_y, wsq_node child[4]) {
    /* The half that takes the lowpass output gets ceil(n/2) samples. */
    uint32_t left = inv_x ? r->w / 2 : (r->w + 1) / 2;
    uint32_t top = inv_y ? r->h / 2 : (r->h + 1) / 2;
    wsq_rect tl = {r->x, r->y, left, top};
    wsq_rect tr = {r->x + left, r->y, r->w - left, top};
    wsq_rect bl = {r->x, r->y + top, left, r->h - top};
    wsq_rect br = {r->x + left, r->y + top, r->w - left, r->h - top};
    child[0] = (wsq_node){tl, false, false};
    child[1] = (wsq_node){tr, true, false};
    child[2] = (wsq_node){bl, false, true};
    child[3] = (wsq_node){br, true, true};
}

static void bands_of(const wsq_node *n, wsq_rect *band) {
    wsq_node c[4];
    split4(&n->r, n->inv_x, n->inv_y, c);
    for (int i = 0; i < 4; i++) {
        band[i] = c[i].r;
    }
}

void wsq_layout_build(uint32_t width, uint32_t height, wsq_layout *out) {
    wsq_node *nd = out->node;
    wsq_node c[4];
    nd[0] = (wsq_node){{0, 0, width, height}, false, false};
    split4(&nd[0].r, false, false, c);
    nd[1] = c[0];
    nd[2] = c[1];
    nd[3] = c[2];
    wsq_node corner = c[3]; /* highest frequencies: never split (subbands 60-63 lie in it) */
    split4(&nd[1].r, false, false, c);
    nd[14] = c[0];
    nd[4] = c[1];
    nd[5] = c[2];
    out->band[51] = c[3].r;
    split4(&nd[4].r, nd[4].inv_x, nd[4].inv_y, &nd[6]);
    split4(&nd[5].r, nd[5].inv_x, nd[5].inv_y, &nd[10]);
    split4(&nd[14].r, false, false, &nd[15]);
    split4(&nd[15].r, false, false, c);
    nd[19] = c[0];
    out->band[4] = c[1].r;
    out->band[5] = c[2].r;
    out->band[6] = c[3].r;
    bands_of(&nd[19], &out->band[0]);
    for (int i = 0; i < 3; i++) {
        bands_of(&nd[16 + i], &out->band[7 + 4 * i]);
    }
    for (int i = 0; i < 4; i++) {
        bands_of(&nd[6 + i], &out->band[19 + 4 * i]);
        bands_of(&nd[10 + i], &out->band[35 + 4 * i]);
    }
    bands_of(&nd[2], &out->band[52]);
    bands_of(&nd[3], &out->band[56]);
    bands_of(&corner, &out->band[60]);
}

bool wsq_filters_prepare(wsq_filters *f) {
    /* With h0 applied at even and h1 at odd positions, g0[k] = c (-1)^k h1[k] and
     * g1[k] = c (-1)^k h0[k] cancel aliasing; c makes the DC gain one:
     * c = 2 / (H0(1) H1(-1)). */
    double h0 = f->lo[0], h1m = f->hi[0];
    for (int k = 1; k <= f->lo_half; k++) {
        h0 += 2.0 * f->lo[k];
    }
    for (int k = 1; k <= f->hi_half; k++) {
        h1m += 2.0 * ((k & 1) ? -f->hi[k] : f->hi[k]);
    }
    double den = h0 * h1m;
    if (!(fabs(den) > 1e-6) || !isfinite(den)) {
        return false;
    }
    double c = 2.0 / den;
    for (int k = 0; k <= f->hi_half; k++) {
        f->glo[k] = (float)(c * ((k & 1) ? -f->hi[k] : f->hi[k]));
    }
    for (int k = 0; k <= f->lo_half; k++) {
        f->ghi[k] = (float)(c * ((k & 1) ? -f->lo[k] : f->lo[k]));
    }
    return true;
}

/* Whole-sample symmetric reflection of index i into [0, n). */
static inline int64_t refl(int64_t i, int64_t n) {
    if (n <= 1) {
        return 0;
    }
    int64_t p = 2 * n - 2;
    i %= p;
    if (i < 0) {
        i += p;
    }
    return i >= n ? p - i : i;
}

#define MARGIN (WSQ_MAX_HALF + 2)

size_t wsq_dwt_scratch_floats(uint32_t width, uint32_t height) {
    size_t side = width > height ? width : height;
    /* a full-size region copy plus three extended lines */
    return (size_t)width * height + 3 * (side + 2 * MARGIN + 8);
}

/* ---- analysis ---- */

static void analyse_rows(float *img, size_t stride, const wsq_node *nd, const wsq_filters *f,
                         float *scratch) {
    uint32_t n = nd->r.w;
    if (n < 2) {
        /* One sample: the lowpass output is the sample times H0(1). */
        if (n == 1) {
            float g = f->lo[0];
            for (int k = 1; k <= f->lo_half; k++) {
                g += 2.0f * f->lo[k];
            }
            for (uint32_t r = 0; r < nd->r.h; r++) {
                img[(nd->r.y + r) * stride + nd->r.x] *= g;
            }
        }
        return;
    }
    uint32_t nl = (n + 1) / 2, nh = n / 2;
    float *ext = scratch + MARGIN;
    float *out = scratch + n + 2 * MARGIN + 4;
    float *lo_out = nd->inv_x ? out + nh : out;
    float *hi_out = nd->inv_x ? out : out + nl;
    for (uint32_t r = 0; r < nd->r.h; r++) {
        float *line = img + (nd->r.y + r) * stride + nd->r.x;
        memcpy(ext, line, n * sizeof(float));
        for (int i = 1; i <= MARGIN; i++) {
            ext[-i] = line[refl(-i, n)];
            ext[n - 1 + i] = line[refl((int64_t)n - 1 + i, n)];
        }
        for (uint32_t i = 0; i < nl; i++) {
            const float *c = ext + 2 * i;
            float acc = f->lo[0] * c[0];
            for (int k = 1; k <= f->lo_half; k++) {
                acc += f->lo[k] * (c[-k] + c[k]);
            }
            lo_out[i] = acc;
        }
        for (uint32_t i = 0; i < nh; i++) {
            const float *c = ext + 2 * i + 1;
            float acc = f->hi[0] * c[0];
            for (int k = 1; k <= f->hi_half; k++) {
                acc += f->hi[k] * (c[-k] + c[k]);
            }
            hi_out[i] = acc;
        }
        memcpy(line, out, n * sizeof(float));
    }
}

static void analyse_cols(float *img, size_t stride, const wsq_node *nd, const wsq_filters *f,
                         float *scratch) {
    uint32_t n = nd->r.h, w = nd->r.w;
    if (w == 0 || n == 0) {
        return;
    }
    float *base = img + nd->r.y * stride + nd->r.x;
    if (n == 1) {
        float g = f->lo[0];
        for (int k = 1; k <= f->lo_half; k++) {
            g += 2.0f * f->lo[k];
        }
        for (uint32_t c = 0; c < w; c++) {
            base[c] *= g;
        }
        return;
    }
    uint32_t nl = (n + 1) / 2, nh = n / 2;
    float *tmp = scratch;
    uint32_t lo_row0 = nd->inv_y ? nh : 0, hi_row0 = nd->inv_y ? 0 : nl;
    for (uint32_t i = 0; i < nl + nh; i++) {
        bool low = i < nl;
        uint32_t j = low ? i : i - nl;
        int64_t centre = low ? 2 * (int64_t)j : 2 * (int64_t)j + 1;
        const float *h = low ? f->lo : f->hi;
        int half = low ? f->lo_half : f->hi_half;
        float *dst = tmp + (size_t)(low ? lo_row0 + j : hi_row0 + j) * w;
        const float *src = base + (size_t)centre * stride;
        float h0 = h[0];
        for (uint32_t c = 0; c < w; c++) {
            dst[c] = h0 * src[c];
        }
        for (int k = 1; k <= half; k++) {
            const float *a = base + (size_t)refl(centre - k, n) * stride;
            const float *b = base + (size_t)refl(centre + k, n) * stride;
            float hk = h[k];
            for (uint32_t c = 0; c < w; c++) {
                dst[c] += hk * (a[c] + b[c]);
            }
        }
    }
    for (uint32_t r = 0; r < n; r++) {
        memcpy(base + (size_t)r * stride, tmp + (size_t)r * w, w * sizeof(float));
    }
}

void wsq_forward(float *img, uint32_t width, const wsq_layout *lay, const wsq_filters *f,
                 float *scratch) {
    for (int i = 0; i < WSQ_NODES; i++) {
        analyse_rows(img, width, &lay->node[i], f, scratch);
        analyse_cols(img, width, &lay->node[i], f, scratch);
    }
}

/* ---- synthesis ----
 * x[m] = sum_n lo[n] g0[m - 2n] + sum_n hi[n] g1[m - 2n - 1], with lo and hi extended
 * as the analysis of the reflected signal extends them: lo[n] = y0[refl(2n)] and
 * hi[n] = y1[refl(2n + 1)]. */

typedef struct taps {
    int n;
    int off[2 * WSQ_MAX_HALF + 2]; /* subband index offset relative to p = m / 2 */
    float w[2 * WSQ_MAX_HALF + 2];
    bool hi[2 * WSQ_MAX_HALF + 2];
} taps;

static void make_taps(const wsq_filters *f, int parity, taps *t) {
    t->n = 0;
    /* lowpass contributions: t = m - 2n, |t| <= hi_half, t has the parity of m */
    for (int k = -f->hi_half; k <= f->hi_half; k++) {
        if (((k % 2) + 2) % 2 == parity) {
            t->off[t->n] = -(k - parity) / 2;
            t->w[t->n] = f->glo[k < 0 ? -k : k];
            t->hi[t->n++] = false;
        }
    }
    /* highpass: t = m - 2n - 1, |t| <= lo_half, t has the other parity */
    for (int k = -f->lo_half; k <= f->lo_half; k++) {
        if (((k % 2) + 2) % 2 != parity) {
            t->off[t->n] = -(k + 1 - parity) / 2;
            t->w[t->n] = f->ghi[k < 0 ? -k : k];
            t->hi[t->n++] = true;
        }
    }
}

static inline int64_t lo_index(int64_t nidx, int64_t n) {
    return refl(2 * nidx, n) / 2;
}

static inline int64_t hi_index(int64_t nidx, int64_t n) {
    return (refl(2 * nidx + 1, n) - 1) / 2;
}

static void synth_rows(float *img, size_t stride, const wsq_node *nd, const wsq_filters *f,
                       const taps tp[2], float *scratch) {
    uint32_t n = nd->r.w;
    if (n < 2) {
        if (n == 1) {
            float g = f->lo[0];
            for (int k = 1; k <= f->lo_half; k++) {
                g += 2.0f * f->lo[k];
            }
            for (uint32_t r = 0; r < nd->r.h; r++) {
                img[(nd->r.y + r) * stride + nd->r.x] /= g;
            }
        }
        return;
    }
    uint32_t nl = (n + 1) / 2, nh = n / 2;
    size_t ext_len = nl + 2 * MARGIN;
    float *lo = scratch + MARGIN;
    float *hi = scratch + ext_len + MARGIN;
    float *out = scratch + 2 * ext_len;
    for (uint32_t r = 0; r < nd->r.h; r++) {
        float *line = img + (nd->r.y + r) * stride + nd->r.x;
        const float *lsrc = nd->inv_x ? line + nh : line;
        const float *hsrc = nd->inv_x ? line : line + nl;
        memcpy(lo, lsrc, nl * sizeof(float));
        memcpy(hi, hsrc, nh * sizeof(float));
        for (int64_t i = -MARGIN; i < 0; i++) {
            lo[i] = lsrc[lo_index(i, n)];
            hi[i] = hsrc[hi_index(i, n)];
        }
        for (int64_t i = nl; i < (int64_t)nl + MARGIN; i++) {
            lo[i] = lsrc[lo_index(i, n)];
        }
        for (int64_t i = nh; i < (int64_t)nl + MARGIN; i++) {
            hi[i] = hsrc[hi_index(i, n)];
        }
        for (uint32_t m = 0; m < n; m++) {
            const taps *t = &tp[m & 1];
            int64_t p = m / 2;
            float acc = 0.0f;
            for (int k = 0; k < t->n; k++) {
                acc += t->w[k] * (t->hi[k] ? hi : lo)[p + t->off[k]];
            }
            out[m] = acc;
        }
        memcpy(line, out, n * sizeof(float));
    }
}

static void synth_cols(float *img, size_t stride, const wsq_node *nd, const wsq_filters *f,
                       const taps tp[2], float *scratch) {
    uint32_t n = nd->r.h, w = nd->r.w;
    if (w == 0 || n == 0) {
        return;
    }
    float *base = img + nd->r.y * stride + nd->r.x;
    if (n == 1) {
        float g = f->lo[0];
        for (int k = 1; k <= f->lo_half; k++) {
            g += 2.0f * f->lo[k];
        }
        for (uint32_t c = 0; c < w; c++) {
            base[c] /= g;
        }
        return;
    }
    uint32_t nl = (n + 1) / 2, nh = n / 2;
    uint32_t lo_row0 = nd->inv_y ? nh : 0, hi_row0 = nd->inv_y ? 0 : nl;
    float *tmp = scratch;
    for (uint32_t m = 0; m < n; m++) {
        const taps *t = &tp[m & 1];
        int64_t p = m / 2;
        float *dst = tmp + (size_t)m * w;
        for (int k = 0; k < t->n; k++) {
            int64_t idx = p + t->off[k];
            uint32_t row = t->hi[k] ? hi_row0 + (uint32_t)hi_index(idx, n)
                                    : lo_row0 + (uint32_t)lo_index(idx, n);
            const float *src = base + (size_t)row * stride;
            float wk = t->w[k];
            if (k == 0) {
                for (uint32_t c = 0; c < w; c++) {
                    dst[c] = wk * src[c];
                }
            } else {
                for (uint32_t c = 0; c < w; c++) {
                    dst[c] += wk * src[c];
                }
            }
        }
    }
    for (uint32_t r = 0; r < n; r++) {
        memcpy(base + (size_t)r * stride, tmp + (size_t)r * w, w * sizeof(float));
    }
}

void wsq_inverse(float *img, uint32_t width, const wsq_layout *lay, const wsq_filters *f,
                 float *scratch) {
    taps tp[2];
    make_taps(f, 0, &tp[0]);
    make_taps(f, 1, &tp[1]);
    for (int i = WSQ_NODES - 1; i >= 0; i--) {
        synth_cols(img, width, &lay->node[i], f, tp, scratch);
        synth_rows(img, width, &lay->node[i], f, tp, scratch);
    }
}

double wsq_unscale(unsigned scale, uint32_t v) {
    return (double)v / pow(10.0, (double)scale);
}

void wsq_scale(double x, uint32_t maxv, unsigned *scale, uint32_t *v) {
    *scale = 0;
    *v = 0;
    if (!(x > 0.0)) {
        return;
    }
    if (x >= (double)maxv) {
        *v = maxv;
        return;
    }
    unsigned s = 0;
    double p = 1.0;
    while (s < 9 && x * p * 10.0 + 0.5 <= (double)maxv) {
        s++;
        p *= 10.0;
    }
    *scale = s;
    *v = (uint32_t)(x * p + 0.5);
}
