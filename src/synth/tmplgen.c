/*
 * Templates at scale: the template of impression k of (seed, person, finger)
 * generated directly from a minutiae-level model, without rendering an image.
 *
 * 1. Master minutiae, a pure function of (seed, person, finger): a hard-core
 *    point process over the fingertip outline of the finger model
 *    (synth/orient.h). Points closer than TG_SPACING ridge periods to another are
 *    rejected (two minutiae cannot share a ridge gap), the intensity is lowered
 *    within about two ridge periods of cores and deltas (where ridges curve and no
 *    ridge ends), and a fraction of minutiae come with a partner one to three
 *    periods away along the ridge (short ridges, islands and ending-bifurcation
 *    pairs: the close pairs real prints show). Directions follow the model's ridge
 *    orientation; which of the two senses is a per-minutia coin drawn once, so
 *    every impression agrees on it. Ridge endings and bifurcations come in the
 *    proportion our extractor finds on real prints.
 * 2. The impression transform, drawn from (seed, person, finger, impression): a
 *    contact footprint (an ellipse on the fingertip, pressure-dependent size), the
 *    plastic distortion of Cappelli, Maio & Maltoni (ICAPR 2001; the same model as
 *    synth/impression.h: skin inside a close-contact ellipse stays put, outside it
 *    follows a small rigid motion attenuated by a Gaussian brake), a rigid
 *    placement (rotation and translation) into the OPTICAL capture window, then
 *    what an extractor does to the visible minutiae: position jitter, direction
 *    noise, misses (more near the border of the print and on poor impressions),
 *    spurious minutiae, occasional ending/bifurcation flips, quality values.
 * 3. The result: a template of the window at 500 ppi.
 *
 * The rates were tuned against our extractor on the real FVC2002 DB1 set and on
 * rendered impressions (docs/synth-templates.md gives the figures and commands).
 * Cost: about a hundred evaluations of the analytic orientation model; no image,
 * no allocation besides the template itself.
 */
#include "core/core.h"
#include "synth/orient.h"
#include "synth/rng.h"
#include "synth/synth_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#define TG_PI 3.14159265358979323846

/* Random streams of this generator (distinct from the master's and the renderer's). */
#define TG_STREAM_MASTER 0x544d504c4d53ull     /* master minutiae */
#define TG_STREAM_IMPRESSION 0x544d504c494dull /* impression transform and extractor effects */
#define TG_STREAM_CREASE 0x544d504c4352ull     /* creases of the master */

/* Capture window: the OPTICAL profile, shaped like FVC2002 DB1 (Identix, 500 ppi). */
#define TG_WIN_W 388
#define TG_WIN_H 374

/* Master model. */
#define TG_MAX_MASTER 200      /* master minutiae at most */
#define TG_DENSITY 0.00100     /* master minutiae per square pixel of fingertip */
#define TG_SPACING 0.85        /* hard-core distance, in ridge periods */
#define TG_SINGULAR_RADIUS 2.0 /* intensity dip radius around singular points, periods */
#define TG_PAIR_FRACTION 0.50  /* minutiae that come with a close partner */
#define TG_BIFURCATION 0.44    /* fraction of bifurcations */
#define TG_CREASED 0.5         /* fingers with creases (1 or 2) */
#define TG_CREASE_CUT 0.75     /* ridges a crease cuts into two facing endings */

/* Extractor effects. */
#define TG_JITTER_PX 1.5       /* position noise, standard deviation per axis */
#define TG_DIR_NOISE_DEG 3.0   /* direction noise, standard deviation */
#define TG_MISS_BASE 0.10      /* misses on a good impression */
#define TG_MISS_POOR 0.30      /* extra misses on the poorest impression */
#define TG_BORDER_PX 10.0      /* no minutia this close to the print's border */
#define TG_BORDER_SOFT_PX 16.0 /* and fewer over this much further */
#define TG_SPURIOUS 0.12       /* spurious minutiae, relative to the true ones kept */
#define TG_HARD 0.12           /* careless captures: off centre, rotated, poor */
#define TG_TYPE_FLIP 0.07      /* ending <-> bifurcation confusions */

typedef struct tg_minutia {
    double x, y;  /* master coordinates */
    double dir;   /* direction, radians, image coordinates (y down) */
    uint8_t type; /* mid_minutia_type */
} tg_minutia;

/* The drawn transform of one impression. */
typedef struct tg_impression {
    double cx, cy;             /* contact centre, master coordinates */
    double fp_a, fp_b, fp_phi; /* contact footprint ellipse around (cx, cy) */
    double ell_a, ell_b;       /* close-contact ellipse of the distortion */
    double d_cos, d_sin;       /* rotation of the external skin */
    double d_tx, d_ty;         /* translation of the external skin */
    double brake_k;            /* brake width */
    double p_cos, p_sin;       /* placement rotation (image coordinates) */
    double ox, oy;             /* where the contact centre lands in the window */
    double quality;            /* 0..1: how good this impression is */
} tg_impression;

static double clampd(double v, double lo, double hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Ridge direction of the model at a point, with the dip near singular points. */
static double singular_distance(const synth_finger_model *m, double x, double y) {
    double best = 1e9;
    for (int k = 0; k < m->ncore; k++) {
        best = fmin(best, hypot(x - m->core[k].x, y - m->core[k].y));
    }
    for (int k = 0; k < m->ndelta; k++) {
        best = fmin(best, hypot(x - m->delta[k].x, y - m->delta[k].y));
    }
    return best;
}

static bool far_enough(const tg_minutia *pts, size_t n, double x, double y, double min_d) {
    double d2 = min_d * min_d;
    for (size_t i = 0; i < n; i++) {
        double dx = pts[i].x - x, dy = pts[i].y - y;
        if (dx * dx + dy * dy < d2) {
            return false;
        }
    }
    return true;
}

/* Creases (white lines) cut the ridges they cross: each cut ridge shows two
 * facing ridge endings a few pixels apart, one on each side of the crease, so a
 * crease reads as a line of ending pairs spaced a ridge period apart. They are
 * common on real prints (more with age) and, being alike from one finger to the
 * next, they fatten the impostor tail the way real creases do. Drawn from a
 * stream of their own, so the point process above is unchanged. */
static size_t add_creases(const synth_finger_model *m, uint64_t seed, uint64_t person,
                          unsigned finger, tg_minutia *pts, size_t n) {
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, 0, TG_STREAM_CREASE);
    if (synth_rng_uniform(&r) >= TG_CREASED) {
        return n;
    }
    int count = 1 + (synth_rng_uniform(&r) < 0.4);
    for (int c = 0; c < count; c++) {
        double cx = 0, cy = 0;
        for (int tries = 0; tries < 20; tries++) {
            cx = synth_rng_range(&r, m->cx - m->half_w, m->cx + m->half_w);
            cy = synth_rng_range(&r, m->cy - m->top, m->cy + m->bottom);
            if (synth_model_shape(m, cx, cy) < 0.8) {
                break;
            }
        }
        double th = clampd(0.4 * synth_rng_normal(&r), -1.0, 1.0);
        double len = synth_rng_range(&r, 60, 180), gap = synth_rng_range(&r, 5, 10);
        double ux = cos(th), uy = sin(th), phase = synth_rng_uniform(&r);
        for (double t = -len / 2; t <= len / 2 && n + 2 <= TG_MAX_MASTER; t += 2.0) {
            /* 2 px steps: the phase grows by at most 2 / 7 per step, so no ridge is skipped. */
            double x = cx + t * ux, y = cy + t * uy;
            if (!synth_model_inside(m, x, y)) {
                continue;
            }
            double o = synth_model_orientation(m, x, y);
            double before = phase;
            phase += 2.0 * fabs(sin(o - th)) / synth_model_period(m, x, y);
            if (floor(phase) == floor(before) || synth_rng_uniform(&r) >= TG_CREASE_CUT) {
                continue;
            }
            /* The two ends point at each other across the crease. */
            double ax = cos(o), ay = sin(o), side = ax * -uy + ay * ux > 0 ? 1.0 : -1.0;
            double h = 0.5 * gap / fmax(fabs(sin(o - th)), 0.3);
            pts[n++] = (tg_minutia){x - side * h * ax, y - side * h * ay, side > 0 ? o : o + TG_PI,
                                    MID_MINUTIA_ENDING};
            pts[n++] = (tg_minutia){x + side * h * ax, y + side * h * ay, side > 0 ? o + TG_PI : o,
                                    MID_MINUTIA_ENDING};
        }
    }
    return n;
}

/* Draws the master minutiae of (seed, person, finger) into pts; returns their number. */
static size_t master_minutiae(const synth_finger_model *m, uint64_t seed, uint64_t person,
                              unsigned finger, tg_minutia *pts) {
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, 0, TG_STREAM_MASTER);
    double area = TG_PI * m->half_w * 0.5 * (m->top + m->bottom);
    double want = area * TG_DENSITY * exp(0.15 * synth_rng_normal(&r));
    size_t target = (size_t)clampd(want, 10, TG_MAX_MASTER);
    double x0 = m->cx - m->half_w, x1 = m->cx + m->half_w;
    double y0 = m->cy - m->top, y1 = m->cy + m->bottom;
    size_t n = 0;
    for (size_t tries = 0; n < target && tries < 30 * target; tries++) {
        double x = synth_rng_range(&r, x0, x1), y = synth_rng_range(&r, y0, y1);
        double u = synth_rng_uniform(&r);
        if (!synth_model_inside(m, x, y)) {
            continue;
        }
        double period = synth_model_period(m, x, y);
        double ds = singular_distance(m, x, y) / (TG_SINGULAR_RADIUS * period);
        if (u > 1.0 - exp(-ds * ds)) {
            continue; /* fewer minutiae where ridges curve round a singular point */
        }
        if (!far_enough(pts, n, x, y, TG_SPACING * period)) {
            continue;
        }
        double orient = synth_model_orientation(m, x, y);
        tg_minutia a = {x, y, orient + (synth_rng_uniform(&r) < 0.5 ? 0 : TG_PI),
                        synth_rng_uniform(&r) < TG_BIFURCATION ? MID_MINUTIA_BIFURCATION
                                                               : MID_MINUTIA_ENDING};
        pts[n++] = a;
        if (n < target && synth_rng_uniform(&r) < TG_PAIR_FRACTION) {
            /* A partner along the ridge: facing endings of a short ridge or a gap, or an
             * ending near a bifurcation; its sense is opposite (they face each other). */
            double step = period * synth_rng_range(&r, 1.2, 3.0);
            double side = period * synth_rng_normal(&r) * 0.3;
            double c = cos(a.dir), s = sin(a.dir);
            double px = x + c * step - s * side, py = y + s * step + c * side;
            if (synth_model_inside(m, px, py) && far_enough(pts, n, px, py, TG_SPACING * period)) {
                tg_minutia b = {px, py, synth_model_orientation(m, px, py), a.type};
                /* Facing: b's sense points back towards a. */
                if (cos(b.dir) * c + sin(b.dir) * s > 0) {
                    b.dir += TG_PI;
                }
                if (synth_rng_uniform(&r) < 0.35) {
                    b.type =
                        a.type == MID_MINUTIA_ENDING ? MID_MINUTIA_BIFURCATION : MID_MINUTIA_ENDING;
                }
                pts[n++] = b;
            }
        }
    }
    return add_creases(m, seed, person, finger, pts, n);
}

static void draw_impression(const synth_finger_model *m, uint64_t seed, uint64_t person,
                            unsigned finger, uint32_t impression, synth_rng *r, tg_impression *p) {
    synth_rng_init(r, seed, person, finger, impression, TG_STREAM_IMPRESSION);
    double H = m->top + m->bottom;
    /* The part of the finger put on the platen: near the centre, a little towards the
     * tip, varying from one capture to the next. */
    p->cx = m->cx + clampd(18 * synth_rng_normal(r), -45, 45);
    p->cy = m->cy + 0.05 * H + clampd(26 * synth_rng_normal(r), -60, 60);
    double pressure = synth_rng_range(r, 0.80, 1.0);
    p->fp_a = m->half_w * pressure * synth_rng_range(r, 0.92, 1.04);
    p->fp_b = 0.5 * H * pressure * synth_rng_range(r, 0.85, 1.0);
    p->fp_phi = 0.12 * synth_rng_normal(r);
    /* Plastic distortion. */
    p->ell_a = synth_rng_range(r, 50, 90);
    p->ell_b = synth_rng_range(r, 60, 110);
    double dth = clampd(2.5 * synth_rng_normal(r), -6, 6) * TG_PI / 180;
    p->d_cos = cos(dth);
    p->d_sin = sin(dth);
    p->d_tx = clampd(6 * synth_rng_normal(r), -15, 15);
    p->d_ty = clampd(6 * synth_rng_normal(r), -15, 15);
    p->brake_k = synth_rng_range(r, 50, 90);
    /* Placement. */
    double th = clampd(9 * synth_rng_normal(r), -25, 25) * TG_PI / 180;
    p->p_cos = cos(th);
    p->p_sin = sin(th);
    p->ox = TG_WIN_W / 2.0 + clampd(18 * synth_rng_normal(r), -50, 50);
    p->oy = TG_WIN_H / 2.0 + clampd(18 * synth_rng_normal(r), -50, 50);
    p->quality = clampd(0.65 + 0.22 * synth_rng_normal(r), 0.05, 1.0);
    if (synth_rng_uniform(r) < TG_HARD) {
        /* A careless capture: the finger far off centre, rolled, or smudged. */
        p->cx += clampd(45 * synth_rng_normal(r), -90, 90);
        p->cy += clampd(55 * synth_rng_normal(r), -110, 110);
        p->quality *= synth_rng_range(r, 0.4, 0.9);
        double extra = clampd(8 * synth_rng_normal(r), -20, 20) * TG_PI / 180;
        double c = p->p_cos * cos(extra) - p->p_sin * sin(extra);
        p->p_sin = p->p_sin * cos(extra) + p->p_cos * sin(extra);
        p->p_cos = c;
    }
}

/* Master point -> window point: distortion D then placement P. */
static void forward(const tg_impression *p, double x, double y, double *qx, double *qy) {
    double dx = x - p->cx, dy = y - p->cy;
    double e = hypot(dx / p->ell_a, dy / p->ell_b);
    if (e > 1.0) {
        /* Distance outside the close-contact ellipse, approximated radially. */
        double d = (e - 1.0) * hypot(dx, dy) / e;
        double brake = 1.0 - exp(-d * d / (2 * p->brake_k * p->brake_k));
        double tx = p->d_cos * dx - p->d_sin * dy + p->d_tx - dx;
        double ty = p->d_sin * dx + p->d_cos * dy + p->d_ty - dy;
        dx += tx * brake;
        dy += ty * brake;
    }
    *qx = p->p_cos * dx - p->p_sin * dy + p->ox;
    *qy = p->p_sin * dx + p->p_cos * dy + p->oy;
}

/* How far (pixels, about) a master point lies inside the contact footprint; < 0 outside. */
static double footprint_depth(const tg_impression *p, double x, double y) {
    double dx = x - p->cx, dy = y - p->cy;
    double c = cos(p->fp_phi), s = sin(p->fp_phi);
    double u = (c * dx + s * dy) / p->fp_a, v = (-s * dx + c * dy) / p->fp_b;
    double e = hypot(u, v);
    return (1.0 - e) * fmin(p->fp_a, p->fp_b);
}

/* Distance of a window point to the window's edge. */
static double window_depth(double qx, double qy) {
    return fmin(fmin(qx, TG_WIN_W - 1 - qx), fmin(qy, TG_WIN_H - 1 - qy));
}

static uint8_t angle_units(double dir) {
    /* dir is clockwise as seen (y down); the template counts counter-clockwise. */
    double a = fmod(-dir * 128.0 / TG_PI, 256.0);
    if (a < 0) {
        a += 256.0;
    }
    return (uint8_t)((long)lrint(a) & 255);
}

/* Places one minutia seen at master point (x, y) with direction dir; returns false
 * when it falls outside the usable print. */
static bool place(const tg_impression *p, const synth_finger_model *m, double x, double y,
                  double dir, synth_rng *r, mid_minutia *out, double *depth) {
    double fd = footprint_depth(p, x, y);
    double od = (1.0 - synth_model_shape(m, x, y)) * fmin(m->half_w, m->top);
    double qx, qy, ax, ay;
    forward(p, x, y, &qx, &qy);
    /* Direction through the transform: map a short step along it. */
    forward(p, x + 4 * cos(dir), y + 4 * sin(dir), &ax, &ay);
    double qdir = atan2(ay - qy, ax - qx);
    qx += TG_JITTER_PX * synth_rng_normal(r);
    qy += TG_JITTER_PX * synth_rng_normal(r);
    qdir += TG_DIR_NOISE_DEG * TG_PI / 180 * synth_rng_normal(r);
    *depth = fmin(fmin(fd, od), window_depth(qx, qy));
    if (*depth < TG_BORDER_PX) {
        return false;
    }
    out->x = (uint16_t)lrint(clampd(qx, 0, TG_WIN_W - 1));
    out->y = (uint16_t)lrint(clampd(qy, 0, TG_WIN_H - 1));
    out->angle = angle_units(qdir);
    return true;
}

static uint8_t quality_value(double base, double depth, double extra, synth_rng *r) {
    double q = 100 * base + 8 - extra + 12 * synth_rng_normal(r);
    q -= 30 * exp(-(depth - TG_BORDER_PX) / TG_BORDER_SOFT_PX);
    return (uint8_t)lrint(clampd(q, 5, 100));
}

static int cmp_minutia(const void *a, const void *b) {
    const mid_minutia *p = a, *q = b;
    if (p->y != q->y) {
        return p->y < q->y ? -1 : 1;
    }
    if (p->x != q->x) {
        return p->x < q->x ? -1 : 1;
    }
    return (p->angle > q->angle) - (p->angle < q->angle);
}

mid_status mid_synth_template(mid_synth *s, uint64_t seed, uint64_t person, unsigned finger,
                              uint32_t impression, mid_template **out) {
    if (s == NULL || out == NULL) {
        return s == NULL ? MID_ERR_ARG
                         : core_fail(s->ctx, MID_ERR_ARG, "mid_synth_template: out is NULL");
    }
    *out = NULL;
    if (finger < 1 || finger > 10) {
        return core_fail(s->ctx, MID_ERR_ARG, "mid_synth_template: finger %u not in 1..10", finger);
    }
    synth_finger_model model;
    synth_model_init(&model, seed, person, finger);
    tg_minutia master[TG_MAX_MASTER];
    size_t nm = master_minutiae(&model, seed, person, finger, master);

    synth_rng r;
    tg_impression imp;
    draw_impression(&model, seed, person, finger, impression, &r, &imp);

    mid_minutia kept[MID_MAX_MINUTIAE];
    size_t nk = 0, n_true = 0;
    double miss = TG_MISS_BASE + TG_MISS_POOR * (1.0 - imp.quality);
    for (size_t i = 0; i < nm && nk < MID_MAX_MINUTIAE; i++) {
        /* Every draw happens whether or not the minutia survives, so that one
         * minutia's fate does not shift the random numbers of the next. */
        double u_miss = synth_rng_uniform(&r), u_flip = synth_rng_uniform(&r);
        double depth;
        mid_minutia mm;
        bool visible =
            place(&imp, &model, master[i].x, master[i].y, master[i].dir, &r, &mm, &depth);
        double border = exp(-(depth - TG_BORDER_PX) / TG_BORDER_SOFT_PX);
        uint8_t q = quality_value(imp.quality, depth, 0, &r);
        if (!visible || u_miss < miss + 0.5 * border) {
            continue;
        }
        mm.type = master[i].type;
        if (u_flip < TG_TYPE_FLIP) {
            mm.type = mm.type == MID_MINUTIA_ENDING ? MID_MINUTIA_BIFURCATION : MID_MINUTIA_ENDING;
        }
        mm.quality = q;
        kept[nk++] = mm;
        n_true++;
    }
    /* Spurious minutiae: anywhere on the footprint, along the ridge flow, sense and
     * type at random, lower quality. */
    double lambda = TG_SPURIOUS * (double)n_true * (1.5 - imp.quality);
    size_t n_spur = 0;
    for (double acc = -log(1.0 - synth_rng_uniform(&r)); acc < lambda && n_spur < 64;
         acc += -log(1.0 - synth_rng_uniform(&r))) {
        n_spur++;
    }
    for (size_t i = 0; i < n_spur && nk < MID_MAX_MINUTIAE; i++) {
        double t = synth_rng_uniform(&r) * 2 * TG_PI, rad = sqrt(synth_rng_uniform(&r));
        double c = cos(imp.fp_phi), sn = sin(imp.fp_phi);
        double u = imp.fp_a * rad * cos(t), v = imp.fp_b * rad * sin(t);
        double x = imp.cx + c * u - sn * v, y = imp.cy + sn * u + c * v;
        double dir =
            synth_model_orientation(&model, x, y) + (synth_rng_uniform(&r) < 0.5 ? 0 : TG_PI);
        uint8_t type = synth_rng_uniform(&r) < 0.5 ? MID_MINUTIA_ENDING : MID_MINUTIA_BIFURCATION;
        double depth;
        mid_minutia mm;
        bool visible = place(&imp, &model, x, y, dir, &r, &mm, &depth);
        uint8_t q = quality_value(imp.quality, depth, 15, &r);
        if (!visible) {
            continue;
        }
        mm.type = type;
        mm.quality = q;
        kept[nk++] = mm;
    }
    qsort(kept, nk, sizeof kept[0], cmp_minutia);
    /* Two minutiae can round to the same pixel (close crease ends, jitter); an
     * extractor reports one. Sorted by (y, x), such twins are adjacent. */
    size_t nu = 0;
    for (size_t i = 0; i < nk; i++) {
        if (nu == 0 || kept[i].x != kept[nu - 1].x || kept[i].y != kept[nu - 1].y) {
            kept[nu++] = kept[i];
        }
    }
    nk = nu;

    mid_template *t = NULL;
    mid_status st = mid_template_create(s->ctx, TG_WIN_W, TG_WIN_H, 500, &t);
    if (st == MID_OK) {
        st = mid_template_set_finger(s->ctx, t, (uint8_t)finger, 0);
    }
    for (size_t i = 0; st == MID_OK && i < nk; i++) {
        st = mid_template_add(s->ctx, t, &kept[i]);
    }
    core_wipe(kept, sizeof kept);
    core_wipe(master, sizeof master);
    if (st != MID_OK) {
        mid_template_free(t);
        return st;
    }
    mid_template_set_quality(t, (uint8_t)lrint(clampd(100 * imp.quality, 1, 100)));
    *out = t;
    return MID_OK;
}
