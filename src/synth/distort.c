/*
 * The drawn parameters and the geometry of an impression: condition, placement,
 * elastic distortion (Cappelli, Maio & Maltoni 2001), contact footprint, and the
 * finger's creases. See impression.h for the model.
 */
#include "core/core.h"
#include "synth/impression.h"
#include "synth/rng.h"

#include <math.h>

#define PI 3.14159265358979323846

static double clampd(double v, double lo, double hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

mid_synth_condition synth_imp_condition(uint64_t seed, uint64_t person, unsigned finger,
                                        uint32_t impression, mid_synth_condition requested) {
    if (requested != MID_CONDITION_RANDOM) {
        return requested;
    }
    /* Proportions for a mixed operational capture: most impressions are normal;
     * dry and wet skin are the common degradations (Maltoni et al., Handbook of
     * Fingerprint Recognition, ch. 2 shows both as the main causes of low quality),
     * then strong distortion and partial contact. */
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, impression, SYNTH_STREAM_IMP_CONDITION);
    double u = synth_rng_uniform(&r);
    if (u < 0.64) {
        return MID_CONDITION_NORMAL;
    }
    if (u < 0.76) {
        return MID_CONDITION_DRY;
    }
    if (u < 0.86) {
        return MID_CONDITION_WET;
    }
    if (u < 0.93) {
        return MID_CONDITION_DISTORTED;
    }
    return MID_CONDITION_SMALL_AREA;
}

/* Fingertip extent of a master: centroid, semi-axes and axis angle of the
 * ellipse with the same second moments as the 8 x 8 blocks inside the
 * fingertip (the mask when the master has one, else blocks with dark pixels). */
typedef struct tip_extent {
    double cx, cy, a, b, phi; /* a along phi, b across */
} tip_extent;

static void measure_tip(const synth_master_view *m, tip_extent *t) {
    const mid_image *img = m->image;
    const uint32_t w = mid_image_width(img), h = mid_image_height(img);
    const uint8_t *px = mid_image_cpixels(img);
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (uint32_t by = 0; by + 8 <= h; by += 8) {
        for (uint32_t bx = 0; bx + 8 <= w; bx += 8) {
            unsigned dark = 0;
            for (uint32_t y = by; y < by + 8; y += 2) {
                size_t i = (size_t)y * w + bx;
                for (uint32_t x = 0; x < 8; x += 2) {
                    dark += m->mask != NULL ? m->mask[i + x] != 0 : px[i + x] < 128;
                }
            }
            if (dark == 0) {
                continue;
            }
            double x = bx + 4.0, y = by + 4.0;
            n += 1;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
    }
    if (n < 4) {
        /* No ridges: a nominal fingertip in the middle. */
        t->cx = w / 2.0;
        t->cy = h / 2.0;
        t->a = h / 2.0 > 8 ? h / 2.0 : 8;
        t->b = w / 2.0 > 8 ? w / 2.0 : 8;
        t->phi = PI / 2;
        return;
    }
    t->cx = sx / n;
    t->cy = sy / n;
    double vxx = sxx / n - t->cx * t->cx, vyy = syy / n - t->cy * t->cy;
    double vxy = sxy / n - t->cx * t->cy;
    double tr = vxx + vyy, det = vxx * vyy - vxy * vxy;
    double disc = sqrt(fmax(tr * tr / 4 - det, 0));
    double l1 = tr / 2 + disc, l2 = fmax(tr / 2 - disc, 0);
    /* A uniform ellipse of semi-axis s has variance s^2 / 4 along that axis. */
    t->a = 2 * sqrt(l1);
    t->b = 2 * sqrt(l2);
    t->phi = 0.5 * atan2(2 * vxy, vxx - vyy);
    if (t->b < 8) {
        t->b = 8;
    }
}

/* Creases and scars of a finger: the same on every impression, drawn from the
 * finger's identity with impression 0. Most are short, thin, roughly horizontal
 * (flexion wrinkles); a few fingers carry a longer, wider scar at any angle. */
static void draw_creases(synth_imp_params *p, const tip_extent *t) {
    synth_rng r;
    synth_rng_init(&r, p->seed, p->person, p->finger, 0, SYNTH_STREAM_FINGER_CREASES);
    unsigned n = 0;
    double u = synth_rng_uniform(&r);
    unsigned wrinkles = u < 0.35 ? 0 : u < 0.65 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 3 : 4;
    bool scar = synth_rng_uniform(&r) < 0.06;
    for (unsigned i = 0; i < wrinkles + (scar ? 1u : 0u) && n < SYNTH_MAX_CREASES; i++) {
        bool is_scar = scar && i == wrinkles;
        double len = is_scar ? synth_rng_range(&r, 0.6, 1.2) * t->b * 2
                             : synth_rng_range(&r, 0.25, 0.7) * t->b * 2;
        double ang = is_scar ? synth_rng_range(&r, 0, PI) : synth_rng_normal(&r) * 0.3;
        /* Centre anywhere in the fingertip, wrinkles more often in its lower half. */
        double rx = synth_rng_range(&r, -0.7, 0.7) * t->b;
        double ry =
            (is_scar ? synth_rng_range(&r, -0.6, 0.6) : synth_rng_range(&r, -0.3, 0.8)) * t->a;
        double cx = t->cx + rx, cy = t->cy + ry;
        double dx = cos(ang) * len / 2, dy = sin(ang) * len / 2;
        double bend = synth_rng_normal(&r) * 0.15 * len;
        synth_crease *c = &p->crease[n++];
        c->x0 = (float)(cx - dx);
        c->y0 = (float)(cy - dy);
        c->x2 = (float)(cx + dx);
        c->y2 = (float)(cy + dy);
        c->x1 = (float)(cx - sin(ang) * bend);
        c->y1 = (float)(cy + cos(ang) * bend);
        c->width = (float)(is_scar ? synth_rng_range(&r, 3.0, 5.0) : synth_rng_range(&r, 1.2, 2.8));
        c->strength = (float)(is_scar ? 1.0 : synth_rng_range(&r, 0.6, 1.0));
    }
    p->n_creases = n;
}

mid_status synth_imp_draw(mid_ctx *ctx, const synth_master_view *m, uint64_t seed, uint64_t person,
                          unsigned finger, uint32_t impression,
                          const mid_synth_impression_opts *opts, synth_imp_params *out) {
    static const mid_synth_impression_opts defaults = {0};
    if (opts == NULL) {
        opts = &defaults;
    }
    if (m == NULL || m->image == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "impression: no master");
    }
    if (impression == 0) {
        return core_fail(ctx, MID_ERR_ARG, "impression: impressions are numbered from 1");
    }
    const synth_profile_desc *prof = synth_profile_get(opts->profile);
    if (prof == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "impression: unknown profile %d", (int)opts->profile);
    }
    if ((unsigned)opts->condition >= MID_CONDITION_COUNT) {
        return core_fail(ctx, MID_ERR_ARG, "impression: unknown condition %d",
                         (int)opts->condition);
    }
    uint32_t w = opts->width ? opts->width : prof->width;
    uint32_t h = opts->height ? opts->height : prof->height;
    if (w < MID_MIN_EXTRACT_SIDE || h < MID_MIN_EXTRACT_SIDE || w > MID_SYNTH_MAX_WINDOW_SIDE ||
        h > MID_SYNTH_MAX_WINDOW_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "impression: window %ux%u outside %u..%u", w, h,
                         MID_MIN_EXTRACT_SIDE, MID_SYNTH_MAX_WINDOW_SIDE);
    }

    synth_imp_params *p = out;
    *p = (synth_imp_params){0};
    p->profile = opts->profile;
    p->condition = synth_imp_condition(seed, person, finger, impression, opts->condition);
    p->width = w;
    p->height = h;
    p->seed = seed;
    p->person = person;
    p->finger = finger;
    p->impression = impression;
    p->noise = true;
    p->creases = true;

    tip_extent t;
    measure_tip(m, &t);
    draw_creases(p, &t);

    synth_rng r;
    synth_rng_init(&r, seed, person, finger, impression, SYNTH_STREAM_IMP_GEOMETRY);
    const mid_synth_condition cond = p->condition;
    /* Contact centre: near the fingertip centre, a little towards the tip or the
     * joint depending on how the finger was laid down. */
    double ca = cos(t.phi), sa = sin(t.phi);
    double along = synth_rng_normal(&r) * 0.10 * t.a, across = synth_rng_normal(&r) * 0.08 * t.b;
    p->cx = t.cx + ca * along - sa * across;
    p->cy = t.cy + sa * along + ca * across;

    /* Contact footprint: the fingertip ellipse scaled by pressure. Partial
     * contact keeps 45-65 % of the axes around a random off-centre point. */
    double scale = prof->contact_scale * synth_rng_range(&r, 0.85, 1.08);
    if (cond == MID_CONDITION_DRY) {
        scale *= 0.93; /* dry skin presses less area into contact */
    } else if (cond == MID_CONDITION_WET) {
        scale *= 1.05;
    }
    p->fp_cx = p->cx;
    p->fp_cy = p->cy;
    if (cond == MID_CONDITION_SMALL_AREA) {
        scale *= synth_rng_range(&r, 0.45, 0.65);
        double off = synth_rng_range(&r, 0.2, 0.45), dir = synth_rng_range(&r, 0, 2 * PI);
        p->fp_cx += cos(dir) * off * t.b;
        p->fp_cy += sin(dir) * off * t.a;
    }
    p->fp_a = t.a * scale;
    p->fp_b = t.b * scale;
    p->fp_phi = t.phi + synth_rng_normal(&r) * 0.08;
    p->fp_soft = synth_rng_range(&r, 0.10, 0.22);
    for (int k = 0; k < 3; k++) {
        p->fp_harm[k] = synth_rng_range(&r, 0.0, 0.06);
        p->fp_phase[k] = synth_rng_range(&r, 0, 2 * PI);
    }

    /* Placement: rotation mostly within +-25 degrees (sd 10), rarely up to 45. */
    if (synth_rng_uniform(&r) < 0.03) {
        p->theta = synth_rng_range(&r, -45.0, 45.0) * PI / 180;
    } else {
        p->theta = clampd(synth_rng_normal(&r) * 10.0, -25.0, 25.0) * PI / 180;
    }
    p->ct = cos(p->theta);
    p->st = sin(p->theta);
    double oy_mean = opts->profile == MID_PROFILE_MOBILE_FAP45 ? 0.42 : 0.5;
    p->ox = w * (0.5 + synth_rng_normal(&r) * 0.09);
    p->oy = h * (oy_mean + synth_rng_normal(&r) * 0.09);
    if (cond == MID_CONDITION_SMALL_AREA) {
        /* Keep the small contact patch in view. */
        double fx = p->fp_cx - p->cx, fy = p->fp_cy - p->cy;
        p->ox -= p->ct * fx + p->st * fy;
        p->oy -= -p->st * fx + p->ct * fy;
    }

    /* Elastic distortion. The brake width k bounds the slope of the displacement
     * field (at most |T(p) - p| * 0.61 / k), which keeps the map invertible. */
    p->ell_a = p->fp_a * synth_rng_range(&r, 0.25, 0.40);
    p->ell_b = p->fp_b * synth_rng_range(&r, 0.25, 0.40);
    p->ell_phi = p->fp_phi;
    double mag, rot;
    if (cond == MID_CONDITION_DISTORTED) {
        mag = synth_rng_range(&r, 12.0, 22.0);
        rot = synth_rng_range(&r, 3.0, 7.0) * (synth_rng_uniform(&r) < 0.5 ? -1 : 1);
        p->brake_k = synth_rng_range(&r, 55.0, 75.0);
    } else {
        mag = fabs(synth_rng_normal(&r)) * 4.0;
        rot = synth_rng_normal(&r) * 1.5;
        p->brake_k = synth_rng_range(&r, 35.0, 55.0);
    }
    double dir = synth_rng_range(&r, 0, 2 * PI);
    p->d_tx = cos(dir) * mag;
    p->d_ty = sin(dir) * mag;
    p->d_theta = rot * PI / 180;

    /* Skin. */
    synth_rng_init(&r, seed, person, finger, impression, SYNTH_STREAM_IMP_SKIN);
    p->noise_sd = prof->noise_sd * (float)synth_rng_range(&r, 0.8, 1.25);
    p->brightness = (float)(synth_rng_normal(&r) * 5.0);
    p->contrast = (float)synth_rng_range(&r, 0.85, 1.0);
    p->pressure_amp = (float)synth_rng_range(&r, 0.05, 0.10);
    p->blur = (float)synth_rng_range(&r, 0.0, 0.5);
    p->threshold = (float)synth_rng_range(&r, 0.36, 0.50);
    p->breaks = (float)synth_rng_range(&r, 0.05, 0.2);
    p->wet_blots = 0;
    if (cond == MID_CONDITION_DRY) {
        p->threshold = (float)synth_rng_range(&r, 0.58, 0.68);
        p->breaks = (float)synth_rng_range(&r, 0.35, 0.6);
        p->contrast = (float)synth_rng_range(&r, 0.6, 0.85);
        p->brightness += 8.0f;
        p->pressure_amp = (float)synth_rng_range(&r, 0.08, 0.14);
    } else if (cond == MID_CONDITION_WET) {
        p->threshold = (float)synth_rng_range(&r, 0.24, 0.33);
        p->wet_blots = (float)synth_rng_range(&r, 0.3, 0.6);
        p->blur = (float)synth_rng_range(&r, 0.6, 1.0);
        p->brightness -= 10.0f;
    }
    return MID_OK;
}

/* Distortion displacement at master point (x, y): (T(v) - v) * brake(dist). */
static void displacement(const synth_imp_params *p, double x, double y, double *dx, double *dy) {
    double vx = x - p->cx, vy = y - p->cy;
    /* Distance outside the close-contact ellipse, approximated by scaling the
     * elliptic radius by the local semi-axis (exact on the axes). */
    double ce = cos(p->ell_phi), se = sin(p->ell_phi);
    double u = ce * vx + se * vy, v = -se * vx + ce * vy;
    double e = sqrt(u * u / (p->ell_a * p->ell_a) + v * v / (p->ell_b * p->ell_b));
    if (e <= 1.0) {
        *dx = 0;
        *dy = 0;
        return;
    }
    double dist = sqrt(u * u + v * v) * (1.0 - 1.0 / e);
    double brake = 1.0 - exp(-dist * dist / (2 * p->brake_k * p->brake_k));
    double c = cos(p->d_theta), s = sin(p->d_theta);
    double tx = c * vx + s * vy + p->d_tx - vx;
    double ty = -s * vx + c * vy + p->d_ty - vy;
    *dx = tx * brake;
    *dy = ty * brake;
}

void synth_imp_forward(const synth_imp_params *p, double mx, double my, double *qx, double *qy) {
    double dx, dy;
    displacement(p, mx, my, &dx, &dy);
    double vx = mx + dx - p->cx, vy = my + dy - p->cy;
    *qx = p->ct * vx + p->st * vy + p->ox;
    *qy = -p->st * vx + p->ct * vy + p->oy;
}

void synth_imp_inverse(const synth_imp_params *p, double qx, double qy, double *mx, double *my) {
    double ux = qx - p->ox, uy = qy - p->oy;
    /* Undo the placement exactly, then solve x + d(x) = target by fixed-point
     * iteration (a contraction: the slope of d stays below 1, see draw). */
    double tx = p->ct * ux - p->st * uy + p->cx;
    double ty = p->st * ux + p->ct * uy + p->cy;
    double x = tx, y = ty;
    for (int it = 0; it < 60; it++) {
        double dx, dy;
        displacement(p, x, y, &dx, &dy);
        double nx = tx - dx, ny = ty - dy;
        double ch = fabs(nx - x) + fabs(ny - y);
        x = nx;
        y = ny;
        if (ch < 1e-3) {
            break;
        }
    }
    *mx = x;
    *my = y;
}

double synth_imp_contact(const synth_imp_params *p, double mx, double my) {
    double vx = mx - p->fp_cx, vy = my - p->fp_cy;
    double c = cos(p->fp_phi), s = sin(p->fp_phi);
    double u = c * vx + s * vy, v = -s * vx + c * vy;
    double e = sqrt(u * u / (p->fp_a * p->fp_a) + v * v / (p->fp_b * p->fp_b));
    /* An irregular outline: the elliptic radius wobbles with the polar angle. */
    double phi = atan2(v * p->fp_a, u * p->fp_b), wob = 1.0;
    for (int k = 0; k < 3; k++) {
        wob += p->fp_harm[k] * cos((k + 2) * phi + p->fp_phase[k]);
    }
    e /= wob;
    double inner = 1.0 - p->fp_soft;
    if (e <= inner) {
        return 1.0;
    }
    if (e >= 1.0) {
        return 0.0;
    }
    double t = (1.0 - e) / p->fp_soft;
    return t * t * (3 - 2 * t);
}
