/*
 * Impressions of a master print: the parameters drawn for one capture, the
 * geometric transform (placement, rotation, elastic skin distortion) and the
 * renderer. Internal to the synth layer; also used by the direct template
 * generator, so that a template made without rendering goes through exactly the
 * same geometry as a rendered impression.
 *
 * Geometry. A master point p (master image pixels) maps to the impression point
 *     q = P(D(p)),
 * where D is the elastic distortion of Cappelli, Maio & Maltoni ("Modelling
 * plastic distortion in fingerprint images", ICAPR 2001): inside a close-contact
 * ellipse the skin stays put; outside it, points follow a rigid displacement T
 * (a small rotation about the ellipse centre plus a translation), attenuated by a
 * "brake" that grows smoothly from 0 at the ellipse border to 1 far from it:
 *     D(p) = p + (T(p) - p) * brake(dist(p)),  brake(d) = 1 - exp(-d^2 / (2 k^2)).
 * P is the rigid placement of the finger on the sensor: rotation by theta about
 * the contact centre c and translation to the point o of the capture window:
 *     P(x) = R(theta) (x - c) + o.
 * Images are rendered by inverse mapping: D is inverted by fixed-point iteration
 * on a coarse grid of window points, and pixels interpolate the grid bilinearly.
 */
#ifndef MID_SYNTH_IMPRESSION_H
#define MID_SYNTH_IMPRESSION_H

#include "mid/synth.h"

#include <stdbool.h>
#include <stdint.h>

/* Independent random streams of an impression (see synth/rng.h). */
enum {
    SYNTH_STREAM_IMP_CONDITION = 0x494d5001u, /* condition drawn for MID_CONDITION_RANDOM */
    SYNTH_STREAM_IMP_GEOMETRY,                /* placement, rotation, distortion, contact */
    SYNTH_STREAM_IMP_SKIN,                    /* pressure, dryness, wetness fields */
    SYNTH_STREAM_IMP_NOISE,                   /* sensor noise and background */
    SYNTH_STREAM_FINGER_CREASES               /* per finger (impression 0): creases, scars */
};

/* Appearance of a scanner class. Grey levels 0 (black) .. 255 (white). */
typedef struct synth_profile_desc {
    const char *name;
    uint32_t width, height; /* capture window, pixels at 500 ppi */
    float background;       /* mean grey of the empty platen */
    float background_var;   /* amplitude of slow background blotches */
    float valley;           /* grey of a valley in full contact */
    float ridge;            /* grey of a ridge in full contact */
    float noise_sd;         /* sensor noise, grey levels */
    float stripes;          /* amplitude of column stripes (capacitive read-out) */
    float contact_scale;    /* contact ellipse size relative to the fingertip */
} synth_profile_desc;

/* The description of profile p (p < MID_PROFILE_COUNT), or NULL. */
const synth_profile_desc *synth_profile_get(mid_synth_profile p);

/* Maximal number of creases and scars on one finger. */
#define SYNTH_MAX_CREASES 6

/* A crease or scar in master coordinates: a quadratic Bezier curve of a width. */
typedef struct synth_crease {
    float x0, y0, x1, y1, x2, y2; /* end points and control point (x1, y1) */
    float width;                  /* pixels */
    float strength;               /* 0..1: how white the line is */
} synth_crease;

/* Every parameter of one impression. synth_imp_draw() fills it from the
 * identity; tests may change fields before synth_imp_render(). */
typedef struct synth_imp_params {
    mid_synth_condition condition; /* resolved: never MID_CONDITION_RANDOM */
    mid_synth_profile profile;
    uint32_t width, height; /* capture window */
    uint64_t seed, person;
    unsigned finger;
    uint32_t impression;

    /* Placement P. */
    double cx, cy; /* contact centre (master coordinates) */
    double theta;  /* rotation, radians, counter-clockwise as seen (y down) */
    double ox, oy; /* where c lands in the window */
    double ct, st; /* cos and sin of the rotation as applied in y-down coordinates */
    /* Distortion D (close-contact ellipse centred on c). */
    double ell_a, ell_b; /* close-contact semi-axes */
    double ell_phi;      /* ellipse axis angle */
    double d_theta;      /* rotation of the external region, radians */
    double d_tx, d_ty;   /* translation of the external region, pixels */
    double brake_k;      /* transition width, pixels */
    /* Contact footprint (master coordinates): ellipse where the skin touches. */
    double fp_cx, fp_cy, fp_a, fp_b, fp_phi;
    double fp_soft;                 /* relative width of the soft border */
    double fp_harm[3], fp_phase[3]; /* outline wobble: harmonics 2..4 of the radius */

    /* Skin and sensor. */
    float threshold;    /* ink level at the ridge edge: low = thick ridges, high = thin */
    float pressure_amp; /* amplitude of the slow pressure variation of threshold */
    float breaks;       /* 0..1: density of dry breaks in ridges */
    float wet_blots;    /* 0..1: density of wet blots filling valleys */
    float blur;         /* 0..1: weight of the extra smoothing pass */
    float contrast;     /* scales the ridge/valley difference */
    float brightness;   /* added to every grey level */
    float noise_sd;     /* sensor noise */
    bool noise;         /* false: no noise, blotches or stripes (tests) */
    bool creases;       /* false: ignore the finger's creases (tests) */
    unsigned n_creases;
    synth_crease crease[SYNTH_MAX_CREASES];
} synth_imp_params;

/* What the renderer needs to know of a master. */
typedef struct synth_master_view {
    const mid_image *image;    /* dark ridges on white, 500 ppi */
    const mid_template *truth; /* minutiae in master coordinates (may be NULL) */
    /* Optional, image-sized: the continuous ridge signal in [-1, 1] (> 0 on ridges)
     * and the fingertip mask. When given, the ridges are rendered from the signal
     * (a smooth cross profile, so the skin threshold sets their width exactly);
     * otherwise from the image's grey levels. */
    const float *ridge;
    const uint8_t *mask;
} synth_master_view;

/* The view of a master made by mid_synth_master_create(). */
void synth_master_view_of(const mid_synth_master *m, synth_master_view *v);

/* The condition impression `impression` of the finger gets when `requested` is
 * MID_CONDITION_RANDOM (mostly normal); `requested` itself otherwise. */
mid_synth_condition synth_imp_condition(uint64_t seed, uint64_t person, unsigned finger,
                                        uint32_t impression, mid_synth_condition requested);

/* Draws every parameter of an impression from the identity and the options
 * (opts may be NULL). The master's fingertip extent is measured on its image. */
mid_status synth_imp_draw(mid_ctx *ctx, const synth_master_view *m, uint64_t seed, uint64_t person,
                          unsigned finger, uint32_t impression,
                          const mid_synth_impression_opts *opts, synth_imp_params *out);

/* The transform of a master point to the window, and its inverse. */
void synth_imp_forward(const synth_imp_params *p, double mx, double my, double *qx, double *qy);
void synth_imp_inverse(const synth_imp_params *p, double qx, double qy, double *mx, double *my);

/* Contact strength 0..1 at a master point (footprint ellipse, soft border). */
double synth_imp_contact(const synth_imp_params *p, double mx, double my);

/* Maps the master's minutiae through the transform and keeps those visible in
 * the impression: inside the window, in firm contact, not under a crease. */
mid_status synth_imp_truth(mid_ctx *ctx, const synth_imp_params *p, const mid_template *master,
                           mid_template **out);

/* Renders the impression image (and the truth when truth is not NULL). */
mid_status synth_imp_render(mid_ctx *ctx, const synth_master_view *m, const synth_imp_params *p,
                            mid_image **image, mid_template **truth);

#endif
