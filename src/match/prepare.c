/*
 * Template preparation: everything a comparison needs that depends on one
 * template only is computed here once, so that mid_matcher_compare() does no
 * allocation and no transcendental work per minutia of that template.
 *
 *  - coordinates scaled to MID_WORK_PPI (templates come at any resolution) and
 *    converted to a y-up frame so that ISO angles are mathematical angles;
 *  - the convex hull of the minutiae, dilated, as an estimate of the print area
 *    (Cappelli et al. 2010, section 3: cells outside it are "invalid");
 *  - one bit-quantised Minutia Cylinder-Code per minutia (see match_internal.h);
 *  - a coarse raster of the dilated hull, to count minutiae in the overlap.
 */
#include "match/match_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* MCC parameters (Cappelli et al. 2010, table 1, adapted to an 8x8 grid). */
#define CYL_SIGMA_S (28.0f / 3.0f) /* spatial Gaussian, pixels */
#define CYL_SIGMA_D 0.6981317f     /* directional Gaussian, 2*pi/9 */
#define CYL_MU_PSI 0.006f          /* bit threshold on the cell contribution */
#define CYL_OMEGA 50.0f            /* hull dilation for cell validity, pixels */
#define CYL_MIN_VALID_FRAC 0.60f   /* a usable cylinder has this share of valid cells */
#define CYL_MIN_NEIGHBOURS 2       /* and at least this many minutiae around */
#define MASK_OMEGA 20.0f           /* hull dilation for the overlap mask, pixels */

#define TWO_PI 6.28318530717958647692f

typedef struct hull {
    size_t n;
    float *x, *y; /* counter-clockwise */
} hull;

static float cross3(float ox, float oy, float ax, float ay, float bx, float by) {
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
}

static int cmp_xy(const void *pa, const void *pb) {
    const float *a = pa, *b = pb;
    if (a[0] != b[0]) {
        return a[0] < b[0] ? -1 : 1;
    }
    if (a[1] != b[1]) {
        return a[1] < b[1] ? -1 : 1;
    }
    return 0;
}

/* Andrew's monotone chain. xy: n pairs, sorted in place. Output arrays hold n + 1. */
static void hull_build(float *xy, size_t n, hull *h) {
    qsort(xy, n, 2 * sizeof(float), cmp_xy);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && cross3(h->x[k - 2], h->y[k - 2], h->x[k - 1], h->y[k - 1], xy[2 * i],
                                xy[2 * i + 1]) <= 0.0f) {
            k--;
        }
        h->x[k] = xy[2 * i];
        h->y[k] = xy[2 * i + 1];
        k++;
    }
    size_t lower = k + 1;
    for (size_t i = n; i-- > 1;) {
        while (k >= lower && cross3(h->x[k - 2], h->y[k - 2], h->x[k - 1], h->y[k - 1],
                                    xy[2 * (i - 1)], xy[2 * (i - 1) + 1]) <= 0.0f) {
            k--;
        }
        h->x[k] = xy[2 * (i - 1)];
        h->y[k] = xy[2 * (i - 1) + 1];
        k++;
    }
    h->n = (n > 1 && k > 1) ? k - 1 : (n > 0 ? 1 : 0);
}

static float seg_dist2(float px, float py, float ax, float ay, float bx, float by) {
    float dx = bx - ax, dy = by - ay;
    float l2 = dx * dx + dy * dy;
    float t = 0.0f;
    if (l2 > 0.0f) {
        t = ((px - ax) * dx + (py - ay) * dy) / l2;
        t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    }
    float ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

/* True when (px, py) lies inside the hull dilated by omega. */
static int hull_contains(const hull *h, float px, float py, float omega) {
    if (h->n == 0) {
        return 0;
    }
    if (h->n >= 3) {
        int inside = 1;
        for (size_t i = 0; i < h->n && inside; i++) {
            size_t j = (i + 1) % h->n;
            if (cross3(h->x[i], h->y[i], h->x[j], h->y[j], px, py) < 0.0f) {
                inside = 0;
            }
        }
        if (inside) {
            return 1;
        }
    }
    float o2 = omega * omega;
    for (size_t i = 0; i < h->n; i++) {
        size_t j = (i + 1) % h->n;
        if (seg_dist2(px, py, h->x[i], h->y[i], h->x[j], h->y[j]) <= o2) {
            return 1;
        }
    }
    return 0;
}

/* Signed angle difference b - a wrapped to [-pi, pi). */
static float angle_diff(float a, float b) {
    float d = b - a;
    while (d >= 0.5f * TWO_PI) {
        d -= TWO_PI;
    }
    while (d < -0.5f * TWO_PI) {
        d += TWO_PI;
    }
    return d;
}

/* A neighbour of the minutia whose cylinder is being built: its position and
 * its directional contribution to each layer (which depends on the pair only,
 * not on the cell). */
typedef struct neighbour {
    float x, y;
    float cd[MATCH_ND];
} neighbour;

static void build_cylinder(match_point *pts, size_t n, size_t self, const hull *h, neighbour *nbr,
                           uint64_t *out) {
    const float ds = 2.0f * MATCH_CYL_R / MATCH_NS;
    const float dd = TWO_PI / MATCH_ND;
    const float inv_gs = 1.0f / (CYL_SIGMA_S * sqrtf(TWO_PI));
    const float reach = MATCH_CYL_R + 3.0f * CYL_SIGMA_S;
    const float k2 = 1.0f / (CYL_SIGMA_D * sqrtf(2.0f));
    const match_point *m = &pts[self];
    float c = cosf(m->t), s = sinf(m->t);
    float contrib[MATCH_ND];
    int cells = 0, valid = 0, neighbours = 0;

    memset(out, 0, MATCH_CYL_WORDS * sizeof(uint64_t));
    for (size_t k = 0; k < n; k++) {
        float dx = pts[k].x - m->x, dy = pts[k].y - m->y;
        if (k == self || dx * dx + dy * dy > reach * reach) {
            continue;
        }
        neighbour *q = &nbr[neighbours++];
        q->x = pts[k].x;
        q->y = pts[k].y;
        /* Cappelli et al. 2010, eq. 8: the directional Gaussian integrated
         * over the layer's angular extent. */
        float rel = angle_diff(m->t, pts[k].t);
        for (int l = 0; l < MATCH_ND; l++) {
            float phi = -0.5f * TWO_PI + ((float)l + 0.5f) * dd;
            float a = angle_diff(phi, rel);
            q->cd[l] = 0.5f * (erff((a + 0.5f * dd) * k2) - erff((a - 0.5f * dd) * k2));
        }
    }
    for (int i = 0; i < MATCH_NS; i++) {
        for (int j = 0; j < MATCH_NS; j++) {
            float u = ((float)i - 0.5f * (MATCH_NS - 1)) * ds;
            float v = ((float)j - 0.5f * (MATCH_NS - 1)) * ds;
            if (u * u + v * v > MATCH_CYL_R * MATCH_CYL_R) {
                continue;
            }
            cells++;
            float px = m->x + u * c - v * s, py = m->y + u * s + v * c;
            if (!hull_contains(h, px, py, CYL_OMEGA)) {
                continue;
            }
            valid++;
            int bit = i * MATCH_NS + j;
            out[0] |= UINT64_C(1) << bit;
            memset(contrib, 0, sizeof(contrib));
            for (int k = 0; k < neighbours; k++) {
                float ex = nbr[k].x - px, ey = nbr[k].y - py;
                float d2 = ex * ex + ey * ey;
                if (d2 > 9.0f * CYL_SIGMA_S * CYL_SIGMA_S) {
                    continue;
                }
                float cs = inv_gs * expf(-d2 / (2.0f * CYL_SIGMA_S * CYL_SIGMA_S));
                for (int l = 0; l < MATCH_ND; l++) {
                    contrib[l] += cs * nbr[k].cd[l];
                }
            }
            for (int l = 0; l < MATCH_ND; l++) {
                if (contrib[l] >= CYL_MU_PSI) {
                    out[1 + l] |= UINT64_C(1) << bit;
                }
            }
        }
    }
    int pop = 0;
    for (int l = 1; l <= MATCH_ND; l++) {
        pop += __builtin_popcountll(out[l]);
    }
    pts[self].cyl_pop = (uint16_t)pop;
    pts[self].cyl_ok =
        valid >= (int)(CYL_MIN_VALID_FRAC * (float)cells) && neighbours >= CYL_MIN_NEIGHBOURS;
    pts[self].cyl_full = pts[self].cyl_ok && valid == cells;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Word-major copy of the cylinders for the vector kernel. */
static int build_soa(mid_match_template *mt) {
    mt->npad = (mt->n + 7u) & ~7u;
    mt->cyl_soa = core_calloc((size_t)MATCH_CYL_WORDS * mt->npad + 1, sizeof(uint64_t));
    mt->ok_bits = core_calloc(mt->npad / 8 + 1, 1);
    if (mt->cyl_soa == NULL || mt->ok_bits == NULL) {
        return -1;
    }
    for (uint32_t j = 0; j < mt->n; j++) {
        for (uint32_t w = 0; w < MATCH_CYL_WORDS; w++) {
            mt->cyl_soa[(size_t)w * mt->npad + j] = mt->cyl[(size_t)j * MATCH_CYL_WORDS + w];
        }
        if (mt->pts[j].cyl_ok) {
            mt->ok_bits[j / 8] = (uint8_t)(mt->ok_bits[j / 8] | (1u << (j % 8)));
        }
    }
    return 0;
}

/* Bucket-sorts the minutiae into a grid over their bounding box. */
static int build_grid(mid_match_template *mt) {
    float x0 = 0.0f, x1 = 0.0f, y0 = 0.0f, y1 = 0.0f;
    for (uint32_t i = 0; i < mt->n; i++) {
        const match_point *p = &mt->pts[i];
        if (i == 0 || p->x < x0) {
            x0 = p->x;
        }
        if (i == 0 || p->x > x1) {
            x1 = p->x;
        }
        if (i == 0 || p->y < y0) {
            y0 = p->y;
        }
        if (i == 0 || p->y > y1) {
            y1 = p->y;
        }
    }
    float cell = fmaxf(MATCH_GRID_CELL, fmaxf(x1 - x0, y1 - y0) / (float)(MATCH_GRID_MAX_SIDE - 1));
    mt->gx = x0;
    mt->gy = y0;
    mt->gcell = cell;
    mt->gw = (uint32_t)((x1 - x0) / cell) + 1;
    mt->gh = (uint32_t)((y1 - y0) / cell) + 1;
    if (mt->gw > MATCH_GRID_MAX_SIDE) {
        mt->gw = MATCH_GRID_MAX_SIDE;
    }
    if (mt->gh > MATCH_GRID_MAX_SIDE) {
        mt->gh = MATCH_GRID_MAX_SIDE;
    }
    size_t cells = (size_t)mt->gw * mt->gh;
    mt->gstart = core_calloc(cells + 1, sizeof(uint16_t));
    mt->gidx = core_calloc(mt->n + 1, sizeof(uint16_t));
    if (mt->gstart == NULL || mt->gidx == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < mt->n; i++) {
        mt->gstart[match_grid_cell(mt, mt->pts[i].x, mt->pts[i].y) + 1]++;
    }
    for (size_t c = 0; c < cells; c++) {
        mt->gstart[c + 1] = (uint16_t)(mt->gstart[c + 1] + mt->gstart[c]);
    }
    for (uint32_t i = 0; i < mt->n; i++) {
        size_t c = match_grid_cell(mt, mt->pts[i].x, mt->pts[i].y);
        /* gstart[c] is used as a fill cursor, then restored below */
        mt->gidx[mt->gstart[c]++] = (uint16_t)i;
    }
    for (size_t c = cells; c > 0; c--) {
        mt->gstart[c] = mt->gstart[c - 1];
    }
    mt->gstart[0] = 0;
    return 0;
}

void mid_match_template_free(mid_match_template *mt) {
    if (mt == NULL) {
        return;
    }
    if (mt->pts) {
        core_wipe(mt->pts, mt->n * sizeof(*mt->pts));
    }
    free(mt->pts);
    free(mt->cyl);
    free(mt->mask);
    free(mt->gstart);
    free(mt->gidx);
    free(mt->cyl_soa);
    free(mt->ok_bits);
    free(mt);
}

mid_status mid_match_prepare(mid_ctx *ctx, const mid_template *t, mid_match_template **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_match_prepare: out is NULL");
    }
    *out = NULL;
    if (t == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_match_prepare: template is NULL");
    }
    size_t n = mid_template_count(t);
    if (n > MID_MAX_MINUTIAE) {
        return core_fail(ctx, MID_ERR_LIMIT, "template has %zu minutiae (limit %u)", n,
                         MID_MAX_MINUTIAE);
    }
    const mid_minutia *src = mid_template_minutiae(t);
    double ppi = mid_template_ppi(t);
    if (ppi < MID_MIN_PPI || ppi > MID_MAX_PPI) {
        ppi = MID_WORK_PPI; /* unknown resolution: assume the working one */
    }
    float scale = (float)(MID_WORK_PPI / ppi);

    mid_match_template *mt = core_calloc(1, sizeof(*mt));
    float *xy = core_mallocn(2 * n + 2, sizeof(float));
    float *hx = core_mallocn(2 * (n + 2), sizeof(float));
    if (mt == NULL || xy == NULL || hx == NULL) {
        free(mt);
        free(xy);
        free(hx);
        return core_fail(ctx, MID_ERR_NOMEM, "mid_match_prepare: out of memory");
    }
    mt->n = (uint32_t)n;
    mt->pts = core_calloc(n + 1, sizeof(match_point));
    mt->cyl = core_calloc((n + 1) * MATCH_CYL_WORDS, sizeof(uint64_t));
    if (mt->pts == NULL || mt->cyl == NULL) {
        free(xy);
        free(hx);
        mid_match_template_free(mt);
        return core_fail(ctx, MID_ERR_NOMEM, "mid_match_prepare: out of memory");
    }
    uint64_t h = UINT64_C(14695981039346656037);
    h = fnv1a(h, &mt->n, sizeof(mt->n));
    for (size_t i = 0; i < n; i++) {
        match_point *p = &mt->pts[i];
        p->x = (float)src[i].x * scale;
        p->y = -(float)src[i].y * scale;
        p->t = (float)src[i].angle * (TWO_PI / 256.0f);
        p->dx = cosf(p->t);
        p->dy = sinf(p->t);
        p->type = src[i].type;
        xy[2 * i] = p->x;
        xy[2 * i + 1] = p->y;
        uint8_t rec[5] = {(uint8_t)(src[i].x >> 8), (uint8_t)src[i].x, (uint8_t)(src[i].y >> 8),
                          (uint8_t)src[i].y, src[i].angle};
        h = fnv1a(h, rec, sizeof(rec));
    }
    uint16_t ppi16 = mid_template_ppi(t);
    mt->hash = fnv1a(h, &ppi16, sizeof(ppi16));

    hull hl = {0, hx, hx + n + 2};
    if (n > 0) {
        hull_build(xy, n, &hl);
    }
    neighbour *nbr = core_mallocn(n + 1, sizeof(neighbour));
    if (nbr == NULL) {
        free(xy);
        free(hx);
        mid_match_template_free(mt);
        return core_fail(ctx, MID_ERR_NOMEM, "mid_match_prepare: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        build_cylinder(mt->pts, n, i, &hl, nbr, &mt->cyl[i * MATCH_CYL_WORDS]);
    }
    core_wipe(nbr, (n + 1) * sizeof(neighbour));
    free(nbr);

    /* Overlap mask over the bounding box of the dilated hull. */
    if (n > 0) {
        float x0 = hl.x[0], x1 = hl.x[0], y0 = hl.y[0], y1 = hl.y[0];
        for (size_t i = 1; i < hl.n; i++) {
            x0 = fminf(x0, hl.x[i]);
            x1 = fmaxf(x1, hl.x[i]);
            y0 = fminf(y0, hl.y[i]);
            y1 = fmaxf(y1, hl.y[i]);
        }
        x0 -= MASK_OMEGA;
        y0 -= MASK_OMEGA;
        x1 += MASK_OMEGA;
        y1 += MASK_OMEGA;
        float cell = fmaxf(8.0f, fmaxf(x1 - x0, y1 - y0) / (float)MATCH_MASK_MAX_SIDE);
        mt->ox = x0;
        mt->oy = y0;
        mt->cell = cell;
        mt->mw = (uint32_t)ceilf((x1 - x0) / cell);
        mt->mh = (uint32_t)ceilf((y1 - y0) / cell);
        if (mt->mw < 1) {
            mt->mw = 1;
        }
        if (mt->mh < 1) {
            mt->mh = 1;
        }
        if (mt->mw > MATCH_MASK_MAX_SIDE) {
            mt->mw = MATCH_MASK_MAX_SIDE;
        }
        if (mt->mh > MATCH_MASK_MAX_SIDE) {
            mt->mh = MATCH_MASK_MAX_SIDE;
        }
        mt->mask = core_calloc((size_t)mt->mw * mt->mh, 1);
        if (mt->mask == NULL) {
            free(xy);
            free(hx);
            mid_match_template_free(mt);
            return core_fail(ctx, MID_ERR_NOMEM, "mid_match_prepare: out of memory");
        }
        for (uint32_t cy = 0; cy < mt->mh; cy++) {
            for (uint32_t cx = 0; cx < mt->mw; cx++) {
                float px = x0 + ((float)cx + 0.5f) * cell, py = y0 + ((float)cy + 0.5f) * cell;
                mt->mask[(size_t)cy * mt->mw + cx] =
                    (uint8_t)hull_contains(&hl, px, py, MASK_OMEGA);
            }
        }
    }
    if (build_soa(mt) != 0 || build_grid(mt) != 0) {
        free(xy);
        free(hx);
        mid_match_template_free(mt);
        return core_fail(ctx, MID_ERR_NOMEM, "mid_match_prepare: out of memory");
    }
    free(xy);
    free(hx);
    *out = mt;
    return MID_OK;
}
