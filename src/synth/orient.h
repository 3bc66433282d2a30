/*
 * The analytic model of a finger's ridge flow, from which masters are grown and
 * which the template-at-scale generator evaluates directly (no image needed).
 *
 * A model holds the pattern class, its singular points, the fingertip outline
 * and the ridge-period map of (seed, person, finger), drawn once by
 * synth_model_init(). The evaluation functions are pure and cheap (a few
 * atan2 calls), so they may be called per pixel or per minutia.
 *
 * Orientation: the zero-pole model of Sherlock & Monro (1993),
 *   O(z) = O_inf + 1/2 [ sum_k g_ck(arg(z - c_k)) - sum_k g_dk(arg(z - d_k)) ]
 * in mathematical coordinates (y up), with the piecewise-linear angle maps g of
 * Vizcaya & Gerhardt (1996) drawn at random near the identity to vary the
 * shapes; arches (no singular point) use a smooth bump field instead. The
 * result is reported in image coordinates (y down), modulo pi.
 *
 * Geometry: master image coordinates at 500 ppi, x right, y down.
 */
#ifndef MID_SYNTH_ORIENT_H
#define MID_SYNTH_ORIENT_H

#include "mid/synth.h"

#include <stdint.h>

#define SYNTH_MAX_CORES 2
#define SYNTH_MAX_DELTAS 2
#define SYNTH_NWAVES 6 /* plane waves of the period and orientation noise */
#define SYNTH_NBENDS 2 /* low-frequency orientation bends */
#define SYNTH_WARP_N 8 /* linear pieces of each Vizcaya-Gerhardt angle map */

typedef struct synth_point {
    double x, y;
} synth_point;

typedef struct synth_finger_model {
    mid_finger_class cls;
    unsigned finger;   /* 1..10 */
    int width, height; /* master image size in pixels */

    /* Fingertip outline: an ellipse above the centre line y = cy (half height
     * `top`), a flatter super-ellipse (exponent 4) below it (half height
     * `bottom`), half width `half_w`, centred on x = cx. */
    double cx, cy, half_w, top, bottom;

    int ncore, ndelta;
    synth_point core[SYNTH_MAX_CORES];
    synth_point delta[SYNTH_MAX_DELTAS];
    /* Angle maps: value of g at -pi + 2 pi k / SYNTH_WARP_N, k = 0..N (the ends
     * are -pi and pi exactly), for each core then each delta. */
    double warp[SYNTH_MAX_CORES + SYNTH_MAX_DELTAS][SYNTH_WARP_N + 1];
    double theta0; /* O_inf, radians (mathematical sense) */

    /* Arch field (cls == MID_CLASS_ARCH): ridges y = y0 - A(y0) exp(-(x-ax)^2 / (2 s^2)). */
    double arch_x, arch_y, arch_amp, arch_sigma;

    /* Ridge period map (pixels): base period times smooth modulations. */
    double period_base;
    double period_slope;      /* relative change from the top to the bottom of the outline */
    double period_border;     /* relative shortening at the outline */
    double period_core;       /* relative shortening in the region above the core */
    synth_point period_focus; /* centre of that region */
    double period_flow_ref;   /* mean of the flow term over the fingertip (see orient.c) */

    /* Smooth random modulations (sums of plane waves of wavelength 60-200
     * px): relative period change and orientation offset (radians). They make
     * ridges split and end all over the fingertip, not only where the flow
     * diverges, and they make the flows of two fingers of one class differ
     * beyond their singular points (see WAVE_ORIENT_AMP in orient.c). */
    double wave_kx[SYNTH_NWAVES], wave_ky[SYNTH_NWAVES], wave_phase[SYNTH_NWAVES];
    double wave_per[SYNTH_NWAVES], wave_ori[SYNTH_NWAVES];
    /* Low-frequency orientation bends (wavelength 250-500 px). */
    double bend_kx[SYNTH_NBENDS], bend_ky[SYNTH_NBENDS], bend_phase[SYNTH_NBENDS];
    double bend_amp[SYNTH_NBENDS];
} synth_finger_model;

/* Class percentages per finger position (0 thumb .. 4 little), columns arch,
 * tented arch, ulnar loop, radial loop, whorl; see orient.c for the sources. */
extern const double synth_position_table[5][5];

/* Class probabilities (percent, summing to 100) of finger 1..10, indexed by
 * mid_finger_class. NULL for an invalid finger. */
const double *synth_class_table(unsigned finger);

/* The class of (seed, person, finger), as synth_model_init() draws it. */
mid_finger_class synth_model_class(uint64_t seed, uint64_t person, unsigned finger);

/* Draws the model of (seed, person, finger 1..10). A finger outside 1..10 is
 * treated as 2 (right index). */
void synth_model_init(synth_finger_model *m, uint64_t seed, uint64_t person, unsigned finger);

/* Builds a model of the given class with the placements of (seed, person,
 * finger): for tests and demonstrations of every class. */
void synth_model_init_class(synth_finger_model *m, uint64_t seed, uint64_t person, unsigned finger,
                            mid_finger_class cls);

/* Ridge direction at (x, y), radians in image coordinates, in [0, pi). */
double synth_model_orientation(const synth_finger_model *m, double x, double y);

/* Ridge period at (x, y) in pixels at 500 ppi (about 7-12). */
double synth_model_period(const synth_finger_model *m, double x, double y);

/* Factor (1 .. about 1.28) by which synth_model_period() widens the ridges
 * where the flow diverges (see FLOW_PERIOD_BETA in orient.c); 1 for arches. */
double synth_model_flow_factor(const synth_finger_model *m, double x, double y);

/* Outline function: < 1 inside the fingertip, 1 on its outline, > 1 outside. */
double synth_model_shape(const synth_finger_model *m, double x, double y);

/* 1 when (x, y) lies inside the fingertip outline. */
int synth_model_inside(const synth_finger_model *m, double x, double y);

#endif
