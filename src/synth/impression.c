/*
 * Rendering of an impression and of its ground truth (see impression.h).
 *
 * Pipeline, every stage linear in the number of window pixels:
 *  1. the master's "ink" (255 - grey) with the finger's creases cut into it;
 *  2. the inverse transform on a coarse 8 px grid of window points (the only
 *     place where the distortion is inverted), contact strength at each node;
 *  3. per pixel: bilinear interpolation of the grid, bilinear sampling of ink;
 *  4. a separable [1 2 1] smoothing (wet skin: a second pass), which gives the
 *     ridges a smooth cross profile so that a threshold sets their width;
 *  5. the skin tone curve: ridges above a threshold that rises towards the
 *     contact border and varies slowly with pressure; dry skin raises it and
 *     breaks ridges, wet skin lowers it and fills valleys in blots;
 *  6. the scanner: background, valley and ridge grey levels, column stripes,
 *     sensor noise.
 * Slowly varying random fields are value noise: random values on a coarse grid,
 * smoothly interpolated. The random numbers come from the identity's streams
 * only, so an impression is a pure function of its identity and options.
 */
#include "core/core.h"
#include "synth/impression.h"
#include "synth/rng.h"
#include "synth/synth_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID 8 /* coarse grid step of the inverse transform, pixels */
#define PI 3.14159265358979323846

static float clampf(float v, float lo, float hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- creases ------------------------------------------------------------- */

static void bezier(const synth_crease *c, double t, double *x, double *y) {
    double a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, d = t * t;
    *x = a * c->x0 + b * c->x1 + d * c->x2;
    *y = a * c->y0 + b * c->y1 + d * c->y2;
}

static double crease_length(const synth_crease *c) {
    return hypot(c->x1 - c->x0, c->y1 - c->y0) + hypot(c->x2 - c->x1, c->y2 - c->y1);
}

/* Cuts the creases into keep (255: untouched): along the curve, ink is to be
 * scaled down by the crease strength, with a one-pixel soft edge. Stamping takes
 * the minimum, so overlapping stamps do not cut twice. */
static void stamp_creases(const synth_imp_params *p, uint8_t *keep, int mw, int mh) {
    for (unsigned k = 0; k < p->n_creases; k++) {
        const synth_crease *c = &p->crease[k];
        double half = c->width / 2.0;
        int steps = (int)(crease_length(c) * 2) + 2;
        int rad = (int)ceil(half + 1);
        for (int s = 0; s <= steps; s++) {
            double x, y;
            bezier(c, (double)s / steps, &x, &y);
            int x0 = (int)floor(x) - rad, y0 = (int)floor(y) - rad;
            for (int yy = y0; yy <= y0 + 2 * rad + 1; yy++) {
                if (yy < 0 || yy >= mh) {
                    continue;
                }
                for (int xx = x0; xx <= x0 + 2 * rad + 1; xx++) {
                    if (xx < 0 || xx >= mw) {
                        continue;
                    }
                    double d = hypot(xx - x, yy - y);
                    double cut = c->strength * clampf((float)(half + 0.5 - d), 0.0f, 1.0f);
                    size_t i = (size_t)yy * (size_t)mw + (size_t)xx;
                    uint8_t v = (uint8_t)lround(255.0 * (1.0 - cut));
                    if (v < keep[i]) {
                        keep[i] = v;
                    }
                }
            }
        }
    }
}

/* Stage 1: the master's ink (0 = none, 255 = ridge centre) with creases cut in;
 * keep is master-sized scratch. */
static void build_ink(const synth_master_view *m, const synth_imp_params *p, uint8_t *ink,
                      uint8_t *keep, size_t n, int mw, int mh) {
    if (m->ridge != NULL && m->mask != NULL) {
        for (size_t i = 0; i < n; i++) {
            float v = m->mask[i] ? 127.5f * (m->ridge[i] + 1.0f) : 0.0f;
            ink[i] = (uint8_t)clampf(v + 0.5f, 0.0f, 255.0f);
        }
    } else {
        const uint8_t *px = mid_image_cpixels(m->image);
        for (size_t i = 0; i < n; i++) {
            ink[i] = (uint8_t)(255 - px[i]);
        }
    }
    if (!p->creases || p->n_creases == 0) {
        return;
    }
    memset(keep, 255, n);
    stamp_creases(p, keep, mw, mh);
    for (size_t i = 0; i < n; i++) {
        if (keep[i] != 255) {
            ink[i] = (uint8_t)((ink[i] * keep[i] + 127) / 255);
        }
    }
}

/* Distance from (x, y) to a crease curve (polyline of 32 segments). */
static double crease_distance(const synth_crease *c, double x, double y) {
    double best = INFINITY, px0, py0;
    bezier(c, 0, &px0, &py0);
    for (int s = 1; s <= 32; s++) {
        double px1, py1;
        bezier(c, s / 32.0, &px1, &py1);
        double vx = px1 - px0, vy = py1 - py0, l2 = vx * vx + vy * vy;
        double t = l2 > 0 ? ((x - px0) * vx + (y - py0) * vy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double d = hypot(x - (px0 + t * vx), y - (py0 + t * vy));
        if (d < best) {
            best = d;
        }
        px0 = px1;
        py0 = py1;
    }
    return best;
}

/* ---- truth --------------------------------------------------------------- */

/* Ink threshold at the ridge edge for a given contact strength: it rises towards
 * the border of the contact area, where ridges thin out and vanish. */
static float edge_threshold(const synth_imp_params *p, float alpha) {
    return p->threshold + (1.0f - alpha) * 0.45f;
}

mid_status synth_imp_truth(mid_ctx *ctx, const synth_imp_params *p, const mid_template *master,
                           mid_template **out) {
    *out = NULL;
    mid_template *t = NULL;
    mid_status st = mid_template_create(ctx, (uint16_t)p->width, (uint16_t)p->height, 500, &t);
    if (st != MID_OK) {
        return st;
    }
    st = mid_template_set_finger(ctx, t, (uint8_t)(p->finger <= 10 ? p->finger : 0), 0);
    if (st != MID_OK) {
        mid_template_free(t);
        return st;
    }
    size_t n = master != NULL ? mid_template_count(master) : 0;
    const mid_minutia *ms = n ? mid_template_minutiae(master) : NULL;
    for (size_t i = 0; i < n; i++) {
        const mid_minutia *m = &ms[i];
        double alpha = synth_imp_contact(p, m->x, m->y);
        /* Visible: firm enough contact for the ridge to print (see the tone curve). */
        if (alpha < 0.5 || edge_threshold(p, (float)alpha) > 0.8f) {
            continue;
        }
        bool cut = false;
        for (unsigned k = 0; p->creases && k < p->n_creases && !cut; k++) {
            const synth_crease *c = &p->crease[k];
            cut = c->strength >= 0.5f && crease_distance(c, m->x, m->y) <= c->width / 2.0 + 2.0;
        }
        if (cut) {
            continue;
        }
        double qx, qy, ex, ey;
        double a = m->angle * (2 * PI / 256);
        synth_imp_forward(p, m->x, m->y, &qx, &qy);
        /* Angles are counter-clockwise as seen, y down: direction (cos a, -sin a). */
        synth_imp_forward(p, m->x + 4 * cos(a), m->y - 4 * sin(a), &ex, &ey);
        long ix = lround(qx), iy = lround(qy);
        if (ix < 0 || iy < 0 || ix >= (long)p->width || iy >= (long)p->height) {
            continue;
        }
        double na = atan2(-(ey - qy), ex - qx);
        long u = lround(na * (256 / (2 * PI)));
        mid_minutia o = *m;
        o.x = (uint16_t)ix;
        o.y = (uint16_t)iy;
        o.angle = (uint8_t)(((u % 256) + 256) % 256);
        st = mid_template_add(ctx, t, &o);
        if (st != MID_OK) {
            mid_template_free(t);
            return st;
        }
    }
    *out = t;
    return MID_OK;
}

/* ---- random fields ------------------------------------------------------- */

/* Fills buf (w x h) with value noise in [-1, 1]: uniform values on a grid of the
 * given cell size, interpolated with smoothstep weights. grid and line are
 * scratch of at least (w / cell + 2) * (h / cell + 2) and (w / cell + 2) floats;
 * wx of w floats. */
static void value_noise(float *buf, int w, int h, int cell, synth_rng *r, float *grid, float *line,
                        float *wx) {
    int gw = w / cell + 2, gh = h / cell + 2;
    for (int i = 0; i < gw * gh; i++) {
        grid[i] = (float)(synth_rng_uniform(r) * 2 - 1);
    }
    for (int x = 0; x < w; x++) {
        float f = (float)(x % cell) / (float)cell;
        wx[x] = f * f * (3 - 2 * f);
    }
    for (int y = 0; y < h; y++) {
        int gy = y / cell;
        float f = (float)(y % cell) / (float)cell;
        f = f * f * (3 - 2 * f);
        const float *g0 = grid + (size_t)gy * gw, *g1 = g0 + gw;
        for (int i = 0; i < gw; i++) {
            line[i] = g0[i] + (g1[i] - g0[i]) * f;
        }
        float *row = buf + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int gx = x / cell;
            row[x] = line[gx] + (line[gx + 1] - line[gx]) * wx[x];
        }
    }
}

/* One [1 2 1] / 4 smoothing pass, separable, edges replicated; tmp is w*h. */
static void smooth121(float *a, float *tmp, int w, int h) {
    for (int y = 0; y < h; y++) {
        const float *s = a + (size_t)y * w;
        float *d = tmp + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            float l = s[x > 0 ? x - 1 : x], r = s[x + 1 < w ? x + 1 : x];
            d[x] = 0.25f * (l + r) + 0.5f * s[x];
        }
    }
    for (int y = 0; y < h; y++) {
        const float *u = tmp + (size_t)(y > 0 ? y - 1 : y) * w;
        const float *c = tmp + (size_t)y * w;
        const float *dn = tmp + (size_t)(y + 1 < h ? y + 1 : y) * w;
        float *d = a + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            d[x] = 0.25f * (u[x] + dn[x]) + 0.5f * c[x];
        }
    }
}

/* Standard normal approximated by the sum of four 16-bit uniforms (Irwin-Hall),
 * from one 64-bit draw: fast and plenty for sensor noise. */
static float fast_normal(synth_rng *r) {
    uint64_t v = synth_rng_next(r);
    uint32_t s = (uint32_t)(v & 0xffff) + (uint32_t)((v >> 16) & 0xffff) +
                 (uint32_t)((v >> 32) & 0xffff) + (uint32_t)(v >> 48);
    return ((float)s * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
}

/* ---- rendering ----------------------------------------------------------- */

typedef struct render_buf {
    uint8_t *ink, *keep;   /* master ink with creases, crease scratch: mw*mh */
    float *gx, *gy, *ga;   /* coarse grid: master coordinates, contact */
    float *a, *alpha, *t0; /* w*h: ink, contact, scratch */
    float *f1, *f2;        /* w*h: random fields */
    float *grid, *line, *wx, *stripe;
} render_buf;

static void free_buf(render_buf *b) {
    free(b->ink);
    free(b->keep);
    free(b->gx);
    free(b->gy);
    free(b->ga);
    free(b->a);
    free(b->alpha);
    free(b->t0);
    free(b->f1);
    free(b->f2);
    free(b->grid);
    free(b->line);
    free(b->wx);
    free(b->stripe);
}

/* Stage 3: window pixels sample the master through the coarse grid. */
static void sample_master(const render_buf *b, int w, int h, int gw, int mw, int mh, float *line) {
    float *lx = line, *ly = line + gw, *la = line + 2 * gw;
    for (int y = 0; y < h; y++) {
        int gy = y / GRID;
        float fy = (float)(y % GRID) / GRID;
        const size_t r0 = (size_t)gy * gw, r1 = r0 + gw;
        for (int i = 0; i < gw; i++) {
            lx[i] = b->gx[r0 + i] + (b->gx[r1 + i] - b->gx[r0 + i]) * fy;
            ly[i] = b->gy[r0 + i] + (b->gy[r1 + i] - b->gy[r0 + i]) * fy;
            la[i] = b->ga[r0 + i] + (b->ga[r1 + i] - b->ga[r0 + i]) * fy;
        }
        float *arow = b->a + (size_t)y * w, *crow = b->alpha + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int gx = x / GRID;
            float fx = (float)(x % GRID) / GRID;
            float mx = lx[gx] + (lx[gx + 1] - lx[gx]) * fx;
            float my = ly[gx] + (ly[gx + 1] - ly[gx]) * fx;
            crow[x] = la[gx] + (la[gx + 1] - la[gx]) * fx;
            float v = 0.0f;
            if (mx >= 0.0f && my >= 0.0f && mx < (float)(mw - 1) && my < (float)(mh - 1)) {
                int ix = (int)mx, iy = (int)my;
                float ax = mx - (float)ix, ay = my - (float)iy;
                const uint8_t *s = b->ink + (size_t)iy * mw + ix;
                float top = s[0] + (s[1] - s[0]) * ax;
                float bot = s[mw] + (s[mw + 1] - s[mw]) * ax;
                v = (top + (bot - top) * ay) * (1.0f / 255.0f);
            }
            arow[x] = v;
        }
    }
}

mid_status synth_imp_render(mid_ctx *ctx, const synth_master_view *m, const synth_imp_params *p,
                            mid_image **image, mid_template **truth) {
    if (image != NULL) {
        *image = NULL;
    }
    if (truth != NULL) {
        *truth = NULL;
    }
    if (m == NULL || m->image == NULL || p == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "impression: no master");
    }
    if (p->width < MID_MIN_EXTRACT_SIDE || p->height < MID_MIN_EXTRACT_SIDE ||
        p->width > MID_SYNTH_MAX_WINDOW_SIDE || p->height > MID_SYNTH_MAX_WINDOW_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "impression: window %ux%u outside %u..%u", p->width,
                         p->height, MID_MIN_EXTRACT_SIDE, MID_SYNTH_MAX_WINDOW_SIDE);
    }
    const synth_profile_desc *prof = synth_profile_get(p->profile);
    if (prof == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "impression: unknown profile %d", (int)p->profile);
    }
    mid_template *tr = NULL;
    if (truth != NULL) {
        mid_status st = synth_imp_truth(ctx, p, m->truth, &tr);
        if (st != MID_OK) {
            return st;
        }
    }
    if (image == NULL) {
        *truth = tr;
        return MID_OK;
    }

    const int w = (int)p->width, h = (int)p->height;
    const int mw = (int)mid_image_width(m->image), mh = (int)mid_image_height(m->image);
    const int gw = w / GRID + 2, gh = h / GRID + 2;
    const int cell_min = 4; /* smallest value-noise cell used below */
    const size_t npx = (size_t)w * (size_t)h, ngrid = (size_t)gw * (size_t)gh;
    const size_t nnoise = (size_t)(w / cell_min + 2) * (size_t)(h / cell_min + 2);
    size_t nmaster;
    render_buf b = {0};
    mid_image *out = NULL;
    if (!core_mul_size((size_t)mw, (size_t)mh, &nmaster)) {
        mid_template_free(tr);
        return core_fail(ctx, MID_ERR_LIMIT, "impression: master too large");
    }
    b.ink = core_mallocn(nmaster, 1);
    b.keep = core_mallocn(nmaster, 1);
    b.gx = core_mallocn(ngrid, sizeof(float));
    b.gy = core_mallocn(ngrid, sizeof(float));
    b.ga = core_mallocn(ngrid, sizeof(float));
    b.a = core_mallocn(npx, sizeof(float));
    b.alpha = core_mallocn(npx, sizeof(float));
    b.t0 = core_mallocn(npx, sizeof(float));
    b.f1 = core_mallocn(npx, sizeof(float));
    b.f2 = core_mallocn(npx, sizeof(float));
    b.grid = core_mallocn(nnoise > ngrid ? nnoise : ngrid, sizeof(float));
    b.line = core_mallocn((size_t)(w / cell_min + 2) + 3 * (size_t)gw, sizeof(float));
    b.wx = core_mallocn((size_t)w, sizeof(float));
    b.stripe = core_mallocn((size_t)w, sizeof(float));
    if (!b.ink || !b.keep || !b.gx || !b.gy || !b.ga || !b.a || !b.alpha || !b.t0 || !b.f1 ||
        !b.f2 || !b.grid || !b.line || !b.wx || !b.stripe) {
        free_buf(&b);
        mid_template_free(tr);
        return core_fail(ctx, MID_ERR_NOMEM, "impression: out of memory (%dx%d)", w, h);
    }
    mid_status st = mid_image_create(ctx, (uint32_t)w, (uint32_t)h, 500.0, &out);
    if (st != MID_OK) {
        free_buf(&b);
        mid_template_free(tr);
        return st;
    }

    /* 1. Ink and creases. */
    build_ink(m, p, b.ink, b.keep, nmaster, mw, mh);

    /* 2. Inverse transform and contact on the coarse grid. */
    for (int gy = 0; gy < gh; gy++) {
        for (int gx = 0; gx < gw; gx++) {
            double mx, my;
            synth_imp_inverse(p, gx * GRID, gy * GRID, &mx, &my);
            size_t i = (size_t)gy * gw + gx;
            /* Far outside the master nothing is sampled: keep floats finite. */
            b.gx[i] = (float)(mx < -1e4 ? -1e4 : mx > 1e4 ? 1e4 : mx);
            b.gy[i] = (float)(my < -1e4 ? -1e4 : my > 1e4 ? 1e4 : my);
            b.ga[i] = (float)synth_imp_contact(p, mx, my);
        }
    }

    /* 3-4. Sampling and smoothing. */
    sample_master(&b, w, h, gw, mw, mh, b.line);
    smooth121(b.a, b.t0, w, h);
    if (p->blur > 0) {
        memcpy(b.f1, b.a, npx * sizeof(float));
        smooth121(b.f1, b.t0, w, h);
        for (size_t i = 0; i < npx; i++) {
            b.a[i] += (b.f1[i] - b.a[i]) * p->blur;
        }
    }

    /* 5. Skin: the ink threshold per pixel, into t0. */
    synth_rng r;
    synth_rng_init(&r, p->seed, p->person, p->finger, p->impression, SYNTH_STREAM_IMP_SKIN);
    value_noise(b.f1, w, h, 48, &r, b.grid, b.line, b.wx); /* pressure */
    for (size_t i = 0; i < npx; i++) {
        b.t0[i] = edge_threshold(p, b.alpha[i]) + p->pressure_amp * b.f1[i];
    }
    if (p->wet_blots > 0) {
        value_noise(b.f1, w, h, 10, &r, b.grid, b.line, b.wx);
        float lim = 1.0f - p->wet_blots; /* blots where the field exceeds lim */
        for (size_t i = 0; i < npx; i++) {
            b.t0[i] -= 0.35f * clampf((b.f1[i] - lim) * 3.0f, 0.0f, 1.0f);
        }
    }
    /* Skin texture: ridge width wanders at the scale of a ridge period. */
    value_noise(b.f1, w, h, 6, &r, b.grid, b.line, b.wx);
    const float tex = 0.08f + 0.1f * p->breaks;
    for (size_t i = 0; i < npx; i++) {
        b.t0[i] += tex * b.f1[i];
    }
    /* Breaks (dry skin, a few on any skin, more towards the contact border):
     * ridge ink removed in small cells. */
    value_noise(b.f2, w, h, cell_min, &r, b.grid, b.line, b.wx);

    /* 6. Scanner. */
    synth_rng_init(&r, p->seed, p->person, p->finger, p->impression, SYNTH_STREAM_IMP_NOISE);
    if (p->noise) {
        value_noise(b.f1, w, h, 40, &r, b.grid, b.line, b.wx);
        float s = 0;
        for (int x = 0; x < w; x++) {
            /* Column stripes: a random walk pulled back to 0, so neighbours correlate. */
            s = 0.7f * s + (float)synth_rng_normal(&r) * 0.7f;
            b.stripe[x] = s * prof->stripes;
        }
    } else {
        memset(b.f1, 0, npx * sizeof(float));
        memset(b.stripe, 0, (size_t)w * sizeof(float));
    }
    const float bright = p->noise ? p->brightness : 0.0f;
    const float bkill = -1.0f + 1.1f * p->breaks;
    const float mottle = p->noise ? 0.2f : 0.0f;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + (size_t)x;
            float al = b.alpha[i];
            float v = clampf((b.a[i] - b.t0[i]) * 5.0f + 0.5f, 0.0f, 1.0f);
            v = v * v * (3 - 2 * v);
            /* Breaks and pores where the fine field is low; where it is merely
             * lowish, the ridge takes less ink (mottled ridges). */
            float f = b.f2[i];
            v *= clampf((f - bkill - (1.0f - al) * 0.9f) * 3.0f, 0.0f, 1.0f);
            v *= 1.0f - mottle * (0.5f - 0.5f * f);
            float bg = prof->background + prof->background_var * b.f1[i] + b.stripe[x] + bright;
            float valley = bg + (prof->valley + bright - bg) * al;
            float ridge = valley + (prof->ridge - prof->valley) * p->contrast;
            b.a[i] = valley + (ridge - valley) * v * clampf(al * 1.6f, 0.0f, 1.0f);
        }
    }
    /* Optics: a last light smoothing, then sensor noise. */
    if (p->noise) {
        smooth121(b.a, b.t0, w, h);
    }
    uint8_t *opx = mid_image_pixels(out);
    for (size_t i = 0; i < npx; i++) {
        float g = b.a[i];
        if (p->noise) {
            g += p->noise_sd * fast_normal(&r);
        }
        opx[i] = (uint8_t)clampf(g + 0.5f, 0.0f, 255.0f);
    }
    free_buf(&b);
    *image = out;
    if (truth != NULL) {
        *truth = tr;
    }
    return MID_OK;
}

/* ---- public API ---------------------------------------------------------- */

void synth_master_view_of(const mid_synth_master *m, synth_master_view *v) {
    v->image = m->image;
    v->truth = m->minutiae;
    v->ridge = m->ridge;
    v->mask = m->mask;
}

mid_status mid_synth_impression(mid_synth *s, const mid_synth_master *m, uint32_t impression,
                                const mid_synth_impression_opts *opts, mid_image **image,
                                mid_template **truth) {
    if (image != NULL) {
        *image = NULL;
    }
    if (truth != NULL) {
        *truth = NULL;
    }
    if (s == NULL) {
        return MID_ERR_ARG;
    }
    if (m == NULL) {
        return core_fail(s->ctx, MID_ERR_ARG, "mid_synth_impression: master is NULL");
    }
    if (image == NULL && truth == NULL) {
        return MID_OK;
    }
    synth_master_view v;
    synth_master_view_of(m, &v);
    synth_imp_params p;
    mid_status st = synth_imp_draw(s->ctx, &v, m->seed, m->person, m->finger, impression, opts, &p);
    if (st != MID_OK) {
        return st;
    }
    return synth_imp_render(s->ctx, &v, &p, image, truth);
}

mid_synth_condition mid_synth_impression_condition(const mid_synth_master *m, uint32_t impression,
                                                   mid_synth_condition requested) {
    if (m == NULL || (unsigned)requested >= MID_CONDITION_COUNT) {
        return requested;
    }
    return synth_imp_condition(m->seed, m->person, m->finger, impression, requested);
}
