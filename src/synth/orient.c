/*
 * The analytic finger model: class, singular points, outline, orientation and
 * period. See orient.h for the formulas; the placements below follow the
 * usual anatomy of the patterns (Maltoni et al., Handbook of Fingerprint
 * Recognition, 2nd ed., 1.5 and 6.4 (SFinGe)): loop cores in the upper middle
 * of the fingertip with the delta 9-15 ridges away, below and on the side
 * opposite the loop's opening; tented arches with the delta just below the
 * core; whorls with two close cores and a delta on each side.
 */
#include "synth/orient.h"

#include "synth/rng.h"
#include "synth/synth_internal.h"

#include <math.h>

#define PI 3.14159265358979323846

/* Largest amplitude of each plane wave of the period (relative) and orientation
 * (radians) modulations. The orientation term is what keeps masters of one
 * class apart: with the bare zero-pole flow, the minutiae the flow forces sit
 * at similar places with similar directions in every loop (or whorl), and our
 * matcher scored 80 of 4,950 pairs of index-finger masters >= 30 (FMR 1e-3
 * predicts 5); with 6 waves of up to 0.22 rad (and the angle maps at +-0.38),
 * 15. Flipping each minutia's direction at random removes the excess
 * entirely, so it is the shared direction field, not the positions. */
#define WAVE_PERIOD_AMP 0.05
#define WAVE_ORIENT_AMP 0.22
/* Largest amplitude (radians) of each of the SYNTH_NBENDS low-frequency
 * (250-500 px) orientation bends: they bend a whole loop or whorl differently
 * per finger without adding minutiae, unlike stronger short waves (0.35 rad
 * raised the master minutiae from 64 to 86 and doubled the impostor tail).
 * With the wider loop geometry (core-delta offset and O_inf spread in build())
 * they cut the masters' impostor pairs >= 40 by about 35 % (bench_synth_unique
 * --n 400, seeds 1 and 2: 20 -> 14 and 20 -> 12). */
#define BEND_ORIENT_AMP 0.30

/* Ridge spacing that follows the flow. For the zero-pole field, theta is the
 * imaginary part of the analytic G(z) = i O_inf + 1/2 sum log(z - c_k) -
 * 1/2 sum log(z - d_k), and the ridge frequency f = exp(-Re G) makes the wave
 * vector f (-sin theta, cos theta) both divergence- and curl-free: a phase with
 * exactly that gradient exists, i.e. ridges that neither end nor split away
 * from the singular points. A period growing like
 *   (prod |z - c_k| / prod |z - d_k|)^(FLOW_PERIOD_BETA / 2)
 * thus lets ridges spread apart where the flow diverges instead of forcing new
 * ridges (minutiae) in; those forced minutiae sit at the same places with the
 * same directions in every master of a class and made the impostor tail of
 * masters heavier than real prints'. Only the widening half is applied (the
 * term is centred on its mean over the fingertip and negative values dropped,
 * then bounded softly to FLOW_PERIOD_MAX in log period), and distances are
 * floored at FLOW_PERIOD_FLOOR px: the full term also narrows ridges round the
 * cores, which made the tail of rendered impressions heavier, not lighter
 * (bench_synth_unique --n 400 --impressions, seeds 1 and 2: 224 -> 351 and
 * 299 -> 372 impostor pairs >= 30). */
#define FLOW_PERIOD_BETA 0.5
#define FLOW_PERIOD_MAX 0.25
#define FLOW_PERIOD_FLOOR 40.0

/*
 * Class percentages per finger position (thumb, index, middle, ring, little),
 * columns arch, tented arch, ulnar loop, radial loop, whorl. The population
 * figures they must average to are those of the NIST/FBI data used by Wilson,
 * Candela & Watson (1994): arch 3.7, tented arch 2.9, left loop 33.8, right
 * loop 31.7, whorl 27.9 %. The split over positions is our own, shaped by the
 * well-known trends of dermatoglyphics (e.g. Cummins & Midlo 1943): ulnar loops
 * dominate everywhere and most on the little and middle fingers, radial loops,
 * arches and tented arches are concentrated on the index fingers, whorls are
 * most frequent on thumbs and ring fingers. The column means are exactly
 * A 3.7, T 2.9, W 27.9 and loops 65.5 % (32.75 % left and right each, the
 * hands being equally represented).
 */
const double synth_position_table[5][5] = {
    /*        A     T     ulnar radial W */
    /* thumb  */ {2.0, 0.5, 62.0, 1.5, 34.0},
    /* index  */ {8.5, 9.0, 35.0, 17.5, 30.0},
    /* middle */ {4.5, 2.5, 67.0, 2.0, 24.0},
    /* ring   */ {1.5, 1.0, 62.5, 1.0, 34.0},
    /* little */ {2.0, 1.5, 78.5, 0.5, 17.5},
};

/* The table above per finger 1..10, in mid_finger_class order (arch, tented
 * arch, left loop, right loop, whorl). Ulnar loops open towards the little
 * finger: right loops on the right hand (1-5), left loops on the left (6-10).
 * test_orient.c checks that these rows are exactly the position table. */
static const double CLASS_TABLES[10][5] = {
    {2.0, 0.5, 1.5, 62.0, 34.0},  /* right thumb */
    {8.5, 9.0, 17.5, 35.0, 30.0}, /* right index */
    {4.5, 2.5, 2.0, 67.0, 24.0},  /* right middle */
    {1.5, 1.0, 1.0, 62.5, 34.0},  /* right ring */
    {2.0, 1.5, 0.5, 78.5, 17.5},  /* right little */
    {2.0, 0.5, 62.0, 1.5, 34.0},  /* left thumb */
    {8.5, 9.0, 35.0, 17.5, 30.0}, /* left index */
    {4.5, 2.5, 67.0, 2.0, 24.0},  /* left middle */
    {1.5, 1.0, 62.5, 1.0, 34.0},  /* left ring */
    {2.0, 1.5, 78.5, 0.5, 17.5},  /* left little */
};

const double *synth_class_table(unsigned finger) {
    return finger >= 1 && finger <= 10 ? CLASS_TABLES[finger - 1] : NULL;
}

static mid_finger_class draw_class(synth_rng *r, unsigned finger) {
    const double *t = synth_class_table(finger);
    double u = synth_rng_uniform(r) * 100.0, acc = 0;
    for (int c = 0; c < 5; c++) {
        acc += t[c];
        if (u < acc) {
            return (mid_finger_class)c;
        }
    }
    return MID_CLASS_WHORL;
}

mid_finger_class synth_model_class(uint64_t seed, uint64_t person, unsigned finger) {
    if (finger < 1 || finger > 10) {
        finger = 2;
    }
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, 0, SYNTH_STREAM_MODEL);
    return draw_class(&r, finger);
}

static double clampd(double v, double lo, double hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

double synth_model_shape(const synth_finger_model *m, double x, double y) {
    double u = (x - m->cx) / m->half_w;
    if (y <= m->cy) {
        double v = (y - m->cy) / m->top;
        return sqrt(u * u + v * v);
    }
    double v = (y - m->cy) / m->bottom;
    double u2 = u * u, v2 = v * v;
    return sqrt(sqrt(u2 * u2 + v2 * v2));
}

int synth_model_inside(const synth_finger_model *m, double x, double y) {
    return synth_model_shape(m, x, y) < 1.0;
}

/* Pulls p inside the outline (shape <= limit) towards `towards`. */
static synth_point keep_inside(const synth_finger_model *m, synth_point p, synth_point towards,
                               double limit) {
    for (int i = 0; i < 40 && synth_model_shape(m, p.x, p.y) > limit; i++) {
        p.x = towards.x + 0.93 * (p.x - towards.x);
        p.y = towards.y + 0.93 * (p.y - towards.y);
    }
    return p;
}

/* FLOW_PERIOD_BETA * Re G(z) (see above), before centring and bounding. */
static double flow_log_period_raw(const synth_finger_model *m, double x, double y) {
    double v = 0;
    for (int k = 0; k < m->ncore; k++) {
        double dx = x - m->core[k].x, dy = y - m->core[k].y;
        v += 0.25 * log(fmax(dx * dx + dy * dy, FLOW_PERIOD_FLOOR * FLOW_PERIOD_FLOOR));
    }
    for (int k = 0; k < m->ndelta; k++) {
        double dx = x - m->delta[k].x, dy = y - m->delta[k].y;
        v -= 0.25 * log(fmax(dx * dx + dy * dy, FLOW_PERIOD_FLOOR * FLOW_PERIOD_FLOOR));
    }
    return FLOW_PERIOD_BETA * v;
}

static void draw_warp(synth_rng *r, double g[SYNTH_WARP_N + 1]) {
    const double step = 2 * PI / SYNTH_WARP_N;
    for (int k = 0; k <= SYNTH_WARP_N; k++) {
        double a = -PI + step * k;
        /* Perturbations below half a step keep g increasing. */
        g[k] = (k == 0 || k == SYNTH_WARP_N) ? a : a + synth_rng_range(r, -0.38, 0.38);
    }
}

static void build(synth_finger_model *m, synth_rng *r, unsigned finger, mid_finger_class cls) {
    *m = (synth_finger_model){0};
    m->cls = cls;
    m->finger = finger;
    int thumb = finger == 1 || finger == 6;
    m->width = (int)lrint(synth_rng_range(r, 300, 360)) + (thumb ? 30 : 0);
    m->height = (int)lrint(synth_rng_range(r, 400, 480)) + (thumb ? 30 : 0);
    double W = m->width, H = m->height;
    m->cx = W / 2 + clampd(4 * synth_rng_normal(r), -8, 8);
    m->half_w = fmin(m->cx, W - m->cx) - synth_rng_range(r, 8, 16);
    m->cy = H * synth_rng_range(r, 0.42, 0.48);
    m->top = m->cy - synth_rng_range(r, 6, 14);
    m->bottom = H - synth_rng_range(r, 6, 14) - m->cy;
    double hw = m->half_w, Hf = m->top + m->bottom, ytop = m->cy - m->top;
    synth_point centre = {m->cx, m->cy};

    for (int k = 0; k < SYNTH_MAX_CORES + SYNTH_MAX_DELTAS; k++) {
        draw_warp(r, m->warp[k]);
    }
    /* O_inf sets the far-field slant relative to the core-delta axis, hence
     * the shape of a loop beyond a rotation: spread like the loop geometry. */
    m->theta0 = clampd(0.12 * synth_rng_normal(r), -0.30, 0.30);

    /* Draw every placement parameter whatever the class, so that the random
     * sequence (and thus the rest of the model) does not depend on it. */
    double core_dx = clampd(0.06 * synth_rng_normal(r), -0.15, 0.15) * hw;
    double core_y = ytop + Hf * synth_rng_range(r, 0.30, 0.46);
    double loop_dx = hw * synth_rng_range(r, 0.30, 0.90);
    double loop_dy = Hf * synth_rng_range(r, 0.14, 0.34);
    double tent_dx = clampd(0.08 * synth_rng_normal(r), -0.2, 0.2) * hw;
    double tent_dy = synth_rng_range(r, 45, 90);
    double whorl_sep = synth_rng_range(r, 12, 45);
    double whorl_phi = synth_rng_range(r, -PI / 2, PI / 2);
    double whorl_ddx[2] = {hw * synth_rng_range(r, 0.5, 0.8), hw * synth_rng_range(r, 0.5, 0.8)};
    double whorl_ddy[2] = {Hf * synth_rng_range(r, 0.16, 0.30),
                           Hf * synth_rng_range(r, 0.16, 0.30)};
    double arch_amp_ratio = synth_rng_range(r, 0.9, 1.6);
    m->arch_sigma = hw * synth_rng_range(r, 0.40, 0.60);
    m->arch_x = m->cx + clampd(0.1 * synth_rng_normal(r), -0.25, 0.25) * hw;
    m->arch_y = ytop + Hf * synth_rng_range(r, 0.35, 0.50);
    m->arch_amp = arch_amp_ratio * m->arch_sigma;

    m->period_base = synth_rng_range(r, 8.5, 10.2) + (thumb ? 0.4 : 0.0);
    m->period_slope = synth_rng_range(r, 0.04, 0.14);
    m->period_border = synth_rng_range(r, 0.04, 0.10);
    m->period_core = synth_rng_range(r, 0.04, 0.12);

    for (int k = 0; k < SYNTH_NWAVES; k++) {
        double lambda = synth_rng_range(r, 60, 200);
        double dir = synth_rng_range(r, 0, PI);
        m->wave_kx[k] = 2 * PI / lambda * cos(dir);
        m->wave_ky[k] = 2 * PI / lambda * sin(dir);
        m->wave_phase[k] = synth_rng_range(r, 0, 2 * PI);
        m->wave_per[k] = synth_rng_range(r, -1, 1) * WAVE_PERIOD_AMP;
        m->wave_ori[k] = synth_rng_range(r, -1, 1) * WAVE_ORIENT_AMP;
    }

    synth_point core = {m->cx + core_dx, core_y};
    switch (cls) {
    case MID_CLASS_ARCH:
        m->period_focus = (synth_point){m->arch_x, m->arch_y - 40};
        break;
    case MID_CLASS_TENTED_ARCH:
        m->ncore = m->ndelta = 1;
        m->core[0] = core;
        m->delta[0] = keep_inside(m, (synth_point){core.x + tent_dx, core.y + tent_dy}, core, 0.8);
        break;
    case MID_CLASS_LEFT_LOOP:
    case MID_CLASS_RIGHT_LOOP: {
        /* The delta lies on the side opposite the opening: right of the core for
         * a left loop. */
        double sgn = cls == MID_CLASS_LEFT_LOOP ? 1.0 : -1.0;
        m->ncore = m->ndelta = 1;
        /* Shift the core a little towards the opening, as in real loops. */
        core.x -= sgn * 0.08 * hw;
        m->core[0] = core;
        m->delta[0] =
            keep_inside(m, (synth_point){core.x + sgn * loop_dx, core.y + loop_dy}, core, 0.85);
        break;
    }
    case MID_CLASS_WHORL:
    default: {
        m->ncore = m->ndelta = 2;
        double c = cos(whorl_phi) * whorl_sep / 2, s = sin(whorl_phi) * whorl_sep / 2;
        m->core[0] = (synth_point){core.x - c, core.y - s};
        m->core[1] = (synth_point){core.x + c, core.y + s};
        m->delta[0] =
            keep_inside(m, (synth_point){core.x - whorl_ddx[0], core.y + whorl_ddy[0]}, core, 0.85);
        m->delta[1] =
            keep_inside(m, (synth_point){core.x + whorl_ddx[1], core.y + whorl_ddy[1]}, core, 0.85);
        break;
    }
    }
    if (cls != MID_CLASS_ARCH) {
        m->period_focus = (synth_point){m->core[0].x, m->core[0].y - 45};
    }
    (void)centre;
    /* Low-frequency bends, drawn last so the sequence above is unchanged. */
    for (int k = 0; k < SYNTH_NBENDS; k++) {
        double lambda = synth_rng_range(r, 250, 500);
        double dir = synth_rng_range(r, 0, PI);
        m->bend_kx[k] = 2 * PI / lambda * cos(dir);
        m->bend_ky[k] = 2 * PI / lambda * sin(dir);
        m->bend_phase[k] = synth_rng_range(r, 0, 2 * PI);
        m->bend_amp[k] = synth_rng_range(r, -1, 1) * BEND_ORIENT_AMP;
    }
    /* Mean of the raw flow term over a grid inside the outline. */
    double acc = 0;
    int cnt = 0;
    for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
            double x = m->cx - hw + (i + 0.5) * (2 * hw / 16);
            double y = ytop + (j + 0.5) * (Hf / 16);
            if (synth_model_inside(m, x, y)) {
                acc += flow_log_period_raw(m, x, y);
                cnt++;
            }
        }
    }
    m->period_flow_ref = cnt > 0 ? acc / cnt : 0.0;
}

void synth_model_init_class(synth_finger_model *m, uint64_t seed, uint64_t person, unsigned finger,
                            mid_finger_class cls) {
    if (finger < 1 || finger > 10) {
        finger = 2;
    }
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, 0, SYNTH_STREAM_MODEL);
    (void)draw_class(&r, finger); /* keep the sequence aligned with synth_model_init */
    build(m, &r, finger, cls);
}

void synth_model_init(synth_finger_model *m, uint64_t seed, uint64_t person, unsigned finger) {
    if (finger < 1 || finger > 10) {
        finger = 2;
    }
    synth_rng r;
    synth_rng_init(&r, seed, person, finger, 0, SYNTH_STREAM_MODEL);
    mid_finger_class cls = draw_class(&r, finger);
    build(m, &r, finger, cls);
}

/* Vizcaya-Gerhardt map: piecewise-linear g with g(-pi) = -pi, g(pi) = pi. */
static double warp(const double g[SYNTH_WARP_N + 1], double a) {
    const double step = 2 * PI / SYNTH_WARP_N;
    double t = (a + PI) / step;
    int k = (int)floor(t);
    if (k < 0) {
        k = 0;
    }
    if (k >= SYNTH_WARP_N) {
        k = SYNTH_WARP_N - 1;
    }
    double f = t - k;
    return g[k] + f * (g[k + 1] - g[k]);
}

static double mod_pi(double a) {
    a = fmod(a, PI);
    if (a < 0) {
        a += PI;
    }
    if (a >= PI) {
        a -= PI;
    }
    return a;
}

static double wave_sum(const synth_finger_model *m, const double *amp, double x, double y) {
    double v = 0;
    for (int k = 0; k < SYNTH_NWAVES; k++) {
        v += amp[k] * cos(m->wave_kx[k] * x + m->wave_ky[k] * y + m->wave_phase[k]);
    }
    return v;
}

static double base_orientation(const synth_finger_model *m, double x, double y) {
    if (m->cls == MID_CLASS_ARCH) {
        double Hf = m->top + m->bottom, ytop = m->cy - m->top;
        double prof;
        if (y < m->arch_y) {
            prof = 1.0 - 0.35 * clampd((m->arch_y - y) / (m->arch_y - ytop + 1), 0, 1);
        } else {
            double d = (y - m->arch_y) / (0.35 * Hf);
            prof = exp(-d * d);
        }
        double s2 = m->arch_sigma * m->arch_sigma, dx = x - m->arch_x;
        double slope = m->arch_amp * prof * dx / s2 * exp(-dx * dx / (2 * s2));
        return mod_pi(atan(slope));
    }
    /* Mathematical coordinates: Y = -y. */
    double th = m->theta0;
    for (int k = 0; k < m->ncore; k++) {
        double a = atan2(-(y - m->core[k].y), x - m->core[k].x);
        th += 0.5 * warp(m->warp[k], a);
    }
    for (int k = 0; k < m->ndelta; k++) {
        double a = atan2(-(y - m->delta[k].y), x - m->delta[k].x);
        th -= 0.5 * warp(m->warp[SYNTH_MAX_CORES + k], a);
    }
    return mod_pi(-th);
}

double synth_model_orientation(const synth_finger_model *m, double x, double y) {
    double bend = 0;
    for (int k = 0; k < SYNTH_NBENDS; k++) {
        bend += m->bend_amp[k] * cos(m->bend_kx[k] * x + m->bend_ky[k] * y + m->bend_phase[k]);
    }
    return mod_pi(base_orientation(m, x, y) + wave_sum(m, m->wave_ori, x, y) + bend);
}

double synth_model_flow_factor(const synth_finger_model *m, double x, double y) {
    if (m->ncore + m->ndelta == 0) {
        return 1.0;
    }
    double u = flow_log_period_raw(m, x, y) - m->period_flow_ref;
    return u > 0 ? exp(FLOW_PERIOD_MAX * tanh(u / FLOW_PERIOD_MAX)) : 1.0;
}

double synth_model_period(const synth_finger_model *m, double x, double y) {
    double Hf = m->top + m->bottom;
    double t = m->period_base * (1.0 + m->period_slope * ((y - m->cy) / Hf));
    /* Distance to the outline, roughly, from the outline function. */
    double s = synth_model_shape(m, x, y);
    double d = (1.0 - s) * fmin(m->half_w, m->top);
    if (d < 0) {
        d = 0;
    }
    t *= 1.0 - m->period_border * exp(-d / 30.0);
    double fx = x - m->period_focus.x, fy = y - m->period_focus.y;
    t *= 1.0 - m->period_core * exp(-(fx * fx + fy * fy) / (2 * 60.0 * 60.0));
    t *= 1.0 + wave_sum(m, m->wave_per, x, y);
    t *= synth_model_flow_factor(m, x, y);
    return clampd(t, 7.0, 12.0);
}
