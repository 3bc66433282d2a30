/*
 * Master fingerprints: ridges grown by iterative contextual filtering from a
 * few random seed points (the SFinGe method of Cappelli, Erol, Maio & Maltoni,
 * 2000; Maltoni et al., Handbook of Fingerprint Recognition, 2nd ed., 6.4.4).
 *
 * Every pixel of the fingertip is filtered, once per iteration, by a Gabor
 * filter tuned to the model's orientation and period there, and the result is
 * amplified and clipped to [-1, 1]. A ridge pattern spreads out from the seeds
 * by about a filter radius per iteration; where fronts of different phase meet,
 * or the flow diverges, the filter's fixed point resolves the conflict with
 * ridge endings and bifurcations: natural minutiae, placed by the seeds.
 * Seeds lie on a jittered grid (so the pattern fills the fingertip in 25-40
 * iterations) and half of them carry a phase dislocation (an extra minutia at
 * a random place, see seed_patch()).
 *
 * The Gabor filter is applied as two 1-D passes along digital lines, as in the
 * extractor: a Gaussian along the ridge, then an even Gabor (cosine times
 * Gaussian) across it. Orientation and period are quantised into bins with a
 * precomputed tap table each; weights are computed from the true projected
 * distance of each integer tap, so the quantisation of the line does not
 * distort the cosine.
 *
 * Ground truth: the skeleton of sign(ridge) is thinned with the extractor's
 * ext_thin() and its endings and bifurcations found and traced by ext_detect()
 * (crossing number, directions by a 14-pixel trace per template.h); skeleton
 * artefacts it marks (spurs, short islands, bridges) and minutiae within
 * SYNTH_BORDER_MARGIN pixels of the outline are dropped.
 */
#include "core/core.h"
#include "extract/ext_minutiae.h"
#include "extract/ext_thin.h"
#include "extract/ext_work.h"
#include "synth/rng.h"
#include "synth/synth_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

#define NORI 48     /* orientation bins over pi (3.75 degrees) */
#define PER_MIN 7.0 /* period bins: PER_MIN + k * PER_STEP */
#define PER_STEP 0.25
#define NPER 21                /* up to 12.0 */
#define RA 6                   /* half-length of the along-ridge Gaussian */
#define SIGMA_A 3.0            /* its standard deviation (pixels) */
#define RC 12                  /* half-length of the across-ridge Gabor */
#define SIGMA_C 0.5            /* its Gaussian's standard deviation, in periods */
#define PAD (RC + 1)           /* zero border of the work buffers */
#define GAIN 2.0               /* amplification before clipping */
#define GROW_LIMIT 1.06        /* ridges grow slightly beyond the outline */
#define MAX_ITER 90            /* safety stop of the growth */
#define SETTLE_ITER 3          /* iterations after the pattern has filled the area */
#define SYNTH_BORDER_MARGIN 10 /* ground-truth minutiae at least this far inside */
#define BLK 8                  /* block side of the activity map */
#define ACTIVE_DIL 3           /* blocks: BLK * ACTIVE_DIL >= RA + RC */
#define SEED_CELL_MIN 55.0
#define SEED_CELL_MAX 80.0
#define SEED_KEEP 0.8    /* probability that a cell gets a seed */
#define SEED_CHARGED 0.5 /* probability that a seed holds a dislocation */
#define SEED_RADIUS 1.5  /* seed patch radius in periods */
#define FADE 5.0         /* border fade of the rendering (pixels) */

typedef struct filter_bank {
    int along_off[NORI][2 * RA + 1]; /* in padded buffer index units */
    float along_w[2 * RA + 1];
    int across_off[NORI][2 * RC + 1];
    float across_w[NORI][NPER][2 * RC + 1];
} filter_bank;

static void bank_init(filter_bank *b, int stride) {
    float sum = 0;
    for (int k = -RA; k <= RA; k++) {
        b->along_w[k + RA] = (float)exp(-(double)(k * k) / (2 * SIGMA_A * SIGMA_A));
        sum += b->along_w[k + RA];
    }
    for (int k = 0; k < 2 * RA + 1; k++) {
        b->along_w[k] /= sum;
    }
    for (int o = 0; o < NORI; o++) {
        double th = (o + 0.5) * PI / NORI; /* ridge direction, image coordinates */
        double c = cos(th), s = sin(th);
        for (int k = -RA; k <= RA; k++) {
            int dx = (int)lrint(k * c), dy = (int)lrint(k * s);
            b->along_off[o][k + RA] = dy * stride + dx;
        }
        /* Normal to the ridge: (-s, c). */
        double t[2 * RC + 1];
        for (int k = -RC; k <= RC; k++) {
            int dx = (int)lrint(-k * s), dy = (int)lrint(k * c);
            b->across_off[o][k + RC] = dy * stride + dx;
            t[k + RC] = -dx * s + dy * c; /* true distance across the ridges */
        }
        for (int p = 0; p < NPER; p++) {
            double T = PER_MIN + p * PER_STEP, sg = SIGMA_C * T;
            double w[2 * RC + 1], g[2 * RC + 1], sw = 0, sgs = 0;
            for (int k = 0; k < 2 * RC + 1; k++) {
                g[k] = exp(-t[k] * t[k] / (2 * sg * sg));
                w[k] = g[k] * cos(2 * PI * t[k] / T);
                sw += w[k];
                sgs += g[k];
            }
            /* Zero DC (the pattern must not drift to one sign), then unit gain
             * on a cosine of the tuned period. */
            double resp = 0;
            for (int k = 0; k < 2 * RC + 1; k++) {
                w[k] -= g[k] * sw / sgs;
                resp += w[k] * cos(2 * PI * t[k] / T);
            }
            for (int k = 0; k < 2 * RC + 1; k++) {
                b->across_w[o][p][k] = (float)(w[k] / resp);
            }
        }
    }
}

static int ori_bin(double th) {
    int o = (int)floor(th / PI * NORI);
    return ((o % NORI) + NORI) % NORI;
}

static int per_bin(double T) {
    int p = (int)lrint((T - PER_MIN) / PER_STEP);
    return p < 0 ? 0 : (p >= NPER ? NPER - 1 : p);
}

/* Chamfer (3-4) distance to the nearest pixel outside mask, in pixels, capped at 255. */
static void border_distance(const uint8_t *mask, int w, int h, uint8_t *out, int32_t *d) {
    const int32_t big = 255 * 3;
    for (int i = 0; i < w * h; i++) {
        d[i] = mask[i] ? big : 0;
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int i = y * w + x;
            if (!d[i]) {
                continue;
            }
            int32_t v = d[i];
            /* Pixels beyond the image count as outside. */
            int32_t l = x > 0 ? d[i - 1] : 0, u = y > 0 ? d[i - w] : 0;
            int32_t ul = x > 0 && y > 0 ? d[i - w - 1] : 0,
                    ur = x < w - 1 && y > 0 ? d[i - w + 1] : 0;
            v = l + 3 < v ? l + 3 : v;
            v = u + 3 < v ? u + 3 : v;
            v = ul + 4 < v ? ul + 4 : v;
            v = ur + 4 < v ? ur + 4 : v;
            d[i] = v;
        }
    }
    for (int y = h - 1; y >= 0; y--) {
        for (int x = w - 1; x >= 0; x--) {
            int i = y * w + x;
            if (!d[i]) {
                continue;
            }
            int32_t v = d[i];
            int32_t r = x < w - 1 ? d[i + 1] : 0, dn = y < h - 1 ? d[i + w] : 0;
            int32_t dr = x < w - 1 && y < h - 1 ? d[i + w + 1] : 0,
                    dl = x > 0 && y < h - 1 ? d[i + w - 1] : 0;
            v = r + 3 < v ? r + 3 : v;
            v = dn + 3 < v ? dn + 3 : v;
            v = dr + 4 < v ? dr + 4 : v;
            v = dl + 4 < v ? dl + 4 : v;
            d[i] = v;
        }
    }
    for (int i = 0; i < w * h; i++) {
        int v = (d[i] + 1) / 3;
        out[i] = (uint8_t)(v > 255 ? 255 : v);
    }
}

typedef struct grow_work {
    int w, h, pw, ph;
    float *a, *b, *c; /* padded buffers: current, along-smoothed, next */
    int32_t *idx;     /* padded indices of the growth area */
    uint8_t *ob, *pb; /* orientation and period bin per growth-area pixel */
    int n;            /* pixels in the growth area */
    int32_t *blk;     /* block of each growth-area pixel */
    uint8_t *active;  /* per block: within ACTIVE_DIL blocks of a nonzero pixel */
    uint8_t *nonzero; /* per block: holds a nonzero value */
    int bw, bh;       /* block grid */
    filter_bank *bank;
} grow_work;

static void grow_free(grow_work *g) {
    free(g->a);
    free(g->b);
    free(g->c);
    free(g->idx);
    free(g->ob);
    free(g->pb);
    free(g->bank);
    free(g->blk);
    free(g->active);
    free(g->nonzero);
}

/* Marks the blocks within ACTIVE_DIL blocks of a nonzero one as active. */
static void update_active(grow_work *g) {
    memset(g->active, 0, (size_t)g->bw * g->bh);
    for (int by = 0; by < g->bh; by++) {
        for (int bx = 0; bx < g->bw; bx++) {
            if (!g->nonzero[by * g->bw + bx]) {
                continue;
            }
            for (int y = by - ACTIVE_DIL; y <= by + ACTIVE_DIL; y++) {
                for (int x = bx - ACTIVE_DIL; x <= bx + ACTIVE_DIL; x++) {
                    if (x >= 0 && y >= 0 && x < g->bw && y < g->bh) {
                        g->active[y * g->bw + x] = 1;
                    }
                }
            }
        }
    }
}

/* One filtering iteration over the growth area. Returns the pixels still
 * undecided (|v| <= 0.02: not reached yet, or right on a ridge/valley edge). */
static int grow_step(grow_work *g) {
    const filter_bank *bk = g->bank;
    for (int j = 0; j < g->n; j++) {
        if (!g->active[g->blk[j]]) {
            continue; /* everything within the filter's reach is still zero */
        }
        int i = g->idx[j];
        const int *off = bk->along_off[g->ob[j]];
        const float *a = g->a + i;
        float s = 0;
        for (int k = 0; k < 2 * RA + 1; k++) {
            s += bk->along_w[k] * a[off[k]];
        }
        g->b[i] = s;
    }
    int und = 0;
    for (int j = 0; j < g->n; j++) {
        if (!g->active[g->blk[j]]) {
            und++;
            continue;
        }
        int i = g->idx[j];
        const int *off = bk->across_off[g->ob[j]];
        const float *wt = bk->across_w[g->ob[j]][g->pb[j]];
        const float *b = g->b + i;
        float s = 0;
        for (int k = 0; k < 2 * RC + 1; k++) {
            s += wt[k] * b[off[k]];
        }
        s *= (float)GAIN;
        s = s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s);
        g->c[i] = s;
        und += fabsf(s) <= 0.02f;
        if (s != 0.0f) {
            g->nonzero[g->blk[j]] = 1;
        }
    }
    update_active(g);
    float *t = g->a;
    g->a = g->c;
    g->c = t;
    return und;
}

static mid_status fail_nomem(mid_ctx *ctx) {
    return core_fail(ctx, MID_ERR_NOMEM, "synth master: out of memory");
}

void mid_synth_master_free(mid_synth_master *m) {
    if (m == NULL) {
        return;
    }
    mid_image_free(m->image);
    mid_template_free(m->minutiae);
    free(m->ridge);
    free(m->mask);
    free(m->border);
    free(m->orient);
    free(m->period);
    free(m);
}

const mid_image *mid_synth_master_image(const mid_synth_master *m) {
    return m != NULL ? m->image : NULL;
}

const mid_template *mid_synth_master_minutiae(const mid_synth_master *m) {
    return m != NULL ? m->minutiae : NULL;
}

mid_finger_class mid_synth_master_class(const mid_synth_master *m) {
    return m != NULL ? m->cls : MID_CLASS_ARCH;
}

/* Starts the growth at (x0, y0) with a disc of the local ridge pattern with the
 * given phase. A nonzero charge (+1 or -1) winds the phase once around the
 * centre: a dislocation of the ridge pattern, i.e. one ridge ending or
 * bifurcation there. Such a defect is topological: the filtering can move it
 * a little but not remove it (short of meeting one of opposite charge), so the
 * charged seeds place minutiae uniformly at random, as in real prints, rather
 * than only where the flow forces them. */
static void seed_patch(grow_work *g, const mid_synth_master *m, int x0, int y0, double phase,
                       int charge) {
    size_t c = (size_t)y0 * m->width + x0;
    double th = m->orient[c], T = m->period[c];
    double nx = -sin(th), ny = cos(th), ax = cos(th), ay = sin(th);
    int R = (int)(SEED_RADIUS * T);
    for (int dy = -R; dy <= R; dy++) {
        for (int dx = -R; dx <= R; dx++) {
            int x = x0 + dx, y = y0 + dy;
            if (dx * dx + dy * dy > R * R || x < 0 || y < 0 || x >= g->w || y >= g->h) {
                continue;
            }
            double t = dx * nx + dy * ny, u = dx * ax + dy * ay;
            double wind = charge != 0 && (t != 0 || u != 0) ? charge * atan2(t, u) : 0.0;
            g->a[(y + PAD) * g->pw + x + PAD] = (float)cos(2 * PI * t / T + phase + wind);
            g->nonzero[(y / BLK) * g->bw + x / BLK] = 1;
        }
    }
}

/* Grows the ridge signal of m (model, fields and mask already set) into m->ridge. */
static mid_status grow_ridges(mid_ctx *ctx, mid_synth_master *m) {
    grow_work g = {0};
    g.w = m->width;
    g.h = m->height;
    g.pw = g.w + 2 * PAD;
    g.ph = g.h + 2 * PAD;
    size_t np = (size_t)g.pw * (size_t)g.ph, n = (size_t)g.w * (size_t)g.h;
    g.a = core_calloc(np, sizeof(float));
    g.b = core_calloc(np, sizeof(float));
    g.c = core_calloc(np, sizeof(float));
    g.idx = core_mallocn(n, sizeof(int32_t));
    g.ob = core_mallocn(n, 1);
    g.pb = core_mallocn(n, 1);
    g.bank = malloc(sizeof(filter_bank));
    g.bw = (g.w + BLK - 1) / BLK;
    g.bh = (g.h + BLK - 1) / BLK;
    g.blk = core_mallocn(n, sizeof(int32_t));
    g.active = core_calloc((size_t)g.bw * g.bh, 1);
    g.nonzero = core_calloc((size_t)g.bw * g.bh, 1);
    if (!g.a || !g.b || !g.c || !g.idx || !g.ob || !g.pb || !g.bank || !g.blk || !g.active ||
        !g.nonzero) {
        grow_free(&g);
        return fail_nomem(ctx);
    }
    bank_init(g.bank, g.pw);
    const synth_finger_model *md = &m->model;
    int n_inside = 0;
    for (int y = 0; y < g.h; y++) {
        for (int x = 0; x < g.w; x++) {
            double s = synth_model_shape(md, x + 0.5, y + 0.5);
            if (s >= GROW_LIMIT) {
                continue;
            }
            size_t i = (size_t)y * g.w + x;
            g.idx[g.n] = (y + PAD) * g.pw + x + PAD;
            g.ob[g.n] = (uint8_t)ori_bin(m->orient[i]);
            g.pb[g.n] = (uint8_t)per_bin(m->period[i]);
            g.blk[g.n] = (y / BLK) * g.bw + x / BLK;
            g.n++;
            n_inside += s < 1.0;
        }
    }
    if (n_inside < 1000) {
        grow_free(&g);
        return core_fail(ctx, MID_ERR_ARG, "synth master: fingertip area too small");
    }
    /* Seed points: one ridge patch in most cells of a jittered grid, so that
     * the fronts meet all over the fingertip; the cell size (drawn per master)
     * sets how many fronts meet, hence the minutiae density. */
    synth_rng r;
    synth_rng_init(&r, m->seed, m->person, m->finger, 0, SYNTH_STREAM_SEEDS);
    double cell = synth_rng_range(&r, SEED_CELL_MIN, SEED_CELL_MAX);
    int ncx = (int)ceil(g.w / cell), ncy = (int)ceil(g.h / cell);
    for (int cy = 0; cy < ncy; cy++) {
        for (int cx = 0; cx < ncx; cx++) {
            double x = (cx + synth_rng_uniform(&r)) * cell;
            double y = (cy + synth_rng_uniform(&r)) * cell;
            double phase = synth_rng_range(&r, 0, 2 * PI);
            int keep = synth_rng_uniform(&r) < SEED_KEEP;
            double q = synth_rng_uniform(&r);
            int charge = q < SEED_CHARGED / 2 ? -1 : (q < SEED_CHARGED ? 1 : 0);
            if (keep && x < g.w && y < g.h && synth_model_shape(md, x, y) < 0.92) {
                seed_patch(&g, m, (int)x, (int)y, phase, charge);
            }
        }
    }
    update_active(&g);
    int settle = 0;
    for (int it = 0; it < MAX_ITER && settle < SETTLE_ITER; it++) {
        int undecided = grow_step(&g);
        /* Filled: only the ridge/valley transitions are left undecided. The
         * pattern never freezes completely (minutiae keep drifting slowly), so
         * a fixed number of settling iterations follows. */
        if (undecided < g.n / 100) {
            settle++;
        }
    }
    for (int y = 0; y < g.h; y++) {
        for (int x = 0; x < g.w; x++) {
            size_t i = (size_t)y * g.w + x;
            m->ridge[i] = m->mask[i] ? g.a[(y + PAD) * g.pw + x + PAD] : 0.0f;
        }
    }
    grow_free(&g);
    return MID_OK;
}

static void render(mid_synth_master *m) {
    uint8_t *px = mid_image_pixels(m->image);
    for (int i = 0; i < m->width * m->height; i++) {
        if (!m->mask[i]) {
            px[i] = 255;
            continue;
        }
        double v = 128.0 - 108.0 * m->ridge[i];
        double a = m->border[i] / FADE;
        a = a > 1 ? 1 : a;
        v = 255.0 + a * (v - 255.0);
        px[i] = (uint8_t)lrint(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
}

/* Ground-truth minutiae from the skeleton of sign(ridge). */
static mid_status find_minutiae(mid_ctx *ctx, mid_synth_master *m) {
    const int w = m->width, h = m->height, st = w + 2;
    size_t nf = (size_t)(w + 2) * (size_t)(h + 2);
    ext_work k = {0};
    k.w = w;
    k.h = h;
    k.ridge = core_calloc(nf, 1);
    k.list = core_mallocn(nf, sizeof(int32_t));
    k.capmin = 4 * (int)MID_MAX_MINUTIAE;
    k.min = core_mallocn((size_t)k.capmin, sizeof(ext_minutia));
    mid_status status = MID_OK;
    if (!k.ridge || !k.list || !k.min) {
        status = fail_nomem(ctx);
        goto done;
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            k.ridge[(y + 1) * st + x + 1] = m->mask[i] && m->ridge[i] > 0.0f;
        }
    }
    ext_thin(k.ridge, w + 2, h + 2, k.list);
    ext_detect(&k);
    status =
        mid_template_create(ctx, (uint16_t)w, (uint16_t)h, (uint16_t)MID_WORK_PPI, &m->minutiae);
    if (status == MID_OK) {
        status = mid_template_set_finger(ctx, m->minutiae, (uint8_t)m->finger, 0);
    }
    for (int n = 0; status == MID_OK && n < k.nmin; n++) {
        const ext_minutia *e = &k.min[n];
        size_t i = (size_t)e->y * w + (size_t)e->x;
        if (e->dead || m->border[i] < SYNTH_BORDER_MARGIN) {
            continue;
        }
        if (mid_template_count(m->minutiae) >= MID_MAX_MINUTIAE) {
            break; /* the formats hold 255; a master never gets near */
        }
        /* Image angles are clockwise (y down); the template's are counter-clockwise. */
        int units = (int)lrint(-e->dir * (256.0 / (2.0 * PI))) & 255;
        mid_minutia mm = {.x = (uint16_t)e->x,
                          .y = (uint16_t)e->y,
                          .angle = (uint8_t)units,
                          .type = e->type,
                          .quality = 100};
        status = mid_template_add(ctx, m->minutiae, &mm);
    }
    if (status == MID_OK) {
        mid_template_set_quality(m->minutiae, 100);
    }
done:
    free(k.ridge);
    free(k.list);
    free(k.min);
    return status;
}

mid_status mid_synth_master_create(mid_synth *s, uint64_t seed, uint64_t person, unsigned finger,
                                   mid_synth_master **out) {
    mid_ctx *ctx = s != NULL ? s->ctx : NULL;
    if (s == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "synth master: NULL argument");
    }
    *out = NULL;
    if (finger < 1 || finger > 10) {
        return core_fail(ctx, MID_ERR_ARG, "synth master: finger %u is not 1..10", finger);
    }
    mid_synth_master *m = core_calloc(1, sizeof(*m));
    if (m == NULL) {
        return fail_nomem(ctx);
    }
    m->seed = seed;
    m->person = person;
    m->finger = finger;
    synth_model_init(&m->model, seed, person, finger);
    m->cls = m->model.cls;
    m->width = m->model.width;
    m->height = m->model.height;
    size_t n = (size_t)m->width * (size_t)m->height;
    m->ridge = core_calloc(n, sizeof(float));
    m->mask = core_calloc(n, 1);
    m->border = core_calloc(n, 1);
    m->orient = core_mallocn(n, sizeof(float));
    m->period = core_mallocn(n, sizeof(float));
    int32_t *tmp = core_mallocn(n, sizeof(int32_t));
    mid_status st = MID_OK;
    if (!m->ridge || !m->mask || !m->border || !m->orient || !m->period || !tmp) {
        st = fail_nomem(ctx);
        goto fail;
    }
    for (int y = 0; y < m->height; y++) {
        for (int x = 0; x < m->width; x++) {
            size_t i = (size_t)y * m->width + x;
            double px = x + 0.5, py = y + 0.5;
            m->mask[i] = (uint8_t)synth_model_inside(&m->model, px, py);
            m->orient[i] = (float)synth_model_orientation(&m->model, px, py);
            m->period[i] = (float)synth_model_period(&m->model, px, py);
        }
    }
    border_distance(m->mask, m->width, m->height, m->border, tmp);
    st = grow_ridges(ctx, m);
    if (st == MID_OK) {
        st =
            mid_image_create(ctx, (uint32_t)m->width, (uint32_t)m->height, MID_WORK_PPI, &m->image);
    }
    if (st != MID_OK) {
        goto fail;
    }
    render(m);
    st = find_minutiae(ctx, m);
    if (st != MID_OK) {
        goto fail;
    }
    free(tmp);
    *out = m;
    return MID_OK;
fail:
    free(tmp);
    mid_synth_master_free(m);
    return st;
}
