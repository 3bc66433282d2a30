/*
 * Internal state of the synth layer: the generator handle and the master print,
 * shared by the engineers of masters, impressions, population and templates.
 *
 * Geometry everywhere: master image coordinates at 500 ppi, x to the right, y
 * downward, origin at the top-left pixel; angles in radians in image
 * coordinates (atan2(dy, dx) with y down, i.e. clockwise as seen). Ridge
 * orientations are taken modulo pi.
 */
#ifndef MID_SYNTH_INTERNAL_H
#define MID_SYNTH_INTERNAL_H

#include "mid/synth.h"
#include "synth/orient.h"

#include <stdint.h>

/* Stream constants for synth_rng_init() used by the master generator (the other
 * stages use their own, distinct values). */
#define SYNTH_STREAM_MODEL 0x4d4f44454cull  /* class, singular points, outline, period */
#define SYNTH_STREAM_SEEDS 0x5345454453ull  /* ridge-growth seed points */
#define SYNTH_STREAM_MASTER 0x4d41535452ull /* anything else of the master */

/* Slots for the per-stage scratch memory kept by a mid_synth between calls.
 * A stage allocates its slot lazily, sets the matching free function, and
 * mid_synth_free() releases every non-NULL slot. */
enum {
    SYNTH_SCRATCH_MASTER = 0,
    SYNTH_SCRATCH_IMPRESSION,
    SYNTH_SCRATCH_TEMPLATE,
    SYNTH_SCRATCH_POPULATION,
    SYNTH_SCRATCH_COUNT
};

struct mid_synth {
    mid_ctx *ctx; /* where errors are reported (not owned) */
    void *scratch[SYNTH_SCRATCH_COUNT];
    void (*scratch_free[SYNTH_SCRATCH_COUNT])(void *);
};

/*
 * A master print: the whole fingertip at 500 ppi. Every field is a pure
 * function of (seed, person, finger). Per-pixel arrays are width * height,
 * row-major, owned by the master.
 */
struct mid_synth_master {
    uint64_t seed, person;
    unsigned finger; /* 1..10 */
    mid_finger_class cls;
    synth_finger_model model; /* the analytic model the ridges were grown from */
    int width, height;

    mid_image *image;       /* dark ridges (about 20) on light valleys (about 235),
                               255 outside the fingertip; ppi 500 */
    mid_template *minutiae; /* ground truth from the skeleton of sign(ridge) */

    /* Continuous ridge signal in [-1, 1]: > 0 on ridges (dark), < 0 in valleys,
     * roughly a clipped sinusoid of the local period across the ridges; 0
     * outside the fingertip. Resample this (bilinear is fine) to render
     * distorted impressions: the ridge/valley boundary is ridge == 0. */
    float *ridge;
    /* 1 inside the fingertip outline (synth_model_inside), 0 outside. */
    uint8_t *mask;
    /* Distance in pixels from each inside pixel to the outline (chamfer 3-4
     * approximation of the Euclidean distance, capped at 255); 0 outside. */
    uint8_t *border;
    /* Ridge direction in [0, pi) (synth_model_orientation at the pixel centre). */
    float *orient;
    /* Ridge period in pixels (synth_model_period at the pixel centre). */
    float *period;
};

#endif
